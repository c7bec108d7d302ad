/* dialog: modal confirm dialog and message box.  Contract in dialog.h. */
#include "tui/dialog.h"

#include <stdio.h>
#include <string.h>

#include "tui/text.h"
#include "tui/theme.h"

#define BUTTON_GAP 4             /* columns between the two buttons */
#define BUTTONS_BOTH_MIN 7       /* below this, only the highlighted one */
#define DIALOG_LINE_BUF 1024

/* "[y] " + the sanitized label, cut on a character boundary. */
static void make_label(char *dst, const char *key, const char *label,
                       unsigned tf)
{
    char raw[DIALOG_LABEL_MAX];

    snprintf(raw, sizeof raw, "%s%s%s%s", key && key[0] ? "[" : "", key ? key : "",
             key && key[0] ? "] " : "", label ? label : "");
    text_sanitize(dst, DIALOG_LABEL_MAX, raw, strlen(raw), tf, NULL);
}

static void dialog_setup(struct dialog *d, const char *title,
                         const char *text, unsigned flags)
{
    unsigned tf = flags & TEXT_ASCII;

    memset(d, 0, sizeof *d);
    d->flags = flags;
    if (!title)
        title = "";
    if (!text)
        text = "";
    text_sanitize(d->title, sizeof d->title, title, strlen(title), tf, NULL);
    text_sanitize(d->text, sizeof d->text, text, strlen(text),
                  tf | TEXT_MULTILINE, NULL);
}

void dialog_confirm(struct dialog *d, const char *title, const char *text,
                    const char *yes_key, const char *yes_label,
                    const char *no_key, const char *no_label, unsigned flags)
{
    dialog_setup(d, title, text, flags);
    make_label(d->yes, yes_key, yes_label, flags & TEXT_ASCII);
    make_label(d->no, no_key, no_label, flags & TEXT_ASCII);
}

void dialog_message(struct dialog *d, const char *title, const char *text,
                    unsigned flags)
{
    dialog_setup(d, title, text, flags & ~(unsigned)DIALOG_DANGER);
    d->message_only = true;
    d->yes_selected = true;
    make_label(d->yes, NULL, " OK ", 0);
}

enum dialog_result dialog_key(struct dialog *d, tui_key key)
{
    if (d->message_only) {
        switch (key) {
        case '\n': case ' ': case 'o': case 'O': case 'q': case TUI_KEY_ESC:
            return DIALOG_YES;
        default:
            return DIALOG_NONE;
        }
    }
    switch (key) {
    case '\n':
        return d->yes_selected ? DIALOG_YES : DIALOG_NO;
    case TUI_FN(KEY_LEFT): case 'h':
        d->yes_selected = true;
        return DIALOG_NONE;
    case TUI_FN(KEY_RIGHT): case 'l':
        d->yes_selected = false;
        return DIALOG_NONE;
    case '\t': case TUI_FN(KEY_BTAB):
        d->yes_selected = !d->yes_selected;
        return DIALOG_NONE;
    default:
        return DIALOG_NONE;
    }
}

int dialog_text_rows(const struct dialog *d, int cols)
{
    const char *s = d->text;
    size_t line, w, step;
    int n = 0;

    if (cols < 1)
        return 0;
    while ((step = text_wrap_next(s, (size_t)cols, &line, &w)) > 0) {
        s += step;
        n++;
    }
    return n;
}

/* Columns the box's content wants: the widest wrapped message line, the
 * buttons side by side, the title with a space either side. */
static int content_width(const struct dialog *d)
{
    const char *s = d->text;
    size_t line, w, step, want = text_width(d->title) + 2;
    size_t buttons = text_width(d->yes);

    if (!d->message_only)
        buttons += BUTTON_GAP + text_width(d->no);
    if (buttons > want)
        want = buttons;
    while ((step = text_wrap_next(s, DIALOG_WRAP, &line, &w)) > 0) {
        if (w > want)
            want = w;
        s += step;
    }
    return want < 1 ? 1 : (int)want;
}

/* ---- layout */

void dialog_layout(const struct dialog *d, int rows, int cols,
                   struct dialog_layout *lo)
{
    int frame, pad, lines, avail, t, gap_below, gap_above, buttons;

    memset(lo, 0, sizeof *lo);
    lo->buttons_y = -1;
    if (rows <= 0 || cols <= 0)
        return;
    lo->border = rows >= 3 && cols >= 4;
    frame = lo->border ? 1 : 0;
    pad = lo->border && cols >= 8 ? 1 : 0;
    lo->w = content_width(d) + 2 * (frame + pad);
    if (lo->w > cols)
        lo->w = cols;
    lo->text_w = lo->w - 2 * (frame + pad);
    lines = dialog_text_rows(d, lo->text_w);
    /* Rows go, in order of need, to the buttons, the message, the blank
     * row above the buttons and the blank row under the title. */
    avail = rows - 2 * frame;
    buttons = avail > 0;
    avail -= buttons;
    t = lines < avail ? lines : avail;
    avail -= t;
    gap_below = avail > 0 && t > 0;
    avail -= gap_below;
    gap_above = avail > 0 && t > 0;
    lo->h = buttons + t + gap_below + gap_above + 2 * frame;
    lo->y = (rows - lo->h) / 2;
    lo->x = (cols - lo->w) / 2;
    lo->text_rows = t;
    lo->text_y = lo->y + frame + gap_above;
    lo->text_x = lo->x + frame + pad;
    if (buttons)
        lo->buttons_y = lo->text_y + t + gap_below;
}

/* ---- drawing */

