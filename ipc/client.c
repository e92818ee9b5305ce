#include "ipc/client.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>
#include <nng/nng.h>
#include <nng/protocol/pubsub0/sub.h>
#include <nng/protocol/reqrep0/req.h>

#include "core/al.h"
#include "core/xalloc.h"
#include "ipc/client_int.h"
#include "ipc/codec.h"
#include "ipc/jsonutil.h"
#include "ipc/proto.h"

#define CLIENT_RECENT_MAX 200
#define CLIENT_REQUEST_MS 5000

struct client {
	nng_socket req;
	nng_socket sub;
	bool events; /* sub is open (not for one-shot commands) */
	bool connected;
	atomic_int resync; /* set from nng's pipe callback on (re)connect */
	struct action **pending;
	size_t npending;
	struct action **recent;
	size_t nrecent;
	char epoch[17];
	uint64_t seq;
	int tier;
	char *tier_reason;
	struct client_alert *alerts; /* newest first */
	size_t nalerts;
	uint64_t alert_serial;
};

static void
client_pipe_added(nng_pipe p, nng_pipe_ev ev, void *arg)
{
	struct client *c = arg;

	(void)p;
	(void)ev;
	atomic_store(&c->resync, 1);
}

static int
client_dial(nng_socket s, const char *path)
{
	char *url = paths_url(path);
	int rv = nng_dial(s, url, NULL, NNG_FLAG_NONBLOCK);

	free(url);
	return rv == 0 ? 0 : AL_ECONN;
}

static void
client_events_setup(struct client *c, const struct paths *p)
{
	nng_socket_set_size(c->sub, NNG_OPT_RECVMAXSZ, PROTO_MAX_CONTROL_REPLY);
	nng_socket_set_ms(c->sub, NNG_OPT_RECONNMINT, 50);
	nng_socket_set_ms(c->sub, NNG_OPT_RECONNMAXT, 500);
	nng_socket_set_int(c->sub, NNG_OPT_RECVBUF, 1024);
	nng_socket_set(c->sub, NNG_OPT_SUB_SUBSCRIBE, "", 0);
	nng_pipe_notify(c->sub, NNG_PIPE_EV_ADD_POST, client_pipe_added, c);
	client_dial(c->sub, p->events_sock);
}

static int
client_open_common(struct client **out, const struct paths *p, bool events)
{
	struct client *c = xcalloc(1, sizeof *c);

	atomic_init(&c->resync, 1);
	c->events = events;
	if (nng_req0_open(&c->req) != 0 ||
	    (events && nng_sub0_open(&c->sub) != 0)) {
		free(c);
		return AL_ECONN;
	}
	/* No automatic resend: it would duplicate decisions. */
	nng_socket_set_ms(c->req, NNG_OPT_REQ_RESENDTIME,
	                  NNG_DURATION_INFINITE);
	nng_socket_set_size(c->req, NNG_OPT_RECVMAXSZ, PROTO_MAX_CONTROL_REPLY);
	nng_socket_set_ms(c->req, NNG_OPT_RECONNMINT, 50);
	nng_socket_set_ms(c->req, NNG_OPT_RECONNMAXT, 500);
	if (events) {
		client_events_setup(c, p);
	}
	client_dial(c->req, p->control_sock);
	*out = c;
	return 0;
}

int
client_open(struct client **out, const struct paths *p)
{
	return client_open_common(out, p, true);
}

int
client_open_control(struct client **out, const struct paths *p)
{
	return client_open_common(out, p, false);
}

static void
client_free_list(struct action **a, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		action_free(a[i]);
	}
	free(a);
}

/* ---- alerts ----------------------------------------------------------- */

static void
client_alert_clear(struct client_alert *a)
{
	free(a->kind);
	free(a->session_id);
	free(a->message);
	free(a->acked_by);
	memset(a, 0, sizeof *a);
}

static void
client_alerts_clear(struct client_alert *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		client_alert_clear(&v[i]);
	}
	free(v);
}

static int64_t
client_json_int(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsNumber(v) ? (int64_t)v->valuedouble : 0;
}

static char *
client_json_strdup(const cJSON *o, const char *key, const char *dflt)
{
	const char *s = jsonutil_str(o, key);

	return s != NULL ? xstrdup(s) : dflt != NULL ? xstrdup(dflt) : NULL;
}

