#ifndef AIRLOCK_IPC_EXPORT_H
#define AIRLOCK_IPC_EXPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/action.h"
#include "core/audit.h"
#include "core/diff.h"

/*
 * JSON for the review verbs (`airlock show/sessions/export/stats/alerts`,
 * witness files), so that tui/ never sees cJSON. Every *_text function
 * returns one line of compact JSON (no line feed) that the caller frees;
 * the field names are documented in docs/audit.md and are stable.
 */

/* The wire form of an action (docs/protocol.md), one line. */
char *export_action_text(const struct action *a);
/* The wire form plus "wait_ms" (decided_ms - received_ms, for a call a
 * human decided), "diff" (unified diff text) when diff is not NULL, and
 * "post" (the wire form of the PostToolUse event that carries the call's
 * result) when post is not NULL. */
char *export_show_text(const struct action *a, const char *diff,
                       const struct action *post);
char *export_session_text(const struct audit_session_info *s);
char *export_alert_text(const struct audit_alert *al);
/* median_decide_ms is null when no call was decided that day. */
char *export_day_text(const struct audit_day *d);

/* json re-indented for people (two spaces per level), or NULL when json
 * is not valid JSON. The caller frees. */
char *export_pretty(const char *json);

/* A witness-file line: {"rows", "head_hash", "time_ms", "time",
 * "database"}. */
char *export_checkpoint_text(const struct audit_checkpoint *cp, int64_t time_ms,
                             const char *database);
/* Parses a witness line back; AL_EPARSE when it is not one. *out is
 * untouched on failure. */
int export_checkpoint_parse(const char *line, struct audit_checkpoint *out,
                            int64_t *time_ms);

/* What a file tool call (Edit, MultiEdit, Write) would do to its file,
 * read from its tool input. Strings are owned by the change. */
struct export_change {
	char *file_path;
	bool is_write; /* Write: content replaces the file */
	char *content; /* Write only */
	size_t content_len;
	struct diff_edit *edits; /* Edit (one) or MultiEdit (several) */
	size_t nedits;
};

/* Fills *out from tool_name and its tool_input JSON. AL_ENOENT when the
 * tool does not change a file, AL_EPARSE when the input is not what the
 * tool takes. Clear *out with export_change_clear() after success. */
int export_file_change(const char *tool_name, const char *tool_input,
                       struct export_change *out);
void export_change_clear(struct export_change *c);

#endif
