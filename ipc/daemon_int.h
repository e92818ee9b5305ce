#ifndef AIRLOCK_IPC_DAEMON_INT_H
#define AIRLOCK_IPC_DAEMON_INT_H

/* Internal to the daemon's files (daemon*.c): the shared state. Everything
 * below `mu` is guarded by it; nng callbacks run on nng's threads. */

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include <nng/nng.h>

#include "core/action.h"
#include "core/audit.h"
#include "core/paths.h"
#include "core/policy.h"
#include "ipc/daemon.h"
#include "ipc/doctor.h"

struct daemon;
struct repctx;

/* Handles one request; returns the reply to send now, or NULL when the
 * context is held (it will be answered later through daemon_reply()). */
typedef nng_msg *(*daemon_handler_fn)(struct daemon *d, struct repctx *rc,
                                      nng_msg *req);

struct hooksrv;
struct hs_conn;

struct server {
	struct daemon *d;
	nng_socket sock;
	nng_listener listener;
	char *url;
	daemon_handler_fn handler;
	size_t recv_max;
};

enum repctx_state {
	REPCTX_RECV,
	REPCTX_HELD,
	REPCTX_SEND,
};

/* One request in flight: receive -> (held) -> send -> freed. */
struct repctx {
	struct server *srv;
	/* nng's REP (the control socket): */
	nng_ctx ctx;
	nng_aio *aio;
	/* or the hook server's connection (daemon_hooksrv.c) and the SP
	 * request id to answer with: */
	struct hs_conn *conn;
	uint32_t sp_id;
	enum repctx_state state;
	uint32_t pipe_id;
	uint64_t peer_uid; /* of the connection; UINT64_MAX when unknown */
	char request_id[33];
};

struct waiter {
	struct repctx *rc;
	struct waiter *next;
};

/* A decision or event on its way into the database (group commit): its
 * hook is answered only after the transaction holding it has committed. */
struct commit_item {
	struct action *a;
	bool decision;        /* PreToolUse / PermissionRequest */
	bool publish;         /* a "decided" event is due once answered */
	struct repctx *rc;    /* the hook waiting for it */
	struct waiter *extra; /* retries of the same request that joined */
	int rc_db;            /* result of recording it */
	char *context;        /* additionalContext for the model, or NULL */
	char *mcp_output;     /* replacement MCP result, or NULL */
	struct commit_item *next;
};

struct pend {
	struct action *a;
	struct waiter *waiters;
	int64_t deadline_mono;
	int64_t orphan_since; /* monotonic ms; 0 while someone waits */
	struct pend *next;
};

struct polcache;
struct session;

struct daemon {
	struct paths paths;
	struct daemon_opts opts;
	pthread_mutex_t mu;
	struct audit *db;
	struct polcache *policies; /* per project; see daemon_policy.c */
	struct session *sessions;  /* see daemon_session.c */
	struct server hook;        /* served by hooksrv, not nng */
	struct hooksrv *hooksrv;
	struct server ctl;
	nng_socket pub;
	struct pend *pending;
	uint32_t *dead_pipes;
	size_t ndead;
	uint64_t seq;
	char epoch[17];
	int64_t started_mono;
	int tier;
	const char *tier_reason; /* points into doctor */
	struct doctor_report doctor;
	uid_t uid; /* Group commit (daemon_commit.c): items queued under mu; the
	            * committer writes them in one batch transaction. An open
	            * batch belongs to the committer's thread: the store makes
	            * other threads' calls wait until it ends, and serves
	            * lookups from a read-only connection, so nothing joins a
	            * batch by accident. db_mu still serialises the daemon's
	            * other writes. Lock order: mu, then db_mu. */
	pthread_mutex_t db_mu;
	pthread_cond_t commit_cv;
	pthread_t committer;
	bool committer_started;
	bool commit_stop;
	/* Actions the search index has not taken yet (the committer indexes
	 * them when idle or when too many wait; daemon_commit.c). */
	int64_t index_lag;
	/* The disk filled and the reserve was freed (daemon_reserve.c):
	 * every call is denied, and recorded, until there is room again.
	 * Committer thread only. */
	bool storage_low;
	struct commit_item *queue;
	struct commit_item *queue_tail;
	struct commit_item *committing;
	char *self_dir;
	/* Listener watchdog (daemon_watchdog.c); timer thread only. */
	int64_t wd_next_probe_ms;
	uint64_t wd_restarts; /* where airlockd's binary lives: protected */
	/* Audit database unavailable at start (daemon_degraded.c): the
	 * reason, NULL while the database is open. Guarded by mu. */
	char *db_down;
	int64_t db_down_since; /* wall ms */
	int64_t db_retry_ms;   /* monotonic */
	int64_t db_alert_ms;   /* monotonic */
	uint64_t db_denied;
	int (*db_reopen)(struct daemon *d, char **err);
	/* Periodic checkpoints (daemon_checkpoint.c); timer thread only. */
	int64_t cp_next_ms; /* monotonic */
	bool cp_witness_failed;
};

