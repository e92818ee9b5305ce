#include "tui/view_help.h"

#include <stdio.h>

bool
view_help_is_decision(enum tui_action a)
{
	return a == ACT_APPROVE || a == ACT_DENY || a == ACT_EDIT ||
	       a == ACT_APPROVE_ALWAYS || a == ACT_APPROVE_SESSION ||
	       a == ACT_ACK_ALERT;
}

void
view_help_build(const struct keymap *km, enum keymap_ctx ctx, bool readonly,
                int cols, struct layout_lines *out)
{
	struct layout_lines ls = { 0 };
	struct layout_line *l = layout_push(&ls);
	char keys[64];

	layout_addf(l, ROLE_TITLE, "Keys (%s view)", keymap_ctx_name(ctx));
	layout_add(l, ROLE_DIM,
	           "   rebind in console.conf: bind queue y approve");
	layout_push(&ls);
	for (int a = 1; a < ACT__COUNT; a++) {
		keymap_keys_for(km, ctx, (enum tui_action)a, keys, sizeof keys);
		l = layout_push(&ls);
		layout_add(l, keys[0] ? ROLE_LEGEND_KEY : ROLE_DIM,
		           keys[0] ? keys : "-");
		layout_pad(l, ROLE_HELP, 16);
		layout_add(l, ROLE_HELP,
		           keymap_action_help((enum tui_action)a));
		if (readonly && view_help_is_decision((enum tui_action)a)) {
			layout_add(l, ROLE_DIM, " (read-only: disabled)");
		}
	}
	layout_wrap(&ls, cols, 16, out);
	layout_lines_free(&ls);
}

/* What the legend offers, per view: the decisions first. */
static const enum tui_action view_help_legend_queue[] = {
	ACT_APPROVE,        ACT_DENY, ACT_EDIT, ACT_APPROVE_SESSION,
	ACT_APPROVE_ALWAYS, ACT_DOWN, ACT_UP,   ACT_PAGE_DOWN,
	ACT_VIEW_HISTORY,   ACT_HELP, ACT_QUIT, ACT_VIEW_ALERTS,
};

static const enum tui_action view_help_legend_alerts[] = {
	ACT_ACK_ALERT,  ACT_DOWN,         ACT_UP,   ACT_PAGE_DOWN,
	ACT_VIEW_QUEUE, ACT_VIEW_HISTORY, ACT_HELP, ACT_QUIT,
};

static const enum tui_action view_help_legend_replay[] = {
	ACT_NEXT_CALL,     ACT_PREV_CALL, ACT_PAGE_DOWN, ACT_PAGE_UP,
	ACT_VIEW_SESSIONS, ACT_HELP,      ACT_QUIT,
};

static const enum tui_action view_help_legend_other[] = {
	ACT_DOWN,          ACT_UP,         ACT_OPEN,
	ACT_SEARCH,        ACT_VIEW_QUEUE, ACT_VIEW_HISTORY,
	ACT_VIEW_SESSIONS, ACT_HELP,       ACT_QUIT,
};

void
view_help_legend(const struct keymap *km, enum keymap_ctx ctx, bool readonly,
                 int cols, struct layout_line *out)
{
	const enum tui_action *list = view_help_legend_other;
	size_t n = sizeof view_help_legend_other /
	           sizeof view_help_legend_other[0];
	char keys[64];

	if (ctx == KEYMAP_CTX_QUEUE) {
		list = view_help_legend_queue;
		n = sizeof view_help_legend_queue /
		    sizeof view_help_legend_queue[0];
	} else if (ctx == KEYMAP_CTX_ALERTS) {
		list = view_help_legend_alerts;
		n = sizeof view_help_legend_alerts /
		    sizeof view_help_legend_alerts[0];
	} else if (ctx == KEYMAP_CTX_REPLAY) {
		list = view_help_legend_replay;
		n = sizeof view_help_legend_replay /
		    sizeof view_help_legend_replay[0];
	}
	for (size_t i = 0; i < n; i++) {
		if (readonly && view_help_is_decision(list[i])) {
			continue;
		}
		keymap_keys_for(km, ctx, list[i], keys, sizeof keys);
		if (keys[0] == '\0') {
			continue;
		}
		layout_add(out, ROLE_LEGEND, out->cols ? "  " : "");
		layout_add(out, ROLE_LEGEND_KEY, keys);
		layout_add(out, ROLE_LEGEND, " ");
		layout_add(out, ROLE_LEGEND, keymap_action_name(list[i]));
	}
	layout_line_fit(out, cols);
}
