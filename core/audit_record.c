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

/* A session row is created on first sight (and chained then); its
 * last_seen_ms and permission_mode are bookkeeping, kept up to date but
 * outside the chain. */
static int
audit_touch_session(struct audit *db, const struct action *a)
{
	sqlite3_stmt *st = NULL;
	int64_t id = 0;
	int rc;

	if (a->session_id == NULL) {
		return 0;
	}
	rc = audit_prepare(db,
	                   "INSERT OR IGNORE INTO sessions(session_id, cwd, "
	                   "first_seen_ms, last_seen_ms, permission_mode) "
	                   "VALUES (?1, ?2, ?3, ?3, ?4)",
	                   &st);
	if (rc != 0) {
		return rc;
	}
	audit_bind_text(st, 1, a->session_id, AUDIT_TEXT_ID);
	audit_bind_text(st, 2, a->cwd, AUDIT_TEXT_FREE);
	audit_bind_i64(st, 3, a->received_ms);
	audit_bind_text(st, 4, a->permission_mode, AUDIT_TEXT_ID);
	rc = audit_insert(db, st, &id);
	sqlite3_finalize(st);
	if (rc == 0 && sqlite3_changes(db->h) == 1) {
		return audit_chain_append(db, "sessions", id);
	}
	if (rc != 0) {
		return rc;
	}
	rc = audit_prepare(
	        db,
	        "UPDATE sessions SET last_seen_ms = "
	        "max(last_seen_ms, ?1), permission_mode = "
	        "coalesce(?2, permission_mode) WHERE session_id = ?3",
	        &st);
	if (rc != 0) {
		return rc;
	}
	audit_bind_i64(st, 1, a->received_ms);
	audit_bind_text(st, 2, a->permission_mode, AUDIT_TEXT_ID);
	audit_bind_text(st, 3, a->session_id, AUDIT_TEXT_ID);
	rc = audit_step_done(db, st);
	sqlite3_finalize(st);
	return rc;
}

static void
audit_bind_action(sqlite3_stmt *st, const struct action *a, bool is_event)
{
	char *risk = risk_report_encode(&a->risk);

	audit_bind_text(st, 1, a->request_id, AUDIT_TEXT_ID);
	audit_bind_text(st, 2, a->session_id, AUDIT_TEXT_ID);
	audit_bind_text(st, 3, a->hook_event, AUDIT_TEXT_ID);
	audit_bind_text(st, 4, a->tool_name, AUDIT_TEXT_ID);
	audit_bind_text(st, 5, a->tool_use_id, AUDIT_TEXT_ID);
	audit_bind_text(st, 6, a->cwd, AUDIT_TEXT_FREE);
	audit_bind_text(st, 7, a->permission_mode, AUDIT_TEXT_ID);
	audit_bind_text(st, 8, a->tool_input, AUDIT_TEXT_FREE);
	audit_bind_text(st, 9, a->summary, AUDIT_TEXT_FREE);
	audit_bind_i64(st, 10, a->received_ms);
	audit_bind_i64(st, 11, a->deadline_ms);
	audit_bind_text(st, 12, is_event ? NULL : a->verdict, AUDIT_TEXT_ID);
	audit_bind_text(st, 13, a->reason, AUDIT_TEXT_FREE);
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
	audit_bind_text(st, 22, a->result, AUDIT_TEXT_FREE);
	audit_bind_i64(st, 23, a->result_size);
	audit_bind_text(st, 24, a->result_sha256, AUDIT_TEXT_ID);
	free(risk);
}

static int
audit_insert_action(struct audit *db, struct action *a, bool is_event)
{
	sqlite3_stmt *st = NULL;
	int64_t id = 0;
	int rc;

	audit_lock(db);
	rc = audit_begin(db);
	if (rc != 0) {
		goto out;
	}
	rc = audit_touch_session(db, a);
	if (rc == 0) {
		rc = audit_prepare(
		        db,
		        "INSERT INTO actions(request_id, session_id, "
		        "hook_event, "
		        "tool_name, tool_use_id, cwd, permission_mode, "
		        "tool_input, summary, received_ms, deadline_ms, "
		        "verdict, "
		        "reason, rule, rule_file, source, risk, risk_mask, "
		        "tainted, tier, state, result, result_size, "
		        "result_sha) VALUES "
		        "(?,?,?,?,?,?,?,?,?,?,?,?,?,"
		        "?,?,?,?,?,?,?,?,?,?,?)",
		        &st);
	}
	if (rc == 0) {
		audit_bind_action(st, a, is_event);
		rc = audit_insert(db, st, &id);
	}
	if (rc == 0) {
		rc = audit_chain_append(db, "actions", id);
	}
	if (rc == 0) {
		rc = audit_commit(db);
	}
out:
	sqlite3_finalize(st);
	if (rc != 0) {
		audit_rollback(db);
	} else {
		a->id = id;
	}
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

/* The action a final refers to: by id, or by request id when id is 0.
 * *state gets its recorded state and *has_final whether it has ended. */
static int
audit_final_target(struct audit *db, const struct action *a, int64_t *id,
                   bool *pending, bool *has_final)
{
	sqlite3_stmt *st = NULL;
	int rc = audit_prepare(
	        db,
	        "SELECT a.id, a.state = 'pending', f.id IS NOT NULL FROM "
	        "actions a LEFT JOIN finals f ON f.action_id = a.id WHERE "
	        "(?1 > 0 AND a.id = ?1) OR (?1 <= 0 AND a.request_id = ?2)",
	        &st);

	if (rc != 0) {
		return rc;
	}
	audit_bind_i64(st, 1, a->id);
	audit_bind_text(st, 2, a->request_id, AUDIT_TEXT_ID);
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
	sqlite3_finalize(st);
	return rc;
}

static int
audit_insert_final(struct audit *db, const struct action *a, int64_t id)
{
	sqlite3_stmt *st = NULL;
	int64_t row = 0;
	int rc = audit_prepare(db,
	                       "INSERT INTO finals(action_id, state, reason, "
	                       "approver, approver_uid, approver_pid, "
	                       "edited_input, decided_ms) VALUES "
	                       "(?,?,?,?,?,?,?,?)",
	                       &st);

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
	sqlite3_finalize(st);
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

/* Runs the insert prepared from sql (bound by bind) and chains the row,
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
		rc = audit_prepare(db, sql, &st);
	}
	if (rc == 0) {
		bind(st, arg);
		rc = audit_insert(db, st, &id);
	}
	if (rc == 0) {
		rc = audit_chain_append(db, tbl, id);
	}
	if (rc == 0) {
		rc = audit_commit(db);
	}
	sqlite3_finalize(st);
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