static int64_t
client_wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* An alert object of the wire ({"id", "kind", "message", ...}); text is
 * the event's "text", used when the object has no message. */
static bool
client_alert_from_json(const cJSON *j, const char *text,
                       struct client_alert *out)
{
	memset(out, 0, sizeof *out);
	if (!cJSON_IsObject(j)) {
		return false;
	}
	out->id = client_json_int(j, "id");
	out->kind = client_json_strdup(j, "kind", "alert");
	out->session_id = client_json_strdup(j, "session_id", NULL);
	out->action_id = client_json_int(j, "action_id");
	out->message = client_json_strdup(j, "message", text ? text : "");
	out->created_ms = client_json_int(j, "created_ms");
	out->acked_by = client_json_strdup(j, "acked_by", NULL);
	out->acked_ms = client_json_int(j, "acked_ms");
	if (out->acked_by == NULL && out->acked_ms > 0) {
		out->acked_by = xstrdup("?");
	}
	if (out->created_ms <= 0) {
		out->created_ms = client_wall_ms();
	}
	return true;
}

static struct client_alert *
client_alert_find(struct client *c, int64_t id)
{
	for (size_t i = 0; id > 0 && i < c->nalerts; i++) {
		if (c->alerts[i].id == id) {
			return &c->alerts[i];
		}
	}
	return NULL;
}

/* Newest first: by time, then by id. */
static int
client_alert_cmp(const void *pa, const void *pb)
{
	const struct client_alert *a = pa, *b = pb;

	if (a->created_ms != b->created_ms) {
		return a->created_ms > b->created_ms ? -1 : 1;
	}
	if (a->id != b->id) {
		return a->id > b->id ? -1 : 1;
	}
	return a->serial > b->serial ? -1 : a->serial < b->serial;
}

static void
client_alerts_trim(struct client *c)
{
	if (c->nalerts > 1) {
		qsort(c->alerts, c->nalerts, sizeof *c->alerts,
		      client_alert_cmp);
	}
	while (c->nalerts > CLIENT_ALERTS_MAX) {
		client_alert_clear(&c->alerts[--c->nalerts]);
	}
}

/* Adds a (takes ownership of its strings) as a new alert, or updates the
 * one with its id. A notice repeating the newest notice only counts. */
static void
client_alert_add(struct client *c, struct client_alert *a)
{
	struct client_alert *old = client_alert_find(c, a->id);

	for (size_t i = 0; old == NULL && a->id <= 0 && i < c->nalerts; i++) {
		if (c->alerts[i].id > 0) {
			continue;
		}
		if (strcmp(c->alerts[i].message, a->message) == 0) {
			c->alerts[i].repeats++;
			c->alerts[i].created_ms = a->created_ms;
			client_alert_clear(a);
			client_alerts_trim(c);
			return;
		}
		break; /* only the newest notice */
	}
	if (old != NULL) {
		a->serial = old->serial;
		client_alert_clear(old);
		*old = *a;
	} else {
		a->serial = ++c->alert_serial;
		c->alerts = xrealloc(c->alerts,
		                     (c->nalerts + 1) * sizeof *c->alerts);
		c->alerts[c->nalerts++] = *a;
	}
	client_alerts_trim(c);
}

/* The alert events: "alert" (a new alert, or an older daemon's text) and
 * "alert_ack" (an acknowledgement: only known alerts change). */
static void
client_alert_event(struct client *c, const char *type, const cJSON *o)
{
	const cJSON *aj = cJSON_GetObjectItemCaseSensitive(o, "alert");
	const char *text = jsonutil_str(o, "text");
	struct client_alert a;

	if (strcmp(type, "alert_ack") == 0) {
		struct client_alert *old = NULL;

		/* only the acknowledgement changes: keep what we know */
		if (client_alert_from_json(aj, NULL, &a)) {
			old = client_alert_find(c, a.id);
		}
		if (old != NULL) {
			free(old->acked_by);
			old->acked_by = a.acked_by ? a.acked_by : xstrdup("?");
			old->acked_ms = a.acked_ms;
			a.acked_by = NULL;
		}
		client_alert_clear(&a);
		return;
	}
	if (strcmp(type, "alert") != 0) {
		return;
	}
	if (!client_alert_from_json(aj, text, &a)) {
		/* an older daemon: the text alone */
		a.kind = xstrdup("notice");
		a.message = xstrdup(text ? text : "");
		a.created_ms = client_wall_ms();
	}
	if (a.id <= 0) {
		free(a.kind);
		a.kind = xstrdup("notice");
	}
	client_alert_add(c, &a);
}

