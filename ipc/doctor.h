#ifndef AIRLOCK_IPC_DOCTOR_H
#define AIRLOCK_IPC_DOCTOR_H

#include <stdbool.h>
#include <stdio.h>

/*
 * `airlock doctor`: inspects the deployment and says which isolation tier
 * it reaches, with the reasons (docs/security.md defines the tiers). The
 * daemon runs the same assessment at start and records the tier in every
 * audit row; a hook connecting under another Unix user than the daemon's
 * raises that call to tier 2.
 */
#define DOCTOR_MAX_CHECKS 16

struct doctor_check {
	const char *name;
	bool ok;
	char detail[200];
};

struct doctor_report {
	int tier;
	char reason[240];
	struct doctor_check checks[DOCTOR_MAX_CHECKS];
	int nchecks;
};

struct doctor_opts {
	const char *managed_settings; /* NULL: /etc/claude-code/... */
	const char *proc_root;        /* NULL: "/proc" (tests) */
};

/* Fills *out; never fails (a check that cannot be made is not ok). */
void doctor_assess(const struct doctor_opts *o, struct doctor_report *out);
/* Prints the report for people (or as JSON). */
void doctor_print(const struct doctor_report *r, FILE *out, bool json);

#endif
