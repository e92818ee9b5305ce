/*
 * Per-command rules for commands that write, delete or take apart files
 * and disks: rm, shred, truncate, dd, disk tools, cp/mv/ln/install, sed
 * -i, tee, touch, archives, chmod/chown and chattr.
 */
#include <ctype.h>
#include <string.h>

#include "core/classify_impl.h"
#include "core/classify_rules_int.h"

void
classify_rm(struct classify_ctx *cx, const struct classify_args *a)
{
	if (a->stdin_unknown) {
		ADD(RISK_DESTRUCTIVE, ASK, a->start, a->end,
		    "deletes files named on stdin");
	}
	classify_targets(cx, a, 1, "", CLASSIFY_WR_DELETE);
}

void
classify_shred(struct classify_ctx *cx, const struct classify_args *a)
{
	ADD(RISK_DESTRUCTIVE, ASK, a->start, a->end,
	    "overwrites files beyond recovery");
	classify_targets(cx, a, 1, "nsx", CLASSIFY_WR_DELETE);
}

void
classify_truncate(struct classify_ctx *cx, const struct classify_args *a)
{
	ADD(RISK_DESTRUCTIVE, ASK, a->start, a->end, "truncates files");
	classify_targets(cx, a, 1, "sr", CLASSIFY_WR_MODIFY);
}

void
classify_dd(struct classify_ctx *cx, const struct classify_args *a)
{
	for (size_t i = 1; i < a->n; i++) {
		struct classify_arg t = a->v[i];
		if (strncmp(t.s, "of=", 3) == 0) {
			t.s += 3;
			classify_write_target(cx, &t, CLASSIFY_WR_CREATE);
		} else if (strncmp(t.s, "if=", 3) == 0) {
			t.s += 3;
			classify_read_target(cx, &t);
		}
	}
}

void
classify_disk(struct classify_ctx *cx, const struct classify_args *a)
{
	ADD(RISK_DESTRUCTIVE, ASK, a->start, a->end, "formats or wipes a disk");
}

/* cp/mv/install/ln: the destination (last operand or -t DIR). */
void
classify_copy(struct classify_ctx *cx, const struct classify_args *a,
              const char *name)
{
	size_t last = 0;
	size_t nops = 0;
	bool mv = strcmp(name, "mv") == 0;

	for (size_t i = 1; i < a->n; i++) {
		const char *s = a->v[i].s;
		if ((strcmp(s, "-t") == 0 ||
		     strcmp(s, "--target-directory") == 0) &&
		    i + 1 < a->n) {
			classify_write_target(cx, &a->v[i + 1],
			                      CLASSIFY_WR_CREATE);
			return;
		}
		if (s[0] != '-') {
			if (mv && last != 0) {
				classify_write_target(cx, &a->v[last],
				                      CLASSIFY_WR_MODIFY);
			}
			last = i;
			nops++;
		}
	}
	if (last != 0 && (nops > 1 || strcmp(name, "ln") != 0)) {
		classify_write_target(cx, &a->v[last],
		                      strcmp(name, "ln") == 0
		                              ? CLASSIFY_WR_MODIFY
		                              : CLASSIFY_WR_CREATE);
	}
}

void
classify_sed(struct classify_ctx *cx, const struct classify_args *a)
{
	bool inplace = classify_has_prefix(a, "-i") ||
	               classify_has_prefix(a, "--in-place");
	bool script_given = classify_has(a, "-e") || classify_has(a, "-f");
	bool first = true;

	if (!inplace) {
		return;
	}
	for (size_t i = 1; i < a->n; i++) {
		const char *s = a->v[i].s;
		if (s[0] == '-') {
			i += strcmp(s, "-e") == 0 || strcmp(s, "-f") == 0;
			continue;
		}
		if (first && !script_given) {
			first = false;
			continue;
		}
		classify_write_target(cx, &a->v[i], CLASSIFY_WR_MODIFY);
	}
}

void
classify_tee(struct classify_ctx *cx, const struct classify_args *a)
{
	classify_targets(cx, a, 1, "",
	                 classify_has_short(a, 'a') ? CLASSIFY_WR_APPEND
	                                            : CLASSIFY_WR_CREATE);
}

void
classify_touch(struct classify_ctx *cx, const struct classify_args *a)
{
	classify_targets(cx, a, 1, "dtrm", CLASSIFY_WR_MODIFY);
}

void
classify_archive(struct classify_ctx *cx, const struct classify_args *a,
                 const char *name)
{
	for (size_t i = 1; i + 1 < a->n; i++) {
		const char *s = a->v[i].s;
		if (strcmp(s, "-C") == 0 || strcmp(s, "-d") == 0 ||
		    strcmp(s, "--directory") == 0) {
			classify_write_target(cx, &a->v[i + 1],
			                      CLASSIFY_WR_CREATE);
			return;
		}
	}
	if (strcmp(name, "tar") == 0 &&
	    (classify_has_short(a, 'x') || classify_has(a, "--extract"))) {
		classify_write_target(cx,
		                      &(struct classify_arg){ .s = ".",
		                                              .start = a->start,
		                                              .end = a->end },
		                      CLASSIFY_WR_CREATE);
	}
}

void
classify_chmod(struct classify_ctx *cx, const struct classify_args *a,
               const char *name)
{
	size_t m = classify_operand(a, 1);
	const char *mode = classify_arg_at(a, m);
	bool setid = false;

	if (strcmp(name, "chmod") == 0) {
		setid = strchr(mode, 's') != NULL ||
		        (strlen(mode) == 4 && isdigit((unsigned char)mode[0]) &&
		         mode[0] >= '2' && mode[0] <= '7' && mode[0] != '3');
	} else {
		setid = strncmp(mode, "root", 4) == 0 ||
		        strncmp(mode, "0:", 2) == 0 || strcmp(mode, "0") == 0;
	}
	if (setid) {
		ADD(RISK_PRIVILEGE, ASK, a->v[m].start, a->v[m].end,
		    strcmp(name, "chmod") == 0 ? "sets the setuid/setgid bit"
		                               : "gives files to root");
	}
	for (size_t i = m + 1; i < a->n; i++) {
		if (a->v[i].s[0] != '-') {
			classify_write_target(cx, &a->v[i], CLASSIFY_WR_MODIFY);
		}
	}
}

void
classify_chattr(struct classify_ctx *cx, const struct classify_args *a)
{
	for (size_t i = 1; i < a->n; i++) {
		const char *s = a->v[i].s;
		if (s[0] != '-' && s[0] != '+' && s[0] != '=') {
			classify_write_target(cx, &a->v[i], CLASSIFY_WR_MODIFY);
		}
	}
}
