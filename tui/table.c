/* table: columns, a header row and rows of cells in a rectangle.
 * Contract in table.h. */
#include "tui/table.h"

#include <string.h>

#include "tui/text.h"

/* A cell is cut to its column; 4 bytes a column covers any UTF-8 text of
 * a 250-column cell, and text_cell() ends what does not fit with "…". */
#define CELL_MAX 1024

void table_init(struct table *t, const struct table_column *cols, int ncols,
                unsigned flags, unsigned text_flags)
{
    memset(t, 0, sizeof *t);
    t->cols = cols;
    t->ncols = ncols < 0 ? 0 : ncols > TABLE_MAX_COLS ? TABLE_MAX_COLS : ncols;
    t->flags = flags;
    t->text_flags = text_flags;
    t->laid_out = -1;
}

/* --- Layout: arithmetic only --------------------------------------------- */

static bool shared(const struct table_column *c)
{
    return c->width <= 0 && c->share > 0;
}

/* What the first n columns need at least: fixed widths, the minimums of
 * shared ones, and a gap between each two. */
static int needed(const struct table *t, int n)
{
    int sum = n > 0 ? n - 1 : 0;
    for (int i = 0; i < n; i++) {
        const struct table_column *c = &t->cols[i];
        sum += shared(c) ? (c->min > 0 ? c->min : 0) : (c->width > 0 ? c->width : 0);
    }
    return sum;
}

/* Share pool columns out among the shared columns of the first n by their
 * shares; a column whose share falls below its minimum gets the minimum
 * and leaves the pool, and the rest is shared again, so shares hold among
 * the columns that are not held up by a minimum. */
static void share_out(struct table *t, int n, int pool)
{
    bool fixed[TABLE_MAX_COLS] = { false };
    int shares = 0, again = 1;

    for (int i = 0; i < n; i++)
        if (shared(&t->cols[i]))
            shares += t->cols[i].share;
    while (again && shares > 0) {
        again = 0;
        for (int i = 0; i < n; i++) {
            const struct table_column *c = &t->cols[i];
            if (!shared(c) || fixed[i] || (long)pool * c->share / shares >= c->min)
                continue;
            fixed[i] = true;
            t->width[i] = c->min;
            pool -= c->min;
            shares -= c->share;
            again = 1;
        }
    }
    int left = pool;
    for (int i = 0; i < n; i++)
        if (shared(&t->cols[i]) && !fixed[i]) {
            t->width[i] = (int)((long)pool * t->cols[i].share / shares);
            left -= t->width[i];
        }
    /* The rounding's leftovers, one each from the left: the row is filled
     * to the last column. */
    for (int i = 0; i < n && left > 0; i++)
        if (shared(&t->cols[i]) && !fixed[i]) {
            t->width[i]++;
            left--;
        }
}

int table_layout(struct table *t, int width)
{
    int avail = width - ((t->flags & TABLE_MARKS) ? TABLE_MARK_COLS : 0);
    int n = t->ncols, x, pool;

    memset(t->width, 0, sizeof t->width);
    memset(t->x, 0, sizeof t->x);
    t->laid_out = width;
    if (avail <= 0 || n == 0)
        return 0;
    while (n > 1 && needed(t, n) > avail)
        n--;
    pool = avail - (n - 1);
    for (int i = 0; i < n; i++)
        if (!shared(&t->cols[i])) {
            t->width[i] = t->cols[i].width > 0 ? t->cols[i].width : 0;
            pool -= t->width[i];
        }
    share_out(t, n, pool);
    x = (t->flags & TABLE_MARKS) ? TABLE_MARK_COLS : 0;
    for (int i = 0; i < n; i++) {
        if (x + t->width[i] > width)        /* one column wider than all */
            t->width[i] = width - x;
        t->x[i] = x;
        x += t->width[i] + 1;
    }
    return n;
}

int table_column_width(const struct table *t, int col)
{
    return col >= 0 && col < t->ncols ? t->width[col] : 0;
}

int table_column_x(const struct table *t, int col)
{
    return col >= 0 && col < t->ncols ? t->x[col] : 0;
}

/* --- Drawing --------------------------------------------------------------- */

