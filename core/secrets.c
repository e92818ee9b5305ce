#include "core/secrets.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/al.h"
#include "core/secrets_int.h"
#include "core/sha256.h"
#include "core/xalloc.h"

/*
 * Provider tokens: a literal prefix followed by a body drawn from one
 * character class. The table is searched only at word starts whose first
 * byte begins some prefix, so the common case per byte is two table
 * lookups.
 */
enum secrets_cls {
	CLS_ALNUM,    /* [A-Za-z0-9] */
	CLS_B64URL,   /* [A-Za-z0-9_-] */
	CLS_UPPERDIG, /* [A-Z0-9] */
	CLS_HEX,      /* [0-9a-fA-F] */
	CLS_SLACK,    /* [A-Za-z0-9-] */
	CLS_DOTTED,   /* [A-Za-z0-9_.-] */
	CLS_B64STD,   /* [A-Za-z0-9_=+/-] */
};

enum {
	PF_EXACT = 1u << 0,  /* no alphanumeric may follow the body */
	PF_STRICT = 1u << 1, /* no [_-] may precede the prefix either */
	PF_RANDOM = 1u << 2, /* body must mix upper, lower and digits */
};

struct secrets_provider {
	const char *prefix;
	const char *type;
	unsigned char cls;
	unsigned char flags;
	unsigned short min, max;
};

