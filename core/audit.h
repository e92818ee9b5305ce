#ifndef AIRLOCK_CORE_AUDIT_H
#define AIRLOCK_CORE_AUDIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/action.h"

/*
 * The audit store: one SQLite database (WAL) owned by the daemon; other
 * processes open it read-only. Every write is durable when the call
 * returns (the daemon replies to a hook only after that). Rows are chained
 * by hash so that `airlock verify` detects edits, deletions and
 * reordering. Secrets are redacted in one place before storage.
 */
struct audit;

enum audit_open_flags {
	AUDIT_READONLY = 1 << 0,
	/* Run PRAGMA quick_check on a read-only open too. Read-write opens
	 * (the daemon, once at start) always check a file database; read-only
	 * opens skip it by default because it reads the whole file and the
	 * CLI must answer in milliseconds. */
	AUDIT_QUICK_CHECK = 1 << 1,
	/* Read-write file stores: WAL checkpoints run on a thread of the
	 * store's own (with its own connection, PASSIVE) instead of inside
	 * the commit that crosses the WAL threshold, so no record's commit
	 * waits for the database file's write and fsync (the daemon). */
	AUDIT_BG_CHECKPOINT = 1 << 2,
};

/* The schema version this build writes (PRAGMA user_version). */
#define AUDIT_SCHEMA_VERSION 4

/* Opens or creates (unless AUDIT_READONLY) the store at path (":memory:"
 * works); migrates the schema. The caller closes *out. On failure *out is
 * untouched and, if errmsg is not NULL, *errmsg is set to a message the
 * caller frees. A read-write open is WAL with synchronous=FULL and a 5 s
 * busy timeout; a read-only open (SQLITE_OPEN_READONLY) waits 2 s and
 * never migrates: an older or newer schema is AL_EVERSION. A file that is
 * not a database or fails quick_check is AL_EDB with "corrupt" in the
 * message. Calls on one store are serialised by a mutex, so the daemon's
 * threads may share it; callbacks run outside that lock. */
int audit_open(struct audit **out, const char *path, int flags, char **errmsg);
void audit_close(struct audit *db); /* NULL is a no-op */
/* The last SQLite error text of this store; borrowed. */
const char *audit_errmsg(const struct audit *db);

/* A hook event that could not be parsed: a bounded copy of the raw bytes,
 * the SHA-256 of all of them, and why it was refused. */
struct audit_malformed {
	const char *raw;
	size_t raw_len;  /* bytes in raw (already bounded by the caller) */
	size_t full_len; /* size of the whole event */
	const char *sha256_hex;
	const char *reason;
	int64_t received_ms;
	int64_t peer_uid;
	int64_t peer_pid;
};

/* Records a call (an action: the event plus the policy's verdict and, for
 * an auto-decision, its final state ACTION_DECIDED; for ask, state
 * ACTION_PENDING). Sets a->id. Durable on return. A request_id already
 * recorded returns AL_EEXIST and leaves the store unchanged. */
int audit_record_action(struct audit *db, struct action *a);
/* Records the end of a pending action (approved, denied, timed out,
 * abandoned) with who and why, from a's final fields. AL_EEXIST when the
 * action already has a final decision (the first decision wins), AL_ENOENT
 * when there is no such pending action. */
int audit_record_final(struct audit *db, const struct action *a);
/* Records a non-decision event (SessionStart, PostToolUse, Stop, ...) as
 * an action in state ACTION_DECIDED with verdict NULL. Sets a->id. */
int audit_record_event(struct audit *db, struct action *a);
int audit_record_malformed(struct audit *db, const struct audit_malformed *m);

/* Batches (the daemon's group commit, transcript import, generators):
 * records between these share one transaction. A record refused before
 * it wrote anything (AL_EEXIST for a request id already recorded, a final
 * for an action that is not pending) leaves the batch intact; a record
 * that fails after writing aborts the batch: every later record fails
 * and audit_batch_end(db, true) rolls it all back and returns an error.
 * Nothing is durable until audit_batch_end(db, true) returns 0 (one
 * synchronous=FULL commit); false rolls the whole batch back. A caller
 * must reply to nobody about a record before that. The batch belongs to
 * the thread that began it: other threads' calls on db wait until it
 * ends, except lookups on a file store, which run on a separate read-only
 * connection and see committed rows only. AL_ESTATE when nested or not
 * in a batch. */
int audit_batch_begin(struct audit *db);
int audit_batch_end(struct audit *db, bool commit);

/*
 * The search index (issue 8). By default a record writes its rows in
 * both FTS tables in its own transaction. A store whose index is deferred
 * (the daemon: a decision's commit then writes only its row and chain
 * entry, half the pages and none of the tokenising) leaves that to
 * audit_index_backlog(), which indexes the oldest unindexed actions in
 * id order. Searches are exact either way: audit_query() scans the rows
 * above the index's watermark (fts_state.through) with LIKE and takes
 * the rest from the index; a non-deferred writer that finds a backlog
 * leaves its rows to the backlog too.
 */
