#include "core/paths.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/al.h"
#include "core/xalloc.h"

static char *
paths_env_dir(const char *var, const char *home_rel)
{
	const char *v = getenv(var);
	const char *home = getenv("HOME");

	if (v != NULL && v[0] == '/') {
		return xasprintf("%s/airlock", v);
	}
	if (home_rel == NULL) {
		return NULL;
	}
	return xasprintf("%s/%s/airlock", home && *home ? home : "/tmp",
	                 home_rel);
}

static void
paths_files(struct paths *p)
{
	p->hook_sock = xasprintf("%s/hook.sock", p->runtime_dir);
	p->control_sock = xasprintf("%s/control.sock", p->runtime_dir);
	p->events_sock = xasprintf("%s/events.sock", p->runtime_dir);
	p->pid_path = xasprintf("%s/airlockd.pid", p->runtime_dir);
	p->db_path = xasprintf("%s/audit.db", p->state_dir);
	p->log_path = xasprintf("%s/airlockd.log", p->state_dir);
	p->policy_path = xasprintf("%s/policy.json", p->config_dir);
}

int
paths_init(struct paths *p, const char *home_override)
{
	const char *home =
	        home_override ? home_override : getenv("AIRLOCK_HOME");

	memset(p, 0, sizeof *p);
	if (home != NULL && *home != '\0') {
		p->home = xstrdup(home);
		p->runtime_dir = xasprintf("%s/run", home);
		p->state_dir = xasprintf("%s/state", home);
		p->config_dir = xasprintf("%s/config", home);
	} else {
		p->runtime_dir = paths_env_dir("XDG_RUNTIME_DIR", NULL);
		if (p->runtime_dir == NULL) {
			p->runtime_dir = xasprintf("/tmp/airlock-%lu",
			                           (unsigned long)getuid());
		}
		p->state_dir = paths_env_dir("XDG_STATE_HOME", ".local/state");
		p->config_dir = paths_env_dir("XDG_CONFIG_HOME", ".config");
	}
	paths_files(p);
	return 0;
}

void
paths_clear(struct paths *p)
{
	free(p->home);
	free(p->runtime_dir);
	free(p->state_dir);
	free(p->config_dir);
	free(p->hook_sock);
	free(p->control_sock);
	free(p->events_sock);
	free(p->db_path);
	free(p->policy_path);
	free(p->pid_path);
	free(p->log_path);
	memset(p, 0, sizeof *p);
}

/* mkdir -p with mode for every created component. */
static int
paths_mkdirs(const char *dir, mode_t mode)
{
	char *tmp = xstrdup(dir);
	int rc = 0;

	for (char *s = tmp + 1; *s != '\0'; s++) {
		if (*s != '/') {
			continue;
		}
		*s = '\0';
		if (mkdir(tmp, mode) != 0 && errno != EEXIST) {
			rc = AL_EIO;
		}
		*s = '/';
	}
	if (rc == 0 && mkdir(tmp, mode) != 0 && errno != EEXIST) {
		rc = AL_EIO;
	}
	free(tmp);
	return rc;
}

static int
paths_check_private(const char *dir, char **err)
{
	struct stat st;

	if (lstat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
		if (err != NULL) {
			*err = xasprintf("%s: not a directory", dir);
		}
		return AL_EIO;
	}
	if (st.st_uid != geteuid()) {
		if (err != NULL) {
			*err = xasprintf("%s: owned by uid %lu, not by us", dir,
			                 (unsigned long)st.st_uid);
		}
		return AL_EPERM;
	}
	if ((st.st_mode & 077) != 0 && chmod(dir, 0700) != 0) {
		if (err != NULL) {
			*err = xasprintf("%s: cannot make it private", dir);
		}
		return AL_EPERM;
	}
	return 0;
}

int
paths_ensure_dirs(const struct paths *p, char **err)
{
	const char *dirs[] = { p->runtime_dir, p->state_dir, p->config_dir };

	for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
		if (paths_mkdirs(dirs[i], 0700) != 0) {
			if (err != NULL) {
				*err = xasprintf("cannot create %s: %s",
				                 dirs[i], strerror(errno));
			}
			return AL_EIO;
		}
	}
	return paths_check_private(p->runtime_dir, err);
}

char *
paths_url(const char *sock_path)
{
	return xasprintf("ipc://%s", sock_path);
}
