/*
 * Matching permission rules: the glob matcher (text mode for Bash
 * commands, gitignore-style path mode), paths, hosts and commands.
 */
#include "core/rule.h"

#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/rule_int.h"
#include "core/xalloc.h"

/* ---- glob matching ---------------------------------------------------- */

enum rule_tok {
	RULE_TOK_LIT,
	RULE_TOK_ONE,   /* ? */
	RULE_TOK_CLASS, /* [...] */
	RULE_TOK_STAR,  /* * */
	RULE_TOK_ANY,   /* ** not followed by a slash */
	RULE_TOK_DIRS,  /* **: zero or more whole directories */
};

/* Reads one token of a path-mode pattern at p; returns its length. */
static size_t
rule_glob_token(const char *pat, const char *p, enum rule_tok *t)
{
	if (p[0] == '*' && p[1] == '*' && (p == pat || p[-1] == '/')) {
		if (p[2] == '/') {
			*t = RULE_TOK_DIRS;
			return 3;
		}
		*t = RULE_TOK_ANY;
		return 2;
	}
	if (p[0] == '*') {
		*t = RULE_TOK_STAR;
		return 1;
	}
	if (p[0] == '?') {
		*t = RULE_TOK_ONE;
		return 1;
	}
	if (p[0] == '[') {
		const char *q = p + 1;
		q += (*q == '!' || *q == '^');
		q += (*q == ']');
		q = strchr(q, ']');
		if (q != NULL) {
			*t = RULE_TOK_CLASS;
			return (size_t)(q - p) + 1;
		}
	}
	*t = RULE_TOK_LIT;
	return (p[0] == '\\' && p[1] != '\0') ? 2 : 1;
}

static bool
rule_class_match(const char *cls, size_t len, unsigned char c)
{
	const char *p = cls + 1, *end = cls + len - 1;
	bool neg = (*p == '!' || *p == '^');
	bool hit = false;

	p += neg;
	for (bool first = true; p < end; first = false) {
		unsigned char lo = (unsigned char)*p, hi = lo;
		if (!first && lo == ']') {
			break;
		}
		if (p + 2 < end && p[1] == '-') {
			hi = (unsigned char)p[2];
			p += 2;
		}
		hit = hit || (c >= lo && c <= hi);
		p++;
	}
	return hit != neg;
}

/* One step of the matcher: from the set of prefixes of s that the pattern
 * so far matches (cur), the set after token t (nxt). */
static void
rule_glob_step(const char *s, size_t n, const char *tok, size_t tlen,
               enum rule_tok t, bool path_mode, const bool *cur, bool *nxt)
{
	bool seen = false;

	for (size_t j = 0; j <= n; j++) {
		unsigned char c = j > 0 ? (unsigned char)s[j - 1] : 0;
		bool prev = j > 0 && cur[j - 1];
		bool sep = path_mode && c == '/';
		switch (t) {
		case RULE_TOK_LIT:
			nxt[j] = prev && c == (unsigned char)tok[tlen - 1];
			break;
		case RULE_TOK_ONE:
			nxt[j] = prev && !sep;
			break;
		case RULE_TOK_CLASS:
			nxt[j] = prev && !sep && rule_class_match(tok, tlen, c);
			break;
		case RULE_TOK_STAR:
			nxt[j] = cur[j] || (j > 0 && nxt[j - 1] && !sep);
			break;
		case RULE_TOK_ANY:
			nxt[j] = cur[j] || (j > 0 && nxt[j - 1]);
			break;
		case RULE_TOK_DIRS:
			nxt[j] = cur[j] || (c == '/' && seen);
			break;
		}
		seen = seen || cur[j];
	}
}

#define RULE_GLOB_STACK 512

/* The matcher proper, from token p of pat (earlier tokens matched a
 * literal prefix already taken off s). */
