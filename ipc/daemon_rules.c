/*
 * Rules made by approvers from the console: "approve for this session"
 * and "approve always" (a rule proposed from a call, edited, checked
 * against the audit history, then saved to the user's policy file).
 *
 * Session rules live in <runtime_dir>/session-rules, one "session<TAB>rule"
 * per line: the daemon's state has no member for them, and the runtime
 * directory is private (0700), protected from the agent by the built-ins
 * like the policy file, emptied at reboot, and survives a daemon restart
 * (the session goes on). Only the daemon reads or writes it, under mu.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "core/al.h"
#include "core/buf.h"
#include "core/event.h"
#include "core/rule.h"
#include "core/xalloc.h"
#include "ipc/client.h"
#include "ipc/daemon_int.h"
#include "ipc/jsonutil.h"
#include "ipc/proto.h"

/* Findings that always go to a human, whatever an approver allowed. */
#define RULES_NEVER_LOOSEN                                       \
	(RISK_BIT(RISK_DESTRUCTIVE) | RISK_BIT(RISK_TAMPER) |    \
	 RISK_BIT(RISK_PRIVILEGE) | RISK_BIT(RISK_OBFUSCATION) | \
	 RISK_BIT(RISK_UNPARSED))
#define RULES_MAX_EXAMPLES 10
#define RULES_SCAN_PAGE    1000

/* ---- session rules -------------------------------------------------------
 */

static char *
rules_session_file(const struct daemon *d)
{
	return xasprintf("%s/session-rules", d->paths.runtime_dir);
}

/* Text fit for one field of a line: printable, no tab or line feed. */
static bool
rules_line_safe(const char *s)
{
	if (s == NULL || *s == '\0') {
		return false;
	}
	for (; *s; s++) {
		if ((unsigned char)*s < 0x20 || *s == 0x7f) {
			return false;
		}
	}
	return true;
}

/* Writes text to path through a temporary file and rename(), so a reader
 * (or a crash) never sees half a file. */
static int
rules_write_atomic(const char *path, const char *text, mode_t mode)
{
	char *tmp = xasprintf("%s.XXXXXX", path);
	int fd = mkstemp(tmp);
	size_t len = strlen(text);
	int rc = AL_EIO;

	if (fd < 0) {
		free(tmp);
		return AL_EIO;
	}
	if (fchmod(fd, mode) == 0 && write(fd, text, len) == (ssize_t)len &&
	    fsync(fd) == 0) {
		rc = 0;
	}
	if (close(fd) != 0 || (rc == 0 && rename(tmp, path) != 0)) {
		rc = AL_EIO;
	}
	if (rc != 0) {
		unlink(tmp);
	}
	free(tmp);
	return rc;
}

static int
rules_session_add(struct daemon *d, const char *session_id, const char *rule)
{
	char *path = rules_session_file(d);
	char *old = buf_read_file(path);
	char *line = xasprintf("%s\t%s\n", session_id, rule);
	char *text;
	int rc = 0;

	if (old == NULL || strstr(old, line) == NULL) {
		text = xasprintf("%s%s", old ? old : "", line);
		rc = rules_write_atomic(path, text, 0600);
		free(text);
	}
	free(line);
	free(old);
	free(path);
	return rc;
}

/* The first of the session's rules that covers ev, or NULL (caller
 * frees). */
static char *
rules_session_find(struct daemon *d, const struct event *ev,
                   const char *project)
{
	char *path = rules_session_file(d);
	char *text = buf_read_file(path);
	size_t idlen = strlen(ev->session_id);
	char *save = NULL;
	char *found = NULL;

	free(path);
	for (char *l = text ? strtok_r(text, "\n", &save) : NULL;
	     l != NULL && found == NULL; l = strtok_r(NULL, "\n", &save)) {
		struct rule *r = NULL;

		if (strncmp(l, ev->session_id, idlen) != 0 ||
		    l[idlen] != '\t' ||
		    rule_parse(&r, l + idlen + 1, NULL) != 0) {
			continue;
		}
		if (client_rules_match(r, ev, project, getenv("HOME"))) {
			found = xstrdup(l + idlen + 1);
		}
		rule_free(r);
	}
	free(text);
	return found;
}

