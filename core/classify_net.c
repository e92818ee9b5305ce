#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/al.h"
#include "core/classify_impl.h"
#include "core/xalloc.h"

/*
 * Network destinations: the host of a URL (userinfo and port removed,
 * http://localhost@evil is evil), of user@host:path and host:port specs,
 * and the default host a tool talks to. Loopback in any spelling
 * (localhost, 127/8 written in decimal, hex or octal, ::1) is not egress.
 */

/* inet_aton's forms: 1 to 4 parts, each decimal, 0x hex or 0 octal. */
static bool
classify_ipv4(const char *s, unsigned long *out)
{
	unsigned long parts[4];
	int n = 0;

	while (*s && n < 4) {
		char *end;
		if (!isdigit((unsigned char)*s)) {
			return false;
		}
		parts[n++] = strtoul(s, &end, 0);
		s = end;
		if (*s == '.') {
			s++;
		} else if (*s != '\0') {
			return false;
		}
	}
	if (*s != '\0' || n == 0) {
		return false;
	}
	unsigned long v = parts[n - 1];
	for (int i = 0; i < n - 1; i++) {
		if (parts[i] > 255) {
			return false;
		}
		v |= parts[i] << (8 * (3 - i));
	}
	*out = v;
	return true;
}

bool
classify_is_loopback(const char *host)
{
	unsigned long ip;

	if (host == NULL) {
		return false;
	}
	if (strcasecmp(host, "localhost") == 0 ||
	    strcasecmp(host, "localhost.") == 0 ||
	    strcasecmp(host, "ip6-localhost") == 0 ||
	    strcmp(host, "::1") == 0 || strcmp(host, "[::1]") == 0 ||
	    strcmp(host, "0.0.0.0") == 0 || strcmp(host, "0") == 0) {
		return true;
	}
	return classify_ipv4(host, &ip) && (ip >> 24) == 127;
}

static void
classify_lower_copy(char *out, size_t n, const char *s, size_t len)
{
	size_t k = 0;

	for (; k + 1 < n && k < len; k++) {
		out[k] = (char)tolower((unsigned char)s[k]);
	}
	out[k] = '\0';
}

/* The host of "[user@]host[:port][/...]" (the authority's last @ ends the
 * userinfo). */
static bool
classify_authority_host(const char *auth, size_t len, char *out, size_t n)
{
	const char *at = NULL;

	for (size_t i = 0; i < len; i++) {
		if (auth[i] == '@') {
			at = auth + i;
		}
	}
	if (at != NULL) {
		len -= (size_t)(at + 1 - auth);
		auth = at + 1;
	}
	if (len > 0 && auth[0] == '[') {
		const char *e = memchr(auth, ']', len);
		if (e == NULL) {
			return false;
		}
		classify_lower_copy(out, n, auth + 1, (size_t)(e - auth - 1));
		return out[0] != '\0';
	}
	size_t h = 0;
	while (h < len && auth[h] != ':') {
		h++;
	}
	classify_lower_copy(out, n, auth, h);
	return out[0] != '\0';
}

static bool
classify_hostish(const char *s, size_t n)
{
	bool dot = false;

	if (n == 0) {
		return false;
	}
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '.') {
			dot = true;
		} else if (!isalnum(c) && c != '-' && c != '_' && c < 0x80) {
			return false;
		}
	}
	return dot || strncasecmp(s, "localhost", n) == 0;
}

bool
classify_host_of(const char *text, bool need_scheme, char *out, size_t n)
{
	const char *s = strstr(text, "://");
	const char *auth;

	if (s != NULL) {
		for (const char *p = text; p < s; p++) {
			if (!isalnum((unsigned char)*p) && !strchr("+-.", *p)) {
				return false;
			}
		}
		if (strncmp(text, "s3://", 5) == 0 ||
		    strncmp(text, "gs://", 5) == 0) {
			size_t b = strcspn(text + 5, "/");
			snprintf(out, n, "%.5s%.*s", text, (int)b, text + 5);
			return b > 0;
		}
		auth = s + 3;
		return classify_authority_host(auth, strcspn(auth, "/?#"), out,
		                               n);
	}
	if (need_scheme) {
		return false;
	}
	/* user@host:path, host:port, host/path, host */
	size_t len = strcspn(text, "/?#");
	const char *colon = memchr(text, ':', len);
	size_t alen = len;
	if (colon != NULL && strchr(text, '@') != NULL) {
		alen = (size_t)(colon - text);
	}
	if (!classify_authority_host(text, alen, out, n)) {
		return false;
	}
	return classify_hostish(out, strlen(out)) ||
	       (strchr(text, '@') != NULL && colon != NULL);
}

