/* ntpac-query.h: reading results back, filtered, from one or more
 * databases
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#pragma once

#if !defined(NTPAC_INSIDE) && !defined(NTPAC_COMPILATION)
#error "Only <ntpac/ntpac.h> can be included directly."
#endif

#include <glib.h>

#include "ntpac-conversation.h"
#include "ntpac-packet.h"
#include "ntpac-store.h"

G_BEGIN_DECLS

/**
 * NtpacQueryError:
 * @NTPAC_QUERY_ERROR_FAILED: reading failed
 * @NTPAC_QUERY_ERROR_KIND: no such kind of record
 * @NTPAC_QUERY_ERROR_FILTER: a filter value is not valid
 */
typedef enum
{
  NTPAC_QUERY_ERROR_FAILED,
  NTPAC_QUERY_ERROR_KIND,
  NTPAC_QUERY_ERROR_FILTER,
} NtpacQueryError;

#define NTPAC_QUERY_ERROR (ntpac_query_error_quark ())
GQuark ntpac_query_error_quark (void);

/**
 * NtpacQueryNetwork:
 * @address: the network's address, bits beyond @prefix cleared
 * @prefix: how many leading bits of @address count (32 or 128 for one
 *   address)
 */
typedef struct
{
  NtpacAddress address;
  guint        prefix;
} NtpacQueryNetwork;

/**
 * NtpacQueryFilter:
 * @has_ip: filter on @ip
 * @ip: source or destination address
 * @port: source or destination port, or -1
 * @host: (nullable): glob on the host, DNS name or TLS server name; a
 *   name with a port ("localhost:8080") also matches without it
 * @has_since: filter on @since_ns
 * @since_ns: records at or after this time (conversations still active)
 * @has_until: filter on @until_ns
 * @until_ns: records at or before this time
 * @has_conversation: filter on @conversation
 * @conversation: records of this conversation only
 * @networks: (array length=n_networks) (nullable): more addresses or
 *   networks, ORed with @ip
 * @n_networks: how many
 * @ports: (array length=n_ports) (nullable): more ports, ORed with @port
 * @n_ports: how many
 * @hosts: (array zero-terminated=1) (nullable): more globs, ORed with @host
 * @conversations: (array length=n_conversations) (nullable): more
 *   conversations, ORed with @conversation
 * @n_conversations: how many
 * @where: (array zero-terminated=1) (nullable): conditions "FIELD OP
 *   VALUE" on the rows' fields, ANDed; OP is one of `=`, `!=`, `<`, `>`
 *   and `~` (a glob on the text)
 *
 * Values of one filter are ORed, different filters ANDed. A filter the
 * kind cannot honour is an error of ntpac_query_new(), not ignored. The
 * arrays are copied by ntpac_query_new().
 */
typedef struct
{
  gboolean                   has_ip;
  NtpacAddress               ip;
  gint                       port;
  gchar                     *host;
  gboolean                   has_since;
  gint64                     since_ns;
  gboolean                   has_until;
  gint64                     until_ns;
  gboolean                   has_conversation;
  NtpacConversationId        conversation;
  const NtpacQueryNetwork   *networks;
  guint                      n_networks;
  const gint                *ports;
  guint                      n_ports;
  const gchar * const       *hosts;
  const NtpacConversationId *conversations;
  guint                      n_conversations;
  const gchar * const       *where;
} NtpacQueryFilter;

typedef struct _NtpacQuery NtpacQuery;

const gchar * const *ntpac_query_kinds         (void);
gboolean             ntpac_query_network_parse (const gchar             *text,
                                                NtpacQueryNetwork       *network);
NtpacQuery          *ntpac_query_new           (NtpacStore             **stores,
                                                guint                    n_stores,
                                                const gchar             *kind,
                                                const NtpacQueryFilter  *filter,
                                                GError                 **error);
void                 ntpac_query_free          (NtpacQuery              *self);
const gchar * const *ntpac_query_get_columns   (NtpacQuery              *self);
GPtrArray           *ntpac_query_next          (NtpacQuery              *self,
                                                GError                 **error);
guint                ntpac_query_get_last_store (NtpacQuery             *self);
GBytes              *ntpac_query_get_last_key  (NtpacQuery              *self);
GPtrArray           *ntpac_query_row_new       (void);
void                 ntpac_query_row_add_json  (GPtrArray               *row,
                                                const gchar             *name,
                                                const gchar             *json);
void                 ntpac_query_row_get_nth   (GPtrArray               *row,
                                                guint                    index,
                                                const gchar            **name,
                                                const gchar            **json);
void                 ntpac_query_row_add_string (GPtrArray              *row,
                                                 const gchar            *name,
                                                 const gchar            *value);

gchar               *ntpac_query_row_to_json   (const gchar * const     *columns,
                                                GPtrArray               *row);
gchar               *ntpac_query_value_to_text (const gchar             *json);
const gchar         *ntpac_query_row_get       (GPtrArray               *row,
                                                const gchar             *name);
GPtrArray           *ntpac_query_conversation_row (const NtpacConversationId *id,
                                                   GVariant                  *record);
const gchar * const *ntpac_query_conversation_columns (void);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (NtpacQuery, ntpac_query_free)

G_END_DECLS
