/* The hash chain over every recorded row: appending entries inside the
 * writer's transaction, recomputing them in audit_verify, checkpoints. */
#include "core/audit.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <sqlite3.h>

#include "core/al.h"
#include "core/audit_internal.h"
#include "core/sha256.h"

/*
 * What each chain table covers. row_sql selects the recorded (immutable)
 * columns of one row in a fixed order: a later migration that adds a
 * column leaves old hashes valid because the list here does not change
 * for them. scan_sql selects the same columns of every row in id order
 * (audit_verify walks it in step with the chain). unchained_sql finds the
 * first row with no chain entry.
 */
struct audit_chain_table {
	const char *name;
	const char *row_sql;
	const char *scan_sql;
	const char *unchained_sql;
};

/* row_sql and scan_sql of one table from its column list. */
#define AUDIT_ROWS(cols, from, where)                             \
	"SELECT " cols " FROM " from " WHERE id=?" where,         \
	        "SELECT " cols " FROM " from " WHERE 1" where " " \
	        "ORDER BY id"

#define AUDIT_UNCHAINED(src, name, where)                                   \
	"SELECT s.id FROM " src " s WHERE " where " NOT EXISTS (SELECT 1 "  \
	"FROM chain c WHERE c.tbl = '" name "' AND c.row_id = s.id) ORDER " \
	"BY s.id LIMIT 1"

static const struct audit_chain_table audit_chain_tables[] = {
	{ "sessions",
	  AUDIT_ROWS("id, session_id, cwd, first_seen_ms", "sessions", ""),
	  AUDIT_UNCHAINED("sessions", "sessions", "") },
	{ "actions",
	  AUDIT_ROWS("id, request_id, session_id, hook_event, tool_name, "
	             "tool_use_id, cwd, permission_mode, tool_input, summary, "
	             "received_ms, deadline_ms, verdict, reason, rule, "
	             "rule_file, source, risk, risk_mask, tainted, tier, "
	             "state, result, result_size, result_sha",
	             "actions", ""),
	  AUDIT_UNCHAINED("actions", "actions", "") },
	{ "finals",
	  AUDIT_ROWS("id, action_id, state, reason, approver, approver_uid, "
	             "approver_pid, edited_input, decided_ms",
	             "finals", ""),
	  AUDIT_UNCHAINED("finals", "finals", "") },
	{ "malformed",
	  AUDIT_ROWS("id, raw, raw_len, full_len, sha256, reason, "
	             "received_ms, peer_uid, peer_pid",
	             "malformed", ""),
	  AUDIT_UNCHAINED("malformed", "malformed", "") },
	{ "alerts",
	  AUDIT_ROWS("id, kind, session_id, action_id, message, created_ms",
	             "alerts", ""),
	  AUDIT_UNCHAINED("alerts", "alerts", "") },
	{ "alert_acks",
	  AUDIT_ROWS("id, acknowledged_by, acknowledged_uid, acknowledged_ms",
	             "alerts", " AND acknowledged_ms IS NOT NULL"),
	  AUDIT_UNCHAINED("alerts", "alert_acks",
	                  "s.acknowledged_ms IS NOT NULL AND") },
	/* Retention checkpoints (schema v2, audit_prune.c). */
	{ "prunes",
	  AUDIT_ROWS("id, before_ms, pruned_ms, rows_removed, "
	             "entries_removed, last_seq, last_hash, rechained, by, "
	             "by_uid",
	             "prunes", ""),
	  AUDIT_UNCHAINED("prunes", "prunes", "") },
};

#define AUDIT_NCHAIN (sizeof audit_chain_tables / sizeof audit_chain_tables[0])

static const char audit_zero_hash[] =
        "0000000000000000000000000000000000000000000000000000000000000000";

static int
audit_chain_index(const char *name)
{
	for (size_t i = 0; i < AUDIT_NCHAIN; i++) {
		if (strcmp(audit_chain_tables[i].name, name) == 0) {
			return (int)i;
		}
	}
	return -1;
}

static void
audit_hex(const uint8_t d[SHA256_LEN], char out[SHA256_HEX_LEN + 1])
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < SHA256_LEN; i++) {
		out[2 * i] = digits[d[i] >> 4];
		out[2 * i + 1] = digits[d[i] & 0xf];
	}
	out[SHA256_HEX_LEN] = '\0';
}

