#include "core/classify.h"

#include <assert.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/al.h"
#include "core/buf.h"
#include "core/classify_impl.h"
#include "core/xalloc.h"

/*
 * classify_bash(): parse, then walk every simple command in execution
 * order. The walk keeps a little state across commands (where a cd went,
 * simple variables, git remotes, files written with known content) so that
 * `c=rm; $c -rf ~` or a cd before rm -rf mean what they will do.
 * Anything not understood becomes RISK_UNPARSED or RISK_OBFUSCATION, both
 * of which need a human: the classifier never fails open.
 */

void
classify_add(struct classify_ctx *cx, enum risk_cat cat, enum risk_severity sev,
             size_t start, size_t end, const char *fmt, ...)
{
	struct buf why = { 0 };
	va_list ap;

	va_start(ap, fmt);
	buf_vprintf(&why, fmt, ap);
	va_end(ap);
	if (cx->exact) {
		start += cx->base;
		end += cx->base;
	} else {
		start = cx->ostart;
		end = cx->oend;
	}
	risk_report_add(cx->out, cat, sev, start, end, "%s",
	                why.data ? why.data : "");
	buf_free(&why);
}

static const char *
classify_entry_name(const void *table, size_t size, size_t i)
{
	const char *const *e = (const void *)((const char *)table + i * size);

	return *e;
}

/* strcmp(entry, key[0..keylen)) as a sign. */
static int
classify_entry_cmp(const char *entry, const char *key, size_t keylen)
{
	int c;

	if (keylen > 0 && entry[0] != key[0]) {
		return (unsigned char)entry[0] < (unsigned char)key[0] ? -1 : 1;
	}
	c = strncmp(entry, key, keylen);
	return c != 0 ? c : entry[keylen] != '\0';
}

#ifndef NDEBUG
static bool
classify_table_sorted(const void *table, size_t n, size_t size)
{
	for (size_t i = 1; i < n; i++) {
		if (strcmp(classify_entry_name(table, size, i - 1),
		           classify_entry_name(table, size, i)) > 0) {
			return false;
		}
	}
	return true;
}
#endif

size_t
classify_lookup(const void *table, size_t n, size_t size, const char *key,
                size_t keylen)
{
	size_t lo = 0;
	size_t hi = n;

	assert(classify_table_sorted(table, n, size));
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (classify_entry_cmp(classify_entry_name(table, size, mid),
		                       key, keylen) < 0) {
			lo = mid + 1;
		} else {
			hi = mid;
		}
	}
	if (lo < n && classify_entry_cmp(classify_entry_name(table, size, lo),
	                                 key, keylen) == 0) {
		return lo;
	}
	return n;
}

const char *
classify_var_get(const struct classify_state *st, const char *name)
{
	for (size_t i = st->nvars; i > 0; i--) {
		if (strcmp(st->vars[i - 1].name, name) == 0) {
			return st->vars[i - 1].value;
		}
	}
	return NULL;
}

static void
classify_var_set(struct classify_state *st, const char *name, size_t nlen,
                 const char *value)
{
	if (st->nvars == CLASSIFY_MAX_VARS) {
		return;
	}
	st->vars[st->nvars].name = xstrndup(name, nlen);
	st->vars[st->nvars].value = xstrdup(value);
	st->nvars++;
}

static const char *const classify_shadowed[] = {
	"ls",     "cd",  "cat",    "echo",    "git",  "rm",
	"cp",     "mv",  "sudo",   "command", "test", "grep",
	"make",   "npm", "python", "python3", "ssh",  "curl",
	"printf", "pwd", "source", "exec",    "type", "which",
};

static void
classify_funcdef(struct classify_ctx *cx, const struct shell_cmd *c)
{
	for (size_t i = 0;
	     i < sizeof classify_shadowed / sizeof *classify_shadowed; i++) {
		if (strcmp(c->funcname, classify_shadowed[i]) == 0) {
			classify_add(cx, RISK_OBFUSCATION, RISK_SEV_ASK,
			             c->start, c->end,
			             "function shadows the %s command",
			             c->funcname);
			return;
		}
	}
}

