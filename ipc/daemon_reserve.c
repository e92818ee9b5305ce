/*
 * The storage reserve (threats.md, failure table: "a reserve file is
 * freed to record the event"). A full disk used to lose the record of
 * what it stopped: the calls of a batch whose commit failed were denied,
 * but nothing said so in the audit history. The daemon keeps
 * RESERVE_BYTES of zeros in the state directory; when a commit fails
 * for lack of space, the file is deleted and the same calls are written
 * again, now as denials, with an alert row. Until the filesystem has
 * room for the reserve and some headroom again, every call is denied and
 * recorded out of the freed space ("storage low"); when the freed space
 * is used up too, calls are still denied, unrecorded, as before.
 *
 * Committer thread only (daemon_commit.c), and the start-up path before
 * the committer runs.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "core/xalloc.h"
#include "ipc/daemon_int.h"

#define RESERVE_BYTES (2 * 1024 * 1024)
#define RESERVE_CHUNK (64 * 1024)
/* Room needed beside a new reserve before calls are served again. */
#define RESERVE_HEADROOM (1024 * 1024)

static char *
reserve_path(const struct daemon *d)
{
	return xasprintf("%s/reserve", d->paths.state_dir);
}

static bool
reserve_present(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode) &&
	       st.st_size >= RESERVE_BYTES;
}

/* Writes the whole file (real blocks, not a sparse or fallocated file
 * that a full disk could still refuse to fill) and syncs it. */
static bool
reserve_write(const char *path)
{
	static const char zeros[RESERVE_CHUNK];
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	bool ok = fd >= 0;

	for (size_t done = 0; ok && done < RESERVE_BYTES;) {
		ssize_t n = write(fd, zeros, sizeof zeros);
		if (n < 0 && errno == EINTR) {
			continue;
		}
		ok = n > 0;
		done += ok ? (size_t)n : 0;
	}
	ok = ok && fdatasync(fd) == 0;
	if (fd >= 0) {
		close(fd);
	}
	if (!ok) {
		unlink(path);
	}
	return ok;
}

bool
daemon_reserve_ensure(struct daemon *d)
{
	char *path = reserve_path(d);
	bool ok = reserve_present(path) || reserve_write(path);

	free(path);
	return ok;
}

bool
daemon_reserve_release(struct daemon *d)
{
	char *path = reserve_path(d);
	bool freed = unlink(path) == 0;

	free(path);
	return freed;
}

bool
daemon_storage_room(const struct daemon *d)
{
	struct statvfs v;

	if (statvfs(d->paths.state_dir, &v) != 0) {
		return false;
	}
	return (unsigned long long)v.f_bavail * v.f_frsize >=
	       (unsigned long long)RESERVE_BYTES + RESERVE_HEADROOM;
}