/* A snapshot's "alerts" (when the daemon sends them) replaces the
 * recorded alerts we hold: it is the truth after a gap. Notices stay. */
static void
client_alert_snapshot(struct client *c, const cJSON *arr)
{
	struct client_alert *keep = NULL;
	size_t nkeep = 0;
	const cJSON *e;

	if (!cJSON_IsArray(arr)) {
		return;
	}
	cJSON_ArrayForEach (e, arr) {
		struct client_alert a;
		struct client_alert *old;

		if (!client_alert_from_json(e, NULL, &a) || a.id <= 0) {
			client_alert_clear(&a);
			continue;
		}
		old = client_alert_find(c, a.id);
		a.serial = old ? old->serial : ++c->alert_serial;
		keep = xrealloc(keep, (nkeep + 1) * sizeof *keep);
		keep[nkeep++] = a;
	}
	for (size_t i = 0; i < c->nalerts; i++) {
		if (c->alerts[i].id > 0) {
			client_alert_clear(&c->alerts[i]);
			continue;
		}
		keep = xrealloc(keep, (nkeep + 1) * sizeof *keep);
		keep[nkeep++] = c->alerts[i];
	}
	free(c->alerts);
	c->alerts = keep;
	c->nalerts = nkeep;
	client_alerts_trim(c);
}

void
client_close(struct client *c)
{
	if (c == NULL) {
		return;
	}
	nng_close(c->req);
	if (c->events) {
		nng_close(c->sub);
	}
	client_free_list(c->pending, c->npending);
	client_free_list(c->recent, c->nrecent);
	free(c->tier_reason);
	client_alerts_clear(c->alerts, c->nalerts);
	free(c);
}

int
client_event_fd(struct client *c)
{
	int fd = -1;

	if (nng_socket_get_int(c->sub, NNG_OPT_RECVFD, &fd) != 0) {
		return -1;
	}
	return fd;
}

struct client_code {
	const char *name;
	int rc;
};

int
client_error_code(const char *code)
{
	static const struct client_code map[] = {
		{ "exists", AL_EEXIST },   { "not_found", AL_ENOENT },
		{ "forbidden", AL_EPERM }, { "invalid", AL_EINVAL },
		{ "db", AL_EDB },          { "version", AL_EVERSION },
		{ "busy", AL_EBUSY },      { "io", AL_EIO },
	};

	for (size_t i = 0; code && i < sizeof map / sizeof map[0]; i++) {
		if (strcmp(map[i].name, code) == 0) {
			return map[i].rc;
		}
	}
	return AL_EPROTO;
}

/* The reply of a control request: AL_EPROTO on garbage; a daemon error's
 * code with *err set; else 0 with *reply. */
static int
client_reply(const char *buf, size_t len, cJSON **reply, char **err)
{
	cJSON *r = NULL;
	char *perr = NULL;
	int rc;

	if (jsonutil_parse_strict(buf, len, &r, &perr) != 0) {
		free(perr);
		if (err != NULL) {
			*err = xstrdup("airlockd answered garbage");
		}
		return AL_EPROTO;
	}
	if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(r, "ok"))) {
		const char *msg = jsonutil_str(r, "error");
		rc = client_error_code(jsonutil_str(r, "code"));
		if (err != NULL) {
			*err = xstrdup(msg ? msg : "refused");
		}
		cJSON_Delete(r);
		return rc;
	}
	*reply = r;
	return 0;
}

