#include "tui/keymap.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "core/al.h"
#include "core/xalloc.h"
#include "tui/input.h"

struct keymap_binding {
	enum keymap_ctx ctx;
	uint32_t key;
	enum tui_action action;
};

struct keymap {
	struct keymap_binding *b;
	size_t n, cap;
};

/* The built-in bindings: data, loaded through keymap_bind() exactly like a
 * user's `bind` line. */
struct keymap_default {
	const char *key;
	enum tui_action action;
};

static const struct keymap_default keymap_global_defaults[] = {
	{ "q", ACT_QUIT },
	{ "?", ACT_HELP },
	{ "C-l", ACT_REDRAW },
	{ "1", ACT_VIEW_QUEUE },
	{ "2", ACT_VIEW_HISTORY },
	{ "3", ACT_VIEW_SESSIONS },
	{ "H", ACT_VIEW_HISTORY },
	{ "S", ACT_VIEW_SESSIONS },
	{ "4", ACT_VIEW_ALERTS },
	{ "!", ACT_VIEW_ALERTS },
	{ "j", ACT_DOWN },
	{ "Down", ACT_DOWN },
	{ "k", ACT_UP },
	{ "Up", ACT_UP },
	{ "g", ACT_FIRST },
	{ "Home", ACT_FIRST },
	{ "G", ACT_LAST },
	{ "End", ACT_LAST },
	{ "J", ACT_SCROLL_DOWN },
	{ "K", ACT_SCROLL_UP },
	{ "Space", ACT_PAGE_DOWN },
	{ "PgDn", ACT_PAGE_DOWN },
	{ "b", ACT_PAGE_UP },
	{ "PgUp", ACT_PAGE_UP },
};

static const struct keymap_default keymap_queue_defaults[] = {
	{ "a", ACT_APPROVE },
	{ "d", ACT_DENY },
	{ "e", ACT_EDIT },
	{ "A", ACT_APPROVE_ALWAYS },
	{ "s", ACT_APPROVE_SESSION },
};

static const struct keymap_default keymap_history_defaults[] = {
	{ "/", ACT_SEARCH },
	{ "Enter", ACT_OPEN },
	{ "Esc", ACT_VIEW_QUEUE },
};

static const struct keymap_default keymap_sessions_defaults[] = {
	{ "Enter", ACT_OPEN },
	{ "Esc", ACT_VIEW_QUEUE },
};

static const struct keymap_default keymap_replay_defaults[] = {
	{ "n", ACT_NEXT_CALL },
	{ "p", ACT_PREV_CALL },
	{ "Esc", ACT_VIEW_SESSIONS },
};

/* K scrolls up elsewhere; here it acknowledges (the context wins). */
static const struct keymap_default keymap_alerts_defaults[] = {
	{ "K", ACT_ACK_ALERT },
	{ "Esc", ACT_VIEW_QUEUE },
};

static const struct keymap_default keymap_help_defaults[] = {
	{ "Esc", ACT_HELP },
	{ "Enter", ACT_HELP },
};

#define KEYMAP_TABLE(ctx, t)                   \
	{                                      \
		ctx, t, sizeof t / sizeof t[0] \
	}

static const struct {
	enum keymap_ctx ctx;
	const struct keymap_default *rows;
	size_t n;
} keymap_defaults[] = {
	KEYMAP_TABLE(KEYMAP_CTX_GLOBAL, keymap_global_defaults),
	KEYMAP_TABLE(KEYMAP_CTX_QUEUE, keymap_queue_defaults),
	KEYMAP_TABLE(KEYMAP_CTX_HISTORY, keymap_history_defaults),
	KEYMAP_TABLE(KEYMAP_CTX_SESSIONS, keymap_sessions_defaults),
	KEYMAP_TABLE(KEYMAP_CTX_REPLAY, keymap_replay_defaults),
	KEYMAP_TABLE(KEYMAP_CTX_ALERTS, keymap_alerts_defaults),
	KEYMAP_TABLE(KEYMAP_CTX_HELP, keymap_help_defaults),
};

