/* Writing: every record is one BEGIN IMMEDIATE transaction holding the
 * row and its chain entry, committed with synchronous=FULL before the
 * call returns; any failure rolls the whole of it back. */
#include "core/audit.h"

#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "core/al.h"
#include "core/audit_internal.h"

static bool
audit_is_unique_violation(int rc)
{
	return rc == SQLITE_CONSTRAINT_UNIQUE ||
	       rc == SQLITE_CONSTRAINT_PRIMARYKEY;
}

/* Runs one prepared INSERT; a UNIQUE violation is AL_EEXIST. */
static int
audit_insert(struct audit *db, sqlite3_stmt *st, int64_t *row_id)
{
	int s = sqlite3_step(st);

	if (s == SQLITE_DONE) {
		*row_id = sqlite3_last_insert_rowid(db->h);
		return 0;
	}
	if (audit_is_unique_violation(s)) {
		return audit_failf(db, AL_EEXIST, "%s", sqlite3_errmsg(db->h));
	}
	return audit_fail(db, s);
}

static const char audit_sql_session_insert[] =
        "INSERT OR IGNORE INTO sessions(session_id, cwd, first_seen_ms, "
        "last_seen_ms, permission_mode) VALUES (?1, ?2, ?3, ?3, ?4)";
static const char audit_sql_session_update[] =
        "UPDATE sessions SET last_seen_ms = max(last_seen_ms, ?1), "
        "permission_mode = coalesce(?2, permission_mode) "
        "WHERE session_id = ?3";
static const char audit_sql_request_exists[] =
        "SELECT 1 FROM actions WHERE request_id = ?";
static const char audit_sql_action_insert[] =
        "INSERT INTO actions(request_id, session_id, hook_event, tool_name, "
        "tool_use_id, cwd, permission_mode, tool_input, summary, "
        "received_ms, deadline_ms, verdict, reason, rule, rule_file, "
        "source, risk, risk_mask, tainted, tier, state, result, "
        "result_size, result_sha) VALUES "
        "(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";
/* The FTS rows are written here rather than by a trigger: a trigger makes
 * the INSERT a multi-statement write with a statement journal, and FTS5
 * flushes its pending terms at every statement savepoint, so each row
 * would become its own index segment. Single-row VALUES inserts have no
 * statement journal; the terms of a whole transaction are flushed once
 * at commit. The values are the stored (redacted) ones. */
static const char audit_sql_tri_insert[] =
        "INSERT INTO actions_tri(rowid, summary, tool_input, reason, result)"
        " VALUES (?,?,?,?,?)";
static const char audit_sql_word_insert[] =
        "INSERT INTO actions_word(rowid, summary, tool_input, reason, "
        "result) VALUES (?,?,?,?,?)";

/* A session row is created on first sight (and chained then); its
 * last_seen_ms and permission_mode are bookkeeping, kept up to date but
 * outside the chain. A session this store created before needs only the
 * UPDATE. */
static int
audit_create_session(struct audit *db, const struct action *a)
{
	sqlite3_stmt *st = NULL;
	int64_t id = 0;
	int rc = audit_cached(db, audit_sql_session_insert, &st);

	if (rc != 0) {
		return rc;
	}
	audit_bind_text(st, 1, a->session_id, AUDIT_TEXT_ID);
	audit_bind_text(st, 2, a->cwd, AUDIT_TEXT_FREE);
	audit_bind_i64(st, 3, a->received_ms);
	audit_bind_text(st, 4, a->permission_mode, AUDIT_TEXT_ID);
	rc = audit_insert(db, st, &id);
	bool created = rc == 0 && sqlite3_changes(db->h) == 1;
	audit_done(st);
	if (created) {
		rc = audit_chain_append(db, "sessions", id);
	}
	if (rc == 0) {
		audit_session_remember(db, a->session_id);
	}
	return rc;
}

static int
audit_touch_session(struct audit *db, const struct action *a)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if (a->session_id == NULL) {
		return 0;
	}
	if (!audit_session_known(db, a->session_id)) {
		rc = audit_create_session(db, a);
		if (rc != 0) {
			return rc;
		}
	}
	rc = audit_cached(db, audit_sql_session_update, &st);
	if (rc != 0) {
		return rc;
	}
	audit_bind_i64(st, 1, a->received_ms);
	audit_bind_text(st, 2, a->permission_mode, AUDIT_TEXT_ID);
	audit_bind_text(st, 3, a->session_id, AUDIT_TEXT_ID);
	rc = audit_step_done(db, st);
	audit_done(st);
	return rc;
}

