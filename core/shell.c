#include "core/shell.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/al.h"
#include "core/buf.h"
#include "core/xalloc.h"

/*
 * A recursive-descent parser that reads the text directly (no separate
 * token list): shell tokenisation depends on where the parser is (a
 * reserved word is only one at command position, a heredoc body starts at
 * the next newline), so the grammar functions pull tokens as they go.
 * $( ) is parsed in place on the same text; backticks are de-escaped into a
 * new string and parsed by a nested parser whose spans map back with an
 * offset (exact unless the backtick body itself holds escapes).
 */

struct shell_heredoc {
	char *body;
	size_t start;
	size_t end;
};

struct shell_tree {
	struct shell_cmd *cmds;
	size_t ncmds;
	size_t cap;
	struct shell_heredoc *hds;
	size_t nhds;
	int next_pipe;
	char *err;
	size_t err_start;
	size_t err_end;
};

struct shell_pending {
	char *delim;
	bool strip_tabs;
	bool quoted;
	size_t hd;
};

struct shell_parser {
	struct shell_tree *t;
	const char *s;
	size_t len;
	size_t pos;
	size_t base;  /* offset of s[0] in the original text */
	size_t limit; /* spans are clamped below this original offset */
	unsigned depth;
	unsigned sdepth;
	unsigned ctx;
	enum shell_sep sep;
	int cur_pipe;
	int cur_stage;
	struct shell_pending *pend;
	size_t npend;
	bool failed;
};

enum shell_tok {
	TK_EOF,
	TK_NEWLINE,
	TK_SEMI,
	TK_DSEMI,
	TK_AMP,
	TK_AND,
	TK_OR,
	TK_PIPE,
	TK_LPAREN,
	TK_RPAREN,
	TK_REDIR,
	TK_WORD,
};

static int shell_parse_list(struct shell_parser *p);
static int shell_parse_command(struct shell_parser *p);
static int shell_read_word(struct shell_parser *p, struct shell_word *w);

static size_t
shell_span(const struct shell_parser *p, size_t local)
{
	size_t off = p->base + local;

	return off > p->limit ? p->limit : off;
}

static int
shell_fail(struct shell_parser *p, size_t at, const char *msg)
{
	if (!p->failed && p->t->err == NULL) {
		p->t->err = xstrdup(msg);
		p->t->err_start = shell_span(p, at);
		p->t->err_end = shell_span(p, at < p->len ? at + 1 : at);
		if (p->t->err_end == p->t->err_start && p->t->err_start > 0) {
			p->t->err_start--;
		}
	}
	p->failed = true;
	return AL_EPARSE;
}

static bool
shell_is_meta(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == ';' || c == '&' ||
	       c == '|' || c == '<' || c == '>' || c == '(' || c == ')';
}

/* A word character with no meaning of its own (see shell_word_piece). */
static bool
shell_is_plain(char c)
{
	switch (c) {
	case '\\':
	case '\'':
	case '"':
	case '$':
	case '`':
	case '*':
	case '?':
	case '[':
	case '{':
	case '~':
	case '\0':
		return false;
	default:
		return (unsigned char)c < 0x80 && !shell_is_meta(c);
	}
}

