#ifndef AIRLOCK_IPC_FAULTPOINT_H
#define AIRLOCK_IPC_FAULTPOINT_H

/*
 * Named crash points in the daemon's decision path, for the crash
 * consistency test (tests/integration/crash_consistency.sh). Test-only:
 * without the CMake option AIRLOCK_FAULTPOINTS, FAULTPOINT() compiles to
 * nothing, so a production build has no trace of them.
 *
 * With the option, AIRLOCK_FAULT=name[:count] in the daemon's environment
 * makes the process SIGKILL itself the count-th time (default 1) it
 * reaches FAULTPOINT("name"); other names pass. SIGKILL, not abort(): no
 * handler, no atexit, no flush, exactly like `kill -9` from outside at
 * that instruction. The names are listed in docs/reliability.md.
 *
 * The hit counter is a static local of an inline function (one per
 * translation unit, counting only hits of the configured name): the single
 * exception to the no-mutable-statics rule, and it exists only in test
 * builds. Each name appears in one file, so the count is per point.
 */
#ifdef AIRLOCK_FAULTPOINTS

#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static inline void
faultpoint_hit(const char *name)
{
	static atomic_long hits;
	const char *spec = getenv("AIRLOCK_FAULT");
	size_t n = strlen(name);
	long count = 1;

	if (spec == NULL || strncmp(spec, name, n) != 0 ||
	    (spec[n] != '\0' && spec[n] != ':')) {
		return;
	}
	if (spec[n] == ':') {
		count = strtol(spec + n + 1, NULL, 10);
	}
	if (atomic_fetch_add(&hits, 1) + 1 == (count > 0 ? count : 1)) {
		kill(getpid(), SIGKILL);
		pause(); /* SIGKILL is delivered before this returns */
	}
}

#define FAULTPOINT(name) faultpoint_hit(name)

#else

#define FAULTPOINT(name) ((void)0)

#endif

#endif
