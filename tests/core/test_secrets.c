/*
 * Secret detector: scored on the labelled corpus (exact-span recall, false
 * positives on negative cases), plus variants the corpus does not hold.
 * Output names case ids, types and offsets only, never a secret.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/al.h"
#include "core/buf.h"
#include "core/secrets.h"
#include "core/xalloc.h"
#include "tests/support/corpus.h"

#define MAX_TYPES 64

struct type_score {
	const char *name; /* points into a case; copied below */
	char buf[48];
	int expected, found;
};

struct score {
	int cases, neg_cases, neg_flagged;
	int exp_spans, tp, fp, type_ok;
	struct type_score types[MAX_TYPES];
	int ntypes;
};

static struct type_score *
score_type(struct score *sc, const char *name)
{
	for (int i = 0; i < sc->ntypes; i++) {
		if (strcmp(sc->types[i].buf, name) == 0) {
			return &sc->types[i];
		}
	}
	if (sc->ntypes == MAX_TYPES) {
		return &sc->types[MAX_TYPES - 1];
	}
	struct type_score *t = &sc->types[sc->ntypes++];
	snprintf(t->buf, sizeof(t->buf), "%s", name);
	t->name = t->buf;
	return t;
}

struct want {
	size_t start, end;
	const char *type;
	bool hit;
};

/* Expected spans: successive occurrences of each listed value. */
static int
expected_spans(const cJSON *c, const char *in, size_t len, struct want *w,
               int max)
{
	const cJSON *list = cJSON_GetObjectItem(
	        cJSON_GetObjectItem(c, "expect"), "secrets");
	const cJSON *e;
	int n = 0;

	cJSON_ArrayForEach (e, list) {
		const char *v = cJSON_GetObjectItem(e, "value")->valuestring;
		size_t vl = strlen(v), from = 0;
		for (int k = 0; k < n; k++) {
			if (w[k].end - w[k].start == vl &&
			    memcmp(in + w[k].start, v, vl) == 0 &&
			    w[k].start + 1 > from) {
				from = w[k].start + 1;
			}
		}
		const char *p = from < len
		                        ? memmem(in + from, len - from, v, vl)
		                        : NULL;
		if (p == NULL || n == max) {
			continue;
		}
		w[n].start = (size_t)(p - in);
		w[n].end = w[n].start + vl;
		w[n].type = cJSON_GetObjectItem(e, "type")->valuestring;
		w[n].hit = false;
		n++;
	}
	return n;
}

static void
score_case(const cJSON *c, const char *raw, int line, void *arg)
{
	struct score *sc = arg;
	const char *id = cJSON_GetObjectItem(c, "id")->valuestring;
	char *in = NULL;
	size_t len = 0, n = 0;
	struct secret_span *s = NULL;
	struct want w[32];
	int nw;

	(void)line;
	assert_int_equal(corpus_input(raw, &in, &len), 0);
	nw = expected_spans(c, in, len, w, 32);
	assert_int_equal(secrets_scan(in, len, &s, &n), 0);
	sc->cases++;
	if (nw == 0) {
		sc->neg_cases++;
		sc->neg_flagged += n > 0;
	}
	for (int k = 0; k < nw; k++) {
		score_type(sc, w[k].type)->expected++;
	}
	sc->exp_spans += nw;
	for (size_t i = 0; i < n; i++) {
		bool ok = false;
		for (int k = 0; k < nw && !ok; k++) {
			if (!w[k].hit && w[k].start == s[i].start &&
			    w[k].end == s[i].end) {
				w[k].hit = ok = true;
				sc->tp++;
				score_type(sc, w[k].type)->found++;
				sc->type_ok +=
				        strcmp(w[k].type, s[i].type) == 0;
				if (strcmp(w[k].type, s[i].type) != 0) {
					print_message("  type  %s [%zu,%zu) "
					              "want %s got %s\n",
					              id, s[i].start, s[i].end,
					              w[k].type, s[i].type);
				}
			}
		}
		if (!ok) {
			sc->fp++;
			print_message("  FP    %s [%zu,%zu) %s\n", id,
			              s[i].start, s[i].end, s[i].type);
		}
	}
	for (int k = 0; k < nw; k++) {
		if (!w[k].hit) {
			print_message("  FN    %s [%zu,%zu) %s\n", id,
			              w[k].start, w[k].end, w[k].type);
		}
	}
	free(s);
	free(in);
}

