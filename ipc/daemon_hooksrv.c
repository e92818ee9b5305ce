/*
 * The hook socket's server: nng's REP v0 wire protocol (the SP header,
 * then frames of 0x01, a u64 length and a u32 request id before the
 * body; ipc/sp.h) over a plain Unix stream socket, served by one epoll
 * thread of its own.
 *
 * Why not nng's REP socket, as the control socket uses: measured with
 * `perf stat` on the daemon, libnng 1.5.2 made about 53 context switches
 * and 0.64 ms of daemon CPU out of every hook call (its worker threads
 * hand each message to one another under contended locks; a context
 * opened and reaped per request), more than the decision and its commit.
 * Here a call costs a read, the handler, and a write from whichever
 * thread answers (the committer for an auto-decision): no hop between
 * threads but the one to the committer. docs/performance.md has the
 * figures. Consoles and one-shot verbs keep nng (control and events).
 *
 * Threads: the epoll thread accepts, reads and calls the handler (without
 * the server lock); any thread may answer a request (daemon_reply), which
 * appends the reply to its connection and writes what the socket takes
 * at once. Lock order: the daemon's mu before the server's mu; the epoll
 * thread holds neither while it calls into the daemon. A connection
 * lives until it is closed and no request of its is outstanding.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <nng/nng.h>

#include "core/al.h"
#include "core/xalloc.h"
#include "ipc/daemon_int.h"

#define HS_HEADER_LEN    8
#define HS_FRAME_HEAD    9 /* type byte + u64 length */
#define HS_ID_LEN        4
#define HS_ID_FLAG       0x80000000u
#define HS_MAX_EVENTS    64
#define HS_READ_CHUNK    65536
#define HS_BACKLOG       512
#define HS_EMFILE_NAP_MS 10
/* Requests larger than this (a PostToolUse carrying a big result to
 * screen, a Write of a big file) are handled on the worker thread, so
 * that their milliseconds of scanning never hold up the small calls
 * behind them; smaller ones are handled at once on the epoll thread. */
#define HS_INLINE_MAX (64 * 1024)
/* A connection whose peer leaves this many bytes of replies unread has
 * its requests left unread too, until it reads: a client that pipelines
 * calls and never reads the answers cannot grow the daemon's memory
 * beyond this (plus the one read chunk being parsed). A hook has one
 * request in flight and reads its answer at once. */
#define HS_OUT_MAX (1024 * 1024)

static const unsigned char hs_req_header[HS_HEADER_LEN] = { 0x00, 'S',  'P',
	                                                    0x00, 0x00, 0x30,
	                                                    0x00, 0x00 };
static const unsigned char hs_rep_header[HS_HEADER_LEN] = { 0x00, 'S',  'P',
	                                                    0x00, 0x00, 0x31,
	                                                    0x00, 0x00 };

struct hs_out {
	struct hs_out *next;
	size_t len;
	size_t off;
	unsigned char data[];
};

struct hs_conn {
	struct hooksrv *srv;
	int fd;
	uint32_t id; /* reported as the "pipe" of its requests */
	uint64_t peer_uid;
	bool open;
	int refs; /* 1 while open, +1 per outstanding request */
	/* input: our peer's header, then one frame at a time */
	unsigned char hdr[HS_HEADER_LEN];
	size_t hdr_got;
	unsigned char head[HS_FRAME_HEAD];
	size_t head_got;
	nng_msg *msg; /* the frame's payload being read */
	size_t want;
	size_t got;
	/* output, guarded by srv->mu */
	struct hs_out *out;
	struct hs_out *out_tail;
	size_t out_bytes;     /* unsent, over all of out */
	uint32_t events;      /* what epoll watches for */
	struct hs_conn *next; /* srv->conns */
};

/* A large request waiting for the worker. */
struct hs_job {
	struct repctx *rc;
	nng_msg *msg;
	struct hs_job *next;
};

