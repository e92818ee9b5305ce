#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/classify_impl.h"
#include "core/xalloc.h"

/*
 * git: what discards work (reset --hard, clean -f, checkout -- ., forced
 * and deleting pushes, history rewrites), what talks to a remote (push,
 * fetch, pull, clone: egress, with the host when the URL is in the text or
 * was added as a remote earlier in the same command line), and what
 * switches off hooks (--no-verify, core.hooksPath) or hides commands
 * (alias.x='!...').
 */

bool classify_git(struct classify_ctx *cx, const struct classify_args *a);

#define ADD(cat, sev, s, e, ...) classify_add(cx, cat, sev, s, e, __VA_ARGS__)

static bool
git_has(const struct classify_args *a, size_t from, const char *opt)
{
	for (size_t i = from; i < a->n; i++) {
		if (strcmp(a->v[i].s, opt) == 0) {
			return true;
		}
	}
	return false;
}

static bool
git_has_short(const struct classify_args *a, size_t from, char c)
{
	for (size_t i = from; i < a->n; i++) {
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

/* A config key/value pair that disables hooks or hides a command. */
static void
git_config_pair(struct classify_ctx *cx, const char *key, const char *value,
                size_t start, size_t end)
{
	if (strcasecmp(key, "core.hooksPath") == 0) {
		ADD(RISK_TAMPER, RISK_SEV_ASK, start, end,
		    "redirects git hooks (core.hooksPath)");
	} else if (strncasecmp(key, "alias.", 6) == 0 && value[0] == '!') {
		ADD(RISK_OBFUSCATION, RISK_SEV_ASK, start, end,
		    "git alias runs a shell command");
		classify_nested(cx, value + 1, strlen(value + 1), start, end,
		                false);
	} else if (strncasecmp(key, "url.", 4) == 0 ||
	           strcasecmp(key, "core.sshCommand") == 0 ||
	           strcasecmp(key, "core.fsmonitor") == 0 ||
	           strcasecmp(key, "credential.helper") == 0) {
		ADD(RISK_TAMPER, RISK_SEV_ASK, start, end,
		    "git config that runs or redirects (%s)", key);
	}
}

static void
git_remote_host(struct classify_ctx *cx, const char *remote, size_t start,
                size_t end, const char *what)
{
	char host[256];
	const struct classify_state *st = cx->st;

	if (classify_host_of(remote, false, host, sizeof host) &&
	    (strchr(remote, ':') != NULL || strchr(remote, '.') != NULL)) {
		classify_egress(cx, host, start, end, what);
		return;
	}
	for (size_t i = st->nremotes; i > 0; i--) {
		if (strcmp(st->remotes[i - 1].name, remote) == 0) {
			classify_egress(cx, st->remotes[i - 1].value, start,
			                end, what);
			return;
		}
	}
	classify_egress(cx, NULL, start, end, what);
}

static void
git_push(struct classify_ctx *cx, const struct classify_args *a, size_t s)
{
	size_t remote = 0;
	bool force =
	        git_has_short(a, s + 1, 'f') || git_has_short(a, s + 1, 'd');

	for (size_t i = s + 1; i < a->n; i++) {
		const char *v = a->v[i].s;
		if (strncmp(v, "--force", 7) == 0 ||
		    strcmp(v, "--delete") == 0 || strcmp(v, "--mirror") == 0 ||
		    strcmp(v, "--prune") == 0) {
			force = true;
		} else if (strcmp(v, "--no-verify") == 0) {
			ADD(RISK_TAMPER, RISK_SEV_ASK, a->v[i].start,
			    a->v[i].end, "skips git hooks");
		} else if (v[0] != '-' && remote == 0) {
			remote = i;
		} else if (v[0] == '+' || (v[0] == ':' && v[1] != '\0')) {
			force = true;
		}
	}
	if (force) {
		ADD(RISK_DESTRUCTIVE, RISK_SEV_ASK, a->start, a->end,
		    "rewrites or deletes remote history");
	}
	git_remote_host(cx, remote ? a->v[remote].s : "origin",
	                remote ? a->v[remote].start : a->start,
	                remote ? a->v[remote].end : a->end, "git push to");
}

static void
git_remote_cmd(struct classify_ctx *cx, const struct classify_args *a, size_t s)
{
	struct classify_state *st = cx->st;
	const char *verb = s + 1 < a->n ? a->v[s + 1].s : "";
	char host[256];

	if ((strcmp(verb, "add") == 0 || strcmp(verb, "set-url") == 0) &&
	    s + 3 < a->n && st->nremotes < CLASSIFY_MAX_VARS &&
	    classify_host_of(a->v[a->n - 1].s, false, host, sizeof host)) {
		st->remotes[st->nremotes].name = xstrdup(a->v[a->n - 2].s);
		st->remotes[st->nremotes].value = xstrdup(host);
		st->nremotes++;
	} else if (strcmp(verb, "update") == 0) {
		classify_egress(cx, NULL, a->start, a->end, "git fetches from");
	}
}

/* The first operand after the subcommand (a remote or URL). */
static void
git_fetchlike(struct classify_ctx *cx, const struct classify_args *a, size_t s,
              const char *what)
{
	for (size_t i = s + 1; i < a->n; i++) {
		const char *v = a->v[i].s;
		if (v[0] == '-') {
			i += strcmp(v, "--depth") == 0 ||
			     strcmp(v, "-b") == 0 ||
			     strcmp(v, "--branch") == 0 || strcmp(v, "-o") == 0;
			continue;
		}
		git_remote_host(cx, v, a->v[i].start, a->v[i].end, what);
		return;
	}
	git_remote_host(cx, "origin", a->start, a->end, what);
}

static bool
git_discards(const struct classify_args *a, size_t s, const char *sub)
{
	if (strcmp(sub, "reset") == 0) {
		return git_has(a, s, "--hard") || git_has(a, s, "--merge");
	}
	if (strcmp(sub, "clean") == 0) {
		return (git_has_short(a, s + 1, 'f') ||
		        git_has(a, s, "--force")) &&
		       !git_has_short(a, s + 1, 'n') &&
		       !git_has(a, s, "--dry-run");
	}
	if (strcmp(sub, "checkout") == 0) {
		return git_has(a, s, "--") || git_has(a, s, ".") ||
		       git_has(a, s, "-f") || git_has(a, s, "--force");
	}
	if (strcmp(sub, "restore") == 0) {
		return !git_has(a, s, "--staged") ||
		       git_has(a, s, "--worktree");
	}
	if (strcmp(sub, "stash") == 0) {
		return git_has(a, s, "drop") || git_has(a, s, "clear");
	}
	if (strcmp(sub, "branch") == 0) {
		return git_has(a, s, "-D") ||
		       (git_has(a, s, "--delete") && git_has(a, s, "--force"));
	}
	if (strcmp(sub, "reflog") == 0) {
		return git_has(a, s, "expire") || git_has(a, s, "delete");
	}
	if (strcmp(sub, "gc") == 0) {
		return git_has(a, s, "--prune=now") ||
		       git_has(a, s, "--prune=all");
	}
	if (strcmp(sub, "update-ref") == 0) {
		return git_has(a, s, "-d");
	}
	return strcmp(sub, "filter-branch") == 0 ||
	       strcmp(sub, "filter-repo") == 0 || strcmp(sub, "prune") == 0;
}

static const char *const git_writers[] = {
	"add",      "commit", "mv",     "rm",          "switch", "checkout",
	"tag",      "merge",  "rebase", "cherry-pick", "revert", "am",
	"apply",    "init",   "stash",  "restore",     "reset",  "submodule",
	"worktree", "notes",  NULL,
};

/* Global options before the subcommand; returns its index. */
static size_t
git_globals(struct classify_ctx *cx, const struct classify_args *a)
{
	size_t i = 1;

	while (i < a->n && a->v[i].s[0] == '-') {
		const char *s = a->v[i].s;
		if (strcmp(s, "-c") == 0 && i + 1 < a->n) {
			const char *kv = a->v[i + 1].s;
			const char *eq = strchr(kv, '=');
			char *key = xstrndup(kv, eq ? (size_t)(eq - kv)
			                            : strlen(kv));
			git_config_pair(cx, key, eq ? eq + 1 : "",
			                a->v[i + 1].start, a->v[i + 1].end);
			free(key);
			i += 2;
		} else if (strcmp(s, "-C") == 0 ||
		           strcmp(s, "--git-dir") == 0 ||
		           strcmp(s, "--work-tree") == 0 ||
		           strcmp(s, "--namespace") == 0) {
			i += 2;
		} else {
			i++;
		}
	}
	return i;
}

static void
git_config(struct classify_ctx *cx, const struct classify_args *a, size_t s)
{
	size_t k = s + 1;

	while (k < a->n && a->v[k].s[0] == '-') {
		k++;
	}
	if (k < a->n) {
		git_config_pair(cx, a->v[k].s,
		                k + 1 < a->n ? a->v[k + 1].s : "",
		                a->v[k].start, a->end);
	}
}

bool
classify_git(struct classify_ctx *cx, const struct classify_args *a)
{
	size_t s = git_globals(cx, a);
	const char *sub = s < a->n ? a->v[s].s : "";

	if (git_has(a, s, "--no-verify") ||
	    (strcmp(sub, "commit") == 0 && git_has_short(a, s + 1, 'n'))) {
		ADD(RISK_TAMPER, RISK_SEV_ASK, a->start, a->end,
		    "skips git hooks");
	}
	if (strcmp(sub, "push") == 0) {
		git_push(cx, a, s);
		return true;
	}
	if (git_discards(a, s, sub)) {
		ADD(RISK_DESTRUCTIVE, RISK_SEV_ASK, a->start, a->end,
		    "git %s discards work that cannot be recovered", sub);
		return true;
	}
	if (strcmp(sub, "config") == 0) {
		git_config(cx, a, s);
	} else if (strcmp(sub, "remote") == 0) {
		git_remote_cmd(cx, a, s);
	} else if (strcmp(sub, "clone") == 0) {
		git_fetchlike(cx, a, s, "git clones from");
		ADD(RISK_WORKSPACE_WRITE, RISK_SEV_ASK, a->start, a->end,
		    "clones a repository");
	} else if (strcmp(sub, "fetch") == 0 || strcmp(sub, "pull") == 0 ||
	           strcmp(sub, "ls-remote") == 0) {
		git_fetchlike(cx, a, s, "git fetches from");
	} else if (strcmp(sub, "send-email") == 0) {
		classify_egress(cx, NULL, a->start, a->end, "git sends mail");
	}
	for (size_t k = 0; git_writers[k]; k++) {
		if (strcmp(sub, git_writers[k]) == 0) {
			ADD(RISK_WORKSPACE_WRITE, RISK_SEV_ASK, a->start,
			    a->end, "git %s changes the working copy", sub);
			break;
		}
	}
	return true;
}
