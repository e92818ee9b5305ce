#ifndef AIRLOCK_IPC_CLIENT_PRUNE_H
#define AIRLOCK_IPC_CLIENT_PRUNE_H

#include <stdint.h>

#include "core/audit.h"
#include "core/paths.h"

/* Asks the daemon of p to remove the history recorded before before_ms
 * (the "prune" control op, audit_prune) and waits for it, up to
 * timeout_ms. Fills *out on success. AL_ECONN when no daemon answers;
 * on a refusal returns the daemon's code (AL_EPERM, AL_EINVAL, AL_EDB)
 * and sets *err (caller frees) to its message. */
int client_prune(const struct paths *p, int64_t before_ms, int timeout_ms,
                 struct audit_prune_report *out, char **err);

#endif
