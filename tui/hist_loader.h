#ifndef AIRLOCK_TUI_HIST_LOADER_H
#define AIRLOCK_TUI_HIST_LOADER_H

#include <stdbool.h>
#include <stddef.h>

#include "core/action.h"

/*
 * The history view's rows, asked of the daemon on a worker thread, so
 * that switching to the view or typing a search is answered at once even
 * when the newest rows carry megabytes of input (a query returns whole
 * actions). Only the answer to the latest request is delivered: typing
 * "to" never shows the rows of "t" after those of "to".
 */
struct hist_loader;

/* Runs one history query (text: a search or NULL; limit rows, newest
 * first) into *out / *n (the caller frees with client_actions_free()).
 * Called on the worker thread only, one call at a time; ctx is the
 * caller's. Returns 0 or an AL_E* code. */
typedef int (*hist_loader_query_fn)(void *ctx, const char *text, int limit,
                                    struct action ***out, size_t *n);

/* Starts the worker. The caller frees *out with hist_loader_free(); ctx
 * must outlive it. AL_EIO when no pipe or thread could be made. */
int hist_loader_new(struct hist_loader **out, hist_loader_query_fn fn,
                    void *ctx);
/* Waits for a query in progress. NULL is a no-op. */
void hist_loader_free(struct hist_loader *hl);

/* Asks for the rows of text (copied; NULL for all). Supersedes any
 * request not answered yet. */
void hist_loader_submit(struct hist_loader *hl, const char *text, int limit);

/* Readable when an answer is ready: poll() it, then hist_loader_take().
 * Never read from or write to it. */
int hist_loader_fd(const struct hist_loader *hl);

/* Whether the latest request is still unanswered. */
bool hist_loader_busy(const struct hist_loader *hl);

/* Takes the answer to the latest request: true with *out, *n (the
 * caller's) and *rc (the query's result); false when it is not ready. */
bool hist_loader_take(struct hist_loader *hl, struct action ***out, size_t *n,
                      int *rc);

/* Like hist_loader_take(), but waits for the answer; false only when
 * nothing was ever asked or the answer was already taken. For keys that
 * act on the rows: they must see the rows of the latest request. */
bool hist_loader_wait(struct hist_loader *hl, struct action ***out, size_t *n,
                      int *rc);

#endif
