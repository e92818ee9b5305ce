/* The daemon's hook socket: one event in, one decision out. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nng/nng.h>

#include "core/al.h"
#include "core/buf.h"
#include "core/event.h"
#include "core/sha256.h"
#include "core/xalloc.h"
#include "ipc/daemon_int.h"
#include "ipc/event_json.h"
#include "ipc/faultpoint.h"
#include "ipc/hookio.h"
#include "ipc/proto.h"

struct hook_header {
	char magic[16];
	int version;
	char request_id[PROTO_REQUEST_ID_LEN + 1];
	char flags[160];
	const char *body;
	size_t body_len;
};

static nng_msg *
hook_reply_msg(const struct hookio_reply *r)
{
	struct buf b = { 0 };
	nng_msg *m;

	hookio_format_reply(r, &b);
	m = daemon_text_msg(b.data, b.len);
	buf_free(&b);
	return m;
}

static nng_msg *
hook_simple_reply(const char *request_id, const char *event_name,
                  enum hookio_decision dec, const char *reason)
{
	struct hookio_reply r = { .decision = dec,
		                  .request_id = (char *)request_id,
		                  .hook_event_name = (char *)event_name,
		                  .reason = (char *)reason };

	return hook_reply_msg(&r);
}

nng_msg *
daemon_hook_reply_for(const struct action *a, const char *request_id)
{
	return daemon_hook_reply_ex(a, request_id, NULL, NULL);
}

nng_msg *
daemon_hook_reply_ex(const struct action *a, const char *request_id,
                     const char *context, const char *mcp_output)
{
	struct hookio_reply r = { .request_id = (char *)request_id,
		                  .additional_context = (char *)context,
		                  .updated_mcp_output = (char *)mcp_output,
		                  .hook_event_name = a->hook_event };
	char *reason = NULL;
	nng_msg *m;

	switch (a->state) {
	case ACTION_APPROVED:
		r.decision = HOOKIO_ALLOW;
		reason = xasprintf(
		        "approved by %s%s%s", a->approver ? a->approver : "?",
		        a->final_reason && *a->final_reason ? ": " : "",
		        a->final_reason ? a->final_reason : "");
		r.updated_input = a->edited_input;
		break;
	case ACTION_DECIDED:
		r.decision = a->verdict == NULL                 ? HOOKIO_NONE
		             : strcmp(a->verdict, "allow") == 0 ? HOOKIO_ALLOW
		                                                : HOOKIO_DENY;
		reason = xstrdup(a->reason);
		break;
	case ACTION_PENDING:
		r.decision = HOOKIO_DENY; /* never reached: pending is held */
		reason = xstrdup("airlock: still pending");
		break;
	default:
		r.decision = HOOKIO_DENY;
		reason = xasprintf(
		        "airlock: %s by %s: %s",
		        a->state == ACTION_TIMED_OUT ? "timed out" : "denied",
		        a->approver ? a->approver : "?",
		        a->final_reason ? a->final_reason : "no reason given");
		break;
	}
	r.reason = reason;
	m = hook_reply_msg(&r);
	free(reason);
	return m;
}

static bool
hook_valid_id(const char *s)
{
	if (strlen(s) != PROTO_REQUEST_ID_LEN) {
		return false;
	}
	for (; *s; s++) {
		if (!isxdigit((unsigned char)*s) ||
		    isupper((unsigned char)*s)) {
			return false;
		}
	}
	return true;
}

static int
hook_parse_header(const char *body, size_t len, struct hook_header *h)
{
	const char *nl = memchr(
	        body, '\n',
	        len < PROTO_MAX_HOOK_HEADER ? len : PROTO_MAX_HOOK_HEADER);
	char line[PROTO_MAX_HOOK_HEADER + 1];

	if (nl == NULL) {
		return AL_EPROTO;
	}
	memcpy(line, body, (size_t)(nl - body));
	line[nl - body] = '\0';
	if (sscanf(line, "%15s %d %32s %159s", h->magic, &h->version,
	           h->request_id, h->flags) != 4) {
		return AL_EPROTO;
	}
	h->body = nl + 1;
	h->body_len = len - (size_t)(nl + 1 - body);
	if (strcmp(h->magic, PROTO_HOOK_MAGIC) != 0) {
		return AL_EPROTO;
	}
	if (h->version != AIRLOCK_PROTO_VERSION) {
		return AL_EVERSION;
	}
	return hook_valid_id(h->request_id) ? 0 : AL_EPROTO;
}

