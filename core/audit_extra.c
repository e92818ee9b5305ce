/* Reading for review: the session list, daily statistics, paging through
 * every action for export, and the lookups that reconcile an imported
 * transcript with what the hook saw. Like audit_read.c, rows are copied
 * out under the lock and handed to callbacks after it is released. */
#include "core/audit.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "core/al.h"
#include "core/audit_internal.h"
#include "core/xalloc.h"

#define AUDIT_DEFAULT_LIMIT      50
#define AUDIT_DEFAULT_SCAN_LIMIT 1000

/* ---- sessions ----------------------------------------------------------- */

/* The sessions are limited first, then joined with their actions: the
 * aggregate only ever reads the actions of the sessions listed. */
static const char audit_sessions_sql[] =
        "SELECT s.session_id, s.cwd, s.permission_mode, s.first_seen_ms,"
        " s.last_seen_ms, count(a.verdict),"
        " coalesce(sum(a.verdict = 'ask'), 0),"
        " coalesce(sum(a.verdict = 'deny' OR f.state = 'denied'), 0),"
        " coalesce(sum(a.id IS NOT NULL AND a.verdict IS NULL AND"
        "  a.source IS NOT '" AUDIT_SOURCE_IMPORT "'), 0),"
        " coalesce(sum(a.source = '" AUDIT_SOURCE_IMPORT "'), 0),"
        " (SELECT count(*) FROM alerts l WHERE l.session_id = s.session_id)"
        " FROM (SELECT * FROM sessions ORDER BY last_seen_ms DESC, id DESC"
        "  LIMIT ?1) s"
        " LEFT JOIN actions a ON a.session_id = s.session_id"
        " LEFT JOIN finals f ON f.action_id = a.id"
        " GROUP BY s.id ORDER BY s.last_seen_ms DESC, s.id DESC";

struct audit_sessions {
	struct audit_session_info *v;
	size_t n;
	size_t cap;
};

static void
audit_session_from_row(sqlite3_stmt *st, struct audit_session_info *s)
{
	*s = (struct audit_session_info){
		.session_id = audit_col_str(st, 0),
		.cwd = audit_col_str(st, 1),
		.permission_mode = audit_col_str(st, 2),
		.first_seen_ms = sqlite3_column_int64(st, 3),
		.last_seen_ms = sqlite3_column_int64(st, 4),
		.calls = sqlite3_column_int64(st, 5),
		.asked = sqlite3_column_int64(st, 6),
		.denied = sqlite3_column_int64(st, 7),
		.events = sqlite3_column_int64(st, 8),
		.imported = sqlite3_column_int64(st, 9),
		.alerts = sqlite3_column_int64(st, 10),
	};
}

static int
audit_sessions_collect(struct audit *db, sqlite3_stmt *st,
                       struct audit_sessions *l)
{
	int s;

	while ((s = sqlite3_step(st)) == SQLITE_ROW) {
		if (l->n == l->cap) {
			l->cap = l->cap ? 2 * l->cap : 16;
			l->v = xrealloc(l->v, l->cap * sizeof l->v[0]);
		}
		audit_session_from_row(st, &l->v[l->n++]);
	}
	return s == SQLITE_DONE ? 0 : audit_fail(db, s);
}

/* The strings were allocated by audit_col_str: ours to free. */
static void
audit_sessions_free(struct audit_sessions *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free((void *)l->v[i].session_id);
		free((void *)l->v[i].cwd);
		free((void *)l->v[i].permission_mode);
	}
	free(l->v);
}

static int
audit_list_sessions_on(struct audit *db, int limit, audit_session_fn fn,
                       void *arg)
{
	struct audit_sessions l = { 0 };
	sqlite3_stmt *st = NULL;

	audit_lock(db);
	int rc = audit_prepare(db, audit_sessions_sql, &st);
	if (rc == 0) {
		audit_bind_i64(st, 1, limit > 0 ? limit : AUDIT_DEFAULT_LIMIT);
		rc = audit_sessions_collect(db, st, &l);
	}
	sqlite3_finalize(st);
	audit_unlock(db);
	for (size_t i = 0; rc == 0 && i < l.n; i++) {
		rc = fn(&l.v[i], arg);
	}
	audit_sessions_free(&l);
	return rc;
}

