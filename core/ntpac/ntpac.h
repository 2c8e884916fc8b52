/* ntpac.h: the ntpac-engine library
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#pragma once

#define NTPAC_INSIDE

#include <ntpac/ntpac-version.h>
#include <ntpac/ntpac-error.h>
#include <ntpac/ntpac-buffer.h>
#include <ntpac/ntpac-cursor.h>
#include <ntpac/ntpac-frame.h>
#include <ntpac/ntpac-anomaly.h>
#include <ntpac/ntpac-linktype.h>
#include <ntpac/ntpac-capture.h>
#include <ntpac/ntpac-packet.h>
#include <ntpac/ntpac-decoder.h>
#include <ntpac/ntpac-time.h>
#include <ntpac/ntpac-flow-hash.h>
#include <ntpac/ntpac-batch.h>
#include <ntpac/ntpac-actor.h>
#include <ntpac/ntpac-transport.h>
#include <ntpac/ntpac-conversation.h>
#include <ntpac/ntpac-record-builder.h>
#include <ntpac/ntpac-dissector.h>
#include <ntpac/ntpac-harness.h>
#include <ntpac/ntpac-plugin.h>
#include <ntpac/ntpac-registry.h>
#include <ntpac/ntpac-pipeline.h>
#include <ntpac/ntpac-tracking.h>
#include <ntpac/ntpac-store-keys.h>
#include <ntpac/ntpac-store.h>
#include <ntpac/ntpac-record.h>
#include <ntpac/ntpac-query.h>
#include <ntpac/ntpac-carve.h>
#include <ntpac/ntpac-analyze.h>
#include <ntpac/ntpac-engine.h>

#undef NTPAC_INSIDE
