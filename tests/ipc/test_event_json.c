/*
 * ipc/event_json: every real Claude Code payload parses into the right
 * event, and every hostile or broken input is refused with a reason.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "core/al.h"
#include "core/buf.h"
#include "core/event.h"
#include "core/xalloc.h"
#include "ipc/event_json.h"
#include "ipc/jsonutil.h"
#include "ipc/proto.h"
#include "tests/support/corpus.h"

/* A sentinel that must survive every failed parse (*out untouched). */
static struct event sentinel_event;
#define SENTINEL (&sentinel_event)

static char *
read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	struct buf b = { 0 };
	char chunk[4096];
	size_t n;

	assert_non_null(f);
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
		buf_append(&b, chunk, n);
	}
	fclose(f);
	*len = b.len;
	return buf_steal(&b);
}

/* Parses and expects success. */
static struct event *
parse_ok(const char *text, size_t len)
{
	struct event *ev = NULL;
	char *err = NULL;
	int rc = event_json_parse(text, len, &ev, &err);

	if (rc != 0) {
		print_error("unexpected failure %d: %s\n", rc,
		            err ? err : "(null)");
	}
	assert_int_equal(rc, 0);
	assert_null(err);
	assert_non_null(ev);
	return ev;
}

/* Parses and expects failure with code want (0: any of the documented
 * codes), a non-empty reason and *out untouched. */
static void
parse_fails_len(const char *text, size_t len, int want)
{
	struct event *ev = SENTINEL;
	char *err = NULL;
	int rc = event_json_parse(text, len, &ev, &err);

	if (rc == 0) {
		print_error("accepted: %.200s\n", text);
		event_free(ev);
		fail();
	}
	if (want != 0) {
		assert_int_equal(rc, want);
	} else {
		assert_true(rc == AL_EPARSE || rc == AL_EINVAL ||
		            rc == AL_ETOOBIG);
	}
	assert_ptr_equal(ev, SENTINEL);
	assert_non_null(err);
	assert_true(strlen(err) > 0);
	assert_null(strchr(err, '\n'));
	free(err);
}

static void
parse_fails(const char *text, int want)
{
	parse_fails_len(text, strlen(text), want);
}

/* The kind a hook_event_name must map to, spelled out here rather than
 * taken from the code under test. */
struct kind_name {
	const char *name;
	enum event_kind kind;
};

static enum event_kind
expected_kind(const char *name)
{
	static const struct kind_name map[] = {
		{ "PreToolUse", EVENT_PRE_TOOL_USE },
		{ "PermissionRequest", EVENT_PERMISSION_REQUEST },
		{ "PostToolUse", EVENT_POST_TOOL_USE },
		{ "PostToolUseFailure", EVENT_POST_TOOL_USE_FAILURE },
		{ "SessionStart", EVENT_SESSION_START },
		{ "SessionEnd", EVENT_SESSION_END },
		{ "Stop", EVENT_STOP },
		{ "Notification", EVENT_NOTIFICATION },
		{ "UserPromptSubmit", EVENT_USER_PROMPT_SUBMIT },
	};

	for (size_t i = 0; i < sizeof map / sizeof map[0]; i++) {
		if (strcmp(map[i].name, name) == 0) {
			return map[i].kind;
		}
	}
	return EVENT_OTHER;
}

static void
assert_str_or_null(const char *got, const char *want)
{
	if (want == NULL) {
		assert_null(got);
	} else {
		assert_non_null(got);
		assert_string_equal(got, want);
	}
}

/* Every top-level scalar of tool_input is a field with its JSON text. */
static void
check_fields(const struct event *ev, const cJSON *input)
{
	const cJSON *it;
	size_t scalars = 0;

	cJSON_ArrayForEach (it, input) {
		const char *got = event_field(ev, it->string);
		if (cJSON_IsString(it)) {
			assert_str_or_null(got, it->valuestring);
		} else if (cJSON_IsBool(it)) {
			assert_str_or_null(got,
			                   cJSON_IsTrue(it) ? "true" : "false");
		} else if (cJSON_IsNumber(it)) {
			char *want = cJSON_PrintUnformatted(it);
			assert_str_or_null(got, want);
			cJSON_free(want);
		} else {
			continue;
		}
		scalars++;
	}
	assert_int_equal(ev->nfields, scalars);
}