void audit_set_index_deferred(struct audit *db, bool deferred);
/* Indexes up to max_rows unindexed actions in one transaction committed
 * with synchronous=NORMAL (the index is derived from the durable rows: a
 * power cut can only roll it back together with its watermark; the next
 * FULL commit makes it durable). *left (may be NULL): actions still
 * unindexed afterwards. Not inside a batch (AL_ESTATE). */
int audit_index_backlog(struct audit *db, int max_rows, int64_t *left);
/* Actions not yet indexed (a query when not known from this store's own
 * writes). */
int audit_index_lag(struct audit *db, int64_t *lag);

/* Looks up by id or request id; *out is a new action the caller frees. */
int audit_get(struct audit *db, int64_t id, struct action **out);
int audit_find_request(struct audit *db, const char *request_id,
                       struct action **out);

typedef int (*audit_action_fn)(const struct action *a, void *arg);

/* Calls fn for each pending action, oldest first. fn returning non-zero
 * stops the walk and that value is returned. */
int audit_list_pending(struct audit *db, audit_action_fn fn, void *arg);

enum audit_match {
	/* Substring of summary, tool_input or reason (trigram index), case
	 * insensitive; text under 3 characters scans the most recent
	 * AUDIT_SHORT_SCAN_ROWS actions with LIKE. */
	AUDIT_MATCH_SUBSTRING = 0,
	/* Every whitespace-separated word of text, as whole words in any
	 * order (unicode61 index): "push origin" finds "git push -f origin". */
	AUDIT_MATCH_WORDS,
};

#define AUDIT_SHORT_SCAN_ROWS 20000

struct audit_query {
	const char *text;       /* substring / word search, or NULL */
	const char *session_id; /* filters, NULL for any */
	const char *tool_name;
	const char *verdict;
	int64_t since_ms; /* 0 for no bound */
	int64_t until_ms;
	int limit; /* 0 means 50 */
	enum audit_match match;
	/* Keyset paging: only ids below this (0 for no bound); pass the last
	 * id of the previous page. */
	int64_t before_id;
	/* Additive filters (NULL / 0 / false for any). project: the call's
	 * cwd is DIR or below it (DIR without a trailing slash). approver:
	 * the Unix user who decided it (finals.approver). risk_mask: any of
	 * these RISK_BIT()s among its findings. unsupervised: calls that ran
	 * without an airlock decision (see audit_query.c: rows an
	 * "unsupervised" alert names, and PostToolUse/PostToolUseFailure
	 * events whose tool_use_id no hook-recorded call with a verdict
	 * has). */
	const char *project;
	const char *approver;
	uint32_t risk_mask;
	bool unsupervised;
};

/* Calls fn for matching actions, newest first. User text is never FTS
 * syntax: it is always quoted as an FTS5 string. The actions passed to fn
 * are borrowed for the call; fn may call back into the store. */
int audit_query(struct audit *db, const struct audit_query *q,
                audit_action_fn fn, void *arg);

struct audit_verify_report {
	int64_t rows;          /* rows checked */
	int64_t first_bad_row; /* 0 when the chain is intact */
	char head_hash[65];    /* the last row's chain hash */
	char problem[160];     /* what is wrong with first_bad_row */
	/* Additive: the broken row itself. first_bad_row is the chain
	 * sequence number at which the problem shows (for a row with no chain
	 * entry, rows + 1); bad_table/bad_row_id name the table row. */
	char bad_table[24];
	int64_t bad_row_id;
	/* Additive: the chain entries up to this sequence number were
	 * removed by audit_prune (0 when none were); the walk started after
	 * them, from the hash the prune recorded. rows is still the last
	 * sequence number checked, so rows - pruned_seq entries were read. */
	int64_t pruned_seq;
};

/*
 * The chain: every row of every table gets an entry in table `chain`
 * (seq, tbl, row_id, content_hash, prev_hash, hash), written in the same
 * transaction as the row. content_hash is the SHA-256 of a canonical
 * serialisation of the row's recorded columns; hash is the SHA-256 of
 * "prev_hash\ncontent_hash\nseq\ntbl\nrow_id" (hex and decimal text),
 * prev_hash of the first entry is 64 zeros. Mutable bookkeeping (a
 * session's last_seen_ms and permission_mode) is outside the chain; an
 * alert's acknowledgement gets its own entry (tbl "alert_acks").
 */

