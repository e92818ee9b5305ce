#ifndef AIRLOCK_CORE_ACTION_H
#define AIRLOCK_CORE_ACTION_H

#include <stdbool.h>
#include <stdint.h>

#include "core/risk.h"

/*
 * One recorded tool call and what became of it: the unit the daemon holds,
 * the audit store keeps, the protocol carries and the console shows.
 * Strings are owned by the action (NULL when unknown).
 */
enum action_state {
	ACTION_DECIDED = 0, /* decided by policy at once; never pending */
	ACTION_PENDING,     /* waiting for a human */
	ACTION_APPROVED,
	ACTION_DENIED,
	ACTION_TIMED_OUT,
	ACTION_ABANDONED, /* the hook went away before a decision */
};

struct action {
	int64_t id;
	char *request_id; /* the hook's 128-bit id, hex */
	char *session_id;
	char *hook_event;
	char *tool_name;
	char *tool_use_id;
	char *cwd;
	char *permission_mode;
	char *tool_input; /* JSON text */
	char *summary;
	int64_t received_ms; /* wall clock, ms since the epoch */
	int64_t deadline_ms; /* pending only: when it times out */

	char *verdict; /* the policy's: "allow", "ask", "deny" */
	char *reason;
	char *rule;
	char *rule_file;
	char *source;
	struct risk_report risk;
	bool tainted;
	int tier; /* isolation tier when recorded */

	enum action_state state;
	char *final_reason;
	char *approver; /* Unix user name from peer credentials */
	int64_t approver_uid;
	int64_t approver_pid;
	char *edited_input; /* JSON text when approved with edits */
	int64_t decided_ms;

	/* PostToolUse / PostToolUseFailure: the tool's result as the model
	 * saw it, bounded (ACTION_RESULT_KEEP bytes), with the size and
	 * SHA-256 of the whole. */
	char *result;
	int64_t result_size;
	char *result_sha256;
};

#define ACTION_RESULT_KEEP (64 * 1024)

const char *action_state_name(enum action_state s); /* "pending" ... */
bool action_state_from_name(const char *name, enum action_state *out);
/* The decision the hook gets for a final state: "allow" or "deny". */
const char *action_state_decision(enum action_state s);
struct action *action_new(void); /* zeroed */
struct action *action_dup(const struct action *a);
/* A copy for people to see: secrets in every free-text field (input,
 * summary, reasons, result, findings) replaced by markers (core/redact.h).
 * The daemon sends only this form to consoles. */
struct action *action_redacted(const struct action *a);
void action_free(struct action *a); /* NULL is a no-op */

/* Text encoding of a risk report for storage and the wire, one finding or
 * host per line; see action.c. The caller frees the string. */
char *risk_report_encode(const struct risk_report *r);
/* Decodes into r (appends); AL_EPARSE on malformed text. */
int risk_report_decode(const char *text, struct risk_report *r);

#endif
