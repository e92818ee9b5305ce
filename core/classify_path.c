#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/al.h"
#include "core/buf.h"
#include "core/classify_impl.h"
#include "core/xalloc.h"

/*
 * Paths: where a word points (cwd, ~ and $HOME resolved, . and ..
 * folded), and what writing or reading there means: airlock's own files
 * and Claude Code's settings (deny), persistence points (ask), secrets,
 * the workspace and its regenerable build output.
 */

static const char *
classify_home(const struct classify_env *env)
{
	return env->home ? env->home : "/nonexistent-home";
}

const char *
classify_cwd(const struct classify_ctx *cx, size_t i)
{
	if (i < cx->st->ncwds) {
		return cx->st->cwds[i];
	}
	return cx->env->cwd           ? cx->env->cwd
	       : cx->env->project_dir ? cx->env->project_dir
	                              : "/";
}

/* Folds "." and ".." and duplicate slashes of an absolute path in place. */
static void
classify_normalize(char *p)
{
	char *out = p;
	const char *s = p;

	while (*s) {
		while (*s == '/') {
			s++;
		}
		size_t n = strcspn(s, "/");
		if (n == 0) {
			break;
		}
		if (n == 1 && s[0] == '.') {
			s += n;
			continue;
		}
		if (n == 2 && s[0] == '.' && s[1] == '.') {
			while (out > p && *--out != '/') {
			}
			s += n;
			continue;
		}
		*out++ = '/';
		memmove(out, s, n);
		out += n;
		s += n;
	}
	if (out == p) {
		*out++ = '/';
	}
	*out = '\0';
}

static const char *
classify_strip_var(const char *text, const char *var)
{
	size_t n = strlen(var);

	if (text[0] == '$' && strncmp(text + 1, var, n) == 0 &&
	    (text[1 + n] == '/' || text[1 + n] == '\0')) {
		return text + 1 + n;
	}
	if (strncmp(text, "${", 2) == 0 && strncmp(text + 2, var, n) == 0 &&
	    text[2 + n] == '}') {
		return text + 3 + n;
	}
	return NULL;
}

char *
classify_abspath(const struct classify_env *env, const char *cwd,
                 const char *text)
{
	const char *rest;
	char *p;

	if ((rest = classify_strip_var(text, "HOME")) != NULL) {
		p = xasprintf("%s/%s", classify_home(env), rest);
	} else if ((rest = classify_strip_var(text, "PWD")) != NULL) {
		p = xasprintf("%s/%s", cwd, rest);
	} else if (strchr(text, '$') != NULL || strchr(text, '`') != NULL) {
		return NULL;
	} else if (text[0] == '~' && (text[1] == '/' || text[1] == '\0')) {
		p = xasprintf("%s/%s", classify_home(env), text + 1);
	} else if (text[0] == '~') {
		p = xasprintf("/home/%s", text + 1);
	} else if (text[0] == '/') {
		p = xstrdup(text);
	} else {
		p = xasprintf("%s/%s", cwd, text);
	}
	classify_normalize(p);
	return p;
}

static bool
classify_under(const char *abs, const char *dir)
{
	size_t n = strlen(dir);

	while (n > 1 && dir[n - 1] == '/') {
		n--;
	}
	return strncmp(abs, dir, n) == 0 && (abs[n] == '\0' || abs[n] == '/');
}

static const char *
classify_ws(const struct classify_env *env)
{
	return env->project_dir ? env->project_dir : env->cwd ? env->cwd : NULL;
}

bool
classify_in_workspace(const struct classify_env *env, const char *abs)
{
	const char *ws = classify_ws(env);

	return ws != NULL && classify_under(abs, ws);
}

static const char *const classify_regen_dirs[] = {
	"build",        "dist",        "out",           "target",
	"node_modules", "__pycache__", ".pytest_cache", ".mypy_cache",
	".ruff_cache",  ".tox",        "coverage",      ".next",
	".nuxt",        ".cache",      ".parcel-cache", ".gradle",
	"obj",          ".turbo",      "htmlcov",       ".nyc_output",
	"_build",       NULL,
};

