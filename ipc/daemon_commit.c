/*
 * Group commit: decisions are written to the audit database in batches by
 * one committer thread, and no hook is answered before the transaction
 * holding its decision has committed. Under load, the decisions that
 * arrive while one batch is being made durable share the next fsync; a
 * lone decision is written at once.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/al.h"
#include "core/xalloc.h"
#include "ipc/daemon_int.h"
#include "ipc/faultpoint.h"

#define COMMIT_BATCH_MAX 512
#define COMMIT_STORAGE_REASON                                             \
	"airlock: audit storage is full; denied because nothing may run " \
	"unrecorded (this denial is recorded in the reserve)"

/*
 * The search index is written apart from the decisions (audit.h,
 * audit_index_backlog): in chunks of COMMIT_INDEX_CHUNK actions once the
 * committer has been idle for COMMIT_INDEX_IDLE_MS, or at once after a
 * batch when COMMIT_INDEX_HIGH actions wait (sustained load). A chunk
 * takes 2-4 ms and no fsync; a hook arriving meanwhile waits for it,
 * about once per COMMIT_INDEX_CHUNK calls under load. The
 * backlog stays far below AUDIT_SHORT_SCAN_ROWS, which the host alert
 * scans without the index.
 */
#define COMMIT_INDEX_CHUNK   128
#define COMMIT_INDEX_HIGH    1024
#define COMMIT_INDEX_IDLE_MS 50

void
daemon_commit_enqueue(struct daemon *d, struct repctx *rc, struct action *a,
                      bool decision, char *context, char *mcp_output)
{
	struct commit_item *it = xcalloc(1, sizeof *it);

	it->context = context;
	it->mcp_output = mcp_output;

	it->a = a;
	it->rc = rc;
	it->decision = decision;
	rc->state = REPCTX_HELD;
	if (d->queue_tail != NULL) {
		d->queue_tail->next = it;
	} else {
		d->queue = it;
	}
	d->queue_tail = it;
	pthread_cond_signal(&d->commit_cv);
}

static struct commit_item *
commit_find_in(struct commit_item *list, const char *request_id)
{
	for (; list != NULL; list = list->next) {
		if (list->a->request_id &&
		    strcmp(list->a->request_id, request_id) == 0) {
			return list;
		}
	}
	return NULL;
}

struct commit_item *
daemon_commit_find(struct daemon *d, const char *request_id)
{
	struct commit_item *it = commit_find_in(d->committing, request_id);

	return it ? it : commit_find_in(d->queue, request_id);
}

/* Takes up to COMMIT_BATCH_MAX items off the queue (mu held). */
static struct commit_item *
commit_take(struct daemon *d)
{
	struct commit_item *head = d->queue;
	struct commit_item *last = head;
	int n = 1;

	while (last->next != NULL && n < COMMIT_BATCH_MAX) {
		last = last->next;
		n++;
	}
	d->queue = last->next;
	if (d->queue == NULL) {
		d->queue_tail = NULL;
	}
	last->next = NULL;
	return head;
}

/* Writes a batch in one transaction (mu not held). The batch belongs to
 * this thread in the store: other threads' audit calls wait until it
 * ends, so nothing joins it, and db_mu is not taken: hooks looking up a
 * request id meanwhile read committed rows on the store's reader
 * connection instead of waiting for this fsync. Returns non-zero when the
 * transaction itself failed: then nothing is durable. */
static int
commit_write(struct daemon *d, struct commit_item *batch)
{
	int rc = audit_batch_begin(d->db);

	for (struct commit_item *it = batch; rc == 0 && it; it = it->next) {
		it->rc_db = it->decision ? audit_record_action(d->db, it->a)
		                         : audit_record_event(d->db, it->a);
	}
	FAULTPOINT("commit_written"); /* in the transaction, not committed */
	if (rc == 0) {
		rc = audit_batch_end(d->db, true);
	}
	return rc;
}

static void
commit_reply_all(struct commit_item *it,
                 nng_msg *(*make)(struct commit_item *, const char *))
{
	daemon_reply(it->rc, make(it, it->rc->request_id));
	while (it->extra != NULL) {
		struct waiter *w = it->extra;
		it->extra = w->next;
		daemon_reply(w->rc, make(it, w->rc->request_id));
		free(w);
	}
}

static nng_msg *
commit_recorded_reply(struct commit_item *it, const char *request_id)
{
	return daemon_hook_reply_ex(it->a, request_id, it->context,
	                            it->mcp_output);
}

static nng_msg *
commit_failed_reply(struct commit_item *it, const char *request_id)
{
	return daemon_hook_error_reply(
	        request_id, it->a->hook_event, it->decision,
	        "airlock: audit database unavailable; denied because nothing "
	        "may run unrecorded");
}

/* A request id recorded meanwhile by a retry of the same request (the
 * hook's lookup missed it): answer from that record as a retry is
 * answered, or wait with the retry while it is pending. Returns true
 * when the item's hooks now wait on the pending action. */
