#include "tui/cli.h"

#include <errno.h>
#include <limits.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/al.h"
#include "core/paths.h"
#include "core/xalloc.h"
#include "ipc/client.h"
#include "ipc/install.h"
#include "tui/cli_audit.h"
#include "tui/cli_prune.h"
#include "tui/cli_verbs.h"

extern char **environ;

char *
cli_sibling(const char *argv0, const char *name)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
	char *slash;

	(void)argv0;
	if (n <= 0) {
		return xstrdup(name);
	}
	self[n] = '\0';
	slash = strrchr(self, '/');
	if (slash == NULL) {
		return xstrdup(name);
	}
	*slash = '\0';
	return xasprintf("%s/%s", self, name);
}

static int64_t
cli_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static bool
cli_daemon_answers(const struct paths *p, int timeout_ms)
{
	struct client *c = NULL;
	bool ok = false;
	int64_t end = cli_now_ms() + timeout_ms;

	if (client_open_control(&c, p) != 0) {
		return false;
	}
	/* Each try waits at most what is left: the whole probe is bounded by
	 * timeout_ms, whatever the socket does. */
	while (!ok && cli_now_ms() < end) {
		int64_t left = end - cli_now_ms();
		ok = client_ping(c, (int)(left < 250 ? left : 250)) == 0;
		if (!ok && access(p->control_sock, F_OK) != 0) {
			struct timespec ts = { 0, 50 * 1000 * 1000 };
			nanosleep(&ts, NULL);
		}
	}
	client_close(c);
	return ok;
}

static int
cli_spawn_daemon(const char *argv0, const char *home)
{
	char *daemon = cli_sibling(argv0, "airlockd");
	char *args[5] = { daemon, NULL, NULL, NULL, NULL };
	pid_t pid;
	int status = 0;
	int rc;

	if (home != NULL) {
		args[1] = "--home";
		args[2] = (char *)home;
	}
	rc = posix_spawn(&pid, daemon, NULL, NULL, args, environ);
	free(daemon);
	if (rc != 0) {
		return AL_EIO;
	}
	/* airlockd detaches itself: the direct child exits at once. */
	waitpid(pid, &status, 0);
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : AL_EIO;
}

int
cli_ensure_daemon(const char *argv0, const char *home)
{
	struct paths p;
	int rc = 0;

	paths_init(&p, home);
	/* A short first probe: a live daemon answers in well under 1 s. */
	if (!cli_daemon_answers(&p, 300)) {
		rc = cli_spawn_daemon(argv0, home);
		if (rc == 0 && !cli_daemon_answers(&p, 5000)) {
			rc = AL_ETIMEDOUT;
		}
	}
	paths_clear(&p);
	return rc;
}

const char *
cli_opt(const struct cli *c, const char *name)
{
	for (int i = 0; i + 1 < c->argc; i++) {
		if (strcmp(c->argv[i], name) == 0) {
			return c->argv[i + 1];
		}
	}
	return NULL;
}

bool
cli_flag(const struct cli *c, const char *name)
{
	for (int i = 0; i < c->argc; i++) {
		if (strcmp(c->argv[i], name) == 0) {
			return true;
		}
	}
	return false;
}

const char *
cli_arg(const struct cli *c, const char *const *with_value, int idx)
{
	for (int i = 0; i < c->argc; i++) {
		bool takes = false;
		for (size_t k = 0; with_value[k] != NULL; k++) {
			takes = takes || strcmp(c->argv[i], with_value[k]) == 0;
		}
		if (takes) {
			i++;
		} else if (c->argv[i][0] != '-' || c->argv[i][1] == '\0') {
			if (idx-- == 0) {
				return c->argv[i];
			}
		}
	}
	return NULL;
}

struct cli_verb {
	const char *name;
	int (*fn)(const struct cli *c);
	const char *usage;
};

static const struct cli_verb cli_verbs[] = {
	{ "pending", cli_pending, "pending [--json]" },
	{ "approve", cli_approve, "approve ID [--reason R]" },
	{ "deny", cli_deny, "deny ID --reason R" },
	{ "log", cli_log,
	  "log [QUERY] [--json] [--limit N] [--session S] "
	  "[--tool T] [--decision D] [--since 2h] [--project DIR] "
	  "[--approver USER] [--risk CATEGORY] [--unsupervised]" },
	{ "status", cli_status, "status" },
	{ "daemon", cli_daemon, "daemon [--foreground]" },
	{ "install", cli_install, "install [--project DIR | --user]" },
	{ "uninstall", cli_uninstall, "uninstall [--project DIR | --user]" },
	{ "check", cli_check,
	  "check [--project DIR] [--tainted] [--explain 'Bash(cmd)' "
	  "[--json]] < events.jsonl" },
	{ "policy", cli_policy, "policy lint [FILE]" },
	{ "scan", cli_scan, "scan --secrets|--injection [--json] < text" },
	{ "doctor", cli_doctor, "doctor [--json]" },
	{ "prune", cli_prune, "prune --before DATE" },
	{ "demo", cli_demo, "demo" },
	{ "show", cli_show, "show ID [--json]" },
	{ "verify", cli_verify, "verify [--witness FILE]" },
	{ "checkpoint", cli_checkpoint, "checkpoint --witness FILE" },
	{ "sessions", cli_sessions, "sessions [--json] [--limit N]" },
	{ "export", cli_export,
	  "export [--since T] [--until T] > calls.jsonl" },
	{ "stats", cli_stats, "stats [--json] [--since T] [--until T]" },
	{ "alerts", cli_alerts,
	  "alerts [--json] [--all] [--limit N] | alerts --ack ID" },
	{ "import", cli_import, "import TRANSCRIPT.jsonl..." },
};

void
cli_usage(void)
{
	fprintf(stderr, "usage: airlock [--home DIR] [--theme NAME] "
	                "[--readonly] [--osc-notify]  open the console\n");
	for (size_t i = 0; i < sizeof cli_verbs / sizeof cli_verbs[0]; i++) {
		fprintf(stderr, "       airlock [--home DIR] %s\n",
		        cli_verbs[i].usage);
	}
}

int
cli_run(const char *name, const struct cli *c)
{
	for (size_t i = 0; i < sizeof cli_verbs / sizeof cli_verbs[0]; i++) {
		if (strcmp(cli_verbs[i].name, name) == 0) {
			return cli_verbs[i].fn(c);
		}
	}
	return -1;
}
