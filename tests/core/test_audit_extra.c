/* The review functions of the audit store (core/audit_extra.c): session
 * list, daily statistics, export paging, transcript reconciliation. */
#include "core/audit.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/al.h"
#include "core/xalloc.h"

/* 2023-11-14 22:13:20 UTC: day one; DAY later is day two. */
#define T0  1700000000000LL
#define DAY 86400000LL

static struct audit *
open_mem(void)
{
	struct audit *db = NULL;
	char *err = NULL;

	if (audit_open(&db, ":memory:", 0, &err) != 0) {
		fail_msg("open: %s", err);
	}
	return db;
}

/* A hook-recorded call with verdict v ("allow", "ask", "deny"). */
static int64_t
call(struct audit *db, int n, const char *session, const char *v, int64_t at)
{
	struct action *a = action_new();

	a->request_id = xasprintf("req-%d", n);
	a->session_id = xstrdup(session);
	a->hook_event = xstrdup("PreToolUse");
	a->tool_name = xstrdup("Bash");
	a->tool_use_id = xasprintf("toolu_%d", n);
	a->cwd = xasprintf("/work/%s", session);
	a->tool_input = xstrdup("{\"command\":\"make\"}");
	a->summary = xstrdup("make");
	a->received_ms = at;
	a->verdict = xstrdup(v);
	a->source = xstrdup("rule");
	a->state = strcmp(v, "ask") == 0 ? ACTION_PENDING : ACTION_DECIDED;
	a->deadline_ms = a->state == ACTION_PENDING ? at + 60000 : 0;
	assert_int_equal(audit_record_action(db, a), 0);
	int64_t id = a->id;
	action_free(a);
	return id;
}

static void
finish(struct audit *db, int64_t id, enum action_state s, int64_t at)
{
	struct action *a = action_new();

	a->id = id;
	a->state = s;
	a->approver = s == ACTION_TIMED_OUT ? NULL : xstrdup("alice");
	a->approver_uid = 1000;
	a->decided_ms = at;
	assert_int_equal(audit_record_final(db, a), 0);
	action_free(a);
}

/* A non-decision event (PostToolUse) or an imported call. */
static int64_t
event(struct audit *db, int n, const char *session, const char *tool_use_id,
      bool imported, int64_t at)
{
	struct action *a = action_new();

	a->request_id = xasprintf("%s-%d", imported ? "import" : "ev", n);
	a->session_id = xstrdup(session);
	a->hook_event = xstrdup(imported ? "PreToolUse" : "PostToolUse");
	a->tool_name = xstrdup("Bash");
	a->tool_use_id = xstrdup(tool_use_id);
	a->received_ms = at;
	a->source = imported ? xstrdup(AUDIT_SOURCE_IMPORT) : NULL;
	assert_int_equal(audit_record_event(db, a), 0);
	int64_t id = a->id;
	action_free(a);
	return id;
}

/* ---- sessions ----------------------------------------------------------- */

struct sessions {
	char id[8][32];
	struct audit_session_info v[8];
	int n;
	int stop_after; /* 0: never */
};

static int
collect_session(const struct audit_session_info *s, void *arg)
{
	struct sessions *l = arg;

	assert_true(l->n < 8);
	snprintf(l->id[l->n], sizeof l->id[0], "%s", s->session_id);
	l->v[l->n] = *s;
	l->v[l->n].session_id = l->id[l->n];
	l->v[l->n].cwd = NULL; /* borrowed: gone after the call */
	l->v[l->n].permission_mode = NULL;
	l->n++;
	return l->stop_after > 0 && l->n >= l->stop_after ? 42 : 0;
}