int
client_oneshot(const struct paths *p, const char *req, int timeout_ms,
               cJSON **reply, char **err)
{
	nng_socket s;
	char *url = paths_url(p->control_sock);
	char *buf = NULL;
	size_t len = 0;
	int rv = nng_req0_open(&s);

	*err = NULL;
	if (rv == 0) {
		nng_socket_set_ms(s, NNG_OPT_REQ_RESENDTIME,
		                  NNG_DURATION_INFINITE);
		nng_socket_set_ms(s, NNG_OPT_SENDTIMEO,
		                  timeout_ms < 2000 ? timeout_ms : 2000);
		nng_socket_set_ms(s, NNG_OPT_RECVTIMEO, timeout_ms);
		nng_socket_set_size(s, NNG_OPT_RECVMAXSZ,
		                    PROTO_MAX_CONTROL_REPLY);
		rv = nng_dial(s, url, NULL, 0);
		if (rv == 0) {
			rv = nng_send(s, (void *)req, strlen(req), 0);
		}
		if (rv == 0) {
			rv = nng_recv(s, &buf, &len, NNG_FLAG_ALLOC);
		}
		nng_close(s);
	}
	free(url);
	if (rv != 0) {
		*err = xasprintf("airlockd did not answer (%s)",
		                 nng_strerror(rv));
		return rv == NNG_ETIMEDOUT ? AL_ETIMEDOUT : AL_ECONN;
	}
	rv = client_reply(buf, len, reply, err);
	nng_free(buf, len);
	return rv;
}

/* One request/reply on the control socket. On a daemon error returns its
 * code and sets *err (if not NULL) to its message. */
static int
client_call(struct client *c, cJSON *req, cJSON **reply, int timeout_ms,
            char **err)
{
	char *s = cJSON_PrintUnformatted(req);
	char *buf = NULL;
	size_t len = 0;
	int rv;

	cJSON_Delete(req);
	nng_socket_set_ms(c->req, NNG_OPT_SENDTIMEO, timeout_ms);
	nng_socket_set_ms(c->req, NNG_OPT_RECVTIMEO, timeout_ms);
	rv = nng_send(c->req, s, strlen(s), 0);
	cJSON_free(s);
	if (rv == 0) {
		rv = nng_recv(c->req, &buf, &len, NNG_FLAG_ALLOC);
	}
	c->connected = rv == 0;
	if (rv != 0) {
		if (err != NULL) {
			*err = xasprintf("airlockd did not answer (%s)",
			                 nng_strerror(rv));
		}
		return rv == NNG_ETIMEDOUT ? AL_ETIMEDOUT : AL_ECONN;
	}
	rv = client_reply(buf, len, reply, err);
	nng_free(buf, len);
	return rv;
}

static cJSON *
client_op(const char *op)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddNumberToObject(o, "v", AIRLOCK_PROTO_VERSION);
	cJSON_AddStringToObject(o, "op", op);
	return o;
}

static int
client_actions_from(const cJSON *arr, struct action ***out, size_t *n)
{
	size_t cap = (size_t)cJSON_GetArraySize(arr);
	struct action **list = xcalloc(cap ? cap : 1, sizeof *list);
	const cJSON *e;
	size_t i = 0;

	cJSON_ArrayForEach (e, arr) {
		if (codec_action_from_json(e, &list[i]) != 0) {
			client_free_list(list, i);
			return AL_EPROTO;
		}
		i++;
	}
	*out = list;
	*n = i;
	return 0;
}

static int
client_resnapshot(struct client *c, int timeout_ms)
{
	cJSON *r = NULL;
	struct action **list = NULL;
	size_t n = 0;
	int rc = client_call(c, client_op("snapshot"), &r, timeout_ms, NULL);

	if (rc != 0) {
		return rc;
	}
	rc = client_actions_from(cJSON_GetObjectItemCaseSensitive(r, "pending"),
	                         &list, &n);
	if (rc == 0) {
		client_free_list(c->pending, c->npending);
		c->pending = list;
		c->npending = n;
		const char *ep = jsonutil_str(r, "epoch");
		snprintf(c->epoch, sizeof c->epoch, "%s", ep ? ep : "");
		c->seq = (uint64_t)cJSON_GetObjectItemCaseSensitive(r, "seq")
		                 ->valuedouble;
		const cJSON *t = cJSON_GetObjectItemCaseSensitive(r, "tier");
		c->tier = cJSON_IsNumber(t) ? t->valueint : 0;
		free(c->tier_reason);
		c->tier_reason = xstrdup(jsonutil_str(r, "tier_reason"));
		client_alert_snapshot(
		        c, cJSON_GetObjectItemCaseSensitive(r, "alerts"));
	}
	cJSON_Delete(r);
	return rc;
}

