#include "tui/osc.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <term.h>
#include <unistd.h>

#include "core/sanitize.h"
#include "core/xalloc.h"

#define OSC_ESC "\033"
#define OSC_BEL "\007"
/* xterm's title stack (CSI 22/23 t): tmux, xterm, VTE, kitty ... */
#define OSC_TITLE_PUSH OSC_ESC "[22;0t"
#define OSC_TITLE_POP  OSC_ESC "[23;0t"
#define OSC_TEXT_MAX   240

struct osc {
	enum osc_notify notify;
	bool title_on, title_set, tmux;
	char *tsl, *fsl; /* NULL: OSC 2 */
	char *last;      /* the title last written */
};

struct osc_notify_word {
	const char *word;
	enum osc_notify n;
};

bool
osc_notify_parse(const char *word, enum osc_notify *out)
{
	static const struct osc_notify_word map[] = {
		{ "osc", OSC_NOTIFY_AUTO },
		{ "osc777", OSC_NOTIFY_777 },
		{ "osc9", OSC_NOTIFY_9 },
		{ "off", OSC_NOTIFY_OFF },
		{ "none", OSC_NOTIFY_OFF }
	};

	for (size_t i = 0; word != NULL && i < sizeof map / sizeof map[0];
	     i++) {
		if (strcmp(map[i].word, word) == 0) {
			*out = map[i].n;
			return true;
		}
	}
	return false;
}

enum osc_notify
osc_notify_resolve(enum osc_notify n, const char *term_program,
                   const char *wt_session)
{
	if (n != OSC_NOTIFY_AUTO) {
		return n;
	}
	if ((wt_session != NULL && *wt_session != '\0') ||
	    (term_program != NULL && (strcmp(term_program, "iTerm.app") == 0 ||
	                              strcmp(term_program, "ConEmu") == 0))) {
		return OSC_NOTIFY_9;
	}
	return OSC_NOTIFY_777;
}

void
osc_title_text(size_t pending, size_t alerts, char *buf, size_t size)
{
	if (alerts == 0) {
		snprintf(buf, size, "airlock: %zu pending", pending);
		return;
	}
	snprintf(buf, size, "airlock: %zu pending, %zu alert%s", pending,
	         alerts, alerts == 1 ? "" : "s");
}

bool
osc_title_term_ok(const char *term)
{
	static const char *const families[] = {
		"xterm", "tmux",  "screen", "rxvt",    "alacritty", "foot",
		"kitty", "vte",   "gnome",  "konsole", "wezterm",   "st-",
		"iterm", "putty", "mintty", "contour", "ghostty",
	};

	if (term == NULL) {
		return false;
	}
	for (size_t i = 0; i < sizeof families / sizeof families[0]; i++) {
		if (strncmp(term, families[i], strlen(families[i])) == 0) {
			return true;
		}
	}
	return false;
}

/* Length of the UTF-8 character at s (1 for a stray byte). */
static size_t
osc_char_len(const unsigned char *s)
{
	size_t len = s[0] < 0x80 ? 1 : s[0] < 0xe0 ? 2 : s[0] < 0xf0 ? 3 : 4;

	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80) {
			return 1;
		}
	}
	return len;
}

/* Whether the character at s (len bytes) may stand inside an OSC string:
 * no C0, DEL, C1 (U+0080..U+009F: 0xC2 0x80..0x9F), no stray byte. */
static bool
osc_char_ok(const unsigned char *s, size_t len)
{
	if (len == 1) {
		return s[0] >= 0x20 && s[0] < 0x7f;
	}
	return !(len == 2 && s[0] == 0xc2 && s[1] < 0xa0);
}

char *
osc_clean(const char *s, size_t max, bool field)
{
	char *safe = sanitize_to_string(s ? s : "", s ? strlen(s) : 0, NULL);
	struct buf b = { 0 };
	const unsigned char *p = (const unsigned char *)safe;

	while (*p != '\0') {
		size_t len = osc_char_len(p);

		if (b.len + len > max) {
			break;
		}
		if (*p == '\n') {
			buf_putc(&b, ' ');
		} else if (field && *p == ';') {
			buf_putc(&b, ',');
		} else if (osc_char_ok(p, len)) {
			buf_append(&b, p, len);
		}
		p += len;
	}
	free(safe);
	buf_puts(&b, "");
	return buf_steal(&b);
}

void
osc_seq_title(const char *tsl, const char *fsl, const char *text,
              struct buf *out)
{
	char *clean = osc_clean(text, OSC_TEXT_MAX, false);

