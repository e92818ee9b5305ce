#ifndef AIRLOCK_TUI_INPUT_H
#define AIRLOCK_TUI_INPUT_H

#include <stdbool.h>
#include <stdint.h>

/*
 * Terminal input, translated from curses into airlock's own key codes.
 * This is the only module that sees raw curses key values: everything
 * else works on these codes (Unicode code points for text keys, the
 * INPUT_KEY_* values above the Unicode range for the rest).
 */
enum {
	INPUT_KEY_BASE = 0x110000, /* above every Unicode code point */
	INPUT_KEY_UP,
	INPUT_KEY_DOWN,
	INPUT_KEY_LEFT,
	INPUT_KEY_RIGHT,
	INPUT_KEY_PGUP,
	INPUT_KEY_PGDN,
	INPUT_KEY_HOME,
	INPUT_KEY_END,
	INPUT_KEY_ENTER,
	INPUT_KEY_ESC,
	INPUT_KEY_TAB,
	INPUT_KEY_BTAB,
	INPUT_KEY_BACKSPACE,
	INPUT_KEY_DELETE,
	INPUT_KEY_F0, /* F1 is INPUT_KEY_F0 + 1 ... F12 */
	INPUT_KEY_LAST = INPUT_KEY_F0 + 12,
};

enum input_kind {
	INPUT_NONE = 0,
	INPUT_KEY,    /* key holds the code */
	INPUT_RESIZE, /* the terminal changed size (LINES/COLS are updated) */
	INPUT_CLICK,  /* button 1 at (y, x) */
	INPUT_WHEEL_UP,
	INPUT_WHEEL_DOWN,
};

struct input_event {
	enum input_kind kind;
	uint32_t key;
	int y, x;
};

/* Sets up the terminal for input after initscr(): raw keys, keypad, no
 * echo, non-blocking reads, a short Esc delay and (when mouse is true)
 * mouse reporting. */
void input_setup(bool mouse);

/* Reads one pending event without blocking; false when there is none.
 * Call it until it returns false after every wake-up: curses may have
 * buffered bytes that the file descriptor no longer reports. */
bool input_read(struct input_event *ev);

#endif
