#include "ipc/sp.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <nng/nng.h>
#include <nng/protocol/reqrep0/rep.h>

#include "core/al.h"

/*
 * sp.c is checked against the real thing: a libnng 1.5.2 REP socket
 * listening on ipc:// in this process. Fake servers (plain Unix sockets)
 * cover what nng would never send: bad headers, stale ids.
 */

enum {
	SERVER_MAXSZ = 2 << 20,
	MIB = 1 << 20,
	BIG_REPLY = 100000,
	TIMING_ROUNDS = 1000,
	CONNECT_ROUNDS = 300,
};

#define ID_FLAG UINT32_C(0x80000000)

static const unsigned char rep_header[8] = { 0, 'S', 'P', 0, 0x00, 0x31, 0, 0 };
static const unsigned char req_header[8] = { 0, 'S', 'P', 0, 0x00, 0x30, 0, 0 };

/* ---- real nng REP server ---- */

struct server {
	char dir[64];
	char path[128];
	nng_socket sock;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool release; /* lets a held request be answered */
	bool closed;  /* nng_close was called (by the thread or teardown) */
};

/* Exactly one caller closes the socket: a "close" request or teardown. */
static void
server_close(struct server *s)
{
	bool first;

	pthread_mutex_lock(&s->mu);
	first = !s->closed;
	s->closed = true;
	pthread_mutex_unlock(&s->mu);
	if (first) {
		nng_close(s->sock);
	}
}

static bool
body_is(nng_msg *m, const char *word)
{
	return nng_msg_len(m) == strlen(word) &&
	       memcmp(nng_msg_body(m), word, strlen(word)) == 0;
}

static nng_msg *
reply_filled(size_t n)
{
	nng_msg *r;

	if (nng_msg_alloc(&r, n) != 0) {
		abort();
	}
	memset(nng_msg_body(r), 'x', n);
	return r;
}

/* Requests: "close" closes the socket, "hold" waits for release,
 * "big" answers BIG_REPLY bytes, anything else is echoed. */
static void *
server_main(void *arg)
{
	struct server *s = arg;
	nng_msg *m;

	while (nng_recvmsg(s->sock, &m, 0) == 0) {
		if (body_is(m, "close")) {
			nng_msg_free(m);
			server_close(s);
			break;
		}
		if (body_is(m, "hold")) {
			pthread_mutex_lock(&s->mu);
			while (!s->release) {
				pthread_cond_wait(&s->cv, &s->mu);
			}
			pthread_mutex_unlock(&s->mu);
		}
		if (body_is(m, "big")) {
			nng_msg_free(m);
			m = reply_filled(BIG_REPLY);
		}
		/* rep0 restores the backtrace itself: echo the message. */
		if (nng_sendmsg(s->sock, m, 0) != 0) {
			nng_msg_free(m);
		}
	}
	return NULL;
}

static int
server_setup(void **state)
{
	struct server *s = calloc(1, sizeof *s);
	char url[160];

	strcpy(s->dir, "/tmp/airlock-sp-XXXXXX");
	if (mkdtemp(s->dir) == NULL) {
		return -1;
	}
	snprintf(s->path, sizeof s->path, "%s/hook.sock", s->dir);
	snprintf(url, sizeof url, "ipc://%s", s->path);
	pthread_mutex_init(&s->mu, NULL);
	pthread_cond_init(&s->cv, NULL);
	if (nng_rep0_open(&s->sock) != 0 ||
	    nng_socket_set_size(s->sock, NNG_OPT_RECVMAXSZ, SERVER_MAXSZ) !=
	            0 ||
	    nng_listen(s->sock, url, NULL, 0) != 0) {
		return -1;
	}
	if (pthread_create(&s->thread, NULL, server_main, s) != 0) {
		return -1;
	}
	*state = s;
	return 0;
}

static void
server_release(struct server *s)
{
	pthread_mutex_lock(&s->mu);
	s->release = true;
	pthread_cond_broadcast(&s->cv);
	pthread_mutex_unlock(&s->mu);
}

