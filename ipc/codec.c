#include "ipc/codec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/al.h"
#include "core/xalloc.h"
#include "ipc/jsonutil.h"

struct codec_str {
	const char *key;
	size_t offset;
};

#define CODEC_STR(k)                           \
	{                                      \
#k, offsetof(struct action, k) \
	}
static const struct codec_str codec_strs[] = {
	CODEC_STR(request_id),
	CODEC_STR(session_id),
	CODEC_STR(hook_event),
	CODEC_STR(tool_name),
	CODEC_STR(tool_use_id),
	CODEC_STR(cwd),
	CODEC_STR(permission_mode),
	CODEC_STR(summary),
	CODEC_STR(verdict),
	CODEC_STR(reason),
	CODEC_STR(rule),
	CODEC_STR(rule_file),
	CODEC_STR(source),
	CODEC_STR(final_reason),
	CODEC_STR(approver),
	CODEC_STR(result),
	CODEC_STR(result_sha256),
};

/* Integers travel as JSON numbers (doubles): exact up to 2^53. */
#define CODEC_MAX_INT 9007199254740992.0

struct codec_int {
	const char *key;
	size_t offset;
};

#define CODEC_INT(k)                           \
	{                                      \
#k, offsetof(struct action, k) \
	}
static const struct codec_int codec_ints[] = {
	CODEC_INT(id),           CODEC_INT(received_ms),
	CODEC_INT(deadline_ms),  CODEC_INT(approver_uid),
	CODEC_INT(approver_pid), CODEC_INT(decided_ms),
	CODEC_INT(result_size),
};

static void
codec_add_object_text(cJSON *o, const char *key, const char *json)
{
	cJSON *v = json ? cJSON_Parse(json) : NULL;

	if (v == NULL && json != NULL) {
		v = cJSON_CreateString(
		        json); /* keep it visible, never lose it */
	}
	if (v != NULL) {
		cJSON_AddItemToObject(o, key, v);
	}
}

/* ISO 8601 UTC beside the raw milliseconds, for people and scripts. */
static void
codec_add_time(cJSON *o, const char *key, int64_t ms)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;
	char buf[96];

	if (ms <= 0 || gmtime_r(&t, &tm) == NULL) {
		return;
	}
	snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
	         tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	         tm.tm_min, tm.tm_sec, (int)(ms % 1000));
	cJSON_AddStringToObject(o, key, buf);
}

void
codec_add_risk(cJSON *o, const struct risk_report *r)
{
	cJSON *arr = cJSON_AddArrayToObject(o, "findings");
	cJSON *hosts = cJSON_AddArrayToObject(o, "hosts");

	for (size_t i = 0; i < r->nfindings; i++) {
		const struct risk_finding *f = &r->findings[i];
		cJSON *e = cJSON_CreateObject();
		cJSON *span = cJSON_CreateArray();
		cJSON_AddStringToObject(e, "category", risk_cat_name(f->cat));
		cJSON_AddStringToObject(e, "severity",
		                        f->severity == RISK_SEV_DENY ? "deny"
		                                                     : "ask");
		cJSON_AddItemToArray(span,
		                     cJSON_CreateNumber((double)f->start));
		cJSON_AddItemToArray(span, cJSON_CreateNumber((double)f->end));
		cJSON_AddItemToObject(e, "span", span);
		cJSON_AddStringToObject(e, "why", f->why ? f->why : "");
		cJSON_AddItemToArray(arr, e);
	}
	for (size_t i = 0; i < r->nhosts; i++) {
		cJSON_AddItemToArray(hosts, cJSON_CreateString(r->hosts[i]));
	}
}

cJSON *
codec_action_to_json(const struct action *a)
{
	cJSON *o = cJSON_CreateObject();

	for (size_t i = 0; i < sizeof codec_ints / sizeof codec_ints[0]; i++) {
		const int64_t *v = (const int64_t *)((const char *)a +
		                                     codec_ints[i].offset);
		cJSON_AddNumberToObject(o, codec_ints[i].key, (double)*v);
	}
	for (size_t i = 0; i < sizeof codec_strs / sizeof codec_strs[0]; i++) {
		char *const *v =
		        (char *const *)((const char *)a + codec_strs[i].offset);
		if (*v != NULL) {
			cJSON_AddStringToObject(o, codec_strs[i].key, *v);
		}
	}
	codec_add_object_text(o, "tool_input", a->tool_input);
	codec_add_object_text(o, "edited_input", a->edited_input);
	codec_add_time(o, "received_at", a->received_ms);
	cJSON_AddStringToObject(o, "state", action_state_name(a->state));
	cJSON_AddBoolToObject(o, "tainted", a->tainted);
	cJSON_AddNumberToObject(o, "tier", a->tier);
	codec_add_risk(o, &a->risk);
	return o;
}

