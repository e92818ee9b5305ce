/*
 * core/action: states and their decisions, action_dup, and the text
 * encoding of a risk report that the audit store keeps.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/action.h"
#include "core/al.h"
#include "core/risk.h"
#include "core/xalloc.h"

static void
assert_same_report(const struct risk_report *a, const struct risk_report *b)
{
	assert_int_equal(a->mask, b->mask);
	assert_int_equal(a->nfindings, b->nfindings);
	for (size_t i = 0; i < a->nfindings; i++) {
		assert_int_equal(a->findings[i].cat, b->findings[i].cat);
		assert_int_equal(a->findings[i].severity,
		                 b->findings[i].severity);
		assert_int_equal(a->findings[i].start, b->findings[i].start);
		assert_int_equal(a->findings[i].end, b->findings[i].end);
		assert_string_equal(a->findings[i].why, b->findings[i].why);
	}
	assert_int_equal(a->nhosts, b->nhosts);
	for (size_t i = 0; i < a->nhosts; i++) {
		assert_string_equal(a->hosts[i], b->hosts[i]);
	}
}

static void
round_trip(const struct risk_report *r)
{
	char *text = risk_report_encode(r);
	struct risk_report back = { 0 };

	assert_non_null(text);
	if (risk_report_decode(text, &back) != 0) {
		print_error("does not decode:\n%s\n", text);
		fail();
	}
	assert_same_report(r, &back);
	risk_report_clear(&back);
	free(text);
}

static void
test_risk_round_trip(void **state)
{
	struct risk_report r = { 0 };
	static const char *const whys[] = {
		"plain",
		"tab\there",
		"new\nline",
		"back\\slash",
		"literal \\t and \\n and \\\\ escapes",
		"ends in a backslash \\",
		"\t\n\\ at the start",
		"",
		"   leading spaces",
		" ",
		"caf\xc3\xa9 \xe2\x98\x83",
		"\r carriage return and \x01 control",
	};

	(void)state;
	/* Empty report: empty text, decodes to nothing. */
	round_trip(&r);
	for (size_t i = 0; i < sizeof whys / sizeof whys[0]; i++) {
		risk_report_add(&r, (enum risk_cat)(i % RISK_CAT_COUNT),
		                i % 3 == 0 ? RISK_SEV_DENY : RISK_SEV_ASK, i,
		                i * 7 + 1, "%s", whys[i]);
		/* Each prefix of the list, so that every why is also last. */
		round_trip(&r);
	}
	risk_report_add_host(&r, "evil.example");
	risk_report_add_host(&r, "tab\thost\\with\nnewline");
	round_trip(&r);
	/* Large offsets survive. */
	risk_report_add(&r, RISK_EGRESS, RISK_SEV_ASK, (size_t)1 << 40,
	                ((size_t)1 << 40) + 5, "%s", "far");
	round_trip(&r);
	risk_report_clear(&r);
}

/* The exact format is stored in audit databases: keep it stable. */
static void
test_risk_encoding_format(void **state)
{
	struct risk_report r = { 0 };
	char *text;

	(void)state;
	risk_report_add(&r, RISK_DESTRUCTIVE, RISK_SEV_DENY, 3, 9, "%s",
	                "rm\t-rf\n\\");
	risk_report_add_host(&r, "Example.COM");
	text = risk_report_encode(&r);
	assert_string_equal(text, "F\tdestructive\t1\t3\t9\trm\\t-rf\\n\\\\\n"
	                          "H\texample.com\n");
	free(text);
	risk_report_clear(&r);
}

static void
decode_fails(const char *text)
{
	struct risk_report r = { 0 };

	if (risk_report_decode(text, &r) != AL_EPARSE) {
		print_error("accepted: %s\n", text);
		fail();
	}
	risk_report_clear(&r);
}

