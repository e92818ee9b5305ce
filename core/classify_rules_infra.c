/*
 * Per-command rules for data stores and infrastructure: SQL and other
 * clients that drop data, the table of destructive subcommands
 * (terraform destroy, kubectl delete ...), cloud CLIs, containers,
 * package managers and publishing, and gh.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/buf.h"
#include "core/classify_impl.h"
#include "core/classify_rules_int.h"
#include "core/xalloc.h"

/* SQL and data-store commands that drop or wipe data. */
static bool
classify_sql_danger(const char *q)
{
	static const char *const words[] = {
		"DROP TABLE",
		"DROP DATABASE",
		"DROP SCHEMA",
		"DROP INDEX",
		"DROP VIEW",
		"DROP USER",
		"DROP ROLE",
		"TRUNCATE",
		"DROPDATABASE",
		"FLUSHALL",
		"FLUSHDB",
		".DROP(",
		"DELETEMANY({})",
		"REMOVE({})",
		"DROP COLLECTION",
		"DROP KEYSPACE",
		NULL,
	};
	char *up = xstrdup(q);
	bool hit = false;

	for (char *p = up; *p; p++) {
		*p = (char)toupper((unsigned char)*p);
	}
	for (size_t i = 0; words[i] && !hit; i++) {
		hit = strstr(up, words[i]) != NULL;
	}
	for (char *d = up; !hit && (d = strstr(d, "DELETE")) != NULL; d += 6) {
		const char *semi = strchr(d, ';');
		char *w = strstr(d, "WHERE");
		hit = strstr(d, "FROM") != NULL &&
		      (w == NULL || (semi && w > semi));
	}
	free(up);
	return hit;
}

void
classify_db(struct classify_ctx *cx, const struct classify_args *a)
{
	struct buf q = { 0 };
	bool has = false;
	size_t idx = classify_cmd_index(cx, a);
	char *in = classify_stdin(cx, idx, &has);

	for (size_t i = 1; i < a->n; i++) {
		buf_puts(&q, a->v[i].s);
		buf_putc(&q, '\n');
	}
	if (in != NULL) {
		buf_puts(&q, in);
	}
	if (q.data != NULL && classify_sql_danger(q.data)) {
		ADD(RISK_DESTRUCTIVE, ASK, a->start, a->end,
		    "drops or wipes database data");
	}
	free(in);
	buf_free(&q);
}

struct classify_destroy {
	const char *name;
	const char *sub;  /* an operand equal to this */
	const char *also; /* and an argument equal to this, or NULL */
	const char *why;
};

/* Sorted by name (classify_lookup); entries of one name keep their order. */
static const struct classify_destroy classify_destroys[] = {
	{ "docker", "prune", NULL, "prunes docker data" },
	{ "docker", "volume", "rm", "removes docker volumes" },
	{ "docker", "down", "-v", "removes compose volumes" },
	{ "docker", "down", "--volumes", "removes compose volumes" },
	{ "docker-compose", "down", "-v", "removes compose volumes" },
	{ "gh", "delete", NULL, "deletes on GitHub" },
	{ "gsutil", "rm", NULL, "deletes cloud objects" },
	{ "gsutil", "rb", NULL, "deletes a bucket" },
	{ "helm", "uninstall", NULL, "uninstalls a release" },
	{ "helm", "delete", NULL, "uninstalls a release" },
	{ "kubectl", "delete", NULL, "deletes cluster resources" },
	{ "kubectl", "drain", NULL, "evicts every pod from a node" },
	{ "npm", "unpublish", NULL, "unpublishes a package" },
	{ "podman", "prune", NULL, "prunes container data" },
	{ "podman", "volume", "rm", "removes volumes" },
	{ "pulumi", "destroy", NULL, "destroys infrastructure" },
	{ "pulumi", "up", "--yes", "applies without review" },
	{ "rclone", "purge", NULL, "purges remote storage" },
	{ "rclone", "delete", NULL, "deletes remote files" },
	{ "rclone", "deletefile", NULL, "deletes remote files" },
	{ "redis-cli", "FLUSHALL", NULL, "wipes every key" },
	{ "svn", "revert", NULL, "discards uncommitted changes" },
	{ "svn", "delete", NULL, "deletes from the repository" },
	{ "terraform", "destroy", NULL, "destroys infrastructure" },
	{ "terraform", "apply", "-auto-approve", "applies without review" },
	{ "terraform", "rm", NULL, "removes state" },
	{ "tofu", "destroy", NULL, "destroys infrastructure" },
	{ "tofu", "apply", "-auto-approve", "applies without review" },
	{ "vagrant", "destroy", NULL, "destroys a VM" },
	{ "virsh", "undefine", NULL, "deletes a VM" },
};

