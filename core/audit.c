#include "core/audit.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "core/al.h"
#include "core/audit_internal.h"
#include "core/redact.h"
#include "core/xalloc.h"

/* Busy timeouts. A writer finds the store busy only when another process
 * holds its write lock (the daemon's own connections never block its
 * writer: WAL readers and PASSIVE checkpoints do not), and every hook
 * waiting meanwhile waits with it: after 250 ms it gives up and the
 * calls are denied (threats.md: "SQLITE_BUSY/LOCKED beyond 250 ms:
 * deny"). A CLI reader waits longer: a reader is blocked only while a
 * WAL is recovered, which can take a while on a big one. */
#define AUDIT_BUSY_WRITER_MS 250
#define AUDIT_BUSY_READER_MS 2000

int
audit_failf(struct audit *db, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(db->err, sizeof db->err, fmt, ap);
	va_end(ap);
	return code;
}

int
audit_fail(struct audit *db, int sqlite_rc)
{
	int code = AL_EDB;

	switch (sqlite_rc & 0xff) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		code = AL_EBUSY;
		break;
	case SQLITE_FULL:
		code = AL_ENOSPC;
		break;
	default:
		break;
	}
	if ((sqlite_rc & 0xff) == SQLITE_NOTADB ||
	    (sqlite_rc & 0xff) == SQLITE_CORRUPT) {
		return audit_failf(db, code, "database is corrupt: %s",
		                   sqlite3_errmsg(db->h));
	}
	return audit_failf(db, code, "%s (sqlite %d)", sqlite3_errmsg(db->h),
	                   sqlite_rc);
}

int
audit_prepare(struct audit *db, const char *sql, sqlite3_stmt **out)
{
	int rc = sqlite3_prepare_v2(db->h, sql, -1, out, NULL);

	if (rc != SQLITE_OK) {
		*out = NULL;
		return audit_fail(db, rc);
	}
	return 0;
}

int
audit_exec(struct audit *db, const char *sql)
{
	int rc = sqlite3_exec(db->h, sql, NULL, NULL, NULL);

	return rc == SQLITE_OK ? 0 : audit_fail(db, rc);
}

int
audit_step_done(struct audit *db, sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);

	return rc == SQLITE_DONE ? 0 : audit_fail(db, rc);
}

int
audit_cached(struct audit *db, const char *sql, sqlite3_stmt **out)
{
	for (int i = 0; i < db->nstmts; i++) {
		if (db->stmts[i].sql == sql) {
			*out = db->stmts[i].st;
			return 0;
		}
	}
	if (db->nstmts == AUDIT_STMT_CACHE) {
		/* Full (a programming error: the set of fixed statements is
		 * small); fall back to preparing every time is not possible
		 * without the caller finalizing, so refuse loudly. */
		return audit_failf(db, AL_EDB, "statement cache full");
	}
	int rc = sqlite3_prepare_v3(db->h, sql, -1, SQLITE_PREPARE_PERSISTENT,
	                            out, NULL);
	if (rc != SQLITE_OK) {
		*out = NULL;
		return audit_fail(db, rc);
	}
	db->stmts[db->nstmts++] = (struct audit_cached){ sql, *out };
	return 0;
}

void
audit_done(sqlite3_stmt *st)
{
	if (st != NULL) {
		sqlite3_reset(st);
		sqlite3_clear_bindings(st);
	}
}

/* Runs a cached statement that returns no rows. */
static int
audit_exec_cached(struct audit *db, const char *sql)
{
	sqlite3_stmt *st = NULL;
	int rc = audit_cached(db, sql, &st);

	if (rc == 0) {
		rc = audit_step_done(db, st);
	}
	audit_done(st);
	return rc;
}

void
audit_forget(struct audit *db)
{
	db->head_valid = false;
	db->index_valid = false;
	for (int i = 0; i < AUDIT_SESSION_CACHE; i++) {
		free(db->sessions[i]);
		db->sessions[i] = NULL;
	}
	db->session_next = 0;
}

