#ifndef AIRLOCK_CORE_AUDIT_INTERNAL_H
#define AIRLOCK_CORE_AUDIT_INTERNAL_H

/*
 * Shared between the audit*.c files only (they make up airlock_audit);
 * nothing outside core/audit*.c includes this. It names sqlite3 types, so
 * it is included after <sqlite3.h>.
 */
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

#include "core/audit.h"
#include "core/buf.h"

struct audit {
	sqlite3 *h;
	int flags;
	pthread_mutex_t mu; /* serialises whole operations (transactions) */
	bool batch;         /* inside audit_batch_begin: records savepoint */
	char err[512];
};

/* How a text column is stored. Identifiers are matched exactly later
 * (request ids, session ids, tool names) and are not free text, so they
 * are stored as given; everything else is redacted. */
enum audit_text {
	AUDIT_TEXT_ID = 0,
	AUDIT_TEXT_FREE,
};

/* Errors: records the SQLite detail on db and returns the AL_E* code. */
int audit_fail(struct audit *db, int sqlite_rc);
int audit_failf(struct audit *db, int code, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));
int audit_prepare(struct audit *db, const char *sql, sqlite3_stmt **out);
int audit_exec(struct audit *db, const char *sql);
/* Steps a statement that returns no rows (SQLITE_DONE expected). */
int audit_step_done(struct audit *db, sqlite3_stmt *st);
int audit_begin(struct audit *db);
int audit_commit(struct audit *db);
void audit_rollback(struct audit *db);
void audit_lock(struct audit *db);
void audit_unlock(struct audit *db);

/* The single place stored text passes through the redactor. */
char *audit_redact(const char *s, size_t len, size_t *out_len);
void audit_bind_text(sqlite3_stmt *st, int idx, const char *s,
                     enum audit_text kind);
void audit_bind_blob(sqlite3_stmt *st, int idx, const void *p, size_t len,
                     enum audit_text kind);
void audit_bind_i64(sqlite3_stmt *st, int idx, int64_t v);
/* A copy of a text column, NULL for SQL NULL. */
char *audit_col_str(sqlite3_stmt *st, int col);

/* Schema: creates or migrates to AUDIT_SCHEMA_VERSION (read-write), or
 * checks the version (read-only). */
int audit_schema_migrate(struct audit *db);
int audit_schema_check(struct audit *db);

/* Appends the chain entry of row_id of chain table tbl ("actions",
 * "finals", "sessions", "malformed", "alerts", "alert_acks"). Inside the
 * caller's transaction. */
int audit_chain_append(struct audit *db, const char *tbl, int64_t row_id);

/* Reading actions: the column list and join that audit_action_from_row
 * decodes. */
#define AUDIT_ACTION_COLS                                                    \
	"a.id, a.request_id, a.session_id, a.hook_event, a.tool_name, "      \
	"a.tool_use_id, a.cwd, a.permission_mode, a.tool_input, a.summary, " \
	"a.received_ms, a.deadline_ms, a.verdict, a.reason, a.rule, "        \
	"a.rule_file, a.source, a.risk, a.risk_mask, a.tainted, a.tier, "    \
	"a.state, f.state, f.reason, f.approver, f.approver_uid, "           \
	"f.approver_pid, f.edited_input, f.decided_ms, a.result, "           \
	"a.result_size, a.result_sha"
#define AUDIT_ACTION_FROM \
	" FROM actions a LEFT JOIN finals f ON f.action_id = a.id"

struct action *audit_action_from_row(sqlite3_stmt *st);

/* A list of actions collected under the lock and handed to callbacks
 * after it is released. */
struct audit_actions {
	struct action **v;
	size_t n;
	size_t cap;
};

int audit_collect(struct audit *db, sqlite3_stmt *st, struct audit_actions *l);
int audit_actions_emit(struct audit_actions *l, audit_action_fn fn, void *arg);
void audit_actions_free(struct audit_actions *l);
/* Collects the rows of a prepared, bound SELECT of actions, finalizes st,
 * releases the lock the caller took, then calls fn on each. */
int audit_run_actions(struct audit *db, sqlite3_stmt *st, audit_action_fn fn,
                      void *arg);

#endif
