#include "core/redact.h"

#include <string.h>

#include "core/xalloc.h"

/* Interim: the secret detector (core/secrets.c) replaces this pass-through
 * with real redaction. Callers already go through this one function. */
char *
redact_text(const char *text, size_t len, size_t *out_len)
{
	if (text == NULL) {
		len = 0;
		text = "";
	}
	if (out_len != NULL) {
		*out_len = len;
	}
	return xmemdup(text, len);
}

char *
redact_str(const char *s)
{
	if (s == NULL) {
		return NULL;
	}
	return redact_text(s, strlen(s), NULL);
}
