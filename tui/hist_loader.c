#include "tui/hist_loader.h"

#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include "core/al.h"
#include "core/xalloc.h"
#include "ipc/client.h"

struct hist_loader {
	hist_loader_query_fn fn;
	void *ctx;
	pthread_t thread;
	int pipe[2]; /* a byte for each answer */
	pthread_mutex_t mu;
	pthread_cond_t cv; /* a request, stop, or an answer */
	/* under mu */
	uint64_t asked; /* number of the latest request, 0 for none */
	bool todo;      /* asked is not started yet */
	char *text;     /* of the request not started */
	int limit;
	uint64_t answered; /* number of the request *rows answers */
	bool taken;        /* that answer was handed out */
	struct action **rows;
	size_t nrows;
	int rc;
	bool stop;
};

static void
hist_loader_store(struct hist_loader *hl, uint64_t gen, struct action **v,
                  size_t n, int rc)
{
	pthread_mutex_lock(&hl->mu);
	if (!hl->taken) {
		client_actions_free(hl->rows, hl->nrows);
	}
	hl->rows = v;
	hl->nrows = n;
	hl->rc = rc;
	hl->answered = gen;
	hl->taken = false;
	pthread_cond_broadcast(&hl->cv);
	pthread_mutex_unlock(&hl->mu);
	/* a full pipe already has a wake-up in it */
	(void)!write(hl->pipe[1], "", 1);
}

static void *
hist_loader_main(void *arg)
{
	struct hist_loader *hl = arg;

	for (;;) {
		struct action **v = NULL;
		size_t n = 0;

		pthread_mutex_lock(&hl->mu);
		while (!hl->stop && !hl->todo) {
			pthread_cond_wait(&hl->cv, &hl->mu);
		}
		if (hl->stop) {
			pthread_mutex_unlock(&hl->mu);
			return NULL;
		}
		uint64_t gen = hl->asked;
		char *text = hl->text;
		int limit = hl->limit;
		hl->text = NULL;
		hl->todo = false;
		pthread_mutex_unlock(&hl->mu);
		int rc = hl->fn(hl->ctx, text, limit, &v, &n);
		free(text);
		hist_loader_store(hl, gen, v, n, rc);
	}
}

int
hist_loader_new(struct hist_loader **out, hist_loader_query_fn fn, void *ctx)
{
	struct hist_loader *hl = xcalloc(1, sizeof *hl);

	hl->fn = fn;
	hl->ctx = ctx;
	hl->taken = true; /* nothing to hand out yet */
	if (pipe2(hl->pipe, O_CLOEXEC | O_NONBLOCK) != 0) {
		free(hl);
		return AL_EIO;
	}
	pthread_mutex_init(&hl->mu, NULL);
	pthread_cond_init(&hl->cv, NULL);
	if (pthread_create(&hl->thread, NULL, hist_loader_main, hl) != 0) {
		close(hl->pipe[0]);
		close(hl->pipe[1]);
		pthread_mutex_destroy(&hl->mu);
		pthread_cond_destroy(&hl->cv);
		free(hl);
		return AL_EIO;
	}
	*out = hl;
	return 0;
}

void
hist_loader_free(struct hist_loader *hl)
{
	if (hl == NULL) {
		return;
	}
	pthread_mutex_lock(&hl->mu);
	hl->stop = true;
	pthread_cond_broadcast(&hl->cv);
	pthread_mutex_unlock(&hl->mu);
	pthread_join(hl->thread, NULL);
	if (!hl->taken) {
		client_actions_free(hl->rows, hl->nrows);
	}
	free(hl->text);
	close(hl->pipe[0]);
	close(hl->pipe[1]);
	pthread_mutex_destroy(&hl->mu);
	pthread_cond_destroy(&hl->cv);
	free(hl);
}

void
hist_loader_submit(struct hist_loader *hl, const char *text, int limit)
{
	pthread_mutex_lock(&hl->mu);
	free(hl->text);
	hl->text = text ? xstrdup(text) : NULL;
	hl->limit = limit;
	hl->asked++;
	hl->todo = true;
	pthread_cond_broadcast(&hl->cv);
	pthread_mutex_unlock(&hl->mu);
}

int
hist_loader_fd(const struct hist_loader *hl)
{
	return hl->pipe[0];
}

bool
hist_loader_busy(const struct hist_loader *hl)
{
	struct hist_loader *m = (struct hist_loader *)hl;
	bool busy;

	pthread_mutex_lock(&m->mu);
	busy = m->asked != m->answered;
	pthread_mutex_unlock(&m->mu);
	return busy;
}

/* Under mu: hands out the answer to the latest request, if there is one. */
static bool
hist_loader_take_locked(struct hist_loader *hl, struct action ***out, size_t *n,
                        int *rc)
{
	if (hl->taken || hl->answered != hl->asked) {
		return false;
	}
	*out = hl->rows;
	*n = hl->nrows;
	*rc = hl->rc;
	hl->rows = NULL;
	hl->nrows = 0;
	hl->taken = true;
	return true;
}

bool
hist_loader_take(struct hist_loader *hl, struct action ***out, size_t *n,
                 int *rc)
{
	char sink[64];
	bool got;

	while (read(hl->pipe[0], sink, sizeof sink) > 0) {
	}
	pthread_mutex_lock(&hl->mu);
	got = hist_loader_take_locked(hl, out, n, rc);
	pthread_mutex_unlock(&hl->mu);
	return got;
}

bool
hist_loader_wait(struct hist_loader *hl, struct action ***out, size_t *n,
                 int *rc)
{
	bool got;

	pthread_mutex_lock(&hl->mu);
	while (hl->asked != 0 && hl->answered != hl->asked) {
		pthread_cond_wait(&hl->cv, &hl->mu);
	}
	got = hist_loader_take_locked(hl, out, n, rc);
	pthread_mutex_unlock(&hl->mu);
	return got;
}
