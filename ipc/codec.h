#ifndef AIRLOCK_IPC_CODEC_H
#define AIRLOCK_IPC_CODEC_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "core/action.h"

/*
 * The wire form of an action (docs/protocol.md): one JSON object with the
 * fields of struct action; tool_input and edited_input are embedded as
 * JSON objects, findings as [{"category", "severity", "span", "why"}].
 */
cJSON *codec_action_to_json(const struct action *a);
/* Builds a new action from its wire form; AL_EPROTO on a missing id or a
 * wrong type. The caller frees *out. */
int codec_action_from_json(const cJSON *o, struct action **out);
/* Compact JSON text of an action; the caller frees. */
char *codec_action_text(const struct action *a);
/* The findings and hosts of a report as JSON arrays added to o. */
void codec_add_risk(cJSON *o, const struct risk_report *r);

#endif
