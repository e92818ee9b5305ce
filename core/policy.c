#include "core/policy.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "core/al.h"
#include "core/buf.h"
#include "core/classify.h"
#include "core/rule.h"
#include "core/xalloc.h"

#define POLICY_DEFAULT_TIMEOUT 300
#define POLICY_LISTS           3

struct policy_rule {
	struct rule *rule;
	char *file;
	int line;
};

struct policy {
	struct policy_rule *rules[POLICY_LISTS]; /* indexed by verdict */
	size_t nrules[POLICY_LISTS];
	char **egress;
	size_t negress;
	bool strict;
	int approval_timeout;
	uint32_t taint_mask;
};

/* What kind of call an event is, for matching and for the default. */
enum policy_tool {
	POLICY_T_OTHER, /* unknown tool: side effects assumed */
	POLICY_T_BASH,
	POLICY_T_READ,   /* reads a path */
	POLICY_T_WRITE,  /* writes a path */
	POLICY_T_FETCH,  /* WebFetch */
	POLICY_T_SEARCH, /* WebSearch */
	POLICY_T_MCP,
	POLICY_T_SESSION, /* acts on the session only: todo lists, subagents */
};

/* One call being decided: the event's fields resolved once. */
struct policy_call {
	const struct event *ev;
	const struct policy_ctx *ctx;
	const char *tool;
	enum policy_tool kind;
	const char *path; /* path tools; NULL means the working directory */
	const char *command;
	char *host;             /* WebFetch */
	struct rule_cmds cmds;  /* strict split, for allow rules */
	struct rule_cmds loose; /* loose split, for deny and ask rules */
	struct rule_paths rp;
};

/* The rules that matched a call, for the result. */
struct policy_match {
	const struct policy_rule *first;
	struct buf texts; /* "a + b" when several allow rules cover a line */
	bool specific;    /* every matching rule has a specifier */
};

static const char *const policy_session_tools[] = {
	"TodoWrite",    "TodoRead",   "Task",          "Agent",
	"ExitPlanMode", "BashOutput", "EnterPlanMode", NULL
};

static const char *const policy_read_tools[] = { "Read", "Glob",         "Grep",
	                                         "LS",   "NotebookRead", NULL };

static const char *const policy_write_tools[] = { "Edit", "Write", "MultiEdit",
	                                          "NotebookEdit", NULL };

static bool
policy_in(const char *const *list, const char *s)
{
	for (size_t i = 0; list[i] != NULL; i++) {
		if (strcmp(list[i], s) == 0) {
			return true;
		}
	}
	return false;
}

const char *
policy_verdict_name(enum policy_verdict v)
{
	switch (v) {
	case POLICY_ALLOW:
		return "allow";
	case POLICY_ASK:
		return "ask";
	case POLICY_DENY:
		return "deny";
	}
	return "deny";
}

int
policy_new(struct policy **out)
{
	struct policy *p = xcalloc(1, sizeof *p);

	p->approval_timeout = POLICY_DEFAULT_TIMEOUT;
	p->taint_mask = RISK_BIT(RISK_EGRESS) | RISK_BIT(RISK_SECRET_ACCESS);
	*out = p;
	return 0;
}

void
policy_free(struct policy *p)
{
	if (p == NULL) {
		return;
	}
	for (int l = 0; l < POLICY_LISTS; l++) {
		for (size_t i = 0; i < p->nrules[l]; i++) {
			rule_free(p->rules[l][i].rule);
			free(p->rules[l][i].file);
		}
		free(p->rules[l]);
	}
	for (size_t i = 0; i < p->negress; i++) {
		free(p->egress[i]);
	}
	free(p->egress);
	free(p);
}

