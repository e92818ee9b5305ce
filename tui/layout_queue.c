/*
 * Time formatting (ages and countdowns, also used by the other views) and
 * the queue pane: risk badges, urgency order, and the rows and header of
 * the pending-call list. Part of the layout module (tui/layout.h).
 */
#include "tui/layout.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- time ------------------------------------------------------------------
 */

void
layout_fmt_duration(int64_t ms, char *buf, size_t size)
{
	int64_t s = ms < 0 ? 0 : ms / 1000;

	if (s < 60) {
		snprintf(buf, size, "%ds", (int)s);
	} else if (s < 3600) {
		snprintf(buf, size, "%dm%02ds", (int)(s / 60), (int)(s % 60));
	} else if (s < 86400) {
		snprintf(buf, size, "%dh%02dm", (int)(s / 3600),
		         (int)(s % 3600 / 60));
	} else {
		snprintf(buf, size, "%dd%02dh", (int)(s / 86400),
		         (int)(s % 86400 / 3600));
	}
}

void
layout_fmt_countdown(int64_t deadline_ms, int64_t now_ms, char *buf,
                     size_t size, bool *urgent)
{
	int64_t left = deadline_ms - now_ms;

	*urgent = false;
	if (deadline_ms <= 0) {
		snprintf(buf, size, "-");
		return;
	}
	if (left <= 0) {
		*urgent = true;
		snprintf(buf, size, "expired");
		return;
	}
	*urgent = left < 30000;
	/* round up: "1s" until the very end, never a premature "0s" */
	layout_fmt_duration(left + 999, buf, size);
}

/* ---- the queue
 * ------------------------------------------------------------------ */

/* Categories in the order a badge names them: the worst first. */
static const struct {
	enum risk_cat cat;
	const char *abbrev;
	enum theme_role role;
} layout_badges[] = {
	{ RISK_TAMPER, "TAMP", ROLE_RISK_HIGH },
	{ RISK_DESTRUCTIVE, "DEST", ROLE_RISK_HIGH },
	{ RISK_PRIVILEGE, "PRIV", ROLE_RISK_HIGH },
	{ RISK_SECRET_ACCESS, "SECR", ROLE_RISK_MEDIUM },
	{ RISK_EGRESS, "EGRS", ROLE_RISK_MEDIUM },
	{ RISK_OBFUSCATION, "OBFS", ROLE_RISK_MEDIUM },
	{ RISK_UNPARSED, "UNPR", ROLE_RISK_MEDIUM },
	{ RISK_WORKSPACE_WRITE, "WRIT", ROLE_RISK_LOW },
};

#define LAYOUT_NBADGES (sizeof layout_badges / sizeof layout_badges[0])

void
layout_badge(const struct risk_report *r, char *buf, size_t size,
             enum theme_role *role)
{
	int first = -1, more = 0;

	for (size_t i = 0; i < LAYOUT_NBADGES; i++) {
		if (!(r->mask & RISK_BIT(layout_badges[i].cat))) {
			continue;
		}
		if (first < 0) {
			first = (int)i;
		} else {
			more++;
		}
	}
	*role = first < 0 ? ROLE_RISK_LOW : layout_badges[first].role;
	if (first < 0) {
		snprintf(buf, size, "%s", "");
	} else if (more > 0) {
		snprintf(buf, size, "%s+%d", layout_badges[first].abbrev, more);
	} else {
		snprintf(buf, size, "%s", layout_badges[first].abbrev);
	}
}

/* Higher is worse: the badge table's order, reversed. */
static int
layout_risk_rank(const struct action *a)
{
	for (size_t i = 0; i < LAYOUT_NBADGES; i++) {
		if (a->risk.mask & RISK_BIT(layout_badges[i].cat)) {
			return (int)(LAYOUT_NBADGES - i);
		}
	}
	return 0;
}

bool
layout_is_irreversible(const struct action *a)
{
	return (a->risk.mask &
	        (RISK_BIT(RISK_DESTRUCTIVE) | RISK_BIT(RISK_TAMPER))) != 0;
}

static int
layout_urgency_cmp(const void *pa, const void *pb)
{
	const struct action *a = *(const struct action *const *)pa;
	const struct action *b = *(const struct action *const *)pb;
	int64_t da = a->deadline_ms > 0 ? a->deadline_ms : INT64_MAX;
	int64_t db = b->deadline_ms > 0 ? b->deadline_ms : INT64_MAX;
	int ra = layout_risk_rank(a), rb = layout_risk_rank(b);

	if (da != db) {
		return da < db ? -1 : 1;
	}
	if (ra != rb) {
		return ra > rb ? -1 : 1;
	}
	return a->id < b->id ? -1 : a->id > b->id;
}

void
layout_queue_sort(const struct action *const *in, size_t n,
                  const struct action **out)
{
	for (size_t i = 0; i < n; i++) {
		out[i] = in[i];
	}
	if (n > 1) {
		qsort(out, n, sizeof *out, layout_urgency_cmp);
	}
}

struct layout_columns {
	int badge, session, tool, summary, age, countdown;
};

static void
layout_columns(int cols, struct layout_columns *c)
{
	c->badge = 6;
	c->session = cols >= 100 ? 20 : 12;
	c->tool = cols >= 100 ? 12 : 9;
	c->age = 6;
	c->countdown = 7;
	/* five separating spaces */
	c->summary = cols - c->badge - c->session - c->tool - c->age -
	             c->countdown - 5;
	if (c->summary < 8) {
		c->session = 0;
		c->summary += 13;
	}
	if (c->summary < 1) {
		c->summary = 1;
	}
}