static void
test_corpus(void **state)
{
	struct score sc = { 0 };
	int n;

	(void)state;
	n = corpus_each("corpus/secret.jsonl.gz", score_case, &sc);
	assert_true(n > 0);
	for (int i = 0; i < sc.ntypes; i++) {
		print_message("  %-32s %d/%d\n", sc.types[i].name,
		              sc.types[i].found, sc.types[i].expected);
	}
	double recall = sc.exp_spans ? (double)sc.tp / sc.exp_spans : 1.0;
	double prec = sc.tp + sc.fp ? (double)sc.tp / (sc.tp + sc.fp) : 1.0;
	double negr =
	        sc.neg_cases ? (double)sc.neg_flagged / sc.neg_cases : 0.0;
	print_message("secret corpus: %d cases, span recall %.3f (%d/%d), "
	              "precision %.3f, type accuracy %d/%d, negatives flagged "
	              "%d/%d (%.3f)\n",
	              sc.cases, recall, sc.tp, sc.exp_spans, prec, sc.type_ok,
	              sc.tp, sc.neg_flagged, sc.neg_cases, negr);
	assert_true(recall >= 0.98);
	assert_true(negr <= 0.02);
}

/* ---- unseen variants --------------------------------------------------- */

/* Deterministic random bodies so no token-shaped literal sits in the
 * source for scanners to trip on. */
static void
rnd_body(char *out, size_t n, const char *alphabet, uint32_t seed)
{
	size_t m = strlen(alphabet);
	uint32_t x = seed * 2654435761u + 1;

	for (size_t i = 0; i < n; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		out[i] = alphabet[x % m];
	}
	out[n] = '\0';
}