static void
hook_record_malformed(struct daemon *d, struct repctx *rc, const char *raw,
                      size_t raw_len, size_t full_len, const char *sha,
                      const char *reason)
{
	char hex[SHA256_HEX_LEN + 1];
	struct audit_malformed m = { .raw = raw,
		                     .raw_len = raw_len < PROTO_RAW_KEEP
		                                        ? raw_len
		                                        : PROTO_RAW_KEEP,
		                     .full_len = full_len,
		                     .reason = reason,
		                     .received_ms = daemon_now_wall() };

	(void)rc;
	if (sha == NULL) {
		sha256_hex(raw, raw_len, hex);
		sha = hex;
	}
	m.sha256_hex = sha;
	pthread_mutex_lock(&d->mu);
	pthread_mutex_lock(&d->db_mu);
	int rc_db = audit_record_malformed(d->db, &m);
	pthread_mutex_unlock(&d->db_mu);
	if (rc_db != 0) {
		daemon_publish(
		        d, "alert", NULL,
		        "audit write failed while recording a malformed event");
	}
	pthread_mutex_unlock(&d->mu);
}

/* The event name of a refused event when it can still be read, so that the
 * hook can answer in the form this event honours. */
static char *
hook_guess_event_name(const char *raw, size_t len)
{
	struct hookio_event_info info;
	char *name = NULL;

	hookio_event_info(raw, len, &info);
	if (info.hook_event_name != NULL &&
	    event_kind_from_name(info.hook_event_name) != EVENT_OTHER) {
		name = xstrdup(info.hook_event_name);
	}
	hookio_event_info_clear(&info);
	return name;
}

/* Refuses a request: records the bounded raw copy, answers deny. */
static nng_msg *
hook_refuse(struct daemon *d, struct repctx *rc, const struct hook_header *h,
            const char *raw, size_t len, const char *why)
{
	char *reason = xasprintf("airlock: refused: %s", why);
	size_t full = len;
	char sha[SHA256_HEX_LEN + 1] = { 0 };
	nng_msg *m;

	if (h != NULL &&
	    sscanf(h->flags, "oversize=%zu,sha256=%64s", &full, sha) == 2) {
		hook_record_malformed(d, rc, raw, len, full, sha, reason);
	} else {
		hook_record_malformed(d, rc, raw, len, len, NULL, reason);
	}
	char *name = hook_guess_event_name(raw, len);
	m = hook_simple_reply(h ? h->request_id : NULL, name, HOOKIO_DENY,
	                      reason);
	free(reason);
	free(name);
	return m;
}

static nng_msg *
hook_refuse_event(struct daemon *d, struct repctx *rc,
                  const struct hook_header *h, const char *why)
{
	char *reason = xasprintf("airlock: refused: %s", why);
	char *name = hook_guess_event_name(h->body, h->body_len);
	nng_msg *m;

	hook_record_malformed(d, rc, h->body, h->body_len, h->body_len, NULL,
	                      reason);
	m = hook_simple_reply(h->request_id, name, HOOKIO_DENY, reason);
	free(reason);
	free(name);
	return m;
}

static void
hook_fill_action(struct action *a, const struct event *ev,
                 const char *request_id)
{
	a->request_id = xstrdup(request_id);
	a->session_id = xstrdup(ev->session_id);
	a->hook_event = xstrdup(ev->hook_event_name);
	a->tool_name = xstrdup(ev->tool_name);
	a->tool_use_id = xstrdup(ev->tool_use_id);
	a->cwd = xstrdup(ev->cwd);
	a->permission_mode = xstrdup(ev->permission_mode);
	a->tool_input = xstrdup(ev->tool_input_json);
	a->summary = event_summary(ev);
	a->received_ms = daemon_now_wall();
}

static int64_t
hook_approval_timeout(const struct daemon *d, const struct policy *p)
{
	if (d->opts.approval_timeout_ms > 0) {
		return d->opts.approval_timeout_ms;
	}
	return (int64_t)policy_approval_timeout(p) * 1000;
}