static int
server_teardown(void **state)
{
	struct server *s = *state;

	server_release(s);
	server_close(s);
	pthread_join(s->thread, NULL);
	unlink(s->path);
	rmdir(s->dir);
	pthread_cond_destroy(&s->cv);
	pthread_mutex_destroy(&s->mu);
	free(s);
	return 0;
}

static int64_t
in_ms(int64_t ms)
{
	return sp_now_ms() + ms;
}

static struct sp_conn *
must_connect(const struct server *s)
{
	struct sp_conn *c = NULL;

	assert_int_equal(sp_connect(&c, s->path, getuid(), in_ms(2000)), 0);
	assert_non_null(c);
	return c;
}

/* ---- round trips against nng ---- */

static void
test_round_trip_small(void **state)
{
	struct sp_conn *c = must_connect(*state);
	char *r = NULL;
	size_t n = 0;

	assert_int_equal(sp_request(c, "hello", 5, &r, &n, 64, in_ms(2000)), 0);
	assert_int_equal(n, 5);
	assert_string_equal(r, "hello");
	free(r);
	/* An empty body is a payload of only the request id. */
	assert_int_equal(sp_request(c, "", 0, &r, &n, 64, in_ms(2000)), 0);
	assert_int_equal(n, 0);
	assert_string_equal(r, "");
	free(r);
	sp_close(c);
}

/* The request sent before the server's header arrives: nng reads it
 * once its own handshake is done. */
static void
test_pipelined_round_trip(void **state)
{
	const struct server *s = *state;
	char *r = NULL;
	size_t n = 0;

	for (int i = 0; i < 50; i++) {
		struct sp_conn *c = NULL;
		char body[32];
		int len = snprintf(body, sizeof body, "pipelined %d", i);

		assert_int_equal(sp_connect_pipelined(&c, s->path, getuid(),
		                                      in_ms(2000)),
		                 0);
		assert_int_equal(sp_request(c, body, (size_t)len, &r, &n, 64,
		                            in_ms(2000)),
		                 0);
		assert_string_equal(r, body);
		free(r);
		/* Later requests on the same connection work as usual. */
		assert_int_equal(
		        sp_request(c, "again", 5, &r, &n, 64, in_ms(2000)), 0);
		assert_string_equal(r, "again");
		free(r);
		sp_close(c);
	}
}

static void
test_round_trip_1mib(void **state)
{
	struct sp_conn *c = must_connect(*state);
	char *body = malloc(MIB);
	char *r = NULL;
	size_t n = 0;

	for (size_t i = 0; i < MIB; i++) {
		body[i] = (char)(i * 7 + i / 251);
	}
	assert_int_equal(sp_request(c, body, MIB, &r, &n, MIB, in_ms(5000)), 0);
	assert_int_equal(n, MIB);
	assert_memory_equal(r, body, MIB);
	assert_int_equal(r[MIB], '\0');
	free(r);
	free(body);
	sp_close(c);
}

static void
test_sequential(void **state)
{
	struct sp_conn *c = must_connect(*state);

	for (int i = 0; i < 50; i++) {
		char body[32];
		char *r = NULL;
		size_t n = 0;
		int len = snprintf(body, sizeof body, "request %d", i);

		assert_int_equal(sp_request(c, body, (size_t)len, &r, &n, 64,
		                            in_ms(2000)),
		                 0);
		assert_string_equal(r, body);
		free(r);
	}
	sp_close(c);
}

/* ---- failures against nng ---- */

static void
test_server_close_while_waiting(void **state)
{
	struct sp_conn *c = must_connect(*state);
	char *r = NULL;
	size_t n = 0;
	int64_t t0 = sp_now_ms();

	assert_int_equal(sp_request(c, "close", 5, &r, &n, 64, in_ms(5000)),
	                 AL_ECONN);
	assert_true(sp_now_ms() - t0 < 1000);
	assert_null(r);
	/* Dead for good: the caller must reconnect. */
	assert_int_equal(sp_request(c, "x", 1, &r, &n, 64, in_ms(1000)),
	                 AL_ECONN);
	sp_close(c);
}

