#include "ipc/export.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "core/al.h"
#include "core/buf.h"
#include "core/xalloc.h"
#include "ipc/codec.h"
#include "ipc/jsonutil.h"

/* Compact text of o, which is deleted. */
static char *
export_finish(cJSON *o)
{
	char *s = cJSON_PrintUnformatted(o);
	char *r = xstrdup(s ? s : "{}");

	cJSON_free(s);
	cJSON_Delete(o);
	return r;
}

/* ISO 8601 UTC with milliseconds; "" for a time not set. */
static void
export_iso(int64_t ms, char out[32])
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	out[0] = '\0';
	if (ms <= 0 || gmtime_r(&t, &tm) == NULL) {
		return;
	}
	snprintf(out, 32, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
	         (tm.tm_year + 1900) % 10000, (tm.tm_mon + 1) % 100,
	         tm.tm_mday % 100, tm.tm_hour % 100, tm.tm_min % 100,
	         tm.tm_sec % 100, (int)(ms % 1000));
}

static void
export_add_time(cJSON *o, const char *key, int64_t ms)
{
	char iso[32];

	export_iso(ms, iso);
	if (iso[0] != '\0') {
		cJSON_AddStringToObject(o, key, iso);
	}
}

/* A string member, or null: the field is always present. */
static void
export_add_str(cJSON *o, const char *key, const char *v)
{
	if (v != NULL) {
		cJSON_AddStringToObject(o, key, v);
	} else {
		cJSON_AddNullToObject(o, key);
	}
}

char *
export_action_text(const struct action *a)
{
	return codec_action_text(a);
}

static bool
export_human_decided(const struct action *a)
{
	return (a->state == ACTION_APPROVED || a->state == ACTION_DENIED) &&
	       a->decided_ms > 0 && a->approver != NULL;
}

char *
export_show_text(const struct action *a, const char *diff,
                 const struct action *post)
{
	cJSON *o = codec_action_to_json(a);

	if (export_human_decided(a)) {
		cJSON_AddNumberToObject(
		        o, "wait_ms", (double)(a->decided_ms - a->received_ms));
	}
	if (diff != NULL) {
		cJSON_AddStringToObject(o, "diff", diff);
	}
	if (post != NULL) {
		cJSON_AddItemToObject(o, "post", codec_action_to_json(post));
	}
	return export_finish(o);
}

char *
export_session_text(const struct audit_session_info *s)
{
	cJSON *o = cJSON_CreateObject();

	export_add_str(o, "session_id", s->session_id);
	export_add_str(o, "cwd", s->cwd);
	export_add_str(o, "permission_mode", s->permission_mode);
	cJSON_AddNumberToObject(o, "first_seen_ms", (double)s->first_seen_ms);
	export_add_time(o, "first_seen_at", s->first_seen_ms);
	cJSON_AddNumberToObject(o, "last_seen_ms", (double)s->last_seen_ms);
	export_add_time(o, "last_seen_at", s->last_seen_ms);
	cJSON_AddNumberToObject(o, "calls", (double)s->calls);
	cJSON_AddNumberToObject(o, "asked", (double)s->asked);
	cJSON_AddNumberToObject(o, "denied", (double)s->denied);
	cJSON_AddNumberToObject(o, "events", (double)s->events);
	cJSON_AddNumberToObject(o, "imported", (double)s->imported);
	cJSON_AddNumberToObject(o, "alerts", (double)s->alerts);
	return export_finish(o);
}

char *
export_alert_text(const struct audit_alert *al)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddNumberToObject(o, "id", (double)al->id);
	export_add_str(o, "kind", al->kind);
	export_add_str(o, "session_id", al->session_id);
	if (al->action_id > 0) {
		cJSON_AddNumberToObject(o, "action_id", (double)al->action_id);
	} else {
		cJSON_AddNullToObject(o, "action_id");
	}
	export_add_str(o, "message", al->message);
	cJSON_AddNumberToObject(o, "created_ms", (double)al->created_ms);
	export_add_time(o, "created_at", al->created_ms);
	cJSON_AddBoolToObject(o, "acknowledged", al->acked_ms > 0);
	if (al->acked_ms > 0) {
		export_add_str(o, "acknowledged_by", al->acked_by);
		cJSON_AddNumberToObject(o, "acknowledged_uid",
		                        (double)al->acked_uid);
		cJSON_AddNumberToObject(o, "acknowledged_ms",
		                        (double)al->acked_ms);
	}
	return export_finish(o);
}

char *
export_day_text(const struct audit_day *d)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "day", d->day);
	cJSON_AddNumberToObject(o, "calls", (double)d->calls);
	cJSON_AddNumberToObject(o, "allowed", (double)d->allowed);
	cJSON_AddNumberToObject(o, "asked", (double)d->asked);
	cJSON_AddNumberToObject(o, "denied", (double)d->denied);
	cJSON_AddNumberToObject(o, "timed_out", (double)d->timed_out);
	cJSON_AddNumberToObject(o, "imported", (double)d->imported);
	cJSON_AddNumberToObject(o, "decided", (double)d->decided);
	if (d->median_decide_ms >= 0) {
		cJSON_AddNumberToObject(o, "median_decide_ms",
		                        (double)d->median_decide_ms);
	} else {
		cJSON_AddNullToObject(o, "median_decide_ms");
	}
	return export_finish(o);
}

