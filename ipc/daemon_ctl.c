/* The daemon's control socket: snapshot, decide, log, status. Approvers
 * are identified by the peer credentials of their connection, never by a
 * name they send. */
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <nng/nng.h>
#include <nng/transport/ipc/ipc.h>

#include "core/al.h"
#include "core/redact.h"
#include "core/xalloc.h"
#include "ipc/codec.h"
#include "ipc/daemon_int.h"
#include "ipc/jsonutil.h"
#include "ipc/proto.h"

struct peer {
	uint64_t uid;
	uint64_t pid;
	char name[64];
};

nng_msg *
daemon_ctl_reply(struct cJSON *o)
{
	char *s = cJSON_PrintUnformatted(o);
	nng_msg *m = daemon_text_msg(s ? s : "{}", s ? strlen(s) : 2);

	cJSON_free(s);
	cJSON_Delete(o);
	return m;
}

cJSON *
daemon_ctl_ok(void)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddNumberToObject(o, "v", AIRLOCK_PROTO_VERSION);
	cJSON_AddBoolToObject(o, "ok", true);
	return o;
}

static nng_msg *
ctl_error(const char *code, const char *msg)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddNumberToObject(o, "v", AIRLOCK_PROTO_VERSION);
	cJSON_AddBoolToObject(o, "ok", false);
	cJSON_AddStringToObject(o, "code", code);
	cJSON_AddStringToObject(o, "error", msg);
	return daemon_ctl_reply(o);
}

nng_msg *
daemon_ctl_error(const char *code, const char *msg)
{
	return ctl_error(code, msg);
}

static int
ctl_peer(nng_msg *req, struct peer *p)
{
	nng_pipe pipe = nng_msg_get_pipe(req);
	struct passwd pw;
	struct passwd *res = NULL;
	char buf[1024];

	memset(p, 0, sizeof *p);
	if (nng_pipe_get_uint64(pipe, NNG_OPT_IPC_PEER_UID, &p->uid) != 0 ||
	    nng_pipe_get_uint64(pipe, NNG_OPT_IPC_PEER_PID, &p->pid) != 0) {
		return AL_EPERM;
	}
	if (getpwuid_r((uid_t)p->uid, &pw, buf, sizeof buf, &res) == 0 &&
	    res != NULL) {
		snprintf(p->name, sizeof p->name, "%s", pw.pw_name);
	} else {
		snprintf(p->name, sizeof p->name, "uid %llu",
		         (unsigned long long)p->uid);
	}
	return 0;
}

static int
ctl_snapshot_alert(const struct audit_alert *al, void *arg)
{
	cJSON_AddItemToArray(arg, daemon_alert_json(al));
	return 0;
}

/* Unacknowledged alerts, so that a console that starts (or resyncs)
 * after an alert still shows it. */
static void
ctl_snapshot_alerts(struct daemon *d, cJSON *o)
{
	cJSON *arr = cJSON_AddArrayToObject(o, "alerts");

	if (d->db == NULL) {
		return;
	}
	pthread_mutex_lock(&d->db_mu);
	audit_list_alerts(d->db, true, 100, ctl_snapshot_alert, arr);
	pthread_mutex_unlock(&d->db_mu);
}

static nng_msg *
ctl_snapshot(struct daemon *d)
{
	cJSON *o = daemon_ctl_ok();
	cJSON *arr = cJSON_AddArrayToObject(o, "pending");

	pthread_mutex_lock(&d->mu);
	cJSON_AddStringToObject(o, "epoch", d->epoch);
	cJSON_AddNumberToObject(o, "seq", (double)d->seq);
	cJSON_AddNumberToObject(o, "tier", d->tier);
	cJSON_AddStringToObject(o, "tier_reason", d->tier_reason);
	for (struct pend *p = d->pending; p != NULL; p = p->next) {
		struct action *shown = action_redacted(p->a);
		cJSON_AddItemToArray(arr, codec_action_to_json(shown));
		action_free(shown);
	}
	ctl_snapshot_alerts(d, o);
	pthread_mutex_unlock(&d->mu);
	return daemon_ctl_reply(o);
}