void
classify_egress(struct classify_ctx *cx, const char *host, size_t start,
                size_t end, const char *what)
{
	if (host != NULL && host[0] != '\0') {
		if (classify_is_loopback(host)) {
			return;
		}
		classify_add(cx, RISK_EGRESS, RISK_SEV_ASK, start, end, "%s %s",
		             what, host);
		risk_report_add_host(cx->out, host);
		if (strcmp(host, "169.254.169.254") == 0 ||
		    strcmp(host, "metadata.google.internal") == 0 ||
		    strcmp(host, "fd00:ec2::254") == 0) {
			classify_add(
			        cx, RISK_SECRET_ACCESS, RISK_SEV_ASK, start,
			        end,
			        "cloud metadata service hands out credentials");
		}
		return;
	}
	classify_add(cx, RISK_EGRESS, RISK_SEV_ASK, start, end, "%s", what);
}

/* Hosts of every URL-shaped argument from index from on. */
void
classify_urls_in_args(struct classify_ctx *cx, const struct classify_args *a,
                      size_t from)
{
	char host[256];

	for (size_t i = from; i < a->n; i++) {
		const char *s = a->v[i].s;
		const char *u = strstr(s, "://");
		if (u == NULL) {
			continue;
		}
		while (u > s &&
		       (isalnum((unsigned char)u[-1]) || u[-1] == '+')) {
			u--;
		}
		if (classify_host_of(u, true, host, sizeof host)) {
			classify_egress(cx, host, a->v[i].start, a->v[i].end,
			                "egress to");
		}
	}
}

/* Strips a host computed at run time ($(whoami).evil.com) down to the
 * part that is written. */
static const char *
classify_static_suffix(const char *s)
{
	const char *p = strrchr(s, ')');
	const char *q = strrchr(s, '}');

	if (q > p) {
		p = q;
	}
	if (p == NULL && s[0] == '$') {
		p = s + strcspn(s, ".") - 1;
	}
	if (p == NULL) {
		return s;
	}
	p++;
	while (*p == '.') {
		p++;
	}
	return p;
}

/* The first operand (option arguments skipped) as a host. */
static void
classify_host_operand(struct classify_ctx *cx, const struct classify_args *a,
                      const char *with_arg, const char *what)
{
	char host[256];

	for (size_t i = 1; i < a->n; i++) {
		const char *s = a->v[i].s;
		if (s[0] == '-' && s[1] != '\0') {
			i += s[1] != '-' &&
			     strchr(with_arg, s[strlen(s) - 1]) &&
			     strlen(s) == 2;
			continue;
		}
		if (s[0] == '+' || (s[0] == '@' && s[1] != '\0')) {
			continue;
		}
		s = classify_static_suffix(s);
		if (classify_host_of(s, false, host, sizeof host)) {
			classify_egress(cx, host, a->v[i].start, a->v[i].end,
			                what);
			return;
		}
	}
	classify_egress(cx, NULL, a->start, a->end, what);
}

/* scp/rsync/sftp style operands: [user@]host:path (not ./a:b). */
static bool
classify_remote_specs(struct classify_ctx *cx, const struct classify_args *a)
{
	char host[256];
	bool any = false;

	for (size_t i = 1; i < a->n; i++) {
		const char *s = a->v[i].s;
		const char *colon = strchr(s, ':');
		const char *slash = strchr(s, '/');
		if (s[0] == '-' ||
		    (strstr(s, "://") == NULL &&
		     (colon == NULL || (slash && slash < colon)))) {
			continue;
		}
		if (classify_host_of(s, false, host, sizeof host)) {
			classify_egress(cx, host, a->v[i].start, a->v[i].end,
			                "copies to or from");
			any = true;
		}
	}
	return any;
}

