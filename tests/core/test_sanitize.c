#include "core/sanitize.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>
#include <cmocka.h>

#include "core/al.h"
#include "core/buf.h"
#include "core/wrap.h"
#include "core/xalloc.h"
#include "tests/support/corpus.h"

/* The console's smallest width (80x24 over SSH): the corpus is rendered at
 * that width, as the approver would see it. */
#define TEST_WIDTH 80

/* ---- helpers ------------------------------------------------------------ */

static char *
logical(const char *s, size_t len)
{
	return sanitize_to_string(s, len, NULL);
}

/* R(x): the rows the console draws, joined by line feeds. */
static char *
rendered(const char *s, size_t len)
{
	struct sanitize_text *t = NULL;
	struct wrap *w = NULL;
	char *out;

	assert_int_equal(sanitize(s, len, NULL, &t), 0);
	assert_int_equal(wrap_layout(t, TEST_WIDTH, &w), 0);
	out = wrap_to_string(w);
	wrap_free(w);
	sanitize_free(t);
	return out;
}

/* The rows with continuation markers removed and soft wraps joined: must be
 * the logical text exactly, i.e. wrapping loses nothing. */
static char *
unwrapped(const struct wrap *w)
{
	struct buf b = { 0 };

	for (size_t r = 0; r < wrap_row_count(w); r++) {
		const struct wrap_row *row = wrap_row(w, r);
		size_t k = row->first;
		if (r > 0 && !row->cont) {
			buf_putc(&b, '\n');
		}
		if (row->cont) {
			k++;
		}
		for (; k < row->first + row->count; k++) {
			buf_append(&b, wrap_slice(w, k)->text,
			           wrap_slice(w, k)->len);
		}
	}
	return buf_steal(&b);
}

static bool
decode(const unsigned char *p, size_t n, size_t *i, uint32_t *cp)
{
	unsigned char c = p[*i];
	size_t len = c < 0x80 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;

	if ((c >= 0x80 && c < 0xC2) || c > 0xF4 || *i + len > n) {
		return false;
	}
	*cp = len == 1 ? c : c & (0x7F >> len);
	for (size_t k = 1; k < len; k++) {
		if ((p[*i + k] & 0xC0) != 0x80) {
			return false;
		}
		*cp = (*cp << 6) | (p[*i + k] & 0x3F);
	}
	*i += len;
	return true;
}

/* Independent of the sanitiser's own tables: the code points no rendered
 * text may carry raw (the scoring rule (2) of the corpus README). */
static bool
forbidden(uint32_t cp, bool strict)
{
	/* Legitimate in context (emoji sequences, Persian, variation
	 * sequences): only the strict check rejects them outright. */
	if (!strict &&
	    (cp == 0x200C || cp == 0x200D || (cp >= 0xFE00 && cp <= 0xFE0F) ||
	     (cp >= 0xE0100 && cp <= 0xE01EF))) {
		return false;
	}
	return (cp < 0x20 && cp != '\n') || (cp >= 0x7F && cp <= 0x9F) ||
	       cp == 0xAD || cp == 0x34F || cp == 0x61C || cp == 0x115F ||
	       cp == 0x1160 || cp == 0x180E || (cp >= 0x200B && cp <= 0x200F) ||
	       (cp >= 0x2028 && cp <= 0x202E) ||
	       (cp >= 0x2060 && cp <= 0x206F) || cp == 0x3164 ||
	       (cp >= 0xFE00 && cp <= 0xFE0F) || cp == 0xFEFF || cp == 0xFFA0 ||
	       (cp >= 0xFFF9 && cp <= 0xFFFB) ||
	       (cp >= 0xE0000 && cp <= 0xE0FFF) ||
	       (cp >= 0xD800 && cp <= 0xDFFF);
}

/* Valid UTF-8 with nothing forbidden. */
static bool
display_check(const char *s, bool strict)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s);
	uint32_t cp = 0;

	for (size_t i = 0; i < n;) {
		if (!decode(p, n, &i, &cp) || forbidden(cp, strict)) {
			return false;
		}
	}
	return true;
}

static bool
display_safe(const char *s)
{
	return display_check(s, true);
}

static void
expect_str(const char *in, size_t len, const char *want)
{
	char *got = logical(in, len);

	if (strcmp(got, want) != 0) {
		print_error("input %zu bytes: got \"%s\" want \"%s\"\n", len,
		            got, want);
	}
	assert_string_equal(got, want);
	free(got);
}

#define EXPECT(in, want) expect_str((in), sizeof(in) - 1, (want))
#define SAME(in)         expect_str((in), sizeof(in) - 1, (in))

static unsigned
flags_of(const char *s, size_t len)
{
	struct sanitize_text *t = NULL;
	unsigned f;

	assert_int_equal(sanitize(s, len, NULL, &t), 0);
	f = sanitize_flags(t);
	sanitize_free(t);
	return f;
}

#define FLAGS(in) flags_of((in), sizeof(in) - 1)

/* ---- the termesc corpus, scored as its README says ----------------------- */

struct score {
	int pos, pos_ok, ben, ben_ok;
};

