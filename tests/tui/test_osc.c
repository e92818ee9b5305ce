#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <locale.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "tui/osc.h"

static void
test_title_text(void **state)
{
	char b[64];

	(void)state;
	osc_title_text(3, 0, b, sizeof b);
	assert_string_equal(b, "airlock: 3 pending");
	osc_title_text(0, 1, b, sizeof b);
	assert_string_equal(b, "airlock: 0 pending, 1 alert");
	osc_title_text(2, 5, b, sizeof b);
	assert_string_equal(b, "airlock: 2 pending, 5 alerts");
}

static void
test_title_term(void **state)
{
	(void)state;
	assert_true(osc_title_term_ok("xterm-256color"));
	assert_true(osc_title_term_ok("tmux-256color"));
	assert_true(osc_title_term_ok("screen"));
	assert_true(osc_title_term_ok("foot"));
	assert_false(osc_title_term_ok("linux"));
	assert_false(osc_title_term_ok("dumb"));
	assert_false(osc_title_term_ok("vt100"));
	assert_false(osc_title_term_ok(NULL));
}

static void
test_notify_parse(void **state)
{
	enum osc_notify n = OSC_NOTIFY_OFF;

	(void)state;
	assert_true(osc_notify_parse("osc", &n));
	assert_int_equal(n, OSC_NOTIFY_AUTO);
	assert_true(osc_notify_parse("osc9", &n));
	assert_int_equal(n, OSC_NOTIFY_9);
	assert_true(osc_notify_parse("osc777", &n));
	assert_int_equal(n, OSC_NOTIFY_777);
	assert_true(osc_notify_parse("off", &n));
	assert_int_equal(n, OSC_NOTIFY_OFF);
	assert_false(osc_notify_parse("desktop", &n));
	assert_int_equal(osc_notify_resolve(OSC_NOTIFY_AUTO, NULL, NULL),
	                 OSC_NOTIFY_777);
	assert_int_equal(osc_notify_resolve(OSC_NOTIFY_AUTO, "iTerm.app", NULL),
	                 OSC_NOTIFY_9);
	assert_int_equal(osc_notify_resolve(OSC_NOTIFY_AUTO, NULL, "abc"),
	                 OSC_NOTIFY_9);
	assert_int_equal(osc_notify_resolve(OSC_NOTIFY_777, "iTerm.app", NULL),
	                 OSC_NOTIFY_777);
}

/* No byte below 0x20, no DEL, no C1 in what goes inside a sequence. */
static void
assert_clean(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		assert_true(*p >= 0x20 && *p != 0x7f);
		if (*p == 0xc2) {
			assert_true(p[1] >= 0xa0);
		}
	}
}

static void
test_clean(void **state)
{
	char *s;

	(void)state;
	s = osc_clean("run \x1b]2;PWNED\x07 now\nplease\x9b", 200, false);
	assert_clean(s);
	assert_non_null(strstr(s, "^[]2;PWNED^G now please"));
	free(s);
	/* a C1 CSI as UTF-8, a bidi override: markers */
	s = osc_clean("a\xc2\x9b"
	              "b\xe2\x80\xae"
	              "c",
	              200, true);
	assert_clean(s);
	assert_non_null(strstr(s, "U+202E"));
	free(s);
	/* field: ';' would split OSC 777's fields */
	s = osc_clean("x;y", 200, true);
	assert_string_equal(s, "x,y");
	free(s);
	/* cut on a character boundary */
	s = osc_clean("\xc3\xa9\xc3\xa9\xc3\xa9", 5, false);
	assert_string_equal(s, "\xc3\xa9\xc3\xa9");
	free(s);
	s = osc_clean(NULL, 10, false);
	assert_string_equal(s, "");
	free(s);
}

static void
test_seq_title(void **state)
{
	struct buf b = { 0 };

	(void)state;
	osc_seq_title(NULL, NULL, "airlock: 1 pending", &b);
	assert_string_equal(b.data, "\x1b]2;airlock: 1 pending\x07");
	buf_reset(&b);
	osc_seq_title("\x1b]0;", "\x07", "airlock: 2 pending", &b);
	assert_string_equal(b.data, "\x1b]0;airlock: 2 pending\x07");
	buf_reset(&b);
	/* even our own text is cleaned */
	osc_seq_title(NULL, NULL,
	              "a\x07"
	              "b",
	              &b);
	assert_string_equal(b.data, "\x1b]2;a^Gb\x07");
	buf_free(&b);
}

static void
test_seq_notify(void **state)
{
	struct buf b = { 0 };
	const char *body;

	(void)state;
	osc_seq_notify(OSC_NOTIFY_777, false, "airlock: approval needed",
	               "run `x\x1b]52;c;AAAA\x07;y`", &b);
	assert_non_null(strstr(b.data, "\x1b]777;notify;airlock: approval "
	                               "needed;"));
	body = b.data + 2; /* past ESC ] */
	assert_int_equal(b.data[b.len - 1], '\x07');
	for (size_t i = 2; i + 1 < b.len; i++) {
		assert_true((unsigned char)b.data[i] >= 0x20);
	}
	/* three separators only (777;notify;title;body): the body's ';'
	 * became ',' */
	body = strchr(body, ';');
	body = strchr(body + 1, ';');
	body = strchr(body + 1, ';');
	assert_non_null(body);
	assert_null(strchr(body + 1, ';'));
	buf_reset(&b);
	osc_seq_notify(OSC_NOTIFY_9, false, "airlock", "3 waiting", &b);
	assert_string_equal(b.data, "\x1b]9;airlock: 3 waiting\x07");
	buf_reset(&b);
	osc_seq_notify(OSC_NOTIFY_9, true, "airlock", "x", &b);
	assert_string_equal(b.data,
	                    "\x1bPtmux;\x1b\x1b]9;airlock: x\x07\x1b\\");
	buf_reset(&b);
	osc_seq_notify(OSC_NOTIFY_OFF, false, "airlock", "x", &b);
	assert_int_equal(b.len, 0);
	buf_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_title_text),
		cmocka_unit_test(test_title_term),
		cmocka_unit_test(test_notify_parse),
		cmocka_unit_test(test_clean),
		cmocka_unit_test(test_seq_title),
		cmocka_unit_test(test_seq_notify),
	};

	setlocale(LC_ALL, "C.UTF-8");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