bool
audit_session_known(struct audit *db, const char *session_id)
{
	for (int i = 0; i < AUDIT_SESSION_CACHE; i++) {
		if (db->sessions[i] != NULL &&
		    strcmp(db->sessions[i], session_id) == 0) {
			return true;
		}
	}
	return false;
}

void
audit_session_remember(struct audit *db, const char *session_id)
{
	free(db->sessions[db->session_next]);
	db->sessions[db->session_next] = xstrdup(session_id);
	db->session_next = (db->session_next + 1) % AUDIT_SESSION_CACHE;
}

/* Under the write lock: when another connection committed since we last
 * looked, what we remember (chain head, sessions) may be stale. */
static int
audit_check_data_version(struct audit *db)
{
	sqlite3_stmt *st = NULL;
	int rc = audit_cached(db, "PRAGMA data_version", &st);

	if (rc != 0) {
		return rc;
	}
	int s = sqlite3_step(st);
	if (s == SQLITE_ROW) {
		int64_t v = sqlite3_column_int64(st, 0);
		if (v != db->data_version) {
			audit_forget(db);
			db->data_version = v;
		}
	} else {
		rc = audit_fail(db, s);
	}
	audit_done(st);
	return rc;
}

/* BEGIN IMMEDIATE takes the write lock now, so a busy store fails here
 * (after the busy timeout) instead of half-way through. */
static int
audit_begin_immediate(struct audit *db)
{
	int rc = audit_exec_cached(db, "BEGIN IMMEDIATE");

	if (rc == 0) {
		rc = audit_check_data_version(db);
		if (rc != 0) {
			sqlite3_exec(db->h, "ROLLBACK", NULL, NULL, NULL);
		}
	}
	return rc;
}

int
audit_begin(struct audit *db)
{
	if (!db->batch) {
		return audit_begin_immediate(db);
	}
	/* Inside a batch, records share the transaction with no savepoint
	 * each: a savepoint (or a statement journal) makes FTS5 flush its
	 * pending terms as a new segment, once per record, which costs more
	 * than the record. A record checks what could refuse it (duplicate
	 * request id, no such action) before writing, so a refusal leaves
	 * nothing behind; a failure after writing aborts the whole batch. */
	if (db->batch_failed) {
		return audit_failf(db, AL_EDB,
		                   "batch aborted by an earlier failed record");
	}
	db->rec_changes = sqlite3_total_changes64(db->h);
	return 0;
}

int
audit_commit(struct audit *db)
{
	return db->batch ? 0 : audit_exec_cached(db, "COMMIT");
}

void
audit_rollback(struct audit *db)
{
	if (db->batch) {
		/* Only a record that wrote something poisons the batch. */
		if (sqlite3_get_autocommit(db->h) ||
		    sqlite3_total_changes64(db->h) != db->rec_changes) {
			db->batch_failed = true;
		}
		return;
	}
	audit_forget(db);
	/* SQLite may already have rolled back (disk full, I/O error). */
	if (!sqlite3_get_autocommit(db->h)) {
		sqlite3_exec(db->h, "ROLLBACK", NULL, NULL, NULL);
	}
}

int
audit_batch_open_locked(struct audit *db)
{
	int rc = db->batch ? audit_failf(db, AL_ESTATE, "already in a batch")
	                   : audit_begin_immediate(db);

	if (rc == 0) {
		db->batch = true;
		db->batch_failed = false;
	}
	return rc;
}

int
audit_batch_close_locked(struct audit *db, bool commit)
{
	int rc = 0;

	if (!db->batch) {
		return audit_failf(db, AL_ESTATE, "not in a batch");
	}
	if (db->batch_failed) {
		rc = commit ? audit_failf(db, AL_EDB,
		                          "batch aborted by a failed record")
		            : 0;
	} else if (commit) {
		rc = audit_exec_cached(db, "COMMIT");
	}
	/* Whatever did not commit is gone, and so is what the caches learnt
	 * from it (the chain's head, new sessions): a COMMIT that failed on a
	 * full disk has often been rolled back by SQLite already, with the
	 * connection back in autocommit. */
	if (rc != 0 || !sqlite3_get_autocommit(db->h)) {
		if (!sqlite3_get_autocommit(db->h)) {
			sqlite3_exec(db->h, "ROLLBACK", NULL, NULL, NULL);
		}
		audit_forget(db);
	}
	db->batch = false;
	db->batch_failed = false;
	return rc;
}

