#include "core/rule.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/al.h"
#include "core/buf.h"
#include "core/xalloc.h"

/* Where a path pattern is anchored. */
enum rule_anchor {
	RULE_AT_PROJECT, /* ./x, x/y, /x: the project root */
	RULE_AT_HOME,    /* ~/x */
	RULE_AT_ROOT,    /* //x: an absolute path */
	RULE_AT_ANY,     /* x with no slash: any depth below the project */
};

struct rule {
	char *text;
	char *tool;
	enum rule_kind kind;
	/* RULE_BASH: the pattern, and an alternative that also matches (the
	 * `pat *` form of a `pat:*` prefix, or `pat` for a `pat *` glob) */
	char *pat;
	char *pat_alt;
	size_t lit; /* length of the literal prefix of pat, of pat_alt */
	size_t lit_alt;
	/* RULE_PATH */
	enum rule_anchor anchor;
	/* RULE_TOOL on MCP: true for mcp__server and mcp__server__* */
	bool mcp_server;
};

/* Tools whose specifier is a path, and the family each rule name covers. */
static const char *const rule_read_family[] = { "Read", "Glob",         "Grep",
	                                        "LS",   "NotebookRead", NULL };
static const char *const rule_edit_family[] = { "Edit", "Write", "MultiEdit",
	                                        "NotebookEdit", NULL };

static bool
rule_in_list(const char *const *list, const char *s)
{
	for (size_t i = 0; list[i] != NULL; i++) {
		if (strcmp(list[i], s) == 0) {
			return true;
		}
	}
	return false;
}

static bool
rule_is_path_tool(const char *tool)
{
	return rule_in_list(rule_read_family, tool) ||
	       rule_in_list(rule_edit_family, tool);
}

static bool
rule_is_mcp(const char *tool)
{
	return strncmp(tool, "mcp__", 5) == 0;
}

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

bool
rule_applies_to_tool(const struct rule *r, const char *tool)
{
	size_t n;

	if (tool == NULL) {
		return false;
	}
	if (strcmp(r->tool, tool) == 0) {
		return true;
	}
	if (strcmp(r->tool, "Read") == 0) {
		return rule_in_list(rule_read_family, tool);
	}
	if (strcmp(r->tool, "Edit") == 0) {
		return rule_in_list(rule_edit_family, tool);
	}
	if (!r->mcp_server) {
		return false;
	}
	/* mcp__server covers mcp__server__<anything> */
	n = strlen(r->tool);
	return strncmp(tool, r->tool, n) == 0 &&
	       strncmp(tool + n, "__", 2) == 0 && tool[n + 2] != '\0';
}

const char *
rule_text(const struct rule *r)
{
	return r->text;
}

const char *
rule_tool(const struct rule *r)
{
	return r->tool;
}

enum rule_kind
rule_kind(const struct rule *r)
{
	return r->kind;
}

void
rule_free(struct rule *r)
{
	if (r == NULL) {
		return;
	}
	free(r->text);
	free(r->tool);
	free(r->pat);
	free(r->pat_alt);
	free(r);
}

/* ---- parsing ---------------------------------------------------------- */

static int
rule_fail(char **err, const char *text, size_t col, const char *why)
{
	if (err != NULL) {
		*err = xasprintf("rule \"%s\", column %zu: %s", text, col + 1,
		                 why);
	}
	return AL_EPARSE;
}

/* Collapses whitespace runs to one space and trims both ends. */
static char *
rule_squeeze(const char *s, size_t n)
{
	struct buf b = { 0 };
	bool space = false;

	for (size_t i = 0; i < n; i++) {
		if (s[i] == ' ' || s[i] == '\t') {
			space = b.len > 0;
			continue;
		}
		if (space) {
			buf_putc(&b, ' ');
			space = false;
		}
		buf_putc(&b, s[i]);
	}
	return buf_steal(&b);
}

