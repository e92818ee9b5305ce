#ifndef AIRLOCK_TUI_VIEW_DETAIL_CACHE_H
#define AIRLOCK_TUI_VIEW_DETAIL_CACHE_H

#include <stdbool.h>
#include <stdint.h>

#include "core/action.h"
#include "tui/layout.h"

/*
 * The selected call's detail, kept between frames. Building a detail is
 * the whole cost of a frame when the call carries a large diff (a
 * 50,000-line Write: ~100 ms), and the console draws a frame for every
 * key and every second. A large detail is built on a worker thread, so a
 * key is answered at once: until it is ready, a short placeholder (the
 * call's first lines and "Preparing the detail ...") stands in for it.
 *
 * The frame that shows the placeholder does no work that grows with the
 * input: the build is only owed. What it takes (the daemon's answer on
 * the session's last Read, a copy of the whole action, the worker's CPU)
 * starts with view_detail_cache_start(), once the placeholder is on
 * screen.
 */
struct view_detail_cache;

/* The session's last Read of the file a file tool changes, as
 * view_diff_build() takes it (a time or a VIEW_DIFF_READ_* value). The
 * lookup may ask the daemon: it is called on the caller's thread, when a
 * detail is built or handed to the worker, and when a kept detail is
 * checked (so it should remember its last answer per call). */
typedef int64_t (*view_detail_cache_read_fn)(void *ctx, const struct action *a);

/* Details whose input, edited input, result and file on disk add up to
 * more than this are built on the worker. */
#define VIEW_DETAIL_CACHE_ASYNC_BYTES (64u * 1024)

/* read and ctx are kept (ctx borrowed for the cache's life); a NULL read
 * stands for VIEW_DIFF_READ_UNKNOWN. The caller frees. */
struct view_detail_cache *view_detail_cache_new(view_detail_cache_read_fn read,
                                                void *ctx);
/* Stops the worker (waiting for a build in progress). NULL is a no-op. */
void view_detail_cache_free(struct view_detail_cache *dc);

/*
 * What view_detail_build_read(a, now_ms, read(ctx, a), cols, out) would
 * append to an empty out, borrowed until the next call on dc. Built again
 * only when a differs from the last call in what can change under one id
 * (id, state, edited input, result), the read time or cols differ, or the
 * file a file tool changes is not as stat() saw it then; otherwise only
 * the clock rows ("Received ... ago", the countdown) are recomputed.
 *
 * A large detail is not built here: the lines are its placeholder, and
 * its build is owed (view_detail_cache_owed()) until
 * view_detail_cache_start(). read is not called for it here.
 *
 * *partial is set while the lines are the placeholder: the caller must
 * not count them as the call's detail having been seen.
 */
const struct layout_lines *view_detail_cache_get(struct view_detail_cache *dc,
                                                 const struct action *a,
                                                 int64_t now_ms, int cols,
                                                 bool *partial);

/* Whether the kept lines are a placeholder whose build has not started. */
bool view_detail_cache_owed(const struct view_detail_cache *dc);

/*
 * Starts the owed build of a: asks read for its read time, copies a
 * (its whole input: the cost grows with it) and hands the copy to the
 * worker. Call it once the placeholder is on screen, with the action the
 * console shows (a pointer that is still valid). Does nothing when no
 * build is owed or a is not the call the placeholder stands for (the
 * next view_detail_cache_get() decides again).
 *
 * Returns true when the detail was built here instead (no worker could
 * be started): the lines changed, as after view_detail_cache_collect().
 */
bool view_detail_cache_start(struct view_detail_cache *dc,
                             const struct action *a, int64_t now_ms);

/* Readable when the worker has finished a build: poll() it with the
 * terminal, then call view_detail_cache_collect(). -1 before the first
 * build is started. Never read from or write to it. */
int view_detail_cache_fd(const struct view_detail_cache *dc);

/* Takes a finished build. Returns true when it replaced the placeholder
 * now kept (redraw the detail: the same call's lines have changed), false
 * when there was none or it was for a call no longer shown. */
bool view_detail_cache_collect(struct view_detail_cache *dc);

/* Forgets the kept detail: the next get builds it again. */
void view_detail_cache_reset(struct view_detail_cache *dc);

#endif
