#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/classify_impl.h"
#include "core/xalloc.h"

/*
 * Static evaluation: what a small set of text producers and decoders
 * (echo, printf, cat of a heredoc, base64 -d, xxd -r, rev, tr) would
 * write, so that a payload decoded into a shell is classified for what it
 * does. Nothing is executed; anything else yields "unknown" (NULL), and the
 * callers then ask a human. Also the interpreter one-liner scanner.
 */

static const char *
eval_base(const char *s)
{
	const char *b = strrchr(s, '/');

	return b ? b + 1 : s;
}

static bool
eval_budget(struct classify_ctx *cx, size_t n)
{
	cx->st->evals += n + 8;
	return cx->st->evals <= CLASSIFY_MAX_EVAL;
}

/* Standard output of the last top-level pipeline of text. */
static char *
eval_text(struct classify_ctx *cx, const char *text, size_t len)
{
	struct shell_tree *t = NULL;
	char *out = NULL;

	if (!eval_budget(cx, len) || shell_parse(text, len, &t) != 0) {
		shell_tree_free(t);
		return NULL;
	}
	struct classify_ctx sub = *cx;
	sub.tree = t;
	sub.text = text;
	sub.len = len;
	size_t n = shell_tree_count(t);
	while (n > 0 && shell_tree_cmd(t, n - 1)->depth != 0) {
		n--;
	}
	if (n > 0) {
		out = classify_stdout(&sub, n - 1);
	}
	shell_tree_free(t);
	return out;
}

static void
eval_chomp(struct buf *b)
{
	while (b->len > 0 && b->data[b->len - 1] == '\n') {
		b->data[--b->len] = '\0';
	}
}

/* $(...) or `...` starting at s; appends its output; returns the length
 * consumed or 0 when unknown. */
static size_t
eval_subst(struct classify_ctx *cx, const char *s, struct buf *b)
{
	size_t i = s[0] == '`' ? 1 : 2;
	int depth = 1;

	for (; s[i] && depth > 0; i++) {
		if (s[0] == '`') {
			depth -= s[i] == '`';
		} else if (s[i] == '(') {
			depth++;
		} else if (s[i] == ')') {
			depth--;
		} else if (s[i] == '\'') {
			const char *q = strchr(s + i + 1, '\'');
			i = q ? (size_t)(q - s) : strlen(s) - 1;
		}
	}
	if (depth != 0) {
		return 0;
	}
	size_t from = s[0] == '`' ? 1 : 2;
	char *v = eval_text(cx, s + from, i - 1 - from);
	if (v == NULL) {
		return 0;
	}
	struct buf t = { 0 };
	buf_puts(&t, v);
	eval_chomp(&t);
	buf_puts(b, t.data ? t.data : "");
	buf_free(&t);
	free(v);
	return i;
}

static char *
eval_file(struct classify_ctx *cx, const char *path)
{
	char *abs = classify_abspath(cx->env, classify_cwd(cx, 0), path);
	char *out = NULL;

	for (size_t i = cx->st->nfiles; abs && i > 0 && !out; i--) {
		if (strcmp(cx->st->files[i - 1].name, abs) == 0) {
			out = xstrdup(cx->st->files[i - 1].value);
		}
	}
	free(abs);
	return out;
}

static char *eval_word(struct classify_ctx *cx, const char *text,
                       unsigned depth);

char *
classify_word_value(struct classify_ctx *cx, const char *text, unsigned flags)
{
	if (flags & CLASSIFY_WV_FILE) {
		return eval_file(cx, text);
	}
	return eval_word(cx, text, 0);
}

/* Expands $( ), backticks and known $vars; depth bounds variables that
 * refer to themselves (a=x$a). */
static char *
eval_word(struct classify_ctx *cx, const char *text, unsigned depth)
{
	struct buf b = { 0 };

	if (depth > 8) {
		return NULL;
	}
	for (const char *p = text; *p;) {
		size_t used = 0;
		if (p[0] == '`' ||
		    (p[0] == '$' && p[1] == '(' && p[2] != '(')) {
			used = eval_subst(cx, p, &b);
		} else if (p[0] == '$') {
			const char *n = p + 1 + (p[1] == '{');
			size_t nl = 0;
			while (isalnum((unsigned char)n[nl]) || n[nl] == '_') {
				nl++;
			}
			bool brace = p[1] == '{';
			char name[64];
			if (nl == 0 || nl >= sizeof name ||
			    (brace && n[nl] != '}')) {
				break;
			}
			memcpy(name, n, nl);
			name[nl] = '\0';
			const char *v = classify_var_get(cx->st, name);
			char *vv = v && eval_budget(cx, strlen(v))
			                   ? eval_word(cx, v, depth + 1)
			                   : NULL;
			if (vv == NULL) {
				break;
			}
			buf_puts(&b, vv);
			free(vv);
			used = (size_t)(n + nl + brace - p);
		} else {
			buf_putc(&b, *p);
			used = 1;
		}
		if (used == 0) {
			break;
		}
		p += used;
		if (*p == '\0') {
			return buf_steal(&b);
		}
	}
	if (text[0] == '\0') {
		return buf_steal(&b);
	}
	buf_free(&b);
	return NULL;
}