/* Longer prefixes before their own prefixes ("sk-ant-" before "sk-"). */
static const struct secrets_provider secrets_providers[] = {
	{ "AKIA", "aws_access_key_id", CLS_UPPERDIG, PF_EXACT, 16, 16 },
	{ "ASIA", "aws_access_key_id", CLS_UPPERDIG, PF_EXACT, 16, 16 },
	{ "AGPA", "aws_access_key_id", CLS_UPPERDIG, PF_EXACT, 16, 16 },
	{ "AIDA", "aws_access_key_id", CLS_UPPERDIG, PF_EXACT, 16, 16 },
	{ "AROA", "aws_access_key_id", CLS_UPPERDIG, PF_EXACT, 16, 16 },
	{ "AIPA", "aws_access_key_id", CLS_UPPERDIG, PF_EXACT, 16, 16 },
	{ "ANPA", "aws_access_key_id", CLS_UPPERDIG, PF_EXACT, 16, 16 },
	{ "ANVA", "aws_access_key_id", CLS_UPPERDIG, PF_EXACT, 16, 16 },
	{ "ABIA", "aws_access_key_id", CLS_UPPERDIG, PF_EXACT, 16, 16 },
	{ "ACCA", "aws_access_key_id", CLS_UPPERDIG, PF_EXACT, 16, 16 },
	{ "ghp_", "github_pat", CLS_ALNUM, 0, 30, 255 },
	{ "gho_", "github_oauth_token", CLS_ALNUM, 0, 30, 255 },
	{ "ghu_", "github_app_token", CLS_ALNUM, 0, 30, 255 },
	{ "ghs_", "github_app_token", CLS_ALNUM, 0, 30, 255 },
	{ "ghr_", "github_refresh_token", CLS_ALNUM, 0, 30, 255 },
	{ "github_pat_", "github_fine_grained_pat", CLS_B64URL, 0, 40, 255 },
	{ "glpat-", "gitlab_pat", CLS_B64URL, 0, 20, 255 },
	{ "glptt-", "gitlab_pipeline_trigger_token", CLS_B64URL, 0, 20, 255 },
	{ "glrt-", "gitlab_runner_token", CLS_B64URL, 0, 20, 255 },
	{ "GR1348941", "gitlab_runner_token", CLS_B64URL, 0, 20, 255 },
	{ "gldt-", "gitlab_deploy_token", CLS_B64URL, 0, 20, 255 },
	{ "xoxb-", "slack_bot_token", CLS_SLACK, 0, 20, 255 },
	{ "xoxp-", "slack_user_token", CLS_SLACK, 0, 20, 255 },
	{ "xoxa-", "slack_user_token", CLS_SLACK, 0, 20, 255 },
	{ "xoxr-", "slack_user_token", CLS_SLACK, 0, 20, 255 },
	{ "xoxs-", "slack_user_token", CLS_SLACK, 0, 20, 255 },
	{ "xapp-", "slack_app_token", CLS_SLACK, 0, 20, 255 },
	{ "sk_live_", "stripe_secret_key", CLS_ALNUM, 0, 20, 255 },
	{ "sk_test_", "stripe_secret_key", CLS_ALNUM, 0, 20, 255 },
	{ "rk_live_", "stripe_restricted_key", CLS_ALNUM, 0, 20, 255 },
	{ "rk_test_", "stripe_restricted_key", CLS_ALNUM, 0, 20, 255 },
	{ "sk-ant-api03-", "anthropic_api_key", CLS_B64URL, 0, 40, 255 },
	{ "sk-ant-admin01-", "anthropic_admin_key", CLS_B64URL, 0, 40, 255 },
	{ "sk-ant-oat01-", "anthropic_oauth_token", CLS_B64URL, 0, 40, 255 },
	{ "sk-ant-ort01-", "anthropic_oauth_refresh_token", CLS_B64URL, 0, 40,
	  255 },
	{ "sk-ant-", "anthropic_api_key", CLS_B64URL, PF_RANDOM, 40, 255 },
	{ "sk-proj-", "openai_api_key", CLS_B64URL, 0, 30, 255 },
	{ "sk-svcacct-", "openai_api_key", CLS_B64URL, 0, 30, 255 },
	{ "sk-admin-", "openai_api_key", CLS_B64URL, 0, 30, 255 },
	{ "sk-None-", "openai_api_key", CLS_B64URL, 0, 30, 255 },
	{ "sk-", "openai_api_key", CLS_B64URL, PF_RANDOM | PF_STRICT, 32, 255 },
	{ "AIza", "google_api_key", CLS_B64URL, PF_EXACT, 35, 35 },
	{ "SG.", "sendgrid_api_key", CLS_DOTTED, 0, 60, 120 },
	{ "npm_", "npm_token", CLS_ALNUM, PF_STRICT, 36, 36 },
	{ "pypi-AgE", "pypi_token", CLS_B64URL, 0, 50, 1024 },
	{ "dckr_pat_", "dockerhub_pat", CLS_B64URL, 0, 20, 255 },
	{ "hvs.", "vault_token", CLS_B64URL, 0, 20, 255 },
	{ "hvb.", "vault_token", CLS_B64URL, 0, 20, 255 },
	{ "hf_", "huggingface_token", CLS_ALNUM, PF_STRICT, 30, 64 },
	{ "dop_v1_", "digitalocean_token", CLS_HEX, 0, 64, 64 },
	{ "doo_v1_", "digitalocean_token", CLS_HEX, 0, 64, 64 },
	{ "dor_v1_", "digitalocean_token", CLS_HEX, 0, 64, 64 },
	{ "shpat_", "shopify_token", CLS_HEX, 0, 32, 32 },
	{ "shpca_", "shopify_token", CLS_HEX, 0, 32, 32 },
	{ "shppa_", "shopify_token", CLS_HEX, 0, 32, 32 },
	{ "shpss_", "shopify_token", CLS_HEX, 0, 32, 32 },
	{ "AGE-SECRET-KEY-1", "age_secret_key", CLS_UPPERDIG, 0, 50, 80 },
	{ "key-", "mailgun_api_key", CLS_HEX, PF_STRICT | PF_EXACT, 32, 32 },
	{ "sntrys_", "sentry_token", CLS_B64STD, 0, 30, 512 },
	{ "sntryu_", "sentry_token", CLS_HEX, 0, 32, 128 },
	{ "lin_api_", "linear_api_key", CLS_ALNUM, 0, 30, 64 },
	{ "HRKU-", "heroku_api_key", CLS_B64URL, 0, 20, 128 },
	{ "SK", "twilio_api_key", CLS_HEX, PF_STRICT | PF_EXACT, 32, 32 },
};

#define SECRETS_NPROV (sizeof(secrets_providers) / sizeof(secrets_providers[0]))

