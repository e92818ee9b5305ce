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

/* ---- alert rules (core/audit_alerts.c) ----------------------------------- */

/* A hook-recorded call reaching host (an egress finding and the host), with
 * text the command line: the host appears in it when in_text. */
static int64_t
egress_call(struct audit *db, int n, const char *host, bool in_text)
{
	struct action *a = action_new();

	a->request_id = xasprintf("req-h%d", n);
	a->session_id = xstrdup("s-h");
	a->hook_event = xstrdup("PreToolUse");
	a->tool_name = xstrdup("Bash");
	a->tool_use_id = xasprintf("toolu_h%d", n);
	a->tool_input = in_text ? xasprintf("{\"command\":\"curl %s\"}", host)
	                        : xstrdup("{\"command\":\"curl $URL\"}");
	a->summary = in_text ? xasprintf("curl %s", host) : xstrdup("curl");
	a->received_ms = T0 + n;
	a->verdict = xstrdup("allow");
	a->source = xstrdup("rule");
	a->state = ACTION_DECIDED;
	risk_report_add(&a->risk, RISK_EGRESS, RISK_SEV_ASK, 0, 4,
	                "egress to %s", host);
	risk_report_add_host(&a->risk, host);
	assert_int_equal(audit_record_action(db, a), 0);
	int64_t id = a->id;
	action_free(a);
	return id;
}

static bool
seen(struct audit *db, const char *host, int64_t before_id)
{
	bool out = true;

	assert_int_equal(audit_host_seen(db, host, before_id, &out), 0);
	return out;
}

static void
test_host_seen(void **state)
{
	(void)state;
	struct audit *db = open_mem();

	assert_false(seen(db, "example.com", 0));
	int64_t first = egress_call(db, 1, "example.com", true);
	assert_true(seen(db, "example.com", 0));
	/* Only calls before the one asking count. */
	assert_false(seen(db, "example.com", first));
	assert_true(seen(db, "example.com", first + 1));
	/* Exact names: neither a longer nor a shorter one. */
	assert_false(seen(db, "ample.com", 0));
	assert_false(seen(db, "sub.example.com", 0));
	egress_call(db, 2, "sub.example.org", true);
	assert_false(seen(db, "example.org", 0));
	/* The name in the text without an egress finding is not a visit. */
	call(db, 3, "s-h", "allow", T0 + 3); /* "make" */
	struct action *a = action_new();
	a->request_id = xstrdup("req-text");
	a->tool_input = xstrdup("{\"command\":\"echo unvisited.net\"}");
	a->summary = xstrdup("echo unvisited.net");
	a->received_ms = T0 + 4;
	a->verdict = xstrdup("allow");
	assert_int_equal(audit_record_action(db, a), 0);
	action_free(a);
	assert_false(seen(db, "unvisited.net", 0));
	/* A host the classifier spelled out (not in the text) and a short
	 * one: found by the scan of recent calls. */
	egress_call(db, 5, "hidden.example.net", false);
	assert_true(seen(db, "hidden.example.net", 0));
	egress_call(db, 6, "ab", true);
	assert_true(seen(db, "ab", 0));
	assert_false(seen(db, "a", 0));
	/* FTS syntax in a host is only ever a string. */
	assert_false(seen(db, "x\" OR \"y", 0));
	bool out;
	assert_int_equal(audit_host_seen(db, "", 0, &out), AL_EINVAL);
	assert_int_equal(audit_host_seen(db, NULL, 0, &out), AL_EINVAL);
	audit_close(db);
}

