/* Retention: removing the oldest history while keeping the chain
 * verifiable. What is removed is always a prefix of the chain (entries
 * 1..S, or after the previous prune's S): the rows of those entries go,
 * except rows still in use, which are re-chained at the head after their
 * recorded content hash is checked; a `prunes` row, itself chained, keeps
 * S and the hash of entry S, where audit_verify starts. All of it is one
 * transaction. */
#include "core/audit.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "core/al.h"
#include "core/audit_internal.h"
#include "core/xalloc.h"

/* Runs sql (bound with up to two integers) and returns its first column
 * as an integer in *out; *found false when there is no row or it is
 * NULL. */
static int
prune_int(struct audit *db, const char *sql, int64_t a, int64_t b, int64_t *out,
          bool *found)
{
	sqlite3_stmt *st = NULL;
	int rc = audit_prepare(db, sql, &st);

	if (rc != 0) {
		return rc;
	}
	if (sqlite3_bind_parameter_count(st) >= 1) {
		audit_bind_i64(st, 1, a);
	}
	if (sqlite3_bind_parameter_count(st) >= 2) {
		audit_bind_i64(st, 2, b);
	}
	*found = false;
	int s = sqlite3_step(st);
	if (s == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL) {
		*out = sqlite3_column_int64(st, 0);
		*found = true;
	} else if (s != SQLITE_ROW && s != SQLITE_DONE) {
		rc = audit_fail(db, s);
	}
	sqlite3_finalize(st);
	return rc;
}

static int
prune_exec(struct audit *db, const char *sql, int64_t a, int64_t b,
           int64_t *changes)
{
	sqlite3_stmt *st = NULL;
	int rc = audit_prepare(db, sql, &st);

	if (rc != 0) {
		return rc;
	}
	audit_bind_i64(st, 1, a);
	if (sqlite3_bind_parameter_count(st) >= 2) {
		audit_bind_i64(st, 2, b);
	}
	rc = audit_step_done(db, st);
	sqlite3_finalize(st);
	if (rc == 0 && changes != NULL) {
		*changes += sqlite3_changes64(db->h);
	}
	return rc;
}

/*
 * The first entry to keep, K (everything below goes): the first call
 * received at or after before_ms, never past the oldest call still
 * pending (the daemon holds it), and never so that a call is removed
 * while its final stays (a call decided after K moves K down to it).
 */
static int
prune_first_kept(struct audit *db, int64_t before_ms, int64_t head, int64_t *k)
{
	int64_t v = 0;
	bool found = false;
	int rc = prune_int(db,
	                   "SELECT min(c.seq) FROM actions a JOIN chain c ON "
	                   "c.tbl = 'actions' AND c.row_id = a.id WHERE "
	                   "a.received_ms >= ?1",
	                   before_ms, 0, &v, &found);

	*k = found ? v : head + 1;
	if (rc == 0) {
		rc = prune_int(
		        db,
		        "SELECT min(c.seq) FROM actions a JOIN chain c ON "
		        "c.tbl = 'actions' AND c.row_id = a.id WHERE "
		        "a.state = 'pending' AND NOT EXISTS (SELECT 1 "
		        "FROM finals f WHERE f.action_id = a.id)",
		        0, 0, &v, &found);
	}
	if (rc == 0 && found && v < *k) {
		*k = v;
	}
	while (rc == 0) {
		rc = prune_int(
		        db,
		        "SELECT min(ca.seq) FROM chain cf JOIN finals f "
		        "ON f.id = cf.row_id JOIN chain ca ON ca.tbl = "
		        "'actions' AND ca.row_id = f.action_id WHERE "
		        "cf.tbl = 'finals' AND cf.seq >= ?1 AND ca.seq < ?1",
		        *k, 0, &v, &found);
		if (rc != 0 || !found) {
			break;
		}
		*k = v;
	}
	return rc;
}

/* Deletes the rows of entries 1..s that are no longer needed: calls
 * (their FTS entries go with them, by trigger), finals, malformed
 * events; sessions without a later call; alerts acknowledged within the
 * prefix. last_action is the last call removed. */
