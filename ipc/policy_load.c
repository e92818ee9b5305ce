#include "ipc/policy_load.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "core/al.h"
#include "core/buf.h"
#include "core/xalloc.h"

#define PL_MAX_TIMEOUT       86400
#define PL_MAX_ALERT_DENIALS 1000

/* What a file may do to the policy. */
enum pl_role {
	PL_USER,    /* everything */
	PL_PROJECT, /* tighten only */
	PL_CLAUDE,  /* permissions only; bad rules are warnings */
};

/* The line of a node of the tree: of its key when it is an object member,
 * of its text when it is a string. */
struct pl_line {
	const cJSON *node;
	int line;
};

/* One file being read. */
struct pl_file {
	const char *path;
	enum pl_role role;
	char *text;
	size_t len;
	cJSON *root;
	int *tok_lines; /* line of each string token, in document order */
	size_t ntok;
	struct pl_line *lines;
	size_t nlines;
	struct buf *warn;
	bool claude_allow; /* for PL_USER: set by "claude_allow" */
};

/* The state of one load: what the files have set so far. */
struct pl_load {
	struct policy *p;
	struct buf warn;
	bool claude_allow;
	bool strict;
	int timeout;
};

static int pl_fail(char **err, const struct pl_file *f, int line, int rc,
                   const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static int
pl_fail(char **err, const struct pl_file *f, int line, int rc, const char *fmt,
        ...)
{
	struct buf b = { 0 };
	va_list ap;

	if (err == NULL) {
		return rc;
	}
	buf_printf(&b, "%s:%d: ", f->path, line);
	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	*err = buf_steal(&b);
	return rc;
}

static void
pl_warn(const struct pl_file *f, int line, const char *what)
{
	buf_printf(f->warn, "%s%s:%d: %s", f->warn->len > 0 ? "\n" : "",
	           f->path, line, what);
}

/* Reads the whole file. A file that does not exist is AL_ENOENT. */
static int
pl_read(struct pl_file *f, char **err)
{
	FILE *fp = fopen(f->path, "rb");
	struct buf b = { 0 };
	char chunk[4096];
	size_t n;
	int rc = 0;

	if (fp == NULL) {
		if (errno == ENOENT) {
			return AL_ENOENT;
		}
		return pl_fail(err, f, 0, AL_EIO, "cannot open: %s",
		               strerror(errno));
	}
	while ((n = fread(chunk, 1, sizeof chunk, fp)) > 0) {
		buf_append(&b, chunk, n);
		if (b.len > POLICY_LOAD_MAX_FILE) {
			rc = pl_fail(err, f, 0, AL_ETOOBIG,
			             "larger than %d bytes",
			             POLICY_LOAD_MAX_FILE);
			break;
		}
	}
	if (rc == 0 && ferror(fp)) {
		rc = pl_fail(err, f, 0, AL_EIO, "read error");
	}
	fclose(fp);
	if (rc != 0) {
		buf_free(&b);
		return rc;
	}
	f->len = b.len;
	f->text = buf_steal(&b);
	return 0;
}

static int
pl_line_at(const char *text, size_t off)
{
	int line = 1;

	for (size_t i = 0; i < off && text[i] != '\0'; i++) {
		line += text[i] == '\n';
	}
	return line;
}

/* ---- structure scan: string lines and duplicate keys ------------------ */

struct pl_frame {
	bool object;
	bool expect_key;
	size_t *keys; /* pairs of (offset, length) of the raw key text */
	size_t nkeys;
};

static bool
pl_frame_has(const struct pl_frame *fr, const char *text, size_t off,
             size_t len)
{
	for (size_t i = 0; i < fr->nkeys; i++) {
		if (fr->keys[2 * i + 1] == len &&
		    memcmp(text + fr->keys[2 * i], text + off, len) == 0) {
			return true;
		}
	}
	return false;
}

/* Records a string token; a key is checked against its object's keys. */
static int
pl_scan_string(struct pl_file *f, struct pl_frame *top, size_t start,
               size_t end, int line, char **err)
{
	f->tok_lines =
	        xrealloc(f->tok_lines, (f->ntok + 1) * sizeof *f->tok_lines);
	f->tok_lines[f->ntok++] = line;
	if (top == NULL || !top->object || !top->expect_key) {
		return 0;
	}
	if (pl_frame_has(top, f->text, start, end - start)) {
		return pl_fail(err, f, line, AL_EPARSE,
		               "duplicate key \"%.*s\"", (int)(end - start),
		               f->text + start);
	}
	top->keys =
	        xrealloc(top->keys, (top->nkeys + 1) * 2 * sizeof *top->keys);
	top->keys[2 * top->nkeys] = start;
	top->keys[2 * top->nkeys + 1] = end - start;
	top->nkeys++;
	top->expect_key = false;
	return 0;
}

/* Walks the (already valid) JSON text once. */
static int
pl_scan(struct pl_file *f, char **err)
{
	struct pl_frame *st = NULL;
	size_t depth = 0;
	int line = 1, rc = 0;

	for (size_t i = 0; i < f->len && rc == 0; i++) {
		char c = f->text[i];
		struct pl_frame *top = depth > 0 ? &st[depth - 1] : NULL;
		if (c == '\n') {
			line++;
		} else if (c == '"') {
			size_t j = i + 1;
			while (j < f->len && f->text[j] != '"') {
				j += f->text[j] == '\\' ? 2 : 1;
			}
			rc = pl_scan_string(f, top, i + 1, j, line, err);
			i = j;
		} else if (c == '{' || c == '[') {
			st = xrealloc(st, (depth + 1) * sizeof *st);
			st[depth++] = (struct pl_frame){ .object = c == '{',
				                         .expect_key = true };
		} else if ((c == '}' || c == ']') && depth > 0) {
			free(st[--depth].keys);
		} else if (c == ',' && top != NULL && top->object) {
			top->expect_key = true;
		}
	}
	while (depth > 0) {
		free(st[--depth].keys);
	}
	free(st);
	return rc;
}

static void
pl_index(struct pl_file *f, const cJSON *node, size_t *tok, int line)
{
	const cJSON *c;

	if (node->string != NULL && *tok < f->ntok) {
		line = f->tok_lines[(*tok)++];
	}
	if (cJSON_IsString(node) && *tok < f->ntok) {
		int at = f->tok_lines[(*tok)++];
		line = node->string != NULL ? line : at;
	}
	f->lines = xrealloc(f->lines, (f->nlines + 1) * sizeof *f->lines);
	f->lines[f->nlines++] = (struct pl_line){ .node = node, .line = line };
	cJSON_ArrayForEach (c, node) {
		pl_index(f, c, tok, line);
	}
}

static int
pl_line(const struct pl_file *f, const cJSON *node)
{
	for (size_t i = 0; i < f->nlines; i++) {
		if (f->lines[i].node == node) {
			return f->lines[i].line;
		}
	}
	return 1;
}

static int
pl_parse(struct pl_file *f, char **err)
{
	const char *end = NULL;
	const char *at;
	size_t off, tok = 0;
	int rc;

	f->root = cJSON_ParseWithLengthOpts(f->text, f->len, &end, false);
	if (f->root == NULL) {
		at = cJSON_GetErrorPtr();
		off = (at != NULL && at >= f->text && at <= f->text + f->len)
		              ? (size_t)(at - f->text)
		              : f->len;
		return pl_fail(err, f, pl_line_at(f->text, off), AL_EPARSE,
		               "invalid JSON near \"%.16s\"", f->text + off);
	}
	off = end != NULL ? (size_t)(end - f->text) : f->len;
	off += strspn(f->text + off, " \t\r\n");
	if (off < f->len) {
		return pl_fail(err, f, pl_line_at(f->text, off), AL_EPARSE,
		               "unexpected text after the JSON object");
	}
	if (!cJSON_IsObject(f->root)) {
		return pl_fail(err, f, 1, AL_EPARSE, "expected a JSON object");
	}
	rc = pl_scan(f, err);
	if (rc == 0) {
		pl_index(f, f->root, &tok, 1);
	}
	return rc;
}

static void
pl_file_clear(struct pl_file *f)
{
	cJSON_Delete(f->root);
	free(f->text);
	free(f->tok_lines);
	free(f->lines);
}

/* ---- applying a file -------------------------------------------------- */

static const char *const pl_list_names[] = { "allow", "ask", "deny" };

static int
pl_rule(struct pl_file *f, struct pl_load *ld, enum policy_verdict list,
        const cJSON *item, char **err)
{
	int line = pl_line(f, item);
	char *why = NULL;
	int rc;

	if (!cJSON_IsString(item)) {
		return pl_fail(err, f, line, AL_EPARSE,
		               "permissions.%s: rules must be strings",
		               pl_list_names[list]);
	}
	if (list == POLICY_ALLOW &&
	    (f->role == PL_PROJECT ||
	     (f->role == PL_CLAUDE && !ld->claude_allow))) {
		char *w = xasprintf(
		        "allow rule %s ignored: %s", item->valuestring,
		        f->role == PL_PROJECT
		                ? "a project policy may only tighten"
		                : "\"claude_allow\" is false");
		pl_warn(f, line, w);
		free(w);
		return 0;
	}
	rc = policy_add_rule(ld->p, list, item->valuestring, f->path, line,
	                     &why);
	if (rc != 0 && f->role == PL_CLAUDE) {
		/* Claude Code still enforces what airlock cannot read */
		pl_warn(f, line, why);
		rc = 0;
	} else if (rc != 0 && err != NULL) {
		*err = why;
		why = NULL;
	}
	free(why);
	return rc;
}

static int
pl_permissions(struct pl_file *f, struct pl_load *ld, const cJSON *obj,
               char **err)
{
	const cJSON *m, *item;
	int rc = 0;

	if (!cJSON_IsObject(obj)) {
		return pl_fail(err, f, pl_line(f, obj), AL_EPARSE,
		               "\"permissions\" must be an object");
	}
	cJSON_ArrayForEach (m, obj) {
		int list = -1;
		for (int l = 0; l < 3; l++) {
			list = strcmp(m->string, pl_list_names[l]) == 0 ? l
			                                                : list;
		}
		if (list < 0 && f->role == PL_CLAUDE) {
			continue; /* defaultMode, additionalDirectories, ... */
		}
		if (list < 0) {
			return pl_fail(err, f, pl_line(f, m), AL_EPARSE,
			               "unknown key \"permissions.%s\"",
			               m->string);
		}
		if (!cJSON_IsArray(m)) {
			return pl_fail(err, f, pl_line(f, m), AL_EPARSE,
			               "\"permissions.%s\" must be an array",
			               m->string);
		}
		cJSON_ArrayForEach (item, m) {
			rc = pl_rule(f, ld, (enum policy_verdict)list, item,
			             err);
			if (rc != 0) {
				return rc;
			}
		}
	}
	return 0;
}

/* The array member key of obj (an object), or NULL when absent. */
static int
pl_array_member(struct pl_file *f, const cJSON *obj, const char *name,
                const char *key, const cJSON **out, char **err)
{
	const cJSON *m;

	*out = NULL;
	if (!cJSON_IsObject(obj)) {
		return pl_fail(err, f, pl_line(f, obj), AL_EPARSE,
		               "\"%s\" must be an object", name);
	}
	cJSON_ArrayForEach (m, obj) {
		if (strcmp(m->string, key) != 0) {
			return pl_fail(err, f, pl_line(f, m), AL_EPARSE,
			               "unknown key \"%s.%s\"", name,
			               m->string);
		}
		if (!cJSON_IsArray(m)) {
			return pl_fail(err, f, pl_line(f, m), AL_EPARSE,
			               "\"%s.%s\" must be an array", name, key);
		}
		*out = m;
	}
	return 0;
}

static int
pl_egress(struct pl_file *f, struct pl_load *ld, const cJSON *obj, char **err)
{
	const cJSON *arr, *item;
	int rc = pl_array_member(f, obj, "egress", "allow", &arr, err);

	if (rc != 0 || arr == NULL) {
		return rc;
	}
	cJSON_ArrayForEach (item, arr) {
		int line = pl_line(f, item);
		if (!cJSON_IsString(item) ||
		    (f->role == PL_USER &&
		     policy_add_egress_host(ld->p, item->valuestring) != 0)) {
			return pl_fail(
			        err, f, line, AL_EPARSE,
			        "egress.allow: invalid host pattern "
			        "(use \"example.com\" or \"*.example.com\")");
		}
		if (f->role != PL_USER) {
			pl_warn(f, line,
			        "egress host ignored: a project policy "
			        "may only tighten");
		}
	}
	return 0;
}

static int
pl_taint(struct pl_file *f, struct pl_load *ld, const cJSON *obj, char **err)
{
	const cJSON *arr = NULL, *item;
	uint32_t mask = 0;

	if (!cJSON_IsObject(obj)) {
		return pl_fail(err, f, pl_line(f, obj), AL_EPARSE,
		               "\"taint\" must be an object");
	}
	/* on_untrusted_read and trusted_mcp are read by the daemon
	 * (ipc/daemon_post.c); only their types are checked here. */
	cJSON_ArrayForEach (item, obj) {
		const char *k = item->string;
		bool ok = strcmp(k, "ask") == 0 ? cJSON_IsArray(item)
		          : strcmp(k, "on_untrusted_read") == 0
		                  ? cJSON_IsBool(item)
		          : strcmp(k, "trusted_mcp") == 0 ? cJSON_IsArray(item)
		                                          : false;
		if (!ok) {
			return pl_fail(err, f, pl_line(f, item), AL_EPARSE,
			               "taint.%s: unknown key or wrong type "
			               "(ask: array, on_untrusted_read: "
			               "true/false, trusted_mcp: array)",
			               k);
		}
		if (strcmp(k, "ask") == 0) {
			arr = item;
		}
	}
	if (arr == NULL) {
		return 0;
	}
	cJSON_ArrayForEach (item, arr) {
		enum risk_cat cat;
		if (!cJSON_IsString(item) ||
		    !risk_cat_from_name(item->valuestring, &cat)) {
			return pl_fail(
			        err, f, pl_line(f, item), AL_EPARSE,
			        "taint.ask: unknown category (use egress, "
			        "secret_access, destructive, ...)");
		}
		mask |= RISK_BIT(cat);
	}
	/* a project can add categories, never remove them */
	policy_set_taint_mask(ld->p, f->role == PL_USER
	                                     ? mask
	                                     : mask | policy_taint_mask(ld->p));
	return 0;
}

static int
pl_scalar(struct pl_file *f, struct pl_load *ld, const cJSON *m, char **err)
{
	int line = pl_line(f, m);

	if (strcmp(m->string, "strict") == 0 ||
	    strcmp(m->string, "claude_allow") == 0) {
		bool strict = m->string[0] == 's';
		if (!cJSON_IsBool(m)) {
			return pl_fail(err, f, line, AL_EPARSE,
			               "\"%s\" must be true or false",
			               m->string);
		}
		/* tightening: strict on, claude_allow off */
		if (strict && (f->role == PL_USER || cJSON_IsTrue(m))) {
			ld->strict = cJSON_IsTrue(m);
		} else if (!strict &&
		           (f->role == PL_USER || cJSON_IsFalse(m))) {
			ld->claude_allow = cJSON_IsTrue(m);
		}
		return 0;
	}
	if (!cJSON_IsNumber(m) || m->valuedouble < 1 ||
	    m->valuedouble > PL_MAX_TIMEOUT ||
	    m->valuedouble != (double)(int)m->valuedouble) {
		return pl_fail(err, f, line, AL_EPARSE,
		               "\"approval_timeout\" must be a whole number of "
		               "seconds from 1 to %d",
		               PL_MAX_TIMEOUT);
	}
	if (f->role == PL_USER || m->valueint < ld->timeout) {
		ld->timeout = m->valueint;
	}
	return 0;
}

/* "alerts": {"denials": N}: read by the daemon (ipc/daemon_alerts.c);
 * only its shape is checked here. User policy only: a project must not
 * silence the alerts about its own agent. */
static int
pl_alerts(struct pl_file *f, const cJSON *obj, char **err)
{
	const cJSON *m;

	if (f->role != PL_USER || !cJSON_IsObject(obj)) {
		return pl_fail(err, f, pl_line(f, obj), AL_EPARSE,
		               "\"alerts\" must be an object in the user "
		               "policy");
	}
	cJSON_ArrayForEach (m, obj) {
		if (strcmp(m->string, "denials") != 0) {
			return pl_fail(err, f, pl_line(f, m), AL_EPARSE,
			               "unknown key \"alerts.%s\"", m->string);
		}
		if (!cJSON_IsNumber(m) || m->valuedouble < 0 ||
		    m->valuedouble > PL_MAX_ALERT_DENIALS ||
		    m->valuedouble != (double)(int)m->valuedouble) {
			return pl_fail(err, f, pl_line(f, m), AL_EPARSE,
			               "\"alerts.denials\" must be a whole "
			               "number from 0 (off) to %d",
			               PL_MAX_ALERT_DENIALS);
		}
	}
	return 0;
}

static int
pl_member(struct pl_file *f, struct pl_load *ld, const cJSON *m, char **err)
{
	const char *k = m->string;

	if (strcmp(k, "permissions") == 0) {
		return pl_permissions(f, ld, m, err);
	}
	if (f->role == PL_CLAUDE) {
		return 0; /* hooks, env, model: not ours */
	}
	if (strcmp(k, "egress") == 0) {
		return pl_egress(f, ld, m, err);
	}
	if (strcmp(k, "taint") == 0) {
		return pl_taint(f, ld, m, err);
	}
	if (strcmp(k, "strict") == 0 || strcmp(k, "claude_allow") == 0 ||
	    strcmp(k, "approval_timeout") == 0) {
		return pl_scalar(f, ld, m, err);
	}
	if (strcmp(k, "alerts") == 0) {
		return pl_alerts(f, m, err);
	}
	if (strcmp(k, "$schema") == 0 || strcmp(k, "comment") == 0) {
		return 0;
	}
	if (strcmp(k, "approvers") == 0 || strcmp(k, "reviewers") == 0) {
		/* Who may decide or read: the daemon's business, read by
		 * ipc/daemon_access.c; only its shape is checked here. */
		if (f->role != PL_USER || !cJSON_IsObject(m)) {
			return pl_fail(
			        err, f, pl_line(f, m), AL_EPARSE,
			        "\"%s\" must be an object in the user policy",
			        k);
		}
		return 0;
	}
	return pl_fail(err, f, pl_line(f, m), AL_EPARSE, "unknown key \"%s\"",
	               k);
}

/* Reads and applies one file; a missing file is skipped unless required. */
static int
pl_file(struct pl_load *ld, const char *path, enum pl_role role, bool required,
        char **err)
{
	struct pl_file f = { .path = path, .role = role, .warn = &ld->warn };
	const cJSON *m;
	int rc = pl_read(&f, err);

	if (rc == AL_ENOENT) {
		rc = required ? pl_fail(err, &f, 0, AL_EIO, "no such file") : 0;
		goto out;
	}
	if (rc == 0) {
		rc = pl_parse(&f, err);
	}
	for (m = rc == 0 ? f.root->child : NULL; m != NULL && rc == 0;
	     m = m->next) {
		rc = pl_member(&f, ld, m, err);
	}
out:
	pl_file_clear(&f);
	return rc;
}

static int
pl_run(struct pl_load *ld, const struct policy_load_paths *paths, char **err)
{
	static const char *const rel[] = { ".airlock/policy.json",
		                           ".claude/settings.json",
		                           ".claude/settings.local.json" };
	int rc = 0;

	if (paths->user != NULL) {
		rc = pl_file(ld, paths->user, PL_USER, false, err);
	}
	for (size_t i = 0; i < 3 && rc == 0 && paths->project_dir != NULL;
	     i++) {
		char *path = xasprintf("%s/%s", paths->project_dir, rel[i]);
		rc = pl_file(ld, path, i == 0 ? PL_PROJECT : PL_CLAUDE, false,
		             err);
		free(path);
	}
	return rc;
}

static void
pl_finish(struct pl_load *ld, struct policy **out, char **warnings)
{
	policy_set_strict(ld->p, ld->strict);
	policy_set_approval_timeout(ld->p, ld->timeout);
	*out = ld->p;
	if (warnings != NULL) {
		*warnings = ld->warn.len > 0 ? buf_steal(&ld->warn) : NULL;
	}
	buf_free(&ld->warn);
}

int
policy_load(struct policy **out, const struct policy_load_paths *paths,
            char **warnings, char **err)
{
	struct pl_load ld = { .claude_allow = true };
	int rc;

	if (out == NULL || paths == NULL) {
		return AL_EINVAL;
	}
	policy_new(&ld.p);
	ld.timeout = policy_approval_timeout(ld.p);
	rc = pl_run(&ld, paths, err);
	if (rc != 0) {
		policy_free(ld.p);
		buf_free(&ld.warn);
		return rc;
	}
	pl_finish(&ld, out, warnings);
	return 0;
}

int
policy_lint_file(const char *path, char **warnings, char **err)
{
	struct pl_load ld = { .claude_allow = true };
	struct policy *p = NULL;
	int rc;

	if (path == NULL) {
		return AL_EINVAL;
	}
	policy_new(&ld.p);
	ld.timeout = policy_approval_timeout(ld.p);
	rc = pl_file(&ld, path, PL_USER, true, err);
	if (rc != 0) {
		policy_free(ld.p);
		buf_free(&ld.warn);
		return rc;
	}
	pl_finish(&ld, &p, warnings);
	policy_free(p);
	return 0;
}
