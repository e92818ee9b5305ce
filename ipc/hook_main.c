/*
 * airlock-hook: the program Claude Code spawns for every hook event.
 *
 * It reads the event on stdin, sends it to airlockd over the hook socket
 * (speaking nng's wire protocol itself: linking libnng would triple the
 * cost of every tool call), waits for the decision and prints it in the
 * exact form Claude Code honours. It must never fail: every path ends in
 * a well-formed answer, and no path prints allow unless the daemon said
 * allow. It prints nothing else on stdout.
 */
#include <errno.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "core/al.h"
#include "core/buf.h"
#include "core/paths.h"
#include "core/sha256.h"
#include "core/xalloc.h"
#include "ipc/hookio.h"
#include "ipc/proto.h"
#include "ipc/sp.h"

/* Stop reading stdin past this: an event this large is refused anyway,
 * and hashing an unbounded stream would let the agent stall the hook. */
#define HOOK_READ_LIMIT   (64u * 1024 * 1024)
#define HOOK_CONNECT_MS   1000
#define HOOK_RECONNECT_MS 15000 /* a restarting daemon gets this long */
/* Before the first connection: no daemon means an answer within 1 s, so
 * only a short retry for a daemon that is just starting. */
#define HOOK_FIRST_CONNECT_MS 100
/* A daemon that accepts connections but is slow to answer the handshake
 * is busy, not gone: it gets this long before the hook falls back. */
#define HOOK_BUSY_CONNECT_MS 5000

struct hook {
	struct paths paths;
	int64_t deadline_ms; /* monotonic */
	bool strict;
	uid_t daemon_uid;  /* the server's uid must be this (default: ours) */
	struct buf event;  /* the bytes kept (bounded) */
	size_t event_size; /* all bytes read */
	char event_sha[SHA256_HEX_LEN + 1];
	char request_id[PROTO_REQUEST_ID_LEN + 1];
};

static void
hook_read_stdin(struct hook *h)
{
	struct sha256 s;
	uint8_t d[SHA256_LEN];
	char chunk[65536];
	ssize_t n;

	sha256_init(&s);
	while (h->event_size < HOOK_READ_LIMIT &&
	       (n = read(STDIN_FILENO, chunk, sizeof chunk)) != 0) {
		if (n < 0) {
			if (errno == EINTR) {
				continue;
			}
			break;
		}
		sha256_update(&s, chunk, (size_t)n);
		if (h->event.len + (size_t)n <= PROTO_MAX_EVENT) {
			buf_append(&h->event, chunk, (size_t)n);
		}
		h->event_size += (size_t)n;
	}
	sha256_final(&s, d);
	for (int i = 0; i < SHA256_LEN; i++) {
		snprintf(h->event_sha + 2 * i, 3, "%02x", d[i]);
	}
}

static void
hook_new_request_id(struct hook *h)
{
	unsigned char r[16] = { 0 };
	struct timespec ts;

	if (getrandom(r, sizeof r, 0) != (ssize_t)sizeof r) {
		/* Uniqueness, not secrecy, is what matters here. */
		clock_gettime(CLOCK_REALTIME, &ts);
		memcpy(r, &ts, sizeof ts < sizeof r ? sizeof ts : sizeof r);
		r[15] ^= (unsigned char)getpid();
	}
	for (int i = 0; i < 16; i++) {
		snprintf(h->request_id + 2 * i, 3, "%02x", r[i]);
	}
}

/* Header line, then the event, or for an oversized event a bounded prefix
 * with the full size and hash so that the daemon can record it. A resend
 * (`first` false) drops the "new" flag: the daemon then looks for what it
 * recorded of the first send. */
