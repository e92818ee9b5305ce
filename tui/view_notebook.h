#ifndef AIRLOCK_TUI_VIEW_NOTEBOOK_H
#define AIRLOCK_TUI_VIEW_NOTEBOOK_H

#include "core/action.h"
#include "tui/layout.h"

/*
 * NotebookEdit as a diff of one cell's source: new_source against the
 * source of the cell (cell_id, or cell_number) in the .ipynb on disk, by
 * edit_mode: replace (the cell's source changes), insert (a new cell
 * after cell_id, or at the top), delete (the cell's source goes). A
 * notebook or cell that is not there is said so, and new_source is shown
 * as given.
 */

/* Appends the cell diff of a (a NotebookEdit of the notebook at path). */
void view_notebook_build(const struct action *a, const char *path,
                         struct layout_lines *ls);

#endif
