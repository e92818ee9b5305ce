/*
 * The hook's side of the conversation: decision names, the daemon's reply
 * (parsed and formatted), the output rendered for Claude Code, and the
 * fallback when no daemon answers. The JSON reader is in hookio_json.c.
 */
#include "ipc/hookio.h"

#include <stdlib.h>
#include <string.h>

#include "core/al.h"
#include "core/xalloc.h"
#include "ipc/hookio_int.h"
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

enum {
	HOOKIO_M_V,
	HOOKIO_M_DECISION,
	HOOKIO_M_EVENT,
	HOOKIO_M_REQUEST_ID,
	HOOKIO_M_REASON,
	HOOKIO_M_CONTEXT,
	HOOKIO_M_MCP_OUTPUT,
	HOOKIO_M_UPDATED_INPUT,
	HOOKIO_M_COUNT,
};

int
hookio_parse_reply(const char *buf, size_t len, struct hookio_reply *out)
{
	struct hookio_member m[HOOKIO_M_COUNT + 1] = {
		[HOOKIO_M_V] = { .key = "v" },
		[HOOKIO_M_DECISION] = { .key = "decision" },
		[HOOKIO_M_EVENT] = { .key = "hook_event_name" },
		[HOOKIO_M_REQUEST_ID] = { .key = "request_id" },
		[HOOKIO_M_REASON] = { .key = "reason" },
		[HOOKIO_M_CONTEXT] = { .key = "additional_context" },
		[HOOKIO_M_MCP_OUTPUT] = { .key = "updated_mcp_output" },
		[HOOKIO_M_UPDATED_INPUT] = { .key = "updated_input" },
		[HOOKIO_M_COUNT] = { .key = NULL },
	};
	struct hookio_reply r = { 0 };
	bool is_obj = false;

	if (buf == NULL ||
	    hookio_json_read(buf, len, true, m, &is_obj, NULL) != 0 ||
	    !is_obj || !m[HOOKIO_M_V].is_num ||
	    m[HOOKIO_M_V].num != AIRLOCK_PROTO_VERSION ||
	    !hookio_decision_from_name(m[HOOKIO_M_DECISION].value,
	                               &r.decision)) {
		hookio_members_clear(m);
		return AL_EPARSE;
	}
	r.hook_event_name = m[HOOKIO_M_EVENT].value;
	r.request_id = m[HOOKIO_M_REQUEST_ID].value;
	r.reason = m[HOOKIO_M_REASON].value;
	r.additional_context = m[HOOKIO_M_CONTEXT].value;
	r.updated_mcp_output = m[HOOKIO_M_MCP_OUTPUT].value;
	m[HOOKIO_M_EVENT].value = m[HOOKIO_M_REQUEST_ID].value = NULL;
	m[HOOKIO_M_REASON].value = m[HOOKIO_M_CONTEXT].value = NULL;
	m[HOOKIO_M_MCP_OUTPUT].value = NULL;
	if (m[HOOKIO_M_UPDATED_INPUT].is_obj) {
		r.updated_input = hookio_json_compact(
		        buf + m[HOOKIO_M_UPDATED_INPUT].start,
		        m[HOOKIO_M_UPDATED_INPUT].end -
		                m[HOOKIO_M_UPDATED_INPUT].start);
	}
	hookio_members_clear(m);
	*out = r;
	return 0;
}

/* ---- writing ------------------------------------------------------- */

/* A JSON string, escaped as cJSON prints it. */
static void
hookio_put_str(struct buf *b, const char *s)
{
	static const char hex[] = "0123456789abcdef";

	buf_putc(b, '"');
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		const char *e = *p == '"'    ? "\\\""
		                : *p == '\\' ? "\\\\"
		                : *p == '\b' ? "\\b"
		                : *p == '\f' ? "\\f"
		                : *p == '\n' ? "\\n"
		                : *p == '\r' ? "\\r"
		                : *p == '\t' ? "\\t"
		                             : NULL;
		if (e != NULL) {
			buf_puts(b, e);
		} else if (*p < 0x20) {
			char u[7] = { '\\',         'u',           '0', '0',
				      hex[*p >> 4], hex[*p & 0xf], '\0' };
			buf_puts(b, u);
		} else {
			buf_putc(b, (char)*p);
		}
	}
	buf_putc(b, '"');
}

/* An object being written: members are separated as they come. */
struct hookio_obj {
	struct buf *b;
	bool first;
};

