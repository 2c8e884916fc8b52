/* ntpac-error.h: error domains
 *
 * Copyright (c) ntpac contributors. SPDX-License-Identifier: MIT
 */
#pragma once

#if !defined(NTPAC_INSIDE) && !defined(NTPAC_COMPILATION)
#error "Only <ntpac/ntpac.h> can be included directly."
#endif

#include <glib.h>

G_BEGIN_DECLS

/**
 * NtpacCaptureError:
 * @NTPAC_CAPTURE_ERROR_FAILED: any other failure
 * @NTPAC_CAPTURE_ERROR_OPEN: the input cannot be opened or read
 * @NTPAC_CAPTURE_ERROR_FORMAT: the input is not a pcap or pcapng capture
 * @NTPAC_CAPTURE_ERROR_LINK_TYPE: the capture uses a link type the engine
 *   cannot decode
 * @NTPAC_CAPTURE_ERROR_DAMAGED: the capture is truncated or corrupt
 */
typedef enum
{
  NTPAC_CAPTURE_ERROR_FAILED,
  NTPAC_CAPTURE_ERROR_OPEN,
  NTPAC_CAPTURE_ERROR_FORMAT,
  NTPAC_CAPTURE_ERROR_LINK_TYPE,
  NTPAC_CAPTURE_ERROR_DAMAGED,
} NtpacCaptureError;

#define NTPAC_CAPTURE_ERROR (ntpac_capture_error_quark ())
GQuark ntpac_capture_error_quark (void);

/**
 * NtpacActorError:
 * @NTPAC_ACTOR_ERROR_FAILED: an actor could not handle a message
 */
typedef enum
{
  NTPAC_ACTOR_ERROR_FAILED,
} NtpacActorError;

#define NTPAC_ACTOR_ERROR (ntpac_actor_error_quark ())
GQuark ntpac_actor_error_quark (void);

/**
 * NtpacTransportError:
 * @NTPAC_TRANSPORT_ERROR_FAILED: the transport failed
 * @NTPAC_TRANSPORT_ERROR_NOT_SUPPORTED: the transport cannot do that
 * @NTPAC_TRANSPORT_ERROR_AUTH: a peer could not be authenticated
 * @NTPAC_TRANSPORT_ERROR_PEER_GONE: a peer stopped answering or closed
 * @NTPAC_TRANSPORT_ERROR_SETTINGS: keys or endpoints that cannot be used
 */
typedef enum
{
  NTPAC_TRANSPORT_ERROR_FAILED,
  NTPAC_TRANSPORT_ERROR_NOT_SUPPORTED,
  NTPAC_TRANSPORT_ERROR_AUTH,
  NTPAC_TRANSPORT_ERROR_PEER_GONE,
  NTPAC_TRANSPORT_ERROR_SETTINGS,
} NtpacTransportError;

#define NTPAC_TRANSPORT_ERROR (ntpac_transport_error_quark ())
GQuark ntpac_transport_error_quark (void);

G_END_DECLS
