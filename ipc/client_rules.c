/*
 * Rules made from calls: the generaliser ("approve always" and "approve
 * for this session" propose a rule in Claude Code's syntax from one call),
 * the matcher that says whether a rule covers a recorded call (session
 * rules and the dry run over the audit history), and the approver-side
 * requests for the daemon's rule ops (daemon_rules.c).
 */
#include "ipc/client.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <nng/nng.h>
#include <nng/protocol/reqrep0/req.h>

#include "core/al.h"
#include "core/buf.h"
#include "core/event.h"
#include "core/rule.h"
#include "core/xalloc.h"
#include "ipc/client_int.h"
#include "ipc/jsonutil.h"
#include "ipc/proto.h"

#define CLIENT_RULES_REQUEST_MS 10000
/* Command words kept in a Bash prefix: `npm run test` of
 * `npm run test -- --watch`. */
#define CLIENT_RULES_MAX_WORDS 3

/* ---- the generaliser ---------------------------------------------------
 */

/* A word that names a subcommand rather than an argument: `run`, `test`,
 * `test:unit`, not `-x`, `./a`, `a.txt`, `x=1` or anything quoted. */
static bool
client_rules_plain_word(const char *w, size_t n)
{
	if (n == 0 || !isalpha((unsigned char)w[0])) {
		return false;
	}
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)w[i];

		if (!isalnum(ch) && ch != '-' && ch != '_' && ch != ':') {
			return false;
		}
	}
	return true;
}

static int
client_rules_bash(const char *command, char **out)
{
	struct rule_cmds cmds = { 0 };
	struct buf b = { 0 };
	const char *w;
	int kept = 0;

	rule_split_command(command, false, &cmds);
	if (cmds.complex || cmds.n == 0 || cmds.v[0].words == NULL ||
	    cmds.v[0].words[0] == '\0') {
		rule_cmds_clear(&cmds);
		return AL_EINVAL;
	}
	/* the first simple command: its name and the subcommand words */
	w = cmds.v[0].words;
	while (*w != '\0' && kept < CLIENT_RULES_MAX_WORDS) {
		size_t n = strcspn(w, " ");

		if (kept > 0 && !client_rules_plain_word(w, n)) {
			break;
		}
		buf_printf(&b, "%s%.*s", kept ? " " : "", (int)n, w);
		kept++;
		w += n;
		w += *w == ' ';
	}
	*out = xasprintf("Bash(%s:*)", b.data);
	buf_free(&b);
	rule_cmds_clear(&cmds);
	return 0;
}

/* The directory of path and everything below it as a pattern: relative
 * below the project (`src/` + `**`), `~/` below home, `//abs/` elsewhere;
 * a file at the project root is named alone (`./Makefile`). */
static char *
client_rules_path_pattern(const char *path, const struct event *ev,
                          const char *project, const char *home)
{
	char *abs = rule_path_resolve(path, ev->cwd ? ev->cwd : project);
	char *slash, *pat;

	if (abs == NULL) {
		return NULL;
	}
	slash = strrchr(abs, '/');
	if (project != NULL && rule_path_within(abs, project) &&
	    strcmp(abs, project) != 0) {
		const char *rel = abs + strlen(project);

		rel += *rel == '/';
		if (strchr(rel, '/') == NULL) {
			pat = xasprintf("./%s", rel);
		} else {
			pat = xasprintf("%.*s/**",
			                (int)(strrchr(rel, '/') - rel), rel);
		}
	} else if (home != NULL && rule_path_within(abs, home) &&
	           strcmp(abs, home) != 0) {
		const char *rel = abs + strlen(home);

		rel += *rel == '/';
		if (strchr(rel, '/') == NULL) {
			pat = xasprintf("~/%s", rel);
		} else {
			pat = xasprintf("~/%.*s/**",
			                (int)(strrchr(rel, '/') - rel), rel);
		}
	} else if (slash != NULL && slash > abs) {
		pat = xasprintf("/%.*s/**", (int)(slash - abs), abs);
	} else {
		pat = xasprintf("/%s", abs);
	}
	free(abs);
	return pat;
}

/* The host of a URL, lowercase; NULL when there is none. */
static char *
client_rules_url_host(const char *url)
{
	const char *p = strstr(url, "://");
	const char *at;
	size_t n;
	char *host;

	p = p ? p + 3 : url;
	n = strcspn(p, "/?#");
	at = memchr(p, '@', n);
	if (at != NULL) {
		n -= (size_t)(at + 1 - p);
		p = at + 1;
	}
	if (n > 0 && p[0] == '[') {
		return NULL; /* an IPv6 literal has no domain rule */
	}
	n = strcspn(p, ":/?#");
	if (n == 0) {
		return NULL;
	}
	host = xstrndup(p, n);
	for (char *h = host; *h; h++) {
		*h = (char)tolower((unsigned char)*h);
	}
	return host;
}

