/* Words of the shell parser: quoting, escapes ($'...' included),
 * parameter and command substitutions (parsed in place or, for backticks,
 * by a nested parser), globs, brace expansion and the word flags that
 * report what depends on run time. */
#include "core/shell.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/shell_int.h"
#include "core/xalloc.h"

/* ---- words ---------------------------------------------------------- */

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
size_t
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

int
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
int
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

int
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
