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

/* Busy timeouts: the daemon (writer) waits longer than a CLI reader, which
 * should report a busy store quickly rather than hang a pipe. */
#define AUDIT_BUSY_WRITER_MS 5000
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
audit_begin(struct audit *db)
{
	if (db->batch) {
		/* Inside a batch a record is a savepoint, so a failed record
		 * undoes only itself. */
		return audit_exec(db, "SAVEPOINT audit_rec");
	}
	/* IMMEDIATE takes the write lock now, so a busy store fails here
	 * (after the busy timeout) instead of half-way through. */
	return audit_exec(db, "BEGIN IMMEDIATE");
}

int
audit_commit(struct audit *db)
{
	return audit_exec(db, db->batch ? "RELEASE audit_rec" : "COMMIT");
}

void
audit_rollback(struct audit *db)
{
	/* SQLite may already have rolled back (disk full, I/O error). */
	if (sqlite3_get_autocommit(db->h)) {
		db->batch = false;
		return;
	}
	if (db->batch) {
		sqlite3_exec(db->h, "ROLLBACK TO audit_rec; RELEASE audit_rec",
		             NULL, NULL, NULL);
		return;
	}
	sqlite3_exec(db->h, "ROLLBACK", NULL, NULL, NULL);
}

int
audit_batch_begin(struct audit *db)
{
	audit_lock(db);
	int rc = db->batch ? audit_failf(db, AL_ESTATE, "already in a batch")
	                   : audit_exec(db, "BEGIN IMMEDIATE");
	if (rc == 0) {
		db->batch = true;
	}
	audit_unlock(db);
	return rc;
}

int
audit_batch_end(struct audit *db, bool commit)
{
	int rc = 0;

	audit_lock(db);
	if (!db->batch) {
		rc = audit_failf(db, AL_ESTATE, "not in a batch");
	} else if (commit) {
		rc = audit_exec(db, "COMMIT");
	}
	if (!sqlite3_get_autocommit(db->h)) {
		sqlite3_exec(db->h, "ROLLBACK", NULL, NULL, NULL);
	}
	db->batch = false;
	audit_unlock(db);
	return rc;
}

void
audit_lock(struct audit *db)
{
	pthread_mutex_lock(&db->mu);
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
	sqlite3_close_v2(db->h);
	pthread_mutex_destroy(&db->mu);
	free(db);
}

const char *
audit_errmsg(const struct audit *db)
{
	return db ? db->err : "no audit store";
}