/* Decides with the session's project policy; called with mu held. */
static void
hook_apply_policy(struct daemon *d, const struct event *ev, struct action *a)
{
	struct policy_result pr = { 0 };
	const char *project =
	        daemon_session_project(d, ev->session_id, ev->cwd);
	const struct policy *pol = daemon_policy_for(d, project);
	const char *protected_paths[] = { d->paths.runtime_dir,
		                          d->paths.state_dir,
		                          d->paths.config_dir, d->self_dir };
	struct policy_ctx ctx = { .project_dir = project,
		                  .home = getenv("HOME"),
		                  .protected_paths = protected_paths,
		                  .nprotected = d->self_dir ? 4 : 3 };
	const char *taint = daemon_session_taint_why(d, ev->session_id);
	ctx.tainted = taint != NULL;
	if (policy_evaluate(pol, ev, &ctx, &pr) != 0) {
		pr.verdict = POLICY_ASK; /* never fail open */
	}
	if (pr.verdict == POLICY_ASK) {
		/* An approver's "allow for this session" (daemon_rules.c). */
		daemon_session_allow(d, ev, &pr);
	}
	a->verdict = xstrdup(policy_verdict_name(pr.verdict));
	a->tainted = taint != NULL;
	/* Beside a tainted session's calls, say what tainted it. */
	a->reason = taint ? xasprintf("%s" SESSION_TAINT_MARK "%s",
	                              pr.reason ? pr.reason : "policy", taint)
	                  : xstrdup(pr.reason ? pr.reason : "policy");
	a->rule = xstrdup(pr.rule);
	a->rule_file = xstrdup(pr.rule_file);
	a->source = xstrdup(pr.source);
	a->risk = pr.risk;
	memset(&pr.risk, 0,
	       sizeof pr.risk); /* A hook under another Unix user than ours: the
	                         * agent runs as its own user (tier 2), whatever
	                         * the host's other settings. */
	a->tier = a->tier == 2 ? 2 : d->tier;
	a->state = pr.verdict == POLICY_ASK ? ACTION_PENDING : ACTION_DECIDED;
	if (a->state == ACTION_PENDING) {
		a->deadline_ms = a->received_ms + hook_approval_timeout(d, pol);
	}
	policy_result_clear(&pr);
}

void
daemon_hold(struct daemon *d, struct action *a, struct waiter *waiters)
{
	struct pend *p = xcalloc(1, sizeof *p);

	p->a = a;
	p->deadline_mono =
	        daemon_now_mono() + (a->deadline_ms - a->received_ms);
	p->waiters = waiters;
	for (struct waiter *w = waiters; w != NULL; w = w->next) {
		w->rc->state = REPCTX_HELD;
		/* A hook that went away while its call was decided and
		 * committed: its connection's end was reported before there
		 * was anything to abandon, so report it again. */
		if (w->rc->conn != NULL && !daemon_hooksrv_open(w->rc)) {
			d->dead_pipes =
			        xrealloc(d->dead_pipes,
			                 (d->ndead + 1) * sizeof(uint32_t));
			d->dead_pipes[d->ndead++] = w->rc->pipe_id;
		}
	}
	p->next = d->pending;
	d->pending = p;
	daemon_publish(d, "pending", a, NULL);
	FAULTPOINT("hold_pending"); /* pending committed and announced */
}

nng_msg *
daemon_hook_error_reply(const char *request_id, const char *event,
                        bool decision, const char *why)
{
	return hook_simple_reply(request_id, event,
	                         decision ? HOOKIO_DENY : HOOKIO_NONE, why);
}

/* Decides, then queues the record: the hook is answered by the committer
 * once it is durable. Called with mu held. */
static void
hook_decide(struct daemon *d, struct repctx *rc, struct event *ev)
{
	struct action *a = action_new();
	bool decision = event_is_decision(ev);

	char *context = NULL;
	char *mcp_output = NULL;
	hook_fill_action(a, ev, rc->request_id);
	if (rc->peer_uid != UINT64_MAX && rc->peer_uid != (uint64_t)d->uid) {
		a->tier = 2;
	} else {
		a->tier = d->tier;
	}
	if (decision) {
		hook_apply_policy(d, ev, a);
	} else if (ev->kind == EVENT_POST_TOOL_USE ||
	           ev->kind == EVENT_POST_TOOL_USE_FAILURE) {
		daemon_post_process(d, ev, a, &context, &mcp_output);
	}
	FAULTPOINT("hook_decided"); /* decided, nothing written */
	daemon_commit_enqueue(d, rc, a, decision, context, mcp_output);
}