int
policy_add_rule(struct policy *p, enum policy_verdict list, const char *text,
                const char *file, int line, char **err)
{
	struct rule *r = NULL;
	char *why = NULL;
	int rc;

	if ((int)list < 0 || list >= POLICY_LISTS || text == NULL) {
		return AL_EINVAL;
	}
	rc = rule_parse(&r, text, err != NULL ? &why : NULL);
	if (rc != 0) {
		if (err != NULL) {
			*err = file != NULL
			               ? xasprintf("%s:%d: %s", file, line, why)
			               : xstrdup(why);
		}
		free(why);
		return rc;
	}
	p->rules[list] = xrealloc(
	        p->rules[list], (p->nrules[list] + 1) * sizeof *p->rules[list]);
	p->rules[list][p->nrules[list]++] = (struct policy_rule){
		.rule = r, .file = xstrdup(file), .line = line
	};
	return 0;
}

int
policy_add_egress_host(struct policy *p, const char *pattern)
{
	if (pattern == NULL || !rule_host_pattern_valid(pattern)) {
		return AL_EINVAL;
	}
	p->egress = xrealloc(p->egress, (p->negress + 1) * sizeof *p->egress);
	p->egress[p->negress++] = xstrdup(pattern);
	return 0;
}

bool
policy_egress_allowed(const struct policy *p, const char *host)
{
	for (size_t i = 0; i < p->negress; i++) {
		if (rule_host_match(p->egress[i], host)) {
			return true;
		}
	}
	return false;
}

void
policy_set_strict(struct policy *p, bool strict)
{
	p->strict = strict;
}

bool
policy_strict(const struct policy *p)
{
	return p->strict;
}

void
policy_set_approval_timeout(struct policy *p, int seconds)
{
	p->approval_timeout = seconds > 0 ? seconds : POLICY_DEFAULT_TIMEOUT;
}

int
policy_approval_timeout(const struct policy *p)
{
	return p->approval_timeout;
}

void
policy_set_taint_mask(struct policy *p, uint32_t mask)
{
	p->taint_mask = mask;
}

uint32_t
policy_taint_mask(const struct policy *p)
{
	return p->taint_mask;
}

size_t
policy_rule_count(const struct policy *p, enum policy_verdict list)
{
	return ((int)list < 0 || list >= POLICY_LISTS) ? 0 : p->nrules[list];
}

void
policy_result_clear(struct policy_result *r)
{
	free(r->reason);
	free(r->rule);
	free(r->rule_file);
	free(r->source);
	risk_report_clear(&r->risk);
	*r = (struct policy_result){ .verdict = POLICY_DENY };
}

/* ---- the call --------------------------------------------------------- */

/* The host of a URL, as a browser would reach it: after the last '@' of
 * the authority (so http://localhost@evil.com is evil.com), before the
 * port; a backslash ends the authority as '/' does. NULL when none. */
static char *
policy_url_host(const char *url)
{
	const char *a = strstr(url, "://");
	const char *end, *at, *h;
	size_t n;

	a = a != NULL ? a + 3 : url;
	end = a + strcspn(a, "/\\?#");
	at = NULL;
	for (const char *q = a; q < end; q++) {
		at = *q == '@' ? q : at;
	}
	h = at != NULL ? at + 1 : a;
	if (*h == '[') {
		const char *close = memchr(h, ']', (size_t)(end - h));
		n = close != NULL ? (size_t)(close - h) + 1 : (size_t)(end - h);
	} else {
		const char *colon = memchr(h, ':', (size_t)(end - h));
		n = (size_t)((colon != NULL ? colon : end) - h);
	}
	return n > 0 ? xstrndup(h, n) : NULL;
}

static enum policy_tool
policy_tool_kind(const char *tool)
{
	if (strcmp(tool, "Bash") == 0) {
		return POLICY_T_BASH;
	}
	if (policy_in(policy_read_tools, tool)) {
		return POLICY_T_READ;
	}
	if (policy_in(policy_write_tools, tool)) {
		return POLICY_T_WRITE;
	}
	if (strcmp(tool, "WebFetch") == 0) {
		return POLICY_T_FETCH;
	}
	if (strcmp(tool, "WebSearch") == 0) {
		return POLICY_T_SEARCH;
	}
	if (strncmp(tool, "mcp__", 5) == 0) {
		return POLICY_T_MCP;
	}
	if (policy_in(policy_session_tools, tool)) {
		return POLICY_T_SESSION;
	}
	return POLICY_T_OTHER;
}

