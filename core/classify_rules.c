#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/buf.h"
#include "core/classify_impl.h"
#include "core/xalloc.h"

/*
 * Per-command rules: what a known command does to files, history, data
 * stores, infrastructure, rights and secrets. Commands not listed are
 * treated as read-only here (the policy's default still applies to them).
 */

#define ADD(cat, sev, s, e, ...) classify_add(cx, cat, sev, s, e, __VA_ARGS__)
#define ASK                      RISK_SEV_ASK
#define DENY                     RISK_SEV_DENY

static bool
classify_has(const struct classify_args *a, const char *opt)
{
	for (size_t i = 1; i < a->n; i++) {
		if (strcmp(a->v[i].s, opt) == 0) {
			return true;
		}
	}
	return false;
}

/* -f anywhere in a group of short options (-fdx). */
static bool
classify_has_short(const struct classify_args *a, char c)
{
	for (size_t i = 1; i < a->n; i++) {
		const char *s = a->v[i].s;
		if (strcmp(s, "--") == 0) {
			return false;
		}
		if (s[0] == '-' && s[1] != '-' && strchr(s + 1, c) != NULL) {
			return true;
		}
	}
	return false;
}

static bool
classify_has_prefix(const struct classify_args *a, const char *pre)
{
	for (size_t i = 1; i < a->n; i++) {
		if (strncmp(a->v[i].s, pre, strlen(pre)) == 0) {
			return true;
		}
	}
	return false;
}

/* Index of the first operand (not an option) at or after from. */
static size_t
classify_operand(const struct classify_args *a, size_t from)
{
	while (from < a->n && a->v[from].s[0] == '-') {
		from++;
	}
	return from;
}

static const char *
classify_arg_at(const struct classify_args *a, size_t i)
{
	return i < a->n ? a->v[i].s : "";
}

/* Every operand is a path written in the given way. */
static void
classify_targets(struct classify_ctx *cx, const struct classify_args *a,
                 size_t from, const char *with_arg, enum classify_wr how)
{
	bool opts = true;

	for (size_t i = from; i < a->n; i++) {
		const char *s = a->v[i].s;
		if (opts && strcmp(s, "--") == 0) {
			opts = false;
			continue;
		}
		if (opts && s[0] == '-' && s[1] != '\0') {
			i += s[1] != '-' && strlen(s) == 2 &&
			     strchr(with_arg, s[1]) != NULL;
			continue;
		}
		classify_write_target(cx, &a->v[i], how);
	}
}

static void
classify_rm(struct classify_ctx *cx, const struct classify_args *a)
{
	if (a->stdin_unknown) {
		ADD(RISK_DESTRUCTIVE, ASK, a->start, a->end,
		    "deletes files named on stdin");
	}
	classify_targets(cx, a, 1, "", CLASSIFY_WR_DELETE);
}

static void
classify_shred(struct classify_ctx *cx, const struct classify_args *a)
{
	ADD(RISK_DESTRUCTIVE, ASK, a->start, a->end,
	    "overwrites files beyond recovery");
	classify_targets(cx, a, 1, "nsx", CLASSIFY_WR_DELETE);
}

static void
classify_truncate(struct classify_ctx *cx, const struct classify_args *a)
{
	ADD(RISK_DESTRUCTIVE, ASK, a->start, a->end, "truncates files");
	classify_targets(cx, a, 1, "sr", CLASSIFY_WR_MODIFY);
}

static void
classify_dd(struct classify_ctx *cx, const struct classify_args *a)
{
	for (size_t i = 1; i < a->n; i++) {
		struct classify_arg t = a->v[i];
		if (strncmp(t.s, "of=", 3) == 0) {
			t.s += 3;
			classify_write_target(cx, &t, CLASSIFY_WR_CREATE);
		} else if (strncmp(t.s, "if=", 3) == 0) {
			t.s += 3;
			classify_read_target(cx, &t);
		}
	}
}

static void
classify_disk(struct classify_ctx *cx, const struct classify_args *a)
{
	ADD(RISK_DESTRUCTIVE, ASK, a->start, a->end, "formats or wipes a disk");
}

/* cp/mv/install/ln: the destination (last operand or -t DIR). */
static void
classify_copy(struct classify_ctx *cx, const struct classify_args *a,
              const char *name)
{
	size_t last = 0;
	size_t nops = 0;
	bool mv = strcmp(name, "mv") == 0;

	for (size_t i = 1; i < a->n; i++) {
		const char *s = a->v[i].s;
		if ((strcmp(s, "-t") == 0 ||
		     strcmp(s, "--target-directory") == 0) &&
		    i + 1 < a->n) {
			classify_write_target(cx, &a->v[i + 1],
			                      CLASSIFY_WR_CREATE);
			return;
		}
		if (s[0] != '-') {
			if (mv && last != 0) {
				classify_write_target(cx, &a->v[last],
				                      CLASSIFY_WR_MODIFY);
			}
			last = i;
			nops++;
		}
	}
	if (last != 0 && (nops > 1 || strcmp(name, "ln") != 0)) {
		classify_write_target(cx, &a->v[last],
		                      strcmp(name, "ln") == 0
		                              ? CLASSIFY_WR_MODIFY
		                              : CLASSIFY_WR_CREATE);
	}
}