/* ---- daily statistics --------------------------------------------------- */

static const char audit_stats_sql[] =
        "SELECT strftime('%Y-%m-%d', a.received_ms / 1000, 'unixepoch'),"
        " a.verdict, a.source = '" AUDIT_SOURCE_IMPORT "', f.state,"
        " f.decided_ms - a.received_ms"
        " FROM actions a LEFT JOIN finals f ON f.action_id = a.id"
        " WHERE (a.verdict IS NOT NULL OR a.source = '" AUDIT_SOURCE_IMPORT
        "') AND a.received_ms >= ?1 AND (?2 = 0 OR a.received_ms <= ?2)"
        " ORDER BY a.received_ms, a.id";

struct audit_stats {
	struct audit_day *days;
	size_t n;
	size_t cap;
	int64_t *waits; /* the current day's decide times */
	size_t nwaits;
	size_t capwaits;
};

static int
audit_cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a;
	int64_t y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

/* Closes the current day: its median from the collected waits. */
static void
audit_stats_close_day(struct audit_stats *s)
{
	struct audit_day *d;

	if (s->n == 0) {
		return;
	}
	d = &s->days[s->n - 1];
	d->median_decide_ms = -1;
	if (s->nwaits > 0) {
		qsort(s->waits, s->nwaits, sizeof s->waits[0], audit_cmp_i64);
		size_t mid = s->nwaits / 2;
		d->median_decide_ms =
		        s->nwaits % 2 ? s->waits[mid]
		                      : (s->waits[mid - 1] + s->waits[mid]) / 2;
	}
	s->nwaits = 0;
}

static struct audit_day *
audit_stats_day(struct audit_stats *s, const char *day)
{
	if (s->n > 0 && strcmp(s->days[s->n - 1].day, day) == 0) {
		return &s->days[s->n - 1];
	}
	audit_stats_close_day(s);
	if (s->n == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 16;
		s->days = xrealloc(s->days, s->cap * sizeof s->days[0]);
	}
	struct audit_day *d = &s->days[s->n++];
	memset(d, 0, sizeof *d);
	snprintf(d->day, sizeof d->day, "%s", day);
	return d;
}

static void
audit_stats_wait(struct audit_stats *s, int64_t ms)
{
	if (s->nwaits == s->capwaits) {
		s->capwaits = s->capwaits ? 2 * s->capwaits : 64;
		s->waits = xrealloc(s->waits, s->capwaits * sizeof s->waits[0]);
	}
	s->waits[s->nwaits++] = ms < 0 ? 0 : ms;
}

/* How a pending call ended: a human's decision, or a timeout. */
static void
audit_stats_final(struct audit_stats *s, struct audit_day *d, const char *final,
                  int64_t wait_ms)
{
	if (final == NULL) {
		return;
	}
	if (strcmp(final, "timeout") == 0) {
		d->timed_out++;
		return;
	}
	bool denied = strcmp(final, "denied") == 0;
	if (denied || strcmp(final, "approved") == 0) {
		d->decided++;
		d->denied += denied ? 1 : 0;
		audit_stats_wait(s, wait_ms);
	}
}

static void
audit_stats_row(struct audit_stats *s, sqlite3_stmt *st)
{
	const char *day = (const char *)sqlite3_column_text(st, 0);
	const char *verdict = (const char *)sqlite3_column_text(st, 1);
	struct audit_day *d = audit_stats_day(s, day ? day : "?");

	if (sqlite3_column_int(st, 2) != 0) {
		d->imported++;
		return;
	}
	d->calls++;
	if (verdict == NULL) {
		return;
	}
	if (strcmp(verdict, "allow") == 0) {
		d->allowed++;
	} else if (strcmp(verdict, "deny") == 0) {
		d->denied++;
	} else if (strcmp(verdict, "ask") == 0) {
		d->asked++;
		audit_stats_final(s, d,
		                  (const char *)sqlite3_column_text(st, 3),
		                  sqlite3_column_int64(st, 4));
	}
}

