#include "core/sha256.h"

#include <string.h>

static const uint32_t sha256_k[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1,
	0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
	0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
	0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
	0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
	0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
	0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
	0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
	0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

static uint32_t
sha256_ror(uint32_t x, int n)
{
	return (x >> n) | (x << (32 - n));
}

static uint32_t
sha256_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

/* One round with the working variables renamed instead of shifted. */
#define SHA256_ROUND(a, b, c, d, e, f, g, h, i)                           \
	do {                                                              \
		uint32_t t1_ = h +                                        \
		               (sha256_ror(e, 6) ^ sha256_ror(e, 11) ^    \
		                sha256_ror(e, 25)) +                      \
		               ((e & f) ^ (~e & g)) + sha256_k[i] + w[i]; \
		uint32_t t2_ = (sha256_ror(a, 2) ^ sha256_ror(a, 13) ^    \
		                sha256_ror(a, 22)) +                      \
		               ((a & b) ^ (a & c) ^ (b & c));             \
		d += t1_;                                                 \
		h = t1_ + t2_;                                            \
	} while (0)

static void
sha256_block(uint32_t st[8], const uint8_t *p)
{
	uint32_t w[64];
	uint32_t a = st[0], b = st[1], c = st[2], d = st[3];
	uint32_t e = st[4], f = st[5], g = st[6], h = st[7];

	for (int i = 0; i < 16; i++) {
		w[i] = sha256_be32(p + 4 * i);
	}
	for (int i = 16; i < 64; i++) {
		uint32_t s0 = sha256_ror(w[i - 15], 7) ^
		              sha256_ror(w[i - 15], 18) ^ (w[i - 15] >> 3);
		uint32_t s1 = sha256_ror(w[i - 2], 17) ^
		              sha256_ror(w[i - 2], 19) ^ (w[i - 2] >> 10);
		w[i] = w[i - 16] + s0 + w[i - 7] + s1;
	}
	for (int i = 0; i < 64; i += 8) {
		SHA256_ROUND(a, b, c, d, e, f, g, h, i);
		SHA256_ROUND(h, a, b, c, d, e, f, g, i + 1);
		SHA256_ROUND(g, h, a, b, c, d, e, f, i + 2);
		SHA256_ROUND(f, g, h, a, b, c, d, e, i + 3);
		SHA256_ROUND(e, f, g, h, a, b, c, d, i + 4);
		SHA256_ROUND(d, e, f, g, h, a, b, c, i + 5);
		SHA256_ROUND(c, d, e, f, g, h, a, b, i + 6);
		SHA256_ROUND(b, c, d, e, f, g, h, a, i + 7);
	}
	st[0] += a;
	st[1] += b;
	st[2] += c;
	st[3] += d;
	st[4] += e;
	st[5] += f;
	st[6] += g;
	st[7] += h;
}

void
sha256_init(struct sha256 *s)
{
	static const uint32_t iv[8] = { 0x6a09e667, 0xbb67ae85, 0x3c6ef372,
		                        0xa54ff53a, 0x510e527f, 0x9b05688c,
		                        0x1f83d9ab, 0x5be0cd19 };

	memcpy(s->h, iv, sizeof iv);
	s->total = 0;
	s->used = 0;
}

void
sha256_update(struct sha256 *s, const void *data, size_t n)
{
	const uint8_t *p = data;

	if (n == 0) {
		return; /* p may be NULL (an empty blob) */
	}
	s->total += n;
	if (s->used > 0) {
		size_t take = 64 - s->used;
		if (take > n) {
			take = n;
		}
		memcpy(s->block + s->used, p, take);
		s->used += take;
		p += take;
		n -= take;
		if (s->used < 64) {
			return;
		}
		sha256_block(s->h, s->block);
		s->used = 0;
	}
	/* Whole blocks straight from the input. */
	for (; n >= 64; p += 64, n -= 64) {
		sha256_block(s->h, p);
	}
	memcpy(s->block, p, n);
	s->used = n;
}

void
sha256_final(struct sha256 *s, uint8_t out[SHA256_LEN])
{
	uint64_t bits = s->total * 8;

	s->block[s->used++] = 0x80;
	if (s->used > 56) {
		memset(s->block + s->used, 0, 64 - s->used);
		sha256_block(s->h, s->block);
		s->used = 0;
	}
	memset(s->block + s->used, 0, 56 - s->used);
	for (int i = 0; i < 8; i++) {
		s->block[56 + i] = (uint8_t)(bits >> (56 - 8 * i));
	}
	sha256_block(s->h, s->block);
	s->used = 0;
	for (int i = 0; i < 8; i++) {
		out[4 * i] = (uint8_t)(s->h[i] >> 24);
		out[4 * i + 1] = (uint8_t)(s->h[i] >> 16);
		out[4 * i + 2] = (uint8_t)(s->h[i] >> 8);
		out[4 * i + 3] = (uint8_t)s->h[i];
	}
}

void
sha256_hex(const void *p, size_t n, char out[SHA256_HEX_LEN + 1])
{
	static const char hex[] = "0123456789abcdef";
	struct sha256 s;
	uint8_t d[SHA256_LEN];

	sha256_init(&s);
	sha256_update(&s, p, n);
	sha256_final(&s, d);
	for (int i = 0; i < SHA256_LEN; i++) {
		out[2 * i] = hex[d[i] >> 4];
		out[2 * i + 1] = hex[d[i] & 15];
	}
	out[SHA256_HEX_LEN] = '\0';
}
