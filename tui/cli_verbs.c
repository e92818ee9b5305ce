#include "tui/cli_verbs.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/al.h"
#include "core/paths.h"
#include "core/sanitize.h"
#include "core/xalloc.h"
#include "ipc/client.h"
#include "ipc/install.h"
#include "ipc/policy_load.h"
#include "tui/cli_audit_int.h"

#define CLI_DEFAULT_APPROVAL_S 300

/* A connected client for a verb; prints why on failure. */
static struct client *
cli_connect(const struct cli *c, struct paths *p)
{
	struct client *cl = NULL;

	paths_init(p, c->home);
	if (client_open_control(&cl, p) != 0) {
		fprintf(stderr, "airlock: cannot open sockets in %s\n",
		        p->runtime_dir);
		paths_clear(p);
		return NULL;
	}
	return cl;
}

static void
cli_disconnect(struct client *cl, struct paths *p)
{
	client_close(cl);
	paths_clear(p);
}

/* Text from the agent, made safe for a terminal, on one line. */
static void
cli_print_safe(const char *s, size_t width)
{
	char *safe = sanitize_to_string(s ? s : "", s ? strlen(s) : 0, NULL);
	size_t n = 0;

	for (char *p = safe; *p && n < width; p++, n++) {
		putchar(*p == '\n' ? ' ' : *p);
	}
	free(safe);
}

static void
cli_print_action_line(const struct action *a, int64_t now_ms)
{
	int64_t left =
	        a->deadline_ms > 0 ? (a->deadline_ms - now_ms) / 1000 : 0;

	printf("%-6lld %-9s %-10.10s %-12.12s ", (long long)a->id,
	       action_state_name(a->state), a->session_id ? a->session_id : "-",
	       a->tool_name ? a->tool_name : "-");
	cli_print_safe(a->summary, 60);
	if (a->state == ACTION_PENDING) {
		printf("  (%llds left)", (long long)(left > 0 ? left : 0));
	}
	putchar('\n');
}

static int64_t
cli_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
cli_print_actions(struct action **list, size_t n, bool json)
{
	int64_t now = cli_now_ms();

	for (size_t i = 0; i < n; i++) {
		if (json) {
			char *s = client_action_json(list[i]);
			puts(s);
			free(s);
		} else {
			cli_print_action_line(list[i], now);
		}
	}
}

int
cli_pending(const struct cli *c)
{
	struct paths p;
	struct client *cl = cli_connect(c, &p);
	struct action **list = NULL;
	size_t n = 0;
	int rc;

	if (cl == NULL) {
		return 1;
	}
	rc = client_snapshot(cl, &list, &n);
	if (rc != 0) {
		fprintf(stderr, "airlock: the daemon is not running (%s)\n",
		        al_strerror(rc));
	} else {
		cli_print_actions(list, n, cli_flag(c, "--json"));
		client_actions_free(list, n);
	}
	cli_disconnect(cl, &p);
	return rc == 0 ? 0 : 1;
}

static int
cli_decide(const struct cli *c, enum client_verdict v)
{
	static const char *const with_value[] = { "--reason", NULL };
	const char *id_s = cli_arg(c, with_value, 0);
	const char *reason = cli_opt(c, "--reason");
	struct paths p;
	struct client *cl;
	char *err = NULL;
	char *end = NULL;
	long long id;
	int rc;

	id = id_s ? strtoll(id_s, &end, 10) : 0;
	if (id_s == NULL || *end != '\0' || id <= 0) {
		fprintf(stderr, "usage: airlock %s ID%s\n",
		        v == CLIENT_APPROVE ? "approve" : "deny",
		        v == CLIENT_APPROVE ? " [--reason R]" : " --reason R");
		return 2;
	}
	if (v == CLIENT_DENY && (reason == NULL || *reason == '\0')) {
		fprintf(stderr, "airlock deny: a reason is required "
		                "(--reason R); it is sent to the agent\n");
		return 2;
	}
	cl = cli_connect(c, &p);
	if (cl == NULL) {
		return 1;
	}
	rc = client_decide(cl, id, v, reason, cli_opt(c, "--input"), &err);
	if (rc != 0) {
		fprintf(stderr, "airlock: %s\n", err ? err : al_strerror(rc));
	} else {
		printf("%s %lld\n", v == CLIENT_APPROVE ? "approved" : "denied",
		       id);
	}
	free(err);
	cli_disconnect(cl, &p);
	return rc == 0 ? 0 : 1;
}

