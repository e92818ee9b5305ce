#ifndef AIRLOCK_CORE_SANITIZE_INT_H
#define AIRLOCK_CORE_SANITIZE_INT_H

/*
 * Internal to the display sanitiser (sanitize.c, sanitize_tables.c);
 * nothing outside core/sanitize*.c includes this: the code-point classes
 * of sanitize_tables.c that the passes of sanitize.c use.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Passes 1 and 2: controls and code points legitimate only in context. */
bool sanitize_is_c1(uint32_t cp);
bool sanitize_is_vs(uint32_t cp);  /* a variation selector */
bool sanitize_is_tag(uint32_t cp); /* U+E0020..U+E007F */
/* Extended_Pictographic, approximately: what may join with ZWJ or take
 * VS15/VS16. */
bool sanitize_is_emoji(uint32_t cp);
bool sanitize_is_han(uint32_t cp);
/* Script families where ZWNJ/ZWJ shape letters: 1 Arabic script (Persian,
 * Urdu), 2 Indic, 0 neither. */
int sanitize_joining_family(uint32_t cp);
/* A zero-width code point that draws onto its base (not a format one). */
bool sanitize_is_combining(uint32_t cp);
/* The SANITIZE_F_* flag of a code point never shown as itself, whatever
 * its context (bidi control, format or invisible, private use,
 * noncharacter), or 0. */
unsigned sanitize_always_marked(uint32_t cp);

/* Pass 3: homoglyphs. */
/* Compatibility look-alikes of ASCII letters and digits: fullwidth forms,
 * Roman numerals, letterlike symbols, mathematical alphanumerics. */
bool sanitize_is_lookalike(uint32_t cp);
/* Letters of other scripts that look like Latin letters. */
bool sanitize_is_confusable(uint32_t cp);
bool sanitize_is_cjk(uint32_t cp);
/* A Latin letter that is neither a confusable nor a look-alike. */
bool sanitize_is_latin(uint32_t cp);

/* The short name shown inside the marker of cp ("RLO", "ZWSP", "VS16"), or
 * NULL: a string literal, or tmp (cap bytes) filled in. */
const char *sanitize_name(uint32_t cp, char *tmp, size_t cap);

#endif