static bool
check_positive(const char *in, size_t len, const char *core, int line)
{
	struct sanitize_text *t = NULL;
	struct wrap *w = NULL;
	char *r = rendered(in, len);
	char *lin = logical(in, len);
	char *rcore = rendered(core, strlen(core));
	char *lcore = logical(core, strlen(core));
	char *flat;
	bool differs = len != strlen(r) || memcmp(r, in, len) != 0;
	bool safe = display_safe(r);
	bool whole;

	assert_int_equal(sanitize(in, len, NULL, &t), 0);
	assert_int_equal(wrap_layout(t, TEST_WIDTH, &w), 0);
	flat = unwrapped(w);
	/* Rule (3): R(core) appears in full. When the input needed soft
	 * wraps the core may straddle a row, so compare the rows joined back
	 * together, which must equal the logical text. */
	whole = strcmp(flat, lin) == 0 && strstr(lin, lcore) != NULL &&
	        (strchr(rcore, '\n') != NULL || strstr(r, rcore) != NULL ||
	         strstr(r, "\n" WRAP_CONT) != NULL);
	if (!differs || !safe || !whole) {
		print_error("line %d: differs=%d safe=%d whole=%d\nR=%s\n",
		            line, differs, safe, whole, r);
	}
	wrap_free(w);
	sanitize_free(t);
	free(flat);
	free(r);
	free(lin);
	free(rcore);
	free(lcore);
	return differs && safe && whole;
}

static void
score_case(const cJSON *c, const char *raw, int line, void *arg)
{
	struct score *s = arg;
	const cJSON *expect = cJSON_GetObjectItemCaseSensitive(c, "expect");
	const cJSON *core =
	        cJSON_GetObjectItemCaseSensitive(expect, "dangerous_core");
	const cJSON *vis =
	        cJSON_GetObjectItemCaseSensitive(expect, "must_render_visibly");
	char *in = NULL;
	size_t len = 0;

	assert_int_equal(corpus_input(raw, &in, &len), 0);
	assert_true(cJSON_IsString(core));
	if (cJSON_IsTrue(vis)) {
		s->pos++;
		s->pos_ok += check_positive(in, len, core->valuestring, line);
	} else {
		char *r = rendered(in, len);
		bool same = strlen(r) == len && memcmp(r, in, len) == 0;
		if (!same) {
			print_error("benign line %d changed: %s\n", line, r);
		}
		s->ben++;
		s->ben_ok += same;
		free(r);
	}
	free(in);
}

static void
test_termesc_corpus(void **state)
{
	struct score s = { 0 };
	int n;

	(void)state;
	n = corpus_each("corpus/termesc.jsonl", score_case, &s);
	print_message("termesc corpus: %d cases; positives %d/%d pass, "
	              "benign %d/%d pass\n",
	              n, s.pos_ok, s.pos, s.ben_ok, s.ben);
	assert_true(n > 0);
	assert_int_equal(s.pos + s.ben, n);
	assert_int_equal(s.pos_ok, s.pos);
	assert_int_equal(s.ben_ok, s.ben);
}

/* The injection corpus has the benign look-alikes of the Unicode tricks:
 * ZWJ family emoji, subdivision flags, Hebrew and Arabic with harakat. They
 * must render as themselves; its invisible-Unicode attacks must not. */
static void
injection_case(const cJSON *c, const char *raw, int line, void *arg)
{
	static const char *const hidden[] = { "unicode_tags", "zero_width",
		                              "bidi", "variation_selectors" };
	struct score *s = arg;
	const cJSON *labels = cJSON_GetObjectItemCaseSensitive(c, "labels");
	const cJSON *first = cJSON_GetArrayItem(labels, 0);
	char *in = NULL;
	size_t len = 0;
	char *lin;
	bool tricky = false;

	assert_int_equal(corpus_input(raw, &in, &len), 0);
	lin = logical(in, len);
	for (size_t i = 0; i < sizeof(hidden) / sizeof(hidden[0]); i++) {
		const cJSON *l;
		cJSON_ArrayForEach (l, labels) {
			tricky = tricky ||
			         strcmp(l->valuestring, hidden[i]) == 0;
		}
	}
	if (strcmp(first->valuestring, "benign") == 0 &&
	    strchr(in, '\t') == NULL) {
		s->ben++;
		s->ben_ok += strcmp(lin, in) == 0;
		if (strcmp(lin, in) != 0) {
			print_error("injection benign line %d changed\n", line);
		}
	} else if (tricky) {
		s->pos++;
		s->pos_ok += strcmp(lin, in) != 0 && display_safe(lin);
	}
	free(lin);
	free(in);
}

static void
test_injection_unicode(void **state)
{
	struct score s = { 0 };

	(void)state;
	assert_true(corpus_each("corpus/injection.jsonl", injection_case, &s) >
	            0);
	print_message("injection corpus: hidden-Unicode attacks %d/%d marked, "
	              "benign %d/%d unchanged\n",
	              s.pos_ok, s.pos, s.ben_ok, s.ben);
	assert_true(s.pos > 0);
	assert_int_equal(s.pos_ok, s.pos);
	assert_int_equal(s.ben_ok, s.ben);
}

