#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/classify_impl.h"
#include "core/xalloc.h"

/*
 * Commands that run other commands: privilege wrappers, env/nohup/timeout
 * style prefixes, xargs and find -exec, shells given a string or stdin,
 * eval and source, and language interpreters given inline code. Each is
 * peeled and the inner command classified as if written directly.
 */

static const char *
classify_base(const char *s)
{
	const char *b = strrchr(s, '/');

	return b ? b + 1 : s;
}

static bool
classify_is(const char *name, const char *const *list)
{
	for (; *list; list++) {
		if (strcmp(name, *list) == 0) {
			return true;
		}
	}
	return false;
}

/* Index of the first operand at or after from: options are skipped, and
 * the ones whose letter is in with_arg (or long names in long_arg, used
 * without '=') take the next argument. "--" ends options. */
static size_t
classify_skip_opts(const struct classify_args *a, size_t from,
                   const char *with_arg, const char *const *long_arg)
{
	size_t i = from;

	while (i < a->n) {
		const char *s = a->v[i].s;
		if (strcmp(s, "--") == 0) {
			return i + 1;
		}
		if (s[0] != '-' || s[1] == '\0') {
			return i;
		}
		if (s[1] == '-') {
			i += (long_arg && !strchr(s, '=') &&
			      classify_is(s, long_arg))
			             ? 2
			             : 1;
			continue;
		}
		size_t n = strlen(s);
		bool takes = strchr(with_arg, s[n - 1]) != NULL;
		i += takes ? 2 : 1;
	}
	return i;
}

static void
classify_run_from(struct classify_ctx *cx, const struct classify_args *a,
                  size_t from, bool stdin_unknown)
{
	struct classify_args sub = *a;

	if (from >= a->n) {
		return;
	}
	sub.v = a->v + from;
	sub.n = a->n - from;
	sub.stdin_unknown = a->stdin_unknown || stdin_unknown;
	classify_run(cx, &sub);
}

static void
classify_sudo(struct classify_ctx *cx, const struct classify_args *a,
              const char *name)
{
	static const char *const longs[] = {
		"--user", "--group",      "--host",  "--prompt", "--role",
		"--type", "--close-from", "--chdir", NULL
	};
	size_t i;

	classify_add(cx, RISK_PRIVILEGE, RISK_SEV_ASK, a->v[0].start,
	             a->v[0].end, "runs as another user (%s)", name);
	if (strcmp(name, "su") == 0 || strcmp(name, "runuser") == 0) {
		for (i = 1; i + 1 < a->n; i++) {
			if (strcmp(a->v[i].s, "-c") == 0 ||
			    strcmp(a->v[i].s, "--command") == 0) {
				classify_nested_arg(cx, a->v[i + 1].s,
				                    &a->v[i + 1]);
			}
		}
		return;
	}
	i = classify_skip_opts(a, 1, "ugCDhprtUa", longs);
	classify_run_from(cx, a, i, false);
}

static void
classify_env(struct classify_ctx *cx, const struct classify_args *a)
{
	static const char *const longs[] = { "--unset", "--chdir",
		                             "--split-string", NULL };
	size_t i = 1;

	while (i < a->n) {
		size_t j = classify_skip_opts(a, i, "uCS", longs);
		for (size_t k = i; k < j; k++) {
			if (strcmp(a->v[k].s, "-S") == 0 && k + 1 < a->n) {
				classify_nested_arg(cx, a->v[k + 1].s,
				                    &a->v[k + 1]);
				return;
			}
		}
		i = j;
		if (i < a->n && shell_is_assignment(a->v[i].s)) {
			i++;
			continue;
		}
		break;
	}
	if (i >= a->n) {
		classify_add(cx, RISK_SECRET_ACCESS, RISK_SEV_ASK, a->start,
		             a->end, "prints the whole environment");
		return;
	}
	classify_run_from(cx, a, i, false);
}

struct classify_prefix {
	const char *name;
	const char *with_arg;
	int positional; /* operands to skip before the command */
};