static void
hook_build_request(const struct hook *h, bool first, struct buf *msg)
{
	bool oversize = h->event_size > h->event.len;
	size_t body = oversize ? PROTO_RAW_KEEP : h->event.len;

	buf_reset(msg);
	if (oversize) {
		buf_printf(msg, "%s %d %s oversize=%zu,sha256=%s\n",
		           PROTO_HOOK_MAGIC, AIRLOCK_PROTO_VERSION,
		           h->request_id, h->event_size, h->event_sha);
	} else {
		buf_printf(msg, "%s %d %s %s\n", PROTO_HOOK_MAGIC,
		           AIRLOCK_PROTO_VERSION, h->request_id,
		           first ? PROTO_FLAG_NEW : "-");
	}
	buf_append(msg, h->event.data ? h->event.data : "", body);
}

static int64_t
hook_min(int64_t a, int64_t b)
{
	return a < b ? a : b;
}

/*
 * Connects within the hook's deadline. Nothing listening (AL_ECONN) is
 * retried only until `until`: no daemon must mean a quick answer. A daemon
 * that accepts but is slow to finish the handshake (busy, many hooks at
 * once) is alive: that is retried for up to HOOK_BUSY_CONNECT_MS.
 */
static int
hook_connect(struct hook *h, struct sp_conn **conn, int64_t until)
{
	int64_t busy_until =
	        hook_min(sp_now_ms() + HOOK_BUSY_CONNECT_MS, h->deadline_ms);
	int rc;

	for (;;) {
		int64_t now = sp_now_ms();
		rc = sp_connect_pipelined(
		        conn, h->paths.hook_sock, h->daemon_uid,
		        hook_min(now + HOOK_CONNECT_MS, h->deadline_ms));
		if (rc == 0 || rc == AL_EPERM || rc == AL_EPROTO) {
			return rc;
		}
		if (rc == AL_ETIMEDOUT && sp_now_ms() < busy_until) {
			continue;
		}
		if (rc != AL_ECONN ||
		    sp_now_ms() + 50 >= hook_min(until, h->deadline_ms)) {
			return rc;
		}
		struct timespec ts = { 0, 50 * 1000 * 1000 };
		nanosleep(&ts, NULL);
	}
}

/*
 * Sends the request and waits for the decision. A dropped connection
 * (daemon restarted, listener recreated) is retried with the same request
 * id: the daemon deduplicates and the pending action survives a restart.
 */
static int
hook_exchange(struct hook *h, struct buf *msg, char **reply, size_t *reply_len,
              bool *sent)
{
	struct sp_conn *conn = NULL;
	bool ever_connected = false;
	int64_t busy_until =
	        hook_min(sp_now_ms() + HOOK_BUSY_CONNECT_MS, h->deadline_ms);
	int rc;

	*sent = false;
	for (;;) {
		int64_t until =
		        sp_now_ms() + (ever_connected ? HOOK_RECONNECT_MS
		                                      : HOOK_FIRST_CONNECT_MS);
		rc = hook_connect(h, &conn, until);
		if (rc != 0) {
			return rc;
		}
		ever_connected = true;
		hook_build_request(h, !*sent, msg);
		*sent = true;
		rc = sp_request(conn, msg->data, msg->len, reply, reply_len,
		                PROTO_MAX_HOOK_REPLY, h->deadline_ms);
		sp_close(conn);
		conn = NULL;
		/* The daemon's handshake header did not come within the
		 * connect deadline (sp_connect_pipelined): alive but busy,
		 * retried like a slow handshake; a late reply times out at
		 * the deadline, past busy_until. */
		if (rc == AL_ETIMEDOUT && sp_now_ms() < busy_until) {
			continue;
		}
		if (rc != AL_ECONN || sp_now_ms() >= h->deadline_ms) {
			return rc;
		}
	}
}

static const char *
hook_failure_text(int rc)
{
	switch (rc) {
	case AL_ECONN:
		return "the airlock daemon is not running";
	case AL_EPERM:
		return "the hook socket is served by another user (refused)";
	case AL_ETIMEDOUT:
		return "the airlock daemon is not answering";
	default:
		return "the airlock daemon gave no valid answer";
	}
}