/* Appends field (consumed) to row, cut or padded to exactly cols. */
static void
layout_field(struct layout_line *row, struct layout_line *field, int cols,
             bool right)
{
	layout_line_fit(field, cols);
	if (right) {
		layout_pad(row, ROLE_NORMAL, row->cols + cols - field->cols);
	}
	for (size_t i = 0; i < field->nsegs; i++) {
		layout_add_n(row, field->segs[i].role, field->segs[i].text,
		             strlen(field->segs[i].text), field->segs[i].cols);
	}
	if (!right) {
		layout_pad(row, ROLE_NORMAL, row->cols + cols - field->cols);
	}
	layout_line_clear(field);
}

static const char *
layout_basename(const char *path)
{
	const char *end, *start;

	if (path == NULL || *path == '\0') {
		return "?";
	}
	end = path + strlen(path);
	while (end > path + 1 && end[-1] == '/') {
		end--;
	}
	start = end;
	while (start > path && start[-1] != '/') {
		start--;
	}
	return start;
}

/* "a1b2c3d4 proj": the session's short id and its project directory. */
static void
layout_session_field(const struct action *a, struct layout_line *f)
{
	char sid[7];

	snprintf(sid, sizeof sid, "%s", a->session_id ? a->session_id : "?");
	layout_add_inline(f, ROLE_DIM, sid);
	layout_add(f, ROLE_NORMAL, " ");
	layout_add_inline(f, ROLE_NORMAL, layout_basename(a->cwd));
}

static void
layout_select_roles(struct layout_line *row)
{
	/* markers keep their own role: hostile text stays visible as such */
	for (size_t i = 0; i < row->nsegs; i++) {
		if (row->segs[i].role != ROLE_MARKER) {
			row->segs[i].role = ROLE_SELECTED;
		}
	}
}

void
layout_queue_row(const struct action *a, int64_t now_ms, int cols,
                 bool selected, struct layout_line *out)
{
	struct layout_columns c;
	struct layout_line f = { 0 };
	char buf[32];
	enum theme_role role;
	bool urgent;

	layout_columns(cols, &c);
	layout_badge(&a->risk, buf, sizeof buf, &role);
	layout_add(&f, role, buf);
	layout_field(out, &f, c.badge, false);
	layout_add(out, ROLE_NORMAL, " ");
	if (c.session > 0) {
		layout_session_field(a, &f);
		layout_field(out, &f, c.session, false);
		layout_add(out, ROLE_NORMAL, " ");
	}
	layout_add_inline(&f, ROLE_NORMAL, a->tool_name ? a->tool_name : "?");
	layout_field(out, &f, c.tool, false);
	layout_add(out, ROLE_NORMAL, " ");
	layout_add_inline(&f, ROLE_NORMAL, a->summary ? a->summary : "");
	layout_field(out, &f, c.summary, false);
	layout_add(out, ROLE_NORMAL, " ");
	layout_fmt_duration(now_ms - a->received_ms, buf, sizeof buf);
	layout_add(&f, ROLE_DIM, buf);
	layout_field(out, &f, c.age, true);
	layout_add(out, ROLE_NORMAL, " ");
	layout_fmt_countdown(a->deadline_ms, now_ms, buf, sizeof buf, &urgent);
	layout_add(&f, urgent ? ROLE_COUNTDOWN_URGENT : ROLE_COUNTDOWN, buf);
	layout_field(out, &f, c.countdown, true);
	if (selected) {
		layout_select_roles(out);
	}
}

void
layout_queue_header(int cols, struct layout_line *out)
{
	struct layout_columns c;
	struct layout_line f = { 0 };

	layout_columns(cols, &c);
	layout_add(&f, ROLE_HEADER, "RISK");
	layout_field(out, &f, c.badge, false);
	layout_add(out, ROLE_HEADER, " ");
	if (c.session > 0) {
		layout_add(&f, ROLE_HEADER, "SESSION");
		layout_field(out, &f, c.session, false);
		layout_add(out, ROLE_HEADER, " ");
	}
	layout_add(&f, ROLE_HEADER, "TOOL");
	layout_field(out, &f, c.tool, false);
	layout_add(out, ROLE_HEADER, " ");
	layout_add(&f, ROLE_HEADER, "SUMMARY");
	layout_field(out, &f, c.summary, false);
	layout_add(out, ROLE_HEADER, " ");
	layout_add(&f, ROLE_HEADER, "AGE");
	layout_field(out, &f, c.age, true);
	layout_add(out, ROLE_HEADER, " ");
	layout_add(&f, ROLE_HEADER, "LEFT");
	layout_field(out, &f, c.countdown, true);
}

void
layout_add_cell(struct layout_line *row, enum theme_role role,
                const char *untrusted, int cols)
{
	struct layout_lines tmp = { 0 };
	struct layout_line *f = layout_push(&tmp);

	layout_add_inline(f, role, untrusted ? untrusted : "");
	layout_line_fit(f, cols);
	for (size_t i = 0; i < f->nsegs; i++) {
		layout_add_n(row, f->segs[i].role, f->segs[i].text,
		             strlen(f->segs[i].text), f->segs[i].cols);
	}
	layout_pad(row, ROLE_NORMAL, row->cols + cols - f->cols);
	layout_lines_free(&tmp);
}
