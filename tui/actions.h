#ifndef AIRLOCK_TUI_ACTIONS_H
#define AIRLOCK_TUI_ACTIONS_H

/*
 * Every console action, defined once. The enum, the names used in the
 * config (`bind queue a approve`) and the help screen are generated from
 * this list: X(ID, "name", "help text").
 */
#define TUI_ACTIONS(X)                                                    \
	X(APPROVE, "approve", "Approve the selected call")                \
	X(DENY, "deny", "Deny the selected call, with a reason")          \
	X(EDIT, "edit", "Edit the tool input in $EDITOR, then approve")   \
	X(APPROVE_ALWAYS, "approve-always", "Approve and propose a rule") \
	X(APPROVE_SESSION, "approve-session", "Approve for this session") \
	X(UP, "up", "Select the previous item")                           \
	X(DOWN, "down", "Select the next item")                           \
	X(FIRST, "first", "Select the first item")                        \
	X(LAST, "last", "Select the last item")                           \
	X(SCROLL_DOWN, "scroll-down", "Scroll the detail down one line")  \
	X(SCROLL_UP, "scroll-up", "Scroll the detail up one line")        \
	X(PAGE_DOWN, "page-down", "Scroll the detail down one page")      \
	X(PAGE_UP, "page-up", "Scroll the detail up one page")            \
	X(VIEW_QUEUE, "view-queue", "Show the pending queue")             \
	X(VIEW_HISTORY, "view-history", "Show the recent history")        \
	X(VIEW_SESSIONS, "view-sessions", "Show the sessions")            \
	X(VIEW_ALERTS, "view-alerts", "Show the alerts")                  \
	X(ACK_ALERT, "ack-alert", "Acknowledge the selected alert")       \
	X(SEARCH, "search", "Search the history as you type")             \
	X(OPEN, "open", "Replay the session, or the call in its session") \
	X(NEXT_CALL, "next-call", "Replay: step to the next call")        \
	X(PREV_CALL, "prev-call", "Replay: step to the previous call")    \
	X(HELP, "help", "Show or hide this help")                         \
	X(REDRAW, "redraw", "Redraw the screen")                          \
	X(QUIT, "quit", "Quit the console")

enum tui_action {
	ACT_NONE = 0,
#define TUI_ACTION_ENUM(id, name, help) ACT_##id,
	TUI_ACTIONS(TUI_ACTION_ENUM)
#undef TUI_ACTION_ENUM
	ACT__COUNT,
};

#endif
