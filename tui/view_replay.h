#ifndef AIRLOCK_TUI_VIEW_REPLAY_H
#define AIRLOCK_TUI_VIEW_REPLAY_H

#include <stddef.h>
#include <stdint.h>

#include "core/action.h"
#include "tui/layout.h"

/*
 * Session replay, like reading a flight recorder: a past session's calls
 * in order, one at a time (tool, input, diff, decision, who, wait time,
 * result), stepped with n/p. Built from the session's history rows.
 */

/* The calls of one session (hook-decided or imported; not PostToolUse and
 * other events) oldest first, each a copy carrying the result of the
 * PostToolUse / PostToolUseFailure with its tool_use_id. acts is in any
 * order. The caller frees *out with view_replay_free(). */
void view_replay_steps(struct action *const *acts, size_t n,
                       struct action ***out, size_t *nout);
void view_replay_free(struct action **steps, size_t n);

/* The index in steps of the call id stands for: the call itself, or the
 * call whose result row id is (same tool_use_id among acts); 0 when not
 * found. */
size_t view_replay_find(struct action *const *steps, size_t nsteps,
                        struct action *const *acts, size_t n, int64_t id);

/* The step's page: where it is in the session, who decided how and after
 * how long, then the call's full detail (view_detail_build). */
void view_replay_build(struct action *const *steps, size_t nsteps, size_t i,
                       int64_t now_ms, int cols, struct layout_lines *out);

#endif
