/* History queries: text (trigram substring, unicode61 words, or a LIKE
 * scan of recent rows for very short text) combined with filters, newest
 * first. The SQL is assembled from fixed fragments; user text only ever
 * reaches SQLite as a bound parameter, quoted as an FTS5 string. */
#include "core/audit.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include <sqlite3.h>

#include "core/al.h"
#include "core/audit_internal.h"
#include "core/buf.h"

#define AUDIT_DEFAULT_LIMIT 50
#define AUDIT_MAX_PARAMS    96
/* Words of a word query matched in the unindexed tail; more would only
 * narrow it further (the tail may then hold a few extra rows). */
#define AUDIT_TAIL_WORDS 16

struct audit_param {
	const char *text; /* NULL for an integer */
	int64_t num;
};

/* Which rows a text query reads: everything (no index), the indexed
 * rows through the FTS tables, or the tail above the index's watermark
 * (not yet indexed: audit_index.c) by a scan. */
enum audit_part {
	AUDIT_PART_ALL = 0,
	AUDIT_PART_INDEXED,
	AUDIT_PART_TAIL,
};

struct audit_sql {
	enum audit_part part;
	int64_t through; /* the watermark, for the two parts */
	int limit;
	struct buf sql;
	/* text built here: FTS query, LIKE pattern, project directory and
	 * its prefix */
	struct buf owned[4];
	struct audit_param p[AUDIT_MAX_PARAMS];
	int np;
	char order[32]; /* the id column to page and sort on */
};

static void
audit_sql_text(struct audit_sql *q, const char *fragment, const char *v)
{
	buf_puts(&q->sql, fragment);
	q->p[q->np++] = (struct audit_param){ .text = v };
}

static void
audit_sql_num(struct audit_sql *q, const char *fragment, int64_t v)
{
	buf_puts(&q->sql, fragment);
	q->p[q->np++] = (struct audit_param){ .num = v };
}

/* Characters, not bytes: the trigram tokenizer counts code points. */
static size_t
audit_utf8_len(const char *s)
{
	size_t n = 0;

	for (; *s; s++) {
		if (((unsigned char)*s & 0xc0) != 0x80) {
			n++;
		}
	}
	return n;
}

/* One FTS5 string: "..." with embedded quotes doubled. */
static void
audit_fts_quote(struct buf *b, const char *s, size_t n)
{
	buf_putc(b, '"');
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '"') {
			buf_putc(b, '"');
		}
		buf_putc(b, s[i]);
	}
	buf_putc(b, '"');
}

/* Every whitespace-separated word quoted; FTS5 ANDs adjacent strings. */
static void
audit_fts_words(struct buf *b, const char *s)
{
	while (*s) {
		while (*s && isspace((unsigned char)*s)) {
			s++;
		}
		size_t n = 0;
		while (s[n] && !isspace((unsigned char)s[n])) {
			n++;
		}
		if (n > 0) {
			if (b->len > 0) {
				buf_putc(b, ' ');
			}
			audit_fts_quote(b, s, n);
		}
		s += n;
	}
}

static void
audit_like_pattern(struct buf *b, const char *s)
{
	buf_putc(b, '%');
	for (; *s; s++) {
		if (*s == '%' || *s == '_' || *s == '\\') {
			buf_putc(b, '\\');
		}
		buf_putc(b, *s);
	}
	buf_putc(b, '%');
}

/* " AND (summary, tool_input, reason or result contains pattern)". */
static void
audit_sql_like4(struct audit_sql *q, const char *like)
{
	audit_sql_text(q, " AND (a.summary LIKE ? ESCAPE '\\'", like);
	audit_sql_text(q, " OR a.tool_input LIKE ? ESCAPE '\\'", like);
	audit_sql_text(q, " OR a.reason LIKE ? ESCAPE '\\'", like);
	audit_sql_text(q, " OR a.result LIKE ? ESCAPE '\\')", like);
}

/* The rows above the watermark, which the index does not hold yet: the
 * same text by LIKE (each word for a word query: a substring there, a
 * token in the index; the tail is the last few seconds of calls). */
static void
audit_sql_tail(struct audit_sql *q, const struct audit_query *aq)
{
	buf_puts(&q->sql, AUDIT_ACTION_FROM + 1);
	audit_sql_num(q, " WHERE a.id > ?", q->through);
	if (aq->match != AUDIT_MATCH_WORDS) {
		audit_like_pattern(&q->owned[1], aq->text);
		audit_sql_like4(q, q->owned[1].data);
		return;
	}
	/* owned[0] holds the quoted words; patterns go to owned[1], one
	 * after another, NUL-separated (the buffer is not grown again
	 * once the pointers are taken). */
	const char *t = aq->text;
	struct buf *b = &q->owned[1];
	size_t offs[AUDIT_TAIL_WORDS];
	int n = 0;
	while (*t && n < (int)(sizeof offs / sizeof offs[0])) {
		while (*t && isspace((unsigned char)*t)) {
			t++;
		}
		size_t len = 0;
		while (t[len] && !isspace((unsigned char)t[len])) {
			len++;
		}
		if (len == 0) {
			break;
		}
		char word[256];
		snprintf(word, sizeof word, "%.*s",
		         (int)(len < sizeof word ? len : sizeof word - 1), t);
		offs[n++] = b->len;
		audit_like_pattern(b, word);
		buf_putc(b, '\0');
		t += len;
	}
	for (int i = 0; i < n; i++) {
		audit_sql_like4(q, b->data + offs[i]);
	}
}