static void
classify_sed(struct classify_ctx *cx, const struct classify_args *a)
{
	bool inplace = classify_has_prefix(a, "-i") ||
	               classify_has_prefix(a, "--in-place");
	bool script_given = classify_has(a, "-e") || classify_has(a, "-f");
	bool first = true;

	if (!inplace) {
		return;
	}
	for (size_t i = 1; i < a->n; i++) {
		const char *s = a->v[i].s;
		if (s[0] == '-') {
			i += strcmp(s, "-e") == 0 || strcmp(s, "-f") == 0;
			continue;
		}
		if (first && !script_given) {
			first = false;
			continue;
		}
		classify_write_target(cx, &a->v[i], CLASSIFY_WR_MODIFY);
	}
}

static void
classify_tee(struct classify_ctx *cx, const struct classify_args *a)
{
	classify_targets(cx, a, 1, "",
	                 classify_has_short(a, 'a') ? CLASSIFY_WR_APPEND
	                                            : CLASSIFY_WR_CREATE);
}

static void
classify_touch(struct classify_ctx *cx, const struct classify_args *a)
{
	classify_targets(cx, a, 1, "dtrm", CLASSIFY_WR_MODIFY);
}

static void
classify_archive(struct classify_ctx *cx, const struct classify_args *a,
                 const char *name)
{
	for (size_t i = 1; i + 1 < a->n; i++) {
		const char *s = a->v[i].s;
		if (strcmp(s, "-C") == 0 || strcmp(s, "-d") == 0 ||
		    strcmp(s, "--directory") == 0) {
			classify_write_target(cx, &a->v[i + 1],
			                      CLASSIFY_WR_CREATE);
			return;
		}
	}
	if (strcmp(name, "tar") == 0 &&
	    (classify_has_short(a, 'x') || classify_has(a, "--extract"))) {
		classify_write_target(cx,
		                      &(struct classify_arg){ .s = ".",
		                                              .start = a->start,
		                                              .end = a->end },
		                      CLASSIFY_WR_CREATE);
	}
}

static void
classify_chmod(struct classify_ctx *cx, const struct classify_args *a,
               const char *name)
{
	size_t m = classify_operand(a, 1);
	const char *mode = classify_arg_at(a, m);
	bool setid = false;

	if (strcmp(name, "chmod") == 0) {
		setid = strchr(mode, 's') != NULL ||
		        (strlen(mode) == 4 && isdigit((unsigned char)mode[0]) &&
		         mode[0] >= '2' && mode[0] <= '7' && mode[0] != '3');
	} else {
		setid = strncmp(mode, "root", 4) == 0 ||
		        strncmp(mode, "0:", 2) == 0 || strcmp(mode, "0") == 0;
	}
	if (setid) {
		ADD(RISK_PRIVILEGE, ASK, a->v[m].start, a->v[m].end,
		    strcmp(name, "chmod") == 0 ? "sets the setuid/setgid bit"
		                               : "gives files to root");
	}
	for (size_t i = m + 1; i < a->n; i++) {
		if (a->v[i].s[0] != '-') {
			classify_write_target(cx, &a->v[i], CLASSIFY_WR_MODIFY);
		}
	}
}

static void
classify_chattr(struct classify_ctx *cx, const struct classify_args *a)
{
	for (size_t i = 1; i < a->n; i++) {
		const char *s = a->v[i].s;
		if (s[0] != '-' && s[0] != '+' && s[0] != '=') {
			classify_write_target(cx, &a->v[i], CLASSIFY_WR_MODIFY);
		}
	}
}

/* Whether any argument mentions airlock: killing the approval console or
 * daemon is tamper. */
static void
classify_kill(struct classify_ctx *cx, const struct classify_args *a)
{
	for (size_t i = 1; i < a->n; i++) {
		if (strcasestr(a->v[i].s, "airlock") != NULL) {
			ADD(RISK_TAMPER, DENY, a->v[i].start, a->v[i].end,
			    "stops airlock, the approval console");
			return;
		}
	}
}

/* airlock's own approver verbs: a process the agent starts may not decide
 * its own calls or remove its own supervision. */
static void
classify_airlock(struct classify_ctx *cx, const struct classify_args *a)
{
	static const char *const verbs[] = { "approve",   "deny",   "install",
		                             "uninstall", "daemon", "import",
		                             NULL };
	size_t v = 1;

	while (v < a->n && a->v[v].s[0] == '-') {
		v += strcmp(a->v[v].s, "--home") == 0 ? 2 : 1;
	}
	for (size_t k = 0; v < a->n && verbs[k]; k++) {
		if (strcmp(a->v[v].s, verbs[k]) == 0) {
			ADD(RISK_TAMPER, DENY, a->start, a->end,
			    "runs airlock's approver commands: the agent may "
			    "not "
			    "decide its own calls");
			return;
		}
	}
}

/* Typing into another terminal (the approver's console) or the desktop. */
static void
classify_keys(struct classify_ctx *cx, const struct classify_args *a,
              const char *name)
{
	static const char *const tmux[] = {
		"send-keys", "send", "paste-buffer", "pasteb", "pipe-pane",
		"pipep",     NULL
	};
	bool typing = strcmp(name, "xdotool") == 0 ||
	              strcmp(name, "ydotool") == 0 ||
	              strcmp(name, "wtype") == 0;

	for (size_t i = 1; !typing && i < a->n; i++) {
		for (size_t k = 0; tmux[k]; k++) {
			typing = typing || strcmp(a->v[i].s, tmux[k]) == 0;
		}
		typing = typing || (strcmp(name, "screen") == 0 &&
		                    strcmp(a->v[i].s, "stuff") == 0);
	}
	if (typing) {
		ADD(RISK_TAMPER, DENY, a->start, a->end,
		    "types into another terminal or the desktop (the "
		    "approver's console)");
	}
}

