#ifndef AIRLOCK_CORE_INJECT_INT_H
#define AIRLOCK_CORE_INJECT_INT_H

/* Internal to the injection screener (inject.c, inject_rules.c,
 * inject_norm.c, inject_carriers.c, inject_decode.c). */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/inject.h"

struct inject_list {
	struct inject_finding *v;
	size_t n, cap;
};

/* One screening pass over one text (the input, or a decoded payload). */
struct inject_ctx {
	const char *text;
	size_t len;
	int depth;        /* 0 for the input, +1 per decoding */
	bool assume_addr; /* decoded payloads count as addressed to the AI */
	size_t nanchors;  /* addressing or standalone matches seen */
	unsigned maybe;   /* INJECT_MAYBE_* words the MARKER rules found */
	struct inject_list *out;
};

/* Words that switch on a decoder, as MARKER rules found them at a word
 * start of the normalised text; the decoder then checks the input. */
enum {
	INJECT_MAYBE_REVERSE = 1,
	INJECT_MAYBE_BACKWARDS = 2,
	INJECT_MAYBE_ROT13 = 4,
};

void inject_add(struct inject_list *l, const char *tech, size_t start,
                size_t end, const char *why);

/* Screens text as a payload hidden in the carrier [cs, ce) of the parent:
 * every finding becomes a finding of the parent on the carrier span, plus
 * one of technique tech. Returns true when anything was found. */
bool inject_payload(struct inject_ctx *parent, const char *text, size_t len,
                    size_t cs, size_t ce, const char *tech, const char *why);

/* Decodes one UTF-8 code point at t[i]; *adv gets its length (1 for an
 * invalid byte, which decodes as U+FFFD). */
uint32_t inject_utf8(const char *t, size_t len, size_t i, size_t *adv);

/* ---- phrase rules (inject_rules.c) ---------------------------------- */

#define INJECT_MAX_ELEMS 4

enum inject_kind {
	INJECT_K_ADDRESS,    /* text addressed to an AI: an anchor */
	INJECT_K_STANDALONE, /* a finding on its own, and an anchor */
	INJECT_K_ADDRESSED,  /* a finding only near an anchor */
	INJECT_K_MARKER,     /* no finding: switches on a decoder */
};

struct inject_rule {
	const char *tech; /* NULL for ADDRESS rules */
	unsigned char kind;
	unsigned char lang;    /* 1: not English, adds "multilingual";
	                        * MARKER rules: their INJECT_MAYBE_* bit */
	unsigned char gap;     /* max bytes between elements */
	unsigned char nocross; /* gaps may not cross quotes or brackets */
	const char *pat; /* elements " ~ ", alternatives "|", '#' is a pipe */
	const char *why;
};

struct inject_alt {
	const char *s;
	unsigned char len;
	bool word; /* must start at a word start */
};

/* Bits of the pair filter of an element: a hash of two bytes. */
#define INJECT_PAIR_BITS 1024

struct inject_elem {
	size_t first, nalts; /* slice of the alternative pool */
	/* First two bytes of the alternatives, hashed (inject_pair()), and
	 * the bytes of one-byte alternatives. */
	uint64_t pair[INJECT_PAIR_BITS / 64];
	uint64_t single[4];
};

struct inject_crule {
	const struct inject_rule *r;
	struct inject_elem el[INJECT_MAX_ELEMS];
	size_t nel;
};

struct inject_entry {
	unsigned short rule, alt;
};

/* Buckets of the first-element index: a hash of three bytes. */
#define INJECT_BUCKETS 4096

/*
 * The rules compiled for one screening: alternatives split out of the
 * patterns, and every first-element alternative indexed by the hash of
 * its first three bytes (each is at least three bytes long), in rule
 * order. start[] flags the bytes any first element starts with; the
 * normaliser lists the positions that can start a match from it.
 */