static const char *
policy_path_field(const struct event *ev)
{
	static const char *const keys[] = { "file_path", "notebook_path",
		                            "path" };

	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		const char *v = event_field(ev, keys[i]);
		if (v != NULL && *v != '\0') {
			return v;
		}
	}
	return NULL;
}

static void
policy_call_init(struct policy_call *c, const struct event *ev,
                 const struct policy_ctx *ctx)
{
	const char *url;

	*c = (struct policy_call){ .ev = ev,
		                   .ctx = ctx,
		                   .tool = ev->tool_name };
	c->kind = policy_tool_kind(c->tool);
	c->rp.project_dir =
	        ctx->project_dir != NULL ? ctx->project_dir : ev->cwd;
	c->rp.home = ctx->home;
	c->rp.cwd = ev->cwd != NULL ? ev->cwd : c->rp.project_dir;
	if (c->kind == POLICY_T_BASH) {
		c->command = event_field(ev, "command");
		if (c->command != NULL) {
			rule_split_command(c->command, false, &c->cmds);
			/* the loose split differs only where the strict one
			 * found something opaque or quotes protect text */
			if (c->cmds.complex ||
			    strchr(c->command, '"') != NULL) {
				rule_split_command(c->command, true, &c->loose);
			}
		}
	} else if (c->kind == POLICY_T_READ || c->kind == POLICY_T_WRITE) {
		c->path = policy_path_field(ev);
	} else if (c->kind == POLICY_T_FETCH) {
		url = event_field(ev, "url");
		c->host = url != NULL ? policy_url_host(url) : NULL;
	}
}

static void
policy_call_clear(struct policy_call *c)
{
	free(c->host);
	rule_cmds_clear(&c->cmds);
	rule_cmds_clear(&c->loose);
}

/* Files whose change would switch airlock or Claude Code's hooks off; the
 * classifier knows them too, this is the policy's own floor for file tools
 * (with the protected paths of the context). */
static bool
policy_is_guarded(const char *abs, const struct policy_call *c)
{
	static const char *const managed[] = {
		"/etc/claude-code", "/Library/Application Support/ClaudeCode",
		NULL
	};
	const char *base = strrchr(abs, '/') + 1;
	char *dir = xstrndup(abs, (size_t)(base - abs));
	bool hit = false;

	for (size_t i = 0; i < c->ctx->nprotected && !hit; i++) {
		const char *pp = c->ctx->protected_paths[i];
		hit = pp != NULL && pp[0] == '/' && rule_path_within(abs, pp);
	}
	for (size_t i = 0; managed[i] != NULL && !hit; i++) {
		hit = rule_path_within(abs, managed[i]);
	}
	/* any .claude/settings*.json, and everything under ~/.claude */
	hit = hit || (strncmp(base, "settings", 8) == 0 && strlen(dir) >= 9 &&
	              strcmp(dir + strlen(dir) - 9, "/.claude/") == 0 &&
	              strcmp(base + strlen(base) - 5, ".json") == 0);
	if (!hit && c->rp.home != NULL && c->rp.home[0] == '/') {
		char *claude = xasprintf("%s/.claude", c->rp.home);
		hit = rule_path_within(abs, claude);
		free(claude);
	}
	free(dir);
	return hit;
}

