/* ntpac-defrag-private.h: IPv4 and IPv6 fragment reassembly
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#pragma once

#include <glib.h>

#include "ntpac-anomaly.h"
#include "ntpac-buffer.h"
#include "ntpac-frame.h"

G_BEGIN_DECLS

typedef struct
{
  guint8  family;       /* 4 or 6 */
  guint8  proto;        /* IPv4 protocol; 0 for IPv6 */
  guint8  reserved[2];
  guint32 id;
  guint8  src[16];
  guint8  dst[16];
} NtpacDefragKey;

typedef enum
{
  NTPAC_DEFRAG_HELD,      /* kept until the datagram is complete */
  NTPAC_DEFRAG_COMPLETE,  /* the datagram is in the result */
  NTPAC_DEFRAG_DROPPED,   /* unusable (an anomaly was reported) */
} NtpacDefragStatus;

typedef struct
{
  NtpacBuffer   *datagram;     /* the IP payload, reassembled */
  guint8         next_header;  /* protocol of the payload */
  NtpacFrameRef *frames;       /* g_free(); frames of the fragments, in arrival order */
  guint          n_frames;
} NtpacDefragResult;

typedef struct _NtpacDefrag NtpacDefrag;

NtpacDefrag       *ntpac_defrag_new      (gint64             timeout_ns,
                                          gsize              memory_cap,
                                          NtpacAnomalyFunc   report,
                                          gpointer           report_data);
void               ntpac_defrag_free     (NtpacDefrag       *self);
NtpacDefragStatus  ntpac_defrag_add      (NtpacDefrag       *self,
                                          const NtpacDefragKey *key,
                                          const NtpacFrame  *frame,
                                          guint32            offset,
                                          gboolean           more,
                                          guint8             next_header,
                                          const guint8      *data,
                                          guint32            captured,
                                          guint32            len,
                                          NtpacDefragResult *result);
void               ntpac_defrag_flush    (NtpacDefrag       *self);
gsize              ntpac_defrag_get_memory (NtpacDefrag     *self);
guint              ntpac_defrag_get_pending (NtpacDefrag    *self);

G_END_DECLS
