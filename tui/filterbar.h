/* filterbar: the line where a list's filter is typed (htop's IncSet).
 * The screen maps the keys: '/' opens the bar, and while the bar is
 * editing, keys go to filterbar_key() first; what it does not use (Enter,
 * Esc, Up, Down, PgDn ...) is the screen's, which calls filterbar_accept
 * on its "submit" action, filterbar_cancel on its "back" action, and may
 * move its list with the arrows meanwhile, as htop does.
 *
 * Typing narrows: filterbar_key() says when the text changed, and the
 * screen runs the new query (at once, or after a pause it times itself).
 * What the text means is the screen's business (client/filter.h splits
 * "status:new !assigned:me smith"); when it cannot make sense of it the
 * screen says so with filterbar_set_error(), shown beside the text, and
 * keeps the last good filter in force.
 *
 * Esc puts the cursor back.  filterbar_open() takes the key of the row
 * under the cursor (and its line in the view) while no filter is in
 * force, and filterbar_cancel() clears the text, closes the bar and gives
 * that row back, for the screen to re-anchor its list on it (rowset_
 * reload_at).  Opening again to edit a filter in force keeps the row saved
 * the first time, so Esc returns to where the user was before filtering.
 *
 * Shown.  While editing: "Filter: " and the text with its cursor; with a
 * filter in force and the keyboard back on the list: the same, dim, so
 * the filter in force is always on screen.  filterbar_shown() tells the
 * screen whether to give the bar a line.
 *
 * Ownership and lifetime.  struct filterbar is the caller's (in a
 * screen's state); filterbar_init() first, filterbar_free() at the end
 * (it frees the text field's buffer).  The saved key is copied.         */
#ifndef LUMEN_TUI_FILTERBAR_H
#define LUMEN_TUI_FILTERBAR_H

#include <curses.h>
#include <stdbool.h>
#include <stddef.h>

#include "tui/field.h"
#include "tui/key.h"

#define FILTERBAR_KEY_MAX 128           /* as ROWSET_KEY_MAX */
#define FILTERBAR_TEXT_MAX 512          /* as FILTER_TEXT_MAX */
#define FILTERBAR_ERROR_MAX 160

struct filterbar {
    struct field field;
    bool editing;
    bool saved;                         /* a row to go back to */
    unsigned char key[FILTERBAR_KEY_MAX];
    size_t key_len;
    int line;
    char error[FILTERBAR_ERROR_MAX];    /* "" when the text made sense */
};

/* text_flags: the TUI's text_locale_flags(). */
void filterbar_init(struct filterbar *fb, unsigned text_flags);
void filterbar_free(struct filterbar *fb);

/* '/': the bar takes the keyboard, its text kept for editing.  key (len
 * bytes, NULL when the list is empty) and line: the row under the cursor,
 * saved unless a filter is already in force (see above). */
void filterbar_open(struct filterbar *fb, const void *key, size_t len, int line);

/* A key while editing.  True when the bar used it; *changed (may be NULL)
 * is set when the text changed.  False, and nothing changes, when the bar
 * is not editing or the key is not a text-editing key. */
bool filterbar_key(struct filterbar *fb, tui_key key, bool *changed);

/* Enter: the keyboard goes back to the list, the filter stays in force
 * (an empty text is no filter: the saved row is forgotten). */
void filterbar_accept(struct filterbar *fb);

/* Esc: the text and the error are cleared and the bar closes.  Returns
 * true with the saved row (pointers into fb, valid until the next open)
 * when there is one to go back to. */
bool filterbar_cancel(struct filterbar *fb, const void **key, size_t *len, int *line);

/* The text (never NULL) and its length in bytes. */
const char *filterbar_text(const struct filterbar *fb, size_t *len);
bool filterbar_editing(const struct filterbar *fb);
/* Editing, or a filter in force: the bar wants its line. */
bool filterbar_shown(const struct filterbar *fb);

/* The screen's verdict on the text: msg (untrusted text is fine: it is
 * sanitized when drawn) or NULL when it made sense. */
void filterbar_set_error(struct filterbar *fb, const char *msg);

/* Draw the bar on line y of w, columns [x, x+width).  Returns the window
 * column of the text cursor while editing (the caller puts the terminal
 * cursor there), else -1. */
int filterbar_draw(struct filterbar *fb, WINDOW *w, int y, int x, int width);

#endif