/* v in decimal as printf's %lld writes it, at p; returns the length. */
static size_t
audit_i64_str(int64_t v, char *p)
{
	char tmp[24];
	size_t n = 0;
	size_t len = 0;
	/* Negate in unsigned arithmetic: INT64_MIN has no positive twin. */
	uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;

	do {
		tmp[n++] = (char)('0' + u % 10);
		u /= 10;
	} while (u != 0);
	if (v < 0) {
		p[len++] = '-';
	}
	while (n > 0) {
		p[len++] = tmp[--n];
	}
	return len;
}

/* Canonical serialisation: per column a type tag and the value, text and
 * blobs length-prefixed so that no two rows serialise alike. */
static void
audit_hash_column(struct sha256 *s, sqlite3_stmt *st, int col)
{
	char num[48];
	int n;
	size_t k;

	switch (sqlite3_column_type(st, col)) {
	case SQLITE_NULL:
		sha256_update(s, "N;", 2);
		return;
	case SQLITE_INTEGER:
		num[0] = 'I';
		k = 1 + audit_i64_str(sqlite3_column_int64(st, col), num + 1);
		num[k++] = ';';
		sha256_update(s, num, k);
		return;
	case SQLITE_FLOAT:
		n = snprintf(num, sizeof num, "R%.17g;",
		             sqlite3_column_double(st, col));
		sha256_update(s, num, (size_t)n);
		return;
	default:
		break;
	}
	bool blob = sqlite3_column_type(st, col) == SQLITE_BLOB;
	const void *p = blob ? sqlite3_column_blob(st, col)
	                     : (const void *)sqlite3_column_text(st, col);
	int len = sqlite3_column_bytes(st, col);
	num[0] = blob ? 'B' : 'T';
	k = 1 + audit_i64_str(len, num + 1);
	num[k++] = ':';
	sha256_update(s, num, k);
	sha256_update(s, p, (size_t)len);
	sha256_update(s, ";", 1);
}

/* The content hash of the row st is on. */
static void
audit_row_hash_cur(sqlite3_stmt *st, char out[SHA256_HEX_LEN + 1])
{
	struct sha256 s;
	uint8_t d[SHA256_LEN];
	int ncol = sqlite3_column_count(st);

	sha256_init(&s);
	for (int i = 0; i < ncol; i++) {
		audit_hash_column(&s, st, i);
	}
	sha256_final(&s, d);
	audit_hex(d, out);
}

/* The content hash of one row; *found false when the row is gone. */
static int
audit_row_hash(struct audit *db, sqlite3_stmt *st, int64_t row_id, bool *found,
               char out[SHA256_HEX_LEN + 1])
{
	sqlite3_reset(st);
	audit_bind_i64(st, 1, row_id);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_DONE) {
		*found = false;
		return 0;
	}
	if (rc != SQLITE_ROW) {
		return audit_fail(db, rc);
	}
	audit_row_hash_cur(st, out);
	*found = true;
	sqlite3_reset(st);
	return 0;
}

/* Appends s and a newline at b + *n. */
static void
audit_put_line(char *b, size_t *n, const char *s, size_t len)
{
	memcpy(b + *n, s, len);
	*n += len;
	b[(*n)++] = '\n';
}

/* The hash of one chain entry: SHA-256 of "prev\ncontent\nseq\ntbl\nrow_id".
 * Built by hand (the walk runs it once per entry); the same bytes as
 * snprintf's "%s\n%s\n%" PRId64 "\n%s\n%" PRId64. */
