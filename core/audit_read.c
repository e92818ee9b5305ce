/* Reading actions back: lookups, the pending list a restarted daemon
 * recovers from, and history queries (full-text + filters). Results are
 * copied out under the lock and handed to callbacks after it, so a
 * callback may call the store again and no read transaction stays open
 * while the caller works. */
#include "core/audit.h"

#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "core/al.h"
#include "core/audit_internal.h"
#include "core/xalloc.h"

#define AUDIT_DEFAULT_LIMIT 50

static void
audit_row_final(sqlite3_stmt *st, struct action *a)
{
	enum action_state fs;
	const char *final = (const char *)sqlite3_column_text(st, 22);

	if (final == NULL || !action_state_from_name(final, &fs)) {
		return;
	}
	a->state = fs;
	a->final_reason = audit_col_str(st, 23);
	a->approver = audit_col_str(st, 24);
	a->approver_uid = sqlite3_column_int64(st, 25);
	a->approver_pid = sqlite3_column_int64(st, 26);
	a->edited_input = audit_col_str(st, 27);
	a->decided_ms = sqlite3_column_int64(st, 28);
}

struct action *
audit_action_from_row(sqlite3_stmt *st)
{
	struct action *a = action_new();
	const char *risk = (const char *)sqlite3_column_text(st, 17);
	const char *state = (const char *)sqlite3_column_text(st, 21);

	a->id = sqlite3_column_int64(st, 0);
	a->request_id = audit_col_str(st, 1);
	a->session_id = audit_col_str(st, 2);
	a->hook_event = audit_col_str(st, 3);
	a->tool_name = audit_col_str(st, 4);
	a->tool_use_id = audit_col_str(st, 5);
	a->cwd = audit_col_str(st, 6);
	a->permission_mode = audit_col_str(st, 7);
	a->tool_input = audit_col_str(st, 8);
	a->summary = audit_col_str(st, 9);
	a->received_ms = sqlite3_column_int64(st, 10);
	a->deadline_ms = sqlite3_column_int64(st, 11);
	a->verdict = audit_col_str(st, 12);
	a->reason = audit_col_str(st, 13);
	a->rule = audit_col_str(st, 14);
	a->rule_file = audit_col_str(st, 15);
	a->source = audit_col_str(st, 16);
	/* A finding text the redactor changed may no longer decode; the
	 * mask below still says which categories were found. */
	if (risk != NULL && risk_report_decode(risk, &a->risk) != 0) {
		risk_report_clear(&a->risk);
	}
	a->risk.mask |= (uint32_t)sqlite3_column_int64(st, 18);
	a->tainted = sqlite3_column_int(st, 19) != 0;
	a->tier = sqlite3_column_int(st, 20);
	if (state == NULL || !action_state_from_name(state, &a->state)) {
		a->state = ACTION_DECIDED;
	}
	audit_row_final(st, a);
	a->result = audit_col_str(st, 29);
	a->result_size = sqlite3_column_int64(st, 30);
	a->result_sha256 = audit_col_str(st, 31);
	return a;
}

int
audit_collect(struct audit *db, sqlite3_stmt *st, struct audit_actions *l)
{
	for (;;) {
		int s = sqlite3_step(st);
		if (s == SQLITE_DONE) {
			return 0;
		}
		if (s != SQLITE_ROW) {
			return audit_fail(db, s);
		}
		if (l->n == l->cap) {
			l->cap = l->cap ? 2 * l->cap : 16;
			l->v = xrealloc(l->v, l->cap * sizeof l->v[0]);
		}
		l->v[l->n++] = audit_action_from_row(st);
	}
}

int
audit_actions_emit(struct audit_actions *l, audit_action_fn fn, void *arg)
{
	for (size_t i = 0; i < l->n; i++) {
		int rc = fn(l->v[i], arg);
		if (rc != 0) {
			return rc;
		}
	}
	return 0;
}

void
audit_actions_free(struct audit_actions *l)
{
	for (size_t i = 0; i < l->n; i++) {
		action_free(l->v[i]);
	}
	free(l->v);
	memset(l, 0, sizeof *l);
}

static const char audit_sql_get_id[] =
        "SELECT " AUDIT_ACTION_COLS AUDIT_ACTION_FROM " WHERE a.id = ?";
static const char audit_sql_get_req[] =
        "SELECT " AUDIT_ACTION_COLS AUDIT_ACTION_FROM " WHERE a.request_id = ?";

/* Looks up one action: by id when request_id is NULL. */
static int
audit_get_one_on(struct audit *db, int64_t id, const char *request_id,
                 struct action **out)
{
	struct audit_actions l = { 0 };
	sqlite3_stmt *st = NULL;
	int rc;

