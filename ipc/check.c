#include "ipc/check.h"

#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "core/al.h"
#include "core/buf.h"
#include "core/xalloc.h"
#include "ipc/event_json.h"

static void
check_add_str(cJSON *o, const char *key, const char *value)
{
	if (value != NULL) {
		cJSON_AddStringToObject(o, key, value);
	} else {
		cJSON_AddNullToObject(o, key);
	}
}

static cJSON *
check_findings(const struct risk_report *r)
{
	cJSON *arr = cJSON_CreateArray();

	for (size_t i = 0; i < r->nfindings; i++) {
		const struct risk_finding *f = &r->findings[i];
		cJSON *o = cJSON_CreateObject();
		cJSON *span = cJSON_CreateArray();
		cJSON_AddStringToObject(o, "category", risk_cat_name(f->cat));
		cJSON_AddItemToArray(span,
		                     cJSON_CreateNumber((double)f->start));
		cJSON_AddItemToArray(span, cJSON_CreateNumber((double)f->end));
		cJSON_AddItemToObject(o, "span", span);
		check_add_str(o, "why", f->why);
		if (f->severity == RISK_SEV_DENY) {
			cJSON_AddStringToObject(o, "severity", "deny");
		}
		cJSON_AddItemToArray(arr, o);
	}
	return arr;
}

static char *
check_print(cJSON *o)
{
	char *s = cJSON_PrintUnformatted(o);
	char *copy;

	cJSON_Delete(o);
	if (s == NULL) {
		abort(); /* cJSON fails only when out of memory */
	}
	copy = xstrdup(s);
	cJSON_free(s);
	return copy;
}

char *
check_result_json(const struct policy_result *r)
{
	cJSON *o = cJSON_CreateObject();
	cJSON *hosts = cJSON_CreateArray();

	cJSON_AddStringToObject(o, "decision", policy_verdict_name(r->verdict));
	check_add_str(o, "reason", r->reason);
	check_add_str(o, "rule", r->rule);
	check_add_str(o, "rule_file", r->rule_file);
	check_add_str(o, "source", r->source);
	cJSON_AddItemToObject(o, "findings", check_findings(&r->risk));
	for (size_t i = 0; i < r->risk.nhosts; i++) {
		cJSON_AddItemToArray(hosts,
		                     cJSON_CreateString(r->risk.hosts[i]));
	}
	cJSON_AddItemToObject(o, "hosts", hosts);
	return check_print(o);
}

static char *
check_other_json(const char *decision, const char *source, const char *reason,
                 size_t line)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "decision", decision);
	cJSON_AddStringToObject(o, "reason", reason);
	cJSON_AddNullToObject(o, "rule");
	cJSON_AddStringToObject(o, "source", source);
	cJSON_AddItemToObject(o, "findings", cJSON_CreateArray());
	cJSON_AddItemToObject(o, "hosts", cJSON_CreateArray());
	if (line > 0) {
		cJSON_AddNumberToObject(o, "line", (double)line);
	}
	return check_print(o);
}

static void
check_count(struct check_stats *st, enum policy_verdict v)
{
	st->allow += v == POLICY_ALLOW;
	st->ask += v == POLICY_ASK;
	st->deny += v == POLICY_DENY;
}

/* Decides one line; returns the JSON to print (the caller frees it). */
static char *
check_line(const char *text, size_t len, size_t lineno, const struct policy *p,
           const struct policy_ctx *ctx, struct check_stats *st)
{
	struct event *ev = NULL;
	struct policy_result r;
	char *err = NULL;
	char *json;

	if (event_json_parse(text, len, &ev, &err) != 0) {
		char *why = xasprintf("invalid event: %s", err ? err : "?");
		json = check_other_json("deny", "invalid", why, lineno);
		free(why);
		free(err);
		st->invalid++;
		st->deny++;
		return json;
	}
	st->events++;
	if (ev->tool_name == NULL) {
		char *why = xasprintf("%s carries no tool call",
		                      ev->hook_event_name ? ev->hook_event_name
		                                          : "the event");
		json = check_other_json("none", "none", why, 0);
		free(why);
		event_free(ev);
		return json;
	}
	policy_evaluate(p, ev, ctx, &r);
	check_count(st, r.verdict);
	json = check_result_json(&r);
	policy_result_clear(&r);
	event_free(ev);
	return json;
}