void table_invalidate(struct table *t)
{
    t->drawn.valid = false;
}

void table_invalidate_row(struct table *t, int64_t row)
{
    /* A few rows, kept apart: a range would redraw the rows between two
     * tags.  More than a few at once is as good as everything. */
    if (t->ndirty < TABLE_DIRTY_MAX)
        t->dirty[t->ndirty] = row;
    if (t->ndirty <= TABLE_DIRTY_MAX)
        t->ndirty++;
}

/* text, sanitized and cut to cols, at (y, x) in cols columns: padded on
 * the right, or on the left for TABLE_RIGHT. */
static void put_cell(const struct table *t, WINDOW *w, int y, int x, int cols,
                     const char *text, enum table_align align, attr_t attr)
{
    char buf[CELL_MAX];
    size_t wd;

    if (cols <= 0)
        return;
    if (!text)
        text = "";
    wd = text_cell(buf, sizeof buf, text, strlen(text), (size_t)cols,
                   t->text_flags | TEXT_ELLIPSIS | (align == TABLE_LEFT ? TEXT_PAD : 0));
    wattrset(w, (int)attr);
    mvwaddstr(w, y, x + (align == TABLE_RIGHT && (int)wd < cols ? cols - (int)wd : 0), buf);
}

static void blank_line(WINDOW *w, int y, int x, int width, attr_t attr)
{
    wattrset(w, (int)attr);
    mvwhline(w, y, x, ' ' | attr, width);
}

static void draw_header(const struct table *t, WINDOW *w, const struct table_rect *r)
{
    attr_t a = theme_attr(ROLE_TITLE);

    blank_line(w, r->y, r->x, r->w, theme_attr(ROLE_NORMAL));
    for (int i = 0; i < t->ncols; i++)
        put_cell(t, w, r->y, r->x + t->x[i], t->width[i], t->cols[i].title,
                 t->cols[i].align, a);
}

/* The selected row keeps its reverse whatever a cell adds; colour pairs
 * are a field, not flags, so a cell's own colour gives way to the bar's. */
static attr_t cell_attr(const struct table_cell *c, bool selected)
{
    if (selected)
        return theme_attr(ROLE_SELECTED) | (c->attr & ~A_COLOR);
    return theme_attr(c->role) | c->attr;
}

static void draw_row(const struct table *t, WINDOW *w, const struct table_rect *r,
                     const struct table_view *v, int64_t row, table_row_fn fn, void *ud)
{
    struct table_cell cells[TABLE_MAX_COLS];
    int y = r->y + 1 + (int)(row - v->first);
    bool selected = v->has_cursor && row == v->cursor;
    attr_t base = theme_attr(selected ? ROLE_SELECTED : ROLE_NORMAL);
    unsigned flags;

    memset(cells, 0, sizeof cells);
    flags = fn(ud, row, cells);
    /* The fill gives a selected row its bar across the whole rectangle,
     * gaps and all. */
    blank_line(w, y, r->x, r->w, base);
    if ((t->flags & TABLE_MARKS) && (flags & TABLE_ROW_TAGGED))
        put_cell(t, w, y, r->x, 1, "*", TABLE_LEFT, base | A_BOLD);
    if (flags & TABLE_ROW_MISSING) {
        put_cell(t, w, y, r->x + t->x[0], t->width[0],
                 (t->text_flags & TEXT_ASCII) ? "..." : "…", TABLE_LEFT,
                 selected ? base : theme_attr(ROLE_DIM));
        return;
    }
    for (int i = 0; i < t->ncols; i++)
        put_cell(t, w, y, r->x + t->x[i], t->width[i], cells[i].text, t->cols[i].align,
                 cell_attr(&cells[i], selected));
}

static int draw_all(struct table *t, WINDOW *w, const struct table_rect *r,
                    const struct table_view *v, table_row_fn fn, void *ud)
{
    int lines = r->h - 1, rows = v->rows < lines ? v->rows : lines;

    draw_header(t, w, r);
    for (int i = 0; i < rows; i++)
        draw_row(t, w, r, v, v->first + i, fn, ud);
    for (int i = rows < 0 ? 0 : rows; i < lines; i++)
        blank_line(w, r->y + 1 + i, r->x, r->w, theme_attr(ROLE_NORMAL));
    if (rows <= 0 && v->empty && lines > 0)
        put_cell(t, w, r->y + 1, r->x, r->w, v->empty, TABLE_LEFT, theme_attr(ROLE_DIM));
    return r->h;
}

