/*
 * Rules made by approvers from the console: "approve for this session"
 * and "approve always" (a rule proposed from a call, edited, checked
 * against the audit history, then saved to the user's policy file).
 */
#include "ipc/daemon_int.h"

void
daemon_session_allow(struct daemon *d, const struct event *ev,
                     struct policy_result *pr)
{
	(void)d;
	(void)ev;
	(void)pr;
}
