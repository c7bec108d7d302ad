/* vlist: a virtual list.  Contract in vlist.h.
 *
 * Nothing here loops over the rows of the source, only over the lines of
 * the view: that is what keeps a ten-million-row list as cheap as a short
 * one. */
#include "tui/vlist.h"

#include <string.h>

#include "tui/text.h"
#include "tui/theme.h"

/* Enough for a placeholder across any terminal: text_cell() cuts what does
 * not fit, with an ellipsis. */
#define PLACEHOLDER_MAX 1024

/* Lines the arithmetic works with: a view of 0 lines still has a cursor. */
static size_t span(const struct vlist *vl)
{
    return vl->height > 0 ? (size_t)vl->height : 1;
}

static size_t max_top(const struct vlist *vl)
{
    return vl->count > span(vl) ? vl->count - span(vl) : 0;
}

/* Restore the invariants in vlist.h.  Every movement sets cursor and top
 * to what it wants, then lets this one function clamp, so the rules live
 * in one place. */
static void settle(struct vlist *vl)
{
    if (vl->count == 0) {
        vl->top = vl->cursor = 0;
        return;
    }
    if (vl->cursor >= vl->count)
        vl->cursor = vl->count - 1;
    if (vl->top > max_top(vl))
        vl->top = max_top(vl);
    if (vl->cursor < vl->top)
        vl->top = vl->cursor;
    else if (vl->cursor - vl->top >= span(vl))
        vl->top = vl->cursor - span(vl) + 1;
}

void vlist_init(struct vlist *vl, const struct vlist_source *src, int height,
                unsigned text_flags)
{
    memset(vl, 0, sizeof *vl);
    vl->src = *src;
    vl->height = height > 0 ? height : 0;
    vl->text_flags = text_flags;
    vl->count = src->count ? src->count(src->ud) : 0;
    settle(vl);
}

void vlist_set_placeholder(struct vlist *vl, const char *text)
{
    vl->placeholder = text;
    vl->drawn.valid = false;
}

void vlist_move(struct vlist *vl, long delta)
{
    if (vl->count == 0)
        return;
    if (delta < 0) {
        /* -(delta + 1) + 1: LONG_MIN has no positive counterpart. */
        size_t d = (size_t)(-(delta + 1)) + 1;
        vl->cursor = d > vl->cursor ? 0 : vl->cursor - d;
    } else {
        size_t d = (size_t)delta, room = vl->count - 1 - vl->cursor;
        vl->cursor = d > room ? vl->count - 1 : vl->cursor + d;
    }
    settle(vl);
}

void vlist_scroll(struct vlist *vl, long delta)
{
    size_t top = vl->top, last = max_top(vl);

    if (delta < 0) {
        size_t d = (size_t)(-(delta + 1)) + 1;
        top = d > top ? 0 : top - d;
    } else {
        size_t d = (size_t)delta;
        top = d > last - top ? last : top + d;
    }
    vl->top = top;
    /* The cursor stays in view, at the edge the view moved away from. */
    if (vl->cursor < top)
        vl->cursor = top;
    else if (vl->cursor - top >= span(vl))
        vl->cursor = top + span(vl) - 1;
    settle(vl);
}

void vlist_hide_cursor(struct vlist *vl, bool hide)
{
    vl->no_cursor = hide;
    vl->drawn.valid = false;
}

void vlist_page_down(struct vlist *vl)
{
    size_t page = span(vl);

    if (vl->count == 0)
        return;
    if (vl->count - 1 - vl->cursor < page || vl->top == max_top(vl)) {
        vlist_end(vl);
        return;
    }
    vl->cursor += page;
    vl->top = vl->top + page > max_top(vl) ? max_top(vl) : vl->top + page;
    settle(vl);
}

void vlist_page_up(struct vlist *vl)
{
    size_t page = span(vl);

    if (vl->cursor < page || vl->top == 0) {
        vlist_home(vl);
        return;
    }
    vl->cursor -= page;
    vl->top = vl->top > page ? vl->top - page : 0;
    settle(vl);
}

void vlist_home(struct vlist *vl)
{
    vl->cursor = vl->top = 0;
}

void vlist_end(struct vlist *vl)
{
    vl->cursor = vl->count ? vl->count - 1 : 0;
    vl->top = max_top(vl);
    settle(vl);
}

void vlist_set_cursor(struct vlist *vl, size_t index)
{
    if (vl->count == 0)
        return;
    vl->cursor = index < vl->count ? index : vl->count - 1;
    if (vl->cursor < vl->top || vl->cursor - vl->top >= span(vl)) {
        size_t half = span(vl) / 2;
        vl->top = vl->cursor > half ? vl->cursor - half : 0;
    }
    settle(vl);
}

void vlist_resize(struct vlist *vl, int height)
{
    size_t line = vl->cursor - vl->top;

    vl->height = height > 0 ? height : 0;
    if (line >= span(vl))
        line = span(vl) - 1;
    vl->top = vl->cursor - line;
    settle(vl);
}

void vlist_set_count(struct vlist *vl, size_t count)
{
    vl->count = count;
    settle(vl);
}

bool vlist_cursor(const struct vlist *vl, size_t *index)
{
    if (vl->count == 0)
        return false;
    if (index)
        *index = vl->cursor;
    return true;
}

size_t vlist_top(const struct vlist *vl)
{
    return vl->top;
}

void vlist_invalidate(struct vlist *vl)
{
    vl->drawn.valid = false;
}

void vlist_invalidate_rows(struct vlist *vl, size_t first, size_t n)
{
    size_t last = n > (size_t)-1 - first ? (size_t)-1 : first + n;

    if (n == 0)
        return;
    if (vl->dirty_lo == vl->dirty_hi) {
        vl->dirty_lo = first;
        vl->dirty_hi = last;
        return;
    }
    /* One range, not a set: the rows in view are few, and redrawing a
     * clean one among them costs less than keeping a set. */
    if (first < vl->dirty_lo)
        vl->dirty_lo = first;
    if (last > vl->dirty_hi)
        vl->dirty_hi = last;
}

