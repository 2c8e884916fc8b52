/* ntpac-traffic-gen.h: seeded, deterministic traffic generator
 *
 * Writes a capture of many interleaved conversations (HTTP/1.1 with
 * keep-alive, chunked and gzip bodies; DNS over UDP; TLS 1.2 handshakes
 * with real certificate chains; multi-megabyte downloads) and, beside it,
 * the ground truth as JSON lines. The same options and seed always give
 * byte-identical files: nothing depends on the wall clock.
 *
 * TCP conversations open with MSS 1460 (1440 over IPv6), SACK-permitted,
 * timestamps and window scale; every segment carries timestamps, so full
 * segments hold 1448 (1428) bytes. The receiver acknowledges every second
 * segment and the end of each burst; the client closes with FIN/ACK. Some
 * initial sequence numbers lie just below 2^32 so that they wrap.
 *
 * Ground truth (FILE.truth.jsonl), one object per line:
 * - "flow": 5-tuple (src is the initiator), first and last frame times,
 *   "protocol" ("http", "tls" or "dns"), VLAN ids outermost first, and per
 *   direction ("up" from the client, "down" from the server) the bytes
 *   sent, the bytes left out of the capture by the loss option and the
 *   SHA-256 of all bytes sent; "packets" counts frames written, duplicates
 *   included. For DNS the directions are the concatenated UDP payloads.
 * - "http": one per transaction; "host" is the Host header value;
 *   "response_body_len" and "response_body_sha256" describe the decoded
 *   body (chunked and gzip codings removed); "content_type" is null when
 *   the response has no body; "complete" is false when any byte of the
 *   response (status line, headers or body) was lost.
 * - "dns": one per message, queries included; record data in
 *   presentation format ("10 mail.example.com" for MX, a quoted string
 *   for TXT).
 * - "tls": SNI, version, ALPN protocols offered, certificate chain as sent
 *   (leaf first).
 * - "summary": last line, totals and the seed.
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define NTPAC_TRAFFIC_GEN_ERROR (ntpac_traffic_gen_error_quark ())
GQuark ntpac_traffic_gen_error_quark (void);

/**
 * NtpacTrafficGenError:
 * @NTPAC_TRAFFIC_GEN_ERROR_FAILED: generation failed
 * @NTPAC_TRAFFIC_GEN_ERROR_INVALID_OPTION: an option value is invalid
 *
 * Errors of the traffic generator.
 */
typedef enum
{
  NTPAC_TRAFFIC_GEN_ERROR_FAILED,
  NTPAC_TRAFFIC_GEN_ERROR_INVALID_OPTION,
} NtpacTrafficGenError;

/**
 * NtpacTrafficGenFormat:
 * @NTPAC_TRAFFIC_GEN_FORMAT_PCAP: classic pcap, little-endian
 * @NTPAC_TRAFFIC_GEN_FORMAT_PCAPNG: pcapng, one Ethernet interface
 *
 * Capture container.
 */
typedef enum
{
  NTPAC_TRAFFIC_GEN_FORMAT_PCAP,
  NTPAC_TRAFFIC_GEN_FORMAT_PCAPNG,
} NtpacTrafficGenFormat;

/**
 * NtpacTrafficGenOptions:
 * @seed: seed of every random choice
 * @target_size: capture size in bytes after which no conversation starts;
 *   conversations under way finish their current exchange and close
 * @format: container
 * @nanosecond: nanosecond timestamps (else microseconds)
 * @ipv6_ratio: fraction of conversations over IPv6
 * @n_vlans: VLAN tags on every frame: 0, 1 (802.1Q) or 2 (802.1ad + 802.1Q)
 * @loss_rate: fraction of TCP data segments left out of the capture (never
 *   SYN, FIN, RST or pure ACKs)
 * @duplicate_rate: fraction of frames written twice
 * @reorder_rate: fraction of TCP data segments written after the next
 *   frame of their conversation
 * @weight_http: relative number of HTTP conversations
 * @weight_dns: relative number of DNS conversations
 * @weight_tls: relative number of TLS conversations
 * @weight_bulk: relative number of bulk HTTP downloads
 * @concurrency: number of conversations under way at once
 *
 * Options of a run; start from ntpac_traffic_gen_options_init().
 */
typedef struct
{
  guint64 seed;
  guint64 target_size;
  NtpacTrafficGenFormat format;
  gboolean nanosecond;
  gdouble ipv6_ratio;
  guint n_vlans;
  gdouble loss_rate;
  gdouble duplicate_rate;
  gdouble reorder_rate;
  guint weight_http;
  guint weight_dns;
  guint weight_tls;
  guint weight_bulk;
  guint concurrency;
} NtpacTrafficGenOptions;

/**
 * NtpacTrafficGenStats:
 * @packets: frames written
 * @bytes: capture file size
 * @flows: conversations generated
 *
 * Totals of a run.
 */
typedef struct
{
  guint64 packets;
  guint64 bytes;
  guint64 flows;
} NtpacTrafficGenStats;

void     ntpac_traffic_gen_options_init (NtpacTrafficGenOptions        *options);
gboolean ntpac_traffic_gen_parse_size   (const gchar                   *text,
                                         guint64                       *size,
                                         GError                       **error);
gboolean ntpac_traffic_gen_parse_mix    (const gchar                   *text,
                                         NtpacTrafficGenOptions        *options,
                                         GError                       **error);
gchar   *ntpac_traffic_gen_truth_path   (const gchar                   *capture_path);
gboolean ntpac_traffic_gen_run          (const NtpacTrafficGenOptions  *options,
                                         const gchar                   *capture_path,
                                         const gchar                   *truth_path,
                                         NtpacTrafficGenStats          *stats,
                                         GError                       **error);

G_END_DECLS
