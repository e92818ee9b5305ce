/* The console: set-up, teardown and the poll() loop over the terminal,
 * the daemon client and the two worker threads (console_int.h). */
#include "tui/console.h"
#include "tui/console_int.h"

#include <curses.h>
#include <errno.h>
#include <locale.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/al.h"
#include "core/xalloc.h"
#include "tui/alert.h"
#include "tui/draw.h"
#include "tui/hist_loader.h"
#include "tui/view_detail_cache.h"
#include "tui/view_history.h"
#include "tui/view_replay.h"

int64_t
console_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void
console_say(struct console *c, enum theme_role role, const char *fmt, ...)
{
	struct buf b = { 0 };
	va_list ap;

	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	free(c->message);
	c->message = buf_steal(&b);
	c->message_role = role;
}

/* ---- set-up -------------------------------------------------------------- */

/* Reads console.conf: key bindings and the theme. Problems are reported on
 * the message line, never fatal. */
static char *
console_config(struct console *c, char **theme)
{
	char *path = c->o->config_path ? xstrdup(c->o->config_path)
	                               : xasprintf("%s/console.conf",
	                                           c->o->paths->config_dir);
	char *text = buf_read_file(path);
	char *problem = NULL;
	char *save = NULL;
	int lineno = 0;

	for (char *line = text ? strtok_r(text, "\n", &save) : NULL;
	     line != NULL; line = strtok_r(NULL, "\n", &save)) {
		char *err = NULL;
		char name[128];

		lineno++;
		if (sscanf(line, " theme %127s", name) == 1) {
			free(*theme);
			*theme = xstrdup(name);
		} else if (sscanf(line, " notify %127s", name) == 1 &&
		           osc_notify_parse(name, &c->osc_notify)) {
			/* `notify osc`: OSC 777/9 through the terminal */
		} else if (sscanf(line, " title %127s", name) == 1 &&
		           (strcmp(name, "off") == 0 ||
		            strcmp(name, "on") == 0)) {
			c->title_off = strcmp(name, "off") == 0;
		} else if (keymap_parse_line(c->km, line, &err) != 0 &&
		           problem == NULL) {
			problem = xasprintf("%s:%d: %s", path, lineno,
			                    err ? err : "not understood");
		}
		free(err);
	}
	free(text);
	free(path);
	return problem;
}

static void
console_theme_dirs(const struct console *c, char **dirs, size_t max)
{
	char exe[4096];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	size_t k = 0;

	dirs[k++] = xasprintf("%s/themes", c->o->paths->config_dir);
	if (getenv("AIRLOCK_THEME_DIR") != NULL && k < max - 1) {
		dirs[k++] = xstrdup(getenv("AIRLOCK_THEME_DIR"));
	}
	if (n > 0) {
		exe[n] = '\0';
		*strrchr(exe, '/') = '\0';
		/* installed, then a build tree next to the sources */
		dirs[k++] = xasprintf("%s/../share/airlock/themes", exe);
		dirs[k++] = xasprintf("%s/../../themes", exe);
	}
	dirs[k++] = xstrdup("/usr/share/airlock/themes");
	dirs[k] = NULL;
}

/* NO_COLOR (any value) or a terminal without colours: attributes only. */
static char *
console_theme(struct console *c, const char *name, bool *colour)
{
	const char *nc = getenv("NO_COLOR");
	char *dirs[8] = { 0 };
	char *err = NULL;

	*colour = has_colors() && (nc == NULL || *nc == '\0') &&
	          (name == NULL || strcmp(name, "mono") != 0);
	theme_defaults(&c->theme, *colour);
	if (!*colour && (name == NULL || strcmp(name, "mono") != 0)) {
		return NULL;
	}
	console_theme_dirs(c, dirs, 8);
	if (theme_load(&c->theme, name ? name : "dark",
	               (const char *const *)dirs, &err) != 0 &&
	    name == NULL) {
		/* the built-in dark palette is the same theme */
		free(err);
		err = NULL;
	}
	for (size_t i = 0; dirs[i] != NULL; i++) {
		free(dirs[i]);
	}
	return err;
}

