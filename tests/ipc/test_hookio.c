/*
 * ipc/hookio: what the hook prints for Claude Code 2.1.332 (the forms in
 * ../shared/claude-code/README.md), the daemon reply wire form, and the
 * decision when no daemon answers, which must never be allow.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "core/al.h"
#include "core/buf.h"
#include "core/xalloc.h"
#include "ipc/hookio.h"
#include "ipc/jsonutil.h"

static struct hookio_reply
reply(const char *event, enum hookio_decision d, const char *reason,
      const char *updated_input, const char *context)
{
	struct hookio_reply r = { 0 };

	r.hook_event_name = (char *)event;
	r.decision = d;
	r.reason = (char *)reason;
	r.updated_input = (char *)updated_input;
	r.additional_context = (char *)context;
	return r;
}

/*
 * Renders r and checks the framing Claude Code requires: exit 0, exactly
 * one JSON object followed by one newline, strictly valid, with
 * hookSpecificOutput.hookEventName equal to the event. Returns the
 * parsed output (caller deletes) and sets *hso.
 */
static cJSON *
render_json(const struct hookio_reply *r, const cJSON **hso)
{
	struct buf out = { 0 };
	cJSON *root = NULL;
	char *err = NULL;

	assert_int_equal(hookio_render(r, &out), 0);
	assert_non_null(out.data);
	assert_true(out.len > 2);
	assert_int_equal(out.data[out.len - 1], '\n');
	assert_null(memchr(out.data, '\n', out.len - 1));
	assert_int_equal(out.data[0], '{');
	assert_int_equal(
	        jsonutil_parse_strict(out.data, out.len - 1, &root, &err), 0);
	assert_true(cJSON_IsObject(root));
	assert_non_null(strstr(out.data, "\"hookEventName\""));
	*hso = cJSON_GetObjectItemCaseSensitive(root, "hookSpecificOutput");
	assert_true(cJSON_IsObject(*hso));
	assert_string_equal(jsonutil_str(*hso, "hookEventName"),
	                    r->hook_event_name);
	buf_free(&out);
	return root;
}

static const cJSON *
member(const cJSON *o, const char *key)
{
	return cJSON_GetObjectItemCaseSensitive(o, key);
}

static void
test_pre_tool_use_allow(void **state)
{
	struct hookio_reply r;
	const cJSON *hso;
	cJSON *root;

	(void)state;
	r = reply("PreToolUse", HOOKIO_ALLOW, NULL,
	          "{\"command\":\"ls -la\",\"description\":\"list\"}", NULL);
	root = render_json(&r, &hso);
	assert_string_equal(jsonutil_str(hso, "permissionDecision"), "allow");
	assert_null(member(hso, "permissionDecisionReason"));
	/* updatedInput is the complete input, as an object. */
	const cJSON *ui = member(hso, "updatedInput");
	assert_true(cJSON_IsObject(ui));
	assert_string_equal(jsonutil_str(ui, "command"), "ls -la");
	assert_string_equal(jsonutil_str(ui, "description"), "list");
	assert_null(member(root, "decision"));
	assert_null(member(root, "continue"));
	cJSON_Delete(root);

	/* With a reason and no edits. */
	r = reply("PreToolUse", HOOKIO_ALLOW, "rule git-status", NULL, NULL);
	root = render_json(&r, &hso);
	assert_string_equal(jsonutil_str(hso, "permissionDecision"), "allow");
	assert_string_equal(jsonutil_str(hso, "permissionDecisionReason"),
	                    "rule git-status");
	assert_null(member(hso, "updatedInput"));
	cJSON_Delete(root);
}

/* The decisions that stop a call, and their PreToolUse names. */
static const enum hookio_decision blocking_decisions[] = {
	HOOKIO_DENY,
	HOOKIO_ASK,
	HOOKIO_DEFER,
};

static const char *const blocking_names[] = { "deny", "ask", "defer" };