static void
test_deadline_then_stale_reply(void **state)
{
	struct server *s = *state;
	struct sp_conn *c = must_connect(s);
	char *r = NULL;
	size_t n = 0;
	int64_t t0 = sp_now_ms();
	int64_t took;

	assert_int_equal(sp_request(c, "hold", 4, &r, &n, 64, in_ms(100)),
	                 AL_ETIMEDOUT);
	took = sp_now_ms() - t0;
	assert_true(took >= 99 && took < 1000);
	assert_null(r);
	/* nng now sends "hold"'s late reply ahead of the next one; the
	 * connection stays usable and skips it by its id. */
	server_release(s);
	assert_int_equal(sp_request(c, "after", 5, &r, &n, 64, in_ms(2000)), 0);
	assert_string_equal(r, "after");
	free(r);
	sp_close(c);
}

static void
test_reply_too_big(void **state)
{
	struct sp_conn *c = must_connect(*state);
	char *r = NULL;
	size_t n = 0;

	assert_int_equal(
	        sp_request(c, "big", 3, &r, &n, BIG_REPLY - 1, in_ms(2000)),
	        AL_ETOOBIG);
	assert_null(r);
	/* The rest of that reply is still in the stream. */
	assert_int_equal(
	        sp_request(c, "big", 3, &r, &n, BIG_REPLY, in_ms(2000)),
	        AL_ECONN);
	sp_close(c);
	c = must_connect(*state);
	assert_int_equal(
	        sp_request(c, "big", 3, &r, &n, BIG_REPLY, in_ms(2000)), 0);
	assert_int_equal(n, BIG_REPLY);
	free(r);
	sp_close(c);
}

/* nng drops a pipe whose message exceeds NNG_OPT_RECVMAXSZ. */
static void
test_request_over_server_limit(void **state)
{
	struct sp_conn *c = must_connect(*state);
	size_t len = (size_t)SERVER_MAXSZ + 1;
	char *body = calloc(1, len);
	char *r = NULL;
	size_t n = 0;
	int64_t t0 = sp_now_ms();

	assert_int_equal(sp_request(c, body, len, &r, &n, 64, in_ms(5000)),
	                 AL_ECONN);
	assert_true(sp_now_ms() - t0 < 1000);
	free(body);
	sp_close(c);
}

static void
test_connect_missing(void **state)
{
	struct server *s = *state;
	struct sp_conn *c = NULL;
	char path[200];
	int64_t t0 = sp_now_ms();

	snprintf(path, sizeof path, "%s/absent.sock", s->dir);
	assert_int_equal(sp_connect(&c, path, getuid(), in_ms(2000)), AL_ECONN);
	assert_true(sp_now_ms() - t0 < 100);
	assert_null(c);
}

/* A socket file nobody listens on (a daemon killed with -9). */
static void
test_connect_refused(void **state)
{
	struct server *s = *state;
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct sp_conn *c = NULL;
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	int64_t t0;

	snprintf(sa.sun_path, sizeof sa.sun_path, "%s/stale.sock", s->dir);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof sa), 0);
	t0 = sp_now_ms();
	assert_int_equal(sp_connect(&c, sa.sun_path, getuid(), in_ms(2000)),
	                 AL_ECONN);
	assert_true(sp_now_ms() - t0 < 100);
	close(fd);
	unlink(sa.sun_path);
}

static void
test_connect_bad_path(void **state)
{
	struct sp_conn *c = NULL;
	char path[200];

	(void)state;
	memset(path, 'a', sizeof path - 1);
	path[sizeof path - 1] = '\0';
	assert_int_equal(sp_connect(&c, path, getuid(), in_ms(100)), AL_EINVAL);
	assert_int_equal(sp_connect(&c, "", getuid(), in_ms(100)), AL_EINVAL);
	assert_null(c);
}

/* ---- fake servers ---- */

enum fake_mode {
	FAKE_HEADER, /* send .header, then wait for the client to go */
	FAKE_STALE,  /* answer one request with stale replies first */
	FAKE_SILENT, /* never send a header; wait for the client to go */
};

struct fake {
	char dir[64];
	char path[128];
	int lfd;
	pthread_t thread;
	enum fake_mode mode;
	unsigned char header[8];
	unsigned char client_header[8]; /* checked after the join */
	unsigned char req_head[13];
	char req_body[64];
	bool ok; /* the thread saw what it expected */
};

