/* The client side of the "prune" control op: one request on its own REQ
 * socket (a prune may run for minutes; the console's client is not held
 * meanwhile). */
#include "ipc/client_prune.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <nng/nng.h>
#include <nng/protocol/reqrep0/req.h>

#include "core/al.h"
#include "core/xalloc.h"
#include "ipc/jsonutil.h"
#include "ipc/proto.h"

static int
client_prune_code(const char *code)
{
	static const struct {
		const char *name;
		int rc;
	} map[] = { { "forbidden", AL_EPERM },
		    { "invalid", AL_EINVAL },
		    { "db", AL_EDB },
		    { "busy", AL_EBUSY },
		    { "version", AL_EVERSION } };

	for (size_t i = 0; code && i < sizeof map / sizeof map[0]; i++) {
		if (strcmp(map[i].name, code) == 0) {
			return map[i].rc;
		}
	}
	return AL_EPROTO;
}

static int64_t
client_prune_num(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsNumber(v) ? (int64_t)v->valuedouble : 0;
}

static int
client_prune_parse(const char *buf, size_t len, struct audit_prune_report *out,
                   char **err)
{
	cJSON *r = NULL;
	char *perr = NULL;

	if (jsonutil_parse_strict(buf, len, &r, &perr) != 0) {
		free(perr);
		return AL_EPROTO;
	}
	if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(r, "ok"))) {
		const char *msg = jsonutil_str(r, "error");
		int rc = client_prune_code(jsonutil_str(r, "code"));
		*err = xstrdup(msg ? msg : "refused");
		cJSON_Delete(r);
		return rc;
	}
	const char *h = jsonutil_str(r, "last_hash");
	*out = (struct audit_prune_report){
		.last_seq = client_prune_num(r, "last_seq"),
		.entries_removed = client_prune_num(r, "entries_removed"),
		.rows_removed = client_prune_num(r, "rows_removed"),
		.rechained = client_prune_num(r, "rechained"),
	};
	snprintf(out->last_hash, sizeof out->last_hash, "%s", h ? h : "");
	cJSON_Delete(r);
	return 0;
}

int
client_prune(const struct paths *p, int64_t before_ms, int timeout_ms,
             struct audit_prune_report *out, char **err)
{
	nng_socket s;
	char req[128];
	char *buf = NULL;
	size_t len = 0;
	char *url = paths_url(p->control_sock);
	int rv;

	*err = NULL;
	if (nng_req0_open(&s) != 0) {
		free(url);
		return AL_ECONN;
	}
	/* No automatic resend: a prune must run once. */
	nng_socket_set_ms(s, NNG_OPT_REQ_RESENDTIME, NNG_DURATION_INFINITE);
	nng_socket_set_ms(s, NNG_OPT_SENDTIMEO, 2000);
	nng_socket_set_ms(s, NNG_OPT_RECVTIMEO, timeout_ms);
	nng_socket_set_size(s, NNG_OPT_RECVMAXSZ, PROTO_MAX_CONTROL_REPLY);
	snprintf(req, sizeof req,
	         "{\"v\":%d,\"op\":\"prune\",\"before_ms\":%lld}",
	         AIRLOCK_PROTO_VERSION, (long long)before_ms);
	rv = nng_dial(s, url, NULL, 0);
	free(url);
	if (rv == 0) {
		rv = nng_send(s, req, strlen(req), 0);
	}
	if (rv == 0) {
		rv = nng_recv(s, &buf, &len, NNG_FLAG_ALLOC);
	}
	if (rv != 0) {
		*err = xasprintf("airlockd did not answer (%s)",
		                 nng_strerror(rv));
		nng_close(s);
		return rv == NNG_ETIMEDOUT ? AL_ETIMEDOUT : AL_ECONN;
	}
	int rc = client_prune_parse(buf, len, out, err);
	nng_free(buf, len);
	nng_close(s);
	return rc;
}
