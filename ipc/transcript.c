#include "ipc/transcript.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "core/al.h"
#include "core/audit.h"
#include "core/buf.h"
#include "core/event.h"
#include "core/xalloc.h"
#include "ipc/jsonutil.h"

/* A transcript is read whole; beyond this it is refused, not truncated,
 * so that reconciliation never silently misses calls. */
#define TRANSCRIPT_MAX_BYTES ((size_t)1 << 30)

/* Parse state: the running context that later lines inherit. */
struct transcript_parser {
	struct transcript *t;
	size_t cap;
	char *permission_mode; /* the last one a line stated */
};

int
transcript_time(const char *iso, int64_t *out)
{
	struct tm tm;
	const char *rest;
	int64_t ms = 0;
	int digits = 0;

	if (iso == NULL) {
		return AL_EPARSE;
	}
	memset(&tm, 0, sizeof tm);
	rest = strptime(iso, "%Y-%m-%dT%H:%M:%S", &tm);
	if (rest == NULL) {
		return AL_EPARSE;
	}
	if (*rest == '.') {
		for (rest++; *rest >= '0' && *rest <= '9'; rest++, digits++) {
			if (digits < 3) {
				ms = ms * 10 + (*rest - '0');
			}
		}
		for (; digits < 3; digits++) {
			ms *= 10;
		}
	}
	if (strcmp(rest, "Z") != 0) {
		return AL_EPARSE;
	}
	*out = (int64_t)timegm(&tm) * 1000 + ms;
	return 0;
}

/* The call with this id, searching from the newest: results follow their
 * calls closely. */
static struct transcript_call *
transcript_find(struct transcript *t, const char *id)
{
	for (size_t i = t->ncalls; i > 0; i--) {
		if (strcmp(t->calls[i - 1].tool_use_id, id) == 0) {
			return &t->calls[i - 1];
		}
	}
	return NULL;
}

/* The summary the hook path would give: event_summary() on the same
 * fields (top-level strings of the input). */
static char *
transcript_summary(const char *tool, const cJSON *input)
{
	struct event *ev = xcalloc(1, sizeof *ev);
	const cJSON *it;

	ev->kind = EVENT_PRE_TOOL_USE;
	ev->tool_name = xstrdup(tool);
	cJSON_ArrayForEach (it, input) {
		if (cJSON_IsString(it)) {
			event_add_field(ev, it->string, it->valuestring);
		}
	}
	char *s = event_summary(ev);
	event_free(ev);
	return s;
}

static struct transcript_call *
transcript_push(struct transcript_parser *p)
{
	struct transcript *t = p->t;

	if (t->ncalls == p->cap) {
		p->cap = p->cap ? 2 * p->cap : 32;
		t->calls = xrealloc(t->calls, p->cap * sizeof t->calls[0]);
	}
	struct transcript_call *c = &t->calls[t->ncalls++];
	memset(c, 0, sizeof *c);
	return c;
}

static void
transcript_tool_use(struct transcript_parser *p, const cJSON *line,
                    const cJSON *block)
{
	const char *id = jsonutil_str(block, "id");
	const char *name = jsonutil_str(block, "name");
	const cJSON *input = cJSON_GetObjectItemCaseSensitive(block, "input");
	int64_t ms = 0;

	if (id == NULL || name == NULL || !cJSON_IsObject(input)) {
		p->t->bad_calls++;
		return;
	}
	if (transcript_find(p->t, id) != NULL) {
		return; /* the same message written twice (resume, compact) */
	}
	struct transcript_call *c = transcript_push(p);
	char *json = cJSON_PrintUnformatted(input);
	c->tool_use_id = xstrdup(id);
	c->session_id = xstrdup(jsonutil_str(line, "sessionId"));
	c->tool_name = xstrdup(name);
	c->tool_input = xstrdup(json ? json : "{}");
	c->summary = transcript_summary(name, input);
	c->cwd = xstrdup(jsonutil_str(line, "cwd"));
	c->permission_mode = xstrdup(p->permission_mode);
	c->sidechain = cJSON_IsTrue(
	        cJSON_GetObjectItemCaseSensitive(line, "isSidechain"));
	if (transcript_time(jsonutil_str(line, "timestamp"), &ms) == 0) {
		c->ms = ms;
	}
	cJSON_free(json);
}

static void
transcript_tool_result(struct transcript_parser *p, const cJSON *line,
                       const cJSON *block)
{
	const char *id = jsonutil_str(block, "tool_use_id");
	struct transcript_call *c = id ? transcript_find(p->t, id) : NULL;
	int64_t ms = 0;

	if (c == NULL) {
		p->t->orphan_results++;
		return;
	}
	c->has_result = true;
	c->is_error = cJSON_IsTrue(
	        cJSON_GetObjectItemCaseSensitive(block, "is_error"));
	if (transcript_time(jsonutil_str(line, "timestamp"), &ms) == 0) {
		c->result_ms = ms;
	}
}

