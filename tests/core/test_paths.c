/*
 * core/paths: every program must resolve the same sockets and files
 * (AIRLOCK_HOME, --home, XDG, fallbacks), and the runtime directory that
 * holds the hook socket must be private and ours.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/al.h"
#include "core/paths.h"
#include "core/xalloc.h"

static void
clear_env(void)
{
	unsetenv("AIRLOCK_HOME");
	unsetenv("XDG_RUNTIME_DIR");
	unsetenv("XDG_STATE_HOME");
	unsetenv("XDG_CONFIG_HOME");
	setenv("HOME", "/home/tester", 1);
}

static int
setup(void **state)
{
	(void)state;
	clear_env();
	return 0;
}

static void
test_airlock_home(void **state)
{
	struct paths p;

	(void)state;
	setenv("AIRLOCK_HOME", "/srv/al", 1);
	setenv("XDG_RUNTIME_DIR", "/run/user/1000", 1);
	assert_int_equal(paths_init(&p, NULL), 0);
	assert_string_equal(p.home, "/srv/al");
	assert_string_equal(p.runtime_dir, "/srv/al/run");
	assert_string_equal(p.state_dir, "/srv/al/state");
	assert_string_equal(p.config_dir, "/srv/al/config");
	assert_string_equal(p.hook_sock, "/srv/al/run/hook.sock");
	assert_string_equal(p.control_sock, "/srv/al/run/control.sock");
	assert_string_equal(p.events_sock, "/srv/al/run/events.sock");
	assert_string_equal(p.pid_path, "/srv/al/run/airlockd.pid");
	assert_string_equal(p.db_path, "/srv/al/state/audit.db");
	assert_string_equal(p.log_path, "/srv/al/state/airlockd.log");
	assert_string_equal(p.policy_path, "/srv/al/config/policy.json");
	paths_clear(&p);
	assert_null(p.hook_sock);

	/* --home wins over AIRLOCK_HOME. */
	assert_int_equal(paths_init(&p, "/opt/other"), 0);
	assert_string_equal(p.home, "/opt/other");
	assert_string_equal(p.hook_sock, "/opt/other/run/hook.sock");
	assert_string_equal(p.db_path, "/opt/other/state/audit.db");
	paths_clear(&p);

	/* An empty AIRLOCK_HOME is unset. */
	setenv("AIRLOCK_HOME", "", 1);
	assert_int_equal(paths_init(&p, NULL), 0);
	assert_null(p.home);
	assert_string_equal(p.runtime_dir, "/run/user/1000/airlock");
	paths_clear(&p);
}

static void
test_xdg(void **state)
{
	struct paths p;

	(void)state;
	setenv("XDG_RUNTIME_DIR", "/run/user/1000", 1);
	setenv("XDG_STATE_HOME", "/var/state", 1);
	setenv("XDG_CONFIG_HOME", "/etc/cfg", 1);
	assert_int_equal(paths_init(&p, NULL), 0);
	assert_null(p.home);
	assert_string_equal(p.runtime_dir, "/run/user/1000/airlock");
	assert_string_equal(p.hook_sock, "/run/user/1000/airlock/hook.sock");
	assert_string_equal(p.state_dir, "/var/state/airlock");
	assert_string_equal(p.db_path, "/var/state/airlock/audit.db");
	assert_string_equal(p.config_dir, "/etc/cfg/airlock");
	assert_string_equal(p.policy_path, "/etc/cfg/airlock/policy.json");
	paths_clear(&p);
}

static void
test_fallbacks(void **state)
{
	struct paths p;
	char *tmp = xasprintf("/tmp/airlock-%lu", (unsigned long)getuid());

	(void)state;
	assert_int_equal(paths_init(&p, NULL), 0);
	assert_string_equal(p.runtime_dir, tmp);
	assert_string_equal(p.state_dir, "/home/tester/.local/state/airlock");
	assert_string_equal(p.config_dir, "/home/tester/.config/airlock");
	paths_clear(&p);

	/* Relative XDG values are invalid by the spec and ignored. */
	setenv("XDG_RUNTIME_DIR", "run", 1);
	setenv("XDG_STATE_HOME", "state", 1);
	setenv("XDG_CONFIG_HOME", "", 1);
	assert_int_equal(paths_init(&p, NULL), 0);
	assert_string_equal(p.runtime_dir, tmp);
	assert_string_equal(p.state_dir, "/home/tester/.local/state/airlock");
	assert_string_equal(p.config_dir, "/home/tester/.config/airlock");
	paths_clear(&p);
	free(tmp);
}

static void
test_url(void **state)
{
	char *u = paths_url("/run/user/1/airlock/hook.sock");

	(void)state;
	assert_string_equal(u, "ipc:///run/user/1/airlock/hook.sock");
	free(u);
}

