#include "ipc/sp.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "core/al.h"
#include "core/xalloc.h"

enum {
	SP_HEADER_LEN = 8,
	SP_FRAME_HEAD_LEN = 9, /* message type byte + u64 payload length */
	SP_ID_LEN = 4,
	SP_MSG_TYPE = 0x01,
	SP_PROTO_REQ0 = 0x0030,
	SP_PROTO_REP0 = 0x0031,
	SP_SKIP_CHUNK = 4096,
	SP_CONNECT_NAP_MS = 2,
};

#define SP_ID_FLAG UINT32_C(0x80000000)

/* Our connection header: REQ v0. */
static const unsigned char sp_req_header[SP_HEADER_LEN] = {
	0x00, 'S', 'P', 0x00, SP_PROTO_REQ0 >> 8, SP_PROTO_REQ0 & 0xff,
	0x00, 0x00
};

struct sp_conn {
	int fd;
	uint32_t next_id;
	bool dead; /* stream position unknown: only a reconnect helps */
	/* sp_connect_pipelined(): our header goes out with the first
	 * request (one write, so the server wakes once), and the server's
	 * is read, by header_deadline_ms, before the first reply. */
	bool header_unsent;
	bool header_due;
	int64_t header_deadline_ms;
};

/* Reads exactly n bytes into p or fails; *got counts the bytes that did
 * arrive either way, so that callers can tell a clean timeout (nothing of
 * the message read) from a torn stream. */
typedef int (*sp_read_fn)(void *ctx, void *p, size_t n, size_t *got);

/* A byte stream the decoder reads from: the socket or a memory buffer. */
struct sp_src {
	sp_read_fn read;
	void *ctx;
	uint64_t pos;         /* bytes taken so far */
	uint64_t frame_start; /* pos when the current message began */
};

struct sp_sock_ctx {
	int fd;
	int64_t deadline_ms;
};

struct sp_mem_ctx {
	const unsigned char *p;
	size_t len;
	size_t off;
};

int64_t
sp_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static uint32_t
get_be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

static uint64_t
get_be64(const unsigned char *p)
{
	return (uint64_t)get_be32(p) << 32 | get_be32(p + 4);
}

static void
put_be32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
}

static void
put_be64(unsigned char *p, uint64_t v)
{
	put_be32(p, (uint32_t)(v >> 32));
	put_be32(p + 4, (uint32_t)v);
}

/* ---- decoder, shared by the socket and sp_decode_reply() ---- */

static int
src_read(struct sp_src *s, void *p, size_t n)
{
	size_t got = 0;
	int rc = s->read(s->ctx, p, n, &got);

	s->pos += got;
	return rc;
}

static int
header_read(struct sp_src *s)
{
	static const unsigned char want[SP_HEADER_LEN] = {
		0x00, 'S', 'P', 0x00, SP_PROTO_REP0 >> 8, SP_PROTO_REP0 & 0xff,
		0x00, 0x00
	};
	unsigned char h[SP_HEADER_LEN];
	int rc = src_read(s, h, sizeof h);

	if (rc != 0) {
		return rc;
	}
	return memcmp(h, want, sizeof h) == 0 ? 0 : AL_EPROTO;
}

/* Reads a message's framing and request id; *body_len is what follows. */
static int
frame_head_read(struct sp_src *s, uint64_t *body_len, uint32_t *id)
{
	unsigned char h[SP_FRAME_HEAD_LEN];
	unsigned char idb[SP_ID_LEN];
	uint64_t len;
	int rc = src_read(s, h, sizeof h);

	if (rc != 0) {
		return rc;
	}
	len = get_be64(h + 1);
	/* nng's req0 also kicks a peer whose reply is too short for an id. */
	if (h[0] != SP_MSG_TYPE || len < SP_ID_LEN) {
		return AL_EPROTO;
	}
	rc = src_read(s, idb, sizeof idb);
	if (rc != 0) {
		return rc;
	}
	*body_len = len - SP_ID_LEN;
	*id = get_be32(idb);
	return 0;
}

/* Discards a stale reply without allocating for its untrusted length. */
static int
body_skip(struct sp_src *s, uint64_t n)
{
	unsigned char junk[SP_SKIP_CHUNK];

	while (n > 0) {
		size_t k = n < sizeof junk ? (size_t)n : sizeof junk;
		int rc = src_read(s, junk, k);

		if (rc != 0) {
			return rc;
		}
		n -= k;
	}
	return 0;
}

