#include "ipc/doctor.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "core/buf.h"
#include "core/xalloc.h"

#define DOCTOR_MANAGED "/etc/claude-code/managed-settings.json"

static struct doctor_check *
doctor_add(struct doctor_report *r, const char *name, bool ok)
{
	struct doctor_check *c = &r->checks[r->nchecks++];

	c->name = name;
	c->ok = ok;
	c->detail[0] = '\0';
	return c;
}

static char *
doctor_slurp(const char *path)
{
	return buf_read_file_max(path, 1 << 20);
}

static long
doctor_read_long(const char *root, const char *rel, long missing)
{
	char *path = xasprintf("%s/%s", root, rel);
	char *text = doctor_slurp(path);
	long v = text ? strtol(text, NULL, 10) : missing;

	free(path);
	free(text);
	return v;
}

/* Managed settings: the hook installed where the user cannot remove it,
 * and Claude Code's sandbox on and failing hard. */
static void
doctor_managed(const struct doctor_opts *o, struct doctor_report *r)
{
	const char *path =
	        o->managed_settings ? o->managed_settings : DOCTOR_MANAGED;
	char *text = doctor_slurp(path);
	cJSON *root = text ? cJSON_Parse(text) : NULL;
	struct doctor_check *c;

	c = doctor_add(r, "hook in managed settings",
	               text && strstr(text, "airlock-hook") != NULL);
	snprintf(c->detail, sizeof c->detail, "%s",
	         text ? path : "no managed settings file");
	const cJSON *sb = cJSON_GetObjectItemCaseSensitive(root, "sandbox");
	bool on = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(sb, "enabled"));
	bool hard = cJSON_IsTrue(
	        cJSON_GetObjectItemCaseSensitive(sb, "failIfUnavailable"));
	c = doctor_add(r, "Claude Code sandbox on, failing hard", on && hard);
	snprintf(c->detail, sizeof c->detail,
	         "sandbox.enabled=%s, failIfUnavailable=%s",
	         on ? "true" : "false", hard ? "true" : "false");
	cJSON_Delete(root);
	free(text);
}

static void
doctor_kernel(const struct doctor_opts *o, struct doctor_report *r)
{
	const char *proc = o->proc_root ? o->proc_root : "/proc";
	long ptrace =
	        doctor_read_long(proc, "sys/kernel/yama/ptrace_scope", -1);
	long tiocsti = doctor_read_long(proc, "sys/dev/tty/legacy_tiocsti", -1);
	struct doctor_check *c;

	c = doctor_add(r, "ptrace restricted", ptrace >= 1);
	snprintf(c->detail, sizeof c->detail, "yama ptrace_scope=%ld%s", ptrace,
	         ptrace < 0 ? " (Yama not available)" : "");
	c = doctor_add(r, "TIOCSTI disabled", tiocsti == 0);
	snprintf(c->detail, sizeof c->detail, "dev.tty.legacy_tiocsti=%ld%s",
	         tiocsti,
	         tiocsti < 0 ? " (not controllable on this kernel)" : "");
}

static void
doctor_users(struct doctor_report *r)
{
	struct doctor_check *c;
	bool own = geteuid() != getuid() || getenv("SUDO_USER") != NULL;

	/* The daemon under its own user: this process is the daemon (or the
	 * approver's CLI); a daemon started by the approver runs as them. */
	c = doctor_add(r, "daemon under its own user", own);
	snprintf(c->detail, sizeof c->detail, "running as uid %lu",
	         (unsigned long)geteuid());
}

void
doctor_assess(const struct doctor_opts *o, struct doctor_report *out)
{
	static const struct doctor_opts none = { 0 };
	bool tier1 = true;

	memset(out, 0, sizeof *out);
	if (o == NULL) {
		o = &none;
	}
	doctor_managed(o, out);
	doctor_kernel(o, out);
	doctor_users(out);
	for (int i = 0; i < out->nchecks; i++) {
		tier1 = tier1 && out->checks[i].ok;
	}
	out->tier = tier1 ? 1 : 0;
	snprintf(
	        out->reason, sizeof out->reason, "%s",
	        tier1 ? "hook in managed settings, sandbox failing hard, "
	                "daemon "
	                "under its own user, ptrace and TIOCSTI restricted"
	              : "agent and approver share a Unix user with no sandbox: "
	                "the agent could forge approvals");
}

void
doctor_print(const struct doctor_report *r, FILE *out, bool json)
{
	if (json) {
		cJSON *o = cJSON_CreateObject();
		cJSON *arr = cJSON_AddArrayToObject(o, "checks");
		cJSON_AddNumberToObject(o, "tier", r->tier);
		cJSON_AddStringToObject(o, "reason", r->reason);
		for (int i = 0; i < r->nchecks; i++) {
			cJSON *c = cJSON_CreateObject();
			cJSON_AddStringToObject(c, "name", r->checks[i].name);
			cJSON_AddBoolToObject(c, "ok", r->checks[i].ok);
			cJSON_AddStringToObject(c, "detail",
			                        r->checks[i].detail);
			cJSON_AddItemToArray(arr, c);
		}
		char *s = cJSON_Print(o);
		fprintf(out, "%s\n", s);
		cJSON_free(s);
		cJSON_Delete(o);
		return;
	}
	fprintf(out, "isolation tier %d: %s\n", r->tier, r->reason);
	for (int i = 0; i < r->nchecks; i++) {
		fprintf(out, "  [%s] %-38s %s\n", r->checks[i].ok ? "ok" : "--",
		        r->checks[i].name, r->checks[i].detail);
	}
	if (r->tier == 0) {
		fprintf(out, "see docs/deployment.md for tiers 1 and 2\n");
	}
}