/* Sorted by name (classify_lookup). */
static const struct classify_prefix classify_prefixes[] = {
	{ "builtin", "", 0 },
	{ "caffeinate", "tw", 0 },
	{ "catchsegv", "", 0 },
	{ "chrt", "", 1 },
	{ "doppler", "", 0 },
	{ "exec", "a", 0 },
	{ "firejail", "", 0 },
	{ "flock", "wEc", 1 },
	{ "gtimeout", "sk", 1 },
	{ "ionice", "cnpP", 0 },
	{ "ltrace", "oepsSEuIbP", 0 },
	{ "nice", "n", 0 },
	{ "nohup", "", 0 },
	{ "proxychains", "f", 0 },
	{ "proxychains4", "f", 0 },
	{ "rlwrap", "", 0 },
	{ "setsid", "", 0 },
	{ "stdbuf", "oei", 0 },
	{ "strace", "oepsSEuIbP", 0 },
	{ "taskset", "", 1 },
	{ "time", "fo", 0 },
	{ "timeout", "sk", 1 },
	{ "torsocks", "", 0 },
	{ "unbuffer", "", 0 },
	{ "unshare", "", 0 },
	{ "watch", "nqd", 0 },
	{ "xvfb-run", "", 0 },
};

static bool
classify_prefix_cmd(struct classify_ctx *cx, const struct classify_args *a,
                    const char *name)
{
	size_t n = sizeof classify_prefixes / sizeof *classify_prefixes;
	size_t k =
	        classify_lookup(classify_prefixes, n, sizeof *classify_prefixes,
	                        name, strlen(name));

	if (k == n) {
		return false;
	}
	const struct classify_prefix *p = &classify_prefixes[k];
	size_t i = classify_skip_opts(a, 1, p->with_arg, NULL);
	if (strcmp(name, "doppler") == 0) {
		i = 2; /* doppler run -- cmd */
		i = classify_skip_opts(a, i, "pc", NULL);
	}
	i += (size_t)p->positional;
	classify_run_from(cx, a, i, false);
	return true;
}

static void
classify_xargs(struct classify_ctx *cx, const struct classify_args *a)
{
	size_t i = classify_skip_opts(a, 1, "IinPdLsEa", NULL);

	if (i >= a->n) {
		return; /* xargs echo */
	}
	classify_run_from(cx, a, i, true);
}

/* A shell started with -c STRING, a script, or reading stdin. */
static void
classify_shell(struct classify_ctx *cx, const struct classify_args *a,
               const char *name)
{
	size_t i = 1;
	bool dash_c = false;

	for (; i < a->n; i++) {
		const char *s = a->v[i].s;
		if (strcmp(s, "--") == 0) {
			i++;
			break;
		}
		if ((s[0] != '-' && s[0] != '+') || s[1] == '\0') {
			break;
		}
		if (s[1] != '-' && strchr(s + 1, 'c') != NULL) {
			dash_c = true;
		}
		if (strcmp(s, "-o") == 0 || strcmp(s, "+o") == 0 ||
		    strcmp(s, "--rcfile") == 0 ||
		    strcmp(s, "--init-file") == 0) {
			i++;
		}
	}
	if (i < a->n && dash_c) {
		const struct classify_arg *c = &a->v[i];
		if (!(c->flags & SHELL_W_EXPAND)) {
			classify_nested_arg(cx, c->s, c);
			return;
		}
		char *v = classify_word_value(cx, c->s, c->flags);
		classify_add(cx, RISK_OBFUSCATION, RISK_SEV_ASK, c->start,
		             c->end, "%s runs a string computed at run time",
		             name);
		if (v != NULL) {
			classify_nested(cx, v, strlen(v), c->start, c->end,
			                false);
		}
		free(v);
		return;
	}
	if (i < a->n) {
		const struct classify_arg *f = &a->v[i];
		char *v = NULL;
		if ((f->flags & SHELL_W_PROCSUB) ||
		    (v = classify_word_value(cx, f->s, CLASSIFY_WV_FILE)) !=
		            NULL) {
			classify_add(cx, RISK_OBFUSCATION, RISK_SEV_ASK,
			             f->start, f->end,
			             "%s runs a script produced at run time",
			             name);
		}
		if (v != NULL) {
			classify_nested(cx, v, strlen(v), f->start, f->end,
			                false);
		}
		free(v);
		return;
	}
	bool has = false;
	size_t idx = classify_cmd_index(cx, a);
	char *in = idx == SIZE_MAX ? NULL : classify_stdin(cx, idx, &has);
	if (has || a->stdin_unknown) {
		classify_add(cx, RISK_OBFUSCATION, RISK_SEV_ASK, a->start,
		             a->end, "text piped into %s runs as commands",
		             name);
	}
	if (in != NULL) {
		classify_nested(cx, in, strlen(in), a->start, a->end, false);
	}
	free(in);
}

