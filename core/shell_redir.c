/* Redirections and heredocs of the shell parser: the operators, and the
 * heredoc bodies read at the next newline, whose substitutions still run
 * unless the delimiter was quoted. */
#include "core/shell.h"

#include <stdlib.h>
#include <string.h>

#include "core/al.h"
#include "core/buf.h"
#include "core/shell_int.h"
#include "core/xalloc.h"

/* ---- heredocs ------------------------------------------------------- */

/* Parses the substitutions of an unquoted heredoc body s[from, to):
 * they run even when the body itself is only data. */
int
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

void
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

int
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

int
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