struct hooksrv {
	struct daemon *d;
	struct server *srv; /* handler and receive limit */
	char *path;
	int epfd;
	int lfd;
	int wakefd;
	pthread_t thread;
	bool started;
	pthread_mutex_t mu;
	uint32_t next_id;
	struct hs_conn *conns;
	dev_t sock_dev; /* the socket file we bound, to unlink only ours */
	ino_t sock_ino;
	/* the worker for large requests (guarded by mu) */
	pthread_t worker;
	bool worker_started;
	bool worker_stop;
	pthread_cond_t work_cv;
	struct hs_job *jobs;
	struct hs_job *jobs_tail;
	/* epoll tags for the listener and the wake-up descriptor */
	char tag_listen;
	char tag_wake;
};

/* ---- output (any thread) -------------------------------------------- */

static uint64_t
hs_get_be64(const unsigned char *p)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++) {
		v = v << 8 | p[i];
	}
	return v;
}

static void
hs_put_be(unsigned char *p, uint64_t v, int bytes)
{
	for (int i = bytes - 1; i >= 0; i--) {
		p[i] = (unsigned char)(v & 0xff);
		v >>= 8;
	}
}

/* Watches for what the connection needs now (srv->mu held): output
 * while replies wait, input unless HS_OUT_MAX of them wait unread. */
static void
hs_epoll_update(struct hs_conn *c)
{
	uint32_t want = (c->out_bytes < HS_OUT_MAX ? EPOLLIN : 0) |
	                (c->out != NULL ? EPOLLOUT : 0);

	if (c->open && want != c->events) {
		struct epoll_event ev = { .events = want, .data.ptr = c };
		epoll_ctl(c->srv->epfd, EPOLL_CTL_MOD, c->fd, &ev);
		c->events = want;
	}
}

/* Writes what the socket takes (srv->mu held). Returns false when the
 * connection broke: the epoll thread sees the hang-up and closes it. */
static bool
hs_flush(struct hs_conn *c)
{
	while (c->out != NULL) {
		struct hs_out *o = c->out;
		ssize_t n = send(c->fd, o->data + o->off, o->len - o->off,
		                 MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EINTR) {
				continue;
			}
			if (errno == EAGAIN || errno == EWOULDBLOCK) {
				break;
			}
			return false;
		}
		o->off += (size_t)n;
		c->out_bytes -= (size_t)n;
		if (o->off < o->len) {
			continue;
		}
		c->out = o->next;
		if (c->out == NULL) {
			c->out_tail = NULL;
		}
		free(o);
	}
	hs_epoll_update(c);
	return true;
}

static void
hs_out_free(struct hs_conn *c)
{
	while (c->out != NULL) {
		struct hs_out *o = c->out;
		c->out = o->next;
		free(o);
	}
	c->out_tail = NULL;
	c->out_bytes = 0;
}

static void
hs_conn_free(struct hs_conn *c)
{
	struct hooksrv *s = c->srv;

	for (struct hs_conn **p = &s->conns; *p != NULL; p = &(*p)->next) {
		if (*p == c) {
			*p = c->next;
			break;
		}
	}
	hs_out_free(c);
	if (c->msg != NULL) {
		nng_msg_free(c->msg);
	}
	free(c);
}

/* srv->mu held. */
static void
hs_unref(struct hs_conn *c)
{
	if (--c->refs == 0) {
		hs_conn_free(c);
	}
}

