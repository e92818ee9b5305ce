#ifndef AIRLOCK_TUI_ALERT_H
#define AIRLOCK_TUI_ALERT_H

#include <stdbool.h>

/*
 * Telling the approver that something waits: the terminal bell, and a
 * desktop notification (libnotify) when a session bus exists. libnotify
 * blocks up to 25 s on a wedged notification daemon, so it runs on its own
 * thread fed by a one-slot mailbox where the newest message wins: posting
 * never blocks the console.
 */
struct alert;

/* desktop: try desktop notifications (skipped without a session bus).
 * The caller frees with alert_free(). */
struct alert *alert_new(bool desktop);
/* Never blocks: a thread still stuck in libnotify is left to finish on its
 * own. NULL is a no-op. */
void alert_free(struct alert *a);
/* Whether desktop notifications are on. */
bool alert_desktop(const struct alert *a);

/* Rings the bell and posts title/body (plain text, sanitised by the
 * caller; markup is escaped here) to the notifier. */
void alert_post(struct alert *a, const char *title, const char *body);

/* True when DBUS_SESSION_BUS_ADDRESS is set or $XDG_RUNTIME_DIR/bus is a
 * socket: without either, libnotify would try to autolaunch D-Bus. */
bool alert_bus_available(void);

#endif