static void
classify_systemctl(struct classify_ctx *cx, const struct classify_args *a)
{
	static const char *const persist[] = { "enable",  "link",     "edit",
		                               "preset",  "reenable", "start",
		                               "restart", NULL };
	size_t v = classify_operand(a, 1);
	const char *verb = classify_arg_at(a, v);

	for (size_t i = v; i < a->n; i++) {
		if (strcasestr(a->v[i].s, "airlock") != NULL &&
		    strcmp(verb, "status") != 0) {
			ADD(RISK_TAMPER, DENY, a->v[i].start, a->v[i].end,
			    "controls airlock's own service");
			return;
		}
	}
	if (!classify_has(a, "--user")) {
		return;
	}
	for (size_t k = 0; persist[k]; k++) {
		if (strcmp(verb, persist[k]) == 0) {
			ADD(RISK_TAMPER, ASK, a->start, a->end,
			    "installs a systemd user unit (persistence)");
			return;
		}
	}
}

/* Lines of a crontab: the five time fields, then a command. */
static void
classify_cron_payload(struct classify_ctx *cx, const char *text, size_t start,
                      size_t end)
{
	const char *line = text;

	while (line && *line) {
		const char *nl = strchr(line, '\n');
		size_t n = nl ? (size_t)(nl - line) : strlen(line);
		char *l = xstrndup(line, n);
		char *p = l + strspn(l, " \t");
		int fields = p[0] == '@' ? 1 : 5;
		for (int f = 0; f < fields && *p && *p != '#'; f++) {
			p += strcspn(p, " \t");
			p += strspn(p, " \t");
		}
		if (*p && *p != '#' && !shell_is_assignment(p)) {
			classify_nested(cx, p, strlen(p), start, end, false);
		}
		free(l);
		line = nl ? nl + 1 : NULL;
	}
}

static void
classify_crontab(struct classify_ctx *cx, const struct classify_args *a)
{
	if (classify_has(a, "-l")) {
		return;
	}
	if (classify_has(a, "-r")) {
		ADD(RISK_DESTRUCTIVE, ASK, a->start, a->end,
		    "removes the whole crontab");
		return;
	}
	ADD(RISK_TAMPER, ASK, a->start, a->end,
	    "installs a crontab (persistence)");
	size_t idx = classify_cmd_index(cx, a);
	const struct shell_cmd *me = shell_tree_cmd(cx->tree, idx);
	if (me == NULL || me->stage == 0) {
		return;
	}
	for (size_t j = 0; j < idx; j++) {
		const struct shell_cmd *c = shell_tree_cmd(cx->tree, j);
		if (c->pipe_id == me->pipe_id && c->stage == me->stage - 1) {
			char *out = classify_stdout(cx, j);
			if (out != NULL) {
				classify_cron_payload(cx, out, c->start,
				                      c->end);
			}
			free(out);
		}
	}
}

static void
classify_claude(struct classify_ctx *cx, const struct classify_args *a)
{
	for (size_t i = 1; i < a->n; i++) {
		const char *s = a->v[i].s;
		const char *next = classify_arg_at(a, i + 1);
		if (strstr(s, "dangerously-skip-permissions") != NULL ||
		    strcmp(s, "--bare") == 0 || strstr(s, "disableAllHooks") ||
		    strstr(s, "bypassPermissions") ||
		    (strcmp(s, "--permission-mode") == 0 &&
		     strcmp(next, "bypassPermissions") == 0)) {
			ADD(RISK_TAMPER, DENY, a->v[i].start, a->v[i].end,
			    "launches an unsupervised agent (%s)", s);
			return;
		}
		if (strcmp(s, "--settings") == 0 && i + 1 < a->n) {
			bool hooks = strstr(next, "hooks") != NULL ||
			             strstr(next, "Hooks") != NULL;
			ADD(RISK_TAMPER, hooks ? DENY : ASK, a->v[i].start,
			    a->v[i + 1].end,
			    "launches an agent with other settings");
			return;
		}
	}
}

static const char *const classify_secret_words[] = {
	"TOKEN",       "SECRET",      "PASSWORD",   "PASSWD",     "API_KEY",
	"APIKEY",      "PRIVATE_KEY", "CREDENTIAL", "ACCESS_KEY", "AUTH",
	"SESSION_KEY", "PASSPHRASE",  NULL,
};

bool
classify_secret_var(const char *name)
{
	char up[128];
	size_t n = 0;

	for (; name[n] && n + 1 < sizeof up; n++) {
		up[n] = (char)toupper((unsigned char)name[n]);
	}
	up[n] = '\0';
	for (size_t i = 0; classify_secret_words[i]; i++) {
		if (strstr(up, classify_secret_words[i]) != NULL) {
			return true;
		}
	}
	return false;
}

