#ifndef AIRLOCK_IPC_PROTO_H
#define AIRLOCK_IPC_PROTO_H

/*
 * The wire protocol between airlock's processes; docs/protocol.md is the
 * specification. Three sockets in the runtime directory:
 *
 *   hook.sock     REQ/REP  hook -> daemon: one event, one decision
 *   control.sock  REQ/REP  console/CLI -> daemon: snapshot, decide, log
 *   events.sock   PUB/SUB  daemon -> consoles: numbered change events
 *
 * Hook request:  "AIRLOCK-HOOK <version> <request-id> <flags>\n" + the
 *                event's raw JSON bytes (as Claude Code wrote them).
 * Hook reply:    a JSON object, see ipc/hookio.h.
 * Control and events messages are JSON objects with "v": version.
 */
#define AIRLOCK_PROTO_VERSION 1
#define PROTO_HOOK_MAGIC      "AIRLOCK-HOOK"
/* A liveness probe on hook.sock (same header, no event): answered with
 * {"v": 1, "pong": true}. The daemon's watchdog uses it. */
#define PROTO_PING_MAGIC "AIRLOCK-PING"
/* Hook request flags: "-" (none), PROTO_FLAG_NEW (the first send of a
 * fresh request id: the daemon skips the look-up for an earlier record)
 * or "oversize=<bytes>,sha256=<hex>". A resend after a lost connection
 * is sent with "-". */
#define PROTO_FLAG_NEW "new"

/* Size limits. An event over PROTO_MAX_EVENT is refused (deny); the hook
 * then sends only a bounded prefix with the full size and hash so that the
 * daemon can record it. */
#define PROTO_MAX_EVENT         (8u * 1024 * 1024)
#define PROTO_MAX_HOOK_HEADER   256u
#define PROTO_MAX_HOOK_MSG      (PROTO_MAX_EVENT + PROTO_MAX_HOOK_HEADER)
#define PROTO_MAX_HOOK_REPLY    (PROTO_MAX_EVENT + 64u * 1024)
#define PROTO_MAX_CONTROL_MSG   (1u * 1024 * 1024)
#define PROTO_MAX_CONTROL_REPLY (64u * 1024 * 1024)
#define PROTO_RAW_KEEP          (64u * 1024) /* bounded copy of a refused event */

/* Request ids are 128-bit random values in lowercase hex. */
#define PROTO_REQUEST_ID_LEN 32

#endif
