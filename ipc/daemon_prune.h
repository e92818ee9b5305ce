#ifndef AIRLOCK_IPC_DAEMON_PRUNE_H
#define AIRLOCK_IPC_DAEMON_PRUNE_H

#include <stdint.h>

#include <nng/nng.h>

struct daemon;

/* The "prune" control op (daemon_prune.c), for daemon_ctl_more.c's
 * table: removes the history recorded before the request's before_ms
 * (audit_prune). Approvers only, never a process started by the agent. */
nng_msg *daemon_prune_op(struct daemon *d, const void *req, uint64_t uid,
                         uint64_t pid, const char *name);

#endif
