/* field: one-line UTF-8 text field.  Contract in field.h. */
#include "tui/field.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "tui/theme.h"

_Static_assert((FIELD_MASKED & (TEXT_ASCII | TEXT_MULTILINE | TEXT_ELLIPSIS |
                                TEXT_PAD)) == 0 &&
               (FIELD_DIGITS & (TEXT_ASCII | TEXT_MULTILINE | TEXT_ELLIPSIS |
                                TEXT_PAD)) == 0,
               "field flags must not collide with text flags");

/* First allocation: most passwords and names fit, so a masked field
 * usually never grows (sodium_malloc spends whole pages anyway). */
#define FIELD_CAP_MIN 32
/* A stack buffer for one drawn line; text_cell() cuts what does not fit
 * and field_draw() pads the rest, so a wider field is still drawn right. */
#define FIELD_DRAW_BUF 1024

static const char empty_text[] = "";

/* ---- UTF-8 and cells.  The text is valid UTF-8 by construction (every
 * character passed the filter), so the decoder needs no error paths beyond
 * not reading past the end. */

static size_t u8_len(const char *s, size_t len, size_t i)
{
    unsigned char b = (unsigned char)s[i];
    size_t n = b < 0x80 ? 1 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4;

    return n <= len - i ? n : len - i;
}

static size_t u8_prev(const char *s, size_t i)
{
    while (i > 0 && ((unsigned char)s[--i] & 0xC0) == 0x80)
        ;
    return i;
}

/* Does the character at byte i belong to the cell before it?  The same
 * rule as text_fit(): a zero-width character joins its predecessor.  A
 * zero-width character at the very start has nothing to join. */
static bool joins(const struct field *f, size_t i)
{
    if (i == 0 || i >= f->len)
        return false;
    return text_width_n(f->buf + i, u8_len(f->buf, f->len, i)) == 0;
}

static size_t cell_next(const struct field *f, size_t i)
{
    if (i >= f->len)
        return f->len;
    i += u8_len(f->buf, f->len, i);
    while (i < f->len && joins(f, i))
        i += u8_len(f->buf, f->len, i);
    return i;
}

static size_t cell_prev(const struct field *f, size_t i)
{
    if (i == 0)
        return 0;
    i = u8_prev(f->buf, i);
    while (i > 0 && joins(f, i))
        i = u8_prev(f->buf, i);
    return i;
}

/* Columns of the text between two cell boundaries, as field_draw() will
 * draw it: one per cell masked, one per code point in ASCII ("?" each,
 * as text_sanitize() shows them), else wcwidth() summed. */
static size_t cols_between(const struct field *f, size_t a, size_t b)
{
    size_t n = 0;

    if (f->flags & FIELD_MASKED) {
        for (; a < b; a = cell_next(f, a))
            n++;
    } else if (f->flags & FIELD_ASCII) {
        for (; a < b; a++)
            n += ((unsigned char)f->buf[a] & 0xC0) != 0x80;
    } else {
        n = text_width_n(f->buf + a, b - a);
    }
    return n;
}

static size_t count_chars(const char *s, size_t len)
{
    size_t n = 0;

    for (size_t i = 0; i < len; i++)
        n += ((unsigned char)s[i] & 0xC0) != 0x80;
    return n;
}

/* ---- memory */

static char *buf_alloc(const struct field *f, size_t size)
{
    if (!(f->flags & FIELD_MASKED))
        return malloc(size);
    /* sodium_malloc() needs the library initialized (page size, canary);
     * sodium_init() is idempotent and cheap once done. */
    if (sodium_init() < 0)
        return NULL;
    return sodium_malloc(size);
}

static void buf_release(const struct field *f, char *buf, size_t cap)
{
    if (!buf)
        return;
    sodium_memzero(buf, cap);
    if (f->flags & FIELD_MASKED)
        sodium_free(buf);
    else
        free(buf);
}

/* Room for need bytes of text plus the NUL, growing by doubling so typing
 * is amortized O(1); a masked field copies its secret once per doubling
 * and wipes the old copy before giving it back. */
