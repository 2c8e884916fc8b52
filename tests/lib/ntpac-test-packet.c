/* ntpac-test-packet.c: frame builder for test fixtures
 *
 * IPv4 RFC 791, IPv6 RFC 8200, TCP RFC 9293 and RFC 7323, UDP RFC 768,
 * ICMP RFC 792, ICMPv6 RFC 4443, checksum RFC 1071, 802.1Q/802.1ad,
 * MPLS RFC 3032, PPPoE RFC 2516, GRE RFC 2784 and RFC 2890, ERSPAN type II
 * (draft-foschiano-erspan), VXLAN RFC 7348, Linux cooked capture v1 and v2,
 * BSD loopback encapsulations.
 */

#include "ntpac-test-packet.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

/* Room kept in front of the payload so that most frames never move. */
#define HEADROOM 128
#define INITIAL_SIZE 2048

#define ARPHRD_ETHER 1
#define BSD_AF_INET 2
#define BSD_AF_INET6 24
#define PPP_PROTOCOL_IPV4 0x0021
#define PPP_PROTOCOL_IPV6 0x0057
#define IPPROTO_ETHERIP 97

struct _NtpacTestPacket
{
  guint8 *buf;
  gsize alloc;
  gsize head;  /* first byte of the frame */
  gsize tail;  /* one past its last byte */

  guint16 ethertype;
  guint8 ip_protocol;

  /* A TCP, UDP or ICMPv6 checksum waits for the addresses of the next IP
   * header. The segment is found from the end of the buffer, which does not
   * move as headers are prepended. */
  gboolean l4_pending;
  guint8 l4_protocol;
  gsize l4_length;
  guint l4_checksum_offset;
  NtpacTestChecksum l4_checksum_mode;

  /* RFC 8200 §8.1: behind a routing header the pseudo-header carries the
   * final destination. */
  gboolean has_final_destination;
  guint8 final_destination[16];
};

static const guint8 default_source_mac[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x01 };
static const guint8 default_destination_mac[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x02 };

static inline void
store_u16 (guint8  *p,
           guint16  value)
{
  p[0] = value >> 8;
  p[1] = value & 0xff;
}

static inline void
store_u32 (guint8  *p,
           guint32  value)
{
  p[0] = value >> 24;
  p[1] = (value >> 16) & 0xff;
  p[2] = (value >> 8) & 0xff;
  p[3] = value & 0xff;
}

static inline guint16
load_u16 (const guint8 *p)
{
  return (p[0] << 8) | p[1];
}

/* Checksums */

static guint64
checksum_accumulate (guint64       sum,
                     const guint8 *data,
                     gsize         len)
{
  /* Big-endian 32-bit words fold to the same ones' complement sum as
   * 16-bit words, since 2^16 ≡ 1 (mod 2^16 - 1). */
  while (len >= 4)
    {
      guint32 word;

      memcpy (&word, data, 4);
      sum += GUINT32_FROM_BE (word);
      data += 4;
      len -= 4;
    }
  if (len >= 2)
    {
      sum += load_u16 (data);
      data += 2;
      len -= 2;
    }
  if (len == 1)
    sum += data[0] << 8;
  return sum;
}

static guint16
checksum_finish (guint64 sum)
{
  while (sum >> 16)
    sum = (sum & 0xffff) + (sum >> 16);
  return ~sum & 0xffff;
}

/**
 * ntpac_test_inet_checksum:
 * @data: (array length=len): bytes to sum
 * @len: length of @data
 *
 * Computes the Internet checksum (RFC 1071) of @data.
 *
 * Returns: the checksum, in host byte order
 * Since: 0.1
 */
guint16
ntpac_test_inet_checksum (const guint8 *data,
                          gsize         len)
{
  return checksum_finish (checksum_accumulate (0, data, len));
}

static guint16
apply_checksum_mode (guint16           correct,
                     NtpacTestChecksum mode,
                     gboolean          zero_means_none)
{
  guint16 bad;

  switch (mode)
    {
    case NTPAC_TEST_CHECKSUM_ZERO:
      return 0;
    case NTPAC_TEST_CHECKSUM_BAD:
      /* Never 0 (which may mean "none") nor equal to 0xffff when correct is 0. */
      bad = correct ^ 0x00ff;
      return bad != 0 ? bad : 0x0100;
    case NTPAC_TEST_CHECKSUM_CORRECT:
    default:
      /* A computed 0 is sent as 0xffff where 0 means "no checksum". */
      return correct == 0 && zero_means_none ? 0xffff : correct;
    }
}

/* Buffer management */

static void
packet_init_buffer (NtpacTestPacket *self,
                    gsize            alloc)
{
  self->buf = g_malloc (alloc);
  self->alloc = alloc;
  self->head = HEADROOM;
  self->tail = HEADROOM;
}

static guint8 *
reserve_front (NtpacTestPacket *self,
               gsize            len)
{
  if (self->head < len)
    {
      gsize used = self->tail - self->head;
      gsize headroom = len + HEADROOM;
      gsize alloc = headroom + used + (self->alloc - self->tail);
      guint8 *buf = g_malloc (alloc);

      memcpy (buf + headroom, self->buf + self->head, used);
      g_free (self->buf);
      self->buf = buf;
      self->tail = headroom + used;
      self->head = headroom;
      self->alloc = alloc;
    }
  self->head -= len;
  return self->buf + self->head;
}

static guint8 *
reserve_back (NtpacTestPacket *self,
              gsize            len)
{
  guint8 *p;

  if (self->alloc - self->tail < len)
    {
      self->alloc = MAX (self->alloc * 2, self->tail + len + HEADROOM);
      self->buf = g_realloc (self->buf, self->alloc);
    }
  p = self->buf + self->tail;
  self->tail += len;
  return p;
}

/* Reserves @len zeroed bytes in front of the frame. */
static guint8 *
prepend_header (NtpacTestPacket *self,
                gsize            len)
{
  guint8 *p = reserve_front (self, len);

  memset (p, 0, len);
  return p;
}

static gsize
packet_length (const NtpacTestPacket *self)
{
  return self->tail - self->head;
}

/**
 * ntpac_test_packet_new:
 *
 * Creates an empty frame.
 *
 * Returns: (transfer full): a new frame builder
 * Since: 0.1
 */
NtpacTestPacket *
ntpac_test_packet_new (void)
{
  NtpacTestPacket *self = g_new0 (NtpacTestPacket, 1);

  packet_init_buffer (self, INITIAL_SIZE);
  return self;
}

/**
 * ntpac_test_packet_new_with_payload:
 * @data: (array length=len) (nullable): payload bytes
 * @len: length of @data
 *
 * Creates a frame holding @data, ready to be wrapped in headers.
 *
 * Returns: (transfer full): a new frame builder
 * Since: 0.1
 */
NtpacTestPacket *
ntpac_test_packet_new_with_payload (const void *data,
                                    gsize       len)
{
  NtpacTestPacket *self = ntpac_test_packet_new ();

  ntpac_test_packet_append (self, data, len);
  return self;
}

/**
 * ntpac_test_packet_copy:
 * @self: a frame
 *
 * Returns: (transfer full): an independent copy of @self, state included
 * Since: 0.1
 */
NtpacTestPacket *
ntpac_test_packet_copy (const NtpacTestPacket *self)
{
  NtpacTestPacket *copy;

  g_return_val_if_fail (self != NULL, NULL);

  copy = g_memdup2 (self, sizeof *self);
  copy->buf = g_memdup2 (self->buf, self->alloc);
  return copy;
}

/**
 * ntpac_test_packet_free:
 * @self: (transfer full) (nullable): a frame
 *
 * Frees the frame.
 *
 * Since: 0.1
 */