int64_t daemon_now_mono(void);
int64_t daemon_now_wall(void);
/* Sends reply on a held or just-received context and releases it. */
void daemon_reply(struct repctx *rc, nng_msg *reply);
/* Frees a held context without answering (daemon_close). */
void daemon_repctx_drop(struct repctx *rc);
/* A hook connection has gone (its held requests become abandoned). */
void daemon_pipe_gone(struct daemon *d, uint32_t pipe_id);

/* The hook socket's own server (daemon_hooksrv.c). start leaves *out to
 * be freed with daemon_hooksrv_free() even on failure. */
int daemon_hooksrv_start(struct hooksrv **out, struct daemon *d,
                         struct server *srv, const char *path, char **err);
int daemon_hooksrv_relisten(struct hooksrv *s, char **err);
void daemon_hooksrv_stop(struct hooksrv *s); /* no more input; unlinks */
/* Closes every connection and frees the server. */
void daemon_hooksrv_free(struct hooksrv *s);
void daemon_hooksrv_reply(struct repctx *rc, nng_msg *reply);
void daemon_hooksrv_drop(struct repctx *rc);
/* Whether the request's hook connection is still open (the hook server's
 * lock is taken: call with mu held or not, never the reverse order). */
bool daemon_hooksrv_open(const struct repctx *rc);
nng_msg *daemon_text_msg(const char *s, size_t len);
/* Publishes {"type": type, "action": a} with the next sequence number;
 * called with mu held. */
void daemon_publish(struct daemon *d, const char *type, const struct action *a,
                    const char *text);
/* Ends a pending action (approved/denied/timeout/abandoned): records the
 * final row, answers every waiting hook, publishes. Called with mu held;
 * takes p out of the list and frees it on success. */
int daemon_finish(struct daemon *d, struct pend *p, char **err);
struct pend *daemon_find_pending_id(struct daemon *d, int64_t id);
struct pend *daemon_find_pending_req(struct daemon *d, const char *request_id);

/* The policy for a project directory (NULL: none), loaded or reloaded as
 * its files change; never NULL. Called with mu held. */
const struct policy *daemon_policy_for(struct daemon *d, const char *project);
void daemon_policies_free(struct daemon *d);

/* The project directory of a session: the first cwd it was seen with.
 * Borrowed; called with mu held. */
const char *daemon_session_project(struct daemon *d, const char *session_id,
                                   const char *cwd);
void daemon_sessions_free(struct daemon *d);

/* Checks the hook listener and recreates it when its accept loop died
 * (nng #1518). Timer thread only, never an nng callback. */
void daemon_watchdog(struct daemon *d);
/* (Re)creates a server's listener on path; AL_EEXIST when taken. */
int daemon_relisten(struct server *srv, const char *path, char **err);

/* Starts / stops the committer thread. */
int daemon_commit_start(struct daemon *d);
void daemon_commit_stop(struct daemon *d);
/* Queues a recorded-to-be action for its hook; called with mu held. */
void daemon_commit_enqueue(struct daemon *d, struct repctx *rc,
                           struct action *a, bool decision, char *context,
                           char *mcp_output);
