#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/classify_impl.h"
#include "core/xalloc.h"

/*
 * Interpreter one-liners (python -c, perl -e, node -e, ruby -e, php -r,
 * lua -e, awk, osascript): the shell commands they run (system(),
 * subprocess, execSync, backticks, do shell script), the files they delete
 * or write, the secrets they read and the network they reach. A one-liner
 * that does any of that is also obfuscation: the action is not visible as
 * a plain command. One that only prints or filters stays benign.
 */

/* Environment spellings of the home directory inside string literals. */
static const char *const interp_home[] = { "$ENV{HOME}", "${HOME}", "$HOME",
	                                   "#{ENV['HOME']}", NULL };

/* Appends the string literal at s (quote char q) with home spellings
 * replaced by ~; returns the index after the closing quote. */
static size_t
interp_literal(const char *s, struct buf *b)
{
	char q = s[0];
	size_t i = 1;

	for (; s[i] && s[i] != q; i++) {
		bool home = false;
		for (size_t k = 0; interp_home[k]; k++) {
			size_t n = strlen(interp_home[k]);
			if (strncmp(s + i, interp_home[k], n) == 0) {
				buf_putc(b, '~');
				i += n - 1;
				home = true;
				break;
			}
		}
		if (home) {
			continue;
		}
		if (s[i] == '\\' && s[i + 1]) {
			i++;
		}
		buf_putc(b, s[i]);
	}
	return s[i] ? i + 1 : i;
}

/* The argument text of a call starting at s ('(' or a blank): string
 * literals joined, other expressions as $X (a run-time value), a list
 * [...] joined with spaces. */
static char *
interp_call_arg(const char *s)
{
	struct buf b = { 0 };
	int depth = 0;
	bool list = false;
	bool gap = false;

	s += strspn(s, " \t(");
	list = s[0] == '[';
	for (size_t i = list; s[i]; i++) {
		char c = s[i];
		if (c == '\'' || c == '"' || c == '`') {
			if (gap && b.len > 0) {
				buf_puts(&b, list ? " " : "$X");
			}
			i += interp_literal(s + i, &b) - 1;
			gap = false;
			continue;
		}
		if (c == '(' || c == '[' || c == '{') {
			depth++;
		} else if (c == ')' || c == ']' || c == '}') {
			if (depth-- == 0) {
				break;
			}
		} else if (c == ',' && depth == 0) {
			if (!list) {
				break;
			}
			gap = true;
		} else if (c == ';' && depth == 0) {
			break;
		} else if (!isspace((unsigned char)c) && c != '+' && c != '.') {
			if (!gap && !list) {
				buf_puts(&b, " $X");
			}
			gap = !list;
			while (isalnum((unsigned char)s[i + 1]) ||
			       s[i + 1] == '_' || s[i + 1] == '.') {
				i++;
			}
		}
	}
	return buf_steal(&b);
}

static const char *const interp_exec_calls[] = {
	"system(",
	"system ",
	"popen(",
	"subprocess.",
	"execSync(",
	"exec(",
	"spawnSync(",
	"spawn(",
	"shell_exec(",
	"passthru(",
	"os.execute(",
	"io.popen(",
	"do shell script",
	"exec ",
	"execFileSync(",
	"run(",
	"check_output(",
	"Popen(",
	"getoutput(",
	"%x(",
	NULL,
};

static void
interp_exec(struct classify_ctx *cx, const char *code)
{
	for (size_t k = 0; interp_exec_calls[k]; k++) {
		const char *p = code;
		size_t n = strlen(interp_exec_calls[k]);
		while ((p = strstr(p, interp_exec_calls[k])) != NULL) {
			p += n;
			const char *arg = p;
			if (strcmp(interp_exec_calls[k], "subprocess.") == 0) {
				arg = strchr(p, '(');
				if (arg == NULL) {
					break;
				}
			}
			char *cmd = interp_call_arg(arg);
			if (cmd[0] != '\0') {
				classify_nested(cx, cmd, strlen(cmd), 0, 0,
				                false);
			}
			free(cmd);
		}
	}
	/* `cmd` in ruby, perl and php */
	const char *b = code;
	while ((b = strchr(b, '`')) != NULL) {
		const char *e = strchr(b + 1, '`');
		if (e == NULL) {
			break;
		}
		char *cmd = xstrndup(b + 1, (size_t)(e - b - 1));
		classify_nested(cx, cmd, strlen(cmd), 0, 0, false);
		free(cmd);
		b = e + 1;
	}
}