char *
codec_action_text(const struct action *a)
{
	cJSON *o = codec_action_to_json(a);
	char *s = cJSON_PrintUnformatted(o);
	char *r = xstrdup(s ? s : "{}");

	cJSON_free(s);
	cJSON_Delete(o);
	return r;
}

static char *
codec_object_text(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	char *s;
	char *r;

	if (v == NULL || cJSON_IsNull(v)) {
		return NULL;
	}
	if (cJSON_IsString(v)) {
		return xstrdup(v->valuestring);
	}
	s = cJSON_PrintUnformatted(v);
	r = xstrdup(s);
	cJSON_free(s);
	return r;
}

static int
codec_finding_from_json(const cJSON *e, struct risk_report *r)
{
	const cJSON *span = cJSON_GetObjectItemCaseSensitive(e, "span");
	const char *cat = jsonutil_str(e, "category");
	const char *sev = jsonutil_str(e, "severity");
	const char *why = jsonutil_str(e, "why");
	enum risk_cat c;

	if (cat == NULL || !risk_cat_from_name(cat, &c) ||
	    !cJSON_IsArray(span) || cJSON_GetArraySize(span) != 2 ||
	    !cJSON_IsNumber(cJSON_GetArrayItem(span, 0)) ||
	    !cJSON_IsNumber(cJSON_GetArrayItem(span, 1))) {
		return AL_EPROTO;
	}
	double s = cJSON_GetArrayItem(span, 0)->valuedouble;
	double en = cJSON_GetArrayItem(span, 1)->valuedouble;
	/* Bounded before the cast to size_t, which is undefined beyond. */
	if (!(s >= 0) || en < s || en > CODEC_MAX_INT) {
		return AL_EPROTO;
	}
	risk_report_add(r, c,
	                sev && strcmp(sev, "deny") == 0 ? RISK_SEV_DENY
	                                                : RISK_SEV_ASK,
	                (size_t)s, (size_t)en, "%s", why ? why : "");
	return 0;
}

static int
codec_risk_from_json(const cJSON *o, struct risk_report *r)
{
	const cJSON *e;

	cJSON_ArrayForEach (e,
	                    cJSON_GetObjectItemCaseSensitive(o, "findings")) {
		if (codec_finding_from_json(e, r) != 0) {
			return AL_EPROTO;
		}
	}
	cJSON_ArrayForEach (e, cJSON_GetObjectItemCaseSensitive(o, "hosts")) {
		if (cJSON_IsString(e)) {
			risk_report_add_host(r, e->valuestring);
		}
	}
	return 0;
}

/* A present member of the wrong type (or a number out of range, whose
 * cast would be undefined) is refused, never silently dropped. */
static int
codec_scalars_from_json(const cJSON *o, struct action *a)
{
	for (size_t i = 0; i < sizeof codec_ints / sizeof codec_ints[0]; i++) {
		const cJSON *v =
		        cJSON_GetObjectItemCaseSensitive(o, codec_ints[i].key);
		if (v == NULL) {
			continue;
		}
		if (!cJSON_IsNumber(v) || !(v->valuedouble >= -CODEC_MAX_INT) ||
		    v->valuedouble > CODEC_MAX_INT) {
			return AL_EPROTO;
		}
		*(int64_t *)((char *)a + codec_ints[i].offset) =
		        (int64_t)v->valuedouble;
	}
	for (size_t i = 0; i < sizeof codec_strs / sizeof codec_strs[0]; i++) {
		const cJSON *v =
		        cJSON_GetObjectItemCaseSensitive(o, codec_strs[i].key);
		if (v == NULL || cJSON_IsNull(v)) {
			continue;
		}
		if (!cJSON_IsString(v)) {
			return AL_EPROTO;
		}
		*(char **)((char *)a + codec_strs[i].offset) =
		        xstrdup(v->valuestring);
	}
	return 0;
}

int
codec_action_from_json(const cJSON *o, struct action **out)
{
	struct action *a;
	const cJSON *id = cJSON_GetObjectItemCaseSensitive(o, "id");
	const char *state = jsonutil_str(o, "state");

	if (!cJSON_IsObject(o) || !cJSON_IsNumber(id)) {
		return AL_EPROTO;
	}
	a = action_new();
	if (codec_scalars_from_json(o, a) != 0) {
		action_free(a);
		return AL_EPROTO;
	}
	a->tool_input = codec_object_text(o, "tool_input");
	a->edited_input = codec_object_text(o, "edited_input");
	a->tainted =
	        cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "tainted"));
	const cJSON *tier = cJSON_GetObjectItemCaseSensitive(o, "tier");
	a->tier = cJSON_IsNumber(tier) ? tier->valueint : 0;
	const cJSON *st = cJSON_GetObjectItemCaseSensitive(o, "state");
	if ((st != NULL && state == NULL) ||
	    (state != NULL && !action_state_from_name(state, &a->state)) ||
	    codec_risk_from_json(o, &a->risk) != 0) {
		action_free(a);
		return AL_EPROTO;
	}
	*out = a;
	return 0;
}
