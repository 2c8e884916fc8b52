/* ntpac-dissector.c: the dissector base class and its class metadata
 *
 * A dissector class says in class_init what it reads (inputs, with the
 * ports that hint at its protocol), what it writes (outputs, each a column
 * family of the store) and which anomalies it may report: the pipeline is
 * checked against these before any packet flows, as GStreamer checks pad
 * templates.
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <string.h>

#include "ntpac-dissector.h"

typedef struct
{
  NtpacDissectInput input;
  GArray           *ports;   /* guint16 */
} Input;

typedef struct
{
  gchar         *id;
  NtpacSeverity  severity;
  gchar         *description;
} AnomalyInfo;

/* A class's metadata; a subclass starts its own rather than adding to
 * its parent's. Class data lives as long as the process. */
typedef struct
{
  GType      owner;
  gchar     *protocol;
  gchar     *description;
  GArray    *inputs;        /* Input */
  GPtrArray *outputs;       /* names, NULL-terminated */
  GPtrArray *output_descriptions;
  GArray    *anomalies;     /* AnomalyInfo */
} Metadata;

G_DEFINE_ABSTRACT_TYPE (NtpacDissector, ntpac_dissector, G_TYPE_OBJECT)

static void
ntpac_dissector_class_init (NtpacDissectorClass *klass)
{
}

static void
ntpac_dissector_init (NtpacDissector *self)
{
}

static Metadata *
class_metadata (NtpacDissectorClass *klass)
{
  Metadata *m = klass->metadata;

  if (m == NULL || m->owner != G_TYPE_FROM_CLASS (klass))
    {
      m = g_new0 (Metadata, 1);
      m->owner = G_TYPE_FROM_CLASS (klass);
      m->inputs = g_array_new (FALSE, FALSE, sizeof (Input));
      m->outputs = g_ptr_array_new ();
      g_ptr_array_add (m->outputs, NULL);
      m->output_descriptions = g_ptr_array_new ();
      m->anomalies = g_array_new (FALSE, FALSE, sizeof (AnomalyInfo));
      klass->metadata = m;
    }
  return m;
}

static Metadata *
instance_metadata (NtpacDissector *self)
{
  return class_metadata (NTPAC_DISSECTOR_GET_CLASS (self));
}

/**
 * ntpac_dissector_class_set_metadata:
 * @klass: a dissector class
 * @protocol: the protocol it identifies ("http"), stored on conversations
 * @description: one line for people
 *
 * Since: 0.1
 */
void
ntpac_dissector_class_set_metadata (NtpacDissectorClass *klass,
                                    const gchar         *protocol,
                                    const gchar         *description)
{
  Metadata *m = class_metadata (klass);

  g_free (m->protocol);
  g_free (m->description);
  m->protocol = g_strdup (protocol);
  m->description = g_strdup (description);
}

/**
 * ntpac_dissector_class_add_input:
 * @klass: a dissector class
 * @input: what it reads
 * @ports: (nullable): ports that hint at its protocol, comma-separated
 *   ("80,8080"); they break ties between dissectors whose probe accepts
 *   the same bytes, they never decide alone
 *
 * Since: 0.1
 */
void
ntpac_dissector_class_add_input (NtpacDissectorClass *klass,
                                 NtpacDissectInput    input,
                                 const gchar         *ports)
{
  Metadata *m = class_metadata (klass);
  Input in = { input, g_array_new (FALSE, FALSE, sizeof (guint16)) };
  g_auto(GStrv) list = g_strsplit (ports != NULL ? ports : "", ",", -1);

  for (guint i = 0; list[i] != NULL; i++)
    {
      guint64 port;

      if (g_ascii_string_to_unsigned (g_strstrip (list[i]), 10, 0, 65535, &port, NULL))
        {
          guint16 p = (guint16) port;

          g_array_append_val (in.ports, p);
        }
      else if (list[i][0] != '\0')
        g_warning ("%s: “%s” is not a port", G_OBJECT_CLASS_NAME (klass), list[i]);
    }
  g_array_append_val (m->inputs, in);
}

