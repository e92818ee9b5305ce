#ifndef AIRLOCK_CORE_DIFF_INT_H
#define AIRLOCK_CORE_DIFF_INT_H

/*
 * Internal to the line diff (diff.c computes, diff_format.c reads and
 * prints, diff_edit.c applies Claude Code's file tools); nothing outside
 * core/diff*.c includes this.
 */

#include <stdbool.h>
#include <stddef.h>

#include "core/diff.h"

/* What diff_lines() returns: hunks index into lines, whose text borrows
 * from diff_lines()'s inputs. */
struct diff_result {
	struct diff_hunk *hunks;
	size_t nhunks, caph;
	struct diff_line *lines;
	size_t nlines, capl;
	size_t added, removed;
	bool binary;
	bool new_file;
};

#endif