static const char *const keymap_action_names[ACT__COUNT] = {
	[ACT_NONE] = "none",
#define KEYMAP_ACTION_NAME(id, name, help) [ACT_##id] = name,
	TUI_ACTIONS(KEYMAP_ACTION_NAME)
#undef KEYMAP_ACTION_NAME
};

static const char *const keymap_action_helps[ACT__COUNT] = {
	[ACT_NONE] = "Do nothing",
#define KEYMAP_ACTION_HELP(id, name, help) [ACT_##id] = help,
	TUI_ACTIONS(KEYMAP_ACTION_HELP)
#undef KEYMAP_ACTION_HELP
};

static const char *const keymap_ctx_names[KEYMAP_CTX__COUNT] = {
#define KEYMAP_CTX_NAME(id, name) [KEYMAP_CTX_##id] = name,
	KEYMAP_CONTEXTS(KEYMAP_CTX_NAME)
#undef KEYMAP_CTX_NAME
};

static const struct {
	const char *name;
	uint32_t key;
} keymap_key_names[] = {
	{ "Space", ' ' },
	{ "Up", INPUT_KEY_UP },
	{ "Down", INPUT_KEY_DOWN },
	{ "Left", INPUT_KEY_LEFT },
	{ "Right", INPUT_KEY_RIGHT },
	{ "PgUp", INPUT_KEY_PGUP },
	{ "PgDn", INPUT_KEY_PGDN },
	{ "Home", INPUT_KEY_HOME },
	{ "End", INPUT_KEY_END },
	{ "Enter", INPUT_KEY_ENTER },
	{ "Esc", INPUT_KEY_ESC },
	{ "Tab", INPUT_KEY_TAB },
	{ "BTab", INPUT_KEY_BTAB },
	{ "Backspace", INPUT_KEY_BACKSPACE },
	{ "Delete", INPUT_KEY_DELETE },
};

#define KEYMAP_NKEY_NAMES (sizeof keymap_key_names / sizeof keymap_key_names[0])

struct keymap *
keymap_new(void)
{
	return xcalloc(1, sizeof(struct keymap));
}

void
keymap_free(struct keymap *km)
{
	if (km == NULL) {
		return;
	}
	free(km->b);
	free(km);
}

void
keymap_load_defaults(struct keymap *km)
{
	for (size_t t = 0;
	     t < sizeof keymap_defaults / sizeof keymap_defaults[0]; t++) {
		for (size_t i = 0; i < keymap_defaults[t].n; i++) {
			const struct keymap_default *d =
			        &keymap_defaults[t].rows[i];
			/* the table is ours: a bad key name is a bug */
			if (keymap_bind(km, keymap_defaults[t].ctx, d->key,
			                d->action) != 0) {
				abort();
			}
		}
	}
}

static struct keymap_binding *
keymap_find(const struct keymap *km, enum keymap_ctx ctx, uint32_t key)
{
	for (size_t i = 0; i < km->n; i++) {
		if (km->b[i].ctx == ctx && km->b[i].key == key) {
			return &km->b[i];
		}
	}
	return NULL;
}

int
keymap_bind(struct keymap *km, enum keymap_ctx ctx, const char *key,
            enum tui_action action)
{
	uint32_t code;
	struct keymap_binding *b;

	if (keymap_key_parse(key, &code) != 0) {
		return AL_EINVAL;
	}
	b = keymap_find(km, ctx, code);
	if (b == NULL) {
		if (km->n == km->cap) {
			km->cap = km->cap ? km->cap * 2 : 64;
			km->b = xrealloc(km->b, km->cap * sizeof *km->b);
		}
		b = &km->b[km->n++];
		b->ctx = ctx;
		b->key = code;
	}
	b->action = action;
	return 0;
}

static void
keymap_unbind(struct keymap *km, enum keymap_ctx ctx, uint32_t key)
{
	struct keymap_binding *b = keymap_find(km, ctx, key);

	if (b != NULL) {
		*b = km->b[--km->n];
	}
}