static void
classify_eval(struct classify_ctx *cx, const struct classify_args *a)
{
	struct buf b = { 0 };
	bool known = true;

	classify_add(cx, RISK_OBFUSCATION, RISK_SEV_ASK, a->v[0].start,
	             a->v[0].end, "eval runs text as commands");
	for (size_t i = 1; i < a->n && known; i++) {
		char *v = (a->v[i].flags & SHELL_W_EXPAND)
		                  ? classify_word_value(cx, a->v[i].s,
		                                        a->v[i].flags)
		                  : xstrdup(a->v[i].s);
		known = v != NULL;
		if (v != NULL) {
			buf_puts(&b, i > 1 ? " " : "");
			buf_puts(&b, v);
		}
		free(v);
	}
	if (known && b.len > 0) {
		classify_nested(cx, b.data, b.len, a->start, a->end, false);
	}
	buf_free(&b);
}

static void
classify_source(struct classify_ctx *cx, const struct classify_args *a)
{
	if (a->n < 2) {
		return;
	}
	const struct classify_arg *f = &a->v[1];
	char *v = classify_word_value(cx, f->s, CLASSIFY_WV_FILE);
	if ((f->flags & SHELL_W_PROCSUB) || v != NULL ||
	    strcmp(f->s, "/dev/stdin") == 0) {
		classify_add(cx, RISK_OBFUSCATION, RISK_SEV_ASK, f->start,
		             f->end, "sources text produced at run time");
	}
	if (v != NULL) {
		classify_nested(cx, v, strlen(v), f->start, f->end, false);
	}
	free(v);
}

/* Flags of an interpreter that take the inline program. */
struct classify_interp_form {
	const char *prefix;    /* basename prefix: python matches python3.12 */
	const char *code_opts; /* letters whose argument is code */
	const char *lang;
};

/* Sorted by prefix (classify_lookup); no prefix ends in a digit or '.'. */
static const struct classify_interp_form classify_interps[] = {
	{ "Rscript", "e", "r" },       { "awk", "", "awk" },
	{ "bun", "e", "node" },        { "deno", "", "node" },
	{ "gawk", "", "awk" },         { "lua", "e", "lua" },
	{ "luajit", "e", "lua" },      { "mawk", "", "awk" },
	{ "nawk", "", "awk" },         { "node", "ep", "node" },
	{ "nodejs", "ep", "node" },    { "osascript", "e", "osascript" },
	{ "perl", "eE", "perl" },      { "php", "r", "php" },
	{ "powershell", "c", "pwsh" }, { "pwsh", "c", "pwsh" },
	{ "pypy", "c", "python" },     { "python", "c", "python" },
	{ "ruby", "e", "ruby" },       { "tclsh", "", "tcl" },
};

static const struct classify_interp_form *
classify_interp_of(const char *name)
{
	size_t n = sizeof classify_interps / sizeof *classify_interps;
	size_t stem = strlen(name);

	/* python3.12 is python: the version is a run of digits and dots */
	while (stem > 0 && strchr("0123456789.", name[stem - 1]) != NULL) {
		stem--;
	}
	size_t k = classify_lookup(classify_interps, n,
	                           sizeof *classify_interps, name, stem);
	return k < n ? &classify_interps[k] : NULL;
}

static void
classify_python_module(struct classify_ctx *cx, const struct classify_args *a,
                       size_t i)
{
	const char *mod = a->v[i].s;

	if (strcmp(mod, "http.server") == 0 ||
	    strcmp(mod, "SimpleHTTPServer") == 0) {
		bool local = false;
		for (size_t k = i + 1; k + 1 < a->n; k++) {
			if ((strcmp(a->v[k].s, "--bind") == 0 ||
			     strcmp(a->v[k].s, "-b") == 0) &&
			    classify_is_loopback(a->v[k + 1].s) &&
			    strcmp(a->v[k + 1].s, "0.0.0.0") != 0) {
				local = true;
			}
		}
		if (!local) {
			classify_egress(cx, NULL, a->start, a->end,
			                "serves files to the network");
		}
	} else if (strcmp(mod, "pip") == 0) {
		classify_run_from(cx, a, i, false);
	}
}

/* awk: the program is the first operand unless -f gave a file. */
static void
classify_awk(struct classify_ctx *cx, const struct classify_args *a)
{
	for (size_t i = 1; i < a->n; i++) {
		const char *s = a->v[i].s;
		if (strcmp(s, "-f") == 0) {
			return;
		}
		if (strcmp(s, "-F") == 0 || strcmp(s, "-v") == 0) {
			i++;
			continue;
		}
		if (s[0] == '-' && s[1] != '\0') {
			continue;
		}
		classify_interp(cx, "awk", s, a->v[i].start, a->v[i].end);
		return;
	}
}