/* ---- classes of characters ---------------------------------------------- */

static void
test_c0_controls(void **state)
{
	(void)state;
	EXPECT("a\x1b"
	       "b",
	       "a^[b");
	EXPECT("x\ry", "x\\ry");
	EXPECT("x\by", "x\\by");
	EXPECT("x\ty", "x\\ty");
	EXPECT("x\x07y", "x^Gy");
	EXPECT("x\x7fy", "x^?y");
	EXPECT("x\x0by\x0c", "x^Ky^L");
	EXPECT("ls\0; rm -rf ~/src", "ls\\0; rm -rf ~/src");
	EXPECT("a\nb\n", "a\nb\n");
	assert_true(FLAGS("x\ry") & SANITIZE_F_CONTROL);
	assert_true(FLAGS("a\0b") & SANITIZE_F_NUL);
	assert_int_equal(FLAGS("plain text\n"), 0);
	/* Every C0 byte but \n is escaped. */
	for (int c = 1; c < 0x20; c++) {
		char in[2] = { (char)c, 0 };
		char *out = logical(in, 1);
		assert_true(c == '\n' ? strcmp(out, "\n") == 0
		                      : display_safe(out) && strlen(out) == 2);
		free(out);
	}
}

static void
test_tabs_and_plain(void **state)
{
	struct sanitize_opts opts = { .tab_width = 4 };
	struct sanitize_text *t = NULL;
	char *out;

	(void)state;
	out = sanitize_to_string("\tx = 1;\n", 8, &opts);
	assert_string_equal(out, "\xc2\xbb   x = 1;\n");
	free(out);
	EXPECT("\tx", "\\tx");
	/* The all-ASCII path: lines and breaks with their input offsets. */
	assert_int_equal(sanitize("ab\n\ncd", 6, NULL, &t), 0);
	assert_int_equal(sanitize_count(t), 4);
	assert_string_equal(sanitize_seg(t, 0)->text, "ab");
	assert_int_equal(sanitize_seg(t, 1)->kind, SANITIZE_BREAK);
	assert_int_equal(sanitize_seg(t, 1)->src_off, 2);
	assert_int_equal(sanitize_seg(t, 2)->kind, SANITIZE_BREAK);
	assert_string_equal(sanitize_seg(t, 3)->text, "cd");
	assert_int_equal(sanitize_seg(t, 3)->src_off, 4);
	assert_int_equal(sanitize_seg(t, 3)->src_len, 2);
	assert_false(sanitize_changed(t));
	assert_int_equal(sanitize_flags(t), 0);
	sanitize_free(t);
	assert_int_equal(sanitize(NULL, 0, NULL, &t), 0);
	assert_int_equal(sanitize_count(t), 0);
	sanitize_free(t);
	t = NULL;
	assert_int_equal(sanitize(NULL, 1, NULL, &t), AL_EINVAL);
	assert_null(t);
}

static void
test_escape_sequences(void **state)
{
	struct sanitize_text *t = NULL;
	const char in[] = "a\x1b[31mb";

	(void)state;
	assert_int_equal(sanitize(in, sizeof(in) - 1, NULL, &t), 0);
	assert_int_equal(sanitize_count(t), 3);
	assert_int_equal(sanitize_seg(t, 0)->kind, SANITIZE_NORMAL);
	assert_int_equal(sanitize_seg(t, 1)->kind, SANITIZE_MARKER);
	assert_string_equal(sanitize_seg(t, 1)->text, "^[[31m");
	assert_int_equal(sanitize_seg(t, 1)->src_off, 1);
	assert_int_equal(sanitize_seg(t, 1)->src_len, 5);
	assert_string_equal(sanitize_seg(t, 2)->text, "b");
	assert_true(sanitize_changed(t));
	assert_true(sanitize_flags(t) & SANITIZE_F_ESCAPE);
	sanitize_free(t);
	/* OSC ended by BEL and by ST; DCS; a string cut by a line feed. */
	EXPECT("t\x1b]0;title\x07!", "t^[]0;title^G!");
	EXPECT("\x1b]8;;http://e/\x1b\\x", "^[]8;;http://e/^[\\x");
	EXPECT("\x1bP+q544e\x1b\\", "^[P+q544e^[\\");
	EXPECT("\x1b]2;a\nb", "^[]2;a\nb");
	EXPECT("\x1b"
	       "c$",
	       "^[c$");
	/* An ESC at the end, or doubled. */
	EXPECT("x\x1b", "x^[");
	EXPECT("\x1b\x1b[K", "^[^[[K");
}

static void
test_c1_controls(void **state)
{
	(void)state;
	EXPECT("a\xc2\x9b"
	       "2Kb",
	       "a\xe2\x9f\xa8U+009B CSI\xe2\x9f\xa9"
	       "2Kb");
	EXPECT("\xc2\x85", "\xe2\x9f\xa8U+0085 NEL\xe2\x9f\xa9");
	EXPECT("\xc2\x8d", "\xe2\x9f\xa8U+008D\xe2\x9f\xa9");
	assert_true(FLAGS("\xc2\x9b") & SANITIZE_F_C1);
	/* A raw 8-bit C1 byte is not UTF-8. */
	EXPECT("\x9b"
	       "2J",
	       "\\x9B2J");
}

