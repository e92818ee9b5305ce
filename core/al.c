#include "core/al.h"

#include <stddef.h>

struct al_error_text {
	int code;
	const char *text;
};

static const struct al_error_text al_texts[] = {
	{ AL_OK, "success" },
	{ AL_EINVAL, "invalid argument or input" },
	{ AL_EIO, "input/output error" },
	{ AL_EDB, "audit database error" },
	{ AL_ENOENT, "not found" },
	{ AL_EPARSE, "parse error" },
	{ AL_ETOOBIG, "input too large" },
	{ AL_EPROTO, "protocol error" },
	{ AL_EVERSION, "protocol version mismatch" },
	{ AL_ETIMEDOUT, "timed out" },
	{ AL_ECONN, "connection failed" },
	{ AL_EPERM, "permission denied" },
	{ AL_EEXIST, "already exists" },
	{ AL_ESTATE, "invalid state" },
	{ AL_EBUSY, "busy" },
	{ AL_ECLOSED, "closed" },
	{ AL_ENOSPC, "no space left" },
};

const char *
al_strerror(int code)
{
	for (size_t i = 0; i < sizeof al_texts / sizeof al_texts[0]; i++) {
		if (al_texts[i].code == code) {
			return al_texts[i].text;
		}
	}
	return "unknown error";
}