static void
classify_interp_cmd(struct classify_ctx *cx, const struct classify_args *a,
                    const struct classify_interp_form *f)
{
	if (strcmp(f->lang, "awk") == 0) {
		classify_awk(cx, a);
		return;
	}
	size_t i = 1;
	for (; i < a->n; i++) {
		const char *s = a->v[i].s;
		if (s[0] != '-' || strcmp(s, "-") == 0) {
			break;
		}
		if (strcmp(f->lang, "pwsh") == 0 &&
		    (strncmp(s, "-e", 2) == 0 || strncmp(s, "-E", 2) == 0)) {
			classify_add(cx, RISK_OBFUSCATION, RISK_SEV_ASK,
			             a->start, a->end,
			             "encoded PowerShell command");
			return;
		}
		bool code = (s[1] != '-' && strpbrk(s + 1, f->code_opts) &&
		             f->code_opts[0] != '\0') ||
		            strcmp(s, "--eval") == 0 ||
		            strcmp(s, "--print") == 0 ||
		            strcmp(s, "-Command") == 0;
		if (code && i + 1 < a->n) {
			classify_interp(cx, f->lang, a->v[i + 1].s,
			                a->v[i + 1].start, a->v[i + 1].end);
			return;
		}
		if (strcmp(s, "-m") == 0 && i + 1 < a->n) {
			classify_python_module(cx, a, i + 1);
			return;
		}
		if (strcmp(s, "-S") == 0 && i + 1 < a->n &&
		    (strncmp(a->v[i + 1].s, "0.0.0.0", 7) == 0 ||
		     strncmp(a->v[i + 1].s, "[::]", 4) == 0)) {
			classify_egress(cx, NULL, a->start, a->end,
			                "serves files to the network");
		}
	}
	if (strcmp(f->lang, "node") == 0 && i < a->n &&
	    strcmp(a->v[i].s, "eval") == 0 && i + 1 < a->n) {
		classify_interp(cx, f->lang, a->v[i + 1].s, a->v[i + 1].start,
		                a->v[i + 1].end);
		return;
	}
	if (i < a->n && strcmp(a->v[i].s, "-") != 0) {
		return; /* runs a script file */
	}
	bool has = false;
	size_t idx = classify_cmd_index(cx, a);
	char *in = idx == SIZE_MAX ? NULL : classify_stdin(cx, idx, &has);
	if (in != NULL) {
		classify_interp(cx, f->lang, in, a->start, a->end);
	} else if (has) {
		classify_add(cx, RISK_OBFUSCATION, RISK_SEV_ASK, a->start,
		             a->end, "%s runs a program read from stdin",
		             f->lang);
	}
	free(in);
}

/* find: -delete and -exec rm decide on the roots and the -name filter. */
static bool
classify_find_scope_regen(struct classify_ctx *cx,
                          const struct classify_args *a, size_t nroots)
{
	bool all_roots_regen = true;

	for (size_t i = 1; i <= nroots; i++) {
		char *abs = classify_abspath(cx->env, classify_cwd(cx, 0),
		                             a->v[i].s);
		if (abs == NULL || !classify_in_workspace(cx->env, abs)) {
			free(abs);
			return false;
		}
		all_roots_regen =
		        all_roots_regen && classify_regenerable(cx->env, abs);
		free(abs);
	}
	if (all_roots_regen && nroots > 0) {
		return true;
	}
	for (size_t i = nroots + 1; i + 1 < a->n; i++) {
		const char *s = a->v[i].s;
		if (strcmp(s, "-name") == 0 || strcmp(s, "-iname") == 0 ||
		    strcmp(s, "-path") == 0) {
			char *p = xasprintf("%s/x/%s",
			                    cx->env->project_dir
			                            ? cx->env->project_dir
			                            : "/",
			                    a->v[i + 1].s);
			bool r = classify_regenerable(cx->env, p);
			free(p);
			return r;
		}
	}
	return false;
}

