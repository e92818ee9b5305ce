#ifndef AIRLOCK_CORE_RULE_INT_H
#define AIRLOCK_CORE_RULE_INT_H

/*
 * Private to core/rule*.c: the parsed rule that the parser (rule.c) and
 * the matchers (rule_match.c) share, and the helpers rule_split.c uses.
 * Not part of the public API.
 */

#include <stdbool.h>
#include <stddef.h>

#include "core/rule.h"

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

/* rule.c: a character of a tool or variable name ([A-Za-z0-9_-]). */
bool rule_name_char(char c);

#endif
