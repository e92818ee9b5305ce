#include "core/diff.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/al.h"
#include "core/buf.h"
#include "core/xalloc.h"

/* ---- generated file pairs against diff -u ---------------------------------
 */

/* Vocabularies: mostly distinct lines with the duplicates real code has
 * ("}", blank lines), or a tiny alphabet where many edit scripts are
 * equally short and only the tie-breaking decides. */
enum gen_mode {
	GEN_CODE,
	GEN_TINY,
	GEN_MODES
};

/* Overridable for longer runs: -DTEST_PAIRS=5000 -DTEST_MAXLINES=400. */
#ifndef TEST_PAIRS
#define TEST_PAIRS 400
#endif
#ifndef TEST_MAXLINES
#define TEST_MAXLINES 60
#endif
#ifndef TEST_SEED
#define TEST_SEED 20240527u
#endif

static void
gen_line(unsigned *seed, enum gen_mode mode, struct buf *out)
{
	static const char *const dup[] = { "}", "", "\treturn 0;", "{", "end" };
	unsigned r = (unsigned)rand_r(seed);

	if (mode == GEN_TINY) {
		buf_putc(out, (char)('a' + r % 4));
	} else if (r % 4 == 0) {
		buf_puts(out, dup[(r / 4) % 5]);
	} else {
		buf_printf(out, "line %u", r % 100000);
	}
	buf_putc(out, '\n');
}

static void
gen_file(unsigned *seed, enum gen_mode mode, size_t n, struct buf *out)
{
	for (size_t i = 0; i < n; i++) {
		gen_line(seed, mode, out);
	}
}

/* Copies a's lines into b with random deletions, insertions and changes. */
static void
gen_edit(unsigned *seed, enum gen_mode mode, const struct buf *a, struct buf *b)
{
	const char *p = a->data ? a->data : "";
	const char *end = p + a->len;
	unsigned rate = 2 + (unsigned)rand_r(seed) % 6;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) + 1 : (size_t)(end - p);
		unsigned r = (unsigned)rand_r(seed) % (rate * 3);
		if (r == 0) {
			gen_line(seed, mode, b); /* insert before */
		}
		if (r != 1) {
			buf_append(b, p, len); /* r == 1 deletes */
		}
		if (r == 2) {
			gen_line(seed, mode, b); /* insert after (or change) */
		}
		p += len;
	}
	if (rand_r(seed) % 4 == 0) {
		gen_line(seed, mode, b);
	}
}

static void
write_file(const char *path, const struct buf *b)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	if (b->len > 0) {
		assert_int_equal(fwrite(b->data, 1, b->len, f), b->len);
	}
	assert_int_equal(fclose(f), 0);
}

/* diff -u's output without its two header lines (they hold timestamps). */
static char *
gnu_diff(const char *dir)
{
	char *cmd = xasprintf("cd '%s' && diff -u a b", dir);
	FILE *p = popen(cmd, "r");
	struct buf out = { 0 };
	char chunk[4096];
	size_t n;
	char *body;
	char *s;

	assert_non_null(p);
	while ((n = fread(chunk, 1, sizeof(chunk), p)) > 0) {
		buf_append(&out, chunk, n);
	}
	pclose(p);
	free(cmd);
	s = out.data ? out.data : "";
	for (int k = 0; k < 2 && (s = strchr(s, '\n')) != NULL; k++) {
		s++;
	}
	body = xstrdup(s ? s : "");
	buf_free(&out);
	return body;
}

static char *
our_diff(const struct buf *a, const struct buf *b)
{
	struct diff_result *r = NULL;
	struct buf out = { 0 };
	char *s;
	char *body;

	assert_int_equal(diff_lines(a->data, a->len, b->data, b->len, -1, &r),
	                 0);
	diff_format_unified(r, "a", "b", &out);
	s = out.data ? out.data : "";
	for (int k = 0; k < 2 && (s = strchr(s, '\n')) != NULL; k++) {
		s++;
	}
	body = xstrdup(s ? s : "");
	buf_free(&out);
	diff_free(r);
	return body;
}

static void check_patch(const struct buf *a, const struct buf *b,
                        const struct diff_result *r);

