/* fuzz-tls.h: input format shared by fuzz-tls and make-tls-corpus
 *
 * An input is a flags byte, a 16-bit big-endian split point and the
 * stream bytes: the first `split` of them (at most all) come from the
 * client, the rest from the server.
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#pragma once

#include <glib.h>

#define FUZZ_TLS_HEADER_LEN 3

/* Bits 0-1: bytes per delivery, an index into fuzz_tls_chunks. */
#define FUZZ_TLS_CHUNK_MASK 0x03
/* Bit 2: the server speaks first for each delivery. */
#define FUZZ_TLS_SERVER_FIRST 0x04
/* Bit 3: bytes of the client stream are lost half way. */
#define FUZZ_TLS_GAP 0x08
/* Bits 4-7: with FUZZ_TLS_GAP, how many (times 16 plus 1). */
#define FUZZ_TLS_GAP_SHIFT 4

static const gsize fuzz_tls_chunks[] = { 1, 7, 1448, 65536 };
