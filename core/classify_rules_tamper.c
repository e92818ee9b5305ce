/*
 * Per-command rules against tampering with supervision: stopping or
 * driving airlock, typing into the approver's console, persistence
 * (systemd user units, crontabs), unsupervised agents, and commands that
 * hide what really runs (aliases, makefiles from stdin).
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/classify_impl.h"
#include "core/classify_rules_int.h"
#include "core/xalloc.h"

/* Whether any argument mentions airlock: killing the approval console or
 * daemon is tamper. */
void
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
void
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
void
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

void
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

void
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

void
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

void
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

void
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