static void
test_bidi(void **state)
{
	static const uint32_t bidi[] = { 0x202A, 0x202B, 0x202C, 0x202D,
		                         0x202E, 0x2066, 0x2067, 0x2068,
		                         0x2069, 0x200E, 0x200F, 0x061C };

	(void)state;
	EXPECT("invoice_\xe2\x80\xae"
	       "fdp.sh",
	       "invoice_\xe2\x9f\xa8U+202E RLO\xe2\x9f\xa9"
	       "fdp.sh");
	for (size_t i = 0; i < sizeof(bidi) / sizeof(bidi[0]); i++) {
		char in[8];
		int n = snprintf(in, sizeof(in), "%s", "");
		uint32_t cp = bidi[i];
		in[n++] = 'a';
		if (cp < 0x800) {
			in[n++] = (char)(0xC0 | (cp >> 6));
		} else {
			in[n++] = (char)(0xE0 | (cp >> 12));
			in[n++] = (char)(0x80 | ((cp >> 6) & 0x3F));
		}
		in[n++] = (char)(0x80 | (cp & 0x3F));
		char *out = logical(in, (size_t)n);
		assert_true(display_safe(out));
		assert_non_null(strstr(out, "\xe2\x9f\xa8U+"));
		assert_true(flags_of(in, (size_t)n) & SANITIZE_F_BIDI);
		free(out);
	}
}

static void
test_invisible(void **state)
{
	(void)state;
	EXPECT("a\xe2\x80\x8b"
	       "b",
	       "a\xe2\x9f\xa8U+200B ZWSP\xe2\x9f\xa9"
	       "b");
	EXPECT("a\xe2\x81\xa0", "a\xe2\x9f\xa8U+2060 WJ\xe2\x9f\xa9");
	EXPECT("\xef\xbb\xbfx", "\xe2\x9f\xa8U+FEFF BOM\xe2\x9f\xa9x");
	EXPECT("soft\xc2\xad"
	       "hyphen",
	       "soft\xe2\x9f\xa8U+00AD SHY\xe2\x9f\xa9hyphen");
	EXPECT("rm\xc2\xa0-rf", "rm\xe2\x9f\xa8U+00A0 NBSP\xe2\x9f\xa9-rf");
	EXPECT("\xe3\x85\xa4", "\xe2\x9f\xa8U+3164 FILLER\xe2\x9f\xa9");
	EXPECT("\xee\x80\x80", "\xe2\x9f\xa8U+E000\xe2\x9f\xa9");
	EXPECT("\xef\xbf\xbf", "\xe2\x9f\xa8U+FFFF\xe2\x9f\xa9");
	assert_true(FLAGS("a\xe2\x80\x8b") & SANITIZE_F_INVISIBLE);
	/* The ideographic space is a visible, wide blank. */
	SAME("\xe6\xbc\xa2\xe3\x80\x80\xe5\xad\x97");
}

static void
test_tags(void **state)
{
	(void)state;
	/* Hidden ASCII in tag characters is spelled out. */
	EXPECT("#\xf3\xa0\x81\xa8\xf3\xa0\x81\xa9",
	       "#\xe2\x9f\xa8TAGS hi\xe2\x9f\xa9");
	assert_true(FLAGS("\xf3\xa0\x81\xa8") & SANITIZE_F_TAGS);
	/* Flag of England: black flag, "gbeng", cancel tag. */
	SAME("\xf0\x9f\x8f\xb4\xf3\xa0\x81\xa7\xf3\xa0\x81\xa2\xf3\xa0\x81\xa5"
	     "\xf3\xa0\x81\xae\xf3\xa0\x81\xa7\xf3\xa0\x81\xbf");
	/* The same tags after another emoji, or without the cancel tag. */
	EXPECT("\xe2\xad\x90\xf3\xa0\x81\xa7\xf3\xa0\x81\xa2\xf3\xa0\x81\xbf",
	       "\xe2\xad\x90\xe2\x9f\xa8TAGS gb\xe2\x9f\xa9"
	       "\xe2\x9f\xa8U+E007F CANCEL TAG\xe2\x9f\xa9");
	EXPECT("\xf0\x9f\x8f\xb4\xf3\xa0\x81\xa7\xf3\xa0\x81\xa2",
	       "\xf0\x9f\x8f\xb4\xe2\x9f\xa8TAGS gb\xe2\x9f\xa9");
}