void
ntpac_test_packet_free (NtpacTestPacket *self)
{
  if (self == NULL)
    return;
  g_free (self->buf);
  g_free (self);
}

/**
 * ntpac_test_packet_reset:
 * @self: a frame
 *
 * Empties the frame and forgets its state, keeping the memory for reuse.
 *
 * Since: 0.1
 */
void
ntpac_test_packet_reset (NtpacTestPacket *self)
{
  guint8 *buf;
  gsize alloc;

  g_return_if_fail (self != NULL);

  buf = self->buf;
  alloc = self->alloc;
  memset (self, 0, sizeof *self);
  self->buf = buf;
  self->alloc = alloc;
  self->head = MIN (HEADROOM, alloc);
  self->tail = self->head;
}

/**
 * ntpac_test_packet_append:
 * @self: a frame not yet wrapped in any header
 * @data: (array length=len) (nullable): bytes to add
 * @len: length of @data
 *
 * Adds payload bytes at the end of the frame.
 *
 * Since: 0.1
 */
void
ntpac_test_packet_append (NtpacTestPacket *self,
                          const void      *data,
                          gsize            len)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (data != NULL || len == 0);
  /* The pending checksum covers the bytes up to the end of the frame. */
  g_return_if_fail (!self->l4_pending);

  if (len > 0)
    memcpy (reserve_back (self, len), data, len);
}

/**
 * ntpac_test_packet_prepend:
 * @self: a frame
 * @data: (array length=len): bytes to add
 * @len: length of @data
 *
 * Adds raw bytes in front of the frame, for headers this builder does not
 * know. The EtherType and IP protocol of the frame do not change; set them
 * with ntpac_test_packet_set_ethertype() and
 * ntpac_test_packet_set_ip_protocol() if an outer header needs them.
 *
 * Since: 0.1
 */
void
ntpac_test_packet_prepend (NtpacTestPacket *self,
                           const void      *data,
                           gsize            len)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (data != NULL || len == 0);

  if (len > 0)
    memcpy (reserve_front (self, len), data, len);
}

/**
 * ntpac_test_packet_get_data:
 * @self: a frame
 * @len: (out) (optional): return location for the length
 *
 * Returns: (transfer none) (array length=len): the frame bytes, valid until
 *   the frame is changed
 * Since: 0.1
 */
const guint8 *
ntpac_test_packet_get_data (const NtpacTestPacket *self,
                            gsize                 *len)
{
  g_return_val_if_fail (self != NULL, NULL);

  if (len != NULL)
    *len = packet_length (self);
  return self->buf + self->head;
}

/**
 * ntpac_test_packet_get_length:
 * @self: a frame
 *
 * Returns: the length of the frame in bytes
 * Since: 0.1
 */
gsize
ntpac_test_packet_get_length (const NtpacTestPacket *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return packet_length (self);
}

/**
 * ntpac_test_packet_to_bytes:
 * @self: a frame
 *
 * Returns: (transfer full): a copy of the frame bytes
 * Since: 0.1
 */
GBytes *
ntpac_test_packet_to_bytes (const NtpacTestPacket *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return g_bytes_new (self->buf + self->head, packet_length (self));
}

/**
 * ntpac_test_packet_get_ethertype:
 * @self: a frame
 *
 * Returns: the EtherType that an enclosing header would use for the frame
 *   as it stands (0 when unknown)
 * Since: 0.1
 */
guint16
ntpac_test_packet_get_ethertype (const NtpacTestPacket *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->ethertype;
}

/**
 * ntpac_test_packet_set_ethertype:
 * @self: a frame
 * @ethertype: EtherType describing the frame as it stands
 *
 * Overrides the EtherType that the next VLAN, MPLS, GRE or link header
 * writes.
 *
 * Since: 0.1
 */
void
ntpac_test_packet_set_ethertype (NtpacTestPacket *self,
                                 guint16          ethertype)
{
  g_return_if_fail (self != NULL);

  self->ethertype = ethertype;
}

/**
 * ntpac_test_packet_get_ip_protocol:
 * @self: a frame
 *
 * Returns: the IP protocol number that an enclosing IP header would use
 * Since: 0.1
 */
guint8
ntpac_test_packet_get_ip_protocol (const NtpacTestPacket *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->ip_protocol;
}

/**
 * ntpac_test_packet_set_ip_protocol:
 * @self: a frame
 * @protocol: IP protocol number describing the frame as it stands
 *
 * Overrides the protocol (or next header) that the next IP header or IPv6
 * extension header writes.
 *
 * Since: 0.1
 */
void
ntpac_test_packet_set_ip_protocol (NtpacTestPacket *self,
                                   guint8           protocol)
{
  g_return_if_fail (self != NULL);

  self->ip_protocol = protocol;
}

/* Address parsing */

static void
parse_address (int          family,
               const gchar *text,
               guint8      *address,
               gsize        len)
{
  if (text == NULL || inet_pton (family, text, address) != 1)
    {
      g_critical ("Invalid IPv%c address “%s”", family == AF_INET ? '4' : '6',
                  text != NULL ? text : "(null)");
      memset (address, 0, len);
    }
}

/**
 * ntpac_test_parse_ipv4:
 * @text: dotted quad, as "192.0.2.1"
 * @address: (out caller-allocates) (array fixed-size=4): the address
 *
 * Parses an IPv4 address; an invalid one is a programming error.
 *
 * Since: 0.1
 */
void
ntpac_test_parse_ipv4 (const gchar *text,
                       guint8       address[4])
{
  parse_address (AF_INET, text, address, 4);
}

/**
 * ntpac_test_parse_ipv6:
 * @text: IPv6 address text, as "2001:db8::1"
 * @address: (out caller-allocates) (array fixed-size=16): the address
 *
 * Parses an IPv6 address; an invalid one is a programming error.
 *
 * Since: 0.1
 */
void
ntpac_test_parse_ipv6 (const gchar *text,
                       guint8       address[16])
{
  parse_address (AF_INET6, text, address, 16);
}

/**
 * ntpac_test_parse_mac:
 * @text: MAC address as six colon-separated hex bytes
 * @mac: (out caller-allocates) (array fixed-size=6): the address
 *
 * Parses a MAC address; an invalid one is a programming error.
 *
 * Since: 0.1
 */
void
ntpac_test_parse_mac (const gchar *text,
                      guint8       mac[6])
{
  guint bytes[6];
  gchar end;

  if (text == NULL ||
      sscanf (text, "%2x:%2x:%2x:%2x:%2x:%2x%c", &bytes[0], &bytes[1],
              &bytes[2], &bytes[3], &bytes[4], &bytes[5], &end) != 6)
    {
      g_critical ("Invalid MAC address “%s”", text != NULL ? text : "(null)");
      memset (mac, 0, 6);
      return;
    }
  for (guint i = 0; i < 6; i++)
    mac[i] = bytes[i];
}

/* Transport layer */

/* Marks the whole frame as a transport segment whose checksum the next IP
 * header completes. */
static void
set_l4_pending (NtpacTestPacket   *self,
                guint8             protocol,
                guint              checksum_offset,
                NtpacTestChecksum  mode)
{
  self->l4_pending = TRUE;
  self->l4_protocol = protocol;
  self->l4_length = packet_length (self);
  self->l4_checksum_offset = checksum_offset;
  self->l4_checksum_mode = mode;
  self->ip_protocol = protocol;
  self->ethertype = 0;
}

