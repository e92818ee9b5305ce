/* Claude Code transcript parsing (ipc/transcript.c), on a transcript the
 * harness produced (tests/fixtures/transcript_multi_tool.jsonl, from
 * ../shared/claude-code/scenarios/multi_tool_session.json, cut down to
 * its conversation lines) and on hand-made hostile lines. */
#include "ipc/transcript.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/al.h"
#include "core/audit.h"

#define FIXTURE AIRLOCK_SOURCE_DIR "/tests/fixtures/transcript_multi_tool.jsonl"
#define SESSION "6a320563-87f0-4aab-92ee-f07ac2b1b855"

static struct transcript *
parse(const char *text)
{
	struct transcript *t = NULL;

	transcript_parse(text, strlen(text), &t);
	assert_non_null(t);
	return t;
}

static void
test_fixture_calls(void **state)
{
	(void)state;
	static const char *const tools[] = { "Glob", "Grep",  "Read", "Edit",
		                             "Bash", "Write", "Read", "Bash" };
	struct transcript *t = NULL;
	char *err = NULL;

	assert_int_equal(transcript_load(FIXTURE, &t, &err), 0);
	assert_int_equal(t->ncalls, 8);
	assert_int_equal(t->bad_lines, 0);
	assert_int_equal(t->bad_calls, 0);
	assert_int_equal(t->orphan_results, 0);
	for (size_t i = 0; i < t->ncalls; i++) {
		const struct transcript_call *c = &t->calls[i];
		assert_string_equal(c->tool_name, tools[i]);
		assert_string_equal(c->session_id, SESSION);
		assert_string_equal(c->cwd, "/tmp/tmp.7xaaIOTDK9");
		assert_string_equal(c->permission_mode, "default");
		assert_true(c->has_result);
		assert_false(c->is_error);
		assert_true(c->ms > 0);
		assert_true(c->result_ms >= c->ms);
		assert_false(c->sidechain);
	}
	assert_string_equal(t->calls[0].tool_use_id, "toolu_t00_00_b00d65bd59");
	assert_string_equal(t->calls[0].tool_input, "{\"pattern\":\"**/*.c\"}");
	assert_int_equal(t->calls[0].ms, 1795763109561LL); /* 07:05:09.561Z */
	/* Summaries are the hook path's. */
	assert_string_equal(t->calls[3].summary, "Edit src/app.c");
	assert_string_equal(t->calls[4].summary,
	                    "cat src/app.c | wc -l && echo built > build.log");
	assert_string_equal(t->calls[7].summary, "ls");
	/* The two parallel calls at the end: both results matched. */
	assert_string_equal(t->calls[6].tool_use_id, "toolu_t06_00_4829c4243f");
	assert_string_equal(t->calls[7].tool_use_id, "toolu_t06_01_ae32f9fcad");
	transcript_free(t);
}

static void
test_hostile_lines(void **state)
{
	(void)state;
	struct transcript *t = parse(
	        /* not JSON, truncated, a duplicate key, not an object */
	        "garbage\n"
	        "{\"type\":\"assistant\",\"message\":{\"content\":[\n"
	        "{\"type\":\"user\",\"type\":\"assistant\"}\n"
	        "[1,2]\n"
	        "\n"
	        /* a call with no input, and one good call (CRLF) */
	        "{\"type\":\"assistant\",\"sessionId\":\"s\",\"message\":{"
	        "\"content\":[{\"type\":\"tool_use\",\"id\":\"t1\","
	        "\"name\":\"Bash\"},{\"type\":\"tool_use\",\"id\":\"t2\","
	        "\"name\":\"Bash\",\"input\":{\"command\":\"rm -rf x\"}}]},"
	        "\"isSidechain\":true,\"timestamp\":\"bad\"}\r\n"
	        /* the same message again (resume): no duplicate */
	        "{\"type\":\"assistant\",\"sessionId\":\"s\",\"message\":{"
	        "\"content\":[{\"type\":\"tool_use\",\"id\":\"t2\","
	        "\"name\":\"Bash\",\"input\":{\"command\":\"other\"}}]}}\n"
	        /* an error result, and a result for no call */
	        "{\"type\":\"user\",\"message\":{\"content\":[{\"type\":"
	        "\"tool_result\",\"tool_use_id\":\"t2\",\"is_error\":true},"
	        "{\"type\":\"tool_result\",\"tool_use_id\":\"t9\"}]}}\n"
	        /* tool_use in a user message is not a call */
	        "{\"type\":\"user\",\"message\":{\"content\":[{\"type\":"
	        "\"tool_use\",\"id\":\"t3\",\"name\":\"Bash\",\"input\":{}}]}"
	        "}");

	assert_int_equal(t->lines, 8);
	assert_int_equal(t->bad_lines, 4);
	assert_int_equal(t->bad_calls, 1);
	assert_int_equal(t->orphan_results, 1);
	assert_int_equal(t->ncalls, 1);
	assert_string_equal(t->calls[0].tool_use_id, "t2");
	assert_string_equal(t->calls[0].summary, "rm -rf x");
	assert_true(t->calls[0].sidechain);
	assert_true(t->calls[0].is_error);
	assert_int_equal(t->calls[0].ms, 0);
	assert_null(t->calls[0].cwd);
	transcript_free(t);

	t = parse("");
	assert_int_equal(t->ncalls, 0);
	assert_int_equal(t->lines, 0);
	transcript_free(t);
}