int
audit_batch_begin(struct audit *db)
{
	audit_lock(db);
	int rc = audit_batch_open_locked(db);
	if (rc == 0) {
		db->batch_owner = pthread_self();
		atomic_store(&db->batch_open, true);
	}
	audit_unlock(db);
	return rc;
}

int
audit_batch_end(struct audit *db, bool commit)
{
	audit_lock(db);
	int rc = audit_batch_close_locked(db, commit);
	atomic_store(&db->batch_open, false);
	pthread_cond_broadcast(&db->batch_cv);
	audit_unlock(db);
	return rc;
}

bool
audit_batch_mine(struct audit *db)
{
	return atomic_load(&db->batch_open) &&
	       pthread_equal(db->batch_owner, pthread_self());
}

struct audit *
audit_reader(struct audit *db)
{
	return db->rd != NULL && !audit_batch_mine(db) ? db->rd : db;
}

int
audit_read_done(struct audit *db, struct audit *r, int rc)
{
	char msg[sizeof db->err];

	if (rc == 0 || r == db || rc == AL_ENOENT) {
		return rc;
	}
	audit_lock(r);
	memcpy(msg, r->err, sizeof msg);
	audit_unlock(r);
	audit_lock(db);
	memcpy(db->err, msg, sizeof db->err);
	audit_unlock(db);
	return rc;
}

void
audit_lock(struct audit *db)
{
	pthread_mutex_lock(&db->mu);
	while (atomic_load(&db->batch_open) &&
	       !pthread_equal(db->batch_owner, pthread_self())) {
		pthread_cond_wait(&db->batch_cv, &db->mu);
	}
}

void
audit_unlock(struct audit *db)
{
	pthread_mutex_unlock(&db->mu);
}

char *
audit_redact(const char *s, size_t len, size_t *out_len)
{
	return redact_text(s, len, out_len);
}

void
audit_bind_text(sqlite3_stmt *st, int idx, const char *s, enum audit_text kind)
{
	size_t len;

	if (s == NULL) {
		sqlite3_bind_null(st, idx);
		return;
	}
	if (kind == AUDIT_TEXT_ID) {
		sqlite3_bind_text(st, idx, s, -1, SQLITE_TRANSIENT);
		return;
	}
	char *r = audit_redact(s, strlen(s), &len);
	sqlite3_bind_text(st, idx, r, (int)len, free);
}

void
audit_bind_blob(sqlite3_stmt *st, int idx, const void *p, size_t len,
                enum audit_text kind)
{
	size_t rlen = len;

	if (p == NULL) {
		sqlite3_bind_null(st, idx);
		return;
	}
	if (kind == AUDIT_TEXT_ID) {
		sqlite3_bind_blob(st, idx, p, (int)len, SQLITE_TRANSIENT);
		return;
	}
	char *r = audit_redact(p, len, &rlen);
	sqlite3_bind_blob(st, idx, r, (int)rlen, free);
}

void
audit_bind_i64(sqlite3_stmt *st, int idx, int64_t v)
{
	sqlite3_bind_int64(st, idx, (sqlite3_int64)v);
}

char *
audit_col_str(sqlite3_stmt *st, int col)
{
	const unsigned char *s = sqlite3_column_text(st, col);

	if (s == NULL) {
		return NULL;
	}
	return xmemdup(s, (size_t)sqlite3_column_bytes(st, col));
}

/* quick_check reads every page; it turns "corrupt somewhere" into a clear
 * refusal at start instead of a failure in the middle of a decision. */