/* SECRETS_C_* classes of each byte; bytes from 0x80 are none. */
/* clang-format off */
const unsigned char secrets_ctab[256] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 6, 0, 0,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 4, 0, 0, 4, 0, 0,
	0, 3, 1, 1, 1, 1, 1, 3, 3, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 3, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0,
	0, 1, 1, 1, 3, 3, 1, 3, 3, 1, 1, 3, 3, 1, 3, 1,
	3, 1, 3, 3, 1, 1, 1, 1, 3, 1, 1, 0, 0, 0, 0, 0,
	/* 0x80 to 0xff: 0 */
};

/* clang-format on */

static bool
secrets_in_cls(unsigned char c, int cls)
{
	switch (cls) {
	case CLS_ALNUM:
		return secrets_is_alnum(c);
	case CLS_B64URL:
		return secrets_is_alnum(c) || c == '_' || c == '-';
	case CLS_UPPERDIG:
		return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
	case CLS_HEX:
		return (c >= '0' && c <= '9') ||
		       ((c | 0x20) >= 'a' && (c | 0x20) <= 'f');
	case CLS_SLACK:
		return secrets_is_alnum(c) || c == '-';
	case CLS_DOTTED:
		return secrets_is_alnum(c) || c == '_' || c == '-' || c == '.';
	default:
		return secrets_is_alnum(c) || c == '_' || c == '-' ||
		       c == '=' || c == '+' || c == '/';
	}
}

void
secrets_add(struct secrets_cands *c, size_t start, size_t end, const char *type,
            int prio)
{
	if (end <= start) {
		return;
	}
	if (c->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 16;
		c->v = xrealloc(c->v, c->cap * sizeof(*c->v));
	}
	c->v[c->n].s.start = start;
	c->v[c->n].s.end = end;
	c->v[c->n].s.type = type;
	c->v[c->n].prio = prio;
	c->n++;
}

double
secrets_entropy(const char *v, size_t n)
{
	unsigned cnt[256] = { 0 };
	double h = 0.0;

	if (n == 0) {
		return 0.0;
	}
	for (size_t i = 0; i < n; i++) {
		cnt[(unsigned char)v[i]]++;
	}
	for (int i = 0; i < 256; i++) {
		if (cnt[i] != 0) {
			double p = (double)cnt[i] / (double)n;
			h -= p * log2(p);
		}
	}
	return h;
}

/* Case-insensitive substring test over a bounded value. */
static bool
secrets_has_ci(const char *v, size_t n, const char *needle)
{
	size_t m = strlen(needle);

	for (size_t i = 0; i + m <= n; i++) {
		size_t k = 0;
		while (k < m && (v[i + k] | 0x20) == needle[k]) {
			k++;
		}
		if (k == m) {
			return true;
		}
	}
	return false;
}

/* Markers of documentation placeholders, masks and templates. Random
 * tokens contain none of these words by chance often enough to matter. */
static const char *const secrets_placeholder_words[] = {
	"your",     "here",   "replace", "example", "placeholder",
	"redacted", "dummy",  "xxxx",    "****",    "...",
	"changeme", "insert", "<",       ">",       "${",
	"{{",       "%(",     "fake",    "sample",  "token_here",
};

bool
secrets_is_placeholder(const char *v, size_t n)
{
	size_t run = 1;
	bool seen[256] = { false };
	size_t distinct = 0;

	for (size_t i = 0; i < sizeof(secrets_placeholder_words) /
	                               sizeof(secrets_placeholder_words[0]);
	     i++) {
		if (secrets_has_ci(v, n, secrets_placeholder_words[i])) {
			return true;
		}
	}
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)v[i];
		if (!seen[c]) {
			seen[c] = true;
			distinct++;
		}
		run = (i > 0 && v[i] == v[i - 1]) ? run + 1 : 1;
		if (run >= 6) {
			return true;
		}
	}
	/* AKIAXXXXXXXXXXXXXXXX, 000000...: too few distinct symbols. */
	return n >= 12 && distinct < 6;
}

static bool
secrets_mixed(const char *v, size_t n)
{
	bool up = false, lo = false, dig = false;

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)v[i];
		up |= c >= 'A' && c <= 'Z';
		lo |= c >= 'a' && c <= 'z';
		dig |= c >= '0' && c <= '9';
	}
	return up && lo && dig;
}