int
cli_approve(const struct cli *c)
{
	return cli_decide(c, CLIENT_APPROVE);
}

int
cli_deny(const struct cli *c)
{
	return cli_decide(c, CLIENT_DENY);
}

/* "2h", "30m", "7d", "45s" before now, or an absolute YYYY-MM-DD. */
static int64_t
cli_parse_time(const char *s)
{
	char *end = NULL;
	long long n;
	struct tm tm;

	if (s == NULL) {
		return 0;
	}
	memset(&tm, 0, sizeof tm);
	if (strptime(s, "%Y-%m-%d", &tm) != NULL) {
		return (int64_t)timegm(&tm) * 1000;
	}
	n = strtoll(s, &end, 10);
	if (end == s || n < 0) {
		return -1;
	}
	int64_t unit = *end == 's'   ? 1000
	               : *end == 'm' ? 60000
	               : *end == 'h' ? 3600000
	               : *end == 'd' ? 86400000
	                             : -1;
	return unit < 0 ? -1 : cli_now_ms() - n * unit;
}

struct cli_log_out {
	bool json;
	int64_t now;
};

static int
cli_log_one(const struct action *a, void *arg)
{
	const struct cli_log_out *o = arg;

	if (o->json) {
		char *s = client_action_json(a);
		puts(s);
		free(s);
	} else {
		cli_print_action_line(a, o->now);
	}
	return 0;
}

int
cli_log(const struct cli *c)
{
	static const char *const with_value[] = {
		"--limit", "--session", "--tool",     "--decision", "--since",
		"--until", "--project", "--approver", "--risk",     NULL
	};
	const char *risk = cli_opt(c, "--risk");
	const char *project = cli_opt(c, "--project");
	enum risk_cat cat = RISK_BENIGN;
	struct audit_query q = {
		.text = cli_arg(c, with_value, 0),
		.session_id = cli_opt(c, "--session"),
		.tool_name = cli_opt(c, "--tool"),
		.verdict = cli_opt(c, "--decision"),
		.since_ms = cli_parse_time(cli_opt(c, "--since")),
		.until_ms = cli_parse_time(cli_opt(c, "--until")),
		.limit = cli_opt(c, "--limit") ? atoi(cli_opt(c, "--limit"))
		                               : 50,
		.approver = cli_opt(c, "--approver"),
		.unsupervised = cli_flag(c, "--unsupervised"),
	};
	struct cli_audit_ctx x;
	struct cli_log_out out = { .json = cli_flag(c, "--json"),
		                   .now = cli_now_ms() };
	int rc;

	if (q.since_ms < 0 || q.until_ms < 0) {
		fprintf(stderr, "airlock log: times are like 2h, 30m, 7d or "
		                "2026-11-01\n");
		return 2;
	}
	if (risk != NULL && !risk_cat_from_name(risk, &cat)) {
		fprintf(stderr, "airlock log: --risk takes a category: egress, "
		                "privilege, destructive, secret_access, "
		                "tamper, obfuscation, workspace_write, "
		                "unparsed\n");
		return 2;
	}
	q.risk_mask = risk != NULL ? RISK_BIT(cat) : 0;
	/* Calls record absolute working directories: compare with the
	 * directory as the shell named it, resolved (".", symlinks). */
	char *dir = project ? realpath(project, NULL) : NULL;
	q.project = dir ? dir : project;
	/* Read-only from the database itself (WAL readers never block the
	 * daemon): history works with or without a running daemon, and
	 * without a round trip through it. */
	if (cli_audit_open(c, &x, AUDIT_READONLY) != 0) {
		free(dir);
		return 1;
	}
	rc = audit_query(x.db, &q, cli_log_one, &out);
	if (rc != 0) {
		fprintf(stderr, "airlock: history unavailable: %s\n",
		        audit_errmsg(x.db));
	}
	cli_audit_close(&x);
	free(dir);
	return rc == 0 ? 0 : 1;
}

