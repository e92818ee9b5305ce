#include "core/action.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/al.h"
#include "core/buf.h"
#include "core/redact.h"
#include "core/xalloc.h"

static const char *const action_state_names[] = {
	[ACTION_DECIDED] = "decided",   [ACTION_PENDING] = "pending",
	[ACTION_APPROVED] = "approved", [ACTION_DENIED] = "denied",
	[ACTION_TIMED_OUT] = "timeout", [ACTION_ABANDONED] = "abandoned",
};

#define ACTION_NSTATES \
	(sizeof action_state_names / sizeof action_state_names[0])

const char *
action_state_name(enum action_state s)
{
	if ((size_t)s >= ACTION_NSTATES) {
		return "?";
	}
	return action_state_names[s];
}

bool
action_state_from_name(const char *name, enum action_state *out)
{
	for (size_t i = 0; i < ACTION_NSTATES; i++) {
		if (strcmp(action_state_names[i], name) == 0) {
			*out = (enum action_state)i;
			return true;
		}
	}
	return false;
}

const char *
action_state_decision(enum action_state s)
{
	return s == ACTION_APPROVED ? "allow" : "deny";
}

struct action *
action_new(void)
{
	return xcalloc(1, sizeof(struct action));
}

static void
action_copy_risk(struct risk_report *dst, const struct risk_report *src)
{
	for (size_t i = 0; i < src->nfindings; i++) {
		const struct risk_finding *f = &src->findings[i];
		risk_report_add(dst, f->cat, f->severity, f->start, f->end,
		                "%s", f->why ? f->why : "");
	}
	for (size_t i = 0; i < src->nhosts; i++) {
		risk_report_add_host(dst, src->hosts[i]);
	}
	dst->mask |= src->mask;
}

struct action *
action_dup(const struct action *a)
{
	struct action *d = action_new();

	*d = *a;
	memset(&d->risk, 0, sizeof d->risk);
	d->request_id = xstrdup(a->request_id);
	d->session_id = xstrdup(a->session_id);
	d->hook_event = xstrdup(a->hook_event);
	d->tool_name = xstrdup(a->tool_name);
	d->tool_use_id = xstrdup(a->tool_use_id);
	d->cwd = xstrdup(a->cwd);
	d->permission_mode = xstrdup(a->permission_mode);
	d->tool_input = xstrdup(a->tool_input);
	d->summary = xstrdup(a->summary);
	d->verdict = xstrdup(a->verdict);
	d->reason = xstrdup(a->reason);
	d->rule = xstrdup(a->rule);
	d->rule_file = xstrdup(a->rule_file);
	d->source = xstrdup(a->source);
	d->final_reason = xstrdup(a->final_reason);
	d->approver = xstrdup(a->approver);
	d->edited_input = xstrdup(a->edited_input);
	d->result = xstrdup(a->result);
	d->result_sha256 = xstrdup(a->result_sha256);
	action_copy_risk(&d->risk, &a->risk);
	return d;
}

static void
action_redact_field(char **field)
{
	char *r;

	if (*field == NULL) {
		return;
	}
	r = redact_str(*field);
	free(*field);
	*field = r;
}

struct action *
action_redacted(const struct action *a)
{
	struct action *d = action_dup(a);
	char **fields[] = { &d->tool_input,   &d->summary,      &d->reason,
		            &d->final_reason, &d->edited_input, &d->result };

	for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
		action_redact_field(fields[i]);
	}
	for (size_t i = 0; i < d->risk.nfindings; i++) {
		action_redact_field(&d->risk.findings[i].why);
	}
	return d;
}

void
action_free(struct action *a)
{
	if (a == NULL) {
		return;
	}
	free(a->request_id);
	free(a->session_id);
	free(a->hook_event);
	free(a->tool_name);
	free(a->tool_use_id);
	free(a->cwd);
	free(a->permission_mode);
	free(a->tool_input);
	free(a->summary);
	free(a->verdict);
	free(a->reason);
	free(a->rule);
	free(a->rule_file);
	free(a->source);
	risk_report_clear(&a->risk);
	free(a->final_reason);
	free(a->approver);
	free(a->edited_input);
	free(a->result);
	free(a->result_sha256);
	free(a);
}

/*
 * Encoding, one record per line, fields separated by tabs:
 *   F <category> <severity 0|1> <start> <end> <why>
 *   H <host>
 * Tabs, newlines and backslashes in why/host are escaped as \t \n \\.
 */
static void
risk_put_escaped(struct buf *b, const char *s)
{
	for (; s && *s; s++) {
		if (*s == '\t') {
			buf_puts(b, "\\t");
		} else if (*s == '\n') {
			buf_puts(b, "\\n");
		} else if (*s == '\\') {
			buf_puts(b, "\\\\");
		} else {
			buf_putc(b, *s);
		}
	}
}

char *
risk_report_encode(const struct risk_report *r)
{
	struct buf b = { 0 };

	for (size_t i = 0; i < r->nfindings; i++) {
		const struct risk_finding *f = &r->findings[i];
		buf_printf(&b, "F\t%s\t%d\t%zu\t%zu\t", risk_cat_name(f->cat),
		           (int)f->severity, f->start, f->end);
		risk_put_escaped(&b, f->why);
		buf_putc(&b, '\n');
	}
	for (size_t i = 0; i < r->nhosts; i++) {
		buf_puts(&b, "H\t");
		risk_put_escaped(&b, r->hosts[i]);
		buf_putc(&b, '\n');
	}
	return buf_steal(&b);
}

static char *
risk_unescape(const char *s, size_t n)
{
	struct buf b = { 0 };

	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\\' && i + 1 < n) {
			i++;
			buf_putc(&b, s[i] == 't'   ? '\t'
			             : s[i] == 'n' ? '\n'
			                           : s[i]);
		} else {
			buf_putc(&b, s[i]);
		}
	}
	return buf_steal(&b);
}

static int
risk_decode_finding(const char *line, size_t n, struct risk_report *r)
{
	char cat[32];
	int sev;
	size_t start;
	size_t end;
	int used = 0;
	enum risk_cat c;

	/* The tab before why is matched by hand: a "\t" in a scanf format
	 * skips any run of whitespace, which would eat an empty why's
	 * newline (and the next line with it) or a why's leading spaces. */
	if (sscanf(line, "F\t%31[^\t]\t%d\t%zu\t%zu%n", cat, &sev, &start, &end,
	           &used) != 4 ||
	    used == 0 || (size_t)used >= n || line[used] != '\t') {
		return AL_EPARSE;
	}
	used++;
	if (!risk_cat_from_name(cat, &c) || (sev != 0 && sev != 1)) {
		return AL_EPARSE;
	}
	char *why = risk_unescape(line + used, n - (size_t)used);
	risk_report_add(r, c, (enum risk_severity)sev, start, end, "%s", why);
	free(why);
	return 0;
}

int
risk_report_decode(const char *text, struct risk_report *r)
{
	const char *p = text;

	while (p != NULL && *p != '\0') {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		if (n >= 2 && p[0] == 'H' && p[1] == '\t') {
			char *h = risk_unescape(p + 2, n - 2);
			risk_report_add_host(r, h);
			free(h);
		} else if (n > 0 && risk_decode_finding(p, n, r) != 0) {
			return AL_EPARSE;
		}
		p = nl ? nl + 1 : NULL;
	}
	return 0;
}
