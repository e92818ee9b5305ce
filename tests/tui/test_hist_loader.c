#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/action.h"
#include "core/al.h"
#include "core/xalloc.h"
#include "ipc/client.h"
#include "tui/hist_loader.h"

/* A daemon stand-in: answers one row whose summary is the query text,
 * and can hold the first query until released. */
struct fake {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool hold;    /* the next query waits until released */
	bool holding; /* a query is waiting */
	char calls[16][16];
	size_t ncalls;
	int rc;
};

static int
fake_query(void *ctx, const char *text, int limit, struct action ***out,
           size_t *n)
{
	struct fake *f = ctx;

	pthread_mutex_lock(&f->mu);
	snprintf(f->calls[f->ncalls++ % 16], 16, "%s/%d", text ? text : "-",
	         limit);
	if (f->hold) {
		f->holding = true;
		pthread_cond_broadcast(&f->cv);
		while (f->hold) {
			pthread_cond_wait(&f->cv, &f->mu);
		}
		f->holding = false;
	}
	int rc = f->rc;
	pthread_mutex_unlock(&f->mu);
	if (rc != 0) {
		return rc;
	}
	*out = xcalloc(1, sizeof **out);
	(*out)[0] = action_new();
	(*out)[0]->id = 1;
	(*out)[0]->summary = xstrdup(text ? text : "-");
	*n = 1;
	return 0;
}

static void
fake_init(struct fake *f)
{
	memset(f, 0, sizeof *f);
	pthread_mutex_init(&f->mu, NULL);
	pthread_cond_init(&f->cv, NULL);
}

static void
fake_wait_holding(struct fake *f)
{
	pthread_mutex_lock(&f->mu);
	while (!f->holding) {
		pthread_cond_wait(&f->cv, &f->mu);
	}
	pthread_mutex_unlock(&f->mu);
}

static void
fake_release(struct fake *f)
{
	pthread_mutex_lock(&f->mu);
	f->hold = false;
	pthread_cond_broadcast(&f->cv);
	pthread_mutex_unlock(&f->mu);
}

/* The answer as "summary" (or "" when none), freed here. */
static void
expect_rows(struct action **v, size_t n, const char *summary)
{
	assert_int_equal(n, 1);
	assert_string_equal(v[0]->summary, summary);
	client_actions_free(v, n);
}

static void
test_answer(void **state)
{
	struct fake f;
	struct hist_loader *hl = NULL;
	struct action **v = NULL;
	size_t n = 0;
	int rc = -1;
	struct pollfd p;

	(void)state;
	fake_init(&f);
	assert_int_equal(hist_loader_new(&hl, fake_query, &f), 0);
	/* nothing asked: nothing to take or to wait for */
	assert_false(hist_loader_busy(hl));
	assert_false(hist_loader_take(hl, &v, &n, &rc));
	assert_false(hist_loader_wait(hl, &v, &n, &rc));
	hist_loader_submit(hl, "abc", 200);
	/* the descriptor says when: poll, then take */
	p = (struct pollfd){ .fd = hist_loader_fd(hl), .events = POLLIN };
	assert_int_equal(poll(&p, 1, 20000), 1);
	assert_false(hist_loader_busy(hl));
	assert_true(hist_loader_take(hl, &v, &n, &rc));
	assert_int_equal(rc, 0);
	expect_rows(v, n, "abc");
	assert_string_equal(f.calls[0], "abc/200");
	/* taken once */
	assert_false(hist_loader_take(hl, &v, &n, &rc));
	assert_false(hist_loader_wait(hl, &v, &n, &rc));
	/* all rows, then a failure passed on */
	hist_loader_submit(hl, NULL, 5);
	assert_true(hist_loader_wait(hl, &v, &n, &rc));
	expect_rows(v, n, "-");
	f.rc = AL_ECONN;
	hist_loader_submit(hl, "x", 5);
	assert_true(hist_loader_wait(hl, &v, &n, &rc));
	assert_int_equal(rc, AL_ECONN);
	assert_int_equal(n, 0);
	hist_loader_free(hl);
	hist_loader_free(NULL);
}

static void
test_latest_only(void **state)
{
	struct fake f;
	struct hist_loader *hl = NULL;
	struct action **v = NULL;
	size_t n = 0;
	int rc = -1;

	(void)state;
	fake_init(&f);
	f.hold = true;
	assert_int_equal(hist_loader_new(&hl, fake_query, &f), 0);
	hist_loader_submit(hl, "t", 200);
	fake_wait_holding(&f);
	/* typed on while "t" runs: "to" is superseded before it starts */
	hist_loader_submit(hl, "to", 200);
	hist_loader_submit(hl, "tou", 200);
	assert_true(hist_loader_busy(hl));
	assert_false(hist_loader_take(hl, &v, &n, &rc));
	fake_release(&f);
	/* the answer to "t" is never handed out */
	assert_true(hist_loader_wait(hl, &v, &n, &rc));
	expect_rows(v, n, "tou");
	assert_int_equal(f.ncalls, 2);
	assert_string_equal(f.calls[0], "t/200");
	assert_string_equal(f.calls[1], "tou/200");
	assert_false(hist_loader_busy(hl));
	hist_loader_free(hl);
}

static void
test_free_busy(void **state)
{
	struct fake f;
	struct hist_loader *hl = NULL;

	(void)state;
	fake_init(&f);
	assert_int_equal(hist_loader_new(&hl, fake_query, &f), 0);
	/* an answer not taken, and a request not started, are freed */
	hist_loader_submit(hl, "a", 1);
	struct action **v = NULL;
	size_t n = 0;
	int rc = 0;
	assert_true(hist_loader_wait(hl, &v, &n, &rc));
	client_actions_free(v, n);
	hist_loader_submit(hl, "b", 1);
	hist_loader_submit(hl, "c", 1);
	hist_loader_free(hl);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_answer),
		cmocka_unit_test(test_latest_only),
		cmocka_unit_test(test_free_busy),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