static mode_t
mode_of(const char *path)
{
	struct stat st;

	assert_int_equal(lstat(path, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	return st.st_mode & 07777;
}

struct tmp {
	char dir[64];
	char *home;
	struct paths p;
};

static void
tmp_open(struct tmp *t)
{
	strcpy(t->dir, "/tmp/airlock-paths-XXXXXX");
	assert_non_null(mkdtemp(t->dir));
	t->home = xasprintf("%s/deep/home", t->dir);
	assert_int_equal(paths_init(&t->p, t->home), 0);
}

static void
tmp_close(struct tmp *t)
{
	char *cmd = xasprintf("rm -rf '%s'", t->dir);

	assert_int_equal(system(cmd), 0);
	free(cmd);
	paths_clear(&t->p);
	free(t->home);
}

static void
test_ensure_dirs_creates_private(void **state)
{
	struct tmp t;
	char *err = NULL;
	mode_t old = umask(022);

	(void)state;
	tmp_open(&t);
	assert_int_equal(paths_ensure_dirs(&t.p, &err), 0);
	assert_null(err);
	assert_int_equal(mode_of(t.p.runtime_dir), 0700);
	assert_int_equal(mode_of(t.p.state_dir), 0700);
	assert_int_equal(mode_of(t.p.config_dir), 0700);
	/* Twice is fine. */
	assert_int_equal(paths_ensure_dirs(&t.p, &err), 0);
	assert_null(err);
	tmp_close(&t);
	umask(old);
}

static void
test_ensure_dirs_fixes_mode(void **state)
{
	struct tmp t;
	char *err = NULL;

	(void)state;
	tmp_open(&t);
	assert_int_equal(paths_ensure_dirs(&t.p, NULL), 0);
	assert_int_equal(chmod(t.p.runtime_dir, 0755), 0);
	assert_int_equal(paths_ensure_dirs(&t.p, &err), 0);
	assert_null(err);
	assert_int_equal(mode_of(t.p.runtime_dir), 0700);
	assert_int_equal(chmod(t.p.runtime_dir, 0777), 0);
	assert_int_equal(paths_ensure_dirs(&t.p, NULL), 0);
	assert_int_equal(mode_of(t.p.runtime_dir), 0700);
	tmp_close(&t);
}

/* A runtime directory someone else owns (made first, e.g. in /tmp) is
 * refused: they could serve the hook socket. */
static void
test_ensure_dirs_refuses_foreign_owner(void **state)
{
	struct tmp t;
	char *err = NULL;

	(void)state;
	if (geteuid() != 0) {
		skip(); /* chown to another user needs root */
	}
	tmp_open(&t);
	assert_int_equal(paths_ensure_dirs(&t.p, NULL), 0);
	assert_int_equal(chown(t.p.runtime_dir, 65534, 65534), 0);
	assert_int_equal(paths_ensure_dirs(&t.p, &err), AL_EPERM);
	assert_non_null(err);
	assert_non_null(strstr(err, t.p.runtime_dir));
	free(err);
	/* Without err it still refuses. */
	assert_int_equal(paths_ensure_dirs(&t.p, NULL), AL_EPERM);
	tmp_close(&t);
}

static void
test_ensure_dirs_refuses_non_directory(void **state)
{
	struct tmp t;
	char *err = NULL;
	char *target;

	(void)state;
	tmp_open(&t);
	assert_int_equal(paths_ensure_dirs(&t.p, NULL), 0);
	/* A symlink to a directory we own is still not our directory. */
	target = xasprintf("%s/elsewhere", t.dir);
	assert_int_equal(mkdir(target, 0700), 0);
	assert_int_equal(rmdir(t.p.runtime_dir), 0);
	assert_int_equal(symlink(target, t.p.runtime_dir), 0);
	assert_int_not_equal(paths_ensure_dirs(&t.p, &err), 0);
	assert_non_null(err);
	free(err);
	err = NULL;
	/* A plain file where the directory should be. */
	assert_int_equal(unlink(t.p.runtime_dir), 0);
	FILE *f = fopen(t.p.runtime_dir, "w");
	assert_non_null(f);
	fclose(f);
	assert_int_not_equal(paths_ensure_dirs(&t.p, &err), 0);
	assert_non_null(err);
	free(err);
	free(target);
	tmp_close(&t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_airlock_home, setup),
		cmocka_unit_test_setup(test_xdg, setup),
		cmocka_unit_test_setup(test_fallbacks, setup),
		cmocka_unit_test(test_url),
		cmocka_unit_test_setup(test_ensure_dirs_creates_private, setup),
		cmocka_unit_test_setup(test_ensure_dirs_fixes_mode, setup),
		cmocka_unit_test_setup(test_ensure_dirs_refuses_foreign_owner,
		                       setup),
		cmocka_unit_test_setup(test_ensure_dirs_refuses_non_directory,
		                       setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
