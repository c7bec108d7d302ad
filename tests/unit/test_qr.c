/* Unit tests for tui/qr: the module matrix against a known answer and
 * against the qrencode command-line tool (same library, but its own code
 * path from text to matrix), the quiet zone, the sizes of the usual
 * otpauth URIs in each mode, the mode for each terminal, and what each
 * mode draws, read back cell by cell from a curses screen on /dev/null;
 * too small a window draws nothing. */
#include "tests/unit/unit.h"

#include <stdio.h>
#include <string.h>

#include "tests/unit/screen.h"
#include "tui/qr.h"
#include "tui/text.h"
#include "tui/theme.h"

/* The usual enrollment URI: a 32-character base32 secret (160 bits). */
#define URI "otpauth://totp/Lumen:admin@brightsmile.test?" \
            "secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=Lumen"
/* A long address pushes it one version up. */
#define URI_LONG "otpauth://totp/Lumen:a.very.long.name@brightsmile-dental-" \
                 "clinic.test?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=Lumen"

/* `qrencode -t ASCII -m 0 -l L Lumen`, "##" as '#' and "  " as '.'. */
static const char *const lumen_l[21] = {
    "#######..#.##.#######", "#.....#.##.#..#.....#", "#.###.#.##..#.#.###.#",
    "#.###.#..#.#..#.###.#", "#.###.#.#...#.#.###.#", "#.....#.#..##.#.....#",
    "#######.#.#.#.#######", "........#####........", "##.#..##.##...###.##.",
    ".#.###..#.#...#.....#", "#.#.#.#####.##...##.#", ".##..#..#.##.....#.##",
    "#########...#.#.#..#.", "........#..#...##.#..", "#######.#.#..#.#..##.",
    "#.....#..#####.##....", "#.###.#...##..###...#", "#.###.#.#..#...#.#.##",
    "#.###.#..##.#...###.#", "#.....#.##...###.....", "#######.#..##..#.#.#.",
};

static void known_answer(void **state)
{
    struct tui_qr q = { 0 };
    (void)state;

    assert_int_equal(tui_qr_encode(&q, "Lumen"), 0);
    assert_int_equal(q.width, 21);
    assert_int_equal(tui_qr_side(&q), 21 + 2 * TUI_QR_QUIET);
    for (int y = 0; y < 21; y++)
        for (int x = 0; x < 21; x++)
            assert_int_equal(tui_qr_dark(&q, x + TUI_QR_QUIET, y + TUI_QR_QUIET),
                             lumen_l[y][x] == '#');
    /* The quiet zone, and beyond it, is light. */
    for (int i = -2; i < 21 + 2 * TUI_QR_QUIET + 2; i++)
        for (int j = 0; j < TUI_QR_QUIET; j++) {
            int far = 21 + 2 * TUI_QR_QUIET - 1 - j;
            assert_false(tui_qr_dark(&q, i, j));
            assert_false(tui_qr_dark(&q, j, i));
            assert_false(tui_qr_dark(&q, i, far));
            assert_false(tui_qr_dark(&q, far, i));
        }
    assert_false(tui_qr_dark(&q, -100, 5));
    tui_qr_free(&q);
    assert_null(q.dark);
    assert_int_equal(q.width, 0);
    assert_int_equal(tui_qr_side(&q), 0);
    assert_false(tui_qr_dark(&q, 4, 4));
    tui_qr_free(&q);                    /* again: harmless */
    tui_qr_free(NULL);
}

/* The matrix equals `qrencode -t ASCII -m 4 -l L TEXT`, whose rows are the
 * padded symbol, "##" per dark module. */
