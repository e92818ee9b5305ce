#ifndef AIRLOCK_TUI_VIEW_JSON_H
#define AIRLOCK_TUI_VIEW_JSON_H

#include <stddef.h>

#include "tui/layout.h"

/*
 * JSON text for display, without a JSON library (tui/ may not use cJSON;
 * only ipc/ knows the wire). These functions scan the text: they never
 * decide anything from it, and the daemon remains the validator.
 */

/* Appends json (n bytes) to out indented by brackets, one member per line,
 * keys in ROLE_JSON_KEY and strings in ROLE_JSON_STRING. Every token goes
 * through the sanitiser. Malformed text is still shown in full. */
void view_json_pretty(const char *json, size_t n, struct layout_lines *out);

/* The decoded value of the string member key at the top level of a JSON
 * object (escapes resolved, \u0000 included, so *len may exceed strlen).
 * *out (caller frees, NUL-terminated) and *len are set on success.
 * AL_ENOENT when absent or not a string, AL_EPARSE when malformed. */
int view_json_string_field(const char *json, const char *key, char **out,
                           size_t *len);

#endif
