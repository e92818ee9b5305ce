#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <locale.h>
#include <stdlib.h>
#include <string.h>

#include "core/al.h"
#include "tui/input.h"
#include "tui/keymap.h"
#include "tui/layout.h"
#include "tui/view_help.h"

static int
setup(void **state)
{
	struct keymap *km = keymap_new();

	setlocale(LC_ALL, "C.UTF-8");
	keymap_load_defaults(km);
	*state = km;
	return 0;
}

static int
teardown(void **state)
{
	keymap_free(*state);
	return 0;
}

static void
test_defaults(void **state)
{
	struct keymap *km = *state;

	assert_int_equal(keymap_lookup(km, KEYMAP_CTX_QUEUE, 'a'), ACT_APPROVE);
	assert_int_equal(keymap_lookup(km, KEYMAP_CTX_QUEUE, 'd'), ACT_DENY);
	assert_int_equal(keymap_lookup(km, KEYMAP_CTX_QUEUE, 'j'), ACT_DOWN);
	assert_int_equal(keymap_lookup(km, KEYMAP_CTX_QUEUE, INPUT_KEY_UP),
	                 ACT_UP);
	assert_int_equal(keymap_lookup(km, KEYMAP_CTX_QUEUE, 'q'), ACT_QUIT);
	assert_int_equal(keymap_lookup(km, KEYMAP_CTX_QUEUE, '?'), ACT_HELP);
	/* decisions exist only in the queue, never in history */
	assert_int_equal(keymap_lookup(km, KEYMAP_CTX_HISTORY, 'a'), ACT_NONE);
	assert_int_equal(keymap_lookup(km, KEYMAP_CTX_QUEUE, 'z'), ACT_NONE);
}

static void
test_key_names(void **state)
{
	uint32_t k;
	char buf[32];

	(void)state;
	assert_int_equal(keymap_key_parse("a", &k), 0);
	assert_int_equal(k, 'a');
	assert_int_equal(keymap_key_parse("Space", &k), 0);
	assert_int_equal(k, ' ');
	assert_int_equal(keymap_key_parse("C-l", &k), 0);
	assert_int_equal(k, 12);
	assert_string_equal(keymap_key_name(k, buf, sizeof buf), "C-l");
	assert_int_equal(keymap_key_parse("F5", &k), 0);
	assert_string_equal(keymap_key_name(k, buf, sizeof buf), "F5");
	assert_int_equal(keymap_key_parse("PgDn", &k), 0);
	assert_int_equal(k, INPUT_KEY_PGDN);
	assert_int_equal(keymap_key_parse("é", &k), 0);
	assert_int_equal(k, 0xe9);
	assert_string_equal(keymap_key_name(k, buf, sizeof buf), "é");
	assert_int_equal(keymap_key_parse("F13", &k), AL_EINVAL);
	assert_int_equal(keymap_key_parse("ab", &k), AL_EINVAL);
	assert_int_equal(keymap_key_parse("", &k), AL_EINVAL);
	assert_int_equal(keymap_key_parse("C-", &k), AL_EINVAL);
}

static void
test_parse_bind(void **state)
{
	struct keymap *km = *state;
	char *err = NULL;

	assert_int_equal(keymap_parse_line(km, "bind queue y approve", &err),
	                 0);
	assert_int_equal(keymap_lookup(km, KEYMAP_CTX_QUEUE, 'y'), ACT_APPROVE);
	/* rebinding replaces */
	assert_int_equal(
	        keymap_parse_line(km, "  bind queue a deny  # comment", &err),
	        0);
	assert_int_equal(keymap_lookup(km, KEYMAP_CTX_QUEUE, 'a'), ACT_DENY);
	assert_int_equal(keymap_parse_line(km, "unbind queue a", &err), 0);
	assert_int_equal(keymap_lookup(km, KEYMAP_CTX_QUEUE, 'a'), ACT_NONE);
	assert_int_equal(keymap_parse_line(km, "# only a comment", &err), 0);
	assert_int_equal(keymap_parse_line(km, "", &err), 0);
	assert_null(err);
}

