/*
 * The daemon's policies: the user's policy file combined with each
 * project's files, loaded on first use and reloaded when a file changes. A
 * file that fails to parse never replaces a good policy: the last good one
 * stays in force and every console is alerted. With no good policy at all,
 * the built-ins run in strict mode (everything with side effects asks).
 */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/al.h"
#include "core/xalloc.h"
#include "ipc/daemon_int.h"
#include "ipc/policy_load.h"

#define POLCACHE_NFILES 4

struct polcache {
	char *project; /* "" for no project */
	struct policy *policy;
	struct timespec mtimes[POLCACHE_NFILES];
	bool good; /* loaded from the files, not the strict fallback */
	struct polcache *next;
};

static void
polcache_files(const struct daemon *d, const char *project,
               char *files[POLCACHE_NFILES])
{
	files[0] = xstrdup(d->paths.policy_path);
	files[1] = xasprintf("%s/.airlock/policy.json", project);
	files[2] = xasprintf("%s/.claude/settings.json", project);
	files[3] = xasprintf("%s/.claude/settings.local.json", project);
}

/* Snapshots the files' mtimes; returns true when they differ from pc's. */
static bool
polcache_stat(const struct daemon *d, struct polcache *pc,
              struct timespec out[POLCACHE_NFILES])
{
	char *files[POLCACHE_NFILES];
	bool changed = false;

	polcache_files(d, pc->project, files);
	for (int i = 0; i < POLCACHE_NFILES; i++) {
		struct stat st;
		memset(&out[i], 0, sizeof out[i]);
		if (stat(files[i], &st) == 0) {
			out[i] = st.st_mtim;
		}
		changed = changed || out[i].tv_sec != pc->mtimes[i].tv_sec ||
		          out[i].tv_nsec != pc->mtimes[i].tv_nsec;
		free(files[i]);
	}
	return changed;
}

static struct policy *
polcache_fallback(void)
{
	struct policy *p = NULL;

	if (policy_new(&p) != 0) {
		abort(); /* policy_new only fails on OOM, which aborts anyway */
	}
	policy_set_strict(p, true);
	return p;
}

static void
polcache_reload(struct daemon *d, struct polcache *pc)
{
	struct policy_load_paths lp = { .user = d->paths.policy_path,
		                        .project_dir = pc->project[0]
		                                               ? pc->project
		                                               : NULL };
	struct policy *p = NULL;
	char *warnings = NULL;
	char *err = NULL;

	if (policy_load(&p, &lp, &warnings, &err) == 0) {
		policy_free(pc->policy);
		pc->policy = p;
		pc->good = true;
		if (warnings != NULL) {
			daemon_alert(d, "policy", NULL, 0, warnings);
		}
	} else {
		char *msg = xasprintf(
		        "policy rejected: %s; %s", err,
		        pc->good ? "keeping the last good policy"
		                 : "running built-ins with deny-by-default");
		daemon_alert(d, "policy", NULL, 0, msg);
		free(msg);
		if (pc->policy == NULL) {
			pc->policy = polcache_fallback();
		}
	}
	free(warnings);
	free(err);
}

const struct policy *
daemon_policy_for(struct daemon *d, const char *project)
{
	struct polcache *pc;
	struct timespec now[POLCACHE_NFILES];

	if (project == NULL) {
		project = "";
	}
	for (pc = d->policies; pc != NULL; pc = pc->next) {
		if (strcmp(pc->project, project) == 0) {
			break;
		}
	}
	if (pc == NULL) {
		pc = xcalloc(1, sizeof *pc);
		pc->project = xstrdup(project);
		pc->next = d->policies;
		d->policies = pc;
	}
	if (polcache_stat(d, pc, now) || pc->policy == NULL) {
		memcpy(pc->mtimes, now, sizeof now);
		polcache_reload(d, pc);
	}
	return pc->policy;
}

void
daemon_policies_free(struct daemon *d)
{
	while (d->policies != NULL) {
		struct polcache *pc = d->policies;
		d->policies = pc->next;
		policy_free(pc->policy);
		free(pc->project);
		free(pc);
	}
}