/* Variables whose setting disables a safety control. */
static void
classify_tamper_var(struct classify_ctx *cx, const char *name,
                    const char *value, size_t start, size_t end)
{
	if (strcmp(name, "IFS") == 0) {
		cx->st->ifs_set = true;
		classify_add(cx, RISK_OBFUSCATION, RISK_SEV_ASK, start, end,
		             "changes IFS word splitting");
	} else if ((strncmp(name, "HIST", 4) == 0 &&
	            (strcmp(value, "/dev/null") == 0 ||
	             strcmp(value, "0") == 0 || value[0] == '\0')) ||
	           strcmp(name, "HISTCONTROL") == 0) {
		classify_add(cx, RISK_TAMPER, RISK_SEV_ASK, start, end,
		             "suppresses shell history");
	} else if (strcmp(name, "HUSKY") == 0 || strcmp(name, "SKIP") == 0 ||
	           strcmp(name, "PRE_COMMIT_ALLOW_NO_CONFIG") == 0 ||
	           strcmp(name, "GIT_HOOKS_DISABLED") == 0) {
		classify_add(cx, RISK_TAMPER, RISK_SEV_ASK, start, end,
		             "skips git hooks (%s)", name);
	} else if (strcmp(name, "LD_PRELOAD") == 0 ||
	           strcmp(name, "BASH_ENV") == 0 ||
	           strcmp(name, "PROMPT_COMMAND") == 0) {
		classify_add(cx, RISK_OBFUSCATION, RISK_SEV_ASK, start, end,
		             "sets %s, which runs hidden code", name);
	}
}

/* NAME=value words: record plain assignments, flag dangerous ones. */
static void
classify_assignment(struct classify_ctx *cx, const struct shell_word *w,
                    bool record)
{
	const char *eq = strchr(w->text, '=');
	size_t nlen;

	if (eq == NULL) {
		return;
	}
	nlen = (size_t)(eq - w->text) - (eq > w->text && eq[-1] == '+');
	char *name = xstrndup(w->text, nlen);
	classify_tamper_var(cx, name, eq + 1, w->start, w->end);
	if (record) {
		classify_var_set(cx->st, w->text, nlen, eq + 1);
	}
	free(name);
}

static void
classify_redir(struct classify_ctx *cx, const struct shell_cmd *c,
               const struct shell_redir *r)
{
	struct classify_arg a = { .s = r->target.text,
		                  .start = r->target.start,
		                  .end = r->target.end,
		                  .flags = r->target.flags };
	bool noop = c->argc == 0 ||
	            (c->argc == 1 && (strcmp(c->argv[0].text, ":") == 0 ||
	                              strcmp(c->argv[0].text, "true") == 0));

	if (a.s == NULL || r->op == SHELL_R_HEREDOC ||
	    r->op == SHELL_R_HERESTR) {
		return;
	}
	if (strncmp(a.s, "/dev/tcp/", 9) == 0 ||
	    strncmp(a.s, "/dev/udp/", 9) == 0) {
		char host[256];
		const char *h = a.s + 9;
		size_t n = strcspn(h, "/");
		snprintf(host, sizeof host, "%.*s", (int)n, h);
		classify_egress(cx, host, a.start, a.end, "raw socket to");
		return;
	}
	switch (r->op) {
	case SHELL_R_IN:
		classify_read_target(cx, &a);
		break;
	case SHELL_R_OUT:
	case SHELL_R_OUT_ALL:
	case SHELL_R_INOUT:
		classify_write_target(cx, &a,
		                      noop ? CLASSIFY_WR_TRUNCATE
		                           : CLASSIFY_WR_CREATE);
		break;
	case SHELL_R_DUP_OUT:
		if (a.s[0] != '\0' &&
		    strspn(a.s, "0123456789-") != strlen(a.s)) {
			classify_write_target(cx, &a, CLASSIFY_WR_CREATE);
		}
		break;
	case SHELL_R_APPEND:
	case SHELL_R_APPEND_ALL:
		classify_write_target(cx, &a, CLASSIFY_WR_APPEND);
		break;
	default:
		break;
	}
}

/* Invisible or direction-changing code points, and homoglyph letters in
 * a command name. */