static const char *const classify_regen_ext[] = {
	".o",    ".obj",  ".d",  ".pyc",   ".pyo", ".class",
	".gcda", ".gcno", ".lo", ".a.tmp", NULL,
};

static bool
classify_regen_component(const char *c, size_t n)
{
	for (size_t i = 0; classify_regen_dirs[i]; i++) {
		if (strlen(classify_regen_dirs[i]) == n &&
		    strncmp(c, classify_regen_dirs[i], n) == 0) {
			return true;
		}
	}
	return (n > 6 && strncmp(c, "build-", 6) == 0) ||
	       (n > 12 && strncmp(c, "cmake-build-", 12) == 0);
}

bool
classify_regenerable(const struct classify_env *env, const char *abs)
{
	const char *ws = classify_ws(env);
	const char *rel;

	if (ws == NULL || !classify_under(abs, ws) ||
	    strlen(abs) <= strlen(ws)) {
		return false;
	}
	rel = abs + strlen(ws) + (strcmp(ws, "/") != 0);
	for (const char *s = rel; *s;) {
		size_t n = strcspn(s, "/");
		if (classify_regen_component(s, n)) {
			return true;
		}
		s += n + (s[n] == '/');
	}
	const char *base = strrchr(abs, '/');
	base = base ? base + 1 : abs;
	for (size_t i = 0; classify_regen_ext[i]; i++) {
		size_t bl = strlen(base);
		size_t el = strlen(classify_regen_ext[i]);
		if (bl > el &&
		    strcmp(base + bl - el, classify_regen_ext[i]) == 0) {
			return true;
		}
	}
	return false;
}

/*
 * A cheap necessary condition for fnmatch(pat, s, 0) == 0: pat matched
 * byte by byte with `*` as any text (flags 0: `*` crosses '/'). Patterns
 * with other special characters are not prefiltered (true). fnmatch() is
 * slow (locale and wide-character handling) and almost every path fails
 * every pattern, so it runs only on the few that pass this.
 */
static bool
classify_may_match(const char *pat, const char *s, size_t slen)
{
	const char *star_p = NULL;
	const char *star_s = NULL;
	size_t plen = strlen(pat);
	char last = plen > 0 ? pat[plen - 1] : '\0';

	/* a pattern ending in a plain character needs s to end in it */
	if (last != '\0' && last != '*' && last != '?' && last != ']' &&
	    last != '\\' && (slen == 0 || s[slen - 1] != last)) {
		return false;
	}
	if (strpbrk(pat, "?[\\") != NULL) {
		return true;
	}
	while (*s != '\0') {
		if (*pat == '*') {
			star_p = ++pat;
			star_s = s;
		} else if (*pat == *s) {
			pat++;
			s++;
		} else if (star_p != NULL) {
			pat = star_p;
			s = ++star_s;
		} else {
			return false;
		}
	}
	while (*pat == '*') {
		pat++;
	}
	return *pat == '\0';
}

static bool
classify_fnmatch(const char *pat, const char *s, size_t slen)
{
	return classify_may_match(pat, s, slen) && fnmatch(pat, s, 0) == 0;
}

/* fnmatch against patterns where a leading ~ is the home directory
 * (compared as a prefix, so that no pattern is rebuilt per call). */
static bool
classify_match_any(const struct classify_env *env, const char *abs,
                   const char *const *pats)
{
	const char *home = classify_home(env);
	size_t hl = strlen(home);
	bool in_home = strncmp(abs, home, hl) == 0 && abs[hl] == '/';
	size_t alen = strlen(abs);

	for (; *pats; pats++) {
		if ((*pats)[0] != '~') {
			if (classify_fnmatch(*pats, abs, alen)) {
				return true;
			}
		} else if (in_home &&
		           classify_fnmatch(*pats + 1, abs + hl, alen - hl)) {
			return true;
		}
	}
	return false;
}