void
daemon_hooksrv_reply(struct repctx *rc, nng_msg *reply)
{
	struct hs_conn *c = rc->conn;
	struct hooksrv *s = c->srv;
	size_t body = nng_msg_len(reply);
	struct hs_out *o =
	        xmalloc(sizeof *o + HS_FRAME_HEAD + HS_ID_LEN + body);

	o->next = NULL;
	o->off = 0;
	o->len = HS_FRAME_HEAD + HS_ID_LEN + body;
	o->data[0] = 0x01;
	hs_put_be(o->data + 1, HS_ID_LEN + body, 8);
	hs_put_be(o->data + HS_FRAME_HEAD, rc->sp_id, 4);
	memcpy(o->data + HS_FRAME_HEAD + HS_ID_LEN, nng_msg_body(reply), body);
	nng_msg_free(reply);
	pthread_mutex_lock(&s->mu);
	if (c->open) {
		if (c->out_tail != NULL) {
			c->out_tail->next = o;
		} else {
			c->out = o;
		}
		c->out_tail = o;
		c->out_bytes += o->len;
		hs_flush(c);
	} else {
		free(o); /* the hook has gone: the reply goes nowhere */
	}
	hs_unref(c);
	pthread_mutex_unlock(&s->mu);
	free(rc);
}

bool
daemon_hooksrv_open(const struct repctx *rc)
{
	struct hooksrv *s = rc->conn->srv;

	pthread_mutex_lock(&s->mu);
	bool open = rc->conn->open;
	pthread_mutex_unlock(&s->mu);
	return open;
}

void
daemon_hooksrv_drop(struct repctx *rc)
{
	struct hooksrv *s = rc->conn->srv;

	pthread_mutex_lock(&s->mu);
	hs_unref(rc->conn);
	pthread_mutex_unlock(&s->mu);
	free(rc);
}

/* ---- input (the epoll thread) -------------------------------------- */

