/*
 * Who may do what on the control socket. The user policy may name
 * approvers (may decide and read) and reviewers (may read the queue and
 * the history, never decide), by user name or group:
 *
 *   "approvers": {"users": ["alice"], "groups": ["oncall"]},
 *   "reviewers": {"users": ["audit"], "groups": ["security"]}
 *
 * Without "approvers", the daemon's own user and root approve. Identity
 * is always the connection's peer uid, never a name the client sends.
 */
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "core/buf.h"
#include "core/xalloc.h"
#include "ipc/daemon_int.h"
#include "ipc/jsonutil.h"

#define ACCESS_MAX_GROUPS 256

cJSON *
daemon_user_policy_json(const struct daemon *d)
{
	FILE *f = fopen(d->paths.policy_path, "r");
	struct buf b = { 0 };
	char chunk[4096];
	size_t n;
	cJSON *root = NULL;
	char *err = NULL;

	if (f == NULL) {
		return NULL;
	}
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0 &&
	       b.len < (1 << 20)) {
		buf_append(&b, chunk, n);
	}
	fclose(f);
	if (jsonutil_parse_strict(b.data ? b.data : "", b.len, &root, &err) !=
	    0) {
		root = NULL;
	}
	free(err);
	buf_free(&b);
	return root;
}

static bool
access_list_has(const cJSON *list, const char *name)
{
	const cJSON *e;

	cJSON_ArrayForEach (e, list) {
		if (cJSON_IsString(e) && strcmp(e->valuestring, name) == 0) {
			return true;
		}
	}
	return false;
}

/* Whether uid is named in a {"users": [...], "groups": [...]} object. */
static bool
access_member(const cJSON *who, uint64_t uid)
{
	struct passwd pw;
	struct passwd *res = NULL;
	char buf[2048];
	gid_t groups[ACCESS_MAX_GROUPS];
	int ng = ACCESS_MAX_GROUPS;

	if (who == NULL ||
	    getpwuid_r((uid_t)uid, &pw, buf, sizeof buf, &res) != 0 ||
	    res == NULL) {
		return false;
	}
	if (access_list_has(cJSON_GetObjectItemCaseSensitive(who, "users"),
	                    pw.pw_name)) {
		return true;
	}
	if (getgrouplist(pw.pw_name, pw.pw_gid, groups, &ng) < 0) {
		ng = 0;
	}
	for (int i = 0; i < ng; i++) {
		struct group gr;
		struct group *gres = NULL;
		char gbuf[4096];
		if (getgrgid_r(groups[i], &gr, gbuf, sizeof gbuf, &gres) == 0 &&
		    gres != NULL &&
		    access_list_has(
		            cJSON_GetObjectItemCaseSensitive(who, "groups"),
		            gr.gr_name)) {
			return true;
		}
	}
	return false;
}

bool
daemon_may(const struct daemon *d, uint64_t uid, enum daemon_access what)
{
	cJSON *root = daemon_user_policy_json(d);
	const cJSON *approvers =
	        cJSON_GetObjectItemCaseSensitive(root, "approvers");
	const cJSON *reviewers =
	        cJSON_GetObjectItemCaseSensitive(root, "reviewers");
	bool ok;

	if (uid == 0) {
		ok = true;
	} else if (approvers == NULL && uid == (uint64_t)d->uid) {
		ok = true;
	} else if (access_member(approvers, uid)) {
		ok = true;
	} else {
		ok = what == DAEMON_READ && access_member(reviewers, uid);
	}
	cJSON_Delete(root);
	return ok;
}

/* A heuristic, not a boundary (docs/security.md): processes started by
 * Claude Code inherit CLAUDECODE=1, so a control request from one of them
 * is the agent trying to decide, acknowledge or erase for itself. */
bool
daemon_peer_is_agent(uint64_t pid)
{
	char path[64];
	char buf[65536];
	FILE *f;
	size_t n;

	snprintf(path, sizeof path, "/proc/%llu/environ",
	         (unsigned long long)pid);
	f = fopen(path, "r");
	if (f == NULL) {
		return false;
	}
	n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	for (size_t i = 0; i < n; i += strlen(buf + i) + 1) {
		if (strcmp(buf + i, "CLAUDECODE=1") == 0) {
			return true;
		}
	}
	return false;
}

nng_msg *
daemon_refuse_decider(struct daemon *d, uint64_t uid, uint64_t pid,
                      const char *what)
{
	char *msg;

	if (!daemon_may(d, uid, DAEMON_DECIDE)) {
		msg = xasprintf("this user may not %s", what);
		nng_msg *m = daemon_ctl_error("forbidden", msg);
		free(msg);
		return m;
	}
	if (!daemon_peer_is_agent(pid)) {
		return NULL;
	}
	msg = xasprintf("a process started by the agent tried to %s (refused)",
	                what);
	pthread_mutex_lock(&d->mu);
	daemon_alert(d, AUDIT_ALERT_TAMPER, NULL, 0, msg);
	pthread_mutex_unlock(&d->mu);
	free(msg);
	return daemon_ctl_error(
	        "forbidden", "refused: this process was started by the agent");
}