static bool
commit_settle_duplicate(struct daemon *d, struct commit_item *it)
{
	struct pend *p = daemon_find_pending_req(d, it->a->request_id);
	struct action *rec = NULL;

	if (p != NULL) {
		struct waiter *w = xcalloc(1, sizeof *w);
		w->rc = it->rc;
		w->next = it->extra;
		it->extra = NULL;
		struct waiter *last = w;
		while (last->next != NULL) {
			last = last->next;
		}
		last->next = p->waiters;
		p->waiters = w;
		p->orphan_since = 0;
		action_free(it->a);
		it->a = NULL;
		return true;
	}
	pthread_mutex_lock(&d->db_mu);
	int found = audit_find_request(d->db, it->a->request_id, &rec);
	pthread_mutex_unlock(&d->db_mu);
	if (found == 0 && rec->state != ACTION_PENDING) {
		action_free(it->a);
		it->a = rec;
		it->rc_db = 0;
		free(it->context);
		it->context = NULL;
		free(it->mcp_output);
		it->mcp_output = NULL;
		it->decision = false; /* not published again */
	} else {
		action_free(rec);
	}
	return false;
}

/* After the batch (mu held): a pending action is held for a human, a
 * recorded decision published. Returns true when the item's hooks are to
 * be answered (after mu is released: sending takes a system call per
 * hook, and every hook handler waits for mu). */
static bool
commit_settle(struct daemon *d, struct commit_item *it, int batch_rc)
{
	if (batch_rc == 0 && it->rc_db == AL_EEXIST &&
	    commit_settle_duplicate(d, it)) {
		return false;
	}
	if (batch_rc != 0 || it->rc_db != 0) {
		it->rc_db = it->rc_db != 0 ? it->rc_db : batch_rc;
		return true;
	}
	daemon_alerts_after(d, it->a); /* recorded: alert rules */
	if (it->a->state == ACTION_PENDING) {
		struct waiter *w = xcalloc(1, sizeof *w);
		w->rc = it->rc;
		w->next = it->extra;
		it->extra = NULL;
		daemon_hold(d, it->a, w);
		it->a = NULL;
		return false;
	}
	it->publish = it->decision; /* once its hooks have their answer */
	return true;
}

/* Answers an item's hooks (mu not held). The item is no longer in
 * d->committing, so no retry can join it any more. */
static void
commit_answer(struct commit_item *it)
{
	if (it->a != NULL) {
		commit_reply_all(it, it->rc_db != 0 ? commit_failed_reply
		                                    : commit_recorded_reply);
		/* Some hooks of a batch answered. */
		FAULTPOINT("commit_replied");
	}
}

static void
commit_item_free(struct commit_item *it)
{
	action_free(it->a);
	free(it->context);
	free(it->mcp_output);
	free(it);
}

/* Storage low (daemon_reserve.c): the batch's calls become recorded
 * denials; other events are recorded as they are. */
static void
commit_deny_for_storage(struct commit_item *batch)
{
	for (struct commit_item *it = batch; it != NULL; it = it->next) {
		struct action *a = it->a;
		if (!it->decision) {
			continue;
		}
		free(a->verdict);
		a->verdict = xstrdup("deny");
		free(a->reason);
		a->reason = xstrdup(COMMIT_STORAGE_REASON);
		a->state = ACTION_DECIDED;
	}
}

/* Whether the batch failed for lack of space: at its COMMIT, or in a
 * record (which then aborts the batch with a generic error). */
static bool
commit_no_space(const struct commit_item *batch, int rc)
{
	if (rc == AL_ENOSPC) {
		return true;
	}
	for (const struct commit_item *it = batch; it != NULL; it = it->next) {
		if (it->rc_db == AL_ENOSPC) {
			return true;
		}
	}
	return false;
}

/* Writes the batch (mu not held), through a full disk if it must: the
 * reserve is freed and the calls are recorded as denials. Returns the
 * result of the last write; *alert is set to what consoles must hear of
 * a change in the storage state (caller frees). */
static int
commit_write_guarded(struct daemon *d, struct commit_item *batch, char **alert)
{
	*alert = NULL;
	if (d->storage_low && daemon_storage_room(d) &&
	    daemon_reserve_ensure(d)) {
		d->storage_low = false;
		*alert = xstrdup("audit storage has room again: calls are "
		                 "decided by policy again");
	}
	if (d->storage_low) {
		commit_deny_for_storage(batch);
	}
	int rc = commit_write(d, batch);
	if (rc != 0 && !d->storage_low && commit_no_space(batch, rc)) {
		d->storage_low = true;
		bool freed = daemon_reserve_release(d);
		commit_deny_for_storage(batch);
		rc = commit_write(d, batch);
		*alert = xasprintf("audit storage full: %s; every call is "
		                   "denied until the disk has room again",
		                   freed ? "the reserve was freed to record "
		                           "the denials"
		                         : "no reserve to free, denials may "
		                           "go unrecorded");
	}
	return rc;
}

