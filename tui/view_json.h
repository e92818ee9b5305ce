#ifndef AIRLOCK_TUI_VIEW_JSON_H
#define AIRLOCK_TUI_VIEW_JSON_H

#include <stdbool.h>
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

/* A borrowed run of JSON text: a value inside a larger document. */
struct view_json_span {
	const char *s;
	size_t n;
};

/* The raw value of the top-level member key of the object json (n
 * bytes), borrowed. AL_ENOENT when absent, AL_EPARSE when not an object. */
int view_json_field_span(const char *json, size_t n, const char *key,
                         struct view_json_span *out);
/* Decodes a JSON string value; *out is the caller's (NUL-terminated). */
int view_json_string_value(const struct view_json_span *v, char **out,
                           size_t *len);
/* view_json_string_field for an object inside a document. */
int view_json_string_member(const struct view_json_span *obj, const char *key,
                            char **out, size_t *len);
/* Whether member key of obj is the literal true. */
bool view_json_true_member(const struct view_json_span *obj, const char *key);
/* An integer member; AL_ENOENT when absent or not a plain integer. */
int view_json_int_member(const struct view_json_span *obj, const char *key,
                         long long *out);
/* The elements of a JSON array, borrowed spans; *items is the caller's
 * (free()). AL_EPARSE when arr is not an array. */
int view_json_array_items(const struct view_json_span *arr,
                          struct view_json_span **items, size_t *n);

#endif