static bool buf_grow(struct field *f, size_t need)
{
    size_t cap = f->cap ? f->cap : FIELD_CAP_MIN;
    char *nb;

    if (need < f->cap)
        return true;
    while (cap <= need)
        cap *= 2;
    if (cap > f->max_bytes + 1)
        cap = f->max_bytes + 1;
    if (cap <= need)
        return false;
    nb = buf_alloc(f, cap);
    if (!nb)
        return false;
    if (f->buf)
        memcpy(nb, f->buf, f->len + 1);
    else
        nb[0] = '\0';
    buf_release(f, f->buf, f->cap);
    f->buf = nb;
    f->cap = cap;
    return true;
}

/* ---- editing */

void field_init(struct field *f, unsigned flags, size_t max_chars,
                size_t max_bytes)
{
    memset(f, 0, sizeof *f);
    f->flags = flags;
    f->max_chars = max_chars;
    f->max_bytes = max_bytes ? max_bytes : FIELD_MAX_BYTES_DEFAULT;
    /* Keeps the capacity arithmetic (cap doubling, max_bytes + 1) from
     * overflowing; no one-line field comes near it. */
    if (f->max_bytes > SIZE_MAX / 4)
        f->max_bytes = SIZE_MAX / 4;
}

void field_set_placeholder(struct field *f, const char *placeholder)
{
    f->placeholder = placeholder;
}

void field_set_accept(struct field *f, field_accept_fn fn, void *arg)
{
    f->accept = fn;
    f->accept_arg = fn ? arg : NULL;
}

/* After any change: the cursor may have landed inside a cell (a letter was
 * typed before a leading mark).  The remembered scroll is left alone when
 * it lies beyond the cursor, so that field_view() knows the cursor left
 * the view on the left and can show some context; it is reset only when
 * it lies beyond the text.  Edits happen at the cursor, so the scroll
 * stays on a character boundary, but a mark typed where the view starts
 * joins the cell before it: step back to that cell's start. */
static void settle(struct field *f)
{
    while (f->cursor < f->len && joins(f, f->cursor))
        f->cursor += u8_len(f->buf, f->len, f->cursor);
    if (f->scroll > f->len)
        f->scroll = f->cursor;
    while (joins(f, f->scroll))
        f->scroll = u8_prev(f->buf, f->scroll);
    if (f->width > 0) {
        int col;

        field_view(f, f->width, &f->scroll, &col);
    }
}

/* Remove bytes [a, b) and wipe the bytes the text no longer uses, so no
 * fragment of a deleted secret stays behind the NUL. */
static void cut(struct field *f, size_t a, size_t b)
{
    size_t n = b - a;

    if (a >= b)
        return;
    f->chars -= count_chars(f->buf + a, n);
    memmove(f->buf + a, f->buf + b, f->len - b + 1);
    sodium_memzero(f->buf + f->len + 1 - n, n);
    f->len -= n;
    if (f->cursor >= b)
        f->cursor -= n;
    else if (f->cursor > a)
        f->cursor = a;
    f->version++;
}

/* Would the sanitizer show this character as itself?  Reusing it as the
 * oracle keeps one definition of "safe to draw" for the whole TUI. */
static bool drawable(const char *enc, size_t n)
{
    char out[16];
    bool ok = text_sanitize(out, sizeof out, enc, n, 0, NULL) == n &&
              memcmp(out, enc, n) == 0;

    sodium_memzero(out, sizeof out); /* it may be a password character */
    return ok;
}

static bool allowed(const struct field *f, uint32_t cp, const char *enc,
                    size_t n)
{
    if ((f->flags & FIELD_DIGITS) && (cp < '0' || cp > '9'))
        return false;
    if (f->accept && !f->accept(cp, f->accept_arg))
        return false;
    if (f->max_chars && f->chars >= f->max_chars)
        return false;
    if (n > f->max_bytes - f->len)
        return false;
    return drawable(enc, n);
}

