/*
 * airlock: with no verb, the approval console (starting airlockd in the
 * background if none runs); with a verb, the command line (see cli.c).
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/paths.h"
#include "tui/cli.h"
#include "tui/console.h"

struct main_opts {
	const char *home;
	const char *theme;
	bool readonly;
	bool osc_notify; /* OSC 777/9 desktop notifications (over SSH) */
	int verb;        /* index of the verb in argv, 0 for none */
};

static int
main_parse(int argc, char **argv, struct main_opts *o)
{
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--home") == 0 && i + 1 < argc) {
			o->home = argv[++i];
		} else if (strcmp(argv[i], "--theme") == 0 && i + 1 < argc) {
			o->theme = argv[++i];
		} else if (strcmp(argv[i], "--readonly") == 0) {
			o->readonly = true;
		} else if (strcmp(argv[i], "--osc-notify") == 0) {
			o->osc_notify = true;
		} else if (strcmp(argv[i], "-h") == 0 ||
		           strcmp(argv[i], "--help") == 0) {
			return -1;
		} else if (argv[i][0] == '-') {
			return -1;
		} else {
			o->verb = i;
			return 0;
		}
	}
	return 0;
}

static int
main_console(const char *argv0, const struct main_opts *m)
{
	struct paths p;
	int rc;

	if (!m->readonly && cli_ensure_daemon(argv0, m->home) != 0) {
		fprintf(stderr,
		        "airlock: could not start airlockd; the console "
		        "will keep trying to connect\n");
	}
	paths_init(&p, m->home);
	struct console_opts o = { .paths = &p,
		                  .theme = m->theme,
		                  .readonly = m->readonly,
		                  .osc_notify = m->osc_notify };
	rc = console_run(&o);
	paths_clear(&p);
	return rc == 0 ? 0 : 1;
}

int
main(int argc, char **argv)
{
	struct main_opts m = { 0 };

	if (main_parse(argc, argv, &m) != 0) {
		cli_usage();
		return 2;
	}
	if (m.home == NULL) {
		m.home = getenv("AIRLOCK_HOME");
	}
	if (m.verb == 0) {
		return main_console(argv[0], &m);
	}
	struct cli c = { .home = m.home,
		         .argv0 = argv[0],
		         .argc = argc - m.verb - 1,
		         .argv = argv + m.verb + 1 };
	int rc = cli_run(argv[m.verb], &c);
	if (rc == -1) {
		fprintf(stderr, "airlock: unknown command \"%s\"\n",
		        argv[m.verb]);
		cli_usage();
		return 2;
	}
	return rc;
}