/**
 * ntpac_dissector_class_add_output:
 * @klass: a dissector class
 * @name: the kind of record ("dns"): the store's column family
 * @description: one line for people
 *
 * Since: 0.1
 */
void
ntpac_dissector_class_add_output (NtpacDissectorClass *klass,
                                  const gchar         *name,
                                  const gchar         *description)
{
  Metadata *m = class_metadata (klass);

  g_ptr_array_insert (m->outputs, m->outputs->len - 1, g_strdup (name));
  g_ptr_array_add (m->output_descriptions, g_strdup (description));
}

/**
 * ntpac_dissector_class_add_anomaly:
 * @klass: a dissector class
 * @id: a stable id, prefixed by the protocol ("dns.label-loop")
 * @severity: how bad it is
 * @description: one line for people
 *
 * Declares an anomaly the dissector may report; reporting an undeclared
 * one is a programming error.
 * Since: 0.1
 */
void
ntpac_dissector_class_add_anomaly (NtpacDissectorClass *klass,
                                   const gchar         *id,
                                   NtpacSeverity        severity,
                                   const gchar         *description)
{
  Metadata *m = class_metadata (klass);
  AnomalyInfo a = { g_strdup (id), severity, g_strdup (description) };

  g_array_append_val (m->anomalies, a);
}

const gchar *
ntpac_dissector_get_protocol (NtpacDissector *self)
{
  return instance_metadata (self)->protocol;
}

const gchar *
ntpac_dissector_get_description (NtpacDissector *self)
{
  return instance_metadata (self)->description;
}

gboolean
ntpac_dissector_accepts (NtpacDissector    *self,
                         NtpacDissectInput  input)
{
  Metadata *m = instance_metadata (self);

  for (guint i = 0; i < m->inputs->len; i++)
    if (g_array_index (m->inputs, Input, i).input == input)
      return TRUE;
  return FALSE;
}

/* Whether @port is one of the ports the dissector named for @input. */
gboolean
ntpac_dissector_port_hint (NtpacDissector    *self,
                           NtpacDissectInput  input,
                           guint16            port)
{
  Metadata *m = instance_metadata (self);

  for (guint i = 0; i < m->inputs->len; i++)
    {
      const Input *in = &g_array_index (m->inputs, Input, i);

      if (in->input != input)
        continue;
      for (guint p = 0; p < in->ports->len; p++)
        if (g_array_index (in->ports, guint16, p) == port)
          return TRUE;
    }
  return FALSE;
}

/**
 * ntpac_dissector_get_outputs:
 * @self: a dissector
 *
 * Returns: (transfer none) (array zero-terminated=1): its outputs
 * Since: 0.1
 */
const gchar * const *
ntpac_dissector_get_outputs (NtpacDissector *self)
{
  return (const gchar * const *) instance_metadata (self)->outputs->pdata;
}

/**
 * ntpac_dissector_describe_anomaly:
 * @self: a dissector
 * @id: an anomaly id
 * @severity: (out) (optional): its severity
 * @description: (out) (optional) (transfer none): its description
 *
 * Returns: whether the dissector declared @id
 * Since: 0.1
 */
gboolean
ntpac_dissector_describe_anomaly (NtpacDissector  *self,
                                  const gchar     *id,
                                  NtpacSeverity   *severity,
                                  const gchar    **description)
{
  Metadata *m = instance_metadata (self);

  for (guint i = 0; i < m->anomalies->len; i++)
    {
      const AnomalyInfo *a = &g_array_index (m->anomalies, AnomalyInfo, i);

      if (g_str_equal (a->id, id))
        {
          if (severity != NULL)
            *severity = a->severity;
          if (description != NULL)
            *description = a->description;
          return TRUE;
        }
    }
  return FALSE;
}
