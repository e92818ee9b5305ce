#ifndef AIRLOCK_CORE_AL_H
#define AIRLOCK_CORE_AL_H

/*
 * The one error convention of airlock: fallible functions return 0 or one
 * of these negative codes; results go out through pointer parameters which
 * stay untouched on failure. Library error codes (SQLite, nng, errno) are
 * translated where they enter a module; detail strings stay on the object.
 */
enum {
	AL_OK = 0,
	AL_EINVAL = -1,    /* invalid argument or malformed input */
	AL_EIO = -2,       /* operating-system I/O error */
	AL_EDB = -3,       /* the audit database failed */
	AL_ENOENT = -4,    /* no such item */
	AL_EPARSE = -5,    /* text could not be parsed */
	AL_ETOOBIG = -6,   /* input over a size limit */
	AL_EPROTO = -7,    /* protocol violation */
	AL_EVERSION = -8,  /* protocol version mismatch */
	AL_ETIMEDOUT = -9, /* deadline passed */
	AL_ECONN = -10,    /* could not connect, or the connection dropped */
	AL_EPERM = -11,    /* not allowed */
	AL_EEXIST = -12,   /* already exists / already decided */
	AL_ESTATE = -13,   /* wrong state for this operation */
	AL_EBUSY = -14,    /* resource busy or locked */
	AL_ECLOSED = -15,  /* object closed or shutting down */
	AL_ENOSPC = -16,   /* no space left */
};

/* A static English text for an AL_E* code; never NULL. */
const char *al_strerror(int code);

#endif