static void
test_pre_tool_use_deny_ask_defer(void **state)
{
	const enum hookio_decision *ds = blocking_decisions;
	const char *const *names = blocking_names;

	(void)state;
	for (size_t i = 0; i < 3; i++) {
		const cJSON *hso;
		cJSON *root;
		struct hookio_reply r =
		        reply("PreToolUse", ds[i], "rm -rf needs a human",
		              "{\"command\":\"rm -rf /\"}", NULL);
		root = render_json(&r, &hso);
		assert_string_equal(jsonutil_str(hso, "permissionDecision"),
		                    names[i]);
		assert_string_equal(
		        jsonutil_str(hso, "permissionDecisionReason"),
		        "rm -rf needs a human");
		/* Only allow may carry an edited input. */
		assert_null(member(hso, "updatedInput"));
		cJSON_Delete(root);

		/* A deny (or ask) without a reason still explains itself. */
		r = reply("PreToolUse", ds[i], NULL, NULL, NULL);
		root = render_json(&r, &hso);
		const char *why = jsonutil_str(hso, "permissionDecisionReason");
		assert_non_null(why);
		assert_true(strlen(why) > 0);
		cJSON_Delete(root);

		r = reply("PreToolUse", ds[i], "", NULL, NULL);
		root = render_json(&r, &hso);
		why = jsonutil_str(hso, "permissionDecisionReason");
		assert_non_null(why);
		assert_true(strlen(why) > 0);
		cJSON_Delete(root);
	}
}

static void
test_pre_tool_use_none_and_context(void **state)
{
	const cJSON *hso;
	cJSON *root;
	struct hookio_reply r;

	(void)state;
	/* No opinion: a valid object without a decision. */
	r = reply("PreToolUse", HOOKIO_NONE, NULL, "{\"command\":\"x\"}", NULL);
	root = render_json(&r, &hso);
	assert_null(member(hso, "permissionDecision"));
	assert_null(member(hso, "updatedInput"));
	cJSON_Delete(root);

	r = reply("PreToolUse", HOOKIO_DENY, "no", NULL,
	          "the user said: never push on Fridays");
	root = render_json(&r, &hso);
	assert_string_equal(jsonutil_str(hso, "permissionDecision"), "deny");
	assert_string_equal(jsonutil_str(hso, "additionalContext"),
	                    "the user said: never push on Fridays");
	cJSON_Delete(root);
}

static void
test_permission_request(void **state)
{
	const cJSON *hso;
	const cJSON *d;
	cJSON *root;
	struct hookio_reply r;

	(void)state;
	r = reply("PermissionRequest", HOOKIO_ALLOW, "ok",
	          "{\"command\":\"git status\"}", NULL);
	root = render_json(&r, &hso);
	d = member(hso, "decision");
	assert_true(cJSON_IsObject(d));
	assert_string_equal(jsonutil_str(d, "behavior"), "allow");
	assert_true(cJSON_IsObject(member(d, "updatedInput")));
	assert_string_equal(jsonutil_str(member(d, "updatedInput"), "command"),
	                    "git status");
	assert_null(member(hso, "permissionDecision"));
	cJSON_Delete(root);

	r = reply("PermissionRequest", HOOKIO_DENY, "denied by you",
	          "{\"command\":\"x\"}", NULL);
	root = render_json(&r, &hso);
	d = member(hso, "decision");
	assert_string_equal(jsonutil_str(d, "behavior"), "deny");
	assert_string_equal(jsonutil_str(d, "message"), "denied by you");
	assert_null(member(d, "updatedInput"));
	/* interrupt: true would abort the whole session. */
	assert_false(cJSON_IsTrue(member(d, "interrupt")));
	cJSON_Delete(root);

	r = reply("PermissionRequest", HOOKIO_DENY, NULL, NULL, NULL);
	root = render_json(&r, &hso);
	d = member(hso, "decision");
	assert_string_equal(jsonutil_str(d, "behavior"), "deny");
	assert_true(strlen(jsonutil_str(d, "message")) > 0);
	cJSON_Delete(root);

	/* ask and none: Claude Code's own prompt decides. */
	r = reply("PermissionRequest", HOOKIO_ASK, "ask", NULL, NULL);
	root = render_json(&r, &hso);
	assert_null(member(hso, "decision"));
	cJSON_Delete(root);
	r = reply("PermissionRequest", HOOKIO_NONE, NULL, NULL, NULL);
	root = render_json(&r, &hso);
	assert_null(member(hso, "decision"));
	cJSON_Delete(root);

	/* defer is no PermissionRequest behaviour: it must not become allow. */
	r = reply("PermissionRequest", HOOKIO_DEFER, "later", NULL, NULL);
	root = render_json(&r, &hso);
	d = member(hso, "decision");
	if (d != NULL) {
		assert_string_equal(jsonutil_str(d, "behavior"), "deny");
	}
	cJSON_Delete(root);
}

