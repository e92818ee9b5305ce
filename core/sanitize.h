#ifndef AIRLOCK_CORE_SANITIZE_H
#define AIRLOCK_CORE_SANITIZE_H

#include <stdbool.h>
#include <stddef.h>

/*
 * The display sanitiser: turns any byte string (untrusted, from the agent)
 * into segments of text that are safe to hand to the terminal. Nothing is
 * dropped: every byte of the input is represented, either as itself or as a
 * visible marker. Segment text is valid UTF-8 holding no control, bidi,
 * zero-width, tag or other invisible code point, except the few that
 * legitimate text needs in context (ZWJ inside an emoji sequence, ZWNJ
 * between Arabic-script or Indic letters, a variation selector after a base
 * that takes one, the tag letters of an emoji subdivision flag).
 *
 * Markers look like `^[` (ESC, and a whole escape sequence is one marker),
 * `^G` (other C0), `^?` (DEL), `\0` `\b` `\t` `\r`, `\xFF` (a byte that is
 * not UTF-8) and `⟨U+202E RLO⟩` (C1 controls and invisible code points).
 * A run of tag characters shows its hidden ASCII: `⟨TAGS curl ...⟩`.
 * Homoglyphs (a Cyrillic `а` among Latin letters, fullwidth or Roman-numeral
 * look-alikes) stay as themselves in a FLAGGED segment followed by a marker
 * naming the code point, so `rаw` reads `rа⟨U+0430⟩w`.
 */

enum sanitize_kind {
	SANITIZE_NORMAL,  /* the input's own text */
	SANITIZE_MARKER,  /* an escaped control or invisible code point */
	SANITIZE_FLAGGED, /* legitimate-looking text that deserves suspicion */
	SANITIZE_BREAK,   /* a line feed of the input; text is "" */
};

/* Whole-string findings, OR-ed into sanitize_flags(). */
enum {
	SANITIZE_F_CONTROL = 1u << 0,   /* C0 control or DEL (not \n) */
	SANITIZE_F_ESCAPE = 1u << 1,    /* ESC or C1 escape sequence */
	SANITIZE_F_C1 = 1u << 2,        /* C1 control U+0080..U+009F */
	SANITIZE_F_NUL = 1u << 3,       /* NUL byte */
	SANITIZE_F_BIDI = 1u << 4,      /* bidi override, embedding, isolate */
	SANITIZE_F_INVISIBLE = 1u << 5, /* zero-width, format, odd space */
	SANITIZE_F_TAGS = 1u << 6,      /* tag characters outside a flag */
	SANITIZE_F_VARIATION = 1u << 7, /* variation selector out of place */
	SANITIZE_F_INVALID = 1u << 8,   /* bytes that are not UTF-8 */
	SANITIZE_F_HOMOGLYPH = 1u << 9, /* look-alike letters in a word */
	SANITIZE_F_COMBINING = 1u << 10 /* combining mark with no base */
};

/* One piece of display text. text is valid UTF-8, NUL-terminated at len,
 * borrowed from the sanitize_text that owns it. src_off/src_len give the
 * input bytes it stands for, so findings expressed as byte spans of the
 * input (the classifier's) can be mapped to segments. */
struct sanitize_seg {
	enum sanitize_kind kind;
	const char *text;
	size_t len;
	size_t src_off;
	size_t src_len;
};

struct sanitize_opts {
	bool no_homoglyphs; /* skip the homoglyph pass (e.g. for prose) */
	/* 0: a tab is the marker `\t`. 1..16: a marker `»` padded with
	 * spaces to that many columns, for file contents and diffs where
	 * tabs are ordinary indentation. */
	unsigned tab_width;
};

struct sanitize_text;

/* Sanitises len bytes of s (may hold NUL bytes). opts may be NULL for the
 * defaults. The caller frees *out with sanitize_free(). Returns 0, or
 * AL_EINVAL when s is NULL with len > 0. */
int sanitize(const char *s, size_t len, const struct sanitize_opts *opts,
             struct sanitize_text **out);
void sanitize_free(struct sanitize_text *t); /* NULL is a no-op */

size_t sanitize_count(const struct sanitize_text *t);
/* The i-th segment (i < sanitize_count()); borrowed from t. */
const struct sanitize_seg *sanitize_seg(const struct sanitize_text *t,
                                        size_t i);
unsigned sanitize_flags(const struct sanitize_text *t);
/* True when the display differs from the input bytes. */
bool sanitize_changed(const struct sanitize_text *t);

/* All segments concatenated, markers inline and breaks as "\n": plain safe
 * UTF-8. The caller frees the result. */
char *sanitize_to_string(const char *s, size_t len,
                         const struct sanitize_opts *opts);

#endif
