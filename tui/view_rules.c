#include "tui/view_rules.h"

void
view_rules_build(const char *rule, const struct client_rules_report *r,
                 int64_t id, int cols, struct layout_lines *out)
{
	struct layout_lines ls = { 0 };
	struct layout_line *l = layout_push(&ls);

	layout_add(l, ROLE_TITLE, "Approve always: dry run over the history");
	l = layout_push(&ls);
	layout_add(l, ROLE_LABEL, "Rule ");
	/* generalised from the agent's input, then edited: untrusted */
	layout_add_inline(l, ROLE_COMMAND, rule);
	layout_push(&ls);
	l = layout_push(&ls);
	layout_addf(l, ROLE_NORMAL,
	            "It would have allowed %lld of the %lld past calls "
	            "in the audit history.",
	            (long long)r->matched, (long long)r->scanned);
	l = layout_push(&ls);
	layout_addf(l, r->denied ? ROLE_ERROR : ROLE_OK,
	            "%lld of those were denied at the time%s",
	            (long long)r->denied, r->denied ? ":" : ".");
	for (size_t i = 0; i < r->nexamples; i++) {
		l = layout_push(&ls);
		layout_addf(l, ROLE_DIM, "  #%lld ",
		            (long long)r->examples[i].id);
		layout_add_inline(l, ROLE_ERROR, r->examples[i].state);
		layout_add(l, ROLE_NORMAL, "  ");
		layout_add_inline(l, ROLE_NORMAL, r->examples[i].summary);
	}
	if ((int64_t)r->nexamples < r->denied) {
		layout_addf(layout_push(&ls), ROLE_DIM, "  ... and %lld more",
		            (long long)(r->denied - (int64_t)r->nexamples));
	}
	layout_push(&ls);
	layout_add(layout_push(&ls), ROLE_DIM,
	           "Saved to your policy file (permissions.allow); the daemon "
	           "reloads it at once. Calls the classifier flags "
	           "(destructive, egress ...) still ask.");
	l = layout_push(&ls);
	layout_add(l, ROLE_LEGEND_KEY, "y");
	layout_addf(l, ROLE_LEGEND, " save and approve #%lld   ",
	            (long long)id);
	layout_add(l, ROLE_LEGEND_KEY, "e");
	layout_add(l, ROLE_LEGEND, " edit the rule   ");
	layout_add(l, ROLE_LEGEND_KEY, "any other key");
	layout_add(l, ROLE_LEGEND, " cancels");
	layout_wrap(&ls, cols, 2, out);
	layout_lines_free(&ls);
}
