#ifndef AIRLOCK_IPC_INSTALL_H
#define AIRLOCK_IPC_INSTALL_H

#include <stdbool.h>

/*
 * `airlock install` / `airlock uninstall`: merges airlock's hook entries
 * into a Claude Code settings.json without disturbing anything else in the
 * file, idempotently, and removes exactly those entries again. The file is
 * backed up (<file>.airlock-backup) before it is changed and replaced
 * atomically. A settings file that does not parse is left alone: Claude
 * Code ignores a whole settings file with one invalid value, which would
 * silently disable every hook.
 */
struct install_opts {
	const char *settings_path; /* .claude/settings.json to change */
	const char *hook_path;     /* absolute path of airlock-hook */
	const char *home;          /* AIRLOCK_HOME to pass, or NULL */
	int approval_timeout_s;    /* the daemon's approval timeout */
};

/* Claude Code's per-hook timeout written for an approval timeout: always
 * larger, so that airlock answers (deny on timeout) before Claude Code
 * kills the hook (which would let the call run). */
int install_hook_timeout(int approval_timeout_s);
/* The hook's own deadline: between the two. */
int install_hook_deadline(int approval_timeout_s);

/* Returns 0 and sets *changed; on failure *err (caller frees) says why. */
int install_apply(const struct install_opts *o, bool *changed, char **err);
int install_remove(const struct install_opts *o, bool *changed, char **err);

#endif