static bool
rule_glob_dp(const char *pat, const char *p, const char *s, bool path_mode)
{
	size_t n = strlen(s);
	bool stack[2][RULE_GLOB_STACK];
	bool *heap = n < RULE_GLOB_STACK ? NULL : xcalloc(2 * (n + 1), 1);
	bool *cur = heap != NULL ? heap : stack[0];
	bool *nxt = heap != NULL ? heap + n + 1 : stack[1];
	bool live = true;

	memset(cur, 0, n + 1);
	cur[0] = true;
	while (*p != '\0' && live) {
		enum rule_tok t = *p == '*' ? RULE_TOK_STAR : RULE_TOK_LIT;
		size_t len = 1;
		bool *tmp;
		if (path_mode) {
			len = rule_glob_token(pat, p, &t);
		}
		rule_glob_step(s, n, p, len, t, path_mode, cur, nxt);
		tmp = cur;
		cur = nxt;
		nxt = tmp;
		p += len;
		live = memchr(cur, true, n + 1) != NULL;
	}
	live = live && cur[n];
	free(heap);
	return live;
}

/* Matches s against pat in O(len(pat) * len(s)), whatever the pattern: `*`,
 * and in path mode `?`, `[...]`, `\x` and `**`. In text mode (Bash
 * commands) only `*` is special and it matches any text. The literal
 * prefix is compared first: most rules fail on their first word. */
static bool
rule_glob_lit(const char *pat, size_t lit, const char *s, bool path_mode)
{
	if (lit > 0 && pat[0] != s[0]) {
		return false;
	}
	if (strncmp(pat, s, lit) != 0) {
		return false;
	}
	if (pat[lit] == '\0') {
		return s[lit] == '\0';
	}
	return rule_glob_dp(pat, pat + lit, s + lit, path_mode);
}

static bool
rule_glob(const char *pat, const char *s, bool path_mode)
{
	return rule_glob_lit(pat, strcspn(pat, path_mode ? "*?[\\" : "*"), s,
	                     path_mode);
}

/* ---- paths ------------------------------------------------------------ */

char *
rule_path_resolve(const char *path, const char *base)
{
	struct buf b = { 0 };
	struct buf in = { 0 };
	char *save = NULL;

	if (path == NULL) {
		return NULL;
	}
	if (path[0] != '/') {
		if (base == NULL || base[0] != '/') {
			return NULL;
		}
		buf_printf(&in, "%s/", base);
	}
	buf_puts(&in, path);
	for (char *c = strtok_r(in.data, "/", &save); c != NULL;
	     c = strtok_r(NULL, "/", &save)) {
		if (strcmp(c, ".") == 0) {
			continue;
		}
		if (strcmp(c, "..") == 0) {
			char *slash = b.len > 0 ? strrchr(b.data, '/') : NULL;
			b.len = slash != NULL ? (size_t)(slash - b.data) : 0;
			if (b.data != NULL) {
				b.data[b.len] = '\0';
			}
			continue;
		}
		buf_printf(&b, "/%s", c);
	}
	buf_free(&in);
	if (b.len == 0) {
		buf_putc(&b, '/');
	}
	return buf_steal(&b);
}

bool
rule_path_within(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	while (n > 1 && dir[n - 1] == '/') {
		n--;
	}
	if (n == 1 && dir[0] == '/') {
		return path[0] == '/';
	}
	return strncmp(path, dir, n) == 0 &&
	       (path[n] == '\0' || path[n] == '/');
}

/* Appends s with the glob characters escaped, so that a project directory
 * named `a[1]` is taken literally. */
static void
rule_put_escaped(struct buf *b, const char *s)
{
	for (; *s != '\0'; s++) {
		if (strchr("*?[\\", *s) != NULL) {
			buf_putc(b, '\\');
		}
		buf_putc(b, *s);
	}
}

/* The absolute pattern of a path rule, or NULL when its base is unknown. */
static char *
rule_path_pattern(const struct rule *r, const struct rule_paths *env)
{
	const char *base = NULL;
	const char *body = r->pat;
	struct buf b = { 0 };
	char *res;

	switch (r->anchor) {
	case RULE_AT_ROOT:
		base = "/";
		break;
	case RULE_AT_HOME:
		base = env->home;
		break;
	case RULE_AT_PROJECT:
	case RULE_AT_ANY:
		base = env->project_dir;
		break;
	}
	if (base == NULL || base[0] != '/') {
		return NULL;
	}
	res = rule_path_resolve(base, NULL);
	rule_put_escaped(&b, strcmp(res, "/") == 0 ? "" : res);
	free(res);
	buf_puts(&b, r->anchor == RULE_AT_ANY ? "/**/" : "/");
	buf_puts(&b, body);
	res = rule_path_resolve(b.data, NULL);
	buf_free(&b);
	return res;
}