static bool
classify_has_invisible(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	for (; *p; p++) {
		if (p[0] == 0xe2 && p[1] == 0x80 &&
		    ((p[2] >= 0x8b && p[2] <= 0x8f) ||
		     (p[2] >= 0xaa && p[2] <= 0xae))) {
			return true;
		}
		if (p[0] == 0xe2 && p[1] == 0x81 && p[2] >= 0xa0 &&
		    p[2] <= 0xaf) {
			return true;
		}
		if (p[0] == 0xef && p[1] == 0xbb && p[2] == 0xbf) {
			return true;
		}
		if (p[0] == 0xf3 && p[1] == 0xa0) {
			return true; /* U+E0000 tags */
		}
		if (*p < 0x20 && *p != '\n' && *p != '\t') {
			return true;
		}
	}
	return false;
}

static void
classify_words(struct classify_ctx *cx, const struct shell_cmd *c)
{
	for (size_t i = 0; i < c->argc; i++) {
		const struct shell_word *w = &c->argv[i];
		if (classify_has_invisible(w->text)) {
			classify_add(cx, RISK_OBFUSCATION, RISK_SEV_ASK,
			             w->start, w->end,
			             "invisible characters in a word");
		}
		if (w->flags & SHELL_W_PARAM_OP) {
			classify_add(cx, RISK_OBFUSCATION, RISK_SEV_ASK,
			             w->start, w->end,
			             "text computed by parameter expansion");
		}
		const char *d = w->text;
		while ((d = strchr(d, '$')) != NULL) {
			d++;
			d += *d == '{';
			size_t n = strspn(
			        d, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
			           "abcdefghijklmnopqrstuvwxyz0123456789_");
			char name[128];
			snprintf(name, sizeof name, "%.*s", (int)n, d);
			if (n > 0 && classify_secret_var(name)) {
				classify_add(cx, RISK_SECRET_ACCESS,
				             RISK_SEV_ASK, w->start, w->end,
				             "expands secret variable $%s",
				             name);
			}
		}
	}
}

/* Splits value at blanks (or IFS characters once IFS was changed) into
 * args appended to a; the strings go to *keep for freeing. */
static void
classify_split(struct classify_ctx *cx, const char *value,
               const struct shell_word *w, struct classify_args *a,
               char ***keep, size_t *nkeep)
{
	const char *seps = cx->st->ifs_set ? " \t\n,:;|" : " \t\n";
	const char *p = value;

	while (*p) {
		p += strspn(p, seps);
		size_t n = strcspn(p, seps);
		if (n == 0) {
			break;
		}
		char *s = xstrndup(p, n);
		*keep = xrealloc(*keep, (*nkeep + 1) * sizeof **keep);
		(*keep)[(*nkeep)++] = s;
		a->v = xrealloc(a->v, (a->n + 1) * sizeof *a->v);
		a->v[a->n++] = (struct classify_arg){ .s = s,
			                              .start = w->start,
			                              .end = w->end,
			                              .flags = SHELL_W_TILDE };
		p += n;
	}
}

/* {a,b,c} -> a b c (one level, the forms used to hide a command). */
static char *
classify_brace_words(const char *text)
{
	const char *o = strchr(text, '{');
	const char *e = o ? strchr(o, '}') : NULL;
	struct buf b = { 0 };

	if (o == NULL || e == NULL) {
		return xstrdup(text);
	}
	for (const char *p = o + 1; p < e; p++) {
		buf_putc(&b, *p == ',' ? ' ' : *p);
	}
	return buf_steal(&b);
}

/* The command name is not what it looks like: quoted pieces, escapes,
 * non-ASCII letters, variables, substitutions, brace expansion. */
static bool
classify_argv0(struct classify_ctx *cx, const struct shell_word *w,
               struct classify_args *a, char ***keep, size_t *nkeep)
{
	if (w->flags & (SHELL_W_SPLIT | SHELL_W_ANSI_C)) {
		classify_add(cx, RISK_OBFUSCATION, RISK_SEV_ASK, w->start,
		             w->end,
		             "command name spelled with quotes or escapes");
	}
	if (w->flags & SHELL_W_NONASCII) {
		classify_add(cx, RISK_OBFUSCATION, RISK_SEV_ASK, w->start,
		             w->end, "look-alike characters in command name");
	}
	if (w->flags & SHELL_W_BRACE) {
		char *v = classify_brace_words(w->text);
		classify_add(cx, RISK_OBFUSCATION, RISK_SEV_ASK, w->start,
		             w->end, "brace expansion builds the command");
		classify_split(cx, v, w, a, keep, nkeep);
		free(v);
		return true;
	}
	if (!(w->flags & SHELL_W_EXPAND)) {
		return false;
	}
	char *v = classify_word_value(cx, w->text, w->flags);
	classify_add(cx, RISK_OBFUSCATION, RISK_SEV_ASK, w->start, w->end,
	             "command name computed at run time");
	if (v == NULL) {
		return true;
	}
	classify_split(cx, v, w, a, keep, nkeep);
	free(v);
	return true;
}

