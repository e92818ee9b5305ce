#include "tui/alert.h"

#include <curses.h>
#include <libnotify/notify.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/xalloc.h"

/* Shared between the console and the notifier thread, under mu. Whoever
 * leaves last (the thread when it is stuck at close) frees it. */
struct alert_box {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	char *title, *body; /* the one slot; newest wins */
	bool quit;
	bool owner_gone;
};

struct alert {
	struct alert_box *box; /* NULL without desktop notifications */
	pthread_t thread;
};

bool
alert_bus_available(void)
{
	const char *addr = getenv("DBUS_SESSION_BUS_ADDRESS");
	const char *rt = getenv("XDG_RUNTIME_DIR");
	struct stat st;
	char *path;
	bool ok;

	if (addr != NULL && *addr != '\0') {
		return true;
	}
	if (rt == NULL || *rt == '\0') {
		return false;
	}
	path = xasprintf("%s/bus", rt);
	ok = stat(path, &st) == 0 && S_ISSOCK(st.st_mode);
	free(path);
	return ok;
}

static void
alert_box_free(struct alert_box *b)
{
	pthread_mutex_destroy(&b->mu);
	pthread_cond_destroy(&b->cv);
	free(b->title);
	free(b->body);
	free(b);
}

static void
alert_show(const char *title, const char *body)
{
	char *esc = g_markup_escape_text(body, -1);
	NotifyNotification *n = notify_notification_new(title, esc, NULL);

	/* may block for 25 s: that is why we are on this thread */
	notify_notification_show(n, NULL);
	g_object_unref(n);
	g_free(esc);
}

static void *
alert_thread(void *arg)
{
	struct alert_box *b = arg;
	bool gone;

	notify_init("airlock");
	pthread_mutex_lock(&b->mu);
	while (!b->quit) {
		char *title, *body;

		if (b->title == NULL) {
			pthread_cond_wait(&b->cv, &b->mu);
			continue;
		}
		title = b->title;
		body = b->body;
		b->title = b->body = NULL;
		pthread_mutex_unlock(&b->mu);
		alert_show(title, body);
		free(title);
		free(body);
		pthread_mutex_lock(&b->mu);
	}
	gone = b->owner_gone;
	pthread_mutex_unlock(&b->mu);
	notify_uninit();
	if (gone) {
		alert_box_free(b);
	}
	return NULL;
}

struct alert *
alert_new(bool desktop)
{
	struct alert *a = xcalloc(1, sizeof *a);
	struct alert_box *b;

	if (!desktop || !alert_bus_available()) {
		return a;
	}
	b = xcalloc(1, sizeof *b);
	pthread_mutex_init(&b->mu, NULL);
	pthread_cond_init(&b->cv, NULL);
	if (pthread_create(&a->thread, NULL, alert_thread, b) != 0) {
		alert_box_free(b);
		return a;
	}
	pthread_detach(a->thread);
	a->box = b;
	return a;
}

void
alert_free(struct alert *a)
{
	struct alert_box *b;

	if (a == NULL) {
		return;
	}
	b = a->box;
	if (b != NULL) {
		/* the detached thread frees the box when it sees quit */
		pthread_mutex_lock(&b->mu);
		b->quit = true;
		b->owner_gone = true;
		pthread_cond_signal(&b->cv);
		pthread_mutex_unlock(&b->mu);
	}
	free(a);
}

bool
alert_desktop(const struct alert *a)
{
	return a->box != NULL;
}

void
alert_post(struct alert *a, const char *title, const char *body)
{
	struct alert_box *b = a->box;

	beep();
	if (b == NULL) {
		return;
	}
	pthread_mutex_lock(&b->mu);
	free(b->title);
	free(b->body);
	b->title = xstrdup(title);
	b->body = xstrdup(body);
	pthread_cond_signal(&b->cv);
	pthread_mutex_unlock(&b->mu);
}