/* A retried request (same id): attach to the pending action, or answer
 * from the record (when in_db: the database is read only once per
 * request; a record committed after that makes the insert fail with
 * AL_EEXIST, answered from the record by the committer). Called with mu
 * held; *done is set when handled. */
static nng_msg *
hook_dedupe(struct daemon *d, struct repctx *rc, bool in_db, bool *done)
{
	struct pend *p = daemon_find_pending_req(d, rc->request_id);
	struct action *a = NULL;
	nng_msg *m;

	*done = true;
	struct commit_item *it = daemon_commit_find(d, rc->request_id);
	if (it != NULL) {
		struct waiter *w = xcalloc(1, sizeof *w);
		w->rc = rc;
		w->next = it->extra;
		it->extra = w;
		rc->state = REPCTX_HELD;
		return NULL;
	}
	if (p != NULL) {
		struct waiter *w = xcalloc(1, sizeof *w);
		w->rc = rc;
		w->next = p->waiters;
		p->waiters = w;
		p->orphan_since = 0;
		rc->state = REPCTX_HELD;
		return NULL;
	}
	if (!in_db) {
		*done = false;
		return NULL;
	}
	pthread_mutex_lock(&d->db_mu);
	int found = audit_find_request(d->db, rc->request_id, &a);
	pthread_mutex_unlock(&d->db_mu);
	if (found == 0) {
		m = daemon_hook_reply_for(a, rc->request_id);
		action_free(a);
		return m;
	}
	*done = false;
	return NULL;
}

nng_msg *
daemon_hook_handle(struct daemon *d, struct repctx *rc, nng_msg *req)
{
	const char *body = nng_msg_body(req);
	size_t len = nng_msg_len(req);
	struct hook_header h = { 0 };
	struct event *ev = NULL;
	char *err = NULL;
	bool done = false;
	nng_msg *m;
	int rc_h;

	if (len >= sizeof PROTO_PING_MAGIC - 1 &&
	    memcmp(body, PROTO_PING_MAGIC, sizeof PROTO_PING_MAGIC - 1) == 0) {
		static const char pong[] = "{\"v\":1,\"pong\":true}";
		return daemon_text_msg(pong, sizeof pong - 1);
	}
	rc_h = hook_parse_header(body, len, &h);
	if (rc_h == AL_EVERSION) {
		return hook_refuse(
		        d, rc, &h, body, len,
		        "protocol version mismatch between airlock-hook and "
		        "airlockd (reinstall airlock)");
	}
	if (rc_h != 0) {
		return hook_refuse(d, rc, NULL, body, len,
		                   "malformed hook request");
	}
	snprintf(rc->request_id, sizeof rc->request_id, "%s", h.request_id);
	if (strncmp(h.flags, "oversize=", 9) == 0) {
		return hook_refuse(d, rc, &h, h.body, h.body_len,
		                   "event over the 8 MiB limit");
	}
	/* A first attempt (PROTO_FLAG_NEW) cannot have a record yet unless
	 * someone reuses its id: then the request-id constraint refuses the
	 * second row and it is answered from the first (daemon_commit.c). */
	bool first = strcmp(h.flags, PROTO_FLAG_NEW) == 0;
	pthread_mutex_lock(&d->mu);
	m = hook_dedupe(d, rc, !first, &done);
	pthread_mutex_unlock(&d->mu);
	if (done) {
		return m;
	}
	if (event_json_parse(h.body, h.body_len, &ev, &err) != 0) {
		m = hook_refuse_event(d, rc, &h, err);
		free(err);
		return m;
	}
	pthread_mutex_lock(&d->mu);
	/* Check again under the lock: a retry may have raced this one. */
	m = hook_dedupe(d, rc, false, &done);
	if (!done) {
		hook_decide(d, rc, ev);
		m = NULL;
	}
	pthread_mutex_unlock(&d->mu);
	event_free(ev);
	return m;
}
