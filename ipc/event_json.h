#ifndef AIRLOCK_IPC_EVENT_JSON_H
#define AIRLOCK_IPC_EVENT_JSON_H

#include <stddef.h>

#include "core/event.h"

/* Bounded copy of a tool result kept on the event (the full size is kept
 * beside it). */
#define EVENT_JSON_MAX_RESPONSE (1024u * 1024)

/*
 * Parses one Claude Code hook event (the JSON the hook read on stdin).
 * Every byte is hostile: the text must be one JSON object of at most
 * PROTO_MAX_EVENT bytes, valid UTF-8, without duplicate keys or \u0000,
 * with the fields of its event kind present and of the right type. On
 * success *out is a new event the caller frees with event_free(). On
 * failure returns AL_EPARSE / AL_ETOOBIG / AL_EINVAL and sets *err to a
 * one-line reason the caller frees; *out is untouched.
 */
int event_json_parse(const char *buf, size_t len, struct event **out,
                     char **err);

#endif