static void
console_screen_init(void)
{
	setlocale(LC_ALL, "");
	initscr();
	input_setup(true);
	curs_set(0);
}

/* view_detail_cache_read_fn: console_read_ms(), which remembers the
 * answer for the last call it was asked about. */
static int64_t
console_detail_read(void *ctx, const struct action *a)
{
	return console_read_ms(ctx, a);
}

static int
console_setup(struct console *c)
{
	char *theme = c->o->theme ? xstrdup(c->o->theme) : NULL;
	char *problem, *theme_err;
	bool colour;
	int rc = client_open(&c->client, c->o->paths);

	if (rc != 0) {
		fprintf(stderr, "airlock: cannot open the daemon client: %s\n",
		        al_strerror(rc));
		free(theme);
		return rc;
	}
	c->detail_cache = view_detail_cache_new(console_detail_read, c);
	c->hist_ctx.paths = c->o->paths;
	rc = hist_loader_new(&c->hist_loader, console_hist_query, &c->hist_ctx);
	if (rc != 0) {
		fprintf(stderr,
		        "airlock: cannot start the history loader: %s\n",
		        al_strerror(rc));
		free(theme);
		return rc;
	}
	c->km = keymap_new();
	keymap_load_defaults(c->km);
	problem = console_config(c, &theme);
	console_screen_init();
	theme_err =
	        console_theme(c, c->o->theme ? c->o->theme : theme, &colour);
	c->draw = draw_new(&c->theme, colour);
	c->alert = alert_new(!c->o->no_notify);
	if (c->o->osc_notify && c->osc_notify == OSC_NOTIFY_OFF) {
		c->osc_notify = OSC_NOTIFY_AUTO;
	}
	c->osc = osc_new(c->title_off ? NULL : getenv("TERM"), c->osc_notify);
	if (getenv("AIRLOCK_FRAME_LOG") != NULL &&
	    *getenv("AIRLOCK_FRAME_LOG") != '\0') {
		c->frame_log = fopen(getenv("AIRLOCK_FRAME_LOG"), "a");
	}
	if (problem != NULL || theme_err != NULL) {
		console_say(c, ROLE_ERROR, "%s", problem ? problem : theme_err);
	}
	free(problem);
	free(theme_err);
	free(theme);
	return 0;
}

static void
console_teardown(struct console *c)
{
	if (c->draw != NULL) {
		endwin();
	}
	osc_free(c->osc); /* after endwin: the title goes back last */
	alert_free(c->alert);
	draw_free(c->draw);
	keymap_free(c->km);
	view_detail_cache_free(c->detail_cache);
	hist_loader_free(c->hist_loader); /* its thread uses hist_ctx */
	client_close(c->hist_ctx.client);
	client_close(c->client);
	client_actions_free(c->hist, c->nhist);
	view_sessions_free(c->sessions, c->nsessions);
	free(c->session_ids);
	view_replay_free(c->replay, c->nreplay);
	free(c->replay_ids);
	console_rule_reset(c);
	free(c->hist_ids);
	free(c->queue);
	free(c->ids);
	free(c->alert_ids);
	free(c->message);
	buf_free(&c->search);
	buf_free(&c->input);
	if (c->frame_log != NULL) {
		fclose(c->frame_log);
	}
}

/* ---- the loop ------------------------------------------------------------ */

/* A large detail built on the worker is ready: it replaces the
 * placeholder, and what was seen of that must be seen again. */
static unsigned
console_detail_ready(struct console *c)
{
	struct timespec t0 = { 0 };

	console_timing_now(c, &t0);
	if (!view_detail_cache_collect(c->detail_cache)) {
		return CONSOLE_REDRAW_NONE;
	}
	c->detail_seen = 0;
	console_timing_work(c, "detail", &t0, CONSOLE_REDRAW_DETAIL);
	return CONSOLE_REDRAW_DETAIL;
}