static void
classify_find(struct classify_ctx *cx, const struct classify_args *a)
{
	size_t nroots = 0;

	while (1 + nroots < a->n && a->v[1 + nroots].s[0] != '-' &&
	       strcmp(a->v[1 + nroots].s, "(") != 0 &&
	       strcmp(a->v[1 + nroots].s, "!") != 0) {
		nroots++;
	}
	for (size_t i = 1 + nroots; i < a->n; i++) {
		const char *s = a->v[i].s;
		bool exec = strcmp(s, "-exec") == 0 ||
		            strcmp(s, "-execdir") == 0 ||
		            strcmp(s, "-ok") == 0 || strcmp(s, "-okdir") == 0;
		bool del = strcmp(s, "-delete") == 0;
		const char *cmd = exec && i + 1 < a->n
		                          ? classify_base(a->v[i + 1].s)
		                          : "";
		if (del || strcmp(cmd, "rm") == 0 ||
		    strcmp(cmd, "shred") == 0 || strcmp(cmd, "unlink") == 0 ||
		    strcmp(cmd, "rmdir") == 0) {
			if (classify_find_scope_regen(cx, a, nroots)) {
				classify_add(cx, RISK_WORKSPACE_WRITE,
				             RISK_SEV_ASK, a->v[i].start,
				             a->v[i].end,
				             "deletes build output");
			} else {
				classify_add(
				        cx, RISK_DESTRUCTIVE, RISK_SEV_ASK,
				        a->v[i].start, a->end,
				        "find deletes the files it matches");
			}
		} else if (exec && i + 1 < a->n) {
			size_t j = i + 1;
			while (j < a->n && strcmp(a->v[j].s, ";") != 0 &&
			       strcmp(a->v[j].s, "+") != 0) {
				j++;
			}
			struct classify_args sub = *a;
			sub.v = a->v + i + 1;
			sub.n = j - i - 1;
			classify_run(cx, &sub);
		}
	}
}

/* Commands that name paths without reading what is in them; sorted. */
static const char *const classify_noread[] = {
	"[",      "[[",       "basename",   "chattr", "chgrp", "chmod",
	"chown",  "direnv",   "dirname",    "du",     "echo",  "file",
	"find",   "git",      "ln",         "ls",     "mkdir", "mv",
	"printf", "readlink", "realpath",   "rm",     "rmdir", "sed",
	"shred",  "ssh-add",  "ssh-keygen", "stat",   "tee",   "test",
	"touch",  "truncate", "type",       "unlink", "which",
};

/* Any operand that names a secret file is a read of it. */
static void
classify_read_args(struct classify_ctx *cx, const struct classify_args *a,
                   const char *name)
{
	if (CLASSIFY_IN(classify_noread, name)) {
		return;
	}
	for (size_t i = 1; i < a->n; i++) {
		struct classify_arg arg = a->v[i];
		const char *eq = strchr(arg.s, '=');
		if (arg.s[0] == '-') {
			if (eq == NULL) {
				continue;
			}
			arg.s = eq + 1;
		}
		classify_read_target(cx, &arg);
	}
}

static const char *const classify_shells[] = {
	/* sorted */
	"ash", "bash", "csh", "dash", "fish",
	"ksh", "mksh", "sh",  "tcsh", "zsh",
};

static bool
classify_wrapper(struct classify_ctx *cx, const struct classify_args *a,
                 const char *name)
{
	static const char *const sudo[] = {
		/* sorted */
		"doas", "pkexec", "runuser", "su", "sudo", "sudoedit",
	};
	const struct classify_interp_form *interp;

	if (CLASSIFY_IN(sudo, name)) {
		classify_sudo(cx, a, name);
	} else if (strcmp(name, "env") == 0) {
		classify_env(cx, a);
	} else if (strcmp(name, "command") == 0) {
		if (a->n > 1 && (strcmp(a->v[1].s, "-v") == 0 ||
		                 strcmp(a->v[1].s, "-V") == 0)) {
			return true;
		}
		classify_run_from(cx, a, classify_skip_opts(a, 1, "", NULL),
		                  false);
	} else if (strcmp(name, "xargs") == 0) {
		classify_xargs(cx, a);
	} else if (CLASSIFY_IN(classify_shells, name)) {
		classify_shell(cx, a, name);
	} else if (strcmp(name, "eval") == 0) {
		classify_eval(cx, a);
	} else if (strcmp(name, "source") == 0 || strcmp(name, ".") == 0) {
		classify_source(cx, a);
	} else if (strcmp(name, "find") == 0) {
		classify_find(cx, a);
	} else if (strcmp(name, "busybox") == 0) {
		classify_run_from(cx, a, 1, false);
	} else if ((interp = classify_interp_of(name)) != NULL) {
		classify_interp_cmd(cx, a, interp);
	} else {
		return classify_prefix_cmd(cx, a, name);
	}
	return true;
}

void
classify_run(struct classify_ctx *cx, const struct classify_args *a)
{
	if (a->n == 0 || cx->st->evals > CLASSIFY_MAX_EVAL) {
		return;
	}
	cx->st->evals += 16;
	const char *name = classify_base(a->v[0].s);
	if (classify_wrapper(cx, a, name)) {
		return;
	}
	(void)classify_rules(cx, name, a);
	(void)classify_net_rules(cx, name, a);
	classify_read_args(cx, a, name);
}