static bool
fd_read_all(int fd, void *p, size_t n)
{
	for (size_t done = 0; done < n;) {
		ssize_t r = read(fd, (char *)p + done, n - done);

		if (r <= 0) {
			return false;
		}
		done += (size_t)r;
	}
	return true;
}

static bool
fd_write_all(int fd, const void *p, size_t n)
{
	return send(fd, p, n, MSG_NOSIGNAL) == (ssize_t)n;
}

static void
be_put(unsigned char *p, uint64_t v, int bytes)
{
	for (int i = bytes - 1; i >= 0; i--) {
		p[i] = (unsigned char)v;
		v >>= 8;
	}
}

static uint64_t
be_get(const unsigned char *p, int bytes)
{
	uint64_t v = 0;

	for (int i = 0; i < bytes; i++) {
		v = v << 8 | p[i];
	}
	return v;
}

/* Appends one reply message (type, length, id, body) to frame. */
static size_t
frame_put(unsigned char *frame, uint32_t id, const void *body, size_t n)
{
	frame[0] = 0x01;
	be_put(frame + 1, n + 4, 8);
	be_put(frame + 9, id, 4);
	memcpy(frame + 13, body, n);
	return 13 + n;
}

static bool
fake_answer_stale(struct fake *f, int cfd)
{
	static const unsigned char big[10000];
	unsigned char *out = malloc(sizeof big + 200);
	size_t len = 0;
	uint64_t body_len;
	uint32_t id;
	bool ok = false;

	if (!fd_read_all(cfd, f->req_head, sizeof f->req_head)) {
		goto out;
	}
	body_len = be_get(f->req_head + 1, 8) - 4;
	id = (uint32_t)be_get(f->req_head + 9, 4);
	if (body_len >= sizeof f->req_body ||
	    !fd_read_all(cfd, f->req_body, body_len)) {
		goto out;
	}
	/* Another id, the id without its flag, a stale reply bigger than
	 * the client's limit, and only then the real one. */
	len += frame_put(out + len, (id + 1) | ID_FLAG, "stale", 5);
	len += frame_put(out + len, id & ~ID_FLAG, "noflag", 6);
	len += frame_put(out + len, id ^ 0x100, big, sizeof big);
	len += frame_put(out + len, id, "right", 5);
	ok = fd_write_all(cfd, out, len);
out:
	free(out);
	return ok;
}

static void
fake_serve(struct fake *f, int cfd)
{
	char drain[64];

	f->ok = (f->mode == FAKE_SILENT ||
	         fd_write_all(cfd, f->header, sizeof f->header)) &&
	        fd_read_all(cfd, f->client_header, sizeof f->client_header);
	if (f->ok && f->mode == FAKE_STALE) {
		f->ok = fake_answer_stale(f, cfd);
	}
	/* Hold the connection until the client has its answer. */
	while (read(cfd, drain, sizeof drain) > 0) {
	}
	close(cfd);
}

/* One client at a time, until fake_stop() shuts the listener down. */
static void *
fake_main(void *arg)
{
	struct fake *f = arg;
	int cfd;

	while ((cfd = accept(f->lfd, NULL, NULL)) >= 0) {
		fake_serve(f, cfd);
	}
	return NULL;
}