static int
compare_pair(const char *dir, const struct buf *a, const struct buf *b, int id)
{
	char *pa = xasprintf("%s/a", dir);
	char *pb = xasprintf("%s/b", dir);
	char *want;
	char *got;
	int same;

	write_file(pa, a);
	write_file(pb, b);
	want = gnu_diff(dir);
	got = our_diff(a, b);
	same = strcmp(want, got) == 0;
	{
		struct diff_result *r = NULL;
		assert_int_equal(
		        diff_lines(a->data, a->len, b->data, b->len, 3, &r), 0);
		check_patch(a, b, r);
		diff_free(r);
	}
	if (!same) {
		print_error("pair %d differs\n--- diff -u:\n%s--- ours:\n%s",
		            id, want, got);
	}
	free(want);
	free(got);
	free(pa);
	free(pb);
	return same;
}

static void
make_pair(unsigned *seed, enum gen_mode mode, struct buf *a, struct buf *b)
{
	size_t n = (size_t)rand_r(seed) % TEST_MAXLINES;

	if (rand_r(seed) % 12 == 0) {
		n = 0; /* empty old file */
	}
	gen_file(seed, mode, n, a);
	if (rand_r(seed) % 12 == 0) {
		/* empty new file: nothing */
	} else {
		gen_edit(seed, mode, a, b);
	}
	/* No trailing newline on either side, sometimes. */
	if (a->len > 0 && rand_r(seed) % 5 == 0) {
		a->data[--a->len] = '\0';
	}
	if (b->len > 0 && rand_r(seed) % 5 == 0) {
		b->data[--b->len] = '\0';
	}
}

static void
test_against_gnu_diff(void **state)
{
	char tmpl[] = "/tmp/airlock-diff-XXXXXX";
	char *dir = mkdtemp(tmpl);
	unsigned seed = TEST_SEED;
	int total[GEN_MODES] = { 0 };
	int same[GEN_MODES] = { 0 };

	(void)state;
	assert_non_null(dir);
	for (int k = 0; k < TEST_PAIRS; k++) {
		enum gen_mode mode = k % 2 ? GEN_TINY : GEN_CODE;
		struct buf a = { 0 };
		struct buf b = { 0 };
		make_pair(&seed, mode, &a, &b);
		total[mode]++;
		same[mode] += compare_pair(dir, &a, &b, k);
		buf_free(&a);
		buf_free(&b);
	}
	print_message("diff -u agreement: code-like %d/%d, tiny alphabet "
	              "%d/%d\n",
	              same[GEN_CODE], total[GEN_CODE], same[GEN_TINY],
	              total[GEN_TINY]);
	char *rm = xasprintf("rm -rf '%s'", dir);
	assert_int_equal(system(rm), 0);
	free(rm);
	assert_int_equal(same[GEN_CODE], total[GEN_CODE]);
	assert_int_equal(same[GEN_TINY], total[GEN_TINY]);
}

/* ---- fixed cases ----------------------------------------------------------
 */

static char *
unified(const char *a, const char *b, int context)
{
	struct diff_result *r = NULL;
	struct buf out = { 0 };

	assert_int_equal(diff_lines(a, strlen(a), b, strlen(b), context, &r),
	                 0);
	diff_format_unified(r, "a/f", "b/f", &out);
	diff_free(r);
	return buf_steal(&out);
}

static void
expect_unified(const char *a, const char *b, int context, const char *want)
{
	char *got = unified(a, b, context);

	if (strcmp(got, want) != 0) {
		print_error("got:\n%s\nwant:\n%s\n", got, want);
	}
	assert_string_equal(got, want);
	free(got);
}

