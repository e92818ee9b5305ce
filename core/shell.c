#include "core/shell.h"

#include <stdlib.h>
#include <string.h>

#include "core/al.h"
#include "core/shell_int.h"
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

/*
 * The parser is split by layer: shell_lex.c reads characters and tokens,
 * shell_word.c words with their quoting and expansions, shell_redir.c
 * redirections and heredoc bodies, shell_grammar.c commands, compound
 * commands, pipelines and lists. The layers recurse into one another (a
 * $( ) inside a word holds a whole list), so they share one parser state,
 * declared in shell_int.h. This file holds the tree they build: the helpers
 * that grow it, the entry point and the accessors.
 */

/* ---- the tree ------------------------------------------------------- */

void
shell_word_free(struct shell_word *w)
{
	free(w->text);
	w->text = NULL;
}

void
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

void
shell_push_word(struct shell_word **arr, size_t *n, const struct shell_word *w)
{
	size_t cap = shell_grow_to(*n);

	if (cap > 0) {
		*arr = xrealloc(*arr, cap * sizeof **arr);
	}
	(*arr)[(*n)++] = *w;
}

void
shell_push_redir(struct shell_cmd *c, const struct shell_redir *r)
{
	size_t cap = shell_grow_to(c->nredirs);

	if (cap > 0) {
		c->redirs = xrealloc(c->redirs, cap * sizeof *c->redirs);
	}
	c->redirs[c->nredirs++] = *r;
}

int
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
