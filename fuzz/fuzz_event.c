/*
 * libFuzzer target for the hook event parser (ipc/event_json.c,
 * event_json_parse over ipc/jsonutil.c's strict JSON) and for what the
 * hook does with the same bytes when the daemon is down (ipc/hookio.c:
 * hookio_event_info's scan, hookio_fallback, hookio_render), plus the
 * daemon reply parser (hookio_parse_reply).
 *
 * Needs airlock_ipc (event_json.c), airlock_hookclient and airlock_core.
 * Build and run with -DAIRLOCK_FUZZ=ON (fuzz/CMakeLists.txt), seeded with
 * ../shared/claude-code/payloads:
 *   build-fuzz/fuzz/fuzz_event -max_total_time=60 corpus/ seeds/
 *
 * Input: the raw event bytes, exactly as Claude Code would write them to
 * the hook's stdin.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "core/al.h"
#include "core/buf.h"
#include "core/event.h"
#include "ipc/event_json.h"
#include "ipc/hookio.h"
#include "ipc/jsonutil.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int fuzz_sentinel;

static bool
fuzz_is_tool_event(enum event_kind k)
{
	return k == EVENT_PRE_TOOL_USE || k == EVENT_PERMISSION_REQUEST ||
	       k == EVENT_POST_TOOL_USE || k == EVENT_POST_TOOL_USE_FAILURE;
}

/* The promises of event_json.h, checked on every accepted event. */
static void
fuzz_check_event(const struct event *ev)
{
	cJSON *input = NULL;
	char *err = NULL;

	if (ev->hook_event_name == NULL || ev->session_id == NULL ||
	    ev->kind != event_kind_from_name(ev->hook_event_name)) {
		abort();
	}
	if (fuzz_is_tool_event(ev->kind) &&
	    (ev->tool_name == NULL || ev->tool_input_json == NULL)) {
		abort();
	}
	if (ev->tool_input_json != NULL) {
		/* What the daemon stores must itself be strict JSON. */
		if (jsonutil_parse_strict(ev->tool_input_json,
		                          strlen(ev->tool_input_json), &input,
		                          &err) != 0 ||
		    !cJSON_IsObject(input)) {
			abort();
		}
		cJSON_Delete(input);
	}
	for (size_t i = 0; i < ev->nfields; i++) {
		if (ev->fields[i].key == NULL || ev->fields[i].value == NULL) {
			abort();
		}
	}
	if (ev->tool_response != NULL &&
	    (strlen(ev->tool_response) > EVENT_JSON_MAX_RESPONSE ||
	     strlen(ev->tool_response) > ev->tool_response_size ||
	     !jsonutil_utf8_valid(ev->tool_response, strlen(ev->tool_response),
	                          NULL))) {
		abort();
	}
}

static void
fuzz_event_parse(const char *buf, size_t size)
{
	struct event *ev = (struct event *)&fuzz_sentinel;
	char *err = NULL;
	int rc = event_json_parse(buf, size, &ev, &err);

	if (rc == 0) {
		if (err != NULL || ev == (struct event *)&fuzz_sentinel) {
			abort();
		}
		fuzz_check_event(ev);
		event_free(ev);
		return;
	}
	if (ev != (struct event *)&fuzz_sentinel || err == NULL ||
	    err[0] == '\0' ||
	    (rc != AL_EPARSE && rc != AL_EINVAL && rc != AL_ETOOBIG)) {
		abort();
	}
	free(err);
}

/* Daemon down: whatever the bytes, never allow, and print either nothing,
 * a stderr reason (exit 2) or one strict JSON object and a newline. */
static void
fuzz_fallback(const char *buf, size_t size)
{
	struct hookio_event_info info;
	struct hookio_reply r;
	struct buf out = { 0 };

	hookio_event_info(buf, size, &info);
	for (int strict = 0; strict < 2; strict++) {
		hookio_fallback(&info, strict, "fuzz", &r);
		if (r.decision == HOOKIO_ALLOW) {
			abort();
		}
		int st = hookio_render(&r, &out);
		if (st == 0 && out.len > 0) {
			cJSON *o = NULL;
			char *err = NULL;
			if (out.data[out.len - 1] != '\n' ||
			    jsonutil_parse_strict(out.data, out.len - 1, &o,
			                          &err) != 0 ||
			    strstr(out.data, "\"allow\"") != NULL) {
				abort();
			}
			cJSON_Delete(o);
		} else if (st != 0 && st != 2) {
			abort();
		}
		hookio_reply_clear(&r);
	}
	buf_free(&out);
	hookio_event_info_clear(&info);
}

static void
fuzz_reply(const char *buf, size_t size)
{
	struct hookio_reply r = { 0 };

	if (hookio_parse_reply(buf, size, &r) == 0) {
		struct buf out = { 0 };
		if ((int)r.decision < HOOKIO_NONE ||
		    r.decision > HOOKIO_DEFER) {
			abort();
		}
		(void)hookio_render(&r, &out);
		buf_free(&out);
		hookio_reply_clear(&r);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;

	fuzz_event_parse(buf, size);
	fuzz_fallback(buf, size);
	fuzz_reply(buf, size);
	return 0;
}
