#include "core/event.h"

#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/xalloc.h"

struct event_kind_name {
	enum event_kind kind;
	const char *name;
};

static const struct event_kind_name event_kind_names[] = {
	{ EVENT_PRE_TOOL_USE, "PreToolUse" },
	{ EVENT_PERMISSION_REQUEST, "PermissionRequest" },
	{ EVENT_POST_TOOL_USE, "PostToolUse" },
	{ EVENT_POST_TOOL_USE_FAILURE, "PostToolUseFailure" },
	{ EVENT_SESSION_START, "SessionStart" },
	{ EVENT_SESSION_END, "SessionEnd" },
	{ EVENT_STOP, "Stop" },
	{ EVENT_NOTIFICATION, "Notification" },
	{ EVENT_USER_PROMPT_SUBMIT, "UserPromptSubmit" },
};

enum event_kind
event_kind_from_name(const char *name)
{
	if (name == NULL) {
		return EVENT_OTHER;
	}
	for (size_t i = 0;
	     i < sizeof event_kind_names / sizeof event_kind_names[0]; i++) {
		if (strcmp(event_kind_names[i].name, name) == 0) {
			return event_kind_names[i].kind;
		}
	}
	return EVENT_OTHER;
}

bool
event_is_decision(const struct event *ev)
{
	return ev->kind == EVENT_PRE_TOOL_USE ||
	       ev->kind == EVENT_PERMISSION_REQUEST;
}

const char *
event_field(const struct event *ev, const char *key)
{
	for (size_t i = 0; i < ev->nfields; i++) {
		if (strcmp(ev->fields[i].key, key) == 0) {
			return ev->fields[i].value;
		}
	}
	return NULL;
}

void
event_add_field(struct event *ev, const char *key, const char *value)
{
	ev->fields =
	        xrealloc(ev->fields, (ev->nfields + 1) * sizeof *ev->fields);
	ev->fields[ev->nfields].key = xstrdup(key);
	ev->fields[ev->nfields].value = xstrdup(value);
	ev->nfields++;
}

/* The tool_input field that best says what a call does, per tool. */
static const char *
event_summary_field(const struct event *ev)
{
	static const char *const keys[] = {
		"command", "file_path", "notebook_path", "url",        "query",
		"pattern", "path",      "prompt",        "description"
	};

	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		const char *v = event_field(ev, keys[i]);
		if (v != NULL && *v != '\0') {
			return v;
		}
	}
	return NULL;
}

char *
event_summary(const struct event *ev)
{
	const char *tool = ev->tool_name ? ev->tool_name : "";
	const char *what = event_summary_field(ev);
	struct buf b = { 0 };

	if (ev->tool_name == NULL) {
		buf_puts(&b,
		         ev->hook_event_name ? ev->hook_event_name : "event");
		return buf_steal(&b);
	}
	if (strcmp(tool, "Bash") == 0 && what != NULL) {
		buf_puts(&b, what);
	} else if (what != NULL) {
		buf_printf(&b, "%s %s", tool, what);
	} else {
		buf_puts(&b, tool);
	}
	return buf_steal(&b);
}

void
event_free(struct event *ev)
{
	if (ev == NULL) {
		return;
	}
	free(ev->hook_event_name);
	free(ev->session_id);
	free(ev->transcript_path);
	free(ev->cwd);
	free(ev->permission_mode);
	free(ev->tool_name);
	free(ev->tool_use_id);
	free(ev->agent_id);
	free(ev->tool_input_json);
	for (size_t i = 0; i < ev->nfields; i++) {
		free(ev->fields[i].key);
		free(ev->fields[i].value);
	}
	free(ev->fields);
	free(ev->tool_response);
	free(ev);
}
