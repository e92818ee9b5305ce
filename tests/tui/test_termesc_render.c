/*
 * The sanitiser's rendering as the console shows it, for the tmux corpus
 * test (tests/integration/console_termesc.sh): with `--render`, each stdin
 * line is hex-encoded bytes and the matching stdout line is the hex of
 * sanitize_to_string() of them, so the script compares the captured screen
 * with exactly what the console is meant to draw. Without arguments it is a
 * unit test of that filter.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/sanitize.h"
#include "core/xalloc.h"

static int
hexval(int ch)
{
	if (ch >= '0' && ch <= '9') {
		return ch - '0';
	}
	if (ch >= 'a' && ch <= 'f') {
		return ch - 'a' + 10;
	}
	if (ch >= 'A' && ch <= 'F') {
		return ch - 'A' + 10;
	}
	return -1;
}

/* Decodes hex text (stops at the first non-hex pair); *len is set. */
static char *
hex_decode(const char *hex, size_t *len)
{
	size_t n = strlen(hex) / 2;
	char *out = xmalloc(n + 1);
	size_t k = 0;

	for (size_t i = 0; i < n; i++) {
		int hi = hexval((unsigned char)hex[2 * i]);
		int lo = hexval((unsigned char)hex[2 * i + 1]);

		if (hi < 0 || lo < 0) {
			break;
		}
		out[k++] = (char)(hi << 4 | lo);
	}
	out[k] = '\0';
	*len = k;
	return out;
}

static char *
render_hex_line(const char *hex)
{
	size_t len;
	char *raw = hex_decode(hex, &len);
	char *safe = sanitize_to_string(raw, len, NULL);
	size_t n = strlen(safe);
	char *out = xmalloc(2 * n + 1);

	for (size_t i = 0; i < n; i++) {
		snprintf(out + 2 * i, 3, "%02x", (unsigned char)safe[i]);
	}
	out[2 * n] = '\0';
	free(safe);
	free(raw);
	return out;
}

static int
render_filter(void)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	while ((n = getline(&line, &cap, stdin)) >= 0) {
		char *out;

		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r')) {
			line[--n] = '\0';
		}
		out = render_hex_line(line);
		printf("%s\n", out);
		free(out);
	}
	free(line);
	return fflush(stdout) == 0 ? 0 : 1;
}

static char *
render_text(const char *s)
{
	size_t n = strlen(s);
	char *hex = xmalloc(2 * n + 1);
	char *out;
	size_t len;
	char *text;

	for (size_t i = 0; i < n; i++) {
		snprintf(hex + 2 * i, 3, "%02x", (unsigned char)s[i]);
	}
	hex[2 * n] = '\0';
	out = render_hex_line(hex);
	text = hex_decode(out, &len);
	free(out);
	free(hex);
	return text;
}

static void
test_plain_text_unchanged(void **state)
{
	char *r = render_text("rm -rf ~/projects");

	(void)state;
	assert_string_equal(r, "rm -rf ~/projects");
	free(r);
}

static void
test_escape_becomes_visible(void **state)
{
	char *r = render_text("notes\x1b]0;airlock: all approved\x07.md");

	(void)state;
	/* no ESC or BEL reaches the terminal, and the payload stays */
	assert_null(strchr(r, 0x1b));
	assert_null(strchr(r, 0x07));
	assert_non_null(strstr(r, "^["));
	assert_non_null(strstr(r, "airlock: all approved"));
	free(r);
}

static void
test_bidi_becomes_marker(void **state)
{
	char *r = render_text("invoice_\xe2\x80\xae"
	                      "fdp.sh");

	(void)state;
	assert_null(strstr(r, "\xe2\x80\xae"));
	assert_non_null(strstr(r, "U+202E"));
	free(r);
}

static void
test_hex_stops_at_garbage(void **state)
{
	size_t len;
	char *s = hex_decode("41420z43", &len);

	(void)state;
	assert_int_equal(len, 2);
	assert_string_equal(s, "AB");
	free(s);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_text_unchanged),
		cmocka_unit_test(test_escape_becomes_visible),
		cmocka_unit_test(test_bidi_becomes_marker),
		cmocka_unit_test(test_hex_stops_at_garbage),
	};

	if (argc > 1 && strcmp(argv[1], "--render") == 0) {
		return render_filter();
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