static bool insert(struct field *f, uint32_t cp)
{
    char enc[4];
    size_t n;
    bool ok = false;

    if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF) ||
        !tui_key_is_text((tui_key)cp))
        return false;
    n = text_utf8_encode(cp, enc);
    if (allowed(f, cp, enc, n) && buf_grow(f, f->len + n)) {
        memmove(f->buf + f->cursor + n, f->buf + f->cursor,
                f->len - f->cursor + 1);
        memcpy(f->buf + f->cursor, enc, n);
        f->len += n;
        f->cursor += n;
        f->chars++;
        f->version++;
        ok = true;
    }
    sodium_memzero(enc, sizeof enc);
    return ok;
}

/* Shell-style C-w: the spaces before the cursor, then the word. */
static size_t word_start(const struct field *f)
{
    size_t i = f->cursor;

    while (i > 0 && f->buf[i - 1] == ' ')
        i--;
    while (i > 0) {
        size_t p = cell_prev(f, i);

        if (f->buf[p] == ' ')
            break;
        i = p;
    }
    return i;
}

bool field_key(struct field *f, tui_key key)
{
    if (tui_key_is_text(key)) {
        if (insert(f, (uint32_t)key))
            settle(f);
        return true;
    }
    switch (key) {
    case TUI_FN(KEY_BACKSPACE):
    case 0x7F:
    case TUI_CTRL('h'):
        cut(f, cell_prev(f, f->cursor), f->cursor);
        break;
    case TUI_FN(KEY_DC):
        cut(f, f->cursor, cell_next(f, f->cursor));
        break;
    case TUI_FN(KEY_LEFT):
        f->cursor = cell_prev(f, f->cursor);
        break;
    case TUI_FN(KEY_RIGHT):
        f->cursor = cell_next(f, f->cursor);
        break;
    case TUI_FN(KEY_HOME):
    case TUI_CTRL('a'):
        f->cursor = 0;
        break;
    case TUI_FN(KEY_END):
    case TUI_CTRL('e'):
        f->cursor = f->len;
        break;
    case TUI_CTRL('u'):
        cut(f, 0, f->cursor);
        break;
    case TUI_CTRL('k'):
        cut(f, f->cursor, f->len);
        break;
    case TUI_CTRL('w'):
        cut(f, word_start(f), f->cursor);
        break;
    default:
        return false;
    }
    settle(f);
    return true;
}

const char *field_text(const struct field *f, size_t *len)
{
    if (len)
        *len = f->len;
    return f->buf ? f->buf : empty_text;
}

void field_clear(struct field *f)
{
    if (f->buf) {
        sodium_memzero(f->buf, f->cap);
        if (f->len)
            f->version++;
    }
    f->len = f->chars = f->cursor = f->scroll = 0;
}

bool field_set_text(struct field *f, const char *s, size_t len)
{
    size_t i = 0;
    bool all = true;

    field_clear(f);
    /* text_sanitize() judges each source sequence as it stands, so an
     * overlong or truncated one is refused rather than decoded into some
     * other character; a bad byte costs only itself. */
    while (i < len) {
        size_t n = u8_len(s, len, i);
        uint32_t cp = (unsigned char)s[i];

        if (!drawable(s + i, n)) {
            all = false;
            i++;
            continue;
        }
        if (n > 1) {
            cp &= 0x7Fu >> n;
            for (size_t k = 1; k < n; k++)
                cp = (cp << 6) | ((unsigned char)s[i + k] & 0x3Fu);
        }
        if (!insert(f, cp))
            all = false;
        i += n;
    }
    f->version++;
    settle(f);
    return all;
}

int field_reserve(struct field *f, size_t bytes)
{
    if (bytes > f->max_bytes)
        bytes = f->max_bytes;
    if (bytes < f->cap)
        return 0;
    if (!buf_grow(f, bytes))
        return -1;
    return 0;
}

void field_free(struct field *f)
{
    buf_release(f, f->buf, f->cap);
    f->buf = NULL;
    f->cap = 0;
    if (f->len)
        f->version++;
    f->len = f->chars = f->cursor = f->scroll = 0;
}

/* ---- view */

/* Start the view some columns left of the cursor, so that moving left out
 * of the view shows the text the user is heading into, not only the cell
 * under the cursor. */
static size_t back_off(const struct field *f, size_t from, size_t cols)
{
    size_t first = from, w = 0;

    while (first > 0) {
        size_t p = cell_prev(f, first);
        size_t cw = cols_between(f, p, first);

        if (w + cw > cols)
            break;
        w += cw;
        first = p;
    }
    return first;
}