static bool
check_blank(const char *s, size_t n)
{
	return strspn(s, " \t\r\n") >= n;
}

int
check_stream(FILE *in, FILE *out, const struct policy *p,
             const struct policy_ctx *ctx, struct check_stats *stats)
{
	struct check_stats local = { 0 };
	struct check_stats *st = stats != NULL ? stats : &local;
	char *line = NULL;
	size_t cap = 0, lineno = 0;
	ssize_t n;

	*st = (struct check_stats){ 0 };
	while ((n = getline(&line, &cap, in)) >= 0) {
		char *json;
		lineno++;
		if (check_blank(line, (size_t)n)) {
			continue;
		}
		json = check_line(line, (size_t)n, lineno, p, ctx, st);
		fprintf(out, "%s\n", json);
		free(json);
	}
	free(line);
	if (ferror(in) || fflush(out) != 0 || ferror(out)) {
		return AL_EIO;
	}
	return 0;
}

/* ---- --explain -------------------------------------------------------- */

struct check_tool_field {
	const char *tool;
	const char *key;
};

/* Which tool_input field a call's specifier fills. */
static const struct check_tool_field check_fields[] = {
	{ "Bash", "command" },
	{ "Read", "file_path" },
	{ "Edit", "file_path" },
	{ "Write", "file_path" },
	{ "MultiEdit", "file_path" },
	{ "NotebookEdit", "notebook_path" },
	{ "NotebookRead", "notebook_path" },
	{ "Glob", "pattern" },
	{ "Grep", "pattern" },
	{ "LS", "path" },
	{ "WebFetch", "url" },
	{ "WebSearch", "query" },
};

static const char *
check_field_for(const char *tool)
{
	for (size_t i = 0; i < sizeof check_fields / sizeof check_fields[0];
	     i++) {
		if (strcmp(check_fields[i].tool, tool) == 0) {
			return check_fields[i].key;
		}
	}
	return NULL;
}

static int
check_call_event(const char *call, const char *cwd, struct event **out,
                 char **err)
{
	size_t n = strspn(call, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOP"
	                        "QRSTUVWXYZ0123456789_-");
	size_t len = strlen(call);
	struct event *ev;
	const char *key;

	if (n == 0 || (call[n] != '\0' && (call[n] != '(' || len < n + 2 ||
	                                   call[len - 1] != ')'))) {
		*err = xstrdup("expected Tool or Tool(argument), as in "
		               "'Bash(git push origin main)'");
		return AL_EPARSE;
	}
	ev = xcalloc(1, sizeof *ev);
	ev->kind = EVENT_PRE_TOOL_USE;
	ev->hook_event_name = xstrdup("PreToolUse");
	ev->session_id = xstrdup("explain");
	ev->cwd = xstrdup(cwd);
	ev->tool_name = xstrndup(call, n);
	key = check_field_for(ev->tool_name);
	if (call[n] == '(' && key == NULL) {
		*err = xasprintf("%s takes no argument here", ev->tool_name);
		event_free(ev);
		return AL_EPARSE;
	}
	if (call[n] == '(') {
		char *arg = xstrndup(call + n + 1, len - n - 2);
		event_add_field(ev, key, arg);
		free(arg);
	}
	*out = ev;
	return 0;
}

int
check_event_from_call(const char *call, const char *cwd, struct event **out,
                      char **err)
{
	char *why = NULL;
	int rc;

	if (call == NULL || out == NULL || err == NULL) {
		return AL_EINVAL;
	}
	call += strspn(call, " \t\n");
	if (call[0] != '{') {
		return check_call_event(call, cwd, out, err);
	}
	rc = event_json_parse(call, strlen(call), out, &why);
	if (rc != 0) {
		*err = xasprintf("invalid event: %s", why ? why : "?");
		free(why);
		return AL_EPARSE;
	}
	return 0;
}

