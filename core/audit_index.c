/*
 * The search index's watermark and backlog (schema v3, fts_state). Every
 * action with id <= through is in both FTS tables and none above it is:
 * a writer either indexes its row in the same transaction and moves the
 * watermark by one (no backlog, not deferred), or leaves it above the
 * watermark for audit_index_backlog(). audit_query() searches the rows
 * above the watermark by scanning them.
 */
#include "core/audit.h"

#include <stdbool.h>
#include <stdint.h>

#include <sqlite3.h>

#include "core/al.h"
#include "core/audit_internal.h"

static const char audit_sql_through[] = "SELECT through FROM fts_state";
static const char audit_sql_max_id[] =
        "SELECT coalesce(max(id), 0) FROM actions";
static const char audit_sql_set_through[] = "UPDATE fts_state SET through = ?";
/* One statement per table for a whole chunk: FTS5 flushes its pending
 * terms at each statement journal, so this makes one segment each. The
 * stored text is already redacted. */
static const char audit_sql_tri_backlog[] =
        "INSERT INTO actions_tri(rowid, summary, tool_input, reason, result)"
        " SELECT id, summary, tool_input, reason, result FROM actions"
        " WHERE id > ?1 AND id <= ?2";
static const char audit_sql_word_backlog[] =
        "INSERT INTO actions_word(rowid, summary, tool_input, reason, result)"
        " SELECT id, summary, tool_input, reason, result FROM actions"
        " WHERE id > ?1 AND id <= ?2";

static int
audit_read_i64(struct audit *db, const char *sql, int64_t *out)
{
	sqlite3_stmt *st = NULL;
	int rc = audit_cached(db, sql, &st);

	if (rc != 0) {
		return rc;
	}
	int s = sqlite3_step(st);
	if (s == SQLITE_ROW) {
		*out = sqlite3_column_int64(st, 0);
	} else {
		rc = s == SQLITE_DONE
		             ? audit_failf(db, AL_EDB, "no fts_state row")
		             : audit_fail(db, s);
	}
	audit_done(st);
	return rc;
}

int
audit_index_through(struct audit *db, int64_t *through)
{
	return audit_read_i64(db, audit_sql_through, through);
}

/* Loads the watermark and the highest id (inside the caller's lock). */
static int
audit_index_load(struct audit *db)
{
	int rc = 0;

	if (!db->index_valid) {
		rc = audit_read_i64(db, audit_sql_through, &db->index_through);
		if (rc == 0) {
			rc = audit_read_i64(db, audit_sql_max_id,
			                    &db->index_max_id);
		}
		db->index_valid = rc == 0;
	}
	return rc;
}

static int
audit_set_through(struct audit *db, int64_t through)
{
	sqlite3_stmt *st = NULL;
	int rc = audit_cached(db, audit_sql_set_through, &st);

	if (rc != 0) {
		return rc;
	}
	audit_bind_i64(st, 1, through);
	rc = audit_step_done(db, st);
	audit_done(st);
	return rc;
}

int
audit_index_claim(struct audit *db, int64_t id, bool *now)
{
	int rc = audit_index_load(db);

	*now = false;
	if (rc != 0) {
		return rc;
	}
	if (id <= db->index_through) {
		/* An id used again after the newest rows were deleted (their
		 * index entries went with them): below the watermark, so it
		 * must be indexed now, deferred or not. */
		*now = true;
	} else if (!db->index_deferred && db->index_through == id - 1) {
		rc = audit_set_through(db, id);
		if (rc == 0) {
			db->index_through = id;
			*now = true;
		}
	}
	if (rc == 0 && id > db->index_max_id) {
		db->index_max_id = id;
	}
	return rc;
}

void
audit_set_index_deferred(struct audit *db, bool deferred)
{
	audit_lock(db);
	db->index_deferred = deferred;
	audit_unlock(db);
}

static int
audit_backlog_run(struct audit *db, const char *sql, int64_t from, int64_t to)
{
	sqlite3_stmt *st = NULL;
	int rc = audit_cached(db, sql, &st);

	if (rc != 0) {
		return rc;
	}
	audit_bind_i64(st, 1, from);
	audit_bind_i64(st, 2, to);
	rc = audit_step_done(db, st);
	audit_done(st);
	return rc;
}

/* One chunk in the open transaction: (through, to]. */
static int
audit_backlog_chunk(struct audit *db, int max_rows)
{
	int64_t from = db->index_through;
	int64_t to = db->index_max_id;

	if (max_rows > 0 && to - from > max_rows) {
		to = from + max_rows;
	}
	if (to <= from) {
		return 0;
	}
	int rc = audit_backlog_run(db, audit_sql_tri_backlog, from, to);
	if (rc == 0) {
		rc = audit_backlog_run(db, audit_sql_word_backlog, from, to);
	}
	if (rc == 0) {
		rc = audit_set_through(db, to);
	}
	if (rc == 0) {
		db->index_through = to;
	}
	return rc;
}

static int
audit_index_backlog_locked(struct audit *db, int max_rows)
{
	if (db->batch) {
		return audit_failf(db, AL_ESTATE, "inside a batch");
	}
	/* The index is derived data: no fsync for it (see audit.h). Set
	 * outside the transaction; restored whatever happens, so that every
	 * record's commit stays FULL. */
	int rc = audit_exec(db, "PRAGMA synchronous=NORMAL");
	if (rc == 0) {
		rc = audit_begin(db);
		if (rc == 0) {
			rc = audit_index_load(db);
			if (rc == 0) {
				rc = audit_backlog_chunk(db, max_rows);
			}
			if (rc == 0) {
				rc = audit_commit(db);
			}
			if (rc != 0) {
				audit_rollback(db);
			}
		}
	}
	int rs = audit_exec(db, "PRAGMA synchronous=FULL");
	return rc != 0 ? rc : rs;
}

int
audit_index_backlog(struct audit *db, int max_rows, int64_t *left)
{
	audit_lock(db);
	int rc = audit_index_backlog_locked(db, max_rows);
	if (rc == 0 && left != NULL) {
		rc = audit_index_load(db);
		*left = db->index_max_id - db->index_through;
	}
	audit_unlock(db);
	return rc;
}

int
audit_index_lag(struct audit *db, int64_t *lag)
{
	audit_lock(db);
	int rc = audit_index_load(db);
	if (rc == 0) {
		*lag = db->index_max_id - db->index_through;
	}
	audit_unlock(db);
	return rc;
}