static int
prune_delete_rows(struct audit *db, int64_t s, int64_t last_action,
                  int64_t *rows)
{
	static const char *const plain[] = {
		"DELETE FROM finals WHERE id IN (SELECT row_id FROM chain "
		"WHERE tbl = 'finals' AND seq <= ?1)",
		"DELETE FROM actions WHERE id IN (SELECT row_id FROM chain "
		"WHERE tbl = 'actions' AND seq <= ?1)",
		"DELETE FROM malformed WHERE id IN (SELECT row_id FROM chain "
		"WHERE tbl = 'malformed' AND seq <= ?1)",
		"DELETE FROM alerts WHERE id IN (SELECT row_id FROM chain "
		"WHERE tbl = 'alert_acks' AND seq <= ?1)",
	};
	int rc = 0;

	for (size_t i = 0; rc == 0 && i < sizeof plain / sizeof plain[0]; i++) {
		rc = prune_exec(db, plain[i], s, 0, rows);
	}
	if (rc == 0) {
		rc = prune_exec(
		        db,
		        "DELETE FROM sessions WHERE id IN (SELECT "
		        "row_id FROM chain WHERE tbl = 'sessions' AND "
		        "seq <= ?1) AND NOT EXISTS (SELECT 1 FROM actions "
		        "a WHERE a.session_id = sessions.session_id AND "
		        "a.id > ?2)",
		        s, last_action, rows);
	}
	return rc;
}

/* A row of the removed prefix that stays: re-chained after the prune. */
struct prune_keep {
	char tbl[24];
	int64_t row_id;
	char content[65];
};

struct prune_keeps {
	struct prune_keep *v;
	size_t n;
	size_t cap;
};

/* One surviving row: its content must still be what was chained, or the
 * prune would launder an edit into a fresh entry. */
static int
prune_keep_row(struct audit *db, struct prune_keeps *l, const char *tbl,
               int64_t row_id, const char *recorded)
{
	char now[65];
	bool found = false;
	int rc = audit_chain_row_hash(db, tbl, row_id, &found, now);

	if (rc != 0 || !found) {
		return rc;
	}
	if (recorded == NULL || strcmp(now, recorded) != 0) {
		return audit_failf(db, AL_EDB,
		                   "%s row %" PRId64 " was edited; nothing "
		                   "pruned (run airlock verify)",
		                   tbl, row_id);
	}
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 64;
		l->v = xrealloc(l->v, l->cap * sizeof l->v[0]);
	}
	struct prune_keep *k = &l->v[l->n++];
	snprintf(k->tbl, sizeof k->tbl, "%s", tbl);
	k->row_id = row_id;
	snprintf(k->content, sizeof k->content, "%s", recorded);
	return 0;
}

static int
prune_collect_kept(struct audit *db, int64_t s, struct prune_keeps *l)
{
	sqlite3_stmt *st = NULL;
	int rc = audit_prepare(db,
	                       "SELECT tbl, row_id, content_hash FROM chain "
	                       "WHERE seq <= ?1 AND tbl IN ('sessions', "
	                       "'alerts', 'prunes') ORDER BY seq",
	                       &st);
	int r = SQLITE_DONE;

	if (rc != 0) {
		return rc;
	}
	audit_bind_i64(st, 1, s);
	while (rc == 0 && (r = sqlite3_step(st)) == SQLITE_ROW) {
		rc = prune_keep_row(db, l,
		                    (const char *)sqlite3_column_text(st, 0),
		                    sqlite3_column_int64(st, 1),
		                    (const char *)sqlite3_column_text(st, 2));
	}
	if (rc == 0 && r != SQLITE_DONE) {
		rc = audit_fail(db, r);
	}
	sqlite3_finalize(st);
	return rc;
}

static int
prune_record(struct audit *db, int64_t before_ms, int64_t now_ms,
             const char *by, int64_t by_uid, struct audit_prune_report *r)
{
	sqlite3_stmt *st = NULL;
	int rc = audit_prepare(db,
	                       "INSERT INTO prunes(before_ms, pruned_ms, "
	                       "rows_removed, entries_removed, last_seq, "
	                       "last_hash, rechained, by, by_uid) VALUES "
	                       "(?,?,?,?,?,?,?,?,?)",
	                       &st);

	if (rc != 0) {
		return rc;
	}
	audit_bind_i64(st, 1, before_ms);
	audit_bind_i64(st, 2, now_ms);
	audit_bind_i64(st, 3, r->rows_removed);
	audit_bind_i64(st, 4, r->entries_removed);
	audit_bind_i64(st, 5, r->last_seq);
	audit_bind_text(st, 6, r->last_hash, AUDIT_TEXT_ID);
	audit_bind_i64(st, 7, r->rechained);
	audit_bind_text(st, 8, by, AUDIT_TEXT_ID);
	audit_bind_i64(st, 9, by_uid);
	rc = audit_step_done(db, st);
	sqlite3_finalize(st);
	if (rc == 0) {
		r->prune_id = sqlite3_last_insert_rowid(db->h);
		rc = audit_chain_append(db, "prunes", r->prune_id);
	}
	return rc;
}

