/* The schema of the audit store and its migrations. Each version is one
 * function applied in its own write transaction together with the new
 * PRAGMA user_version, so a crash mid-migration leaves the old version. */
#include "core/audit.h"

#include <stddef.h>
#include <stdio.h>

#include <sqlite3.h>

#include "core/al.h"
#include "core/audit_internal.h"

struct audit_migration {
	int version; /* user_version after this step */
	int (*apply)(struct audit *db);
};

/* The statements of the FTS triggers: remove a row's old text from both
 * indexes, add its new text (the same text in every schema version). */
#define AUDIT_FTS_DELETE_OLD                                                  \
	" INSERT INTO actions_tri(actions_tri, rowid, summary, tool_input,"   \
	"  reason, result) VALUES ('delete', old.id, old.summary,"            \
	"  old.tool_input, old.reason, old.result);"                          \
	" INSERT INTO actions_word(actions_word, rowid, summary, tool_input," \
	"  reason, result) VALUES ('delete', old.id, old.summary,"            \
	"  old.tool_input, old.reason, old.result);"
#define AUDIT_FTS_INSERT_NEW                                                   \
	" INSERT INTO actions_tri(rowid, summary, tool_input, reason, result)" \
	"  VALUES (new.id, new.summary, new.tool_input, new.reason,"           \
	"  new.result);"                                                       \
	" INSERT INTO actions_word(rowid, summary, tool_input, reason, "       \
	"result)"                                                              \
	"  VALUES (new.id, new.summary, new.tool_input, new.reason,"           \
	"  new.result);"

/*
 * v1. Rows are append-only: an action keeps the state it was recorded in
 * (pending or decided); its end is a row in finals (UNIQUE action_id: the
 * first decision wins). The FTS tables index summary, tool_input and
 * reason of actions as external content.
 */
static const char audit_schema_v1[] =
        "CREATE TABLE sessions("
        " id INTEGER PRIMARY KEY, session_id TEXT NOT NULL UNIQUE,"
        " cwd TEXT, first_seen_ms INTEGER NOT NULL,"
        " last_seen_ms INTEGER NOT NULL, permission_mode TEXT);"
        "CREATE TABLE actions("
        " id INTEGER PRIMARY KEY, request_id TEXT UNIQUE, session_id TEXT,"
        " hook_event TEXT, tool_name TEXT, tool_use_id TEXT, cwd TEXT,"
        " permission_mode TEXT, tool_input TEXT, summary TEXT,"
        " received_ms INTEGER NOT NULL, deadline_ms INTEGER NOT NULL,"
        " verdict TEXT, reason TEXT, rule TEXT, rule_file TEXT,"
        " source TEXT, risk TEXT, risk_mask INTEGER NOT NULL,"
        " tainted INTEGER NOT NULL, tier INTEGER NOT NULL,"
        " state TEXT NOT NULL, result TEXT, result_size INTEGER,"
        " result_sha TEXT);"
        "CREATE INDEX actions_session ON actions(session_id, id);"
        "CREATE INDEX actions_tool_use ON actions(tool_use_id);"
        "CREATE INDEX actions_received ON actions(received_ms);"
        "CREATE INDEX actions_pending ON actions(id) WHERE state='pending';"
        "CREATE TABLE finals("
        " id INTEGER PRIMARY KEY,"
        " action_id INTEGER NOT NULL UNIQUE REFERENCES actions(id),"
        " state TEXT NOT NULL, reason TEXT, approver TEXT,"
        " approver_uid INTEGER, approver_pid INTEGER, edited_input TEXT,"
        " decided_ms INTEGER NOT NULL);"
        "CREATE TABLE malformed("
        " id INTEGER PRIMARY KEY, raw BLOB, raw_len INTEGER NOT NULL,"
        " full_len INTEGER NOT NULL, sha256 TEXT, reason TEXT,"
        " received_ms INTEGER NOT NULL, peer_uid INTEGER, peer_pid INTEGER);"
        "CREATE TABLE alerts("
        " id INTEGER PRIMARY KEY, kind TEXT NOT NULL, session_id TEXT,"
        " action_id INTEGER, message TEXT, created_ms INTEGER NOT NULL,"
        " acknowledged_by TEXT, acknowledged_uid INTEGER,"
        " acknowledged_ms INTEGER);"
        "CREATE INDEX alerts_unacked ON alerts(id)"
        " WHERE acknowledged_ms IS NULL;"
        "CREATE TABLE chain("
        " seq INTEGER PRIMARY KEY, tbl TEXT NOT NULL,"
        " row_id INTEGER NOT NULL, content_hash TEXT NOT NULL,"
        " prev_hash TEXT NOT NULL, hash TEXT NOT NULL,"
        " UNIQUE(tbl, row_id));"
        "CREATE VIRTUAL TABLE actions_tri USING fts5(summary, tool_input,"
        " reason, result, content='actions', content_rowid='id',"
        " tokenize='trigram');"
        "CREATE VIRTUAL TABLE actions_word USING fts5(summary, tool_input,"
        " reason, result, content='actions', content_rowid='id',"
        " tokenize='unicode61');"
        /* The delete/update triggers serve pruning and keep the indexes
         * right even when someone edits rows by hand (verify still flags
         * the edit). */
        "CREATE TRIGGER actions_ai AFTER INSERT ON actions "
        "BEGIN" AUDIT_FTS_INSERT_NEW "END;"
        "CREATE TRIGGER actions_ad AFTER DELETE ON actions "
        "BEGIN" AUDIT_FTS_DELETE_OLD "END;"
        "CREATE TRIGGER actions_au AFTER UPDATE ON actions "
        "BEGIN" AUDIT_FTS_DELETE_OLD AUDIT_FTS_INSERT_NEW "END;";

