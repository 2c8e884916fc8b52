/* fuzz-quic.h: input format shared by fuzz-quic and make-quic-corpus
 *
 * An input is a sequence of datagrams, each a flags byte, a 16-bit
 * big-endian length and that many bytes (fewer at the end of the input).
 * Without FUZZ_QUIC_SEAL the bytes are the datagram; with it they are the
 * frames of an Initial packet that fuzz-quic protects itself (to
 * FUZZ_QUIC_DCID, QUIC v1, or v2 with FUZZ_QUIC_V2), so that mutations
 * reach the frames, the CRYPTO reassembly and the TLS parser behind the
 * AEAD.
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#pragma once

#include <glib.h>

#define FUZZ_QUIC_HEADER_LEN 3
#define FUZZ_QUIC_FROM_CLIENT 0x01
#define FUZZ_QUIC_SEAL 0x02
#define FUZZ_QUIC_V2 0x04

static const guint8 fuzz_quic_dcid[8] = { 0xf0, 0x22, 0x2e, 0xdc, 0x1d, 0x00, 0x00, 0x01 };