/* ---- decoders ------------------------------------------------------- */

static int
eval_b64(char c)
{
	if (c >= 'A' && c <= 'Z') {
		return c - 'A';
	}
	if (c >= 'a' && c <= 'z') {
		return c - 'a' + 26;
	}
	if (c >= '0' && c <= '9') {
		return c - '0' + 52;
	}
	return c == '+' || c == '-' ? 62 : c == '/' || c == '_' ? 63 : -1;
}

static char *
eval_base64(const char *in)
{
	struct buf b = { 0 };
	uint32_t acc = 0;
	int bits = 0;

	for (; *in; in++) {
		int v = eval_b64(*in);
		if (v < 0) {
			if (*in == '=' || isspace((unsigned char)*in)) {
				continue;
			}
			buf_free(&b);
			return NULL;
		}
		acc = (acc << 6) | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			buf_putc(&b, (char)((acc >> bits) & 0xff));
		}
	}
	return buf_steal(&b);
}

static int
eval_hexd(char c)
{
	if (c >= '0' && c <= '9') {
		return c - '0';
	}
	c = (char)tolower((unsigned char)c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

static char *
eval_unhex(const char *in)
{
	struct buf b = { 0 };
	int hi = -1;

	for (; *in; in++) {
		int v = eval_hexd(*in);
		if (v < 0) {
			continue;
		}
		if (hi < 0) {
			hi = v;
		} else {
			buf_putc(&b, (char)(hi * 16 + v));
			hi = -1;
		}
	}
	return buf_steal(&b);
}

static char *
eval_rev(const char *in)
{
	struct buf b = { 0 };

	while (*in) {
		size_t n = strcspn(in, "\n");
		for (size_t i = n; i > 0; i--) {
			buf_putc(&b, in[i - 1]);
		}
		if (in[n] == '\n') {
			buf_putc(&b, '\n');
			n++;
		}
		in += n;
	}
	return buf_steal(&b);
}

static void
eval_tr_set(const char *s, char *out, size_t *n)
{
	*n = 0;
	for (size_t i = 0; s[i] && *n < 256; i++) {
		if (s[i + 1] == '-' && s[i + 2] != '\0') {
			for (int c = (unsigned char)s[i];
			     c <= (unsigned char)s[i + 2] && *n < 256; c++) {
				out[(*n)++] = (char)c;
			}
			i += 2;
		} else {
			out[(*n)++] = s[i];
		}
	}
}

static char *
eval_tr(const char *in, const char *from, const char *to)
{
	char f[256];
	char t[256];
	size_t nf;
	size_t nt;
	char map[256];

	eval_tr_set(from, f, &nf);
	eval_tr_set(to, t, &nt);
	if (nt == 0) {
		return NULL;
	}
	for (int i = 0; i < 256; i++) {
		map[i] = (char)i;
	}
	for (size_t i = 0; i < nf; i++) {
		map[(unsigned char)f[i]] = t[i < nt ? i : nt - 1];
	}
	char *out = xstrdup(in);
	for (char *p = out; *p; p++) {
		*p = map[(unsigned char)*p];
	}
	return out;
}

/* Backslash escapes of printf formats and echo -e. */
static size_t
eval_escape(const char *s, struct buf *b)
{
	static const char map[] = "n\nt\tr\ra\ab\bf\fv\ve\033\\\\";

	if (s[0] >= '0' && s[0] <= '7') {
		int v = 0;
		size_t i = 0;
		for (; i < 3 && s[i] >= '0' && s[i] <= '7'; i++) {
			v = v * 8 + (s[i] - '0');
		}
		buf_putc(b, (char)v);
		return i;
	}
	if (s[0] == 'x' && eval_hexd(s[1]) >= 0) {
		int v = eval_hexd(s[1]);
		size_t i = 2;
		if (eval_hexd(s[2]) >= 0) {
			v = v * 16 + eval_hexd(s[2]);
			i = 3;
		}
		buf_putc(b, (char)v);
		return i;
	}
	for (size_t k = 0; map[k]; k += 2) {
		if (s[0] == map[k]) {
			buf_putc(b, map[k + 1]);
			return 1;
		}
	}
	buf_putc(b, '\\');
	return 0;
}

static char *
eval_printf(char **argv, size_t argc)
{
	struct buf b = { 0 };
	size_t ai = 2;
	const char *fmt = argc > 1 ? argv[1] : "";

	do {
		for (const char *p = fmt; *p; p++) {
			if (*p == '\\' && p[1]) {
				p += eval_escape(p + 1, &b);
			} else if (*p == '%' && p[1] == '%') {
				buf_putc(&b, '%');
				p++;
			} else if (*p == '%') {
				p += strspn(p + 1, "-+ #0123456789.");
				const char *arg = ai < argc ? argv[ai++] : "";
				if (p[1] == 'b') {
					for (const char *q = arg; *q; q++) {
						q += *q == '\\' && q[1]
						             ? eval_escape(
						                       q + 1,
						                       &b)
						             : (buf_putc(&b,
						                         *q),
						                0);
					}
				} else {
					buf_puts(&b, arg);
				}
				p += p[1] != '\0';
			} else {
				buf_putc(&b, *p);
			}
		}
	} while (ai < argc && ai > 2);
	return buf_steal(&b);
}

static char *
eval_echo(char **argv, size_t argc)
{
	struct buf b = { 0 };
	bool nl = true;
	bool esc = false;
	size_t i = 1;

	for (; i < argc && argv[i][0] == '-' && argv[i][1] &&
	       strspn(argv[i] + 1, "neE") == strlen(argv[i] + 1);
	     i++) {
		nl = nl && strchr(argv[i], 'n') == NULL;
		esc = esc || strchr(argv[i], 'e') != NULL;
	}
	for (size_t k = i; k < argc; k++) {
		if (k > i) {
			buf_putc(&b, ' ');
		}
		for (const char *q = argv[k]; *q; q++) {
			if (esc && *q == '\\' && q[1]) {
				q += eval_escape(q + 1, &b);
			} else {
				buf_putc(&b, *q);
			}
		}
	}
	if (nl) {
		buf_putc(&b, '\n');
	}
	return buf_steal(&b);
}

/* argv values of command i, or NULL when one is not static. */
static char **
eval_argv(struct classify_ctx *cx, const struct shell_cmd *c)
{
	char **v = xcalloc(c->argc + 1, sizeof *v);

	for (size_t k = 0; k < c->argc; k++) {
		const struct shell_word *w = &c->argv[k];
		v[k] = (w->flags & SHELL_W_EXPAND)
		               ? classify_word_value(cx, w->text, w->flags)
		               : xstrdup(w->text);
		if (v[k] == NULL) {
			for (size_t j = 0; j < k; j++) {
				free(v[j]);
			}
			free(v);
			return NULL;
		}
	}
	return v;
}

static void
eval_argv_free(char **v)
{
	for (size_t k = 0; v && v[k]; k++) {
		free(v[k]);
	}
	free(v);
}

static bool
eval_flag(char **v, size_t n, const char *a, const char *b)
{
	for (size_t k = 1; k < n; k++) {
		if (strcmp(v[k], a) == 0 || (b && strcmp(v[k], b) == 0)) {
			return true;
		}
	}
	return false;
}

/* Input of a filter: its file operand or its stdin. */
static char *
eval_input(struct classify_ctx *cx, size_t i, char **v, size_t n)
{
	for (size_t k = n; k > 1; k--) {
		if (v[k - 1][0] != '-') {
			return eval_file(cx, v[k - 1]);
		}
	}
	bool has = false;
	return classify_stdin(cx, i, &has);
}

static char *
eval_filter(struct classify_ctx *cx, size_t i, char **v, size_t n,
            const char *name)
{
	char *in = NULL;
	char *out = NULL;

	if (strcmp(name, "base64") == 0 || strcmp(name, "openssl") == 0) {
		if (!eval_flag(v, n, "-d", "--decode") &&
		    !eval_flag(v, n, "-D", NULL)) {
			return NULL;
		}
		in = eval_input(cx, i, v, strcmp(name, "openssl") ? n : 1);
		out = in ? eval_base64(in) : NULL;
	} else if (strcmp(name, "xxd") == 0 && eval_flag(v, n, "-r", "-rp")) {
		in = eval_input(cx, i, v, 1);
		out = in ? eval_unhex(in) : NULL;
	} else if (strcmp(name, "rev") == 0) {
		in = eval_input(cx, i, v, n);
		out = in ? eval_rev(in) : NULL;
	} else if (strcmp(name, "tr") == 0 && n == 3) {
		bool has = false;
		in = classify_stdin(cx, i, &has);
		out = in ? eval_tr(in, v[1], v[2]) : NULL;
	} else if (strcmp(name, "cat") == 0) {
		out = eval_input(cx, i, v, n);
	}
	free(in);
	return out;
}

char *
classify_stdout(struct classify_ctx *cx, size_t i)
{
	const struct shell_cmd *c = shell_tree_cmd(cx->tree, i);
	char *out = NULL;

	if (c == NULL || c->argc == 0 || !eval_budget(cx, 64)) {
		return NULL;
	}
	char **v = eval_argv(cx, c);
	if (v == NULL) {
		return NULL;
	}
	const char *name = eval_base(v[0]);
	if (strcmp(name, "echo") == 0) {
		out = eval_echo(v, c->argc);
	} else if (strcmp(name, "printf") == 0) {
		out = eval_printf(v, c->argc);
	} else {
		out = eval_filter(cx, i, v, c->argc, name);
	}
	eval_argv_free(v);
	if (out != NULL && strlen(out) > CLASSIFY_MAX_EVAL) {
		free(out);
		out = NULL;
	}
	return out;
}

static char *
eval_redir_input(struct classify_ctx *cx, const struct shell_redir *r)
{
	if (r->op == SHELL_R_HEREDOC) {
		return xstrdup(r->target.text);
	}
	if (r->op == SHELL_R_IN) {
		return eval_file(cx, r->target.text);
	}
	char *v = (r->target.flags & SHELL_W_EXPAND)
	                  ? classify_word_value(cx, r->target.text,
	                                        r->target.flags)
	                  : xstrdup(r->target.text);
	if (v != NULL) {
		char *nl = xasprintf("%s\n", v);
		free(v);
		return nl;
	}
	return NULL;
}

char *
classify_stdin(struct classify_ctx *cx, size_t i, bool *has)
{
	const struct shell_cmd *c = shell_tree_cmd(cx->tree, i);

	if (c == NULL) {
		return NULL;
	}
	for (size_t k = c->nredirs; k > 0; k--) {
		const struct shell_redir *r = &c->redirs[k - 1];
		if ((r->op == SHELL_R_HEREDOC || r->op == SHELL_R_HERESTR ||
		     r->op == SHELL_R_IN) &&
		    (r->fd < 0 || r->fd == 0)) {
			*has = true;
			return eval_redir_input(cx, r);
		}
	}
	if (c->stage == 0 || c->pipe_id < 0) {
		return NULL;
	}
	*has = true;
	struct buf b = { 0 };
	bool known = true;
	for (size_t j = 0; j < i && known; j++) {
		const struct shell_cmd *p = shell_tree_cmd(cx->tree, j);
		if (p->pipe_id != c->pipe_id || p->stage != c->stage - 1 ||
		    p->depth != c->depth) {
			continue;
		}
		char *o = classify_stdout(cx, j);
		known = o != NULL;
		buf_puts(&b, o ? o : "");
		free(o);
	}
	if (!known || b.data == NULL) {
		buf_free(&b);
		return NULL;
	}
	return buf_steal(&b);
}

void
classify_note_output(struct classify_ctx *cx, size_t i)
{
	const struct shell_cmd *c = shell_tree_cmd(cx->tree, i);
	struct classify_state *st = cx->st;

	for (size_t k = 0; k < c->nredirs && st->nfiles < CLASSIFY_MAX_VARS;
	     k++) {
		const struct shell_redir *r = &c->redirs[k];
		if ((r->op != SHELL_R_OUT && r->op != SHELL_R_OUT_ALL) ||
		    (r->fd > 1)) {
			continue;
		}
		char *abs = classify_abspath(cx->env, classify_cwd(cx, 0),
		                             r->target.text);
		char *out = abs ? classify_stdout(cx, i) : NULL;
		if (out != NULL) {
			st->files[st->nfiles].name = abs;
			st->files[st->nfiles].value = out;
			st->nfiles++;
		} else {
			free(abs);
		}
	}
}
