#include "tui/qr.h"

#include <qrencode.h>
#include <stdlib.h>
#include <string.h>

#include "tui/text.h"
#include "tui/theme.h"

/* The matrix is the TOTP key in another form: a plain memset before free
 * may be optimised away, explicit_bzero may not. */
static void wipe(void *p, size_t n)
{
    if (p)
        explicit_bzero(p, n);
}

int tui_qr_encode(struct tui_qr *q, const char *text)
{
    q->width = 0;
    q->dark = NULL;
    if (!text || !*text)
        return -1;
    QRcode *code = QRcode_encodeString(text, 0, QR_ECLEVEL_L, QR_MODE_8, 1);
    if (!code)
        return -1;
    size_t n = (size_t)code->width * (size_t)code->width;
    unsigned char *dark = malloc(n);
    if (dark) {
        /* libqrencode's bytes carry what kind of module each is in their
         * other bits; bit 0 is the colour, all that a drawing needs. */
        for (size_t i = 0; i < n; i++)
            dark[i] = code->data[i] & 1;
        q->width = code->width;
        q->dark = dark;
    }
    wipe(code->data, n);
    QRcode_free(code);
    return dark ? 0 : -1;
}

void tui_qr_free(struct tui_qr *q)
{
    if (!q)
        return;
    wipe(q->dark, (size_t)q->width * (size_t)q->width);
    free(q->dark);
    q->dark = NULL;
    q->width = 0;
}

int tui_qr_side(const struct tui_qr *q)
{
    return q->dark ? q->width + 2 * TUI_QR_QUIET : 0;
}

bool tui_qr_dark(const struct tui_qr *q, int x, int y)
{
    x -= TUI_QR_QUIET;
    y -= TUI_QR_QUIET;
    if (!q->dark || x < 0 || y < 0 || x >= q->width || y >= q->width)
        return false;
    return q->dark[(size_t)y * (size_t)q->width + (size_t)x];
}

enum tui_qr_mode tui_qr_mode_for(unsigned text_flags, bool colour)
{
    if (!(text_flags & TEXT_ASCII))
        return TUI_QR_HALF;
    return colour ? TUI_QR_FULL : TUI_QR_REVERSE;
}

void tui_qr_size(const struct tui_qr *q, enum tui_qr_mode m, int *rows,
                 int *cols)
{
    int s = tui_qr_side(q);
    if (m == TUI_QR_HALF) {
        *rows = (s + 1) / 2;
        *cols = s;
    } else {
        *rows = s;
        *cols = 2 * s;
    }
}

/* One cell; the attribute's colour pair goes to setcchar apart, which
 * would otherwise replace it with the pair argument. */
static void put(WINDOW *w, int y, int x, wchar_t ch, attr_t a)
{
    cchar_t cc;
    wchar_t s[2] = { ch, L'\0' };
    setcchar(&cc, s, a & ~A_COLOR, (short)PAIR_NUMBER(a), NULL);
    /* At the window's bottom-right corner the cell is written but the
     * cursor cannot advance, and the call says ERR: not a failure here. */
    mvwadd_wch(w, y, x, &cc);
}

static void draw_half(WINDOW *w, int y, int x, const struct tui_qr *q,
                      int rows, int cols)
{
    static const wchar_t glyph[4] = { L' ', L'\u2580', L'\u2584', L'\u2588' };
    attr_t a = theme_attr(ROLE_QR);
    for (int r = 0; r < rows; r++)
        for (int c = 0; c < cols; c++) {
            int top = tui_qr_dark(q, c, 2 * r);
            int bottom = tui_qr_dark(q, c, 2 * r + 1);
            put(w, y + r, x + c, glyph[top | bottom << 1], a);
        }
}

static void draw_wide(WINDOW *w, int y, int x, const struct tui_qr *q,
                      int side, attr_t light, attr_t dark)
{
    for (int r = 0; r < side; r++)
        for (int c = 0; c < side; c++) {
            attr_t a = tui_qr_dark(q, c, r) ? dark : light;
            put(w, y + r, x + 2 * c, L' ', a);
            put(w, y + r, x + 2 * c + 1, L' ', a);
        }
}

int tui_qr_draw(WINDOW *w, int y, int x, const struct tui_qr *q,
                enum tui_qr_mode m)
{
    int rows, cols;
    tui_qr_size(q, m, &rows, &cols);
    if (!w || rows == 0 || y < 0 || x < 0 || rows > getmaxy(w) - y ||
        cols > getmaxx(w) - x)
        return -1;
    int cy, cx;
    getyx(w, cy, cx);
    attr_t role = theme_attr(ROLE_QR);
    switch (m) {
    case TUI_QR_HALF:
        draw_half(w, y, x, q, rows, cols);
        break;
    case TUI_QR_FULL:
        /* Reverse swaps the pair's black and white: a solid dark cell. */
        draw_wide(w, y, x, q, rows, role, role ^ A_REVERSE);
        break;
    case TUI_QR_REVERSE:
        draw_wide(w, y, x, q, rows, A_REVERSE, A_NORMAL);
        break;
    }
    wmove(w, cy, cx);
    return 0;
}