/* --- Drawing ------------------------------------------------------------- */

static void draw_line(struct vlist *vl, WINDOW *w, int y, int width)
{
    size_t index = vl->top + (size_t)y;
    bool selected = index == vl->cursor && !vl->no_cursor;
    attr_t attr = theme_attr(selected ? ROLE_SELECTED : ROLE_NORMAL);

    /* The fill gives a selected row its bar across the whole width, even
     * where the source draws nothing. */
    y += vl->y0;
    wattrset(w, (int)attr);
    mvwhline(w, y, 0, ' ' | attr, width);
    wmove(w, y, 0);
    vl->src.draw_row(vl->src.ud, w, y, width, index, selected);
    wattrset(w, (int)theme_attr(ROLE_NORMAL));
}

static void clear_line(const struct vlist *vl, WINDOW *w, int y)
{
    wattrset(w, (int)theme_attr(ROLE_NORMAL));
    wmove(w, vl->y0 + y, 0);
    wclrtoeol(w);
}

static int draw_placeholder(struct vlist *vl, WINDOW *w, int width)
{
    char buf[PLACEHOLDER_MAX];

    clear_line(vl, w, 0);
    if (!vl->placeholder)
        return 1;
    text_cell(buf, sizeof buf, vl->placeholder, strlen(vl->placeholder),
              (size_t)width, vl->text_flags | TEXT_ELLIPSIS);
    wattrset(w, (int)theme_attr(ROLE_DIM));
    mvwaddstr(w, vl->y0, 0, buf);
    wattrset(w, (int)theme_attr(ROLE_NORMAL));
    return 1;
}

static size_t rows_in_view(const struct vlist *vl, size_t count, int rows)
{
    size_t left = count > vl->top ? count - vl->top : 0;
    return left < (size_t)rows ? left : (size_t)rows;
}

static int draw_all(struct vlist *vl, WINDOW *w, int rows, int width)
{
    size_t n = rows_in_view(vl, vl->count, rows);
    int y = 0;

    if (vl->count == 0)
        y = draw_placeholder(vl, w, width);
    else if (n > 0 && vl->src.want)
        vl->src.want(vl->src.ud, vl->top, n);
    for (; (size_t)y < n; y++)
        draw_line(vl, w, y, width);
    /* Lines below the last row: a list that shrank leaves stale rows. */
    for (int blank = y; blank < rows; blank++)
        clear_line(vl, w, blank);
    return rows;
}

/* Redraw the view's lines [lo, hi) that hold rows; returns lines drawn. */
static int draw_range(struct vlist *vl, WINDOW *w, size_t lo, size_t hi,
                      size_t n, int width)
{
    int drawn = 0;

    if (hi > n)
        hi = n;
    if (lo >= hi)
        return 0;
    if (vl->src.want)
        vl->src.want(vl->src.ud, vl->top + lo, hi - lo);
    for (size_t y = lo; y < hi; y++, drawn++)
        draw_line(vl, w, (int)y, width);
    return drawn;
}

/* Only the cursor moved, or some rows' data changed: htop's trick of
 * repainting the old and the new cursor rows, so one keypress costs two
 * rows of work and a few dozen bytes on the wire. */
static int draw_changes(struct vlist *vl, WINDOW *w, int rows, int width)
{
    size_t n = rows_in_view(vl, vl->count, rows);
    size_t old = vl->drawn.cursor - vl->top, now = vl->cursor - vl->top;
    int drawn = 0;

    if (vl->cursor != vl->drawn.cursor) {
        if (vl->drawn.cursor >= vl->top && old < n)
            drawn += draw_range(vl, w, old, old + 1, n, width);
        drawn += draw_range(vl, w, now, now + 1, n, width);
    }
    if (vl->dirty_lo < vl->dirty_hi && vl->dirty_hi > vl->top) {
        size_t lo = vl->dirty_lo > vl->top ? vl->dirty_lo - vl->top : 0;
        drawn += draw_range(vl, w, lo, vl->dirty_hi - vl->top, n, width);
    }
    return drawn;
}

int vlist_draw(struct vlist *vl, WINDOW *w)
{
    return vlist_draw_at(vl, w, 0);
}

int vlist_draw_at(struct vlist *vl, WINDOW *w, int y)
{
    int below = getmaxy(w) - (y > 0 ? y : 0);
    int rows = vl->height < below ? vl->height : below;
    int width = getmaxx(w);
    int drawn;

    if (y != vl->y0)
        vl->drawn.valid = false;
    vl->y0 = y > 0 ? y : 0;

    if (vl->src.count)
        vlist_set_count(vl, vl->src.count(vl->src.ud));
    if (rows <= 0 || width <= 0)
        return 0;
    /* A new count may mean rows inserted or deleted above the view as well
     * as appended below it, and only the source knows which: redraw the
     * view.  Counts change when data arrives, not on every key. */
    if (!vl->drawn.valid || vl->drawn.top != vl->top || vl->drawn.rows != rows ||
        vl->drawn.width != width || vl->drawn.count != vl->count)
        drawn = draw_all(vl, w, rows, width);
    else
        drawn = draw_changes(vl, w, rows, width);
    vl->drawn.valid = true;
    vl->drawn.top = vl->top;
    vl->drawn.cursor = vl->cursor;
    vl->drawn.count = vl->count;
    vl->drawn.rows = rows;
    vl->drawn.width = width;
    vl->dirty_lo = vl->dirty_hi = 0;
    return drawn;
}