	audit_lock(db);
	rc = audit_cached(db, request_id ? audit_sql_get_req : audit_sql_get_id,
	                  &st);
	if (rc == 0) {
		if (request_id != NULL) {
			audit_bind_text(st, 1, request_id, AUDIT_TEXT_ID);
		} else {
			audit_bind_i64(st, 1, id);
		}
		rc = audit_collect(db, st, &l);
	}
	audit_done(st);
	if (rc == 0 && l.n == 0) {
		rc = audit_failf(db, AL_ENOENT, "no such action");
	}
	audit_unlock(db);
	if (rc == 0) {
		*out = l.v[0];
		l.v[0] = NULL;
		l.n = 0;
	}
	audit_actions_free(&l);
	return rc;
}

static int
audit_get_one(struct audit *db, int64_t id, const char *request_id,
              struct action **out)
{
	struct audit *r = audit_reader(db);

	return audit_read_done(db, r, audit_get_one_on(r, id, request_id, out));
}

int
audit_get(struct audit *db, int64_t id, struct action **out)
{
	return audit_get_one(db, id, NULL, out);
}

int
audit_find_request(struct audit *db, const char *request_id,
                   struct action **out)
{
	if (request_id == NULL) {
		return audit_failf(db, AL_EINVAL, "no request id");
	}
	return audit_get_one(db, 0, request_id, out);
}

int
audit_run_actions(struct audit *db, sqlite3_stmt *st, audit_action_fn fn,
                  void *arg)
{
	struct audit_actions l = { 0 };
	int rc = audit_collect(db, st, &l);

	sqlite3_finalize(st);
	audit_unlock(db);
	if (rc == 0) {
		rc = audit_actions_emit(&l, fn, arg);
	}
	audit_actions_free(&l);
	return rc;
}

static int
audit_list_pending_on(struct audit *db, audit_action_fn fn, void *arg)
{
	sqlite3_stmt *st = NULL;

	audit_lock(db);
	int rc = audit_prepare(db,
	                       "SELECT " AUDIT_ACTION_COLS AUDIT_ACTION_FROM
	                       " WHERE a.state = 'pending' AND f.id IS NULL"
	                       " ORDER BY a.id",
	                       &st);
	if (rc != 0) {
		audit_unlock(db);
		return rc;
	}
	return audit_run_actions(db, st, fn, arg);
}

struct audit_alerts {
	struct audit_alert *v;
	size_t n;
	size_t cap;
};

static int
audit_alerts_collect(struct audit *db, sqlite3_stmt *st, struct audit_alerts *l)
{
	int s;

	while ((s = sqlite3_step(st)) == SQLITE_ROW) {
		if (l->n == l->cap) {
			l->cap = l->cap ? 2 * l->cap : 16;
			l->v = xrealloc(l->v, l->cap * sizeof l->v[0]);
		}
		l->v[l->n++] = (struct audit_alert){
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
	}
	return s == SQLITE_DONE ? 0 : audit_fail(db, s);
}

/* The strings were allocated by audit_col_str: ours to free. */
static void
audit_alerts_free(struct audit_alerts *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free((void *)l->v[i].kind);
		free((void *)l->v[i].session_id);
		free((void *)l->v[i].message);
		free((void *)l->v[i].acked_by);
	}
	free(l->v);
}

static int
audit_list_alerts_on(struct audit *db, bool unacked_only, int limit,
                     audit_alert_fn fn, void *arg)
{
	struct audit_alerts l = { 0 };
	sqlite3_stmt *st = NULL;

	audit_lock(db);
	int rc = audit_prepare(
	        db,
	        "SELECT id, kind, session_id, action_id, message, created_ms, "
	        "acknowledged_by, acknowledged_uid, acknowledged_ms FROM "
	        "alerts "
	        "WHERE (?1 = 0 OR acknowledged_ms IS NULL) ORDER BY id DESC "
	        "LIMIT ?2",
	        &st);
	if (rc == 0) {
		audit_bind_i64(st, 1, unacked_only ? 1 : 0);
		audit_bind_i64(st, 2, limit > 0 ? limit : AUDIT_DEFAULT_LIMIT);
		rc = audit_alerts_collect(db, st, &l);
	}
	sqlite3_finalize(st);
	audit_unlock(db);
	for (size_t i = 0; rc == 0 && i < l.n; i++) {
		rc = fn(&l.v[i], arg);
	}
	audit_alerts_free(&l);
	return rc;
}

int
audit_list_pending(struct audit *db, audit_action_fn fn, void *arg)
{
	struct audit *r = audit_reader(db);

	return audit_read_done(db, r, audit_list_pending_on(r, fn, arg));
}

int
audit_list_alerts(struct audit *db, bool unacked_only, int limit,
                  audit_alert_fn fn, void *arg)
{
	struct audit *r = audit_reader(db);

	return audit_read_done(
	        db, r, audit_list_alerts_on(r, unacked_only, limit, fn, arg));
}
