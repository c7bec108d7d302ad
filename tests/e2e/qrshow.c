/* qrshow: draws the QR code of a text with tui/qr on a real terminal,
 * for tests/e2e/qr_draw.t (no screen of lumen draws one yet).
 *
 *   qrshow [auto|half|full|reverse] TEXT
 *
 * Row 0 says "qrshow: MODE ROWSxCOLS ready" (or "needs R rows and C
 * columns" when the terminal is too small, and then draws nothing); the
 * code is centred below it, with a line of text under it so that the
 * decoder has to find the code among other things.  A resize redraws;
 * any other key ends.  Built by `make check` (make e2e-helpers) into
 * build/tests/e2e/qrshow.  Test-only: the text on the command line is
 * visible to ps, which is no place for a real TOTP key. */
#include <curses.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "tui/qr.h"
#include "tui/text.h"
#include "tui/theme.h"

static const char *const names[] = { "half", "full", "reverse" };

static void draw(const struct tui_qr *q, enum tui_qr_mode m)
{
    int rows, cols;
    tui_qr_size(q, m, &rows, &cols);
    erase();
    int x = COLS > cols ? (COLS - cols) / 2 : 0;
    if (tui_qr_draw(stdscr, 1, x, q, m) != 0) {
        mvprintw(0, 0, "qrshow: %s needs %d rows and %d columns", names[m],
                 rows + 1, cols);
        refresh();
        return;
    }
    if (rows + 1 < LINES)
        mvprintw(rows + 1, 0, "Scan it, then press a key.");
    /* Row 0 goes out last, in a refresh of its own: a test that has seen
     * "ready" knows the whole code has reached the terminal. */
    refresh();
    mvprintw(0, 0, "qrshow: %s %dx%d ready", names[m], rows, cols);
    refresh();
}

int main(int argc, char **argv)
{
    struct tui_qr q = { 0 };
    const char *mode = argc == 3 ? argv[1] : "auto";
    int m = -1;

    if (argc < 2 || argc > 3) {
        fprintf(stderr, "usage: qrshow [auto|half|full|reverse] TEXT\n");
        return 2;
    }
    for (int i = 0; i < 3; i++)
        if (strcmp(mode, names[i]) == 0)
            m = i;
    if (m < 0 && strcmp(mode, "auto") != 0) {
        fprintf(stderr, "qrshow: unknown mode %s\n", mode);
        return 2;
    }
    setlocale(LC_ALL, "");
    unsigned flags = text_locale_flags();
    if (tui_qr_encode(&q, argv[argc - 1]) != 0) {
        fprintf(stderr, "qrshow: cannot encode the text\n");
        return 1;
    }
    if (!initscr()) {
        tui_qr_free(&q);
        return 1;
    }
    cbreak();
    noecho();
    keypad(stdscr, TRUE);
    curs_set(0);
    theme_init(THEME_AUTO);
    if (m < 0)
        m = (int)tui_qr_mode_for(flags, theme_has_color());
    draw(&q, (enum tui_qr_mode)m);
    while (getch() == KEY_RESIZE)
        draw(&q, (enum tui_qr_mode)m);
    /* The cells held the code: blank them before curses lets them go. */
    erase();
    refresh();
    endwin();
    tui_qr_free(&q);
    return 0;
}