static int
body_read(struct sp_src *s, uint64_t n, size_t max_reply, char **reply,
          size_t *reply_len)
{
	char *buf;
	int rc;

	/* The length is untrusted: check it before allocating anything. */
	if (n > (uint64_t)max_reply || n >= SIZE_MAX) {
		return AL_ETOOBIG;
	}
	buf = xmalloc((size_t)n + 1);
	rc = src_read(s, buf, (size_t)n);
	if (rc != 0) {
		free(buf);
		return rc;
	}
	buf[n] = '\0';
	*reply = buf;
	*reply_len = (size_t)n;
	return 0;
}

/* Returns the body of the reply to id, skipping replies to earlier
 * requests, as nng's req0 does (it drops replies with unknown ids). */
static int
reply_read(struct sp_src *s, uint32_t id, size_t max_reply, char **reply,
           size_t *reply_len)
{
	for (;;) {
		uint64_t body_len;
		uint32_t got_id;
		int rc;

		s->frame_start = s->pos;
		rc = frame_head_read(s, &body_len, &got_id);
		if (rc != 0) {
			return rc;
		}
		if (got_id == id) {
			return body_read(s, body_len, max_reply, reply,
			                 reply_len);
		}
		rc = body_skip(s, body_len);
		if (rc != 0) {
			return rc;
		}
	}
}

static int
mem_read(void *ctx, void *p, size_t n, size_t *got)
{
	struct sp_mem_ctx *m = ctx;
	size_t take = m->len - m->off < n ? m->len - m->off : n;

	if (take > 0) {
		memcpy(p, m->p + m->off, take);
	}
	m->off += take;
	*got = take;
	/* The end of the data is where a socket would report a hang-up. */
	return take < n ? AL_ECONN : 0;
}

int
sp_decode_reply(const void *data, size_t len, uint32_t id, size_t max_reply,
                char **reply, size_t *reply_len)
{
	struct sp_mem_ctx m = { .p = data, .len = len, .off = 0 };
	struct sp_src s = { .read = mem_read, .ctx = &m };
	int rc = header_read(&s);

	if (rc != 0) {
		return rc;
	}
	return reply_read(&s, id, max_reply, reply, reply_len);
}

/* ---- socket I/O: non-blocking, every wait bounded by the deadline ---- */

static int
errno_to_al(int e)
{
	switch (e) {
	case ECONNRESET:
	case ECONNREFUSED:
	case ECONNABORTED:
	case EPIPE:
	case ENOTCONN:
	case ENOENT:
		return AL_ECONN;
	case EACCES:
	case EPERM:
		return AL_EPERM;
	case ETIMEDOUT:
		return AL_ETIMEDOUT;
	default:
		return AL_EIO;
	}
}

static int
poll_ms_left(int64_t deadline_ms, int *ms)
{
	int64_t left = deadline_ms - sp_now_ms();

	if (left <= 0) {
		return AL_ETIMEDOUT;
	}
	*ms = left > INT_MAX ? INT_MAX : (int)left;
	return 0;
}

/* Waits for events on fd; readiness includes POLLHUP/POLLERR, which the
 * next recv or send then reports as an error. */
static int
sock_wait(int fd, short events, int64_t deadline_ms)
{
	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = events };
		int ms;
		int rc = poll_ms_left(deadline_ms, &ms);
		int n;

		if (rc != 0) {
			return rc;
		}
		n = poll(&pfd, 1, ms);
		if (n > 0) {
			return 0;
		}
		if (n < 0 && errno != EINTR) {
			return AL_EIO;
		}
	}
}

/* After a failed recv/send: 0 to try again, or the error to return. */
static int
sock_retry(int fd, short events, int64_t deadline_ms)
{
	if (errno == EINTR) {
		return 0;
	}
	if (errno == EAGAIN || errno == EWOULDBLOCK) {
		return sock_wait(fd, events, deadline_ms);
	}
	return errno_to_al(errno);
}

static int
sock_read(void *ctx, void *p, size_t n, size_t *got)
{
	struct sp_sock_ctx *k = ctx;
	size_t done = 0;
	int rc = 0;

	while (done < n && rc == 0) {
		ssize_t r;

		/* Checked before every recv, so a peer that keeps data coming
		 * (a flood of stale replies) cannot hold us past the deadline.
		 */
		if (sp_now_ms() >= k->deadline_ms) {
			rc = AL_ETIMEDOUT;
			break;
		}
		r = recv(k->fd, (char *)p + done, n - done, 0);
		if (r > 0) {
			done += (size_t)r;
		} else if (r == 0) {
			rc = AL_ECONN;
		} else {
			rc = sock_retry(k->fd, POLLIN, k->deadline_ms);
		}
	}
	*got = done;
	return rc;
}

