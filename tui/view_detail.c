#include "tui/view_detail.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/sha256.h"
#include "core/xalloc.h"
#include "tui/view_diff.h"
#include "tui/view_json.h"

static const struct {
	const char *tool;
	const char *field;
	const char *label;
} view_detail_fields[] = {
	{ "Bash", "command", "Command" },
	{ "WebFetch", "url", "URL" },
	{ "Read", "file_path", "File" },
	{ "Edit", "file_path", "File" },
	{ "MultiEdit", "file_path", "File" },
	{ "Write", "file_path", "File" },
	{ "NotebookEdit", "notebook_path", "Notebook" },
	{ "WebSearch", "query", "Query" },
	{ "Grep", "pattern", "Pattern" },
	{ "Glob", "pattern", "Pattern" },
};

#define VIEW_DETAIL_NFIELDS \
	(sizeof view_detail_fields / sizeof view_detail_fields[0])

static int
view_detail_field_index(const char *tool)
{
	for (size_t i = 0; tool != NULL && i < VIEW_DETAIL_NFIELDS; i++) {
		if (strcmp(view_detail_fields[i].tool, tool) == 0) {
			return (int)i;
		}
	}
	return -1;
}

const char *
view_detail_span_field(const char *tool_name)
{
	int i = view_detail_field_index(tool_name);

	return i < 0 ? NULL : view_detail_fields[i].field;
}

static void
view_detail_title(const struct action *a, struct layout_lines *ls)
{
	struct layout_line *l = layout_push(ls);
	char badge[16];
	enum theme_role role;

	layout_add_inline(l, ROLE_TITLE, a->tool_name ? a->tool_name : "?");
	layout_badge(&a->risk, badge, sizeof badge, &role);
	for (int c = 1; c < RISK_CAT_COUNT; c++) {
		if (a->risk.mask & RISK_BIT(c)) {
			layout_add(l, ROLE_NORMAL, " ");
			layout_addf(l, role, " %s ",
			            risk_cat_name((enum risk_cat)c));
		}
	}
	if (a->risk.mask == 0) {
		layout_add(l, ROLE_DIM, "  no risk found");
	}
}

static void
view_detail_session(const struct action *a, struct layout_lines *ls)
{
	struct layout_line *l = layout_push(ls);

	layout_add(l, ROLE_LABEL, "Session ");
	layout_add_inline(l, ROLE_NORMAL, a->session_id ? a->session_id : "?");
	l = layout_push(ls);
	layout_add(l, ROLE_LABEL, "In ");
	layout_add_inline(l, ROLE_NORMAL, a->cwd ? a->cwd : "?");
	if (a->permission_mode != NULL) {
		layout_add(l, ROLE_DIM, "  mode ");
		layout_add_inline(l, ROLE_DIM, a->permission_mode);
	}
}

void
view_detail_clock(const struct action *a, int64_t now_ms,
                  struct layout_lines *ls)
{
	struct layout_line *l = layout_push(ls);
	char age[32], left[32];
	bool urgent;

	layout_fmt_duration(now_ms - a->received_ms, age, sizeof age);
	layout_addf(l, ROLE_LABEL, "Received ");
	layout_addf(l, ROLE_NORMAL, "%s ago", age);
	if (a->state == ACTION_PENDING) {
		layout_fmt_countdown(a->deadline_ms, now_ms, left, sizeof left,
		                     &urgent);
		layout_add(l, ROLE_LABEL, "  times out in ");
		layout_add(l, urgent ? ROLE_COUNTDOWN_URGENT : ROLE_COUNTDOWN,
		           left);
		return;
	}
	l = layout_push(ls);
	layout_add(l, ROLE_LABEL, "Outcome ");
	layout_add(l, a->state == ACTION_APPROVED ? ROLE_OK : ROLE_ERROR,
	           action_state_name(a->state));
	if (a->approver != NULL) {
		layout_add(l, ROLE_NORMAL, " by ");
		layout_add_inline(l, ROLE_NORMAL, a->approver);
	}
	if (a->final_reason != NULL && *a->final_reason != '\0') {
		layout_add(l, ROLE_NORMAL, ": ");
		layout_add_inline(l, ROLE_NORMAL, a->final_reason);
	}
}