static int
audit_stats_collect(struct audit *db, int64_t since_ms, int64_t until_ms,
                    struct audit_stats *s)
{
	sqlite3_stmt *st = NULL;
	int rc = audit_prepare(db, audit_stats_sql, &st);
	int r = SQLITE_DONE;

	if (rc != 0) {
		return rc;
	}
	audit_bind_i64(st, 1, since_ms > 0 ? since_ms : 0);
	audit_bind_i64(st, 2, until_ms > 0 ? until_ms : 0);
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		audit_stats_row(s, st);
	}
	if (r != SQLITE_DONE) {
		rc = audit_fail(db, r);
	}
	audit_stats_close_day(s);
	sqlite3_finalize(st);
	return rc;
}

static int
audit_stats_daily_on(struct audit *db, int64_t since_ms, int64_t until_ms,
                     audit_day_fn fn, void *arg)
{
	struct audit_stats s = { 0 };

	audit_lock(db);
	int rc = audit_stats_collect(db, since_ms, until_ms, &s);
	audit_unlock(db);
	for (size_t i = 0; rc == 0 && i < s.n; i++) {
		rc = fn(&s.days[i], arg);
	}
	free(s.days);
	free(s.waits);
	return rc;
}

/* ---- export ------------------------------------------------------------- */

static int
audit_scan_actions_on(struct audit *db, const struct audit_range *r,
                      audit_action_fn fn, void *arg)
{
	sqlite3_stmt *st = NULL;

	audit_lock(db);
	int rc = audit_prepare(db,
	                       "SELECT " AUDIT_ACTION_COLS AUDIT_ACTION_FROM
	                       " WHERE a.id > ?1"
	                       " AND (?2 = 0 OR a.received_ms >= ?2)"
	                       " AND (?3 = 0 OR a.received_ms <= ?3)"
	                       " ORDER BY a.id LIMIT ?4",
	                       &st);
	if (rc != 0) {
		audit_unlock(db);
		return rc;
	}
	audit_bind_i64(st, 1, r->after_id);
	audit_bind_i64(st, 2, r->since_ms > 0 ? r->since_ms : 0);
	audit_bind_i64(st, 3, r->until_ms > 0 ? r->until_ms : 0);
	audit_bind_i64(st, 4,
	               r->limit > 0 ? r->limit : AUDIT_DEFAULT_SCAN_LIMIT);
	return audit_run_actions(db, st, fn, arg); /* unlocks */
}

/* ---- reconciliation ----------------------------------------------------- */

static int
audit_find_tool_use_on(struct audit *db, const char *tool_use_id,
                       struct audit_tool_use *out)
{
	sqlite3_stmt *st = NULL;

	if (tool_use_id == NULL) {
		return audit_failf(db, AL_EINVAL, "no tool_use_id");
	}
	audit_lock(db);
	int rc = audit_prepare(
	        db,
	        "SELECT coalesce(min(CASE WHEN source IS NOT "
	        "'" AUDIT_SOURCE_IMPORT
	        "' AND verdict IS NOT NULL THEN id END), 0),"
	        " coalesce(min(CASE WHEN source IS NOT '" AUDIT_SOURCE_IMPORT
	        "' AND verdict IS NULL THEN id END), 0),"
	        " coalesce(min(CASE WHEN source = '" AUDIT_SOURCE_IMPORT
	        "' THEN id END), 0) FROM actions WHERE tool_use_id = ?",
	        &st);
	if (rc == 0) {
		audit_bind_text(st, 1, tool_use_id, AUDIT_TEXT_ID);
		int s = sqlite3_step(st);
		if (s == SQLITE_ROW) {
			*out = (struct audit_tool_use){
				.decided_id = sqlite3_column_int64(st, 0),
				.event_id = sqlite3_column_int64(st, 1),
				.imported_id = sqlite3_column_int64(st, 2),
			};
		} else {
			rc = audit_fail(db, s);
		}
	}
	sqlite3_finalize(st);
	audit_unlock(db);
	return rc;
}

