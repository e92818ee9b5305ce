#include "tui/view_detail_cache.h"

#include <fcntl.h>
#include <malloc.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/xalloc.h"
#include "tui/view_detail.h"
#include "tui/view_diff.h"

/* A kept detail of at least this many rows is freed on the worker. */
#define VDC_TRASH_ROWS 2000

/* What a file tool's diff was computed against: the file as stat() saw
 * it (exists false when it did not). */
struct vdc_file {
	bool exists;
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtime, ctime;
};

/* What a detail is built from, apart from the clock, the file and the
 * session's last Read: the parts of an action that can change under one
 * id (decided, edited, given a result) and the width. */
struct vdc_key {
	int64_t id;
	enum action_state state;
	bool has_edited, has_result;
	int64_t result_size;
	int cols;
};

/* One build: the lines and what they were built from. */
struct vdc_detail {
	struct layout_lines lines; /* wrapped */
	size_t clock_first, clock_n;
	struct vdc_key key;
	int64_t read_ms; /* the read fn's answer; unset while owed */
	char *path; /* the file a file tool changes; NULL for other tools */
	struct vdc_file file;
};

/* A build for the worker: its own copy of the action (the client frees
 * its actions on any pump). Also a detail for the worker to free. */
struct vdc_job {
	struct action *a;
	int64_t now_ms;
	struct vdc_detail d;
	struct vdc_job *next; /* in the trash */
};

struct view_detail_cache {
	view_detail_cache_read_fn read; /* NULL: VIEW_DIFF_READ_UNKNOWN */
	void *ctx;
	struct vdc_detail kept;
	bool valid;
	bool partial; /* kept is the placeholder of a large build */
	bool owed;    /* ... and that build has not been started */

	/* the worker, started on the first large detail */
	bool started;
	pthread_t thread;
	int pipe[2]; /* the worker writes a byte for each finished build */
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct vdc_job *todo;  /* under mu: the next build, the newest only */
	struct vdc_job *done;  /* under mu: finished, not collected yet */
	struct vdc_job *trash; /* under mu: details to free, a list */
	bool stop;             /* under mu */
};

/* ---- details ---------------------------------------------------------- */

static void
vdc_detail_clear(struct vdc_detail *d)
{
	layout_lines_free(&d->lines);
	free(d->path);
	memset(d, 0, sizeof *d);
}

static void
vdc_job_free(struct vdc_job *j)
{
	if (j != NULL) {
		vdc_detail_clear(&j->d);
		action_free(j->a);
		free(j);
	}
}

static void
vdc_stat(const char *path, struct vdc_file *f)
{
	struct stat st;

	memset(f, 0, sizeof *f);
	if (path == NULL || stat(path, &st) != 0) {
		return;
	}
	f->exists = true;
	f->dev = st.st_dev;
	f->ino = st.st_ino;
	f->size = st.st_size;
	f->mtime = st.st_mtim;
	f->ctime = st.st_ctim;
}

static bool
vdc_same_file(const struct vdc_file *x, const struct vdc_file *y)
{
	return x->exists == y->exists && x->dev == y->dev && x->ino == y->ino &&
	       x->size == y->size && x->mtime.tv_sec == y->mtime.tv_sec &&
	       x->mtime.tv_nsec == y->mtime.tv_nsec &&
	       x->ctime.tv_sec == y->ctime.tv_sec &&
	       x->ctime.tv_nsec == y->ctime.tv_nsec;
}

static struct vdc_key
vdc_key_of(const struct action *a, int cols)
{
	return (struct vdc_key){ .id = a->id,
		                 .state = a->state,
		                 .has_edited = a->edited_input != NULL,
		                 .has_result = a->result != NULL,
		                 .result_size = a->result_size,
		                 .cols = cols };
}

static bool
vdc_same_key(const struct vdc_key *x, const struct vdc_key *y)
{
	return x->id == y->id && x->state == y->state &&
	       x->has_edited == y->has_edited &&
	       x->has_result == y->has_result &&
	       x->result_size == y->result_size && x->cols == y->cols;
}