/* The entry that will be the verification base: S and its hash. */
static int
prune_base(struct audit *db, int64_t s, struct audit_prune_report *r)
{
	sqlite3_stmt *st = NULL;
	int rc = audit_prepare(db, "SELECT hash FROM chain WHERE seq = ?", &st);

	if (rc != 0) {
		return rc;
	}
	audit_bind_i64(st, 1, s);
	int x = sqlite3_step(st);
	if (x == SQLITE_ROW && sqlite3_column_bytes(st, 0) == 64) {
		r->last_seq = s;
		snprintf(r->last_hash, sizeof r->last_hash, "%s",
		         (const char *)sqlite3_column_text(st, 0));
	} else if (x == SQLITE_ROW || x == SQLITE_DONE) {
		rc = audit_failf(
		        db, AL_EDB,
		        "chain entry %" PRId64 " is missing or "
		        "malformed; nothing pruned (run airlock verify)",
		        s);
	} else {
		rc = audit_fail(db, x);
	}
	sqlite3_finalize(st);
	return rc;
}

/* Removes entries 1..s (after the previous prune) and their rows,
 * re-chains what stays, records the checkpoint. In the transaction. */
static int
prune_run(struct audit *db, int64_t s, int64_t before_ms, int64_t now_ms,
          const char *by, int64_t by_uid, struct audit_prune_report *r)
{
	struct prune_keeps keep = { 0 };
	int64_t last_action = 0;
	bool found = false;
	int rc = prune_base(db, s, r);

	if (rc == 0) {
		rc = prune_int(db,
		               "SELECT max(row_id) FROM chain WHERE tbl = "
		               "'actions' AND seq <= ?1",
		               s, 0, &last_action, &found);
	}
	if (rc == 0) {
		rc = prune_delete_rows(db, s, last_action, &r->rows_removed);
	}
	if (rc == 0) {
		rc = prune_collect_kept(db, s, &keep);
	}
	if (rc == 0) {
		rc = prune_exec(db, "DELETE FROM chain WHERE seq <= ?1", s, 0,
		                &r->entries_removed);
	}
	for (size_t i = 0; rc == 0 && i < keep.n; i++) {
		rc = audit_chain_append_hash(
		        db, keep.v[i].tbl, keep.v[i].row_id, keep.v[i].content);
	}
	r->rechained = (int64_t)keep.n;
	free(keep.v);
	if (rc == 0) {
		rc = prune_record(db, before_ms, now_ms, by, by_uid, r);
	}
	return rc;
}

/* Decides S (the last entry to remove) within the transaction; 0 when
 * there is nothing to remove. S is the last call, final, malformed event
 * or acknowledgement before K: rows that a prune keeps and re-chains
 * (sessions, unacknowledged alerts, prune records) never make a prune
 * on their own, so pruning again with the same date does nothing. */
static int
prune_cutoff(struct audit *db, int64_t before_ms, int64_t *s)
{
	int64_t head = 0;
	int64_t base = 0;
	int64_t k = 0;
	bool found = false;
	char hash[65];
	int rc = audit_chain_head(db, &head, hash);

	*s = 0;
	if (rc == 0) {
		rc = prune_int(db, "SELECT max(last_seq) FROM prunes", 0, 0,
		               &base, &found);
	}
	if (rc == 0) {
		rc = prune_first_kept(db, before_ms, head, &k);
	}
	if (rc == 0) {
		rc = prune_int(db,
		               "SELECT max(seq) FROM chain WHERE seq > ?1 AND "
		               "seq < ?2 AND tbl IN ('actions', 'finals', "
		               "'malformed', 'alert_acks')",
		               base, k, s, &found);
	}
	if (!found) {
		*s = 0;
	}
	return rc;
}

int
audit_prune(struct audit *db, int64_t before_ms, int64_t now_ms, const char *by,
            int64_t by_uid, struct audit_prune_report *out)
{
	struct audit_prune_report r = { 0 };
	int64_t s = 0;

	if (db->flags & AUDIT_READONLY) {
		return audit_failf(db, AL_EINVAL, "read-only store");
	}
	audit_lock(db);
	int rc = db->batch ? audit_failf(db, AL_ESTATE, "inside a batch")
	                   : audit_begin(db);
	if (rc != 0) {
		audit_unlock(db);
		return rc;
	}
	rc = prune_cutoff(db, before_ms, &s);
	if (rc == 0 && s > 0) {
		rc = prune_run(db, s, before_ms, now_ms, by, by_uid, &r);
	}
	if (rc == 0) {
		rc = audit_commit(db);
	}
	if (rc != 0) {
		audit_rollback(db);
	} else {
		/* Sessions may be gone: forget the cache (and the head, which
		 * is read again on the next append). */
		audit_forget(db);
		*out = r;
	}
	audit_unlock(db);
	return rc;
}