static void
policy_guard_write(const struct policy_call *c, struct risk_report *r)
{
	char *abs;

	if (c->kind != POLICY_T_WRITE || c->path == NULL ||
	    risk_report_has_deny(r)) {
		return;
	}
	abs = rule_path_resolve(c->path, c->rp.cwd);
	if (abs == NULL) {
		risk_report_add(r, RISK_UNPARSED, RISK_SEV_ASK, 0,
		                strlen(c->path), "relative path, unknown base");
	} else if (policy_is_guarded(abs, c)) {
		risk_report_add(
		        r, RISK_TAMPER, RISK_SEV_DENY, 0, strlen(c->path),
		        "writes airlock's or Claude Code's own settings, "
		        "state or hooks");
	}
	free(abs);
}

/* Runs the classifier on what the call touches. */
static void
policy_classify(const struct policy_call *c, struct risk_report *r)
{
	struct classify_env env = {
		.cwd = c->rp.cwd,
		.project_dir = c->rp.project_dir,
		.home = c->rp.home,
		.protected_paths = c->ctx->protected_paths,
		.nprotected = c->ctx->nprotected,
	};
	const char *url = event_field(c->ev, "url");

	switch (c->kind) {
	case POLICY_T_BASH:
		if (c->command == NULL) {
			risk_report_add(r, RISK_UNPARSED, RISK_SEV_ASK, 0, 0,
			                "Bash call without a command");
		} else {
			classify_bash(c->command, &env, r);
		}
		break;
	case POLICY_T_READ:
	case POLICY_T_WRITE:
		if (c->path != NULL) {
			classify_path(c->path,
			              c->kind == POLICY_T_READ ? CLASSIFY_READ
			                                       : CLASSIFY_WRITE,
			              &env, r);
		}
		policy_guard_write(c, r);
		break;
	case POLICY_T_FETCH:
		if (url == NULL || c->host == NULL) {
			risk_report_add(r, RISK_UNPARSED, RISK_SEV_ASK, 0, 0,
			                "WebFetch without a usable url");
			break;
		}
		classify_url(url, r);
		if ((r->mask & RISK_BIT(RISK_EGRESS)) != 0) {
			risk_report_add_host(r, c->host);
		}
		break;
	case POLICY_T_SEARCH:
		/* the query leaves the machine, to no host the call names */
		risk_report_add(r, RISK_EGRESS, RISK_SEV_ASK, 0, 0,
		                "a web search sends the query off the machine");
		break;
	default:
		break;
	}
}

/* ---- matching --------------------------------------------------------- */

static bool
policy_parts_hit(const struct rule *r, const struct rule_cmds *cmds)
{
	for (size_t i = 0; i < cmds->n; i++) {
		if (rule_match_command(r, cmds->v[i].raw) ||
		    rule_match_command(r, cmds->v[i].words)) {
			return true;
		}
	}
	return false;
}

/* Deny and ask rules over-match: a Bash rule hits when any part of the
 * line, in either split, matches it. */
static bool
policy_rule_hits(const struct rule *r, const struct policy_call *c)
{
	if (!rule_applies_to_tool(r, c->tool)) {
		return false;
	}
	if (rule_kind(r) == RULE_TOOL) {
		return true;
	}
	switch (c->kind) {
	case POLICY_T_BASH:
		return policy_parts_hit(r, &c->cmds) ||
		       policy_parts_hit(r, &c->loose);
	case POLICY_T_READ:
	case POLICY_T_WRITE:
		return rule_match_path(r, c->path != NULL ? c->path : c->rp.cwd,
		                       &c->rp);
	case POLICY_T_FETCH:
		return c->host != NULL && rule_match_host(r, c->host);
	default:
		return false;
	}
}

static void
policy_match_add(struct policy_match *m, const struct policy_rule *pr)
{
	if (m->first == NULL) {
		m->first = pr;
		m->specific = true;
	}
	if (m->texts.len > 0 && strstr(m->texts.data, rule_text(pr->rule))) {
		return;
	}
	buf_printf(&m->texts, "%s%s", m->texts.len > 0 ? " + " : "",
	           rule_text(pr->rule));
	m->specific = m->specific && rule_kind(pr->rule) != RULE_TOOL;
}