static bool
interp_has_any(const char *code, const char *const *words)
{
	for (; *words; words++) {
		if (strstr(code, *words) != NULL) {
			return true;
		}
	}
	return false;
}

static const char *const interp_delete[] = {
	"unlink",     "os.remove", "rmtree",      "rmSync",       "rmdirSync",
	"fs.rm(",     "os.rmdir",  "File.delete", "FileUtils.rm", "Remove-Item",
	"removedirs", "rm_rf",     "Path.unlink", NULL,
};

static const char *const interp_write[] = {
	"'w'",         "\"w\"",      "'a'",
	"\"a\"",       "writeFile",  "write_text",
	"json.dump",   "File.write", "file_put_contents",
	"'>'",         "\">\"",      "'>>'",
	"open(F, \">", NULL,
};

static const char *const interp_net[] = {
	"urllib",        "requests.", "http.client",
	"socket",        "fetch(",    "axios",
	"Net::HTTP",     "LWP",       "IO::Socket",
	"curl_exec",     "http.get",  "https.get",
	"open-uri",      "urlopen",   "http.request",
	"https.request", "fsockopen", "Invoke-WebRequest",
	"WebClient",     NULL,
};

/* Every string literal of the code, as a path or URL candidate. */
static void
interp_literals(struct classify_ctx *cx, const char *code, bool write, bool del)
{
	for (size_t i = 0; code[i]; i++) {
		if (code[i] != '\'' && code[i] != '"') {
			continue;
		}
		struct buf b = { 0 };
		i += interp_literal(code + i, &b) - 1;
		const char *s = b.data ? b.data : "";
		struct classify_arg a = { .s = s };
		bool pathish =
		        s[0] != '\0' && strchr(s, ' ') == NULL &&
		        (strchr(s, '/') != NULL || s[0] == '.' || s[0] == '~');
		if (strstr(s, "://") != NULL) {
			char host[256];
			if (classify_host_of(s, true, host, sizeof host)) {
				classify_egress(cx, host, 0, 0, "egress to");
			}
		} else if (pathish) {
			classify_read_target(cx, &a);
			if (write || del) {
				classify_write_target(cx, &a,
				                      del ? CLASSIFY_WR_DELETE
				                          : CLASSIFY_WR_MODIFY);
			}
		}
		buf_free(&b);
	}
}

void
classify_interp(struct classify_ctx *cx, const char *lang, const char *code,
                size_t start, size_t end)
{
	struct risk_report tmp = { 0 };
	struct classify_ctx sub = *cx;

	sub.out = &tmp;
	sub.exact = false;
	if (cx->exact) {
		sub.ostart = cx->base + start;
		sub.oend = cx->base + end;
	}
	bool del = interp_has_any(code, interp_delete);
	bool write = interp_has_any(code, interp_write);
	interp_exec(&sub, code);
	interp_literals(&sub, code, write, del);
	if (del && !(tmp.mask & (RISK_BIT(RISK_DESTRUCTIVE) |
	                         RISK_BIT(RISK_WORKSPACE_WRITE) |
	                         RISK_BIT(RISK_TAMPER)))) {
		classify_add(&sub, RISK_DESTRUCTIVE, RISK_SEV_ASK, start, end,
		             "%s code deletes files", lang);
	}
	if (interp_has_any(code, interp_net) &&
	    !(tmp.mask & RISK_BIT(RISK_EGRESS))) {
		classify_add(&sub, RISK_EGRESS, RISK_SEV_ASK, start, end,
		             "%s code opens network connections", lang);
	}
	if (tmp.mask & RISK_NEEDS_HUMAN) {
		classify_add(&sub, RISK_OBFUSCATION, RISK_SEV_ASK, start, end,
		             "%s one-liner performs a risky action", lang);
	}
	risk_report_merge(cx->out, &tmp);
	risk_report_clear(&tmp);
}