static struct fake *
fake_start(enum fake_mode mode, const unsigned char header[8])
{
	struct fake *f = calloc(1, sizeof *f);
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	strcpy(f->dir, "/tmp/airlock-spf-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof f->path, "%s/hook.sock", f->dir);
	strcpy(sa.sun_path, f->path);
	f->mode = mode;
	memcpy(f->header, header, 8);
	f->lfd = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_int_equal(bind(f->lfd, (struct sockaddr *)&sa, sizeof sa), 0);
	assert_int_equal(listen(f->lfd, 4), 0);
	assert_int_equal(pthread_create(&f->thread, NULL, fake_main, f), 0);
	return f;
}

/* Joins the thread; the caller frees f after checking what it saw. */
static void
fake_stop(struct fake *f)
{
	/* Wakes an accept() that never got its client. */
	shutdown(f->lfd, SHUT_RDWR);
	pthread_join(f->thread, NULL);
	close(f->lfd);
	unlink(f->path);
	rmdir(f->dir);
}

static void
bad_header_case(const unsigned char header[8])
{
	struct fake *f = fake_start(FAKE_HEADER, header);
	struct sp_conn *c = NULL;

	assert_int_equal(sp_connect(&c, f->path, getuid(), in_ms(2000)),
	                 AL_EPROTO);
	assert_null(c);
	fake_stop(f);
	free(f);
}

static void
test_fake_bad_header(void **state)
{
	static const unsigned char cases[][8] = {
		{ 0, 'S', 'P', 0, 0x00, 0x30, 0, 0 }, /* REQ, not REP */
		{ 0, 'S', 'P', 0, 0x00, 0x20, 0, 0 }, /* PUB */
		{ 0, 'S', 'P', 1, 0x00, 0x31, 0, 0 }, /* version byte */
		{ 0, 'S', 'Q', 0, 0x00, 0x31, 0, 0 }, /* magic */
		{ 0, 'S', 'P', 0, 0x00, 0x31, 0, 1 }, /* reserved */
		{ 'H', 'T', 'T', 'P', '/', '1', '.', '1' },
	};

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		bad_header_case(cases[i]);
	}
}

/* Pipelined: the wrong header is found with the first reply instead. */
static void
test_pipelined_bad_header(void **state)
{
	static const unsigned char pub[8] = {
		0, 'S', 'P', 0, 0x00, 0x20, 0, 0
	};
	struct fake *f = fake_start(FAKE_HEADER, pub);
	struct sp_conn *c = NULL;
	char *r = NULL;
	size_t n = 0;

	(void)state;
	assert_int_equal(
	        sp_connect_pipelined(&c, f->path, getuid(), in_ms(2000)), 0);
	assert_int_equal(sp_request(c, "q", 1, &r, &n, 64, in_ms(2000)),
	                 AL_EPROTO);
	assert_null(r);
	/* The stream is unusable afterwards. */
	assert_int_equal(sp_request(c, "q", 1, &r, &n, 64, in_ms(2000)),
	                 AL_ECONN);
	sp_close(c);
	fake_stop(f);
	free(f);
}

/* A server that accepts but never sends its header: the first request
 * times out at the connect deadline, not at the (long) request one. */
static void
test_pipelined_silent_server(void **state)
{
	struct fake *f = fake_start(FAKE_SILENT, rep_header);
	struct sp_conn *c = NULL;
	char *r = NULL;
	size_t n = 0;

	(void)state;
	assert_int_equal(
	        sp_connect_pipelined(&c, f->path, getuid(), in_ms(200)), 0);
	int64_t t0 = sp_now_ms();
	assert_int_equal(sp_request(c, "q", 1, &r, &n, 64, in_ms(30000)),
	                 AL_ETIMEDOUT);
	assert_true(sp_now_ms() - t0 < 5000);
	assert_int_equal(sp_request(c, "q", 1, &r, &n, 64, in_ms(2000)),
	                 AL_ECONN);
	sp_close(c);
	fake_stop(f);
	assert_true(f->ok); /* our header went out */
	assert_memory_equal(f->client_header, req_header, 8);
	free(f);
}

/*
 * Against a fake server, not nng: a client that hangs up before the SP
 * handshake stops a libnng 1.5.2 listener for good (nng #1518; the first
 * refused connect did it here), and an idle connect+close can leak a pipe
 * at nng_close, which LeakSanitizer reports.
 */
static void
test_wrong_uid(void **state)
{
	struct fake *f = fake_start(FAKE_HEADER, rep_header);
	struct sp_conn *c = NULL;

	(void)state;
	assert_int_equal(sp_connect(&c, f->path, getuid() + 1, in_ms(2000)),
	                 AL_EPERM);
	assert_null(c);
	assert_int_equal(sp_connect(&c, f->path, getuid(), in_ms(2000)), 0);
	sp_close(c);
	assert_int_equal(sp_connect(&c, f->path, (uid_t)-1, in_ms(2000)), 0);
	sp_close(c);
	fake_stop(f);
	free(f);
}

