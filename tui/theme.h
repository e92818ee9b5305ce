#ifndef AIRLOCK_TUI_THEME_H
#define AIRLOCK_TUI_THEME_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Colour themes as data. Code names roles; a theme file maps each role to
 * a foreground, a background and attributes, one per line:
 *
 *     # comment
 *     diff.add = green default bold
 *     finding  = black yellow
 *
 * Colours: default, black, red, green, yellow, blue, magenta, cyan, white,
 * bright-<name> (8-15), or a number 0-255. Attributes: bold, dim,
 * underline, reverse, italic, standout. Roles a file leaves out keep their
 * built-in defaults. This module only parses and resolves; draw.c turns
 * styles into curses attributes.
 */
#define THEME_ROLES(X)                          \
	X(NORMAL, "normal")                     \
	X(TITLE, "title")                       \
	X(STATUS, "status")                     \
	X(STATUS_BAD, "status.bad")             \
	X(STATUS_ALERT, "status.alert")         \
	X(BANNER, "banner")                     \
	X(LEGEND, "legend")                     \
	X(LEGEND_KEY, "legend.key")             \
	X(SELECTED, "list.selected")            \
	X(HEADER, "list.header")                \
	X(DIM, "dim")                           \
	X(LABEL, "label")                       \
	X(RISK_LOW, "risk.low")                 \
	X(RISK_MEDIUM, "risk.medium")           \
	X(RISK_HIGH, "risk.high")               \
	X(COUNTDOWN, "countdown")               \
	X(COUNTDOWN_URGENT, "countdown.urgent") \
	X(COMMAND, "command")                   \
	X(FINDING, "finding")                   \
	X(MARKER, "marker")                     \
	X(JSON_KEY, "json.key")                 \
	X(JSON_STRING, "json.string")           \
	X(DIFF_ADD, "diff.add")                 \
	X(DIFF_DEL, "diff.del")                 \
	X(DIFF_HUNK, "diff.hunk")               \
	X(DIFF_CONTEXT, "diff.context")         \
	X(PROMPT, "prompt")                     \
	X(ERROR, "error")                       \
	X(OK, "ok")                             \
	X(HELP, "help")

enum theme_role {
#define THEME_ROLE_ENUM(id, name) ROLE_##id,
	THEME_ROLES(THEME_ROLE_ENUM)
#undef THEME_ROLE_ENUM
	ROLE__COUNT,
};

enum {
	THEME_DEFAULT_COLOUR = -1,
	THEME_BOLD = 1u << 0,
	THEME_DIM = 1u << 1,
	THEME_UNDERLINE = 1u << 2,
	THEME_REVERSE = 1u << 3,
	THEME_ITALIC = 1u << 4,
	THEME_STANDOUT = 1u << 5,
};

struct theme_style {
	int fg, bg;     /* 0-255 or THEME_DEFAULT_COLOUR */
	unsigned attrs; /* THEME_* bits */
};

struct theme {
	char name[64];
	struct theme_style style[ROLE__COUNT];
};

/* Fills t with the built-in defaults: the "dark" palette when colour is
 * true, else the attribute-only "mono" palette (no colours at all). */
void theme_defaults(struct theme *t, bool colour);

/* Applies theme text over t (usually after theme_defaults). AL_EPARSE with
 * "line N: ..." in *err (caller frees) on the first bad line; the lines
 * before it stay applied. */
int theme_parse(struct theme *t, const char *text, char **err);

/* Loads name: a path when it contains '/', else <dir>/<name>.theme for
 * each dir in dirs (NULL-terminated), first found wins. AL_ENOENT when no
 * file exists, or theme_parse's error. */
int theme_load(struct theme *t, const char *name, const char *const *dirs,
               char **err);

/* A colour as the terminal can show it: numbers >= ncolors fold onto the
 * nearest of the 8 (or 16) base colours; with ncolors < 8 every colour
 * becomes THEME_DEFAULT_COLOUR. */
int theme_fold_colour(int colour, int ncolors);

const char *theme_role_name(enum theme_role r);
bool theme_role_from_name(const char *name, enum theme_role *out);

#endif