/* The FROM/WHERE start for the text part of the query. */
static void
audit_sql_match(struct audit_sql *q, const struct audit_query *aq)
{
	const char *t = aq->text;
	const char *fts =
	        aq->match == AUDIT_MATCH_WORDS ? "actions_word" : "actions_tri";

	if (q->part == AUDIT_PART_TAIL) {
		audit_sql_tail(q, aq);
		return;
	}
	if (q->owned[0].len > 0) {
		/* Driving from the FTS table in rowid order makes "newest
		 * first, stop at the limit" cheap. */
		buf_printf(&q->sql,
		           "FROM %s JOIN actions a ON a.id = %s.rowid"
		           " LEFT JOIN finals f ON f.action_id = a.id WHERE ",
		           fts, fts);
		buf_puts(&q->sql, fts);
		audit_sql_text(q, " MATCH ?", q->owned[0].data);
		buf_printf(&q->sql, " AND %s.rowid <= ?", fts);
		q->p[q->np++] = (struct audit_param){ .num = q->through };
		/* Sorting on the FTS rowid lets FTS5 return newest first
		 * itself; sorting on a.id would sort every match. */
		snprintf(q->order, sizeof q->order, "%s.rowid", fts);
		return;
	}
	buf_puts(&q->sql, AUDIT_ACTION_FROM + 1);
	buf_puts(&q->sql, " WHERE 1");
	if (aq->match == AUDIT_MATCH_WORDS) {
		return; /* no word in the text: no text condition */
	}
	audit_like_pattern(&q->owned[1], t);
	audit_sql_like4(q, q->owned[1].data);
	audit_sql_num(q,
	              " AND a.id > (SELECT coalesce(max(id), 0) FROM "
	              "actions) - ?",
	              AUDIT_SHORT_SCAN_ROWS);
}

/* "Unsupervised": calls that ran without an airlock decision. Two kinds
 * of rows say so: a row an "unsupervised" alert names (a transcript
 * import found a call the hook never saw), and a PostToolUse /
 * PostToolUseFailure event the hook recorded for a tool_use_id that no
 * hook-recorded call with a verdict has (the daemon's coverage check:
 * the tool ran, the hook was never asked). */
#define AUDIT_UNSUPERVISED_SQL                                                \
	" AND (a.id IN (SELECT action_id FROM alerts WHERE kind = "           \
	"'" AUDIT_ALERT_UNSUPERVISED "' AND action_id IS NOT NULL)"           \
	" OR (a.hook_event IN ('PostToolUse', 'PostToolUseFailure')"          \
	" AND a.source IS NOT '" AUDIT_SOURCE_IMPORT "'"                      \
	" AND a.tool_use_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM"        \
	" actions b WHERE b.tool_use_id = a.tool_use_id AND b.verdict IS NOT" \
	" NULL AND b.source IS NOT '" AUDIT_SOURCE_IMPORT "')))"

/* project, approver, risk category, unsupervised. */
static void
audit_sql_filters(struct audit_sql *q, const struct audit_query *aq)
{
	if (aq->project != NULL && aq->project[0] != '\0') {
		struct buf *dir = &q->owned[2];
		struct buf *under = &q->owned[3];
		buf_puts(dir, aq->project);
		while (dir->len > 1 && dir->data[dir->len - 1] == '/') {
			dir->data[--dir->len] = '\0';
		}
		/* A prefix test, case-sensitive (LIKE folds ASCII case):
		 * DIR itself or below "DIR/", never a sibling such as DIRx. */
		buf_puts(under, dir->data);
		if (dir->len > 1) {
			buf_putc(under, '/');
		}
		audit_sql_text(q, " AND (a.cwd = ?", dir->data);
		audit_sql_text(q, " OR instr(a.cwd, ?) = 1)", under->data);
	}
	if (aq->approver != NULL) {
		audit_sql_text(q, " AND f.approver = ?", aq->approver);
	}
	if (aq->risk_mask != 0) {
		audit_sql_num(q, " AND (a.risk_mask & ?) != 0",
		              (int64_t)aq->risk_mask);
	}
	if (aq->unsupervised) {
		buf_puts(&q->sql, AUDIT_UNSUPERVISED_SQL);
	}
}

