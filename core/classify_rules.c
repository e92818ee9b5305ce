#include <string.h>

#include "core/classify_impl.h"
#include "core/classify_rules_int.h"

/*
 * Per-command rules: what a known command does to files, history, data
 * stores, infrastructure, rights and secrets. Commands not listed are
 * treated as read-only here (the policy's default still applies to them).
 *
 * This file holds the argument helpers the rules share, the dispatch
 * table and classify_rules(); the rules themselves live in
 * classify_rules_files.c (files and disks), classify_rules_tamper.c
 * (supervision, persistence, obfuscation), classify_rules_secrets.c
 * (credentials, environment, history) and classify_rules_infra.c (data
 * stores, cloud, containers, packages).
 */

bool
classify_has(const struct classify_args *a, const char *opt)
{
	for (size_t i = 1; i < a->n; i++) {
		if (strcmp(a->v[i].s, opt) == 0) {
			return true;
		}
	}
	return false;
}

/* -f anywhere in a group of short options (-fdx). */
bool
classify_has_short(const struct classify_args *a, char c)
{
	for (size_t i = 1; i < a->n; i++) {
		const char *s = a->v[i].s;
		if (strcmp(s, "--") == 0) {
			return false;
		}
		if (s[0] == '-' && s[1] != '-' && strchr(s + 1, c) != NULL) {
			return true;
		}
	}
	return false;
}

bool
classify_has_prefix(const struct classify_args *a, const char *pre)
{
	for (size_t i = 1; i < a->n; i++) {
		if (strncmp(a->v[i].s, pre, strlen(pre)) == 0) {
			return true;
		}
	}
	return false;
}

/* Index of the first operand (not an option) at or after from. */
size_t
classify_operand(const struct classify_args *a, size_t from)
{
	while (from < a->n && a->v[from].s[0] == '-') {
		from++;
	}
	return from;
}

const char *
classify_arg_at(const struct classify_args *a, size_t i)
{
	return i < a->n ? a->v[i].s : "";
}

/* Every operand is a path written in the given way. */
void
classify_targets(struct classify_ctx *cx, const struct classify_args *a,
                 size_t from, const char *with_arg, enum classify_wr how)
{
	bool opts = true;

	for (size_t i = from; i < a->n; i++) {
		const char *s = a->v[i].s;
		if (opts && strcmp(s, "--") == 0) {
			opts = false;
			continue;
		}
		if (opts && s[0] == '-' && s[1] != '\0') {
			i += s[1] != '-' && strlen(s) == 2 &&
			     strchr(with_arg, s[1]) != NULL;
			continue;
		}
		classify_write_target(cx, &a->v[i], how);
	}
}

bool classify_git(struct classify_ctx *cx, const struct classify_args *a);

struct classify_rule {
	const char *name;
	void (*fn)(struct classify_ctx *cx, const struct classify_args *a,
	           const char *name);
};

static void
r_rm(struct classify_ctx *cx, const struct classify_args *a, const char *n)
{
	(void)n;
	classify_rm(cx, a);
}

static void
r_shred(struct classify_ctx *cx, const struct classify_args *a, const char *n)
{
	(void)n;
	classify_shred(cx, a);
}

static void
r_trunc(struct classify_ctx *cx, const struct classify_args *a, const char *n)
{
	(void)n;
	classify_truncate(cx, a);
}

static void
r_dd(struct classify_ctx *cx, const struct classify_args *a, const char *n)
{
	(void)n;
	classify_dd(cx, a);
}

static void
r_disk(struct classify_ctx *cx, const struct classify_args *a, const char *n)
{
	(void)n;
	classify_disk(cx, a);
}

static void
r_sed(struct classify_ctx *cx, const struct classify_args *a, const char *n)
{
	(void)n;
	classify_sed(cx, a);
}

static void
r_tee(struct classify_ctx *cx, const struct classify_args *a, const char *n)
{
	(void)n;
	classify_tee(cx, a);
}

static void
r_touch(struct classify_ctx *cx, const struct classify_args *a, const char *n)
{
	(void)n;
	classify_touch(cx, a);
}

static void
r_chattr(struct classify_ctx *cx, const struct classify_args *a, const char *n)
{
	(void)n;
	classify_chattr(cx, a);
}