static nng_msg *
ctl_status(struct daemon *d)
{
	cJSON *o = daemon_ctl_ok();
	int n = 0;

	pthread_mutex_lock(&d->mu);
	for (struct pend *p = d->pending; p != NULL; p = p->next) {
		n++;
	}
	cJSON_AddNumberToObject(o, "pid", (double)getpid());
	cJSON_AddStringToObject(o, "epoch", d->epoch);
	cJSON_AddNumberToObject(o, "seq", (double)d->seq);
	cJSON_AddNumberToObject(o, "pending", n);
	cJSON_AddNumberToObject(o, "uptime_ms",
	                        (double)(daemon_now_mono() - d->started_mono));
	cJSON_AddNumberToObject(
	        o, "approval_timeout_ms",
	        d->opts.approval_timeout_ms > 0
	                ? (double)d->opts.approval_timeout_ms
	                : 1000.0 * policy_approval_timeout(
	                                   daemon_policy_for(d, NULL)));
	cJSON_AddStringToObject(o, "database", d->paths.db_path);
	cJSON_AddStringToObject(o, "runtime_dir", d->paths.runtime_dir);
	cJSON_AddNumberToObject(o, "tier", d->tier);
	cJSON_AddStringToObject(o, "tier_reason", d->tier_reason);
	pthread_mutex_unlock(&d->mu);
	return daemon_ctl_reply(o);
}

struct ctl_log_ctx {
	cJSON *arr;
};

static int
ctl_log_one(const struct action *a, void *arg)
{
	struct ctl_log_ctx *c = arg;

	cJSON_AddItemToArray(c->arr, codec_action_to_json(a));
	return 0;
}

static int64_t
ctl_int(const cJSON *req, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(req, key);

	return cJSON_IsNumber(v) ? (int64_t)v->valuedouble : 0;
}

static nng_msg *
ctl_log(struct daemon *d, const cJSON *req)
{
	struct audit_query q = { .text = jsonutil_str(req, "query"),
		                 .session_id = jsonutil_str(req, "session_id"),
		                 .tool_name = jsonutil_str(req, "tool_name"),
		                 .verdict = jsonutil_str(req, "verdict"),
		                 .since_ms = ctl_int(req, "since_ms"),
		                 .until_ms = ctl_int(req, "until_ms"),
		                 .limit = (int)ctl_int(req, "limit") };
	const char *risk = jsonutil_str(req, "risk");
	enum risk_cat cat = RISK_BENIGN;
	cJSON *o;
	struct ctl_log_ctx c;
	int rc;

	/* The console's history filters (docs/protocol.md). */
	q.project = jsonutil_str(req, "project");
	q.approver = jsonutil_str(req, "approver");
	q.unsupervised = cJSON_IsTrue(
	        cJSON_GetObjectItemCaseSensitive(req, "unsupervised"));
	if (risk != NULL && !risk_cat_from_name(risk, &cat)) {
		return ctl_error("invalid", "unknown risk category");
	}
	q.risk_mask = risk != NULL ? RISK_BIT(cat) : 0;
	if (q.limit <= 0 || q.limit > 10000) {
		q.limit = 50;
	}
	o = daemon_ctl_ok();
	c.arr = cJSON_AddArrayToObject(o, "actions");
	/* History needs only the database, not the daemon's state. */
	pthread_mutex_lock(&d->db_mu);
	rc = audit_query(d->db, &q, ctl_log_one, &c);
	pthread_mutex_unlock(&d->db_mu);
	if (rc != 0) {
		cJSON_Delete(o);
		return ctl_error("db", "history query failed");
	}
	return daemon_ctl_reply(o);
}

/* The edited input must be a complete tool input: Claude Code replaces the
 * input with it entirely (omitted fields are dropped). */
static int
ctl_edited_input(const struct action *a, const cJSON *req, char **out,
                 const char **why)
{
	const cJSON *ui =
	        cJSON_GetObjectItemCaseSensitive(req, "updated_input");
	char *s;

	*out = NULL;
	if (ui == NULL || cJSON_IsNull(ui)) {
		return 0;
	}
	if (!cJSON_IsObject(ui)) {
		*why = "the edited input must be a JSON object";
		return AL_EINVAL;
	}
	if (a->tool_name && strcmp(a->tool_name, "Bash") == 0 &&
	    jsonutil_str(ui, "command") == NULL) {
		*why = "an edited Bash input needs a \"command\" string";
		return AL_EINVAL;
	}
	s = cJSON_PrintUnformatted(ui);
	/* The approver edited the redacted form: put the secrets they left
	 * in place back, so the command still runs as written. */
	*out = redact_restore(s, a->tool_input);
	cJSON_free(s);
	return 0;
}

