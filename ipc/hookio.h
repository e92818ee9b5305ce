#ifndef AIRLOCK_IPC_HOOKIO_H
#define AIRLOCK_IPC_HOOKIO_H

#include <stdbool.h>
#include <stddef.h>

#include "core/buf.h"

/*
 * What the hook says to Claude Code, and how it decides when the daemon
 * cannot. Claude Code lets a call run on any hook failure (a crash, a
 * timeout, stray output, JSON without hookEventName), so the output built
 * here is the only thing the hook ever prints.
 *
 * The daemon's reply to a hook request is a JSON object:
 *   {"v": 1, "request_id": "...", "hook_event_name": "PreToolUse",
 *    "decision": "allow" | "deny" | "ask" | "defer" | "none",
 *    "reason": "...", "updated_input": {...}, "additional_context": "..."}
 */
enum hookio_decision {
	HOOKIO_NONE = 0, /* no opinion (non-decision events) */
	HOOKIO_ALLOW,
	HOOKIO_DENY,
	HOOKIO_ASK,
	HOOKIO_DEFER,
};

struct hookio_reply {
	enum hookio_decision decision;
	char *hook_event_name; /* NULL when the daemon could not tell */
	char *request_id;
	char *reason;
	char *updated_input; /* compact JSON object text, or NULL */
	char *additional_context;
	char *updated_mcp_output; /* PostToolUse of an MCP tool: replacement */
};

const char *hookio_decision_name(enum hookio_decision d);
bool hookio_decision_from_name(const char *s, enum hookio_decision *out);

/* Parses the daemon's reply. AL_EPARSE on anything malformed (the caller
 * then falls back to deny). */
int hookio_parse_reply(const char *buf, size_t len, struct hookio_reply *out);
/* Serialises a reply (the daemon's side). */
void hookio_format_reply(const struct hookio_reply *r, struct buf *out);
void hookio_reply_clear(struct hookio_reply *r);

/*
 * Renders the output for Claude Code: one JSON object with the exact form
 * this event honours, or nothing (empty buffer) for no opinion. Returns
 * the exit status to use: 0, or 2 when the event name is unknown and the
 * call must be blocked (exit 2 blocks with stderr as the reason; *out then
 * holds that reason for stderr).
 */
int hookio_render(const struct hookio_reply *r, struct buf *out);

/* The event facts the hook needs without the daemon. */
struct hookio_event_info {
	char *hook_event_name;
	char *permission_mode;
};

/* Best effort: extracts hook_event_name and permission_mode from the raw
 * event (NULL members when absent or unparseable). */
void hookio_event_info(const char *buf, size_t len,
                       struct hookio_event_info *out);
void hookio_event_info_clear(struct hookio_event_info *info);

/*
 * The decision when no daemon answers: `ask` (Claude Code's own prompt
 * decides) only in an interactive-capable permission mode (default,
 * acceptEdits, plan) and not in strict mode; `deny` everywhere else
 * (bypassPermissions auto-approves an ask; dontAsk and unknown modes).
 * Never allow. Fills *out with a reason built from why.
 */
void hookio_fallback(const struct hookio_event_info *info, bool strict,
                     const char *why, struct hookio_reply *out);

#endif
