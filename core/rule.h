#ifndef AIRLOCK_CORE_RULE_H
#define AIRLOCK_CORE_RULE_H

#include <stdbool.h>
#include <stddef.h>

/*
 * One permission rule in Claude Code's syntax, parsed once and matched many
 * times:
 *
 *   Tool                       every call of the tool (Bash, WebSearch, ...)
 *   Bash(npm run test:*)       prefix: the command, or it plus arguments
 *   Bash(git * main)           glob: `*` matches any text
 *   Bash(git status)           exact command
 *   Read(./.env) Edit(*.md)    gitignore-style path patterns (`**` spans
 *                              directories): relative to the project, `~/`
 *                              home, `//abs` absolute, `/x` the project
 *                              root (the settings file's dir)
 *   WebFetch(domain:x.com)     a host, or `*.x.com` for its subdomains
 *   mcp__server, mcp__server__tool, mcp__server__*
 *
 * `Read(...)` rules also cover Glob, Grep, LS and NotebookRead; `Edit(...)`
 * rules cover Write, MultiEdit and NotebookEdit, as in Claude Code.
 */
struct rule;

enum rule_kind {
	RULE_TOOL,   /* no specifier: the whole tool (or MCP server) */
	RULE_BASH,   /* a command pattern */
	RULE_PATH,   /* a path pattern */
	RULE_DOMAIN, /* a host pattern */
};

/* Where paths are resolved; borrowed. Any member may be NULL. */
struct rule_paths {
	const char *project_dir; /* base of relative and `/x` patterns */
	const char *home;        /* base of `~/` patterns */
	const char *cwd;         /* base of relative paths in a tool call */
};

/* Parses text. On a syntax error returns AL_EPARSE and, if err is not NULL,
 * sets *err to a message (caller frees) naming the problem and its column.
 * On success the caller frees *out with rule_free(). */
int rule_parse(struct rule **out, const char *text, char **err);
void rule_free(struct rule *r); /* NULL is a no-op */

const char *rule_text(const struct rule *r); /* as written, trimmed */
const char *rule_tool(const struct rule *r); /* "Bash", "mcp__srv__x" */
enum rule_kind rule_kind(const struct rule *r);

/* True when the rule is about this tool: same name, the Read/Edit family,
 * or an MCP server/wildcard rule covering the tool. The specifier is not
 * looked at. */
bool rule_applies_to_tool(const struct rule *r, const char *tool);

/* RULE_BASH (or RULE_TOOL, which matches anything): does the pattern match
 * one simple command, given as its words joined by single spaces? */
bool rule_match_command(const struct rule *r, const char *command);

/* RULE_PATH (or RULE_TOOL): does the pattern match path (absolute, or
 * relative to env->cwd, else env->project_dir)? Matching is lexical: `.`
 * and `..` are resolved, symbolic links are not. A pattern that names a
 * directory also matches everything below it. */
bool rule_match_path(const struct rule *r, const char *path,
                     const struct rule_paths *env);

/* RULE_DOMAIN (or RULE_TOOL): does the pattern match host? */
bool rule_match_host(const struct rule *r, const char *host);

/* Host patterns, shared with the egress allowlist: "example.com" matches
 * exactly (case-insensitively, a trailing dot ignored), "*.example.com"
 * matches any subdomain but not example.com itself, "*" any host. */
bool rule_host_pattern_valid(const char *pattern);
bool rule_host_match(const char *pattern, const char *host);

/* Makes path absolute against base (when relative) and resolves `.`, `..`
 * and repeated slashes lexically. Returns NULL when neither is absolute.
 * The caller frees the result. */
char *rule_path_resolve(const char *path, const char *base);
/* True when the resolved path is dir or below it (both absolute). */
bool rule_path_within(const char *path, const char *dir);

/*
 * A conservative split of a Bash command line into its simple commands, for
 * rule matching: quote-aware, cut at `;` `&` `|` `&&` `||` and newlines.
 * `complex` is set when the line holds anything a prefix match cannot see
 * through (`$(`, backticks, subshells, braces, redirections, heredocs, an
 * unterminated quote): such a line is never allowed by a rule.
 */
struct rule_cmd {
	char *raw;   /* the text, whitespace runs outside quotes collapsed */
	char *words; /* words unquoted, env assignments and wrappers
	                (sudo, env, command, exec, nohup, time, nice ...)
	                dropped, joined by single spaces */
};

struct rule_cmds {
	struct rule_cmd *v;
	size_t n;
	bool complex;
};

/* Splits command into *out (zero it first); rule_cmds_clear() frees. In
 * loose mode (for deny and ask rules, which should over-match) double
 * quotes do not protect and `$(`, backticks, parentheses, braces and
 * redirections cut too, so commands nested in substitutions and subshells
 * come out as parts of their own. */
void rule_split_command(const char *command, bool loose, struct rule_cmds *out);
void rule_cmds_clear(struct rule_cmds *c);

#endif
