#ifndef AIRLOCK_CORE_SHELL_INT_H
#define AIRLOCK_CORE_SHELL_INT_H

/*
 * Internal to the shell parser: shell.c (the tree and the entry points),
 * shell_lex.c (characters and tokens), shell_word.c (words, quoting and
 * expansions), shell_redir.c (redirections and heredocs) and
 * shell_grammar.c (commands, compound commands, pipelines and lists).
 * Nothing outside core/shell*.c includes this.
 */

#include <stdbool.h>
#include <stddef.h>

#include "core/shell.h"

struct buf;

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

/* ---- the tree (shell.c) --------------------------------------------- */

void shell_word_free(struct shell_word *w);
void shell_cmd_free(struct shell_cmd *c);
void shell_push_word(struct shell_word **arr, size_t *n,
                     const struct shell_word *w);
void shell_push_redir(struct shell_cmd *c, const struct shell_redir *r);
/* Appends c at the parser's place in the tree and takes ownership of what
 * it holds, also on failure; returns 0 or AL_EPARSE (too many commands). */
int shell_append_cmd(struct shell_parser *p, struct shell_cmd *c);

/* ---- characters and tokens (shell_lex.c) ---------------------------- */

/* The offset in the original text of s[local], clamped below p->limit. */
size_t shell_span(const struct shell_parser *p, size_t local);
/* Records the first error (message and span) and marks p failed; returns
 * AL_EPARSE. */
int shell_fail(struct shell_parser *p, size_t at, const char *msg);
bool shell_is_meta(char c);
bool shell_is_name_start(char c);
bool shell_is_name_char(char c);
char shell_at(const struct shell_parser *p, size_t i); /* '\0' past the end */
void shell_skip_blanks(struct shell_parser *p);
enum shell_tok shell_peek(struct shell_parser *p); /* skips blanks first */
bool shell_peek_kw(struct shell_parser *p, const char *kw);
/* True when the next token is a keyword that closes a list (} fi done
 * ...). */
bool shell_at_terminator(struct shell_parser *p);
int shell_expect_kw(struct shell_parser *p, const char *kw);

/* ---- words (shell_word.c) ------------------------------------------- */

/* The index after the close of the balanced run at s[i] == open, or 0. */
size_t shell_match(const struct shell_parser *p, size_t i, char open,
                   char close);
/* Both read the form at pos and append it to b as written. */
int shell_read_backtick(struct shell_parser *p, struct buf *b, unsigned ctx);
int shell_read_dollar(struct shell_parser *p, struct buf *b, unsigned *fl,
                      unsigned ctx);
/* Reads the word at pos into *w, whose text the caller frees (also on
 * failure) with shell_word_free(). */
int shell_read_word(struct shell_parser *p, struct shell_word *w);

/* ---- redirections and heredocs (shell_redir.c) ---------------------- */

int shell_heredoc_substs(struct shell_parser *p, size_t from, size_t to);
/* Reads the bodies of the heredocs whose operators the line held. */
void shell_read_pending(struct shell_parser *p);
int shell_skip_newlines(struct shell_parser *p);
/* Parses the redirection at pos into *r, whose target the caller frees
 * (also on failure) with shell_word_free(). */
int shell_parse_redir(struct shell_parser *p, struct shell_redir *r);

/* ---- grammar (shell_grammar.c) -------------------------------------- */

/* Parses a list up to EOF, ')', ';;' or a closing keyword. */
int shell_parse_list(struct shell_parser *p);

#endif
