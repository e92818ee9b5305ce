/*
 * Control ops that are not part of the approval path itself. Each new op
 * goes in the table below with its handler in its own file.
 */
#include <string.h>

#include "ipc/daemon_int.h"
#include "ipc/daemon_prune.h"

struct ctl_more_op {
	const char *name;
	nng_msg *(*fn)(struct daemon *d, const void *req, uint64_t peer_uid,
	               uint64_t peer_pid, const char *peer_name);
};

static const struct ctl_more_op ctl_more_ops[] = {
	{ "rule_propose", daemon_rules_propose_op },
	{ "rule_check", daemon_rules_check_op },
	{ "approve_session", daemon_rules_session_op },
	{ "approve_always", daemon_rules_always_op },
	{ "prune", daemon_prune_op },
	{ "alert_ack", daemon_alert_ack_op },
	{ NULL, NULL },
};

nng_msg *
daemon_ctl_more(struct daemon *d, const char *op, const void *req,
                uint64_t peer_uid, uint64_t peer_pid, const char *peer_name)
{
	for (const struct ctl_more_op *o = ctl_more_ops; o->name; o++) {
		if (strcmp(o->name, op) == 0) {
			return o->fn(d, req, peer_uid, peer_pid, peer_name);
		}
	}
	return daemon_ctl_error("invalid", "unknown op");
}