/* The indexed free text of an action, redacted once and bound to the
 * row and to both FTS tables. */
enum {
	AUDIT_FTS_COLS = 4
};

struct audit_fts_text {
	char *v[AUDIT_FTS_COLS]; /* summary, tool_input, reason, result */
	size_t len[AUDIT_FTS_COLS];
};

static void
audit_fts_text_init(struct audit_fts_text *t, const struct action *a)
{
	const char *src[AUDIT_FTS_COLS] = { a->summary, a->tool_input,
		                            a->reason, a->result };

	for (int i = 0; i < AUDIT_FTS_COLS; i++) {
		t->v[i] = src[i] ? audit_redact(src[i], strlen(src[i]),
		                                &t->len[i])
		                 : NULL;
	}
}

static void
audit_fts_text_free(struct audit_fts_text *t)
{
	for (int i = 0; i < AUDIT_FTS_COLS; i++) {
		free(t->v[i]);
	}
}

static void
audit_bind_redacted(sqlite3_stmt *st, int idx, const struct audit_fts_text *t,
                    int col)
{
	if (t->v[col] == NULL) {
		sqlite3_bind_null(st, idx);
	} else {
		sqlite3_bind_text(st, idx, t->v[col], (int)t->len[col],
		                  SQLITE_STATIC);
	}
}

static void
audit_bind_action(sqlite3_stmt *st, const struct action *a, bool is_event,
                  const struct audit_fts_text *t)
{
	char *risk = risk_report_encode(&a->risk);

	audit_bind_text(st, 1, a->request_id, AUDIT_TEXT_ID);
	audit_bind_text(st, 2, a->session_id, AUDIT_TEXT_ID);
	audit_bind_text(st, 3, a->hook_event, AUDIT_TEXT_ID);
	audit_bind_text(st, 4, a->tool_name, AUDIT_TEXT_ID);
	audit_bind_text(st, 5, a->tool_use_id, AUDIT_TEXT_ID);
	audit_bind_text(st, 6, a->cwd, AUDIT_TEXT_FREE);
	audit_bind_text(st, 7, a->permission_mode, AUDIT_TEXT_ID);
	audit_bind_redacted(st, 8, t, 1);
	audit_bind_redacted(st, 9, t, 0);
	audit_bind_i64(st, 10, a->received_ms);
	audit_bind_i64(st, 11, a->deadline_ms);
	audit_bind_text(st, 12, is_event ? NULL : a->verdict, AUDIT_TEXT_ID);
	audit_bind_redacted(st, 13, t, 2);
	audit_bind_text(st, 14, a->rule, AUDIT_TEXT_FREE);
	audit_bind_text(st, 15, a->rule_file, AUDIT_TEXT_FREE);
	audit_bind_text(st, 16, a->source, AUDIT_TEXT_FREE);
	/* Findings explain themselves with pieces of the input: redact. */
	audit_bind_text(st, 17, risk[0] ? risk : NULL, AUDIT_TEXT_FREE);
	audit_bind_i64(st, 18, (int64_t)a->risk.mask);
	audit_bind_i64(st, 19, a->tainted ? 1 : 0);
	audit_bind_i64(st, 20, a->tier);
	audit_bind_text(st, 21,
	                action_state_name(is_event ? ACTION_DECIDED : a->state),
	                AUDIT_TEXT_ID);
	audit_bind_redacted(st, 22, t, 3);
	audit_bind_i64(st, 23, a->result_size);
	audit_bind_text(st, 24, a->result_sha256, AUDIT_TEXT_ID);
	free(risk);
}

/* Refuses a request id already recorded before anything is written (a
 * batch has no savepoint to undo a half-written record). */