static void
client_remove_pending(struct client *c, int64_t id)
{
	for (size_t i = 0; i < c->npending; i++) {
		if (c->pending[i]->id == id) {
			action_free(c->pending[i]);
			memmove(&c->pending[i], &c->pending[i + 1],
			        (c->npending - i - 1) * sizeof *c->pending);
			c->npending--;
			return;
		}
	}
}

static void
client_add_recent(struct client *c, struct action *a)
{
	if (c->nrecent == CLIENT_RECENT_MAX) {
		action_free(c->recent[--c->nrecent]);
	}
	c->recent = xrealloc(c->recent, (c->nrecent + 1) * sizeof *c->recent);
	memmove(&c->recent[1], &c->recent[0], c->nrecent * sizeof *c->recent);
	c->recent[0] = a;
	c->nrecent++;
}

static void
client_apply(struct client *c, const char *type, struct action *a)
{
	if (strcmp(type, "pending") == 0) {
		client_remove_pending(c, a->id);
		c->pending = xrealloc(c->pending,
		                      (c->npending + 1) * sizeof *c->pending);
		c->pending[c->npending++] = a;
	} else if (strcmp(type, "decided") == 0) {
		client_remove_pending(c, a->id);
		client_add_recent(c, a);
	} else {
		action_free(a);
	}
}

/* Applies one event; returns true when the stream cannot be trusted any
 * more (gap, new epoch, garbage) and a snapshot is needed. */
static bool
client_event(struct client *c, const char *buf, size_t len, bool *changed)
{
	cJSON *o = NULL;
	char *err = NULL;
	struct action *a = NULL;
	bool resync = false;

	if (jsonutil_parse_strict(buf, len, &o, &err) != 0) {
		free(err);
		return true;
	}
	const char *ep = jsonutil_str(o, "epoch");
	const char *type = jsonutil_str(o, "type");
	const cJSON *seq = cJSON_GetObjectItemCaseSensitive(o, "seq");
	if (ep == NULL || type == NULL || !cJSON_IsNumber(seq) ||
	    strcmp(ep, c->epoch) != 0) {
		resync = true;
	} else if ((uint64_t)seq->valuedouble <= c->seq) {
		/* Already part of the snapshot. */
	} else if ((uint64_t)seq->valuedouble != c->seq + 1) {
		resync = true;
	} else {
		c->seq++;
		const cJSON *aj = cJSON_GetObjectItemCaseSensitive(o, "action");
		if (aj != NULL && codec_action_from_json(aj, &a) == 0) {
			client_apply(c, type, a);
		}
		client_alert_event(c, type, o);
		*changed = true;
	}
	cJSON_Delete(o);
	return resync;
}

int
client_pump(struct client *c, int timeout_ms, bool *changed)
{
	char *buf;
	size_t len;
	bool resync = atomic_exchange(&c->resync, 0) != 0;

	*changed = false;
	while (nng_recv(c->sub, &buf, &len,
	                NNG_FLAG_NONBLOCK | NNG_FLAG_ALLOC) == 0) {
		if (!resync && client_event(c, buf, len, changed)) {
			resync = true;
		}
		nng_free(buf, len);
	}
	if (!resync && c->epoch[0] != '\0') {
		return 0;
	}
	int rc = client_resnapshot(c, timeout_ms);
	if (rc != 0) {
		/* Try again on the next pump. */
		atomic_store(&c->resync, 1);
		return rc;
	}
	*changed = true;
	return 0;
}

bool
client_connected(const struct client *c)
{
	return c->connected;
}

const struct action *const *
client_pending(const struct client *c, size_t *n)
{
	*n = c->npending;
	return (const struct action *const *)c->pending;
}

const struct action *const *
client_recent(const struct client *c, size_t *n)
{
	*n = c->nrecent;
	return (const struct action *const *)c->recent;
}

int
client_tier(const struct client *c, const char **reason)
{
	if (reason != NULL) {
		*reason = c->tier_reason;
	}
	return c->tier;
}

