#ifndef AIRLOCK_TUI_VIEW_RULES_H
#define AIRLOCK_TUI_VIEW_RULES_H

#include <stdint.h>

#include "ipc/client.h"
#include "tui/layout.h"

/*
 * "Approve always": the dry run of the rule the approver is about to save,
 * shown in the detail pane before anything is written — how many past
 * audited calls it would have allowed, and which of those were denied at
 * the time.
 */
void view_rules_build(const char *rule, const struct client_rules_report *r,
                      int64_t id, int cols, struct layout_lines *out);

#endif
