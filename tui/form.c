/* form: labelled fields with one focus.  Contract in form.h. */
#include "tui/form.h"

#include <string.h>

#include "tui/text.h"
#include "tui/theme.h"

/* One drawn line; text_cell() cuts what does not fit. */
#define FORM_LINE_BUF 1024

void form_init(struct form *fm, unsigned text_flags)
{
    memset(fm, 0, sizeof *fm);
    fm->text_flags = text_flags & TEXT_ASCII;
}

struct field *form_add(struct form *fm, const char *label, unsigned flags,
                       size_t max_chars, size_t max_bytes)
{
    struct form_item *it;

    if (fm->count >= FORM_MAX_FIELDS)
        return NULL;
    it = &fm->items[fm->count++];
    memset(it, 0, sizeof *it);
    it->label = label ? label : "";
    field_init(&it->field, flags | fm->text_flags, max_chars, max_bytes);
    return &it->field;
}

struct field *form_field(struct form *fm, size_t i)
{
    return i < fm->count ? &fm->items[i].field : NULL;
}

void form_set_focus(struct form *fm, size_t i)
{
    if (i < fm->count)
        fm->focus = i;
}

void form_set_hint(struct form *fm, size_t i, const char *hint)
{
    if (i < fm->count)
        fm->items[i].hint = hint;
}

/* Sanitize once, when the message arrives: it may come from the server,
 * and a stored clean copy cannot be changed under us afterwards. */
static void copy_message(char *dst, size_t size, const char *msg,
                         unsigned tf)
{
    if (!msg)
        msg = "";
    text_sanitize(dst, size, msg, strlen(msg), tf, NULL);
}

void form_set_field_error(struct form *fm, size_t i, const char *msg)
{
    if (i < fm->count)
        copy_message(fm->items[i].error, FORM_ERROR_MAX, msg, fm->text_flags);
}

void form_set_error(struct form *fm, const char *msg)
{
    copy_message(fm->error, FORM_ERROR_MAX, msg, fm->text_flags);
}

static enum form_result move_focus(struct form *fm, int step, bool wrap)
{
    if (fm->count == 0)
        return FORM_UNHANDLED;
    if (step > 0 && fm->focus + 1 < fm->count)
        fm->focus++;
    else if (step > 0 && wrap)
        fm->focus = 0;
    else if (step < 0 && fm->focus > 0)
        fm->focus--;
    else if (step < 0 && wrap)
        fm->focus = fm->count - 1;
    return FORM_NONE;
}

void form_clear_errors(struct form *fm)
{
    for (size_t i = 0; i < fm->count; i++)
        fm->items[i].error[0] = '\0';
    fm->error[0] = '\0';
}

enum form_result form_edit(struct form *fm, tui_key key)
{
    struct form_item *it;
    unsigned long version;

    if (fm->count == 0)
        return FORM_UNHANDLED;
    it = &fm->items[fm->focus];
    version = it->field.version;
    if (!field_key(&it->field, key))
        return FORM_UNHANDLED;
    if (it->field.version == version)
        return FORM_NONE;
    it->error[0] = '\0';
    return FORM_CHANGED;
}

enum form_result form_key(struct form *fm, tui_key key)
{
    switch (key) {
    case TUI_KEY_ESC:
        return FORM_CANCEL;
    case '\t':
        return move_focus(fm, 1, true);
    case TUI_FN(KEY_BTAB):
        return move_focus(fm, -1, true);
    case TUI_FN(KEY_DOWN):
        return move_focus(fm, 1, false);
    case TUI_FN(KEY_UP):
        return move_focus(fm, -1, false);
    case '\n':
        if (fm->focus + 1 >= fm->count)
            return FORM_SUBMIT;
        return move_focus(fm, 1, false);
    default:
        break;
    }
    return form_edit(fm, key);
}

/* Columns a label takes once sanitized, as it will be drawn. */
static int label_width(const char *label, unsigned tf)
{
    char buf[FORM_LINE_BUF];

    return (int)text_cell(buf, sizeof buf, label, strlen(label),
                          FORM_LINE_BUF, tf);
}

/* The message as drawn: sanitized once more (hints are borrowed, not
 * copied), so wrapping measures exactly what reaches the screen. */
static void clean(char *buf, const char *msg, unsigned tf)
{
    text_sanitize(buf, FORM_LINE_BUF, msg, strlen(msg), tf, NULL);
}

/* Rows a message takes wrapped at w columns (at least one). */
static int wrapped_rows(const char *msg, int w, unsigned tf)
{
    char buf[FORM_LINE_BUF];
    size_t line, lw, step;
    int n = 0;

    if (w < 1)
        return 1;
    clean(buf, msg, tf);
    for (const char *s = buf; (step = text_wrap_next(s, (size_t)w, &line, &lw)) > 0; s += step)
        n++;
    return n > 0 ? n : 1;
}

static const char *item_message(const struct form_item *it)
{
    return it->error[0] ? it->error : it->hint && it->hint[0] ? it->hint : NULL;
}

