/* For unit tests that draw: a real curses screen writing to /dev/null
 * (curses keeps its windows in memory, which is all a test reads back; no
 * terminal needed), as cmocka setup and teardown, and cell readers. */
#ifndef LUMEN_TESTS_UNIT_SCREEN_H
#define LUMEN_TESTS_UNIT_SCREEN_H

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>

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

#endif