/* The whole detail of a into d (d->key and d->read_ms already set). */
static void
vdc_build(struct vdc_detail *d, const struct action *a, int64_t now_ms)
{
	struct layout_lines parts[3] = { { 0 } };

	d->path = view_diff_file_path(a);
	/* before reading the file: a change while it is read shows as a
	 * new stat next time, never as a stale diff kept */
	vdc_stat(d->path, &d->file);
	view_detail_parts(a, now_ms, d->read_ms, &parts[0], &parts[1],
	                  &parts[2]);
	view_detail_wrap(parts, d->key.cols, &d->lines, &d->clock_first,
	                 &d->clock_n);
}

/* The first lines of a and a note, while the rest is built: nothing in
 * it grows with the input. Takes ownership of path (view_diff_file_path
 * of a). */
static void
vdc_placeholder(struct vdc_detail *d, const struct action *a, int64_t now_ms,
                char *path)
{
	struct layout_lines parts[3] = { { 0 } };

	d->path = path;
	vdc_stat(d->path, &d->file);
	view_detail_parts_head(a, now_ms, &parts[0], &parts[1]);
	layout_add(layout_push(&parts[2]), ROLE_DIM,
	           "Preparing the detail (a large input or diff) ...");
	view_detail_wrap(parts, d->key.cols, &d->lines, &d->clock_first,
	                 &d->clock_n);
}

/* Input, edited input, result and file: whether to build on the worker.
 * Each is measured only up to the limit: the answer costs the same for a
 * 64 KiB input as for a 4 MB one. */
static bool
vdc_large(const struct action *a, const char *path)
{
	const size_t cap = VIEW_DETAIL_CACHE_ASYNC_BYTES + 1;
	size_t n = 0;
	struct stat st;

	n += a->tool_input ? strnlen(a->tool_input, cap) : 0;
	n += a->edited_input ? strnlen(a->edited_input, cap) : 0;
	n += a->result ? strnlen(a->result, cap) : 0;
	if (path != NULL && stat(path, &st) == 0 && st.st_size > 0) {
		n += (size_t)st.st_size;
	}
	return n > VIEW_DETAIL_CACHE_ASYNC_BYTES;
}

/* ---- the worker ---------------------------------------------------------- */

/* Frees what the main thread threw away (a large detail takes ~10 ms to
 * free), then gives the freed pages back to the system. */
static void
vdc_empty_trash(struct vdc_job *t)
{
	if (t == NULL) {
		return;
	}
	while (t != NULL) {
		struct vdc_job *next = t->next;

		vdc_job_free(t);
		t = next;
	}
	malloc_trim(0);
}

static void *
vdc_worker(void *arg)
{
	struct view_detail_cache *dc = arg;

	for (;;) {
		struct vdc_job *j;

		pthread_mutex_lock(&dc->mu);
		while (!dc->stop && dc->todo == NULL && dc->trash == NULL) {
			pthread_cond_wait(&dc->cv, &dc->mu);
		}
		struct vdc_job *trash = dc->trash;
		dc->trash = NULL;
		pthread_mutex_unlock(&dc->mu);
		vdc_empty_trash(trash);
		pthread_mutex_lock(&dc->mu);
		if (dc->todo == NULL && !dc->stop) {
			pthread_mutex_unlock(&dc->mu);
			continue;
		}
		if (dc->stop) {
			/* a build not started is freed with the cache */
			pthread_mutex_unlock(&dc->mu);
			return NULL;
		}
		j = dc->todo;
		dc->todo = NULL;
		pthread_mutex_unlock(&dc->mu);
		vdc_build(&j->d, j->a, j->now_ms);
		/* the copy of the input is not needed any more: freed here,
		 * not by the main thread when it collects */
		action_free(j->a);
		j->a = NULL;
		pthread_mutex_lock(&dc->mu);
		vdc_job_free(dc->done);
		dc->done = j;
		pthread_mutex_unlock(&dc->mu);
		/* a full pipe already has a wake-up in it */
		(void)!write(dc->pipe[1], "", 1);
	}
}

