/* Lookups for the daemon's alert rules (ipc/daemon_alerts.c): denials in
 * a session, alerts already raised, whether a network host was named by
 * an earlier call, and one alert by id (acknowledgement). Each is one
 * indexed query on the reader connection; rows are copied out under the
 * lock and handed to callbacks after it is released. */
#include "core/audit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "core/al.h"
#include "core/audit_internal.h"
#include "core/buf.h"
#include "core/risk.h"
#include "core/xalloc.h"

/* Runs a prepared statement that yields one integer. */
static int
audit_one_i64(struct audit *db, sqlite3_stmt *st, int64_t *out)
{
	int s = sqlite3_step(st);

	if (s != SQLITE_ROW) {
		return audit_fail(db, s);
	}
	*out = sqlite3_column_int64(st, 0);
	return 0;
}

static int
audit_session_denials_on(struct audit *db, const char *session_id, int64_t *out)
{
	sqlite3_stmt *st = NULL;

	if (session_id == NULL) {
		return audit_failf(db, AL_EINVAL, "no session id");
	}
	audit_lock(db);
	/* actions_session(session_id, id) drives it: one session's rows. */
	int rc =
	        audit_prepare(db,
	                      "SELECT count(*) FROM actions a"
	                      " LEFT JOIN finals f ON f.action_id = a.id"
	                      " WHERE a.session_id = ?1"
	                      " AND (a.verdict = 'deny' OR f.state = 'denied')",
	                      &st);
	if (rc == 0) {
		audit_bind_text(st, 1, session_id, AUDIT_TEXT_ID);
		rc = audit_one_i64(db, st, out);
	}
	sqlite3_finalize(st);
	audit_unlock(db);
	return rc;
}

static int
audit_count_alerts_on(struct audit *db, const char *kind,
                      const char *session_id, int64_t *out)
{
	sqlite3_stmt *st = NULL;

	if (kind == NULL) {
		return audit_failf(db, AL_EINVAL, "no alert kind");
	}
	audit_lock(db);
	int rc = audit_prepare(db,
	                       "SELECT count(*) FROM alerts WHERE kind = ?1"
	                       " AND session_id IS ?2",
	                       &st);
	if (rc == 0) {
		audit_bind_text(st, 1, kind, AUDIT_TEXT_ID);
		audit_bind_text(st, 2, session_id, AUDIT_TEXT_ID);
		rc = audit_one_i64(db, st, out);
	}
	sqlite3_finalize(st);
	audit_unlock(db);
	return rc;
}

/* ---- hosts -------------------------------------------------------------- */

/* A host is stored as its own line of the encoded risk report
 * ("H\t<host>\n", core/action.c); a raw tab only ever separates fields,
 * so this needle matches that host exactly, never a longer name. */
static char *
audit_host_needle(const char *host)
{
	return xasprintf("H\t%s\n", host);
}

/* Candidates from the trigram index (the host's name in the call's
 * summary, input, reason or result), newest first, checked exactly. */
static const char audit_host_fts_sql[] =
        "SELECT EXISTS(SELECT 1 FROM actions_tri"
        " JOIN actions a ON a.id = actions_tri.rowid"
        " WHERE actions_tri MATCH ?1 AND (?2 = 0 OR actions_tri.rowid < ?2)"
        " AND (a.risk_mask & ?3) != 0 AND instr(a.risk, ?4) > 0)";

/* The rest: a scan of the most recent calls. */
static const char audit_host_scan_sql[] =
        "SELECT EXISTS(SELECT 1 FROM actions a"
        " WHERE a.id > (SELECT coalesce(max(id), 0) FROM actions) - ?1"
        " AND (?2 = 0 OR a.id < ?2)"
        " AND (a.risk_mask & ?3) != 0 AND instr(a.risk, ?4) > 0)";

static int
audit_host_run(struct audit *db, const char *sql, const char *first,
               int64_t before_id, const char *needle, bool *out)
{
	sqlite3_stmt *st = NULL;
	int64_t v = 0;
	int rc = audit_prepare(db, sql, &st);

	if (rc != 0) {
		return rc;
	}
	if (first != NULL) {
		audit_bind_text(st, 1, first, AUDIT_TEXT_ID);
	} else {
		audit_bind_i64(st, 1, AUDIT_SHORT_SCAN_ROWS);
	}
	audit_bind_i64(st, 2, before_id > 0 ? before_id : 0);
	audit_bind_i64(st, 3, RISK_BIT(RISK_EGRESS));
	audit_bind_text(st, 4, needle, AUDIT_TEXT_ID);
	rc = audit_one_i64(db, st, &v);
	sqlite3_finalize(st);
	if (rc == 0) {
		*out = v != 0;
	}
	return rc;
}

