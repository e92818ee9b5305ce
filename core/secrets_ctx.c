/*
 * Context scanners of the secret detector: secrets recognised by where
 * they sit rather than by their own format (URL user info, Authorization
 * headers, Docker "auth" blobs, password=/secret:/api_key assignments,
 * "mysql -p<password>"). Each keeps a value only when it is shaped like a
 * secret: placeholders, references and ordinary words are left alone.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/secrets_int.h"
#include "core/xalloc.h"

#define SECRETS_KEY_MAX 64
#define SECRETS_VAL_MAX 2048

static bool
secrets_key_ch(unsigned char c)
{
	return secrets_is_alnum(c) || c == '_' || c == '-' || c == '.';
}

static bool
secrets_space(unsigned char c)
{
	return c == ' ' || c == '\t';
}

static bool
secrets_has(const char *s, const char *needle)
{
	return strstr(s, needle) != NULL;
}

static bool
secrets_ends(const char *s, size_t n, const char *suffix)
{
	size_t m = strlen(suffix);

	return n >= m && memcmp(s + n - m, suffix, m) == 0;
}

/* Lower-case words that are values of settings, never secrets. */
static bool
secrets_common_word(const char *v, size_t n)
{
	static const char *const words[] = {
		"true",      "false",    "null",      "none",    "nil",
		"undefined", "required", "optional",  "enabled", "disabled",
		"bearer",    "basic",    "string",    "secret",  "password",
		"token",     "hidden",   "sensitive", "masked",  "empty",
	};

	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		size_t m = strlen(words[i]);
		if (m == n && strncasecmp(v, words[i], n) == 0) {
			return true;
		}
	}
	return false;
}

struct secrets_shape {
	bool lower, upper, digit, symbol, dot_only_sym;
	int classes;
};

static struct secrets_shape
secrets_shape_of(const char *v, size_t n)
{
	struct secrets_shape s = { 0 };

	s.dot_only_sym = true;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)v[i];
		if (c >= 'a' && c <= 'z') {
			s.lower = true;
		} else if (c >= 'A' && c <= 'Z') {
			s.upper = true;
		} else if (c >= '0' && c <= '9') {
			s.digit = true;
		} else {
			s.symbol = true;
			if (c != '.' && c != '_' && c != '-') {
				s.dot_only_sym = false;
			}
		}
	}
	s.classes = s.lower + s.upper + s.digit + s.symbol;
	return s;
}

/*
 * Does a value assigned to a secret-named key look like a secret? Mixed
 * character classes and enough entropy; letters-only identifiers, dotted
 * references (os.environ, config.password), paths, URLs, numbers and
 * placeholders do not. strict raises the bar for weakly named keys.
 */
static bool
secrets_value_ok(const char *v, size_t n, bool strict)
{
	struct secrets_shape s;
	double h;

	if (n < (strict ? 16u : 6u) || n > SECRETS_VAL_MAX) {
		return false;
	}
	if (strchr("$%{<@/~#[(*", v[0]) != NULL || secrets_common_word(v, n) ||
	    secrets_is_placeholder(v, n) || memmem(v, n, "://", 3) != NULL) {
		return false;
	}
	s = secrets_shape_of(v, n);
	h = secrets_entropy(v, n);
	if (!s.digit && s.dot_only_sym) {
		/* Identifier-like: only a long random mixed-case run passes. */
		return n >= 16 && s.upper && s.lower && !memchr(v, '.', n) &&
		       h >= 3.8;
	}
	if (s.classes < 2 || (!s.lower && !s.upper)) {
		return false;
	}
	if (s.dot_only_sym && memchr(v, '.', n) != NULL && !s.digit) {
		return false;
	}
	return h >= (strict ? 3.5 : (n < 16 ? 2.5 : 3.0));
}

/* ---- URLs with user info ----------------------------------------------- */