static int
audit_quick_check(struct audit *db)
{
	sqlite3_stmt *st = NULL;
	int rc = audit_prepare(db, "PRAGMA quick_check(1)", &st);

	if (rc != 0) {
		return rc;
	}
	int s = sqlite3_step(st);
	if (s != SQLITE_ROW) {
		rc = audit_fail(db, s);
	} else if (strcmp((const char *)sqlite3_column_text(st, 0), "ok") !=
	           0) {
		rc = audit_failf(db, AL_EDB, "database is corrupt: %s",
		                 sqlite3_column_text(st, 0));
	}
	sqlite3_finalize(st);
	return rc;
}

static int
audit_configure(struct audit *db, const char *path)
{
	bool memory = strcmp(path, ":memory:") == 0 || path[0] == '\0';
	bool ro = (db->flags & AUDIT_READONLY) != 0;
	int rc = 0;

	sqlite3_extended_result_codes(db->h, 1);
	sqlite3_busy_timeout(db->h,
	                     ro ? AUDIT_BUSY_READER_MS : AUDIT_BUSY_WRITER_MS);
	if (!memory && (!ro || (db->flags & AUDIT_QUICK_CHECK))) {
		rc = audit_quick_check(db);
	}
	if (rc == 0 && !ro && !memory) {
		rc = audit_exec(db, "PRAGMA journal_mode=WAL");
	}
	if (rc == 0 && !ro) {
		/* A decision row must survive a power cut once the hook has
		 * been answered: fsync the WAL at every commit. */
		rc = audit_exec(db, "PRAGMA synchronous=FULL");
	}
	if (rc == 0) {
		rc = ro ? audit_schema_check(db) : audit_schema_migrate(db);
	}
	return rc;
}

int
audit_open(struct audit **out, const char *path, int flags, char **errmsg)
{
	struct audit *db = xcalloc(1, sizeof *db);
	int oflags = (flags & AUDIT_READONLY)
	                     ? SQLITE_OPEN_READONLY
	                     : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
	int rc;

	db->flags = flags;
	pthread_mutex_init(&db->mu, NULL);
	pthread_cond_init(&db->batch_cv, NULL);
	atomic_init(&db->batch_open, false);
	if (path == NULL) {
		rc = audit_failf(db, AL_EINVAL, "no database path");
		goto out;
	}
	int s = sqlite3_open_v2(path, &db->h, oflags | SQLITE_OPEN_NOMUTEX,
	                        NULL);
	if (s != SQLITE_OK) {
		rc = db->h ? audit_fail(db, s)
		           : audit_failf(db, AL_EDB, "cannot open database");
		goto out;
	}
	rc = audit_configure(db, path);
	if (rc == 0 && !(flags & AUDIT_READONLY) &&
	    strcmp(path, ":memory:") != 0 && path[0] != '\0') {
		rc = audit_open(&db->rd, path, AUDIT_READONLY, NULL);
		if (rc != 0) {
			audit_failf(db, rc,
			            "cannot open the reader connection");
		}
		if (rc == 0 && (flags & AUDIT_BG_CHECKPOINT)) {
			rc = audit_wal_start(db, path);
		}
	}
out:
	if (rc != 0) {
		if (errmsg != NULL) {
			*errmsg = xasprintf("%s: %s", path ? path : "(null)",
			                    db->err);
		}
		audit_close(db);
		return rc;
	}
	*out = db;
	return 0;
}

void
audit_close(struct audit *db)
{
	if (db == NULL) {
		return;
	}
	audit_wal_stop(db);
	audit_close(db->rd);
	for (int i = 0; i < db->nstmts; i++) {
		sqlite3_finalize(db->stmts[i].st);
	}
	audit_forget(db);
	sqlite3_close_v2(db->h);
	pthread_cond_destroy(&db->batch_cv);
	pthread_mutex_destroy(&db->mu);
	free(db);
}

const char *
audit_errmsg(const struct audit *db)
{
	return db ? db->err : "no audit store";
}
