#ifndef AIRLOCK_CORE_PATHS_H
#define AIRLOCK_CORE_PATHS_H

/*
 * Where airlock keeps things. By default XDG: sockets in
 * $XDG_RUNTIME_DIR/airlock/ (fallback /tmp/airlock-$UID/), the audit
 * database in $XDG_STATE_HOME/airlock/, config in $XDG_CONFIG_HOME/airlock/.
 * AIRLOCK_HOME (or --home) moves all three under one directory: run/,
 * state/ and config/. Every program, the hook included, resolves paths
 * here so that they always agree.
 */
struct paths {
	char *home;        /* AIRLOCK_HOME when set, else NULL */
	char *runtime_dir; /* mode 0700 */
	char *state_dir;
	char *config_dir;
	char *hook_sock; /* files, without the "ipc://" scheme */
	char *control_sock;
	char *events_sock;
	char *db_path;
	char *policy_path;
	char *pid_path;
	char *log_path;
};

/* Resolves every path; home_override (--home) wins over AIRLOCK_HOME.
 * Touches nothing on disk. The caller calls paths_clear(). */
int paths_init(struct paths *p, const char *home_override);
void paths_clear(struct paths *p);
/* Creates the directories (0700), checking that the runtime directory is
 * owned by us and not accessible to others. AL_EPERM / AL_EIO on failure,
 * with a message in *err (caller frees) if err is not NULL. */
int paths_ensure_dirs(const struct paths *p, char **err);
/* "ipc://" + path; the caller frees. */
char *paths_url(const char *sock_path);

#endif