static bool
policy_find(const struct policy *p, enum policy_verdict list,
            const struct policy_call *c, struct policy_match *m)
{
	for (size_t i = 0; i < p->nrules[list]; i++) {
		if (policy_rule_hits(p->rules[list][i].rule, c)) {
			policy_match_add(m, &p->rules[list][i]);
			return true;
		}
	}
	return false;
}

/* The first allow rule that covers one part of a Bash line, by its text as
 * written (quotes kept), or NULL. */
static const struct policy_rule *
policy_allow_part(const struct policy *p, const char *tool, const char *raw)
{
	for (size_t i = 0; i < p->nrules[POLICY_ALLOW]; i++) {
		const struct rule *r = p->rules[POLICY_ALLOW][i].rule;
		if (rule_applies_to_tool(r, tool) &&
		    rule_kind(r) == RULE_BASH && rule_match_command(r, raw)) {
			return &p->rules[POLICY_ALLOW][i];
		}
	}
	return NULL;
}

/* A Bash line is allowed by rules only when every part of it is, and only
 * when it holds nothing a text match cannot see through. */
static bool
policy_allow_bash(const struct policy *p, const struct policy_call *c,
                  struct policy_match *m)
{
	for (size_t i = 0; i < p->nrules[POLICY_ALLOW]; i++) {
		const struct rule *r = p->rules[POLICY_ALLOW][i].rule;
		if (rule_applies_to_tool(r, c->tool) &&
		    rule_kind(r) == RULE_TOOL) {
			policy_match_add(m, &p->rules[POLICY_ALLOW][i]);
			return true;
		}
	}
	if (c->command == NULL || c->cmds.complex || c->cmds.n == 0) {
		return false;
	}
	for (size_t i = 0; i < c->cmds.n; i++) {
		const struct policy_rule *pr =
		        policy_allow_part(p, c->tool, c->cmds.v[i].raw);
		if (pr == NULL) {
			buf_free(&m->texts);
			*m = (struct policy_match){ 0 };
			return false;
		}
		policy_match_add(m, pr);
	}
	return true;
}

static bool
policy_find_allow(const struct policy *p, const struct policy_call *c,
                  struct policy_match *m)
{
	if (c->kind == POLICY_T_BASH) {
		return policy_allow_bash(p, c, m);
	}
	return policy_find(p, POLICY_ALLOW, c, m);
}

/* ---- stages ----------------------------------------------------------- */

static void policy_decide(struct policy_result *out, enum policy_verdict v,
                          const char *source, const char *rule,
                          const char *file, const char *fmt, ...)
        __attribute__((format(printf, 6, 7)));

static void
policy_decide(struct policy_result *out, enum policy_verdict v,
              const char *source, const char *rule, const char *file,
              const char *fmt, ...)
{
	struct buf b = { 0 };
	va_list ap;

	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	out->verdict = v;
	out->reason = buf_steal(&b);
	out->source = xstrdup(source);
	out->rule = xstrdup(rule);
	out->rule_file = xstrdup(file);
}

static void
policy_decide_rule(struct policy_result *out, enum policy_verdict v,
                   const struct policy_match *m)
{
	const struct policy_rule *pr = m->first;
	const char *file = pr->file != NULL ? pr->file : "(built in)";

	policy_decide(out, v, "rule", m->texts.data, pr->file,
	              "%s by rule %s (%s:%d)",
	              v == POLICY_DENY  ? "denied"
	              : v == POLICY_ASK ? "needs approval"
	                                : "allowed",
	              m->texts.data, file, pr->line);
}

static bool
policy_stage_builtin(const struct risk_report *r, struct policy_result *out)
{
	for (size_t i = 0; i < r->nfindings; i++) {
		const struct risk_finding *f = &r->findings[i];
		char *rule;
		if (f->severity != RISK_SEV_DENY) {
			continue;
		}
		rule = xasprintf("builtin:%s", risk_cat_name(f->cat));
		policy_decide(out, POLICY_DENY, "builtin", rule, NULL,
		              "blocked by airlock's self-protection: %s",
		              f->why);
		free(rule);
		return true;
	}
	return false;
}

