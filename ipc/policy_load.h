#ifndef AIRLOCK_IPC_POLICY_LOAD_H
#define AIRLOCK_IPC_POLICY_LOAD_H

#include "core/policy.h"

/*
 * Policy files (JSON; docs/policy.md has the format):
 *
 *   user     $XDG_CONFIG_HOME/airlock/policy.json: the user's policy, all
 *            keys apply;
 *   project  <project>/.airlock/policy.json: may only tighten: its allow
 *            rules and egress hosts are ignored with a warning, its deny
 *            and ask rules apply, strict can only be switched on and the
 *            approval timeout only shortened;
 *   Claude   <project>/.claude/settings.json and settings.local.json: only
 *            permissions.{allow,ask,deny} are read. A rule airlock cannot
 *            parse is skipped with a warning (Claude Code still enforces
 *            it); the user policy can refuse their allow rules with
 *            "claude_allow": false.
 *
 * A file that does not exist is skipped. A file that does not parse (bad
 * JSON, a duplicate key, an unknown key, a wrong type, a bad rule in an
 * airlock file) fails the whole load with "file:line: reason".
 */

#define POLICY_LOAD_MAX_FILE (1024 * 1024) /* bytes per file */

struct policy_load_paths {
	const char *user;        /* the user's policy file, or NULL */
	const char *project_dir; /* the project root, or NULL */
};

/* Builds a new policy from the files. On success *out is the new policy
 * (the caller frees it with policy_free()) and, if warnings is not NULL,
 * *warnings is NULL or a newline-separated list the caller frees. On
 * failure returns AL_EPARSE, AL_EIO or AL_ETOOBIG, sets *err (if not
 * NULL; the caller frees it) to "file:line: reason", and leaves *out and
 * *warnings untouched, so that the caller's previous policy stays. */
int policy_load(struct policy **out, const struct policy_load_paths *paths,
                char **warnings, char **err);

/* Validates one airlock policy file (the user's or a project's format).
 * Returns 0, with *warnings as for policy_load(), or an error as for
 * policy_load(). A missing file is AL_EIO here. */
int policy_lint_file(const char *path, char **warnings, char **err);

#endif