enum tui_action
keymap_lookup(const struct keymap *km, enum keymap_ctx ctx, uint32_t key)
{
	const struct keymap_binding *b = keymap_find(km, ctx, key);

	if (b == NULL && ctx != KEYMAP_CTX_GLOBAL) {
		b = keymap_find(km, KEYMAP_CTX_GLOBAL, key);
	}
	return b ? b->action : ACT_NONE;
}

/* Appends the keys of action bound in ctx, in binding order; a key that
 * the context rebinds to something else is skipped for global. */
static void
keymap_append_keys(const struct keymap *km, enum keymap_ctx ctx,
                   enum keymap_ctx lookup_ctx, enum tui_action action,
                   char *buf, size_t size)
{
	char name[32];

	for (size_t i = 0; i < km->n; i++) {
		const struct keymap_binding *b = &km->b[i];
		size_t len = strlen(buf);

		if (b->ctx != ctx || b->action != action ||
		    keymap_lookup(km, lookup_ctx, b->key) != action) {
			continue;
		}
		keymap_key_name(b->key, name, sizeof name);
		snprintf(buf + len, size - len, "%s%s", len ? "/" : "", name);
	}
}

char *
keymap_keys_for(const struct keymap *km, enum keymap_ctx ctx,
                enum tui_action action, char *buf, size_t size)
{
	if (size == 0) {
		return buf;
	}
	buf[0] = '\0';
	keymap_append_keys(km, ctx, ctx, action, buf, size);
	if (ctx != KEYMAP_CTX_GLOBAL) {
		keymap_append_keys(km, KEYMAP_CTX_GLOBAL, ctx, action, buf,
		                   size);
	}
	return buf;
}

/* A single UTF-8 character: its code point; false when name is more. */
static bool
keymap_single_char(const char *name, uint32_t *out)
{
	mbstate_t st;
	wchar_t wc;
	size_t len = strlen(name);
	size_t r;

	if (len == 1) {
		*out = (unsigned char)name[0];
		return true;
	}
	memset(&st, 0, sizeof st);
	r = mbrtowc(&wc, name, len, &st);
	if (r == (size_t)-1 || r == (size_t)-2 || r != len) {
		return false;
	}
	*out = (uint32_t)wc;
	return true;
}

int
keymap_key_parse(const char *name, uint32_t *out)
{
	if (name == NULL || name[0] == '\0') {
		return AL_EINVAL;
	}
	for (size_t i = 0; i < KEYMAP_NKEY_NAMES; i++) {
		if (strcmp(keymap_key_names[i].name, name) == 0) {
			*out = keymap_key_names[i].key;
			return 0;
		}
	}
	if (name[0] == 'C' && name[1] == '-' && name[2] >= 'a' &&
	    name[2] <= 'z' && name[3] == '\0') {
		*out = (uint32_t)(name[2] - 'a' + 1);
		return 0;
	}
	if (name[0] == 'F' && name[1] >= '1' && name[1] <= '9') {
		char *end;
		long n = strtol(name + 1, &end, 10);

		if (*end == '\0' && n >= 1 && n <= 12) {
			*out = INPUT_KEY_F0 + (uint32_t)n;
			return 0;
		}
		return AL_EINVAL;
	}
	if (keymap_single_char(name, out) && *out >= 0x20 && *out != 0x7f) {
		return 0;
	}
	return AL_EINVAL;
}

char *
keymap_key_name(uint32_t key, char *buf, size_t size)
{
	mbstate_t st;
	char mb[MB_LEN_MAX + 1];
	size_t r;

	for (size_t i = 0; i < KEYMAP_NKEY_NAMES; i++) {
		if (keymap_key_names[i].key == key) {
			snprintf(buf, size, "%s", keymap_key_names[i].name);
			return buf;
		}
	}
	if (key >= 1 && key <= 26) {
		snprintf(buf, size, "C-%c", (char)('a' + key - 1));
		return buf;
	}
	if (key > INPUT_KEY_F0 && key <= INPUT_KEY_LAST) {
		snprintf(buf, size, "F%u", (unsigned)(key - INPUT_KEY_F0));
		return buf;
	}
	memset(&st, 0, sizeof st);
	r = wcrtomb(mb, (wchar_t)key, &st);
	if (key < 0x20 || r == (size_t)-1) {
		snprintf(buf, size, "U+%04X", (unsigned)key);
		return buf;
	}
	mb[r] = '\0';
	snprintf(buf, size, "%s", mb);
	return buf;
}