static void
test_post_tool_use(void **state)
{
	const cJSON *hso;
	cJSON *root;
	struct buf out = { 0 };
	struct hookio_reply r;

	(void)state;
	r = reply("PostToolUse", HOOKIO_NONE, NULL, NULL,
	          "output held a secret; redacted in the log");
	root = render_json(&r, &hso);
	assert_string_equal(jsonutil_str(hso, "additionalContext"),
	                    "output held a secret; redacted in the log");
	assert_null(member(hso, "permissionDecision"));
	assert_null(member(hso, "decision"));
	cJSON_Delete(root);

	/* Nothing to say: nothing printed, exit 0. */
	r = reply("PostToolUse", HOOKIO_NONE, NULL, NULL, NULL);
	buf_puts(&out, "stale");
	assert_int_equal(hookio_render(&r, &out), 0);
	assert_int_equal(out.len, 0);
	r = reply("Stop", HOOKIO_NONE, NULL, NULL, NULL);
	assert_int_equal(hookio_render(&r, &out), 0);
	assert_int_equal(out.len, 0);
	buf_free(&out);

	/* Context on other events uses their own name. */
	r = reply("UserPromptSubmit", HOOKIO_NONE, NULL, NULL, "hello");
	root = render_json(&r, &hso);
	assert_string_equal(jsonutil_str(hso, "additionalContext"), "hello");
	cJSON_Delete(root);
}

/* Hostile text in the reason and input must stay one valid JSON line. */
static void
test_render_escapes(void **state)
{
	const cJSON *hso;
	cJSON *root;
	struct hookio_reply r;
	const char *nasty = "line1\nline2\t\"quoted\" \\ }{ \x01 \xc3\xa9";

	(void)state;
	r = reply("PreToolUse", HOOKIO_DENY, nasty, NULL, nasty);
	root = render_json(&r, &hso);
	assert_string_equal(jsonutil_str(hso, "permissionDecisionReason"),
	                    nasty);
	assert_string_equal(jsonutil_str(hso, "additionalContext"), nasty);
	cJSON_Delete(root);
}

static void
test_render_unknown_event(void **state)
{
	struct buf out = { 0 };
	struct hookio_reply r;

	(void)state;

	/* The daemon could not tell the event: exit 2, reason for stderr. */
	const enum hookio_decision *blocking = blocking_decisions;

	for (size_t i = 0; i < 3; i++) {
		r = reply(NULL, blocking[i], "event could not be read", NULL,
		          NULL);
		assert_int_equal(hookio_render(&r, &out), 2);
		assert_non_null(strstr(out.data, "event could not be read"));
		assert_int_equal(out.data[out.len - 1], '\n');
		assert_null(strchr(out.data, '{'));
	}
	r = reply(NULL, HOOKIO_DENY, NULL, NULL, NULL);
	assert_int_equal(hookio_render(&r, &out), 2);
	assert_true(out.len > 1);
	/* An "airlock:" prefix is not doubled. */
	r = reply(NULL, HOOKIO_DENY, "airlock: daemon down", NULL, NULL);
	assert_int_equal(hookio_render(&r, &out), 2);
	assert_string_equal(out.data, "airlock: daemon down\n");
	/* Allow with no event name prints nothing (never a bare allow). */
	r = reply(NULL, HOOKIO_ALLOW, NULL, "{\"a\":1}", NULL);
	assert_int_equal(hookio_render(&r, &out), 0);
	assert_int_equal(out.len, 0);
	buf_free(&out);
}

static void
test_reply_round_trip(void **state)
{
	struct buf out = { 0 };
	struct hookio_reply in = { 0 };
	struct hookio_reply got = { 0 };

	(void)state;
	for (int d = HOOKIO_NONE; d <= HOOKIO_DEFER; d++) {
		in = reply("PreToolUse", (enum hookio_decision)d,
		           "why \"quoted\"\nnext line",
		           "{\"command\":\"git push\",\"n\":2}", "ctx");
		in.request_id = "0123456789abcdef0123456789abcdef";
		buf_reset(&out);
		hookio_format_reply(&in, &out);
		memset(&got, 0xa5, sizeof got);
		assert_int_equal(hookio_parse_reply(out.data, out.len, &got),
		                 0);
		assert_int_equal(got.decision, d);
		assert_string_equal(got.hook_event_name, "PreToolUse");
		assert_string_equal(got.request_id, in.request_id);
		assert_string_equal(got.reason, in.reason);
		assert_string_equal(got.additional_context, "ctx");
		assert_non_null(got.updated_input);
		cJSON *a = cJSON_Parse(got.updated_input);
		cJSON *b = cJSON_Parse(in.updated_input);
		assert_true(cJSON_Compare(a, b, true));
		cJSON_Delete(a);
		cJSON_Delete(b);
		hookio_reply_clear(&got);
		assert_null(got.reason);
	}

	/* Optional members absent stay NULL. */
	in = reply(NULL, HOOKIO_DENY, NULL, NULL, NULL);
	buf_reset(&out);
	hookio_format_reply(&in, &out);
	assert_int_equal(hookio_parse_reply(out.data, out.len, &got), 0);
	assert_int_equal(got.decision, HOOKIO_DENY);
	assert_null(got.hook_event_name);
	assert_null(got.request_id);
	assert_null(got.reason);
	assert_null(got.updated_input);
	assert_null(got.additional_context);
	hookio_reply_clear(&got);
	buf_free(&out);
}

