#include "ipc/event_json.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "core/al.h"
#include "core/buf.h"
#include "core/sha256.h"
#include "core/xalloc.h"
#include "ipc/jsonutil.h"
#include "ipc/proto.h"

struct event_json_str {
	const char *key;
	size_t offset;
	bool required_for_tools;
};

/* Top-level string fields copied onto struct event. */
static const struct event_json_str event_json_strs[] = {
	{ "session_id", offsetof(struct event, session_id), false },
	{ "transcript_path", offsetof(struct event, transcript_path), false },
	{ "cwd", offsetof(struct event, cwd), false },
	{ "permission_mode", offsetof(struct event, permission_mode), false },
	{ "tool_name", offsetof(struct event, tool_name), true },
	{ "tool_use_id", offsetof(struct event, tool_use_id), false },
	{ "agent_id", offsetof(struct event, agent_id), false },
};

static bool
event_json_is_tool_event(enum event_kind k)
{
	return k == EVENT_PRE_TOOL_USE || k == EVENT_PERMISSION_REQUEST ||
	       k == EVENT_POST_TOOL_USE || k == EVENT_POST_TOOL_USE_FAILURE;
}

static int
event_json_copy_strings(const cJSON *root, struct event *ev, char **err)
{
	for (size_t i = 0;
	     i < sizeof event_json_strs / sizeof event_json_strs[0]; i++) {
		const struct event_json_str *f = &event_json_strs[i];
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, f->key);
		char **slot = (char **)((char *)ev + f->offset);
		if (v == NULL || cJSON_IsNull(v)) {
			if (f->required_for_tools &&
			    event_json_is_tool_event(ev->kind)) {
				*err = xasprintf("missing field \"%s\"",
				                 f->key);
				return AL_EINVAL;
			}
			continue;
		}
		if (!cJSON_IsString(v)) {
			*err = xasprintf("field \"%s\" must be a string",
			                 f->key);
			return AL_EINVAL;
		}
		*slot = xstrdup(v->valuestring);
	}
	if (ev->session_id == NULL) {
		*err = xstrdup("missing field \"session_id\"");
		return AL_EINVAL;
	}
	return 0;
}

/* Top-level scalars of tool_input become event fields. */
static void
event_json_fields(const cJSON *input, struct event *ev)
{
	const cJSON *it;

	cJSON_ArrayForEach (it, input) {
		if (cJSON_IsString(it)) {
			event_add_field(ev, it->string, it->valuestring);
		} else if (cJSON_IsBool(it)) {
			event_add_field(ev, it->string,
			                cJSON_IsTrue(it) ? "true" : "false");
		} else if (cJSON_IsNumber(it)) {
			char *n = cJSON_PrintUnformatted(it);
			event_add_field(ev, it->string, n ? n : "0");
			cJSON_free(n);
		}
	}
}

static int
event_json_tool_input(const cJSON *root, struct event *ev, char **err)
{
	const cJSON *input =
	        cJSON_GetObjectItemCaseSensitive(root, "tool_input");

	if (input == NULL) {
		if (event_json_is_tool_event(ev->kind)) {
			*err = xstrdup("missing field \"tool_input\"");
			return AL_EINVAL;
		}
		return 0;
	}
	if (!cJSON_IsObject(input)) {
		*err = xstrdup("field \"tool_input\" must be an object");
		return AL_EINVAL;
	}
	char *json = cJSON_PrintUnformatted(input);
	ev->tool_input_json = xstrdup(json ? json : "{}");
	cJSON_free(json);
	event_json_fields(input, ev);
	return 0;
}

/* The tool result (PostToolUse) or error text (PostToolUseFailure) as text:
 * strings as they are, anything else as compact JSON; bounded. */
static void
event_json_response(const cJSON *root, struct event *ev)
{
	const cJSON *r =
	        cJSON_GetObjectItemCaseSensitive(root, "tool_response");
	char *text;

	if (r == NULL) {
		r = cJSON_GetObjectItemCaseSensitive(root, "error");
	}
	if (r == NULL) {
		return;
	}
	text = cJSON_IsString(r) ? xstrdup(r->valuestring)
	                         : cJSON_PrintUnformatted(r);
	if (text == NULL) {
		return;
	}
	ev->tool_response_size = strlen(text);
	sha256_hex(text, ev->tool_response_size, ev->tool_response_sha256);
	if (ev->tool_response_size > EVENT_JSON_MAX_RESPONSE) {
		/* Cut on a character boundary: the prefix travels in JSON
		 * that is parsed strictly (valid UTF-8 only). */
		size_t cut = EVENT_JSON_MAX_RESPONSE;
		while (cut > 0 && ((unsigned char)text[cut] & 0xc0) == 0x80) {
			cut--;
		}
		text[cut] = '\0';
	}
	ev->tool_response = xstrdup(text);
	free(text);
}

static int
event_json_build(const cJSON *root, struct event *ev, char **err)
{
	const cJSON *name =
	        cJSON_GetObjectItemCaseSensitive(root, "hook_event_name");
	int rc;

	if (!cJSON_IsString(name)) {
		*err = xstrdup(
		        name == NULL
		                ? "missing field \"hook_event_name\""
		                : "field \"hook_event_name\" must be a string");
		return AL_EINVAL;
	}
	ev->hook_event_name = xstrdup(name->valuestring);
	ev->kind = event_kind_from_name(name->valuestring);
	rc = event_json_copy_strings(root, ev, err);
	if (rc == 0) {
		rc = event_json_tool_input(root, ev, err);
	}
	if (rc == 0) {
		event_json_response(root, ev);
	}
	return rc;
}

int
event_json_parse(const char *buf, size_t len, struct event **out, char **err)
{
	cJSON *root = NULL;
	struct event *ev = NULL;
	int rc;

	if (len > PROTO_MAX_EVENT) {
		*err = xasprintf("event of %zu bytes is over the %u-byte limit",
		                 len, PROTO_MAX_EVENT);
		return AL_ETOOBIG;
	}
	rc = jsonutil_parse_strict(buf, len, &root, err);
	if (rc != 0) {
		return rc;
	}
	if (!cJSON_IsObject(root)) {
		*err = xstrdup("event is not a JSON object");
		rc = AL_EPARSE;
		goto out;
	}
	ev = xcalloc(1, sizeof *ev);
	rc = event_json_build(root, ev, err);
	if (rc != 0) {
		event_free(ev);
		goto out;
	}
	*out = ev;
out:
	cJSON_Delete(root);
	return rc;
}
