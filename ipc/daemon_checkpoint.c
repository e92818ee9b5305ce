/*
 * Periodic checkpoints: every 60 s (--checkpoint-interval; and at the
 * first tick after start)
 * the daemon publishes the chain's length and head hash to every console,
 *
 *   {"v":1,"epoch":..,"seq":..,"type":"checkpoint","rows":N,"head":"<hex>",
 *    "time_ms":N}
 *
 * and, with `airlockd --witness FILE`, appends the same checkpoint to FILE
 * as one line in the witness format `airlock verify --witness` reads
 * (ipc/export.c: {"rows","head_hash","time_ms","time","database"}). A
 * copy outside the database is what makes a truncated tail visible: the
 * chain alone cannot tell a shorter history from a complete one.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "core/al.h"
#include "core/xalloc.h"
#include "ipc/daemon_int.h"
#include "ipc/export.h"

#define CHECKPOINT_EVERY_MS 60000
#define CHECKPOINT_RETRY_MS 1000

/* One write() of the whole line (concurrent appenders never interleave),
 * then fsync: a witness line is only worth something once it is on disk.
 * On failure *why is the errno of the step that failed. */
static int
checkpoint_append(const char *path, const char *line, int *why)
{
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	char *l = xasprintf("%s\n", line);
	size_t len = strlen(l);
	int rc = 0;

	if (fd < 0) {
		*why = errno;
		free(l);
		return AL_EIO;
	}
	ssize_t n = write(fd, l, len);
	if (n != (ssize_t)len || fsync(fd) != 0) {
		*why = n < 0 || n == (ssize_t)len ? errno : EIO;
		rc = AL_EIO;
	}
	free(l);
	if (close(fd) != 0 && rc == 0) {
		*why = errno;
		rc = AL_EIO;
	}
	return rc;
}

/* Appends to the witness file (mu not held: fsync may be slow). A failure
 * is an alert once, until an append succeeds again. */
static void
checkpoint_witness(struct daemon *d, const struct audit_checkpoint *cp,
                   int64_t time_ms)
{
	const char *path = d->opts.witness_path;
	char *line = export_checkpoint_text(cp, time_ms, d->paths.db_path);
	int err = 0;
	int rc = checkpoint_append(path, line, &err);

	free(line);
	if (rc == 0) {
		d->cp_witness_failed = false;
		return;
	}
	fprintf(stderr, "airlockd: cannot append to the witness file %s: %s\n",
	        path, strerror(err));
	if (!d->cp_witness_failed) {
		char *msg = xasprintf("cannot append the checkpoint to the "
		                      "witness file %s: %s",
		                      path, strerror(err));
		pthread_mutex_lock(&d->mu);
		if (d->db_down == NULL) {
			daemon_alert(d, "witness", NULL, 0, msg);
		}
		pthread_mutex_unlock(&d->mu);
		free(msg);
	}
	d->cp_witness_failed = true;
}

static void
checkpoint_publish(struct daemon *d, const struct audit_checkpoint *cp,
                   int64_t time_ms)
{
	cJSON *body = cJSON_CreateObject();

	cJSON_AddNumberToObject(body, "rows", (double)cp->rows);
	cJSON_AddStringToObject(body, "head", cp->head_hash);
	cJSON_AddNumberToObject(body, "time_ms", (double)time_ms);
	daemon_publish_obj(d, "checkpoint", body);
}

void
daemon_checkpoint_tick(struct daemon *d)
{
	struct audit_checkpoint cp = { 0 };
	int64_t now = daemon_now_mono();
	int64_t time_ms = daemon_now_wall();
	int rc = AL_EDB;

	if (now < d->cp_next_ms) {
		return;
	}
	pthread_mutex_lock(&d->mu);
	if (d->db_down == NULL && d->db != NULL) {
		/* The reader connection: committed rows, never waiting for
		 * the committer's fsync. */
		pthread_mutex_lock(&d->db_mu);
		rc = audit_checkpoint(d->db, &cp);
		pthread_mutex_unlock(&d->db_mu);
	}
	if (rc == 0) {
		checkpoint_publish(d, &cp, time_ms);
	}
	pthread_mutex_unlock(&d->mu);
	/* While the database is down, try again soon: the first checkpoint
	 * after it opens is the one worth having. */
	int64_t every = d->opts.checkpoint_interval_ms > 0
	                        ? d->opts.checkpoint_interval_ms
	                        : CHECKPOINT_EVERY_MS;
	d->cp_next_ms = now + (rc == 0 ? every : CHECKPOINT_RETRY_MS);
	if (rc == 0 && d->opts.witness_path != NULL) {
		checkpoint_witness(d, &cp, time_ms);
	}
}