void form_layout(const struct form *fm, int width, struct form_layout *lo)
{
    int labw = 0, row = 0;

    memset(lo, 0, sizeof *lo);
    if (width < 0)
        width = 0;
    for (size_t i = 0; i < fm->count; i++) {
        int w = label_width(fm->items[i].label, fm->text_flags);

        if (w > labw)
            labw = w;
    }
    lo->wide = labw < width && width - labw - 1 >= FORM_FIELD_MIN;
    for (size_t i = 0; i < fm->count; i++) {
        const struct form_item *it = &fm->items[i];
        struct form_slot *s = &lo->slot[i];

        s->label_row = row;
        if (lo->wide) {
            s->label_w = labw;
            s->field_row = row++;
            s->field_col = labw + 1;
            s->field_w = width - labw - 1;
        } else {
            s->label_w = width;
            s->field_row = ++row;
            s->field_w = width;
            row++;
        }
        s->msg_row = -1;
        if (item_message(it)) {
            s->msg_row = row;
            s->msg_col = s->field_col;
            s->msg_w = s->field_w;
            s->msg_rows = wrapped_rows(item_message(it), s->msg_w, fm->text_flags);
            row += s->msg_rows;
        }
    }
    lo->error_row = -1;
    if (fm->error[0]) {
        lo->error_row = row;
        lo->error_rows = wrapped_rows(fm->error, width, fm->text_flags);
        row += lo->error_rows;
    }
    lo->rows = row;
}

/* The first row to show so that the focused field, its label and (room
 * permitting) its message are in view, moving as little as possible from
 * the last position so the form does not jump on every Tab. */
static int scroll_top(const struct form_layout *lo, size_t focus, int height,
                      int top)
{
    const struct form_slot *s = &lo->slot[focus];
    int first = s->label_row, last = s->msg_row >= 0 ? s->msg_row + s->msg_rows - 1
                                                      : s->field_row;

    if (lo->rows <= height)
        return 0;
    if (last - first + 1 > height)
        last = s->field_row;
    if (last - first + 1 > height)
        first = s->field_row;
    if (top > first)
        top = first;
    if (top < last - height + 1)
        top = last - height + 1;
    if (top > lo->rows - height)
        top = lo->rows - height;
    return top < 0 ? 0 : top;
}

/* Draw s cut to w columns at a form row, if that row is in the area. */
static void put_line(WINDOW *win, int y, int x, int row, int col, int w,
                     const char *s, enum theme_role role, unsigned tf)
{
    char buf[FORM_LINE_BUF];

    if (row < 0 || w <= 0 || !s || !s[0])
        return;
    text_cell(buf, sizeof buf, s, strlen(s), (size_t)w, tf | TEXT_ELLIPSIS);
    wattrset(win, (int)theme_attr(role));
    mvwaddstr(win, y + row, x + col, buf);
}

/* A row of the form in area coordinates, or -1 when scrolled out. */
static int visible(int row, int top, int height)
{
    return row >= top && row < top + height ? row - top : -1;
}

/* A message wrapped over rows from row on, each row cut to the area. */
static void put_wrapped(WINDOW *win, int y, int x, int row, int col, int w,
                        const char *msg, enum theme_role role, int top, int height,
                        unsigned tf)
{
    char buf[FORM_LINE_BUF], one[FORM_LINE_BUF];
    size_t line, lw, step;

    if (row < 0 || w <= 0 || !msg || !msg[0])
        return;
    clean(buf, msg, tf);
    for (const char *s = buf; (step = text_wrap_next(s, (size_t)w, &line, &lw)) > 0;
         s += step, row++) {
        memcpy(one, s, line);
        one[line] = '\0';
        put_line(win, y, x, visible(row, top, height), col, w, one, role, tf);
    }
}

static void clear_area(WINDOW *win, int y, int x, int width, int height)
{
    wattrset(win, (int)theme_attr(ROLE_NORMAL));
    for (int r = 0; r < height; r++) {
        wmove(win, y + r, x);
        for (int c = 0; c < width; c++)
            waddch(win, ' ');
    }
}

int form_draw(struct form *fm, WINDOW *win, int y, int x, int width,
              int height)
{
    struct form_layout lo;
    int maxy, maxx, cy = -1, cx = -1;
    unsigned tf = fm->text_flags;
    attr_t old_attr;
    short old_pair;

    if (!win)
        return -1;
    getmaxyx(win, maxy, maxx);
    if (y < 0 || x < 0 || y >= maxy || x >= maxx || width <= 0 || height <= 0)
        return -1;
    width = width < maxx - x ? width : maxx - x;
    height = height < maxy - y ? height : maxy - y;
    form_layout(fm, width, &lo);
    if (fm->count > 0)
        fm->top = scroll_top(&lo, fm->focus, height, fm->top);
    wattr_get(win, &old_attr, &old_pair, NULL);
    clear_area(win, y, x, width, height);
    for (size_t i = 0; i < fm->count; i++) {
        struct form_item *it = &fm->items[i];
        const struct form_slot *s = &lo.slot[i];
        int row = visible(s->field_row, fm->top, height);

        put_line(win, y, x, visible(s->label_row, fm->top, height),
                 s->label_col, s->label_w, it->label, ROLE_NORMAL, tf);
        put_wrapped(win, y, x, s->msg_row, s->msg_col, s->msg_w, item_message(it),
                    it->error[0] ? ROLE_ERROR : ROLE_DIM, fm->top, height, tf);
        field_layout(&it->field, s->field_w);
        if (row >= 0) {
            int c = field_draw(&it->field, win, y + row, x + s->field_col,
                               s->field_w, i == fm->focus);
            if (c >= 0) {
                cy = y + row;
                cx = c;
            }
        }
    }
    put_wrapped(win, y, x, lo.error_row, 0, width, fm->error, ROLE_ERROR, fm->top,
                height, tf);
    wattr_set(win, old_attr, old_pair, NULL);
    if (cx < 0)
        return -1;
    wmove(win, cy, cx);
    return cx;
}

void form_free(struct form *fm)
{
    for (size_t i = 0; i < fm->count; i++)
        field_free(&fm->items[i].field);
    fm->count = 0;
    fm->focus = 0;
    fm->top = 0;
    fm->error[0] = '\0';
}