static void
reply_rejected(const char *text)
{
	struct hookio_reply got = { 0 };

	got.reason = (char *)"untouched";
	if (hookio_parse_reply(text, strlen(text), &got) == 0) {
		print_error("accepted: %s\n", text);
		hookio_reply_clear(&got);
		fail();
	}
	assert_string_equal(got.reason, "untouched");
	assert_null(got.hook_event_name);
}

static void
test_reply_parse_rejects(void **state)
{
	(void)state;
	reply_rejected("");
	reply_rejected("garbage");
	reply_rejected("allow");
	reply_rejected("{\"v\":1,\"decision\":\"allow\"");
	reply_rejected("[{\"v\":1,\"decision\":\"allow\"}]");
	reply_rejected("{\"v\":1,\"decision\":\"allow\"} trailing");
	/* Wrong or missing version. */
	reply_rejected("{\"decision\":\"allow\"}");
	reply_rejected("{\"v\":2,\"decision\":\"allow\"}");
	reply_rejected("{\"v\":0,\"decision\":\"allow\"}");
	reply_rejected("{\"v\":\"1\",\"decision\":\"allow\"}");
	reply_rejected("{\"v\":1.5,\"decision\":\"allow\"}");
	reply_rejected("{\"v\":1e300,\"decision\":\"allow\"}");
	/* Unknown, missing or mistyped decision. */
	reply_rejected("{\"v\":1}");
	reply_rejected("{\"v\":1,\"decision\":\"approve\"}");
	reply_rejected("{\"v\":1,\"decision\":\"Allow\"}");
	reply_rejected("{\"v\":1,\"decision\":\"allow \"}");
	reply_rejected("{\"v\":1,\"decision\":true}");
	reply_rejected("{\"v\":1,\"decision\":null}");
	reply_rejected("{\"v\":1,\"decision\":\"\"}");
	/* Duplicate decision: which one would win is exactly the question. */
	reply_rejected("{\"v\":1,\"decision\":\"deny\",\"decision\":"
	               "\"allow\"}");
	/* A NUL-truncated decision. */
	reply_rejected("{\"v\":1,\"decision\":\"allow\\u0000deny\"}");
}

/* Every permission mode, event and strictness the fallback can see. */
static void
test_fallback_never_allows(void **state)
{
	static const char *const events[] = {
		"PreToolUse",
		"PermissionRequest",
		"PostToolUse",
		"PostToolUseFailure",
		"SessionStart",
		"SessionEnd",
		"Stop",
		"UserPromptSubmit",
		"Notification",
		"FutureEvent",
		"",
		"pretooluse",
		NULL,
	};
	static const char *const modes[] = {
		"default", "acceptEdits", "plan", "bypassPermissions",
		"dontAsk", "auto",        "",     "DEFAULT",
		"weird",   NULL,
	};
	size_t ne = sizeof events / sizeof events[0];
	size_t nm = sizeof modes / sizeof modes[0];
	struct buf out = { 0 };

	(void)state;
	for (size_t e = 0; e < ne; e++) {
		for (size_t m = 0; m < nm; m++) {
			for (int strict = 0; strict < 2; strict++) {
				struct hookio_event_info info = {
					(char *)events[e], (char *)modes[m]
				};
				struct hookio_reply r;
				hookio_fallback(&info, strict, "daemon down",
				                &r);
				assert_int_not_equal(r.decision, HOOKIO_ALLOW);
				assert_int_not_equal(r.decision, HOOKIO_DEFER);
				int st = hookio_render(&r, &out);
				assert_true(st == 0 || st == 2);
				if (out.len > 0) {
					assert_null(
					        strstr(out.data, "\"allow\""));
				}
				hookio_reply_clear(&r);
			}
		}
	}
	buf_free(&out);
}