/* Tries one provider at t[i]; returns the end of the token or 0. */
static size_t
secrets_try_provider(const char *t, size_t len, size_t i,
                     const struct secrets_provider *p)
{
	size_t pl = strlen(p->prefix);
	size_t j, body;

	if (len - i < pl + p->min || memcmp(t + i, p->prefix, pl) != 0) {
		return 0;
	}
	if ((p->flags & PF_STRICT) && i > 0 &&
	    (t[i - 1] == '_' || t[i - 1] == '-' || t[i - 1] == '.')) {
		return 0;
	}
	j = i + pl;
	while (j < len && j - i - pl < p->max &&
	       secrets_in_cls((unsigned char)t[j], p->cls)) {
		j++;
	}
	body = j - i - pl;
	if (body < p->min) {
		return 0;
	}
	if (j < len && secrets_in_cls((unsigned char)t[j], p->cls)) {
		return 0; /* longer than any real token of this kind */
	}
	if ((p->flags & PF_EXACT) && j < len &&
	    secrets_is_alnum((unsigned char)t[j])) {
		return 0;
	}
	if (secrets_is_placeholder(t + i + pl, body)) {
		return 0;
	}
	if ((p->flags & PF_RANDOM) && !secrets_mixed(t + i + pl, body)) {
		return 0;
	}
	return j;
}

/* Twilio passes the API secret right after the key SID as a second
 * argument: twilio('SK…', 'secret'). */
static void
secrets_twilio_secret(const char *t, size_t len, size_t e,
                      struct secrets_cands *c)
{
	size_t j = e, s;

	if (j < len && (t[j] == '\'' || t[j] == '"')) {
		j++;
	}
	if (j >= len || t[j] != ',') {
		return;
	}
	j++;
	while (j < len && t[j] == ' ') {
		j++;
	}
	if (j >= len || (t[j] != '\'' && t[j] != '"')) {
		return;
	}
	s = ++j;
	while (j < len && secrets_is_alnum((unsigned char)t[j])) {
		j++;
	}
	if (j - s == 32 && j < len && t[j] == t[s - 1] &&
	    !secrets_is_placeholder(t + s, 32)) {
		secrets_add(c, s, j, "twilio_api_secret",
		            SECRETS_PRIO_PROVIDER);
	}
}

/* Finds "needle" in t[from..limit); returns its offset or len. */
static size_t
secrets_find(const char *t, size_t len, size_t from, size_t limit,
             const char *needle)
{
	size_t m = strlen(needle);
	const char *p;

	if (limit > len) {
		limit = len;
	}
	if (from >= limit || limit - from < m) {
		return len;
	}
	p = memmem(t + from, limit - from, needle, m);
	return p ? (size_t)(p - t) : len;
}

/*
 * PEM private key: from "-----BEGIN … PRIVATE KEY-----" through the
 * closing dashes of its END line, whatever sits between (JSON "\n"
 * escapes, YAML indentation, diff "+" prefixes). Without an END line the
 * block runs to the first blank line, so a truncated key is still hidden.
 */
static size_t
secrets_pem(const char *t, size_t len, size_t i, struct secrets_cands *c)
{
	size_t lab = i + 11;
	size_t dash = secrets_find(t, len, lab, lab + 64, "-----");
	size_t end, close;

	if (dash == len || !memmem(t + lab, dash - lab, "PRIVATE KEY", 11)) {
		return 0;
	}
	end = secrets_find(t, len, dash + 5, dash + 65536, "-----END ");
	if (end != len) {
		close = secrets_find(t, len, end + 9, end + 80, "-----");
		if (close != len) {
			secrets_add(c, i, close + 5, "private_key",
			            SECRETS_PRIO_STRUCT);
			return close + 5;
		}
	}
	end = secrets_find(t, len, dash + 5, dash + 65536, "\n\n");
	if (end == len && len - dash > 65536) {
		end = dash + 65536;
	}
	secrets_add(c, i, end, "private_key", SECRETS_PRIO_STRUCT);
	return end;
}

static size_t
secrets_b64url_run(const char *t, size_t len, size_t j)
{
	while (j < len && secrets_in_cls((unsigned char)t[j], CLS_B64URL)) {
		j++;
	}
	return j;
}

