/*
 * Alert rules and acknowledgement. After a call is recorded (and again
 * when a pending call ends) the daemon raises an alert, recorded and
 * published to every console, for what nobody should have to find by
 * reading transcripts:
 *
 *   denials    the session's denials (policy and human) reached a
 *              multiple of "alerts": {"denials": N} in the user policy
 *              (default 3; 0 turns it off): one alert per crossing
 *   new_host   a call names a network host no earlier call named
 *   privilege  a call with a privilege finding was allowed or asked
 *   tamper     a call with a self-protection (deny) tamper finding
 *
 * Every rule reads the store (committed rows), so they hold across
 * restarts and need no memory of their own.
 *
 * The control op "alert_ack" acknowledges an alert: approvers only
 * (decide rights, peer credentials), never a process the agent started;
 * the first acknowledgement wins and is published to every console.
 *
 *   request  {"v":1,"op":"alert_ack","id":N}
 *   reply    {"v":1,"ok":true,"alert":{...}} or code "exists" (already
 *            acknowledged; the error names by whom), "not_found",
 *            "forbidden", "invalid", "db"
 *   event    {"type":"alert_ack","alert":{...,"acked_by":..,"acked_ms":..}}
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <nng/nng.h>

#include "core/al.h"
#include "core/buf.h"
#include "core/redact.h"
#include "core/risk.h"
#include "core/xalloc.h"
#include "ipc/daemon_int.h"
#include "ipc/jsonutil.h"
#include "ipc/proto.h"

#define ALERTS_DENIALS_DEFAULT 3
#define ALERTS_QUOTE_MAX       120

/* ---- publishing --------------------------------------------------------- */

void
daemon_publish_obj(struct daemon *d, const char *type, struct cJSON *body)
{
	cJSON *o = cJSON_CreateObject();
	cJSON *it;
	char *s;

	d->seq++;
	cJSON_AddNumberToObject(o, "v", AIRLOCK_PROTO_VERSION);
	cJSON_AddStringToObject(o, "epoch", d->epoch);
	cJSON_AddNumberToObject(o, "seq", (double)d->seq);
	cJSON_AddStringToObject(o, "type", type);
	while (body != NULL && (it = body->child) != NULL) {
		cJSON_DetachItemViaPointer(body, it);
		cJSON_AddItemToObject(o, it->string, it);
	}
	cJSON_Delete(body);
	s = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	if (s != NULL) {
		nng_msg *m = daemon_text_msg(s, strlen(s));
		if (nng_sendmsg(d->pub, m, NNG_FLAG_NONBLOCK) != 0) {
			nng_msg_free(m);
		}
		cJSON_free(s);
	}
}

/* The alert object of the events and replies; message made safe for
 * consoles (secrets as markers; the stored copy is redacted already). */
cJSON *
daemon_alert_json(const struct audit_alert *al)
{
	cJSON *o = cJSON_CreateObject();
	const char *msg = al->message ? al->message : "";
	char *shown = redact_text(msg, strlen(msg), NULL);

	cJSON_AddNumberToObject(o, "id", (double)al->id);
	cJSON_AddStringToObject(o, "kind", al->kind ? al->kind : "");
	if (al->session_id != NULL) {
		cJSON_AddStringToObject(o, "session_id", al->session_id);
	} else {
		cJSON_AddNullToObject(o, "session_id");
	}
	cJSON_AddNumberToObject(o, "action_id", (double)al->action_id);
	cJSON_AddStringToObject(o, "message", shown);
	cJSON_AddNumberToObject(o, "created_ms", (double)al->created_ms);
	if (al->acked_ms > 0) {
		cJSON_AddStringToObject(o, "acked_by",
		                        al->acked_by ? al->acked_by : "");
		cJSON_AddNumberToObject(o, "acked_ms", (double)al->acked_ms);
	}
	free(shown);
	return o;
}

void
daemon_alert_publish(struct daemon *d, const struct audit_alert *al)
{
	cJSON *body = cJSON_CreateObject();
	cJSON *alert = daemon_alert_json(al);

	/* "text" for readers that predate the alert object. */
	cJSON_AddItemToObject(body, "alert", alert);
	cJSON_AddStringToObject(
	        body, "text",
	        cJSON_GetObjectItemCaseSensitive(alert, "message")
	                ->valuestring);
	daemon_publish_obj(d, "alert", body);
}

/* ---- rules -------------------------------------------------------------- */

