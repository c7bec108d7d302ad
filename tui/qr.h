/* qr: a QR code drawn in the terminal, for two-factor enrollment (the
 * otpauth:// URI an authenticator app scans).
 *
 * Encoding.  tui_qr_encode() runs libqrencode's QRcode_encodeString(text,
 * 0, QR_ECLEVEL_L, QR_MODE_8, 1): the smallest version that holds the text,
 * case kept, numeric and alphanumeric runs (the base32 secret) packed
 * tighter than bytes; exactly what `qrencode -l L TEXT` makes.  Level L
 * because a screen is not a label that gets scratched: its 7% of recovery
 * is enough for a camera, and L keeps the usual URI (about 96 bytes) at
 * version 5 (37 modules) where M needs version 6 (41), the difference
 * between 23 and 25 terminal rows in TUI_QR_HALF.
 *
 * Coordinates.  tui_qr_dark() and the drawing count modules over the
 * padded symbol: TUI_QR_QUIET light modules on every side (the quiet zone
 * the standard asks for, which a dark terminal background does not give),
 * so x and y run over [0, tui_qr_side()).
 *
 * Drawing modes (tui_qr_mode_for() picks one from the text flags of
 * tui/text.h and theme_has_color()).  HALF and FULL draw in ROLE_QR,
 * black ink on a white background in colour and reverse video without
 * (tui/theme.c); in every mode what shows as ink is a dark module:
 *
 *   TUI_QR_HALF     one cell = two modules, one above the other: U+2580 ▀
 *                   (top dark), U+2584 ▄ (bottom dark), U+2588 █ (both),
 *                   space (neither).  Needs a UTF-8 locale.  The screen's
 *                   text alone (tmux capture-pane without -e) gives the
 *                   modules back.  Without colour the reverse video makes
 *                   the background the terminal's foreground: right on a
 *                   dark theme, a negative code on a light one (which
 *                   some scanners read and some do not).  It is the only
 *                   mode in which the usual URI fits 80x24 at all (23
 *                   rows: the whole screen but one row, more than the
 *                   app's body), so it is the pick for monochrome UTF-8
 *                   terminals too.
 *   TUI_QR_FULL     one module = two columns of one row (about square), no
 *                   UTF-8 needed: light = two spaces in ROLE_QR, dark = two
 *                   spaces in ROLE_QR with reverse video, i.e. solid black
 *                   in colour.  (A "##" would read from the text but
 *                   leave a dark module mostly white.)  Only the colours
 *                   (capture-pane -e) give the modules back.
 *   TUI_QR_REVERSE  FULL's geometry in plain reverse video, whatever the
 *                   theme: light = two reversed spaces (the terminal's
 *                   foreground), dark = two plain spaces (its background).
 *                   The light modules are the reversed ones because most
 *                   terminal themes are light text on a dark background,
 *                   where that is the right polarity.  Without colour FULL
 *                   draws the same.
 *
 * Size.  Side S = width + 2 * TUI_QR_QUIET modules.  HALF takes
 * (S + 1) / 2 rows and S columns; FULL and REVERSE take S rows and 2S
 * columns.  The usual URI
 * "otpauth://totp/Lumen:admin@brightsmile.test?secret=<32>&issuer=Lumen"
 * is S = 45: HALF 23x45, FULL 45x90.
 *
 * Secrecy.  The text holds the TOTP key, so struct tui_qr does too:
 * tui_qr_free() wipes the matrix (and tui_qr_encode() libqrencode's copy
 * of it) before freeing.  libqrencode's own scratch buffers are freed
 * unwiped; the caller owns (and wipes) the text.  The cells drawn hold the
 * code as well: werase() the window when the code leaves the screen.
 * Nothing here logs.
 *
 * Ownership.  struct tui_qr is the caller's (zero it or encode into it);
 * it owns its matrix until tui_qr_free(), which leaves it empty and may be
 * called again.  Call order: tui_qr_encode(), then any number of
 * tui_qr_size()/tui_qr_draw(), then tui_qr_free().
 */
#ifndef LUMEN_TUI_QR_H
#define LUMEN_TUI_QR_H

#include <curses.h>
#include <stdbool.h>

#define TUI_QR_QUIET 4   /* light modules around the symbol, every side */

struct tui_qr {
    int width;              /* modules per side, quiet zone excluded; 0 empty */
    unsigned char *dark;    /* width * width, row-major: 1 dark, 0 light */
};

enum tui_qr_mode { TUI_QR_HALF, TUI_QR_FULL, TUI_QR_REVERSE };

/* Encodes text (NUL-terminated) into q, which must be empty (zeroed or
 * freed).  0, or -1 with q left empty: text NULL or empty, too long for
 * version 40 (about 2,900 bytes), or out of memory. */
int tui_qr_encode(struct tui_qr *q, const char *text);

/* Wipes and frees the matrix; q is left empty.  NULL is fine. */
void tui_qr_free(struct tui_qr *q);

/* Modules per side with the quiet zone: width + 2 * TUI_QR_QUIET; 0 for an
 * empty q. */
int tui_qr_side(const struct tui_qr *q);

/* Whether module (x, y) of the padded symbol is dark.  The quiet zone and
 * anything outside [0, side) are light. */
bool tui_qr_dark(const struct tui_qr *q, int x, int y);

/* HALF in a UTF-8 locale (text_flags without TEXT_ASCII); else FULL with
 * colour and REVERSE without. */
enum tui_qr_mode tui_qr_mode_for(unsigned text_flags, bool colour);

/* The cells that tui_qr_draw() takes, quiet zone included, so that a
 * caller can say "needs R rows and C columns".  0 and 0 for an empty q. */
void tui_qr_size(const struct tui_qr *q, enum tui_qr_mode m, int *rows,
                 int *cols);

/* Draws the padded symbol with its top-left corner at (y, x) of w, in
 * ROLE_QR (theme_init() must have run).  Returns 0; or -1, drawing
 * nothing, when q is empty, y or x is negative, or it does not fit in w
 * from there.  The window's own attributes and cursor are left as they
 * were. */
int tui_qr_draw(WINDOW *w, int y, int x, const struct tui_qr *q,
                enum tui_qr_mode m);

#endif
