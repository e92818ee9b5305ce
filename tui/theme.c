#include "tui/theme.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/al.h"
#include "core/buf.h"
#include "core/xalloc.h"

/* The built-in palettes, in theme-file syntax and read by theme_parse():
 * a missing or broken themes/ directory still gives a usable console. */
static const char theme_builtin_dark[] =
        "normal = default default\n"
        "title = cyan default bold\n"
        "status = black cyan\n"
        "status.bad = white red bold\n"
        "status.alert = white magenta bold\n"
        "banner = black yellow bold\n"
        "legend = default default dim\n"
        "legend.key = cyan default bold\n"
        "list.selected = black white\n"
        "list.header = default default bold underline\n"
        "dim = default default dim\n"
        "label = cyan default\n"
        "risk.low = green default\n"
        "risk.medium = yellow default bold\n"
        "risk.high = white red bold\n"
        "countdown = default default\n"
        "countdown.urgent = red default bold\n"
        "command = default default bold\n"
        "finding = black yellow bold\n"
        "marker = black magenta\n"
        "json.key = cyan default\n"
        "json.string = green default\n"
        "diff.add = green default\n"
        "diff.del = red default\n"
        "diff.hunk = cyan default bold\n"
        "diff.context = default default\n"
        "prompt = default default bold\n"
        "error = red default bold\n"
        "ok = green default bold\n"
        "help = default default\n";

/* Without colour every distinction must survive as an attribute. */
static const char theme_builtin_mono[] = "title = bold\n"
                                         "status = reverse\n"
                                         "status.bad = reverse bold\n"
                                         "status.alert = bold underline\n"
                                         "banner = reverse bold\n"
                                         "legend = dim\n"
                                         "legend.key = bold\n"
                                         "list.selected = reverse\n"
                                         "list.header = bold underline\n"
                                         "dim = dim\n"
                                         "label = bold\n"
                                         "risk.medium = bold\n"
                                         "risk.high = reverse bold\n"
                                         "countdown.urgent = bold underline\n"
                                         "command = bold\n"
                                         "finding = reverse underline\n"
                                         "marker = reverse\n"
                                         "diff.add = bold\n"
                                         "diff.del = dim\n"
                                         "diff.hunk = underline\n"
                                         "prompt = bold\n"
                                         "error = bold reverse\n"
                                         "ok = bold\n";

static const char *const theme_role_names[ROLE__COUNT] = {
#define THEME_ROLE_NAME(id, name) [ROLE_##id] = name,
	THEME_ROLES(THEME_ROLE_NAME)
#undef THEME_ROLE_NAME
};

static const char *const theme_colour_names[] = {
	"black", "red", "green", "yellow", "blue", "magenta", "cyan", "white",
};

static const struct {
	const char *name;
	unsigned bit;
} theme_attr_names[] = {
	{ "bold", THEME_BOLD },
	{ "dim", THEME_DIM },
	{ "underline", THEME_UNDERLINE },
	{ "reverse", THEME_REVERSE },
	{ "italic", THEME_ITALIC },
	{ "standout", THEME_STANDOUT },
	{ "none", 0 },
};

const char *
theme_role_name(enum theme_role r)
{
	if ((unsigned)r >= ROLE__COUNT) {
		return "?";
	}
	return theme_role_names[r];
}

bool
theme_role_from_name(const char *name, enum theme_role *out)
{
	for (int r = 0; r < ROLE__COUNT; r++) {
		if (strcmp(theme_role_names[r], name) == 0) {
			*out = (enum theme_role)r;
			return true;
		}
	}
	return false;
}

void
theme_defaults(struct theme *t, bool colour)
{
	char *err = NULL;

	memset(t, 0, sizeof *t);
	for (int r = 0; r < ROLE__COUNT; r++) {
		t->style[r].fg = THEME_DEFAULT_COLOUR;
		t->style[r].bg = THEME_DEFAULT_COLOUR;
	}
	snprintf(t->name, sizeof t->name, "%s", colour ? "dark" : "mono");
	/* the built-in text is ours: a parse error is a bug */
	if (theme_parse(t, colour ? theme_builtin_dark : theme_builtin_mono,
	                &err) != 0) {
		abort();
	}
}

/* A colour word: true and *out set, false if the word is not a colour. */
static bool
theme_colour(const char *w, int *out)
{
	const char *base = w;
	int bright = 0;
	char *end;
	long n;

	if (strcmp(w, "default") == 0) {
		*out = THEME_DEFAULT_COLOUR;
		return true;
	}
	if (strncmp(w, "bright-", 7) == 0) {
		base = w + 7;
		bright = 8;
	}
	for (int i = 0; i < 8; i++) {
		if (strcmp(base, theme_colour_names[i]) == 0) {
			*out = i + bright;
			return true;
		}
	}
	if (w[0] < '0' || w[0] > '9') {
		return false;
	}
	errno = 0;
	n = strtol(w, &end, 10);
	if (*end != '\0' || errno != 0 || n < 0 || n > 255) {
		return false;
	}
	*out = (int)n;
	return true;
}

