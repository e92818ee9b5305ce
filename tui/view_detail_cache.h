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
 */
struct view_detail_cache;

/* Details whose input, edited input, result and file on disk add up to
 * more than this are built on the worker. */
#define VIEW_DETAIL_CACHE_ASYNC_BYTES (64u * 1024)

struct view_detail_cache *view_detail_cache_new(void); /* caller frees */
/* Stops the worker (waiting for a build in progress). NULL is a no-op. */
void view_detail_cache_free(struct view_detail_cache *dc);

/*
 * What view_detail_build_read(a, now_ms, read_ms, cols, out) would append
 * to an empty out, borrowed until the next call on dc. Built again only
 * when a differs from the last call in what can change under one id (id,
 * state, edited input, result), read_ms or cols differ, or the file a
 * file tool changes is not as stat() saw it then; otherwise only the clock
 * rows ("Received ... ago", the countdown) are recomputed.
 *
 * *partial is set while a large detail is being built and the lines are
 * the placeholder: the caller must not count them as the call's detail
 * having been seen.
 */
const struct layout_lines *
view_detail_cache_get(struct view_detail_cache *dc, const struct action *a,
                      int64_t now_ms, int64_t read_ms, int cols, bool *partial);

/* Readable when the worker has finished a build: poll() it with the
 * terminal, then call view_detail_cache_collect(). -1 before the first
 * large detail. Never read from or write to it. */
int view_detail_cache_fd(const struct view_detail_cache *dc);

/* Takes a finished build. Returns true when it replaced the placeholder
 * now kept (redraw the detail: the same call's lines have changed), false
 * when there was none or it was for a call no longer shown. */
bool view_detail_cache_collect(struct view_detail_cache *dc);

/* Forgets the kept detail: the next get builds it again. */
void view_detail_cache_reset(struct view_detail_cache *dc);

#endif