static void
test_variation_selectors(void **state)
{
	(void)state;
	SAME("\xe2\x9d\xa4\xef\xb8\x8f");     /* heart + VS16 */
	SAME("1\xef\xb8\x8f\xe2\x83\xa3");    /* keycap one */
	SAME("\xe8\x91\x9b\xf3\xa0\x84\x80"); /* Han + VS17 (IVS) */
	EXPECT("a\xef\xb8\x8f", "a\xe2\x9f\xa8U+FE0F VS16\xe2\x9f\xa9");
	EXPECT("1\xef\xb8\x8f", "1\xe2\x9f\xa8U+FE0F VS16\xe2\x9f\xa9");
	EXPECT("\xe2\x9d\xa4\xef\xb8\x8f\xef\xb8\x8f",
	       "\xe2\x9d\xa4\xef\xb8\x8f\xe2\x9f\xa8U+FE0F VS16\xe2\x9f\xa9");
	/* Bytes smuggled as selectors after an emoji. */
	EXPECT("\xf0\x9f\x9a\x80\xf3\xa0\x84\x90\xf3\xa0\x84\x9e",
	       "\xf0\x9f\x9a\x80\xe2\x9f\xa8U+E0110 VS33\xe2\x9f\xa9"
	       "\xe2\x9f\xa8U+E011E VS47\xe2\x9f\xa9");
	assert_true(FLAGS("a\xef\xb8\x8f") & SANITIZE_F_VARIATION);
}

static void
test_joiners(void **state)
{
	(void)state;
	/* Man ZWJ woman ZWJ girl. */
	SAME("\xf0\x9f\x91\xa8\xe2\x80\x8d\xf0\x9f\x91\xa9\xe2\x80\x8d\xf0\x9f"
	     "\x91\xa7");
	/* Rainbow flag: white flag VS16 ZWJ rainbow. */
	SAME("\xf0\x9f\x8f\xb3\xef\xb8\x8f\xe2\x80\x8d\xf0\x9f\x8c\x88");
	/* Persian "mi-khaham" with ZWNJ between Arabic-script letters. */
	SAME("\xd9\x85\xdb\x8c\xe2\x80\x8c\xd8\xae\xd9\x88\xd8\xa7\xd9\x87\xd9"
	     "\x85");
	/* Devanagari half form: ka virama ZWJ ssa. */
	SAME("\xe0\xa4\x95\xe0\xa5\x8d\xe2\x80\x8d\xe0\xa4\xb7");
	EXPECT("a\xe2\x80\x8d"
	       "b",
	       "a\xe2\x9f\xa8U+200D ZWJ\xe2\x9f\xa9"
	       "b");
	EXPECT("a\xe2\x80\x8c"
	       "b",
	       "a\xe2\x9f\xa8U+200C ZWNJ\xe2\x9f\xa9"
	       "b");
	EXPECT("\xf0\x9f\x91\xa8\xe2\x80\x8d",
	       "\xf0\x9f\x91\xa8\xe2\x9f\xa8U+200D ZWJ\xe2\x9f\xa9");
	/* Arabic letter ZWNJ Latin letter: not shaping anything. */
	EXPECT("\xd9\x85\xe2\x80\x8c"
	       "x",
	       "\xd9\x85\xe2\x9f\xa8U+200C ZWNJ\xe2\x9f\xa9x");
}

static void
test_combining(void **state)
{
	char in[64];
	size_t n = 0;

	(void)state;
	SAME("notes/e\xcc\x81te\xcc\x81.md");
	SAME("\xe1\xba\xa1\xcc\x82"); /* Vietnamese: a dot-below + circumflex */
	EXPECT("\xcc\x81"
	       "a",
	       "\xe2\x9f\xa8U+0301\xe2\x9f\xa9"
	       "a");
	EXPECT("\x1b\xcc\x81", "^[\xe2\x9f\xa8U+0301\xe2\x9f\xa9");
	EXPECT("a\n\xcc\x81", "a\n\xe2\x9f\xa8U+0301\xe2\x9f\xa9");
	assert_true(FLAGS("\xcc\x81") & SANITIZE_F_COMBINING);
	/* A pile of marks: the ninth and later are shown as markers. */
	in[n++] = 'a';
	for (int i = 0; i < 9; i++) {
		in[n++] = '\xcc';
		in[n++] = '\x81';
	}
	char *out = logical(in, n);
	assert_int_equal(strlen(out), 1 + 8 * 2 + strlen("⟨U+0301⟩"));
	free(out);
}

static void
test_scripts(void **state)
{
	(void)state;
	SAME("src/caf\xc3\xa9/menu.c");
	SAME("docs/\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e/README.md");
	SAME("\xd7\xa9\xd7\x9c\xd7\x95\xd7\x9d");                 /* Hebrew */
	SAME("\xd9\x85\xd8\xb1\xd8\xad\xd8\xa8\xd8\xa7");         /* Arabic */
	SAME("\xd8\xa8\xd9\x8e\xd9\x91");                         /* harakat */
	SAME("\xd0\xbf\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82"); /* privet */
	SAME("\xea\xb0\x80\xeb\x82\x98 \xe4\xbd\xa0\xe5\xa5\xbd");
	SAME("10\xce\xbcs and \xce\xb1\xce\xb2\xce\xb3");
	SAME("\xef\xbc\xa1\xef\xbc\xa2\xef\xbc\xa3\xe6\xa0\xaa\xe5\xbc\x8f");
	SAME("\xe2\x9c\x94 \xf0\x9f\x98\x80 \xef\xbf\xbd");
}