struct inject_rules {
	struct inject_crule *r;
	size_t nrules;
	struct inject_alt *alts;
	char *lead; /* first byte of each alternative, for memchr */
	size_t nalts;
	char *arena;
	struct inject_entry *ent;
	unsigned short off[INJECT_BUCKETS + 1];
	uint64_t used[INJECT_BUCKETS / 64]; /* non-empty buckets */
	unsigned char start[256]; /* 1: some first element starts so */
};

struct inject_rules *inject_rules_new(void);
void inject_rules_free(struct inject_rules *rs); /* NULL is a no-op */

/* Bucket of the three bytes at s. */
static inline size_t
inject_bucket3(const char *s)
{
	uint32_t k = (uint32_t)(unsigned char)s[0] |
	             (uint32_t)(unsigned char)s[1] << 8 |
	             (uint32_t)(unsigned char)s[2] << 16;

	return (size_t)((k * 2654435761u) >> 20) & (INJECT_BUCKETS - 1);
}

static inline size_t
inject_pair(unsigned char b0, unsigned char b1)
{
	return ((size_t)b0 * 67u + b1) & (INJECT_PAIR_BITS - 1);
}

static inline bool
inject_bit(const uint64_t *set, size_t k)
{
	return (set[k >> 6] >> (k & 63)) & 1u;
}

/* ---- normalised text (inject_norm.c) ---------------------------------- */

enum {
	INJECT_NF_FOLD = 1, /* from a homoglyph, fullwidth form or leet digit */
	INJECT_NF_SPLIT = 2, /* a hyphenated line break was joined before it */
};

/* map[] entries: the input offset, and the INJECT_NF_* flags on top
 * (offsets stay below INJECT_MAX_LEN, far under 2^30). */
#define INJECT_MAP_SHIFT 30
#define INJECT_MAP_OFF   ((UINT32_C(1) << INJECT_MAP_SHIFT) - 1)

/* Candidate classes of normalised bytes (struct inject_norm.cls). */
enum {
	INJECT_C_START = 1, /* starts some rule anywhere */
	INJECT_C_WORD = 2,  /* starts some rule at a word start */
	INJECT_C_ALNUM = 4,
	/* bits 3-4: the START/WORD mask that makes the next byte a
	 * candidate (only START after an alphanumeric byte) */
	INJECT_C_NEXT_SHIFT = 3,
};

/*
 * The text lower-cased, invisible characters dropped, whitespace
 * collapsed, hyphenated line breaks joined, homoglyphs, fullwidth forms
 * and leetspeak folded to ASCII. Never longer than the input. map[k] is
 * the input offset of s[k] (map[n] is the input length) and how it was
 * made. cand lists, ascending, the positions where a rule may start: each
 * byte some first element starts with, unless it is alphanumeric inside a
 * word (a superset of the positions matching must try).
 */
struct inject_norm {
	char *s;
	uint32_t *map;
	size_t n;
	unsigned char pending; /* flags for the next emitted byte */
	uint32_t *cand;
	size_t ncand;
	unsigned char cls[256]; /* INJECT_C_* of each byte */
	bool ws_start;          /* ' ' or '\n' starts some rule */
};

/* Fills nm from t[0..len), start[b] telling whether some rule starts
 * with byte b (inject_rules.start); inject_norm_free() releases it. */
void inject_normalize(const char *t, size_t len, const unsigned char *start,
                      struct inject_norm *nm);
void inject_norm_free(struct inject_norm *nm);

static inline bool
inject_alpha(unsigned char c)
{
	return (unsigned char)((c | 0x20) - 'a') < 26;
}

static inline bool
inject_alnum(unsigned char c)
{
	return inject_alpha(c) || (unsigned char)(c - '0') < 10;
}

/* Carrier scanners (inject_carriers.c) and decoders (inject_decode.c). */
void inject_scan_unicode(struct inject_ctx *c);
void inject_scan_encoded(struct inject_ctx *c);
void inject_scan_markdown(struct inject_ctx *c);
void inject_mark_hidden(struct inject_ctx *c);

#endif