/* A queued or committing item for this request id, or NULL (mu held). */
struct commit_item *daemon_commit_find(struct daemon *d,
                                       const char *request_id);
/* Holds rc on a new pending action and publishes it (mu held). */
void daemon_hold(struct daemon *d, struct action *a, struct waiter *waiters);
nng_msg *daemon_hook_error_reply(const char *request_id, const char *event,
                                 bool decision, const char *why);

/* Control ops beyond snapshot/decide/log/status (daemon_ctl_more.c):
 * returns the reply, an "unknown op" error for names it does not know.
 * req is the parsed request (cJSON *); peer_* identify the caller. */
nng_msg *daemon_ctl_more(struct daemon *d, const char *op, const void *req,
                         uint64_t peer_uid, uint64_t peer_pid,
                         const char *peer_name);
/* daemon_rules.c: rules made from calls by approvers (control ops). */
nng_msg *daemon_rules_propose_op(struct daemon *d, const void *req,
                                 uint64_t uid, uint64_t pid, const char *name);
nng_msg *daemon_rules_check_op(struct daemon *d, const void *req, uint64_t uid,
                               uint64_t pid, const char *name);
nng_msg *daemon_rules_session_op(struct daemon *d, const void *req,
                                 uint64_t uid, uint64_t pid, const char *name);
nng_msg *daemon_rules_always_op(struct daemon *d, const void *req, uint64_t uid,
                                uint64_t pid, const char *name);

/* {"v": 1, "ok": true}, for a control op's reply (the caller adds to it). */
struct cJSON *daemon_ctl_ok(void);
/* The message for a reply object; takes ownership of o. */
nng_msg *daemon_ctl_reply(struct cJSON *o);
/* A JSON reply for control ops: {"v":1,"ok":false,"code":..,"error":..}. */
nng_msg *daemon_ctl_error(const char *code, const char *msg);

/* When the approver allowed calls like ev for its session ("approve for
 * this session"), turns an ask in *pr into an allow naming that rule. Never
 * loosens a deny, a built-in, or a call with findings that must always go
 * to a human. mu held. */
void daemon_session_allow(struct daemon *d, const struct event *ev,
                          struct policy_result *pr);

struct cJSON;
/* The user policy file parsed strictly, for the few settings the daemon
 * itself reads (approvers, taint.on_untrusted_read); NULL when missing or
 * invalid. The caller deletes it. */
struct cJSON *daemon_user_policy_json(const struct daemon *d);

/* The alert object of events and snapshots (message redacted). */
struct cJSON *daemon_alert_json(const struct audit_alert *al);

enum daemon_access {
	DAEMON_READ,   /* snapshot, history, status */
	DAEMON_DECIDE, /* approve, deny, rules */
};

/* Whether a peer process was started by the agent (CLAUDECODE=1). */
bool daemon_peer_is_agent(uint64_t pid);
/* NULL when the peer may decide (what: "approve", "prune the history",
 * ...); else the error reply. An attempt by the agent is recorded as a
 * tamper alert. Called without mu. */
nng_msg *daemon_refuse_decider(struct daemon *d, uint64_t uid, uint64_t pid,
                               const char *what);

/* Whether the connection's user may do this (daemon_access.c). */
bool daemon_may(const struct daemon *d, uint64_t uid, enum daemon_access what);

/* daemon_group.c: with a hook group (tier 2), makes the runtime directory
 * traversable (0710) and hook.sock connectable (0660) by that group; the
 * other sockets stay 0600. A no-op when group is NULL. */
int daemon_hook_group_apply(const struct paths *p, const char *group,
                            char **err);

/* Opens the database and restores pending actions (daemon.c). */
typedef int (*daemon_state_fn)(struct daemon *d, char **err);
/* daemon_degraded.c: when opening the database failed with rc (not
 * AL_EEXIST), keeps serving in degraded mode: returns 0 and frees *err.
 * Otherwise returns rc. */
int daemon_degraded_enter(struct daemon *d, int rc, char **err,
                          daemon_state_fn reopen);
/* Timer thread: alerts and retries the database while it is down. */
void daemon_degraded_tick(struct daemon *d);
/* The socket handlers: deny (hook) or refuse (control) while the
 * database is down, else daemon_hook_handle / daemon_ctl_handle. */
