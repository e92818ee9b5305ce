#ifndef AIRLOCK_CORE_POLICY_H
#define AIRLOCK_CORE_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/event.h"
#include "core/risk.h"

/*
 * The least-privilege policy. Evaluation order, first match wins:
 *   1. built-in self-protection (deny),
 *   2. the user's deny rules,
 *   3. the user's ask rules and the risk classifier (stricter when the
 *      session is tainted),
 *   4. the user's allow rules,
 *   5. the default: allow for read-only tools, ask for side effects.
 * Rules use Claude Code's permission rule syntax (`Bash(git push:*)`,
 * `Read(./.env)`, `WebFetch(domain:example.com)`, `mcp__server__tool`).
 */
enum policy_verdict {
	POLICY_ALLOW = 0,
	POLICY_ASK = 1,
	POLICY_DENY = 2,
};

struct policy;

/* Where a call runs; borrowed for the call to policy_evaluate(). */
struct policy_ctx {
	const char *project_dir;
	const char *home;
	bool tainted; /* the session has read untrusted content */
	const char *const *protected_paths; /* see classify_env */
	size_t nprotected;
};

struct policy_result {
	enum policy_verdict verdict;
	char *reason;    /* for the model and the approver; owned */
	char *rule;      /* the rule text that decided, or NULL */
	char *rule_file; /* the file it came from, or NULL */
	char *source;    /* "builtin", "rule", "classifier", "default" */
	struct risk_report risk;
};

const char *policy_verdict_name(enum policy_verdict v); /* "allow" ... */

/* A policy with the built-ins and the default only; caller frees. */
int policy_new(struct policy **out);
void policy_free(struct policy *p); /* NULL is a no-op */

/* Adds one rule to a list. file/line say where it came from (file may be
 * NULL). On a syntax error returns AL_EPARSE and, if err is not NULL, sets
 * *err to a message the caller frees. */
int policy_add_rule(struct policy *p, enum policy_verdict list,
                    const char *text, const char *file, int line, char **err);
/* Adds a host pattern to the egress allowlist ("example.com",
 * "*.example.com"). */
int policy_add_egress_host(struct policy *p, const char *pattern);
/* Strict mode: the default for anything not allowed by a rule is ask, and
 * the hook's daemon-down fallback is deny. */
void policy_set_strict(struct policy *p, bool strict);
bool policy_strict(const struct policy *p);

/* Seconds a call may wait for a human before it times out (default 300). */
void policy_set_approval_timeout(struct policy *p, int seconds);
int policy_approval_timeout(const struct policy *p);
/* The categories (RISK_BIT() mask) that ask in a tainted session even when
 * an allow rule or the egress allowlist would let them through; default
 * egress and secret_access. */
void policy_set_taint_mask(struct policy *p, uint32_t mask);
uint32_t policy_taint_mask(const struct policy *p);
/* How many rules a list holds. */
size_t policy_rule_count(const struct policy *p, enum policy_verdict list);
/* True when host is on the egress allowlist. */
bool policy_egress_allowed(const struct policy *p, const char *host);

/* Decides one event (PreToolUse or PermissionRequest). Fills *out; the
 * caller calls policy_result_clear(). Never fails open: on any internal
 * error the verdict is ask or deny. */
int policy_evaluate(const struct policy *p, const struct event *ev,
                    const struct policy_ctx *ctx, struct policy_result *out);
void policy_result_clear(struct policy_result *r);

#endif
