#ifndef AIRLOCK_IPC_CHECK_H
#define AIRLOCK_IPC_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "core/event.h"
#include "core/policy.h"

/*
 * `airlock check`: decides hook events with a policy, offline (the daemon
 * is not contacted and nothing is recorded), so that a policy can be tried
 * on real or hand-written calls before it is used.
 */

struct check_stats {
	size_t events; /* lines that held an event */
	size_t allow;
	size_t ask;
	size_t deny;
	size_t invalid; /* lines that did not parse (each decided deny) */
};

/* Reads Claude Code hook events from in, one JSON object per line (blank
 * lines are skipped), and writes one JSON decision per line to out:
 *   {"decision": "allow|ask|deny", "reason": ..., "rule": ..., "rule_file":
 *    ..., "source": ..., "findings": [{"category": ..., "span": [start,
 *    end], "why": ...}], "hosts": [...]}
 * A line that is not a valid event gets {"decision": "deny", "source":
 * "invalid", "reason": ..., "line": n}; an event that carries no tool call
 * gets {"decision": "none", ...}. stats may be NULL. Returns 0, or AL_EIO
 * when in or out fails. */
int check_stream(FILE *in, FILE *out, const struct policy *p,
                 const struct policy_ctx *ctx, struct check_stats *stats);

/* Builds the event of a call written as a rule would be: `Bash(git push -f
 * origin main)`, `Read(src/a.c)`, `WebFetch(https://x.org/)`,
 * `WebSearch(query)`, `mcp__server__tool`; or a JSON hook event when call
 * starts with '{'. cwd is the call's working directory (may be NULL). On
 * failure returns AL_EPARSE and sets *err (caller frees). The caller frees
 * *out with event_free(). */
int check_event_from_call(const char *call, const char *cwd, struct event **out,
                          char **err);

/* `airlock check --explain CALL`: decides one call and prints it in words
 * (or, with json, as one line of check_stream()). Returns 0, or AL_EPARSE
 * with a message on out when the call cannot be read. */
int check_explain(const char *call, FILE *out, const struct policy *p,
                  const struct policy_ctx *ctx, bool json);

/* The decision as one line of JSON (no newline); the caller frees it. */
char *check_result_json(const struct policy_result *r);

#endif