static void
view_detail_why(const struct action *a, struct layout_lines *ls)
{
	struct layout_line *l;

	if (a->reason != NULL) {
		l = layout_push(ls);
		layout_add(l, ROLE_LABEL, "Why ");
		layout_add_inline(l, ROLE_NORMAL, a->reason);
	}
	if (a->rule != NULL || a->source != NULL) {
		l = layout_push(ls);
		layout_add(l, ROLE_LABEL, "Rule ");
		layout_add_inline(l, ROLE_NORMAL,
		                  a->rule ? a->rule : a->source);
		if (a->rule_file != NULL) {
			layout_add(l, ROLE_DIM, " from ");
			layout_add_inline(l, ROLE_DIM, a->rule_file);
		}
	}
	if (a->tainted) {
		l = layout_push(ls);
		layout_add(l, ROLE_ERROR,
		           "! This session has read untrusted content");
	}
}

static void
view_detail_findings(const struct action *a, struct layout_lines *ls)
{
	struct layout_line *l;

	if (a->risk.nfindings > 0) {
		layout_add(layout_push(ls), ROLE_LABEL, "Findings");
	}
	for (size_t i = 0; i < a->risk.nfindings; i++) {
		const struct risk_finding *f = &a->risk.findings[i];

		l = layout_push(ls);
		layout_addf(l, ROLE_NORMAL, "  * %s%s: ", risk_cat_name(f->cat),
		            f->severity == RISK_SEV_DENY ? " (blocked)" : "");
		layout_add_inline(l, ROLE_NORMAL, f->why ? f->why : "");
	}
	if (a->risk.nhosts > 0) {
		l = layout_push(ls);
		layout_add(l, ROLE_LABEL, "Hosts ");
		for (size_t i = 0; i < a->risk.nhosts; i++) {
			layout_add(l, ROLE_NORMAL, i ? ", " : "");
			layout_add_inline(l, ROLE_FINDING, a->risk.hosts[i]);
		}
	}
}

/* The field the spans index into, with the spans highlighted. */
static void
view_detail_subject(const struct action *a, const char *json,
                    struct layout_lines *ls)
{
	int fi = view_detail_field_index(a->tool_name);
	struct layout_span *spans;
	char *text = NULL;
	size_t len = 0;

	if (fi < 0 || json == NULL ||
	    view_json_string_field(json, view_detail_fields[fi].field, &text,
	                           &len) != 0) {
		return;
	}
	spans = xcalloc(a->risk.nfindings + 1, sizeof *spans);
	for (size_t i = 0; i < a->risk.nfindings; i++) {
		spans[i].start = a->risk.findings[i].start;
		spans[i].end = a->risk.findings[i].end;
	}
	layout_add(layout_push(ls), ROLE_LABEL, view_detail_fields[fi].label);
	layout_pad(layout_push(ls), ROLE_NORMAL, 2);
	layout_add_untrusted(ls, text, len, ROLE_COMMAND, spans,
	                     a->risk.nfindings, ROLE_FINDING, 2);
	free(spans);
	free(text);
}

/* mcp__server__tool: the server and the tool, said plainly. */
static void
view_detail_mcp(const struct action *a, struct layout_lines *ls)
{
	const char *name = a->tool_name;
	const char *sep;
	struct layout_line *l;
	char *server;

	if (name == NULL || strncmp(name, "mcp__", 5) != 0) {
		return;
	}
	sep = strstr(name + 5, "__");
	server = xstrndup(name + 5,
	                  sep ? (size_t)(sep - name - 5) : strlen(name + 5));
	l = layout_push(ls);
	layout_add(l, ROLE_LABEL, "MCP server ");
	layout_add_inline(l, ROLE_NORMAL, server);
	if (sep != NULL) {
		layout_add(l, ROLE_LABEL, "  tool ");
		layout_add_inline(l, ROLE_NORMAL, sep + 2);
	}
	free(server);
}

static void
view_detail_input(const char *label, const char *json, struct layout_lines *ls)
{
	char hex[SHA256_HEX_LEN + 1];
	struct layout_line *l = layout_push(ls);
	size_t n = strlen(json);

	sha256_hex(json, n, hex);
	layout_add(l, ROLE_LABEL, label);
	layout_addf(l, ROLE_DIM, "  %zu bytes  sha256 %.12s", n, hex);
	view_json_pretty(json, n, ls);
}

