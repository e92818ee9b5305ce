/* The sanitiser's knowledge of Unicode: the character tables (format and
 * invisible characters, Latin confusables, marker names) and the code-point
 * classes built on them. Pure functions of one code point; the passes over
 * the input are in sanitize.c. */
#include "core/sanitize_int.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/sanitize.h"
#include "core/wrap.h"

/* ---- tables ------------------------------------------------------------- */

/* Format characters (Cf), line/paragraph separators and spaces other than
 * U+0020 and the ideographic space: invisible or look-alikes of a space.
 * Generated from Unicode 14 (Python unicodedata). */
static const struct cp_range sanitize_format[] = {
	{ 0xA0, 0xA0 },       { 0xAD, 0xAD },       { 0x600, 0x605 },
	{ 0x61C, 0x61C },     { 0x6DD, 0x6DD },     { 0x70F, 0x70F },
	{ 0x890, 0x891 },     { 0x8E2, 0x8E2 },     { 0x115F, 0x1160 },
	{ 0x1680, 0x1680 },   { 0x17B4, 0x17B5 },   { 0x180E, 0x180E },
	{ 0x2000, 0x200F },   { 0x2028, 0x202F },   { 0x205F, 0x2064 },
	{ 0x2066, 0x206F },   { 0x3164, 0x3164 },   { 0xFEFF, 0xFEFF },
	{ 0xFFA0, 0xFFA0 },   { 0xFFF9, 0xFFFB },   { 0x110BD, 0x110BD },
	{ 0x110CD, 0x110CD }, { 0x13430, 0x13438 }, { 0x1BCA0, 0x1BCA3 },
	{ 0x1D173, 0x1D17A }, { 0xE0000, 0xE001F }, { 0xE0080, 0xE00FF },
	{ 0xE01F0, 0xE0FFF },
};

/* Letters of other scripts that look like Latin letters (after Unicode's
 * confusables.txt, the strong cases only); sorted for bsearch. */
static const uint32_t sanitize_confusable[] = {
	0x0131, 0x01C0, 0x0237, 0x0251, 0x0261, 0x0269, 0x037F, 0x0391, 0x0392,
	0x0395, 0x0396, 0x0397, 0x0399, 0x039A, 0x039C, 0x039D, 0x039F, 0x03A1,
	0x03A4, 0x03A5, 0x03A7, 0x03B1, 0x03B9, 0x03BA, 0x03BD, 0x03BF, 0x03C1,
	0x03C5, 0x03C7, 0x03F2, 0x03F3, 0x0405, 0x0406, 0x0408, 0x0410, 0x0412,
	0x0415, 0x041A, 0x041C, 0x041D, 0x041E, 0x0420, 0x0421, 0x0422, 0x0425,
	0x0430, 0x0435, 0x043E, 0x0440, 0x0441, 0x0443, 0x0445, 0x0455, 0x0456,
	0x0458, 0x0461, 0x0475, 0x04AE, 0x04BB, 0x04C0, 0x04CF, 0x0501, 0x051B,
	0x051C, 0x051D, 0x0570, 0x0578, 0x057D, 0x0585,
};

/* Short names shown inside markers, so a reviewer need not look them up. */
struct sanitize_name {
	uint32_t cp;
	const char *name;
};

static const struct sanitize_name sanitize_names[] = {
	{ 0x85, "NEL" },         { 0x90, "DCS" },
	{ 0x98, "SOS" },         { 0x9B, "CSI" },
	{ 0x9C, "ST" },          { 0x9D, "OSC" },
	{ 0x9E, "PM" },          { 0x9F, "APC" },
	{ 0xA0, "NBSP" },        { 0xAD, "SHY" },
	{ 0x34F, "CGJ" },        { 0x61C, "ALM" },
	{ 0x115F, "FILLER" },    { 0x1160, "FILLER" },
	{ 0x180E, "MVS" },       { 0x200B, "ZWSP" },
	{ 0x200C, "ZWNJ" },      { 0x200D, "ZWJ" },
	{ 0x200E, "LRM" },       { 0x200F, "RLM" },
	{ 0x2028, "LSEP" },      { 0x2029, "PSEP" },
	{ 0x202A, "LRE" },       { 0x202B, "RLE" },
	{ 0x202C, "PDF" },       { 0x202D, "LRO" },
	{ 0x202E, "RLO" },       { 0x202F, "NNBSP" },
	{ 0x2060, "WJ" },        { 0x2066, "LRI" },
	{ 0x2067, "RLI" },       { 0x2068, "FSI" },
	{ 0x2069, "PDI" },       { 0x3164, "FILLER" },
	{ 0xFEFF, "BOM" },       { 0xFFA0, "FILLER" },
	{ 0xE0001, "LANG TAG" }, { 0xE007F, "CANCEL TAG" },
};