static const char *const classify_secret_pats[] = {
	"~/.ssh",
	"~/.ssh/id_*",
	"~/.ssh/*",
	"~/.aws",
	"~/.aws/*",
	"~/.netrc",
	"~/.git-credentials",
	"~/.npmrc",
	"~/.pypirc",
	"~/.docker/config.json",
	"~/.kube",
	"~/.kube/*",
	"~/.claude/.credentials.json",
	"~/.terraform.d/credentials*",
	"~/.cargo/credentials*",
	"~/.m2/settings*.xml",
	"~/.config/gh/hosts.yml",
	"~/.config/gcloud*",
	"~/.azure*",
	"~/.gnupg*",
	"~/.password-store*",
	"~/.vault-token",
	"~/.gem/credentials",
	"~/.local/share/keyrings*",
	"~/Library/Keychains*",
	"*.keychain",
	"*.keychain-db",
	"~/.mozilla/firefox/*/logins.json",
	"~/.mozilla/firefox/*/key*.db",
	"~/.config/google-chrome/*/Login Data",
	"~/.config/chromium/*/Login Data",
	"/etc/shadow",
	"/etc/gshadow",
	"/proc/*/environ",
	"*/id_rsa",
	"*/id_dsa",
	"*/id_ecdsa",
	"*/id_ed25519",
	"*.pem",
	"*.key",
	"*.p12",
	"*.pfx",
	"*.jks",
	"*.keystore",
	"*/.envrc",
	"*/credentials.json",
	"*/secrets.yml",
	"*/secrets.yaml",
	NULL,
};

static bool
classify_env_file(const char *base)
{
	static const char *const ok[] = { ".example", ".sample",   ".template",
		                          ".dist",    ".defaults", ".schema",
		                          NULL };

	if (strcmp(base, ".env") == 0) {
		return true;
	}
	if (strncmp(base, ".env.", 5) != 0 && strncmp(base, ".env-", 5) != 0) {
		return false;
	}
	for (size_t i = 0; ok[i]; i++) {
		const char *e = strstr(base, ok[i]);
		if (e != NULL && e[strlen(ok[i])] == '\0') {
			return false;
		}
	}
	return true;
}

bool
classify_path_is_secret(const struct classify_env *env, const char *abs)
{
	const char *base = strrchr(abs, '/');

	base = base ? base + 1 : abs;
	if (classify_env_file(base)) {
		return true;
	}
	size_t bl = strlen(base);
	if (bl > 4 && strcmp(base + bl - 4, ".pub") == 0) {
		return false;
	}
	if (strcmp(base, "known_hosts") == 0 || strcmp(base, "config") == 0 ||
	    strncmp(base, "authorized_keys", 15) == 0) {
		/* ~/.ssh/config and friends hold no key material, but
		 * ~/.kube/config and ~/.aws/config do */
		char *ssh = xasprintf("%s/.ssh/", classify_home(env));
		bool in_ssh = strncmp(abs, ssh, strlen(ssh)) == 0;
		free(ssh);
		if (in_ssh) {
			return false;
		}
	}
	return classify_match_any(env, abs, classify_secret_pats);
}

static const char *const classify_claude_pats[] = {
	"*/.claude/settings*.json",
	"*/.claude/hooks",
	"*/.claude/hooks/*",
	"~/.claude",
	"~/.claude/*",
	"~/.claude.json",
	"/etc/claude-code*",
	"/Library/Application Support/ClaudeCode*",
	NULL,
};

