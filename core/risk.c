#include "core/risk.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/xalloc.h"

static const char *const risk_names[RISK_CAT_COUNT] = {
	[RISK_BENIGN] = "benign",
	[RISK_WORKSPACE_WRITE] = "workspace_write",
	[RISK_DESTRUCTIVE] = "destructive",
	[RISK_EGRESS] = "egress",
	[RISK_PRIVILEGE] = "privilege",
	[RISK_SECRET_ACCESS] = "secret_access",
	[RISK_TAMPER] = "tamper",
	[RISK_OBFUSCATION] = "obfuscation",
	[RISK_UNPARSED] = "unparsed",
};

const char *
risk_cat_name(enum risk_cat c)
{
	if ((int)c < 0 || c >= RISK_CAT_COUNT) {
		return "?";
	}
	return risk_names[c];
}

bool
risk_cat_from_name(const char *name, enum risk_cat *out)
{
	for (int i = 0; i < RISK_CAT_COUNT; i++) {
		if (strcmp(risk_names[i], name) == 0) {
			*out = (enum risk_cat)i;
			return true;
		}
	}
	return false;
}

void
risk_report_add(struct risk_report *r, enum risk_cat cat,
                enum risk_severity sev, size_t start, size_t end,
                const char *fmt, ...)
{
	struct buf why = { 0 };
	va_list ap;

	va_start(ap, fmt);
	buf_vprintf(&why, fmt, ap);
	va_end(ap);
	r->findings =
	        xrealloc(r->findings, (r->nfindings + 1) * sizeof *r->findings);
	r->findings[r->nfindings] =
	        (struct risk_finding){ .cat = cat,
		                       .severity = sev,
		                       .start = start,
		                       .end = end,
		                       .why = buf_steal(&why) };
	r->nfindings++;
	r->mask |= RISK_BIT(cat);
}

void
risk_report_add_host(struct risk_report *r, const char *host)
{
	char *h = xstrdup(host);

	for (char *p = h; *p; p++) {
		*p = (char)tolower((unsigned char)*p);
	}
	for (size_t i = 0; i < r->nhosts; i++) {
		if (strcmp(r->hosts[i], h) == 0) {
			free(h);
			return;
		}
	}
	r->hosts = xrealloc(r->hosts, (r->nhosts + 1) * sizeof *r->hosts);
	r->hosts[r->nhosts++] = h;
}

void
risk_report_merge(struct risk_report *dst, struct risk_report *src)
{
	for (size_t i = 0; i < src->nfindings; i++) {
		dst->findings =
		        xrealloc(dst->findings,
		                 (dst->nfindings + 1) * sizeof *dst->findings);
		dst->findings[dst->nfindings++] = src->findings[i];
	}
	dst->mask |= src->mask;
	free(src->findings);
	src->findings = NULL;
	src->nfindings = 0;
	for (size_t i = 0; i < src->nhosts; i++) {
		risk_report_add_host(dst, src->hosts[i]);
		free(src->hosts[i]);
	}
	free(src->hosts);
	src->hosts = NULL;
	src->nhosts = 0;
	src->mask = 0;
}

bool
risk_report_has_deny(const struct risk_report *r)
{
	for (size_t i = 0; i < r->nfindings; i++) {
		if (r->findings[i].severity == RISK_SEV_DENY) {
			return true;
		}
	}
	return false;
}

void
risk_report_clear(struct risk_report *r)
{
	for (size_t i = 0; i < r->nfindings; i++) {
		free(r->findings[i].why);
	}
	free(r->findings);
	for (size_t i = 0; i < r->nhosts; i++) {
		free(r->hosts[i]);
	}
	free(r->hosts);
	memset(r, 0, sizeof *r);
}