static enum hookio_decision
fallback(const char *event, const char *mode, bool strict, char **reason)
{
	struct hookio_event_info info = { (char *)event, (char *)mode };
	struct hookio_reply r;
	enum hookio_decision d;

	hookio_fallback(&info, strict, "the airlock daemon is not running", &r);
	d = r.decision;
	if (event != NULL) {
		assert_string_equal(r.hook_event_name, event);
	} else {
		assert_null(r.hook_event_name);
	}
	if (reason != NULL) {
		*reason = r.reason ? xstrdup(r.reason) : NULL;
	}
	hookio_reply_clear(&r);
	return d;
}

static void
test_fallback_matrix(void **state)
{
	static const char *const decision_events[] = { "PreToolUse",
		                                       "PermissionRequest" };
	char *why = NULL;

	(void)state;
	for (size_t e = 0; e < 2; e++) {
		const char *ev = decision_events[e];
		/* Modes where Claude Code can still ask a person. */
		assert_int_equal(fallback(ev, "default", false, NULL),
		                 HOOKIO_ASK);
		assert_int_equal(fallback(ev, "acceptEdits", false, NULL),
		                 HOOKIO_ASK);
		assert_int_equal(fallback(ev, "plan", false, NULL), HOOKIO_ASK);
		/* bypassPermissions would auto-approve an ask. */
		assert_int_equal(fallback(ev, "bypassPermissions", false, NULL),
		                 HOOKIO_DENY);
		assert_int_equal(fallback(ev, "dontAsk", false, NULL),
		                 HOOKIO_DENY);
		assert_int_equal(fallback(ev, "someFutureMode", false, NULL),
		                 HOOKIO_DENY);
		assert_int_equal(fallback(ev, "", false, NULL), HOOKIO_DENY);
		assert_int_equal(fallback(ev, NULL, false, NULL), HOOKIO_DENY);
		/* Strict: always deny. */
		static const char *const modes[] = {
			"default",           "acceptEdits", "plan",
			"bypassPermissions", "dontAsk",     NULL
		};
		for (size_t m = 0; m < sizeof modes / sizeof modes[0]; m++) {
			assert_int_equal(fallback(ev, modes[m], true, NULL),
			                 HOOKIO_DENY);
		}
	}
	/* The reason says why, for the person reading Claude Code's log. */
	assert_int_equal(fallback("PreToolUse", "default", true, &why),
	                 HOOKIO_DENY);
	assert_non_null(why);
	assert_non_null(strstr(why, "the airlock daemon is not running"));
	free(why);

	/* Nothing to decide on other events. */
	static const char *const others[] = { "PostToolUse", "Stop",
		                              "SessionStart",
		                              "UserPromptSubmit" };
	for (size_t e = 0; e < 4; e++) {
		assert_int_equal(fallback(others[e], "default", false, NULL),
		                 HOOKIO_NONE);
		assert_int_equal(
		        fallback(others[e], "bypassPermissions", true, NULL),
		        HOOKIO_NONE);
	}
	/* Event unknown (unreadable input): blocked, never passed. */
	assert_int_equal(fallback(NULL, "default", true, NULL), HOOKIO_DENY);
	assert_int_equal(fallback(NULL, NULL, false, NULL), HOOKIO_DENY);
}

/* The fallback reply, rendered, is a form Claude Code honours. */
static void
test_fallback_renders(void **state)
{
	struct hookio_event_info info = { (char *)"PreToolUse",
		                          (char *)"default" };
	struct hookio_reply r;
	const cJSON *hso;
	cJSON *root;

	(void)state;
	hookio_fallback(&info, false, "daemon down", &r);
	root = render_json(&r, &hso);
	assert_string_equal(jsonutil_str(hso, "permissionDecision"), "ask");
	assert_non_null(strstr(jsonutil_str(hso, "permissionDecisionReason"),
	                       "daemon down"));
	cJSON_Delete(root);
	hookio_reply_clear(&r);

	info.hook_event_name = (char *)"PermissionRequest";
	info.permission_mode = (char *)"bypassPermissions";
	hookio_fallback(&info, false, "daemon down", &r);
	root = render_json(&r, &hso);
	assert_string_equal(jsonutil_str(member(hso, "decision"), "behavior"),
	                    "deny");
	cJSON_Delete(root);
	hookio_reply_clear(&r);
}