/* Checks one payload against an independent cJSON reading of it. */
static void
check_payload(const char *file, const char *text, size_t len)
{
	cJSON *ref = cJSON_ParseWithLength(text, len);
	const char *name;
	struct event *ev;
	char prefix[64];

	assert_non_null(ref);
	name = cJSON_GetObjectItemCaseSensitive(ref, "hook_event_name")
	               ->valuestring;
	/* The file is named <event>[.<tool or variant>].json. */
	snprintf(prefix, sizeof prefix, "%s.", name);
	assert_true(strcmp(file, name) == 0 ||
	            strncmp(file, prefix, strlen(prefix)) == 0);

	ev = parse_ok(text, len);
	assert_int_equal(ev->kind, expected_kind(name));
	assert_string_equal(ev->hook_event_name, name);
	assert_str_or_null(ev->session_id, jsonutil_str(ref, "session_id"));
	assert_non_null(ev->session_id);
	assert_str_or_null(ev->cwd, jsonutil_str(ref, "cwd"));
	assert_str_or_null(ev->transcript_path,
	                   jsonutil_str(ref, "transcript_path"));
	assert_str_or_null(ev->permission_mode,
	                   jsonutil_str(ref, "permission_mode"));
	assert_str_or_null(ev->tool_name, jsonutil_str(ref, "tool_name"));
	assert_str_or_null(ev->tool_use_id, jsonutil_str(ref, "tool_use_id"));
	assert_str_or_null(ev->agent_id, jsonutil_str(ref, "agent_id"));

	const cJSON *input =
	        cJSON_GetObjectItemCaseSensitive(ref, "tool_input");
	if (input != NULL) {
		cJSON *got;
		assert_non_null(ev->tool_input_json);
		got = cJSON_Parse(ev->tool_input_json);
		assert_non_null(got);
		assert_true(cJSON_Compare(got, input, true));
		cJSON_Delete(got);
		check_fields(ev, input);
	} else {
		assert_null(ev->tool_input_json);
		assert_int_equal(ev->nfields, 0);
	}
	if (ev->kind == EVENT_PRE_TOOL_USE ||
	    ev->kind == EVENT_PERMISSION_REQUEST ||
	    ev->kind == EVENT_POST_TOOL_USE ||
	    ev->kind == EVENT_POST_TOOL_USE_FAILURE) {
		/* The tool name is also in the file name. */
		assert_non_null(ev->tool_name);
		assert_string_equal(file + strlen(prefix), ev->tool_name);
		assert_non_null(ev->tool_input_json);
	}
	if (ev->kind == EVENT_PRE_TOOL_USE || ev->kind == EVENT_POST_TOOL_USE) {
		assert_non_null(ev->tool_use_id);
		assert_int_equal(strncmp(ev->tool_use_id, "toolu_", 6), 0);
	}
	if (ev->kind == EVENT_POST_TOOL_USE ||
	    ev->kind == EVENT_POST_TOOL_USE_FAILURE) {
		assert_non_null(ev->tool_response);
		assert_int_equal(strlen(ev->tool_response),
		                 ev->tool_response_size);
	}
	if (ev->kind == EVENT_POST_TOOL_USE_FAILURE) {
		assert_string_equal(ev->tool_response,
		                    jsonutil_str(ref, "error"));
	}
	event_free(ev);
	cJSON_Delete(ref);
}

static void
test_every_payload_parses(void **state)
{
	char *dir = corpus_path("claude-code/payloads");
	DIR *d = opendir(dir);
	struct dirent *de;
	int count = 0;
	int tool_events = 0;

	(void)state;
	assert_non_null(d);
	while ((de = readdir(d)) != NULL) {
		size_t n = strlen(de->d_name);
		if (n < 6 || strcmp(de->d_name + n - 5, ".json") != 0 ||
		    strcmp(de->d_name, "index.json") == 0) {
			continue;
		}
		char *path = xasprintf("%s/%s", dir, de->d_name);
		char *file = xstrndup(de->d_name, n - 5);
		size_t len;
		char *text = read_file(path, &len);
		print_message("payload %s\n", de->d_name);
		check_payload(file, text, len);
		if (strncmp(file, "PreToolUse.", 11) == 0) {
			tool_events++;
		}
		free(text);
		free(file);
		free(path);
		count++;
	}
	closedir(d);
	free(dir);
	/* The capture holds 44 payloads, ten of them PreToolUse. */
	assert_true(count >= 40);
	assert_true(tool_events >= 10);
}