static void
classify_env_dump(struct classify_ctx *cx, const struct classify_args *a,
                  const char *name)
{
	bool dump = false;

	if (strcmp(name, "printenv") == 0) {
		size_t o = classify_operand(a, 1);
		dump = o >= a->n || classify_secret_var(a->v[o].s);
	} else if (strcmp(name, "export") == 0 ||
	           strcmp(name, "declare") == 0 ||
	           strcmp(name, "typeset") == 0) {
		dump = a->n == 1 || (a->n == 2 && a->v[1].s[0] == '-');
		for (size_t i = 1; i < a->n; i++) {
			if (shell_is_assignment(a->v[i].s)) {
				struct shell_word w = {
					.text = (char *)a->v[i].s,
					.start = a->v[i].start,
					.end = a->v[i].end
				};
				const char *eq = strchr(w.text, '=');
				if (strncmp(w.text, "HIST", 4) == 0 &&
				    (strcmp(eq + 1, "/dev/null") == 0 ||
				     strcmp(eq + 1, "0") == 0 ||
				     eq[1] == '\0')) {
					ADD(RISK_TAMPER, ASK, w.start, w.end,
					    "suppresses shell history");
				}
			}
		}
	} else if (strcmp(name, "set") == 0) {
		dump = a->n == 1;
		if (classify_has(a, "history") && classify_has(a, "+o")) {
			ADD(RISK_TAMPER, ASK, a->start, a->end,
			    "turns off shell history");
		}
	} else if (strcmp(name, "unset") == 0) {
		if (classify_has_prefix(a, "HIST")) {
			ADD(RISK_TAMPER, ASK, a->start, a->end,
			    "suppresses shell history");
		}
	} else if (strcmp(name, "history") == 0) {
		if (classify_has_short(a, 'c') || classify_has_short(a, 'd')) {
			ADD(RISK_TAMPER, ASK, a->start, a->end,
			    "erases shell history");
		} else {
			ADD(RISK_SECRET_ACCESS, ASK, a->start, a->end,
			    "shell history often holds pasted credentials");
		}
	}
	if (dump) {
		ADD(RISK_SECRET_ACCESS, ASK, a->start, a->end,
		    "prints environment variables");
	}
}

static void
classify_alias(struct classify_ctx *cx, const struct classify_args *a)
{
	for (size_t i = 1; i < a->n; i++) {
		const char *eq = strchr(a->v[i].s, '=');
		if (eq == NULL) {
			continue;
		}
		ADD(RISK_OBFUSCATION, ASK, a->v[i].start, a->v[i].end,
		    "defines an alias that hides the real command");
		classify_nested(cx, eq + 1, strlen(eq + 1), a->v[i].start,
		                a->v[i].end, false);
	}
}

struct classify_secret_cmd {
	const char *name;
	const char *sub;  /* first operand, or NULL for any */
	const char *sub2; /* second operand prefix, or NULL */
};

/* Sorted by name (classify_lookup); entries of one name keep their order. */
static const struct classify_secret_cmd classify_secret_cmds[] = {
	{ "aws", "configure", "get" },
	{ "aws", "configure", "export-credentials" },
	{ "aws", "secretsmanager", "get-secret-value" },
	{ "aws", "sts", "get-session-token" },
	{ "aws", "ecr", "get-login-password" },
	{ "az", "account", "get-access-token" },
	{ "az", "keyvault", "secret" },
	{ "bw", "get", NULL },
	{ "docker", "inspect", NULL },
	{ "doppler", "secrets", NULL },
	{ "gcloud", "auth", "print-" },
	{ "gcloud", "secrets", "versions" },
	{ "gh", "auth", "token" },
	{ "git", "credential", "fill" },
	{ "glab", "auth", "status" },
	{ "gopass", "show", NULL },
	{ "heroku", "config", NULL },
	{ "heroku", "config:get", NULL },
	{ "heroku", "auth:token", NULL },
	{ "keyring", "get", NULL },
	{ "kubectl", "config", "view" },
	{ "kubectl", "get", "secret" },
	{ "kubectl", "describe", "secret" },
	{ "lpass", "show", NULL },
	{ "npm", "token", NULL },
	{ "op", "read", NULL },
	{ "op", "item", "get" },
	{ "pass", "show", NULL },
	{ "podman", "inspect", NULL },
	{ "rails", "credentials:show", NULL },
	{ "secret-tool", "lookup", NULL },
	{ "security", "find-generic-password", NULL },
	{ "security", "find-internet-password", NULL },
	{ "security", "dump-keychain", NULL },
	{ "security", "export", NULL },
	{ "vault", "kv", "get" },
	{ "vault", "read", NULL },
};

static void
classify_secret_tools(struct classify_ctx *cx, const char *name,
                      const struct classify_args *a)
{
	size_t s1 = classify_operand(a, 1);
	size_t s2 = classify_operand(a, s1 + 1);
	const char *sub = classify_arg_at(a, s1);
	const char *sub2 = classify_arg_at(a, s2);

	size_t n = sizeof classify_secret_cmds / sizeof *classify_secret_cmds;

	for (size_t k = classify_lookup(classify_secret_cmds, n,
	                                sizeof *classify_secret_cmds, name,
	                                strlen(name));
	     k < n && strcmp(name, classify_secret_cmds[k].name) == 0; k++) {
		const struct classify_secret_cmd *c = &classify_secret_cmds[k];
		if ((c->sub && strcmp(sub, c->sub) != 0) ||
		    (c->sub2 && strncmp(sub2, c->sub2, strlen(c->sub2)) != 0)) {
			continue;
		}
		if (strcmp(name, "kubectl") == 0 &&
		    strcmp(sub, "config") == 0 && !classify_has(a, "--raw")) {
			continue;
		}
		ADD(RISK_SECRET_ACCESS, ASK, a->start, a->end,
		    "reads credentials (%s %s)", name, sub);
		return;
	}
	if (strcmp(name, "pass") == 0 && a->n == 2 && sub[0] != '\0' &&
	    strcmp(sub, "ls") != 0 && strcmp(sub, "list") != 0) {
		ADD(RISK_SECRET_ACCESS, ASK, a->start, a->end,
		    "reads a password");
	}
}