static bool
shell_is_name_start(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool
shell_is_name_char(char c)
{
	return shell_is_name_start(c) || (c >= '0' && c <= '9');
}

bool
shell_is_assignment(const char *text)
{
	size_t i = 0;

	if (text == NULL || !shell_is_name_start(text[0])) {
		return false;
	}
	while (shell_is_name_char(text[i])) {
		i++;
	}
	if (text[i] == '+') {
		i++;
	}
	return text[i] == '=';
}

static char
shell_at(const struct shell_parser *p, size_t i)
{
	return i < p->len ? p->s[i] : '\0';
}

/* Skips blanks, line continuations and comments (a # that starts a
 * token); stops before a newline. */
static void
shell_skip_blanks(struct shell_parser *p)
{
	for (;;) {
		char c = shell_at(p, p->pos);

		if (c == ' ' || c == '\t' || c == '\r') {
			p->pos++;
		} else if (c == '\\' && shell_at(p, p->pos + 1) == '\n') {
			p->pos += 2;
		} else if (c == '#') {
			while (p->pos < p->len && p->s[p->pos] != '\n') {
				p->pos++;
			}
		} else {
			return;
		}
	}
}

static bool
shell_is_redir_at(const struct shell_parser *p, size_t i)
{
	while (i < p->len && p->s[i] >= '0' && p->s[i] <= '9') {
		i++;
	}
	char c = shell_at(p, i);
	if (c == '<' || c == '>') {
		return shell_at(p, i + 1) != '(';
	}
	return false;
}

static enum shell_tok
shell_peek(struct shell_parser *p)
{
	shell_skip_blanks(p);
	if (p->pos >= p->len) {
		return TK_EOF;
	}
	char c = p->s[p->pos];
	char d = shell_at(p, p->pos + 1);
	switch (c) {
	case '\n':
		return TK_NEWLINE;
	case ';':
		return d == ';' || d == '&' ? TK_DSEMI : TK_SEMI;
	case '&':
		if (d == '&') {
			return TK_AND;
		}
		return d == '>' ? TK_REDIR : TK_AMP;
	case '|':
		return d == '|' ? TK_OR : TK_PIPE;
	case '(':
		return TK_LPAREN;
	case ')':
		return TK_RPAREN;
	default:
		break;
	}
	if (shell_is_redir_at(p, p->pos)) {
		return TK_REDIR;
	}
	return TK_WORD;
}

/* True when the next token is the unquoted word kw. */
static bool
shell_peek_kw(struct shell_parser *p, const char *kw)
{
	size_t n;

	if (shell_peek(p) != TK_WORD || p->s[p->pos] != kw[0]) {
		return false;
	}
	n = strlen(kw);
	if (p->pos + n > p->len || memcmp(p->s + p->pos, kw, n) != 0) {
		return false;
	}
	char c = shell_at(p, p->pos + n);
	return c == '\0' || shell_is_meta(c);
}

static bool
shell_at_terminator(struct shell_parser *p)
{
	static const char *const kws[] = { "}",  "then", "else", "elif",
		                           "fi", "do",   "done", "esac" };

	for (size_t i = 0; i < sizeof kws / sizeof kws[0]; i++) {
		if (shell_peek_kw(p, kws[i])) {
			return true;
		}
	}
	return false;
}

static int
shell_expect_kw(struct shell_parser *p, const char *kw)
{
	if (!shell_peek_kw(p, kw)) {
		char msg[64];

		snprintf(msg, sizeof msg, "expected '%s'", kw);
		return shell_fail(p, p->pos, msg);
	}
	p->pos += strlen(kw);
	return 0;
}

static void
shell_word_free(struct shell_word *w)
{
	free(w->text);
	w->text = NULL;
}

static void
shell_cmd_free(struct shell_cmd *c)
{
	for (size_t i = 0; i < c->argc; i++) {
		shell_word_free(&c->argv[i]);
	}
	for (size_t i = 0; i < c->nassigns; i++) {
		shell_word_free(&c->assigns[i]);
	}
	for (size_t i = 0; i < c->nredirs; i++) {
		shell_word_free(&c->redirs[i].target);
	}
	free(c->argv);
	free(c->assigns);
	free(c->redirs);
	free(c->funcname);
}

/* Arrays of a command only grow through these, in powers of two: one
 * holding n elements has room for the next power of two, so it is full
 * (and grows) exactly when n is 0 or a power of two. */
static size_t
shell_grow_to(size_t n)
{
	return (n & (n - 1)) == 0 ? (n ? 2 * n : 1) : 0;
}

static void
shell_push_word(struct shell_word **arr, size_t *n, const struct shell_word *w)
{
	size_t cap = shell_grow_to(*n);

	if (cap > 0) {
		*arr = xrealloc(*arr, cap * sizeof **arr);
	}
	(*arr)[(*n)++] = *w;
}

static void
shell_push_redir(struct shell_cmd *c, const struct shell_redir *r)
{
	size_t cap = shell_grow_to(c->nredirs);

	if (cap > 0) {
		c->redirs = xrealloc(c->redirs, cap * sizeof *c->redirs);
	}
	c->redirs[c->nredirs++] = *r;
}

static int
shell_append_cmd(struct shell_parser *p, struct shell_cmd *c)
{
	struct shell_tree *t = p->t;

	if (t->ncmds >= SHELL_MAX_CMDS) {
		shell_cmd_free(c);
		return shell_fail(p, p->pos, "too many commands");
	}
	if (t->ncmds == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 16;
		t->cmds = xrealloc(t->cmds, t->cap * sizeof *t->cmds);
	}
	c->sep = p->sep;
	c->ctx = p->ctx;
	c->depth = p->sdepth;
	c->pipe_id = p->cur_pipe;
	c->stage = p->cur_stage;
	c->nstages = 1;
	t->cmds[t->ncmds++] = *c;
	p->sep = SHELL_SEP_SEQ;
	return 0;
}

/* ---- words ---------------------------------------------------------- */

static int
shell_hex(char c)
{
	if (c >= '0' && c <= '9') {
		return c - '0';
	}
	if (c >= 'a' && c <= 'f') {
		return c - 'a' + 10;
	}
	if (c >= 'A' && c <= 'F') {
		return c - 'A' + 10;
	}
	return -1;
}

static void
shell_put_utf8(struct buf *b, uint32_t cp)
{
	if (cp < 0x80) {
		buf_putc(b, (char)cp);
	} else if (cp < 0x800) {
		buf_putc(b, (char)(0xc0 | (cp >> 6)));
		buf_putc(b, (char)(0x80 | (cp & 0x3f)));
	} else if (cp < 0x10000) {
		buf_putc(b, (char)(0xe0 | (cp >> 12)));
		buf_putc(b, (char)(0x80 | ((cp >> 6) & 0x3f)));
		buf_putc(b, (char)(0x80 | (cp & 0x3f)));
	} else if (cp < 0x110000) {
		buf_putc(b, (char)(0xf0 | (cp >> 18)));
		buf_putc(b, (char)(0x80 | ((cp >> 12) & 0x3f)));
		buf_putc(b, (char)(0x80 | ((cp >> 6) & 0x3f)));
		buf_putc(b, (char)(0x80 | (cp & 0x3f)));
	}
}

/* Reads up to max hex digits at s[*i]; returns the value (or -1). */
static long
shell_read_hex(const struct shell_parser *p, size_t *i, int max)
{
	long v = -1;

	for (int k = 0; k < max && shell_hex(shell_at(p, *i)) >= 0; k++) {
		v = (v < 0 ? 0 : v * 16) + shell_hex(shell_at(p, *i));
		(*i)++;
	}
	return v;
}

static const char shell_c_escapes[] = "a\ab\be\033E\033f\fn\nr\rt\tv\v";

/* One escape of $'...' starting after the backslash at s[*i]. */
static void
shell_ansi_escape(const struct shell_parser *p, size_t *i, struct buf *b)
{
	char c = shell_at(p, *i);
	const char *e = c ? strchr(shell_c_escapes, c) : NULL;

	if (e != NULL && ((e - shell_c_escapes) % 2) == 0) {
		buf_putc(b, e[1]);
		(*i)++;
	} else if (c >= '0' && c <= '7') {
		int v = 0;
		for (int k = 0;
		     k < 3 && shell_at(p, *i) >= '0' && shell_at(p, *i) <= '7';
		     k++) {
			v = v * 8 + (shell_at(p, *i) - '0');
			(*i)++;
		}
		buf_putc(b, (char)v);
	} else if (c == 'x' || c == 'u' || c == 'U') {
		(*i)++;
		long v = shell_read_hex(p, i, c == 'x' ? 2 : c == 'u' ? 4 : 8);
		if (v < 0) {
			buf_putc(b, '\\');
			buf_putc(b, c);
		} else if (c == 'x') {
			buf_putc(b, (char)v);
		} else {
			shell_put_utf8(b, (uint32_t)v);
		}
	} else if (c == 'c' && *i + 1 < p->len) {
		buf_putc(b, (char)(shell_at(p, *i + 1) & 0x1f));
		*i += 2;
	} else {
		if (c != '\\' && c != '\'' && c != '"' && c != '?') {
			buf_putc(b, '\\');
		}
		if (c) {
			buf_putc(b, c);
			(*i)++;
		}
	}
}

static int
shell_read_ansi(struct shell_parser *p, struct buf *b)
{
	size_t i = p->pos + 2;

	while (i < p->len && p->s[i] != '\'') {
		if (p->s[i] == '\\') {
			i++;
			shell_ansi_escape(p, &i, b);
		} else {
			buf_putc(b, p->s[i++]);
		}
	}
	if (i >= p->len) {
		return shell_fail(p, p->pos, "unterminated $'...'");
	}
	p->pos = i + 1;
	return 0;
}

/* Finds the end of a balanced (open, close) run starting at s[i] == open,
 * skipping quoted text; returns the index after the close or 0. */
static size_t
shell_match(const struct shell_parser *p, size_t i, char open, char close)
{
	int depth = 0;

	for (; i < p->len; i++) {
		char c = p->s[i];
		if (c == '\\') {
			i++;
		} else if (c == '\'') {
			const char *q =
			        memchr(p->s + i + 1, '\'', p->len - i - 1);
			if (q == NULL) {
				return 0;
			}
			i = (size_t)(q - p->s);
		} else if (c == open) {
			depth++;
		} else if (c == close && --depth == 0) {
			return i + 1;
		}
	}
	return 0;
}

/* Parses a list in place until the matching ')' (for $( ) and <( )). */
static int
shell_sub_list(struct shell_parser *p, unsigned ctx)
{
	unsigned octx = p->ctx;
	enum shell_sep osep = p->sep;
	int opipe = p->cur_pipe;
	int ostage = p->cur_stage;
	int rc;

	if (p->sdepth + p->depth >= SHELL_MAX_DEPTH) {
		return shell_fail(p, p->pos, "nesting too deep");
	}
	p->ctx |= ctx;
	p->sep = SHELL_SEP_START;
	p->cur_pipe = -1;
	p->cur_stage = 0;
	p->sdepth++;
	rc = shell_parse_list(p);
	p->sdepth--;
	p->ctx = octx;
	p->sep = osep;
	p->cur_pipe = opipe;
	p->cur_stage = ostage;
	if (rc == 0 && shell_peek(p) != TK_RPAREN) {
		rc = shell_fail(p, p->pos, "unterminated substitution");
	}
	if (rc == 0) {
		p->pos++;
	}
	return rc;
}

static void shell_read_pending(struct shell_parser *p);

/* Parses the backtick body s[from, to) (escapes removed) as its own text. */
static int
shell_backtick_body(struct shell_parser *p, size_t from, size_t to,
                    unsigned ctx)
{
	struct buf inner = { 0 };
	struct shell_parser sub;
	int rc;

	for (size_t i = from; i < to; i++) {
		char c = p->s[i];
		char d = i + 1 < to ? p->s[i + 1] : '\0';
		if (c == '\\' && (d == '\\' || d == '`' || d == '$')) {
			c = d;
			i++;
		}
		buf_putc(&inner, c);
	}
	sub = (struct shell_parser){ .t = p->t,
		                     .s = inner.data ? inner.data : "",
		                     .len = inner.len,
		                     .base = p->base + from,
		                     .limit = shell_span(p, to),
		                     .depth = p->depth + 1,
		                     .sdepth = p->sdepth + 1,
		                     .ctx = p->ctx | ctx,
		                     .sep = SHELL_SEP_START,
		                     .cur_pipe = -1 };
	if (sub.depth + sub.sdepth >= SHELL_MAX_DEPTH) {
		rc = shell_fail(p, from, "nesting too deep");
	} else {
		rc = shell_parse_list(&sub);
		shell_read_pending(&sub);
		if (rc == 0 && shell_peek(&sub) != TK_EOF) {
			rc = shell_fail(&sub, sub.pos, "unexpected ')'");
		}
	}
	free(sub.pend);
	buf_free(&inner);
	if (rc != 0) {
		p->failed = true;
	}
	return rc;
}

static int
shell_read_backtick(struct shell_parser *p, struct buf *b, unsigned ctx)
{
	size_t i = p->pos + 1;

	while (i < p->len && p->s[i] != '`') {
		i += p->s[i] == '\\' ? 2 : 1;
	}
	if (i >= p->len) {
		return shell_fail(p, p->pos, "unterminated backtick");
	}
	int rc = shell_backtick_body(p, p->pos + 1, i, ctx);
	buf_append(b, p->s + p->pos, i + 1 - p->pos);
	p->pos = i + 1;
	return rc;
}

/* ${...}: kept as written; flags computed forms (substrings,
 * replacements, indirection, case changes) that build text at run time. */
static int
shell_read_brace_param(struct shell_parser *p, struct buf *b, unsigned *fl)
{
	size_t end = shell_match(p, p->pos + 1, '{', '}');
	size_t i = p->pos + 2;

	if (end == 0) {
		return shell_fail(p, p->pos, "unterminated ${");
	}
	if (shell_at(p, i) == '!') {
		*fl |= SHELL_W_PARAM_OP;
	}
	while (i < end && (shell_is_name_char(p->s[i]) || p->s[i] == '#')) {
		i++;
	}
	char c = shell_at(p, i);
	char d = shell_at(p, i + 1);
	if (c == '/' || c == '^' || c == ',' || c == '@' ||
	    (c == ':' && ((d >= '0' && d <= '9') || d == ' ' || d == '$'))) {
		*fl |= SHELL_W_PARAM_OP;
	}
	buf_append(b, p->s + p->pos, end - p->pos);
	p->pos = end;
	return 0;
}

/* $ forms: $( ), $(( )), ${ }, $NAME, $1, $@ ... (pos at the '$'). */
static int
shell_read_dollar(struct shell_parser *p, struct buf *b, unsigned *fl,
                  unsigned ctx)
{
	size_t at = p->pos;
	char c = shell_at(p, at + 1);

	if (c == '(' && shell_at(p, at + 2) == '(') {
		size_t end = shell_match(p, at + 1, '(', ')');
		if (end == 0) {
			return shell_fail(p, at, "unterminated $((");
		}
		buf_append(b, p->s + at, end - at);
		p->pos = end;
		*fl |= SHELL_W_EXPAND;
		return 0;
	}
	if (c == '(') {
		p->pos = at + 2;
		int rc = shell_sub_list(p, SHELL_CTX_SUBST | ctx);
		if (rc == 0) {
			buf_append(b, p->s + at, p->pos - at);
		}
		*fl |= SHELL_W_EXPAND | SHELL_W_SUBST;
		return rc;
	}
	if (c == '{') {
		*fl |= SHELL_W_EXPAND;
		return shell_read_brace_param(p, b, fl);
	}
	size_t i = at + 1;
	if (shell_is_name_start(c)) {
		while (shell_is_name_char(shell_at(p, i))) {
			i++;
		}
	} else if (c != '\0' && strchr("0123456789@*#?$!-", c) != NULL) {
		i++;
	}
	if (i > at + 1) {
		*fl |= SHELL_W_EXPAND;
	}
	buf_append(b, p->s + at, i > at + 1 ? i - at : 1);
	p->pos = i;
	return 0;
}

/* Inside "...": pos just after the opening quote. */
static int
shell_read_dquote(struct shell_parser *p, struct buf *b, unsigned *fl)
{
	size_t open = p->pos - 1;

	while (p->pos < p->len && p->s[p->pos] != '"') {
		char c = p->s[p->pos];
		char d = shell_at(p, p->pos + 1);
		int rc = 0;
		if (c == '\\' && d != '\0' && strchr("$`\"\\\n", d) != NULL) {
			if (d != '\n') {
				buf_putc(b, d);
			}
			p->pos += 2;
		} else if (c == '$') {
			rc = shell_read_dollar(p, b, fl, 0);
		} else if (c == '`') {
			*fl |= SHELL_W_EXPAND | SHELL_W_SUBST;
			rc = shell_read_backtick(p, b, SHELL_CTX_SUBST);
		} else {
			if ((unsigned char)c >= 0x80) {
				*fl |= SHELL_W_NONASCII;
			}
			buf_putc(b, c);
			p->pos++;
		}
		if (rc != 0) {
			return rc;
		}
	}
	if (p->pos >= p->len) {
		return shell_fail(p, open, "unterminated double quote");
	}
	p->pos++;
	return 0;
}

/* Whether an unquoted '{' at i opens a brace expansion ({a,b}, {1..3}). */
static bool
shell_brace_expansion_at(const struct shell_parser *p, size_t i)
{
	bool sep = false;

	for (size_t j = i + 1; j < p->len; j++) {
		char c = p->s[j];
		if (c == '}') {
			return sep;
		}
		if (shell_is_meta(c) || c == '{') {
			return false;
		}
		if (c == ',' || (c == '.' && shell_at(p, j + 1) == '.')) {
			sep = true;
		}
	}
	return false;
}

enum shell_part {
	PART_NONE,
	PART_PLAIN,
	PART_QUOTE,
	PART_ESCAPE,
	PART_EXPAND,
};

struct shell_wstate {
	struct buf b;
	unsigned flags;
	int nparts;
	enum shell_part last;
	bool quoted_inner; /* a quote or escape that is not a lone lead \ */
};

static void
shell_part(struct shell_wstate *ws, enum shell_part k, size_t at, size_t start)
{
	if (k != ws->last || k == PART_QUOTE) {
		ws->nparts++;
		ws->last = k;
	}
	if ((k == PART_QUOTE || k == PART_ESCAPE) &&
	    !(k == PART_ESCAPE && at == start)) {
		ws->quoted_inner = true;
	}
}

/* One piece of an unquoted word at pos; returns 0 or AL_EPARSE. */
static int
shell_word_piece(struct shell_parser *p, struct shell_wstate *ws, size_t start)
{
	size_t at = p->pos;
	char c = p->s[at];
	char d = shell_at(p, at + 1);

	if (c == '\\') {
		if (d == '\n') {
			p->pos += 2;
			return 0;
		}
		shell_part(ws, PART_ESCAPE, at, start);
		ws->flags |= SHELL_W_QUOTED;
		if (d != '\0') {
			buf_putc(&ws->b, d);
		}
		p->pos += d ? 2 : 1;
		return 0;
	}
	if (c == '\'') {
		const char *q = memchr(p->s + at + 1, '\'', p->len - at - 1);
		if (q == NULL) {
			return shell_fail(p, at, "unterminated single quote");
		}
		shell_part(ws, PART_QUOTE, at, start);
		ws->flags |= SHELL_W_QUOTED;
		buf_append(&ws->b, p->s + at + 1, (size_t)(q - p->s) - at - 1);
		p->pos = (size_t)(q - p->s) + 1;
		return 0;
	}
	if (c == '"' || (c == '$' && d == '"')) {
		shell_part(ws, PART_QUOTE, at, start);
		ws->flags |= SHELL_W_QUOTED;
		p->pos += c == '"' ? 1 : 2;
		return shell_read_dquote(p, &ws->b, &ws->flags);
	}
	if (c == '$' && d == '\'') {
		shell_part(ws, PART_QUOTE, at, start);
		ws->flags |= SHELL_W_QUOTED | SHELL_W_ANSI_C;
		return shell_read_ansi(p, &ws->b);
	}
	if (c == '$' || c == '`') {
		shell_part(ws, PART_EXPAND, at, start);
		if (c == '`') {
			ws->flags |= SHELL_W_EXPAND | SHELL_W_SUBST;
			return shell_read_backtick(p, &ws->b, SHELL_CTX_SUBST);
		}
		return shell_read_dollar(p, &ws->b, &ws->flags, 0);
	}
	shell_part(ws, PART_PLAIN, at, start);
	if (c == '*' || c == '?' || c == '[') {
		ws->flags |= SHELL_W_GLOB;
	} else if (c == '{' && shell_brace_expansion_at(p, at)) {
		ws->flags |= SHELL_W_BRACE;
	} else if (c == '~' && at == start) {
		ws->flags |= SHELL_W_TILDE;
	} else if ((unsigned char)c >= 0x80) {
		ws->flags |= SHELL_W_NONASCII;
	}
	/* this character and the plain ones after it, which change nothing
	 * but the text: one append instead of one piece per character */
	size_t end = at + 1;
	while (end < p->len && shell_is_plain(p->s[end])) {
		end++;
	}
	buf_append(&ws->b, p->s + at, end - at);
	p->pos = end;
	return 0;
}

/* NAME=( ... ) array values and extglob @( ) ... kept as written. */
static bool
shell_paren_in_word(struct shell_parser *p, struct shell_wstate *ws)
{
	size_t at = p->pos;
	const char *txt = ws->b.data;
	size_t n = ws->b.len;
	bool array = n > 0 && txt[n - 1] == '=' && shell_is_assignment(txt);
	bool extglob = n > 0 && strchr("@!+*?", txt[n - 1]) != NULL;

	if (p->s[at] != '(' || !(array || extglob)) {
		return false;
	}
	size_t end = shell_match(p, at, '(', ')');
	if (end == 0) {
		return false;
	}
	buf_append(&ws->b, p->s + at, end - at);
	ws->flags |= array ? SHELL_W_EXPAND : SHELL_W_GLOB;
	p->pos = end;
	return true;
}

static int
shell_read_procsub(struct shell_parser *p, struct shell_word *w)
{
	size_t at = p->pos;
	int rc;

	p->pos += 2;
	rc = shell_sub_list(p, SHELL_CTX_PROCSUB);
	w->text = xstrndup(p->s + at, p->pos - at);
	w->start = shell_span(p, at);
	w->end = shell_span(p, p->pos);
	w->flags = SHELL_W_PROCSUB | SHELL_W_EXPAND | SHELL_W_SUBST;
	return rc;
}

static int
shell_read_word(struct shell_parser *p, struct shell_word *w)
{
	struct shell_wstate ws = { .last = PART_NONE };
	size_t start;
	int rc = 0;

	shell_skip_blanks(p);
	start = p->pos;
	if ((shell_at(p, start) == '<' || shell_at(p, start) == '>') &&
	    shell_at(p, start + 1) == '(') {
		return shell_read_procsub(p, w);
	}
	while (rc == 0 && p->pos < p->len) {
		if (!shell_is_meta(p->s[p->pos])) {
			rc = shell_word_piece(p, &ws, start);
		} else if (!shell_paren_in_word(p, &ws)) {
			break;
		}
	}
	if (ws.quoted_inner && ws.nparts > 1) {
		ws.flags |= SHELL_W_SPLIT;
	}
	w->text = buf_steal(&ws.b);
	w->start = shell_span(p, start);
	w->end = shell_span(p, p->pos);
	w->flags = ws.flags;
	if (rc == 0 && p->pos == start) {
		rc = shell_fail(p, start, "expected a word");
	}
	return rc;
}

/* ---- heredocs ------------------------------------------------------- */

/* Parses the substitutions of an unquoted heredoc body s[from, to):
 * they run even when the body itself is only data. */
static int
shell_heredoc_substs(struct shell_parser *p, size_t from, size_t to)
{
	size_t olen = p->len;
	size_t opos = p->pos;
	struct buf junk = { 0 };
	unsigned fl = 0;
	int rc = 0;

	p->len = to;
	p->pos = from;
	while (rc == 0 && p->pos < p->len) {
		char c = p->s[p->pos];
		if (c == '\\') {
			p->pos += 2;
		} else if (c == '$') {
			rc = shell_read_dollar(p, &junk, &fl,
			                       SHELL_CTX_HEREDOC);
		} else if (c == '`') {
			rc = shell_read_backtick(
			        p, &junk, SHELL_CTX_SUBST | SHELL_CTX_HEREDOC);
		} else {
			p->pos++;
		}
	}
	buf_free(&junk);
	p->len = olen;
	p->pos = opos;
	return rc;
}

/* Reads one heredoc body starting at pos (the line after the operator). */
static int
shell_read_heredoc(struct shell_parser *p, const struct shell_pending *pd)
{
	struct buf body = { 0 };
	size_t dl = strlen(pd->delim);
	size_t from = p->pos;
	size_t end = p->len;
	int rc = 0;

	while (p->pos < p->len) {
		size_t ls = p->pos;
		const char *nl = memchr(p->s + ls, '\n', p->len - ls);
		size_t le = nl ? (size_t)(nl - p->s) : p->len;
		size_t ts = ls;
		while (pd->strip_tabs && ts < le && p->s[ts] == '\t') {
			ts++;
		}
		p->pos = nl ? le + 1 : le;
		if (le - ts == dl && memcmp(p->s + ts, pd->delim, dl) == 0) {
			end = ls;
			break;
		}
		buf_append(&body, p->s + ts, p->pos - ts);
	}
	struct shell_heredoc *hd = &p->t->hds[pd->hd];
	hd->body = buf_steal(&body);
	hd->start = shell_span(p, from);
	hd->end = shell_span(p, end);
	if (!pd->quoted) {
		rc = shell_heredoc_substs(p, from, end);
	}
	return rc;
}

static void
shell_read_pending(struct shell_parser *p)
{
	/* detached first: a body's $( ) may hold newlines that read heredocs
	 * of its own, which must not see this list again */
	struct shell_pending *pend = p->pend;
	size_t n = p->npend;

	p->pend = NULL;
	p->npend = 0;
	for (size_t i = 0; i < n; i++) {
		if (!p->failed) {
			(void)shell_read_heredoc(p, &pend[i]);
		}
		free(pend[i].delim);
	}
	free(pend);
}

static int
shell_consume_newline(struct shell_parser *p)
{
	p->pos++;
	shell_read_pending(p);
	return p->failed ? AL_EPARSE : 0;
}

static int
shell_skip_newlines(struct shell_parser *p)
{
	while (shell_peek(p) == TK_NEWLINE) {
		if (shell_consume_newline(p) != 0) {
			return AL_EPARSE;
		}
	}
	return 0;
}

/* ---- redirections --------------------------------------------------- */

struct shell_redir_form {
	const char *op;
	enum shell_redir_op kind;
};

static const struct shell_redir_form shell_redir_forms[] = {
	{ "&>>", SHELL_R_APPEND_ALL }, { "<<<", SHELL_R_HERESTR },
	{ "<<-", SHELL_R_HEREDOC },    { "&>", SHELL_R_OUT_ALL },
	{ ">>", SHELL_R_APPEND },      { "<<", SHELL_R_HEREDOC },
	{ "<>", SHELL_R_INOUT },       { "<&", SHELL_R_DUP_IN },
	{ ">&", SHELL_R_DUP_OUT },     { ">|", SHELL_R_OUT },
	{ ">", SHELL_R_OUT },          { "<", SHELL_R_IN },
};

static int
shell_heredoc_start(struct shell_parser *p, struct shell_redir *r, bool strip)
{
	struct shell_word delim = { 0 };
	int rc = shell_read_word(p, &delim);

	if (rc != 0) {
		shell_word_free(&delim);
		return rc;
	}
	struct shell_tree *t = p->t;
	t->hds = xrealloc(t->hds, (t->nhds + 1) * sizeof *t->hds);
	t->hds[t->nhds] = (struct shell_heredoc){ .body = NULL };
	p->pend = xrealloc(p->pend, (p->npend + 1) * sizeof *p->pend);
	p->pend[p->npend++] = (struct shell_pending){
		.delim = delim.text,
		.strip_tabs = strip,
		.quoted = (delim.flags & SHELL_W_QUOTED) != 0,
		.hd = t->nhds,
	};
	r->quoted_delim = (delim.flags & SHELL_W_QUOTED) != 0;
	/* the body is read at the next newline; until the tree is finished
	 * the target holds the heredoc's index (see shell_fix_heredocs) */
	r->target = (struct shell_word){ .text = NULL, .start = t->nhds };
	t->nhds++;
	return 0;
}

static int
shell_parse_redir(struct shell_parser *p, struct shell_redir *r)
{
	size_t i = p->pos;
	int fd = -1;

	shell_skip_blanks(p);
	i = p->pos;
	while (i < p->len && p->s[i] >= '0' && p->s[i] <= '9') {
		fd = (fd < 0 ? 0 : fd * 10) + (p->s[i] - '0');
		if (fd > 4096) {
			fd = 4096;
		}
		i++;
	}
	for (size_t k = 0;
	     k < sizeof shell_redir_forms / sizeof *shell_redir_forms; k++) {
		size_t n = strlen(shell_redir_forms[k].op);
		if (i + n <= p->len &&
		    memcmp(p->s + i, shell_redir_forms[k].op, n) == 0) {
			*r = (struct shell_redir){
				.op = shell_redir_forms[k].kind, .fd = fd
			};
			p->pos = i + n;
			if (r->op == SHELL_R_HEREDOC) {
				return shell_heredoc_start(p, r, n == 3);
			}
			if (shell_peek(p) != TK_WORD) {
				return shell_fail(
				        p, p->pos,
				        "redirection without a target");
			}
			return shell_read_word(p, &r->target);
		}
	}
	return shell_fail(p, i, "bad redirection");
}

/* ---- commands ------------------------------------------------------- */

static int
shell_parse_funcdef(struct shell_parser *p, struct shell_word *name)
{
	struct shell_cmd marker = { .start = name->start, .end = name->end };
	unsigned octx = p->ctx;
	int rc;

	marker.funcname = name->text;
	name->text = NULL;
	rc = shell_append_cmd(p, &marker);
	if (rc == 0) {
		rc = shell_skip_newlines(p);
	}
	if (rc == 0) {
		p->ctx |= SHELL_CTX_FUNC;
		rc = shell_parse_command(p);
		p->ctx = octx;
	}
	return rc;
}

/* After a first word: "name ( )" makes it a function definition. */
static bool
shell_funcdef_follows(struct shell_parser *p)
{
	size_t save = p->pos;

	if (shell_peek(p) != TK_LPAREN) {
		return false;
	}
	p->pos++;
	if (shell_peek(p) == TK_RPAREN) {
		p->pos++;
		return true;
	}
	p->pos = save;
	return false;
}

/* NAME= or NAME+= written unquoted at s[at] (quotes make it a word). */
static bool
shell_raw_assignment(const struct shell_parser *p, size_t at)
{
	size_t i = at;

	if (!shell_is_name_start(shell_at(p, i))) {
		return false;
	}
	while (shell_is_name_char(shell_at(p, i))) {
		i++;
	}
	if (shell_at(p, i) == '+') {
		i++;
	}
	return shell_at(p, i) == '=';
}

static int
shell_simple_item(struct shell_parser *p, struct shell_cmd *c, bool *fdef)
{
	struct shell_word w = { 0 };
	struct shell_redir r = { 0 };
	int rc;

	if (shell_peek(p) == TK_REDIR) {
		rc = shell_parse_redir(p, &r);
		if (rc == 0) {
			shell_push_redir(c, &r);
		} else {
			shell_word_free(&r.target);
		}
		return rc;
	}
	size_t at = p->pos;
	rc = shell_read_word(p, &w);
	if (rc == 0 && c->argc == 0 && shell_raw_assignment(p, at)) {
		shell_push_word(&c->assigns, &c->nassigns, &w);
		return 0;
	}
	if (rc == 0 && c->argc == 0 && c->nassigns == 0 && c->nredirs == 0 &&
	    !(w.flags & SHELL_W_QUOTED) && shell_funcdef_follows(p)) {
		*fdef = true;
	}
	shell_push_word(&c->argv, &c->argc, &w);
	return rc;
}

static int
shell_parse_simple(struct shell_parser *p)
{
	struct shell_cmd c = { 0 };
	size_t start;
	bool fdef = false;
	int rc = 0;

	shell_skip_blanks(p);
	start = p->pos;
	size_t last = start;
	for (;;) {
		enum shell_tok tk = shell_peek(p);
		if (rc != 0 || fdef || (tk != TK_WORD && tk != TK_REDIR)) {
			break;
		}
		rc = shell_simple_item(p, &c, &fdef);
		last = p->pos;
	}
	if (rc == 0 && fdef) {
		struct shell_word name = c.argv[0];
		c.argc = 0;
		shell_cmd_free(&c);
		rc = shell_parse_funcdef(p, &name);
		shell_word_free(&name);
		return rc;
	}
	if (rc == 0 && c.argc + c.nassigns + c.nredirs == 0) {
		rc = shell_fail(p, p->pos, "expected a command");
	}
	c.start = shell_span(p, start);
	c.end = shell_span(p, last > start ? last : p->pos);
	if (rc == 0 || c.argc + c.nassigns + c.nredirs > 0) {
		int arc = shell_append_cmd(p, &c);
		rc = rc ? rc : arc;
	} else {
		shell_cmd_free(&c);
	}
	return rc;
}

static int
shell_copy_redir(struct shell_cmd *c, const struct shell_redir *r)
{
	struct shell_redir copy = *r;

	copy.target.text = xstrdup(r->target.text);
	shell_push_redir(c, &copy);
	return 0;
}

/* Redirections after ) } done fi esac apply to every command inside. */
static int
shell_group_redirs(struct shell_parser *p, size_t first)
{
	struct shell_redir *rs = NULL;
	size_t n = 0;
	int rc = 0;

	while (rc == 0 && shell_peek(p) == TK_REDIR) {
		rs = xrealloc(rs, (n + 1) * sizeof *rs);
		rs[n] = (struct shell_redir){ 0 };
		rc = shell_parse_redir(p, &rs[n]);
		if (rc == 0) {
			n++;
		} else {
			shell_word_free(&rs[n].target);
		}
	}
	for (size_t i = first; i < p->t->ncmds; i++) {
		for (size_t k = 0; k < n; k++) {
			shell_copy_redir(&p->t->cmds[i], &rs[k]);
		}
	}
	for (size_t k = 0; k < n; k++) {
		shell_word_free(&rs[k].target);
	}
	free(rs);
	return rc;
}

static int
shell_enter(struct shell_parser *p)
{
	if (++p->depth + p->sdepth >= SHELL_MAX_DEPTH) {
		return shell_fail(p, p->pos, "nesting too deep");
	}
	return 0;
}

static int
shell_parse_subshell(struct shell_parser *p)
{
	unsigned octx = p->ctx;
	int rc;

	p->pos++;
	p->ctx |= SHELL_CTX_SUBSHELL;
	rc = shell_parse_list(p);
	p->ctx = octx;
	if (rc == 0 && shell_peek(p) != TK_RPAREN) {
		rc = shell_fail(p, p->pos, "expected ')'");
	}
	if (rc == 0) {
		p->pos++;
	}
	return rc;
}

/* A list followed by the keyword that must close it. */
static int
shell_list_until(struct shell_parser *p, const char *kw)
{
	int rc = shell_parse_list(p);

	return rc ? rc : shell_expect_kw(p, kw);
}

static int
shell_parse_if(struct shell_parser *p)
{
	int rc;

	p->pos += 2;
	rc = shell_list_until(p, "then");
	if (rc == 0) {
		rc = shell_parse_list(p);
	}
	while (rc == 0 && shell_peek_kw(p, "elif")) {
		p->pos += 4;
		rc = shell_list_until(p, "then");
		rc = rc ? rc : shell_parse_list(p);
	}
	if (rc == 0 && shell_peek_kw(p, "else")) {
		p->pos += 4;
		rc = shell_parse_list(p);
	}
	return rc ? rc : shell_expect_kw(p, "fi");
}

static int
shell_parse_while(struct shell_parser *p, size_t kwlen)
{
	int rc;

	p->pos += kwlen;
	rc = shell_list_until(p, "do");
	return rc ? rc : shell_list_until(p, "done");
}

/* Words up to ; or newline (for's list, case's subject); substitutions in
 * them are parsed as commands, the words themselves are dropped. */
static int
shell_skip_words(struct shell_parser *p, size_t max)
{
	int rc = 0;

	for (size_t n = 0; rc == 0 && n < max && shell_peek(p) == TK_WORD;
	     n++) {
		struct shell_word w = { 0 };
		rc = shell_read_word(p, &w);
		shell_word_free(&w);
	}
	return rc;
}

static int
shell_parse_for(struct shell_parser *p)
{
	int rc;

	p->pos += 3;
	if (shell_peek(p) == TK_LPAREN && shell_at(p, p->pos + 1) == '(') {
		size_t end = shell_match(p, p->pos, '(', ')');
		if (end == 0) {
			return shell_fail(p, p->pos, "unterminated for ((");
		}
		p->pos = end;
	} else {
		rc = shell_skip_words(p, 1);
		if (rc != 0) {
			return rc;
		}
		rc = shell_skip_newlines(p);
		if (rc == 0 && shell_peek_kw(p, "in")) {
			p->pos += 2;
			rc = shell_skip_words(p, SIZE_MAX);
		}
		if (rc != 0) {
			return rc;
		}
	}
	if (shell_peek(p) == TK_SEMI) {
		p->pos++;
	}
	rc = shell_skip_newlines(p);
	if (rc == 0 && shell_peek_kw(p, "{")) {
		p->pos++;
		return shell_list_until(p, "}");
	}
	rc = rc ? rc : shell_expect_kw(p, "do");
	return rc ? rc : shell_list_until(p, "done");
}

static int
shell_case_patterns(struct shell_parser *p)
{
	int rc = 0;

	if (shell_peek(p) == TK_LPAREN) {
		p->pos++;
	}
	while (rc == 0) {
		rc = shell_skip_words(p, 1);
		if (rc == 0 && shell_peek(p) == TK_PIPE) {
			p->pos++;
			continue;
		}
		break;
	}
	if (rc == 0 && shell_peek(p) != TK_RPAREN) {
		rc = shell_fail(p, p->pos, "expected ')' in case pattern");
	}
	if (rc == 0) {
		p->pos++;
	}
	return rc;
}

static int
shell_parse_case(struct shell_parser *p)
{
	int rc;

	p->pos += 4;
	rc = shell_skip_words(p, 1);
	rc = rc ? rc : shell_skip_newlines(p);
	rc = rc ? rc : shell_expect_kw(p, "in");
	while (rc == 0) {
		rc = shell_skip_newlines(p);
		if (rc != 0 || shell_peek_kw(p, "esac")) {
			break;
		}
		rc = shell_case_patterns(p);
		rc = rc ? rc : shell_parse_list(p);
		if (rc == 0 && shell_peek(p) == TK_DSEMI) {
			p->pos += 2;
			if (shell_at(p, p->pos) == '&') {
				p->pos++;
			}
		} else if (rc == 0 && !shell_peek_kw(p, "esac")) {
			rc = shell_fail(p, p->pos, "expected ';;' or 'esac'");
		}
	}
	return rc ? rc : shell_expect_kw(p, "esac");
}

/* [[ ... ]] and (( ... )): tests whose operators are not shell syntax. */
static int
shell_parse_test(struct shell_parser *p, bool arith)
{
	struct shell_cmd c = { .start = shell_span(p, p->pos) };
	struct shell_word w = { 0 };
	size_t from = p->pos;
	const char *close = arith ? "))" : "]]";
	size_t i = p->pos + 2;
	int rc = 0;

	while (i + 1 < p->len && memcmp(p->s + i, close, 2) != 0) {
		if (p->s[i] == '\'' || p->s[i] == '"') {
			const char *q =
			        memchr(p->s + i + 1, p->s[i], p->len - i - 1);
			i = q ? (size_t)(q - p->s) : p->len;
		}
		i++;
	}
	if (i + 1 >= p->len) {
		return shell_fail(
		        p, from, arith ? "unterminated ((" : "unterminated [[");
	}
	w = (struct shell_word){ .text = xstrndup(p->s + from, 2),
		                 .start = shell_span(p, from),
		                 .end = shell_span(p, from + 2) };
	shell_push_word(&c.argv, &c.argc, &w);
	w = (struct shell_word){ .text = xstrndup(p->s + from + 2,
		                                  i - from - 2),
		                 .start = shell_span(p, from + 2),
		                 .end = shell_span(p, i),
		                 .flags = SHELL_W_EXPAND };
	shell_push_word(&c.argv, &c.argc, &w);
	/* substitutions inside the test still run */
	rc = shell_heredoc_substs(p, from + 2, i);
	p->pos = i + 2;
	c.end = shell_span(p, p->pos);
	int arc = shell_append_cmd(p, &c);
	return rc ? rc : arc;
}

static int
shell_parse_function_kw(struct shell_parser *p)
{
	struct shell_word name = { 0 };
	int rc;

	p->pos += 8;
	rc = shell_read_word(p, &name);
	if (rc == 0) {
		(void)shell_funcdef_follows(p);
		rc = shell_parse_funcdef(p, &name);
	}
	shell_word_free(&name);
	return rc;
}

static int
shell_parse_compound(struct shell_parser *p, bool *handled)
{
	unsigned octx = p->ctx;
	int rc = 0;

	*handled = true;
	if (shell_peek(p) == TK_LPAREN) {
		if (shell_at(p, p->pos + 1) == '(') {
			return shell_parse_test(p, true);
		}
		return shell_parse_subshell(p);
	}
	if (shell_peek_kw(p, "[[")) {
		return shell_parse_test(p, false);
	}
	if (shell_peek_kw(p, "function")) {
		return shell_parse_function_kw(p);
	}
	p->ctx |= SHELL_CTX_LOOP;
	if (shell_peek_kw(p, "{")) {
		p->ctx = octx;
		p->pos++;
		rc = shell_list_until(p, "}");
	} else if (shell_peek_kw(p, "if")) {
		rc = shell_parse_if(p);
	} else if (shell_peek_kw(p, "while") || shell_peek_kw(p, "until")) {
		rc = shell_parse_while(p, 5);
	} else if (shell_peek_kw(p, "for") || shell_peek_kw(p, "select")) {
		p->pos += shell_peek_kw(p, "select") ? 3 : 0;
		rc = shell_parse_for(p);
	} else if (shell_peek_kw(p, "case")) {
		rc = shell_parse_case(p);
	} else {
		*handled = false;
	}
	p->ctx = octx;
	return rc;
}

static int
shell_parse_command(struct shell_parser *p)
{
	size_t first = p->t->ncmds;
	bool handled = false;
	int rc;

	rc = shell_enter(p);
	if (rc == 0) {
		enum shell_tok tk = shell_peek(p);
		if (tk != TK_WORD && tk != TK_REDIR && tk != TK_LPAREN) {
			rc = shell_fail(p, p->pos, "expected a command");
		} else if (tk == TK_WORD && shell_at_terminator(p)) {
			rc = shell_fail(p, p->pos, "unexpected reserved word");
		}
	}
	if (rc == 0) {
		rc = shell_parse_compound(p, &handled);
	}
	if (rc == 0 && handled) {
		rc = shell_group_redirs(p, first);
	} else if (rc == 0) {
		rc = shell_parse_simple(p);
	}
	p->depth--;
	return rc;
}

static void
shell_finish_pipeline(struct shell_parser *p, size_t first, int id, int nstages,
                      int outer, int ostage)
{
	for (size_t i = first; i < p->t->ncmds; i++) {
		struct shell_cmd *c = &p->t->cmds[i];
		if (c->pipe_id != id) {
			continue;
		}
		c->nstages = nstages;
		/* a lone command inside a piped group is a stage of the
		 * group's pipeline */
		if (nstages == 1 && outer >= 0) {
			c->pipe_id = outer;
			c->stage = ostage;
		}
	}
}

static int
shell_parse_pipeline(struct shell_parser *p)
{
	size_t first = p->t->ncmds;
	int outer = p->cur_pipe;
	int ostage = p->cur_stage;
	int id = p->t->next_pipe++;
	int stage = 0;
	int rc = 0;

	while (shell_peek_kw(p, "!") || shell_peek_kw(p, "time")) {
		p->pos += shell_peek_kw(p, "!") ? 1 : 4;
		if (shell_peek_kw(p, "-p")) {
			p->pos += 2;
		}
	}
	p->cur_pipe = id;
	p->cur_stage = 0;
	rc = shell_parse_command(p);
	while (rc == 0 && shell_peek(p) == TK_PIPE) {
		p->pos += shell_at(p, p->pos + 1) == '&' ? 2 : 1;
		rc = shell_skip_newlines(p);
		p->cur_stage = ++stage;
		p->sep = SHELL_SEP_PIPE;
		rc = rc ? rc : shell_parse_command(p);
	}
	shell_finish_pipeline(p, first, id, stage + 1, outer, ostage);
	p->cur_pipe = outer;
	p->cur_stage = ostage;
	return rc;
}

static int
shell_parse_and_or(struct shell_parser *p)
{
	int rc = shell_parse_pipeline(p);

	for (;;) {
		enum shell_tok tk = shell_peek(p);
		if (rc != 0 || (tk != TK_AND && tk != TK_OR)) {
			return rc;
		}
		p->pos += 2;
		rc = shell_skip_newlines(p);
		p->sep = tk == TK_AND ? SHELL_SEP_AND : SHELL_SEP_OR;
		rc = rc ? rc : shell_parse_pipeline(p);
	}
}

static int
shell_parse_list(struct shell_parser *p)
{
	for (;;) {
		if (shell_skip_newlines(p) != 0) {
			return AL_EPARSE;
		}
		enum shell_tok tk = shell_peek(p);
		if (tk == TK_EOF || tk == TK_RPAREN || tk == TK_DSEMI ||
		    (tk == TK_WORD && shell_at_terminator(p))) {
			return 0;
		}
		int rc = shell_parse_and_or(p);
		if (rc != 0) {
			return rc;
		}
		tk = shell_peek(p);
		if (tk == TK_SEMI || tk == TK_AMP) {
			p->pos++;
			p->sep = tk == TK_SEMI ? SHELL_SEP_SEQ : SHELL_SEP_BG;
		} else if (tk == TK_NEWLINE) {
			p->sep = SHELL_SEP_SEQ;
		} else if (tk == TK_WORD && !shell_at_terminator(p)) {
			return shell_fail(p, p->pos, "unexpected word");
		} else if (tk == TK_LPAREN) {
			return shell_fail(p, p->pos, "unexpected '('");
		}
	}
}

/* Moves the heredoc bodies into their redirections' targets. */
static void
shell_fix_heredocs(struct shell_tree *t)
{
	for (size_t i = 0; i < t->ncmds; i++) {
		struct shell_cmd *c = &t->cmds[i];
		for (size_t k = 0; k < c->nredirs; k++) {
			struct shell_redir *r = &c->redirs[k];
			if (r->op != SHELL_R_HEREDOC ||
			    r->target.text != NULL) {
				continue;
			}
			const struct shell_heredoc *hd =
			        &t->hds[r->target.start];
			r->target.text = xstrdup(hd->body ? hd->body : "");
			r->target.start = hd->body ? hd->start : c->end;
			r->target.end = hd->body ? hd->end : c->end;
		}
	}
	for (size_t i = 0; i < t->nhds; i++) {
		free(t->hds[i].body);
	}
	free(t->hds);
	t->hds = NULL;
	t->nhds = 0;
}

int
shell_parse(const char *src, size_t len, struct shell_tree **out)
{
	struct shell_parser p;
	struct shell_tree *t;
	int rc;

	if (src == NULL || out == NULL) {
		return AL_EINVAL;
	}
	if (len > SHELL_MAX_INPUT) {
		return AL_ETOOBIG;
	}
	t = xcalloc(1, sizeof *t);
	p = (struct shell_parser){ .t = t,
		                   .s = src,
		                   .len = len,
		                   .limit = len,
		                   .sep = SHELL_SEP_START,
		                   .cur_pipe = -1 };
	rc = shell_parse_list(&p);
	if (rc == 0 && shell_peek(&p) != TK_EOF) {
		rc = shell_fail(&p, p.pos,
		                shell_peek(&p) == TK_RPAREN
		                        ? "unexpected ')'"
		                        : "unexpected token");
	}
	shell_read_pending(&p);
	free(p.pend);
	if (rc == 0 && memchr(src, '\0', len) != NULL) {
		size_t at =
		        (size_t)((const char *)memchr(src, '\0', len) - src);
		rc = shell_fail(&p, at, "NUL byte in command");
	}
	shell_fix_heredocs(t);
	*out = t;
	return t->err ? AL_EPARSE : rc;
}

void
shell_tree_free(struct shell_tree *t)
{
	if (t == NULL) {
		return;
	}
	for (size_t i = 0; i < t->ncmds; i++) {
		shell_cmd_free(&t->cmds[i]);
	}
	free(t->cmds);
	free(t->err);
	free(t);
}

size_t
shell_tree_count(const struct shell_tree *t)
{
	return t ? t->ncmds : 0;
}

const struct shell_cmd *
shell_tree_cmd(const struct shell_tree *t, size_t i)
{
	return t && i < t->ncmds ? &t->cmds[i] : NULL;
}

const char *
shell_tree_error(const struct shell_tree *t, size_t *start, size_t *end)
{
	if (t == NULL || t->err == NULL) {
		return NULL;
	}
	if (start) {
		*start = t->err_start;
	}
	if (end) {
		*end = t->err_end;
	}
	return t->err;
}