/* True when the call reaches at least one host and every host it reaches
 * is on the egress allowlist. */
static bool
policy_hosts_allowed(const struct policy *p, const struct risk_report *r)
{
	if (r->nhosts == 0) {
		return false;
	}
	for (size_t i = 0; i < r->nhosts; i++) {
		if (!policy_egress_allowed(p, r->hosts[i])) {
			return false;
		}
	}
	return true;
}

/* The first finding that needs a human. An allow rule with a specifier
 * (vouched) names what it lets through, so it may cover egress and secret
 * access; nothing covers the other categories, and in a tainted session
 * nothing covers the taint categories. */
static const struct risk_finding *
policy_counting_finding(const struct policy *p, const struct policy_call *c,
                        const struct risk_report *r, bool vouched)
{
	for (size_t i = 0; i < r->nfindings; i++) {
		const struct risk_finding *f = &r->findings[i];
		uint32_t bit = RISK_BIT(f->cat);
		if (c->ctx->tainted && (p->taint_mask & bit) != 0) {
			return f;
		}
		if ((bit & RISK_NEEDS_HUMAN) == 0) {
			continue;
		}
		if (f->cat == RISK_EGRESS &&
		    (vouched || policy_hosts_allowed(p, r))) {
			continue;
		}
		if (f->cat == RISK_SECRET_ACCESS && vouched) {
			continue;
		}
		return f;
	}
	return NULL;
}

static void
policy_hosts_text(const struct policy *p, const struct risk_report *r,
                  struct buf *b)
{
	for (size_t i = 0; i < r->nhosts; i++) {
		if (!policy_egress_allowed(p, r->hosts[i])) {
			buf_printf(b, "%s%s", b->len > 0 ? ", " : "",
			           r->hosts[i]);
		}
	}
}

static bool
policy_stage_classifier(const struct policy *p, const struct policy_call *c,
                        bool vouched, struct policy_result *out)
{
	const struct risk_finding *f =
	        policy_counting_finding(p, c, &out->risk, vouched);
	struct buf hosts = { 0 };
	char *rule;

	if (f == NULL) {
		return false;
	}
	if (f->cat == RISK_EGRESS) {
		policy_hosts_text(p, &out->risk, &hosts);
	}
	rule = xasprintf("classifier:%s", risk_cat_name(f->cat));
	policy_decide(out, POLICY_ASK, "classifier", rule, NULL,
	              "needs approval: %s%s%s%s%s: %s", risk_cat_name(f->cat),
	              hosts.len > 0 ? " to " : "",
	              hosts.len > 0 ? hosts.data : "",
	              hosts.len > 0 ? " (not on the egress allowlist)" : "",
	              c->ctx->tainted && (p->taint_mask & RISK_BIT(f->cat))
	                      ? " in a session that read untrusted content"
	                      : "",
	              f->why);
	buf_free(&hosts);
	free(rule);
	return true;
}

static void
policy_default_read(const struct policy *p, const struct policy_call *c,
                    struct policy_result *out)
{
	const char *proj = c->rp.project_dir;
	char *abs = rule_path_resolve(c->path != NULL ? c->path : c->rp.cwd,
	                              c->rp.cwd);
	const char *why = NULL;
	enum policy_verdict v = POLICY_ASK;

	if (abs == NULL) {
		why = "cannot tell where the path is";
	} else if (proj != NULL && proj[0] == '/' &&
	           rule_path_within(abs, proj)) {
		v = POLICY_ALLOW;
		why = "read-only tool inside the project";
	} else if (p->strict) {
		why = "read outside the project (strict mode)";
	} else if (c->rp.home != NULL && c->rp.home[0] == '/' &&
	           rule_path_within(abs, c->rp.home)) {
		why = "read in the home directory, outside the project";
	} else {
		v = POLICY_ALLOW;
		why = "read-only tool, outside the project and the home "
		      "directory";
	}
	policy_decide(out, v, "default", NULL, NULL, "%s", why);
	free(abs);
}

