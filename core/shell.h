#ifndef AIRLOCK_CORE_SHELL_H
#define AIRLOCK_CORE_SHELL_H

#include <stdbool.h>
#include <stddef.h>

/*
 * A static parser for POSIX sh plus the bash forms agents write. It never
 * runs or expands anything: it turns a command line into a flat list of
 * simple commands in execution order (the commands of a $( ), backtick or
 * <( ) substitution come before the command whose word holds them), each
 * with its argv as unquoted words carrying byte spans into the original
 * text, its assignments and its redirections. Words whose value depends on
 * run time ($VAR, $( ), globs, brace expansion) are flagged, not guessed.
 *
 * Anything the parser does not understand is reported as an error with a
 * span; the commands parsed up to that point stay available so that a
 * caller can still classify them (and must treat the rest as unknown).
 */

#define SHELL_MAX_INPUT (256u * 1024u) /* bytes */
#define SHELL_MAX_DEPTH 48u            /* nesting of groups/substitutions */
#define SHELL_MAX_CMDS  8192u

enum shell_word_flag {
	SHELL_W_QUOTED = 1u << 0, /* some part was quoted or escaped */
	SHELL_W_EXPAND = 1u
	                 << 1, /* holds $VAR, ${ }, $(( )) or a substitution */
	SHELL_W_SUBST = 1u << 2,    /* holds $( ) or `...` */
	SHELL_W_GLOB = 1u << 3,     /* unquoted * ? or [ */
	SHELL_W_BRACE = 1u << 4,    /* unquoted {a,b} or {1..3} */
	SHELL_W_TILDE = 1u << 5,    /* starts with an unquoted ~ */
	SHELL_W_ANSI_C = 1u << 6,   /* holds $'...' */
	SHELL_W_PARAM_OP = 1u << 7, /* ${x:0:1}, ${x//a/b}, ${!x}: computed */
	SHELL_W_PROCSUB = 1u << 8,  /* <( ) or >( ) */
	/* quoting or a backslash inside the word, not merely around it (as in
	 * "r""m" or r\m): text that reads differently than it runs */
	SHELL_W_SPLIT = 1u << 9,
	SHELL_W_NONASCII = 1u << 10, /* holds bytes >= 0x80 */
};

struct shell_word {
	char *text;   /* unquoted value; expansions kept as written; owned */
	size_t start; /* byte span in the original text, end exclusive */
	size_t end;
	unsigned flags; /* enum shell_word_flag */
};

enum shell_redir_op {
	SHELL_R_IN,         /* <  */
	SHELL_R_OUT,        /* >  (also >|) */
	SHELL_R_APPEND,     /* >> */
	SHELL_R_INOUT,      /* <> */
	SHELL_R_DUP_IN,     /* <& */
	SHELL_R_DUP_OUT,    /* >& n  (or >& file, which bash treats as &>) */
	SHELL_R_OUT_ALL,    /* &>  */
	SHELL_R_APPEND_ALL, /* &>> */
	SHELL_R_HEREDOC,    /* << and <<-: target.text is the body */
	SHELL_R_HERESTR,    /* <<< */
};

struct shell_redir {
	enum shell_redir_op op;
	int fd; /* explicit descriptor, or -1 for the default */
	/* the path, descriptor, here-string, or heredoc body (span: the body)
	 */
	struct shell_word target;
	bool quoted_delim; /* heredoc whose body is not expanded */
};

/* How a command is joined to the command before it at its level. */
enum shell_sep {
	SHELL_SEP_START = 0, /* first command of a list */
	SHELL_SEP_SEQ,       /* ; or newline */
	SHELL_SEP_AND,       /* && */
	SHELL_SEP_OR,        /* || */
	SHELL_SEP_PIPE,      /* | or |& */
	SHELL_SEP_BG,        /* after & */
};

enum shell_ctx_flag {
	SHELL_CTX_SUBST = 1u << 0,    /* inside $( ) or backticks */
	SHELL_CTX_PROCSUB = 1u << 1,  /* inside <( ) or >( ) */
	SHELL_CTX_SUBSHELL = 1u << 2, /* inside ( ) */
	SHELL_CTX_FUNC = 1u << 3,     /* inside a function body */
	SHELL_CTX_LOOP = 1u << 4,     /* inside for/while/until/if/case */
	SHELL_CTX_HEREDOC = 1u << 5,  /* a substitution in a heredoc body */
};

struct shell_cmd {
	struct shell_word *argv; /* may be empty (only assignments/redirs) */
	size_t argc;
	struct shell_word *assigns; /* NAME=value prefixes, text as written */
	size_t nassigns;
	struct shell_redir *redirs; /* including those of enclosing groups */
	size_t nredirs;
	size_t start; /* span of the whole simple command */
	size_t end;
	enum shell_sep sep;
	unsigned ctx;   /* enum shell_ctx_flag */
	unsigned depth; /* substitution nesting, 0 at top level */
	/* pipeline membership: commands with the same pipe_id and stage+1
	 * read what this one writes; a ( ) or { } group is one stage */
	int pipe_id;
	int stage;
	int nstages;    /* stages in its pipeline (1: not piped) */
	char *funcname; /* set on a function definition marker (argc 0) */
};

struct shell_tree;

/* Parses len bytes of src. Returns 0, AL_EPARSE when some of the text is
 * not understood (the tree is still returned, with the error set and the
 * commands before it), AL_ETOOBIG when src is over SHELL_MAX_INPUT (no
 * tree), AL_EINVAL on NULL arguments. The caller frees *out with
 * shell_tree_free(). src need not be NUL-terminated. */
int shell_parse(const char *src, size_t len, struct shell_tree **out);
void shell_tree_free(struct shell_tree *t); /* NULL is a no-op */

size_t shell_tree_count(const struct shell_tree *t);
/* The i-th simple command (borrowed; valid until shell_tree_free). */
const struct shell_cmd *shell_tree_cmd(const struct shell_tree *t, size_t i);
/* The parse error, or NULL; its span goes to *start and *end. Borrowed. */
const char *shell_tree_error(const struct shell_tree *t, size_t *start,
                             size_t *end);

/* True when the word is NAME=value (an assignment's shape). */
bool shell_is_assignment(const char *text);

#endif
