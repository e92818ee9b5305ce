#ifndef AIRLOCK_CORE_RISK_H
#define AIRLOCK_CORE_RISK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * What the classifier found in one tool call: risk categories (those of
 * ../shared/corpus/README.md), each finding with the byte span of the input
 * that caused it and a short human explanation, plus the network hosts the
 * call would reach. The policy decides from this; the console highlights
 * the spans.
 */
enum risk_cat {
	RISK_BENIGN = 0,
	RISK_WORKSPACE_WRITE,
	RISK_DESTRUCTIVE,
	RISK_EGRESS,
	RISK_PRIVILEGE,
	RISK_SECRET_ACCESS,
	RISK_TAMPER,
	RISK_OBFUSCATION,
	RISK_UNPARSED, /* the analyser could not understand the input: ask */
	RISK_CAT_COUNT,
};

#define RISK_BIT(c) (1u << (c))
/* Categories that need a human (corpus `needs_human`), plus unparsed. */
#define RISK_NEEDS_HUMAN                                           \
	(RISK_BIT(RISK_DESTRUCTIVE) | RISK_BIT(RISK_EGRESS) |      \
	 RISK_BIT(RISK_PRIVILEGE) | RISK_BIT(RISK_SECRET_ACCESS) | \
	 RISK_BIT(RISK_TAMPER) | RISK_BIT(RISK_OBFUSCATION) |      \
	 RISK_BIT(RISK_UNPARSED))

/* How strongly a finding binds: most ask a human; self-protection findings
 * (writes to airlock's own files, Claude Code's hooks, unsupervised agents)
 * are denied by the built-in rules whatever the user's rules say. */
enum risk_severity {
	RISK_SEV_ASK = 0,
	RISK_SEV_DENY = 1,
};

struct risk_finding {
	enum risk_cat cat;
	enum risk_severity severity;
	size_t start; /* byte offsets into the analysed text, end exclusive */
	size_t end;
	char *why; /* owned */
};

struct risk_report {
	uint32_t mask; /* RISK_BIT() of every category found */
	struct risk_finding *findings;
	size_t nfindings;
	char **hosts; /* lowercase destinations, no scheme/port/user; owned */
	size_t nhosts;
};

/* Stable lowercase names ("destructive", "secret_access"); "?" if unknown. */
const char *risk_cat_name(enum risk_cat c);
/* Parses a name back; false when unknown. */
bool risk_cat_from_name(const char *name, enum risk_cat *out);
/* Appends a finding (why is formatted and copied) and sets its bit. */
void risk_report_add(struct risk_report *r, enum risk_cat cat,
                     enum risk_severity sev, size_t start, size_t end,
                     const char *fmt, ...)
        __attribute__((format(printf, 6, 7)));
/* Adds a host once (case-folded); duplicates are ignored. */
void risk_report_add_host(struct risk_report *r, const char *host);
/* Moves every finding and host of src into dst (src is left empty). */
void risk_report_merge(struct risk_report *dst, struct risk_report *src);
bool risk_report_has_deny(const struct risk_report *r);
/* Frees the members; the struct itself may be on the stack. */
void risk_report_clear(struct risk_report *r);

#endif
