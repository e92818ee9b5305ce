/* The console's frame timer (AIRLOCK_FRAME_LOG, for
 * bench/bench_console.sh): one line per key, from reading it to the
 * redrawn screen, and one per piece of work between keys. */
#include "tui/console_int.h"

#include <stdio.h>
#include <time.h>

static double
console_timing_ms(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) * 1e3 +
	       (double)(t1.tv_nsec - t0->tv_nsec) / 1e6;
}

void
console_timing_now(const struct console *c, struct timespec *t)
{
	if (c->frame_log != NULL) {
		clock_gettime(CLOCK_MONOTONIC, t);
	}
}

void
console_timing_work(const struct console *c, const char *what,
                    const struct timespec *t0, unsigned mask)
{
	if (c->frame_log != NULL) {
		fprintf(c->frame_log, "work=%s ms=%.3f mask=%u\n", what,
		        console_timing_ms(t0), mask);
		fflush(c->frame_log);
	}
}

void
console_timing_start(const struct console *c, const struct input_event *ev,
                     struct console_timing *t)
{
	char key[24];

	if (c->frame_log == NULL) {
		return;
	}
	clock_gettime(CLOCK_MONOTONIC, &t->t0);
	if (ev->kind != INPUT_KEY) {
		snprintf(t->what, sizeof t->what, "event-%d key=-",
		         (int)ev->kind);
		return;
	}
	keymap_key_name(ev->key, key, sizeof key);
	snprintf(t->what, sizeof t->what, "%s key=%s",
	         c->prompt != CONSOLE_PROMPT_NONE
	                 ? "prompt"
	                 : keymap_action_name(keymap_lookup(
	                           c->km, console_ctx(c), ev->key)),
	         key);
}

void
console_timing_end(const struct console *c, const struct console_timing *t,
                   bool drawn)
{
	if (c->frame_log == NULL) {
		return;
	}
	fprintf(c->frame_log, "frame_ms=%.3f act=%s view=%s drawn=%d\n",
	        console_timing_ms(&t->t0), t->what, console_view_name(c->view),
	        drawn ? 1 : 0);
	fflush(c->frame_log);
}