static bool
secrets_url_placeholder(const char *v, size_t n)
{
	bool caps = true;

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)v[i];
		if (!((c >= 'A' && c <= 'Z') || c == '_' || c == '-')) {
			caps = false;
		}
	}
	return caps || secrets_common_word(v, n) ||
	       strchr("$<{[", v[0]) != NULL || secrets_is_placeholder(v, n) ||
	       (n == 4 && strncasecmp(v, "pass", 4) == 0) ||
	       (n == 6 && strncasecmp(v, "passwd", 6) == 0);
}

/* At "://": if user info "user:pass@" follows, the password is the span. */
static void
secrets_url_at(const char *t, size_t len, size_t i, struct secrets_cands *c)
{
	size_t j = i + 3, colon = 0, limit = i + 3 + 256;

	if (i == 0 || !secrets_is_alnum((unsigned char)t[i - 1])) {
		return;
	}
	if (limit > len) {
		limit = len;
	}
	for (; j < limit; j++) {
		unsigned char ch = (unsigned char)t[j];
		if (ch <= ' ' || strchr("/\"'<>`\\", ch) != NULL) {
			return;
		}
		if (ch == ':' && colon == 0) {
			colon = j;
		}
		if (ch == '@') {
			break;
		}
	}
	if (j >= limit || colon == 0 || j == colon + 1 || j + 1 >= len ||
	    !(secrets_is_alnum((unsigned char)t[j + 1]) || t[j + 1] == '[')) {
		return;
	}
	if (!secrets_url_placeholder(t + colon + 1, j - colon - 1)) {
		secrets_add(c, colon + 1, j, "password_in_url",
		            SECRETS_PRIO_CONTEXT);
	}
}

/* ---- Authorization headers --------------------------------------------- */

static bool
secrets_b64_ch(unsigned char c)
{
	return secrets_is_alnum(c) || c == '+' || c == '/' || c == '=' ||
	       c == '-' || c == '_';
}

/* A base64 blob that decodes to printable "user:secret". */
static bool
secrets_b64_userpass(const char *v, size_t n)
{
	unsigned char *d;
	long dn;
	bool ok = false;

	if (n < 8 || n > 1024) {
		return false;
	}
	d = xmalloc(n);
	dn = secrets_b64_decode(v, n, d);
	if (dn > 2) {
		ok = memchr(d, ':', (size_t)dn) != NULL && d[0] != ':';
		for (long k = 0; ok && k < dn; k++) {
			ok = d[k] >= 0x20 && d[k] < 0x7f;
		}
	}
	free(d);
	return ok;
}

static size_t
secrets_token_end(const char *t, size_t len, size_t j)
{
	while (j < len && secrets_b64_ch((unsigned char)t[j])) {
		j++;
	}
	return j;
}

/* "Basic <base64 user:pass>" and "Bearer <opaque token>". */
static void
secrets_auth_at(const char *t, size_t len, size_t i, struct secrets_cands *c)
{
	size_t s, e;
	bool basic =
	        (t[i] | 0x20) == 'b' && strncmp(t + i + 1, "asic ", 5) == 0;

	s = i + (basic ? 6 : 7);
	while (s < len && t[s] == ' ') {
		s++;
	}
	e = secrets_token_end(t, len, s);
	if (basic) {
		if (secrets_b64_userpass(t + s, e - s)) {
			secrets_add(c, s, e, "basic_auth",
			            SECRETS_PRIO_CONTEXT);
		}
		return;
	}
	if (e < len && t[e] == '.') {
		return; /* truncated or elided ("eyJhbGciOi...") */
	}
	if (e - s >= 20 && secrets_value_ok(t + s, e - s, true)) {
		secrets_add(c, s, e, "generic_secret", SECRETS_PRIO_CONTEXT);
	}
}

/* ---- Assignments ------------------------------------------------------- */

