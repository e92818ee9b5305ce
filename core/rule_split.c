/*
 * Splitting a Bash command line into its simple commands for rule
 * matching (rule_split_command(), rule_cmds_clear()).
 */
#include "core/rule.h"

#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/rule_int.h"
#include "core/xalloc.h"

/* ---- splitting commands ----------------------------------------------- */

/* The words of the current command live in one buffer, each ended by a
 * NUL (at woff[i]), so that splitting allocates per command, not per
 * word or per character. */
struct rule_split {
	struct rule_cmds *out;
	bool loose;
	struct buf raw;
	struct buf words; /* word texts, NUL-separated */
	size_t word_at;   /* where the word being read begins in words */
	bool in_word;
	bool space;
	size_t *woff;
	size_t nwords;
	size_t capwords;
};

/* Characters rule_split_step() treats specially; a run of any others is
 * plain text, copied to the raw line and the word at once. */
static bool
rule_split_plain(char c)
{
	switch (c) {
	case '\0':
	case ' ':
	case '\t':
	case '\n':
	case ';':
	case '&':
	case '|':
	case '(':
	case ')':
	case '<':
	case '>':
	case '`':
	case '$':
	case '\'':
	case '"':
	case '\\':
	case '{':
	case '}':
	case '#':
		return false;
	default:
		return true;
	}
}

static const char *
rule_split_wordat(const struct rule_split *sp, size_t i)
{
	return sp->words.data + sp->woff[i];
}

static void
rule_split_raw(struct rule_split *sp, const char *p, size_t n)
{
	if (sp->space && sp->raw.len > 0) {
		buf_putc(&sp->raw, ' ');
	}
	sp->space = false;
	buf_append(&sp->raw, p, n);
}

static void
rule_split_word(struct rule_split *sp, const char *p, size_t n)
{
	if (!sp->in_word) {
		sp->word_at = sp->words.len;
		sp->in_word = true;
	}
	buf_append(&sp->words, p, n);
}

static void
rule_split_word_end(struct rule_split *sp)
{
	if (!sp->in_word) {
		return;
	}
	if (sp->nwords == sp->capwords) {
		sp->capwords = sp->capwords ? 2 * sp->capwords : 16;
		sp->woff = xrealloc(sp->woff, sp->capwords * sizeof *sp->woff);
	}
	buf_putc(&sp->words, '\0');
	sp->woff[sp->nwords++] = sp->word_at;
	sp->in_word = false;
}

static bool
rule_is_assignment(const char *w)
{
	const char *eq = strchr(w, '=');

	if (eq == NULL || eq == w || (w[0] >= '0' && w[0] <= '9')) {
		return false;
	}
	for (const char *p = w; p < eq; p++) {
		if (!rule_name_char(*p) || *p == '-') {
			return false;
		}
	}
	return true;
}

/* Commands that run their arguments as another command. Options are
 * skipped; so is the duration of timeout and a numeric nice/ionice value,
 * as well as an option's separate argument for sudo's -u/-g. */
static const char *const rule_wrappers[] = {
	/* sorted (strcmp) for bsearch */
	"builtin", "command", "doas", "env",  "exec",    "ionice", "nice",
	"nohup",   "stdbuf",  "sudo", "time", "timeout", "xargs",
};

static int
rule_name_cmp(const void *key, const void *entry)
{
	return strcmp(key, *(const char *const *)entry);
}

static bool
rule_is_wrapper(const char *w)
{
	return bsearch(w, rule_wrappers,
	               sizeof rule_wrappers / sizeof *rule_wrappers,
	               sizeof *rule_wrappers, rule_name_cmp) != NULL;
}

static size_t
rule_skip_prefix(const struct rule_split *sp)
{
	size_t i = 0;
	bool wrapped = false;

	while (i < sp->nwords) {
		const char *w = rule_split_wordat(sp, i);
		if (rule_is_assignment(w) ||
		    (wrapped && (w[0] == '-' ||
		                 strspn(w, "0123456789.smhd") == strlen(w)))) {
			i++;
			continue;
		}
		if (!rule_is_wrapper(w)) {
			break;
		}
		wrapped = true;
		i++;
	}
	return i;
}

static void
rule_split_cmd_end(struct rule_split *sp)
{
	struct buf w = { 0 };
	struct rule_cmds *o = sp->out;

	rule_split_word_end(sp);
	if (sp->nwords > 0 || sp->raw.len > 0) {
		for (size_t i = rule_skip_prefix(sp); i < sp->nwords; i++) {
			if (w.len > 0) {
				buf_putc(&w, ' ');
			}
			buf_puts(&w, rule_split_wordat(sp, i));
		}
		/* grown in powers of two: n + 1 is one when n is */
		if ((o->n & (o->n - 1)) == 0) {
			o->v = xrealloc(o->v,
			                (o->n ? 2 * o->n : 1) * sizeof *o->v);
		}
		o->v[o->n].raw = buf_steal(&sp->raw);
		o->v[o->n].words = buf_steal(&w);
		o->n++;
	}
	buf_reset(&sp->words);
	sp->nwords = 0;
	sp->space = false;
}