static void
test_parse_errors(void **state)
{
	struct keymap *km = *state;
	char *err = NULL;

	assert_int_equal(keymap_parse_line(km, "bind queue a launch", &err),
	                 AL_EPARSE);
	assert_non_null(strstr(err, "launch"));
	free(err);
	err = NULL;
	assert_int_equal(keymap_parse_line(km, "bind nowhere a approve", &err),
	                 AL_EPARSE);
	assert_non_null(strstr(err, "nowhere"));
	free(err);
	err = NULL;
	assert_int_equal(keymap_parse_line(km, "bind queue Foo approve", &err),
	                 AL_EPARSE);
	free(err);
	err = NULL;
	assert_int_equal(keymap_parse_line(km, "bind queue a", &err),
	                 AL_EPARSE);
	free(err);
	err = NULL;
	/* other keywords belong to other parts of the config */
	assert_int_equal(keymap_parse_line(km, "theme dark", &err), AL_ENOENT);
	assert_null(err);
	/* a failed line changes nothing */
	assert_int_equal(keymap_lookup(km, KEYMAP_CTX_QUEUE, 'a'), ACT_APPROVE);
}

static void
test_keys_for(void **state)
{
	struct keymap *km = *state;
	char buf[64];

	assert_string_equal(keymap_keys_for(km, KEYMAP_CTX_QUEUE, ACT_APPROVE,
	                                    buf, sizeof buf),
	                    "a");
	assert_string_equal(keymap_keys_for(km, KEYMAP_CTX_QUEUE, ACT_DOWN, buf,
	                                    sizeof buf),
	                    "j/Down");
	/* a context binding that shadows a global key hides it */
	assert_int_equal(keymap_parse_line(km, "bind queue j deny", NULL), 0);
	assert_string_equal(keymap_keys_for(km, KEYMAP_CTX_QUEUE, ACT_DOWN, buf,
	                                    sizeof buf),
	                    "Down");
	assert_string_equal(
	        keymap_keys_for(km, KEYMAP_CTX_QUEUE, ACT_EDIT, buf, 2), "e");
}

static void
test_action_names(void **state)
{
	(void)state;
	for (int a = 1; a < ACT__COUNT; a++) {
		const char *name = keymap_action_name((enum tui_action)a);

		assert_int_equal(keymap_action_from_name(name), a);
		assert_true(strlen(keymap_action_help((enum tui_action)a)) > 0);
	}
	assert_int_equal(keymap_action_from_name("nope"), ACT_NONE);
	assert_string_equal(keymap_action_name((enum tui_action)999), "?");
}

/* The help screen and the legend are generated from the table and follow
 * the user's bindings. */
static void
test_help_follows_bindings(void **state)
{
	struct keymap *km = *state;
	struct layout_lines help = { 0 }, legend = { 0 };
	char *text, *leg;

	assert_int_equal(keymap_parse_line(km, "bind queue y approve", NULL),
	                 0);
	assert_int_equal(keymap_parse_line(km, "unbind queue a", NULL), 0);
	view_help_build(km, KEYMAP_CTX_QUEUE, false, 80, &help);
	text = layout_lines_text(&help);
	for (int a = 1; a < ACT__COUNT; a++) {
		assert_non_null(strstr(text, keymap_action_help(a)));
	}
	assert_non_null(strstr(text, "y               Approve the selected"));
	view_help_legend(km, KEYMAP_CTX_QUEUE, false, 200,
	                 layout_push(&legend));
	leg = layout_lines_text(&legend);
	assert_non_null(strstr(leg, "y approve"));
	assert_null(strstr(leg, "a approve"));
	free(leg);
	layout_lines_free(&legend);
	/* read-only: no decision keys offered */
	view_help_legend(km, KEYMAP_CTX_QUEUE, true, 200, layout_push(&legend));
	leg = layout_lines_text(&legend);
	assert_null(strstr(leg, "approve"));
	assert_null(strstr(leg, "deny"));
	assert_non_null(strstr(leg, "quit"));
	free(leg);
	free(text);
	layout_lines_free(&legend);
	layout_lines_free(&help);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_defaults, setup, teardown),
		cmocka_unit_test(test_key_names),
		cmocka_unit_test_setup_teardown(test_parse_bind, setup,
		                                teardown),
		cmocka_unit_test_setup_teardown(test_parse_errors, setup,
		                                teardown),
		cmocka_unit_test_setup_teardown(test_keys_for, setup, teardown),
		cmocka_unit_test(test_action_names),
		cmocka_unit_test_setup_teardown(test_help_follows_bindings,
		                                setup, teardown),
	};

	setlocale(LC_ALL, "C.UTF-8");
	return cmocka_run_group_tests_name("keymap", tests, NULL, NULL);
}