static nng_msg *
ctl_not_pending(struct daemon *d, int64_t id)
{
	struct action *a = NULL;
	nng_msg *m;

	pthread_mutex_lock(&d->db_mu);
	int found = audit_get(d->db, id, &a);
	pthread_mutex_unlock(&d->db_mu);
	if (found != 0) {
		return ctl_error("not_found", "no such action");
	}
	if (a->state == ACTION_PENDING || a->state == ACTION_DECIDED) {
		m = ctl_error("not_found",
		              "that action is not waiting for a decision");
	} else {
		char *msg = xasprintf("already %s by %s",
		                      action_state_name(a->state),
		                      a->approver ? a->approver : "?");
		m = ctl_error("exists", msg);
		free(msg);
	}
	action_free(a);
	return m;
}

static nng_msg *
ctl_apply_decision(struct daemon *d, struct pend *p, const struct peer *peer,
                   bool approve, const char *reason, char *edited)
{
	char *err = NULL;
	struct action *a = p->a;
	nng_msg *m;

	a->state = approve ? ACTION_APPROVED : ACTION_DENIED;
	a->final_reason = xstrdup(reason);
	a->approver = xstrdup(peer->name);
	a->approver_uid = (int64_t)peer->uid;
	a->approver_pid = (int64_t)peer->pid;
	a->edited_input = edited;
	a->decided_ms = daemon_now_wall();
	if (daemon_finish(d, p, &err) != 0) {
		/* Not recorded, not decided: put the pending state back. */
		a->state = ACTION_PENDING;
		free(a->final_reason);
		free(a->approver);
		free(a->edited_input);
		a->final_reason = a->approver = a->edited_input = NULL;
		daemon_publish(d, "alert", NULL, err);
		m = ctl_error("db", err);
		free(err);
		return m;
	}
	return daemon_ctl_reply(daemon_ctl_ok());
}

static nng_msg *
ctl_decide(struct daemon *d, const cJSON *req, const struct peer *peer)
{
	const char *decision = jsonutil_str(req, "decision");
	const char *reason = jsonutil_str(req, "reason");
	int64_t id = ctl_int(req, "id");
	const char *why = NULL;
	char *edited = NULL;
	struct pend *p;
	nng_msg *m;

	if (decision == NULL || (strcmp(decision, "approve") != 0 &&
	                         strcmp(decision, "deny") != 0)) {
		return ctl_error("invalid", "decision must be approve or deny");
	}
	bool approve = strcmp(decision, "approve") == 0;
	if (!approve && (reason == NULL || *reason == '\0')) {
		return ctl_error("invalid", "a denial needs a reason");
	}
	nng_msg *refused = daemon_refuse_decider(d, peer->uid, peer->pid,
	                                         "decide a pending action");
	if (refused != NULL) {
		return refused;
	}
	pthread_mutex_lock(&d->mu);
	p = daemon_find_pending_id(d, id);
	if (p == NULL) {
		m = ctl_not_pending(d, id);
	} else if (ctl_edited_input(p->a, req, &edited, &why) != 0) {
		m = ctl_error("invalid", why);
	} else {
		m = ctl_apply_decision(d, p, peer, approve, reason, edited);
	}
	pthread_mutex_unlock(&d->mu);
	return m;
}

nng_msg *
daemon_ctl_handle(struct daemon *d, struct repctx *rc, nng_msg *req)
{
	cJSON *o = NULL;
	char *err = NULL;
	struct peer peer;
	const char *op;
	nng_msg *m;

	(void)rc;
	if (ctl_peer(req, &peer) != 0) {
		return ctl_error("forbidden", "no peer credentials");
	}
	if (jsonutil_parse_strict(nng_msg_body(req), nng_msg_len(req), &o,
	                          &err) != 0) {
		m = ctl_error("invalid", err);
		free(err);
		return m;
	}
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, "v");
	op = jsonutil_str(o, "op");
	if (!cJSON_IsNumber(v) || v->valueint != AIRLOCK_PROTO_VERSION) {
		m = ctl_error("version", "protocol version mismatch");
	} else if (op == NULL) {
		m = ctl_error("invalid", "missing op");
	} else if (!daemon_may(d, peer.uid, DAEMON_READ)) {
		m = ctl_error("forbidden", "this user may not use airlock's "
		                           "control socket (see approvers and "
		                           "reviewers in the policy)");
	} else if (strcmp(op, "snapshot") == 0) {
		m = ctl_snapshot(d);
	} else if (strcmp(op, "decide") == 0) {
		m = ctl_decide(d, o, &peer);
	} else if (strcmp(op, "log") == 0) {
		m = ctl_log(d, o);
	} else if (strcmp(op, "status") == 0) {
		m = ctl_status(d);
	} else {
		/* Ops that live in their own files (rules, retention, ...). */
		m = daemon_ctl_more(d, op, o, peer.uid, peer.pid, peer.name);
	}
	cJSON_Delete(o);
	return m;
}