static void
test_sessions_counts(void **state)
{
	(void)state;
	struct audit *db = open_mem();
	struct audit_alert al = { .kind = "unsupervised",
		                  .session_id = "s1",
		                  .created_ms = T0 };

	call(db, 1, "s1", "allow", T0);
	int64_t asked = call(db, 2, "s1", "ask", T0 + 1000);
	finish(db, asked, ACTION_DENIED, T0 + 5000);
	call(db, 3, "s1", "deny", T0 + 2000);
	event(db, 4, "s1", "toolu_1", false, T0 + 3000);
	event(db, 5, "s1", "toolu_x", true, T0 + 4000);
	assert_int_equal(audit_record_alert(db, &al), 0);
	call(db, 6, "s2", "allow", T0 + DAY);

	struct sessions l = { 0 };
	assert_int_equal(audit_list_sessions(db, 0, collect_session, &l), 0);
	assert_int_equal(l.n, 2);
	/* Most recently seen first. */
	assert_string_equal(l.v[0].session_id, "s2");
	assert_int_equal(l.v[0].calls, 1);
	assert_int_equal(l.v[0].alerts, 0);
	assert_string_equal(l.v[1].session_id, "s1");
	assert_int_equal(l.v[1].calls, 3);
	assert_int_equal(l.v[1].asked, 1);
	assert_int_equal(l.v[1].denied, 2); /* policy deny + human deny */
	assert_int_equal(l.v[1].events, 1);
	assert_int_equal(l.v[1].imported, 1);
	assert_int_equal(l.v[1].alerts, 1);
	assert_int_equal(l.v[1].first_seen_ms, T0);
	assert_int_equal(l.v[1].last_seen_ms, T0 + 4000);

	/* The limit, and a callback's non-zero return stops the walk. */
	memset(&l, 0, sizeof l);
	assert_int_equal(audit_list_sessions(db, 1, collect_session, &l), 0);
	assert_int_equal(l.n, 1);
	memset(&l, 0, sizeof l);
	l.stop_after = 1;
	assert_int_equal(audit_list_sessions(db, 0, collect_session, &l), 42);
	assert_int_equal(l.n, 1);
	audit_close(db);
}

/* ---- stats -------------------------------------------------------------- */

struct days {
	struct audit_day v[8];
	int n;
};

static int
collect_day(const struct audit_day *d, void *arg)
{
	struct days *l = arg;

	assert_true(l->n < 8);
	l->v[l->n++] = *d;
	return 0;
}

static void
test_stats_daily_median(void **state)
{
	(void)state;
	struct audit *db = open_mem();

	/* Day one: waits of 1 s, 3 s and 2 s (median 2 s); one timeout;
	 * one policy allow, one policy deny, one imported call. */
	int64_t a = call(db, 1, "s1", "ask", T0);
	finish(db, a, ACTION_APPROVED, T0 + 1000);
	a = call(db, 2, "s1", "ask", T0 + 10);
	finish(db, a, ACTION_DENIED, T0 + 3010);
	a = call(db, 3, "s1", "ask", T0 + 20);
	finish(db, a, ACTION_APPROVED, T0 + 2020);
	a = call(db, 4, "s1", "ask", T0 + 30);
	finish(db, a, ACTION_TIMED_OUT, T0 + 60030);
	call(db, 5, "s1", "allow", T0 + 40);
	call(db, 6, "s1", "deny", T0 + 50);
	event(db, 7, "s1", "toolu_7", true, T0 + 60);
	event(db, 8, "s1", "toolu_8", false, T0 + 70); /* not a call */
	/* Day two: an even number of waits (1 s, 4 s: median 2.5 s). */
	a = call(db, 9, "s2", "ask", T0 + DAY);
	finish(db, a, ACTION_APPROVED, T0 + DAY + 1000);
	a = call(db, 10, "s2", "ask", T0 + DAY + 1);
	finish(db, a, ACTION_APPROVED, T0 + DAY + 4001);

	struct days l = { 0 };
	assert_int_equal(audit_stats_daily(db, 0, 0, collect_day, &l), 0);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.v[0].day, "2023-11-14");
	assert_int_equal(l.v[0].calls, 6);
	assert_int_equal(l.v[0].allowed, 1);
	assert_int_equal(l.v[0].asked, 4);
	assert_int_equal(l.v[0].denied, 2);
	assert_int_equal(l.v[0].timed_out, 1);
	assert_int_equal(l.v[0].imported, 1);
	assert_int_equal(l.v[0].decided, 3);
	assert_int_equal(l.v[0].median_decide_ms, 2000);
	assert_string_equal(l.v[1].day, "2023-11-15");
	assert_int_equal(l.v[1].calls, 2);
	assert_int_equal(l.v[1].median_decide_ms, 2500);

	/* Bounds select days; a day with no decided call has no median. */
	memset(&l, 0, sizeof l);
	assert_int_equal(audit_stats_daily(db, T0 + DAY, 0, collect_day, &l),
	                 0);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.v[0].day, "2023-11-15");
	memset(&l, 0, sizeof l);
	assert_int_equal(
	        audit_stats_daily(db, T0 + 35, T0 + 65, collect_day, &l), 0);
	assert_int_equal(l.n, 1);
	assert_int_equal(l.v[0].calls, 2);
	assert_int_equal(l.v[0].imported, 1);
	assert_int_equal(l.v[0].median_decide_ms, -1);
	audit_close(db);
}