static void
test_session_denials_and_alert_counts(void **state)
{
	(void)state;
	struct audit *db = open_mem();
	int64_t n = -1;

	assert_int_equal(audit_session_denials(db, "s1", &n), 0);
	assert_int_equal(n, 0);
	call(db, 1, "s1", "deny", T0);
	call(db, 2, "s1", "allow", T0 + 1);
	int64_t asked = call(db, 3, "s1", "ask", T0 + 2);
	int64_t asked2 = call(db, 4, "s1", "ask", T0 + 3);
	int64_t asked3 = call(db, 5, "s1", "ask", T0 + 4);
	call(db, 6, "s2", "deny", T0 + 5);
	assert_int_equal(audit_session_denials(db, "s1", &n), 0);
	assert_int_equal(n, 1);
	finish(db, asked, ACTION_DENIED, T0 + 10);
	finish(db, asked2, ACTION_APPROVED, T0 + 11);
	finish(db, asked3, ACTION_TIMED_OUT, T0 + 12);
	/* Policy and human denials; not approvals, not timeouts. */
	assert_int_equal(audit_session_denials(db, "s1", &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(audit_session_denials(db, "s2", &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(audit_session_denials(db, NULL, &n), AL_EINVAL);

	struct audit_alert al[] = {
		{ .kind = AUDIT_ALERT_DENIALS,
		  .session_id = "s1",
		  .created_ms = T0 },
		{ .kind = AUDIT_ALERT_DENIALS,
		  .session_id = "s1",
		  .created_ms = T0 },
		{ .kind = AUDIT_ALERT_DENIALS,
		  .session_id = "s2",
		  .created_ms = T0 },
		{ .kind = AUDIT_ALERT_TAMPER, .created_ms = T0 },
	};
	for (size_t i = 0; i < sizeof al / sizeof al[0]; i++) {
		assert_int_equal(audit_record_alert(db, &al[i]), 0);
	}
	assert_int_equal(audit_count_alerts(db, AUDIT_ALERT_DENIALS, "s1", &n),
	                 0);
	assert_int_equal(n, 2);
	assert_int_equal(audit_count_alerts(db, AUDIT_ALERT_DENIALS, "s3", &n),
	                 0);
	assert_int_equal(n, 0);
	assert_int_equal(audit_count_alerts(db, AUDIT_ALERT_TAMPER, NULL, &n),
	                 0);
	assert_int_equal(n, 1);
	assert_int_equal(audit_count_alerts(db, NULL, "s1", &n), AL_EINVAL);
	audit_close(db);
}

struct got_alert {
	int64_t id;
	char kind[32];
	char by[32];
	int64_t acked_ms;
	int calls;
};

static int
got_alert(const struct audit_alert *al, void *arg)
{
	struct got_alert *g = arg;

	g->calls++;
	g->id = al->id;
	snprintf(g->kind, sizeof g->kind, "%s", al->kind);
	snprintf(g->by, sizeof g->by, "%s", al->acked_by ? al->acked_by : "");
	g->acked_ms = al->acked_ms;
	return 7;
}

static void
test_get_alert(void **state)
{
	(void)state;
	struct audit *db = open_mem();
	struct audit_alert al = { .kind = AUDIT_ALERT_PRIVILEGE,
		                  .session_id = "s1",
		                  .message = "sudo",
		                  .created_ms = T0 };
	struct got_alert g = { 0 };

	assert_int_equal(audit_record_alert(db, &al), 0);
	/* fn's value is returned. */
	assert_int_equal(audit_get_alert(db, al.id, got_alert, &g), 7);
	assert_int_equal(g.id, al.id);
	assert_string_equal(g.kind, "privilege");
	assert_string_equal(g.by, "");
	assert_int_equal(audit_ack_alert(db, al.id, "alice", 1000, T0 + 5), 0);
	assert_int_equal(audit_ack_alert(db, al.id, "bob", 1001, T0 + 6),
	                 AL_EEXIST);
	assert_int_equal(audit_get_alert(db, al.id, got_alert, &g), 7);
	assert_string_equal(g.by, "alice");
	assert_int_equal(g.acked_ms, T0 + 5);
	g.calls = 0;
	assert_int_equal(audit_get_alert(db, al.id + 1, got_alert, &g),
	                 AL_ENOENT);
	assert_int_equal(g.calls, 0);
	audit_close(db);
}

/* ---- history filters (core/audit_query.c) -------------------------------- */

struct ids {
	int64_t v[16];
	int n;
};

static int
collect_ids(const struct action *a, void *arg)
{
	struct ids *l = arg;

	assert_true(l->n < 16);
	l->v[l->n++] = a->id;
	return 0;
}

static struct ids
query(struct audit *db, const struct audit_query *q)
{
	struct ids l = { 0 };

	assert_int_equal(audit_query(db, q, collect_ids, &l), 0);
	return l;
}

static int64_t
call_in(struct audit *db, int n, const char *cwd, enum risk_cat cat)
{
	struct action *a = action_new();

	a->request_id = xasprintf("req-q%d", n);
	a->session_id = xstrdup("s-q");
	a->hook_event = xstrdup("PreToolUse");
	a->tool_name = xstrdup("Bash");
	a->tool_use_id = xasprintf("toolu_q%d", n);
	a->cwd = xstrdup(cwd);
	a->tool_input = xstrdup("{\"command\":\"make\"}");
	a->summary = xstrdup("make");
	a->received_ms = T0 + n;
	a->verdict = xstrdup("ask");
	a->state = ACTION_PENDING;
	a->deadline_ms = T0 + 60000;
	if (cat != RISK_BENIGN) {
		risk_report_add(&a->risk, cat, RISK_SEV_ASK, 0, 1, "x");
	}
	assert_int_equal(audit_record_action(db, a), 0);
	int64_t id = a->id;
	action_free(a);
	return id;
}

static void
test_query_filters(void **state)
{
	(void)state;
	struct audit *db = open_mem();
	int64_t a = call_in(db, 1, "/w/proj", RISK_PRIVILEGE);
	int64_t b = call_in(db, 2, "/w/proj/sub", RISK_EGRESS);
	int64_t c = call_in(db, 3, "/w/projx", RISK_BENIGN);
	int64_t d = call_in(db, 4, "/W/PROJ/up", RISK_BENIGN);
	finish(db, a, ACTION_APPROVED, T0 + 10); /* alice */
	finish(db, b, ACTION_TIMED_OUT, T0 + 11);
	(void)d;

	struct ids l = query(db, &(struct audit_query){ .project = "/w/proj" });
	assert_int_equal(l.n, 2);
	assert_int_equal(l.v[0], b);
	assert_int_equal(l.v[1], a);
	l = query(db, &(struct audit_query){ .project = "/w/proj///" });
	assert_int_equal(l.n, 2);
	l = query(db, &(struct audit_query){ .project = "/w" });
	assert_int_equal(l.n, 3);
	l = query(db, &(struct audit_query){ .project = "/" });
	assert_int_equal(l.n, 4);
	l = query(db, &(struct audit_query){ .project = "/w/projx" });
	assert_int_equal(l.n, 1);
	assert_int_equal(l.v[0], c);

	l = query(db, &(struct audit_query){ .approver = "alice" });
	assert_int_equal(l.n, 1);
	assert_int_equal(l.v[0], a);
	l = query(db, &(struct audit_query){ .approver = "bob" });
	assert_int_equal(l.n, 0);

	l = query(db,
	          &(struct audit_query){ .risk_mask = RISK_BIT(RISK_EGRESS) });
	assert_int_equal(l.n, 1);
	assert_int_equal(l.v[0], b);
	l = query(db, &(struct audit_query){
	                      .risk_mask = RISK_BIT(RISK_EGRESS) |
	                                   RISK_BIT(RISK_PRIVILEGE) });
	assert_int_equal(l.n, 2);
	/* Combined with text (the trigram path) and with each other. */
	l = query(db, &(struct audit_query){ .text = "make",
	                                     .project = "/w/proj",
	                                     .approver = "alice" });
	assert_int_equal(l.n, 1);
	assert_int_equal(l.v[0], a);
	audit_close(db);
}

static void
test_query_unsupervised(void **state)
{
	(void)state;
	struct audit *db = open_mem();

	call(db, 1, "s", "allow", T0);               /* toolu_1 */
	event(db, 2, "s", "toolu_1", false, T0 + 1); /* its result */
	int64_t blind = event(db, 3, "s", "toolu_blind", false, T0 + 2);
	int64_t imp = event(db, 4, "s", "toolu_imp", true, T0 + 3);
	event(db, 5, "s", "toolu_imp2", true, T0 + 4); /* no alert */
	struct audit_alert al = { .kind = AUDIT_ALERT_UNSUPERVISED,
		                  .session_id = "s",
		                  .action_id = imp,
		                  .created_ms = T0 + 5 };
	assert_int_equal(audit_record_alert(db, &al), 0);

	struct ids l = query(db, &(struct audit_query){ .unsupervised = true });
	assert_int_equal(l.n, 2);
	assert_int_equal(l.v[0], imp);
	assert_int_equal(l.v[1], blind);
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
		cmocka_unit_test(test_host_seen),
		cmocka_unit_test(test_session_denials_and_alert_counts),
		cmocka_unit_test(test_get_alert),
		cmocka_unit_test(test_query_filters),
		cmocka_unit_test(test_query_unsupervised),
	};
	return cmocka_run_group_tests_name("audit_extra", tests, NULL, NULL);
}