static struct event *
parse_payload(const char *name)
{
	char *rel = xasprintf("claude-code/payloads/%s", name);
	char *path = corpus_path(rel);
	size_t len;
	char *text = read_file(path, &len);
	struct event *ev = parse_ok(text, len);

	free(text);
	free(path);
	free(rel);
	return ev;
}

static void
test_known_payload_values(void **state)
{
	struct event *ev;

	(void)state;
	ev = parse_payload("PreToolUse.Bash.json");
	assert_int_equal(ev->kind, EVENT_PRE_TOOL_USE);
	assert_true(event_is_decision(ev));
	assert_string_equal(ev->session_id,
	                    "61dda6eb-2e1f-410d-8c60-e25f5f400300");
	assert_string_equal(ev->tool_name, "Bash");
	assert_string_equal(ev->tool_use_id, "toolu_t00_00_8cee36e8d4");
	assert_string_equal(ev->cwd, "/home/dev/project");
	assert_string_equal(ev->permission_mode, "default");
	assert_string_equal(
	        event_field(ev, "command"),
	        "echo 'hello from bash' > created_by_bash.txt && echo created");
	assert_string_equal(event_field(ev, "description"),
	                    "Create created_by_bash.txt");
	event_free(ev);

	/* PermissionRequest carries no tool_use_id, and that is fine. */
	ev = parse_payload("PermissionRequest.Bash.json");
	assert_int_equal(ev->kind, EVENT_PERMISSION_REQUEST);
	assert_true(event_is_decision(ev));
	assert_null(ev->tool_use_id);
	assert_string_equal(ev->tool_name, "Bash");
	event_free(ev);

	ev = parse_payload("PostToolUse.Agent.json");
	assert_int_equal(ev->kind, EVENT_POST_TOOL_USE);
	assert_false(event_is_decision(ev));
	assert_string_equal(event_field(ev, "run_in_background"), "false");
	event_free(ev);

	ev = parse_payload("PostToolBatch.in_subagent.json");
	assert_int_equal(ev->kind, EVENT_OTHER);
	assert_non_null(ev->agent_id);
	event_free(ev);

	ev = parse_payload("Stop.json");
	assert_int_equal(ev->kind, EVENT_STOP);
	assert_null(ev->tool_name);
	assert_null(ev->tool_input_json);
	event_free(ev);
}

#define PRE_HEAD                                                             \
	"{\"session_id\":\"s1\",\"hook_event_name\":\"PreToolUse\","         \
	"\"tool_name\":\"Bash\",\"tool_use_id\":\"toolu_1\",\"cwd\":\"/p\"," \
	"\"permission_mode\":\"default\","

static void
test_minimal_events(void **state)
{
	struct event *ev;
	const char *t;

	(void)state;
	t = PRE_HEAD "\"tool_input\":{\"command\":\"ls\",\"n\":3,\"b\":true,"
	             "\"x\":null,\"o\":{\"k\":1},\"a\":[1]}}";
	ev = parse_ok(t, strlen(t));
	assert_string_equal(event_field(ev, "command"), "ls");
	assert_string_equal(event_field(ev, "n"), "3");
	assert_string_equal(event_field(ev, "b"), "true");
	assert_null(event_field(ev, "x"));
	assert_null(event_field(ev, "o"));
	assert_null(event_field(ev, "a"));
	assert_int_equal(ev->nfields, 3);
	event_free(ev);

	/* Non-tool events need neither tool_name nor tool_input. */
	t = "{\"session_id\":\"s\",\"hook_event_name\":\"SessionStart\"}";
	ev = parse_ok(t, strlen(t));
	assert_int_equal(ev->kind, EVENT_SESSION_START);
	event_free(ev);

	/* An unknown event still parses: the daemon records it. */
	t = "{\"session_id\":\"s\",\"hook_event_name\":\"FutureEvent\"}";
	ev = parse_ok(t, strlen(t));
	assert_int_equal(ev->kind, EVENT_OTHER);
	assert_string_equal(ev->hook_event_name, "FutureEvent");
	event_free(ev);

	/* Leading and trailing whitespace is fine (stdin ends in \n). */
	t = " \r\n\t" PRE_HEAD "\"tool_input\":{}}\n\n";
	ev = parse_ok(t, strlen(t));
	event_free(ev);
}