bool
classify_destroy_cmds(struct classify_ctx *cx, const char *name,
                      const struct classify_args *a)
{
	size_t n = sizeof classify_destroys / sizeof *classify_destroys;

	for (size_t k = classify_lookup(classify_destroys, n,
	                                sizeof *classify_destroys, name,
	                                strlen(name));
	     k < n && strcmp(name, classify_destroys[k].name) == 0; k++) {
		const struct classify_destroy *d = &classify_destroys[k];
		if (classify_has(a, d->sub) &&
		    (d->also == NULL || classify_has(a, d->also))) {
			ADD(RISK_DESTRUCTIVE, ASK, a->start, a->end, "%s",
			    d->why);
			return true;
		}
	}
	return false;
}

/* aws/gcloud/az: delete-*, terminate-*, s3 rm|rb, "... delete". */
void
classify_cloud(struct classify_ctx *cx, const char *name,
               const struct classify_args *a)
{
	char host[256];

	for (size_t i = 1; i < a->n; i++) {
		const char *s = a->v[i].s;
		if (strncmp(s, "delete", 6) == 0 ||
		    strncmp(s, "terminate", 9) == 0 ||
		    strncmp(s, "remove-", 7) == 0 || strcmp(s, "purge") == 0 ||
		    (strcmp(name, "aws") == 0 &&
		     (strcmp(s, "rm") == 0 || strcmp(s, "rb") == 0))) {
			ADD(RISK_DESTRUCTIVE, ASK, a->start, a->end,
			    "deletes cloud resources (%s)", s);
			return;
		}
	}
	for (size_t i = 1; i < a->n; i++) {
		if (classify_host_of(a->v[i].s, true, host, sizeof host) &&
		    (strncmp(host, "s3://", 5) == 0 ||
		     strncmp(host, "gs://", 5) == 0)) {
			classify_egress(cx, host, a->v[i].start, a->v[i].end,
			                "transfers to or from");
		}
	}
	if (strcmp(name, "gsutil") == 0 || strcmp(name, "rclone") == 0) {
		return;
	}
	size_t s1 = classify_operand(a, 1);
	if (strcmp(name, "aws") == 0 &&
	    strcmp(classify_arg_at(a, s1), "s3") != 0 &&
	    classify_has(a, "--endpoint-url")) {
		classify_urls_in_args(cx, a, 1);
	}
}

void
classify_docker(struct classify_ctx *cx, const char *name,
                const struct classify_args *a)
{
	size_t s1 = classify_operand(a, 1);
	const char *sub = classify_arg_at(a, s1);
	char host[256];

	if (strcmp(sub, "run") == 0 || strcmp(sub, "create") == 0) {
		for (size_t i = s1 + 1; i < a->n; i++) {
			const char *s = a->v[i].s;
			const char *next = classify_arg_at(a, i + 1);
			if (strcmp(s, "--privileged") == 0 ||
			    strncmp(s, "--pid=host", 10) == 0 ||
			    strncmp(s, "--cap-add", 9) == 0 ||
			    ((strcmp(s, "-v") == 0 ||
			      strcmp(s, "--volume") == 0) &&
			     (strncmp(next, "/:", 2) == 0 ||
			      strstr(next, "docker.sock") != NULL))) {
				ADD(RISK_PRIVILEGE, ASK, a->v[i].start,
				    a->v[i].end,
				    "container with host root access");
				return;
			}
		}
		return;
	}
	if (strcmp(sub, "push") == 0 || strcmp(sub, "pull") == 0) {
		size_t img = classify_operand(a, s1 + 1);
		const char *ref = classify_arg_at(a, img);
		size_t n = strcspn(ref, "/");
		snprintf(host, sizeof host, "%.*s", (int)n, ref);
		if (ref[n] != '/' ||
		    (strchr(host, '.') == NULL && strchr(host, ':') == NULL &&
		     strcmp(host, "localhost") != 0)) {
			snprintf(host, sizeof host, "docker.io");
		}
		host[strcspn(host, ":")] = '\0';
		classify_egress(cx, host, a->start, a->end,
		                strcmp(sub, "push") == 0
		                        ? "pushes an image to"
		                        : "pulls an image from");
	}
	(void)name;
}