static void
classify_build_args(struct classify_ctx *cx, const struct shell_cmd *c,
                    struct classify_args *a, char ***keep, size_t *nkeep)
{
	size_t from = 0;

	if (c->argc > 0 && classify_argv0(cx, &c->argv[0], a, keep, nkeep)) {
		from = 1;
	}
	for (size_t i = from; i < c->argc; i++) {
		const struct shell_word *w = &c->argv[i];
		const char *s = w->text;
		unsigned fl = w->flags;
		if ((fl & SHELL_W_EXPAND) && !(fl & SHELL_W_SUBST)) {
			char *v = classify_word_value(cx, w->text, fl);
			if (v != NULL && cx->st->ifs_set) {
				classify_split(cx, v, w, a, keep, nkeep);
				free(v);
				continue;
			}
			if (v != NULL) {
				*keep = xrealloc(*keep,
				                 (*nkeep + 1) * sizeof **keep);
				(*keep)[(*nkeep)++] = v;
				s = v;
				fl &= ~SHELL_W_EXPAND;
			}
		}
		a->v = xrealloc(a->v, (a->n + 1) * sizeof *a->v);
		a->v[a->n++] = (struct classify_arg){
			.s = s, .start = w->start, .end = w->end, .flags = fl
		};
	}
}

/* cd: later relative paths resolve against the new directory; after ;
 * (cd may have failed) against both. */
static void
classify_cd(struct classify_ctx *cx, size_t i, const struct classify_args *a)
{
	struct classify_state *st = cx->st;
	const struct shell_cmd *next = shell_tree_cmd(cx->tree, i + 1);
	bool sure = next != NULL && next->sep == SHELL_SEP_AND;
	const char *dest = a->n > 1 ? a->v[a->n - 1].s : "~";
	char *nw[CLASSIFY_MAX_CWDS];
	size_t n = 0;

	if (a->n > 1 && (a->v[a->n - 1].flags & SHELL_W_EXPAND)) {
		return;
	}
	for (size_t k = 0; k < st->ncwds && n < CLASSIFY_MAX_CWDS; k++) {
		char *p = classify_abspath(cx->env, st->cwds[k], dest);
		if (p != NULL) {
			nw[n++] = p;
		}
	}
	for (size_t k = 0; k < st->ncwds; k++) {
		if (sure || n + 1 > CLASSIFY_MAX_CWDS) {
			free(st->cwds[k]);
			continue;
		}
		nw[n++] = st->cwds[k];
	}
	memcpy(st->cwds, nw, n * sizeof *nw);
	st->ncwds = n;
}

static void
classify_one(struct classify_ctx *cx, size_t i)
{
	const struct shell_cmd *c = shell_tree_cmd(cx->tree, i);
	struct classify_args a = { .cmd = c, .start = c->start, .end = c->end };
	char **keep = NULL;
	size_t nkeep = 0;

	if (c->funcname != NULL) {
		classify_funcdef(cx, c);
		return;
	}
	for (size_t k = 0; k < c->nassigns; k++) {
		classify_assignment(cx, &c->assigns[k], c->argc == 0);
	}
	for (size_t k = 0; k < c->nredirs; k++) {
		classify_redir(cx, c, &c->redirs[k]);
	}
	classify_words(cx, c);
	classify_note_output(cx, i);
	classify_build_args(cx, c, &a, &keep, &nkeep);
	if (a.n > 0 &&
	    (strcmp(a.v[0].s, "cd") == 0 || strcmp(a.v[0].s, "pushd") == 0)) {
		classify_cd(cx, i, &a);
	} else if (a.n > 0) {
		classify_run(cx, &a);
	}
	for (size_t k = 0; k < nkeep; k++) {
		free(keep[k]);
	}
	free(keep);
	free(a.v);
}

