#include "tui/input.h"

#include <curses.h>
#include <wchar.h>

void
input_setup(bool mouse)
{
	raw();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	/* the default Esc delay is a full second: Esc must cancel at once */
	set_escdelay(25);
	if (mouse) {
		mousemask(BUTTON1_CLICKED | BUTTON1_PRESSED | BUTTON4_PRESSED |
		                  BUTTON5_PRESSED,
		          NULL);
		mouseinterval(0);
	}
}

struct input_keymap {
	int curses;
	uint32_t key;
};

static const struct input_keymap input_function_keys[] = {
	{ KEY_UP, INPUT_KEY_UP },
	{ KEY_DOWN, INPUT_KEY_DOWN },
	{ KEY_LEFT, INPUT_KEY_LEFT },
	{ KEY_RIGHT, INPUT_KEY_RIGHT },
	{ KEY_PPAGE, INPUT_KEY_PGUP },
	{ KEY_NPAGE, INPUT_KEY_PGDN },
	{ KEY_HOME, INPUT_KEY_HOME },
	{ KEY_END, INPUT_KEY_END },
	{ KEY_ENTER, INPUT_KEY_ENTER },
	{ KEY_BTAB, INPUT_KEY_BTAB },
	{ KEY_BACKSPACE, INPUT_KEY_BACKSPACE },
	{ KEY_DC, INPUT_KEY_DELETE },
};

#define INPUT_NFUNCTION_KEYS \
	(sizeof input_function_keys / sizeof input_function_keys[0])

static bool
input_function_key(int code, struct input_event *ev)
{
	ev->kind = INPUT_KEY;
	for (size_t i = 0; i < INPUT_NFUNCTION_KEYS; i++) {
		if (input_function_keys[i].curses == code) {
			ev->key = input_function_keys[i].key;
			return true;
		}
	}
	if (code >= KEY_F(1) && code <= KEY_F(12)) {
		ev->key = INPUT_KEY_F0 + (uint32_t)(code - KEY_F0);
		return true;
	}
	return false;
}

static bool
input_mouse(struct input_event *ev)
{
	MEVENT me;

	if (getmouse(&me) != OK) {
		return false;
	}
	ev->y = me.y;
	ev->x = me.x;
	if (me.bstate & BUTTON4_PRESSED) {
		ev->kind = INPUT_WHEEL_UP;
	} else if (me.bstate & BUTTON5_PRESSED) {
		ev->kind = INPUT_WHEEL_DOWN;
	} else if (me.bstate & (BUTTON1_CLICKED | BUTTON1_PRESSED)) {
		ev->kind = INPUT_CLICK;
	} else {
		return false;
	}
	return true;
}

/* Control characters the terminal sends for named keys. */
static uint32_t
input_text_key(wint_t ch)
{
	switch (ch) {
	case '\r':
	case '\n':
		return INPUT_KEY_ENTER;
	case 0x1b:
		return INPUT_KEY_ESC;
	case '\t':
		return INPUT_KEY_TAB;
	case 0x7f:
	case 0x08:
		return INPUT_KEY_BACKSPACE;
	default:
		return (uint32_t)ch;
	}
}

bool
input_read(struct input_event *ev)
{
	wint_t ch;

	for (;;) {
		int r = get_wch(&ch);

		ev->kind = INPUT_NONE;
		if (r == ERR) {
			return false;
		}
		if (r == OK) {
			ev->kind = INPUT_KEY;
			ev->key = input_text_key(ch);
			return true;
		}
		if (ch == KEY_RESIZE) {
			ev->kind = INPUT_RESIZE;
			return true;
		}
		if (ch == KEY_MOUSE && input_mouse(ev)) {
			return true;
		}
		if (ch != KEY_MOUSE && input_function_key((int)ch, ev)) {
			return true;
		}
		/* an unknown function key: skip it, read the next */
	}
}