struct classify_pub {
	const char *name;
	const char *verb;
	const char *host; /* NULL: the URL operand names it */
};

static const struct classify_pub classify_pubs[] = {
	{ "npm", "publish", "registry.npmjs.org" },
	{ "pnpm", "publish", "registry.npmjs.org" },
	{ "yarn", "publish", "registry.npmjs.org" },
	{ "yarn", "npm", "registry.npmjs.org" },
	{ "twine", "upload", "upload.pypi.org" },
	{ "poetry", "publish", "upload.pypi.org" },
	{ "flit", "publish", "upload.pypi.org" },
	{ "hatch", "publish", "upload.pypi.org" },
	{ "uv", "publish", "upload.pypi.org" },
	{ "cargo", "publish", "crates.io" },
	{ "gem", "push", "rubygems.org" },
	{ "helm", "push", NULL },
	{ "dotnet", "nuget", "nuget.org" },
};

/* Package managers: installs are workspace work unless they fetch from a
 * URL; publishing is egress to the registry; registry redirection is
 * tamper. */
void
classify_pkg(struct classify_ctx *cx, const char *name,
             const struct classify_args *a)
{
	size_t s1 = classify_operand(a, 1);
	const char *verb = classify_arg_at(a, s1);

	if (strcmp(verb, "config") == 0 &&
	    (strcasestr(classify_arg_at(a, s1 + 2), "registry") ||
	     strcasestr(classify_arg_at(a, s1 + 2), "index-url") ||
	     strcasestr(classify_arg_at(a, s1 + 2), "index_url")) &&
	    strcmp(classify_arg_at(a, s1 + 1), "set") == 0) {
		ADD(RISK_TAMPER, ASK, a->start, a->end,
		    "redirects the package registry");
		return;
	}
	for (size_t k = 0; k < sizeof classify_pubs / sizeof *classify_pubs;
	     k++) {
		if (strcmp(name, classify_pubs[k].name) != 0 ||
		    strcmp(verb, classify_pubs[k].verb) != 0) {
			continue;
		}
		size_t before = cx->out->nfindings;
		classify_urls_in_args(cx, a, s1 + 1);
		if (cx->out->nfindings == before) {
			classify_egress(cx, classify_pubs[k].host, a->start,
			                a->end, "publishes to");
		}
		return;
	}
	static const char *const inst[] = { "install", "i",      "add",
		                            "ci",      "update", "upgrade",
		                            "sync",    "remove", "uninstall",
		                            NULL };
	for (size_t k = 0; inst[k]; k++) {
		if (strcmp(verb, inst[k]) == 0) {
			size_t before = cx->out->nfindings;
			classify_urls_in_args(cx, a, s1 + 1);
			if (cx->out->nfindings == before) {
				ADD(RISK_WORKSPACE_WRITE, ASK, a->start, a->end,
				    "installs dependencies");
			}
			return;
		}
	}
}

void
classify_gh(struct classify_ctx *cx, const struct classify_args *a)
{
	size_t s1 = classify_operand(a, 1);
	const char *sub = classify_arg_at(a, s1);

	if (a->n == 1 || strcmp(sub, "auth") == 0 || strcmp(sub, "help") == 0 ||
	    strcmp(sub, "config") == 0 || strcmp(sub, "alias") == 0 ||
	    classify_has(a, "--version") || classify_has(a, "delete")) {
		return;
	}
	classify_egress(cx, "github.com", a->start, a->end, "talks to");
}