static void
audit_sql_build(struct audit_sql *q, const struct audit_query *aq)
{
	bool has_text = aq->text != NULL && aq->text[0] != '\0';
	char frag[64];

	snprintf(q->order, sizeof q->order, "a.id");
	buf_puts(&q->sql, "SELECT " AUDIT_ACTION_COLS " ");
	if (has_text) {
		audit_sql_match(q, aq);
	} else {
		buf_puts(&q->sql, AUDIT_ACTION_FROM + 1);
		buf_puts(&q->sql, " WHERE 1");
	}
	if (aq->session_id != NULL) {
		audit_sql_text(q, " AND a.session_id = ?", aq->session_id);
	}
	if (aq->tool_name != NULL) {
		audit_sql_text(q, " AND a.tool_name = ?", aq->tool_name);
	}
	if (aq->verdict != NULL) {
		audit_sql_text(q, " AND a.verdict = ?", aq->verdict);
	}
	audit_sql_filters(q, aq);
	if (aq->since_ms > 0) {
		audit_sql_num(q, " AND a.received_ms >= ?", aq->since_ms);
	}
	if (aq->until_ms > 0) {
		audit_sql_num(q, " AND a.received_ms <= ?", aq->until_ms);
	}
	if (aq->before_id > 0) {
		snprintf(frag, sizeof frag, " AND %s < ?", q->order);
		audit_sql_num(q, frag, aq->before_id);
	}
	snprintf(frag, sizeof frag, " ORDER BY %s DESC LIMIT ?", q->order);
	audit_sql_num(q, frag, q->limit);
}

static void
audit_sql_bind(const struct audit_sql *q, sqlite3_stmt *st)
{
	for (int i = 0; i < q->np; i++) {
		if (q->p[i].text != NULL) {
			audit_bind_text(st, i + 1, q->p[i].text, AUDIT_TEXT_ID);
		} else {
			audit_bind_i64(st, i + 1, q->p[i].num);
		}
	}
}

/* The FTS query text of aq in owned[0]; empty when the index is not
 * used (no text, a word query without words, or under 3 characters). */
static void
audit_sql_fts_text(struct audit_sql *q, const struct audit_query *aq)
{
	const char *t = aq->text;

	if (t == NULL || t[0] == '\0') {
		return;
	}
	if (aq->match == AUDIT_MATCH_WORDS) {
		audit_fts_words(&q->owned[0], t);
	} else if (audit_utf8_len(t) >= 3) {
		audit_fts_quote(&q->owned[0], t, strlen(t));
	}
}

static void
audit_sql_free(struct audit_sql *q)
{
	buf_free(&q->sql);
	for (size_t i = 0; i < sizeof q->owned / sizeof q->owned[0]; i++) {
		buf_free(&q->owned[i]);
	}
}

/* Runs one part and appends its rows to l (the caller holds the lock). */
static int
audit_query_part(struct audit *db, const struct audit_query *aq,
                 enum audit_part part, int64_t through, int limit,
                 struct audit_actions *l)
{
	struct audit_sql q = { .part = part,
		               .through = through,
		               .limit = limit };
	sqlite3_stmt *st = NULL;

	audit_sql_fts_text(&q, aq);
	audit_sql_build(&q, aq);
	int rc = audit_prepare(db, q.sql.data, &st);
	if (rc == 0) {
		audit_sql_bind(&q, st);
		rc = audit_collect(db, st, l);
		sqlite3_finalize(st);
	}
	audit_sql_free(&q);
	return rc;
}

/* Whether aq searches through the FTS tables. */
static bool
audit_query_indexed(const struct audit_query *aq)
{
	struct audit_sql q = { 0 };

	audit_sql_fts_text(&q, aq);
	bool indexed = q.owned[0].len > 0;
	audit_sql_free(&q);
	return indexed;
}

/* Newest first: the unindexed tail (the newest ids), then the index. */
static int
audit_query_on(struct audit *db, const struct audit_query *aq,
               audit_action_fn fn, void *arg)
{
	struct audit_actions l = { 0 };
	int limit = aq->limit > 0 ? aq->limit : AUDIT_DEFAULT_LIMIT;
	int64_t through = 0;
	int rc = 0;

	audit_lock(db);
	if (!audit_query_indexed(aq)) {
		rc = audit_query_part(db, aq, AUDIT_PART_ALL, 0, limit, &l);
	} else {
		rc = audit_index_through(db, &through);
		if (rc == 0) {
			rc = audit_query_part(db, aq, AUDIT_PART_TAIL, through,
			                      limit, &l);
		}
		if (rc == 0 && l.n < (size_t)limit) {
			rc = audit_query_part(db, aq, AUDIT_PART_INDEXED,
			                      through, limit - (int)l.n, &l);
		}
	}
	audit_unlock(db);
	if (rc == 0) {
		rc = audit_actions_emit(&l, fn, arg);
	}
	audit_actions_free(&l);
	return rc;
}

int
audit_query(struct audit *db, const struct audit_query *aq, audit_action_fn fn,
            void *arg)
{
	struct audit *r = audit_reader(db);

	return audit_read_done(db, r, audit_query_on(r, aq, fn, arg));
}
