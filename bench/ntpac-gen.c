/* ntpac-gen.c: command line of the traffic generator
 *
 *   ntpac-gen -o capture.pcap --size 1G --seed 7 --format pcapng --nanosecond
 *
 * writes capture.pcap and capture.pcap.truth.jsonl.
 */

#include <locale.h>
#include <stdlib.h>

#include <glib.h>

#include "ntpac-traffic-gen.h"

static gboolean
parse_seed (const gchar  *text,
            guint64      *seed,
            GError      **error)
{
  return g_ascii_string_to_unsigned (text, 10, 0, G_MAXUINT64, seed, error);
}

static gboolean
parse_format (const gchar            *text,
              NtpacTrafficGenFormat  *format,
              GError                **error)
{
  if (g_strcmp0 (text, "pcap") == 0)
    *format = NTPAC_TRAFFIC_GEN_FORMAT_PCAP;
  else if (g_strcmp0 (text, "pcapng") == 0)
    *format = NTPAC_TRAFFIC_GEN_FORMAT_PCAPNG;
  else
    {
      g_set_error (error, NTPAC_TRAFFIC_GEN_ERROR,
                   NTPAC_TRAFFIC_GEN_ERROR_INVALID_OPTION,
                   "Unknown format “%s” (expected pcap or pcapng)", text);
      return FALSE;
    }
  return TRUE;
}

static gboolean
run (int     argc,
     char  **argv,
     GError **error)
{
  NtpacTrafficGenOptions options;
  NtpacTrafficGenStats stats;
  g_autofree gchar *output = NULL;
  g_autofree gchar *truth = NULL;
  g_autofree gchar *size = NULL;
  g_autofree gchar *seed = NULL;
  g_autofree gchar *format = NULL;
  g_autofree gchar *mix = NULL;
  g_autofree gchar *truth_path = NULL;
  gboolean vlan = FALSE;
  gboolean qinq = FALSE;
  gint concurrency;
  g_autoptr(GOptionContext) context = NULL;
  const GOptionEntry entries[] = {
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output,
      "Capture file to write (required)", "FILE" },
    { "truth", 0, 0, G_OPTION_ARG_FILENAME, &truth,
      "Ground truth file (default: FILE.truth.jsonl)", "FILE" },
    { "size", 0, 0, G_OPTION_ARG_STRING, &size,
      "Target capture size, with K, M or G suffix (default: 100M)", "SIZE" },
    { "seed", 0, 0, G_OPTION_ARG_STRING, &seed,
      "Seed of every random choice (default: 1)", "N" },
    { "format", 0, 0, G_OPTION_ARG_STRING, &format,
      "Container: pcap or pcapng (default: pcap)", "FORMAT" },
    { "nanosecond", 0, 0, G_OPTION_ARG_NONE, &options.nanosecond,
      "Nanosecond timestamps", NULL },
    { "ipv6", 0, 0, G_OPTION_ARG_DOUBLE, &options.ipv6_ratio,
      "Fraction of flows over IPv6 (default: 0.2)", "RATIO" },
    { "vlan", 0, 0, G_OPTION_ARG_NONE, &vlan,
      "Tag every frame with an 802.1Q VLAN", NULL },
    { "qinq", 0, 0, G_OPTION_ARG_NONE, &qinq,
      "Tag every frame with an 802.1ad and an 802.1Q VLAN", NULL },
    { "loss", 0, 0, G_OPTION_ARG_DOUBLE, &options.loss_rate,
      "Fraction of TCP data segments left out", "RATE" },
    { "dup", 0, 0, G_OPTION_ARG_DOUBLE, &options.duplicate_rate,
      "Fraction of frames written twice", "RATE" },
    { "reorder", 0, 0, G_OPTION_ARG_DOUBLE, &options.reorder_rate,
      "Fraction of TCP data segments swapped with the next frame of their flow", "RATE" },
    { "mix", 0, 0, G_OPTION_ARG_STRING, &mix,
      "Flow weights (default: http=50,dns=25,tls=20,bulk=5)", "http=W,dns=W,tls=W,bulk=W" },
    { "concurrency", 0, 0, G_OPTION_ARG_INT, &concurrency,
      "Flows under way at once (default: 128)", "N" },
    G_OPTION_ENTRY_NULL
  };

  ntpac_traffic_gen_options_init (&options);
  concurrency = options.concurrency;
  context = g_option_context_new ("- write a synthetic capture and its ground truth");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, error))
    return FALSE;

  if (output == NULL)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                   "--output is required");
      return FALSE;
    }
  if (argc > 1)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                   "Unexpected argument “%s”", argv[1]);
      return FALSE;
    }
  if ((size != NULL &&
       !ntpac_traffic_gen_parse_size (size, &options.target_size, error)) ||
      (seed != NULL && !parse_seed (seed, &options.seed, error)) ||
      (format != NULL && !parse_format (format, &options.format, error)) ||
      (mix != NULL && !ntpac_traffic_gen_parse_mix (mix, &options, error)))
    return FALSE;
  if (concurrency <= 0)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "--concurrency must be positive");
      return FALSE;
    }
  options.concurrency = concurrency;
  options.n_vlans = qinq ? 2 : vlan ? 1 : 0;

  truth_path = truth != NULL ?
    g_strdup (truth) : ntpac_traffic_gen_truth_path (output);
  if (!ntpac_traffic_gen_run (&options, output, truth_path, &stats, error))
    return FALSE;

  g_print ("%s: %" G_GUINT64_FORMAT " packets, %" G_GUINT64_FORMAT " bytes, %"
           G_GUINT64_FORMAT " flows; truth in %s\n",
           output, stats.packets, stats.bytes, stats.flows, truth_path);
  return TRUE;
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;

  /* For messages only: the output never depends on the locale. */
  setlocale (LC_ALL, "");
  if (!run (argc, argv, &error))
    {
      g_printerr ("ntpac-gen: %s\n", error->message);
      return EXIT_FAILURE;
    }
  return EXIT_SUCCESS;
}
