/*
 * Background WAL checkpoints (AUDIT_BG_CHECKPOINT). SQLite's automatic
 * checkpoint runs inside the commit that crosses the threshold, on the
 * committing thread: that commit then also copies the WAL into the
 * database file and fsyncs it, a stall of milliseconds for the hooks
 * whose decisions are in it. Here the writer's WAL hook only notes the
 * WAL's size and wakes a thread that checkpoints on its own connection in
 * PASSIVE mode (it never waits for, nor blocks, the writer or readers).
 * Once a checkpoint has copied every frame, the writer's next transaction
 * starts the WAL over from its beginning, so the WAL file stops growing
 * and its fsyncs rewrite blocks already allocated.
 */
#include "core/audit.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <time.h>

#include <sqlite3.h>

#include "core/al.h"
#include "core/audit_internal.h"
#include "core/xalloc.h"

/* WAL frames (pages) after which a checkpoint is started: SQLite's own
 * default threshold. Only then: a checkpoint that copies every frame
 * makes the next writer start the WAL over, and that writer first
 * writes and fsyncs a new WAL header, a second fsync in the commit of
 * a hook's decision. Checkpointing whenever the WAL is idle put that
 * second fsync on nearly every call made at a human pace (one call
 * every few seconds); at the threshold it is one commit in about a
 * hundred. */
#define AUDIT_WAL_FRAMES 1000
/* A checkpoint that could not copy everything (a reader held old
 * frames) is tried again after this long (ms). */
#define AUDIT_WAL_RETRY_MS 100

struct audit_wal {
	sqlite3 *h; /* the checkpointer's own connection */
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int frames; /* WAL frames at the writer's last commit */
	bool stop;
	unsigned long checkpoints;
};

static int
audit_wal_hook(void *arg, sqlite3 *h, const char *dbname, int frames)
{
	struct audit_wal *w = arg;

	(void)h;
	(void)dbname;
	pthread_mutex_lock(&w->mu);
	w->frames = frames;
	if (frames >= AUDIT_WAL_FRAMES) {
		pthread_cond_signal(&w->cv);
	}
	pthread_mutex_unlock(&w->mu);
	return SQLITE_OK;
}

static void
audit_wal_deadline(struct timespec *ts, int ms)
{
	clock_gettime(CLOCK_REALTIME, ts);
	ts->tv_sec += ms / 1000;
	ts->tv_nsec += (long)(ms % 1000) * 1000000L;
	if (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
	}
}

static void *
audit_wal_main(void *arg)
{
	struct audit_wal *w = arg;

	pthread_mutex_lock(&w->mu);
	while (!w->stop) {
		struct timespec ts;
		if (w->frames < AUDIT_WAL_FRAMES) {
			pthread_cond_wait(&w->cv, &w->mu);
		}
		if (w->stop || w->frames < AUDIT_WAL_FRAMES) {
			continue;
		}
		pthread_mutex_unlock(&w->mu);
		int log = 0;
		int done = 0;
		int s = sqlite3_wal_checkpoint_v2(
		        w->h, NULL, SQLITE_CHECKPOINT_PASSIVE, &log, &done);
		pthread_mutex_lock(&w->mu);
		w->checkpoints++;
		/* Everything copied: nothing to do until the writer's hook
		 * reports a full WAL again. Otherwise (a reader pinned old
		 * frames, or an error) try again in a while. */
		if (s == SQLITE_OK && done == log) {
			w->frames = 0;
		} else if (!w->stop) {
			audit_wal_deadline(&ts, AUDIT_WAL_RETRY_MS);
			pthread_cond_timedwait(&w->cv, &w->mu, &ts);
		}
	}
	pthread_mutex_unlock(&w->mu);
	return NULL;
}

int
audit_wal_start(struct audit *db, const char *path)
{
	struct audit_wal *w = xcalloc(1, sizeof *w);
	int s = sqlite3_open_v2(
	        path, &w->h, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL);

	/* A first read opens the file in WAL mode on this connection. */
	if (s == SQLITE_OK) {
		s = sqlite3_exec(w->h, "SELECT count(*) FROM sqlite_master",
		                 NULL, NULL, NULL);
	}
	if (s != SQLITE_OK) {
		sqlite3_close_v2(w->h);
		free(w);
		return audit_failf(db, AL_EDB,
		                   "cannot open the checkpoint connection");
	}
	pthread_mutex_init(&w->mu, NULL);
	pthread_cond_init(&w->cv, NULL);
	if (pthread_create(&w->thread, NULL, audit_wal_main, w) != 0) {
		pthread_cond_destroy(&w->cv);
		pthread_mutex_destroy(&w->mu);
		sqlite3_close_v2(w->h);
		free(w);
		return audit_failf(db, AL_EIO, "cannot start the checkpointer");
	}
	/* Replaces SQLite's automatic checkpoint on the writer. */
	sqlite3_wal_hook(db->h, audit_wal_hook, w);
	db->wal = w;
	return 0;
}

void
audit_wal_stop(struct audit *db)
{
	struct audit_wal *w = db->wal;

	if (w == NULL) {
		return;
	}
	sqlite3_wal_hook(db->h, NULL, NULL);
	pthread_mutex_lock(&w->mu);
	w->stop = true;
	pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&w->mu);
	pthread_join(w->thread, NULL);
	sqlite3_close_v2(w->h);
	pthread_cond_destroy(&w->cv);
	pthread_mutex_destroy(&w->mu);
	free(w);
	db->wal = NULL;
}
