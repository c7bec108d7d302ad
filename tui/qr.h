/* TEMPORARY stand-in for wt-qr's tui/qr.h (replaced when it is merged):
 * a QR code of a text with libqrencode, drawn with its 4-module quiet
 * zone. */
#ifndef LUMEN_TUI_QR_H
#define LUMEN_TUI_QR_H

#include <curses.h>
#include <stdbool.h>

struct qr;
enum qr_style { QR_HALF, QR_FULL, QR_REVERSE };

struct qr *qr_encode(const char *text);
void qr_free(struct qr **q);
enum qr_style qr_style_for(unsigned text_flags, bool color);
void qr_size(const struct qr *q, enum qr_style style, int *rows, int *cols);
void qr_draw(const struct qr *q, enum qr_style style, WINDOW *w, int y, int x);

#endif