static int
sanitize_cmp_cp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a;
	uint32_t y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

/* ---- classes ------------------------------------------------------------ */

bool
sanitize_is_c1(uint32_t cp)
{
	return cp >= 0x80 && cp <= 0x9F;
}

bool
sanitize_is_vs(uint32_t cp)
{
	return (cp >= 0xFE00 && cp <= 0xFE0F) ||
	       (cp >= 0xE0100 && cp <= 0xE01EF) ||
	       (cp >= 0x180B && cp <= 0x180D) || cp == 0x180F;
}

bool
sanitize_is_tag(uint32_t cp)
{
	return cp >= 0xE0020 && cp <= 0xE007F;
}

/* Extended_Pictographic, approximately: what may join with ZWJ or take
 * VS15/VS16. */
bool
sanitize_is_emoji(uint32_t cp)
{
	return cp == 0xA9 || cp == 0xAE || cp == 0x203C || cp == 0x2049 ||
	       cp == 0x2122 || cp == 0x2139 || (cp >= 0x2194 && cp <= 0x21AA) ||
	       (cp >= 0x231A && cp <= 0x23FF) || cp == 0x24C2 ||
	       (cp >= 0x25AA && cp <= 0x25FE) ||
	       (cp >= 0x2600 && cp <= 0x27BF) ||
	       (cp >= 0x2934 && cp <= 0x2935) ||
	       (cp >= 0x2B05 && cp <= 0x2B55) || cp == 0x3030 || cp == 0x303D ||
	       cp == 0x3297 || cp == 0x3299 || (cp >= 0x1F000 && cp <= 0x1FAFF);
}

bool
sanitize_is_han(uint32_t cp)
{
	return (cp >= 0x3400 && cp <= 0x4DBF) ||
	       (cp >= 0x4E00 && cp <= 0x9FFF) ||
	       (cp >= 0xF900 && cp <= 0xFAFF) ||
	       (cp >= 0x20000 && cp <= 0x3FFFF);
}

/* Script families where ZWNJ/ZWJ shape letters (Persian, Urdu, Indic). */
int
sanitize_joining_family(uint32_t cp)
{
	if ((cp >= 0x620 && cp <= 0x6FF) || (cp >= 0x750 && cp <= 0x77F) ||
	    (cp >= 0x8A0 && cp <= 0x8FF) || (cp >= 0xFB50 && cp <= 0xFDFF) ||
	    (cp >= 0xFE70 && cp <= 0xFEFC)) {
		return 1;
	}
	if (cp >= 0x900 && cp <= 0xDFF) {
		return 2;
	}
	return 0;
}

bool
sanitize_is_combining(uint32_t cp)
{
	return cp >= 0x300 && wrap_cp_width(cp) == 0 &&
	       !cp_range_find(sanitize_format,
	                      sizeof(sanitize_format) /
	                              sizeof(sanitize_format[0]),
	                      cp);
}

static bool
sanitize_is_bidi(uint32_t cp)
{
	return (cp >= 0x202A && cp <= 0x202E) ||
	       (cp >= 0x2066 && cp <= 0x2069) || cp == 0x200E || cp == 0x200F ||
	       cp == 0x61C;
}

