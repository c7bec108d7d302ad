/* For unit tests that draw: a real curses screen writing to /dev/null
 * (curses keeps its windows in memory, which is all a test reads back; no
 * terminal needed), as cmocka setup and teardown, and cell readers. */
#ifndef LUMEN_TESTS_UNIT_SCREEN_H
#define LUMEN_TESTS_UNIT_SCREEN_H

#include <curses.h>
#include <limits.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "tui/theme.h"

static SCREEN *unit_scr;
static FILE *unit_scr_out, *unit_scr_in;

static int screen_up(void **state)
{
    (void)state;
    unit_scr_out = fopen("/dev/null", "w");
    unit_scr_in = fopen("/dev/null", "r");
    if (!unit_scr_out || !unit_scr_in || setenv("TERM", "xterm", 1) != 0)
        return -1;
    unit_scr = newterm("xterm", unit_scr_out, unit_scr_in);
    if (!unit_scr)
        return -1;
    set_term(unit_scr);
    theme_init(THEME_NEVER);            /* monochrome: selected = A_REVERSE */
    return 0;
}

static int screen_down(void **state)
{
    (void)state;
    endwin();
    delscreen(unit_scr);
    fclose(unit_scr_out);
    fclose(unit_scr_in);
    return 0;
}

static inline wchar_t cell(WINDOW *w, int y, int x)
{
    cchar_t cc;
    wchar_t wc[CCHARW_MAX + 1] = { 0 };
    attr_t a;
    short pair;
    mvwin_wch(w, y, x, &cc);
    getcchar(&cc, wc, &a, &pair, NULL);
    return wc[0];
}

static inline attr_t cell_attr(WINDOW *w, int y, int x)
{
    cchar_t cc;
    wchar_t wc[CCHARW_MAX + 1];
    attr_t a;
    short pair;
    mvwin_wch(w, y, x, &cc);
    getcchar(&cc, wc, &a, &pair, NULL);
    return a;
}

/* unit_run() (unit.h) in the C.UTF-8 locale that widths and placeholders
 * are tested in. */
#define screen_run(tests) \
    (setlocale(LC_ALL, "C.UTF-8") ? unit_run(tests) \
     : (fprintf(stderr, "C.UTF-8 locale missing\n"), 1))

/* Every cell of w set to c: a test draws over it, then counts what is
 * left, to show a widget wrote where it should and nowhere else. */
static inline void screen_fill(WINDOW *w, chtype c)
{
    for (int y = getmaxy(w) - 1; y >= 0; y--) {
        wmove(w, y, 0);
        whline(w, c, getmaxx(w));
    }
}

/* How many cells in rows [y, y+h) of w no longer hold c. */
static inline int screen_changed_rows(WINDOW *w, int y, int h, wchar_t c)
{
    int n = 0;
    for (int r = y; r < y + h; r++)
        for (int x = 0; x < getmaxx(w); x++)
            n += cell(w, r, x) != c;
    return n;
}

/* n columns of line y from column x, as UTF-8 in a static buffer that the
 * next call overwrites (one character per cell: for narrow text). */
static inline const char *screen_text(WINDOW *w, int y, int x, int n)
{
    static char buf[1024];
    size_t used = 0;
    mbstate_t st;

    memset(&st, 0, sizeof st);
    for (int i = 0; i < n && used + MB_LEN_MAX < sizeof buf; i++) {
        size_t k = wcrtomb(buf + used, cell(w, y, x + i), &st);
        used += k == (size_t)-1 ? 0 : k;
    }
    buf[used] = '\0';
    return buf;
}

#endif