/* Drops n sent bytes from the front of the iovec list, and any empty
 * iovecs, so that the loop below ends on an empty body too. */
static void
iov_advance(struct msghdr *mh, size_t n)
{
	while (mh->msg_iovlen > 0 && n >= mh->msg_iov->iov_len) {
		n -= mh->msg_iov->iov_len;
		mh->msg_iov++;
		mh->msg_iovlen--;
	}
	if (mh->msg_iovlen > 0) {
		mh->msg_iov->iov_base = (char *)mh->msg_iov->iov_base + n;
		mh->msg_iov->iov_len -= n;
	}
}

/* Writes all of iov (which it consumes); *sent counts the bytes that went
 * out, even on failure. MSG_NOSIGNAL: a hang-up is EPIPE, not SIGPIPE,
 * without touching the process's signal dispositions. */
static int
sock_writev(int fd, struct iovec *iov, size_t iovcnt, int64_t deadline_ms,
            size_t *sent)
{
	struct msghdr mh = { .msg_iov = iov, .msg_iovlen = iovcnt };
	size_t done = 0;
	int rc = 0;

	iov_advance(&mh, 0);
	while (mh.msg_iovlen > 0 && rc == 0) {
		ssize_t r;

		if (sp_now_ms() >= deadline_ms) {
			rc = AL_ETIMEDOUT;
			break;
		}
		r = sendmsg(fd, &mh, MSG_NOSIGNAL);
		if (r >= 0) {
			done += (size_t)r;
			iov_advance(&mh, (size_t)r);
		} else {
			rc = sock_retry(fd, POLLOUT, deadline_ms);
		}
	}
	*sent = done;
	return rc;
}

/* ---- connection ---- */

/* An in-progress connect finishes asynchronously; SO_ERROR has its end. */
static int
connect_finish(int fd, int64_t deadline_ms)
{
	int err = 0;
	socklen_t len = sizeof err;
	int rc = sock_wait(fd, POLLOUT, deadline_ms);

	if (rc != 0) {
		return rc;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0) {
		return AL_EIO;
	}
	return err == 0 ? 0 : errno_to_al(err);
}

static int
sock_connect(int fd, const struct sockaddr_un *sa, int64_t deadline_ms)
{
	for (;;) {
		int ms;
		int rc;

		if (connect(fd, (const struct sockaddr *)sa, sizeof *sa) == 0) {
			return 0;
		}
		if (errno == EINPROGRESS || errno == EINTR) {
			return connect_finish(fd, deadline_ms);
		}
		if (errno != EAGAIN) {
			return errno_to_al(errno);
		}
		/* The listener's backlog is full. An unconnected Unix socket
		 * gives poll() nothing to wait for, so nap and try again. */
		rc = poll_ms_left(deadline_ms, &ms);
		if (rc != 0) {
			return rc;
		}
		poll(NULL, 0, ms < SP_CONNECT_NAP_MS ? ms : SP_CONNECT_NAP_MS);
	}
}

static int
peer_uid_check(int fd, uid_t expected_uid)
{
	struct ucred cred;
	socklen_t len = sizeof cred;

	if (expected_uid == (uid_t)-1) {
		return 0;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0) {
		return AL_EIO;
	}
	return cred.uid == expected_uid ? 0 : AL_EPERM;
}

static int
header_send(int fd, int64_t deadline_ms)
{
	struct iovec iov = { .iov_base = (void *)sp_req_header,
		             .iov_len = SP_HEADER_LEN };
	size_t sent;

	return sock_writev(fd, &iov, 1, deadline_ms, &sent);
}

static int
header_recv(int fd, int64_t deadline_ms)
{
	struct sp_sock_ctx k = { .fd = fd, .deadline_ms = deadline_ms };
	struct sp_src s = { .read = sock_read, .ctx = &k };

	return header_read(&s);
}

/* Request ids only tell our replies from stale ones; a weak seed is fine
 * when getrandom() is unavailable. */