static void
r_kill(struct classify_ctx *cx, const struct classify_args *a, const char *n)
{
	(void)n;
	classify_kill(cx, a);
}

static void
r_systemctl(struct classify_ctx *cx, const struct classify_args *a,
            const char *n)
{
	(void)n;
	classify_systemctl(cx, a);
}

static void
r_crontab(struct classify_ctx *cx, const struct classify_args *a, const char *n)
{
	(void)n;
	classify_crontab(cx, a);
}

static void
r_claude(struct classify_ctx *cx, const struct classify_args *a, const char *n)
{
	(void)n;
	classify_claude(cx, a);
}

static void
r_alias(struct classify_ctx *cx, const struct classify_args *a, const char *n)
{
	(void)n;
	classify_alias(cx, a);
}

static void
r_db(struct classify_ctx *cx, const struct classify_args *a, const char *n)
{
	(void)n;
	classify_db(cx, a);
}

static void
r_gh(struct classify_ctx *cx, const struct classify_args *a, const char *n)
{
	(void)n;
	classify_gh(cx, a);
}

static void
r_make(struct classify_ctx *cx, const struct classify_args *a, const char *n)
{
	(void)n;
	classify_make(cx, a);
}

static void
r_git(struct classify_ctx *cx, const struct classify_args *a, const char *n)
{
	(void)n;
	(void)classify_git(cx, a);
}

static void
r_priv(struct classify_ctx *cx, const struct classify_args *a, const char *n)
{
	ADD(RISK_PRIVILEGE, ASK, a->start, a->end, "changes rights (%s)", n);
}

static void
r_launchctl(struct classify_ctx *cx, const struct classify_args *a,
            const char *n)
{
	(void)n;
	if (classify_has(a, "load") || classify_has(a, "bootstrap") ||
	    classify_has(a, "submit") || classify_has(a, "enable")) {
		ADD(RISK_TAMPER, ASK, a->start, a->end,
		    "installs a launchd job (persistence)");
	}
}

static void
r_rsync(struct classify_ctx *cx, const struct classify_args *a, const char *n)
{
	char host[256];
	size_t last = 0;
	bool remote = false;

	(void)n;
	for (size_t i = 1; i < a->n; i++) {
		const char *s = a->v[i].s;
		if (s[0] == '-') {
			continue;
		}
		last = i;
		const char *colon = strchr(s, ':');
		const char *slash = strchr(s, '/');
		if (colon && (!slash || colon < slash) &&
		    classify_host_of(s, false, host, sizeof host)) {
			classify_egress(cx, host, a->v[i].start, a->v[i].end,
			                "syncs with");
			remote = true;
		}
	}
	if (last != 0 && !remote) {
		classify_write_target(cx, &a->v[last],
		                      classify_has_prefix(a, "--delete")
		                              ? CLASSIFY_WR_DELETE
		                              : CLASSIFY_WR_CREATE);
	}
}

static void
r_pkg(struct classify_ctx *cx, const struct classify_args *a, const char *n)
{
	classify_pkg(cx, n, a);
}

static void
r_cloud(struct classify_ctx *cx, const struct classify_args *a, const char *n)
{
	classify_cloud(cx, n, a);
}

static void
r_docker(struct classify_ctx *cx, const struct classify_args *a, const char *n)
{
	classify_docker(cx, n, a);
}

static void
r_copy(struct classify_ctx *cx, const struct classify_args *a, const char *n)
{
	classify_copy(cx, a, n);
}

static void
r_chmod(struct classify_ctx *cx, const struct classify_args *a, const char *n)
{
	classify_chmod(cx, a, n);
}

static void
r_archive(struct classify_ctx *cx, const struct classify_args *a, const char *n)
{
	classify_archive(cx, a, n);
}

static void
r_envdump(struct classify_ctx *cx, const struct classify_args *a, const char *n)
{
	classify_env_dump(cx, a, n);
}

static void
r_airlock(struct classify_ctx *cx, const struct classify_args *a, const char *n)
{
	(void)n;
	classify_airlock(cx, a);
}

static void
r_keys(struct classify_ctx *cx, const struct classify_args *a, const char *n)
{
	classify_keys(cx, a, n);
}

