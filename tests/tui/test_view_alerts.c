#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <locale.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/xalloc.h"
#include "ipc/client.h"
#include "tui/layout.h"
#include "tui/view_alerts.h"

static struct client_alert
mk(int64_t id, const char *kind, const char *msg, const char *acked_by)
{
	struct client_alert a = { 0 };

	a.id = id;
	a.kind = (char *)kind;
	a.session_id = (char *)"baf7a632-665a";
	a.message = (char *)msg;
	a.created_ms = 1000;
	a.acked_by = (char *)acked_by;
	a.acked_ms = acked_by ? 61000 : 0;
	a.serial = 1;
	return a;
}

static bool
has_role(const struct layout_line *l, enum theme_role r, const char *text)
{
	for (size_t i = 0; i < l->nsegs; i++) {
		if (l->segs[i].role == r &&
		    (text == NULL || strstr(l->segs[i].text, text) != NULL)) {
			return true;
		}
	}
	return false;
}

static void
test_count(void **state)
{
	char b[32];

	(void)state;
	view_alerts_count(0, b, sizeof b);
	assert_string_equal(b, "");
	view_alerts_count(1, b, sizeof b);
	assert_string_equal(b, "1 alert");
	view_alerts_count(12, b, sizeof b);
	assert_string_equal(b, "12 alerts");
}

/* A row is exactly cols wide, names kind and state, and shows hostile
 * text only as markers. */
static void
test_row(void **state)
{
	struct client_alert a =
	        mk(4, "tamper", "kill \x1b]2;PWNED\x07 the daemon", NULL);
	struct layout_lines ls = { 0 };
	char *t;

	(void)state;
	view_alerts_row(&a, 121000, 100, false, layout_push(&ls));
	t = layout_line_text(&ls.v[0]);
	assert_int_equal(ls.v[0].cols, 100);
	assert_non_null(strstr(t, "2m00s"));
	assert_non_null(strstr(t, "tamper"));
	assert_non_null(strstr(t, "NEW"));
	assert_non_null(strstr(t, "baf7a632"));
	assert_null(strstr(t, "baf7a632-")); /* the short session id */
	assert_non_null(strstr(t, "^[]2;PWNED^G"));
	assert_null(strchr(t, '\x1b'));
	assert_null(strchr(t, '\x07'));
	assert_true(has_role(&ls.v[0], ROLE_STATUS_ALERT, "NEW"));
	assert_true(has_role(&ls.v[0], ROLE_MARKER, NULL));
	free(t);
	layout_lines_free(&ls);

	/* acknowledged, selected: roles become SELECTED, markers stay */
	a.acked_by = (char *)"alice";
	view_alerts_row(&a, 121000, 80, true, layout_push(&ls));
	t = layout_line_text(&ls.v[0]);
	assert_int_equal(ls.v[0].cols, 80);
	assert_non_null(strstr(t, "acked"));
	assert_true(has_role(&ls.v[0], ROLE_SELECTED, "acked"));
	assert_true(has_role(&ls.v[0], ROLE_MARKER, NULL));
	free(t);
	layout_lines_free(&ls);

	/* a notice of an older daemon */
	a = mk(0, "notice", "audit database unavailable", NULL);
	view_alerts_row(&a, 2000, 80, false, layout_push(&ls));
	t = layout_line_text(&ls.v[0]);
	assert_non_null(strstr(t, "notice"));
	assert_null(strstr(t, "NEW"));
	free(t);
	layout_lines_free(&ls);
}

static void
test_header(void **state)
{
	struct layout_lines ls = { 0 };
	char *t;

	(void)state;
	view_alerts_header(90, layout_push(&ls));
	t = layout_line_text(&ls.v[0]);
	assert_int_equal(ls.v[0].cols, 90);
	assert_non_null(strstr(t, "KIND"));
	assert_non_null(strstr(t, "MESSAGE"));
	free(t);
	layout_lines_free(&ls);
}

static void
test_detail(void **state)
{
	struct client_alert a = mk(9, "injection",
	                           "prompt injection in a tool "
	                           "result\xe2\x80\xae; session tainted",
	                           NULL);
	struct layout_lines out = { 0 };
	char *t;

	(void)state;
	a.action_id = 42;
	view_alerts_detail(&a, 61000, false, 60, &out);
	t = layout_lines_text(&out);
	assert_non_null(strstr(t, "Alert #9 injection"));
	assert_non_null(strstr(t, "Raised 1m00s ago"));
	assert_non_null(strstr(t, "Call #42"));
	assert_non_null(strstr(t, "K acknowledges it"));
	assert_non_null(strstr(t, "U+202E"));
	for (size_t i = 0; i < out.n; i++) {
		assert_true(out.v[i].cols <= 60);
	}
	free(t);
	layout_lines_free(&out);

	view_alerts_detail(&a, 61000, true, 60, &out);
	t = layout_lines_text(&out);
	assert_non_null(strstr(t, "read-only console"));
	free(t);
	layout_lines_free(&out);

	a.acked_by = (char *)"bob";
	a.acked_ms = 61000;
	view_alerts_detail(&a, 121000, false, 60, &out);
	t = layout_lines_text(&out);
	assert_non_null(strstr(t, "acknowledged by bob 1m00s ago"));
	assert_false(view_alerts_ackable(&a));
	free(t);
	layout_lines_free(&out);

	a = mk(0, "notice", "db down", NULL);
	a.repeats = 3;
	view_alerts_detail(&a, 2000, false, 80, &out);
	t = layout_lines_text(&out);
	assert_non_null(strstr(t, "repeated 3 more times"));
	assert_non_null(strstr(t, "nothing to acknowledge"));
	assert_false(view_alerts_ackable(&a));
	free(t);
	layout_lines_free(&out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_count),
		cmocka_unit_test(test_row),
		cmocka_unit_test(test_header),
		cmocka_unit_test(test_detail),
	};

	setlocale(LC_ALL, "C.UTF-8");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