static void
test_unified_edges(void **state)
{
	(void)state;
	expect_unified("", "", -1, "");
	expect_unified("a\nb\n", "a\nb\n", -1, "");
	expect_unified("", "x\ny\n", -1,
	               "--- a/f\n+++ b/f\n@@ -0,0 +1,2 @@\n+x\n+y\n");
	expect_unified("x\n", "", -1, "--- a/f\n+++ b/f\n@@ -1 +0,0 @@\n-x\n");
	expect_unified("x", "x\n", -1,
	               "--- a/f\n+++ b/f\n@@ -1 +1 @@\n-x\n"
	               "\\ No newline at end of file\n+x\n");
	expect_unified("a\nb", "a\nc", -1,
	               "--- a/f\n+++ b/f\n@@ -1,2 +1,2 @@\n a\n-b\n"
	               "\\ No newline at end of file\n+c\n"
	               "\\ No newline at end of file\n");
	/* Context 0 and 1; two hunks far apart. */
	expect_unified(
	        "1\n2\n3\n4\n5\n6\n7\n8\n9\n", "1\nX\n3\n4\n5\n6\n7\nY\n9\n", 0,
	        "--- a/f\n+++ b/f\n@@ -2 +2 @@\n-2\n+X\n@@ -8 +8 @@\n-8\n"
	        "+Y\n");
	expect_unified("1\n2\n3\n4\n5\n6\n7\n8\n9\n",
	               "1\nX\n3\n4\n5\n6\n7\nY\n9\n", 1,
	               "--- a/f\n+++ b/f\n@@ -1,3 +1,3 @@\n 1\n-2\n+X\n 3\n"
	               "@@ -7,3 +7,3 @@\n 7\n-8\n+Y\n 9\n");
}

static void
test_line_numbers(void **state)
{
	struct diff_result *r = NULL;
	const char *a = "one\ntwo\nthree\n";
	const char *b = "one\n2\nthree\nfour\n";
	const struct diff_line *l;

	(void)state;
	assert_int_equal(diff_lines(a, strlen(a), b, strlen(b), 3, &r), 0);
	assert_int_equal(diff_hunk_count(r), 1);
	assert_int_equal(diff_hunk(r, 0)->count, 5);
	l = diff_line(r, 0);
	assert_int_equal(l->kind, ' ');
	assert_int_equal(l->old_no, 1);
	assert_int_equal(l->new_no, 1);
	l = diff_line(r, 1);
	assert_int_equal(l->kind, '-');
	assert_int_equal(l->old_no, 2);
	assert_int_equal(l->new_no, 0);
	assert_int_equal(l->len, 3);
	assert_memory_equal(l->text, "two", 3);
	l = diff_line(r, 2);
	assert_int_equal(l->kind, '+');
	assert_int_equal(l->new_no, 2);
	l = diff_line(r, 4);
	assert_int_equal(l->kind, '+');
	assert_int_equal(l->new_no, 4);
	assert_int_equal(diff_added(r), 2);
	assert_int_equal(diff_removed(r), 1);
	assert_null(diff_line(r, 5));
	diff_free(r);
	assert_int_equal(diff_lines(NULL, 1, "", 0, 3, &r), AL_EINVAL);
}

static void
test_binary_and_summary(void **state)
{
	struct diff_result *r = NULL;
	struct buf out = { 0 };
	const char bin[] = "PNG\0\x01\x02";

	(void)state;
	assert_true(diff_is_binary(bin, sizeof(bin) - 1));
	assert_false(diff_is_binary("plain\ntext\n", 11));
	assert_false(diff_is_binary("caf\xc3\xa9 \xe6\xbc\xa2\n", 10));
	assert_false(
	        diff_is_binary("one latin-1 caf\xe9 in a longer line\n", 34));
	assert_true(diff_is_binary("\xff\xfe\xfd\xfc", 4));
	assert_int_equal(diff_lines("a\n", 2, bin, sizeof(bin) - 1, 3, &r), 0);
	assert_true(diff_binary(r));
	assert_int_equal(diff_hunk_count(r), 0);
	diff_summary(r, &out);
	assert_string_equal(out.data, "binary file, not shown");
	buf_reset(&out);
	diff_format_unified(r, "a/x.png", "b/x.png", &out);
	assert_string_equal(out.data,
	                    "Binary files a/x.png and b/x.png differ\n");
	diff_free(r);
	buf_reset(&out);
	assert_int_equal(diff_lines("a\nb\n", 4, "a\nc\nd\n", 6, 3, &r), 0);
	diff_summary(r, &out);
	assert_string_equal(out.data, "+2 \xe2\x88\x92"
	                              "1");
	diff_free(r);
	buf_free(&out);
}

/* Rebuilds b from a and the hunks: checks that context and removed lines
 * are a's lines where the hunk says, whatever edit script was chosen. */
