/* airlockd: the daemon. `airlockd [--home DIR] [--foreground]`. */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/paths.h"
#include "core/xalloc.h"
#include "ipc/daemon.h"

static volatile sig_atomic_t daemon_stop_flag;

static void
daemon_on_signal(int sig)
{
	(void)sig;
	daemon_stop_flag = 1;
}

/* Detach before the first nng call: nng aborts in a forked child. */
static int
daemon_detach(const char *log_path)
{
	pid_t pid = fork();
	int fd;

	if (pid < 0) {
		return -1;
	}
	if (pid > 0) {
		_exit(0);
	}
	setsid();
	pid = fork();
	if (pid < 0) {
		return -1;
	}
	if (pid > 0) {
		_exit(0);
	}
	fd = open("/dev/null", O_RDONLY);
	if (fd >= 0) {
		dup2(fd, STDIN_FILENO);
		close(fd);
	}
	fd = open(log_path, O_WRONLY | O_CREAT | O_APPEND, 0600);
	if (fd >= 0) {
		dup2(fd, STDOUT_FILENO);
		dup2(fd, STDERR_FILENO);
		close(fd);
	}
	return 0;
}

static void
daemon_write_pid(const char *path)
{
	FILE *f = fopen(path, "w");

	if (f != NULL) {
		fprintf(f, "%ld\n", (long)getpid());
		fclose(f);
	}
}

/* path made absolute against the current directory; NULL for NULL. */
static char *
daemon_abs_path(const char *path)
{
	char cwd[4096];

	if (path == NULL) {
		return NULL;
	}
	if (path[0] == '/' || getcwd(cwd, sizeof cwd) == NULL) {
		return xstrdup(path);
	}
	return xasprintf("%s/%s", cwd, path);
}

int
main(int argc, char **argv)
{
	struct paths paths;
	struct daemon *d = NULL;
	struct daemon_opts opts = { 0 };
	const char *home = NULL;
	const char *witness = NULL;
	int foreground = 0;
	char *err = NULL;
	struct sigaction sa;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--home") == 0 && i + 1 < argc) {
			home = argv[++i];
		} else if (strcmp(argv[i], "--foreground") == 0) {
			foreground = 1;
		} else if (strcmp(argv[i], "--abandon-grace") == 0 &&
		           i + 1 < argc) {
			opts.abandon_grace_ms =
			        strtoll(argv[++i], NULL, 10) * 1000;
		} else if (strcmp(argv[i], "--hook-group") == 0 &&
		           i + 1 < argc) {
			opts.hook_group = argv[++i];
		} else if (strcmp(argv[i], "--witness") == 0 && i + 1 < argc) {
			witness = argv[++i];
		} else if (strcmp(argv[i], "--checkpoint-interval") == 0 &&
		           i + 1 < argc) {
			opts.checkpoint_interval_ms =
			        strtoll(argv[++i], NULL, 10) * 1000;
		} else if (strcmp(argv[i], "--approval-timeout") == 0 &&
		           i + 1 < argc) {
			opts.approval_timeout_ms =
			        strtoll(argv[++i], NULL, 10) * 1000;
		} else {
			fprintf(stderr,
			        "usage: airlockd [--home DIR] [--foreground] "
			        "[--approval-timeout SECONDS] [--abandon-grace "
			        "SECONDS] [--hook-group NAME] [--witness "
			        "FILE] [--checkpoint-interval SECONDS]\n");
			return 2;
		}
	}
	/* Before detaching: a relative path means the caller's directory. */
	char *witness_abs = daemon_abs_path(witness);
	opts.witness_path = witness_abs;
	paths_init(&paths, home);
	if (paths_ensure_dirs(&paths, &err) != 0) {
		fprintf(stderr, "airlockd: %s\n", err);
		free(witness_abs);
		return 1;
	}
	if (!foreground && daemon_detach(paths.log_path) != 0) {
		fprintf(stderr, "airlockd: cannot detach\n");
		free(witness_abs);
		return 1;
	}
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = daemon_on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (daemon_open(&d, &paths, &opts, &err) != 0) {
		fprintf(stderr, "airlockd: %s\n", err ? err : "cannot start");
		free(err);
		free(witness_abs);
		paths_clear(&paths);
		return 1;
	}
	daemon_write_pid(paths.pid_path);
	fprintf(stderr, "airlockd: listening in %s\n", paths.runtime_dir);
	daemon_run(d, &daemon_stop_flag);
	daemon_close(d);
	unlink(paths.pid_path);
	paths_clear(&paths);
	free(witness_abs);
	return 0;
}
