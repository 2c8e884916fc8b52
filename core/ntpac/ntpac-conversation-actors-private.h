/* ntpac-conversation-actors-private.h: the L3 (IP pair) and L4 (5-tuple)
 * conversation actors of a worker
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#pragma once

#include <glib.h>

#include "ntpac-actor.h"
#include "ntpac-tracker-private.h"

G_BEGIN_DECLS

/* A lookup key with its hash, for the worker's tables. */
typedef struct
{
  NtpacFlowKey key;
  guint64      hash;
} NtpacRouteKey;

typedef struct _NtpacL3Actor NtpacL3Actor;
typedef struct _NtpacL4Actor NtpacL4Actor;

/* What the worker keeps of its actors: routes and ageing queues. The
 * actors register and unregister themselves here. */
typedef struct
{
  NtpacTracker *tracker;
  GHashTable   *l3_routes;    /* NtpacRouteKey (IP pair) -> NtpacL3Actor */
  GHashTable   *l4_routes;    /* NtpacRouteKey (5-tuple) -> NtpacL4Actor */
  GQueue        tcp_idle;     /* open TCP actors, least recently active first */
  GQueue        udp_idle;     /* UDP actors, least recently active first */
  GQueue        closed;       /* TCP actors whose conversation closed, oldest first */
} NtpacWorkerRoutes;

guint         ntpac_route_key_hash   (gconstpointer key);
gboolean      ntpac_route_key_equal  (gconstpointer a,
                                      gconstpointer b);

NtpacL3Actor *ntpac_l3_actor_new     (NtpacActor           *worker,
                                      NtpacWorkerRoutes    *routes,
                                      const NtpacRouteKey  *pair);
void          ntpac_l3_pair_key      (NtpacRouteKey        *pair,
                                      const NtpacPacketDesc *packet);

NtpacL4Actor *ntpac_l4_actor_new     (NtpacL3Actor         *parent,
                                      NtpacWorkerRoutes    *routes,
                                      const NtpacPacketDesc *packet);
gint64        ntpac_l4_actor_last_ts (NtpacL4Actor         *self);
gboolean      ntpac_l4_actor_is_tcp  (NtpacL4Actor         *self);
void          ntpac_l4_actor_end     (NtpacL4Actor         *self,
                                      NtpacConversationEnd  end);
void          ntpac_l4_actor_flush   (NtpacL4Actor         *self);

G_END_DECLS