nng_msg *daemon_degraded_hook_handle(struct daemon *d, struct repctx *rc,
                                     nng_msg *req);
nng_msg *daemon_degraded_ctl_handle(struct daemon *d, struct repctx *rc,
                                    nng_msg *req);

nng_msg *daemon_hook_handle(struct daemon *d, struct repctx *rc, nng_msg *req);
nng_msg *daemon_ctl_handle(struct daemon *d, struct repctx *rc, nng_msg *req);
/* The reply to a hook for a recorded action in its current state. */
nng_msg *daemon_hook_reply_for(const struct action *a, const char *request_id);
/* The same with text for the model and an MCP result replacement. */
nng_msg *daemon_hook_reply_ex(const struct action *a, const char *request_id,
                              const char *context, const char *mcp_output);

/* Taint: a session that read untrusted content (daemon_session.c). why
 * says which result and what it matched. mu held. */
void daemon_session_taint(struct daemon *d, const char *session_id,
                          const char *why);
/* What a tainted session's calls add to their reason, before the taint's
 * explanation. */
#define SESSION_TAINT_MARK "; session tainted: "
/* The taint explanation, or NULL when the session is clean (borrowed). */
const char *daemon_session_taint_why(struct daemon *d, const char *session_id);

/* After a tool ran (PostToolUse/Failure): keeps the bounded result,
 * checks coverage (a call no hook saw), screens the result for injected
 * instructions and secrets. Sets *context / *mcp_output (caller frees) to
 * what the model should be told. mu held. */
void daemon_post_process(struct daemon *d, const struct event *ev,
                         struct action *a, char **context, char **mcp_output);
/* Records and publishes an alert; mu held. */
void daemon_alert(struct daemon *d, const char *kind, const char *session_id,
                  int64_t action_id, const char *message);

/* ---- Storage reserve (daemon_reserve.c; committer thread) ------------- */

/* Makes sure the reserve file exists (writes and syncs it if not); false
 * when there is no room for it. */
bool daemon_reserve_ensure(struct daemon *d);
/* Deletes the reserve; true when there was one to free. */
bool daemon_reserve_release(struct daemon *d);
/* Whether the state filesystem has room for the reserve and headroom. */
bool daemon_storage_room(const struct daemon *d);

/* ---- Alerts (daemon_alerts.c) ------------------------------------------ */

/* Publishes {"v","epoch","seq","type": type} plus every member of body (a
 * JSON object; taken, may be NULL) with the next sequence number; mu
 * held. */
void daemon_publish_obj(struct daemon *d, const char *type, struct cJSON *body);
/* Publishes a recorded alert: {"type":"alert","alert":{"id","kind",
 * "session_id","action_id","message","created_ms"},"text":message}; mu
 * held. */
void daemon_alert_publish(struct daemon *d, const struct audit_alert *al);
/* The alert rules, after a call was recorded (state decided or pending)
 * or a pending call ended (daemon_finish); mu held. */
void daemon_alerts_after(struct daemon *d, const struct action *a);
/* Control op "alert_ack": {"id": N}. */
nng_msg *daemon_alert_ack_op(struct daemon *d, const void *req, uint64_t uid,
                             uint64_t pid, const char *name);

/* Timer thread: every 60 s (and at the first tick) publishes the chain's
 * checkpoint and appends it to the --witness file (daemon_checkpoint.c). */
void daemon_checkpoint_tick(struct daemon *d);

/* daemon_corrupt.c: when opening the database failed because the file is
 * corrupt (not merely locked, full or read-only), sets it aside read-only
 * (audit.db.corrupt-<time>, mode 0400, with its WAL), starts a new
 * database whose first chain row is an alert naming the old file and its
 * SHA-256, and opens it with reopen: returns 0 (and frees *err) when the
 * daemon can serve. Otherwise returns rc with *err as it was, or a new
 * error. d->db must be NULL. */
int daemon_corrupt_recover(struct daemon *d, int rc, char **err,
                           daemon_state_fn reopen);

#endif
