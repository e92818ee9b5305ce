/*
 * The hook listener's watchdog, for nng 1.5.2's bug #1518: a client that
 * connects and closes before the SP handshake can stop the listener's
 * accept loop for good (fixed in nng 1.6; Debian ships 1.5.2). Clients
 * still connect (the kernel queues them) but nothing answers.
 *
 * Every WATCHDOG_PERIOD_MS the listener's "other" error counter is read;
 * when it has risen (every failed negotiation bumps it, whether or not the
 * accept loop died), and at least every WATCHDOG_PROBE_MS anyway, a
 * self-probe sends a real ping over the hook protocol. If that probe gets
 * no answer the listener is closed and created again. Closing it drops
 * the connections it accepted; waiting hooks reconnect and resend the
 * same request id, and the daemon deduplicates.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nng/nng.h>

#include "core/al.h"
#include "core/buf.h"
#include "core/xalloc.h"
#include "ipc/daemon_int.h"
#include "ipc/proto.h"
#include "ipc/sp.h"

#define WATCHDOG_PERIOD_MS        500
#define WATCHDOG_PROBE_MS         10000
#define WATCHDOG_PROBE_TIMEOUT_MS 1000

static uint64_t
watchdog_other_errors(nng_listener l)
{
	nng_stat *root;
	uint64_t v = 0;
	int id = nng_listener_id(l);

	if (nng_stats_get(&root) != 0) {
		return 0;
	}
	for (nng_stat *c = nng_stat_child(root); c; c = nng_stat_next(c)) {
		nng_stat *sid = nng_stat_find(c, "id");
		nng_stat *other = nng_stat_find(c, "other");
		if (strcmp(nng_stat_name(c), "listener") == 0 && sid != NULL &&
		    other != NULL && (int)nng_stat_value(sid) == id) {
			v = nng_stat_value(other);
		}
	}
	nng_stats_free(root);
	return v;
}

/* A ping over the hook protocol, as a hook would send it. */
static int
watchdog_probe(const struct daemon *d)
{
	struct sp_conn *c = NULL;
	int64_t deadline = sp_now_ms() + WATCHDOG_PROBE_TIMEOUT_MS;
	char *reply = NULL;
	size_t n = 0;
	char msg[96];
	int rc = sp_connect(&c, d->paths.hook_sock, d->uid, deadline);

	if (rc != 0) {
		return rc;
	}
	int len = snprintf(msg, sizeof msg, "%s %d %032d -\n", PROTO_PING_MAGIC,
	                   AIRLOCK_PROTO_VERSION, 0);
	rc = sp_request(c, msg, (size_t)len, &reply, &n, 1024, deadline);
	sp_close(c);
	if (rc == 0 && strstr(reply, "\"pong\"") == NULL) {
		rc = AL_EPROTO;
	}
	free(reply);
	return rc;
}

void
daemon_watchdog(struct daemon *d)
{
	int64_t now = daemon_now_mono();
	uint64_t other;

	if (now < d->wd_next_ms) {
		return;
	}
	d->wd_next_ms = now + WATCHDOG_PERIOD_MS;
	other = watchdog_other_errors(d->hook.listener);
	if (other == d->wd_last_other && now < d->wd_next_probe_ms) {
		return;
	}
	d->wd_last_other = other;
	d->wd_next_probe_ms = now + WATCHDOG_PROBE_MS;
	if (watchdog_probe(d) == 0) {
		return;
	}
	char *err = NULL;
	nng_listener_close(d->hook.listener);
	free(d->hook.url);
	d->hook.url = NULL;
	int rc = daemon_relisten(&d->hook, d->paths.hook_sock, &err);
	if (rc == 0) {
		rc = daemon_hook_group_apply(&d->paths, d->opts.hook_group,
		                             &err);
	}
	d->wd_restarts++;
	d->wd_last_other = watchdog_other_errors(d->hook.listener);
	pthread_mutex_lock(&d->mu);
	daemon_publish(
	        d, "alert", NULL,
	        rc == 0 ? "the hook listener stopped accepting (nng #1518); "
	                  "recreated it"
	                : "the hook listener stopped accepting and could not "
	                  "be recreated");
	pthread_mutex_unlock(&d->mu);
	free(err);
}