/* SQL and data-store commands that drop or wipe data. */
static bool
classify_sql_danger(const char *q)
{
	static const char *const words[] = {
		"DROP TABLE",
		"DROP DATABASE",
		"DROP SCHEMA",
		"DROP INDEX",
		"DROP VIEW",
		"DROP USER",
		"DROP ROLE",
		"TRUNCATE",
		"DROPDATABASE",
		"FLUSHALL",
		"FLUSHDB",
		".DROP(",
		"DELETEMANY({})",
		"REMOVE({})",
		"DROP COLLECTION",
		"DROP KEYSPACE",
		NULL,
	};
	char *up = xstrdup(q);
	bool hit = false;

	for (char *p = up; *p; p++) {
		*p = (char)toupper((unsigned char)*p);
	}
	for (size_t i = 0; words[i] && !hit; i++) {
		hit = strstr(up, words[i]) != NULL;
	}
	for (char *d = up; !hit && (d = strstr(d, "DELETE")) != NULL; d += 6) {
		const char *semi = strchr(d, ';');
		char *w = strstr(d, "WHERE");
		hit = strstr(d, "FROM") != NULL &&
		      (w == NULL || (semi && w > semi));
	}
	free(up);
	return hit;
}

static void
classify_db(struct classify_ctx *cx, const struct classify_args *a)
{
	struct buf q = { 0 };
	bool has = false;
	size_t idx = classify_cmd_index(cx, a);
	char *in = classify_stdin(cx, idx, &has);

	for (size_t i = 1; i < a->n; i++) {
		buf_puts(&q, a->v[i].s);
		buf_putc(&q, '\n');
	}
	if (in != NULL) {
		buf_puts(&q, in);
	}
	if (q.data != NULL && classify_sql_danger(q.data)) {
		ADD(RISK_DESTRUCTIVE, ASK, a->start, a->end,
		    "drops or wipes database data");
	}
	free(in);
	buf_free(&q);
}

struct classify_destroy {
	const char *name;
	const char *sub;  /* an operand equal to this */
	const char *also; /* and an argument equal to this, or NULL */
	const char *why;
};

/* Sorted by name (classify_lookup); entries of one name keep their order. */
static const struct classify_destroy classify_destroys[] = {
	{ "docker", "prune", NULL, "prunes docker data" },
	{ "docker", "volume", "rm", "removes docker volumes" },
	{ "docker", "down", "-v", "removes compose volumes" },
	{ "docker", "down", "--volumes", "removes compose volumes" },
	{ "docker-compose", "down", "-v", "removes compose volumes" },
	{ "gh", "delete", NULL, "deletes on GitHub" },
	{ "gsutil", "rm", NULL, "deletes cloud objects" },
	{ "gsutil", "rb", NULL, "deletes a bucket" },
	{ "helm", "uninstall", NULL, "uninstalls a release" },
	{ "helm", "delete", NULL, "uninstalls a release" },
	{ "kubectl", "delete", NULL, "deletes cluster resources" },
	{ "kubectl", "drain", NULL, "evicts every pod from a node" },
	{ "npm", "unpublish", NULL, "unpublishes a package" },
	{ "podman", "prune", NULL, "prunes container data" },
	{ "podman", "volume", "rm", "removes volumes" },
	{ "pulumi", "destroy", NULL, "destroys infrastructure" },
	{ "pulumi", "up", "--yes", "applies without review" },
	{ "rclone", "purge", NULL, "purges remote storage" },
	{ "rclone", "delete", NULL, "deletes remote files" },
	{ "rclone", "deletefile", NULL, "deletes remote files" },
	{ "redis-cli", "FLUSHALL", NULL, "wipes every key" },
	{ "svn", "revert", NULL, "discards uncommitted changes" },
	{ "svn", "delete", NULL, "deletes from the repository" },
	{ "terraform", "destroy", NULL, "destroys infrastructure" },
	{ "terraform", "apply", "-auto-approve", "applies without review" },
	{ "terraform", "rm", NULL, "removes state" },
	{ "tofu", "destroy", NULL, "destroys infrastructure" },
	{ "tofu", "apply", "-auto-approve", "applies without review" },
	{ "vagrant", "destroy", NULL, "destroys a VM" },
	{ "virsh", "undefine", NULL, "deletes a VM" },
};

static bool
classify_destroy_cmds(struct classify_ctx *cx, const char *name,
                      const struct classify_args *a)
{
	size_t n = sizeof classify_destroys / sizeof *classify_destroys;

	for (size_t k = classify_lookup(classify_destroys, n,
	                                sizeof *classify_destroys, name,
	                                strlen(name));
	     k < n && strcmp(name, classify_destroys[k].name) == 0; k++) {
		const struct classify_destroy *d = &classify_destroys[k];
		if (classify_has(a, d->sub) &&
		    (d->also == NULL || classify_has(a, d->also))) {
			ADD(RISK_DESTRUCTIVE, ASK, a->start, a->end, "%s",
			    d->why);
			return true;
		}
	}
	return false;
}

/* aws/gcloud/az: delete-*, terminate-*, s3 rm|rb, "... delete". */
static void
classify_cloud(struct classify_ctx *cx, const char *name,
               const struct classify_args *a)
{
	char host[256];

	for (size_t i = 1; i < a->n; i++) {
		const char *s = a->v[i].s;
		if (strncmp(s, "delete", 6) == 0 ||
		    strncmp(s, "terminate", 9) == 0 ||
		    strncmp(s, "remove-", 7) == 0 || strcmp(s, "purge") == 0 ||
		    (strcmp(name, "aws") == 0 &&
		     (strcmp(s, "rm") == 0 || strcmp(s, "rb") == 0))) {
			ADD(RISK_DESTRUCTIVE, ASK, a->start, a->end,
			    "deletes cloud resources (%s)", s);
			return;
		}
	}
	for (size_t i = 1; i < a->n; i++) {
		if (classify_host_of(a->v[i].s, true, host, sizeof host) &&
		    (strncmp(host, "s3://", 5) == 0 ||
		     strncmp(host, "gs://", 5) == 0)) {
			classify_egress(cx, host, a->v[i].start, a->v[i].end,
			                "transfers to or from");
		}
	}
	if (strcmp(name, "gsutil") == 0 || strcmp(name, "rclone") == 0) {
		return;
	}
	size_t s1 = classify_operand(a, 1);
	if (strcmp(name, "aws") == 0 &&
	    strcmp(classify_arg_at(a, s1), "s3") != 0 &&
	    classify_has(a, "--endpoint-url")) {
		classify_urls_in_args(cx, a, 1);
	}
}

