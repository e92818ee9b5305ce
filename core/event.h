#ifndef AIRLOCK_CORE_EVENT_H
#define AIRLOCK_CORE_EVENT_H

#include <stdbool.h>
#include <stddef.h>

/*
 * One Claude Code hook event, as airlock's core sees it. The JSON is parsed
 * in ipc/ (only ipc knows the field names); core works on this plain model.
 * Every string is owned by the event (NULL when the field was absent).
 */
enum event_kind {
	EVENT_OTHER = 0,
	EVENT_PRE_TOOL_USE,
	EVENT_PERMISSION_REQUEST,
	EVENT_POST_TOOL_USE,
	EVENT_POST_TOOL_USE_FAILURE,
	EVENT_SESSION_START,
	EVENT_SESSION_END,
	EVENT_STOP,
	EVENT_NOTIFICATION,
	EVENT_USER_PROMPT_SUBMIT,
};

/* A top-level scalar field of tool_input, as text (numbers and booleans in
 * their JSON spelling). Nested values are only in tool_input_json. */
struct event_field {
	char *key;
	char *value;
};

struct event {
	enum event_kind kind;
	char *hook_event_name;
	char *session_id;
	char *transcript_path;
	char *cwd;
	char *permission_mode;
	char *tool_name;
	char *tool_use_id;
	char *agent_id;
	char *tool_input_json; /* compact JSON of tool_input, or NULL */
	struct event_field *fields;
	size_t nfields;
	char *tool_response; /* PostToolUse result / failure text, bounded */
	size_t tool_response_size;     /* full size before bounding */
	char tool_response_sha256[65]; /* of the full result; "" if none */
};

/* Maps a hook_event_name to its kind (EVENT_OTHER when unknown). */
enum event_kind event_kind_from_name(const char *name);
/* True for events that carry a tool call to decide (PreToolUse and
 * PermissionRequest). */
bool event_is_decision(const struct event *ev);
/* The value of a top-level tool_input field, or NULL. Borrowed. */
const char *event_field(const struct event *ev, const char *key);
/* Adds a field; key and value are copied. */
void event_add_field(struct event *ev, const char *key, const char *value);
/* A one-line summary of the call for lists ("git push origin main",
 * "Edit src/a.c"); the caller frees it. Never NULL. */
char *event_summary(const struct event *ev);
/* Frees every member and the event itself; NULL is a no-op. */
void event_free(struct event *ev);

#endif