static bool in_view(const struct table_rect *r, const struct table_view *v, int64_t row)
{
    int lines = r->h - 1, rows = v->rows < lines ? v->rows : lines;
    return row >= v->first && row - v->first < rows;
}

static bool dirty(const struct table *t, int64_t row)
{
    for (int i = 0; i < t->ndirty && i < TABLE_DIRTY_MAX; i++)
        if (t->dirty[i] == row)
            return true;
    return false;
}

/* Whether dirty[i] came up earlier in the list: each row is drawn once. */
static bool dirty_before(const struct table *t, int i)
{
    for (int j = 0; j < i; j++)
        if (t->dirty[j] == t->dirty[i])
            return true;
    return false;
}

/* Only the cursor moved, or some rows changed: htop's trick of repainting
 * the old and the new cursor rows, a few dozen bytes on the wire. */
static int draw_changes(struct table *t, WINDOW *w, const struct table_rect *r,
                        const struct table_view *v, table_row_fn fn, void *ud)
{
    const struct table_view *old = &t->drawn.view;
    int drawn = 0;

    if (old->has_cursor != v->has_cursor || (v->has_cursor && old->cursor != v->cursor)) {
        if (old->has_cursor && in_view(r, v, old->cursor) && !dirty(t, old->cursor)) {
            draw_row(t, w, r, v, old->cursor, fn, ud);
            drawn++;
        }
        if (v->has_cursor && in_view(r, v, v->cursor) && !dirty(t, v->cursor) &&
            !(old->has_cursor && old->cursor == v->cursor)) {
            draw_row(t, w, r, v, v->cursor, fn, ud);
            drawn++;
        }
    }
    for (int i = 0; i < t->ndirty; i++)
        if (in_view(r, v, t->dirty[i]) && !dirty_before(t, i)) {
            draw_row(t, w, r, v, t->dirty[i], fn, ud);
            drawn++;
        }
    return drawn;
}

/* The rectangle cut to the window, so no line or column is written
 * outside it whatever the caller asked. */
static struct table_rect clip(WINDOW *w, const struct table_rect *r)
{
    struct table_rect c = *r;
    int maxy = getmaxy(w), maxx = getmaxx(w);

    if (c.y < 0 || c.x < 0 || c.y >= maxy || c.x >= maxx)
        return (struct table_rect){ 0, 0, 0, 0 };
    if (c.h > maxy - c.y)
        c.h = maxy - c.y;
    if (c.w > maxx - c.x)
        c.w = maxx - c.x;
    return c;
}

static bool same_rect(const struct table_rect *a, const struct table_rect *b)
{
    return a->y == b->y && a->x == b->x && a->h == b->h && a->w == b->w;
}

int table_draw(struct table *t, WINDOW *w, const struct table_rect *rect,
               const struct table_view *view, table_row_fn row, void *ud)
{
    struct table_rect r = clip(w, rect);
    const struct table_view *old = &t->drawn.view;
    int drawn;

    if (r.h <= 0 || r.w <= 0)
        return 0;
    if (t->laid_out != r.w)
        table_layout(t, r.w);
    /* A new first row, row count or version may mean any line shows other
     * data; these change when data arrives or the view scrolls, not on
     * every key. */
    if (!t->drawn.valid || !same_rect(&r, &t->drawn.rect) || old->first != view->first ||
        old->rows != view->rows || old->version != view->version || old->empty != view->empty ||
        t->ndirty > TABLE_DIRTY_MAX)
        drawn = draw_all(t, w, &r, view, row, ud);
    else
        drawn = draw_changes(t, w, &r, view, row, ud);
    wattrset(w, (int)theme_attr(ROLE_NORMAL));
    t->drawn.valid = true;
    t->drawn.rect = r;
    t->drawn.view = *view;
    t->ndirty = 0;
    return drawn;
}