static void
classify_docker(struct classify_ctx *cx, const char *name,
                const struct classify_args *a)
{
	size_t s1 = classify_operand(a, 1);
	const char *sub = classify_arg_at(a, s1);
	char host[256];

	if (strcmp(sub, "run") == 0 || strcmp(sub, "create") == 0) {
		for (size_t i = s1 + 1; i < a->n; i++) {
			const char *s = a->v[i].s;
			const char *next = classify_arg_at(a, i + 1);
			if (strcmp(s, "--privileged") == 0 ||
			    strncmp(s, "--pid=host", 10) == 0 ||
			    strncmp(s, "--cap-add", 9) == 0 ||
			    ((strcmp(s, "-v") == 0 ||
			      strcmp(s, "--volume") == 0) &&
			     (strncmp(next, "/:", 2) == 0 ||
			      strstr(next, "docker.sock") != NULL))) {
				ADD(RISK_PRIVILEGE, ASK, a->v[i].start,
				    a->v[i].end,
				    "container with host root access");
				return;
			}
		}
		return;
	}
	if (strcmp(sub, "push") == 0 || strcmp(sub, "pull") == 0) {
		size_t img = classify_operand(a, s1 + 1);
		const char *ref = classify_arg_at(a, img);
		size_t n = strcspn(ref, "/");
		snprintf(host, sizeof host, "%.*s", (int)n, ref);
		if (ref[n] != '/' ||
		    (strchr(host, '.') == NULL && strchr(host, ':') == NULL &&
		     strcmp(host, "localhost") != 0)) {
			snprintf(host, sizeof host, "docker.io");
		}
		host[strcspn(host, ":")] = '\0';
		classify_egress(cx, host, a->start, a->end,
		                strcmp(sub, "push") == 0
		                        ? "pushes an image to"
		                        : "pulls an image from");
	}
	(void)name;
}

struct classify_pub {
	const char *name;
	const char *verb;
	const char *host; /* NULL: the URL operand names it */
};

static const struct classify_pub classify_pubs[] = {
	{ "npm", "publish", "registry.npmjs.org" },
	{ "pnpm", "publish", "registry.npmjs.org" },
	{ "yarn", "publish", "registry.npmjs.org" },
	{ "yarn", "npm", "registry.npmjs.org" },
	{ "twine", "upload", "upload.pypi.org" },
	{ "poetry", "publish", "upload.pypi.org" },
	{ "flit", "publish", "upload.pypi.org" },
	{ "hatch", "publish", "upload.pypi.org" },
	{ "uv", "publish", "upload.pypi.org" },
	{ "cargo", "publish", "crates.io" },
	{ "gem", "push", "rubygems.org" },
	{ "helm", "push", NULL },
	{ "dotnet", "nuget", "nuget.org" },
};

/* Package managers: installs are workspace work unless they fetch from a
 * URL; publishing is egress to the registry; registry redirection is
 * tamper. */
static void
classify_pkg(struct classify_ctx *cx, const char *name,
             const struct classify_args *a)
{
	size_t s1 = classify_operand(a, 1);
	const char *verb = classify_arg_at(a, s1);

	if (strcmp(verb, "config") == 0 &&
	    (strcasestr(classify_arg_at(a, s1 + 2), "registry") ||
	     strcasestr(classify_arg_at(a, s1 + 2), "index-url") ||
	     strcasestr(classify_arg_at(a, s1 + 2), "index_url")) &&
	    strcmp(classify_arg_at(a, s1 + 1), "set") == 0) {
		ADD(RISK_TAMPER, ASK, a->start, a->end,
		    "redirects the package registry");
		return;
	}
	for (size_t k = 0; k < sizeof classify_pubs / sizeof *classify_pubs;
	     k++) {
		if (strcmp(name, classify_pubs[k].name) != 0 ||
		    strcmp(verb, classify_pubs[k].verb) != 0) {
			continue;
		}
		size_t before = cx->out->nfindings;
		classify_urls_in_args(cx, a, s1 + 1);
		if (cx->out->nfindings == before) {
			classify_egress(cx, classify_pubs[k].host, a->start,
			                a->end, "publishes to");
		}
		return;
	}
	static const char *const inst[] = { "install", "i",      "add",
		                            "ci",      "update", "upgrade",
		                            "sync",    "remove", "uninstall",
		                            NULL };
	for (size_t k = 0; inst[k]; k++) {
		if (strcmp(verb, inst[k]) == 0) {
			size_t before = cx->out->nfindings;
			classify_urls_in_args(cx, a, s1 + 1);
			if (cx->out->nfindings == before) {
				ADD(RISK_WORKSPACE_WRITE, ASK, a->start, a->end,
				    "installs dependencies");
			}
			return;
		}
	}
}