static bool
vdc_start(struct view_detail_cache *dc)
{
	if (dc->started) {
		return true;
	}
	if (pipe2(dc->pipe, O_CLOEXEC | O_NONBLOCK) != 0) {
		return false;
	}
	if (pthread_create(&dc->thread, NULL, vdc_worker, dc) != 0) {
		close(dc->pipe[0]);
		close(dc->pipe[1]);
		return false;
	}
	dc->started = true;
	return true;
}

/* Hands the build of kept (key and read_ms set) to the worker; false
 * when it cannot run one. */
static bool
vdc_submit(struct view_detail_cache *dc, const struct action *a, int64_t now_ms)
{
	struct vdc_job *j;

	if (!vdc_start(dc)) {
		return false;
	}
	j = xcalloc(1, sizeof *j);
	j->a = action_dup(a);
	j->now_ms = now_ms;
	j->d.key = dc->kept.key;
	j->d.read_ms = dc->kept.read_ms;
	pthread_mutex_lock(&dc->mu);
	vdc_job_free(dc->todo); /* superseded before it started */
	dc->todo = j;
	pthread_cond_signal(&dc->cv);
	pthread_mutex_unlock(&dc->mu);
	return true;
}

/* ---- the cache ------------------------------------------------------------
 */

struct view_detail_cache *
view_detail_cache_new(view_detail_cache_read_fn read, void *ctx)
{
	struct view_detail_cache *dc = xcalloc(1, sizeof *dc);

	dc->read = read;
	dc->ctx = ctx;
	pthread_mutex_init(&dc->mu, NULL);
	pthread_cond_init(&dc->cv, NULL);
	dc->pipe[0] = dc->pipe[1] = -1;
	return dc;
}

/* Frees j, on the worker when it holds a large detail. */
static void
vdc_throw(struct view_detail_cache *dc, struct vdc_job *j)
{
	if (j == NULL) {
		return;
	}
	if (!dc->started || j->d.lines.n < VDC_TRASH_ROWS) {
		vdc_job_free(j);
		return;
	}
	pthread_mutex_lock(&dc->mu);
	j->next = dc->trash;
	dc->trash = j;
	pthread_cond_signal(&dc->cv);
	pthread_mutex_unlock(&dc->mu);
}

/* Empties the kept detail. */
static void
vdc_dispose(struct view_detail_cache *dc)
{
	struct vdc_job *t = xcalloc(1, sizeof *t);

	t->d = dc->kept;
	memset(&dc->kept, 0, sizeof dc->kept);
	vdc_throw(dc, t);
}

void
view_detail_cache_reset(struct view_detail_cache *dc)
{
	if (dc != NULL) {
		vdc_dispose(dc);
		dc->valid = false;
		dc->partial = false;
		dc->owed = false;
	}
}

void
view_detail_cache_free(struct view_detail_cache *dc)
{
	if (dc == NULL) {
		return;
	}
	if (dc->started) {
		pthread_mutex_lock(&dc->mu);
		dc->stop = true;
		pthread_cond_signal(&dc->cv);
		pthread_mutex_unlock(&dc->mu);
		pthread_join(dc->thread, NULL);
		close(dc->pipe[0]);
		close(dc->pipe[1]);
	}
	vdc_job_free(dc->todo);
	vdc_job_free(dc->done);
	vdc_empty_trash(dc->trash);
	vdc_detail_clear(&dc->kept);
	pthread_mutex_destroy(&dc->mu);
	pthread_cond_destroy(&dc->cv);
	free(dc);
}

int
view_detail_cache_fd(const struct view_detail_cache *dc)
{
	return dc->started ? dc->pipe[0] : -1;
}

static int64_t
vdc_read(const struct view_detail_cache *dc, const struct action *a)
{
	return dc->read ? dc->read(dc->ctx, a) : VIEW_DIFF_READ_UNKNOWN;
}

/* Whether the kept lines are those of a at key (apart from the clock).
 * The read time is asked for only when all else matches, and not for a
 * placeholder whose build is owed (it has none yet). */
