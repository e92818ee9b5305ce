#ifndef AIRLOCK_TUI_CONSOLE_H
#define AIRLOCK_TUI_CONSOLE_H

#include <stdbool.h>

#include "core/paths.h"

/*
 * The interactive approval console: a queue of pending actions with a
 * detail pane, history, sessions and help, driven by one poll() loop over
 * the terminal and the daemon client (ipc/client.h).
 */
struct console_opts {
	const struct paths *paths; /* borrowed; required */
	const char *theme;         /* name or path; NULL: config, then "dark" */
	bool readonly;  /* reviewers: everything visible, no decisions */
	bool no_notify; /* no desktop notifications (bell only) */
	/* --osc-notify: OSC 777/9 notifications through the terminal (as
	 * `notify osc` in console.conf) */
	bool osc_notify;
	const char *config_path; /* NULL: <config_dir>/console.conf */
};

/* Runs the console until the user quits. Returns 0, or an AL_E* code when
 * the terminal or the client could not be set up (a message has then been
 * printed to stderr). A daemon that is down is not an error: the console
 * shows "disconnected" and picks it up when it starts. */
int console_run(const struct console_opts *o);

#endif
