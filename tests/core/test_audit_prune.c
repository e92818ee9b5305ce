/* Retention: audit_prune removes a prefix of the history and records a
 * checkpoint, verify starts from it and still detects tampering with
 * what remains. */
#include "core/audit.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "core/al.h"
#include "core/xalloc.h"
#include "tests/support/tmpdir.h"

#define T0 1700000000000

/* Plain SQL on the file, as someone with write access could run it. */
static void
exec_sql(const char *path, const char *sql)
{
	sqlite3 *h = NULL;

	assert_int_equal(sqlite3_open(path, &h), SQLITE_OK);
	assert_int_equal(sqlite3_exec(h, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(h);
}

static struct audit *
open_rw(const char *path)
{
	struct audit *db = NULL;

	assert_int_equal(audit_open(&db, path, 0, NULL), 0);
	return db;
}

/* Call n of session s at T0 + n seconds; returns its id. */
static int64_t
record(struct audit *db, int n, const char *s, enum action_state state)
{
	struct action *a = action_new();

	a->request_id = xasprintf("req-%04d", n);
	a->session_id = xstrdup(s);
	a->hook_event = xstrdup("PreToolUse");
	a->tool_name = xstrdup("Bash");
	a->tool_input = xasprintf("{\"command\":\"rm -rf build/%d\"}", n);
	a->summary = xasprintf("rm -rf build/%d", n);
	a->received_ms = T0 + n * 1000;
	a->verdict = xstrdup(state == ACTION_PENDING ? "ask" : "allow");
	a->state = state;
	assert_int_equal(audit_record_action(db, a), 0);
	int64_t id = a->id;
	action_free(a);
	return id;
}

static void
decide(struct audit *db, int64_t id)
{
	struct action *f = action_new();

	f->id = id;
	f->state = ACTION_APPROVED;
	f->approver = xstrdup("alice");
	f->decided_ms = T0 + 500000;
	assert_int_equal(audit_record_final(db, f), 0);
	action_free(f);
}

static int64_t
alert(struct audit *db, int n, bool ack)
{
	struct audit_alert al = { .kind = "tamper",
		                  .session_id = "s1",
		                  .message = "m",
		                  .created_ms = T0 + n * 1000 };

	assert_int_equal(audit_record_alert(db, &al), 0);
	if (ack) {
		assert_int_equal(audit_ack_alert(db, al.id, "bob", 1000, T0),
		                 0);
	}
	return al.id;
}

static void
verify(const char *path, const struct audit_checkpoint *cp,
       struct audit_verify_report *r)
{
	struct audit *db = NULL;

	assert_int_equal(audit_open(&db, path, AUDIT_READONLY, NULL), 0);
	assert_int_equal(audit_verify_against(db, cp, r), 0);
	audit_close(db);
}

static bool
exists(struct audit *db, int64_t id)
{
	struct action *a = NULL;
	int rc = audit_get(db, id, &a);

	action_free(a);
	assert_true(rc == 0 || rc == AL_ENOENT);
	return rc == 0;
}

static int
count_one(const struct action *a, void *arg)
{
	(void)a;
	(*(int *)arg)++;
	return 0;
}

/*
 * History: s1 calls 1-3 (call 2 asked and approved), alerts (one
 * acknowledged, one not), s2 call 4, then calls 5-8 of s2 and s3. Pruned
 * before call 5: s1 and its calls go, s2 stays (it has later calls), the
 * unacknowledged alert stays.
 */
struct fixture {
	struct test_tmp t;
	int64_t id[9];
	int64_t alert_kept;
	int64_t alert_acked;
	struct audit_checkpoint before; /* taken before the prune */
};

static void
fixture_make(struct fixture *f)
{
	assert_int_equal(test_tmp_make(&f->t, "prune"), 0);
	struct audit *db = open_rw(f->t.path);
	f->id[1] = record(db, 1, "s1", ACTION_DECIDED);
	f->id[2] = record(db, 2, "s1", ACTION_PENDING);
	decide(db, f->id[2]);
	f->id[3] = record(db, 3, "s1", ACTION_DECIDED);
	f->alert_acked = alert(db, 3, true);
	f->alert_kept = alert(db, 3, false);
	f->id[4] = record(db, 4, "s2", ACTION_DECIDED);
	for (int n = 5; n <= 8; n++) {
		f->id[n] = record(db, n, n % 2 ? "s2" : "s3", ACTION_DECIDED);
	}
	assert_int_equal(audit_checkpoint(db, &f->before), 0);
	audit_close(db);
}

static void
prune(struct fixture *f, int64_t before_ms, struct audit_prune_report *r)
{
	struct audit *db = open_rw(f->t.path);

	assert_int_equal(
	        audit_prune(db, before_ms, T0 + 999000, "alice", 1000, r), 0);
	audit_close(db);
}

static void
test_prune_then_verify(void **state)
{
	(void)state;
	struct fixture f;
	struct audit_prune_report pr;
	struct audit_verify_report r;

	fixture_make(&f);
	prune(&f, T0 + 5000, &pr);
	/* s1, 1, 2, final(2), 3, alert, ack, alert, s2, 4 */
	assert_int_equal(pr.last_seq, 10);
	assert_int_equal(pr.entries_removed, 10);
	assert_int_equal(strlen(pr.last_hash), 64);
	assert_int_equal(pr.rechained, 2); /* s2, the unacknowledged alert */
	assert_true(pr.prune_id > 0);

	verify(f.t.path, &f.before, &r);
	assert_int_equal(r.first_bad_row, 0);
	assert_int_equal(r.pruned_seq, 10);

	struct audit *db = open_rw(f.t.path);
	for (int n = 1; n <= 8; n++) {
		assert_int_equal(exists(db, f.id[n]), n >= 5);
	}
	int hits = 0;
	struct audit_query q = { .text = "rm -rf", .limit = 100 };
	assert_int_equal(audit_query(db, &q, count_one, &hits), 0);
	assert_int_equal(hits, 4);
	/* Recording goes on after a prune, on the same chain. */
	record(db, 9, "s1", ACTION_DECIDED);
	audit_close(db);
	verify(f.t.path, NULL, &r);
	assert_int_equal(r.first_bad_row, 0);
	exec_sql(f.t.path, "INSERT INTO actions_tri(actions_tri) "
	                   "VALUES('integrity-check');"
	                   "INSERT INTO actions_word(actions_word) "
	                   "VALUES('integrity-check')");
	assert_int_equal(test_tmp_remove(&f.t), 0);
}

static void
test_prune_keeps_rows_in_use(void **state)
{
	(void)state;
	struct fixture f;
	struct audit_prune_report pr;
	sqlite3 *h = NULL;
	sqlite3_stmt *st = NULL;

	fixture_make(&f);
	prune(&f, T0 + 5000, &pr);
	assert_int_equal(sqlite3_open(f.t.path, &h), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(
	                         h,
	                         "SELECT (SELECT group_concat(session_id) "
	                         "FROM sessions), (SELECT group_concat(id) "
	                         "FROM alerts), (SELECT count(*) FROM finals)",
	                         -1, &st, NULL),
	                 SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(st, 0), "s2,s3");
	char want[32];
	snprintf(want, sizeof want, "%lld", (long long)f.alert_kept);
	assert_string_equal((const char *)sqlite3_column_text(st, 1), want);
	assert_int_equal(sqlite3_column_int(st, 2), 0);
	sqlite3_finalize(st);
	sqlite3_close(h);
	assert_int_equal(test_tmp_remove(&f.t), 0);
}

static void
expect_bad(const char *path, const char *sql, const char *what)
{
	struct audit_verify_report r;

	exec_sql(path, sql);
	verify(path, NULL, &r);
	assert_true(r.first_bad_row > 0);
	if (strstr(r.problem, what) == NULL) {
		fail_msg("problem '%s' lacks '%s'", r.problem, what);
	}
}

struct tamper_case {
	const char *sql;
	const char *what;
};

static void
test_prune_then_tamper_detected(void **state)
{
	(void)state;
	struct audit_prune_report pr;

	struct tamper_case cases[] = {
		{ "UPDATE actions SET summary = 'ls' WHERE id = 6", "edited" },
		{ "DELETE FROM actions WHERE id = 7", "deleted" },
		{ "DELETE FROM chain WHERE seq = 11", "missing" },
		{ "UPDATE prunes SET last_seq = 9", "" },
		{ "UPDATE prunes SET rows_removed = 1", "edited" },
		{ "UPDATE sessions SET cwd = '/x' WHERE session_id = 's2'",
		  "edited" },
		/* More history removed after the prune, with its chain
		 * entries: the first remaining entry no longer follows the
		 * recorded hash. */
		{ "DELETE FROM actions WHERE id = 5; DELETE FROM chain WHERE "
		  "seq = 11",
		  "" },
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct fixture f;
		fixture_make(&f);
		prune(&f, T0 + 5000, &pr);
		expect_bad(f.t.path, cases[i].sql, cases[i].what);
		assert_int_equal(test_tmp_remove(&f.t), 0);
	}
}

static void
test_prune_stops_at_pending(void **state)
{
	(void)state;
	struct test_tmp t;
	struct audit_prune_report pr;
	struct audit_verify_report r;

	assert_int_equal(test_tmp_make(&t, "prune"), 0);
	struct audit *db = open_rw(t.path);
	record(db, 1, "s1", ACTION_DECIDED);
	int64_t held = record(db, 2, "s1", ACTION_PENDING);
	record(db, 3, "s1", ACTION_DECIDED);
	assert_int_equal(audit_prune(db, T0 + 9000, T0, "a", 1, &pr), 0);
	assert_int_equal(pr.last_seq, 2); /* s1 and call 1 only */
	assert_true(exists(db, held));
	/* The pending call can still be decided, and pruned afterwards. */
	decide(db, held);
	assert_int_equal(audit_prune(db, T0 + 9000, T0, "a", 1, &pr), 0);
	assert_true(pr.last_seq > 2);
	assert_false(exists(db, held));
	/* Nothing left before that date: nothing happens. */
	assert_int_equal(audit_prune(db, T0 + 9000, T0, "a", 1, &pr), 0);
	assert_int_equal(pr.last_seq, 0);
	audit_close(db);
	verify(t.path, NULL, &r);
	assert_int_equal(r.first_bad_row, 0);
	assert_int_equal(test_tmp_remove(&t), 0);
}

/* A row edited before the prune is never re-chained as if it were
 * genuine: the prune refuses and removes nothing. */
static void
test_prune_refuses_edited_kept_row(void **state)
{
	(void)state;
	struct fixture f;
	struct audit_prune_report pr;
	struct audit_verify_report r;

	fixture_make(&f);
	exec_sql(f.t.path, "UPDATE sessions SET cwd = '/x' WHERE "
	                   "session_id = 's2'");
	struct audit *db = open_rw(f.t.path);
	assert_int_equal(audit_prune(db, T0 + 5000, T0, "a", 1, &pr), AL_EDB);
	assert_non_null(strstr(audit_errmsg(db), "edited"));
	assert_true(exists(db, f.id[1]));
	audit_close(db);
	verify(f.t.path, NULL, &r);
	assert_true(r.first_bad_row > 0);
	assert_int_equal(test_tmp_remove(&f.t), 0);
}

/* A checkpoint taken at the last removed entry still checks against the
 * hash the prune recorded. */
static void
test_prune_checkpoint_at_cutoff(void **state)
{
	(void)state;
	struct test_tmp t;
	struct audit_checkpoint cp;
	struct audit_prune_report pr;
	struct audit_verify_report r;

	assert_int_equal(test_tmp_make(&t, "prune"), 0);
	struct audit *db = open_rw(t.path);
	record(db, 1, "s1", ACTION_DECIDED);
	assert_int_equal(audit_checkpoint(db, &cp), 0); /* rows 2 */
	record(db, 2, "s2", ACTION_DECIDED);
	assert_int_equal(audit_prune(db, T0 + 2000, T0, "a", 1, &pr), 0);
	assert_int_equal(pr.last_seq, 2);
	assert_string_equal(pr.last_hash, cp.head_hash);
	audit_close(db);
	verify(t.path, &cp, &r);
	assert_int_equal(r.first_bad_row, 0);
	memset(cp.head_hash, 'a', 64);
	verify(t.path, &cp, &r);
	assert_non_null(strstr(r.problem, "rewritten"));
	assert_int_equal(test_tmp_remove(&t), 0);
}

/* Batches: a record refused before writing leaves the batch; lookups
 * from the batch's own thread see it, a read-only store does not. */
static void
test_batch_visibility(void **state)
{
	(void)state;
	struct test_tmp t;
	struct audit *ro = NULL;
	struct action *a = NULL;

	assert_int_equal(test_tmp_make(&t, "prune"), 0);
	struct audit *db = open_rw(t.path);
	assert_int_equal(audit_open(&ro, t.path, AUDIT_READONLY, NULL), 0);
	assert_int_equal(audit_batch_begin(db), 0);
	int64_t id = record(db, 1, "s1", ACTION_DECIDED);
	assert_int_equal(audit_find_request(db, "req-0001", &a), 0);
	action_free(a);
	a = NULL;
	assert_int_equal(audit_find_request(ro, "req-0001", &a), AL_ENOENT);
	assert_int_equal(audit_batch_end(db, true), 0);
	assert_int_equal(audit_find_request(ro, "req-0001", &a), 0);
	assert_int_equal(a->id, id);
	action_free(a);
	audit_close(ro);
	audit_close(db);
	assert_int_equal(test_tmp_remove(&t), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_prune_then_verify),
		cmocka_unit_test(test_prune_keeps_rows_in_use),
		cmocka_unit_test(test_prune_then_tamper_detected),
		cmocka_unit_test(test_prune_stops_at_pending),
		cmocka_unit_test(test_prune_refuses_edited_kept_row),
		cmocka_unit_test(test_prune_checkpoint_at_cutoff),
		cmocka_unit_test(test_batch_visibility),
	};

	return cmocka_run_group_tests_name("audit_prune", tests, NULL, NULL);
}
