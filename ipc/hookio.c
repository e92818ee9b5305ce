#include "ipc/hookio.h"

#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "core/al.h"
#include "core/xalloc.h"
#include "ipc/jsonutil.h"
#include "ipc/proto.h"

static const char *const hookio_names[] = {
	[HOOKIO_NONE] = "none",   [HOOKIO_ALLOW] = "allow",
	[HOOKIO_DENY] = "deny",   [HOOKIO_ASK] = "ask",
	[HOOKIO_DEFER] = "defer",
};

const char *
hookio_decision_name(enum hookio_decision d)
{
	if ((size_t)d >= sizeof hookio_names / sizeof hookio_names[0]) {
		return "deny";
	}
	return hookio_names[d];
}

bool
hookio_decision_from_name(const char *s, enum hookio_decision *out)
{
	for (size_t i = 0;
	     s && i < sizeof hookio_names / sizeof hookio_names[0]; i++) {
		if (strcmp(hookio_names[i], s) == 0) {
			*out = (enum hookio_decision)i;
			return true;
		}
	}
	return false;
}

static char *
hookio_opt_str(const cJSON *root, const char *key)
{
	const char *s = jsonutil_str(root, key);

	return s ? xstrdup(s) : NULL;
}

int
hookio_parse_reply(const char *buf, size_t len, struct hookio_reply *out)
{
	cJSON *root = NULL;
	char *err = NULL;
	struct hookio_reply r = { 0 };
	const cJSON *v;
	const cJSON *ui;

	if (jsonutil_parse_strict(buf, len, &root, &err) != 0) {
		free(err);
		return AL_EPARSE;
	}
	v = cJSON_GetObjectItemCaseSensitive(root, "v");
	if (!cJSON_IsObject(root) || !cJSON_IsNumber(v) ||
	    v->valuedouble != AIRLOCK_PROTO_VERSION ||
	    !hookio_decision_from_name(jsonutil_str(root, "decision"),
	                               &r.decision)) {
		cJSON_Delete(root);
		return AL_EPARSE;
	}
	r.hook_event_name = hookio_opt_str(root, "hook_event_name");
	r.request_id = hookio_opt_str(root, "request_id");
	r.reason = hookio_opt_str(root, "reason");
	r.additional_context = hookio_opt_str(root, "additional_context");
	r.updated_mcp_output = hookio_opt_str(root, "updated_mcp_output");
	ui = cJSON_GetObjectItemCaseSensitive(root, "updated_input");
	if (cJSON_IsObject(ui)) {
		r.updated_input = cJSON_PrintUnformatted(ui);
	}
	cJSON_Delete(root);
	*out = r;
	return 0;
}

static void
hookio_add_str(cJSON *o, const char *key, const char *val)
{
	if (val != NULL) {
		cJSON_AddStringToObject(o, key, val);
	}
}

static void
hookio_add_raw_object(cJSON *o, const char *key, const char *json)
{
	cJSON *v;

	if (json == NULL) {
		return;
	}
	v = cJSON_Parse(json);
	if (v != NULL) {
		cJSON_AddItemToObject(o, key, v);
	}
}

static void
hookio_emit(cJSON *root, struct buf *out)
{
	char *s = cJSON_PrintUnformatted(root);

	if (s != NULL) {
		buf_puts(out, s);
		cJSON_free(s);
	}
	cJSON_Delete(root);
}

void
hookio_format_reply(const struct hookio_reply *r, struct buf *out)
{
	cJSON *root = cJSON_CreateObject();

	cJSON_AddNumberToObject(root, "v", AIRLOCK_PROTO_VERSION);
	hookio_add_str(root, "request_id", r->request_id);
	hookio_add_str(root, "hook_event_name", r->hook_event_name);
	cJSON_AddStringToObject(root, "decision",
	                        hookio_decision_name(r->decision));
	hookio_add_str(root, "reason", r->reason);
	hookio_add_raw_object(root, "updated_input", r->updated_input);
	hookio_add_str(root, "additional_context", r->additional_context);
	hookio_add_str(root, "updated_mcp_output", r->updated_mcp_output);
	hookio_emit(root, out);
}

void
hookio_reply_clear(struct hookio_reply *r)
{
	free(r->hook_event_name);
	free(r->request_id);
	free(r->reason);
	free(r->updated_input);
	free(r->additional_context);
	free(r->updated_mcp_output);
	memset(r, 0, sizeof *r);
}

static const char *
hookio_reason(const struct hookio_reply *r)
{
	return r->reason && *r->reason ? r->reason : "denied by airlock";
}

/* PreToolUse: permissionDecision allow|deny|ask|defer. */
static void
hookio_render_pre(const struct hookio_reply *r, cJSON *hso)
{
	if (r->decision != HOOKIO_NONE) {
		cJSON_AddStringToObject(hso, "permissionDecision",
		                        hookio_decision_name(r->decision));
		if (r->decision != HOOKIO_ALLOW || r->reason != NULL) {
			cJSON_AddStringToObject(hso, "permissionDecisionReason",
			                        r->decision == HOOKIO_ALLOW
			                                ? r->reason
			                                : hookio_reason(r));
		}
	}
	if (r->decision == HOOKIO_ALLOW) {
		hookio_add_raw_object(hso, "updatedInput", r->updated_input);
	}
}

/* PermissionRequest: decision.behavior allow|deny; ask and none leave the
 * call to Claude Code's own prompt (no decision object). */