void field_view(const struct field *f, int width, size_t *first,
                int *cursor_col)
{
    size_t cur = f->cursor, w = (size_t)width, start, cols, need, tail;

    if (width <= 0 || f->len == 0) {
        *first = width <= 0 ? cur : 0;
        *cursor_col = 0;
        return;
    }
    start = f->scroll <= cur ? f->scroll : back_off(f, cur, w / 4);
    cols = cols_between(f, start, cur);
    /* The cursor's cell must fit whole (a blank column at the end); a
     * cell wider than the field gets the field to itself. */
    need = cur < f->len ? cols_between(f, cur, cell_next(f, cur)) : 1;
    if (need < 1)
        need = 1;
    if (need > w)
        need = w;
    while (cols + need > w && start < cur) {
        size_t nx = cell_next(f, start);

        cols -= cols_between(f, start, nx);
        start = nx;
    }
    /* After deletions at the end the view may show blank columns while
     * text is hidden on the left: pull it back in.  The column after the
     * text is always kept for the cursor, wherever it is now, or the view
     * would slide by one as the cursor leaves the end. */
    tail = cols_between(f, start, f->len) + 1;
    while (start > 0) {
        size_t p = cell_prev(f, start);
        size_t cw = cols_between(f, p, start);

        if (tail + cw > w)
            break;
        tail += cw;
        cols += cw;
        start = p;
    }
    *first = start;
    *cursor_col = (int)cols;
}

void field_layout(struct field *f, int width)
{
    f->width = width > 0 ? width : 0;
    settle(f);
}

/* ---- drawing */

static void put_spaces(WINDOW *win, int n)
{
    while (n-- > 0)
        waddch(win, ' ');
}

/* One mask character per cell from first on, at most width of them. */
static int draw_mask(const struct field *f, WINDOW *win, size_t first,
                     int width)
{
    const char *dot = (f->flags & FIELD_ASCII) ? "*" : "\xE2\x80\xA2";
    int n = 0;

    for (size_t i = first; i < f->len && n < width; i = cell_next(f, i), n++)
        waddstr(win, dot);
    return n;
}

static int draw_text(WINDOW *win, const char *s, size_t len, int width,
                     unsigned flags)
{
    char line[FIELD_DRAW_BUF];
    size_t w = text_cell(line, sizeof line, s, len, (size_t)width, flags);

    waddstr(win, line);
    return (int)w;
}

int field_draw(const struct field *f, WINDOW *win, int y, int x, int width,
               bool focused)
{
    int maxy, maxx, col, used;
    size_t first;
    attr_t attr = theme_attr(focused ? ROLE_INPUT_FOCUS : ROLE_INPUT);
    attr_t old_attr;
    short old_pair;
    unsigned tf = f->flags & FIELD_ASCII;

    if (!win)
        return -1;
    getmaxyx(win, maxy, maxx);
    if (y < 0 || y >= maxy || x < 0 || x >= maxx || width <= 0)
        return -1;
    if (width > maxx - x)
        width = maxx - x;
    field_view(f, width, &first, &col);
    wattr_get(win, &old_attr, &old_pair, NULL);
    wmove(win, y, x);
    if (f->len == 0 && f->placeholder) {
        /* Dim like other secondary text, but keep the field's underline or
         * reverse so it still reads as an input in monochrome. */
        wattrset(win, (int)(theme_attr(ROLE_DIM) | (attr & ~A_COLOR)));
        used = draw_text(win, f->placeholder, strlen(f->placeholder), width,
                         tf | TEXT_ELLIPSIS);
    } else if (f->flags & FIELD_MASKED) {
        wattrset(win, (int)attr);
        used = draw_mask(f, win, first, width);
    } else {
        wattrset(win, (int)attr);
        used = draw_text(win, f->buf + first, f->len - first, width, tf);
    }
    wattrset(win, (int)attr);
    put_spaces(win, width - used);
    wattr_set(win, old_attr, old_pair, NULL);
    if (!focused)
        return -1;
    wmove(win, y, x + col);
    return x + col;
}