/* Whether the policy's result may be turned into an allow at all. */
static bool
rules_loosenable(struct daemon *d, const struct event *ev,
                 const struct policy_result *pr, const char *project)
{
	uint32_t never = RULES_NEVER_LOOSEN;

	if (pr->verdict != POLICY_ASK || risk_report_has_deny(&pr->risk) ||
	    (pr->source != NULL && strcmp(pr->source, "builtin") == 0)) {
		return false;
	}
	/* a tainted session keeps asking for what taint guards */
	if (daemon_session_taint_why(d, ev->session_id) != NULL) {
		never |= policy_taint_mask(daemon_policy_for(d, project));
	}
	return (pr->risk.mask & never) == 0;
}

void
daemon_session_allow(struct daemon *d, const struct event *ev,
                     struct policy_result *pr)
{
	const char *project;
	char *rule;

	if (ev->session_id == NULL || ev->tool_name == NULL) {
		return;
	}
	project = daemon_session_project(d, ev->session_id, ev->cwd);
	if (!rules_loosenable(d, ev, pr, project)) {
		return;
	}
	rule = rules_session_find(d, ev, project);
	if (rule == NULL) {
		return;
	}
	pr->verdict = POLICY_ALLOW;
	free(pr->reason);
	pr->reason = xasprintf("allowed for this session by rule %s", rule);
	free(pr->rule);
	pr->rule = rule;
	free(pr->rule_file);
	pr->rule_file = NULL;
	free(pr->source);
	pr->source = xstrdup("session");
}

/* ---- helpers shared by the ops ---------------------------------------------
 */

static int64_t
rules_id(const cJSON *req)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(req, "id");

	return cJSON_IsNumber(v) ? (int64_t)v->valuedouble : 0;
}

/* NULL when the peer may decide, else the error reply. */
static nng_msg *
rules_check_peer(struct daemon *d, uint64_t uid, uint64_t pid)
{
	return daemon_refuse_decider(d, uid, pid, "make an approval rule");
}

/* Approves p as peer with reason; mu held. */
static nng_msg *
rules_approve(struct daemon *d, struct pend *p, uint64_t uid, uint64_t pid,
              const char *name, const char *reason, cJSON *ok)
{
	struct action *a = p->a;
	char *err = NULL;
	nng_msg *m;

	a->state = ACTION_APPROVED;
	a->final_reason = xstrdup(reason);
	a->approver = xstrdup(name);
	a->approver_uid = (int64_t)uid;
	a->approver_pid = (int64_t)pid;
	a->decided_ms = daemon_now_wall();
	if (daemon_finish(d, p, &err) != 0) {
		a->state = ACTION_PENDING;
		free(a->final_reason);
		free(a->approver);
		a->final_reason = a->approver = NULL;
		daemon_publish(d, "alert", NULL, err);
		m = daemon_ctl_error("db", err);
		free(err);
		cJSON_Delete(ok);
		return m;
	}
	return daemon_ctl_reply(ok);
}

/* The proposed rule for a pending action; mu held. */
static int
rules_propose_for(struct daemon *d, const struct action *a, char **rule,
                  const char **why)
{
	struct event *ev = NULL;
	const char *project;
	int rc;

	if (client_rules_event_from_action(a, &ev) != 0) {
		*why = "the call's input is not a JSON object";
		return AL_EINVAL;
	}
	project = daemon_session_project(d, a->session_id, a->cwd);
	rc = client_rules_propose_event(ev, project, getenv("HOME"), rule);
	event_free(ev);
	if (rc != 0) {
		*why = "no rule covers this call (a compound or complex "
		       "command?): write one";
	}
	return rc;
}

nng_msg *
daemon_rules_propose_op(struct daemon *d, const void *req, uint64_t uid,
                        uint64_t pid, const char *name)
{
	struct pend *p;
	char *rule = NULL;
	const char *why = "no such pending action";
	nng_msg *m;

	(void)uid;
	(void)pid;
	(void)name;
	pthread_mutex_lock(&d->mu);
	p = daemon_find_pending_id(d, rules_id(req));
	if (p == NULL || rules_propose_for(d, p->a, &rule, &why) != 0) {
		m = daemon_ctl_error(p ? "invalid" : "not_found", why);
	} else {
		cJSON *o = daemon_ctl_ok();

		cJSON_AddStringToObject(o, "rule", rule);
		m = daemon_ctl_reply(o);
	}
	pthread_mutex_unlock(&d->mu);
	free(rule);
	return m;
}

/* ---- the dry run ---------------------------------------------------------
 */