static void check_against_cli(const char *text)
{
    char cmd[512], line[1024];
    struct tui_qr q = { 0 };
    int y = 0;

    assert_null(strchr(text, '\''));
    snprintf(cmd, sizeof cmd, "qrencode -t ASCII -m %d -l L -- '%s'",
             TUI_QR_QUIET, text);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    assert_int_equal(tui_qr_encode(&q, text), 0);
    int side = tui_qr_side(&q);
    while (fgets(line, sizeof line, p)) {
        line[strcspn(line, "\n")] = '\0';
        assert_int_equal((int)strlen(line), 2 * side);
        for (int x = 0; x < side; x++) {
            assert_int_equal(line[2 * x], line[2 * x + 1]);
            assert_int_equal(tui_qr_dark(&q, x, y), line[2 * x] == '#');
        }
        y++;
    }
    if (pclose(p) != 0)
        fail_msg("qrencode failed (package qrencode: scripts/install-deps.sh test)");
    assert_int_equal(y, side);
    tui_qr_free(&q);
}

static void matches_qrencode(void **state)
{
    (void)state;
    check_against_cli("Lumen");
    check_against_cli(URI);
    check_against_cli(URI_LONG);
    check_against_cli("otpauth://totp/Lumen:dr.o%27brien%40example.test?"
                      "secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Lumen"
                      "&algorithm=SHA1&digits=6&period=30");
}

static void sizes(void **state)
{
    struct tui_qr q = { 0 };
    int rows = -1, cols = -1;
    (void)state;

    tui_qr_size(&q, TUI_QR_HALF, &rows, &cols);
    assert_int_equal(rows, 0);
    assert_int_equal(cols, 0);

    assert_int_equal(tui_qr_encode(&q, URI), 0);
    assert_int_equal(q.width, 37);      /* version 5 at level L */
    tui_qr_size(&q, TUI_QR_HALF, &rows, &cols);
    assert_int_equal(rows, 23);
    assert_int_equal(cols, 45);
    tui_qr_size(&q, TUI_QR_FULL, &rows, &cols);
    assert_int_equal(rows, 45);
    assert_int_equal(cols, 90);
    tui_qr_size(&q, TUI_QR_REVERSE, &rows, &cols);
    assert_int_equal(rows, 45);
    assert_int_equal(cols, 90);
    tui_qr_free(&q);

    assert_int_equal(tui_qr_encode(&q, URI_LONG), 0);
    assert_int_equal(q.width, 41);      /* version 6 */
    tui_qr_size(&q, TUI_QR_HALF, &rows, &cols);
    assert_int_equal(rows, 25);
    assert_int_equal(cols, 49);
    tui_qr_size(&q, TUI_QR_FULL, &rows, &cols);
    assert_int_equal(rows, 49);
    assert_int_equal(cols, 98);
    tui_qr_free(&q);
}

static void modes(void **state)
{
    (void)state;
    assert_int_equal(tui_qr_mode_for(0, true), TUI_QR_HALF);
    assert_int_equal(tui_qr_mode_for(0, false), TUI_QR_HALF);
    assert_int_equal(tui_qr_mode_for(TEXT_ASCII, true), TUI_QR_FULL);
    assert_int_equal(tui_qr_mode_for(TEXT_ASCII, false), TUI_QR_REVERSE);
}

static void errors(void **state)
{
    static char huge[3001];
    struct tui_qr q = { 0 };
    (void)state;

    assert_int_equal(tui_qr_encode(&q, NULL), -1);
    assert_int_equal(tui_qr_encode(&q, ""), -1);
    memset(huge, 'a', sizeof huge - 1);  /* over version 40-L's 2953 bytes */
    assert_int_equal(tui_qr_encode(&q, huge), -1);
    assert_null(q.dark);
    assert_int_equal(q.width, 0);
    assert_int_equal(tui_qr_draw(stdscr, 0, 0, &q, TUI_QR_HALF), -1);
}

/* --- Drawing -------------------------------------------------------------- */

static void cell_of(WINDOW *w, int y, int x, wchar_t *ch, attr_t *a,
                    short *pair)
{
    cchar_t cc;
    wchar_t wc[CCHARW_MAX + 1] = { 0 };
    mvwin_wch(w, y, x, &cc);
    getcchar(&cc, wc, a, pair, NULL);
    *ch = wc[0];
}

/* HALF: the modules the glyphs say, against the matrix; every cell in
 * want_attr (of reverse and bold) and colour pair want_pair. */