/* Key suffixes that name metadata about a secret, not the secret. */
static bool
secrets_meta_key(const char *k, size_t n)
{
	static const char *const sfx[] = {
		"id",     "ids",      "url",      "uri",      "file",
		"path",   "name",     "type",     "length",   "len",
		"header", "endpoint", "ref",      "mode",     "hint",
		"field",  "env",      "var",      "policy",   "count",
		"size",   "format",   "enabled",  "scanning", "expires_in",
		"expiry", "method",   "version",  "ttl",      "dir",
		"prefix", "required", "label",    "min",      "max",
		"hash",   "digest",   "checksum", "source",   "store",
		"helper", "command",
	};

	if (strstr(k, "public") || strstr(k, "publishable") ||
	    strstr(k, "pubkey") || strstr(k, "fingerprint")) {
		return true;
	}
	for (size_t i = 0; i < sizeof(sfx) / sizeof(sfx[0]); i++) {
		if (secrets_ends(k, n, sfx[i])) {
			return true;
		}
	}
	return false;
}

struct secrets_kv {
	char key[SECRETS_KEY_MAX + 1]; /* lower case */
	size_t klen;
	size_t vs, ve; /* value span */
};

/* The key before the operator at t[op], lower-cased into kv->key. */
static bool
secrets_key_before(const char *t, size_t op, struct secrets_kv *kv)
{
	size_t j = op, ks;

	while (j > 0 && op - j < 4 && secrets_space((unsigned char)t[j - 1])) {
		j--;
	}
	if (j > 0 && (t[j - 1] == '"' || t[j - 1] == '\'')) {
		j--;
		if (j > 0 && t[j - 1] == '\\') {
			j--;
		}
	}
	ks = j;
	while (ks > 0 && j - ks < SECRETS_KEY_MAX &&
	       secrets_key_ch((unsigned char)t[ks - 1])) {
		ks--;
	}
	if (ks == j || (ks > 0 && secrets_key_ch((unsigned char)t[ks - 1]))) {
		return false;
	}
	kv->klen = j - ks;
	for (size_t k = 0; k < kv->klen; k++) {
		char ch = t[ks + k];
		kv->key[k] = (ch >= 'A' && ch <= 'Z') ? (char)(ch + 32) : ch;
	}
	kv->key[kv->klen] = '\0';
	return true;
}

/* The value after the operator: quoted (', ", `, \") or a bare run. */
static bool
secrets_value_after(const char *t, size_t len, size_t op, struct secrets_kv *kv)
{
	size_t j = op + 1;
	char q = 0;
	bool esc = false;

	if (j < len && (t[j] == '>' || (t[op] == ':' && t[j] == '='))) {
		j++;
	}
	while (j < len && j - op < 16 && secrets_space((unsigned char)t[j])) {
		j++;
	}
	if (j + 1 < len && t[j] == '\\' && t[j + 1] == '"') {
		esc = true;
		q = '"';
		j += 2;
	} else if (j < len && (t[j] == '"' || t[j] == '\'' || t[j] == '`')) {
		q = t[j++];
	}
	kv->vs = j;
	while (j < len && j - kv->vs <= SECRETS_VAL_MAX) {
		unsigned char ch = (unsigned char)t[j];
		if (q != 0 && ch == (unsigned char)q) {
			break;
		}
		if (ch == '\n' || ch == '\r' || (q == 0 && ch <= ' ') ||
		    (esc && ch == '\\') ||
		    (q == 0 && strchr("\"'`,;()[]{}<>&\\", ch) != NULL)) {
			break;
		}
		j++;
	}
	if (q != 0 && (j >= len || t[j] != q)) {
		return false;
	}
	kv->ve = j;
	return kv->ve > kv->vs;
}

static bool
secrets_near(const char *t, size_t len, size_t at, const char *needle)
{
	size_t s = at > 400 ? at - 400 : 0;
	size_t e = at + 400 < len ? at + 400 : len;

	return memmem(t + s, e - s, needle, strlen(needle)) != NULL;
}