static void
hs_close(struct hooksrv *s, struct hs_conn *c)
{
	uint32_t id = c->id;

	pthread_mutex_lock(&s->mu);
	if (!c->open) {
		pthread_mutex_unlock(&s->mu);
		return;
	}
	epoll_ctl(s->epfd, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	c->fd = -1;
	c->open = false;
	hs_out_free(c);
	hs_unref(c);
	pthread_mutex_unlock(&s->mu);
	daemon_pipe_gone(s->d, id);
}

/* Runs the handler on one request (no lock held) and answers it now
 * unless the handler holds it. */
static void
hs_handle(struct hooksrv *s, struct repctx *rc, nng_msg *m)
{
	nng_msg *reply = s->srv->handler(s->d, rc, m);

	nng_msg_free(m);
	if (reply != NULL) {
		daemon_reply(rc, reply);
	}
}

/* A whole request: hand it to the handler (no lock held). False when
 * it is not a REQ request (nng would drop the pipe; so do we). */
static bool
hs_dispatch(struct hooksrv *s, struct hs_conn *c, nng_msg *m)
{
	uint32_t id = 0;

	if (nng_msg_trim_u32(m, &id) != 0 || (id & HS_ID_FLAG) == 0) {
		nng_msg_free(m);
		return false;
	}
	struct repctx *rc = xcalloc(1, sizeof *rc);
	rc->srv = s->srv;
	rc->conn = c;
	rc->sp_id = id;
	rc->pipe_id = c->id;
	rc->peer_uid = c->peer_uid;
	rc->state = REPCTX_RECV;
	pthread_mutex_lock(&s->mu);
	c->refs++;
	if (nng_msg_len(m) > HS_INLINE_MAX && s->worker_started) {
		struct hs_job *j = xcalloc(1, sizeof *j);
		j->rc = rc;
		j->msg = m;
		if (s->jobs_tail != NULL) {
			s->jobs_tail->next = j;
		} else {
			s->jobs = j;
		}
		s->jobs_tail = j;
		pthread_cond_signal(&s->work_cv);
		pthread_mutex_unlock(&s->mu);
		return true;
	}
	pthread_mutex_unlock(&s->mu);
	hs_handle(s, rc, m);
	return true;
}

/* Large requests, one at a time, in arrival order; the queue is
 * drained before the worker exits. */
static void *
hs_worker(void *arg)
{
	struct hooksrv *s = arg;

	pthread_mutex_lock(&s->mu);
	for (;;) {
		while (s->jobs == NULL && !s->worker_stop) {
			pthread_cond_wait(&s->work_cv, &s->mu);
		}
		struct hs_job *j = s->jobs;
		if (j == NULL) {
			break;
		}
		s->jobs = j->next;
		if (s->jobs == NULL) {
			s->jobs_tail = NULL;
		}
		pthread_mutex_unlock(&s->mu);
		hs_handle(s, j->rc, j->msg);
		free(j);
		pthread_mutex_lock(&s->mu);
	}
	pthread_mutex_unlock(&s->mu);
	return NULL;
}

/* Feeds bytes into the connection's parser; false on a protocol error
 * (the connection is then closed). Completed requests are dispatched. */
static bool
hs_consume(struct hooksrv *s, struct hs_conn *c, const unsigned char *p,
           size_t n)
{
	while (n > 0) {
		if (c->hdr_got < HS_HEADER_LEN) {
			size_t k = HS_HEADER_LEN - c->hdr_got;
			k = k < n ? k : n;
			memcpy(c->hdr + c->hdr_got, p, k);
			c->hdr_got += k;
			p += k;
			n -= k;
			if (c->hdr_got == HS_HEADER_LEN &&
			    memcmp(c->hdr, hs_req_header, HS_HEADER_LEN) != 0) {
				return false;
			}
			continue;
		}
		if (c->msg == NULL) {
			size_t k = HS_FRAME_HEAD - c->head_got;
			k = k < n ? k : n;
			memcpy(c->head + c->head_got, p, k);
			c->head_got += k;
			p += k;
			n -= k;
			if (c->head_got < HS_FRAME_HEAD) {
				continue;
			}
			uint64_t len = hs_get_be64(c->head + 1);
			if (c->head[0] != 0x01 || len < HS_ID_LEN ||
			    len > s->srv->recv_max + HS_ID_LEN ||
			    nng_msg_alloc(&c->msg, (size_t)len) != 0) {
				return false;
			}
			c->want = (size_t)len;
			c->got = 0;
			c->head_got = 0;
		}
		size_t k = c->want - c->got;
		k = k < n ? k : n;
		memcpy((unsigned char *)nng_msg_body(c->msg) + c->got, p, k);
		c->got += k;
		p += k;
		n -= k;
		if (c->got == c->want) {
			nng_msg *m = c->msg;
			c->msg = NULL;
			if (!hs_dispatch(s, c, m)) {
				return false;
			}
		}
	}
	return true;
}

static void
hs_readable(struct hooksrv *s, struct hs_conn *c)
{
	unsigned char buf[HS_READ_CHUNK];
	ssize_t n = recv(c->fd, buf, sizeof buf, MSG_DONTWAIT);

	if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
		return;
	}
	if (n <= 0 || !hs_consume(s, c, buf, (size_t)n)) {
		hs_close(s, c);
	}
}

static void
hs_accept_one(struct hooksrv *s, int fd)
{
	struct hs_conn *c = xcalloc(1, sizeof *c);
	struct ucred cred;
	socklen_t clen = sizeof cred;

	c->srv = s;
	c->fd = fd;
	c->open = true;
	c->refs = 1;
	c->peer_uid = getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &clen) == 0
	                      ? (uint64_t)cred.uid
	                      : UINT64_MAX;
	/* Our header first: 8 bytes into an empty socket buffer. */
	if (send(fd, hs_rep_header, HS_HEADER_LEN, MSG_NOSIGNAL) !=
	    HS_HEADER_LEN) {
		close(fd);
		free(c);
		return;
	}
	pthread_mutex_lock(&s->mu);
	c->id = HS_ID_FLAG | (s->next_id++ & ~HS_ID_FLAG);
	c->next = s->conns;
	s->conns = c;
	c->events = EPOLLIN;
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = c };
	epoll_ctl(s->epfd, EPOLL_CTL_ADD, fd, &ev);
	pthread_mutex_unlock(&s->mu);
}

