#ifndef AIRLOCK_IPC_DAEMON_H
#define AIRLOCK_IPC_DAEMON_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/paths.h"

/*
 * airlockd: owns the pending actions, the policy and the audit database.
 * Listens on hook.sock (nng's REP wire protocol served by its own epoll
 * thread, daemon_hooksrv.c; a request held for a human never blocks the
 * others), control.sock (nng REP, one context per outstanding request)
 * and events.sock (nng PUB). Every event is recorded before anyone is told of
 * it; a pending action survives a restart.
 */
struct daemon;

struct daemon_opts {
	int64_t approval_timeout_ms; /* 0: the policy's (default 300 s) */
	int64_t abandon_grace_ms;    /* 0: 15 s */
	const char *hook_group; /* tier 2: group that may reach hook.sock */
	/* --witness FILE: every periodic checkpoint is appended to FILE too
	 * (absolute; borrowed for the daemon's life). NULL: none. */
	const char *witness_path;
	/* --checkpoint-interval SECONDS: how often checkpoints are published
	 * (and witnessed); 0: every 60 s. */
	int64_t checkpoint_interval_ms;
};

/* Opens the database, loads the policy and pending actions, and starts
 * listening. AL_EEXIST when another daemon serves these sockets. On
 * failure *err (caller frees) says why. The caller closes *out. */
int daemon_open(struct daemon **out, const struct paths *paths,
                const struct daemon_opts *opts, char **err);
/* Runs the timer loop (timeouts, abandoned hooks, listener watchdog) until
 * daemon_request_stop() or a stop flag. */
int daemon_run(struct daemon *d, volatile sig_atomic_t *stop_flag);
void daemon_close(struct daemon *d); /* NULL is a no-op */

#endif
