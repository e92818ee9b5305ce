/* The shell parser's grammar, by recursive descent: simple commands and
 * function definitions, compound commands (groups, if, while, for, case,
 * [[ ]] and (( ))), pipelines, and-or lists and lists. */
#include "core/shell.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/al.h"
#include "core/shell_int.h"
#include "core/xalloc.h"

static int shell_parse_command(struct shell_parser *p);

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

int
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