static uint32_t
id_seed(void)
{
	uint32_t v;

	if (getrandom(&v, sizeof v, GRND_NONBLOCK) != (ssize_t)sizeof v) {
		v = (uint32_t)getpid() ^ (uint32_t)sp_now_ms();
	}
	return v;
}

static int
connect_common(struct sp_conn **out, const char *path, uid_t expected_uid,
               int64_t deadline_ms, bool pipelined)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct sp_conn *c;
	size_t plen = path ? strlen(path) : 0;
	int fd;
	int rc;

	if (plen == 0 || plen >= sizeof sa.sun_path) {
		return AL_EINVAL;
	}
	memcpy(sa.sun_path, path, plen + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		return AL_EIO;
	}
	rc = sock_connect(fd, &sa, deadline_ms);
	if (rc == 0) {
		rc = peer_uid_check(fd, expected_uid);
	}
	if (rc == 0 && !pipelined) {
		rc = header_send(fd, deadline_ms);
	}
	if (rc == 0 && !pipelined) {
		rc = header_recv(fd, deadline_ms);
	}
	if (rc != 0) {
		close(fd);
		return rc;
	}
	c = xcalloc(1, sizeof *c);
	c->fd = fd;
	c->next_id = id_seed();
	c->header_unsent = pipelined;
	c->header_due = pipelined;
	c->header_deadline_ms = deadline_ms;
	*out = c;
	return 0;
}

int
sp_connect(struct sp_conn **out, const char *path, uid_t expected_uid,
           int64_t deadline_ms)
{
	return connect_common(out, path, expected_uid, deadline_ms, false);
}

int
sp_connect_pipelined(struct sp_conn **out, const char *path, uid_t expected_uid,
                     int64_t deadline_ms)
{
	return connect_common(out, path, expected_uid, deadline_ms, true);
}

static uint32_t
conn_next_id(struct sp_conn *c)
{
	uint32_t id = c->next_id | SP_ID_FLAG;

	c->next_id = id + 1;
	return id;
}

/* Sends one framed request (behind our connection header while that is
 * unsent); *clean says nothing went out on failure. */
static int
request_send(struct sp_conn *c, uint32_t id, const void *body, size_t len,
             int64_t deadline_ms, bool *clean)
{
	unsigned char head[SP_FRAME_HEAD_LEN + SP_ID_LEN];
	struct iovec iov[3] = {
		{ .iov_base = (void *)sp_req_header, .iov_len = SP_HEADER_LEN },
		{ .iov_base = head, .iov_len = sizeof head },
		{ .iov_base = (void *)body, .iov_len = len },
	};
	bool with_header = c->header_unsent;
	size_t sent = 0;
	int rc;

	head[0] = SP_MSG_TYPE;
	put_be64(head + 1, (uint64_t)len + SP_ID_LEN);
	put_be32(head + SP_FRAME_HEAD_LEN, id);
	rc = sock_writev(c->fd, with_header ? iov : iov + 1,
	                 with_header ? 3 : 2, deadline_ms, &sent);
	if (sent > 0) {
		c->header_unsent = false;
	}
	*clean = sent == 0;
	return rc;
}

int
sp_request(struct sp_conn *c, const void *body, size_t len, char **reply,
           size_t *reply_len, size_t max_reply, int64_t deadline_ms)
{
	struct sp_sock_ctx k = { .fd = c->fd, .deadline_ms = deadline_ms };
	struct sp_src s = { .read = sock_read, .ctx = &k };
	uint32_t id;
	bool clean = true;
	int rc;

	if (c->dead) {
		return AL_ECONN;
	}
	if (len > SIZE_MAX - SP_ID_LEN) {
		return AL_ETOOBIG;
	}
	id = conn_next_id(c);
	rc = request_send(c, id, body, len, deadline_ms, &clean);
	if (rc == 0 && c->header_due) {
		rc = header_recv(c->fd, c->header_deadline_ms);
		c->header_due = false;
		clean = false; /* no stream to keep in step before the header */
	}
	if (rc == 0) {
		rc = reply_read(&s, id, max_reply, reply, reply_len);
		clean = s.pos == s.frame_start;
	}
	/* Only a timeout between messages keeps the stream in step. */
	if (rc != 0 && !(rc == AL_ETIMEDOUT && clean)) {
		c->dead = true;
	}
	return rc;
}

void
sp_close(struct sp_conn *c)
{
	if (c == NULL) {
		return;
	}
	close(c->fd);
	free(c);
}