static void
check_info(const char *text, size_t len, const char *event, const char *mode)
{
	struct hookio_event_info info;

	hookio_event_info(text, len, &info);
	if (event == NULL) {
		assert_null(info.hook_event_name);
	} else {
		assert_non_null(info.hook_event_name);
		assert_string_equal(info.hook_event_name, event);
	}
	if (mode == NULL) {
		assert_null(info.permission_mode);
	} else {
		assert_non_null(info.permission_mode);
		assert_string_equal(info.permission_mode, mode);
	}
	hookio_event_info_clear(&info);
	assert_null(info.hook_event_name);
}

static void
test_event_info(void **state)
{
	const char *full =
	        "{\"session_id\":\"s\",\"permission_mode\":\"plan\","
	        "\"hook_event_name\":\"PreToolUse\",\"tool_name\":\"Bash\","
	        "\"tool_input\":{\"command\":\"echo \\\"hook_event_name\\\": "
	        "\\\"Stop\\\"\"}}";
	size_t n = strlen(full);

	(void)state;
	check_info(full, n, "PreToolUse", "plan");
	/* Truncated anywhere after the fields: the scan still finds them,
	 * and a look-alike inside a string is never taken. */
	size_t after = (size_t)(strstr(full, "\"tool_name\"") - full);
	for (size_t len = after; len < n; len++) {
		char *copy = xmemdup(full, len);
		check_info(copy, len, "PreToolUse", "plan");
		free(copy);
	}
	/* Truncated inside the value: unknown, not a prefix of it. */
	size_t mid = (size_t)(strstr(full, "PreToolUse") - full) + 3;
	char *copy = xmemdup(full, mid);
	check_info(copy, mid, NULL, "plan");
	free(copy);
	/* Every prefix is safe to scan. */
	for (size_t len = 0; len < n; len++) {
		struct hookio_event_info info;
		copy = xmemdup(full, len);
		hookio_event_info(copy, len, &info);
		if (info.hook_event_name != NULL) {
			assert_string_equal(info.hook_event_name, "PreToolUse");
		}
		hookio_event_info_clear(&info);
		free(copy);
	}
	/* Broken JSON with whitespace around the colon. */
	const char *broken = "{\"hook_event_name\" :\n \"PermissionRequest\","
	                     "\"permission_mode\":\t\"dontAsk\", oops";
	check_info(broken, strlen(broken), "PermissionRequest", "dontAsk");
	/* Garbage and empty input: nothing. */
	check_info("", 0, NULL, NULL);
	check_info("garbage", 7, NULL, NULL);
	check_info("{\"hook_event_name\":5}", 21, NULL, NULL);
	/* Escaped values are not guessed at. */
	const char *esc = "{\"hook_event_name\":\"Pre\\u0054oolUse\",";
	check_info(esc, strlen(esc), NULL, NULL);
	/* An over-long value is not taken. */
	struct buf b = { 0 };
	buf_puts(&b, "{\"hook_event_name\":\"");
	for (int i = 0; i < 200; i++) {
		buf_putc(&b, 'A');
	}
	buf_puts(&b, "\",");
	check_info(b.data, b.len, NULL, NULL);
	buf_free(&b);
}

static void
test_decision_names(void **state)
{
	enum hookio_decision d;

	(void)state;
	for (int i = HOOKIO_NONE; i <= HOOKIO_DEFER; i++) {
		assert_true(hookio_decision_from_name(
		        hookio_decision_name((enum hookio_decision)i), &d));
		assert_int_equal(d, i);
	}
	assert_false(hookio_decision_from_name(NULL, &d));
	assert_false(hookio_decision_from_name("block", &d));
	/* An out-of-range value is named deny, never allow. */
	assert_string_equal(hookio_decision_name((enum hookio_decision)42),
	                    "deny");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pre_tool_use_allow),
		cmocka_unit_test(test_pre_tool_use_deny_ask_defer),
		cmocka_unit_test(test_pre_tool_use_none_and_context),
		cmocka_unit_test(test_permission_request),
		cmocka_unit_test(test_post_tool_use),
		cmocka_unit_test(test_render_escapes),
		cmocka_unit_test(test_render_unknown_event),
		cmocka_unit_test(test_reply_round_trip),
		cmocka_unit_test(test_reply_parse_rejects),
		cmocka_unit_test(test_fallback_never_allows),
		cmocka_unit_test(test_fallback_matrix),
		cmocka_unit_test(test_fallback_renders),
		cmocka_unit_test(test_event_info),
		cmocka_unit_test(test_decision_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