static const char *
client_rules_path_field(const struct event *ev)
{
	const char *keys[] = { "file_path", "notebook_path", "path" };

	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		const char *v = event_field(ev, keys[i]);

		if (v != NULL && *v != '\0') {
			return v;
		}
	}
	return NULL;
}

static const char *
client_rules_family(const char *tool)
{
	static const char *const edit[] = { "Edit", "Write", "MultiEdit",
		                            "NotebookEdit" };
	static const char *const read[] = { "Read", "Glob", "Grep", "LS",
		                            "NotebookRead" };

	for (size_t i = 0; i < 4; i++) {
		if (strcmp(tool, edit[i]) == 0) {
			return "Edit";
		}
	}
	for (size_t i = 0; i < 5; i++) {
		if (strcmp(tool, read[i]) == 0) {
			return "Read";
		}
	}
	return NULL;
}

static int
client_rules_candidate(const struct event *ev, const char *project,
                       const char *home, char **out)
{
	const char *tool = ev->tool_name;
	const char *family = client_rules_family(tool);

	if (strcmp(tool, "Bash") == 0) {
		const char *cmd = event_field(ev, "command");

		return cmd ? client_rules_bash(cmd, out) : AL_EINVAL;
	}
	if (family != NULL) {
		const char *path = client_rules_path_field(ev);
		char *pat = path ? client_rules_path_pattern(path, ev, project,
		                                             home)
		                 : NULL;

		if (pat == NULL) {
			return AL_EINVAL;
		}
		*out = xasprintf("%s(%s)", family, pat);
		free(pat);
		return 0;
	}
	if (strcmp(tool, "WebFetch") == 0) {
		const char *url = event_field(ev, "url");
		char *host = url ? client_rules_url_host(url) : NULL;

		if (host == NULL) {
			return AL_EINVAL;
		}
		*out = xasprintf("WebFetch(domain:%s)", host);
		free(host);
		return 0;
	}
	*out = xstrdup(tool); /* WebSearch, mcp__server__tool, ... */
	return 0;
}

int
client_rules_propose_event(const struct event *ev, const char *project_dir,
                           const char *home, char **out)
{
	char *text = NULL;
	struct rule *r = NULL;

	if (ev == NULL || ev->tool_name == NULL || *ev->tool_name == '\0') {
		return AL_EINVAL;
	}
	if (client_rules_candidate(ev, project_dir, home, &text) != 0) {
		return AL_EINVAL;
	}
	/* whatever we built must read back as a rule, and cover the call */
	if (rule_parse(&r, text, NULL) != 0 ||
	    !client_rules_match(r, ev, project_dir, home)) {
		rule_free(r);
		free(text);
		return AL_EINVAL;
	}
	rule_free(r);
	*out = text;
	return 0;
}

/* ---- the matcher ---------------------------------------------------------
 */

static bool
client_rules_match_bash(const struct rule *r, const char *command)
{
	struct rule_cmds cmds = { 0 };
	bool all;

	rule_split_command(command, false, &cmds);
	/* like an allow rule: every simple command must be covered, and a
	 * line a prefix cannot see through is never covered */
	all = !cmds.complex && cmds.n > 0;
	for (size_t i = 0; all && i < cmds.n; i++) {
		all = cmds.v[i].words != NULL &&
		      rule_match_command(r, cmds.v[i].words);
	}
	rule_cmds_clear(&cmds);
	return all;
}

bool
client_rules_match(const struct rule *r, const struct event *ev,
                   const char *project_dir, const char *home)
{
	struct rule_paths env = { project_dir, home, ev->cwd };
	const char *v;
	char *host;
	bool ok;

	if (ev->tool_name == NULL || !rule_applies_to_tool(r, ev->tool_name)) {
		return false;
	}
	switch (rule_kind(r)) {
	case RULE_TOOL:
		return true;
	case RULE_BASH:
		v = event_field(ev, "command");
		return v != NULL && client_rules_match_bash(r, v);
	case RULE_PATH:
		v = client_rules_path_field(ev);
		v = v ? v : ev->cwd; /* Glob/Grep without a path: cwd */
		return v != NULL && rule_match_path(r, v, &env);
	case RULE_DOMAIN:
		v = event_field(ev, "url");
		host = v ? client_rules_url_host(v) : NULL;
		ok = host != NULL && rule_match_host(r, host);
		free(host);
		return ok;
	}
	return false;
}

static char *
client_rules_scalar(const cJSON *v)
{
	if (cJSON_IsString(v)) {
		return xstrdup(v->valuestring);
	}
	if (cJSON_IsBool(v)) {
		return xstrdup(cJSON_IsTrue(v) ? "true" : "false");
	}
	if (cJSON_IsNumber(v)) {
		char *s = cJSON_PrintUnformatted(v);
		char *out = xstrdup(s);

		cJSON_free(s);
		return out;
	}
	return NULL;
}