static void put_text(WINDOW *win, int y, int x, int w, const char *s,
                     size_t len, attr_t attr, unsigned tf)
{
    char buf[DIALOG_LINE_BUF];

    if (w <= 0)
        return;
    text_cell(buf, sizeof buf, s, len, (size_t)w, tf | TEXT_ELLIPSIS);
    wattrset(win, (int)attr);
    mvwaddstr(win, y, x, buf);
}

/* The last row there is room for, when the message goes on: the rest of
 * it on one line, cut with an ellipsis, so the reader sees it was cut. */
static void put_rest(WINDOW *win, int y, int x, int w, const char *s,
                     unsigned tf)
{
    char rest[DIALOG_TEXT_MAX];
    size_t n = strlen(s);

    if (n >= sizeof rest)
        n = sizeof rest - 1;
    for (size_t i = 0; i < n; i++)
        rest[i] = s[i] == '\n' ? ' ' : s[i];
    rest[n] = '\0';
    put_text(win, y, x, w, rest, n, theme_attr(ROLE_NORMAL), tf);
}

static void draw_box(WINDOW *win, const struct dialog_layout *lo,
                     const struct dialog *d, unsigned tf)
{
    attr_t b = theme_attr(ROLE_BORDER);
    int bottom = lo->y + lo->h - 1, right = lo->x + lo->w - 1;

    wattrset(win, (int)theme_attr(ROLE_NORMAL));
    for (int r = lo->y; r <= bottom; r++) {
        wmove(win, r, lo->x);
        for (int c = 0; c < lo->w; c++)
            waddch(win, ' ');
    }
    if (!lo->border)
        return;
    wattrset(win, (int)b);
    mvwhline(win, lo->y, lo->x + 1, ACS_HLINE, lo->w - 2);
    mvwhline(win, bottom, lo->x + 1, ACS_HLINE, lo->w - 2);
    mvwvline(win, lo->y + 1, lo->x, ACS_VLINE, lo->h - 2);
    mvwvline(win, lo->y + 1, right, ACS_VLINE, lo->h - 2);
    mvwaddch(win, lo->y, lo->x, ACS_ULCORNER | b);
    mvwaddch(win, lo->y, right, ACS_URCORNER | b);
    mvwaddch(win, bottom, lo->x, ACS_LLCORNER | b);
    mvwaddch(win, bottom, right, ACS_LRCORNER | b);
    if (lo->w >= 6 && d->title[0]) {
        char title[DIALOG_TITLE_MAX + 2];

        title[0] = ' ';
        memcpy(title + 1, d->title, strlen(d->title));
        memcpy(title + 1 + strlen(d->title), " ", 2);
        put_text(win, lo->y, lo->x + 2, lo->w - 4, title, strlen(title),
                 theme_attr(ROLE_TITLE), tf);
    }
}

static attr_t button_attr(const struct dialog *d, bool yes)
{
    bool lit = yes == d->yes_selected;

    if (yes && (d->flags & DIALOG_DANGER))
        return theme_attr(ROLE_DANGER) | (lit ? A_REVERSE : 0);
    return theme_attr(lit ? ROLE_SELECTED : ROLE_NORMAL);
}

static void draw_buttons(WINDOW *win, const struct dialog_layout *lo,
                         const struct dialog *d, unsigned tf)
{
    int y = lo->buttons_y, x = lo->text_x, w = lo->text_w;
    int yw = (int)text_width(d->yes), nw = (int)text_width(d->no);
    int half;

    if (y < 0 || w <= 0)
        return;
    if (d->message_only || w < BUTTONS_BOTH_MIN) {
        /* Too narrow for two: the one Enter would choose. */
        const char *s = d->yes_selected ? d->yes : d->no;
        int sw = (int)text_width(s);

        put_text(win, y, x + (sw < w ? (w - sw) / 2 : 0), w, s, strlen(s),
                 button_attr(d, d->yes_selected), tf);
        return;
    }
    if (yw + BUTTON_GAP + nw <= w) {
        x += (w - (yw + BUTTON_GAP + nw)) / 2;
        put_text(win, y, x, yw, d->yes, strlen(d->yes), button_attr(d, true),
                 tf);
        put_text(win, y, x + yw + BUTTON_GAP, nw, d->no, strlen(d->no),
                 button_attr(d, false), tf);
        return;
    }
    half = (w - 1) / 2;
    put_text(win, y, x, half, d->yes, strlen(d->yes), button_attr(d, true),
             tf);
    put_text(win, y, x + half + 1, w - half - 1, d->no, strlen(d->no),
             button_attr(d, false), tf);
}

void dialog_draw(const struct dialog *d, WINDOW *win)
{
    struct dialog_layout lo;
    unsigned tf = d->flags & TEXT_ASCII;
    const char *s = d->text;
    attr_t old_attr;
    short old_pair;

    if (!win)
        return;
    dialog_layout(d, getmaxy(win), getmaxx(win), &lo);
    if (lo.h <= 0 || lo.w <= 0)
        return;
    wattr_get(win, &old_attr, &old_pair, NULL);
    draw_box(win, &lo, d, tf);
    for (int r = 0; r < lo.text_rows; r++) {
        size_t line, w, step = text_wrap_next(s, (size_t)lo.text_w, &line, &w);

        if (r == lo.text_rows - 1 && s[step])
            put_rest(win, lo.text_y + r, lo.text_x, lo.text_w, s, tf);
        else
            put_text(win, lo.text_y + r, lo.text_x, lo.text_w, s, line,
                     theme_attr(ROLE_NORMAL), tf);
        s += step;
    }
    draw_buttons(win, &lo, d, tf);
    wattr_set(win, old_attr, old_pair, NULL);
}