static void
audit_link_hash(const char *prev, const char *content, int64_t seq,
                const char *tbl, int64_t row_id, char out[SHA256_HEX_LEN + 1])
{
	char b[2 * SHA256_HEX_LEN + 96];
	struct sha256 s;
	uint8_t d[SHA256_LEN];
	size_t lp = strlen(prev);
	size_t lc = strlen(content);
	size_t lt = strlen(tbl);

	sha256_init(&s);
	/* Three newlines, two numbers of at most 20 characters. */
	if (lp + lc + lt + 3 + 2 * 20 < sizeof b) {
		size_t n = 0;
		audit_put_line(b, &n, prev, lp);
		audit_put_line(b, &n, content, lc);
		n += audit_i64_str(seq, b + n);
		b[n++] = '\n';
		audit_put_line(b, &n, tbl, lt);
		n += audit_i64_str(row_id, b + n);
		sha256_update(&s, b, n);
	} else {
		/* Not reached with the table names above; stay exact anyway. */
		struct buf big = { 0 };
		buf_printf(&big, "%s\n%s\n%" PRId64 "\n%s\n%" PRId64, prev,
		           content, seq, tbl, row_id);
		sha256_update(&s, big.data, big.len);
		buf_free(&big);
	}
	sha256_final(&s, d);
	audit_hex(d, out);
}

static const char audit_sql_head[] =
        "SELECT seq, hash FROM chain ORDER BY seq DESC LIMIT 1";
static const char audit_sql_chain_insert[] =
        "INSERT INTO chain(seq, tbl, row_id, content_hash, prev_hash, hash) "
        "VALUES (?, ?, ?, ?, ?, ?)";

/* The last entry as stored: *seq 0 and the zero hash for an empty chain. */
static int
audit_chain_head_read(struct audit *db, int64_t *seq, char hash[65])
{
	sqlite3_stmt *st = NULL;
	int rc = audit_cached(db, audit_sql_head, &st);

	if (rc != 0) {
		return rc;
	}
	*seq = 0;
	memcpy(hash, audit_zero_hash, sizeof audit_zero_hash);
	int s = sqlite3_step(st);
	if (s == SQLITE_ROW) {
		*seq = sqlite3_column_int64(st, 0);
		snprintf(hash, 65, "%s", sqlite3_column_text(st, 1));
	} else if (s != SQLITE_DONE) {
		rc = audit_fail(db, s);
	}
	audit_done(st);
	return rc;
}

/* Inside a write transaction (audit_begin checked data_version), the head
 * kept in memory is the stored one: only this connection appends. */
int
audit_chain_head(struct audit *db, int64_t *seq, char hash[65])
{
	if (db->head_valid) {
		*seq = db->head_seq;
		memcpy(hash, db->head_hash, sizeof db->head_hash);
		return 0;
	}
	int rc = audit_chain_head_read(db, seq, hash);
	if (rc == 0 && !sqlite3_get_autocommit(db->h) &&
	    !(db->flags & AUDIT_READONLY)) {
		db->head_seq = *seq;
		memcpy(db->head_hash, hash, sizeof db->head_hash);
		db->head_valid = true;
	}
	return rc;
}

static int
audit_chain_insert(struct audit *db, int64_t seq, const char *tbl,
                   int64_t row_id, const char *content, const char *prev,
                   char hash[SHA256_HEX_LEN + 1])
{
	sqlite3_stmt *st = NULL;
	int rc = audit_cached(db, audit_sql_chain_insert, &st);

	if (rc != 0) {
		return rc;
	}
	audit_link_hash(prev, content, seq, tbl, row_id, hash);
	audit_bind_i64(st, 1, seq);
	sqlite3_bind_text(st, 2, tbl, -1, SQLITE_STATIC);
	audit_bind_i64(st, 3, row_id);
	sqlite3_bind_text(st, 4, content, SHA256_HEX_LEN, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, prev, SHA256_HEX_LEN, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, hash, SHA256_HEX_LEN, SQLITE_STATIC);
	rc = audit_step_done(db, st);
	audit_done(st);
	return rc;
}

int
audit_chain_row_hash(struct audit *db, const char *tbl, int64_t row_id,
                     bool *found, char out[65])
{
	sqlite3_stmt *st = NULL;
	int idx = audit_chain_index(tbl);

	if (idx < 0) {
		return audit_failf(db, AL_EINVAL, "no chain table %s", tbl);
	}
	int rc = audit_cached(db, audit_chain_tables[idx].row_sql, &st);
	if (rc == 0) {
		rc = audit_row_hash(db, st, row_id, found, out);
	}
	audit_done(st);
	return rc;
}