static int
audit_migrate_v1(struct audit *db)
{
	return audit_exec(db, audit_schema_v1);
}

/*
 * v2. The FTS rows of an action are written by the store itself (see
 * audit_record.c: a trigger would make FTS5 write one index segment per
 * row), and retention checkpoints: a `prunes` row records what
 * audit_prune removed and the hash of the last removed chain entry, where
 * verification starts. It is chained like any other row.
 */
static const char audit_schema_v2[] =
        "DROP TRIGGER actions_ai;"
        "CREATE TABLE prunes("
        " id INTEGER PRIMARY KEY, before_ms INTEGER NOT NULL,"
        " pruned_ms INTEGER NOT NULL, rows_removed INTEGER NOT NULL,"
        " entries_removed INTEGER NOT NULL, last_seq INTEGER NOT NULL,"
        " last_hash TEXT NOT NULL, rechained INTEGER NOT NULL,"
        " by TEXT, by_uid INTEGER);";

static int
audit_migrate_v2(struct audit *db)
{
	return audit_exec(db, audit_schema_v2);
}

/*
 * v3. The search index may lag the rows (audit_index.c): fts_state.through
 * is the watermark, every action with id <= through is in both FTS
 * tables and none above it is. The delete/update triggers touch the
 * index only for rows under the watermark (an FTS5 'delete' of a row it
 * never indexed would corrupt it). Existing rows are all indexed.
 */
static const char audit_schema_v3[] =
        "CREATE TABLE fts_state("
        " k INTEGER PRIMARY KEY CHECK (k = 1), through INTEGER NOT NULL);"
        "INSERT INTO fts_state(k, through)"
        " SELECT 1, coalesce(max(id), 0) FROM actions;"
        "DROP TRIGGER actions_ad;"
        "DROP TRIGGER actions_au;"
        "CREATE TRIGGER actions_ad AFTER DELETE ON actions"
        " WHEN old.id <= (SELECT through FROM fts_state) "
        "BEGIN" AUDIT_FTS_DELETE_OLD "END;"
        "CREATE TRIGGER actions_au AFTER UPDATE ON actions"
        " WHEN old.id <= (SELECT through FROM fts_state) "
        "BEGIN" AUDIT_FTS_DELETE_OLD AUDIT_FTS_INSERT_NEW "END;";

static int
audit_migrate_v3(struct audit *db)
{
	return audit_exec(db, audit_schema_v3);
}

/*
 * v4. A daemon that restarts finds the sessions its predecessor tainted
 * (audit_session_recall): an index of the tainted actions only, so the
 * look-up does not walk a long session's untainted calls.
 */
static const char audit_schema_v4[] =
        "CREATE INDEX actions_tainted ON actions(session_id, id)"
        " WHERE tainted = 1;";

static int
audit_migrate_v4(struct audit *db)
{
	return audit_exec(db, audit_schema_v4);
}

static const struct audit_migration audit_migrations[] = {
	{ 1, audit_migrate_v1 },
	{ 2, audit_migrate_v2 },
	{ 3, audit_migrate_v3 },
	{ 4, audit_migrate_v4 },
};

#define AUDIT_NMIGRATIONS (sizeof audit_migrations / sizeof audit_migrations[0])

static int
audit_user_version(struct audit *db, int *out)
{
	sqlite3_stmt *st = NULL;
	int rc = audit_prepare(db, "PRAGMA user_version", &st);

	if (rc != 0) {
		return rc;
	}
	int s = sqlite3_step(st);
	if (s == SQLITE_ROW) {
		*out = sqlite3_column_int(st, 0);
	} else {
		rc = audit_fail(db, s);
	}
	sqlite3_finalize(st);
	return rc;
}

static int
audit_apply(struct audit *db, const struct audit_migration *m)
{
	char sql[64];
	int rc = audit_begin(db);

	if (rc != 0) {
		return rc;
	}
	/* Another process may have migrated while we waited for the lock. */
	int v = 0;
	rc = audit_user_version(db, &v);
	if (rc == 0 && v >= m->version) {
		return audit_commit(db);
	}
	snprintf(sql, sizeof sql, "PRAGMA user_version=%d", m->version);
	if (rc == 0) {
		rc = m->apply(db);
	}
	if (rc == 0) {
		rc = audit_exec(db, sql);
	}
	if (rc == 0) {
		rc = audit_commit(db);
	}
	if (rc != 0) {
		audit_rollback(db);
	}
	return rc;
}

int
audit_schema_migrate(struct audit *db)
{
	int v = 0;
	int rc = audit_user_version(db, &v);

	if (rc != 0) {
		return rc;
	}
	if (v > AUDIT_SCHEMA_VERSION) {
		return audit_failf(db, AL_EVERSION,
		                   "database schema v%d is newer than this "
		                   "airlock (v%d)",
		                   v, AUDIT_SCHEMA_VERSION);
	}
	for (size_t i = 0; i < AUDIT_NMIGRATIONS && rc == 0; i++) {
		if (audit_migrations[i].version > v) {
			rc = audit_apply(db, &audit_migrations[i]);
		}
	}
	return rc;
}

int
audit_schema_check(struct audit *db)
{
	int v = 0;
	int rc = audit_user_version(db, &v);

	if (rc != 0) {
		return rc;
	}
	if (v != AUDIT_SCHEMA_VERSION) {
		return audit_failf(
		        db, AL_EVERSION,
		        "database schema v%d, this airlock reads v%d "
		        "(open it read-write to migrate)",
		        v, AUDIT_SCHEMA_VERSION);
	}
	return 0;
}