/* The analysed text of a call, which finding spans refer to. */
static const char *
check_subject(const struct event *ev)
{
	static const char *const keys[] = { "command", "file_path",
		                            "notebook_path", "url", "path" };

	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		const char *v = event_field(ev, keys[i]);
		if (v != NULL) {
			return v;
		}
	}
	return NULL;
}

/* Writes untrusted text for a terminal: control bytes and every non-ASCII
 * byte as \xNN, so that nothing the agent wrote can move the cursor or
 * hide behind a look-alike letter. */
static void
check_put_safe(FILE *out, const char *s, size_t n)
{
	for (size_t i = 0; i < n && s[i] != '\0'; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 || c >= 0x7f || c == '\\') {
			fprintf(out, "\\x%02x", c);
		} else {
			fputc(c, out);
		}
	}
}

static void
check_explain_findings(FILE *out, const struct policy_result *r,
                       const char *subject)
{
	size_t len = subject != NULL ? strlen(subject) : 0;

	if (r->risk.nfindings == 0) {
		fputs("  findings: none\n", out);
	}
	for (size_t i = 0; i < r->risk.nfindings; i++) {
		const struct risk_finding *f = &r->risk.findings[i];
		fprintf(out, "  finding:  %s%s at [%zu, %zu) ",
		        risk_cat_name(f->cat),
		        f->severity == RISK_SEV_DENY ? " (built-in deny)" : "",
		        f->start, f->end);
		if (f->start < f->end && f->end <= len) {
			fputc('"', out);
			check_put_safe(out, subject + f->start,
			               f->end - f->start);
			fputs("\": ", out);
		}
		check_put_safe(out, f->why, strlen(f->why));
		fputc('\n', out);
	}
	for (size_t i = 0; i < r->risk.nhosts; i++) {
		fputs(i == 0 ? "  hosts:    " : ", ", out);
		check_put_safe(out, r->risk.hosts[i], strlen(r->risk.hosts[i]));
		fputs(i + 1 == r->risk.nhosts ? "\n" : "", out);
	}
}

static void
check_explain_words(FILE *out, const struct event *ev,
                    const struct policy_result *r)
{
	const char *subject = check_subject(ev);

	fputs("call:       ", out);
	check_put_safe(out, ev->tool_name, strlen(ev->tool_name));
	if (subject != NULL) {
		fputc(' ', out);
		check_put_safe(out, subject, strlen(subject));
	}
	fprintf(out, "\n  decision: %s\n  source:   %s\n",
	        policy_verdict_name(r->verdict), r->source);
	if (r->rule != NULL) {
		fputs("  rule:     ", out);
		check_put_safe(out, r->rule, strlen(r->rule));
		fprintf(out, "%s%s\n", r->rule_file ? " from " : "",
		        r->rule_file ? r->rule_file : "");
	}
	fputs("  reason:   ", out);
	check_put_safe(out, r->reason, strlen(r->reason));
	fputc('\n', out);
	check_explain_findings(out, r, subject);
}

int
check_explain(const char *call, FILE *out, const struct policy *p,
              const struct policy_ctx *ctx, bool json)
{
	struct event *ev = NULL;
	struct policy_result r;
	char *err = NULL;
	const char *cwd = ctx != NULL ? ctx->project_dir : NULL;

	if (check_event_from_call(call, cwd, &ev, &err) != 0) {
		fprintf(out, "airlock check: %s\n", err ? err : "bad call");
		free(err);
		return AL_EPARSE;
	}
	policy_evaluate(p, ev, ctx, &r);
	if (json) {
		char *s = check_result_json(&r);
		fprintf(out, "%s\n", s);
		free(s);
	} else {
		check_explain_words(out, ev, &r);
	}
	policy_result_clear(&r);
	event_free(ev);
	return ferror(out) ? AL_EIO : 0;
}
