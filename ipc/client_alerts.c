/* The client side of the "alert_ack" control op: one request on its own
 * REQ socket, like client_prune.c (no console client needed, so that
 * `airlock alerts --ack` works from any shell). */
#include "ipc/client.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "core/al.h"
#include "core/xalloc.h"
#include "ipc/client_int.h"
#include "ipc/proto.h"

#define CLIENT_ALERTS_TIMEOUT_MS 5000

int
client_alert_ack(const struct paths *p, int64_t id, char **err)
{
	char req[128];
	cJSON *reply = NULL;
	int rc;

	snprintf(req, sizeof req, "{\"v\":%d,\"op\":\"alert_ack\",\"id\":%lld}",
	         AIRLOCK_PROTO_VERSION, (long long)id);
	rc = client_oneshot(p, req, CLIENT_ALERTS_TIMEOUT_MS, &reply, err);
	cJSON_Delete(reply);
	return rc;
}