static void
hs_accept(struct hooksrv *s)
{
	for (;;) {
		/* Under the lock: the watchdog may replace the listener. */
		pthread_mutex_lock(&s->mu);
		int fd = s->lfd < 0 ? -1
		                    : accept4(s->lfd, NULL, NULL,
		                              SOCK_NONBLOCK | SOCK_CLOEXEC);
		int err = errno;
		pthread_mutex_unlock(&s->mu);
		if (fd >= 0) {
			hs_accept_one(s, fd);
			continue;
		}
		if (err == EMFILE || err == ENFILE) {
			/* Out of descriptors: let some hooks finish. */
			struct timespec ts = { 0, HS_EMFILE_NAP_MS * 1000000L };
			nanosleep(&ts, NULL);
		}
		return;
	}
}

static void *
hs_main(void *arg)
{
	struct hooksrv *s = arg;
	struct epoll_event ev[HS_MAX_EVENTS];

	for (;;) {
		int n = epoll_wait(s->epfd, ev, HS_MAX_EVENTS, -1);
		for (int i = 0; i < n; i++) {
			void *tag = ev[i].data.ptr;
			if (tag == &s->tag_wake) {
				return NULL;
			}
			if (tag == &s->tag_listen) {
				hs_accept(s);
				continue;
			}
			struct hs_conn *c = tag;
			if (ev[i].events & EPOLLOUT) {
				pthread_mutex_lock(&s->mu);
				bool ok = !c->open || hs_flush(c);
				pthread_mutex_unlock(&s->mu);
				if (!ok) {
					hs_close(s, c);
					continue;
				}
			}
			if (ev[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
				hs_readable(s, c);
			}
		}
	}
}

/* ---- listener ------------------------------------------------------- */

/* Whether something answers on path (a live daemon, not a stale file). */
static bool
hs_path_alive(const struct sockaddr_un *sa)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	bool alive = fd >= 0 &&
	             connect(fd, (const struct sockaddr *)sa, sizeof *sa) == 0;

	if (fd >= 0) {
		close(fd);
	}
	return alive;
}

static int
hs_bind(struct hooksrv *s, char **err)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct stat st;
	int fd;

	if (strlen(s->path) >= sizeof sa.sun_path) {
		*err = xasprintf("cannot listen on %s: path too long", s->path);
		return AL_EINVAL;
	}
	strcpy(sa.sun_path, s->path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		*err = xasprintf("cannot listen on %s: %s", s->path,
		                 strerror(errno));
		return AL_ECONN;
	}
	int rv = bind(fd, (struct sockaddr *)&sa, sizeof sa);
	if (rv != 0 && errno == EADDRINUSE) {
		if (hs_path_alive(&sa)) {
			close(fd);
			*err = xasprintf(
			        "cannot listen on %s: another airlockd "
			        "is running",
			        s->path);
			return AL_EEXIST;
		}
		unlink(s->path); /* stale: nobody accepts on it */
		rv = bind(fd, (struct sockaddr *)&sa, sizeof sa);
	}
	if (rv == 0) {
		rv = chmod(s->path, 0600);
	}
	if (rv == 0) {
		rv = listen(fd, HS_BACKLOG);
	}
	if (rv != 0 || stat(s->path, &st) != 0) {
		*err = xasprintf("cannot listen on %s: %s", s->path,
		                 strerror(errno));
		close(fd);
		return AL_ECONN;
	}
	s->sock_dev = st.st_dev;
	s->sock_ino = st.st_ino;
	s->lfd = fd;
	struct epoll_event ev = { .events = EPOLLIN,
		                  .data.ptr = &s->tag_listen };
	epoll_ctl(s->epfd, EPOLL_CTL_ADD, fd, &ev);
	return 0;
}

/* Removes the socket file if it is still the one we bound. */
static void
hs_unbind(struct hooksrv *s)
{
	struct stat st;

	if (s->lfd < 0) {
		return;
	}
	epoll_ctl(s->epfd, EPOLL_CTL_DEL, s->lfd, NULL);
	close(s->lfd);
	s->lfd = -1;
	if (stat(s->path, &st) == 0 && st.st_dev == s->sock_dev &&
	    st.st_ino == s->sock_ino) {
		unlink(s->path);
	}
}