/* A large detail's placeholder is on screen: its build starts now, after
 * the key's frame, not in it. The daemon is asked for the session's last
 * Read and the call is copied for the worker (a cost that grows with the
 * input). A key that arrives meanwhile waits: logged as work=start. */
static unsigned
console_detail_start(struct console *c)
{
	struct timespec t0 = { 0 };
	const struct action *a;
	unsigned mask = CONSOLE_REDRAW_NONE;

	if (!view_detail_cache_owed(c->detail_cache)) {
		return mask;
	}
	console_timing_now(c, &t0);
	a = c->help ? NULL : console_selected(c);
	if (view_detail_cache_start(c->detail_cache, a, console_now_ms())) {
		/* built here (no worker): as when a build is collected */
		c->detail_seen = 0;
		mask = CONSOLE_REDRAW_DETAIL;
	}
	/* still owed: not the call on screen (the help is up), nothing done */
	if (!view_detail_cache_owed(c->detail_cache)) {
		console_timing_work(c, "start", &t0, mask);
	}
	return mask;
}

static unsigned
console_wait(struct console *c, int64_t *last_tick)
{
	struct pollfd p[4] = {
		{ .fd = STDIN_FILENO, .events = POLLIN },
		{ .fd = client_event_fd(c->client), .events = POLLIN },
		{ .fd = view_detail_cache_fd(c->detail_cache),
		  .events = POLLIN },
		{ .fd = hist_loader_fd(c->hist_loader), .events = POLLIN },
	};
	int64_t now = console_now_ms();
	int timeout = (int)(1000 - now % 1000);
	unsigned mask = 0;
	struct input_event ev;

	/* poll() skips the entries whose fd is -1 */
	if (poll(p, 4, timeout) < 0 && errno != EINTR) {
		c->quit = true;
		return 0;
	}
	if (p[3].revents & POLLIN) {
		struct timespec t0 = { 0 };

		console_timing_now(c, &t0);
		mask |= console_hist_ready(c);
		console_timing_work(c, "hist", &t0, mask);
	}
	if (p[2].revents & POLLIN) {
		mask |= console_detail_ready(c);
	}
	now = console_now_ms();
	/* every second: countdowns move, and a lost daemon is retried */
	if (now / 1000 != *last_tick / 1000 || (p[1].revents & POLLIN)) {
		struct timespec t0 = { 0 };

		console_timing_now(c, &t0);
		mask |= console_pump(c);
		console_timing_work(c, "pump", &t0, mask);
	}
	if (now / 1000 != *last_tick / 1000) {
		*last_tick = now;
		mask |= CONSOLE_REDRAW_LIST;
	}
	/* a frame per key: a page the approver flipped past must really have
	 * been drawn before it counts as seen */
	while (!c->quit && input_read(&ev)) {
		struct console_timing t;

		console_timing_start(c, &ev, &t);
		unsigned m = console_input(c, &ev);

		if (m != 0 && !c->quit) {
			console_frame(c, m | mask);
			mask = 0;
		}
		console_timing_end(c, &t, m != 0 && !c->quit);
	}
	return mask;
}

/* A frame between keys (timed as work=frame). */
static void
console_redraw(struct console *c, unsigned mask)
{
	struct timespec t0 = { 0 };

	if (mask == 0 || c->quit) {
		return;
	}
	console_timing_now(c, &t0);
	console_frame(c, mask);
	console_timing_work(c, "frame", &t0, mask);
}

int
console_run(const struct console_opts *o)
{
	struct console c = { .o = o };
	int64_t tick = 0;
	int rc = console_setup(&c);

	if (rc != 0) {
		console_teardown(&c);
		return rc;
	}
	console_pump(&c);
	console_frame(&c, CONSOLE_REDRAW_ALL);
	while (!c.quit) {
		/* every frame is drawn before this: the placeholder of a
		 * large detail is on screen when its build starts */
		console_redraw(&c, console_detail_start(&c));
		console_redraw(&c, console_wait(&c, &tick));
	}
	console_teardown(&c);
	return 0;
}
