#include "ipc/scan.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "core/buf.h"
#include "core/inject.h"
#include "core/redact.h"
#include "core/secrets.h"
#include "core/xalloc.h"

struct scan_opts {
	bool secrets, injection, json;
};

static int
scan_usage(FILE *err, const char *msg)
{
	fprintf(err,
	        "airlock scan: %s\n"
	        "usage: airlock scan --secrets|--injection [--json] < file\n",
	        msg);
	return 2;
}

static int
scan_parse(int argc, char **argv, struct scan_opts *o, FILE *err)
{
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--secrets") == 0) {
			o->secrets = true;
		} else if (strcmp(argv[i], "--injection") == 0) {
			o->injection = true;
		} else if (strcmp(argv[i], "--json") == 0) {
			o->json = true;
		} else {
			fprintf(err, "airlock scan: unknown option '%s'\n",
			        argv[i]);
			return scan_usage(err, "bad option");
		}
	}
	if (o->secrets == o->injection) {
		return scan_usage(err,
		                  "choose one of --secrets and --injection");
	}
	return 0;
}

/* Reads all of in; NULs are kept (the length is what counts). */
static int
scan_read(FILE *in, struct buf *b)
{
	char chunk[65536];
	size_t n;

	while ((n = fread(chunk, 1, sizeof(chunk), in)) > 0) {
		if (b->len + n > SCAN_MAX_INPUT) {
			return 1;
		}
		buf_append(b, chunk, n);
	}
	return ferror(in) ? 1 : 0;
}

static int
scan_print_json(cJSON *root, FILE *out)
{
	char *s = cJSON_PrintUnformatted(root);
	int rc = 0;

	if (s == NULL || fprintf(out, "%s\n", s) < 0) {
		rc = 1;
	}
	cJSON_free(s);
	cJSON_Delete(root);
	return rc;
}

static int
scan_secrets_json(const char *t, size_t len, FILE *out)
{
	struct secret_span *s = NULL;
	size_t n = 0;
	cJSON *root = cJSON_CreateObject();
	cJSON *arr = cJSON_AddArrayToObject(root, "secrets");

	if (secrets_scan(t, len, &s, &n) != 0) {
		cJSON_Delete(root);
		return 1;
	}
	for (size_t i = 0; i < n; i++) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "type", s[i].type);
		cJSON_AddNumberToObject(o, "start", (double)s[i].start);
		cJSON_AddNumberToObject(o, "end", (double)s[i].end);
		cJSON_AddItemToArray(arr, o);
	}
	free(s);
	return scan_print_json(root, out);
}

static int
scan_secrets_text(const char *t, size_t len, FILE *out)
{
	size_t rl = 0;
	char *r = redact_text(t, len, &rl);
	int rc = fwrite(r, 1, rl, out) == rl ? 0 : 1;

	free(r);
	return rc;
}

static int
scan_injection(const char *t, size_t len, bool json, FILE *out)
{
	struct inject_finding *f = NULL;
	size_t n = 0;
	cJSON *root, *arr;

	if (inject_screen(t, len, &f, &n) != 0) {
		return 1;
	}
	if (!json) {
		for (size_t i = 0; i < n; i++) {
			fprintf(out, "%s %zu-%zu: %s\n", f[i].technique,
			        f[i].start, f[i].end, f[i].why);
		}
		fprintf(out, "injection: %s\n", n > 0 ? "yes" : "no");
		free(f);
		return ferror(out) ? 1 : 0;
	}
	root = cJSON_CreateObject();
	cJSON_AddBoolToObject(root, "injection", n > 0);
	arr = cJSON_AddArrayToObject(root, "findings");
	for (size_t i = 0; i < n; i++) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "technique", f[i].technique);
		cJSON_AddNumberToObject(o, "start", (double)f[i].start);
		cJSON_AddNumberToObject(o, "end", (double)f[i].end);
		cJSON_AddStringToObject(o, "why", f[i].why);
		cJSON_AddItemToArray(arr, o);
	}
	free(f);
	return scan_print_json(root, out);
}

int
scan_main(int argc, char **argv, FILE *in, FILE *out, FILE *err)
{
	struct scan_opts o = { false, false, false };
	struct buf b = { 0 };
	int rc = scan_parse(argc, argv, &o, err);

	if (rc != 0) {
		return rc;
	}
	if (scan_read(in, &b) != 0) {
		fprintf(err, "airlock scan: cannot read input (limit %zu MB)\n",
		        SCAN_MAX_INPUT >> 20);
		rc = 1;
		goto out;
	}
	if (o.secrets) {
		rc = o.json ? scan_secrets_json(b.data ? b.data : "", b.len,
		                                out)
		            : scan_secrets_text(b.data, b.len, out);
	} else {
		rc = scan_injection(b.data ? b.data : "", b.len, o.json, out);
	}
	if (rc == 0 && fflush(out) != 0) {
		rc = 1;
	}
out:
	buf_free(&b);
	return rc;
}
