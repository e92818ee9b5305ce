#ifndef AIRLOCK_IPC_CLIENT_H
#define AIRLOCK_IPC_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/action.h"
#include "core/audit.h"
#include "core/paths.h"

/*
 * The approver-side client of the daemon, used by the console and the
 * command-line verbs. It keeps an up-to-date set of pending actions:
 * subscribe to events first, then ask for a snapshot, then apply only
 * events newer than the snapshot; on a sequence gap, a new daemon epoch or
 * a reconnect it takes a fresh snapshot (PUB/SUB drops messages silently,
 * so the stream alone is never trusted).
 */
struct client;

/* Connects (non-blocking: a daemon that starts later is picked up). The
 * caller closes *out. */
int client_open(struct client **out, const struct paths *p);
void client_close(struct client *c); /* NULL is a no-op */
/* Control requests only, no event stream: for one-shot commands. (Closing
 * a SUB socket that is receiving can hang in nng 1.5.2, bug #1813; a
 * command that never subscribes never meets it.) Pending sets and events
 * are then empty. */
int client_open_control(struct client **out, const struct paths *p);

/* A file descriptor that becomes readable when events arrive; poll() it
 * together with the terminal. Never read from or write to it. -1 if none. */
int client_event_fd(struct client *c);

/* Applies every event that has arrived, resynchronising when needed
 * (non-blocking except for a snapshot, which waits at most timeout_ms).
 * Returns 0 and sets *changed when the pending set or alerts changed. */
int client_pump(struct client *c, int timeout_ms, bool *changed);

/* Whether the daemon answered the last request / snapshot. */
bool client_connected(const struct client *c);

/* The pending actions, oldest first; borrowed until the next pump. */
const struct action *const *client_pending(const struct client *c, size_t *n);
/* Actions decided since this client connected, newest first (bounded);
 * borrowed until the next pump. */
const struct action *const *client_recent(const struct client *c, size_t *n);

/* The daemon's view of the deployment: isolation tier and its reason. */
int client_tier(const struct client *c, const char **reason);

enum client_verdict {
	CLIENT_APPROVE,
	CLIENT_DENY,
};

/* Decides a pending action. updated_input is the edited tool input as a
 * JSON object text, or NULL. AL_EEXIST when someone decided first (*err
 * says who), AL_ENOENT when no such pending action, AL_EPERM when this
 * user may not approve. *err (caller frees) holds the daemon's message. */
int client_decide(struct client *c, int64_t id, enum client_verdict v,
                  const char *reason, const char *updated_input, char **err);

/* Runs a history query on the daemon; *out is an array of *n actions the
 * caller frees with client_actions_free(). */
int client_log(struct client *c, const struct audit_query *q,
               struct action ***out, size_t *n);
void client_actions_free(struct action **a, size_t n);

/* Whether the daemon answers within timeout_ms: 0, or an AL_E* code. */
int client_ping(struct client *c, int timeout_ms);

/* Daemon status as a JSON object text (caller frees). */
int client_status(struct client *c, char **json);

/* A synchronous snapshot of the pending actions for scripts; like
 * client_log. */
int client_snapshot(struct client *c, struct action ***out, size_t *n);

/* JSON text of one action (the wire form; see docs/protocol.md), for
 * `--json` output. The caller frees. */
char *client_action_json(const struct action *a);

/* ---- Rules made from calls (ipc/client_rules.c) ----------------------
 * "Approve always" and "approve for this session". */

struct event;
struct rule;

/* Proposes a rule in Claude Code's syntax generalised from one call:
 * `Bash(npm run test:*)` from `npm run test -- --watch` (the command and
 * up to two subcommand words), `Edit(src/...)` from an edit of
 * src/app.c (the file's directory and everything below it, `/file` at the
 * project root, `~/` or
 * `//` outside it; Write, MultiEdit and NotebookEdit propose Edit rules,
 * Glob and Grep Read rules), `WebFetch(domain:docs.rs)`, else the tool's
 * name. The rule always parses (core/rule.h) and covers the call.
 * AL_EINVAL when none can be made (a compound or complex command, no
 * path). *out is the caller's. */