static void
complete_l4_checksum (NtpacTestPacket *self,
                      const guint8    *source,
                      const guint8    *destination,
                      gsize            address_len)
{
  guint8 *segment;
  guint64 sum;
  guint16 correct;

  if (!self->l4_pending)
    return;

  segment = self->buf + self->tail - self->l4_length;
  sum = checksum_accumulate (0, source, address_len);
  sum = checksum_accumulate (sum, destination, address_len);
  sum += self->l4_protocol;
  sum += self->l4_length;
  sum = checksum_accumulate (sum, segment, self->l4_length);
  correct = checksum_finish (sum);
  store_u16 (segment + self->l4_checksum_offset,
             apply_checksum_mode (correct, self->l4_checksum_mode,
                                  self->l4_protocol != NTPAC_TEST_IPPROTO_TCP));
  self->l4_pending = FALSE;
}

static gboolean
tcp_options_reserve (NtpacTestTcpOptions *options,
                     const guint8        *bytes,
                     gsize                len)
{
  g_return_val_if_fail (options != NULL, FALSE);
  g_return_val_if_fail (options->len + len <= sizeof options->bytes, FALSE);

  memcpy (options->bytes + options->len, bytes, len);
  options->len += len;
  return TRUE;
}

/**
 * ntpac_test_tcp_options_add_nop:
 * @options: options under construction
 *
 * Adds a No-Operation (kind 1) byte.
 *
 * Since: 0.1
 */
void
ntpac_test_tcp_options_add_nop (NtpacTestTcpOptions *options)
{
  static const guint8 nop = 1;

  tcp_options_reserve (options, &nop, 1);
}

/**
 * ntpac_test_tcp_options_add_mss:
 * @options: options under construction
 * @mss: maximum segment size
 *
 * Adds a Maximum Segment Size option (kind 2).
 *
 * Since: 0.1
 */
void
ntpac_test_tcp_options_add_mss (NtpacTestTcpOptions *options,
                                guint16              mss)
{
  guint8 bytes[4] = { 2, 4 };

  store_u16 (bytes + 2, mss);
  tcp_options_reserve (options, bytes, sizeof bytes);
}

/**
 * ntpac_test_tcp_options_add_window_scale:
 * @options: options under construction
 * @shift: window scale shift count
 *
 * Adds a Window Scale option (kind 3).
 *
 * Since: 0.1
 */
void
ntpac_test_tcp_options_add_window_scale (NtpacTestTcpOptions *options,
                                         guint8               shift)
{
  guint8 bytes[3] = { 3, 3, shift };

  tcp_options_reserve (options, bytes, sizeof bytes);
}

/**
 * ntpac_test_tcp_options_add_sack_permitted:
 * @options: options under construction
 *
 * Adds a SACK-Permitted option (kind 4).
 *
 * Since: 0.1
 */
void
ntpac_test_tcp_options_add_sack_permitted (NtpacTestTcpOptions *options)
{
  static const guint8 bytes[2] = { 4, 2 };

  tcp_options_reserve (options, bytes, sizeof bytes);
}

/**
 * ntpac_test_tcp_options_add_sack:
 * @options: options under construction
 * @edges: (array length=n_blocks): left and right edge of each block, so
 *   2 × @n_blocks values
 * @n_blocks: number of blocks, 1 to 4
 *
 * Adds a SACK option (kind 5).
 *
 * Since: 0.1
 */
void
ntpac_test_tcp_options_add_sack (NtpacTestTcpOptions *options,
                                 const guint32       *edges,
                                 guint                n_blocks)
{
  guint8 bytes[2 + 4 * 8];

  g_return_if_fail (n_blocks >= 1 && n_blocks <= 4);

  bytes[0] = 5;
  bytes[1] = 2 + 8 * n_blocks;
  for (guint i = 0; i < 2 * n_blocks; i++)
    store_u32 (bytes + 2 + 4 * i, edges[i]);
  tcp_options_reserve (options, bytes, bytes[1]);
}

/**
 * ntpac_test_tcp_options_add_timestamps:
 * @options: options under construction
 * @value: TSval
 * @echo_reply: TSecr
 *
 * Adds a Timestamps option (kind 8).
 *
 * Since: 0.1
 */
void
ntpac_test_tcp_options_add_timestamps (NtpacTestTcpOptions *options,
                                       guint32              value,
                                       guint32              echo_reply)
{
  guint8 bytes[10] = { 8, 10 };

  store_u32 (bytes + 2, value);
  store_u32 (bytes + 6, echo_reply);
  tcp_options_reserve (options, bytes, sizeof bytes);
}

/**
 * ntpac_test_tcp_options_add_raw:
 * @options: options under construction
 * @bytes: (array length=len): bytes to add as they are
 * @len: length of @bytes
 *
 * Adds arbitrary bytes, for unknown or malformed options.
 *
 * Since: 0.1
 */
void
ntpac_test_tcp_options_add_raw (NtpacTestTcpOptions *options,
                                const guint8        *bytes,
                                gsize                len)
{
  tcp_options_reserve (options, bytes, len);
}

/**
 * ntpac_test_tcp_header_init:
 * @header: (out caller-allocates): header to fill
 * @source_port: source port
 * @destination_port: destination port
 * @seq: sequence number
 * @ack: acknowledgment number
 * @flags: `NTPAC_TEST_TCP_*` bits
 *
 * Fills @header with the given fields, a window of 65535, no options and
 * computed offset and checksum.
 *
 * Since: 0.1
 */
void
ntpac_test_tcp_header_init (NtpacTestTcpHeader *header,
                            guint16             source_port,
                            guint16             destination_port,
                            guint32             seq,
                            guint32             ack,
                            guint8              flags)
{
  g_return_if_fail (header != NULL);

  memset (header, 0, sizeof *header);
  header->source_port = source_port;
  header->destination_port = destination_port;
  header->seq = seq;
  header->ack = ack;
  header->flags = flags;
  header->window = G_MAXUINT16;
  header->data_offset = -1;
  header->checksum = NTPAC_TEST_CHECKSUM_CORRECT;
}

/**
 * ntpac_test_packet_tcp_full:
 * @self: a frame holding the TCP payload
 * @header: the header to prepend
 *
 * Wraps the frame in a TCP header. The checksum is completed by the next
 * IPv4 or IPv6 header.
 *
 * Since: 0.1
 */
void
ntpac_test_packet_tcp_full (NtpacTestPacket          *self,
                            const NtpacTestTcpHeader *header)
{
  guint options_len = header->options != NULL ? header->options->len : 0;
  guint header_len = 20 + (options_len + 3) / 4 * 4;
  guint data_offset = header->data_offset >= 0 ? (guint) header->data_offset : header_len / 4;
  guint8 *p;

  g_return_if_fail (self != NULL);
  g_return_if_fail (header->data_offset >= 0 || header_len <= 60);

  p = prepend_header (self, header_len);
  store_u16 (p, header->source_port);
  store_u16 (p + 2, header->destination_port);
  store_u32 (p + 4, header->seq);
  store_u32 (p + 8, header->ack);
  p[12] = (data_offset & 0x0f) << 4;
  p[13] = header->flags;
  store_u16 (p + 14, header->window);
  store_u16 (p + 18, header->urgent_pointer);
  if (options_len > 0)
    memcpy (p + 20, header->options->bytes, options_len);

  set_l4_pending (self, NTPAC_TEST_IPPROTO_TCP, 16, header->checksum);
}

/**
 * ntpac_test_packet_tcp:
 * @self: a frame holding the TCP payload
 * @source_port: source port
 * @destination_port: destination port
 * @seq: sequence number
 * @ack: acknowledgment number
 * @flags: `NTPAC_TEST_TCP_*` bits
 * @options: (nullable): TCP options
 *
 * Wraps the frame in a TCP header with a window of 65535; see
 * ntpac_test_packet_tcp_full() for the other fields.
 *
 * Since: 0.1
 */