static void
test_homoglyphs(void **state)
{
	struct sanitize_text *t = NULL;
	const char in[] = "r\xd0\xb0w.example";
	struct sanitize_opts opts = { .no_homoglyphs = true };

	(void)state;
	EXPECT("r\xd0\xb0w.example",
	       "r\xd0\xb0\xe2\x9f\xa8U+0430\xe2\x9f\xa9w.example");
	assert_int_equal(sanitize(in, sizeof(in) - 1, NULL, &t), 0);
	assert_int_equal(sanitize_seg(t, 1)->kind, SANITIZE_FLAGGED);
	assert_string_equal(sanitize_seg(t, 1)->text, "\xd0\xb0");
	assert_int_equal(sanitize_seg(t, 2)->kind, SANITIZE_MARKER);
	assert_true(sanitize_flags(t) & SANITIZE_F_HOMOGLYPH);
	sanitize_free(t);
	/* Greek omicron, Roman numeral, fullwidth letters. */
	EXPECT("g\xce\xbfogle", "g\xce\xbf\xe2\x9f\xa8U+03BF\xe2\x9f\xa9ogle");
	EXPECT("r\xe2\x85\xbf", "r\xe2\x85\xbf\xe2\x9f\xa8U+217F\xe2\x9f\xa9");
	EXPECT("\xef\xbd\x92\xef\xbd\x8d -rf",
	       "\xef\xbd\x92\xe2\x9f\xa8U+FF52\xe2\x9f\xa9"
	       "\xef\xbd\x8d\xe2\x9f\xa8U+FF4D\xe2\x9f\xa9 -rf");
	/* A homoglyph keeps its combining mark before the marker. */
	EXPECT("x\xd0\xb0\xcc\x81",
	       "x\xd0\xb0\xcc\x81\xe2\x9f\xa8U+0430\xe2\x9f\xa9");
	/* Separate words of different scripts are not mixing. */
	SAME("echo \xd0\xbf\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82 world");
	char *plain = sanitize_to_string(in, sizeof(in) - 1, &opts);
	assert_string_equal(plain, in);
	free(plain);
}

static void
test_invalid_utf8(void **state)
{
	(void)state;
	EXPECT("\xc0\xaf", "\\xC0\\xAF");                   /* overlong '/' */
	EXPECT("\xe0\x80\xaf", "\\xE0\\x80\\xAF");          /* overlong 3 */
	EXPECT("\xf0\x80\x80\xaf", "\\xF0\\x80\\x80\\xAF"); /* overlong 4 */
	EXPECT("\xed\xa0\x80", "\\xED\\xA0\\x80");          /* surrogate */
	EXPECT("\xf4\x90\x80\x80", "\\xF4\\x90\\x80\\x80"); /* > U+10FFFF */
	EXPECT("ab\xe2\x82", "ab\\xE2\\x82");               /* truncated */
	EXPECT("\xe2(", "\\xE2(");
	EXPECT("\x80\xbf\xfe\xff", "\\x80\\xBF\\xFE\\xFF");
	EXPECT("caf\xe9", "caf\\xE9"); /* Latin-1 */
	SAME("\xf0\x9f\x98\x80");      /* four bytes, valid */
	EXPECT("\xf4\x8f\xbf\xbd",
	       "\xe2\x9f\xa8U+10FFFD\xe2\x9f\xa9"); /* private */
	assert_true(FLAGS("\xff") & SANITIZE_F_INVALID);
}

/* ---- widths and wrapping ------------------------------------------------ */

static void
test_width(void **state)
{
	(void)state;
	assert_int_equal(wrap_cp_width('a'), 1);
	assert_int_equal(wrap_cp_width(0x1B), -1);
	assert_int_equal(wrap_cp_width(0x9B), -1);
	assert_int_equal(wrap_cp_width(0xE9), 1);
	assert_int_equal(wrap_cp_width(0x301), 0);
	assert_int_equal(wrap_cp_width(0x200B), 0);
	assert_int_equal(wrap_cp_width(0x6F22), 2);  /* Han */
	assert_int_equal(wrap_cp_width(0xAC00), 2);  /* Hangul */
	assert_int_equal(wrap_cp_width(0xFF52), 2);  /* fullwidth r */
	assert_int_equal(wrap_cp_width(0x1F600), 2); /* emoji */
	assert_int_equal(wrap_cp_width(0x5D0), 1);   /* Hebrew */
	assert_int_equal(wrap_cp_width(0x27E8), 1);  /* marker bracket */
	assert_int_equal(wrap_str_width("e\xcc\x81", 3), 1);
	assert_int_equal(wrap_str_width("\xe6\xbc\xa2\xe5\xad\x97", 6), 4);
	assert_int_equal(wrap_str_width(WRAP_CONT, strlen(WRAP_CONT)), 1);
}