int client_rules_propose_event(const struct event *ev, const char *project_dir,
                               const char *home, char **out);
/* Whether r covers ev as an allow rule would: every simple command of a
 * Bash line (never a complex one), the path, the URL's host. */
bool client_rules_match(const struct rule *r, const struct event *ev,
                        const char *project_dir, const char *home);
/* An event rebuilt from a recorded action (tool, cwd, the top-level
 * scalars of its input), for matching. AL_EPARSE when the stored input is
 * not a JSON object. The caller frees *out with event_free(). */
int client_rules_event_from_action(const struct action *a, struct event **out);

/* The daemon's rule ops. Each opens its own connection to the control
 * socket; on failure *err (caller frees) holds the daemon's message. */

/* The rule the daemon proposes for action id; *rule is the caller's. */
int client_rules_propose(const struct paths *p, int64_t id, char **rule,
                         char **err);

/* A dry run of a rule over the audit history. */
struct client_rules_example {
	int64_t id;
	char *summary; /* untrusted: sanitise before display */
	char *state;   /* "denied", "timed_out", ... */
};

struct client_rules_report {
	int64_t scanned; /* calls looked at */
	int64_t matched; /* calls the rule would have allowed */
	int64_t denied;  /* of which were denied at the time */
	struct client_rules_example *examples; /* some denied ones */
	size_t nexamples;
};

int client_rules_check(const struct paths *p, const char *rule,
                       struct client_rules_report *out, char **err);
void client_rules_report_clear(struct client_rules_report *r);

/* Approves pending action id and allows calls like it for the rest of its
 * session (*rule, if not NULL, is the rule remembered; caller frees).
 * AL_EINVAL when the call cannot be generalised (findings that always go
 * to a human, a complex command). */
int client_rules_approve_session(const struct paths *p, int64_t id, char **rule,
                                 char **err);
/* Saves rule to the user's policy file (permissions.allow) and approves
 * pending action id. */
int client_rules_approve_always(const struct paths *p, int64_t id,
                                const char *rule, char **err);

/* ---- Alerts received (ipc/client.c) ----------------------------------
 * The daemon publishes every alert it records ("alert" events) and every
 * acknowledgement ("alert_ack"); the client keeps the most recent ones.
 * An older daemon's alert carries only a text: it is kept as a notice
 * (id 0) that cannot be acknowledged and is not counted. */

#define CLIENT_ALERTS_MAX 100

struct client_alert {
	int64_t id;         /* the daemon's alert id; 0 for a notice */
	char *kind;         /* "tamper", "injection", ...; "notice" */
	char *session_id;   /* NULL when not about one session */
	int64_t action_id;  /* 0 when not about one action */
	char *message;      /* untrusted: sanitise before display */
	int64_t created_ms; /* the daemon's time, or arrival for a notice */
	char *acked_by;     /* NULL until acknowledged */
	int64_t acked_ms;
	unsigned repeats; /* a notice repeated this many more times */
	/* Increases by one for each alert this client had not seen before
	 * (from the stream or a snapshot): compare with a remembered value
	 * to ring once per new alert. */
	uint64_t serial;
};

/* The recent alerts, newest first, at most CLIENT_ALERTS_MAX; borrowed
 * until the next pump. */
const struct client_alert *client_alerts(const struct client *c, size_t *n);
/* How many of them are recorded and not acknowledged. */
size_t client_alerts_unacked(const struct client *c);
/* The serial of the newest alert (0 when none ever arrived). */
uint64_t client_alerts_serial(const struct client *c);

/* ---- Acknowledging alerts (ipc/client_alerts.c) ---------------------- */

/* Acknowledges alert id as this user (the "alert_ack" control op, on its
 * own connection). AL_EEXIST when it was already acknowledged (*err says
 * by whom), AL_ENOENT when there is no such alert, AL_EPERM when this user
 * may not, AL_ECONN / AL_ETIMEDOUT when no daemon answers. *err (caller
 * frees) holds the daemon's message on failure, NULL on success. */
int client_alert_ack(const struct paths *p, int64_t id, char **err);

#endif