static int
rule_parse_bash(struct rule *r, const char *spec, size_t n, char **err)
{
	char *pat = rule_squeeze(spec, n);
	size_t len = strlen(pat);
	char *colon = strstr(pat, ":*");

	if (colon != NULL && colon != pat + len - 2) {
		free(pat);
		return rule_fail(
		        err, r->text, strlen(r->tool) + 1,
		        "':*' is only valid at the end of a Bash rule");
	}
	if (colon != NULL) {
		*colon = '\0';
		len -= 2;
		while (len > 0 && pat[len - 1] == ' ') {
			pat[--len] = '\0';
		}
		if (len == 0) {
			free(pat);
			return rule_fail(err, r->text, strlen(r->tool) + 1,
			                 "empty command before ':*'");
		}
		r->pat_alt = xasprintf("%s *", pat);
	} else if (len > 2 && strcmp(pat + len - 2, " *") == 0) {
		/* `ls *` also matches a bare `ls`, but not `lsof` */
		r->pat_alt = xstrndup(pat, len - 2);
	}
	r->pat = pat;
	r->lit = strcspn(pat, "*");
	r->lit_alt = r->pat_alt != NULL ? strcspn(r->pat_alt, "*") : 0;
	r->kind = RULE_BASH;
	return 0;
}

static int
rule_parse_path(struct rule *r, const char *spec, size_t n, char **err)
{
	size_t col = strlen(r->tool) + 1;
	const char *body = spec;
	char *slash;

	if (n >= 2 && spec[0] == '/' && spec[1] == '/') {
		r->anchor = RULE_AT_ROOT;
		body = spec + 2;
	} else if (n >= 1 && spec[0] == '~') {
		if (n > 1 && spec[1] != '/') {
			return rule_fail(err, r->text, col,
			                 "only '~/' is supported, not '~user'");
		}
		r->anchor = RULE_AT_HOME;
		body = spec + (n > 1 ? 2 : 1);
	} else if (spec[0] == '/') {
		r->anchor = RULE_AT_PROJECT;
		body = spec + 1;
	} else {
		/* gitignore: a slash before the last character anchors */
		slash = memchr(spec, '/', n);
		r->anchor = (slash != NULL && slash < spec + n - 1)
		                    ? RULE_AT_PROJECT
		                    : RULE_AT_ANY;
	}
	r->pat = xstrndup(body, n - (size_t)(body - spec));
	if (r->anchor == RULE_AT_ANY && r->pat[0] != '\0' &&
	    r->pat[strlen(r->pat) - 1] == '/') {
		r->pat[strlen(r->pat) - 1] = '\0';
	}
	r->kind = RULE_PATH;
	return 0;
}

static int
rule_parse_domain(struct rule *r, const char *spec, size_t n, char **err)
{
	size_t col = strlen(r->tool) + 1;

	if (n < 7 || strncmp(spec, "domain:", 7) != 0) {
		return rule_fail(err, r->text, col,
		                 "WebFetch rules take 'domain:HOST'");
	}
	r->pat = xstrndup(spec + 7, n - 7);
	if (!rule_host_pattern_valid(r->pat)) {
		return rule_fail(err, r->text, col + 7,
		                 "invalid host pattern (use example.com or "
		                 "*.example.com)");
	}
	r->kind = RULE_DOMAIN;
	return 0;
}

static int
rule_parse_spec(struct rule *r, const char *spec, size_t n, char **err)
{
	size_t col = strlen(r->tool) + 1;

	if (n == 0) {
		return rule_fail(err, r->text, col, "empty specifier");
	}
	if (n == 1 && spec[0] == '*') {
		r->kind = RULE_TOOL;
		return 0;
	}
	if (rule_is_mcp(r->tool)) {
		return rule_fail(err, r->text, col,
		                 "MCP rules take no specifier; name the tool "
		                 "(mcp__server__tool)");
	}
	if (strcmp(r->tool, "Bash") == 0) {
		return rule_parse_bash(r, spec, n, err);
	}
	if (rule_is_path_tool(r->tool)) {
		return rule_parse_path(r, spec, n, err);
	}
	if (strcmp(r->tool, "WebFetch") == 0) {
		return rule_parse_domain(r, spec, n, err);
	}
	return rule_fail(err, r->text, col,
	                 "this tool takes no specifier in airlock rules");
}

static bool
rule_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_' || c == '-';
}

/* Validates an MCP tool name: mcp__server, mcp__server__tool or
 * mcp__server__*; sets mcp_server for the forms that cover a server. */