static void
classify_gh(struct classify_ctx *cx, const struct classify_args *a)
{
	size_t s1 = classify_operand(a, 1);
	const char *sub = classify_arg_at(a, s1);

	if (a->n == 1 || strcmp(sub, "auth") == 0 || strcmp(sub, "help") == 0 ||
	    strcmp(sub, "config") == 0 || strcmp(sub, "alias") == 0 ||
	    classify_has(a, "--version") || classify_has(a, "delete")) {
		return;
	}
	classify_egress(cx, "github.com", a->start, a->end, "talks to");
}

static void
classify_make(struct classify_ctx *cx, const struct classify_args *a)
{
	for (size_t i = 1; i + 1 < a->n; i++) {
		const char *f = a->v[i + 1].s;
		if ((strcmp(a->v[i].s, "-f") == 0 ||
		     strcmp(a->v[i].s, "--file") == 0) &&
		    (strcmp(f, "-") == 0 || strncmp(f, "/dev/", 5) == 0 ||
		     (a->v[i + 1].flags & SHELL_W_PROCSUB))) {
			ADD(RISK_OBFUSCATION, ASK, a->v[i].start,
			    a->v[i + 1].end, "make runs a makefile from stdin");
			bool has = false;
			char *in = classify_stdin(cx, classify_cmd_index(cx, a),
			                          &has);
			if (in != NULL) {
				classify_nested(cx, in, strlen(in), a->start,
				                a->end, false);
			}
			free(in);
		}
	}
}

bool classify_git(struct classify_ctx *cx, const struct classify_args *a);

struct classify_rule {
	const char *name;
	void (*fn)(struct classify_ctx *cx, const struct classify_args *a,
	           const char *name);
};

static void
r_rm(struct classify_ctx *cx, const struct classify_args *a, const char *n)
{
	(void)n;
	classify_rm(cx, a);
}

static void
r_shred(struct classify_ctx *cx, const struct classify_args *a, const char *n)
{
	(void)n;
	classify_shred(cx, a);
}

static void
r_trunc(struct classify_ctx *cx, const struct classify_args *a, const char *n)
{
	(void)n;
	classify_truncate(cx, a);
}

static void
r_dd(struct classify_ctx *cx, const struct classify_args *a, const char *n)
{
	(void)n;
	classify_dd(cx, a);
}

static void
r_disk(struct classify_ctx *cx, const struct classify_args *a, const char *n)
{
	(void)n;
	classify_disk(cx, a);
}

static void
r_sed(struct classify_ctx *cx, const struct classify_args *a, const char *n)
{
	(void)n;
	classify_sed(cx, a);
}

static void
r_tee(struct classify_ctx *cx, const struct classify_args *a, const char *n)
{
	(void)n;
	classify_tee(cx, a);
}

static void
r_touch(struct classify_ctx *cx, const struct classify_args *a, const char *n)
{
	(void)n;
	classify_touch(cx, a);
}

static void
r_chattr(struct classify_ctx *cx, const struct classify_args *a, const char *n)
{
	(void)n;
	classify_chattr(cx, a);
}

static void
r_kill(struct classify_ctx *cx, const struct classify_args *a, const char *n)
{
	(void)n;
	classify_kill(cx, a);
}

static void
r_systemctl(struct classify_ctx *cx, const struct classify_args *a,
            const char *n)
{
	(void)n;
	classify_systemctl(cx, a);
}

static void
r_crontab(struct classify_ctx *cx, const struct classify_args *a, const char *n)
{
	(void)n;
	classify_crontab(cx, a);
}

static void
r_claude(struct classify_ctx *cx, const struct classify_args *a, const char *n)
{
	(void)n;
	classify_claude(cx, a);
}

static void
r_alias(struct classify_ctx *cx, const struct classify_args *a, const char *n)
{
	(void)n;
	classify_alias(cx, a);
}

static void
r_db(struct classify_ctx *cx, const struct classify_args *a, const char *n)
{
	(void)n;
	classify_db(cx, a);
}

static void
r_gh(struct classify_ctx *cx, const struct classify_args *a, const char *n)
{
	(void)n;
	classify_gh(cx, a);
}

static void
r_make(struct classify_ctx *cx, const struct classify_args *a, const char *n)
{
	(void)n;
	classify_make(cx, a);
}

static void
r_git(struct classify_ctx *cx, const struct classify_args *a, const char *n)
{
	(void)n;
	(void)classify_git(cx, a);
}

static void
r_priv(struct classify_ctx *cx, const struct classify_args *a, const char *n)
{
	ADD(RISK_PRIVILEGE, ASK, a->start, a->end, "changes rights (%s)", n);
}

static void
r_launchctl(struct classify_ctx *cx, const struct classify_args *a,
            const char *n)
{
	(void)n;
	if (classify_has(a, "load") || classify_has(a, "bootstrap") ||
	    classify_has(a, "submit") || classify_has(a, "enable")) {
		ADD(RISK_TAMPER, ASK, a->start, a->end,
		    "installs a launchd job (persistence)");
	}
}

static void
r_rsync(struct classify_ctx *cx, const struct classify_args *a, const char *n)
{
	char host[256];
	size_t last = 0;
	bool remote = false;

	(void)n;
	for (size_t i = 1; i < a->n; i++) {
		const char *s = a->v[i].s;
		if (s[0] == '-') {
			continue;
		}
		last = i;
		const char *colon = strchr(s, ':');
		const char *slash = strchr(s, '/');
		if (colon && (!slash || colon < slash) &&
		    classify_host_of(s, false, host, sizeof host)) {
			classify_egress(cx, host, a->v[i].start, a->v[i].end,
			                "syncs with");
			remote = true;
		}
	}
	if (last != 0 && !remote) {
		classify_write_target(cx, &a->v[last],
		                      classify_has_prefix(a, "--delete")
		                              ? CLASSIFY_WR_DELETE
		                              : CLASSIFY_WR_CREATE);
	}
}