bool
rule_match_path(const struct rule *r, const char *path,
                const struct rule_paths *env)
{
	char *abs, *pat, *below;
	bool ok = false;

	if (r->kind == RULE_TOOL) {
		return true;
	}
	if (r->kind != RULE_PATH || path == NULL) {
		return false;
	}
	abs = rule_path_resolve(path, env->cwd ? env->cwd : env->project_dir);
	pat = rule_path_pattern(r, env);
	if (abs != NULL && pat != NULL) {
		ok = rule_glob(pat, abs, true);
	}
	/* A pattern that names a directory covers its contents; one that ends
	 * in a wildcard does not reach deeper: a single star is one level, as
	 * in Claude Code, and a double star every level. */
	if (!ok && abs != NULL && pat != NULL &&
	    strpbrk(strrchr(pat, '/'), "*?[") == NULL) {
		below = xasprintf("%s/**", strcmp(pat, "/") == 0 ? "" : pat);
		ok = rule_glob(below, abs, true);
		free(below);
	}
	free(abs);
	free(pat);
	return ok;
}

/* ---- hosts ------------------------------------------------------------ */

bool
rule_host_pattern_valid(const char *pattern)
{
	const char *p = pattern;

	if (strcmp(p, "*") == 0) {
		return true;
	}
	if (strncmp(p, "*.", 2) == 0) {
		p += 2;
	}
	if (*p == '\0' || *p == '.') {
		return false;
	}
	for (; *p != '\0'; p++) {
		bool ok = (*p >= 'a' && *p <= 'z') ||
		          (*p >= 'A' && *p <= 'Z') ||
		          (*p >= '0' && *p <= '9') || strchr(".-_:", *p);
		if (!ok) {
			return false;
		}
	}
	return true;
}

static char *
rule_host_fold(const char *h)
{
	char *s = xstrdup(h);
	size_t n = strlen(s);

	for (char *p = s; *p != '\0'; p++) {
		if (*p >= 'A' && *p <= 'Z') {
			*p = (char)(*p - 'A' + 'a');
		}
	}
	if (n > 1 && s[n - 1] == '.') {
		s[n - 1] = '\0';
	}
	return s;
}

bool
rule_host_match(const char *pattern, const char *host)
{
	char *p, *h;
	bool ok;
	size_t pn, hn;

	if (strcmp(pattern, "*") == 0) {
		return host[0] != '\0';
	}
	p = rule_host_fold(pattern);
	h = rule_host_fold(host);
	if (strncmp(p, "*.", 2) == 0) {
		/* the subdomain must end at a dot: evilexample.com is not
		 * a subdomain of example.com */
		pn = strlen(p + 1);
		hn = strlen(h);
		ok = hn > pn && strcmp(h + hn - pn, p + 1) == 0;
	} else {
		ok = strcmp(p, h) == 0;
	}
	free(p);
	free(h);
	return ok;
}

bool
rule_match_host(const struct rule *r, const char *host)
{
	if (r->kind == RULE_TOOL) {
		return true;
	}
	return r->kind == RULE_DOMAIN && host != NULL &&
	       rule_host_match(r->pat, host);
}

/* ---- commands --------------------------------------------------------- */

bool
rule_match_command(const struct rule *r, const char *command)
{
	if (r->kind == RULE_TOOL) {
		return true;
	}
	if (r->kind != RULE_BASH || command == NULL) {
		return false;
	}
	return rule_glob_lit(r->pat, r->lit, command, false) ||
	       (r->pat_alt != NULL &&
	        rule_glob_lit(r->pat_alt, r->lit_alt, command, false));
}
