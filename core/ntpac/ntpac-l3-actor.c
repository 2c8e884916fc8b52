/* ntpac-l3-actor.c: the actor of one pair of IP addresses
 *
 * It owns the L4 actors of the 5-tuples between its two addresses: it
 * creates them for the first packet of a 5-tuple, and closes itself when
 * the last one is gone. Later packets of a 5-tuple go straight to its L4
 * actor through the worker's route table, one lookup per packet.
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <string.h>

#include "ntpac-conversation-actors-private.h"
#include "ntpac-packet.h"

struct _NtpacL3Actor
{
  NtpacActor         parent;
  NtpacWorkerRoutes *routes;
  NtpacRouteKey      pair;
};

guint
ntpac_route_key_hash (gconstpointer key)
{
  return (guint) ((const NtpacRouteKey *) key)->hash;
}

gboolean
ntpac_route_key_equal (gconstpointer a,
                       gconstpointer b)
{
  return ntpac_flow_key_equal (&((const NtpacRouteKey *) a)->key, &((const NtpacRouteKey *) b)->key);
}

/* The IP pair of a packet's 5-tuple, with its hash. */
void
ntpac_l3_pair_key (NtpacRouteKey         *pair,
                   const NtpacPacketDesc *packet)
{
  memset (pair, 0, sizeof *pair);
  pair->key.family = packet->key.family;
  memcpy (pair->key.addr_lo, packet->key.addr_lo, 16);
  memcpy (pair->key.addr_hi, packet->key.addr_hi, 16);
  pair->hash = ntpac_flow_hash (&pair->key);
}

static gboolean
l3_receive (NtpacActor          *actor,
            const NtpacMessage  *message,
            GError             **error)
{
  NtpacL3Actor *self = (NtpacL3Actor *) actor;
  NtpacRouteKey route;
  NtpacActor *child;

  if (message->kind != NTPAC_MESSAGE_PACKET)
    return TRUE;
  route.key = message->packet->key;
  route.hash = message->packet->hash;
  child = g_hash_table_lookup (self->routes->l4_routes, &route);
  if (child == NULL)
    child = (NtpacActor *) ntpac_l4_actor_new (self, self->routes, message->packet);
  ntpac_actor_tell (child, message);
  return TRUE;
}

static void
l3_child_closed (NtpacActor *actor,
                 NtpacActor *child)
{
  if (actor->n_children == 0)
    ntpac_actor_close (actor);
}

static void
l3_stop (NtpacActor *actor,
         gboolean    failed)
{
  NtpacL3Actor *self = (NtpacL3Actor *) actor;

  g_hash_table_remove (self->routes->l3_routes, &self->pair);
}

static void
l3_append_name (NtpacActor *actor,
                GString    *path)
{
  NtpacL3Actor *self = (NtpacL3Actor *) actor;
  NtpacAddress a = { self->pair.key.family, { 0 } }, b = a;
  g_autofree gchar *lo = NULL, *hi = NULL;

  memcpy (a.bytes, self->pair.key.addr_lo, 16);
  memcpy (b.bytes, self->pair.key.addr_hi, 16);
  lo = ntpac_address_to_string (&a);
  hi = ntpac_address_to_string (&b);
  g_string_append_printf (path, "%s-%s", lo, hi);
}

static const NtpacActorClass l3_actor_class = {
  .name = "l3",
  .instance_size = sizeof (NtpacL3Actor),
  .receive = l3_receive,
  .stop = l3_stop,
  .child_closed = l3_child_closed,
  .append_name = l3_append_name,
};

NtpacL3Actor *
ntpac_l3_actor_new (NtpacActor          *worker,
                    NtpacWorkerRoutes   *routes,
                    const NtpacRouteKey *pair)
{
  NtpacL3Actor *self = (NtpacL3Actor *) ntpac_actor_new (&l3_actor_class, worker);

  self->routes = routes;
  self->pair = *pair;
  g_hash_table_insert (routes->l3_routes, &self->pair, self);
  return self;
}
