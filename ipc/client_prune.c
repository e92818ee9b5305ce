/* The client side of the "prune" control op: one request on its own REQ
 * socket (a prune may run for minutes; the console's client is not held
 * meanwhile). */
#include "ipc/client_prune.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "core/al.h"
#include "core/xalloc.h"
#include "ipc/client_int.h"
#include "ipc/jsonutil.h"
#include "ipc/proto.h"

static int64_t
client_prune_num(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsNumber(v) ? (int64_t)v->valuedouble : 0;
}

int
client_prune(const struct paths *p, int64_t before_ms, int timeout_ms,
             struct audit_prune_report *out, char **err)
{
	char req[128];
	cJSON *r = NULL;
	int rc;

	snprintf(req, sizeof req,
	         "{\"v\":%d,\"op\":\"prune\",\"before_ms\":%lld}",
	         AIRLOCK_PROTO_VERSION, (long long)before_ms);
	rc = client_oneshot(p, req, timeout_ms, &r, err);
	if (rc != 0) {
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