static void
check_patch(const struct buf *a, const struct buf *b,
            const struct diff_result *r)
{
	struct buf out = { 0 };
	const char *p = a->data ? a->data : "";
	const char *end = p + a->len;
	size_t line = 1;

	for (size_t h = 0; h < diff_hunk_count(r); h++) {
		const struct diff_hunk *hk = diff_hunk(r, h);
		size_t start =
		        hk->old_count ? hk->old_start : hk->old_start + 1;
		for (size_t k = hk->first; k < hk->first + hk->count; k++) {
			const struct diff_line *l = diff_line(r, k);
			for (; line < start ||
			       (l->kind != '+' && line < l->old_no);
			     line++) {
				const char *nl =
				        memchr(p, '\n', (size_t)(end - p));
				size_t n = nl ? (size_t)(nl - p) + 1
				              : (size_t)(end - p);
				buf_append(&out, p, n);
				p += n;
			}
			start = 0;
			if (l->kind != '+') {
				assert_int_equal(l->old_no, line);
				assert_memory_equal(p, l->text, l->len);
				p += l->len + !l->no_eol;
				line++;
			}
			if (l->kind != '-') {
				buf_append(&out, l->text, l->len);
				if (!l->no_eol) {
					buf_putc(&out, '\n');
				}
			}
		}
	}
	buf_append(&out, p, (size_t)(end - p));
	assert_int_equal(out.len, b->len);
	if (b->len > 0) {
		assert_memory_equal(out.data, b->data, b->len);
	}
	buf_free(&out);
}

/* A shuffled copy: every line matches once, the edit distance is huge.
 * The search gives up on minimality (like GNU diff) instead of taking
 * quadratic time, and the diff is still correct. */
static void
test_adversarial_shuffle(void **state)
{
	size_t n = 20000;
	size_t *perm = xmalloc(n * sizeof(*perm));
	unsigned seed = 5;
	struct buf a = { 0 };
	struct buf b = { 0 };
	struct diff_result *r = NULL;

	(void)state;
	for (size_t i = 0; i < n; i++) {
		perm[i] = i;
		buf_printf(&a, "row %zu\n", i);
	}
	for (size_t i = n - 1; i > 0; i--) {
		size_t j = (size_t)rand_r(&seed) % (i + 1);
		size_t t = perm[i];
		perm[i] = perm[j];
		perm[j] = t;
	}
	for (size_t i = 0; i < n; i++) {
		buf_printf(&b, "row %zu\n", perm[i]);
	}
	assert_int_equal(diff_lines(a.data, a.len, b.data, b.len, 3, &r), 0);
	check_patch(&a, &b, r);
	assert_true(diff_added(r) == diff_removed(r));
	diff_free(r);
	buf_free(&a);
	buf_free(&b);
	free(perm);
}

/* ---- Edit, MultiEdit, Write -----------------------------------------------
 */

#define EDIT(o, n, all)                                       \
	{                                                     \
		(o), sizeof(o) - 1, (n), sizeof(n) - 1, (all) \
	}

static void
test_edit(void **state)
{
	const char *file = "int x = 1;\nint y = 1;\n";
	struct diff_edit ok = EDIT("x = 1", "x = 2", false);
	struct diff_edit dup = EDIT("= 1", "= 3", false);
	struct diff_edit all = EDIT("= 1", "= 3", true);
	struct diff_edit missing = EDIT("z = 1", "z = 2", false);
	struct diff_edit same = EDIT("x", "x", false);
	struct diff_edit create = EDIT("", "new\n", false);
	struct diff_edit_error err = { 0 };
	char *out = NULL;
	size_t len = 0;

	(void)state;
	assert_int_equal(
	        diff_apply_edit(file, strlen(file), &ok, &out, &len, &err), 0);
	assert_string_equal(out, "int x = 2;\nint y = 1;\n");
	assert_int_equal(len, strlen(out));
	free(out);
	assert_int_equal(
	        diff_apply_edit(file, strlen(file), &dup, &out, &len, &err),
	        AL_EEXIST);
	assert_int_equal(err.matches, 2);
	assert_non_null(strstr(err.msg, "not unique"));
	assert_int_equal(
	        diff_apply_edit(file, strlen(file), &all, &out, &len, &err), 0);
	assert_string_equal(out, "int x = 3;\nint y = 3;\n");
	free(out);
	assert_int_equal(
	        diff_apply_edit(file, strlen(file), &missing, &out, &len, &err),
	        AL_ENOENT);
	assert_string_equal(err.msg, "old_string not found in file");
	assert_int_equal(
	        diff_apply_edit(file, strlen(file), &same, &out, &len, &err),
	        AL_EINVAL);
	assert_int_equal(
	        diff_apply_edit(file, strlen(file), &create, &out, &len, &err),
	        AL_EINVAL);
	/* An empty old_string creates a file that does not exist. */
	assert_int_equal(diff_apply_edit(NULL, 0, &create, &out, &len, &err),
	                 0);
	assert_string_equal(out, "new\n");
	free(out);
	assert_int_equal(diff_apply_edit(NULL, 0, &ok, &out, &len, &err),
	                 AL_ENOENT);
	assert_string_equal(err.msg, "file does not exist");
	/* Overlapping occurrences are counted left to right, like a search. */
	struct diff_edit aa = EDIT("aa", "b", true);
	assert_int_equal(diff_apply_edit("aaaaa", 5, &aa, &out, &len, NULL), 0);
	assert_string_equal(out, "bba");
	free(out);
}

