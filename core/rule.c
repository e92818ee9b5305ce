#include "core/rule.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/al.h"
#include "core/buf.h"
#include "core/rule_int.h"
#include "core/xalloc.h"

/*
 * Permission rules: parsing, the tool families a rule covers, and the
 * accessors. Matching a specifier is in rule_match.c, splitting a Bash
 * line into simple commands in rule_split.c.
 */

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

/* ---- tools ----------------------------------------------------------- */

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

bool
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
