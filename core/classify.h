#ifndef AIRLOCK_CORE_CLASSIFY_H
#define AIRLOCK_CORE_CLASSIFY_H

#include <stddef.h>

#include "core/risk.h"

/*
 * The risk classifier: finds what makes a tool call need a human. It never
 * decides (the policy does) and never fails open: input it cannot analyse
 * is reported as a RISK_UNPARSED finding.
 */
struct classify_env {
	const char *cwd;         /* where the call runs (may be NULL) */
	const char *project_dir; /* the workspace root (may be NULL) */
	const char *home;        /* the agent's $HOME (may be NULL) */
	/* airlock's own config, state and runtime directories and binaries:
	 * any write to them is a RISK_TAMPER finding with RISK_SEV_DENY */
	const char *const *protected_paths;
	size_t nprotected;
};

enum classify_op {
	CLASSIFY_READ,
	CLASSIFY_WRITE,
};

/* Classifies one Bash command line (any shell syntax); spans are byte
 * offsets into command. Appends to out (zero it before the first call).
 * Returns 0. */
int classify_bash(const char *command, const struct classify_env *env,
                  struct risk_report *out);

/* Classifies a file tool's access to path (Read/Edit/Write/NotebookEdit):
 * secret files, self-protection, persistence points, outside the
 * workspace. Spans refer to path. Returns 0 (AL_EINVAL on NULL).
 *
 * Reads: secret files are RISK_SECRET_ACCESS. Writes: airlock's protected
 * paths and Claude Code's settings/hooks are RISK_TAMPER with
 * RISK_SEV_DENY; persistence points RISK_TAMPER (ask); inside the
 * workspace RISK_WORKSPACE_WRITE; /tmp and /var/tmp nothing; anywhere else
 * RISK_DESTRUCTIVE ("writes ... outside the workspace"): a file tool
 * replaces whole files, and outside the project there is no version
 * control behind them, so the overwrite is treated as irreversible. */
int classify_path(const char *path, enum classify_op op,
                  const struct classify_env *env, struct risk_report *out);

/* Classifies a URL a tool would fetch: records its host (loopback is not
 * egress). Spans refer to url. Returns 0. */
int classify_url(const char *url, struct risk_report *out);

#endif