/* Sorted by name (classify_lookup). */
static const struct classify_rule classify_rule_table[] = {
	{ "adduser", r_priv },
	{ "airlock", r_airlock },
	{ "alias", r_alias },
	{ "aws", r_cloud },
	{ "az", r_cloud },
	{ "blkdiscard", r_disk },
	{ "bundle", r_pkg },
	{ "cargo", r_pkg },
	{ "chattr", r_chattr },
	{ "chgrp", r_chmod },
	{ "chmod", r_chmod },
	{ "chown", r_chmod },
	{ "chroot", r_priv },
	{ "claude", r_claude },
	{ "clickhouse-client", r_db },
	{ "cp", r_copy },
	{ "cqlsh", r_db },
	{ "crontab", r_crontab },
	{ "dd", r_dd },
	{ "declare", r_envdump },
	{ "docker", r_docker },
	{ "dotnet", r_pkg },
	{ "export", r_envdump },
	{ "fdisk", r_disk },
	{ "flit", r_pkg },
	{ "gcloud", r_cloud },
	{ "gem", r_pkg },
	{ "gh", r_gh },
	{ "git", r_git },
	{ "gmake", r_make },
	{ "groupadd", r_priv },
	{ "gsed", r_sed },
	{ "gsutil", r_cloud },
	{ "hatch", r_pkg },
	{ "helm", r_pkg },
	{ "history", r_envdump },
	{ "install", r_copy },
	{ "kill", r_kill },
	{ "killall", r_kill },
	{ "launchctl", r_launchctl },
	{ "ln", r_copy },
	{ "make", r_make },
	{ "mariadb", r_db },
	{ "mkdir", r_touch },
	{ "mkfs", r_disk },
	{ "mkswap", r_disk },
	{ "mongo", r_db },
	{ "mongosh", r_db },
	{ "mv", r_copy },
	{ "mysql", r_db },
	{ "newgrp", r_priv },
	{ "npm", r_pkg },
	{ "nsenter", r_priv },
	{ "parted", r_disk },
	{ "passwd", r_priv },
	{ "pip", r_pkg },
	{ "pip3", r_pkg },
	{ "pkill", r_kill },
	{ "pnpm", r_pkg },
	{ "podman", r_docker },
	{ "poetry", r_pkg },
	{ "printenv", r_envdump },
	{ "psql", r_db },
	{ "rclone", r_cloud },
	{ "redis-cli", r_db },
	{ "rm", r_rm },
	{ "rmdir", r_rm },
	{ "rsync", r_rsync },
	{ "screen", r_keys },
	{ "sed", r_sed },
	{ "set", r_envdump },
	{ "setcap", r_priv },
	{ "sfdisk", r_disk },
	{ "sgdisk", r_disk },
	{ "shred", r_shred },
	{ "sqlite3", r_db },
	{ "systemctl", r_systemctl },
	{ "tar", r_archive },
	{ "tee", r_tee },
	{ "tmux", r_keys },
	{ "touch", r_touch },
	{ "truncate", r_trunc },
	{ "twine", r_pkg },
	{ "typeset", r_envdump },
	{ "unlink", r_rm },
	{ "unset", r_envdump },
	{ "unzip", r_archive },
	{ "useradd", r_priv },
	{ "usermod", r_priv },
	{ "uv", r_pkg },
	{ "visudo", r_priv },
	{ "wipefs", r_disk },
	{ "wtype", r_keys },
	{ "xdotool", r_keys },
	{ "yarn", r_pkg },
	{ "ydotool", r_keys },
};

bool
classify_rules(struct classify_ctx *cx, const char *name,
               const struct classify_args *a)
{
	bool known = false;

	if (strncmp(name, "mkfs", 4) == 0) {
		name = "mkfs";
	}
	classify_secret_tools(cx, strcmp(name, "rails") == 0 ? "rails" : name,
	                      a);
	known = classify_destroy_cmds(cx, name, a);
	size_t n = sizeof classify_rule_table / sizeof *classify_rule_table;
	size_t k = classify_lookup(classify_rule_table, n,
	                           sizeof *classify_rule_table, name,
	                           strlen(name));
	if (k < n) {
		classify_rule_table[k].fn(cx, a, name);
		return true;
	}
	return known;
}
