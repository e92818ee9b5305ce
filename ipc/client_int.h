#ifndef AIRLOCK_IPC_CLIENT_INT_H
#define AIRLOCK_IPC_CLIENT_INT_H

/* Internal to the client files of ipc/ (client*.c). */

#include <cjson/cJSON.h>

#include "core/paths.h"

/* The AL_E* code for a daemon error code ("exists", "forbidden", ...). */
int client_error_code(const char *code);

/*
 * One control request on its own REQ socket (no resend: a request runs
 * once), for operations that must not hold the console's connection. On
 * success *reply is the daemon's reply object (the caller deletes it). On
 * a daemon error returns its code and sets *err (caller frees) to its
 * message; on no answer AL_ETIMEDOUT / AL_ECONN with *err saying so.
 */
int client_oneshot(const struct paths *p, const char *req, int timeout_ms,
                   cJSON **reply, char **err);

#endif