static const char *const classify_persist_pats[] = {
	"~/.bashrc",
	"~/.bash_profile",
	"~/.bash_login",
	"~/.bash_logout",
	"~/.profile",
	"~/.zshrc",
	"~/.zshenv",
	"~/.zprofile",
	"~/.zlogin",
	"~/.config/fish/*",
	"~/.ssh/authorized_keys*",
	"~/.ssh/rc",
	"~/.ssh/config",
	"~/.config/autostart*",
	"~/Library/LaunchAgents*",
	"/Library/LaunchAgents*",
	"/Library/LaunchDaemons*",
	"~/.config/systemd*",
	"~/.local/share/systemd*",
	"/etc/systemd*",
	"/etc/cron*",
	"/var/spool/cron*",
	"/etc/profile*",
	"/etc/bash.bashrc",
	"/etc/zsh*",
	"/etc/sudoers*",
	"/etc/rc.local",
	"/etc/ld.so.preload",
	"~/.pam_environment",
	"~/.xprofile",
	"~/.xinitrc",
	"*/.git/hooks",
	"*/.git/hooks/*",
	"*/.git/config",
	"*/.husky/*",
	"*/.envrc",
	"*/.vscode/tasks.json",
	"*/.vscode/settings.json",
	"*/.vscode/launch.json",
	"~/.npmrc",
	"~/.yarnrc*",
	"~/.pip/pip.conf",
	"~/.config/pip/pip.conf",
	"/etc/pip.conf",
	"~/.pydistutils.cfg",
	"~/.gitconfig",
	"~/.config/git/config",
	"/etc/hosts",
	"/etc/environment",
	NULL,
};

static const char *const classify_history_pats[] = {
	"~/.bash_history",
	"~/.zsh_history",
	"~/.history",
	"~/.python_history",
	"~/.local/share/fish/fish_history",
	NULL,
};

static bool
classify_protected(const struct classify_env *env, const char *abs)
{
	for (size_t i = 0; i < env->nprotected; i++) {
		const char *pp = env->protected_paths[i];
		char *norm = pp ? classify_abspath(env, "/", pp) : NULL;
		bool hit = norm != NULL && classify_under(abs, norm);
		free(norm);
		if (hit) {
			return true;
		}
	}
	return false;
}

/* Self-protection and persistence; true when a finding was added. */
static bool
classify_guarded(struct classify_ctx *cx, const char *abs,
                 const struct classify_arg *a, enum classify_wr how)
{
	const struct classify_env *env = cx->env;

	if (classify_protected(env, abs)) {
		classify_add(cx, RISK_TAMPER, RISK_SEV_DENY, a->start, a->end,
		             "writes airlock's own files (%s)", abs);
		return true;
	}
	if (classify_match_any(env, abs, classify_claude_pats)) {
		classify_add(cx, RISK_TAMPER, RISK_SEV_DENY, a->start, a->end,
		             "changes Claude Code settings or hooks (%s)", abs);
		return true;
	}
	if (how != CLASSIFY_WR_DELETE &&
	    classify_match_any(env, abs, classify_history_pats)) {
		classify_add(cx, RISK_TAMPER, RISK_SEV_ASK, a->start, a->end,
		             "suppresses shell history (%s)", abs);
		return true;
	}
	if (classify_match_any(env, abs, classify_persist_pats)) {
		classify_add(cx, RISK_TAMPER, RISK_SEV_ASK, a->start, a->end,
		             "writes a persistence point (%s)", abs);
		return true;
	}
	return false;
}

static bool
classify_scratch(const char *abs)
{
	static const char *const devnull[] = { "/dev/null",   "/dev/stdout",
		                               "/dev/stderr", "/dev/tty",
		                               "/dev/fd",     "/dev/zero",
		                               NULL };

	for (size_t i = 0; devnull[i]; i++) {
		if (classify_under(abs, devnull[i])) {
			return true;
		}
	}
	return classify_under(abs, "/tmp") || classify_under(abs, "/var/tmp");
}