static void
test_escaped_backslash_before_u0000_is_fine(void **state)
{
	struct event *ev;
	const char *t;

	(void)state;
	/* JSON text \\u0000 is a backslash then "u0000", not a NUL. */
	t = PRE_HEAD "\"tool_input\":{\"command\":\"echo a\\\\u0000b\"}}";
	ev = parse_ok(t, strlen(t));
	assert_string_equal(event_field(ev, "command"), "echo a\\u0000b");
	event_free(ev);

	/* A proper surrogate pair decodes. */
	t = PRE_HEAD "\"tool_input\":{\"command\":\"\\ud83d\\ude00\"}}";
	ev = parse_ok(t, strlen(t));
	assert_string_equal(event_field(ev, "command"), "\xf0\x9f\x98\x80");
	event_free(ev);

	/* \u0001 is not \u0000. */
	t = PRE_HEAD "\"tool_input\":{\"command\":\"a\\u0001\"}}";
	ev = parse_ok(t, strlen(t));
	assert_string_equal(event_field(ev, "command"), "a\x01");
	event_free(ev);
}

static void
test_malformed_syntax(void **state)
{
	(void)state;
	parse_fails_len("", 0, AL_EPARSE);
	parse_fails("   \n", AL_EPARSE);
	parse_fails("garbage", AL_EPARSE);
	parse_fails("\x01\x02\x03", AL_EPARSE);
	parse_fails("null", 0);
	parse_fails("42", 0);
	parse_fails("\"PreToolUse\"", 0);
	parse_fails("[" PRE_HEAD "\"tool_input\":{}}]", 0);
	parse_fails("[]", 0);
	parse_fails("{", AL_EPARSE);
	parse_fails("{\"session_id\":", AL_EPARSE);
	parse_fails("{'session_id':'s'}", AL_EPARSE);
	parse_fails(PRE_HEAD "\"tool_input\":{},}", AL_EPARSE);
	parse_fails(PRE_HEAD "\"tool_input\":{\"command\":\"a\nb\"}}",
	            AL_EPARSE);
}

static void
test_trailing_garbage(void **state)
{
	(void)state;
	parse_fails(PRE_HEAD "\"tool_input\":{}} x", AL_EPARSE);
	parse_fails(PRE_HEAD "\"tool_input\":{}}}", AL_EPARSE);
	parse_fails(PRE_HEAD "\"tool_input\":{}}" PRE_HEAD "\"tool_input\":{}}",
	            AL_EPARSE);
	parse_fails(PRE_HEAD "\"tool_input\":{}}\n{}", AL_EPARSE);
	/* A NUL byte after the object is data too. */
	const char t[] = PRE_HEAD "\"tool_input\":{}}\0";
	parse_fails_len(t, sizeof t, AL_EPARSE);
	/* ... and so is one inside the text. */
	const char u[] = PRE_HEAD "\"tool_input\":{\"command\":\"ls\0rm\"}}";
	parse_fails_len(u, sizeof u - 1, 0);
}

/* Every strict prefix of a real payload is refused, never a crash. */
static void
test_every_truncation_fails(void **state)
{
	char *path = corpus_path("claude-code/payloads/PreToolUse.Bash.json");
	size_t len;
	char *text = read_file(path, &len);
	size_t last = len;

	(void)state;
	while (last > 0 && text[last - 1] != '}') {
		last--;
	}
	assert_true(last > 100);
	for (size_t n = 0; n < last; n++) {
		char *copy = xmemdup(text, n); /* exact length for ASan */
		parse_fails_len(copy, n, 0);
		free(copy);
	}
	free(text);
	free(path);
}

