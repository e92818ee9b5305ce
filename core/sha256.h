#ifndef AIRLOCK_CORE_SHA256_H
#define AIRLOCK_CORE_SHA256_H

#include <stddef.h>
#include <stdint.h>

/* SHA-256 (FIPS 180-4), used for the audit chain, raw-event hashes and the
 * short fingerprints shown for redacted secrets and tool inputs. */
#define SHA256_LEN     32
#define SHA256_HEX_LEN 64

struct sha256 {
	uint32_t h[8];
	uint64_t total;
	uint8_t block[64];
	size_t used;
};

void sha256_init(struct sha256 *s);
void sha256_update(struct sha256 *s, const void *p, size_t n);
void sha256_final(struct sha256 *s, uint8_t out[SHA256_LEN]);
/* One-shot digest as lowercase hex; out holds SHA256_HEX_LEN + 1 bytes. */
void sha256_hex(const void *p, size_t n, char out[SHA256_HEX_LEN + 1]);

#endif
