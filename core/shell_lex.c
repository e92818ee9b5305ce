/* The shell parser's characters and tokens: spans and errors, character
 * classes, and the token peeks the grammar pulls as it goes (there is no
 * token list: what a token is depends on where the parser is). */
#include "core/shell.h"

#include <stdio.h>
#include <string.h>

#include "core/al.h"
#include "core/shell_int.h"
#include "core/xalloc.h"

size_t
shell_span(const struct shell_parser *p, size_t local)
{
	size_t off = p->base + local;

	return off > p->limit ? p->limit : off;
}

int
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

bool
shell_is_meta(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == ';' || c == '&' ||
	       c == '|' || c == '<' || c == '>' || c == '(' || c == ')';
}

bool
shell_is_name_start(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

bool
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

char
shell_at(const struct shell_parser *p, size_t i)
{
	return i < p->len ? p->s[i] : '\0';
}

/* Skips blanks, line continuations and comments (a # that starts a
 * token); stops before a newline. */
void
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

enum shell_tok
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
bool
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

bool
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

int
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