/* Recomputes the hash chain. Returns 0 when it could be checked (look at
 * first_bad_row), an AL_E* code when the database could not be read.
 * Detects edited, deleted, reordered and unchained rows; truncation of
 * the tail needs a checkpoint (audit_verify_against). Reads everything:
 * run it on its own read-only store, not the daemon's. */
int audit_verify(struct audit *db, struct audit_verify_report *out);

/* A witness of the chain: its length and head hash, to be kept outside
 * the database (console, witness file). */
struct audit_checkpoint {
	int64_t rows;
	char head_hash[65]; /* 64 zeros for an empty chain */
};

int audit_checkpoint(struct audit *db, struct audit_checkpoint *out);
/* audit_verify, and the chain must still hold cp: at least cp->rows
 * entries, entry cp->rows having hash cp->head_hash. */
int audit_verify_against(struct audit *db, const struct audit_checkpoint *cp,
                         struct audit_verify_report *out);

/* An alert (repeated denials, new egress host, tamper attempt,
 * unsupervised execution, audit write failure ...). Strings are borrowed
 * when recording; in a listing they are borrowed for the callback. */
struct audit_alert {
	int64_t id;
	const char *kind; /* short machine name: "tamper", "unsupervised" */
	const char *session_id;
	int64_t action_id; /* 0 when not about one action */
	const char *message;
	int64_t created_ms;
	const char *acked_by; /* NULL until acknowledged */
	int64_t acked_uid;
	int64_t acked_ms; /* 0 until acknowledged */
};

typedef int (*audit_alert_fn)(const struct audit_alert *al, void *arg);

/* Records an alert (kind and created_ms required); sets al->id. */
int audit_record_alert(struct audit *db, struct audit_alert *al);
/* Calls fn for alerts, newest first, at most limit (0 means 50); only the
 * unacknowledged ones when unacked_only. */
int audit_list_alerts(struct audit *db, bool unacked_only, int limit,
                      audit_alert_fn fn, void *arg);
/* Acknowledges alert id: AL_ENOENT when there is none, AL_EEXIST when it
 * was already acknowledged (the first acknowledgement is kept). */
int audit_ack_alert(struct audit *db, int64_t id, const char *by, int64_t uid,
                    int64_t ms);

/* ---- Review: sessions, daily statistics, export, reconciliation ------
 * (core/audit_extra.c) */

/* A session and what it did. Strings are borrowed for the callback. */
struct audit_session_info {
	const char *session_id;
	const char *cwd; /* the first cwd it was seen with */
	const char *permission_mode;
	int64_t first_seen_ms;
	int64_t last_seen_ms;
	int64_t calls;    /* tool calls the hook saw (verdict recorded) */
	int64_t asked;    /* of which the policy asked a human */
	int64_t denied;   /* denied by policy or by a human */
	int64_t events;   /* other hook events (PostToolUse, Stop, ...) */
	int64_t imported; /* calls imported from a transcript */
	int64_t alerts;
};

typedef int (*audit_session_fn)(const struct audit_session_info *s, void *arg);

/* Calls fn for sessions, most recently seen first, at most limit (0 means
 * 50). fn returning non-zero stops the walk and that value is returned. */
int audit_list_sessions(struct audit *db, int limit, audit_session_fn fn,
                        void *arg);

/* One UTC day of calls. */
struct audit_day {
	char day[11];      /* YYYY-MM-DD */
	int64_t calls;     /* tool calls the hook saw */
	int64_t allowed;   /* allowed by policy at once */
	int64_t asked;     /* sent to a human */
	int64_t denied;    /* denied by policy or by a human */
	int64_t timed_out; /* asked, nobody decided in time */
	int64_t imported;  /* calls imported from a transcript */
	int64_t decided;   /* asked calls a human approved or denied */
	/* Median of decided_ms - received_ms over the `decided` calls; -1
	 * when there are none. */
	int64_t median_decide_ms;
};

typedef int (*audit_day_fn)(const struct audit_day *d, void *arg);

/* Calls fn per day with calls received in [since_ms, until_ms] (0: no
 * bound), oldest day first. Reads every call in the range once; memory
 * is bounded by one day's decided calls. */
int audit_stats_daily(struct audit *db, int64_t since_ms, int64_t until_ms,
                      audit_day_fn fn, void *arg);

/* A page of actions in id order, for export. */
struct audit_range {
	int64_t after_id; /* only ids above this; pass the last id seen */
	int64_t since_ms; /* received_ms bounds, 0 for none */
	int64_t until_ms;
	int limit; /* 0 means 1000 */
};

/* Calls fn for the actions of r, oldest (lowest id) first; the actions
 * are borrowed for the call. Page with after_id = the last id. */
int audit_scan_actions(struct audit *db, const struct audit_range *r,
                       audit_action_fn fn, void *arg);