/* A Bash line the classifier found nothing in (or only egress to hosts on
 * the allowlist) is a read-only inspection or a build; anything else has
 * side effects. */
static void
policy_default_bash(const struct policy *p, struct policy_result *out)
{
	uint32_t rest = out->risk.mask &
	                ~(RISK_BIT(RISK_BENIGN) | RISK_BIT(RISK_EGRESS));

	if (p->strict) {
		policy_decide(out, POLICY_ASK, "default", NULL, NULL,
		              "no rule allows this command (strict mode)");
	} else if (rest == 0) {
		policy_decide(out, POLICY_ALLOW, "default", NULL, NULL,
		              "the classifier found no side effects");
	} else {
		policy_decide(out, POLICY_ASK, "default", NULL, NULL,
		              "command with side effects and no rule allowing "
		              "it");
	}
}

static void
policy_stage_default(const struct policy *p, const struct policy_call *c,
                     struct policy_result *out)
{
	switch (c->kind) {
	case POLICY_T_SESSION:
		policy_decide(out, POLICY_ALLOW, "default", NULL, NULL,
		              "acts on the session only");
		break;
	case POLICY_T_READ:
		policy_default_read(p, c, out);
		break;
	case POLICY_T_BASH:
		policy_default_bash(p, out);
		break;
	case POLICY_T_FETCH:
		policy_decide(out, POLICY_ALLOW, "default", NULL, NULL,
		              "fetch from a host on the egress allowlist");
		break;
	case POLICY_T_WRITE:
		policy_decide(out, POLICY_ASK, "default", NULL, NULL,
		              "changes a file and no rule allows it");
		break;
	case POLICY_T_MCP:
		policy_decide(out, POLICY_ASK, "default", NULL, NULL,
		              "MCP tools need approval unless a rule allows "
		              "them");
		break;
	case POLICY_T_SEARCH:
	case POLICY_T_OTHER:
		policy_decide(out, POLICY_ASK, "default", NULL, NULL,
		              "no rule allows %s", c->tool);
		break;
	}
}

int
policy_evaluate(const struct policy *p, const struct event *ev,
                const struct policy_ctx *ctx, struct policy_result *out)
{
	const struct policy_ctx none = { 0 };
	struct policy_call c;
	struct policy_match m = { 0 };
	bool allowed;

	*out = (struct policy_result){ .verdict = POLICY_DENY };
	if (p == NULL || ev == NULL || ev->tool_name == NULL ||
	    ev->tool_name[0] == '\0') {
		policy_decide(out, POLICY_DENY, "builtin", NULL, NULL,
		              "malformed call: no tool name");
		return p == NULL || ev == NULL ? AL_EINVAL : 0;
	}
	policy_call_init(&c, ev, ctx != NULL ? ctx : &none);
	policy_classify(&c, &out->risk);
	if (policy_stage_builtin(&out->risk, out)) {
		goto out;
	}
	if (policy_find(p, POLICY_DENY, &c, &m)) {
		policy_decide_rule(out, POLICY_DENY, &m);
		goto out;
	}
	if (policy_find(p, POLICY_ASK, &c, &m)) {
		policy_decide_rule(out, POLICY_ASK, &m);
		goto out;
	}
	allowed = policy_find_allow(p, &c, &m);
	if (policy_stage_classifier(
	            p, &c, allowed && (m.specific || c.kind == POLICY_T_SEARCH),
	            out)) {
		goto out;
	}
	if (allowed) {
		policy_decide_rule(out, POLICY_ALLOW, &m);
		goto out;
	}
	policy_stage_default(p, &c, out);
out:
	buf_free(&m.texts);
	policy_call_clear(&c);
	return 0;
}
