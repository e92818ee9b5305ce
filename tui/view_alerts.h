#ifndef AIRLOCK_TUI_VIEW_ALERTS_H
#define AIRLOCK_TUI_VIEW_ALERTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ipc/client.h"
#include "tui/layout.h"

/*
 * The alerts view: what the daemon flagged (tamper attempts, injections,
 * unsupervised executions ...), newest first, and the selected alert in
 * full. An alert's message may quote the agent: it is untrusted and goes
 * through the sanitiser like everything else.
 */

/* The column header matching view_alerts_row. */
void view_alerts_header(int cols, struct layout_line *out);
/* One row for al, cols wide: age, kind, state (NEW, acked, notice),
 * session and message. */
void view_alerts_row(const struct client_alert *al, int64_t now_ms, int cols,
                     bool selected, struct layout_line *out);
/* The selected alert in full, wrapped to cols, appended to out. readonly
 * changes the hint about acknowledging. */
void view_alerts_detail(const struct client_alert *al, int64_t now_ms,
                        bool readonly, int cols, struct layout_lines *out);
/* The status-line count: "2 alerts", "1 alert"; "" when n is 0. */
void view_alerts_count(size_t n, char *buf, size_t size);
/* Whether al can be acknowledged (recorded and not yet acknowledged). */
bool view_alerts_ackable(const struct client_alert *al);

#endif
