#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/al.h"
#include "tui/theme.h"

static void
test_parse(void **state)
{
	struct theme t;
	char *err = NULL;

	(void)state;
	theme_defaults(&t, true);
	assert_int_equal(theme_parse(&t,
	                             "# c\n\ndiff.add = green default bold\n"
	                             "finding=black 220 underline # tail\n"
	                             "marker = bright-red\n",
	                             &err),
	                 0);
	assert_int_equal(t.style[ROLE_DIFF_ADD].fg, 2);
	assert_int_equal(t.style[ROLE_DIFF_ADD].bg, THEME_DEFAULT_COLOUR);
	assert_int_equal(t.style[ROLE_DIFF_ADD].attrs, THEME_BOLD);
	assert_int_equal(t.style[ROLE_FINDING].fg, 0);
	assert_int_equal(t.style[ROLE_FINDING].bg, 220);
	assert_int_equal(t.style[ROLE_FINDING].attrs, THEME_UNDERLINE);
	assert_int_equal(t.style[ROLE_MARKER].fg, 9);
	assert_int_equal(t.style[ROLE_MARKER].bg, THEME_DEFAULT_COLOUR);
}

static void
test_parse_errors(void **state)
{
	struct theme t;
	char *err = NULL;

	(void)state;
	theme_defaults(&t, true);
	assert_int_equal(theme_parse(&t, "title = red\n\nbogus = red\n", &err),
	                 AL_EPARSE);
	assert_string_equal(err, "line 3: unknown role 'bogus'");
	free(err);
	/* lines before the error stay applied */
	assert_int_equal(t.style[ROLE_TITLE].fg, 1);
	assert_int_equal(theme_parse(&t, "title = red blue green\n", &err),
	                 AL_EPARSE);
	assert_non_null(strstr(err, "'green'"));
	free(err);
	assert_int_equal(theme_parse(&t, "title = 256\n", &err), AL_EPARSE);
	free(err);
	assert_int_equal(theme_parse(&t, "title red\n", &err), AL_EPARSE);
	free(err);
}

static void
test_mono_has_no_colour(void **state)
{
	struct theme t;

	(void)state;
	theme_defaults(&t, false);
	for (int r = 0; r < ROLE__COUNT; r++) {
		assert_int_equal(t.style[r].fg, THEME_DEFAULT_COLOUR);
		assert_int_equal(t.style[r].bg, THEME_DEFAULT_COLOUR);
	}
	/* the distinctions that matter survive as attributes */
	assert_true(t.style[ROLE_FINDING].attrs != 0);
	assert_true(t.style[ROLE_MARKER].attrs != 0);
	assert_true(t.style[ROLE_SELECTED].attrs & THEME_REVERSE);
	assert_true(t.style[ROLE_DIFF_ADD].attrs !=
	            t.style[ROLE_DIFF_DEL].attrs);
}

/* Every shipped theme parses, and the colour ones name every role so a
 * theme never silently inherits a colour chosen for another background. */
static void
test_shipped_themes(void **state)
{
	static const char *const names[] = { "dark", "light", "high-contrast",
		                             "mono" };
	const char *dirs[] = { AIRLOCK_SOURCE_DIR "/themes", NULL };

	(void)state;
	for (size_t i = 0; i < 4; i++) {
		struct theme t;
		char *err = NULL;
		int rc;

		theme_defaults(&t, strcmp(names[i], "mono") != 0);
		rc = theme_load(&t, names[i], dirs, &err);
		if (rc != 0) {
			fail_msg("%s: %s", names[i], err);
		}
		assert_string_equal(t.name, names[i]);
	}
}

static void
test_shipped_colour_themes_complete(void **state)
{
	static const char *const names[] = { "dark", "light", "high-contrast" };

	(void)state;
	for (size_t i = 0; i < 3; i++) {
		char *path = NULL;
		FILE *f;
		char line[256];
		bool seen[ROLE__COUNT] = { false };

		path = malloc(512);
		snprintf(path, 512, "%s/themes/%s.theme", AIRLOCK_SOURCE_DIR,
		         names[i]);
		f = fopen(path, "r");
		assert_non_null(f);
		while (fgets(line, sizeof line, f) != NULL) {
			char role[64];
			enum theme_role r;

			if (sscanf(line, " %63[a-z.-] =", role) == 1 &&
			    theme_role_from_name(role, &r)) {
				seen[r] = true;
			}
		}
		fclose(f);
		for (int r = 0; r < ROLE__COUNT; r++) {
			if (!seen[r]) {
				fail_msg("%s lacks %s", path,
				         theme_role_name((enum theme_role)r));
			}
		}
		free(path);
	}
}

static void
test_load_missing(void **state)
{
	struct theme t;
	const char *dirs[] = { "/nonexistent", NULL };
	char *err = NULL;

	(void)state;
	theme_defaults(&t, true);
	assert_int_equal(theme_load(&t, "nope", dirs, &err), AL_ENOENT);
	assert_non_null(strstr(err, "nope"));
	free(err);
	assert_int_equal(theme_load(&t, "/nonexistent/x.theme", dirs, NULL),
	                 AL_ENOENT);
	assert_string_equal(t.name, "dark");
}

static void
test_fold(void **state)
{
	(void)state;
	assert_int_equal(theme_fold_colour(3, 256), 3);
	assert_int_equal(theme_fold_colour(208, 256), 208);
	assert_int_equal(theme_fold_colour(9, 8), 1);    /* bright red */
	assert_int_equal(theme_fold_colour(196, 8), 1);  /* cube red */
	assert_int_equal(theme_fold_colour(46, 8), 2);   /* cube green */
	assert_int_equal(theme_fold_colour(226, 8), 3);  /* yellow */
	assert_int_equal(theme_fold_colour(21, 8), 4);   /* blue */
	assert_int_equal(theme_fold_colour(16, 8), 0);   /* cube black */
	assert_int_equal(theme_fold_colour(231, 8), 7);  /* cube white */
	assert_int_equal(theme_fold_colour(236, 8), 0);  /* dark grey */
	assert_int_equal(theme_fold_colour(250, 8), 7);  /* light grey */
	assert_int_equal(theme_fold_colour(200, 16), 5); /* magenta */
	assert_int_equal(theme_fold_colour(3, 2), THEME_DEFAULT_COLOUR);
	assert_int_equal(theme_fold_colour(THEME_DEFAULT_COLOUR, 256),
	                 THEME_DEFAULT_COLOUR);
}

static void
test_role_names(void **state)
{
	(void)state;
	for (int r = 0; r < ROLE__COUNT; r++) {
		enum theme_role back;

		assert_true(theme_role_from_name(
		        theme_role_name((enum theme_role)r), &back));
		assert_int_equal(back, r);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_mono_has_no_colour),
		cmocka_unit_test(test_shipped_themes),
		cmocka_unit_test(test_shipped_colour_themes_complete),
		cmocka_unit_test(test_load_missing),
		cmocka_unit_test(test_fold),
		cmocka_unit_test(test_role_names),
	};

	return cmocka_run_group_tests_name("theme", tests, NULL, NULL);
}
