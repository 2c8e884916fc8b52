/* fuzz-dtls.h: input format shared by fuzz-dtls and make-dtls-corpus
 *
 * An input is a sequence of datagrams, each a flags byte (bit 0: from
 * the conversation's initiator), a 16-bit big-endian length and that
 * many bytes (fewer at the end of the input).
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#pragma once

#include <glib.h>

#define FUZZ_DTLS_HEADER_LEN 3
#define FUZZ_DTLS_FROM_INITIATOR 0x01