int
client_decide(struct client *c, int64_t id, enum client_verdict v,
              const char *reason, const char *updated_input, char **err)
{
	cJSON *req = client_op("decide");
	cJSON *reply = NULL;
	int rc;

	cJSON_AddNumberToObject(req, "id", (double)id);
	cJSON_AddStringToObject(req, "decision",
	                        v == CLIENT_APPROVE ? "approve" : "deny");
	if (reason != NULL) {
		cJSON_AddStringToObject(req, "reason", reason);
	}
	if (updated_input != NULL) {
		cJSON *ui = cJSON_Parse(updated_input);
		if (!cJSON_IsObject(ui)) {
			cJSON_Delete(ui);
			cJSON_Delete(req);
			if (err != NULL) {
				*err = xstrdup("the edited input is not a JSON "
				               "object");
			}
			return AL_EINVAL;
		}
		cJSON_AddItemToObject(req, "updated_input", ui);
	}
	rc = client_call(c, req, &reply, CLIENT_REQUEST_MS, err);
	cJSON_Delete(reply);
	return rc;
}

static void
client_add_opt(cJSON *o, const char *key, const char *val)
{
	if (val != NULL) {
		cJSON_AddStringToObject(o, key, val);
	}
}

int
client_log(struct client *c, const struct audit_query *q, struct action ***out,
           size_t *n)
{
	cJSON *req = client_op("log");
	cJSON *reply = NULL;
	int rc;

	client_add_opt(req, "query", q->text);
	client_add_opt(req, "session_id", q->session_id);
	client_add_opt(req, "tool_name", q->tool_name);
	client_add_opt(req, "verdict", q->verdict);
	cJSON_AddNumberToObject(req, "since_ms", (double)q->since_ms);
	cJSON_AddNumberToObject(req, "until_ms", (double)q->until_ms);
	cJSON_AddNumberToObject(req, "limit", q->limit);
	client_add_opt(req, "project", q->project);
	client_add_opt(req, "approver", q->approver);
	for (int k = 0; k < RISK_CAT_COUNT; k++) {
		if (q->risk_mask & RISK_BIT(k)) {
			/* the op takes one category: the first one asked for */
			client_add_opt(req, "risk",
			               risk_cat_name((enum risk_cat)k));
			break;
		}
	}
	if (q->unsupervised) {
		cJSON_AddBoolToObject(req, "unsupervised", true);
	}
	rc = client_call(c, req, &reply, CLIENT_REQUEST_MS, NULL);
	if (rc == 0) {
		rc = client_actions_from(
		        cJSON_GetObjectItemCaseSensitive(reply, "actions"), out,
		        n);
	}
	cJSON_Delete(reply);
	return rc;
}

void
client_actions_free(struct action **a, size_t n)
{
	client_free_list(a, n);
}

int
client_ping(struct client *c, int timeout_ms)
{
	cJSON *reply = NULL;
	int rc = client_call(c, client_op("status"), &reply,
	                     timeout_ms > 0 ? timeout_ms : 1, NULL);

	cJSON_Delete(reply);
	return rc;
}

int
client_status(struct client *c, char **json)
{
	cJSON *reply = NULL;
	int rc = client_call(c, client_op("status"), &reply, CLIENT_REQUEST_MS,
	                     NULL);
	char *s;

	if (rc != 0) {
		return rc;
	}
	s = cJSON_Print(reply);
	*json = xstrdup(s);
	cJSON_free(s);
	cJSON_Delete(reply);
	return 0;
}

int
client_snapshot(struct client *c, struct action ***out, size_t *n)
{
	cJSON *reply = NULL;
	int rc = client_call(c, client_op("snapshot"), &reply,
	                     CLIENT_REQUEST_MS, NULL);

	if (rc == 0) {
		rc = client_actions_from(
		        cJSON_GetObjectItemCaseSensitive(reply, "pending"), out,
		        n);
	}
	cJSON_Delete(reply);
	return rc;
}

char *
client_action_json(const struct action *a)
{
	return codec_action_text(a);
}

const struct client_alert *
client_alerts(const struct client *c, size_t *n)
{
	*n = c->nalerts;
	return c->alerts;
}

size_t
client_alerts_unacked(const struct client *c)
{
	size_t n = 0;

	for (size_t i = 0; i < c->nalerts; i++) {
		if (c->alerts[i].id > 0 && c->alerts[i].acked_by == NULL) {
			n++;
		}
	}
	return n;
}

uint64_t
client_alerts_serial(const struct client *c)
{
	return c->alert_serial;
}