static int
rule_check_mcp(struct rule *r, size_t n, char **err)
{
	const char *server = r->text + 5;
	const char *sep = strstr(server, "__");

	if (n == 5 || server[0] == '_') {
		return rule_fail(err, r->text, 5, "missing MCP server name");
	}
	if (sep == NULL || sep >= r->text + n) {
		r->mcp_server = true;
		return strchr(r->tool, '*') == NULL
		               ? 0
		               : rule_fail(
		                         err, r->text, 5,
		                         "'*' is only valid as mcp__server__*");
	}
	if (sep + 2 == r->text + n) {
		return rule_fail(err, r->text, n, "missing MCP tool name");
	}
	if (sep[2] == '*') {
		if (sep + 3 != r->text + n) {
			return rule_fail(err, r->text,
			                 (size_t)(sep - r->text) + 2,
			                 "'*' must be the whole MCP tool name");
		}
		r->mcp_server = true;
		r->tool[sep - r->text] = '\0';
	}
	if (strchr(r->tool, '*') != NULL) {
		return rule_fail(err, r->text,
		                 (size_t)(strchr(r->tool, '*') - r->tool),
		                 "'*' is only valid as mcp__server__*");
	}
	return 0;
}

static size_t
rule_tool_len(const char *s)
{
	size_t n = 0;

	while (rule_name_char(s[n]) ||
	       (s[n] == '*' && n >= 5 && strncmp(s, "mcp__", 5) == 0)) {
		n++;
	}
	return n;
}

static int
rule_parse_body(struct rule *r, char **err)
{
	const char *t = r->text;
	size_t n = rule_tool_len(t), len = strlen(t);
	int rc;

	if (n == 0) {
		return rule_fail(err, t, 0, "expected a tool name");
	}
	if (t[n] != '\0' && t[n] != '(') {
		return rule_fail(err, t, n,
		                 "expected '(' or the end of the rule");
	}
	r->tool = xstrndup(t, n);
	r->kind = RULE_TOOL;
	if (rule_is_mcp(r->tool)) {
		rc = rule_check_mcp(r, n, err);
		if (rc != 0) {
			return rc;
		}
	} else if (strchr(r->tool, '*') != NULL) {
		return rule_fail(err, t, 0, "'*' is not valid in a tool name");
	}
	if (t[n] == '\0') {
		return 0;
	}
	if (t[len - 1] != ')') {
		return rule_fail(err, t, len, "missing ')' at the end");
	}
	return rule_parse_spec(r, t + n + 1, len - n - 2, err);
}

int
rule_parse(struct rule **out, const char *text, char **err)
{
	struct rule *r;
	size_t start = 0, end = strlen(text);
	int rc;

	while (text[start] == ' ' || text[start] == '\t') {
		start++;
	}
	while (end > start && (text[end - 1] == ' ' || text[end - 1] == '\t')) {
		end--;
	}
	for (size_t i = start; i < end; i++) {
		unsigned char c = (unsigned char)text[i];
		if (c < 0x20 || c == 0x7f) {
			return rule_fail(err, text, i, "control character");
		}
	}
	if (start == end) {
		return rule_fail(err, text, 0, "empty rule");
	}
	r = xcalloc(1, sizeof *r);
	r->text = xstrndup(text + start, end - start);
	rc = rule_parse_body(r, err);
	if (rc != 0) {
		rule_free(r);
		return rc;
	}
	*out = r;
	return 0;
}

/* ---- splitting commands ----------------------------------------------- */

/* The words of the current command live in one buffer, each ended by a
 * NUL (at woff[i]), so that splitting allocates per command, not per
 * word or per character. */
struct rule_split {
	struct rule_cmds *out;
	bool loose;
	struct buf raw;
	struct buf words; /* word texts, NUL-separated */
	size_t word_at;   /* where the word being read begins in words */
	bool in_word;
	bool space;
	size_t *woff;
	size_t nwords;
	size_t capwords;
};

/* Characters rule_split_step() treats specially; a run of any others is
 * plain text, copied to the raw line and the word at once. */