static void
classify_ssh(struct classify_ctx *cx, const struct classify_args *a)
{
	char host[256];

	for (size_t i = 1; i < a->n; i++) {
		const char *s = a->v[i].s;
		if (s[0] == '-') {
			size_t n = strlen(s);
			if (strchr("bcDEeFIiJLlmOopQRSWw", s[n - 1]) &&
			    n == 2) {
				if (s[1] == 'J' && i + 1 < a->n &&
				    classify_host_of(a->v[i + 1].s, false, host,
				                     sizeof host)) {
					classify_egress(
					        cx, host, a->v[i + 1].start,
					        a->v[i + 1].end, "ssh via");
				}
				i++;
			}
			continue;
		}
		if (classify_host_of(s, false, host, sizeof host) ||
		    (strchr(s, '.') == NULL && strlen(s) < sizeof host &&
		     snprintf(host, sizeof host, "%s", s) > 0)) {
			classify_egress(cx, host, a->v[i].start, a->v[i].end,
			                "ssh to");
			return;
		}
	}
	classify_egress(cx, NULL, a->start, a->end, "ssh connection");
}

static void
classify_mail(struct classify_ctx *cx, const struct classify_args *a)
{
	bool any = false;

	for (size_t i = 1; i < a->n; i++) {
		const char *s = a->v[i].s;
		if (s[0] == '-') {
			i += strlen(s) == 2 && strchr("scbraS", s[1]) != NULL;
			continue;
		}
		const char *at = strrchr(s, '@');
		if (at != NULL && at[1] != '\0') {
			char host[256];
			snprintf(host, sizeof host, "%s", at + 1);
			classify_egress(cx, host, a->v[i].start, a->v[i].end,
			                "mails to");
			any = true;
		}
	}
	if (!any) {
		classify_egress(cx, NULL, a->start, a->end, "sends mail");
	}
}

/* curl/wget/httpie style: every URL operand; without a scheme, the first
 * operand that looks like a host. */
static void
classify_http_client(struct classify_ctx *cx, const struct classify_args *a,
                     const char *with_arg)
{
	size_t before = cx->out->nhosts;
	size_t nf = cx->out->nfindings;
	char host[256];

	classify_urls_in_args(cx, a, 1);
	if (cx->out->nhosts != before || cx->out->nfindings != nf) {
		return;
	}
	for (size_t i = 1; i < a->n; i++) {
		const char *s = a->v[i].s;
		if (s[0] == '-') {
			i += strlen(s) == 2 && strchr(with_arg, s[1]) != NULL;
			continue;
		}
		if (strstr(s, "://") != NULL) {
			return; /* a loopback URL */
		}
		if (classify_host_of(s, false, host, sizeof host)) {
			classify_egress(cx, host, a->v[i].start, a->v[i].end,
			                "egress to");
			return;
		}
		if (s[0] == ':' && isdigit((unsigned char)s[1])) {
			return; /* httpie's localhost shorthand */
		}
	}
}

/* Tools whose first operand is the host; smbclient's is //host/share. */
static void
classify_net_host(struct classify_ctx *cx, const struct classify_args *a,
                  const char *name, const char *with_arg)
{
	size_t before = cx->out->nfindings;
	char host[256];

	if (strcmp(name, "smbclient") != 0) {
		classify_urls_in_args(cx, a, 1);
	}
	if (cx->out->nfindings != before) {
		return;
	}
	if (a->n > 1 && strncmp(a->v[1].s, "//", 2) == 0 &&
	    classify_host_of(a->v[1].s + 2, false, host, sizeof host)) {
		classify_egress(cx, host, a->v[1].start, a->v[1].end,
		                "connects to");
		return;
	}
	classify_host_operand(cx, a, with_arg, "connects to");
}

struct classify_net_tool {
	const char *name;
	const char *with_arg; /* option letters taking a value */
	int kind;
};