static void
r_pkg(struct classify_ctx *cx, const struct classify_args *a, const char *n)
{
	classify_pkg(cx, n, a);
}

static void
r_cloud(struct classify_ctx *cx, const struct classify_args *a, const char *n)
{
	classify_cloud(cx, n, a);
}

static void
r_docker(struct classify_ctx *cx, const struct classify_args *a, const char *n)
{
	classify_docker(cx, n, a);
}

static void
r_copy(struct classify_ctx *cx, const struct classify_args *a, const char *n)
{
	classify_copy(cx, a, n);
}

static void
r_chmod(struct classify_ctx *cx, const struct classify_args *a, const char *n)
{
	classify_chmod(cx, a, n);
}

static void
r_archive(struct classify_ctx *cx, const struct classify_args *a, const char *n)
{
	classify_archive(cx, a, n);
}

static void
r_envdump(struct classify_ctx *cx, const struct classify_args *a, const char *n)
{
	classify_env_dump(cx, a, n);
}

static void
r_airlock(struct classify_ctx *cx, const struct classify_args *a, const char *n)
{
	(void)n;
	classify_airlock(cx, a);
}

static void
r_keys(struct classify_ctx *cx, const struct classify_args *a, const char *n)
{
	classify_keys(cx, a, n);
}

/* Sorted by name (classify_lookup). */
static const struct classify_rule classify_rule_table[] = {
	{ "adduser", r_priv },
	{ "airlock", r_airlock },
	{ "alias", r_alias },
	{ "aws", r_cloud },
	{ "az", r_cloud },
	{ "blkdiscard", r_disk },
	{ "bundle", r_pkg },
	{ "cargo", r_pkg },
	{ "chattr", r_chattr },
	{ "chgrp", r_chmod },
	{ "chmod", r_chmod },
	{ "chown", r_chmod },
	{ "chroot", r_priv },
	{ "claude", r_claude },
	{ "clickhouse-client", r_db },
	{ "cp", r_copy },
	{ "cqlsh", r_db },
	{ "crontab", r_crontab },
	{ "dd", r_dd },
	{ "declare", r_envdump },
	{ "docker", r_docker },
	{ "dotnet", r_pkg },
	{ "export", r_envdump },
	{ "fdisk", r_disk },
	{ "flit", r_pkg },
	{ "gcloud", r_cloud },
	{ "gem", r_pkg },
	{ "gh", r_gh },
	{ "git", r_git },
	{ "gmake", r_make },
	{ "groupadd", r_priv },
	{ "gsed", r_sed },
	{ "gsutil", r_cloud },
	{ "hatch", r_pkg },
	{ "helm", r_pkg },
	{ "history", r_envdump },
	{ "install", r_copy },
	{ "kill", r_kill },
	{ "killall", r_kill },
	{ "launchctl", r_launchctl },
	{ "ln", r_copy },
	{ "make", r_make },
	{ "mariadb", r_db },
	{ "mkdir", r_touch },
	{ "mkfs", r_disk },
	{ "mkswap", r_disk },
	{ "mongo", r_db },
	{ "mongosh", r_db },
	{ "mv", r_copy },
	{ "mysql", r_db },
	{ "newgrp", r_priv },
	{ "npm", r_pkg },
	{ "nsenter", r_priv },
	{ "parted", r_disk },
	{ "passwd", r_priv },
	{ "pip", r_pkg },
	{ "pip3", r_pkg },
	{ "pkill", r_kill },
	{ "pnpm", r_pkg },
	{ "podman", r_docker },
	{ "poetry", r_pkg },
	{ "printenv", r_envdump },
	{ "psql", r_db },
	{ "rclone", r_cloud },
	{ "redis-cli", r_db },
	{ "rm", r_rm },
	{ "rmdir", r_rm },
	{ "rsync", r_rsync },
	{ "screen", r_keys },
	{ "sed", r_sed },
	{ "set", r_envdump },
	{ "setcap", r_priv },
	{ "sfdisk", r_disk },
	{ "sgdisk", r_disk },
	{ "shred", r_shred },
	{ "sqlite3", r_db },
	{ "systemctl", r_systemctl },
	{ "tar", r_archive },
	{ "tee", r_tee },
	{ "tmux", r_keys },
	{ "touch", r_touch },
	{ "truncate", r_trunc },
	{ "twine", r_pkg },
	{ "typeset", r_envdump },
	{ "unlink", r_rm },
	{ "unset", r_envdump },
	{ "unzip", r_archive },
	{ "useradd", r_priv },
	{ "usermod", r_priv },
	{ "uv", r_pkg },
	{ "visudo", r_priv },
	{ "wipefs", r_disk },
	{ "wtype", r_keys },
	{ "xdotool", r_keys },
	{ "yarn", r_pkg },
	{ "ydotool", r_keys },
};

bool
classify_rules(struct classify_ctx *cx, const char *name,
               const struct classify_args *a)
{
	bool known = false;

	if (strncmp(name, "mkfs", 4) == 0) {
		name = "mkfs";
	}
	classify_secret_tools(cx, strcmp(name, "rails") == 0 ? "rails" : name,
	                      a);
	known = classify_destroy_cmds(cx, name, a);
	size_t n = sizeof classify_rule_table / sizeof *classify_rule_table;
	size_t k = classify_lookup(classify_rule_table, n,
	                           sizeof *classify_rule_table, name,
	                           strlen(name));
	if (k < n) {
		classify_rule_table[k].fn(cx, a, name);
		return true;
	}
	return known;
}