static void
classify_write_abs(struct classify_ctx *cx, const char *abs,
                   const struct classify_arg *a, enum classify_wr how)
{
	bool del =
	        how == CLASSIFY_WR_DELETE; /* Scratch space (/tmp) is free to
	                                    * write, unless the workspace itself
	                                    * lives there: then it is the user's
	                                    * work like anywhere else. */
	if (classify_guarded(cx, abs, a, how) ||
	    (classify_scratch(abs) && !classify_in_workspace(cx->env, abs))) {
		return;
	}
	if (classify_under(abs, "/dev")) {
		classify_add(cx, RISK_DESTRUCTIVE, RISK_SEV_ASK, a->start,
		             a->end, "writes the device %s", abs);
	} else if (!classify_in_workspace(cx->env, abs)) {
		classify_add(cx, RISK_DESTRUCTIVE, RISK_SEV_ASK, a->start,
		             a->end, "%s %s outside the workspace",
		             del ? "deletes" : "writes", abs);
	} else if (del && classify_regenerable(cx->env, abs)) {
		classify_add(cx, RISK_WORKSPACE_WRITE, RISK_SEV_ASK, a->start,
		             a->end, "deletes build output %s", abs);
	} else if (del || how == CLASSIFY_WR_TRUNCATE) {
		classify_add(cx, RISK_DESTRUCTIVE, RISK_SEV_ASK, a->start,
		             a->end, "%s %s", del ? "deletes" : "truncates",
		             abs);
	} else {
		classify_add(cx, RISK_WORKSPACE_WRITE, RISK_SEV_ASK, a->start,
		             a->end, "writes %s", abs);
	}
}

void
classify_write_target(struct classify_ctx *cx, const struct classify_arg *a,
                      enum classify_wr how)
{
	bool any = false;

	for (size_t i = 0; i < cx->st->ncwds || (i == 0 && !any); i++) {
		char *abs =
		        classify_abspath(cx->env, classify_cwd(cx, i), a->s);
		if (abs == NULL) {
			if (how != CLASSIFY_WR_APPEND &&
			    how != CLASSIFY_WR_MODIFY) {
				classify_add(cx, RISK_DESTRUCTIVE, RISK_SEV_ASK,
				             a->start, a->end,
				             "%s a path computed at run time",
				             how == CLASSIFY_WR_DELETE
				                     ? "deletes"
				                     : "overwrites");
			}
			return;
		}
		classify_write_abs(cx, abs, a, how);
		free(abs);
		any = true;
	}
}

void
classify_read_target(struct classify_ctx *cx, const struct classify_arg *a)
{
	for (size_t i = 0; i < cx->st->ncwds; i++) {
		char *abs =
		        classify_abspath(cx->env, classify_cwd(cx, i), a->s);
		bool secret =
		        abs != NULL && classify_path_is_secret(cx->env, abs);
		if (secret) {
			classify_add(cx, RISK_SECRET_ACCESS, RISK_SEV_ASK,
			             a->start, a->end, "reads secret file %s",
			             abs);
		}
		free(abs);
		if (secret) {
			return;
		}
	}
}

int
classify_path(const char *path, enum classify_op op,
              const struct classify_env *env, struct risk_report *out)
{
	static const struct classify_env none = { 0 };
	struct classify_state st = { 0 };
	size_t len = path ? strlen(path) : 0;
	struct classify_ctx cx = { .env = env ? env : &none,
		                   .out = out,
		                   .st = &st,
		                   .exact = true,
		                   .oend = len };
	struct classify_arg a = { .s = path, .start = 0, .end = len };
	const char *cwd = cx.env->cwd ? cx.env->cwd : cx.env->project_dir;

	if (path == NULL || out == NULL) {
		return AL_EINVAL;
	}
	st.cwds[0] = xstrdup(cwd ? cwd : "/");
	st.ncwds = 1;
	if (op == CLASSIFY_READ) {
		classify_read_target(&cx, &a);
	} else {
		/* file tools replace whole files: outside the workspace that
		 * is an overwrite with no project history behind it */
		classify_write_target(&cx, &a, CLASSIFY_WR_CREATE);
	}
	free(st.cwds[0]);
	return 0;
}