static struct wrap *
layout(const char *s, size_t len, int width, struct sanitize_text **t)
{
	struct wrap *w = NULL;

	assert_int_equal(sanitize(s, len, NULL, t), 0);
	assert_int_equal(wrap_layout(*t, width, &w), 0);
	/* Invariants: no row wider than width; the slices' widths add up. */
	for (size_t r = 0; r < wrap_row_count(w); r++) {
		const struct wrap_row *row = wrap_row(w, r);
		int cols = 0;
		assert_true(row->cols <= width);
		for (size_t k = row->first; k < row->first + row->count; k++) {
			const struct wrap_slice *sl = wrap_slice(w, k);
			assert_int_equal((size_t)sl->cols,
			                 wrap_str_width(sl->text, sl->len));
			cols += sl->cols;
		}
		assert_int_equal(cols, row->cols);
	}
	return w;
}

static void
expect_rows(const char *in, size_t len, int width, const char *want)
{
	struct sanitize_text *t = NULL;
	struct wrap *w = layout(in, len, width, &t);
	char *got = wrap_to_string(w);
	char *flat = unwrapped(w);
	char *lin = logical(in, len);

	if (strcmp(got, want) != 0) {
		print_error("width %d: got\n%s\nwant\n%s\n", width, got, want);
	}
	assert_string_equal(got, want);
	assert_string_equal(flat, lin);
	free(got);
	free(flat);
	free(lin);
	wrap_free(w);
	sanitize_free(t);
}

#define ROWS(in, width, want) expect_rows((in), sizeof(in) - 1, (width), (want))

static void
test_wrap_basic(void **state)
{
	struct sanitize_text *t = NULL;
	struct wrap *w = NULL;

	(void)state;
	ROWS("", 10, "");
	ROWS("abc", 10, "abc");
	ROWS("abcdefghijklmnop", 10, "abcdefghij\n" WRAP_CONT "klmnop");
	ROWS("a\n\nb\n", 10, "a\n\nb\n");
	ROWS("abcdefghijklmnopqrstuvwxyz", 5,
	     "abcde\n" WRAP_CONT "fghi\n" WRAP_CONT "jklm\n" WRAP_CONT
	     "nopq\n" WRAP_CONT "rstu\n" WRAP_CONT "vwxy\n" WRAP_CONT "z");
	assert_int_equal(sanitize("x", 1, NULL, &t), 0);
	assert_int_equal(wrap_layout(t, 3, &w), AL_EINVAL);
	assert_null(w);
	sanitize_free(t);
}

static void
test_wrap_wide_and_combining(void **state)
{
	(void)state;
	/* Five columns: two Han (4) fit, the third goes to the next row. */
	ROWS("\xe6\xbc\xa2\xe5\xad\x97\xe6\xbc\xa2\xe5\xad\x97", 5,
	     "\xe6\xbc\xa2\xe5\xad\x97\n" WRAP_CONT "\xe6\xbc\xa2\xe5\xad\x97");
	/* A combining accent stays with its base across the break. */
	ROWS("abcde\xcc\x81"
	     "f",
	     5, "abcde\xcc\x81\n" WRAP_CONT "f");
	ROWS("abcd"
	     "e\xcc\x81"
	     "fgh",
	     4,
	     "abcd\n" WRAP_CONT "e\xcc\x81"
	     "fg\n" WRAP_CONT "h");
	/* A ZWJ family stays on one row. */
	ROWS("abcd\xf0\x9f\x91\xa8\xe2\x80\x8d\xf0\x9f\x91\xa9", 7,
	     "abcd\n" WRAP_CONT "\xf0\x9f\x91\xa8\xe2\x80\x8d\xf0\x9f\x91\xa9");
}

static void
test_wrap_markers(void **state)
{
	(void)state;
	/* A marker that fits a row is moved whole rather than split. */
	ROWS("abcdefg\x1b[31m", 10, "abcdefg\n" WRAP_CONT "^[[31m");
	/* One longer than a row is split, never cut. */
	ROWS("\x1b]0;0123456789abcdef\x07", 10,
	     "^[]0;01234\n" WRAP_CONT "56789abcd\n" WRAP_CONT "ef^G");
}

static void
test_wrap_long_line(void **state)
{
	size_t n = 100000;
	char *in = xmalloc(n);
	struct sanitize_text *t = NULL;
	struct wrap *w;

	(void)state;
	for (size_t i = 0; i < n; i++) {
		in[i] = (char)('a' + i % 26);
	}
	w = layout(in, n, 80, &t);
	/* 80 on the first row, 79 after each continuation marker. */
	assert_int_equal(wrap_row_count(w), 1 + (n - 80 + 78) / 79);
	char *flat = unwrapped(w);
	assert_int_equal(strlen(flat), n);
	assert_memory_equal(flat, in, n);
	free(flat);
	wrap_free(w);
	sanitize_free(t);
	free(in);
}

/* ---- properties over random input ---------------------------------------- */

/* Bytes biased towards the dangerous ones: controls, ESC, C1 lead bytes,
 * UTF-8 fragments of bidi/zero-width/tag characters. */