static int
audit_session_supervised_on(struct audit *db, const char *session_id, bool *out)
{
	sqlite3_stmt *st = NULL;

	if (session_id == NULL) {
		return audit_failf(db, AL_EINVAL, "no session id");
	}
	audit_lock(db);
	int rc = audit_prepare(
	        db,
	        "SELECT EXISTS(SELECT 1 FROM actions WHERE "
	        "session_id = ? AND source IS NOT '" AUDIT_SOURCE_IMPORT "')",
	        &st);
	if (rc == 0) {
		audit_bind_text(st, 1, session_id, AUDIT_TEXT_ID);
		int s = sqlite3_step(st);
		if (s == SQLITE_ROW) {
			*out = sqlite3_column_int(st, 0) != 0;
		} else {
			rc = audit_fail(db, s);
		}
	}
	sqlite3_finalize(st);
	audit_unlock(db);
	return rc;
}

/* One row of one text column (and an id): *text NULL when there is no
 * row or the value is NULL. */
static int
audit_recall_row(struct audit *db, const char *sql, const char *session_id,
                 int64_t *id, char **text)
{
	sqlite3_stmt *st = NULL;
	int rc = audit_prepare(db, sql, &st);

	if (rc != 0) {
		return rc;
	}
	audit_bind_text(st, 1, session_id, AUDIT_TEXT_ID);
	int s = sqlite3_step(st);
	if (s == SQLITE_ROW) {
		const unsigned char *t = sqlite3_column_text(st, 1);
		*id = sqlite3_column_int64(st, 0);
		*text = t ? xstrdup((const char *)t) : NULL;
	} else if (s != SQLITE_DONE) {
		rc = audit_fail(db, s);
	}
	sqlite3_finalize(st);
	return rc;
}

static int
audit_session_recall_on(struct audit *db, const char *session_id,
                        struct audit_session_recall *out)
{
	int64_t id = 0;

	if (session_id == NULL) {
		return audit_failf(db, AL_EINVAL, "no session id");
	}
	audit_lock(db);
	int rc = audit_recall_row(
	        db, "SELECT id, cwd FROM sessions WHERE session_id = ?",
	        session_id, &id, &out->project);
	if (rc == 0) {
		/* actions_tainted (schema v4) holds only tainted rows. */
		rc = audit_recall_row(db,
		                      "SELECT id, reason FROM actions"
		                      " WHERE session_id = ? AND tainted = 1"
		                      " ORDER BY id LIMIT 1",
		                      session_id, &out->tainted_id,
		                      &out->tainted_reason);
	}
	audit_unlock(db);
	return rc;
}

int
audit_session_recall(struct audit *db, const char *session_id,
                     struct audit_session_recall *out)
{
	struct audit *r = audit_reader(db);

	memset(out, 0, sizeof *out);
	int rc = audit_read_done(db, r,
	                         audit_session_recall_on(r, session_id, out));
	if (rc != 0) {
		audit_session_recall_clear(out);
	}
	return rc;
}

void
audit_session_recall_clear(struct audit_session_recall *r)
{
	free(r->project);
	free(r->tainted_reason);
	memset(r, 0, sizeof *r);
}

int
audit_list_sessions(struct audit *db, int limit, audit_session_fn fn, void *arg)
{
	struct audit *r = audit_reader(db);

	return audit_read_done(db, r,
	                       audit_list_sessions_on(r, limit, fn, arg));
}

int
audit_stats_daily(struct audit *db, int64_t since_ms, int64_t until_ms,
                  audit_day_fn fn, void *arg)
{
	struct audit *r = audit_reader(db);

	return audit_read_done(
	        db, r, audit_stats_daily_on(r, since_ms, until_ms, fn, arg));
}

int
audit_scan_actions(struct audit *db, const struct audit_range *range,
                   audit_action_fn fn, void *arg)
{
	struct audit *r = audit_reader(db);

	return audit_read_done(db, r, audit_scan_actions_on(r, range, fn, arg));
}

int
audit_find_tool_use(struct audit *db, const char *tool_use_id,
                    struct audit_tool_use *out)
{
	struct audit *r = audit_reader(db);

	return audit_read_done(db, r,
	                       audit_find_tool_use_on(r, tool_use_id, out));
}

int
audit_session_supervised(struct audit *db, const char *session_id, bool *out)
{
	struct audit *r = audit_reader(db);

	return audit_read_done(db, r,
	                       audit_session_supervised_on(r, session_id, out));
}
