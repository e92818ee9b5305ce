/* core/buf: growth, stealing, and reading a whole file. */
#include "core/buf.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tests/support/tmpdir.h"

static void
write_file(const char *path, const char *data, size_t len)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

static void
test_steal_empty_is_empty_string(void **state)
{
	struct buf b = { 0 };

	(void)state;
	char *s = buf_steal(&b);
	assert_string_equal(s, "");
	free(s);
	buf_printf(&b, "%d-%s", 42, "x");
	s = buf_steal(&b);
	assert_string_equal(s, "42-x");
	assert_null(b.data);
	free(s);
}

static void
test_read_file(void **state)
{
	struct test_tmp t;
	char big[10000];

	(void)state;
	assert_int_equal(test_tmp_make(&t, "buf"), 0);
	/* Missing: NULL. */
	assert_null(buf_read_file(t.path));
	/* Empty: "", not NULL. */
	write_file(t.path, "", 0);
	char *s = buf_read_file(t.path);
	assert_non_null(s);
	assert_string_equal(s, "");
	free(s);
	/* Larger than one read chunk, every byte kept. */
	for (size_t i = 0; i < sizeof big; i++) {
		big[i] = (char)('a' + i % 26);
	}
	write_file(t.path, big, sizeof big);
	s = buf_read_file(t.path);
	assert_non_null(s);
	assert_int_equal(strlen(s), sizeof big);
	assert_memory_equal(s, big, sizeof big);
	free(s);
	/* With a limit: reading stops within a chunk of it. */
	s = buf_read_file_max(t.path, 100);
	assert_non_null(s);
	assert_true(strlen(s) >= 100 && strlen(s) <= 4096);
	assert_memory_equal(s, big, strlen(s));
	free(s);
	assert_int_equal(test_tmp_remove(&t), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_steal_empty_is_empty_string),
		cmocka_unit_test(test_read_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
