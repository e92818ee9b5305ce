/*
 * A corrupt audit database at start. Degraded mode (daemon_degraded.c)
 * serves without a database and heals by itself when the fault clears:
 * right for a lock, a full disk or a read-only filesystem, which pass.
 * Corruption does not pass, and denying every call until someone repairs
 * the file by hand helps nobody. So when the file is corrupt (quick_check
 * fails, or it is not a database; confirmed by a second, read-only open)
 * the daemon sets it aside, read-only and untouched as evidence:
 *
 *   audit.db      -> audit.db.corrupt-<YYYYmmddTHHMMSSZ>        (0400)
 *   audit.db-wal  -> audit.db.corrupt-<YYYYmmddTHHMMSSZ>-wal    (0400)
 *
 * and starts a new database whose first chain row is an alert of kind
 * "audit_corrupt" naming the old file, its size and SHA-256. `airlock
 * verify` passes on the new database; the old one can still be examined
 * (`sqlite3 -readonly`, or `.recover`). If the new database cannot be
 * made, the files are put back and the daemon stays degraded as before;
 * if it is made but cannot be opened for service, degraded mode retries
 * it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/al.h"
#include "core/sha256.h"
#include "core/xalloc.h"
#include "ipc/daemon_int.h"

/* SQLite's companions of a database file, moved with it. */
static const char *const corrupt_suffixes[] = { "", "-wal", "-shm",
	                                        "-journal" };
#define CORRUPT_NSUFFIXES (sizeof corrupt_suffixes / sizeof corrupt_suffixes[0])

/* Corrupt, not locked / full / read-only: the open said so, and a second
 * open (read-only, with quick_check) agrees. */
static bool
corrupt_confirmed(const char *path, int rc, const char *err)
{
	struct audit *ro = NULL;
	char *err2 = NULL;
	bool corrupt;

	if (rc != AL_EDB || err == NULL ||
	    strstr(err, "database is corrupt") == NULL) {
		return false;
	}
	int rc2 = audit_open(&ro, path, AUDIT_READONLY | AUDIT_QUICK_CHECK,
	                     &err2);
	corrupt = rc2 == AL_EDB && err2 != NULL &&
	          strstr(err2, "database is corrupt") != NULL;
	audit_close(ro);
	free(err2);
	return corrupt;
}

/* The SHA-256 and size of a file, streamed. */
static int
corrupt_hash(const char *path, char hex[SHA256_HEX_LEN + 1], int64_t *size)
{
	FILE *f = fopen(path, "rb");
	struct sha256 s;
	uint8_t md[SHA256_LEN];
	char chunk[65536];
	size_t n;

	if (f == NULL) {
		return AL_EIO;
	}
	sha256_init(&s);
	*size = 0;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
		sha256_update(&s, chunk, n);
		*size += (int64_t)n;
	}
	int bad = ferror(f);
	fclose(f);
	if (bad) {
		return AL_EIO;
	}
	sha256_final(&s, md);
	for (size_t i = 0; i < SHA256_LEN; i++) {
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	}
	return 0;
}

/* "<db>.corrupt-<UTC time>", with "-2", "-3" ... when taken. */
static char *
corrupt_aside_name(const char *db)
{
	time_t t = time(NULL);
	struct tm tm;
	char stamp[32] = "unknown";

	if (gmtime_r(&t, &tm) != NULL) {
		strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
	}
	char *name = xasprintf("%s.corrupt-%s", db, stamp);
	for (int i = 2; access(name, F_OK) == 0 && i < 1000; i++) {
		free(name);
		name = xasprintf("%s.corrupt-%s-%d", db, stamp, i);
	}
	return name;
}

/* Moves db and its companions to aside (mode 0400); moved[i] says which
 * went. The main file must move; the others are moved when present. */
static int
corrupt_move(const char *db, const char *aside, bool moved[CORRUPT_NSUFFIXES])
{
	for (size_t i = 0; i < CORRUPT_NSUFFIXES; i++) {
		char *from = xasprintf("%s%s", db, corrupt_suffixes[i]);
		char *to = xasprintf("%s%s", aside, corrupt_suffixes[i]);
		moved[i] = rename(from, to) == 0;
		if (moved[i]) {
			chmod(to, 0400);
		}
		bool fatal = !moved[i] && (i == 0 || errno != ENOENT);
		free(from);
		free(to);
		if (fatal) {
			return AL_EIO;
		}
	}
	return 0;
}