void
ntpac_test_packet_tcp (NtpacTestPacket           *self,
                       guint16                    source_port,
                       guint16                    destination_port,
                       guint32                    seq,
                       guint32                    ack,
                       guint8                     flags,
                       const NtpacTestTcpOptions *options)
{
  NtpacTestTcpHeader header;

  ntpac_test_tcp_header_init (&header, source_port, destination_port, seq, ack,
                              flags);
  header.options = options;
  ntpac_test_packet_tcp_full (self, &header);
}

/**
 * ntpac_test_packet_udp_full:
 * @self: a frame holding the UDP payload
 * @source_port: source port
 * @destination_port: destination port
 * @length: length field, -1 to compute it
 * @checksum: what to put in the checksum field
 *
 * Wraps the frame in a UDP header. The checksum is completed by the next
 * IPv4 or IPv6 header.
 *
 * Since: 0.1
 */
void
ntpac_test_packet_udp_full (NtpacTestPacket   *self,
                            guint16            source_port,
                            guint16            destination_port,
                            gint               length,
                            NtpacTestChecksum  checksum)
{
  guint8 *p;

  g_return_if_fail (self != NULL);

  p = prepend_header (self, 8);
  store_u16 (p, source_port);
  store_u16 (p + 2, destination_port);
  store_u16 (p + 4, length >= 0 ? (guint) length : packet_length (self));

  set_l4_pending (self, NTPAC_TEST_IPPROTO_UDP, 6, checksum);
}

/**
 * ntpac_test_packet_udp:
 * @self: a frame holding the UDP payload
 * @source_port: source port
 * @destination_port: destination port
 *
 * Wraps the frame in a UDP header with computed length and checksum.
 *
 * Since: 0.1
 */
void
ntpac_test_packet_udp (NtpacTestPacket *self,
                       guint16          source_port,
                       guint16          destination_port)
{
  ntpac_test_packet_udp_full (self, source_port, destination_port, -1,
                              NTPAC_TEST_CHECKSUM_CORRECT);
}

static guint8 *
prepend_icmp_header (NtpacTestPacket *self,
                     guint8           type,
                     guint8           code,
                     guint32          rest_of_header)
{
  guint8 *p = prepend_header (self, 8);

  p[0] = type;
  p[1] = code;
  store_u32 (p + 4, rest_of_header);
  return p;
}

/**
 * ntpac_test_packet_icmpv4:
 * @self: a frame holding the ICMP data
 * @type: ICMP type
 * @code: ICMP code
 * @rest_of_header: the four bytes after the checksum
 *
 * Wraps the frame in an ICMP header and computes its checksum.
 *
 * Since: 0.1
 */
void
ntpac_test_packet_icmpv4 (NtpacTestPacket *self,
                          guint8           type,
                          guint8           code,
                          guint32          rest_of_header)
{
  guint8 *p;

  g_return_if_fail (self != NULL);

  p = prepend_icmp_header (self, type, code, rest_of_header);
  store_u16 (p + 2, ntpac_test_inet_checksum (p, packet_length (self)));
  self->ip_protocol = NTPAC_TEST_IPPROTO_ICMP;
  self->ethertype = 0;
}

/**
 * ntpac_test_packet_icmpv4_echo:
 * @self: a frame holding the echo data
 * @reply: %TRUE for an echo reply (type 0), %FALSE for a request (type 8)
 * @identifier: echo identifier
 * @sequence: echo sequence number
 *
 * Wraps the frame in an ICMP echo header.
 *
 * Since: 0.1
 */
void
ntpac_test_packet_icmpv4_echo (NtpacTestPacket *self,
                               gboolean         reply,
                               guint16          identifier,
                               guint16          sequence)
{
  ntpac_test_packet_icmpv4 (self, reply ? 0 : 8, 0,
                            ((guint32) identifier << 16) | sequence);
}

/**
 * ntpac_test_packet_icmpv6:
 * @self: a frame holding the ICMPv6 data
 * @type: ICMPv6 type
 * @code: ICMPv6 code
 * @rest_of_header: the four bytes after the checksum
 *
 * Wraps the frame in an ICMPv6 header. The checksum is completed by the
 * next IPv6 header.
 *
 * Since: 0.1
 */
void
ntpac_test_packet_icmpv6 (NtpacTestPacket *self,
                          guint8           type,
                          guint8           code,
                          guint32          rest_of_header)
{
  g_return_if_fail (self != NULL);

  prepend_icmp_header (self, type, code, rest_of_header);
  set_l4_pending (self, NTPAC_TEST_IPPROTO_ICMPV6, 2,
                  NTPAC_TEST_CHECKSUM_CORRECT);
}

/**
 * ntpac_test_packet_icmpv6_echo:
 * @self: a frame holding the echo data
 * @reply: %TRUE for an echo reply (type 129), %FALSE for a request (128)
 * @identifier: echo identifier
 * @sequence: echo sequence number
 *
 * Wraps the frame in an ICMPv6 echo header.
 *
 * Since: 0.1
 */
void
ntpac_test_packet_icmpv6_echo (NtpacTestPacket *self,
                               gboolean         reply,
                               guint16          identifier,
                               guint16          sequence)
{
  ntpac_test_packet_icmpv6 (self, reply ? 129 : 128, 0,
                            ((guint32) identifier << 16) | sequence);
}

/* IPv4 */

/**
 * ntpac_test_ipv4_header_init:
 * @header: (out caller-allocates): header to fill
 * @source: source address text
 * @destination: destination address text
 *
 * Fills @header with the addresses, a TTL of 64, no flags or options, and
 * computed protocol, lengths and checksum.
 *
 * Since: 0.1
 */
void
ntpac_test_ipv4_header_init (NtpacTestIpv4Header *header,
                             const gchar         *source,
                             const gchar         *destination)
{
  g_return_if_fail (header != NULL);

  memset (header, 0, sizeof *header);
  ntpac_test_parse_ipv4 (source, header->source);
  ntpac_test_parse_ipv4 (destination, header->destination);
  header->ttl = 64;
  header->protocol = -1;
  header->header_length = -1;
  header->total_length = -1;
  header->checksum = NTPAC_TEST_CHECKSUM_CORRECT;
}

static void
store_ipv4_checksum (guint8            *header,
                     gsize              covered,
                     NtpacTestChecksum  mode)
{
  store_u16 (header + 10, 0);
  store_u16 (header + 10,
             apply_checksum_mode (ntpac_test_inet_checksum (header, covered),
                                  mode, FALSE));
}

/**
 * ntpac_test_packet_ipv4_full:
 * @self: a frame holding the IP payload
 * @header: the header to prepend
 *
 * Wraps the frame in an IPv4 header, completing a pending transport
 * checksum with its addresses.
 *
 * Since: 0.1
 */