static size_t
random_input(unsigned *seed, char *out, size_t cap)
{
	static const char *const frags[] = { "\x1b[",
		                             "\xe2\x80\xae",
		                             "\xe2\x80\x8d",
		                             "\xe2\x80\x8b",
		                             "\xf3\xa0\x81\xa1",
		                             "\xef\xb8\x8f",
		                             "\xcc\x81",
		                             "\xc2\x9b",
		                             "\xf0\x9f\x91\xa8",
		                             "\xd0\xb0",
		                             "\xe6\xbc\xa2",
		                             "\n",
		                             "\r",
		                             "\x07",
		                             "\\",
		                             "a",
		                             " ",
		                             "\xd9\x85",
		                             "\xe2\x80\x8c",
		                             "\x00" };
	size_t n = 0;
	size_t want = (size_t)rand_r(seed) % cap;

	while (n < want) {
		const char *f;
		size_t fl;
		if (rand_r(seed) % 3 == 0) {
			out[n++] = (char)(rand_r(seed) & 0xFF);
			continue;
		}
		f = frags[(size_t)rand_r(seed) %
		          (sizeof(frags) / sizeof(frags[0]))];
		fl = f[0] ? strlen(f) : 1;
		if (n + fl > cap) {
			break;
		}
		memcpy(out + n, f, fl);
		n += fl;
	}
	return n;
}

static void
check_random_case(const char *in, size_t n)
{
	struct sanitize_text *t = NULL;
	struct wrap *w;
	size_t off = 0;
	char *lin = logical(in, n);
	char *flat;

	if (!display_check(lin, false)) {
		for (size_t i = 0; i < n; i++) {
			print_error("%02x ", (unsigned char)in[i]);
		}
		print_error("\n-> %s\n", lin);
	}
	assert_true(display_check(lin, false));
	w = layout(in, n, 7, &t);
	/* Segments account for every input byte, in order. */
	for (size_t i = 0; i < sanitize_count(t); i++) {
		const struct sanitize_seg *s = sanitize_seg(t, i);
		assert_int_equal(s->src_off, off);
		assert_int_equal(strlen(s->text), s->len);
		off += s->src_len;
	}
	assert_int_equal(off, n);
	flat = unwrapped(w);
	assert_string_equal(flat, lin);
	free(flat);
	free(lin);
	wrap_free(w);
	sanitize_free(t);
}

static void
test_random_properties(void **state)
{
	unsigned seed = 4242;
	char in[256];

	(void)state;
	for (int k = 0; k < 3000; k++) {
		size_t n = random_input(&seed, in, sizeof(in));
		check_random_case(in, n);
	}
}

/* Throughput on mixed text; printed for the report, not asserted. */
static void
test_throughput(void **state)
{
	size_t n = 2u << 20;
	char *in = xmalloc(n);
	unsigned seed = 7;
	struct timespec a, b;
	struct sanitize_text *t = NULL;
	double s;

	(void)state;
	for (size_t i = 0; i < n; i++) {
		unsigned r = (unsigned)rand_r(&seed) % 100;
		in[i] = r < 2 ? '\x1b' : r < 4 ? '\n' : (char)('a' + r % 26);
	}
	clock_gettime(CLOCK_MONOTONIC, &a);
	assert_int_equal(sanitize(in, n, NULL, &t), 0);
	clock_gettime(CLOCK_MONOTONIC, &b);
	s = (double)(b.tv_sec - a.tv_sec) +
	    (double)(b.tv_nsec - a.tv_nsec) / 1e9;
	print_message("sanitize: %.1f MB/s on %zu MiB of ASCII with ESC "
	              "(this build's flags)\n",
	              (double)n / s / 1e6, n >> 20);
	sanitize_free(t);
	free(in);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_termesc_corpus),
		cmocka_unit_test(test_injection_unicode),
		cmocka_unit_test(test_c0_controls),
		cmocka_unit_test(test_tabs_and_plain),
		cmocka_unit_test(test_escape_sequences),
		cmocka_unit_test(test_c1_controls),
		cmocka_unit_test(test_bidi),
		cmocka_unit_test(test_invisible),
		cmocka_unit_test(test_tags),
		cmocka_unit_test(test_variation_selectors),
		cmocka_unit_test(test_joiners),
		cmocka_unit_test(test_combining),
		cmocka_unit_test(test_scripts),
		cmocka_unit_test(test_homoglyphs),
		cmocka_unit_test(test_invalid_utf8),
		cmocka_unit_test(test_width),
		cmocka_unit_test(test_wrap_basic),
		cmocka_unit_test(test_wrap_wide_and_combining),
		cmocka_unit_test(test_wrap_markers),
		cmocka_unit_test(test_wrap_long_line),
		cmocka_unit_test(test_random_properties),
		cmocka_unit_test(test_throughput),
	};

	/* corpus_path() runs in the support library, which does not get the
	 * test's compile definition: pass the corpus location on. */
#ifdef AIRLOCK_SHARED_DIR
	setenv("AIRLOCK_SHARED_DIR", AIRLOCK_SHARED_DIR, 0);
#endif
	return cmocka_run_group_tests(tests, NULL, NULL);
}