/* What the store holds about one tool_use_id (0 where there is none). */
struct audit_tool_use {
	int64_t decided_id;  /* a hook-recorded call with a verdict */
	int64_t event_id;    /* another hook event (PostToolUse ...) */
	int64_t imported_id; /* a call imported from a transcript */
};

int audit_find_tool_use(struct audit *db, const char *tool_use_id,
                        struct audit_tool_use *out);
/* *out true when the hook recorded anything for session_id (any action
 * whose source is not "import"): the session ran under airlock. */
int audit_session_supervised(struct audit *db, const char *session_id,
                             bool *out);

/* What the store remembers of a session, for a daemon that meets it for
 * the first time since it started: the directory the session was first
 * seen in (its project), and its first action marked tainted. */
struct audit_session_recall {
	char *project;        /* NULL: the store has never seen the session */
	int64_t tainted_id;   /* 0: no action of the session is tainted */
	char *tainted_reason; /* that action's reason (may be NULL) */
};

/* Fills *out (cleared first; the caller clears it after use). */
int audit_session_recall(struct audit *db, const char *session_id,
                         struct audit_session_recall *out);
void audit_session_recall_clear(struct audit_session_recall *r);

/* ---- Retention (core/audit_prune.c) ------------------------------------ */

struct audit_prune_report {
	int64_t last_seq;        /* the last chain entry removed; 0: nothing */
	char last_hash[65];      /* its hash: where verification now starts */
	int64_t entries_removed; /* chain entries */
	int64_t rows_removed;    /* rows of actions, finals, sessions, ... */
	int64_t rechained;       /* rows of the prefix kept and re-chained */
	int64_t prune_id;        /* the `prunes` row recorded; 0: none */
};

/*
 * Removes the history recorded before before_ms, in one transaction that
 * keeps the chain verifiable. What goes is a prefix of the chain: every
 * entry recorded before the first call received at or after before_ms,
 * but never a call still pending, nor a call whose final is kept. The
 * rows of those entries are deleted (calls with their FTS entries,
 * finals, malformed events, acknowledged alerts, sessions with no later
 * call); rows still in use (sessions with later calls, unacknowledged
 * alerts, earlier prune records) stay and get new chain entries, after a
 * check that their content is still what was chained (AL_EDB and nothing
 * removed otherwise). A `prunes` row, chained like any other, records
 * before_ms, now_ms, by/by_uid, the counts, and the sequence number and
 * hash of the last removed entry: audit_verify starts from there, and a
 * witness checkpoint older than it can no longer be checked. Sequence
 * numbers are never reused. Nothing to remove is success with
 * out->last_seq 0 and nothing recorded. Holds the store for its whole
 * run: prune in steps (older dates first) on a busy daemon.
 */
int audit_prune(struct audit *db, int64_t before_ms, int64_t now_ms,
                const char *by, int64_t by_uid, struct audit_prune_report *out);

/* ---- Alert rules (core/audit_alerts.c) ----------------------------------
 * Lookups the daemon's alert rules make after each decision; all read
 * committed rows (the reader connection of a file store). */

/* Policy denials (verdict deny) plus human denials (final state denied)
 * of session_id, into *out. */
int audit_session_denials(struct audit *db, const char *session_id,
                          int64_t *out);
/* Alerts of kind for session_id (NULL: alerts about no session), into
 * *out. */
int audit_count_alerts(struct audit *db, const char *kind,
                       const char *session_id, int64_t *out);
/* *out true when an action with an id below before_id (0: any) names
 * host among its network destinations. Indexed: candidates come from the
 * trigram index (the host appears in the call's text), the most recent
 * AUDIT_SHORT_SCAN_ROWS calls are scanned for the rest (a host under 3
 * characters, or one that only the classifier spelled out). */
int audit_host_seen(struct audit *db, const char *host, int64_t before_id,
                    bool *out);
/* Calls fn once with alert id (strings borrowed for the call); AL_ENOENT
 * when there is none. fn's return value is returned. */
int audit_get_alert(struct audit *db, int64_t id, audit_alert_fn fn, void *arg);

/* Alert kinds raised by the daemon's rules (ipc/daemon_alerts.c). */
#define AUDIT_ALERT_DENIALS   "denials"
#define AUDIT_ALERT_NEW_HOST  "new_host"
#define AUDIT_ALERT_PRIVILEGE "privilege"
#define AUDIT_ALERT_TAMPER    "tamper"
/* The first row of a database started after a corrupt one was set aside:
 * names the old file and its SHA-256. */
#define AUDIT_ALERT_CORRUPT "audit_corrupt"

/* The source recorded for calls imported from a transcript. */
#define AUDIT_SOURCE_IMPORT "import"
/* The kind of the alert for a call that ran without passing the hook. */
#define AUDIT_ALERT_UNSUPERVISED "unsupervised"

#endif
