#ifndef AIRLOCK_CORE_AUDIT_H
#define AIRLOCK_CORE_AUDIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/action.h"

/*
 * The audit store: one SQLite database (WAL) owned by the daemon; other
 * processes open it read-only. Every write is durable when the call
 * returns (the daemon replies to a hook only after that). Rows are chained
 * by hash so that `airlock verify` detects edits, deletions and
 * reordering. Secrets are redacted in one place before storage.
 */
struct audit;

enum audit_open_flags {
	AUDIT_READONLY = 1 << 0,
};

/* Opens or creates (unless AUDIT_READONLY) the store at path (":memory:"
 * works); migrates the schema. The caller closes *out. On failure *out is
 * untouched and, if errmsg is not NULL, *errmsg is set to a message the
 * caller frees. */
int audit_open(struct audit **out, const char *path, int flags, char **errmsg);
void audit_close(struct audit *db); /* NULL is a no-op */
/* The last SQLite error text of this store; borrowed. */
const char *audit_errmsg(const struct audit *db);

/* A hook event that could not be parsed: a bounded copy of the raw bytes,
 * the SHA-256 of all of them, and why it was refused. */
struct audit_malformed {
	const char *raw;
	size_t raw_len;  /* bytes in raw (already bounded by the caller) */
	size_t full_len; /* size of the whole event */
	const char *sha256_hex;
	const char *reason;
	int64_t received_ms;
	int64_t peer_uid;
	int64_t peer_pid;
};

/* Records a call (an action: the event plus the policy's verdict and, for
 * an auto-decision, its final state ACTION_DECIDED; for ask, state
 * ACTION_PENDING). Sets a->id. Durable on return. A request_id already
 * recorded returns AL_EEXIST and leaves the store unchanged. */
int audit_record_action(struct audit *db, struct action *a);
/* Records the end of a pending action (approved, denied, timed out,
 * abandoned) with who and why, from a's final fields. AL_EEXIST when the
 * action already has a final decision (the first decision wins), AL_ENOENT
 * when there is no such pending action. */
int audit_record_final(struct audit *db, const struct action *a);
/* Records a non-decision event (SessionStart, PostToolUse, Stop, ...) as
 * an action in state ACTION_DECIDED with verdict NULL. Sets a->id. */
int audit_record_event(struct audit *db, struct action *a);
int audit_record_malformed(struct audit *db, const struct audit_malformed *m);

/* Looks up by id or request id; *out is a new action the caller frees. */
int audit_get(struct audit *db, int64_t id, struct action **out);
int audit_find_request(struct audit *db, const char *request_id,
                       struct action **out);

typedef int (*audit_action_fn)(const struct action *a, void *arg);

/* Calls fn for each pending action, oldest first. fn returning non-zero
 * stops the walk and that value is returned. */
int audit_list_pending(struct audit *db, audit_action_fn fn, void *arg);

struct audit_query {
	const char *text;       /* substring / word search, or NULL */
	const char *session_id; /* filters, NULL for any */
	const char *tool_name;
	const char *verdict;
	int64_t since_ms; /* 0 for no bound */
	int64_t until_ms;
	int limit; /* 0 means 50 */
};

/* Calls fn for matching actions, newest first. */
int audit_query(struct audit *db, const struct audit_query *q,
                audit_action_fn fn, void *arg);

struct audit_verify_report {
	int64_t rows;          /* rows checked */
	int64_t first_bad_row; /* 0 when the chain is intact */
	char head_hash[65];    /* the last row's chain hash */
	char problem[160];     /* what is wrong with first_bad_row */
};

/* Recomputes the hash chain. Returns 0 when it could be checked (look at
 * first_bad_row), an AL_E* code when the database could not be read. */
int audit_verify(struct audit *db, struct audit_verify_report *out);

#endif
