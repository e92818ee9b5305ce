#ifndef AIRLOCK_CORE_INJECT_H
#define AIRLOCK_CORE_INJECT_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Prompt-injection screening of tool results (web pages, READMEs, API
 * responses, command output). Text that comes back from a tool is data;
 * the screener flags text that tries to act as instructions to the agent:
 *
 *  - phrasing: overrides ("ignore previous instructions", also in other
 *    languages, with homoglyphs, leetspeak or hyphenated line breaks),
 *    forged system/tool/approval markers, persona framing, and requests
 *    addressed to an AI to run commands, read or send secrets, weaken its
 *    guard, or hide an action from the human;
 *  - carriers: HTML comments and hidden elements, Unicode tag characters,
 *    variation-selector payloads, zero-width splitting, bidi overrides;
 *  - encodings: base64, hex and URL-encoding are decoded and screened
 *    again, and so are ROT13 and reversed text near the words that ask
 *    for them;
 *  - markdown image/link URLs built to carry data out.
 *
 * Text that merely discusses injection, setup instructions for people,
 * emoji ZWJ/tag sequences and right-to-left scripts are not findings.
 * Linear in the input: a 1 MB result is screened in milliseconds.
 */

struct inject_finding {
	const char *technique; /* corpus technique name, e.g. "unicode_tags" */
	size_t start;          /* byte span in the screened text, */
	size_t end;            /* end exclusive */
	const char *why;       /* short static explanation */
};

/* Inputs above this are screened only in their first INJECT_MAX_LEN bytes
 * (offsets stay valid); the caller may treat such results as untrusted. */
#define INJECT_MAX_LEN ((size_t)256 << 20)

/*
 * Screens text[0..len) and returns the findings in *out (sorted by start)
 * and their count in *n; the caller frees *out (NULL when *n is 0). An
 * empty list means no injection was recognised. Returns 0, or AL_EINVAL
 * when text is NULL with len > 0 or out/n is NULL.
 */
int inject_screen(const char *text, size_t len, struct inject_finding **out,
                  size_t *n);

/* True when inject_screen() finds anything in text[0..len). */
bool inject_detected(const char *text, size_t len);

#endif
