#include "tui/view_replay.h"

#include <stdlib.h>
#include <string.h>

#include "core/xalloc.h"
#include "tui/view_detail.h"

static bool
view_replay_is_call(const struct action *a)
{
	return a->verdict != NULL ||
	       (a->source != NULL && strcmp(a->source, "import") == 0);
}

static bool
view_replay_is_result(const struct action *a)
{
	return a->verdict == NULL && a->result != NULL &&
	       a->tool_use_id != NULL;
}

static int
view_replay_cmp(const void *x, const void *y)
{
	const struct action *a = *(const struct action *const *)x;
	const struct action *b = *(const struct action *const *)y;

	return a->id < b->id ? -1 : a->id > b->id;
}

/* The result row for call a among acts, or NULL. */
static const struct action *
view_replay_result_for(const struct action *a, struct action *const *acts,
                       size_t n)
{
	if (a->tool_use_id == NULL) {
		return NULL;
	}
	for (size_t i = 0; i < n; i++) {
		if (view_replay_is_result(acts[i]) &&
		    strcmp(acts[i]->tool_use_id, a->tool_use_id) == 0) {
			return acts[i];
		}
	}
	return NULL;
}

void
view_replay_steps(struct action *const *acts, size_t n, struct action ***out,
                  size_t *nout)
{
	struct action **v = xcalloc(n + 1, sizeof *v);
	size_t k = 0;

	for (size_t i = 0; i < n; i++) {
		const struct action *r;

		if (!view_replay_is_call(acts[i])) {
			continue;
		}
		v[k] = action_dup(acts[i]);
		r = v[k]->result ? NULL
		                 : view_replay_result_for(acts[i], acts, n);
		if (r != NULL) {
			v[k]->result = xstrdup(r->result);
			v[k]->result_size = r->result_size;
			v[k]->result_sha256 =
			        r->result_sha256 ? xstrdup(r->result_sha256)
			                         : NULL;
		}
		k++;
	}
	qsort(v, k, sizeof *v, view_replay_cmp);
	*out = v;
	*nout = k;
}

void
view_replay_free(struct action **steps, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		action_free(steps[i]);
	}
	free(steps);
}

size_t
view_replay_find(struct action *const *steps, size_t nsteps,
                 struct action *const *acts, size_t n, int64_t id)
{
	const char *tu = NULL;

	for (size_t i = 0; i < n; i++) {
		if (acts[i]->id == id) {
			tu = acts[i]->tool_use_id;
		}
	}
	for (size_t i = 0; i < nsteps; i++) {
		if (steps[i]->id == id ||
		    (tu != NULL && steps[i]->tool_use_id != NULL &&
		     strcmp(steps[i]->tool_use_id, tu) == 0)) {
			return i;
		}
	}
	return 0;
}

/* "approved by alice after 12s", "allowed by rule Bash(ls:*)" ... */
static void
view_replay_decision(const struct action *a, struct layout_line *l)
{
	char wait[32];

	layout_add(l, ROLE_LABEL, "Decision ");
	if (a->state == ACTION_DECIDED) {
		layout_add_inline(l, ROLE_NORMAL,
		                  a->verdict ? a->verdict : "?");
		layout_add(l, ROLE_NORMAL, " at once by ");
		layout_add_inline(l, ROLE_NORMAL,
		                  a->rule ? a->rule
		                          : (a->source ? a->source : "?"));
		return;
	}
	layout_add(l, a->state == ACTION_APPROVED ? ROLE_OK : ROLE_ERROR,
	           action_state_name(a->state));
	if (a->approver != NULL) {
		layout_add(l, ROLE_NORMAL, " by ");
		layout_add_inline(l, ROLE_NORMAL, a->approver);
	}
	if (a->decided_ms > 0 && a->received_ms > 0) {
		layout_fmt_duration(a->decided_ms - a->received_ms, wait,
		                    sizeof wait);
		layout_addf(l, ROLE_NORMAL, " after waiting %s", wait);
	}
}

void
view_replay_build(struct action *const *steps, size_t nsteps, size_t i,
                  int64_t now_ms, int cols, struct layout_lines *out)
{
	struct layout_lines head = { 0 };
	struct layout_line *l;
	const struct action *a;

	if (i >= nsteps) {
		layout_add(layout_push(out), ROLE_DIM,
		           "This session has no recorded calls.");
		return;
	}
	a = steps[i];
	l = layout_push(&head);
	layout_addf(l, ROLE_TITLE, "Replay: call %zu of %zu", i + 1, nsteps);
	layout_add(l, ROLE_DIM, "  n next, p previous");
	view_replay_decision(a, layout_push(&head));
	layout_push(&head);
	layout_wrap(&head, cols, 2, out);
	layout_lines_free(&head);
	view_detail_build(a, now_ms, cols, out);
}