static void
hookio_render_permission(const struct hookio_reply *r, cJSON *hso)
{
	cJSON *d;

	if (r->decision != HOOKIO_ALLOW && r->decision != HOOKIO_DENY &&
	    r->decision != HOOKIO_DEFER) {
		return;
	}
	d = cJSON_AddObjectToObject(hso, "decision");
	if (r->decision == HOOKIO_ALLOW) {
		cJSON_AddStringToObject(d, "behavior", "allow");
		hookio_add_raw_object(d, "updatedInput", r->updated_input);
	} else {
		cJSON_AddStringToObject(d, "behavior", "deny");
		cJSON_AddStringToObject(d, "message", hookio_reason(r));
	}
}

static bool
hookio_is(const struct hookio_reply *r, const char *name)
{
	return r->hook_event_name && strcmp(r->hook_event_name, name) == 0;
}

int
hookio_render(const struct hookio_reply *r, struct buf *out)
{
	cJSON *root;
	cJSON *hso;

	buf_reset(out);
	if (r->hook_event_name == NULL) {
		if (r->decision == HOOKIO_NONE || r->decision == HOOKIO_ALLOW) {
			return 0;
		}
		const char *why = hookio_reason(r);
		buf_printf(out, "%s%s\n",
		           strncmp(why, "airlock:", 8) == 0 ? "" : "airlock: ",
		           why);
		return 2;
	}
	bool pre = hookio_is(r, "PreToolUse");
	bool perm = hookio_is(r, "PermissionRequest");
	bool post = hookio_is(r, "PostToolUse");
	if (!pre && !perm && r->additional_context == NULL &&
	    !(post && r->updated_mcp_output != NULL)) {
		return 0;
	}
	root = cJSON_CreateObject();
	hso = cJSON_AddObjectToObject(root, "hookSpecificOutput");
	cJSON_AddStringToObject(hso, "hookEventName", r->hook_event_name);
	if (pre) {
		hookio_render_pre(r, hso);
	} else if (perm) {
		hookio_render_permission(r, hso);
	}
	hookio_add_str(hso, "additionalContext", r->additional_context);
	if (post) {
		/* Honoured by Claude Code for MCP tools only (measured). */
		hookio_add_str(hso, "updatedMCPToolOutput",
		               r->updated_mcp_output);
	}
	hookio_emit(root, out);
	buf_putc(out, '\n');
	return 0;
}

/* The value of "key": "value" found by a plain scan, for events too
 * broken (or too large, or too deep) for the parser. Only simple values
 * without escapes are taken. */
static char *
hookio_scan_str(const char *buf, size_t len, const char *key)
{
	size_t klen = strlen(key);

	for (size_t i = 0; i + klen + 2 < len; i++) {
		if (buf[i] != '"' || memcmp(buf + i + 1, key, klen) != 0 ||
		    buf[i + 1 + klen] != '"') {
			continue;
		}
		size_t j = i + klen + 2;
		while (j < len && (buf[j] == ' ' || buf[j] == ':' ||
		                   buf[j] == '\t' || buf[j] == '\n')) {
			j++;
		}
		if (j >= len || buf[j] != '"') {
			return NULL;
		}
		size_t k = ++j;
		while (k < len && k - j < 64 && buf[k] != '"' &&
		       buf[k] != '\\') {
			k++;
		}
		return k < len && buf[k] == '"' ? xstrndup(buf + j, k - j)
		                                : NULL;
	}
	return NULL;
}

void
hookio_event_info(const char *buf, size_t len, struct hookio_event_info *out)
{
	cJSON *root = cJSON_ParseWithLength(buf, len);

	memset(out, 0, sizeof *out);
	if (root == NULL) {
		out->hook_event_name =
		        hookio_scan_str(buf, len, "hook_event_name");
		out->permission_mode =
		        hookio_scan_str(buf, len, "permission_mode");
		return;
	}
	out->hook_event_name = hookio_opt_str(root, "hook_event_name");
	out->permission_mode = hookio_opt_str(root, "permission_mode");
	cJSON_Delete(root);
}

void
hookio_event_info_clear(struct hookio_event_info *info)
{
	free(info->hook_event_name);
	free(info->permission_mode);
	memset(info, 0, sizeof *info);
}

static bool
hookio_mode_can_ask(const char *mode)
{
	static const char *const modes[] = { "default", "acceptEdits", "plan" };

	for (size_t i = 0; mode && i < sizeof modes / sizeof modes[0]; i++) {
		if (strcmp(mode, modes[i]) == 0) {
			return true;
		}
	}
	return false;
}

void
hookio_fallback(const struct hookio_event_info *info, bool strict,
                const char *why, struct hookio_reply *out)
{
	bool decision_event =
	        info->hook_event_name &&
	        (strcmp(info->hook_event_name, "PreToolUse") == 0 ||
	         strcmp(info->hook_event_name, "PermissionRequest") == 0);

	memset(out, 0, sizeof *out);
	out->hook_event_name = xstrdup(info->hook_event_name);
	if (info->hook_event_name != NULL && !decision_event) {
		out->decision =
		        HOOKIO_NONE; /* nothing to decide: record lost */
		return;
	}
	bool ask = !strict && hookio_mode_can_ask(info->permission_mode);
	out->decision = ask ? HOOKIO_ASK : HOOKIO_DENY;
	out->reason = xasprintf(
	        "airlock: %s; %s", why,
	        ask ? "asking you instead"
	            : "denied (no approval possible without the daemon)");
}