/* Code points never shown as themselves, whatever their context. */
unsigned
sanitize_always_marked(uint32_t cp)
{
	if (sanitize_is_bidi(cp)) {
		return SANITIZE_F_BIDI;
	}
	if (cp_range_find(sanitize_format,
	                  sizeof(sanitize_format) / sizeof(sanitize_format[0]),
	                  cp) ||
	    cp == 0x34F) {
		return SANITIZE_F_INVISIBLE;
	}
	/* Private use may be drawn as anything; noncharacters as nothing. */
	if ((cp >= 0xE000 && cp <= 0xF8FF) || cp >= 0xF0000 ||
	    (cp >= 0xFDD0 && cp <= 0xFDEF) || (cp & 0xFFFE) == 0xFFFE) {
		return SANITIZE_F_INVISIBLE;
	}
	return 0;
}

/* ---- homoglyph classes -------------------------------------------------- */

/* Compatibility look-alikes of ASCII letters and digits: fullwidth forms,
 * Roman numerals, letterlike symbols, mathematical alphanumerics. */
bool
sanitize_is_lookalike(uint32_t cp)
{
	return (cp >= 0xFF10 && cp <= 0xFF19) ||
	       (cp >= 0xFF21 && cp <= 0xFF3A) ||
	       (cp >= 0xFF41 && cp <= 0xFF5A) ||
	       (cp >= 0x2160 && cp <= 0x2188) ||
	       (cp >= 0x1D400 && cp <= 0x1D7FF) || cp == 0x2102 ||
	       (cp >= 0x210A && cp <= 0x2113) || cp == 0x2115 ||
	       (cp >= 0x2119 && cp <= 0x211D) || cp == 0x2124 || cp == 0x2128 ||
	       (cp >= 0x212A && cp <= 0x212D) ||
	       (cp >= 0x212F && cp <= 0x2131) || cp == 0x2133 || cp == 0x2134 ||
	       cp == 0x2139 || (cp >= 0x2145 && cp <= 0x2149);
}

bool
sanitize_is_confusable(uint32_t cp)
{
	size_t n = sizeof(sanitize_confusable) / sizeof(sanitize_confusable[0]);

	return (cp >= 0x13A0 && cp <= 0x13F5) ||
	       bsearch(&cp, sanitize_confusable, n, sizeof(uint32_t),
	               sanitize_cmp_cp) != NULL;
}

bool
sanitize_is_cjk(uint32_t cp)
{
	return sanitize_is_han(cp) || (cp >= 0x3040 && cp <= 0x30FF) ||
	       (cp >= 0x31F0 && cp <= 0x31FF) ||
	       (cp >= 0xFF66 && cp <= 0xFF9F) ||
	       (cp >= 0xAC00 && cp <= 0xD7AF) ||
	       (cp >= 0x1100 && cp <= 0x11FF) || (cp >= 0x3130 && cp <= 0x318F);
}

bool
sanitize_is_latin(uint32_t cp)
{
	if (cp < 0x80) {
		return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z');
	}
	if (sanitize_is_confusable(cp) || sanitize_is_lookalike(cp)) {
		return false;
	}
	return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') ||
	       (cp >= 0xC0 && cp <= 0x24F && cp != 0xD7 && cp != 0xF7) ||
	       (cp >= 0x1E00 && cp <= 0x1EFF);
}

/* ---- marker names ------------------------------------------------------- */

const char *
sanitize_name(uint32_t cp, char *tmp, size_t cap)
{
	for (size_t i = 0;
	     i < sizeof(sanitize_names) / sizeof(sanitize_names[0]); i++) {
		if (sanitize_names[i].cp == cp) {
			return sanitize_names[i].name;
		}
	}
	if (cp >= 0xFE00 && cp <= 0xFE0F) {
		snprintf(tmp, cap, "VS%u", (unsigned)(cp - 0xFE00 + 1));
		return tmp;
	}
	if (cp >= 0xE0100 && cp <= 0xE01EF) {
		snprintf(tmp, cap, "VS%u", (unsigned)(cp - 0xE0100 + 17));
		return tmp;
	}
	return NULL;
}