void
ntpac_test_packet_ipv4_full (NtpacTestPacket           *self,
                             const NtpacTestIpv4Header *header)
{
  gsize header_len = 20 + (header->options_len + 3) / 4 * 4;
  guint ihl = header->header_length >= 0 ? (guint) header->header_length : header_len / 4;
  guint8 protocol = header->protocol >= 0 ? (guint8) header->protocol : self->ip_protocol;
  guint16 fragment_field;
  guint8 *p;

  g_return_if_fail (self != NULL);
  g_return_if_fail (header->header_length >= 0 || header_len <= 60);
  g_return_if_fail (header->fragment_offset % 8 == 0);

  complete_l4_checksum (self, header->source, header->destination, 4);

  fragment_field = (header->dont_fragment ? 0x4000 : 0) |
                   (header->more_fragments ? 0x2000 : 0) |
                   ((header->fragment_offset / 8) & 0x1fff);
  p = prepend_header (self, header_len);
  p[0] = 0x40 | (ihl & 0x0f);
  p[1] = header->tos;
  if (header->total_length >= 0)
    store_u16 (p + 2, header->total_length);
  else
    store_u16 (p + 2, packet_length (self));
  store_u16 (p + 4, header->identification);
  store_u16 (p + 6, fragment_field);
  p[8] = header->ttl;
  p[9] = protocol;
  memcpy (p + 12, header->source, 4);
  memcpy (p + 16, header->destination, 4);
  if (header->options_len > 0)
    memcpy (p + 20, header->options, header->options_len);
  /* A reader checks the bytes its IHL claims, so cover those. */
  store_ipv4_checksum (p, MIN (ihl * 4, packet_length (self)),
                       header->checksum);

  self->ethertype = NTPAC_TEST_ETHERTYPE_IPV4;
  self->ip_protocol = NTPAC_TEST_IPPROTO_IPIP;
}

/**
 * ntpac_test_packet_ipv4:
 * @self: a frame holding the IP payload
 * @source: source address text
 * @destination: destination address text
 *
 * Wraps the frame in a plain IPv4 header (TTL 64).
 *
 * Since: 0.1
 */
void
ntpac_test_packet_ipv4 (NtpacTestPacket *self,
                        const gchar     *source,
                        const gchar     *destination)
{
  NtpacTestIpv4Header header;

  ntpac_test_ipv4_header_init (&header, source, destination);
  ntpac_test_packet_ipv4_full (self, &header);
}

/* IPv6 */

/**
 * ntpac_test_ipv6_header_init:
 * @header: (out caller-allocates): header to fill
 * @source: source address text
 * @destination: destination address text
 *
 * Fills @header with the addresses, a hop limit of 64, no flow label, and
 * computed next header and payload length.
 *
 * Since: 0.1
 */
void
ntpac_test_ipv6_header_init (NtpacTestIpv6Header *header,
                             const gchar         *source,
                             const gchar         *destination)
{
  g_return_if_fail (header != NULL);

  memset (header, 0, sizeof *header);
  ntpac_test_parse_ipv6 (source, header->source);
  ntpac_test_parse_ipv6 (destination, header->destination);
  header->hop_limit = 64;
  header->next_header = -1;
  header->payload_length = -1;
}

/**
 * ntpac_test_packet_ipv6_full:
 * @self: a frame holding the IPv6 payload (extension headers included)
 * @header: the header to prepend
 *
 * Wraps the frame in an IPv6 header, completing a pending transport
 * checksum with its addresses (or the final destination of a routing
 * header).
 *
 * Since: 0.1
 */
void
ntpac_test_packet_ipv6_full (NtpacTestPacket           *self,
                             const NtpacTestIpv6Header *header)
{
  guint8 next_header = header->next_header >= 0 ? (guint8) header->next_header : self->ip_protocol;
  gsize payload_len = packet_length (self);
  guint8 *p;

  g_return_if_fail (self != NULL);

  complete_l4_checksum (self, header->source,
                        self->has_final_destination ? self->final_destination : header->destination,
                        16);
  self->has_final_destination = FALSE;

  p = prepend_header (self, 40);
  store_u32 (p, (6u << 28) | ((guint32) header->traffic_class << 20) |
                (header->flow_label & 0xfffff));
  store_u16 (p + 4, header->payload_length >= 0 ?
                    (guint) header->payload_length : payload_len);
  p[6] = next_header;
  p[7] = header->hop_limit;
  memcpy (p + 8, header->source, 16);
  memcpy (p + 24, header->destination, 16);

  self->ethertype = NTPAC_TEST_ETHERTYPE_IPV6;
  self->ip_protocol = NTPAC_TEST_IPPROTO_IPV6;
}

/**
 * ntpac_test_packet_ipv6:
 * @self: a frame holding the IPv6 payload
 * @source: source address text
 * @destination: destination address text
 *
 * Wraps the frame in a plain IPv6 header (hop limit 64).
 *
 * Since: 0.1
 */
void
ntpac_test_packet_ipv6 (NtpacTestPacket *self,
                        const gchar     *source,
                        const gchar     *destination)
{
  NtpacTestIpv6Header header;

  ntpac_test_ipv6_header_init (&header, source, destination);
  ntpac_test_packet_ipv6_full (self, &header);
}

/* Hop-by-hop and destination options share one layout (RFC 8200 §4.3). */
static void
prepend_options_header (NtpacTestPacket *self,
                        guint8           header_type,
                        const guint8    *options,
                        gsize            options_len)
{
  gsize total = (2 + options_len + 7) / 8 * 8;
  gsize padding = total - 2 - options_len;
  guint8 *p;

  g_return_if_fail (self != NULL);
  g_return_if_fail (options != NULL || options_len == 0);
  g_return_if_fail (total <= 8 * 256);

  p = prepend_header (self, total);
  p[0] = self->ip_protocol;
  p[1] = total / 8 - 1;
  if (options_len > 0)
    memcpy (p + 2, options, options_len);
  /* Pad1 is a single zero byte, already there; PadN is type 1 + length. */
  if (padding >= 2)
    {
      p[2 + options_len] = 1;
      p[3 + options_len] = padding - 2;
    }
  self->ip_protocol = header_type;
}

/**
 * ntpac_test_packet_ipv6_hop_by_hop:
 * @self: a frame
 * @options: (array length=options_len) (nullable): option TLVs
 * @options_len: length of @options
 *
 * Wraps the frame in a Hop-by-Hop Options header, padded with Pad1/PadN to
 * a multiple of 8 bytes.
 *
 * Since: 0.1
 */
void
ntpac_test_packet_ipv6_hop_by_hop (NtpacTestPacket *self,
                                   const guint8    *options,
                                   gsize            options_len)
{
  prepend_options_header (self, NTPAC_TEST_IPPROTO_HOPOPTS, options,
                          options_len);
}

/**
 * ntpac_test_packet_ipv6_destination_options:
 * @self: a frame
 * @options: (array length=options_len) (nullable): option TLVs
 * @options_len: length of @options
 *
 * Wraps the frame in a Destination Options header, padded with Pad1/PadN
 * to a multiple of 8 bytes.
 *
 * Since: 0.1
 */
void
ntpac_test_packet_ipv6_destination_options (NtpacTestPacket *self,
                                            const guint8    *options,
                                            gsize            options_len)
{
  prepend_options_header (self, NTPAC_TEST_IPPROTO_DSTOPTS, options,
                          options_len);
}

/**
 * ntpac_test_packet_ipv6_routing:
 * @self: a frame
 * @routing_type: routing type
 * @segments_left: segments left
 * @addresses: (array zero-terminated=1) (nullable): addresses following
 *   four reserved bytes, as in type 0 and type 2 headers
 *
 * Wraps the frame in a Routing header. When @segments_left is not zero the
 * last address is the final destination used by the transport checksum.
 *
 * Since: 0.1
 */
void
ntpac_test_packet_ipv6_routing (NtpacTestPacket    *self,
                                guint8              routing_type,
                                guint8              segments_left,
                                const gchar *const *addresses)
{
  guint n_addresses = 0;
  guint8 *p;

  while (addresses != NULL && addresses[n_addresses] != NULL)
    n_addresses++;

  g_return_if_fail (self != NULL);
  g_return_if_fail (n_addresses < 128);

  p = prepend_header (self, 8 + 16 * n_addresses);
  p[0] = self->ip_protocol;
  p[1] = 2 * n_addresses;
  p[2] = routing_type;
  p[3] = segments_left;
  for (guint i = 0; i < n_addresses; i++)
    ntpac_test_parse_ipv6 (addresses[i], p + 8 + 16 * i);

  if (segments_left > 0 && n_addresses > 0)
    {
      memcpy (self->final_destination, p + 8 + 16 * (n_addresses - 1), 16);
      self->has_final_destination = TRUE;
    }
  self->ip_protocol = NTPAC_TEST_IPPROTO_ROUTING;
}