static bool
theme_attr(const char *w, unsigned *attrs)
{
	for (size_t i = 0;
	     i < sizeof theme_attr_names / sizeof theme_attr_names[0]; i++) {
		if (strcmp(w, theme_attr_names[i].name) == 0) {
			*attrs = theme_attr_names[i].bit
			                 ? *attrs | theme_attr_names[i].bit
			                 : 0;
			return true;
		}
	}
	return false;
}

/* "fg [bg] attr..." into s; the first unknown word is returned. */
static const char *
theme_style_words(char *spec, struct theme_style *s)
{
	struct theme_style out = { THEME_DEFAULT_COLOUR, THEME_DEFAULT_COLOUR,
		                   0 };
	int ncolours = 0;
	char *save = NULL;

	for (char *w = strtok_r(spec, " \t", &save); w != NULL;
	     w = strtok_r(NULL, " \t", &save)) {
		int c;

		if (ncolours < 2 && theme_colour(w, &c)) {
			*(ncolours++ == 0 ? &out.fg : &out.bg) = c;
		} else if (!theme_attr(w, &out.attrs)) {
			return w;
		}
	}
	*s = out;
	return NULL;
}

static char *
theme_trim(char *s)
{
	char *end;

	while (*s == ' ' || *s == '\t') {
		s++;
	}
	end = s + strlen(s);
	while (end > s && strchr(" \t\r\n", end[-1]) != NULL) {
		*--end = '\0';
	}
	return s;
}

/* One line (NUL-terminated, modified); NULL or an error message. */
static char *
theme_line(struct theme *t, char *line)
{
	char *hash = strchr(line, '#');
	char *eq;
	const char *bad;
	enum theme_role role;

	if (hash != NULL) {
		*hash = '\0';
	}
	line = theme_trim(line);
	if (*line == '\0') {
		return NULL;
	}
	eq = strchr(line, '=');
	if (eq == NULL) {
		return xasprintf("expected 'role = colours', got '%s'", line);
	}
	*eq = '\0';
	if (!theme_role_from_name(theme_trim(line), &role)) {
		return xasprintf("unknown role '%s'", theme_trim(line));
	}
	bad = theme_style_words(eq + 1, &t->style[role]);
	if (bad != NULL) {
		return xasprintf("unknown colour or attribute '%s'", bad);
	}
	return NULL;
}

int
theme_parse(struct theme *t, const char *text, char **err)
{
	char *copy = xstrdup(text);
	char *save = NULL;
	int lineno = 0;
	int rc = 0;

	/* strtok_r would skip blank lines and shift the numbers: split by hand
	 */
	for (char *line = copy; line != NULL; line = save) {
		char *msg;

		save = strchr(line, '\n');
		if (save != NULL) {
			*save++ = '\0';
		}
		lineno++;
		msg = theme_line(t, line);
		if (msg != NULL) {
			if (err != NULL) {
				*err = xasprintf("line %d: %s", lineno, msg);
			}
			free(msg);
			rc = AL_EPARSE;
			break;
		}
	}
	free(copy);
	return rc;
}

static char *
theme_read_file(const char *path)
{
	return buf_read_file_max(path, 1 << 20);
}

static void
theme_set_name(struct theme *t, const char *name)
{
	const char *slash = strrchr(name, '/');
	const char *base = slash ? slash + 1 : name;
	size_t len = strcspn(base, ".");

	snprintf(t->name, sizeof t->name, "%.*s", (int)len, base);
}

int
theme_load(struct theme *t, const char *name, const char *const *dirs,
           char **err)
{
	char *text = NULL;
	int rc;

	if (strchr(name, '/') != NULL) {
		text = theme_read_file(name);
	}
	for (size_t i = 0; text == NULL && strchr(name, '/') == NULL && dirs &&
	                   dirs[i] != NULL;
	     i++) {
		char *path = xasprintf("%s/%s.theme", dirs[i], name);

		text = theme_read_file(path);
		free(path);
	}
	if (text == NULL) {
		if (err != NULL) {
			*err = xasprintf("theme '%s' not found", name);
		}
		return AL_ENOENT;
	}
	rc = theme_parse(t, text, err);
	if (rc == 0) {
		theme_set_name(t, name);
	}
	free(text);
	return rc;
}

/* xterm's 6x6x6 cube and grey ramp onto the 8 base colours: a channel
 * counts when it is at least half on. */
static int
theme_fold_256(int c)
{
	if (c >= 232) {
		return c >= 244 ? 7 : 0;
	}
	c -= 16;
	int r = c / 36, g = (c / 6) % 6, b = c % 6;

	return (r >= 3 ? 1 : 0) | (g >= 3 ? 2 : 0) | (b >= 3 ? 4 : 0);
}

int
theme_fold_colour(int colour, int ncolors)
{
	if (colour < 0 || ncolors < 8) {
		return THEME_DEFAULT_COLOUR;
	}
	if (colour < ncolors) {
		return colour;
	}
	if (colour < 16) {
		return colour - 8;
	}
	return theme_fold_256(colour);
}