static void
test_risk_decode_malformed(void **state)
{
	struct risk_report r = { 0 };

	(void)state;
	decode_fails("garbage");
	decode_fails("X\tsomething\n");
	decode_fails("F\n");
	decode_fails("F\t");
	decode_fails("F\tegress");
	decode_fails("F\tegress\t0\t1");
	decode_fails("F\tnot_a_category\t0\t1\t2\twhy\n");
	decode_fails("F\tegress\t2\t1\t2\twhy\n");
	decode_fails("F\tegress\t-1\t1\t2\twhy\n");
	decode_fails("F\tegress\tx\t1\t2\twhy\n");
	decode_fails("F\tegress\t0\tx\t2\twhy\n");
	decode_fails("F\tegress\t0\t1\tx\twhy\n");
	decode_fails("F egress 0 1 2 why\n");
	/* A bad line after good ones fails the whole report. */
	decode_fails("F\tegress\t0\t1\t2\tok\nH\thost\nbogus\n");
	/* A finding split over two lines is not one finding. */
	decode_fails("F\tegress\t0\n1\t2\twhy\n");

	/* Blank lines are tolerated; an empty text is an empty report. */
	assert_int_equal(risk_report_decode("", &r), 0);
	assert_int_equal(risk_report_decode("\n\n", &r), 0);
	assert_int_equal(r.nfindings, 0);
	assert_int_equal(
	        risk_report_decode("H\ta.example\n\nF\tegress\t0\t1\t2\tx", &r),
	        0);
	assert_int_equal(r.nfindings, 1);
	assert_int_equal(r.nhosts, 1);
	assert_string_equal(r.findings[0].why, "x");
	risk_report_clear(&r);
}

static void
test_states(void **state)
{
	enum action_state s;

	(void)state;
	for (int i = ACTION_DECIDED; i <= ACTION_ABANDONED; i++) {
		const char *name = action_state_name((enum action_state)i);
		assert_string_not_equal(name, "?");
		assert_true(action_state_from_name(name, &s));
		assert_int_equal(s, i);
		/* Fail closed: only an approval allows. */
		assert_string_equal(action_state_decision((enum action_state)i),
		                    i == ACTION_APPROVED ? "allow" : "deny");
	}
	assert_false(action_state_from_name("", &s));
	assert_false(action_state_from_name("Approved", &s));
	assert_string_equal(action_state_name((enum action_state)99), "?");
	assert_string_equal(action_state_decision((enum action_state)99),
	                    "deny");
}

static void
test_dup_is_deep(void **state)
{
	struct action *a = action_new();
	struct action *d;

	(void)state;
	a->id = 7;
	a->tool_name = xstrdup("Bash");
	a->tool_input = xstrdup("{\"command\":\"ls\"}");
	a->edited_input = xstrdup("{\"command\":\"ls -a\"}");
	a->state = ACTION_PENDING;
	risk_report_add(&a->risk, RISK_TAMPER, RISK_SEV_DENY, 1, 2, "%s", "w");
	risk_report_add_host(&a->risk, "h.example");
	d = action_dup(a);
	assert_ptr_not_equal(d->tool_name, a->tool_name);
	assert_string_equal(d->tool_name, "Bash");
	assert_string_equal(d->edited_input, a->edited_input);
	assert_int_equal(d->id, 7);
	assert_int_equal(d->state, ACTION_PENDING);
	assert_same_report(&a->risk, &d->risk);
	assert_ptr_not_equal(d->risk.findings, a->risk.findings);
	action_free(a); /* d must not share anything with a */
	assert_string_equal(d->risk.findings[0].why, "w");
	assert_string_equal(d->risk.hosts[0], "h.example");
	action_free(d);
	action_free(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_risk_round_trip),
		cmocka_unit_test(test_risk_encoding_format),
		cmocka_unit_test(test_risk_decode_malformed),
		cmocka_unit_test(test_states),
		cmocka_unit_test(test_dup_is_deep),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
