/* ntpac-linktype.h: the link types the engine decodes
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#pragma once

#if !defined(NTPAC_INSIDE) && !defined(NTPAC_COMPILATION)
#error "Only <ntpac/ntpac.h> can be included directly."
#endif

#include <glib.h>

G_BEGIN_DECLS

/* LINKTYPE_ values (tcpdump.org link-layer header types) */
#define NTPAC_LINKTYPE_NULL        0
#define NTPAC_LINKTYPE_ETHERNET    1
#define NTPAC_LINKTYPE_RAW_OPENBSD 12   /* DLT_RAW as some systems wrote it */
#define NTPAC_LINKTYPE_RAW_BSDOS   14
#define NTPAC_LINKTYPE_RAW         101
#define NTPAC_LINKTYPE_IEEE802_11  105
#define NTPAC_LINKTYPE_IEEE802_11_RADIOTAP 127
#define NTPAC_LINKTYPE_PPI         192
#define NTPAC_LINKTYPE_LOOP        108
#define NTPAC_LINKTYPE_LINUX_SLL   113
#define NTPAC_LINKTYPE_IPV4        228
#define NTPAC_LINKTYPE_IPV6        229
#define NTPAC_LINKTYPE_LINUX_SLL2  276

gboolean     ntpac_link_type_is_supported (guint32 linktype);
const gchar *ntpac_link_type_to_string    (guint32 linktype);

G_END_DECLS
