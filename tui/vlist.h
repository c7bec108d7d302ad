/* vlist: a virtual list.  It asks its data source for the rows in view and
 * never holds a table: its state is a few numbers, the same for ten rows or
 * ten million, and no call does work in proportion to the row count.
 *
 * Model and view are apart.  The movement functions (vlist_move ...
 * vlist_set_count) are plain arithmetic on struct vlist: no terminal, no
 * source calls, testable as such.  vlist_draw() is the only function that
 * touches curses or calls the source.
 *
 * Invariants after every call: with no rows, top = cursor = 0; otherwise
 * cursor < count, the cursor is in view (top <= cursor < top + height),
 * and the view is as full as the rows allow (top <= count - height when
 * count >= height, else top = 0).  A height below 1 counts as 1 for
 * these rules, so the cursor stays meaningful while the window is tiny.
 *
 * Drawing only what changed.  vlist_draw() remembers what it last drew.
 * When only the cursor moved within the view it redraws the old and the
 * new cursor rows (two draw_row calls); when the view scrolled or resized,
 * or the source's count changed, it redraws the whole view; when nothing
 * changed it draws nothing.  vlist_invalidate() forces a full
 * redraw (after Ctrl-L, a theme change, or a new window);
 * vlist_invalidate_rows() redraws rows whose data changed (an async fetch
 * landed).  The widget never calls wrefresh, wnoutrefresh or doupdate:
 * refreshing is the main loop's, once per turn.
 *
 * Window.  The list owns rows y .. y+height-1 of the window it is drawn in
 * (vlist_draw_at; y is 0 for vlist_draw) across the full width (getmaxx):
 * a rectangle of the screen's body, below the screen's own header lines.
 * No window of its own is needed, and none should be kept: a subwindow of
 * a body that a resize replaces would outlive it.
 *
 * Ownership and lifetime: struct vlist is the caller's (on the stack or in
 * a screen's state) and needs no cleanup; it copies the source struct, but
 * the source's ud and the placeholder string are the caller's and must
 * outlive it.  Fields are private: use the functions.                   */
#ifndef LUMEN_TUI_VLIST_H
#define LUMEN_TUI_VLIST_H

#include <curses.h>
#include <stdbool.h>
#include <stddef.h>

/* Where the rows come from.  ud is passed back to every callback. */
struct vlist_source {
    /* How many rows there are now; cheap, called once per vlist_draw(). */
    size_t (*count)(void *ud);
    /* Optional (NULL): rows [first, first+n) are about to be drawn, all of
     * them in view.  An async source starts fetching what it lacks here
     * and calls vlist_invalidate_rows() when the rows arrive. */
    void (*want)(void *ud, size_t first, size_t n);
    /* Draw row index on line y of w, in columns [0, width).  On entry the
     * line is already filled with spaces in the row's role (ROLE_SELECTED
     * when selected, else ROLE_NORMAL), that role is the window's current
     * attribute, and the cursor is at (y, 0): plain waddstr text takes the
     * row's look.  A source drawing columns moves with wmove(w, y, x) and
     * may OR in other roles, but must keep ROLE_SELECTED's reverse on a
     * selected row, stay on line y and within width, and pass every
     * database string through text_cell().  A row not yet fetched draws a
     * placeholder (ROLE_DIM "…"). */
    void (*draw_row)(void *ud, WINDOW *w, int y, int width, size_t index,
                     bool selected);
    void *ud;
};

struct vlist {
    struct vlist_source src;
    size_t count, top, cursor;
    int height;
    int y0;                         /* the window row of the first line */
    bool no_cursor;                 /* a pager: no row is drawn selected */
    const char *placeholder;
    unsigned text_flags;
    struct {                        /* what the window shows */
        bool valid;
        size_t top, cursor, count;
        int rows, width;
    } drawn;
    size_t dirty_lo, dirty_hi;      /* rows whose data changed, [lo, hi) */
};

/* Start with the cursor on row 0 and the source's current count.
 * text_flags are text_locale_flags(), for the placeholder. */
void vlist_init(struct vlist *vl, const struct vlist_source *src, int height,
                unsigned text_flags);

/* A pager (help, a transcript): the cursor is kept but not drawn, so no
 * row looks selected; move it with vlist_scroll and the page functions. */
void vlist_hide_cursor(struct vlist *vl, bool hide);

/* The line shown, in ROLE_DIM, when there are no rows ("No leads yet");
 * NULL for none.  The string is the caller's and must outlive the list. */
void vlist_set_placeholder(struct vlist *vl, const char *text);

/* --- Arithmetic: no terminal, no source calls ---------------------------- */

/* By delta rows (negative: up), stopping at either end; the view scrolls
 * just enough to keep the cursor in it. */
void vlist_move(struct vlist *vl, long delta);

/* A page is the view's height.  The view and the cursor move together, so
 * the cursor keeps its line; at either end the cursor goes to the first or
 * last row. */
void vlist_page_down(struct vlist *vl);
void vlist_page_up(struct vlist *vl);

/* The view by delta rows (a pager's j/k), stopping at either end; the
 * cursor stays in view, pushed along by the edge that passes it. */
void vlist_scroll(struct vlist *vl, long delta);

/* First row (g) and last row (G). */
void vlist_home(struct vlist *vl);
void vlist_end(struct vlist *vl);

/* To row index (clamped to the last row).  If it is in view the view stays;
 * else the view centres it, as far as the ends allow (a search hit). */
void vlist_set_cursor(struct vlist *vl, size_t index);

/* A new view height.  The cursor keeps its line where that line still
 * exists (else it goes to the last line); at the end of the list the view
 * grows upwards so that it stays full. */
void vlist_resize(struct vlist *vl, int height);

/* The source now has count rows: rows appended leave cursor and view alone,
 * a shorter list clamps them.  vlist_draw() calls this itself with the
 * source's count; call it directly to move the cursor before drawing. */
void vlist_set_count(struct vlist *vl, size_t count);

/* The row under the cursor into *index; false when the list is empty. */
bool vlist_cursor(const struct vlist *vl, size_t *index);

/* The first row in view. */
size_t vlist_top(const struct vlist *vl);

/* --- Drawing ------------------------------------------------------------- */

/* Next vlist_draw() redraws everything in view. */
void vlist_invalidate(struct vlist *vl);

/* Next vlist_draw() redraws rows [first, first+n) that are in view. */
void vlist_invalidate_rows(struct vlist *vl, size_t first, size_t n);

/* Reads the source's count, then draws what changed into w (see above).
 * Returns the number of window lines it wrote, 0 when nothing changed: the
 * caller may skip wnoutrefresh then. */
int vlist_draw(struct vlist *vl, WINDOW *w);
/* The same, from row y of w down (a new y redraws everything). */
int vlist_draw_at(struct vlist *vl, WINDOW *w, int y);

#endif
