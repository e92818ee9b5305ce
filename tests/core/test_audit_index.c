/* The deferred search index (audit_index.c, schema v3): searches are
 * exact whether a row is indexed yet or not, the backlog is indexed in
 * id order, pruning and id reuse keep the index consistent, and the
 * background checkpointer copies the WAL into the database file. */
#include "core/audit.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "core/al.h"
#include "core/xalloc.h"
#include "tests/support/tmpdir.h"

#define T0 1700000000000

static int64_t
sql_i64(const char *path, const char *sql)
{
	sqlite3 *h = NULL;
	sqlite3_stmt *st = NULL;
	int64_t v = -1;

	assert_int_equal(sqlite3_open(path, &h), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(h, sql, -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW) {
		v = sqlite3_column_int64(st, 0);
	}
	sqlite3_finalize(st);
	sqlite3_close(h);
	return v;
}

static void
exec_sql(const char *path, const char *sql)
{
	sqlite3 *h = NULL;

	char *err = NULL;

	assert_int_equal(sqlite3_open(path, &h), SQLITE_OK);
	int rc = sqlite3_exec(h, sql, NULL, NULL, &err);
	if (rc != SQLITE_OK) {
		print_error("%s: %s\n", sql, err ? err : "?");
	}
	sqlite3_free(err);
	sqlite3_close(h);
	assert_int_equal(rc, SQLITE_OK);
}

/* Both FTS tables agree with their content table (FTS5's own check):
 * only true when nothing is waiting to be indexed. */
static void
assert_index_intact(const char *path)
{
	exec_sql(path, "INSERT INTO actions_tri(actions_tri, rank)"
	               " VALUES ('integrity-check', 1);"
	               "INSERT INTO actions_word(actions_word, rank)"
	               " VALUES ('integrity-check', 1);");
}

static int64_t
record(struct audit *db, int n, const char *text)
{
	struct action *a = action_new();

	a->request_id = xasprintf("req-%04d", n);
	a->session_id = xstrdup("s1");
	a->hook_event = xstrdup("PreToolUse");
	a->tool_name = xstrdup("Bash");
	a->tool_input = xasprintf("{\"command\":\"%s\"}", text);
	a->summary = xstrdup(text);
	a->received_ms = T0 + n * 1000;
	a->verdict = xstrdup("allow");
	a->state = ACTION_DECIDED;
	assert_int_equal(audit_record_action(db, a), 0);
	int64_t id = a->id;
	action_free(a);
	return id;
}

struct hits {
	int64_t id[64];
	int n;
};

static int
hit(const struct action *a, void *arg)
{
	struct hits *h = arg;

	assert_true(h->n < 64);
	h->id[h->n++] = a->id;
	return 0;
}

static struct hits
search(struct audit *db, const char *text, enum audit_match m, int limit)
{
	struct audit_query q = { .text = text, .match = m, .limit = limit };
	struct hits h = { .n = 0 };

	assert_int_equal(audit_query(db, &q, hit, &h), 0);
	return h;
}

static int64_t
lag(struct audit *db)
{
	int64_t v = -1;

	assert_int_equal(audit_index_lag(db, &v), 0);
	return v;
}

/* Newest first, each once, whether in the tail or the index. */
static void
test_deferred_search_exact(void **state)
{
	struct test_tmp t;
	struct audit *db = NULL;

	(void)state;
	assert_int_equal(test_tmp_make(&t, "index"), 0);
	assert_int_equal(audit_open(&db, t.path, 0, NULL), 0);
	audit_set_index_deferred(db, true);
	for (int i = 1; i <= 6; i++) {
		record(db, i, i % 2 ? "git push origin main" : "ls -la");
	}
	assert_int_equal(lag(db), 6);
	assert_int_equal(sql_i64(t.path, "SELECT count(*) FROM actions_tri"
	                                 " WHERE actions_tri MATCH 'push'"),
	                 0);
	struct hits h = search(db, "push origin", AUDIT_MATCH_SUBSTRING, 0);
	assert_int_equal(h.n, 3);
	assert_int_equal(h.id[0], 5);
	assert_int_equal(h.id[2], 1);
	h = search(db, "origin main", AUDIT_MATCH_WORDS, 0);
	assert_int_equal(h.n, 3);

	int64_t left = -1;
	assert_int_equal(audit_index_backlog(db, 4, &left), 0);
	assert_int_equal(left, 2);
	assert_int_equal(sql_i64(t.path, "SELECT through FROM fts_state"), 4);
	/* Split across the two parts: 5 from the tail, 3 and 1 indexed. */
	h = search(db, "push origin", AUDIT_MATCH_SUBSTRING, 0);
	assert_int_equal(h.n, 3);
	assert_int_equal(h.id[0], 5);
	assert_int_equal(h.id[1], 3);
	assert_int_equal(h.id[2], 1);
	h = search(db, "push origin", AUDIT_MATCH_SUBSTRING, 2);
	assert_int_equal(h.n, 2);
	assert_int_equal(h.id[1], 3);
	h = search(db, "ORIGIN", AUDIT_MATCH_WORDS, 0);
	assert_int_equal(h.n, 3);

	assert_int_equal(audit_index_backlog(db, 0, &left), 0);
	assert_int_equal(left, 0);
	assert_int_equal(lag(db), 0);
	h = search(db, "push origin", AUDIT_MATCH_SUBSTRING, 0);
	assert_int_equal(h.n, 3);
	assert_int_equal(h.id[0], 5);
	audit_close(db);
	assert_index_intact(t.path);
	assert_int_equal(sql_i64(t.path, "SELECT count(*) FROM actions_tri"
	                                 " WHERE actions_tri MATCH 'push'"),
	                 3);
	assert_int_equal(test_tmp_remove(&t), 0);
}

/* A store that indexes inline leaves its rows to a backlog it finds, and
 * indexes inline again once the backlog is gone. */
static void
test_inline_after_backlog(void **state)
{
	struct test_tmp t;
	struct audit *db = NULL;
	struct audit *inl = NULL;

	(void)state;
	assert_int_equal(test_tmp_make(&t, "index"), 0);
	assert_int_equal(audit_open(&db, t.path, 0, NULL), 0);
	audit_set_index_deferred(db, true);
	record(db, 1, "curl https://example.com");
	record(db, 2, "curl https://example.org");
	audit_close(db);

	assert_int_equal(audit_open(&inl, t.path, 0, NULL), 0);
	record(inl, 3, "curl https://example.net");
	assert_int_equal(lag(inl), 3);
	assert_int_equal(search(inl, "curl", AUDIT_MATCH_WORDS, 0).n, 3);
	assert_int_equal(audit_index_backlog(inl, 0, NULL), 0);
	record(inl, 4, "curl https://example.edu");
	assert_int_equal(lag(inl), 0);
	assert_int_equal(sql_i64(t.path, "SELECT through FROM fts_state"), 4);
	assert_int_equal(search(inl, "curl https", AUDIT_MATCH_SUBSTRING, 0).n,
	                 4);
	audit_close(inl);
	assert_index_intact(t.path);
	assert_int_equal(test_tmp_remove(&t), 0);
}

/* Pruning rows on both sides of the watermark, and an id used again
 * after the newest indexed row was deleted, leave the index intact. */
static void
test_prune_and_id_reuse(void **state)
{
	struct test_tmp t;
	struct audit *db = NULL;
	struct audit_prune_report rep;

	(void)state;
	assert_int_equal(test_tmp_make(&t, "index"), 0);
	assert_int_equal(audit_open(&db, t.path, 0, NULL), 0);
	audit_set_index_deferred(db, true);
	for (int i = 1; i <= 10; i++) {
		record(db, i, "terraform apply -auto-approve");
	}
	assert_int_equal(audit_index_backlog(db, 4, NULL), 0);
	/* Rows 1..6 go: 1..4 indexed, 5 and 6 not. */
	assert_int_equal(
	        audit_prune(db, T0 + 6500, T0 + 20000, "test", 0, &rep), 0);
	assert_true(rep.rows_removed >= 6);
	assert_int_equal(search(db, "terraform", AUDIT_MATCH_WORDS, 0).n, 4);
	assert_int_equal(audit_index_backlog(db, 0, NULL), 0);
	assert_int_equal(search(db, "terraform", AUDIT_MATCH_WORDS, 0).n, 4);
	audit_close(db);
	assert_index_intact(t.path);

	/* The newest row deleted by hand (the trigger removes its index
	 * entries); the next record takes its id again, below the
	 * watermark, and is indexed at once although deferred. */
	exec_sql(t.path, "DELETE FROM chain WHERE tbl = 'actions' AND"
	                 " row_id = 10; DELETE FROM actions WHERE id = 10;");
	assert_int_equal(audit_open(&db, t.path, 0, NULL), 0);
	audit_set_index_deferred(db, true);
	assert_int_equal(record(db, 11, "kubectl delete namespace prod"), 10);
	assert_int_equal(lag(db), 0);
	assert_int_equal(search(db, "kubectl", AUDIT_MATCH_WORDS, 0).n, 1);
	assert_int_equal(search(db, "terraform", AUDIT_MATCH_WORDS, 0).n, 3);
	audit_close(db);
	assert_index_intact(t.path);
	assert_int_equal(test_tmp_remove(&t), 0);
}

static int64_t
file_size(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? (int64_t)st.st_size : -1;
}

/* The writer never checkpoints (its WAL hook only wakes the thread); the
 * thread copies the WAL into the database file. */
/* A file store with background checkpoints and a deferred index, as the
 * daemon opens it, and a page-sized text to record. */
static struct audit *
bg_store(struct test_tmp *t, char *big, size_t n)
{
	struct audit *db = NULL;

	assert_int_equal(test_tmp_make(t, "index"), 0);
	memset(big, 'x', n - 1);
	big[n - 1] = '\0';
	assert_int_equal(audit_open(&db, t->path, AUDIT_BG_CHECKPOINT, NULL),
	                 0);
	audit_set_index_deferred(db, true);
	return db;
}

static void
test_background_checkpoint(void **state)
{
	struct test_tmp t;
	char big[4000];

	(void)state;
	struct audit *db = bg_store(&t, big, sizeof big);
	int64_t before = file_size(t.path);
	/* ~1,500 pages of rows in a few transactions. */
	for (int b = 0; b < 3; b++) {
		assert_int_equal(audit_batch_begin(db), 0);
		for (int i = 0; i < 500; i++) {
			record(db, b * 500 + i + 1, big);
		}
		assert_int_equal(audit_batch_end(db, true), 0);
	}
	/* Within a few seconds the file holds the rows. */
	int64_t after = before;
	for (int i = 0; i < 100 && after < before + 4 * 1024 * 1024; i++) {
		struct timespec ts = { 0, 50 * 1000 * 1000 };
		nanosleep(&ts, NULL);
		after = file_size(t.path);
	}
	assert_true(after >= before + 4 * 1024 * 1024);
	audit_close(db);
	assert_int_equal(sql_i64(t.path, "SELECT count(*) FROM actions"), 1500);
	assert_int_equal(test_tmp_remove(&t), 0);
}

/* Below the threshold nothing is checkpointed, however long the store
 * is idle: a checkpoint that empties the WAL costs the next decision a
 * second fsync (the new WAL header), and at a human pace that would be
 * nearly every decision. */
static void
test_idle_wal_kept(void **state)
{
	struct test_tmp t;
	char big[4000];

	(void)state;
	struct audit *db = bg_store(&t, big, sizeof big);
	int64_t before = file_size(t.path);
	for (int i = 0; i < 8; i++) {
		record(db, i + 1, big);
	}
	char wal[4200];
	snprintf(wal, sizeof wal, "%s-wal", t.path);
	int64_t wal_size = file_size(wal);
	assert_true(wal_size > 8 * 4096);
	struct timespec ts = { 1, 500 * 1000 * 1000 }; /* the old idle: 1 s */
	nanosleep(&ts, NULL);
	assert_int_equal(file_size(t.path), before);
	assert_int_equal(file_size(wal), wal_size);
	audit_close(db);
	assert_int_equal(sql_i64(t.path, "SELECT count(*) FROM actions"), 8);
	assert_int_equal(test_tmp_remove(&t), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_deferred_search_exact),
		cmocka_unit_test(test_inline_after_backlog),
		cmocka_unit_test(test_prune_and_id_reuse),
		cmocka_unit_test(test_background_checkpoint),
		cmocka_unit_test(test_idle_wal_kept),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