/* Secret type implied by a key, or NULL; *strict for weak names. */
static const char *
secrets_key_type(const char *k, size_t n, bool *strict)
{
	*strict = false;
	if (secrets_has(k, "secret_access_key") ||
	    secrets_has(k, "secretaccesskey")) {
		return "aws_secret_access_key";
	}
	if (secrets_has(k, "session_token")) {
		return "aws_session_token";
	}
	if (secrets_has(k, "twilio")) {
		return secrets_has(k, "secret") ? "twilio_api_secret"
		                                : "twilio_auth_token";
	}
	if (secrets_has(k, "heroku")) {
		return "heroku_api_key";
	}
	if (secrets_has(k, "datadog") || secrets_has(k, "dd_api_key")) {
		return "datadog_api_key";
	}
	if (secrets_has(k, "mailgun")) {
		return "mailgun_api_key";
	}
	if (secrets_ends(k, n, "accountkey") ||
	    secrets_ends(k, n, "sharedaccesskey")) {
		return "azure_storage_key";
	}
	if (secrets_has(k, "pass") || secrets_has(k, "pwd")) {
		return "generic_password";
	}
	if (secrets_has(k, "secret")) {
		return "generic_secret";
	}
	if (secrets_has(k, "api_key") || secrets_has(k, "apikey") ||
	    secrets_has(k, "api-key") || secrets_has(k, "access_key")) {
		return "generic_api_key";
	}
	if (secrets_has(k, "token")) {
		return "generic_secret";
	}
	if (n > 4 &&
	    (secrets_ends(k, n, "_key") || secrets_ends(k, n, "-key") ||
	     secrets_ends(k, n, "privatekey") ||
	     secrets_ends(k, n, "signingkey"))) {
		*strict = true;
		return "generic_api_key";
	}
	return NULL;
}

/* Keys whose value format is specific: Docker auth, SAS signatures. */
static void
secrets_special_kv(const char *t, size_t len, size_t op, struct secrets_kv *kv,
                   struct secrets_cands *c)
{
	const char *v = t + kv->vs;
	size_t n = kv->ve - kv->vs;

	if (strcmp(kv->key, "auth") == 0 && secrets_b64_userpass(v, n)) {
		secrets_add(c, kv->vs, kv->ve, "docker_auth",
		            SECRETS_PRIO_CONTEXT);
	} else if (strcmp(kv->key, "sig") == 0 && t[op] == '=' &&
	           secrets_near(t, len, op, "sv=") && n >= 20 &&
	           secrets_value_ok(v, n, false)) {
		secrets_add(c, kv->vs, kv->ve, "azure_sas_signature",
		            SECRETS_PRIO_CONTEXT);
	}
}

/*
 * Could this key name a secret? A fast necessary condition for
 * secrets_key_type() and the special keys: every name it recognises
 * contains one of these words. Most keys in JSON, YAML and logs fail
 * here, before their value is parsed.
 */
/* Does r[0..m) start with w? */
static bool
secrets_tail(const char *r, size_t m, const char *w)
{
	size_t wl = strlen(w);

	return m >= wl && memcmp(r, w, wl) == 0;
}

static bool
secrets_key_maybe(const char *k, size_t n)
{
	/* One pass over the (short, lower-cased) key; each word is
	 * compared only where its first letter is. */
	for (size_t i = 0; i < n; i++) {
		const char *r = k + i + 1;
		size_t m = n - i - 1;
		switch (k[i]) {
		case 'a':
			if (secrets_tail(r, m, "uth")) {
				return true;
			}
			break;
		case 'd':
			if (secrets_tail(r, m, "atadog")) {
				return true;
			}
			break;
		case 'h':
			if (secrets_tail(r, m, "eroku")) {
				return true;
			}
			break;
		case 'k':
			if (secrets_tail(r, m, "ey")) {
				return true;
			}
			break;
		case 'm':
			if (secrets_tail(r, m, "ailgun")) {
				return true;
			}
			break;
		case 'p':
			if (secrets_tail(r, m, "ass") ||
			    secrets_tail(r, m, "wd")) {
				return true;
			}
			break;
		case 's':
			if (secrets_tail(r, m, "ecret") ||
			    secrets_tail(r, m, "ig")) {
				return true;
			}
			break;
		case 't':
			if (secrets_tail(r, m, "oken") ||
			    secrets_tail(r, m, "wilio")) {
				return true;
			}
			break;
		default:
			break;
		}
	}
	return false;
}