/* JWT: three base64url segments, the first a JSON header ("eyJ"). */
static size_t
secrets_jwt(const char *t, size_t len, size_t i, struct secrets_cands *c)
{
	size_t a = secrets_b64url_run(t, len, i);
	size_t b, d;

	if (a - i < 10 || a >= len || t[a] != '.') {
		return 0;
	}
	b = secrets_b64url_run(t, len, a + 1);
	if (b - a - 1 < 10 || b >= len || t[b] != '.') {
		return 0;
	}
	d = secrets_b64url_run(t, len, b + 1);
	if (d - b - 1 < 8) {
		return 0;
	}
	secrets_add(c, i, d, "jwt", SECRETS_PRIO_PROVIDER);
	return d;
}

/* Slack incoming webhook: the whole URL is the credential. */
static size_t
secrets_slack_hook(const char *t, size_t len, size_t i, struct secrets_cands *c)
{
	static const char pre[] = "https://hooks.slack.com/";
	size_t j = i + sizeof(pre) - 1;
	size_t s = j, slashes = 0;

	if (len - i < sizeof(pre) + 20 || memcmp(t + i, pre, sizeof(pre) - 1)) {
		return 0;
	}
	while (j < len && (secrets_is_alnum((unsigned char)t[j]) ||
	                   t[j] == '/' || t[j] == '_' || t[j] == '-')) {
		slashes += t[j] == '/';
		j++;
	}
	if (slashes < 3 || j - s < 30 || secrets_is_placeholder(t + s, j - s) ||
	    memmem(t + s, j - s, "00000", 5)) {
		return 0;
	}
	secrets_add(c, i, j, "slack_webhook_url", SECRETS_PRIO_PROVIDER);
	return j;
}

static bool
secrets_azure_ch(unsigned char ch)
{
	return secrets_is_alnum(ch) || ch == '_' || ch == '~' || ch == '.' ||
	       ch == '-';
}

/* Entra ID (Azure AD) client secret: 3 chars, a digit, "Q~", 31-34 more. */
static void
secrets_azure_secret(const char *t, size_t len, size_t q,
                     struct secrets_cands *c)
{
	size_t s, j;

	if (q < 4 || q + 2 >= len || t[q + 1] != '~' ||
	    !(t[q - 1] >= '0' && t[q - 1] <= '9')) {
		return;
	}
	s = q - 4;
	if ((s > 0 && secrets_azure_ch((unsigned char)t[s - 1])) ||
	    !secrets_azure_ch((unsigned char)t[s])) {
		return;
	}
	j = q + 2;
	while (j < len && secrets_azure_ch((unsigned char)t[j])) {
		j++;
	}
	if (j - q - 2 >= 31 && j - q - 2 <= 34) {
		secrets_add(c, s, j, "azure_ad_client_secret",
		            SECRETS_PRIO_PROVIDER);
	}
}

/*
 * Providers grouped by a hash of the first two bytes of their prefix (in
 * table order within a group), so a word start is only compared with the
 * one or two providers that can match there. Built per scan: a counting
 * sort of the table, well under a microsecond.
 */
#define SECRETS_PBUCKETS 256

struct secrets_pindex {
	unsigned char off[SECRETS_PBUCKETS + 1];
	unsigned char ord[SECRETS_NPROV];
};

static size_t
secrets_pbucket(unsigned char b0, unsigned char b1)
{
	return ((size_t)b0 * 31u + b1) & (SECRETS_PBUCKETS - 1);
}

static size_t
secrets_pbucket_of(const struct secrets_provider *p)
{
	return secrets_pbucket((unsigned char)p->prefix[0],
	                       (unsigned char)p->prefix[1]);
}

static void
secrets_pindex_build(struct secrets_pindex *ix)
{
	unsigned char fill[SECRETS_PBUCKETS];

	memset(ix->off, 0, sizeof(ix->off));
	for (size_t k = 0; k < SECRETS_NPROV; k++) {
		ix->off[secrets_pbucket_of(&secrets_providers[k]) + 1]++;
	}
	for (size_t b = 0; b < SECRETS_PBUCKETS; b++) {
		ix->off[b + 1] = (unsigned char)(ix->off[b + 1] + ix->off[b]);
		fill[b] = ix->off[b];
	}
	for (size_t k = 0; k < SECRETS_NPROV; k++) {
		size_t b = secrets_pbucket_of(&secrets_providers[k]);
		ix->ord[fill[b]++] = (unsigned char)k;
	}
}