static void
hookio_key(struct hookio_obj *o, const char *key)
{
	if (!o->first) {
		buf_putc(o->b, ',');
	}
	o->first = false;
	hookio_put_str(o->b, key);
	buf_putc(o->b, ':');
}

static void
hookio_add_str(struct hookio_obj *o, const char *key, const char *val)
{
	if (val != NULL) {
		hookio_key(o, key);
		hookio_put_str(o->b, val);
	}
}

/* json, if it is valid, as the value of key; else nothing (as when cJSON
 * could not parse it). */
static void
hookio_add_raw_object(struct hookio_obj *o, const char *key, const char *json)
{
	char *v = hookio_json_value_text(json);

	if (v != NULL) {
		hookio_key(o, key);
		buf_puts(o->b, v);
	}
	free(v);
}

static struct hookio_obj
hookio_open(struct buf *b, struct hookio_obj *parent, const char *key)
{
	if (parent != NULL) {
		hookio_key(parent, key);
	}
	buf_putc(b, '{');
	return (struct hookio_obj){ .b = b, .first = true };
}

static void
hookio_close(struct hookio_obj *o)
{
	buf_putc(o->b, '}');
}

void
hookio_format_reply(const struct hookio_reply *r, struct buf *out)
{
	struct hookio_obj root = hookio_open(out, NULL, NULL);

	hookio_key(&root, "v");
	buf_printf(out, "%d", AIRLOCK_PROTO_VERSION);
	hookio_add_str(&root, "request_id", r->request_id);
	hookio_add_str(&root, "hook_event_name", r->hook_event_name);
	hookio_add_str(&root, "decision", hookio_decision_name(r->decision));
	hookio_add_str(&root, "reason", r->reason);
	hookio_add_raw_object(&root, "updated_input", r->updated_input);
	hookio_add_str(&root, "additional_context", r->additional_context);
	hookio_add_str(&root, "updated_mcp_output", r->updated_mcp_output);
	hookio_close(&root);
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
hookio_render_pre(const struct hookio_reply *r, struct hookio_obj *hso)
{
	if (r->decision != HOOKIO_NONE) {
		hookio_add_str(hso, "permissionDecision",
		               hookio_decision_name(r->decision));
		if (r->decision != HOOKIO_ALLOW || r->reason != NULL) {
			hookio_add_str(hso, "permissionDecisionReason",
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
hookio_render_permission(const struct hookio_reply *r, struct hookio_obj *hso)
{
	struct hookio_obj d;

	if (r->decision != HOOKIO_ALLOW && r->decision != HOOKIO_DENY &&
	    r->decision != HOOKIO_DEFER) {
		return;
	}
	d = hookio_open(hso->b, hso, "decision");
	if (r->decision == HOOKIO_ALLOW) {
		hookio_add_str(&d, "behavior", "allow");
		hookio_add_raw_object(&d, "updatedInput", r->updated_input);
	} else {
		hookio_add_str(&d, "behavior", "deny");
		hookio_add_str(&d, "message", hookio_reason(r));
	}
	hookio_close(&d);
}

static bool
hookio_is(const struct hookio_reply *r, const char *name)
{
	return r->hook_event_name && strcmp(r->hook_event_name, name) == 0;
}

int
hookio_render(const struct hookio_reply *r, struct buf *out)
{
	struct hookio_obj root;
	struct hookio_obj hso;

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
	root = hookio_open(out, NULL, NULL);
	hso = hookio_open(out, &root, "hookSpecificOutput");
	hookio_add_str(&hso, "hookEventName", r->hook_event_name);
	if (pre) {
		hookio_render_pre(r, &hso);
	} else if (perm) {
		hookio_render_permission(r, &hso);
	}
	hookio_add_str(&hso, "additionalContext", r->additional_context);
	if (post) {
		/* Honoured by Claude Code for MCP tools only (measured). */
		hookio_add_str(&hso, "updatedMCPToolOutput",
		               r->updated_mcp_output);
	}
	hookio_close(&hso);
	hookio_close(&root);
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
	struct hookio_member m[] = { { .key = "hook_event_name" },
		                     { .key = "permission_mode" },
		                     { .key = NULL } };
	bool is_obj = false;

	memset(out, 0, sizeof *out);
	if (hookio_json_read(buf, len, false, m, &is_obj, NULL) != 0) {
		hookio_members_clear(m);
		out->hook_event_name =
		        hookio_scan_str(buf, len, "hook_event_name");
		out->permission_mode =
		        hookio_scan_str(buf, len, "permission_mode");
		return;
	}
	out->hook_event_name = m[0].value;
	out->permission_mode = m[1].value;
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