static void check_half(WINDOW *w, int y0, int x0, const struct tui_qr *q,
                       attr_t want_attr, short want_pair)
{
    int rows, cols;
    tui_qr_size(q, TUI_QR_HALF, &rows, &cols);
    for (int r = 0; r < rows; r++)
        for (int c = 0; c < cols; c++) {
            wchar_t ch;
            attr_t a;
            short pair;
            cell_of(w, y0 + r, x0 + c, &ch, &a, &pair);
            bool top = ch == L'\u2580' || ch == L'\u2588';
            bool bottom = ch == L'\u2584' || ch == L'\u2588';
            assert_true(ch == L' ' || top || bottom);
            assert_int_equal(top, tui_qr_dark(q, c, 2 * r));
            assert_int_equal(bottom, tui_qr_dark(q, c, 2 * r + 1));
            assert_int_equal(a & (A_REVERSE | A_BOLD), want_attr);
            assert_int_equal(pair, want_pair);
        }
}

/* FULL and REVERSE: two blank cells a module, dark told by reverse. */
static void check_wide(WINDOW *w, int y0, int x0, const struct tui_qr *q,
                       bool dark_reversed, short want_pair)
{
    int side = tui_qr_side(q);
    for (int r = 0; r < side; r++)
        for (int c = 0; c < 2 * side; c++) {
            wchar_t ch;
            attr_t a;
            short pair;
            cell_of(w, y0 + r, x0 + c, &ch, &a, &pair);
            assert_int_equal(ch, L' ');
            assert_int_equal(pair, want_pair);
            bool reversed = (a & A_REVERSE) != 0;
            assert_int_equal(reversed == dark_reversed,
                             tui_qr_dark(q, c / 2, r));
        }
}

/* Draws q at (y, x) of a window filled with '~'; checks that exactly the
 * rectangle changed and the cursor stayed. */
static WINDOW *drawn(const struct tui_qr *q, enum tui_qr_mode m, int y, int x)
{
    int rows, cols;
    tui_qr_size(q, m, &rows, &cols);
    WINDOW *w = newwin(rows + y + 2, cols + x + 3, 0, 0);
    assert_non_null(w);
    screen_fill(w, '~');
    wmove(w, 1, 1);
    assert_int_equal(tui_qr_draw(w, y, x, q, m), 0);
    assert_int_equal(getcury(w), 1);
    assert_int_equal(getcurx(w), 1);
    int outside = 0;
    for (int r = 0; r < getmaxy(w); r++)
        for (int c = 0; c < getmaxx(w); c++)
            if (r < y || r >= y + rows || c < x || c >= x + cols)
                outside += cell(w, r, c) != L'~';
    assert_int_equal(outside, 0);
    return w;
}

static void draws_monochrome(void **state)
{
    struct tui_qr q = { 0 };
    (void)state;

    assert_false(theme_has_color());
    assert_int_equal(tui_qr_encode(&q, URI), 0);
    WINDOW *w = drawn(&q, TUI_QR_HALF, 1, 2);
    check_half(w, 1, 2, &q, A_REVERSE, 0);
    delwin(w);
    /* Without colour FULL is REVERSE: light modules reversed. */
    w = drawn(&q, TUI_QR_FULL, 2, 1);
    check_wide(w, 2, 1, &q, false, 0);
    delwin(w);
    w = drawn(&q, TUI_QR_REVERSE, 0, 0);
    check_wide(w, 0, 0, &q, false, 0);
    delwin(w);
    tui_qr_free(&q);
}

/* A 256-colour terminal, as under tmux in the e2e tests. */
static int colour_up(void **state)
{
    (void)state;
    unit_scr_out = fopen("/dev/null", "w");
    unit_scr_in = fopen("/dev/null", "r");
    if (!unit_scr_out || !unit_scr_in)
        return -1;
    unit_scr = newterm("xterm-256color", unit_scr_out, unit_scr_in);
    if (!unit_scr)
        return -1;
    set_term(unit_scr);
    theme_init(THEME_ALWAYS);
    return 0;
}