static void
transcript_line(struct transcript_parser *p, const cJSON *line)
{
	const char *type = jsonutil_str(line, "type");
	const char *mode = jsonutil_str(line, "permissionMode");
	const cJSON *msg = cJSON_GetObjectItemCaseSensitive(line, "message");
	const cJSON *content = cJSON_GetObjectItemCaseSensitive(msg, "content");
	const cJSON *b;

	if (mode != NULL) {
		free(p->permission_mode);
		p->permission_mode = xstrdup(mode);
	}
	if (type == NULL || !cJSON_IsArray(content)) {
		return;
	}
	bool assistant = strcmp(type, "assistant") == 0;
	bool user = strcmp(type, "user") == 0;
	cJSON_ArrayForEach (b, content) {
		const char *kind = jsonutil_str(b, "type");
		if (kind == NULL) {
			continue;
		}
		if (assistant && strcmp(kind, "tool_use") == 0) {
			transcript_tool_use(p, line, b);
		} else if (user && strcmp(kind, "tool_result") == 0) {
			transcript_tool_result(p, line, b);
		}
	}
}

static void
transcript_one(struct transcript_parser *p, const char *s, size_t n)
{
	cJSON *line = NULL;
	char *err = NULL;

	while (n > 0 && (s[n - 1] == '\r' || s[n - 1] == ' ')) {
		n--;
	}
	if (n == 0) {
		return;
	}
	p->t->lines++;
	if (jsonutil_parse_strict(s, n, &line, &err) != 0 ||
	    !cJSON_IsObject(line)) {
		p->t->bad_lines++;
	} else {
		transcript_line(p, line);
	}
	free(err);
	cJSON_Delete(line);
}

void
transcript_parse(const char *buf, size_t len, struct transcript **out)
{
	struct transcript_parser p = { .t = xcalloc(1, sizeof *p.t) };
	size_t off = 0;

	while (off < len) {
		const char *nl = memchr(buf + off, '\n', len - off);
		size_t n = nl ? (size_t)(nl - (buf + off)) : len - off;
		transcript_one(&p, buf + off, n);
		off += n + 1;
	}
	free(p.permission_mode);
	*out = p.t;
}

static int
transcript_read(const char *path, struct buf *b, char **err)
{
	FILE *f = fopen(path, "rb");
	char chunk[65536];
	size_t n;

	if (f == NULL) {
		*err = xasprintf("%s: %s", path, strerror(errno));
		return AL_EIO;
	}
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
		if (b->len + n > TRANSCRIPT_MAX_BYTES) {
			fclose(f);
			*err = xasprintf("%s: over %zu bytes", path,
			                 TRANSCRIPT_MAX_BYTES);
			return AL_ETOOBIG;
		}
		buf_append(b, chunk, n);
	}
	int bad = ferror(f);
	fclose(f);
	if (bad) {
		*err = xasprintf("%s: read error", path);
		return AL_EIO;
	}
	return 0;
}

int
transcript_load(const char *path, struct transcript **out, char **err)
{
	struct buf b = { 0 };
	int rc = transcript_read(path, &b, err);

	if (rc == 0) {
		transcript_parse(b.data ? b.data : "", b.len, out);
	}
	buf_free(&b);
	return rc;
}

void
transcript_free(struct transcript *t)
{
	if (t == NULL) {
		return;
	}
	for (size_t i = 0; i < t->ncalls; i++) {
		struct transcript_call *c = &t->calls[i];
		free(c->tool_use_id);
		free(c->session_id);
		free(c->tool_name);
		free(c->tool_input);
		free(c->summary);
		free(c->cwd);
		free(c->permission_mode);
	}
	free(t->calls);
	free(t);
}

struct action *
transcript_action(const struct transcript_call *c, const char *origin)
{
	struct action *a = action_new();
	const char *outcome = !c->has_result ? "; no result in the transcript"
	                      : c->is_error  ? "; the tool reported an error"
	                                     : "";

	a->request_id = xasprintf("import:%s", c->tool_use_id);
	a->session_id = xstrdup(c->session_id);
	a->hook_event = xstrdup("PreToolUse");
	a->tool_name = xstrdup(c->tool_name);
	a->tool_use_id = xstrdup(c->tool_use_id);
	a->cwd = xstrdup(c->cwd);
	a->permission_mode = xstrdup(c->permission_mode);
	a->tool_input = xstrdup(c->tool_input);
	a->summary = xstrdup(c->summary);
	a->received_ms = c->ms;
	a->source = xstrdup(AUDIT_SOURCE_IMPORT);
	a->reason = xasprintf("imported from transcript %s%s%s",
	                      origin ? origin : "-",
	                      c->sidechain ? " (subagent)" : "", outcome);
	a->state = ACTION_DECIDED;
	return a;
}