struct rules_scan {
	const struct rule *r;
	const char *home;
	int64_t last_id;
	int64_t scanned, matched, denied;
	cJSON *examples;
};

static bool
rules_was_denied(const struct action *a)
{
	return a->state == ACTION_DENIED ||
	       (a->state == ACTION_DECIDED && a->verdict != NULL &&
	        strcmp(a->verdict, "deny") == 0);
}

static int
rules_scan_one(const struct action *a, void *arg)
{
	struct rules_scan *s = arg;
	struct event *ev = NULL;

	s->last_id = a->id;
	/* calls decided one way or the other, not PostToolUse & co */
	if (a->verdict == NULL || a->tool_name == NULL ||
	    a->state == ACTION_PENDING ||
	    client_rules_event_from_action(a, &ev) != 0) {
		return 0;
	}
	s->scanned++;
	if (client_rules_match(s->r, ev, a->cwd, s->home)) {
		s->matched++;
		if (rules_was_denied(a)) {
			s->denied++;
			if (cJSON_GetArraySize(s->examples) <
			    RULES_MAX_EXAMPLES) {
				cJSON *e = cJSON_CreateObject();

				cJSON_AddNumberToObject(e, "id", (double)a->id);
				cJSON_AddStringToObject(e, "summary",
				                        a->summary ? a->summary
				                                   : "");
				cJSON_AddStringToObject(
				        e, "state",
				        action_state_name(a->state));
				cJSON_AddItemToArray(s->examples, e);
			}
		}
	}
	event_free(ev);
	return 0;
}

/* Pages through the whole store, oldest first; only db_mu is held, so
 * decisions keep flowing between pages. */
static int
rules_scan_all(struct daemon *d, struct rules_scan *s)
{
	int rc = 0;

	for (;;) {
		struct audit_range range = { .after_id = s->last_id,
			                     .limit = RULES_SCAN_PAGE };
		int64_t before = s->last_id;

		pthread_mutex_lock(&d->db_mu);
		rc = audit_scan_actions(d->db, &range, rules_scan_one, s);
		pthread_mutex_unlock(&d->db_mu);
		if (rc != 0 || s->last_id == before) {
			return rc;
		}
	}
}

nng_msg *
daemon_rules_check_op(struct daemon *d, const void *req, uint64_t uid,
                      uint64_t pid, const char *name)
{
	const char *text = jsonutil_str(req, "rule");
	struct rule *r = NULL;
	char *err = NULL;
	cJSON *o;
	nng_msg *m;

	(void)uid;
	(void)pid;
	(void)name;
	if (text == NULL || rule_parse(&r, text, &err) != 0) {
		m = daemon_ctl_error("invalid", err ? err : "a rule is needed");
		free(err);
		return m;
	}
	o = daemon_ctl_ok();
	struct rules_scan s = { .r = r,
		                .home = getenv("HOME"),
		                .examples = cJSON_CreateArray() };
	if (rules_scan_all(d, &s) != 0) {
		cJSON_Delete(s.examples);
		cJSON_Delete(o);
		rule_free(r);
		return daemon_ctl_error("db", "history scan failed");
	}
	cJSON_AddStringToObject(o, "rule", rule_text(r));
	cJSON_AddNumberToObject(o, "scanned", (double)s.scanned);
	cJSON_AddNumberToObject(o, "matched", (double)s.matched);
	cJSON_AddNumberToObject(o, "denied", (double)s.denied);
	cJSON_AddItemToObject(o, "denied_calls", s.examples);
	rule_free(r);
	return daemon_ctl_reply(o);
}

/* ---- approve for this session ----------------------------------------------
 */

nng_msg *
daemon_rules_session_op(struct daemon *d, const void *req, uint64_t uid,
                        uint64_t pid, const char *name)
{
	nng_msg *m = rules_check_peer(d, uid, pid);
	const char *why = "no such pending action";
	char *rule = NULL;
	struct pend *p;

	if (m != NULL) {
		return m;
	}
	pthread_mutex_lock(&d->mu);
	p = daemon_find_pending_id(d, rules_id(req));
	if (p == NULL) {
		m = daemon_ctl_error("not_found", why);
	} else if ((p->a->risk.mask & RULES_NEVER_LOOSEN) != 0 ||
	           risk_report_has_deny(&p->a->risk)) {
		m = daemon_ctl_error("invalid",
		                     "this call's findings always go to a "
		                     "human: approve it alone with a");
	} else if (!rules_line_safe(p->a->session_id) ||
	           rules_propose_for(d, p->a, &rule, &why) != 0) {
		m = daemon_ctl_error("invalid", why);
	} else if (!rules_line_safe(rule) ||
	           rules_session_add(d, p->a->session_id, rule) != 0) {
		m = daemon_ctl_error("io", "could not remember the rule");
	} else {
		char *reason = xasprintf("approved for this session: %s", rule);
		cJSON *o = daemon_ctl_ok();

		cJSON_AddStringToObject(o, "rule", rule);
		m = rules_approve(d, p, uid, pid, name, reason, o);
		free(reason);
	}
	pthread_mutex_unlock(&d->mu);
	free(rule);
	return m;
}