static int
audit_check_request(struct audit *db, const char *request_id)
{
	sqlite3_stmt *st = NULL;

	if (request_id == NULL) {
		return 0;
	}
	int rc = audit_cached(db, audit_sql_request_exists, &st);
	if (rc != 0) {
		return rc;
	}
	audit_bind_text(st, 1, request_id, AUDIT_TEXT_ID);
	int s = sqlite3_step(st);
	if (s == SQLITE_ROW) {
		rc = audit_failf(db, AL_EEXIST, "request %s already recorded",
		                 request_id);
	} else if (s != SQLITE_DONE) {
		rc = audit_fail(db, s);
	}
	audit_done(st);
	return rc;
}

static int
audit_fts_insert(struct audit *db, const char *sql, int64_t id,
                 const struct audit_fts_text *t)
{
	sqlite3_stmt *st = NULL;
	int rc = audit_cached(db, sql, &st);

	if (rc != 0) {
		return rc;
	}
	audit_bind_i64(st, 1, id);
	for (int i = 0; i < AUDIT_FTS_COLS; i++) {
		audit_bind_redacted(st, i + 2, t, i);
	}
	rc = audit_step_done(db, st);
	audit_done(st);
	return rc;
}

/* The row, its FTS entries and its chain entry (inside a transaction). */
static int
audit_write_action(struct audit *db, struct action *a, bool is_event,
                   int64_t *id)
{
	struct audit_fts_text t;
	sqlite3_stmt *st = NULL;
	int rc = audit_cached(db, audit_sql_action_insert, &st);

	if (rc != 0) {
		return rc;
	}
	audit_fts_text_init(&t, a);
	audit_bind_action(st, a, is_event, &t);
	rc = audit_insert(db, st, id);
	audit_done(st);
	bool index_now = false;
	if (rc == 0) {
		rc = audit_index_claim(db, *id, &index_now);
	}
	if (rc == 0 && index_now) {
		rc = audit_fts_insert(db, audit_sql_tri_insert, *id, &t);
	}
	if (rc == 0 && index_now) {
		rc = audit_fts_insert(db, audit_sql_word_insert, *id, &t);
	}
	audit_fts_text_free(&t);
	if (rc == 0) {
		rc = audit_chain_append(db, "actions", *id);
	}
	return rc;
}

/* One action in its own transaction, or as a record of the open batch;
 * the caller holds the lock. */
static int
audit_insert_action_locked(struct audit *db, struct action *a, bool is_event)
{
	int64_t id = 0;
	int rc = audit_begin(db);

	if (rc != 0) {
		return rc;
	}
	rc = audit_check_request(db, a->request_id);
	if (rc == 0) {
		rc = audit_touch_session(db, a);
	}
	if (rc == 0) {
		rc = audit_write_action(db, a, is_event, &id);
	}
	if (rc == 0) {
		rc = audit_commit(db);
	}
	if (rc != 0) {
		audit_rollback(db);
	} else {
		a->id = id;
	}
	return rc;
}

static int
audit_insert_action(struct audit *db, struct action *a, bool is_event)
{
	audit_lock(db);
	int rc = audit_insert_action_locked(db, a, is_event);
	audit_unlock(db);
	return rc;
}

int
audit_record_action(struct audit *db, struct action *a)
{
	return audit_insert_action(db, a, false);
}

int
audit_record_event(struct audit *db, struct action *a)
{
	return audit_insert_action(db, a, true);
}

/* Two statements rather than one with an OR: each uses its index. */
static const char audit_sql_final_target_id[] =
        "SELECT a.id, a.state = 'pending', f.id IS NOT NULL FROM "
        "actions a LEFT JOIN finals f ON f.action_id = a.id WHERE a.id = ?";
static const char audit_sql_final_target_req[] =
        "SELECT a.id, a.state = 'pending', f.id IS NOT NULL FROM "
        "actions a LEFT JOIN finals f ON f.action_id = a.id "
        "WHERE a.request_id = ?";
static const char audit_sql_final_insert[] =
        "INSERT INTO finals(action_id, state, reason, approver, "
        "approver_uid, approver_pid, edited_input, decided_ms) VALUES "
        "(?,?,?,?,?,?,?,?)";

/* The action a final refers to: by id, or by request id when id is 0.
 * *state gets its recorded state and *has_final whether it has ended. */