	if (tsl != NULL) {
		buf_puts(out, tsl);
		buf_puts(out, clean);
		buf_puts(out, fsl ? fsl : OSC_BEL);
	} else {
		buf_printf(out, OSC_ESC "]2;%s" OSC_BEL, clean);
	}
	free(clean);
}

/* tmux passes a sequence through to the outer terminal (when its
 * allow-passthrough option is on) inside DCS, with every ESC doubled. */
static void
osc_tmux_wrap(const char *seq, struct buf *out)
{
	buf_puts(out, OSC_ESC "Ptmux;");
	for (const char *p = seq; *p != '\0'; p++) {
		if (*p == '\033') {
			buf_putc(out, '\033');
		}
		buf_putc(out, *p);
	}
	buf_puts(out, OSC_ESC "\\");
}

void
osc_seq_notify(enum osc_notify n, bool tmux, const char *title,
               const char *body, struct buf *out)
{
	char *t = osc_clean(title, 80, true);
	char *b = osc_clean(body, OSC_TEXT_MAX, n == OSC_NOTIFY_777);
	struct buf seq = { 0 };

	if (n == OSC_NOTIFY_9) {
		/* "airlock: " first: ConEmu reads "9;<digit>;" as a command */
		buf_printf(&seq, OSC_ESC "]9;%s: %s" OSC_BEL, t, b);
	} else if (n != OSC_NOTIFY_OFF) {
		buf_printf(&seq, OSC_ESC "]777;notify;%s;%s" OSC_BEL, t, b);
	}
	if (seq.len > 0 && tmux) {
		osc_tmux_wrap(seq.data, out);
	} else if (seq.len > 0) {
		buf_puts(out, seq.data);
	}
	buf_free(&seq);
	free(t);
	free(b);
}

/* ---- the terminal ------------------------------------------------------ */

static void
osc_write(const struct buf *b)
{
	size_t off = 0;

	/* curses has flushed its frame: nothing of ours interleaves with it */
	while (off < b->len) {
		ssize_t w = write(STDOUT_FILENO, b->data + off, b->len - off);

		if (w <= 0) {
			return;
		}
		off += (size_t)w;
	}
}

static char *
osc_terminfo(const char *cap)
{
	char *s = tigetstr(cap);

	return s == NULL || s == (char *)-1 ? NULL : xstrdup(s);
}

struct osc *
osc_new(const char *term, enum osc_notify notify)
{
	struct osc *o = xcalloc(1, sizeof *o);
	const char *tmux = getenv("TMUX");

	o->notify = osc_notify_resolve(notify, getenv("TERM_PROGRAM"),
	                               getenv("WT_SESSION"));
	o->tmux = tmux != NULL && *tmux != '\0';
	/* a status line with parameters (a column) is not a title: skip */
	if (tigetflag("hs") > 0) {
		o->tsl = osc_terminfo("tsl");
		o->fsl = osc_terminfo("fsl");
		if (o->tsl != NULL && strchr(o->tsl, '%') != NULL) {
			free(o->tsl);
			o->tsl = NULL;
		}
	}
	o->title_on = o->tsl != NULL || osc_title_term_ok(term);
	return o;
}

void
osc_free(struct osc *o)
{
	struct buf b = { 0 };

	if (o == NULL) {
		return;
	}
	if (o->title_set) {
		osc_seq_title(o->tsl, o->fsl, "", &b);
		buf_puts(&b, OSC_TITLE_POP);
		osc_write(&b);
	}
	buf_free(&b);
	free(o->tsl);
	free(o->fsl);
	free(o->last);
	free(o);
}

bool
osc_title_on(const struct osc *o)
{
	return o->title_on;
}

void
osc_title(struct osc *o, const char *text)
{
	struct buf b = { 0 };

	if (!o->title_on || (o->last != NULL && strcmp(o->last, text) == 0)) {
		return;
	}
	if (!o->title_set) {
		buf_puts(&b, OSC_TITLE_PUSH);
		o->title_set = true;
	}
	osc_seq_title(o->tsl, o->fsl, text, &b);
	osc_write(&b);
	buf_free(&b);
	free(o->last);
	o->last = xstrdup(text);
}

void
osc_notify(struct osc *o, const char *title, const char *body)
{
	struct buf b = { 0 };

	if (o->notify == OSC_NOTIFY_OFF) {
		return;
	}
	osc_seq_notify(o->notify, o->tmux, title, body, &b);
	osc_write(&b);
	buf_free(&b);
}
