#ifndef AIRLOCK_IPC_SP_H
#define AIRLOCK_IPC_SP_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/*
 * A minimal REQ client of nng's own wire protocol (SP) over the IPC
 * transport, for the hook: linking libnng costs the short-lived hook ~3x
 * the process spawn floor (thread pools), so it speaks the protocol itself
 * over a plain Unix stream socket to the daemon's nng REP socket. libc and
 * POSIX sockets only; never nng.
 *
 * Wire format, checked against libnng 1.5.2 in tests/ipc/test_sp.c:
 *   connection header, sent by each side: 00 'S' 'P' 00, the sender's
 *     protocol id (u16 big-endian: REQ v0 = 0x0030, REP v0 = 0x0031), 00 00
 *   message: 0x01, payload length (u64 big-endian), payload
 *   REQ payload: request id (u32 big-endian, high bit set), then the body;
 *     the reply payload starts with the same id.
 *
 * Deadlines are absolute CLOCK_MONOTONIC milliseconds (sp_now_ms() + ms).
 * A connection is not thread-safe: one request at a time.
 */

struct sp_conn;

/*
 * Connects to the Unix socket at path (no "ipc://" prefix) and exchanges
 * connection headers. Unless expected_uid is (uid_t)-1, the server's uid
 * (SO_PEERCRED) must equal it, so that a fake daemon on the path owned by
 * another user is refused before anything is sent. The caller closes *out.
 * Returns AL_ECONN if nothing listens (ENOENT, ECONNREFUSED) or the server
 * hangs up, AL_EPERM on a uid mismatch or a socket we may not connect to,
 * AL_EPROTO if the server's header is not REP v0, AL_ETIMEDOUT past the
 * deadline, AL_EINVAL if path does not fit a sockaddr_un.
 */
int sp_connect(struct sp_conn **out, const char *path, uid_t expected_uid,
               int64_t deadline_ms);

/*
 * sp_connect() without the wait for the server's header: ours is sent,
 * the server's is read (by deadline_ms, the same checks) before the reply
 * to the first request. The request then travels with the handshake
 * instead of one round trip later: the hook's form. The peer's uid is
 * still checked before anything is sent. A server that does not send its
 * header by deadline_ms makes that first sp_request() return
 * AL_ETIMEDOUT (the request may have been read: resend it with the same
 * id on a new connection); a wrong header AL_EPROTO.
 */
int sp_connect_pipelined(struct sp_conn **out, const char *path,
                         uid_t expected_uid, int64_t deadline_ms);

/*
 * Sends one request of len bytes and waits until the deadline for its
 * reply, skipping replies to earlier requests (stale ids). On success
 * *reply is malloc'd (the caller frees it) with a NUL after its *reply_len
 * bytes. Returns AL_ECONN when the connection drops (say the daemon
 * restarted: reconnect and resend), AL_ETIMEDOUT past the deadline,
 * AL_ETOOBIG if the reply body exceeds max_reply bytes (checked before any
 * allocation), AL_EPROTO on a malformed reply.
 *
 * A timeout while no byte of a message was in flight leaves the connection
 * usable (the late reply is skipped as stale by the next request). Any
 * other failure leaves the stream at an unknown position: the connection
 * is then dead and every later request returns AL_ECONN.
 */
int sp_request(struct sp_conn *c, const void *body, size_t len, char **reply,
               size_t *reply_len, size_t max_reply, int64_t deadline_ms);

void sp_close(struct sp_conn *c); /* NULL is a no-op */

/* CLOCK_MONOTONIC in milliseconds. */
int64_t sp_now_ms(void);

/*
 * Decodes data as the bytes a client reads from the server on a fresh
 * connection (the server's connection header, then messages) and returns
 * the reply to request id like sp_request() does: same checks, same
 * codes, AL_ECONN when the data ends first. The socket path runs the same
 * decoder; this entry point exists for the fuzz target and the tests.
 */
int sp_decode_reply(const void *data, size_t len, uint32_t id, size_t max_reply,
                    char **reply, size_t *reply_len);

#endif