/* A short single-line quote of agent text, cut on a UTF-8 boundary. */
static char *
alerts_quote(const char *s)
{
	struct buf b = { 0 };
	size_t n = 0;

	for (; s != NULL && s[n] != '\0'; n++) {
		unsigned char c = (unsigned char)s[n];
		if (n >= ALERTS_QUOTE_MAX && (c & 0xc0) != 0x80) {
			buf_puts(&b, "...");
			break;
		}
		buf_putc(&b, c < 0x20 || c == 0x7f ? ' ' : (char)c);
	}
	return buf_steal(&b);
}

/* The first finding of category cat (with severity sev, or any when sev
 * is negative), or NULL. */
static const struct risk_finding *
alerts_finding(const struct action *a, enum risk_cat cat, int sev)
{
	for (size_t i = 0; i < a->risk.nfindings; i++) {
		const struct risk_finding *f = &a->risk.findings[i];
		if (f->cat == cat && (sev < 0 || (int)f->severity == sev)) {
			return f;
		}
	}
	return NULL;
}

static void
alerts_raise(struct daemon *d, const char *kind, const struct action *a,
             const char *what, const char *why)
{
	char *quote = alerts_quote(a->summary ? a->summary : a->tool_name);
	char *msg =
	        xasprintf("%s: %s call %lld \"%s\" in session %s%s%s", what,
	                  a->tool_name ? a->tool_name : "a", (long long)a->id,
	                  quote, a->session_id ? a->session_id : "?",
	                  why ? ": " : "", why ? why : "");

	daemon_alert(d, kind, a->session_id, a->id, msg);
	free(msg);
	free(quote);
}

static void
alerts_tamper(struct daemon *d, const struct action *a)
{
	const struct risk_finding *f =
	        alerts_finding(a, RISK_TAMPER, RISK_SEV_DENY);

	if (f != NULL) {
		alerts_raise(d, AUDIT_ALERT_TAMPER, a,
		             "tamper attempt blocked by self-protection",
		             f->why);
	}
}

static void
alerts_privilege(struct daemon *d, const struct action *a)
{
	const struct risk_finding *f = alerts_finding(a, RISK_PRIVILEGE, -1);
	bool allowed = strcmp(a->verdict, "allow") == 0;

	if (f != NULL && (allowed || strcmp(a->verdict, "ask") == 0)) {
		alerts_raise(d, AUDIT_ALERT_PRIVILEGE, a,
		             allowed ? "privilege escalation allowed by policy"
		                     : "privilege escalation asked",
		             f->why);
	}
}

/* Hosts no call before this one named (ids below a->id: a host first
 * named twice in one batch is new only for the first call). */
static void
alerts_new_hosts(struct daemon *d, const struct action *a)
{
	struct buf hosts = { 0 };

	for (size_t i = 0; i < a->risk.nhosts; i++) {
		bool seen = true;
		pthread_mutex_lock(&d->db_mu);
		int rc = audit_host_seen(d->db, a->risk.hosts[i], a->id, &seen);
		pthread_mutex_unlock(&d->db_mu);
		if (rc == 0 && !seen) {
			buf_printf(&hosts, "%s%s", hosts.len ? ", " : "",
			           a->risk.hosts[i]);
		}
	}
	if (hosts.len > 0) {
		char *what =
		        xasprintf("egress to a host never seen before (%s, "
		                  "verdict %s)",
		                  hosts.data, a->verdict);
		alerts_raise(d, AUDIT_ALERT_NEW_HOST, a, what, NULL);
		free(what);
	}
	buf_free(&hosts);
}

/* "alerts": {"denials": N} of the user policy; the default when absent
 * or unreadable (policy_load.c rejects a bad value at load). */
static int64_t
alerts_denials_threshold(const struct daemon *d)
{
	cJSON *root = daemon_user_policy_json(d);
	const cJSON *n = cJSON_GetObjectItemCaseSensitive(
	        cJSON_GetObjectItemCaseSensitive(root, "alerts"), "denials");
	int64_t t = ALERTS_DENIALS_DEFAULT;

	if (cJSON_IsNumber(n) && n->valuedouble >= 0 &&
	    n->valuedouble <= 1000) {
		t = (int64_t)n->valuedouble;
	}
	cJSON_Delete(root);
	return t;
}

/* One alert each time the session's denials reach a multiple of the
 * threshold: the alerts already raised say how many crossings were. */
