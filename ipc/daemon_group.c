/*
 * Tier 2: the agent runs under its own Unix user, the daemon under
 * another. The agent's hook must reach hook.sock and nothing else, so with
 * `airlockd --hook-group GROUP` (the agent users' group):
 *
 *   runtime dir  owner daemon, group GROUP, 0710: members may traverse it
 *                (to reach one known name) but not list or create in it;
 *   hook.sock    group GROUP, 0660: members may connect;
 *   control.sock, events.sock  stay 0600: a member's connect() gets EACCES.
 *
 * The hook socket decides nothing (it submits one event and waits), and
 * the daemon stamps calls from another uid as tier 2. Applied after every
 * (re)listen, since a recreated listener makes a fresh 0600 socket.
 */
#include <errno.h>
#include <grp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/al.h"
#include "core/xalloc.h"
#include "ipc/daemon_int.h"

/* Resolves a group name (or a number) to its gid. */
static int
group_gid(const char *name, gid_t *out)
{
	struct group gr;
	struct group *res = NULL;
	char buf[4096];
	char *end = NULL;

	if (getgrnam_r(name, &gr, buf, sizeof buf, &res) == 0 && res != NULL) {
		*out = gr.gr_gid;
		return 0;
	}
	long n = strtol(name, &end, 10);
	if (*name != '\0' && end != NULL && *end == '\0' && n >= 0) {
		*out = (gid_t)n;
		return 0;
	}
	return AL_ENOENT;
}

int
daemon_hook_group_apply(const struct paths *p, const char *group, char **err)
{
	gid_t gid;

	if (group == NULL) {
		return 0;
	}
	if (group_gid(group, &gid) != 0) {
		*err = xasprintf("--hook-group %s: no such group", group);
		return AL_ENOENT;
	}
	if (chown(p->runtime_dir, (uid_t)-1, gid) != 0 ||
	    chmod(p->runtime_dir, 0710) != 0 ||
	    chown(p->hook_sock, (uid_t)-1, gid) != 0 ||
	    chmod(p->hook_sock, 0660) != 0) {
		*err = xasprintf("--hook-group %s: cannot share %s: %s", group,
		                 p->hook_sock, strerror(errno));
		return AL_EPERM;
	}
	return 0;
}