static int
audit_final_target(struct audit *db, const struct action *a, int64_t *id,
                   bool *pending, bool *has_final)
{
	sqlite3_stmt *st = NULL;
	int rc = audit_cached(db,
	                      a->id > 0 ? audit_sql_final_target_id
	                                : audit_sql_final_target_req,
	                      &st);

	if (rc != 0) {
		return rc;
	}
	if (a->id > 0) {
		audit_bind_i64(st, 1, a->id);
	} else {
		audit_bind_text(st, 1, a->request_id, AUDIT_TEXT_ID);
	}
	int s = sqlite3_step(st);
	if (s == SQLITE_ROW) {
		*id = sqlite3_column_int64(st, 0);
		*pending = sqlite3_column_int(st, 1) != 0;
		*has_final = sqlite3_column_int(st, 2) != 0;
	} else if (s == SQLITE_DONE) {
		rc = audit_failf(db, AL_ENOENT, "no such action");
	} else {
		rc = audit_fail(db, s);
	}
	audit_done(st);
	return rc;
}

static int
audit_insert_final(struct audit *db, const struct action *a, int64_t id)
{
	sqlite3_stmt *st = NULL;
	int64_t row = 0;
	int rc = audit_cached(db, audit_sql_final_insert, &st);

	if (rc != 0) {
		return rc;
	}
	audit_bind_i64(st, 1, id);
	audit_bind_text(st, 2, action_state_name(a->state), AUDIT_TEXT_ID);
	audit_bind_text(st, 3, a->final_reason, AUDIT_TEXT_FREE);
	audit_bind_text(st, 4, a->approver, AUDIT_TEXT_ID);
	audit_bind_i64(st, 5, a->approver_uid);
	audit_bind_i64(st, 6, a->approver_pid);
	audit_bind_text(st, 7, a->edited_input, AUDIT_TEXT_FREE);
	audit_bind_i64(st, 8, a->decided_ms);
	rc = audit_insert(db, st, &row);
	audit_done(st);
	if (rc == 0) {
		rc = audit_chain_append(db, "finals", row);
	}
	return rc;
}

int
audit_record_final(struct audit *db, const struct action *a)
{
	int64_t id = 0;
	bool pending = false;
	bool has_final = false;
	int rc;

	if (a->state == ACTION_DECIDED || a->state == ACTION_PENDING) {
		return audit_failf(db, AL_EINVAL, "not a final state: %s",
		                   action_state_name(a->state));
	}
	audit_lock(db);
	rc = audit_begin(db);
	if (rc == 0) {
		rc = audit_final_target(db, a, &id, &pending, &has_final);
	}
	if (rc == 0 && has_final) {
		rc = audit_failf(db, AL_EEXIST, "action %lld already decided",
		                 (long long)id);
	} else if (rc == 0 && !pending) {
		rc = audit_failf(db, AL_ENOENT, "action %lld is not pending",
		                 (long long)id);
	}
	if (rc == 0) {
		rc = audit_insert_final(db, a, id);
	}
	if (rc == 0) {
		rc = audit_commit(db);
	}
	if (rc != 0) {
		audit_rollback(db);
	}
	audit_unlock(db);
	return rc;
}

/* Runs the insert of sql (a literal: cached; bound by bind) and chains the row,
 * all in one transaction. */
static int
audit_insert_chained(struct audit *db, const char *tbl, const char *sql,
                     void (*bind)(sqlite3_stmt *st, const void *arg),
                     const void *arg, int64_t *row_id)
{
	sqlite3_stmt *st = NULL;
	int64_t id = 0;
	int rc;

	audit_lock(db);
	rc = audit_begin(db);
	if (rc == 0) {
		rc = audit_cached(db, sql, &st);
	}
	if (rc == 0) {
		bind(st, arg);
		rc = audit_insert(db, st, &id);
		audit_done(st);
	}
	if (rc == 0) {
		rc = audit_chain_append(db, tbl, id);
	}
	if (rc == 0) {
		rc = audit_commit(db);
	}
	if (rc != 0) {
		audit_rollback(db);
	} else if (row_id != NULL) {
		*row_id = id;
	}
	audit_unlock(db);
	return rc;
}