char *
export_pretty(const char *json)
{
	cJSON *v = json ? cJSON_Parse(json) : NULL;
	struct buf b = { 0 };

	if (v == NULL) {
		return NULL;
	}
	char *s = cJSON_Print(v);
	cJSON_Delete(v);
	if (s == NULL) {
		return NULL;
	}
	/* cJSON indents with tabs and puts one after each colon; it escapes
	 * every tab inside strings, so a raw tab is always layout. */
	for (const char *p = s; *p; p++) {
		if (*p == '\t') {
			buf_puts(&b, p > s && p[-1] == ':' ? " " : "  ");
		} else {
			buf_putc(&b, *p);
		}
	}
	cJSON_free(s);
	return buf_steal(&b);
}

char *
export_checkpoint_text(const struct audit_checkpoint *cp, int64_t time_ms,
                       const char *database)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddNumberToObject(o, "rows", (double)cp->rows);
	cJSON_AddStringToObject(o, "head_hash", cp->head_hash);
	cJSON_AddNumberToObject(o, "time_ms", (double)time_ms);
	export_add_time(o, "time", time_ms);
	export_add_str(o, "database", database);
	return export_finish(o);
}

static bool
export_is_hash(const char *s)
{
	if (s == NULL || strlen(s) != 64) {
		return false;
	}
	return strspn(s, "0123456789abcdef") == 64;
}

int
export_checkpoint_parse(const char *line, struct audit_checkpoint *out,
                        int64_t *time_ms)
{
	cJSON *o = NULL;
	char *err = NULL;
	int rc = jsonutil_parse_strict(line, strlen(line), &o, &err);

	free(err);
	if (rc != 0) {
		return AL_EPARSE;
	}
	const cJSON *rows = cJSON_GetObjectItemCaseSensitive(o, "rows");
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(o, "time_ms");
	const char *hash = jsonutil_str(o, "head_hash");
	rc = AL_EPARSE;
	if (cJSON_IsNumber(rows) && rows->valuedouble >= 0 &&
	    export_is_hash(hash)) {
		out->rows = (int64_t)rows->valuedouble;
		snprintf(out->head_hash, sizeof out->head_hash, "%s", hash);
		if (time_ms != NULL) {
			*time_ms =
			        cJSON_IsNumber(t) ? (int64_t)t->valuedouble : 0;
		}
		rc = 0;
	}
	cJSON_Delete(o);
	return rc;
}

/* ---- file changes ------------------------------------------------------- */

/* Fills e only when both strings are there: a failed edit holds none. */
static int
export_edit_from(const cJSON *o, struct diff_edit *e)
{
	const char *old_s = jsonutil_str(o, "old_string");
	const char *new_s = jsonutil_str(o, "new_string");

	if (old_s == NULL || new_s == NULL) {
		return AL_EPARSE;
	}
	e->old_s = xstrdup(old_s);
	e->old_len = strlen(old_s);
	e->new_s = xstrdup(new_s);
	e->new_len = strlen(new_s);
	e->replace_all = cJSON_IsTrue(
	        cJSON_GetObjectItemCaseSensitive(o, "replace_all"));
	return 0;
}

static int
export_edits_from(const cJSON *in, const char *tool, struct export_change *c)
{
	if (strcmp(tool, "Edit") == 0) {
		c->edits = xcalloc(1, sizeof c->edits[0]);
		c->nedits = 1;
		return export_edit_from(in, &c->edits[0]);
	}
	const cJSON *arr = cJSON_GetObjectItemCaseSensitive(in, "edits");
	int n = cJSON_GetArraySize(arr);
	if (!cJSON_IsArray(arr) || n == 0) {
		return AL_EPARSE;
	}
	c->edits = xcalloc((size_t)n, sizeof c->edits[0]);
	const cJSON *e;
	cJSON_ArrayForEach (e, arr) {
		if (export_edit_from(e, &c->edits[c->nedits]) != 0) {
			return AL_EPARSE;
		}
		c->nedits++;
	}
	return 0;
}

static int
export_change_fill(const cJSON *in, const char *tool, struct export_change *c)
{
	const char *path = jsonutil_str(in, "file_path");

	if (path == NULL) {
		return AL_EPARSE;
	}
	c->file_path = xstrdup(path);
	if (strcmp(tool, "Write") == 0) {
		const char *content = jsonutil_str(in, "content");
		if (content == NULL) {
			return AL_EPARSE;
		}
		c->is_write = true;
		c->content = xstrdup(content);
		c->content_len = strlen(content);
		return 0;
	}
	return export_edits_from(in, tool, c);
}

int
export_file_change(const char *tool_name, const char *tool_input,
                   struct export_change *out)
{
	struct export_change c = { 0 };
	cJSON *in = NULL;
	int rc;

	if (tool_name == NULL || (strcmp(tool_name, "Edit") != 0 &&
	                          strcmp(tool_name, "MultiEdit") != 0 &&
	                          strcmp(tool_name, "Write") != 0)) {
		return AL_ENOENT;
	}
	in = tool_input ? cJSON_Parse(tool_input) : NULL;
	rc = cJSON_IsObject(in) ? export_change_fill(in, tool_name, &c)
	                        : AL_EPARSE;
	cJSON_Delete(in);
	if (rc != 0) {
		export_change_clear(&c);
		return rc;
	}
	*out = c;
	return 0;
}

void
export_change_clear(struct export_change *c)
{
	free(c->file_path);
	free(c->content);
	for (size_t i = 0; i < c->nedits; i++) {
		free((void *)c->edits[i].old_s);
		free((void *)c->edits[i].new_s);
	}
	free(c->edits);
	memset(c, 0, sizeof *c);
}