static void draws_in_colour(void **state)
{
    struct tui_qr q = { 0 };
    short fg, bg;
    (void)state;

    assert_true(theme_has_color());
    attr_t role = theme_attr(ROLE_QR);
    short pair = (short)PAIR_NUMBER(role);
    assert_int_not_equal(pair, 0);
    assert_int_equal(role & A_REVERSE, 0);
    pair_content(pair, &fg, &bg);
    assert_int_equal(fg, 16);           /* the cube's pure black ... */
    assert_int_equal(bg, 231);          /* ... on its pure white */

    assert_int_equal(tui_qr_encode(&q, URI_LONG), 0);
    WINDOW *w = drawn(&q, TUI_QR_HALF, 0, 3);
    check_half(w, 0, 3, &q, 0, pair);
    delwin(w);
    /* FULL: the pair's white for light, reversed to solid black for dark. */
    w = drawn(&q, TUI_QR_FULL, 1, 0);
    check_wide(w, 1, 0, &q, true, pair);
    delwin(w);
    /* REVERSE keeps to plain reverse video even where there is colour. */
    w = drawn(&q, TUI_QR_REVERSE, 1, 1);
    check_wide(w, 1, 1, &q, false, 0);
    delwin(w);
    tui_qr_free(&q);
}

/* Exactly the size fits, at the window's bottom-right corner; one row or
 * one column less, or an offset past the edge, draws nothing. */
static void too_small(void **state)
{
    static const enum tui_qr_mode all[] = { TUI_QR_HALF, TUI_QR_FULL,
                                            TUI_QR_REVERSE };
    struct tui_qr q = { 0 };
    (void)state;

    assert_int_equal(tui_qr_encode(&q, URI), 0);
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
        int rows, cols;
        tui_qr_size(&q, all[i], &rows, &cols);
        WINDOW *w = newwin(rows + 1, cols + 1, 0, 0);
        assert_non_null(w);
        screen_fill(w, '~');
        assert_int_equal(tui_qr_draw(w, 2, 0, &q, all[i]), -1);
        assert_int_equal(tui_qr_draw(w, 0, 2, &q, all[i]), -1);
        assert_int_equal(tui_qr_draw(w, -1, 0, &q, all[i]), -1);
        assert_int_equal(tui_qr_draw(w, 0, -1, &q, all[i]), -1);
        assert_int_equal(screen_changed_rows(w, 0, rows + 1, L'~'), 0);
        delwin(w);

        w = newwin(rows - 1, cols + 5, 0, 0);
        screen_fill(w, '~');
        assert_int_equal(tui_qr_draw(w, 0, 0, &q, all[i]), -1);
        assert_int_equal(screen_changed_rows(w, 0, rows - 1, L'~'), 0);
        delwin(w);
        w = newwin(rows + 5, cols - 1, 0, 0);
        screen_fill(w, '~');
        assert_int_equal(tui_qr_draw(w, 0, 0, &q, all[i]), -1);
        assert_int_equal(screen_changed_rows(w, 0, rows + 5, L'~'), 0);
        delwin(w);

        w = newwin(rows + 1, cols + 1, 0, 0);
        screen_fill(w, '~');
        assert_int_equal(tui_qr_draw(w, 1, 1, &q, all[i]), 0);
        assert_int_equal(screen_changed_rows(w, 0, 1, L'~'), 0);
        assert_int_equal(cell(w, rows, 0), L'~');
        assert_true(cell(w, rows, cols) != L'~');   /* the corner cell */
        delwin(w);
    }
    tui_qr_free(&q);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(known_answer),
        cmocka_unit_test(matches_qrencode),
        cmocka_unit_test(sizes),
        cmocka_unit_test(modes),
        cmocka_unit_test_setup_teardown(errors, screen_up, screen_down),
        cmocka_unit_test_setup_teardown(draws_monochrome, screen_up, screen_down),
        cmocka_unit_test_setup_teardown(draws_in_colour, colour_up, screen_down),
        cmocka_unit_test_setup_teardown(too_small, screen_up, screen_down),
    };
    return screen_run(tests);
}
