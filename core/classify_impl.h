#ifndef AIRLOCK_CORE_CLASSIFY_IMPL_H
#define AIRLOCK_CORE_CLASSIFY_IMPL_H

/*
 * Private to core/classify*.c: the state of one classify_bash() run and
 * the helpers the split files share. Not part of the public API.
 */

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "core/classify.h"
#include "core/shell.h"

#define CLASSIFY_MAX_DEPTH 6 /* nested sh -c / eval / decoded payloads */
#define CLASSIFY_MAX_CWDS  4
#define CLASSIFY_MAX_VARS  32
#define CLASSIFY_MAX_EVAL  65536 /* bytes of statically computed text */

struct classify_var {
	char *name;
	char *value; /* as written (unquoted), may hold $( ) */
};

/* What one run knows about its command line, shared by nested analyses. */
struct classify_state {
	char *cwds[CLASSIFY_MAX_CWDS]; /* where later relative paths point */
	size_t ncwds;
	struct classify_var vars[CLASSIFY_MAX_VARS];
	size_t nvars;
	struct classify_var remotes[CLASSIFY_MAX_VARS]; /* name -> host */
	size_t nremotes;
	struct classify_var files[CLASSIFY_MAX_VARS]; /* path -> content */
	size_t nfiles;
	bool ifs_set;
	size_t evals; /* budget for static evaluation and nested parses */
};

struct classify_ctx {
	const struct classify_env *env;
	struct risk_report *out;
	struct classify_state *st;
	const struct shell_tree *tree;
	const char *text; /* the text the tree was parsed from */
	size_t len;
	/* spans of this (possibly nested) text map to the outer text by
	 * adding base when exact, else every span becomes [ostart, oend) */
	size_t base;
	bool exact;
	size_t ostart;
	size_t oend;
	unsigned depth;
};

/* An argument as the rules see it: the word's value and its span. */
struct classify_arg {
	const char *s;
	size_t start;
	size_t end;
	unsigned flags; /* enum shell_word_flag */
};

struct classify_args {
	struct classify_arg *v;
	size_t n;
	const struct shell_cmd *cmd; /* the command they came from */
	size_t start;                /* span of the whole command */
	size_t end;
	bool stdin_unknown; /* xargs: more arguments come from stdin */
};

/* classify.c */
void classify_add(struct classify_ctx *cx, enum risk_cat cat,
                  enum risk_severity sev, size_t start, size_t end,
                  const char *fmt, ...) __attribute__((format(printf, 6, 7)));
/* Analyses text (a shell command line) found inside the span [start,end)
 * of the current text; at is where text begins in it when exact. */
void classify_nested(struct classify_ctx *cx, const char *text, size_t len,
                     size_t start, size_t end, bool exact);
/* Analyses the value of argument a as a command line (sh -c, su -c ...);
 * spans map exactly when the value appears verbatim in the text. */
void classify_nested_arg(struct classify_ctx *cx, const char *value,
                         const struct classify_arg *a);
/* Index of a->cmd in the current tree. */
size_t classify_cmd_index(const struct classify_ctx *cx,
                          const struct classify_args *a);
/* Runs the rules on an argv (wrappers peeled recursively). */
void classify_run(struct classify_ctx *cx, const struct classify_args *a);
const char *classify_var_get(const struct classify_state *st, const char *name);

/*
 * Looks a command name up in a static table sorted by name in strcmp
 * order (checked by assert in debug builds): each entry of size bytes
 * starts with its `const char *` name. key is key[0..keylen). Returns the
 * index of the first entry with that name (equal names keep their order
 * after it), or n when none has it.
 */
size_t classify_lookup(const void *table, size_t n, size_t size,
                       const char *key, size_t keylen);
/* classify_lookup() of a NUL-terminated name in an array of names. */
#define CLASSIFY_IN(list, name)                                 \
	(classify_lookup((list), sizeof(list) / sizeof *(list), \
	                 sizeof *(list), (name),                \
	                 strlen(name)) < sizeof(list) / sizeof *(list))

/* classify_rules.c: the per-command table; returns false when unknown */
bool classify_rules(struct classify_ctx *cx, const char *name,
                    const struct classify_args *a);
bool classify_secret_var(const char *name);

/* classify_path.c */
enum classify_wr {
	CLASSIFY_WR_CREATE,   /* new or overwritten content */
	CLASSIFY_WR_APPEND,   /* >> */
	CLASSIFY_WR_MODIFY,   /* in-place edit, mode change, link */
	CLASSIFY_WR_DELETE,   /* removal */
	CLASSIFY_WR_TRUNCATE, /* emptied */
};

/* Absolute, normalised path of text seen from cwd (~ and $HOME expanded);
 * NULL when it depends on run time. The caller frees. */
char *classify_abspath(const struct classify_env *env, const char *cwd,
                       const char *text);
void classify_write_target(struct classify_ctx *cx,
                           const struct classify_arg *a, enum classify_wr how);
/* A read of a path: secret files. */
void classify_read_target(struct classify_ctx *cx,
                          const struct classify_arg *a);
bool classify_path_is_secret(const struct classify_env *env, const char *abs);
bool classify_in_workspace(const struct classify_env *env, const char *abs);
bool classify_regenerable(const struct classify_env *env, const char *abs);
const char *classify_cwd(const struct classify_ctx *cx, size_t i);

/* classify_net.c */
/* Host of a URL or a [user@]host[:port][:path] spec into out (lowercase);
 * false when none. */
bool classify_host_of(const char *text, bool need_scheme, char *out, size_t n);
bool classify_is_loopback(const char *host);
/* Egress to host (NULL or "": destination from configuration). */
void classify_egress(struct classify_ctx *cx, const char *host, size_t start,
                     size_t end, const char *what);
/* Network rules (curl, ssh, git remotes...); false when not a net tool. */
bool classify_net_rules(struct classify_ctx *cx, const char *name,
                        const struct classify_args *a);
void classify_urls_in_args(struct classify_ctx *cx,
                           const struct classify_args *a, size_t from);

/* classify_eval.c */
/* What the command at index i of the tree writes to stdout, computed
 * statically (echo, printf, base64 -d, xxd -r, rev, tr, cat of a heredoc);
 * NULL when unknown. The caller frees. */
char *classify_stdout(struct classify_ctx *cx, size_t i);
/* What command i reads on stdin (heredoc, here-string, earlier stage);
 * NULL when unknown or none; *has is set when it reads something. */
char *classify_stdin(struct classify_ctx *cx, size_t i, bool *has);
/* The value of a word if it can be computed ($(...), known $vars); with
 * CLASSIFY_WV_FILE instead the content of a file this command line wrote
 * with known text. */
#define CLASSIFY_WV_FILE 0x10000u
char *classify_word_value(struct classify_ctx *cx, const char *text,
                          unsigned flags);
/* Remembers what command i writes to a file with > when it is static
 * (echo X > f; base64 -d f > g; sh g). */
void classify_note_output(struct classify_ctx *cx, size_t i);
/* Interpreter code (python -c, perl -e, node -e, awk, osascript ...):
 * flags the risky actions it performs. */
void classify_interp(struct classify_ctx *cx, const char *lang,
                     const char *code, size_t start, size_t end);

#endif