int
daemon_hooksrv_start(struct hooksrv **out, struct daemon *d, struct server *srv,
                     const char *path, char **err)
{
	struct hooksrv *s = xcalloc(1, sizeof *s);

	s->d = d;
	s->srv = srv;
	s->path = xstrdup(path);
	s->lfd = -1;
	s->next_id = 1;
	pthread_mutex_init(&s->mu, NULL);
	s->epfd = epoll_create1(EPOLL_CLOEXEC);
	s->wakefd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	int rc = s->epfd >= 0 && s->wakefd >= 0 ? 0 : AL_EIO;
	if (rc == 0) {
		struct epoll_event ev = { .events = EPOLLIN,
			                  .data.ptr = &s->tag_wake };
		epoll_ctl(s->epfd, EPOLL_CTL_ADD, s->wakefd, &ev);
		rc = hs_bind(s, err);
	} else {
		*err = xstrdup("cannot create the hook server's epoll");
	}
	pthread_cond_init(&s->work_cv, NULL);
	if (rc == 0 && pthread_create(&s->worker, NULL, hs_worker, s) != 0) {
		*err = xstrdup("cannot start the hook server's worker");
		rc = AL_EIO;
	}
	s->worker_started = rc == 0;
	if (rc == 0 && pthread_create(&s->thread, NULL, hs_main, s) != 0) {
		*err = xstrdup("cannot start the hook server's thread");
		rc = AL_EIO;
	}
	s->started = rc == 0;
	*out = s; /* daemon_hooksrv_free() cleans up either way */
	return rc;
}

int
daemon_hooksrv_relisten(struct hooksrv *s, char **err)
{
	pthread_mutex_lock(&s->mu);
	hs_unbind(s);
	int rc = hs_bind(s, err);
	pthread_mutex_unlock(&s->mu);
	return rc;
}

/* Stops reading and accepting; connections stay open so that what the
 * committer still holds can be answered (daemon_close). */
void
daemon_hooksrv_stop(struct hooksrv *s)
{
	if (s == NULL) {
		return;
	}
	if (s->started) {
		uint64_t one = 1;
		if (write(s->wakefd, &one, sizeof one) != (ssize_t)sizeof one) {
			/* cannot happen with a fresh eventfd; join anyway */
		}
		pthread_join(s->thread, NULL);
		s->started = false;
	}
	if (s->worker_started) {
		pthread_mutex_lock(&s->mu);
		s->worker_stop = true;
		pthread_cond_signal(&s->work_cv);
		pthread_mutex_unlock(&s->mu);
		pthread_join(s->worker, NULL); /* after the queued requests */
		s->worker_started = false;
	}
	pthread_mutex_lock(&s->mu);
	hs_unbind(s);
	pthread_mutex_unlock(&s->mu);
}

static void
hs_close_all(struct hooksrv *s)
{
	pthread_mutex_lock(&s->mu);
	for (struct hs_conn *c = s->conns; c != NULL; c = c->next) {
		if (c->open) {
			close(c->fd);
			c->fd = -1;
			c->open = false;
			hs_out_free(c);
		}
	}
	pthread_mutex_unlock(&s->mu);
}

void
daemon_hooksrv_free(struct hooksrv *s)
{
	if (s == NULL) {
		return;
	}
	daemon_hooksrv_stop(s);
	hs_close_all(s);
	while (s->conns != NULL) {
		hs_conn_free(s->conns);
	}
	if (s->epfd >= 0) {
		close(s->epfd);
	}
	if (s->wakefd >= 0) {
		close(s->wakefd);
	}
	pthread_cond_destroy(&s->work_cv);
	pthread_mutex_destroy(&s->mu);
	free(s->path);
	free(s);
}
