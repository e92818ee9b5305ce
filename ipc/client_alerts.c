/* The client side of the "alert_ack" control op: one request on its own
 * REQ socket, like client_prune.c (no console client needed, so that
 * `airlock alerts --ack` works from any shell). */
#include "ipc/client.h"

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

#define CLIENT_ALERTS_TIMEOUT_MS 5000

static int
client_alerts_code(const char *code)
{
	static const struct {
		const char *name;
		int rc;
	} map[] = { { "exists", AL_EEXIST },   { "not_found", AL_ENOENT },
		    { "forbidden", AL_EPERM }, { "invalid", AL_EINVAL },
		    { "db", AL_EDB },          { "version", AL_EVERSION } };

	for (size_t i = 0; code && i < sizeof map / sizeof map[0]; i++) {
		if (strcmp(map[i].name, code) == 0) {
			return map[i].rc;
		}
	}
	return AL_EPROTO;
}

static int
client_alerts_parse(const char *buf, size_t len, char **err)
{
	cJSON *r = NULL;
	char *perr = NULL;
	int rc = 0;

	if (jsonutil_parse_strict(buf, len, &r, &perr) != 0) {
		free(perr);
		*err = xstrdup("airlockd answered garbage");
		return AL_EPROTO;
	}
	if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(r, "ok"))) {
		const char *msg = jsonutil_str(r, "error");
		rc = client_alerts_code(jsonutil_str(r, "code"));
		*err = xstrdup(msg ? msg : "refused");
	}
	cJSON_Delete(r);
	return rc;
}

int
client_alert_ack(const struct paths *p, int64_t id, char **err)
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
	nng_socket_set_ms(s, NNG_OPT_SENDTIMEO, CLIENT_ALERTS_TIMEOUT_MS);
	nng_socket_set_ms(s, NNG_OPT_RECVTIMEO, CLIENT_ALERTS_TIMEOUT_MS);
	nng_socket_set_size(s, NNG_OPT_RECVMAXSZ, PROTO_MAX_CONTROL_REPLY);
	snprintf(req, sizeof req, "{\"v\":%d,\"op\":\"alert_ack\",\"id\":%lld}",
	         AIRLOCK_PROTO_VERSION, (long long)id);
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
	int rc = client_alerts_parse(buf, len, err);
	nng_free(buf, len);
	nng_close(s);
	return rc;
}
