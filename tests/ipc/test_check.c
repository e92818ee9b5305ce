#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <cmocka.h>

#include "core/al.h"
#include "core/xalloc.h"
#include "ipc/check.h"

static const struct policy_ctx test_ctx = {
	.project_dir = "/home/dev/proj",
	.home = "/home/dev",
};

static struct policy *
test_policy(void)
{
	struct policy *p = NULL;

	assert_int_equal(policy_new(&p), 0);
	assert_int_equal(policy_add_rule(p, POLICY_DENY, "Read(./.env)",
	                                 "pol.json", 3, NULL),
	                 0);
	assert_int_equal(policy_add_rule(p, POLICY_ALLOW, "mcp__gh", "pol.json",
	                                 4, NULL),
	                 0);
	assert_int_equal(policy_add_egress_host(p, "*.github.com"), 0);
	return p;
}

/* Runs check_stream over input; returns the output (caller frees). */
static char *
run(const char *input, struct check_stats *st)
{
	struct policy *p = test_policy();
	FILE *in = fmemopen((void *)input, strlen(input), "r");
	char *out = NULL;
	size_t outlen = 0;
	FILE *o = open_memstream(&out, &outlen);

	assert_non_null(in);
	assert_non_null(o);
	assert_int_equal(check_stream(in, o, p, &test_ctx, st), 0);
	fclose(in);
	fclose(o);
	policy_free(p);
	return out;
}

#define EV(tool, input)                                             \
	"{\"session_id\":\"s\",\"hook_event_name\":\"PreToolUse\"," \
	"\"cwd\":\"/home/dev/proj\",\"tool_name\":\"" tool "\","    \
	"\"tool_input\":" input "}\n"

static cJSON *
nth_line(const char *out, int n)
{
	const char *p = out;
	cJSON *j;
	char *line;

	for (int i = 0; i < n; i++) {
		p = strchr(p, '\n');
		assert_non_null(p);
		p++;
	}
	line = xstrndup(p, strcspn(p, "\n"));
	j = cJSON_Parse(line);
	if (j == NULL) {
		fail_msg("line %d is not JSON: %s", n, line);
	}
	free(line);
	return j;
}

static const char *
str(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static void
test_stream_decisions(void **state)
{
	struct check_stats st;
	char *out = run(EV("Read", "{\"file_path\":\".env\"}") "\n" EV(
	                        "Read", "{\"file_path\":\"src/a.c\"}")
	                        EV("mcp__gh__list", "{}")
	                                EV("WebFetch",
	                                   "{\"url\":\"https://evil.org/"
	                                   "x\"}") "{\"session_id\":\"s\","
	                                           "\"hook_event_name\":"
	                                           "\"Stop\"}\n",
	                &st);
	cJSON *j;

	(void)state;
	assert_int_equal(st.events, 5);
	assert_int_equal(st.deny, 1);
	assert_int_equal(st.allow, 2);
	assert_int_equal(st.ask, 1);
	assert_int_equal(st.invalid, 0);

	j = nth_line(out, 0);
	assert_string_equal(str(j, "decision"), "deny");
	assert_string_equal(str(j, "rule"), "Read(./.env)");
	assert_string_equal(str(j, "rule_file"), "pol.json");
	assert_string_equal(str(j, "source"), "rule");
	assert_non_null(strstr(str(j, "reason"), "pol.json:3"));
	assert_true(cJSON_IsArray(cJSON_GetObjectItem(j, "findings")));
	assert_true(cJSON_IsArray(cJSON_GetObjectItem(j, "hosts")));
	cJSON_Delete(j);

	j = nth_line(out, 1);
	assert_string_equal(str(j, "decision"), "allow");
	assert_string_equal(str(j, "source"), "default");
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(j, "rule")));
	cJSON_Delete(j);

	j = nth_line(out, 2);
	assert_string_equal(str(j, "decision"), "allow");
	assert_string_equal(str(j, "rule"), "mcp__gh");
	cJSON_Delete(j);

	j = nth_line(out, 3);
	assert_string_equal(str(j, "decision"), "ask");
	assert_string_equal(str(j, "source"), "classifier");
	{
		const cJSON *f = cJSON_GetArrayItem(
		        cJSON_GetObjectItem(j, "findings"), 0);
		const cJSON *span = cJSON_GetObjectItem(f, "span");
		const cJSON *h =
		        cJSON_GetArrayItem(cJSON_GetObjectItem(j, "hosts"), 0);
		assert_string_equal(str(f, "category"), "egress");
		assert_int_equal(cJSON_GetArraySize(span), 2);
		assert_non_null(str(f, "why"));
		assert_string_equal(h->valuestring, "evil.org");
	}
	cJSON_Delete(j);

	j = nth_line(out, 4);
	assert_string_equal(str(j, "decision"), "none");
	cJSON_Delete(j);
	free(out);
}

