/* Verbs that work without the daemon: `check`, `policy lint`, `scan`. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/paths.h"
#include "core/xalloc.h"
#include "ipc/check.h"
#include "ipc/doctor.h"
#include "ipc/policy_load.h"
#include "ipc/scan.h"
#include "tui/cli_verbs.h"

/* The policy a call in project would get from the daemon: the user's
 * file plus the project's files. */
static int
cli_load_policy(const struct paths *p, const char *project, struct policy **out)
{
	struct policy_load_paths lp = { .user = p->policy_path,
		                        .project_dir = project };
	char *warnings = NULL;
	char *err = NULL;
	int rc = policy_load(out, &lp, &warnings, &err);

	if (warnings != NULL) {
		fprintf(stderr, "airlock: %s\n", warnings);
	}
	if (rc != 0) {
		fprintf(stderr, "airlock: %s\n",
		        err ? err : "policy not loaded");
	}
	free(warnings);
	free(err);
	return rc;
}

int
cli_check(const struct cli *c)
{
	struct paths p;
	struct policy *pol = NULL;
	char cwd[PATH_MAX];
	const char *project = cli_opt(c, "--project");
	const char *explain = cli_opt(c, "--explain");
	int rc;

	if (project == NULL) {
		project = getcwd(cwd, sizeof cwd) ? cwd : ".";
	}
	paths_init(&p, c->home);
	if (cli_load_policy(&p, project, &pol) != 0) {
		paths_clear(&p);
		return 1;
	}
	const char *protected_paths[] = { p.runtime_dir, p.state_dir,
		                          p.config_dir };
	struct policy_ctx ctx = { .project_dir = project,
		                  .home = getenv("HOME"),
		                  .tainted = cli_flag(c, "--tainted"),
		                  .protected_paths = protected_paths,
		                  .nprotected = 3 };
	if (explain != NULL) {
		rc = check_explain(explain, stdout, pol, &ctx,
		                   cli_flag(c, "--json"));
	} else {
		struct check_stats st = { 0 };
		rc = check_stream(stdin, stdout, pol, &ctx, &st);
	}
	policy_free(pol);
	paths_clear(&p);
	return rc == 0 ? 0 : 1;
}

int
cli_policy(const struct cli *c)
{
	struct paths p;
	char *warnings = NULL;
	char *err = NULL;
	int rc;

	if (c->argc < 1 || strcmp(c->argv[0], "lint") != 0) {
		fprintf(stderr, "usage: airlock policy lint [FILE]\n");
		return 2;
	}
	paths_init(&p, c->home);
	const char *file = c->argc > 1 ? c->argv[1] : p.policy_path;
	rc = policy_lint_file(file, &warnings, &err);
	if (warnings != NULL) {
		fprintf(stderr, "%s\n", warnings);
	}
	if (rc != 0) {
		fprintf(stderr, "%s\n", err ? err : "invalid policy");
	} else {
		printf("%s: ok\n", file);
	}
	free(warnings);
	free(err);
	paths_clear(&p);
	return rc == 0 ? 0 : 1;
}

int
cli_scan(const struct cli *c)
{
	char **argv = xcalloc((size_t)c->argc + 2, sizeof *argv);
	int rc;

	argv[0] = "scan";
	for (int i = 0; i < c->argc; i++) {
		argv[i + 1] = c->argv[i];
	}
	rc = scan_main(c->argc + 1, argv, stdin, stdout, stderr);
	free(argv);
	return rc;
}

int
cli_doctor(const struct cli *c)
{
	struct doctor_report r;

	doctor_assess(NULL, &r);
	doctor_print(&r, stdout, cli_flag(c, "--json"));
	return 0;
}