/* One FTS5 string: "..." with embedded quotes doubled. */
static char *
audit_host_fts_query(const char *host)
{
	struct buf b = { 0 };

	buf_putc(&b, '"');
	for (const char *p = host; *p; p++) {
		if (*p == '"') {
			buf_putc(&b, '"');
		}
		buf_putc(&b, *p);
	}
	buf_putc(&b, '"');
	return buf_steal(&b);
}

static int
audit_host_seen_on(struct audit *db, const char *host, int64_t before_id,
                   bool *out)
{
	bool seen = false;
	int rc = 0;

	if (host == NULL || host[0] == '\0') {
		return audit_failf(db, AL_EINVAL, "no host");
	}
	char *needle = audit_host_needle(host);
	char *fts = audit_host_fts_query(host);
	audit_lock(db);
	if (strlen(host) >= 3) {
		rc = audit_host_run(db, audit_host_fts_sql, fts, before_id,
		                    needle, &seen);
	}
	if (rc == 0 && !seen) {
		rc = audit_host_run(db, audit_host_scan_sql, NULL, before_id,
		                    needle, &seen);
	}
	audit_unlock(db);
	free(needle);
	free(fts);
	if (rc == 0) {
		*out = seen;
	}
	return rc;
}

/* ---- one alert ---------------------------------------------------------- */

static int
audit_get_alert_on(struct audit *db, int64_t id, audit_alert_fn fn, void *arg)
{
	sqlite3_stmt *st = NULL;
	struct audit_alert al = { 0 };

	audit_lock(db);
	int rc = audit_prepare(db,
	                       "SELECT id, kind, session_id, action_id,"
	                       " message, created_ms, acknowledged_by,"
	                       " acknowledged_uid, acknowledged_ms"
	                       " FROM alerts WHERE id = ?",
	                       &st);
	if (rc == 0) {
		audit_bind_i64(st, 1, id);
		int s = sqlite3_step(st);
		if (s == SQLITE_ROW) {
			al = (struct audit_alert){
				.id = sqlite3_column_int64(st, 0),
				.kind = audit_col_str(st, 1),
				.session_id = audit_col_str(st, 2),
				.action_id = sqlite3_column_int64(st, 3),
				.message = audit_col_str(st, 4),
				.created_ms = sqlite3_column_int64(st, 5),
				.acked_by = audit_col_str(st, 6),
				.acked_uid = sqlite3_column_int64(st, 7),
				.acked_ms = sqlite3_column_int64(st, 8),
			};
		} else if (s == SQLITE_DONE) {
			rc = audit_failf(db, AL_ENOENT, "no alert %lld",
			                 (long long)id);
		} else {
			rc = audit_fail(db, s);
		}
	}
	sqlite3_finalize(st);
	audit_unlock(db);
	if (rc == 0) {
		rc = fn(&al, arg);
	}
	/* The strings were allocated by audit_col_str: ours to free. */
	free((void *)al.kind);
	free((void *)al.session_id);
	free((void *)al.message);
	free((void *)al.acked_by);
	return rc;
}

/* ---- public ------------------------------------------------------------- */

int
audit_session_denials(struct audit *db, const char *session_id, int64_t *out)
{
	struct audit *r = audit_reader(db);

	return audit_read_done(db, r,
	                       audit_session_denials_on(r, session_id, out));
}

int
audit_count_alerts(struct audit *db, const char *kind, const char *session_id,
                   int64_t *out)
{
	struct audit *r = audit_reader(db);

	return audit_read_done(db, r,
	                       audit_count_alerts_on(r, kind, session_id, out));
}

int
audit_host_seen(struct audit *db, const char *host, int64_t before_id,
                bool *out)
{
	struct audit *r = audit_reader(db);

	return audit_read_done(db, r,
	                       audit_host_seen_on(r, host, before_id, out));
}

int
audit_get_alert(struct audit *db, int64_t id, audit_alert_fn fn, void *arg)
{
	struct audit *r = audit_reader(db);

	return audit_read_done(db, r, audit_get_alert_on(r, id, fn, arg));
}