static void
secrets_assign_at(const char *t, size_t len, size_t op, struct secrets_cands *c)
{
	struct secrets_kv kv;
	const char *type;
	bool strict = false;
	bool special;

	if (!secrets_key_before(t, op, &kv) ||
	    !secrets_key_maybe(kv.key, kv.klen)) {
		return;
	}
	special = strcmp(kv.key, "auth") == 0 || strcmp(kv.key, "sig") == 0;
	type = special ? NULL : secrets_key_type(kv.key, kv.klen, &strict);
	if (!special && (type == NULL || secrets_meta_key(kv.key, kv.klen))) {
		return;
	}
	if (!secrets_value_after(t, len, op, &kv)) {
		return;
	}
	if (special) {
		secrets_special_kv(t, len, op, &kv, c);
		return;
	}
	if (!secrets_value_ok(t + kv.vs, kv.ve - kv.vs, strict)) {
		return;
	}
	if (strcmp(type, "generic_api_key") == 0 &&
	    secrets_near(t, len, op, "datadoghq")) {
		type = "datadog_api_key";
	}
	secrets_add(c, kv.vs, kv.ve, type, SECRETS_PRIO_CONTEXT);
}

/* "mysql … -p<password>": the password glued to -p. */
static void
secrets_mysql_p(const char *t, size_t len, size_t i, struct secrets_cands *c)
{
	size_t ls = i, e = i + 2;

	while (ls > 0 && t[ls - 1] != '\n' && i - ls < 512) {
		ls--;
	}
	if (!memmem(t + ls, i - ls, "mysql", 5) &&
	    !memmem(t + ls, i - ls, "mariadb", 7)) {
		return;
	}
	while (e < len && (unsigned char)t[e] > ' ' && t[e] != '\'' &&
	       t[e] != '"') {
		e++;
	}
	if (secrets_value_ok(t + i + 2, e - i - 2, false)) {
		secrets_add(c, i + 2, e, "generic_password",
		            SECRETS_PRIO_CONTEXT);
	}
}

/* ---- Per-position entry points ----------------------------------------- */

void
secrets_ctx_word(const char *t, size_t len, size_t i, struct secrets_cands *c)
{
	/* "<sp>Basic " / "<sp>Bearer ", either case of the B. */
	if ((t[i] != 'B' && t[i] != 'b') || i == 0 ||
	    (t[i - 1] != ' ' && t[i - 1] != '\t') || i + 8 >= len) {
		return;
	}
	if (memcmp(t + i + 1, "asic ", 5) == 0 ||
	    memcmp(t + i + 1, "earer ", 6) == 0) {
		secrets_auth_at(t, len, i, c);
	}
}

void
secrets_ctx_punct(const char *t, size_t len, size_t i, struct secrets_cands *c)
{
	char ch = t[i];

	if (ch == ':' && i + 2 < len && t[i + 1] == '/' && t[i + 2] == '/') {
		secrets_url_at(t, len, i, c);
	}
	if (i == 0 || i + 1 >= len) {
		return;
	}
	if (ch == '=') {
		if (t[i + 1] != '=' && strchr("=!<>", t[i - 1]) == NULL) {
			secrets_assign_at(t, len, i, c);
		}
	} else if (ch == ':') {
		if (t[i + 1] != '/' && t[i + 1] != ':' && t[i - 1] != ':') {
			secrets_assign_at(t, len, i, c);
		}
	} else if (ch == '-' && t[i + 1] == 'p' && t[i - 1] == ' ' &&
	           i + 2 < len && (unsigned char)t[i + 2] > ' ' &&
	           t[i + 2] != '-') {
		secrets_mysql_p(t, len, i, c);
	}
}
