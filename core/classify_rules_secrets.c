/*
 * Per-command rules for secrets: names of variables that hold them,
 * commands that print the environment or touch shell history, and the
 * table of credential tools (vault, op, aws sts ...).
 */
#include <ctype.h>
#include <string.h>

#include "core/classify_impl.h"
#include "core/classify_rules_int.h"

static const char *const classify_secret_words[] = {
	"TOKEN",       "SECRET",      "PASSWORD",   "PASSWD",     "API_KEY",
	"APIKEY",      "PRIVATE_KEY", "CREDENTIAL", "ACCESS_KEY", "AUTH",
	"SESSION_KEY", "PASSPHRASE",  NULL,
};

bool
classify_secret_var(const char *name)
{
	char up[128];
	size_t n = 0;

	for (; name[n] && n + 1 < sizeof up; n++) {
		up[n] = (char)toupper((unsigned char)name[n]);
	}
	up[n] = '\0';
	for (size_t i = 0; classify_secret_words[i]; i++) {
		if (strstr(up, classify_secret_words[i]) != NULL) {
			return true;
		}
	}
	return false;
}

void
classify_env_dump(struct classify_ctx *cx, const struct classify_args *a,
                  const char *name)
{
	bool dump = false;

	if (strcmp(name, "printenv") == 0) {
		size_t o = classify_operand(a, 1);
		dump = o >= a->n || classify_secret_var(a->v[o].s);
	} else if (strcmp(name, "export") == 0 ||
	           strcmp(name, "declare") == 0 ||
	           strcmp(name, "typeset") == 0) {
		dump = a->n == 1 || (a->n == 2 && a->v[1].s[0] == '-');
		for (size_t i = 1; i < a->n; i++) {
			if (shell_is_assignment(a->v[i].s)) {
				struct shell_word w = {
					.text = (char *)a->v[i].s,
					.start = a->v[i].start,
					.end = a->v[i].end
				};
				const char *eq = strchr(w.text, '=');
				if (strncmp(w.text, "HIST", 4) == 0 &&
				    (strcmp(eq + 1, "/dev/null") == 0 ||
				     strcmp(eq + 1, "0") == 0 ||
				     eq[1] == '\0')) {
					ADD(RISK_TAMPER, ASK, w.start, w.end,
					    "suppresses shell history");
				}
			}
		}
	} else if (strcmp(name, "set") == 0) {
		dump = a->n == 1;
		if (classify_has(a, "history") && classify_has(a, "+o")) {
			ADD(RISK_TAMPER, ASK, a->start, a->end,
			    "turns off shell history");
		}
	} else if (strcmp(name, "unset") == 0) {
		if (classify_has_prefix(a, "HIST")) {
			ADD(RISK_TAMPER, ASK, a->start, a->end,
			    "suppresses shell history");
		}
	} else if (strcmp(name, "history") == 0) {
		if (classify_has_short(a, 'c') || classify_has_short(a, 'd')) {
			ADD(RISK_TAMPER, ASK, a->start, a->end,
			    "erases shell history");
		} else {
			ADD(RISK_SECRET_ACCESS, ASK, a->start, a->end,
			    "shell history often holds pasted credentials");
		}
	}
	if (dump) {
		ADD(RISK_SECRET_ACCESS, ASK, a->start, a->end,
		    "prints environment variables");
	}
}

struct classify_secret_cmd {
	const char *name;
	const char *sub;  /* first operand, or NULL for any */
	const char *sub2; /* second operand prefix, or NULL */
};

/* Sorted by name (classify_lookup); entries of one name keep their order. */
static const struct classify_secret_cmd classify_secret_cmds[] = {
	{ "aws", "configure", "get" },
	{ "aws", "configure", "export-credentials" },
	{ "aws", "secretsmanager", "get-secret-value" },
	{ "aws", "sts", "get-session-token" },
	{ "aws", "ecr", "get-login-password" },
	{ "az", "account", "get-access-token" },
	{ "az", "keyvault", "secret" },
	{ "bw", "get", NULL },
	{ "docker", "inspect", NULL },
	{ "doppler", "secrets", NULL },
	{ "gcloud", "auth", "print-" },
	{ "gcloud", "secrets", "versions" },
	{ "gh", "auth", "token" },
	{ "git", "credential", "fill" },
	{ "glab", "auth", "status" },
	{ "gopass", "show", NULL },
	{ "heroku", "config", NULL },
	{ "heroku", "config:get", NULL },
	{ "heroku", "auth:token", NULL },
	{ "keyring", "get", NULL },
	{ "kubectl", "config", "view" },
	{ "kubectl", "get", "secret" },
	{ "kubectl", "describe", "secret" },
	{ "lpass", "show", NULL },
	{ "npm", "token", NULL },
	{ "op", "read", NULL },
	{ "op", "item", "get" },
	{ "pass", "show", NULL },
	{ "podman", "inspect", NULL },
	{ "rails", "credentials:show", NULL },
	{ "secret-tool", "lookup", NULL },
	{ "security", "find-generic-password", NULL },
	{ "security", "find-internet-password", NULL },
	{ "security", "dump-keychain", NULL },
	{ "security", "export", NULL },
	{ "vault", "kv", "get" },
	{ "vault", "read", NULL },
};

void
classify_secret_tools(struct classify_ctx *cx, const char *name,
                      const struct classify_args *a)
{
	size_t s1 = classify_operand(a, 1);
	size_t s2 = classify_operand(a, s1 + 1);
	const char *sub = classify_arg_at(a, s1);
	const char *sub2 = classify_arg_at(a, s2);

	size_t n = sizeof classify_secret_cmds / sizeof *classify_secret_cmds;

	for (size_t k = classify_lookup(classify_secret_cmds, n,
	                                sizeof *classify_secret_cmds, name,
	                                strlen(name));
	     k < n && strcmp(name, classify_secret_cmds[k].name) == 0; k++) {
		const struct classify_secret_cmd *c = &classify_secret_cmds[k];
		if ((c->sub && strcmp(sub, c->sub) != 0) ||
		    (c->sub2 && strncmp(sub2, c->sub2, strlen(c->sub2)) != 0)) {
			continue;
		}
		if (strcmp(name, "kubectl") == 0 &&
		    strcmp(sub, "config") == 0 && !classify_has(a, "--raw")) {
			continue;
		}
		ADD(RISK_SECRET_ACCESS, ASK, a->start, a->end,
		    "reads credentials (%s %s)", name, sub);
		return;
	}
	if (strcmp(name, "pass") == 0 && a->n == 2 && sub[0] != '\0' &&
	    strcmp(sub, "ls") != 0 && strcmp(sub, "list") != 0) {
		ADD(RISK_SECRET_ACCESS, ASK, a->start, a->end,
		    "reads a password");
	}
}