/* ---- approve always ------------------------------------------------------
 */

/* permissions.allow of the policy object, created when missing. */
static cJSON *
rules_allow_list(cJSON *pol)
{
	cJSON *perm = cJSON_GetObjectItemCaseSensitive(pol, "permissions");
	cJSON *allow;

	if (perm == NULL) {
		perm = cJSON_AddObjectToObject(pol, "permissions");
	}
	if (!cJSON_IsObject(perm)) {
		return NULL;
	}
	allow = cJSON_GetObjectItemCaseSensitive(perm, "allow");
	if (allow == NULL) {
		allow = cJSON_AddArrayToObject(perm, "allow");
	}
	return cJSON_IsArray(allow) ? allow : NULL;
}

/* Adds rule to the user's policy file, keeping everything else in it. A
 * file that does not parse is left alone: the approver fixes it first. */
static int
rules_save(const struct daemon *d, const char *rule, const char **why)
{
	char *old = buf_read_file(d->paths.policy_path);
	cJSON *pol = NULL;
	cJSON *allow;
	const cJSON *e;
	char *err = NULL;
	char *text;
	int rc;

	if (old != NULL &&
	    jsonutil_parse_strict(old, strlen(old), &pol, &err) != 0) {
		free(err);
		free(old);
		*why = "the policy file does not parse; fix it first";
		return AL_EPARSE;
	}
	free(old);
	pol = pol ? pol : cJSON_CreateObject();
	allow = cJSON_IsObject(pol) ? rules_allow_list(pol) : NULL;
	if (allow == NULL) {
		cJSON_Delete(pol);
		*why = "permissions.allow in the policy file is not a list";
		return AL_EINVAL;
	}
	cJSON_ArrayForEach (e, allow) {
		if (cJSON_IsString(e) && strcmp(e->valuestring, rule) == 0) {
			cJSON_Delete(pol);
			return 0; /* already there */
		}
	}
	cJSON_AddItemToArray(allow, cJSON_CreateString(rule));
	text = cJSON_Print(pol);
	cJSON_Delete(pol);
	char *withnl = xasprintf("%s\n", text);
	cJSON_free(text);
	rc = rules_write_atomic(d->paths.policy_path, withnl, 0600);
	free(withnl);
	*why = rc ? "could not write the policy file" : NULL;
	return rc;
}

nng_msg *
daemon_rules_always_op(struct daemon *d, const void *req, uint64_t uid,
                       uint64_t pid, const char *name)
{
	const char *text = jsonutil_str(req, "rule");
	nng_msg *m = rules_check_peer(d, uid, pid);
	const char *why = NULL;
	struct rule *r = NULL;
	char *err = NULL;
	struct pend *p;

	if (m != NULL) {
		return m;
	}
	if (text == NULL || !rules_line_safe(text) ||
	    rule_parse(&r, text, &err) != 0) {
		m = daemon_ctl_error("invalid", err ? err : "not a rule");
		free(err);
		return m;
	}
	pthread_mutex_lock(&d->mu);
	p = daemon_find_pending_id(d, rules_id(req));
	if (p == NULL) {
		m = daemon_ctl_error("not_found", "no such pending action");
	} else if (rules_save(d, rule_text(r), &why) != 0) {
		m = daemon_ctl_error("io", why);
	} else {
		char *reason = xasprintf("approved; rule %s saved to %s",
		                         rule_text(r), d->paths.policy_path);
		cJSON *o = daemon_ctl_ok();

		cJSON_AddStringToObject(o, "rule", rule_text(r));
		m = rules_approve(d, p, uid, pid, name, reason, o);
		free(reason);
	}
	pthread_mutex_unlock(&d->mu);
	rule_free(r);
	return m;
}