static void
test_missing_required_fields(void **state)
{
	(void)state;
	/* No hook_event_name. */
	parse_fails("{\"session_id\":\"s\",\"tool_name\":\"Bash\","
	            "\"tool_input\":{}}",
	            0);
	parse_fails("{}", 0);
	/* No session_id, for tool and other events. */
	parse_fails("{\"hook_event_name\":\"PreToolUse\",\"tool_name\":\"B\","
	            "\"tool_input\":{}}",
	            0);
	parse_fails("{\"hook_event_name\":\"Stop\"}", 0);
	parse_fails("{\"hook_event_name\":\"Stop\",\"session_id\":null}", 0);

	static const char *const tool_events[] = { "PreToolUse",
		                                   "PermissionRequest",
		                                   "PostToolUse",
		                                   "PostToolUseFailure" };
	for (size_t i = 0; i < 4; i++) {
		char *t;
		/* No tool_name. */
		t = xasprintf(
		        "{\"session_id\":\"s\",\"hook_event_name\":\"%s\","
		        "\"tool_input\":{\"command\":\"ls\"}}",
		        tool_events[i]);
		parse_fails(t, 0);
		free(t);
		/* tool_name null is missing too. */
		t = xasprintf(
		        "{\"session_id\":\"s\",\"hook_event_name\":\"%s\","
		        "\"tool_name\":null,\"tool_input\":{}}",
		        tool_events[i]);
		parse_fails(t, 0);
		free(t);
		/* No tool_input. */
		t = xasprintf(
		        "{\"session_id\":\"s\",\"hook_event_name\":\"%s\","
		        "\"tool_name\":\"Bash\"}",
		        tool_events[i]);
		parse_fails(t, 0);
		free(t);
	}
}

static void
test_wrong_types(void **state)
{
	(void)state;
	parse_fails("{\"session_id\":\"s\",\"hook_event_name\":1}", 0);
	parse_fails("{\"session_id\":\"s\",\"hook_event_name\":null}", 0);
	parse_fails("{\"session_id\":\"s\",\"hook_event_name\":[\"Stop\"]}", 0);
	parse_fails("{\"session_id\":7,\"hook_event_name\":\"Stop\"}", 0);
	parse_fails("{\"session_id\":{},\"hook_event_name\":\"Stop\"}", 0);
	parse_fails("{\"session_id\":\"s\",\"hook_event_name\":\"PreToolUse\","
	            "\"tool_name\":[\"Bash\"],\"tool_input\":{}}",
	            0);
	parse_fails("{\"session_id\":\"s\",\"hook_event_name\":\"PreToolUse\","
	            "\"tool_name\":\"Bash\",\"tool_input\":\"ls\"}",
	            0);
	parse_fails("{\"session_id\":\"s\",\"hook_event_name\":\"PreToolUse\","
	            "\"tool_name\":\"Bash\",\"tool_input\":[\"ls\"]}",
	            0);
	parse_fails("{\"session_id\":\"s\",\"hook_event_name\":\"PreToolUse\","
	            "\"tool_name\":\"Bash\",\"tool_input\":null}",
	            0);
	parse_fails(PRE_HEAD "\"tool_input\":{}, \"cwd\":5}", 0);
	parse_fails("{\"session_id\":\"s\",\"hook_event_name\":\"PreToolUse\","
	            "\"tool_name\":\"Bash\",\"tool_use_id\":5,"
	            "\"tool_input\":{}}",
	            0);
	parse_fails("{\"session_id\":\"s\",\"hook_event_name\":\"PreToolUse\","
	            "\"tool_name\":\"Bash\",\"permission_mode\":true,"
	            "\"tool_input\":{}}",
	            0);
}

static void
test_duplicate_keys(void **state)
{
	(void)state;
	/* Top level: cJSON would keep the first, JavaScript the last. */
	parse_fails("{\"session_id\":\"s\",\"hook_event_name\":\"PreToolUse\","
	            "\"tool_name\":\"Read\",\"tool_name\":\"Bash\","
	            "\"tool_input\":{}}",
	            AL_EPARSE);
	parse_fails("{\"hook_event_name\":\"Stop\",\"session_id\":\"s\","
	            "\"hook_event_name\":\"PreToolUse\"}",
	            AL_EPARSE);
	/* In tool_input: shows one command, runs another. */
	parse_fails(PRE_HEAD "\"tool_input\":{\"command\":\"ls\","
	                     "\"command\":\"rm -rf ~\"}}",
	            AL_EPARSE);
	/* Deeper, inside an array inside an object. */
	parse_fails(PRE_HEAD "\"tool_input\":{\"edits\":[{\"a\":1},"
	                     "{\"old\":\"x\",\"new\":\"y\",\"old\":\"z\"}]}}",
	            AL_EPARSE);
	/* Also in a member nobody reads. */
	parse_fails(PRE_HEAD "\"tool_input\":{},\"effort\":{\"level\":\"a\","
	                     "\"level\":\"b\"}}",
	            AL_EPARSE);
	/* The same key in sibling objects is not a duplicate. */
	const char *t = PRE_HEAD "\"tool_input\":{\"a\":{\"k\":1},"
	                         "\"b\":{\"k\":2}}}";
	event_free(parse_ok(t, strlen(t)));
}

