#ifndef AIRLOCK_CORE_CLASSIFY_RULES_INT_H
#define AIRLOCK_CORE_CLASSIFY_RULES_INT_H

/*
 * Private to core/classify_rules*.c: the argument helpers the per-command
 * rules share, and the rules that classify_rules.c dispatches to from its
 * table. Not part of the public API, nor of the rest of core/classify*.c.
 */

#include <stdbool.h>
#include <stddef.h>

#include "core/classify_impl.h"

#define ADD(cat, sev, s, e, ...) classify_add(cx, cat, sev, s, e, __VA_ARGS__)
#define ASK                      RISK_SEV_ASK
#define DENY                     RISK_SEV_DENY

/* classify_rules.c: looking at arguments */
bool classify_has(const struct classify_args *a, const char *opt);
/* -f anywhere in a group of short options (-fdx). */
bool classify_has_short(const struct classify_args *a, char c);
bool classify_has_prefix(const struct classify_args *a, const char *pre);
/* Index of the first operand (not an option) at or after from. */
size_t classify_operand(const struct classify_args *a, size_t from);
/* The argument at i, or "" past the end. */
const char *classify_arg_at(const struct classify_args *a, size_t i);
/* Every operand is a path written in the given way; with_arg lists the
 * short options that take a separate argument. */
void classify_targets(struct classify_ctx *cx, const struct classify_args *a,
                      size_t from, const char *with_arg, enum classify_wr how);

/* classify_rules_files.c: files and disks */
void classify_rm(struct classify_ctx *cx, const struct classify_args *a);
void classify_shred(struct classify_ctx *cx, const struct classify_args *a);
void classify_truncate(struct classify_ctx *cx, const struct classify_args *a);
void classify_dd(struct classify_ctx *cx, const struct classify_args *a);
void classify_disk(struct classify_ctx *cx, const struct classify_args *a);
void classify_copy(struct classify_ctx *cx, const struct classify_args *a,
                   const char *name);
void classify_sed(struct classify_ctx *cx, const struct classify_args *a);
void classify_tee(struct classify_ctx *cx, const struct classify_args *a);
void classify_touch(struct classify_ctx *cx, const struct classify_args *a);
void classify_archive(struct classify_ctx *cx, const struct classify_args *a,
                      const char *name);
void classify_chmod(struct classify_ctx *cx, const struct classify_args *a,
                    const char *name);
void classify_chattr(struct classify_ctx *cx, const struct classify_args *a);

/* classify_rules_tamper.c: supervision, persistence, obfuscation */
void classify_kill(struct classify_ctx *cx, const struct classify_args *a);
void classify_airlock(struct classify_ctx *cx, const struct classify_args *a);
void classify_keys(struct classify_ctx *cx, const struct classify_args *a,
                   const char *name);
void classify_systemctl(struct classify_ctx *cx, const struct classify_args *a);
void classify_crontab(struct classify_ctx *cx, const struct classify_args *a);
void classify_claude(struct classify_ctx *cx, const struct classify_args *a);
void classify_alias(struct classify_ctx *cx, const struct classify_args *a);
void classify_make(struct classify_ctx *cx, const struct classify_args *a);

/* classify_rules_secrets.c: credentials, environment, history
 * (classify_secret_var() is in classify_impl.h) */
void classify_env_dump(struct classify_ctx *cx, const struct classify_args *a,
                       const char *name);
/* Runs for every command, listed in the table or not. */
void classify_secret_tools(struct classify_ctx *cx, const char *name,
                           const struct classify_args *a);

/* classify_rules_infra.c: data stores, cloud, containers, packages */
void classify_db(struct classify_ctx *cx, const struct classify_args *a);
/* Runs for every command; true when a destructive subcommand matched. */
bool classify_destroy_cmds(struct classify_ctx *cx, const char *name,
                           const struct classify_args *a);
void classify_cloud(struct classify_ctx *cx, const char *name,
                    const struct classify_args *a);
void classify_docker(struct classify_ctx *cx, const char *name,
                     const struct classify_args *a);
void classify_pkg(struct classify_ctx *cx, const char *name,
                  const struct classify_args *a);
void classify_gh(struct classify_ctx *cx, const struct classify_args *a);

#endif