const char *
keymap_action_name(enum tui_action a)
{
	if ((unsigned)a >= ACT__COUNT) {
		return "?";
	}
	return keymap_action_names[a];
}

const char *
keymap_action_help(enum tui_action a)
{
	if ((unsigned)a >= ACT__COUNT) {
		return "?";
	}
	return keymap_action_helps[a];
}

enum tui_action
keymap_action_from_name(const char *name)
{
	for (int a = 1; a < ACT__COUNT; a++) {
		if (strcmp(keymap_action_names[a], name) == 0) {
			return (enum tui_action)a;
		}
	}
	return ACT_NONE;
}

const char *
keymap_ctx_name(enum keymap_ctx ctx)
{
	if ((unsigned)ctx >= KEYMAP_CTX__COUNT) {
		return "?";
	}
	return keymap_ctx_names[ctx];
}

bool
keymap_ctx_from_name(const char *name, enum keymap_ctx *out)
{
	for (int c = 0; c < KEYMAP_CTX__COUNT; c++) {
		if (strcmp(keymap_ctx_names[c], name) == 0) {
			*out = (enum keymap_ctx)c;
			return true;
		}
	}
	return false;
}

/* Splits line into at most max whitespace-separated words (in place). */
static size_t
keymap_words(char *line, char **words, size_t max)
{
	size_t n = 0;
	char *save = NULL;

	for (char *w = strtok_r(line, " \t\r\n", &save); w != NULL;
	     w = strtok_r(NULL, " \t\r\n", &save)) {
		if (w[0] == '#' || n == max) {
			break;
		}
		words[n++] = w;
	}
	return n;
}

static int
keymap_apply_words(struct keymap *km, char **w, size_t n, char **err)
{
	enum keymap_ctx ctx;
	uint32_t key;
	enum tui_action action = ACT_NONE;
	bool bind = strcmp(w[0], "bind") == 0;

	if (n != (bind ? 4u : 3u)) {
		*err = xasprintf("%s: expected %s", w[0],
		                 bind ? "bind CONTEXT KEY ACTION"
		                      : "unbind CONTEXT KEY");
		return AL_EPARSE;
	}
	if (!keymap_ctx_from_name(w[1], &ctx)) {
		*err = xasprintf("unknown context '%s'", w[1]);
		return AL_EPARSE;
	}
	if (keymap_key_parse(w[2], &key) != 0) {
		*err = xasprintf("unknown key '%s'", w[2]);
		return AL_EPARSE;
	}
	if (bind) {
		action = keymap_action_from_name(w[3]);
		if (action == ACT_NONE && strcmp(w[3], "none") != 0) {
			*err = xasprintf("unknown action '%s'", w[3]);
			return AL_EPARSE;
		}
		return keymap_bind(km, ctx, w[2], action);
	}
	keymap_unbind(km, ctx, key);
	return 0;
}

int
keymap_parse_line(struct keymap *km, const char *line, char **err)
{
	char *copy = xstrdup(line);
	char *w[5];
	size_t n = keymap_words(copy, w, 5);
	char *msg = NULL;
	int rc = 0;

	if (n == 0) {
		goto out;
	}
	if (strcmp(w[0], "bind") != 0 && strcmp(w[0], "unbind") != 0) {
		rc = AL_ENOENT;
		goto out;
	}
	rc = keymap_apply_words(km, w, n, &msg);
out:
	if (msg != NULL && err != NULL) {
		*err = msg;
	} else {
		free(msg);
	}
	free(copy);
	return rc;
}