/* The strict flag is read only on the fallback path, never on the fast
 * path: a cheap substring test on the policy file. */
static bool
hook_config_strict(const struct hook *h)
{
	FILE *f = fopen(h->paths.policy_path, "r");
	char buf[8192];
	size_t n;
	bool strict = false;

	if (f == NULL) {
		return false;
	}
	n = fread(buf, 1, sizeof buf - 1, f);
	buf[n] = '\0';
	fclose(f);
	strict = strstr(buf, "\"strict\": true") != NULL ||
	         strstr(buf, "\"strict\":true") != NULL;
	return strict;
}

static void
hook_decide(struct hook *h, struct hookio_reply *r)
{
	struct buf msg = { 0 };
	char *reply = NULL;
	size_t reply_len = 0;
	int rc;

	bool sent = false;
	rc = hook_exchange(h, &msg, &reply, &reply_len, &sent);
	buf_free(&msg);
	if (rc == 0 && hookio_parse_reply(reply, reply_len, r) == 0 &&
	    r->request_id != NULL &&
	    strcmp(r->request_id, h->request_id) == 0) {
		free(reply);
		return;
	}
	free(reply);
	hookio_reply_clear(r);

	struct hookio_event_info info;
	hookio_event_info(h->event.data ? h->event.data : "", h->event.len,
	                  &info);
	if (rc == AL_ETIMEDOUT && sent) {
		/* Waiting for a human ran out: deny, never ask. */
		r->hook_event_name = xstrdup(info.hook_event_name);
		r->decision = HOOKIO_DENY;
		r->reason = xstrdup("airlock: approval timed out");
	} else {
		hookio_fallback(&info, h->strict || hook_config_strict(h),
		                hook_failure_text(rc), r);
	}
	hookio_event_info_clear(&info);
}

static void
hook_usage(void)
{
	fprintf(stderr, "usage: airlock-hook [--home DIR] [--deadline SECONDS] "
	                "[--strict] [--daemon-user NAME] < event.json\n");
}

static int
hook_parse_args(struct hook *h, int argc, char **argv, const char **home,
                long *deadline_s)
{
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--home") == 0 && i + 1 < argc) {
			*home = argv[++i];
		} else if (strcmp(argv[i], "--deadline") == 0 && i + 1 < argc) {
			*deadline_s = strtol(argv[++i], NULL, 10);
		} else if (strcmp(argv[i], "--daemon-user") == 0 &&
		           i + 1 < argc) {
			/* Tier 2: the daemon runs as another user; only that
			 * user's socket is trusted. Unknown user: trust none.
			 */
			struct passwd *pw = getpwnam(argv[++i]);
			h->daemon_uid = pw ? pw->pw_uid : (uid_t)-2;
		} else if (strcmp(argv[i], "--strict") == 0) {
			h->strict = true;
		} else {
			return -1;
		}
	}
	if (*deadline_s <= 0) {
		*deadline_s = 570;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	struct hook h = { 0 };
	struct hookio_reply r = { 0 };
	struct buf out = { 0 };
	const char *home = NULL;
	long deadline_s = 0;
	int status;
	h.daemon_uid = geteuid();
	if (hook_parse_args(&h, argc, argv, &home, &deadline_s) != 0) {
		hook_usage();
		/* Still answer: a misconfigured hook must block, not pass. */
	}
	h.deadline_ms = sp_now_ms() + deadline_s * 1000;
	paths_init(&h.paths, home);
	hook_read_stdin(&h);
	hook_new_request_id(&h);
	hook_decide(&h, &r);
	status = hookio_render(&r, &out);
	if (status == 2) {
		fputs(out.data, stderr);
	} else if (out.len > 0) {
		fwrite(out.data, 1, out.len, stdout);
	}
	fflush(stdout);
	buf_free(&out);
	hookio_reply_clear(&r);
	buf_free(&h.event);
	paths_clear(&h.paths);
	return status;
}