/* A single-quoted string starting at p; returns the text after it. */
static const char *
rule_split_squote(struct rule_split *sp, const char *p)
{
	const char *end = strchr(p + 1, '\'');

	if (end == NULL) {
		/* unterminated: the rest of the line is the word */
		sp->out->complex = true;
		end = p + strlen(p);
		rule_split_raw(sp, p, (size_t)(end - p));
		rule_split_word(sp, p + 1, (size_t)(end - p) - 1);
		return end;
	}
	rule_split_raw(sp, p, (size_t)(end - p) + 1);
	rule_split_word(sp, p + 1, (size_t)(end - p) - 1);
	return end + 1;
}

static const char *
rule_split_dquote(struct rule_split *sp, const char *p)
{
	const char *q = p + 1;

	rule_split_word(sp, "", 0);
	while (*q != '\0' && *q != '"') {
		size_t run = strcspn(q, "\"\\`$");
		if (run > 0) {
			rule_split_word(sp, q, run);
			q += run;
			continue;
		}
		if (*q == '`' || (*q == '$' && q[1] == '(')) {
			sp->out->complex = true;
		}
		if (*q == '\\' && q[1] != '\0' && strchr("$`\"\\\n", q[1])) {
			q++;
		}
		rule_split_word(sp, q, 1);
		q++;
	}
	if (*q == '\0') {
		sp->out->complex = true;
		rule_split_raw(sp, p, (size_t)(q - p));
		return q;
	}
	rule_split_raw(sp, p, (size_t)(q - p) + 1);
	return q + 1;
}

/* Characters that make a line too complex for a rule to see through; in
 * loose mode they cut it so that the inner commands are matched too. */
static bool
rule_split_special(struct rule_split *sp, const char *p)
{
	char c = *p;

	if (strchr("()<>`", c) != NULL ||
	    (c == '$' && (p[1] == '(' || p[1] == '\'')) ||
	    (!sp->in_word && strchr("{}#", c) != NULL)) {
		return true;
	}
	return false;
}

static const char *
rule_split_step(struct rule_split *sp, const char *p)
{
	char c = *p;

	if (rule_split_plain(c)) {
		size_t n = 1;
		while (rule_split_plain(p[n])) {
			n++;
		}
		rule_split_raw(sp, p, n);
		rule_split_word(sp, p, n);
		return p + n;
	}
	if (c == ' ' || c == '\t') {
		rule_split_word_end(sp);
		sp->space = true;
		return p + 1;
	}
	if (strchr("\n;&|", c) != NULL) {
		rule_split_cmd_end(sp);
		return p + ((p[1] == c || (c == '|' && p[1] == '&')) ? 2 : 1);
	}
	if (rule_split_special(sp, p)) {
		sp->out->complex = true;
		if (sp->loose) {
			rule_split_cmd_end(sp);
			return p + 1;
		}
	}
	if (c == '\\' && p[1] == '\n') {
		return p + 2;
	}
	if (c == '\\' && p[1] != '\0') {
		rule_split_raw(sp, p, 2);
		rule_split_word(sp, p + 1, 1);
		return p + 2;
	}
	if (c == '\'') {
		return rule_split_squote(sp, p);
	}
	if (c == '"' && !sp->loose) {
		return rule_split_dquote(sp, p);
	}
	if (c != '"') {
		/* this character, and the plain text after it */
		size_t n = 1;
		while (rule_split_plain(p[n])) {
			n++;
		}
		rule_split_raw(sp, p, n);
		rule_split_word(sp, p, n);
		return p + n;
	}
	return p + 1;
}

void
rule_split_command(const char *command, bool loose, struct rule_cmds *out)
{
	struct rule_split sp = { .out = out, .loose = loose };

	for (const char *p = command; *p != '\0';) {
		p = rule_split_step(&sp, p);
	}
	rule_split_cmd_end(&sp);
	buf_free(&sp.raw);
	buf_free(&sp.words);
	free(sp.woff);
}

void
rule_cmds_clear(struct rule_cmds *c)
{
	for (size_t i = 0; i < c->n; i++) {
		free(c->v[i].raw);
		free(c->v[i].words);
	}
	free(c->v);
	*c = (struct rule_cmds){ 0 };
}