int
audit_chain_append_hash(struct audit *db, const char *tbl, int64_t row_id,
                        const char *content)
{
	char prev[SHA256_HEX_LEN + 1];
	char hash[SHA256_HEX_LEN + 1];
	int64_t seq = 0;
	int rc = audit_chain_head(db, &seq, prev);

	if (rc == 0) {
		rc = audit_chain_insert(db, seq + 1, tbl, row_id, content, prev,
		                        hash);
	}
	if (rc == 0) {
		db->head_seq = seq + 1;
		memcpy(db->head_hash, hash, sizeof db->head_hash);
		db->head_valid = true;
	} else {
		db->head_valid = false;
	}
	return rc;
}

int
audit_chain_append(struct audit *db, const char *tbl, int64_t row_id)
{
	char content[SHA256_HEX_LEN + 1];
	bool found = false;
	int rc = audit_chain_row_hash(db, tbl, row_id, &found, content);

	if (rc == 0 && !found) {
		rc = audit_failf(db, AL_EDB, "%s row %" PRId64 " vanished", tbl,
		                 row_id);
	}
	if (rc == 0) {
		rc = audit_chain_append_hash(db, tbl, row_id, content);
	}
	return rc;
}

/*
 * One chain table during a verify walk. Chain entries name the rows of a
 * table in id order (except rows re-chained by a prune), so a single scan
 * in id order moves forward in step with the chain instead of one lookup
 * per entry. An entry behind the scan is looked up by id.
 */
struct audit_walk_table {
	sqlite3_stmt *point; /* row_sql */
	sqlite3_stmt *scan;  /* scan_sql */
	bool started;
	bool on_row; /* the scan is on a row, id cur */
	int64_t cur;
};

/* State of one verify walk. */
struct audit_walk {
	struct audit *db;
	struct audit_walk_table t[AUDIT_NCHAIN];
	struct audit_verify_report *r;
	const struct audit_checkpoint *cp;
	bool cp_seen;
	/* Where the chain starts: after the last entry a prune removed (0
	 * and the zero hash when nothing was pruned). */
	int64_t base_seq;
	char base_hash[SHA256_HEX_LEN + 1];
};

static void
audit_bad(struct audit_walk *w, int64_t seq, const char *tbl, int64_t row_id,
          const char *what)
{
	if (w->r->first_bad_row != 0) {
		return;
	}
	w->r->first_bad_row = seq;
	snprintf(w->r->bad_table, sizeof w->r->bad_table, "%s", tbl);
	w->r->bad_row_id = row_id;
	snprintf(w->r->problem, sizeof w->r->problem,
	         "chain entry %" PRId64 " (%s row %" PRId64 "): %s", seq, tbl,
	         row_id, what);
}

/* The content hash of row row_id of table t; *found false when the row is
 * gone. */
static int
audit_walk_row(struct audit_walk *w, struct audit_walk_table *t, int64_t row_id,
               bool *found, char out[SHA256_HEX_LEN + 1])
{
	if (t->started && (!t->on_row || t->cur > row_id)) {
		/* Behind the scan (or past its end): look it up. */
		return audit_row_hash(w->db, t->point, row_id, found, out);
	}
	while (!t->started || (t->on_row && t->cur < row_id)) {
		t->started = true;
		int s = sqlite3_step(t->scan);
		if (s == SQLITE_DONE) {
			t->on_row = false;
			break;
		}
		if (s != SQLITE_ROW) {
			return audit_fail(w->db, s);
		}
		t->on_row = true;
		t->cur = sqlite3_column_int64(t->scan, 0);
	}
	*found = t->on_row && t->cur == row_id;
	if (*found) {
		audit_row_hash_cur(t->scan, out);
	}
	return 0;
}