int
client_rules_event_from_action(const struct action *a, struct event **out)
{
	struct event *ev;
	cJSON *in = NULL;
	char *err = NULL;
	const cJSON *m;

	if (a->tool_name == NULL || a->tool_input == NULL ||
	    jsonutil_parse_strict(a->tool_input, strlen(a->tool_input), &in,
	                          &err) != 0 ||
	    !cJSON_IsObject(in)) {
		free(err);
		cJSON_Delete(in);
		return AL_EPARSE;
	}
	ev = xcalloc(1, sizeof *ev);
	ev->kind = event_kind_from_name(a->hook_event);
	ev->session_id = a->session_id ? xstrdup(a->session_id) : NULL;
	ev->cwd = a->cwd ? xstrdup(a->cwd) : NULL;
	ev->tool_name = xstrdup(a->tool_name);
	ev->tool_input_json = xstrdup(a->tool_input);
	cJSON_ArrayForEach (m, in) {
		char *s = client_rules_scalar(m);

		if (s != NULL && m->string != NULL) {
			event_add_field(ev, m->string, s);
		}
		free(s);
	}
	cJSON_Delete(in);
	*out = ev;
	return 0;
}

/* ---- requests to the daemon -------------------------------------------
 */

/* One request on the control socket (takes ownership of req). On a daemon
 * error returns its code and sets *err to its message. */
static int
client_rules_call(const struct paths *p, cJSON *req, cJSON **reply, char **err)
{
	char *s = cJSON_PrintUnformatted(req);
	int rc;

	cJSON_Delete(req);
	rc = client_oneshot(p, s, CLIENT_RULES_REQUEST_MS, reply, err);
	cJSON_free(s);
	return rc;
}

static cJSON *
client_rules_op(const char *op, int64_t id, const char *rule)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddNumberToObject(o, "v", AIRLOCK_PROTO_VERSION);
	cJSON_AddStringToObject(o, "op", op);
	if (id != 0) {
		cJSON_AddNumberToObject(o, "id", (double)id);
	}
	if (rule != NULL) {
		cJSON_AddStringToObject(o, "rule", rule);
	}
	return o;
}

/* The "rule" string of a reply into *rule (caller frees), if asked. */
static int
client_rules_simple(const struct paths *p, cJSON *req, char **rule, char **err)
{
	cJSON *reply = NULL;
	int rc = client_rules_call(p, req, &reply, err);
	const char *text;

	if (rc != 0) {
		return rc;
	}
	text = jsonutil_str(reply, "rule");
	if (rule != NULL) {
		*rule = text ? xstrdup(text) : NULL;
	}
	cJSON_Delete(reply);
	return 0;
}

int
client_rules_propose(const struct paths *p, int64_t id, char **rule, char **err)
{
	return client_rules_simple(p, client_rules_op("rule_propose", id, NULL),
	                           rule, err);
}

int
client_rules_approve_session(const struct paths *p, int64_t id, char **rule,
                             char **err)
{
	return client_rules_simple(
	        p, client_rules_op("approve_session", id, NULL), rule, err);
}

int
client_rules_approve_always(const struct paths *p, int64_t id, const char *rule,
                            char **err)
{
	return client_rules_simple(
	        p, client_rules_op("approve_always", id, rule), NULL, err);
}

static int64_t
client_rules_int(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsNumber(v) ? (int64_t)v->valuedouble : 0;
}

int
client_rules_check(const struct paths *p, const char *rule,
                   struct client_rules_report *out, char **err)
{
	cJSON *reply = NULL;
	const cJSON *arr, *e;
	int rc = client_rules_call(p, client_rules_op("rule_check", 0, rule),
	                           &reply, err);

	if (rc != 0) {
		return rc;
	}
	memset(out, 0, sizeof *out);
	out->scanned = client_rules_int(reply, "scanned");
	out->matched = client_rules_int(reply, "matched");
	out->denied = client_rules_int(reply, "denied");
	arr = cJSON_GetObjectItemCaseSensitive(reply, "denied_calls");
	out->examples = xcalloc((size_t)cJSON_GetArraySize(arr) + 1,
	                        sizeof *out->examples);
	cJSON_ArrayForEach (e, arr) {
		struct client_rules_example *x =
		        &out->examples[out->nexamples++];

		x->id = client_rules_int(e, "id");
		x->summary = xstrdup(jsonutil_str(e, "summary")
		                             ? jsonutil_str(e, "summary")
		                             : "");
		x->state = xstrdup(jsonutil_str(e, "state")
		                           ? jsonutil_str(e, "state")
		                           : "");
	}
	cJSON_Delete(reply);
	return 0;
}

void
client_rules_report_clear(struct client_rules_report *r)
{
	for (size_t i = 0; i < r->nexamples; i++) {
		free(r->examples[i].summary);
		free(r->examples[i].state);
	}
	free(r->examples);
	memset(r, 0, sizeof *r);
}