static bool
rule_split_plain(char c)
{
	switch (c) {
	case '\0':
	case ' ':
	case '\t':
	case '\n':
	case ';':
	case '&':
	case '|':
	case '(':
	case ')':
	case '<':
	case '>':
	case '`':
	case '$':
	case '\'':
	case '"':
	case '\\':
	case '{':
	case '}':
	case '#':
		return false;
	default:
		return true;
	}
}

static const char *
rule_split_wordat(const struct rule_split *sp, size_t i)
{
	return sp->words.data + sp->woff[i];
}

static void
rule_split_raw(struct rule_split *sp, const char *p, size_t n)
{
	if (sp->space && sp->raw.len > 0) {
		buf_putc(&sp->raw, ' ');
	}
	sp->space = false;
	buf_append(&sp->raw, p, n);
}

static void
rule_split_word(struct rule_split *sp, const char *p, size_t n)
{
	if (!sp->in_word) {
		sp->word_at = sp->words.len;
		sp->in_word = true;
	}
	buf_append(&sp->words, p, n);
}

static void
rule_split_word_end(struct rule_split *sp)
{
	if (!sp->in_word) {
		return;
	}
	if (sp->nwords == sp->capwords) {
		sp->capwords = sp->capwords ? 2 * sp->capwords : 16;
		sp->woff = xrealloc(sp->woff, sp->capwords * sizeof *sp->woff);
	}
	buf_putc(&sp->words, '\0');
	sp->woff[sp->nwords++] = sp->word_at;
	sp->in_word = false;
}

static bool
rule_is_assignment(const char *w)
{
	const char *eq = strchr(w, '=');

	if (eq == NULL || eq == w || (w[0] >= '0' && w[0] <= '9')) {
		return false;
	}
	for (const char *p = w; p < eq; p++) {
		if (!rule_name_char(*p) || *p == '-') {
			return false;
		}
	}
	return true;
}

/* Commands that run their arguments as another command. Options are
 * skipped; so is the duration of timeout and a numeric nice/ionice value,
 * as well as an option's separate argument for sudo's -u/-g. */
static const char *const rule_wrappers[] = {
	/* sorted (strcmp) for bsearch */
	"builtin", "command", "doas", "env",  "exec",    "ionice", "nice",
	"nohup",   "stdbuf",  "sudo", "time", "timeout", "xargs",
};

static int
rule_name_cmp(const void *key, const void *entry)
{
	return strcmp(key, *(const char *const *)entry);
}

static bool
rule_is_wrapper(const char *w)
{
	return bsearch(w, rule_wrappers,
	               sizeof rule_wrappers / sizeof *rule_wrappers,
	               sizeof *rule_wrappers, rule_name_cmp) != NULL;
}

static size_t
rule_skip_prefix(const struct rule_split *sp)
{
	size_t i = 0;
	bool wrapped = false;

	while (i < sp->nwords) {
		const char *w = rule_split_wordat(sp, i);
		if (rule_is_assignment(w) ||
		    (wrapped && (w[0] == '-' ||
		                 strspn(w, "0123456789.smhd") == strlen(w)))) {
			i++;
			continue;
		}
		if (!rule_is_wrapper(w)) {
			break;
		}
		wrapped = true;
		i++;
	}
	return i;
}

static void
rule_split_cmd_end(struct rule_split *sp)
{
	struct buf w = { 0 };
	struct rule_cmds *o = sp->out;

	rule_split_word_end(sp);
	if (sp->nwords > 0 || sp->raw.len > 0) {
		for (size_t i = rule_skip_prefix(sp); i < sp->nwords; i++) {
			if (w.len > 0) {
				buf_putc(&w, ' ');
			}
			buf_puts(&w, rule_split_wordat(sp, i));
		}
		/* grown in powers of two: n + 1 is one when n is */
		if ((o->n & (o->n - 1)) == 0) {
			o->v = xrealloc(o->v,
			                (o->n ? 2 * o->n : 1) * sizeof *o->v);
		}
		o->v[o->n].raw = buf_steal(&sp->raw);
		o->v[o->n].words = buf_steal(&w);
		o->n++;
	}
	buf_reset(&sp->words);
	sp->nwords = 0;
	sp->space = false;
}