static void
test_stream_invalid_lines(void **state)
{
	struct check_stats st;
	char *out =
	        run("not json\n"
	            "{\"session_id\":\"s\",\"hook_event_name\":\"PreToolUse\","
	            "\"tool_name\":\"Bash\",\"tool_input\":{},"
	            "\"tool_name\":\"Read\"}\n" EV(
	                    "Read", "{\"file_path\":\"src/a.c\"}"),
	            &st);
	cJSON *j;
	const cJSON *line;

	(void)state;
	assert_int_equal(st.invalid, 2);
	assert_int_equal(st.deny, 2);
	assert_int_equal(st.events, 1);
	j = nth_line(out, 0);
	assert_string_equal(str(j, "decision"), "deny");
	assert_string_equal(str(j, "source"), "invalid");
	line = cJSON_GetObjectItem(j, "line");
	assert_int_equal(line->valueint, 1);
	cJSON_Delete(j);
	/* a duplicate key is refused, never resolved either way */
	j = nth_line(out, 1);
	assert_string_equal(str(j, "decision"), "deny");
	cJSON_Delete(j);
	j = nth_line(out, 2);
	assert_string_equal(str(j, "decision"), "allow");
	cJSON_Delete(j);
	free(out);
}

static void
test_stream_null_stats(void **state)
{
	char *out = run(EV("Edit", "{\"file_path\":\"a.c\"}"), NULL);
	cJSON *j = nth_line(out, 0);

	(void)state;
	assert_string_equal(str(j, "decision"), "ask");
	cJSON_Delete(j);
	free(out);
}

static char *
explain(const char *call, bool json, int want_rc)
{
	struct policy *p = test_policy();
	char *out = NULL;
	size_t len = 0;
	FILE *o = open_memstream(&out, &len);

	assert_int_equal(check_explain(call, o, p, &test_ctx, json), want_rc);
	fclose(o);
	policy_free(p);
	return out;
}

static void
test_explain_words(void **state)
{
	char *out;

	(void)state;
	out = explain("Read(.env)", false, 0);
	assert_non_null(strstr(out, "decision: deny"));
	assert_non_null(strstr(out, "rule:     Read(./.env) from pol.json"));
	free(out);
	out = explain("WebFetch(https://api.github.com/repos)", false, 0);
	assert_non_null(strstr(out, "decision: allow"));
	free(out);
	/* CLASSIFIER: any classifier asks about a forced push */
	out = explain("Bash(git push -f origin main)", false, 0);
	assert_non_null(strstr(out, "decision: ask"));
	assert_non_null(strstr(out, "finding:"));
	free(out);
	out = explain("mcp__other__x", false, 0);
	assert_non_null(strstr(out, "decision: ask"));
	free(out);
}

static void
test_explain_json_and_escapes(void **state)
{
	char *out;
	cJSON *j;

	(void)state;
	out = explain("Read(./.env)", true, 0);
	j = nth_line(out, 0);
	assert_string_equal(str(j, "decision"), "deny");
	cJSON_Delete(j);
	free(out);
	/* terminal escapes in the call are shown, never sent raw */
	out = explain("Read(a\x1b[2Jb)", false, 0);
	assert_null(strchr(out, '\x1b'));
	assert_non_null(strstr(out, "\\x1b"));
	free(out);
	out = explain(
	        "{\"session_id\":\"s\",\"hook_event_name\":\"PreToolUse\","
	        "\"tool_name\":\"Read\",\"tool_input\":"
	        "{\"file_path\":\"/home/dev/proj/.env\"}}",
	        false, 0);
	assert_non_null(strstr(out, "decision: deny"));
	free(out);
}

static void
test_explain_bad_calls(void **state)
{
	char *out;

	(void)state;
	out = explain("Bash(ls", false, AL_EPARSE);
	assert_non_null(strstr(out, "Tool(argument)"));
	free(out);
	out = explain("(ls)", false, AL_EPARSE);
	free(out);
	out = explain("TodoWrite(x)", false, AL_EPARSE);
	assert_non_null(strstr(out, "takes no argument"));
	free(out);
	out = explain("{broken", false, AL_EPARSE);
	assert_non_null(strstr(out, "invalid event"));
	free(out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stream_decisions),
		cmocka_unit_test(test_stream_invalid_lines),
		cmocka_unit_test(test_stream_null_stats),
		cmocka_unit_test(test_explain_words),
		cmocka_unit_test(test_explain_json_and_escapes),
		cmocka_unit_test(test_explain_bad_calls),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