static void
store_fragment_header (guint8   *p,
                       guint8    next_header,
                       guint32   identification,
                       guint16   fragment_offset,
                       gboolean  more_fragments)
{
  p[0] = next_header;
  p[1] = 0;
  store_u16 (p + 2, (fragment_offset & 0xfff8) | (more_fragments ? 1 : 0));
  store_u32 (p + 4, identification);
}

/**
 * ntpac_test_packet_ipv6_fragment_header:
 * @self: a frame holding (part of) the fragmentable part
 * @identification: fragment identification
 * @fragment_offset: offset in bytes (a multiple of 8)
 * @more_fragments: M flag
 *
 * Wraps the frame in a Fragment header. To cut a whole datagram into
 * fragments use ntpac_test_packet_fragment().
 *
 * Since: 0.1
 */
void
ntpac_test_packet_ipv6_fragment_header (NtpacTestPacket *self,
                                        guint32          identification,
                                        guint16          fragment_offset,
                                        gboolean         more_fragments)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (fragment_offset % 8 == 0);

  store_fragment_header (prepend_header (self, 8), self->ip_protocol,
                         identification,
                         fragment_offset, more_fragments);
  self->ip_protocol = NTPAC_TEST_IPPROTO_FRAGMENT;
}

/* Fragmentation */

/* Options that RFC 791 says to copy into every fragment (copy bit set),
 * padded to four bytes. Returns the length of the header written to @out. */
static gsize
ipv4_later_fragment_header (const guint8 *header,
                            gsize         header_len,
                            guint8       *out)
{
  gsize out_len = 20;
  gsize i = 20;

  memcpy (out, header, 20);
  while (i < header_len)
    {
      guint8 type = header[i];
      gsize option_len;

      if (type == 0)  /* end of option list */
        break;
      if (type == 1)  /* no-operation, not copied */
        {
          i++;
          continue;
        }
      if (i + 1 >= header_len || header[i + 1] < 2 || i + header[i + 1] > header_len)
        break;
      option_len = header[i + 1];
      if (type & 0x80)
        {
          memcpy (out + out_len, header + i, option_len);
          out_len += option_len;
        }
      i += option_len;
    }
  while (out_len % 4 != 0)
    out[out_len++] = 0;
  return out_len;
}

static NtpacTestPacket *
fragment_new (const guint8 *piece,
              gsize         piece_len,
              guint16       ethertype,
              guint8        ip_protocol)
{
  NtpacTestPacket *fragment =
    ntpac_test_packet_new_with_payload (piece, piece_len);

  fragment->ethertype = ethertype;
  fragment->ip_protocol = ip_protocol;
  return fragment;
}

static GPtrArray *
fragment_ipv4 (const guint8 *data,
               gsize         len,
               guint         fragment_size)
{
  g_autoptr(GPtrArray) fragments = g_ptr_array_new_with_free_func ((GDestroyNotify) ntpac_test_packet_free);
  gsize header_len = (data[0] & 0x0f) * 4;
  guint8 later_header[60];
  gsize later_header_len;
  guint16 field;
  gsize base_offset;
  gsize payload_len;
  gsize offset = 0;

  g_return_val_if_fail (header_len >= 20 && header_len <= len, NULL);

  later_header_len =
    ipv4_later_fragment_header (data, header_len, later_header);
  field = load_u16 (data + 6);
  base_offset = (field & 0x1fff) * 8;
  payload_len = len - header_len;

  do
    {
      gsize piece_len = MIN (fragment_size, payload_len - offset);
      gboolean last = offset + piece_len >= payload_len;
      const guint8 *header = offset == 0 ? data : later_header;
      gsize this_header_len = offset == 0 ? header_len : later_header_len;
      NtpacTestPacket *fragment = fragment_new (data + header_len + offset,
                                                piece_len,
                                                NTPAC_TEST_ETHERTYPE_IPV4,
                                                NTPAC_TEST_IPPROTO_IPIP);
      guint8 *p = reserve_front (fragment, this_header_len);

      memcpy (p, header, this_header_len);
      p[0] = 0x40 | (this_header_len / 4);
      store_u16 (p + 2, this_header_len + piece_len);
      /* Keep DF and the reserved bit; MF stays set on the last piece of a
       * datagram that was itself a non-final fragment. */
      store_u16 (p + 6, (field & 0xc000) | (last ? (field & 0x2000) : 0x2000) |
                        ((base_offset + offset) / 8));
      store_ipv4_checksum (p, this_header_len, NTPAC_TEST_CHECKSUM_CORRECT);
      g_ptr_array_add (fragments, fragment);
      offset += piece_len;
    }
  while (offset < payload_len);

  return g_steal_pointer (&fragments);
}

/* Length of the unfragmentable part (RFC 8200 §4.5): the IPv6 header plus
 * hop-by-hop, routing and destination options placed before a routing
 * header. Sets @next_header_at to the offset of the last next-header field
 * of that part. */
static gsize
ipv6_unfragmentable_length (const guint8 *data,
                            gsize         len,
                            gsize        *next_header_at)
{
  gsize pos = 40;

  *next_header_at = 6;
  while (pos + 2 <= len)
    {
      guint8 next_header = data[*next_header_at];
      gsize ext_len = (data[pos + 1] + 1) * 8;
      gboolean unfragmentable =
        next_header == NTPAC_TEST_IPPROTO_HOPOPTS ||
        next_header == NTPAC_TEST_IPPROTO_ROUTING ||
        (next_header == NTPAC_TEST_IPPROTO_DSTOPTS && data[pos] == NTPAC_TEST_IPPROTO_ROUTING);

      if (!unfragmentable || pos + ext_len > len)
        break;
      *next_header_at = pos;
      pos += ext_len;
    }
  return pos;
}

static GPtrArray *
fragment_ipv6 (const guint8 *data,
               gsize         len,
               guint         fragment_size,
               guint32       identification)
{
  g_autoptr(GPtrArray) fragments = g_ptr_array_new_with_free_func ((GDestroyNotify) ntpac_test_packet_free);
  gsize next_header_at;
  gsize unfragmentable_len;
  gsize fragmentable_len;
  gsize offset = 0;

  g_return_val_if_fail (len >= 40, NULL);

  unfragmentable_len = ipv6_unfragmentable_length (data, len, &next_header_at);
  fragmentable_len = len - unfragmentable_len;

  do
    {
      gsize piece_len = MIN (fragment_size, fragmentable_len - offset);
      gboolean last = offset + piece_len >= fragmentable_len;
      NtpacTestPacket *fragment = fragment_new (data + unfragmentable_len + offset, piece_len,
                                                NTPAC_TEST_ETHERTYPE_IPV6,
                                                NTPAC_TEST_IPPROTO_IPV6);
      guint8 *p;

      store_fragment_header (reserve_front (fragment, 8), data[next_header_at],
                             identification, offset, !last);
      p = reserve_front (fragment, unfragmentable_len);
      memcpy (p, data, unfragmentable_len);
      p[next_header_at] = NTPAC_TEST_IPPROTO_FRAGMENT;
      store_u16 (p + 4, packet_length (fragment) - 40);
      g_ptr_array_add (fragments, fragment);
      offset += piece_len;
    }
  while (offset < fragmentable_len);

  return g_steal_pointer (&fragments);
}