/* A single-quoted string starting at p; returns the text after it. */
static const char *
rule_split_squote(struct rule_split *sp, const char *p)
{
	const char *end = strchr(p + 1, '\'');

	if (end == NULL) {
		/* unterminated: the rest of the line is the word */
		sp->out->complex = true;
		end = p + strlen(p);
		rule_split_raw(sp, p, (size_t)(end - p));
		rule_split_word(sp, p + 1, (size_t)(end - p) - 1);
		return end;
	}
	rule_split_raw(sp, p, (size_t)(end - p) + 1);
	rule_split_word(sp, p + 1, (size_t)(end - p) - 1);
	return end + 1;
}

static const char *
rule_split_dquote(struct rule_split *sp, const char *p)
{
	const char *q = p + 1;

	rule_split_word(sp, "", 0);
	while (*q != '\0' && *q != '"') {
		size_t run = strcspn(q, "\"\\`$");
		if (run > 0) {
			rule_split_word(sp, q, run);
			q += run;
			continue;
		}
		if (*q == '`' || (*q == '$' && q[1] == '(')) {
			sp->out->complex = true;
		}
		if (*q == '\\' && q[1] != '\0' && strchr("$`\"\\\n", q[1])) {
			q++;
		}
		rule_split_word(sp, q, 1);
		q++;
	}
	if (*q == '\0') {
		sp->out->complex = true;
		rule_split_raw(sp, p, (size_t)(q - p));
		return q;
	}
	rule_split_raw(sp, p, (size_t)(q - p) + 1);
	return q + 1;
}

/* Characters that make a line too complex for a rule to see through; in
 * loose mode they cut it so that the inner commands are matched too. */
static bool
rule_split_special(struct rule_split *sp, const char *p)
{
	char c = *p;

	if (strchr("()<>`", c) != NULL ||
	    (c == '$' && (p[1] == '(' || p[1] == '\'')) ||
	    (!sp->in_word && strchr("{}#", c) != NULL)) {
		return true;
	}
	return false;
}

static const char *
rule_split_step(struct rule_split *sp, const char *p)
{
	char c = *p;

	if (rule_split_plain(c)) {
		size_t n = 1;
		while (rule_split_plain(p[n])) {
			n++;
		}
		rule_split_raw(sp, p, n);
		rule_split_word(sp, p, n);
		return p + n;
	}
	if (c == ' ' || c == '\t') {
		rule_split_word_end(sp);
		sp->space = true;
		return p + 1;
	}
	if (strchr("\n;&|", c) != NULL) {
		rule_split_cmd_end(sp);
		return p + ((p[1] == c || (c == '|' && p[1] == '&')) ? 2 : 1);
	}
	if (rule_split_special(sp, p)) {
		sp->out->complex = true;
		if (sp->loose) {
			rule_split_cmd_end(sp);
			return p + 1;
		}
	}
	if (c == '\\' && p[1] == '\n') {
		return p + 2;
	}
	if (c == '\\' && p[1] != '\0') {
		rule_split_raw(sp, p, 2);
		rule_split_word(sp, p + 1, 1);
		return p + 2;
	}
	if (c == '\'') {
		return rule_split_squote(sp, p);
	}
	if (c == '"' && !sp->loose) {
		return rule_split_dquote(sp, p);
	}
	if (c != '"') {
		/* this character, and the plain text after it */
		size_t n = 1;
		while (rule_split_plain(p[n])) {
			n++;
		}
		rule_split_raw(sp, p, n);
		rule_split_word(sp, p, n);
		return p + n;
	}
	return p + 1;
}

void
rule_split_command(const char *command, bool loose, struct rule_cmds *out)
{
	struct rule_split sp = { .out = out, .loose = loose };

	for (const char *p = command; *p != '\0';) {
		p = rule_split_step(&sp, p);
	}
	rule_split_cmd_end(&sp);
	buf_free(&sp.raw);
	buf_free(&sp.words);
	free(sp.woff);
}

void
rule_cmds_clear(struct rule_cmds *c)
{
	for (size_t i = 0; i < c->n; i++) {
		free(c->v[i].raw);
		free(c->v[i].words);
	}
	free(c->v);
	*c = (struct rule_cmds){ 0 };
}