/* One decoded string member of a JSON result ({"stdout": ...}), so that
 * the approver reads the text itself, not its JSON escapes. Returns 1 when
 * shown, 0 when absent or empty. */
static int
view_detail_result_field(const char *result, const char *key, const char *label,
                         struct layout_lines *ls)
{
	char *text = NULL;
	size_t len = 0;

	if (view_json_string_field(result, key, &text, &len) != 0 || len == 0) {
		free(text);
		return 0;
	}
	layout_addf(layout_push(ls), ROLE_DIM, "  %s", label);
	layout_pad(layout_push(ls), ROLE_NORMAL, 4);
	layout_add_untrusted(ls, text, len, ROLE_NORMAL, NULL, 0, ROLE_NORMAL,
	                     4);
	free(text);
	return 1;
}

/* What the tool returned (PostToolUse): untrusted, shown in full as kept,
 * with the size and hash of the whole. */
static void
view_detail_result(const struct action *a, struct layout_lines *ls)
{
	struct layout_line *l;

	if (a->result == NULL) {
		return;
	}
	l = layout_push(ls);
	layout_add(l, ROLE_LABEL, "Result");
	layout_addf(l, ROLE_DIM, "  %lld bytes", (long long)a->result_size);
	if (a->result_sha256 != NULL) {
		layout_add(l, ROLE_DIM, "  sha256 ");
		layout_add_inline(l, ROLE_DIM, a->result_sha256);
	}
	if ((int64_t)strlen(a->result) < a->result_size) {
		layout_add(l, ROLE_DIM, "  (cut)");
	}
	if (view_detail_result_field(a->result, "stdout", "stdout", ls) +
	            view_detail_result_field(a->result, "stderr", "stderr",
	                                     ls) +
	            view_detail_result_field(a->result, "content", "content",
	                                     ls) >
	    0) {
		return;
	}
	/* not a known shape: the text as kept */
	layout_pad(layout_push(ls), ROLE_NORMAL, 2);
	layout_add_untrusted(ls, a->result, strlen(a->result), ROLE_NORMAL,
	                     NULL, 0, ROLE_NORMAL, 2);
}

void
view_detail_build(const struct action *a, int64_t now_ms, int cols,
                  struct layout_lines *out)
{
	view_detail_build_read(a, now_ms, VIEW_DIFF_READ_UNKNOWN, cols, out);
}

void
view_detail_parts_head(const struct action *a, int64_t now_ms,
                       struct layout_lines *head, struct layout_lines *clock)
{
	view_detail_title(a, head);
	view_detail_session(a, head);
	view_detail_clock(a, now_ms, clock);
}

void
view_detail_parts(const struct action *a, int64_t now_ms, int64_t read_ms,
                  struct layout_lines *head, struct layout_lines *clock,
                  struct layout_lines *tail)
{
	view_detail_parts_head(a, now_ms, head, clock);
	view_detail_why(a, tail);
	view_detail_findings(a, tail);
	view_detail_mcp(a, tail);
	view_detail_subject(a, a->tool_input, tail);
	view_diff_build(a, read_ms, tail);
	if (a->tool_input != NULL) {
		view_detail_input("Input", a->tool_input, tail);
	}
	if (a->edited_input != NULL) {
		view_detail_input("Edited input (approved)", a->edited_input,
		                  tail);
	}
	view_detail_result(a, tail);
}

void
view_detail_wrap(struct layout_lines parts[3], int cols,
                 struct layout_lines *out, size_t *clock_first, size_t *clock_n)
{
	layout_wrap(&parts[0], cols, 2, out);
	*clock_first = out->n;
	layout_wrap(&parts[1], cols, 2, out);
	*clock_n = out->n - *clock_first;
	layout_wrap(&parts[2], cols, 2, out);
	for (int i = 0; i < 3; i++) {
		layout_lines_free(&parts[i]);
	}
}

void
view_detail_build_read(const struct action *a, int64_t now_ms, int64_t read_ms,
                       int cols, struct layout_lines *out)
{
	struct layout_lines parts[3] = { { 0 } };
	size_t first, n;

	view_detail_parts(a, now_ms, read_ms, &parts[0], &parts[1], &parts[2]);
	view_detail_wrap(parts, cols, out, &first, &n);
}