/* Undoes corrupt_move (and removes a new database made meanwhile). */
static void
corrupt_restore(const char *db, const char *aside,
                const bool moved[CORRUPT_NSUFFIXES])
{
	for (size_t i = 0; i < CORRUPT_NSUFFIXES; i++) {
		char *from = xasprintf("%s%s", aside, corrupt_suffixes[i]);
		char *to = xasprintf("%s%s", db, corrupt_suffixes[i]);
		unlink(to);
		if (moved[i]) {
			chmod(from, 0600);
			rename(from, to);
		}
		free(from);
		free(to);
	}
}

/* The new database and its first chain row; *al gets the alert. */
static int
corrupt_first_row(const char *db_path, struct audit_alert *al, char **err)
{
	struct audit *db = NULL;
	int rc = audit_open(&db, db_path, 0, err);

	if (rc == 0) {
		rc = audit_record_alert(db, al);
		if (rc != 0) {
			*err = xasprintf("cannot record the set-aside: %s",
			                 audit_errmsg(db));
		}
	}
	audit_close(db);
	return rc;
}

static char *
corrupt_message(const char *why, const char *aside, const char *hex,
                int64_t size, bool wal)
{
	return xasprintf("the audit database was corrupt (%s); it was set "
	                 "aside read-only as %s (%lld bytes, sha256 %s)%s, and "
	                 "this database starts a new chain",
	                 why, aside, (long long)size, hex,
	                 wal ? " with its WAL file" : "");
}

/* Sets the file aside and makes the new database; 0 on success. */
static int
corrupt_set_aside(struct daemon *d, const char *why, struct audit_alert *al,
                  char **msg, char **err)
{
	const char *db = d->paths.db_path;
	char hex[SHA256_HEX_LEN + 1];
	bool moved[CORRUPT_NSUFFIXES] = { false };
	int64_t size = 0;

	if (corrupt_hash(db, hex, &size) != 0) {
		*err = xasprintf("cannot read %s: %s", db, strerror(errno));
		return AL_EIO;
	}
	char *aside = corrupt_aside_name(db);
	int rc = corrupt_move(db, aside, moved);
	if (rc != 0) {
		*err = xasprintf("cannot set %s aside: %s", db,
		                 strerror(errno));
		corrupt_restore(db, aside, moved);
		free(aside);
		return rc;
	}
	*msg = corrupt_message(why, aside, hex, size, moved[1]);
	*al = (struct audit_alert){ .kind = AUDIT_ALERT_CORRUPT,
		                    .message = *msg,
		                    .created_ms = daemon_now_wall() };
	rc = corrupt_first_row(db, al, err);
	if (rc != 0) {
		corrupt_restore(db, aside, moved);
		free(*msg);
		*msg = NULL;
	} else {
		fprintf(stderr, "airlockd: %s\n", *msg);
	}
	free(aside);
	return rc;
}

int
daemon_corrupt_recover(struct daemon *d, int rc, char **err,
                       daemon_state_fn reopen)
{
	struct audit_alert al = { 0 };
	char *msg = NULL;
	char *err2 = NULL;

	if (rc == 0 || d->db != NULL || reopen == NULL ||
	    !corrupt_confirmed(d->paths.db_path, rc, *err)) {
		return rc;
	}
	int rc2 = corrupt_set_aside(d, *err, &al, &msg, &err2);
	if (rc2 != 0) {
		/* Nothing changed: stay degraded with the original reason. */
		fprintf(stderr,
		        "airlockd: cannot set the corrupt database aside: %s\n",
		        err2 ? err2 : al_strerror(rc2));
		free(err2);
		return rc;
	}
	rc2 = reopen(d, &err2);
	if (rc2 != 0) {
		/* The new database exists, first row and all: degraded mode
		 * retries it. */
		free(msg);
		free(*err);
		*err = err2;
		return rc2;
	}
	free(*err);
	*err = NULL;
	/* At start no console listens yet (the sockets open later); from
	 * the degraded retry they do. */
	daemon_alert_publish(d, &al);
	free(msg);
	return 0;
}