/**
 * ntpac_test_packet_fragment:
 * @datagram: a frame holding a complete IPv4 or IPv6 datagram (no link
 *   header yet)
 * @fragment_size: payload bytes per fragment, rounded down to a multiple
 *   of 8
 * @ipv6_identification: Fragment header identification (IPv4 keeps the
 *   identification of its header)
 *
 * Splits @datagram into fragments in offset order. IPv4 fragments after
 * the first carry only the options with the copy bit; IPv6 fragments carry
 * the unfragmentable part followed by a Fragment header. Wrap each
 * fragment in link headers as any other frame.
 *
 * Returns: (transfer full) (element-type NtpacTestPacket): the fragments
 * Since: 0.1
 */
GPtrArray *
ntpac_test_packet_fragment (const NtpacTestPacket *datagram,
                            guint                  fragment_size,
                            guint32                ipv6_identification)
{
  const guint8 *data;
  gsize len;

  g_return_val_if_fail (datagram != NULL, NULL);
  g_return_val_if_fail (fragment_size >= 8, NULL);

  data = ntpac_test_packet_get_data (datagram, &len);
  fragment_size = fragment_size / 8 * 8;
  g_return_val_if_fail (len > 0, NULL);

  switch (data[0] >> 4)
    {
    case 4:
      return fragment_ipv4 (data, len, fragment_size);
    case 6:
      return fragment_ipv6 (data, len, fragment_size, ipv6_identification);
    default:
      g_return_val_if_reached (NULL);
    }
}

/* Tunnels and shims */

/**
 * ntpac_test_packet_vlan:
 * @self: a frame
 * @tpid: tag protocol identifier: %NTPAC_TEST_TPID_8021Q, or
 *   %NTPAC_TEST_TPID_8021AD for the outer tag of QinQ
 * @priority: priority code point (3 bits)
 * @vlan_id: VLAN identifier (12 bits)
 *
 * Adds a VLAN tag. Tags are added innermost first and belong between the
 * Ethernet addresses and the EtherType, which is where
 * ntpac_test_packet_ethernet() puts them.
 *
 * Since: 0.1
 */
void
ntpac_test_packet_vlan (NtpacTestPacket *self,
                        guint16          tpid,
                        guint8           priority,
                        guint16          vlan_id)
{
  guint8 *p;

  g_return_if_fail (self != NULL);

  p = prepend_header (self, 4);
  store_u16 (p, ((priority & 0x7) << 13) | (vlan_id & 0x0fff));
  store_u16 (p + 2, self->ethertype);
  self->ethertype = tpid;
}

/**
 * ntpac_test_packet_mpls:
 * @self: a frame
 * @label: label (20 bits)
 * @traffic_class: traffic class (3 bits)
 * @bottom_of_stack: S bit: %TRUE for the first (innermost) label pushed
 * @ttl: time to live
 *
 * Pushes an MPLS label stack entry.
 *
 * Since: 0.1
 */
void
ntpac_test_packet_mpls (NtpacTestPacket *self,
                        guint32          label,
                        guint8           traffic_class,
                        gboolean         bottom_of_stack,
                        guint8           ttl)
{
  g_return_if_fail (self != NULL);

  store_u32 (prepend_header (self, 4),
             ((label & 0xfffff) << 12) | ((traffic_class & 0x7) << 9) |
             (bottom_of_stack ? 1u << 8 : 0) | ttl);
  self->ethertype = NTPAC_TEST_ETHERTYPE_MPLS;
}

/**
 * ntpac_test_packet_pppoe_session:
 * @self: a frame holding an IPv4 or IPv6 datagram
 * @session_id: PPPoE session identifier
 *
 * Wraps the frame in a PPP protocol field (0x0021 or 0x0057) and a PPPoE
 * session header.
 *
 * Since: 0.1
 */
void
ntpac_test_packet_pppoe_session (NtpacTestPacket *self,
                                 guint16          session_id)
{
  guint16 ppp_protocol;
  guint8 *p;

  g_return_if_fail (self != NULL);

  switch (self->ethertype)
    {
    case NTPAC_TEST_ETHERTYPE_IPV4:
      ppp_protocol = PPP_PROTOCOL_IPV4;
      break;
    case NTPAC_TEST_ETHERTYPE_IPV6:
      ppp_protocol = PPP_PROTOCOL_IPV6;
      break;
    default:
      g_return_if_reached ();
    }

  store_u16 (prepend_header (self, 2), ppp_protocol);
  p = prepend_header (self, 6);
  p[0] = 0x11;  /* version 1, type 1 */
  p[1] = 0;     /* code: session data */
  store_u16 (p + 2, session_id);
  store_u16 (p + 4, packet_length (self) - 6);
  self->ethertype = NTPAC_TEST_ETHERTYPE_PPPOE_SESSION;
}

/**
 * ntpac_test_packet_gre:
 * @self: a frame; its EtherType becomes the GRE protocol type
 * @flags: %NTPAC_TEST_GRE_CHECKSUM, %NTPAC_TEST_GRE_KEY and
 *   %NTPAC_TEST_GRE_SEQUENCE bits
 * @key: key, written with %NTPAC_TEST_GRE_KEY
 * @sequence: sequence number, written with %NTPAC_TEST_GRE_SEQUENCE
 *
 * Wraps the frame in a GRE version 0 header, to be carried by IP
 * (protocol 47). Wrap an Ethernet frame to get transparent Ethernet
 * bridging (0x6558).
 *
 * Since: 0.1
 */
void
ntpac_test_packet_gre (NtpacTestPacket *self,
                       guint16          flags,
                       guint32          key,
                       guint32          sequence)
{
  gsize header_len = 4;
  gsize field;
  guint8 *p;

  g_return_if_fail (self != NULL);
  g_return_if_fail ((flags & ~(NTPAC_TEST_GRE_CHECKSUM | NTPAC_TEST_GRE_KEY | NTPAC_TEST_GRE_SEQUENCE)) == 0);

  header_len += (flags & NTPAC_TEST_GRE_CHECKSUM) ? 4 : 0;
  header_len += (flags & NTPAC_TEST_GRE_KEY) ? 4 : 0;
  header_len += (flags & NTPAC_TEST_GRE_SEQUENCE) ? 4 : 0;

  p = prepend_header (self, header_len);
  store_u16 (p, flags);
  store_u16 (p + 2, self->ethertype);
  field = (flags & NTPAC_TEST_GRE_CHECKSUM) ? 8 : 4;
  if (flags & NTPAC_TEST_GRE_KEY)
    {
      store_u32 (p + field, key);
      field += 4;
    }
  if (flags & NTPAC_TEST_GRE_SEQUENCE)
    store_u32 (p + field, sequence);
  if (flags & NTPAC_TEST_GRE_CHECKSUM)
    store_u16 (p + 4, ntpac_test_inet_checksum (p, packet_length (self)));

  self->ethertype = 0;
  self->ip_protocol = NTPAC_TEST_IPPROTO_GRE;
}

/**
 * ntpac_test_packet_erspan2:
 * @self: a frame holding a complete Ethernet frame
 * @session_id: ERSPAN session identifier (10 bits)
 * @vlan_id: original VLAN of the mirrored frame (12 bits)
 * @index: port index (20 bits)
 * @gre_sequence: GRE sequence number
 *
 * Wraps an Ethernet frame in an ERSPAN type II header and a GRE header
 * with the sequence bit set and protocol 0x88be, to be carried by IP.
 *
 * Since: 0.1
 */