static const char ALNUM[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/* Scans text and checks that exactly one secret of type is found, at the
 * first occurrence of needle. */
static void
expect_one(const char *text, const char *needle, const char *type)
{
	struct secret_span *s = NULL;
	size_t n = 0;
	const char *p = strstr(text, needle);

	assert_non_null(p);
	assert_int_equal(secrets_scan(text, strlen(text), &s, &n), 0);
	if (n != 1) {
		print_message("expected 1 %s, got %zu\n", type, n);
	}
	assert_int_equal(n, 1);
	assert_int_equal(s[0].start, (size_t)(p - text));
	assert_int_equal(s[0].end, (size_t)(p - text) + strlen(needle));
	assert_string_equal(s[0].type, type);
	free(s);
}

static void
expect_none(const char *text)
{
	struct secret_span *s = NULL;
	size_t n = 0;

	assert_int_equal(secrets_scan(text, strlen(text), &s, &n), 0);
	if (n != 0) {
		print_message("unexpected %s at %zu\n", s[0].type, s[0].start);
	}
	assert_int_equal(n, 0);
	assert_null(s);
}

static void
test_provider_variants(void **state)
{
	char body[128], tok[192], text[512];

	(void)state;
	rnd_body(body, 36, ALNUM, 7);
	snprintf(tok, sizeof(tok), "gh%c_%s", 'p', body);
	snprintf(text, sizeof(text), "git push https://%s@github.com/a/b", tok);
	expect_one(text, tok, "github_pat");

	rnd_body(body, 20, ALNUM, 8);
	snprintf(tok, sizeof(tok), "glpat-%s", body);
	snprintf(text, sizeof(text), "[gitlab]\ntoken=%s\n", tok);
	expect_one(text, tok, "gitlab_pat");

	rnd_body(body, 16, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 9);
	snprintf(tok, sizeof(tok), "AK%s%s", "IA", body);
	snprintf(text, sizeof(text), "{\"key\": \"%s\"}", tok);
	expect_one(text, tok, "aws_access_key_id");

	rnd_body(body, 93, ALNUM, 10);
	snprintf(tok, sizeof(tok), "sk-ant-api03-%sAA", body);
	snprintf(text, sizeof(text), "export X=%s; run", tok);
	expect_one(text, tok, "anthropic_api_key");

	rnd_body(body, 36, ALNUM, 11);
	snprintf(tok, sizeof(tok), "np%c_%s", 'm', body);
	snprintf(text, sizeof(text), "//npm.example/:_authToken=%s\n", tok);
	expect_one(text, tok, "npm_token");
}

static void
test_pem_variants(void **state)
{
	char body[70], text[1024], key[900];

	(void)state;
	rnd_body(body, 64, ALNUM, 12);
	/* diff with + prefixes */
	snprintf(key, sizeof(key),
	         "-----BEGIN EC PRIVATE KEY-----\n+%s\n+%s\n+-----END EC "
	         "PRIVATE KEY-----",
	         body, body);
	snprintf(text, sizeof(text), "@@ -0,0 +1,4 @@\n+%s\n", key);
	expect_one(text, key, "private_key");
	/* JSON-escaped newlines */
	snprintf(key, sizeof(key),
	         "-----BEGIN PRIVATE KEY-----\\n%s\\n-----END PRIVATE KEY-----",
	         body);
	snprintf(text, sizeof(text), "{\"k\":\"%s\\n\"}", key);
	expect_one(text, key, "private_key");
	/* public material is not secret */
	snprintf(text, sizeof(text),
	         "-----BEGIN PUBLIC KEY-----\n%s\n-----END PUBLIC KEY-----\n",
	         body);
	expect_none(text);
}

static void
test_context_variants(void **state)
{
	char pw[32], text[256], b64[64];

	(void)state;
	rnd_body(pw, 18,
	         "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789!*",
	         13);
	snprintf(text, sizeof(text), "amqp://svc:%s@mq.internal:5672/", pw);
	expect_one(text, pw, "password_in_url");
	snprintf(text, sizeof(text), "db:\n  password: '%s'\n", pw);
	expect_one(text, pw, "generic_password");
	snprintf(text, sizeof(text),
	         "host=db user=app password=%s sslmode=require", pw);
	expect_one(text, pw, "generic_password");
	/* "user:s3cret-Pass" in base64 */
	snprintf(b64, sizeof(b64), "dXNlcjpzM2NyZXQtUGFzcw==");
	snprintf(text, sizeof(text), "Authorization: Basic %s\r\n", b64);
	expect_one(text, b64, "basic_auth");
}

static void
test_negatives(void **state)
{
	(void)state;
	expect_none("password: ${DB_PASSWORD}\napi_key: <your key>\n");
	expect_none("SECRET_KEY=changeme-in-production\n");
	expect_none("token: {{ .Values.token }}\nsecret_ref: vault/kv/app\n");
	expect_none("id 123e4567-e89b-12d3-a456-426614174000 ok\n");
	expect_none("sha256:"
	            "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0"
	            "f00a08");
	expect_none(
	        "ghp_****************************** and AKIA0000000000000000");
	expect_none("mkdir -pv build && ssh -p2222 host");
	expect_none("postgres://USER:PASSWORD@localhost/db");
}

static void
test_empty_and_binary(void **state)
{
	struct secret_span *s = (void *)1;
	size_t n = 99;
	char bin[300];

	(void)state;
	assert_int_equal(secrets_scan("", 0, &s, &n), 0);
	assert_int_equal(n, 0);
	assert_null(s);
	assert_int_equal(secrets_scan(NULL, 5, &s, &n), AL_EINVAL);
	for (size_t i = 0; i < sizeof(bin); i++) {
		bin[i] = (char)(i * 37);
	}
	assert_int_equal(secrets_scan(bin, sizeof(bin), &s, &n), 0);
	free(s);
}

static void
test_fingerprint_stable(void **state)
{
	char a[5], b[5];

	(void)state;
	secrets_fingerprint("abc", 3, a);
	secrets_fingerprint("abc", 3, b);
	assert_string_equal(a, b);
	assert_string_equal(a, "ba78"); /* SHA-256("abc") = ba7816bf… */
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_corpus),
		cmocka_unit_test(test_provider_variants),
		cmocka_unit_test(test_pem_variants),
		cmocka_unit_test(test_context_variants),
		cmocka_unit_test(test_negatives),
		cmocka_unit_test(test_empty_and_binary),
		cmocka_unit_test(test_fingerprint_stable),
	};

	/* corpus.c resolves ../shared from the working directory unless told.
	 */
	setenv("AIRLOCK_SHARED_DIR", AIRLOCK_SHARED_DIR, 0);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