static void
commit_batch(struct daemon *d, struct commit_item *batch)
{
	struct commit_item *answer = NULL;
	struct commit_item **tail = &answer;
	char *storage = NULL;
	int rc;

	pthread_mutex_unlock(&d->mu);
	rc = commit_write_guarded(d, batch, &storage);
	char *why = rc != 0 ? xasprintf("audit write failed (%s): the calls "
	                                "in this batch were denied",
	                                audit_errmsg(d->db))
	                    : NULL;
	FAULTPOINT("commit_durable"); /* committed, no hook answered */
	pthread_mutex_lock(&d->mu);
	if (storage != NULL) {
		daemon_alert(d, "audit_storage", NULL, 0, storage);
		free(storage);
	}
	if (why != NULL) {
		daemon_publish(d, "alert", NULL, why);
		free(why);
	}
	d->committing = NULL;
	while (batch != NULL) {
		struct commit_item *next = batch->next;
		batch->next = NULL;
		if (commit_settle(d, batch, rc)) {
			*tail = batch;
			tail = &batch->next;
		} else {
			commit_item_free(batch);
		}
		batch = next;
	}
	/* Hooks first: the consoles' "decided" events (each a redacted
	 * copy of the action to build) follow their answers. */
	pthread_mutex_unlock(&d->mu);
	for (struct commit_item *it = answer; it != NULL; it = it->next) {
		commit_answer(it);
	}
	pthread_mutex_lock(&d->mu);
	while (answer != NULL) {
		struct commit_item *next = answer->next;
		if (answer->publish) {
			daemon_publish(d, "decided", answer->a, NULL);
		}
		commit_item_free(answer);
		answer = next;
	}
}

/* Indexes one chunk of the backlog (mu held; released meanwhile). A
 * failure leaves the rows to the next attempt, after the next batch:
 * they are durable, and searches scan what the index lacks. */
static void
commit_index(struct daemon *d)
{
	struct audit *db = d->db;
	int64_t left = 0;

	if (db == NULL || d->db_down != NULL) {
		d->index_lag = 0;
		return;
	}
	pthread_mutex_unlock(&d->mu);
	int rc = audit_index_backlog(db, COMMIT_INDEX_CHUNK, &left);
	pthread_mutex_lock(&d->mu);
	d->index_lag = rc == 0 ? left : 0;
}

static void
commit_note_lag(struct daemon *d)
{
	int64_t lag = 0;

	if (d->db != NULL && d->db_down == NULL &&
	    audit_index_lag(d->db, &lag) == 0) {
		d->index_lag = lag;
	}
}

/* Waits for work (mu held). With a backlog, an idle spell of
 * COMMIT_INDEX_IDLE_MS indexes a chunk of it. */
static void
commit_wait(struct daemon *d)
{
	while (d->queue == NULL && !d->commit_stop) {
		if (d->index_lag <= 0) {
			pthread_cond_wait(&d->commit_cv, &d->mu);
			continue;
		}
		struct timespec ts;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		ts.tv_nsec += COMMIT_INDEX_IDLE_MS * 1000000L;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		int w = pthread_cond_timedwait(&d->commit_cv, &d->mu, &ts);
		/* Idle: chunk after chunk until work arrives (each chunk
		 * releases mu, so hooks can queue meanwhile). */
		while (w != 0 && d->index_lag > 0 && d->queue == NULL &&
		       !d->commit_stop) {
			commit_index(d);
		}
	}
}

static void *
commit_main(void *arg)
{
	struct daemon *d = arg;

	pthread_mutex_lock(&d->mu);
	commit_note_lag(d); /* a backlog left by the last run */
	for (;;) {
		commit_wait(d);
		if (d->queue == NULL) {
			break;
		}
		d->committing = commit_take(d);
		commit_batch(d, d->committing);
		commit_note_lag(d);
		if (d->index_lag >= COMMIT_INDEX_HIGH) {
			commit_index(d);
		}
	}
	/* Stopping: index what is left, so that a restart starts level. */
	for (int i = 0; d->index_lag > 0 && i < 64; i++) {
		commit_index(d);
	}
	pthread_mutex_unlock(&d->mu);
	return NULL;
}

int
daemon_commit_start(struct daemon *d)
{
	if (pthread_create(&d->committer, NULL, commit_main, d) != 0) {
		return AL_EIO;
	}
	d->committer_started = true;
	return 0;
}

void
daemon_commit_stop(struct daemon *d)
{
	if (!d->committer_started) {
		return;
	}
	pthread_mutex_lock(&d->mu);
	d->commit_stop = true;
	pthread_cond_signal(&d->commit_cv);
	pthread_mutex_unlock(&d->mu);
	pthread_join(d->committer, NULL);
	d->committer_started = false;
}
