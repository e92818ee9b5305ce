/*
 * libFuzzer target for the hook's SP reply decoder (ipc/sp.c,
 * sp_decode_reply: the server's connection header, then framed replies
 * carrying request ids). The socket path runs the same decoder.
 *
 * Build and run from the repository root (clang):
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE -I. \
 *       fuzz/fuzz_sp.c ipc/sp.c core/xalloc.c -o /tmp/fuzz_sp
 *   /tmp/fuzz_sp -max_total_time=60 /tmp/fuzz_sp_corpus
 *
 * Input: 1 byte picks max_reply, 4 bytes the awaited request id, and the
 * rest is the byte stream as read from the server.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/al.h"
#include "ipc/sp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *reply = NULL;
	size_t reply_len = 0;
	size_t max_reply;
	uint32_t id;
	int rc;

	if (size < 5) {
		return 0;
	}
	max_reply = (size_t)1 << (data[0] % 24);
	id = (uint32_t)data[1] << 24 | (uint32_t)data[2] << 16 |
	     (uint32_t)data[3] << 8 | data[4];
	rc = sp_decode_reply(data + 5, size - 5, id, max_reply, &reply,
	                     &reply_len);
	if (rc == 0) {
		/* The promises of the header: bounded and NUL-terminated. */
		if (reply_len > max_reply || reply[reply_len] != '\0') {
			abort();
		}
		free(reply);
	} else if (reply != NULL ||
	           (rc != AL_ECONN && rc != AL_EPROTO && rc != AL_ETOOBIG)) {
		abort();
	}
	return 0;
}
