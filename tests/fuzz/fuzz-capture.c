/* fuzz-capture.c: libFuzzer target for the pcap and pcapng reader
 *
 * The input is a whole capture file; every frame read is decoded.
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#define _GNU_SOURCE
#include <ntpac/ntpac.h>
#include <sys/mman.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  int fd = memfd_create ("fuzz-capture", MFD_CLOEXEC);
  g_autofree gchar *path = NULL;
  const gchar *paths[2] = { NULL, NULL };
  NtpacFrame frame;

  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (write (fd, data, size), ==, (gssize) size);
  path = g_strdup_printf ("/proc/self/fd/%d", fd);
  paths[0] = path;
  {
    g_autoptr(NtpacCapture) capture = ntpac_capture_new (paths, NTPAC_CAPTURE_FLAGS_NO_HASH);
    g_autoptr(NtpacDecoder) decoder = ntpac_decoder_new (NULL);

    while (ntpac_capture_next (capture, &frame))
      {
        NtpacPacket packet;

        ntpac_decoder_decode (decoder, &frame, &packet);
        ntpac_packet_clear (&packet);
      }
    ntpac_decoder_finish (decoder);
  }
  close (fd);
  return 0;
}