/* Checks one chain entry against the previous hash and its row. */
static int
audit_walk_entry(struct audit_walk *w, sqlite3_stmt *c, int64_t expect,
                 const char *prev)
{
	char link[SHA256_HEX_LEN + 1];
	char content[SHA256_HEX_LEN + 1];
	bool found = false;
	int64_t seq = sqlite3_column_int64(c, 0);
	const char *tbl = (const char *)sqlite3_column_text(c, 1);
	int64_t row_id = sqlite3_column_int64(c, 2);
	const char *chash = (const char *)sqlite3_column_text(c, 3);
	const char *phash = (const char *)sqlite3_column_text(c, 4);
	const char *hash = (const char *)sqlite3_column_text(c, 5);
	int idx = audit_chain_index(tbl ? tbl : "");

	if (seq != expect) {
		audit_bad(w, expect, tbl ? tbl : "?", row_id,
		          "chain entry missing (deleted or reordered)");
		return 0;
	}
	if (idx < 0 || !chash || !phash || !hash) {
		audit_bad(w, seq, tbl ? tbl : "?", row_id, "malformed entry");
		return 0;
	}
	if (strcmp(phash, prev) != 0) {
		audit_bad(w, seq, tbl, row_id,
		          "link to the previous entry broken (entries "
		          "reordered, removed or inserted)");
		return 0;
	}
	audit_link_hash(phash, chash, seq, tbl, row_id, link);
	if (strcmp(link, hash) != 0) {
		audit_bad(w, seq, tbl, row_id, "chain entry altered");
		return 0;
	}
	int rc = audit_walk_row(w, &w->t[idx], row_id, &found, content);
	if (rc != 0) {
		return rc;
	}
	if (!found) {
		audit_bad(w, seq, tbl, row_id, "row deleted");
	} else if (strcmp(content, chash) != 0) {
		audit_bad(w, seq, tbl, row_id, "row edited");
	}
	return 0;
}

static void
audit_walk_checkpoint(struct audit_walk *w, int64_t seq, const char *hash)
{
	if (w->cp == NULL || seq != w->cp->rows) {
		return;
	}
	w->cp_seen = true;
	if (strcmp(hash, w->cp->head_hash) != 0) {
		audit_bad(
		        w, seq, "chain", seq,
		        "hash differs from the checkpoint (history rewritten)");
	}
}

/* A checkpoint at or before the pruned entries: the one at the prune's
 * last entry is checked against the hash the prune recorded; older ones
 * name history that was deliberately removed and cannot be checked. */
static void
audit_walk_pruned_checkpoint(struct audit_walk *w)
{
	if (w->cp == NULL || w->base_seq == 0 || w->cp->rows > w->base_seq) {
		return;
	}
	w->cp_seen = true;
	if (w->cp->rows == w->base_seq &&
	    strcmp(w->cp->head_hash, w->base_hash) != 0) {
		audit_bad(
		        w, w->base_seq, "chain", w->base_seq,
		        "hash differs from the checkpoint (history rewritten)");
	}
}

/* The latest prune checkpoint, if any: the walk starts after it. The
 * prune row is itself chained, so editing it shows as a broken row. */
static int
audit_walk_base(struct audit_walk *w)
{
	sqlite3_stmt *st = NULL;
	int rc = audit_prepare(w->db,
	                       "SELECT last_seq, last_hash FROM prunes "
	                       "ORDER BY last_seq DESC LIMIT 1",
	                       &st);

	w->base_seq = 0;
	memcpy(w->base_hash, audit_zero_hash, sizeof w->base_hash);
	if (rc != 0) {
		return rc;
	}
	int s = sqlite3_step(st);
	if (s == SQLITE_ROW) {
		const char *h = (const char *)sqlite3_column_text(st, 1);
		w->base_seq = sqlite3_column_int64(st, 0);
		snprintf(w->base_hash, sizeof w->base_hash, "%s", h ? h : "");
	} else if (s != SQLITE_DONE) {
		rc = audit_fail(w->db, s);
	}
	sqlite3_finalize(st);
	w->r->pruned_seq = w->base_seq;
	w->r->rows = w->base_seq;
	return rc;
}

static int
audit_walk_chain(struct audit_walk *w)
{
	char prev[SHA256_HEX_LEN + 1];
	sqlite3_stmt *c = NULL;
	int rc = audit_prepare(w->db,
	                       "SELECT seq, tbl, row_id, content_hash, "
	                       "prev_hash, hash FROM chain ORDER BY seq",
	                       &c);

	int64_t expect = w->base_seq + 1;

	memcpy(prev, w->base_hash, sizeof prev);
	audit_walk_pruned_checkpoint(w);
	while (rc == 0 && w->r->first_bad_row == 0) {
		int s = sqlite3_step(c);
		if (s == SQLITE_DONE) {
			break;
		}
		if (s != SQLITE_ROW) {
			rc = audit_fail(w->db, s);
			break;
		}
		rc = audit_walk_entry(w, c, expect, prev);
		/* As snprintf "%s" would: at most 64 characters, "" for NULL.
		 */
		const char *h = (const char *)sqlite3_column_text(c, 5);
		size_t hl = h ? strnlen(h, SHA256_HEX_LEN) : 0;
		memcpy(prev, h ? h : "", hl);
		prev[hl] = '\0';
		audit_walk_checkpoint(w, expect, prev);
		w->r->rows = expect;
		expect++;
	}
	snprintf(w->r->head_hash, sizeof w->r->head_hash, "%s", prev);
	sqlite3_finalize(c);
	return rc;
}