static void
test_fake_stale_ids(void **state)
{
	struct fake *f = fake_start(FAKE_STALE, rep_header);
	struct sp_conn *c = NULL;
	char *r = NULL;
	size_t n = 0;

	(void)state;
	assert_int_equal(sp_connect(&c, f->path, getuid(), in_ms(2000)), 0);
	assert_int_equal(sp_request(c, "question", 8, &r, &n, 100, in_ms(2000)),
	                 0);
	assert_string_equal(r, "right");
	free(r);
	sp_close(c);
	fake_stop(f);
	/* Byte for byte what the client put on the wire. */
	assert_memory_equal(f->client_header, req_header, 8);
	assert_int_equal(f->req_head[0], 0x01);
	assert_int_equal(be_get(f->req_head + 1, 8), 4 + 8);
	assert_true(be_get(f->req_head + 9, 4) & ID_FLAG);
	assert_memory_equal(f->req_body, "question", 8);
	assert_true(f->ok);
	free(f);
}

/* ---- the decoder on its own: malformed, truncated, oversized ---- */

static size_t
stream_put(unsigned char *s, uint32_t id, const char *body)
{
	memcpy(s, rep_header, 8);
	return 8 + frame_put(s + 8, id, body, strlen(body));
}

static void
test_decode_valid_and_truncated(void **state)
{
	unsigned char s[64];
	size_t len = stream_put(s, 0x80000007, "ok");
	char *r = NULL;
	size_t n = 0;

	(void)state;
	assert_int_equal(sp_decode_reply(s, len, 0x80000007, 2, &r, &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(r, "ok");
	free(r);
	r = NULL;
	for (size_t cut = 0; cut < len; cut++) {
		assert_int_equal(
		        sp_decode_reply(s, cut, 0x80000007, 64, &r, &n),
		        AL_ECONN);
		assert_null(r);
	}
	/* One byte under the body's length is too big. */
	assert_int_equal(sp_decode_reply(s, len, 0x80000007, 1, &r, &n),
	                 AL_ETOOBIG);
	/* A reply to another request only: the stream ends first. */
	assert_int_equal(sp_decode_reply(s, len, 0x80000008, 64, &r, &n),
	                 AL_ECONN);
	assert_null(r);
}

static void
test_decode_malformed(void **state)
{
	unsigned char s[64];
	size_t len = stream_put(s, 0x80000001, "ok");
	char *r = NULL;
	size_t n = 0;

	(void)state;
	s[8] = 0x02; /* message type */
	assert_int_equal(sp_decode_reply(s, len, 0x80000001, 64, &r, &n),
	                 AL_EPROTO);
	s[8] = 0x01;
	be_put(s + 9, 3, 8); /* too short to hold an id */
	assert_int_equal(sp_decode_reply(s, len, 0x80000001, 64, &r, &n),
	                 AL_EPROTO);
	be_put(s + 9, 0, 8);
	assert_int_equal(sp_decode_reply(s, len, 0x80000001, 64, &r, &n),
	                 AL_EPROTO);
	s[5] = 0x30; /* header from a REQ peer */
	assert_int_equal(sp_decode_reply(s, len, 0x80000001, 64, &r, &n),
	                 AL_EPROTO);
	assert_null(r);
}

/* Absurd declared lengths are refused before any allocation, and a stale
 * reply of such a length is read (here: runs out), never allocated. */
static void
test_decode_huge_lengths(void **state)
{
	static const uint64_t lens[] = { UINT64_MAX, UINT64_C(1) << 63,
		                         (uint64_t)SIZE_MAX, 1u << 30 };
	unsigned char s[64];
	size_t len = stream_put(s, 0x80000001, "ok");
	char *r = NULL;
	size_t n = 0;

	(void)state;
	for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++) {
		be_put(s + 9, lens[i], 8);
		assert_int_equal(
		        sp_decode_reply(s, len, 0x80000001, 1 << 20, &r, &n),
		        AL_ETOOBIG);
		assert_int_equal(
		        sp_decode_reply(s, len, 0x80000002, 1 << 20, &r, &n),
		        AL_ECONN);
	}
	be_put(s + 9, 6, 8);
	assert_int_equal(sp_decode_reply(s, len, 0x80000001, SIZE_MAX, &r, &n),
	                 0);
	assert_string_equal(r, "ok");
	free(r);
}

static void
test_decode_skips_stale(void **state)
{
	unsigned char s[128];
	size_t len = stream_put(s, 0x80000001, "old");
	char *r = NULL;
	size_t n = 0;

	(void)state;
	len += frame_put(s + len, 0x00000002, "noflag", 6);
	len += frame_put(s + len, 0x80000002, "", 0);
	len += frame_put(s + len, 0x80000002, "second", 6);
	/* The first matching reply wins, even an empty one. */
	assert_int_equal(sp_decode_reply(s, len, 0x80000002, 64, &r, &n), 0);
	assert_int_equal(n, 0);
	free(r);
}

/* ---- timing ---- */

static int64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int
cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a;
	int64_t y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

static void
report(const char *what, int64_t *ns, size_t count)
{
	qsort(ns, count, sizeof *ns, cmp_i64);
	printf("sp timing: %s: median %.1f us, p99 %.1f us (n=%zu)\n", what,
	       (double)ns[count / 2] / 1000.0,
	       (double)ns[count * 99 / 100] / 1000.0, count);
}

static void
test_round_trip_time(void **state)
{
	static const char body[256] = "{\"tool\":\"Bash\"}";
	int64_t *ns = calloc(TIMING_ROUNDS, sizeof *ns);
	struct server *s = *state;
	struct sp_conn *c = must_connect(s);
	char *r;
	size_t n;

	for (int i = 0; i < TIMING_ROUNDS; i++) {
		int64_t t0 = now_ns();

		assert_int_equal(sp_request(c, body, sizeof body, &r, &n, 4096,
		                            in_ms(2000)),
		                 0);
		ns[i] = now_ns() - t0;
		free(r);
	}
	sp_close(c);
	report("256 B request on one connection", ns, TIMING_ROUNDS);
	for (int i = 0; i < CONNECT_ROUNDS; i++) {
		int64_t t0 = now_ns();

		c = must_connect(s);
		assert_int_equal(sp_request(c, body, sizeof body, &r, &n, 4096,
		                            in_ms(2000)),
		                 0);
		sp_close(c);
		ns[i] = now_ns() - t0;
		free(r);
	}
	report("connect + 256 B request + close", ns, CONNECT_ROUNDS);
	free(ns);
}

#define SERVER_TEST(fn) \
	cmocka_unit_test_setup_teardown(fn, server_setup, server_teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		SERVER_TEST(test_round_trip_small),
		SERVER_TEST(test_pipelined_round_trip),
		SERVER_TEST(test_round_trip_1mib),
		SERVER_TEST(test_sequential),
		SERVER_TEST(test_server_close_while_waiting),
		SERVER_TEST(test_deadline_then_stale_reply),
		SERVER_TEST(test_reply_too_big),
		SERVER_TEST(test_request_over_server_limit),
		cmocka_unit_test(test_wrong_uid),
		SERVER_TEST(test_connect_missing),
		SERVER_TEST(test_connect_refused),
		cmocka_unit_test(test_connect_bad_path),
		cmocka_unit_test(test_fake_bad_header),
		cmocka_unit_test(test_pipelined_bad_header),
		cmocka_unit_test(test_pipelined_silent_server),
		cmocka_unit_test(test_fake_stale_ids),
		cmocka_unit_test(test_decode_valid_and_truncated),
		cmocka_unit_test(test_decode_malformed),
		cmocka_unit_test(test_decode_huge_lengths),
		cmocka_unit_test(test_decode_skips_stale),
		SERVER_TEST(test_round_trip_time),
	};

	int failed = cmocka_run_group_tests(tests, NULL, NULL);

	/* Waits for nng's reaper, so that LeakSanitizer sees no half-freed
	 * sockets at exit. */
	nng_fini();
	return failed;
}