static void
audit_bind_malformed(sqlite3_stmt *st, const void *arg)
{
	const struct audit_malformed *m = arg;

	/* Raw bytes may hold anything, secrets included: redacted too. */
	audit_bind_blob(st, 1, m->raw ? m->raw : "", m->raw ? m->raw_len : 0,
	                AUDIT_TEXT_FREE);
	audit_bind_i64(st, 2, (int64_t)m->raw_len);
	audit_bind_i64(st, 3, (int64_t)m->full_len);
	audit_bind_text(st, 4, m->sha256_hex, AUDIT_TEXT_ID);
	audit_bind_text(st, 5, m->reason, AUDIT_TEXT_FREE);
	audit_bind_i64(st, 6, m->received_ms);
	audit_bind_i64(st, 7, m->peer_uid);
	audit_bind_i64(st, 8, m->peer_pid);
}

int
audit_record_malformed(struct audit *db, const struct audit_malformed *m)
{
	return audit_insert_chained(
	        db, "malformed",
	        "INSERT INTO malformed(raw, raw_len, full_len, sha256, reason, "
	        "received_ms, peer_uid, peer_pid) VALUES (?,?,?,?,?,?,?,?)",
	        audit_bind_malformed, m, NULL);
}

static void
audit_bind_alert(sqlite3_stmt *st, const void *arg)
{
	const struct audit_alert *al = arg;

	audit_bind_text(st, 1, al->kind, AUDIT_TEXT_ID);
	audit_bind_text(st, 2, al->session_id, AUDIT_TEXT_ID);
	if (al->action_id > 0) {
		audit_bind_i64(st, 3, al->action_id);
	}
	audit_bind_text(st, 4, al->message, AUDIT_TEXT_FREE);
	audit_bind_i64(st, 5, al->created_ms);
}

int
audit_record_alert(struct audit *db, struct audit_alert *al)
{
	if (al->kind == NULL) {
		return audit_failf(db, AL_EINVAL, "alert without a kind");
	}
	return audit_insert_chained(
	        db, "alerts",
	        "INSERT INTO alerts(kind, session_id, action_id, message, "
	        "created_ms) VALUES (?,?,?,?,?)",
	        audit_bind_alert, al, &al->id);
}

/* Why the acknowledgement did not apply: no alert, or already acked. */
static int
audit_ack_failure(struct audit *db, int64_t id)
{
	sqlite3_stmt *st = NULL;
	int rc = audit_prepare(db, "SELECT 1 FROM alerts WHERE id = ?", &st);

	if (rc != 0) {
		return rc;
	}
	audit_bind_i64(st, 1, id);
	int s = sqlite3_step(st);
	if (s == SQLITE_ROW) {
		rc = audit_failf(db, AL_EEXIST,
		                 "alert %lld already "
		                 "acknowledged",
		                 (long long)id);
	} else if (s == SQLITE_DONE) {
		rc = audit_failf(db, AL_ENOENT, "no alert %lld", (long long)id);
	} else {
		rc = audit_fail(db, s);
	}
	sqlite3_finalize(st);
	return rc;
}

static int
audit_ack_update(struct audit *db, int64_t id, const char *by, int64_t uid,
                 int64_t ms)
{
	sqlite3_stmt *st = NULL;
	int rc = audit_prepare(db,
	                       "UPDATE alerts SET acknowledged_by = ?, "
	                       "acknowledged_uid = ?, acknowledged_ms = ? "
	                       "WHERE id = ? AND acknowledged_ms IS NULL",
	                       &st);

	if (rc != 0) {
		return rc;
	}
	audit_bind_text(st, 1, by, AUDIT_TEXT_ID);
	audit_bind_i64(st, 2, uid);
	audit_bind_i64(st, 3, ms);
	audit_bind_i64(st, 4, id);
	rc = audit_step_done(db, st);
	sqlite3_finalize(st);
	if (rc == 0 && sqlite3_changes(db->h) != 1) {
		rc = audit_ack_failure(db, id);
	}
	return rc;
}

int
audit_ack_alert(struct audit *db, int64_t id, const char *by, int64_t uid,
                int64_t ms)
{
	audit_lock(db);
	int rc = audit_begin(db);
	if (rc == 0) {
		rc = audit_ack_update(db, id, by, uid, ms);
	}
	if (rc == 0) {
		rc = audit_chain_append(db, "alert_acks", id);
	}
	if (rc == 0) {
		rc = audit_commit(db);
	}
	if (rc != 0) {
		audit_rollback(db);
	}
	audit_unlock(db);
	return rc;
}