void
ntpac_test_packet_erspan2 (NtpacTestPacket *self,
                           guint16          session_id,
                           guint16          vlan_id,
                           guint32          index,
                           guint32          gre_sequence)
{
  guint8 *p;

  g_return_if_fail (self != NULL);

  p = prepend_header (self, 8);
  store_u16 (p, 0x1000 | (vlan_id & 0x0fff));  /* version 1 = type II */
  store_u16 (p + 2, session_id & 0x03ff);      /* COS 0, En 0, T 0 */
  store_u32 (p + 4, index & 0xfffff);
  self->ethertype = NTPAC_TEST_ETHERTYPE_ERSPAN_II;
  ntpac_test_packet_gre (self, NTPAC_TEST_GRE_SEQUENCE, 0, gre_sequence);
}

/**
 * ntpac_test_packet_vxlan:
 * @self: a frame holding a complete Ethernet frame
 * @vni: VXLAN network identifier (24 bits)
 * @source_port: UDP source port
 *
 * Wraps an Ethernet frame in a VXLAN header and a UDP header to port 4789,
 * to be carried by IP.
 *
 * Since: 0.1
 */
void
ntpac_test_packet_vxlan (NtpacTestPacket *self,
                         guint32          vni,
                         guint16          source_port)
{
  guint8 *p;

  g_return_if_fail (self != NULL);

  p = prepend_header (self, 8);
  p[0] = 0x08;  /* I flag: VNI valid */
  store_u32 (p + 4, (vni & 0xffffff) << 8);
  ntpac_test_packet_udp (self, source_port, NTPAC_TEST_VXLAN_PORT);
}

/* Link layers */

/**
 * ntpac_test_packet_ethernet:
 * @self: a frame
 * @destination: (array fixed-size=6) (nullable): destination MAC, or
 *   %NULL for 02:00:00:00:00:02
 * @source: (array fixed-size=6) (nullable): source MAC, or %NULL for
 *   02:00:00:00:00:01
 *
 * Wraps the frame in an Ethernet II header. The result can itself be
 * carried by GRE (as 0x6558), ERSPAN or VXLAN.
 *
 * Since: 0.1
 */
void
ntpac_test_packet_ethernet (NtpacTestPacket *self,
                            const guint8    *destination,
                            const guint8    *source)
{
  guint8 *p;

  g_return_if_fail (self != NULL);

  p = reserve_front (self, 14);
  memcpy (p, destination != NULL ? destination : default_destination_mac, 6);
  memcpy (p + 6, source != NULL ? source : default_source_mac, 6);
  store_u16 (p + 12, self->ethertype);
  self->ethertype = NTPAC_TEST_ETHERTYPE_TEB;
  self->ip_protocol = IPPROTO_ETHERIP;
}

/**
 * ntpac_test_packet_linux_sll:
 * @self: a frame
 * @packet_type: 0 for "to us", 4 for "sent by us", …
 *
 * Wraps the frame in a 16-byte Linux cooked capture (v1) header with the
 * default source MAC.
 *
 * Since: 0.1
 */
void
ntpac_test_packet_linux_sll (NtpacTestPacket *self,
                             guint16          packet_type)
{
  guint8 *p;

  g_return_if_fail (self != NULL);

  p = prepend_header (self, 16);
  store_u16 (p, packet_type);
  store_u16 (p + 2, ARPHRD_ETHER);
  store_u16 (p + 4, 6);
  memcpy (p + 6, default_source_mac, 6);
  store_u16 (p + 14, self->ethertype);
  self->ethertype = 0;
}

/**
 * ntpac_test_packet_linux_sll2:
 * @self: a frame
 * @interface_index: interface index
 * @packet_type: 0 for "to us", 4 for "sent by us", …
 *
 * Wraps the frame in a 20-byte Linux cooked capture v2 header with the
 * default source MAC.
 *
 * Since: 0.1
 */
void
ntpac_test_packet_linux_sll2 (NtpacTestPacket *self,
                              guint32          interface_index,
                              guint8           packet_type)
{
  guint8 *p;

  g_return_if_fail (self != NULL);

  p = prepend_header (self, 20);
  store_u16 (p, self->ethertype);
  store_u32 (p + 4, interface_index);
  store_u16 (p + 8, ARPHRD_ETHER);
  p[10] = packet_type;
  p[11] = 6;
  memcpy (p + 12, default_source_mac, 6);
  self->ethertype = 0;
}

static guint32
bsd_address_family (const NtpacTestPacket *self)
{
  switch (self->ethertype)
    {
    case NTPAC_TEST_ETHERTYPE_IPV4:
      return BSD_AF_INET;
    case NTPAC_TEST_ETHERTYPE_IPV6:
      return BSD_AF_INET6;
    default:
      g_return_val_if_reached (0);
    }
}

/**
 * ntpac_test_packet_bsd_null:
 * @self: a frame holding an IPv4 or IPv6 datagram
 * @byte_order: byte order of the capturing host
 *
 * Wraps the frame in a 4-byte BSD loopback (LINKTYPE_NULL) header: the
 * address family (2 or 24) in the capturing host's byte order.
 *
 * Since: 0.1
 */
void
ntpac_test_packet_bsd_null (NtpacTestPacket    *self,
                            NtpacTestByteOrder  byte_order)
{
  guint32 family;
  guint32 stored;

  g_return_if_fail (self != NULL);

  family = bsd_address_family (self);
  stored = byte_order == NTPAC_TEST_BYTE_ORDER_BIG ? GUINT32_TO_BE (family) : GUINT32_TO_LE (family);
  memcpy (reserve_front (self, 4), &stored, 4);
  self->ethertype = 0;
}

/**
 * ntpac_test_packet_bsd_loop:
 * @self: a frame holding an IPv4 or IPv6 datagram
 *
 * Wraps the frame in a 4-byte OpenBSD loopback (LINKTYPE_LOOP) header: the
 * address family in big-endian order.
 *
 * Since: 0.1
 */
void
ntpac_test_packet_bsd_loop (NtpacTestPacket *self)
{
  g_return_if_fail (self != NULL);

  store_u32 (reserve_front (self, 4), bsd_address_family (self));
  self->ethertype = 0;
}

/**
 * ntpac_test_packet_link:
 * @self: a frame holding what the link carries
 * @link_type: link type of the capture interface
 *
 * Adds the default link header for @link_type: Ethernet with the default
 * addresses, cooked headers with packet type 0 (and interface 1 for v2),
 * the BSD null header in this host's byte order, or nothing for raw IP.
 *
 * Since: 0.1
 */
void
ntpac_test_packet_link (NtpacTestPacket   *self,
                        NtpacTestLinkType  link_type)
{
  switch (link_type)
    {
    case NTPAC_TEST_LINKTYPE_ETHERNET:
      ntpac_test_packet_ethernet (self, NULL, NULL);
      break;
    case NTPAC_TEST_LINKTYPE_LINUX_SLL:
      ntpac_test_packet_linux_sll (self, 0);
      break;
    case NTPAC_TEST_LINKTYPE_LINUX_SLL2:
      ntpac_test_packet_linux_sll2 (self, 1, 0);
      break;
    case NTPAC_TEST_LINKTYPE_NULL:
      ntpac_test_packet_bsd_null (self, G_BYTE_ORDER == G_BIG_ENDIAN ?
                                  NTPAC_TEST_BYTE_ORDER_BIG : NTPAC_TEST_BYTE_ORDER_LITTLE);
      break;
    case NTPAC_TEST_LINKTYPE_LOOP:
      ntpac_test_packet_bsd_loop (self);
      break;
    case NTPAC_TEST_LINKTYPE_RAW:
    case NTPAC_TEST_LINKTYPE_IPV4:
    case NTPAC_TEST_LINKTYPE_IPV6:
      break;
    default:
      g_return_if_reached ();
    }
}