static void
test_time(void **state)
{
	(void)state;
	int64_t ms = -1;

	assert_int_equal(transcript_time("1970-01-01T00:00:01.5Z", &ms), 0);
	assert_int_equal(ms, 1500);
	assert_int_equal(transcript_time("2026-11-27T07:05:09Z", &ms), 0);
	assert_int_equal(ms, 1795763109000LL);
	assert_int_equal(transcript_time("2026-11-27T07:05:09.123456Z", &ms),
	                 0);
	assert_int_equal(ms, 1795763109123LL);
	ms = 7;
	assert_int_equal(transcript_time("2026-11-27T07:05:09+02:00", &ms),
	                 AL_EPARSE);
	assert_int_equal(transcript_time("yesterday", &ms), AL_EPARSE);
	assert_int_equal(transcript_time(NULL, &ms), AL_EPARSE);
	assert_int_equal(ms, 7);
}

static void
test_action_is_marked_imported(void **state)
{
	(void)state;
	struct transcript *t = NULL;
	char *err = NULL;

	assert_int_equal(transcript_load(FIXTURE, &t, &err), 0);
	struct action *a = transcript_action(&t->calls[4], "x.jsonl");
	assert_string_equal(a->request_id, "import:toolu_t04_00_5b5a5cbfd3");
	assert_string_equal(a->source, AUDIT_SOURCE_IMPORT);
	assert_string_equal(a->hook_event, "PreToolUse");
	assert_string_equal(a->tool_name, "Bash");
	assert_string_equal(a->session_id, SESSION);
	assert_null(a->verdict);
	assert_null(a->rule);
	assert_int_equal(a->state, ACTION_DECIDED);
	assert_int_equal(a->received_ms, t->calls[4].ms);
	assert_string_equal(a->reason, "imported from transcript x.jsonl");
	action_free(a);

	t->calls[4].has_result = false;
	a = transcript_action(&t->calls[4], "x.jsonl");
	assert_non_null(strstr(a->reason, "no result"));
	action_free(a);
	transcript_free(t);
}

/* Imported through the store: found again by tool_use_id, and a second
 * import of the same call is refused. */
static void
test_import_into_store(void **state)
{
	(void)state;
	struct transcript *t = NULL;
	struct audit *db = NULL;
	char *err = NULL;
	struct audit_tool_use tu;

	assert_int_equal(transcript_load(FIXTURE, &t, &err), 0);
	assert_int_equal(audit_open(&db, ":memory:", 0, &err), 0);
	assert_int_equal(audit_batch_begin(db), 0);
	for (size_t i = 0; i < t->ncalls; i++) {
		struct action *a = transcript_action(&t->calls[i], "f");
		assert_int_equal(audit_record_event(db, a), 0);
		action_free(a);
	}
	assert_int_equal(audit_batch_end(db, true), 0);
	struct action *again = transcript_action(&t->calls[0], "f");
	assert_int_equal(audit_record_event(db, again), AL_EEXIST);
	action_free(again);
	assert_int_equal(audit_find_tool_use(db, t->calls[3].tool_use_id, &tu),
	                 0);
	assert_true(tu.imported_id > 0);
	assert_int_equal(tu.decided_id, 0);
	bool sup = true;
	assert_int_equal(audit_session_supervised(db, SESSION, &sup), 0);
	assert_false(sup);
	audit_close(db);
	transcript_free(t);
}

static void
test_load_missing_file(void **state)
{
	(void)state;
	struct transcript *t = NULL;
	char *err = NULL;

	assert_int_equal(transcript_load("/nonexistent/x.jsonl", &t, &err),
	                 AL_EIO);
	assert_null(t);
	assert_non_null(strstr(err, "/nonexistent/x.jsonl"));
	free(err);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fixture_calls),
		cmocka_unit_test(test_hostile_lines),
		cmocka_unit_test(test_time),
		cmocka_unit_test(test_action_is_marked_imported),
		cmocka_unit_test(test_import_into_store),
		cmocka_unit_test(test_load_missing_file),
	};
	return cmocka_run_group_tests_name("transcript", tests, NULL, NULL);
}
