/* What several screens do alike, written once: the actions that mean the
 * same everywhere, and the keys of a screen built on a form. */
#ifndef LUMEN_SCREENS_COMMON_H
#define LUMEN_SCREENS_COMMON_H

#include "screens/lumen.h"
#include "tui/form.h"
#include "tui/vlist.h"

/* The name of ACTION's first key as [keys] has it, for a screen's text
 * ("C-o"); TYPING skips keys that are characters (a field would type
 * them).  "" when it has no such key. */
void common_key_name(const struct lumen *L, int action, bool typing, char *buf, size_t size);

/* A form screen's raw keys: the focused field edits first; a character it
 * refuses (a letter in a code) is swallowed, never taken for an action
 * such as q.  An edit clears the field's error and the form's. */
enum tui_result form_screen_key(struct form *fm, tui_key k);

/* up, down, page-up, page-down, top and bottom on a list; PAGER: up and
 * down scroll the view (help) rather than move a cursor.  False for other
 * actions. */
bool list_screen_move(struct vlist *vl, int action, bool pager);

/* The answer to a list move, for a list drawn from body line Y down: its
 * lines are marked (tui_app_dirty_rows) and TUI_REDRAW_ROWS returned, so
 * that the screen's draw_rows (vlist_draw_at, which redraws only the old
 * and the new cursor rows, or the view when it scrolled) does the rest. */
enum tui_result list_screen_moved(struct tui_screen *s, int y);

/* The typing hook of a screen whose focus is always in a text field. */
bool form_screen_typing(struct tui_screen *s);

/* next-field, prev-field and submit: Enter moves on, and on the last field
 * sets *submit.  TUI_UNHANDLED for other actions. */
enum tui_result form_screen_action(struct form *fm, int action, bool *submit);

/* Where form_draw() left the text cursor, for the screen's cursor hook. */
struct form_cursor {
    int y, x;       /* x < 0: not in view */
};
void form_screen_draw(struct form *fm, WINDOW *w, int y, int x, int width, int height,
                      struct form_cursor *cur);
bool form_screen_cursor(const struct form_cursor *cur, bool busy, int *y, int *x);

/* A bordered box (ROLE_BORDER, TITLE in its top border) at y, x, h x wd
 * of w, its inside cleared: where an overlay draws over the screen below
 * without a window of its own. */
void common_box(WINDOW *w, int y, int x, int h, int wd, const char *title, unsigned tf);

#endif