/* ---- export paging ------------------------------------------------------ */

struct page {
	int64_t ids[64];
	int n;
};

static int
collect_id(const struct action *a, void *arg)
{
	struct page *p = arg;

	assert_true(p->n < 64);
	p->ids[p->n++] = a->id;
	return 0;
}

static void
test_scan_pages_in_id_order(void **state)
{
	(void)state;
	struct audit *db = open_mem();
	int64_t ids[25];

	for (int i = 0; i < 25; i++) {
		ids[i] = call(db, i, "s1", "allow", T0 + i * 1000);
	}
	struct page all = { 0 };
	struct audit_range r = { .limit = 10 };
	for (int pages = 0; pages < 10; pages++) {
		struct page p = { 0 };
		assert_int_equal(audit_scan_actions(db, &r, collect_id, &p), 0);
		for (int i = 0; i < p.n; i++) {
			all.ids[all.n++] = p.ids[i];
		}
		if (p.n < r.limit) {
			break;
		}
		r.after_id = p.ids[p.n - 1];
	}
	assert_int_equal(all.n, 25);
	for (int i = 0; i < 25; i++) {
		assert_int_equal(all.ids[i], ids[i]);
	}

	/* Time bounds are inclusive. */
	struct page p = { 0 };
	struct audit_range t = { .since_ms = T0 + 5000, .until_ms = T0 + 7000 };
	assert_int_equal(audit_scan_actions(db, &t, collect_id, &p), 0);
	assert_int_equal(p.n, 3);
	assert_int_equal(p.ids[0], ids[5]);
	assert_int_equal(p.ids[2], ids[7]);
	audit_close(db);
}

/* ---- reconciliation ----------------------------------------------------- */

static void
test_find_tool_use_and_supervised(void **state)
{
	(void)state;
	struct audit *db = open_mem();
	struct audit_tool_use tu;
	bool sup = true;

	int64_t decided = call(db, 1, "hooked", "allow", T0); /* toolu_1 */
	int64_t post = event(db, 2, "hooked", "toolu_1", false, T0 + 1);
	int64_t only_post = event(db, 3, "hooked", "toolu_p", false, T0 + 2);
	int64_t imp = event(db, 4, "plain", "toolu_i", true, T0 + 3);

	assert_int_equal(audit_find_tool_use(db, "toolu_1", &tu), 0);
	assert_int_equal(tu.decided_id, decided);
	assert_int_equal(tu.event_id, post);
	assert_int_equal(tu.imported_id, 0);
	assert_int_equal(audit_find_tool_use(db, "toolu_p", &tu), 0);
	assert_int_equal(tu.decided_id, 0);
	assert_int_equal(tu.event_id, only_post);
	assert_int_equal(audit_find_tool_use(db, "toolu_i", &tu), 0);
	assert_int_equal(tu.imported_id, imp);
	assert_int_equal(tu.decided_id, 0);
	assert_int_equal(audit_find_tool_use(db, "toolu_none", &tu), 0);
	assert_int_equal(tu.decided_id + tu.event_id + tu.imported_id, 0);
	assert_int_equal(audit_find_tool_use(db, NULL, &tu), AL_EINVAL);

	assert_int_equal(audit_session_supervised(db, "hooked", &sup), 0);
	assert_true(sup);
	/* Imported rows alone never make a session supervised. */
	assert_int_equal(audit_session_supervised(db, "plain", &sup), 0);
	assert_false(sup);
	sup = true;
	assert_int_equal(audit_session_supervised(db, "unknown", &sup), 0);
	assert_false(sup);
	assert_int_equal(audit_session_supervised(db, NULL, &sup), AL_EINVAL);

	/* Reading never disturbs the chain. */
	struct audit_verify_report r;
	assert_int_equal(audit_verify(db, &r), 0);
	assert_int_equal(r.first_bad_row, 0);
	audit_close(db);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sessions_counts),
		cmocka_unit_test(test_stats_daily_median),
		cmocka_unit_test(test_scan_pages_in_id_order),
		cmocka_unit_test(test_find_tool_use_and_supervised),
	};
	return cmocka_run_group_tests_name("audit_extra", tests, NULL, NULL);
}