/* Parses and classifies text; spans are relative to text. */
static void
classify_text(struct classify_ctx *cx, const char *text, size_t len)
{
	struct shell_tree *t = NULL;
	int rc = shell_parse(text, len, &t);
	size_t es = 0;
	size_t ee = len;

	if (rc == AL_ETOOBIG || t == NULL) {
		classify_add(cx, RISK_UNPARSED, RISK_SEV_ASK, 0, len,
		             "command too large to analyse");
		return;
	}
	const char *err = shell_tree_error(t, &es, &ee);
	if (err != NULL) {
		classify_add(cx, RISK_UNPARSED, RISK_SEV_ASK, es, ee,
		             "shell syntax not understood: %s", err);
	}
	const struct shell_tree *otree = cx->tree;
	const char *otext = cx->text;
	size_t olen = cx->len;
	cx->tree = t;
	cx->text = text;
	cx->len = len;
	for (size_t i = 0; i < shell_tree_count(t); i++) {
		classify_one(cx, i);
	}
	cx->tree = otree;
	cx->text = otext;
	cx->len = olen;
	shell_tree_free(t);
}

void
classify_nested(struct classify_ctx *cx, const char *text, size_t len,
                size_t start, size_t end, bool exact)
{
	struct classify_ctx sub = *cx;

	if (cx->depth + 1 >= CLASSIFY_MAX_DEPTH ||
	    cx->st->evals > CLASSIFY_MAX_EVAL) {
		classify_add(cx, RISK_UNPARSED, RISK_SEV_ASK, start, end,
		             "nested too deeply to analyse");
		return;
	}
	cx->st->evals += len + 64;
	sub.depth++;
	if (cx->exact && exact) {
		sub.base = cx->base + start;
	} else {
		sub.exact = false;
		if (cx->exact) {
			sub.ostart = cx->base + start;
			sub.oend = cx->base + end;
		}
	}
	classify_text(&sub, text, len);
}

void
classify_nested_arg(struct classify_ctx *cx, const char *value,
                    const struct classify_arg *a)
{
	size_t n = strlen(value);

	for (size_t q = 0; q <= 2; q++) {
		size_t at = a->start + q;
		if (cx->text != NULL && at + n <= a->end && at + n <= cx->len &&
		    memcmp(cx->text + at, value, n) == 0) {
			classify_nested(cx, value, n, at, at + n, true);
			return;
		}
	}
	classify_nested(cx, value, n, a->start, a->end, false);
}

size_t
classify_cmd_index(const struct classify_ctx *cx, const struct classify_args *a)
{
	const struct shell_cmd *first = shell_tree_cmd(cx->tree, 0);

	return first != NULL && a->cmd != NULL ? (size_t)(a->cmd - first)
	                                       : SIZE_MAX;
}

static void
classify_state_clear(struct classify_state *st)
{
	for (size_t i = 0; i < st->ncwds; i++) {
		free(st->cwds[i]);
	}
	for (size_t i = 0; i < st->nvars; i++) {
		free(st->vars[i].name);
		free(st->vars[i].value);
	}
	for (size_t i = 0; i < st->nremotes; i++) {
		free(st->remotes[i].name);
		free(st->remotes[i].value);
	}
	for (size_t i = 0; i < st->nfiles; i++) {
		free(st->files[i].name);
		free(st->files[i].value);
	}
}

int
classify_bash(const char *command, const struct classify_env *env,
              struct risk_report *out)
{
	static const struct classify_env none = { 0 };
	struct classify_state st = { 0 };
	size_t len = command ? strlen(command) : 0;
	struct classify_ctx cx = { .env = env ? env : &none,
		                   .out = out,
		                   .st = &st,
		                   .exact = true,
		                   .oend = len };
	const char *cwd = cx.env->cwd ? cx.env->cwd : cx.env->project_dir;

	if (command == NULL || out == NULL) {
		return AL_EINVAL;
	}
	st.cwds[0] = xstrdup(cwd ? cwd : "/");
	st.ncwds = 1;
	classify_text(&cx, command, len);
	classify_state_clear(&st);
	return 0;
}