static bool
vdc_fresh(const struct view_detail_cache *dc, const struct action *a,
          const struct vdc_key *key)
{
	struct vdc_file f;

	if (!dc->valid || !vdc_same_key(&dc->kept.key, key)) {
		return false;
	}
	if (!dc->owed && vdc_read(dc, a) != dc->kept.read_ms) {
		return false;
	}
	if (dc->kept.path == NULL) {
		return true;
	}
	vdc_stat(dc->kept.path, &f);
	return vdc_same_file(&dc->kept.file, &f);
}

/* The clock rows again; false when they no longer take as many rows. */
static bool
vdc_clock(struct view_detail_cache *dc, const struct action *a, int64_t now_ms)
{
	struct layout_lines clock = { 0 }, rows = { 0 };
	struct vdc_detail *d = &dc->kept;
	bool same;

	view_detail_clock(a, now_ms, &clock);
	layout_wrap(&clock, d->key.cols, 2, &rows);
	same = rows.n == d->clock_n;
	for (size_t i = 0; same && i < rows.n; i++) {
		struct layout_line *l = &d->lines.v[d->clock_first + i];

		layout_line_clear(l);
		*l = rows.v[i];
		memset(&rows.v[i], 0, sizeof rows.v[i]);
	}
	layout_lines_free(&rows);
	layout_lines_free(&clock);
	return same;
}

/* Builds the detail of a now, or a placeholder whose build is owed. */
static void
vdc_fill(struct view_detail_cache *dc, const struct action *a, int64_t now_ms,
         const struct vdc_key *key)
{
	char *path = view_diff_file_path(a);
	bool large = vdc_large(a, path);

	view_detail_cache_reset(dc);
	dc->kept.key = *key;
	dc->valid = true;
	if (large) {
		vdc_placeholder(&dc->kept, a, now_ms, path);
		dc->partial = true;
		dc->owed = true;
		return;
	}
	free(path);
	dc->kept.read_ms = vdc_read(dc, a);
	vdc_build(&dc->kept, a, now_ms);
}

const struct layout_lines *
view_detail_cache_get(struct view_detail_cache *dc, const struct action *a,
                      int64_t now_ms, int cols, bool *partial)
{
	struct vdc_key key = vdc_key_of(a, cols);

	if (!vdc_fresh(dc, a, &key) || !vdc_clock(dc, a, now_ms)) {
		vdc_fill(dc, a, now_ms, &key);
	}
	*partial = dc->partial;
	return &dc->kept.lines;
}

bool
view_detail_cache_owed(const struct view_detail_cache *dc)
{
	return dc->owed;
}

bool
view_detail_cache_start(struct view_detail_cache *dc, const struct action *a,
                        int64_t now_ms)
{
	struct vdc_key key;
	int64_t read_ms;

	if (!dc->owed || a == NULL) {
		return false;
	}
	key = vdc_key_of(a, dc->kept.key.cols);
	if (!vdc_same_key(&key, &dc->kept.key)) {
		return false;
	}
	dc->owed = false;
	dc->kept.read_ms = vdc_read(dc, a);
	if (vdc_submit(dc, a, now_ms)) {
		return false;
	}
	/* no worker: built here, on this thread */
	read_ms = dc->kept.read_ms;
	vdc_dispose(dc);
	dc->kept.key = key;
	dc->kept.read_ms = read_ms;
	vdc_build(&dc->kept, a, now_ms);
	dc->partial = false;
	return true;
}

bool
view_detail_cache_collect(struct view_detail_cache *dc)
{
	struct vdc_job *j;
	char sink[64];

	if (!dc->started) {
		return false;
	}
	while (read(dc->pipe[0], sink, sizeof sink) > 0) {
	}
	pthread_mutex_lock(&dc->mu);
	j = dc->done;
	dc->done = NULL;
	pthread_mutex_unlock(&dc->mu);
	if (j == NULL || !dc->valid || !dc->partial || dc->owed ||
	    !vdc_same_key(&j->d.key, &dc->kept.key) ||
	    j->d.read_ms != dc->kept.read_ms) {
		vdc_throw(dc, j);
		return false;
	}
	vdc_dispose(dc);
	dc->kept = j->d;
	memset(&j->d, 0, sizeof j->d);
	dc->partial = false;
	vdc_job_free(j);
	return true;
}