/* One structural or provider match at a word start; returns the end of
 * what it consumed, or 0. */
static size_t
secrets_at(const struct secrets_pindex *ix, const char *t, size_t len, size_t i,
           struct secrets_cands *c)
{
	unsigned char ch = (unsigned char)t[i];
	size_t h;

	if (ch == '-' && len - i > 11 &&
	    memcmp(t + i, "-----BEGIN ", 11) == 0) {
		return secrets_pem(t, len, i, c);
	}
	if (ch == 'e' && len - i > 3 && t[i + 1] == 'y' && t[i + 2] == 'J') {
		size_t e = secrets_jwt(t, len, i, c);
		if (e != 0) {
			return e;
		}
	}
	if (ch == 'h') {
		size_t e = secrets_slack_hook(t, len, i, c);
		if (e != 0) {
			return e;
		}
	}
	if (len - i < 2) {
		return 0; /* every prefix is at least two bytes */
	}
	h = secrets_pbucket(ch, (unsigned char)t[i + 1]);
	for (size_t k = ix->off[h]; k < ix->off[h + 1]; k++) {
		const struct secrets_provider *p =
		        &secrets_providers[ix->ord[k]];
		size_t e;
		if (p->prefix[0] != t[i] || p->prefix[1] != t[i + 1]) {
			continue;
		}
		e = secrets_try_provider(t, len, i, p);
		if (e != 0) {
			secrets_add(c, i, e, p->type, SECRETS_PRIO_PROVIDER);
			if (p->prefix[0] == 'S' && p->prefix[1] == 'K') {
				secrets_twilio_secret(t, len, e, c);
			}
			return e;
		}
	}
	return 0;
}

/*
 * The single pass: every scanner is driven from here by the byte class
 * (secrets_ctab). A match can only start at a word start, so the rest of
 * an alphanumeric run is skipped in a tight loop; an Entra ID secret's
 * "Q~" can only sit at the end of a run ('~' is not alphanumeric), so it
 * is tested there. Provider and structural matches are not looked for
 * inside one another (nothing is, inside a PEM block: pskip), while the
 * context scanners see every position.
 */
static void
secrets_scan_all(const char *t, size_t len, struct secrets_cands *c)
{
	struct secrets_pindex ix;
	size_t i = 0, pskip = 0, e;

	secrets_pindex_build(&ix);
	while (i < len) {
		unsigned char k = secrets_ctab[(unsigned char)t[i]];
		size_t j = i + 1;
		/* An alphanumeric i always starts its run, so only a '-'
		 * needs its word start checked. */
		if ((k & SECRETS_C_START) && i >= pskip &&
		    ((k & SECRETS_C_ALNUM) || i == 0 ||
		     !secrets_is_alnum((unsigned char)t[i - 1])) &&
		    (e = secrets_at(&ix, t, len, i, c)) > i) {
			pskip = e;
		}
		if (!(k & SECRETS_C_ALNUM)) {
			if (k & SECRETS_C_ASSIGN) {
				secrets_ctx_punct(t, len, i, c);
			}
			i++;
			continue;
		}
		if ((t[i] | 0x20) == 'b') {
			secrets_ctx_word(t, len, i, c);
		}
		while (j < len && secrets_is_alnum((unsigned char)t[j])) {
			j++;
		}
		if (j < len && t[j] == '~' && t[j - 1] == 'Q' &&
		    j - 1 >= pskip) {
			secrets_azure_secret(t, len, j - 1, c);
		}
		i = j;
	}
}

static int
secrets_cand_cmp(const void *a, const void *b)
{
	const struct secrets_cand *x = a, *y = b;

	if (x->prio != y->prio) {
		return y->prio - x->prio;
	}
	if (x->s.start != y->s.start) {
		return x->s.start < y->s.start ? -1 : 1;
	}
	if (x->s.end != y->s.end) {
		return x->s.end > y->s.end ? -1 : 1;
	}
	/* A total order: the result does not depend on the scan order. */
	return strcmp(x->s.type, y->s.type);
}

