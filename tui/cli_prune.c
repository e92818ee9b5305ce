/* `airlock prune --before DATE`: retention, done by the daemon (the
 * database is its; see audit_prune for what is removed and kept). */
#include "tui/cli_prune.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/al.h"
#include "core/paths.h"
#include "ipc/client_prune.h"

/* A prune of a large history holds the store for a while. */
#define CLI_PRUNE_TIMEOUT_MS (10 * 60 * 1000)

/* "YYYY-MM-DD" (midnight UTC) or "30d", "12h" before now; -1 when
 * unreadable. */
static int64_t
cli_prune_time(const char *s)
{
	struct tm tm;
	char *end = NULL;
	struct timespec now;

	memset(&tm, 0, sizeof tm);
	end = strptime(s, "%Y-%m-%d", &tm);
	if (end != NULL && *end == '\0') {
		return (int64_t)timegm(&tm) * 1000;
	}
	long long n = strtoll(s, &end, 10);
	if (end == s || n <= 0 || end[0] == '\0' || end[1] != '\0') {
		return -1;
	}
	int64_t unit = *end == 'h' ? 3600000 : *end == 'd' ? 86400000 : -1;
	clock_gettime(CLOCK_REALTIME, &now);
	return unit < 0 ? -1
	                : (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000 -
	                          n * unit;
}

static void
cli_prune_print(const struct audit_prune_report *r, const char *date)
{
	if (r->last_seq == 0) {
		printf("nothing recorded before %s to prune\n", date);
		return;
	}
	printf("pruned:       %" PRId64 " rows, chain entries up to %" PRId64
	       "\n",
	       r->rows_removed, r->last_seq);
	printf("kept:         %" PRId64 " rows still in use (re-chained)\n",
	       r->rechained);
	printf("verify from:  entry %" PRId64 ", after hash %s\n",
	       r->last_seq + 1, r->last_hash);
}

int
cli_prune(const struct cli *c)
{
	const char *date = cli_opt(c, "--before");
	struct audit_prune_report r;
	struct paths p;
	char *err = NULL;

	if (date == NULL) {
		fprintf(stderr, "usage: airlock prune --before DATE "
		                "(YYYY-MM-DD, or 30d / 12h ago)\n");
		return 2;
	}
	int64_t before = cli_prune_time(date);
	if (before <= 0) {
		fprintf(stderr, "airlock prune: unreadable date: %s\n", date);
		return 2;
	}
	if (cli_ensure_daemon(c->argv0, c->home) != 0) {
		fprintf(stderr, "airlock prune: airlockd is not running (the "
		                "daemon owns the database and prunes it)\n");
		return 1;
	}
	paths_init(&p, c->home);
	int rc = client_prune(&p, before, CLI_PRUNE_TIMEOUT_MS, &r, &err);
	paths_clear(&p);
	if (rc != 0) {
		fprintf(stderr, "airlock prune: %s\n",
		        err ? err : al_strerror(rc));
		free(err);
		return 1;
	}
	cli_prune_print(&r, date);
	return 0;
}
