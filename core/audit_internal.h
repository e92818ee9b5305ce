#ifndef AIRLOCK_CORE_AUDIT_INTERNAL_H
#define AIRLOCK_CORE_AUDIT_INTERNAL_H

/*
 * Shared between the audit*.c files only (they make up airlock_audit);
 * nothing outside core/audit*.c includes this. It names sqlite3 types, so
 * it is included after <sqlite3.h>.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

#include "core/audit.h"
#include "core/buf.h"

/* Prepared statements kept for the life of the store, one per SQL text
 * (keyed by the text's address: callers pass string literals). */
#define AUDIT_STMT_CACHE 48

struct audit_cached {
	const char *sql;
	sqlite3_stmt *st;
};

/* Sessions this store has already created, so that recording a call only
 * updates the session's bookkeeping (no INSERT OR IGNORE first). */
#define AUDIT_SESSION_CACHE 64

struct audit {
	sqlite3 *h;
	int flags;
	pthread_mutex_t mu; /* serialises whole operations (transactions) */
	bool batch;         /* records share one transaction */
	/* Set between audit_batch_begin and _end (read without the lock).
	 * The batch belongs to the thread that opened it: other threads'
	 * calls wait in audit_lock until it ends (nothing joins a batch by
	 * accident), and their reads go to rd, which sees committed rows
	 * only; the owner's reads see the batch so far. */
	atomic_bool batch_open;
	pthread_t batch_owner;
	pthread_cond_t batch_cv;
	/* A read-only connection to the same file (read-write file stores
	 * only): lookups see committed rows only and never wait for a
	 * writer's transaction or fsync. NULL for ":memory:". */
	struct audit *rd;
	/* A record inside a batch failed after it had written: the batch can
	 * only be rolled back whole (records share the transaction without
	 * savepoints, see audit_begin). */
	bool batch_failed;
	int64_t rec_changes; /* sqlite3_total_changes at the record's start */
	/* The chain head, valid while head_valid: what the last entry of
	 * the committed (or current) transaction is. Reloaded after any
	 * rollback or when another connection committed (data_version). */
	bool head_valid;
	int64_t head_seq;
	char head_hash[65];
	int64_t data_version;
	/* The search index (audit_index.c): deferred to
	 * audit_index_backlog(), and, while index_valid, the watermark and
	 * the highest action id of the committed (or current) transaction. */
	bool index_deferred;
	bool index_valid;
	int64_t index_through;
	int64_t index_max_id;
	/* AUDIT_BG_CHECKPOINT (audit_wal.c); NULL otherwise. */
	struct audit_wal *wal;
	struct audit_cached stmts[AUDIT_STMT_CACHE];
	int nstmts;
	char *sessions[AUDIT_SESSION_CACHE];
	int session_next;
	char err[512];
};

/* How a text column is stored. Identifiers are matched exactly later
 * (request ids, session ids, tool names) and are not free text, so they
 * are stored as given; everything else is redacted. */
enum audit_text {
	AUDIT_TEXT_ID = 0,
	AUDIT_TEXT_FREE,
};

/* The store public reads run on: db->rd when there is one and no batch
 * is open, else db itself. */
struct audit *audit_reader(struct audit *db);
/* Ends a read run on r for db: copies a failure's message to db (except
 * AL_ENOENT, the normal "not found"); returns rc. */
int audit_read_done(struct audit *db, struct audit *r, int rc);

/* Whether the calling thread opened the current batch. */
bool audit_batch_mine(struct audit *db);

/* Errors: records the SQLite detail on db and returns the AL_E* code. */
int audit_fail(struct audit *db, int sqlite_rc);
int audit_failf(struct audit *db, int code, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));
int audit_prepare(struct audit *db, const char *sql, sqlite3_stmt **out);
/* The cached statement for sql (a string literal: the cache is keyed by
 * its address), reset with no bindings; prepared on first use and
 * finalized by audit_close. Never finalize it: release it with
 * audit_done() as soon as its rows are read, so that no read stays open. */
int audit_cached(struct audit *db, const char *sql, sqlite3_stmt **out);
void audit_done(sqlite3_stmt *st); /* reset + clear bindings; NULL ok */
/* Forgets the in-memory chain head and session cache (after a rollback,
 * or when another connection wrote). */
void audit_forget(struct audit *db);
/* Whether name is a session this store already created. */
bool audit_session_known(struct audit *db, const char *session_id);
void audit_session_remember(struct audit *db, const char *session_id);
int audit_exec(struct audit *db, const char *sql);
/* Steps a statement that returns no rows (SQLITE_DONE expected). */
int audit_step_done(struct audit *db, sqlite3_stmt *st);
int audit_begin(struct audit *db);
/* audit_batch_begin/_end without the lock (the caller holds it). */
int audit_batch_open_locked(struct audit *db);
int audit_batch_close_locked(struct audit *db, bool commit);
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
/* The last chain entry (*seq 0 and 64 zeros when empty): from memory when
 * known, else read. Inside the caller's lock. */
int audit_chain_head(struct audit *db, int64_t *seq, char hash[65]);
/* The content hash of row_id of chain table tbl; *found false when the
 * row does not exist. */
int audit_chain_row_hash(struct audit *db, const char *tbl, int64_t row_id,
                         bool *found, char out[65]);
/* Appends the entry of tbl row_id with an already computed content hash. */
int audit_chain_append_hash(struct audit *db, const char *tbl, int64_t row_id,
                            const char *content);

/* For a new action id (inside the caller's transaction, before its FTS
 * rows): *now is set when the caller is to write them, i.e. the store
 * indexes inline and the index has no backlog; the watermark then moves
 * to id. Otherwise the row is left to audit_index_backlog(). */
int audit_index_claim(struct audit *db, int64_t id, bool *now);
/* The watermark: every action with id <= *through is indexed. */
int audit_index_through(struct audit *db, int64_t *through);

/* Background WAL checkpoints (AUDIT_BG_CHECKPOINT). */
int audit_wal_start(struct audit *db, const char *path);
void audit_wal_stop(struct audit *db);

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