static void
test_nul_escape_refused(void **state)
{
	(void)state;
	parse_fails(PRE_HEAD "\"tool_input\":{\"command\":\"ls\\u0000; rm\"}}",
	            AL_EPARSE);
	/* An escaped backslash, then a real \u0000. */
	parse_fails(PRE_HEAD "\"tool_input\":{\"command\":\"a\\\\\\u0000b\"}}",
	            AL_EPARSE);
	/* In a key, and in a top-level field. */
	parse_fails(PRE_HEAD "\"tool_input\":{\"comm\\u0000and\":\"ls\"}}",
	            AL_EPARSE);
	parse_fails("{\"session_id\":\"s\\u0000\",\"hook_event_name\":"
	            "\"Stop\"}",
	            AL_EPARSE);
	/* Lone surrogates. */
	parse_fails(PRE_HEAD "\"tool_input\":{\"command\":\"\\ud800\"}}", 0);
	parse_fails(PRE_HEAD "\"tool_input\":{\"command\":\"\\udc00x\"}}", 0);
}

static void
test_invalid_utf8(void **state)
{
	static const char *const bad[] = {
		"\xc0\xaf",         /* overlong '/' */
		"\xc1\xbf",         /* overlong */
		"\xe0\x80\xaf",     /* overlong, 3 bytes */
		"\xf0\x80\x80\xaf", /* overlong, 4 bytes */
		"\xed\xa0\x80",     /* surrogate U+D800 */
		"\xed\xbf\xbf",     /* surrogate U+DFFF */
		"\xf4\x90\x80\x80", /* beyond U+10FFFF */
		"\xf5\x80\x80\x80", /* invalid lead */
		"\xff",             /* invalid byte */
		"\x80",             /* lone continuation */
		"\xe2\x82",         /* truncated sequence */
		"\xf0\x9f\x98",     /* truncated 4-byte */
		"\xc3",             /* truncated 2-byte */
	};

	(void)state;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char *t = xasprintf(PRE_HEAD "\"tool_input\":{\"command\":"
		                             "\"ls %s\"}}",
		                    bad[i]);
		parse_fails(t, AL_EPARSE);
		free(t);
	}
	/* Truncated at the very end of the input. */
	const char *head = PRE_HEAD "\"tool_input\":{}}\xe2\x82";
	parse_fails(head, AL_EPARSE);
	/* Valid multi-byte text is fine. */
	const char *ok = PRE_HEAD "\"tool_input\":{\"command\":"
	                          "\"echo \xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80"
	                          "\"}}";
	struct event *ev = parse_ok(ok, strlen(ok));
	assert_string_equal(event_field(ev, "command"),
	                    "echo \xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80");
	event_free(ev);
}

/* An event of exactly len bytes: a Bash call padded by its command. */
static char *
event_of_size(size_t len)
{
	const char *head = PRE_HEAD "\"tool_input\":{\"command\":\"";
	const char *tail = "\"}}";
	size_t fixed = strlen(head) + strlen(tail);
	char *t = xmalloc(len + 1);

	assert_true(len > fixed);
	memcpy(t, head, strlen(head));
	memset(t + strlen(head), 'a', len - fixed);
	memcpy(t + len - strlen(tail), tail, strlen(tail));
	t[len] = '\0';
	return t;
}

static void
test_size_limit(void **state)
{
	char *t;
	struct event *ev;

	(void)state;
	t = event_of_size(PROTO_MAX_EVENT);
	ev = parse_ok(t, PROTO_MAX_EVENT);
	assert_int_equal(
	        strlen(event_field(ev, "command")),
	        PROTO_MAX_EVENT -
	                strlen(PRE_HEAD "\"tool_input\":{\"command\":\"\"}}"));
	event_free(ev);
	free(t);

	t = event_of_size(PROTO_MAX_EVENT + 1);
	parse_fails_len(t, PROTO_MAX_EVENT + 1, AL_ETOOBIG);
	free(t);

	/* Over the limit in trailing whitespace alone is still too big. */
	t = xmalloc(PROTO_MAX_EVENT + 2);
	memset(t, ' ', PROTO_MAX_EVENT + 1);
	memcpy(t, "{}", 2);
	t[PROTO_MAX_EVENT + 1] = '\0';
	parse_fails_len(t, PROTO_MAX_EVENT + 1, AL_ETOOBIG);
	free(t);
}