int
cli_status(const struct cli *c)
{
	struct paths p;
	struct client *cl = cli_connect(c, &p);
	char *json = NULL;
	int rc;

	if (cl == NULL) {
		return 1;
	} /* A short probe first: no daemon must not mean a long wait. */
	rc = client_ping(cl, 1000);
	if (rc == 0) {
		rc = client_status(cl, &json);
	}
	if (rc != 0) {
		printf("airlockd: not running (sockets in %s)\n",
		       p.runtime_dir);
	} else {
		printf("%s\n", json);
	}
	free(json);
	cli_disconnect(cl, &p);
	return rc == 0 ? 0 : 1;
}

int
cli_daemon(const struct cli *c)
{
	char *daemon = cli_sibling(c->argv0, "airlockd");

	if (cli_flag(c, "--foreground")) {
		char *args[] = { daemon, "--foreground",
			         c->home ? "--home" : NULL, (char *)c->home,
			         NULL };
		execv(daemon, args);
		fprintf(stderr, "airlock: cannot run %s\n", daemon);
		free(daemon);
		return 1;
	}
	free(daemon);
	if (cli_ensure_daemon(c->argv0, c->home) != 0) {
		fprintf(stderr,
		        "airlock: the daemon did not start (see its log)\n");
		return 1;
	}
	printf("airlockd is running\n");
	return 0;
}

static char *
cli_settings_path(const struct cli *c)
{
	const char *project = cli_opt(c, "--project");
	const char *home = getenv("HOME");

	if (cli_flag(c, "--user")) {
		return xasprintf("%s/.claude/settings.json", home ? home : ".");
	}
	if (project == NULL) {
		project = ".";
	}
	char *abs = realpath(project, NULL);
	char *path = xasprintf("%s/.claude/settings.json", abs ? abs : project);
	free(abs);
	return path;
}

/* The approval timeout the daemon will use (the user policy's), so that
 * the hook's deadline and Claude Code's timeout are written above it. */
static int
cli_approval_timeout(const struct cli *c)
{
	struct paths p;
	struct policy *pol = NULL;
	struct policy_load_paths lp = { 0 };
	int t = CLI_DEFAULT_APPROVAL_S;

	paths_init(&p, c->home);
	lp.user = p.policy_path;
	if (policy_load(&pol, &lp, NULL, NULL) == 0) {
		t = policy_approval_timeout(pol);
		policy_free(pol);
	}
	paths_clear(&p);
	return t;
}

static int
cli_install_common(const struct cli *c, bool add)
{
	char *settings = cli_settings_path(c);
	char *hook = cli_sibling(c->argv0, "airlock-hook");
	char *home = c->home ? realpath(c->home, NULL) : NULL;
	struct install_opts o = { .settings_path = settings,
		                  .hook_path = hook,
		                  .home = home ? home : c->home,
		                  .approval_timeout_s =
		                          cli_approval_timeout(c) };
	bool changed = false;
	char *err = NULL;
	int rc = add ? install_apply(&o, &changed, &err)
	             : install_remove(&o, &changed, &err);

	if (rc != 0) {
		fprintf(stderr, "airlock: %s\n", err ? err : al_strerror(rc));
	} else {
		printf("%s: %s\n", settings,
		       !changed ? "already up to date"
		       : add    ? "airlock hooks installed"
		                : "airlock hooks removed");
	}
	free(err);
	free(settings);
	free(hook);
	free(home);
	return rc == 0 ? 0 : 1;
}

int
cli_install(const struct cli *c)
{
	return cli_install_common(c, true);
}

int
cli_uninstall(const struct cli *c)
{
	return cli_install_common(c, false);
}