/* Rows that were inserted without a chain entry. */
static int
audit_walk_unchained(struct audit_walk *w)
{
	for (size_t i = 0; i < AUDIT_NCHAIN && w->r->first_bad_row == 0; i++) {
		sqlite3_stmt *st = NULL;
		int rc = audit_prepare(
		        w->db, audit_chain_tables[i].unchained_sql, &st);
		if (rc != 0) {
			return rc;
		}
		int s = sqlite3_step(st);
		if (s == SQLITE_ROW) {
			audit_bad(w, w->r->rows + 1, audit_chain_tables[i].name,
			          sqlite3_column_int64(st, 0),
			          "row has no chain entry");
		} else if (s != SQLITE_DONE) {
			rc = audit_fail(w->db, s);
		}
		sqlite3_finalize(st);
		if (rc != 0) {
			return rc;
		}
	}
	return 0;
}

static int
audit_walk_run(struct audit_walk *w)
{
	int rc = 0;

	for (size_t i = 0; i < AUDIT_NCHAIN && rc == 0; i++) {
		rc = audit_prepare(w->db, audit_chain_tables[i].row_sql,
		                   &w->t[i].point);
		if (rc == 0) {
			rc = audit_prepare(w->db,
			                   audit_chain_tables[i].scan_sql,
			                   &w->t[i].scan);
		}
	}
	if (rc == 0) {
		rc = audit_walk_base(w);
	}
	if (rc == 0) {
		rc = audit_walk_chain(w);
	}
	if (rc == 0) {
		rc = audit_walk_unchained(w);
	}
	if (rc == 0 && w->cp != NULL && !w->cp_seen && w->cp->rows > 0 &&
	    w->r->first_bad_row == 0) {
		audit_bad(w, w->r->rows + 1, "chain", w->cp->rows,
		          "chain truncated: shorter than the checkpoint");
	}
	for (size_t i = 0; i < AUDIT_NCHAIN; i++) {
		sqlite3_finalize(w->t[i].point);
		sqlite3_finalize(w->t[i].scan);
	}
	return rc;
}

static int
audit_verify_against_on(struct audit *db, const struct audit_checkpoint *cp,
                        struct audit_verify_report *out)
{
	struct audit_verify_report r = { 0 };
	struct audit_walk w = { .db = db, .r = &r, .cp = cp };

	audit_lock(db);
	/* One read transaction: the walk sees one consistent snapshot. */
	int rc = audit_exec(db, "BEGIN");
	if (rc == 0) {
		rc = audit_walk_run(&w);
		audit_rollback(db);
	}
	audit_unlock(db);
	if (rc == 0) {
		*out = r;
	}
	return rc;
}

int
audit_verify(struct audit *db, struct audit_verify_report *out)
{
	return audit_verify_against(db, NULL, out);
}

static int
audit_checkpoint_on(struct audit *db, struct audit_checkpoint *out)
{
	struct audit_checkpoint cp = { 0 };

	audit_lock(db);
	int rc = audit_chain_head_read(db, &cp.rows, cp.head_hash);
	audit_unlock(db);
	if (rc == 0) {
		*out = cp;
	}
	return rc;
}

int
audit_verify_against(struct audit *db, const struct audit_checkpoint *cp,
                     struct audit_verify_report *out)
{
	struct audit *r = audit_reader(db);

	return audit_read_done(db, r, audit_verify_against_on(r, cp, out));
}

int
audit_checkpoint(struct audit *db, struct audit_checkpoint *out)
{
	struct audit *r = audit_reader(db);

	return audit_read_done(db, r, audit_checkpoint_on(r, out));
}