static void
test_multi_edit(void **state)
{
	const char *file = "a\nb\nc\n";
	const struct diff_edit chain[] = {
		EDIT("a\n", "A\n", false),
		EDIT("A\nb", "AB", false), /* sees the first edit's result */
		EDIT("c", "C", false),
	};
	const struct diff_edit broken[] = {
		EDIT("a", "x", false),
		EDIT("a", "y", false), /* gone after the first */
	};
	struct diff_edit_error err = { 0 };
	char *out = NULL;
	size_t len = 0;

	(void)state;
	assert_int_equal(diff_apply_multi(file, strlen(file), chain, 3, &out,
	                                  &len, &err),
	                 0);
	assert_string_equal(out, "AB\nC\n");
	free(out);
	out = NULL;
	assert_int_equal(diff_apply_multi(file, strlen(file), broken, 2, &out,
	                                  &len, &err),
	                 AL_ENOENT);
	assert_int_equal(err.index, 1);
	assert_null(out);
}

static void
test_write(void **state)
{
	struct diff_result *r = NULL;
	struct buf out = { 0 };

	(void)state;
	assert_int_equal(diff_write(NULL, 0, "hello\nworld\n", 12, 3, &r), 0);
	assert_true(diff_new_file(r));
	diff_format_unified(r, "src/new.c", "src/new.c", &out);
	assert_string_equal(out.data, "--- /dev/null\n+++ src/new.c\n"
	                              "@@ -0,0 +1,2 @@\n+hello\n+world\n");
	buf_reset(&out);
	diff_summary(r, &out);
	assert_string_equal(out.data, "+2 \xe2\x88\x92"
	                              "0 (new file)");
	diff_free(r);
	buf_free(&out);
	assert_int_equal(diff_write("a\n", 2, "b\n", 2, 3, &r), 0);
	assert_false(diff_new_file(r));
	assert_int_equal(diff_added(r), 1);
	assert_int_equal(diff_removed(r), 1);
	diff_free(r);
}

/* An Edit shown as a diff of the whole file: the hunk sits at the edit. */
static void
test_edit_then_diff(void **state)
{
	struct buf file = { 0 };
	struct diff_edit e = EDIT("line 50\n", "line fifty\n", false);
	char *out = NULL;
	size_t len = 0;
	struct diff_result *r = NULL;

	(void)state;
	for (int i = 1; i <= 100; i++) {
		buf_printf(&file, "line %d\n", i);
	}
	assert_int_equal(
	        diff_apply_edit(file.data, file.len, &e, &out, &len, NULL), 0);
	assert_int_equal(diff_lines(file.data, file.len, out, len, 3, &r), 0);
	assert_int_equal(diff_hunk_count(r), 1);
	assert_int_equal(diff_hunk(r, 0)->old_start, 47);
	assert_int_equal(diff_hunk(r, 0)->old_count, 7);
	diff_free(r);
	free(out);
	buf_free(&file);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_against_gnu_diff),
		cmocka_unit_test(test_unified_edges),
		cmocka_unit_test(test_line_numbers),
		cmocka_unit_test(test_binary_and_summary),
		cmocka_unit_test(test_edit),
		cmocka_unit_test(test_multi_edit),
		cmocka_unit_test(test_write),
		cmocka_unit_test(test_edit_then_diff),
		cmocka_unit_test(test_adversarial_shuffle),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
