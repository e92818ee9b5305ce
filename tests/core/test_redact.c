/*
 * Redaction: markers replace every secret with its type and a stable
 * fingerprint; text without secrets passes through byte for byte; the
 * corpus leaves no expected secret value behind.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/redact.h"
#include "core/secrets.h"
#include "core/xalloc.h"
#include "tests/support/corpus.h"

static void
make_token(char *tok, int seed)
{
	static const char al[] =
	        "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";

	strcpy(tok, "gh");
	strcat(tok, "p_");
	for (int i = 0; i < 36; i++) {
		tok[4 + i] = al[(i * 7 + seed * 13 + 3) % (sizeof(al) - 1)];
	}
	tok[40] = '\0';
}

static void
test_marker_format(void **state)
{
	char tok[48], text[128], fp[5], want[64];
	size_t n = 0;
	char *r;

	(void)state;
	make_token(tok, 1);
	snprintf(text, sizeof(text), "x=%s;", tok);
	r = redact_text(text, strlen(text), &n);
	secrets_fingerprint(tok, strlen(tok), fp);
	snprintf(want, sizeof(want),
	         "x=\xe2\x9f\xa8github_pat #%s\xe2\x9f\xa9;", fp);
	assert_string_equal(r, want);
	assert_int_equal(n, strlen(want));
	free(r);
}

static void
test_stable_and_distinct(void **state)
{
	char a[48], b[48], text[256];
	char *r1, *r2;
	char *m1, *m2;

	(void)state;
	make_token(a, 1);
	make_token(b, 2);
	snprintf(text, sizeof(text), "%s %s %s", a, b, a);
	r1 = redact_str(text);
	r2 = redact_str(text);
	assert_string_equal(r1, r2);
	assert_null(strstr(r1, a));
	assert_null(strstr(r1, b));
	/* same secret, same marker; different secrets, different markers */
	m1 = strstr(r1, "#");
	m2 = strstr(m1 + 1, "#");
	assert_memory_not_equal(m1, m2, 5);
	assert_memory_equal(m1, strstr(m2 + 1, "#"), 5);
	free(r1);
	free(r2);
}

static void
test_passthrough(void **state)
{
	const char plain[] = "no secrets here\0 even with a NUL";
	size_t n = 0;
	char *r;

	(void)state;
	r = redact_text(plain, sizeof(plain) - 1, &n);
	assert_int_equal(n, sizeof(plain) - 1);
	assert_memory_equal(r, plain, n);
	free(r);
	r = redact_text(NULL, 5, &n);
	assert_string_equal(r, "");
	assert_int_equal(n, 0);
	free(r);
	assert_null(redact_str(NULL));
	assert_false(redact_needed("hello", 5));
}

struct leak {
	int cases, leaks;
};

/* No expected secret value survives redaction of its own case. */
static void
check_case(const cJSON *c, const char *raw, int line, void *arg)
{
	struct leak *lk = arg;
	const cJSON *list = cJSON_GetObjectItem(
	        cJSON_GetObjectItem(c, "expect"), "secrets");
	const cJSON *e;
	char *in = NULL;
	size_t len = 0, rl = 0;
	char *r;

	(void)line;
	assert_int_equal(corpus_input(raw, &in, &len), 0);
	r = redact_text(in, len, &rl);
	lk->cases++;
	cJSON_ArrayForEach (e, list) {
		const char *v = cJSON_GetObjectItem(e, "value")->valuestring;
		if (memmem(r, rl, v, strlen(v)) != NULL) {
			lk->leaks++;
			print_message(
			        "  leak %s %s\n",
			        cJSON_GetObjectItem(c, "id")->valuestring,
			        cJSON_GetObjectItem(e, "type")->valuestring);
		}
	}
	free(r);
	free(in);
}

static void
test_corpus_no_leaks(void **state)
{
	struct leak lk = { 0, 0 };

	(void)state;
	assert_true(corpus_each("corpus/secret.jsonl.gz", check_case, &lk) > 0);
	print_message("redaction: %d cases, %d values left\n", lk.cases,
	              lk.leaks);
	assert_true(lk.leaks * 50 <= lk.cases); /* same bar as span recall */
}

/* An approver edits the redacted text: the secrets whose markers they kept
 * come back, markers of unknown secrets stay, the edit itself is kept. */
static void
test_restore(void **state)
{
	const char *orig =
	        "curl -H 'Authorization: token "
	        "ghp_aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3z5' https://x/a";
	char *red = redact_str(orig);
	char *edited;
	char *back;

	(void)state;
	assert_null(strstr(red, "ghp_"));
	/* change the URL, keep the marker */
	edited = xstrdup(red);
	char *slash = strstr(edited, "https://x/a");
	assert_non_null(slash);
	slash[10] = 'b';
	back = redact_restore(edited, orig);
	assert_non_null(
	        strstr(back, "ghp_aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3z5"));
	assert_non_null(strstr(back, "https://x/b"));
	free(back);
	/* a marker that belongs to no secret of the original stays */
	back = redact_restore("echo \u27e8github_pat #0000\u27e9", orig);
	assert_non_null(strstr(back, "#0000"));
	free(back);
	assert_null(redact_restore(NULL, orig));
	free(edited);
	free(red);
}

/* Many secrets in a large text: the output is sized exactly, every
 * secret is replaced, and the rest is kept byte for byte. */
static void
test_many_secrets(void **state)
{
	static const char line[] = "deploy key AKIAQX7DKQ2ZP4MNW3RT ok\n";
	size_t ll = sizeof(line) - 1, count = 2000, rl = 0;
	char *t = xmalloc(ll * count + 1);
	char *r;
	char mark[REDACT_MARKER_MAX];
	size_t ml;

	(void)state;
	for (size_t i = 0; i < count; i++) {
		memcpy(t + i * ll, line, ll);
	}
	t[ll * count] = '\0';
	redact_marker("aws_access_key_id", "AKIAQX7DKQ2ZP4MNW3RT", 20, mark);
	ml = strlen(mark);
	r = redact_text(t, ll * count, &rl);
	assert_int_equal(rl, (ll - 20 + ml) * count);
	assert_int_equal(r[rl], '\0');
	assert_null(strstr(r, "AKIAQX7DKQ2ZP4MNW3RT"));
	for (size_t i = 0; i < count; i++) {
		const char *p = r + i * (ll - 20 + ml);
		assert_memory_equal(p, "deploy key ", 11);
		assert_memory_equal(p + 11, mark, ml);
		assert_memory_equal(p + 11 + ml, " ok\n", 4);
	}
	free(r);
	free(t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_marker_format),
		cmocka_unit_test(test_restore),
		cmocka_unit_test(test_stable_and_distinct),
		cmocka_unit_test(test_passthrough),
		cmocka_unit_test(test_corpus_no_leaks),
		cmocka_unit_test(test_many_secrets),
	};

	setenv("AIRLOCK_SHARED_DIR", AIRLOCK_SHARED_DIR, 0);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