enum {
	NET_HTTP,
	NET_HOST,
	NET_COPY,
	NET_SSH,
	NET_MAIL,
	NET_TUNNEL,
};

/* Sorted by name (classify_lookup). */
static const struct classify_net_tool classify_net_tools[] = {
	{ "aria2c", "od", NET_HTTP },
	{ "autossh", "", NET_SSH },
	{ "bore", "", NET_TUNNEL },
	{ "cloudflared", "", NET_TUNNEL },
	{ "curl", "dFHoXuTxAebcKmwrCEQYyzP", NET_HTTP },
	{ "dig", "ptfkqxyb", NET_HOST },
	{ "ftp", "P", NET_HOST },
	{ "grpcurl", "dH", NET_HOST },
	{ "host", "tW", NET_HOST },
	{ "http", "aA", NET_HTTP },
	{ "httpie", "aA", NET_HTTP },
	{ "https", "aA", NET_HTTP },
	{ "lftp", "upe", NET_HOST },
	{ "lt", "", NET_TUNNEL },
	{ "mail", "", NET_MAIL },
	{ "mailx", "", NET_MAIL },
	{ "mosh", "p", NET_HOST },
	{ "mutt", "", NET_MAIL },
	{ "nc", "wpsiqxXIO", NET_HOST },
	{ "ncat", "wpsiqxXIO", NET_HOST },
	{ "netcat", "wpsiqxXIO", NET_HOST },
	{ "ngrok", "", NET_TUNNEL },
	{ "nslookup", "", NET_HOST },
	{ "ping", "cisWwIt", NET_HOST },
	{ "ping6", "cisWwIt", NET_HOST },
	{ "scp", "cFiJloPS", NET_COPY },
	{ "sendmail", "", NET_MAIL },
	{ "sftp", "bBcDFiJloPRS", NET_COPY },
	{ "smbclient", "UWcIpmA", NET_HOST },
	{ "socat", "", NET_HOST },
	{ "ssh", "", NET_SSH },
	{ "ssh-copy-id", "ipoF", NET_HOST },
	{ "telnet", "lbn", NET_HOST },
	{ "tftp", "m", NET_HOST },
	{ "traceroute", "fmpqwz", NET_HOST },
	{ "websocat", "H", NET_HTTP },
	{ "wget", "OoPUtTeaiBQ", NET_HTTP },
	{ "whois", "h", NET_HOST },
	{ "xh", "aA", NET_HTTP },
};

bool
classify_net_rules(struct classify_ctx *cx, const char *name,
                   const struct classify_args *a)
{
	size_t n = sizeof classify_net_tools / sizeof *classify_net_tools;
	size_t k =
	        classify_lookup(classify_net_tools, n,
	                        sizeof *classify_net_tools, name, strlen(name));

	if (k < n) {
		const struct classify_net_tool *t = &classify_net_tools[k];
		switch (t->kind) {
		case NET_HTTP:
			classify_http_client(cx, a, t->with_arg);
			break;
		case NET_HOST:
			classify_net_host(cx, a, name, t->with_arg);
			break;
		case NET_COPY:
			if (!classify_remote_specs(cx, a)) {
				classify_host_operand(cx, a, t->with_arg,
				                      "connects to");
			}
			break;
		case NET_SSH:
			classify_ssh(cx, a);
			break;
		case NET_MAIL:
			classify_mail(cx, a);
			break;
		default:
			classify_egress(cx, NULL, a->start, a->end,
			                "opens a public tunnel");
			break;
		}
		return true;
	}
	return false;
}

int
classify_url(const char *url, struct risk_report *out)
{
	struct classify_state st = { 0 };
	size_t len;
	char host[256];

	if (url == NULL || out == NULL) {
		return AL_EINVAL;
	}
	len = strlen(url);
	struct classify_ctx cx = {
		.out = out, .st = &st, .exact = true, .oend = len
	};
	if (classify_host_of(url, false, host, sizeof host)) {
		classify_egress(&cx, host, 0, len, "fetches from");
	} else {
		classify_add(&cx, RISK_EGRESS, RISK_SEV_ASK, 0, len,
		             "fetches from an unrecognised address");
	}
	return 0;
}