static void
alerts_denials(struct daemon *d, const struct action *a)
{
	int64_t t = alerts_denials_threshold(d);
	int64_t n = 0;
	int64_t raised = 0;

	if (t <= 0 || a->session_id == NULL) {
		return;
	}
	pthread_mutex_lock(&d->db_mu);
	int rc = audit_session_denials(d->db, a->session_id, &n);
	if (rc == 0) {
		rc = audit_count_alerts(d->db, AUDIT_ALERT_DENIALS,
		                        a->session_id, &raised);
	}
	pthread_mutex_unlock(&d->db_mu);
	if (rc != 0 || n / t <= raised) {
		return;
	}
	char *what = xasprintf("%lld denials in one session (alert every "
	                       "%lld); the latest",
	                       (long long)n, (long long)t);
	alerts_raise(d, AUDIT_ALERT_DENIALS, a, what,
	             a->state == ACTION_DENIED ? a->final_reason : a->reason);
	free(what);
}

void
daemon_alerts_after(struct daemon *d, const struct action *a)
{
	if (a == NULL || a->verdict == NULL || a->id <= 0) {
		return; /* not a decision: SessionStart, PostToolUse, ... */
	}
	if (a->state != ACTION_DECIDED && a->state != ACTION_PENDING) {
		/* A pending call ended: only a human denial counts. */
		if (a->state == ACTION_DENIED) {
			alerts_denials(d, a);
		}
		return;
	}
	alerts_tamper(d, a);
	alerts_privilege(d, a);
	if (a->risk.nhosts > 0) {
		alerts_new_hosts(d, a);
	}
	if (strcmp(a->verdict, "deny") == 0) {
		alerts_denials(d, a);
	}
}

/* ---- acknowledgement ---------------------------------------------------- */

static int
alerts_copy_json(const struct audit_alert *al, void *arg)
{
	cJSON **out = arg;

	*out = daemon_alert_json(al);
	return 0;
}

/* Already acknowledged: say by whom and when. */
static nng_msg *
alerts_ack_exists(struct daemon *d, int64_t id)
{
	cJSON *al = NULL;

	pthread_mutex_lock(&d->db_mu);
	audit_get_alert(d->db, id, alerts_copy_json, &al);
	pthread_mutex_unlock(&d->db_mu);
	const char *by = jsonutil_str(al, "acked_by");
	char *msg = xasprintf("alert %lld was already acknowledged by %s",
	                      (long long)id, by ? by : "someone");
	nng_msg *m = daemon_ctl_error("exists", msg);
	free(msg);
	cJSON_Delete(al);
	return m;
}

/* NULL when the peer may acknowledge, else the error reply. */
static nng_msg *
alerts_check_peer(struct daemon *d, uint64_t uid, uint64_t pid)
{
	return daemon_refuse_decider(d, uid, pid, "acknowledge an alert");
}

nng_msg *
daemon_alert_ack_op(struct daemon *d, const void *req, uint64_t uid,
                    uint64_t pid, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(req, "id");
	nng_msg *m = alerts_check_peer(d, uid, pid);
	cJSON *al = NULL;

	if (m != NULL) {
		return m;
	}
	if (!cJSON_IsNumber(v) || v->valuedouble < 1 ||
	    v->valuedouble != (double)(int64_t)v->valuedouble) {
		return daemon_ctl_error("invalid", "id must be an alert id");
	}
	int64_t id = (int64_t)v->valuedouble;
	pthread_mutex_lock(&d->db_mu);
	int rc = audit_ack_alert(d->db, id, name, (int64_t)uid,
	                         daemon_now_wall());
	if (rc == 0) {
		rc = audit_get_alert(d->db, id, alerts_copy_json, &al);
	}
	pthread_mutex_unlock(&d->db_mu);
	if (rc == AL_EEXIST) {
		return alerts_ack_exists(d, id);
	}
	if (rc == AL_ENOENT) {
		return daemon_ctl_error("not_found", "no such alert");
	}
	if (rc != 0) {
		return daemon_ctl_error("db", "the acknowledgement could not "
		                              "be recorded");
	}
	cJSON *ev = cJSON_CreateObject();
	cJSON_AddItemToObject(ev, "alert", cJSON_Duplicate(al, true));
	pthread_mutex_lock(&d->mu);
	daemon_publish_obj(d, "alert_ack", ev);
	pthread_mutex_unlock(&d->mu);
	cJSON *o = daemon_ctl_ok();
	cJSON_AddItemToObject(o, "alert", al);
	return daemon_ctl_reply(o);
}
