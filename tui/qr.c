/* TEMPORARY stand-in for wt-qr's tui/qr.c. */
#include "tui/qr.h"
#include "tui/text.h"

#include <qrencode.h>
#include <stdlib.h>
#include <string.h>

#define QUIET 4

struct qr {
    QRcode *code;
};

struct qr *qr_encode(const char *text)
{
    QRcode *c = QRcode_encodeString8bit(text, 0, QR_ECLEVEL_L);
    if (!c)
        return NULL;
    struct qr *q = calloc(1, sizeof *q);
    if (!q) {
        QRcode_free(c);
        return NULL;
    }
    q->code = c;
    return q;
}

void qr_free(struct qr **q)
{
    if (!q || !*q)
        return;
    memset((*q)->code->data, 0, (size_t)(*q)->code->width * (size_t)(*q)->code->width);
    QRcode_free((*q)->code);
    free(*q);
    *q = NULL;
}

enum qr_style qr_style_for(unsigned text_flags, bool color)
{
    if (!color)
        return QR_REVERSE;
    return (text_flags & TEXT_ASCII) ? QR_FULL : QR_HALF;
}

void qr_size(const struct qr *q, enum qr_style style, int *rows, int *cols)
{
    int n = q->code->width + 2 * QUIET;
    *rows = style == QR_HALF ? (n + 1) / 2 : n;
    *cols = style == QR_HALF ? n : 2 * n;
}

static bool dark(const struct qr *q, int r, int c)
{
    int w = q->code->width;
    r -= QUIET;
    c -= QUIET;
    if (r < 0 || c < 0 || r >= w || c >= w)
        return false;
    return q->code->data[r * w + c] & 1;
}

void qr_draw(const struct qr *q, enum qr_style style, WINDOW *w, int y, int x)
{
    int n = q->code->width + 2 * QUIET;
    static bool paired;
    if (!paired && style != QR_REVERSE) {
        init_pair(60, COLOR_BLACK, COLOR_WHITE);
        paired = true;
    }
    if (style == QR_HALF) {
        wattrset(w, COLOR_PAIR(60));
        for (int r = 0; r < n; r += 2) {
            wmove(w, y + r / 2, x);
            for (int c = 0; c < n; c++) {
                bool t = dark(q, r, c), b = r + 1 < n && dark(q, r + 1, c);
                waddstr(w, t && b ? "\u2588" : t ? "\u2580" : b ? "\u2584" : " ");
            }
        }
    } else {
        for (int r = 0; r < n; r++) {
            wmove(w, y + r, x);
            for (int c = 0; c < n; c++) {
                bool d = dark(q, r, c);
                wattrset(w, style == QR_REVERSE ? (d ? A_NORMAL : A_REVERSE)
                                                : COLOR_PAIR(60) | (d ? A_REVERSE : 0));
                waddstr(w, "  ");
            }
        }
    }
    wattrset(w, A_NORMAL);
}
