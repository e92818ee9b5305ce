/*
 * The hook listener's watchdog. Every WATCHDOG_PROBE_MS a self-probe sends
 * a real ping over the hook protocol, as a hook would. If it gets no
 * answer (the socket file was removed or replaced, the listener broke),
 * the listener is created again; waiting hooks keep their connections.
 * It was written for nng 1.5.2's bug #1518 (a client that connects and
 * closes before the SP handshake stopped nng's accept loop for good);
 * the hook socket now has its own server (daemon_hooksrv.c), and the
 * probe stays as the check that hooks can reach the daemon at all.
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

#define WATCHDOG_PROBE_MS         10000
#define WATCHDOG_PROBE_TIMEOUT_MS 1000

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

	if (now < d->wd_next_probe_ms) {
		return;
	}
	d->wd_next_probe_ms = now + WATCHDOG_PROBE_MS;
	if (watchdog_probe(d) == 0) {
		return;
	}
	char *err = NULL;
	int rc = daemon_hooksrv_relisten(d->hooksrv, &err);
	if (rc == 0) {
		rc = daemon_hook_group_apply(&d->paths, d->opts.hook_group,
		                             &err);
	}
	d->wd_restarts++;
	pthread_mutex_lock(&d->mu);
	daemon_publish(
	        d, "alert", NULL,
	        rc == 0 ? "the hook listener stopped answering; recreated it"
	                : "the hook listener stopped accepting and could not "
	                  "be recreated");
	pthread_mutex_unlock(&d->mu);
	free(err);
}