static char *
nested(const char *open, const char *close, int depth)
{
	struct buf b = { 0 };

	buf_puts(&b, PRE_HEAD "\"tool_input\":{\"x\":");
	for (int i = 0; i < depth; i++) {
		buf_puts(&b, open);
	}
	buf_puts(&b, "1");
	for (int i = 0; i < depth; i++) {
		buf_puts(&b, close);
	}
	buf_puts(&b, "}}");
	return buf_steal(&b);
}

static void
test_deep_nesting(void **state)
{
	char *t;

	(void)state;
	/* Within cJSON's limit (1000): accepted, nested values not fields. */
	t = nested("[", "]", 900);
	struct event *ev = parse_ok(t, strlen(t));
	assert_null(event_field(ev, "x"));
	event_free(ev);
	free(t);

	t = nested("[", "]", 5000);
	parse_fails(t, 0);
	free(t);
	t = nested("{\"a\":", "}", 5000);
	parse_fails(t, 0);
	free(t);
	/* Unclosed nesting, far past the limit. */
	struct buf b = { 0 };
	buf_puts(&b, "{\"session_id\":");
	for (int i = 0; i < 100000; i++) {
		buf_putc(&b, '[');
	}
	parse_fails_len(b.data, b.len, 0);
	buf_free(&b);
}

/* A PostToolUse whose result is cut at EVENT_JSON_MAX_RESPONSE keeps the
 * full size, and the kept prefix is still valid UTF-8 (it goes into JSON
 * messages that are parsed strictly). */
static void
test_tool_response_bounded(void **state)
{
	struct buf b = { 0 };
	struct event *ev;
	size_t n = EVENT_JSON_MAX_RESPONSE + 4096;

	(void)state;
	buf_puts(&b,
	         "{\"session_id\":\"s\",\"hook_event_name\":\"PostToolUse\","
	         "\"tool_name\":\"Read\",\"tool_input\":{},"
	         "\"tool_response\":\"x");
	for (size_t i = 1; i < n; i += 2) {
		buf_puts(&b, "\xc3\xa9"); /* é: the cut lands inside one */
	}
	buf_puts(&b, "\"}");
	ev = parse_ok(b.data, b.len);
	assert_true(ev->tool_response_size >= n);
	assert_true(strlen(ev->tool_response) <= EVENT_JSON_MAX_RESPONSE);
	assert_true(strlen(ev->tool_response) >= EVENT_JSON_MAX_RESPONSE - 4);
	assert_true(jsonutil_utf8_valid(ev->tool_response,
	                                strlen(ev->tool_response), NULL));
	event_free(ev);
	buf_free(&b);

	/* An object result is kept as compact JSON. */
	const char *t = "{\"session_id\":\"s\",\"hook_event_name\":"
	                "\"PostToolUse\",\"tool_name\":\"Bash\","
	                "\"tool_input\":{},\"tool_response\":"
	                "{ \"stdout\" : \"hi\" }}";
	ev = parse_ok(t, strlen(t));
	assert_string_equal(ev->tool_response, "{\"stdout\":\"hi\"}");
	assert_int_equal(ev->tool_response_size, strlen(ev->tool_response));
	event_free(ev);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_payload_parses),
		cmocka_unit_test(test_known_payload_values),
		cmocka_unit_test(test_minimal_events),
		cmocka_unit_test(test_escaped_backslash_before_u0000_is_fine),
		cmocka_unit_test(test_malformed_syntax),
		cmocka_unit_test(test_trailing_garbage),
		cmocka_unit_test(test_every_truncation_fails),
		cmocka_unit_test(test_missing_required_fields),
		cmocka_unit_test(test_wrong_types),
		cmocka_unit_test(test_duplicate_keys),
		cmocka_unit_test(test_nul_escape_refused),
		cmocka_unit_test(test_invalid_utf8),
		cmocka_unit_test(test_size_limit),
		cmocka_unit_test(test_deep_nesting),
		cmocka_unit_test(test_tool_response_bounded),
	};

	setenv("AIRLOCK_SHARED_DIR", AIRLOCK_SHARED_DIR, 0);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