static int
secrets_span_cmp(const void *a, const void *b)
{
	const struct secret_span *x = a, *y = b;

	return (x->start > y->start) - (x->start < y->start);
}

/* Is any bit of [s, e) set in the bitmap? Sets them all when not. */
static bool
secrets_claim(unsigned char *bits, size_t s, size_t e)
{
	for (size_t k = s; k < e; k++) {
		if (bits[k >> 3] & (1u << (k & 7))) {
			return false;
		}
	}
	for (size_t k = s; k < e; k++) {
		bits[k >> 3] |= (unsigned char)(1u << (k & 7));
	}
	return true;
}

/* Keeps the best non-overlapping candidates: by priority, then leftmost,
 * then longest. A bitmap of claimed bytes, over the range the candidates
 * cover only, keeps this linear and small. */
static size_t
secrets_resolve(struct secrets_cands *c, struct secret_span *out)
{
	size_t lo = (size_t)-1, hi = 0, n = 0;
	unsigned char *claimed;

	for (size_t k = 0; k < c->n; k++) {
		lo = c->v[k].s.start < lo ? c->v[k].s.start : lo;
		hi = c->v[k].s.end > hi ? c->v[k].s.end : hi;
	}
	claimed = xcalloc((hi - lo) / 8 + 1, 1);
	qsort(c->v, c->n, sizeof(*c->v), secrets_cand_cmp);
	for (size_t k = 0; k < c->n; k++) {
		struct secret_span *s = &c->v[k].s;
		if (secrets_claim(claimed, s->start - lo, s->end - lo)) {
			out[n++] = *s;
		}
	}
	free(claimed);
	qsort(out, n, sizeof(*out), secrets_span_cmp);
	return n;
}

int
secrets_scan(const char *text, size_t len, struct secret_span **out, size_t *n)
{
	struct secrets_cands c = { 0 };
	struct secret_span *res = NULL;
	size_t cnt = 0;

	if (out == NULL || n == NULL || (text == NULL && len > 0)) {
		return AL_EINVAL;
	}
	if (len > 0) {
		secrets_scan_all(text, len, &c);
	}
	if (c.n > 0) {
		res = xmalloc(c.n * sizeof(*res));
		cnt = secrets_resolve(&c, res);
	}
	free(c.v);
	if (cnt == 0) {
		free(res);
		res = NULL;
	}
	*out = res;
	*n = cnt;
	return 0;
}

bool
secrets_any(const char *text, size_t len)
{
	struct secret_span *s = NULL;
	size_t n = 0;

	if (secrets_scan(text, len, &s, &n) != 0) {
		return false;
	}
	free(s);
	return n > 0;
}

void
secrets_fingerprint(const char *value, size_t len, char out[5])
{
	char hex[SHA256_HEX_LEN + 1];

	sha256_hex(value, len, hex);
	memcpy(out, hex, 4);
	out[4] = '\0';
}

static int
secrets_b64_val(unsigned char ch)
{
	if (ch >= 'A' && ch <= 'Z') {
		return ch - 'A';
	}
	if (ch >= 'a' && ch <= 'z') {
		return ch - 'a' + 26;
	}
	if (ch >= '0' && ch <= '9') {
		return ch - '0' + 52;
	}
	if (ch == '+' || ch == '-') {
		return 62;
	}
	if (ch == '/' || ch == '_') {
		return 63;
	}
	return -1;
}

long
secrets_b64_decode(const char *s, size_t n, unsigned char *out)
{
	uint32_t acc = 0;
	int bits = 0;
	long o = 0;

	while (n > 0 && s[n - 1] == '=') {
		n--;
	}
	for (size_t i = 0; i < n; i++) {
		int v = secrets_b64_val((unsigned char)s[i]);
		if (v < 0) {
			return -1;
		}
		acc = (acc << 6) | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (unsigned char)((acc >> bits) & 0xff);
		}
	}
	return o;
}
