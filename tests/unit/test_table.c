/* Unit tests for tui/table: column widths at 80 and 200 columns, cells
 * cut with an ellipsis, numbers right-aligned, hostile text drawn as
 * placeholders, the selected and tagged rows, and what a draw writes: the
 * view once, then two rows for a cursor move, one for a tag, none for
 * nothing.  Drawing goes to a curses screen on /dev/null. */
#include "tests/unit/unit.h"

#include <string.h>

#include "tests/unit/screen.h"
#include "tui/table.h"
#include "tui/text.h"

enum { AGE, STATUS, NAME, INTEREST, PHONE, ASSIGNED, NCOLS };

/* The inbox's columns, as the inbox issue lists them. */
static const struct table_column inbox[NCOLS] = {
    [AGE] = { "Age", 4, 0, 0, TABLE_RIGHT },
    [STATUS] = { "Status", 13, 0, 0, TABLE_LEFT },
    [NAME] = { "Name", 0, 3, 12, TABLE_LEFT },
    [INTEREST] = { "Interest", 0, 2, 10, TABLE_LEFT },
    [PHONE] = { "Phone", 16, 0, 0, TABLE_LEFT },
    [ASSIGNED] = { "Assigned", 0, 1, 8, TABLE_LEFT },
};

#define HOSTILE_NAME "\x1b]0;pwned\x07 Eve"
#define BIDI_INTEREST "\xe2\x80\xae" "evil.exe"

/* Rows made up from their number; row 7 is hostile, row 9 not fetched. */
struct rows {
    unsigned calls;
    int64_t tagged;
    char age[16];
};

static unsigned row_cells(void *ud, int64_t row, struct table_cell *c)
{
    struct rows *r = ud;

    r->calls++;
    if (row == 9)
        return TABLE_ROW_MISSING;
    snprintf(r->age, sizeof r->age, "%lldm", (long long)row);
    c[AGE].text = r->age;
    c[AGE].attr = row == 2 ? A_BOLD : 0;        /* a new lead getting old */
    c[STATUS].text = "new";
    c[NAME].text = row == 7 ? HOSTILE_NAME : "Bartholomew Alexander Montgomery-Smythe";
    c[INTEREST].text = row == 7 ? BIDI_INTEREST : "whitening";
    c[PHONE].text = "+1 555 0100";
    c[ASSIGNED].text = NULL;
    return row == r->tagged ? TABLE_ROW_TAGGED : 0;
}

static void widths(void **state)
{
    struct table t;
    (void)state;

    table_init(&t, inbox, NCOLS, TABLE_MARKS, 0);
    /* 80: 2 mark + 5 gaps + 33 fixed = 40; 40 left; assigned's share (6)
     * is below its minimum, so it gets 8 and name and interest share 32
     * as 3:2, the odd column to the first. */
    assert_int_equal(table_layout(&t, 80), NCOLS);
    int want80[NCOLS] = { 4, 13, 20, 12, 16, 8 };
    for (int i = 0; i < NCOLS; i++)
        assert_int_equal(table_column_width(&t, i), want80[i]);
    assert_int_equal(table_column_x(&t, AGE), 2);
    assert_int_equal(table_column_x(&t, ASSIGNED) + table_column_width(&t, ASSIGNED), 80);
    /* 200: 160 shared 3:2:1. */
    assert_int_equal(table_layout(&t, 200), NCOLS);
    int want200[NCOLS] = { 4, 13, 81, 53, 16, 26 };
    for (int i = 0; i < NCOLS; i++)
        assert_int_equal(table_column_width(&t, i), want200[i]);
    assert_int_equal(table_column_x(&t, ASSIGNED) + table_column_width(&t, ASSIGNED), 200);
    /* 60: the minimums do not fit, so whole columns go from the right. */
    assert_int_equal(table_layout(&t, 60), 4);
    assert_int_equal(table_column_width(&t, PHONE), 0);
    assert_int_equal(table_column_width(&t, ASSIGNED), 0);
    assert_int_equal(table_column_x(&t, INTEREST) + table_column_width(&t, INTEREST), 60);
    assert_true(table_column_width(&t, NAME) >= 12);
    /* Far too narrow: the first column, cut to what there is. */
    assert_int_equal(table_layout(&t, 5), 1);
    assert_int_equal(table_column_width(&t, AGE), 3);
    assert_int_equal(table_layout(&t, 2), 0);
}

/* Draws rows [first, first+rows) of a view into rect; returns lines. */
static int draw(struct table *t, WINDOW *w, struct table_rect r, struct table_view v,
                struct rows *rows)
{
    return table_draw(t, w, &r, &v, row_cells, rows);
}

static void cells_at_80_and_200(void **state)
{
    WINDOW *w = newwin(20, 210, 0, 0);
    struct rows rows = { .tagged = 3 };
    struct table t;
    struct table_view v = { .first = 0, .rows = 10, .cursor = 4, .has_cursor = true };
    (void)state;

    table_init(&t, inbox, NCOLS, TABLE_MARKS, 0);
    for (int width = 80; width <= 200; width += 120) {
        screen_fill(w, '#');
        assert_int_equal(draw(&t, w, (struct table_rect){ 2, 5, 12, width }, v, &rows), 12);
        int nx = 5 + table_column_x(&t, NAME), nw = table_column_width(&t, NAME);
        /* Header: titles in bold, numbers' titles on the right. */
        assert_string_equal(screen_text(w, 2, 5, 7), "   Age ");
        assert_string_equal(screen_text(w, 2, nx, 4), "Name");
        assert_true(cell_attr(w, 2, nx) & A_BOLD);
        /* Age right-aligned; name cut to its column with an ellipsis. */
        assert_string_equal(screen_text(w, 3, 5, 6), "    0m");
        assert_string_equal(screen_text(w, 3, nx, 11), "Bartholomew");
        if (width == 80) {
            assert_string_equal(screen_text(w, 3, nx, nw), "Bartholomew Alexand…");
        } else {
            assert_string_equal(screen_text(w, 3, nx, 41),
                                "Bartholomew Alexander Montgomery-Smythe  ");
        }
        assert_int_equal(cell(w, 3, nx + nw), L' ');     /* the gap */
        /* The rectangle and nothing else. */
        assert_int_equal(screen_changed_rows(w, 0, 2, L'#'), 0);
        assert_int_equal(screen_changed_rows(w, 14, 6, L'#'), 0);
        for (int y = 2; y < 14; y++) {
            assert_int_equal(cell(w, y, 4), L'#');
            assert_int_equal(cell(w, y, 5 + width), L'#');
        }
    }
    delwin(w);
}

static void hostile_cells_are_placeholders(void **state)
{
    WINDOW *w = newwin(12, 80, 0, 0);
    struct rows rows = { .tagged = -1 };
    struct table t;
    struct table_view v = { .first = 5, .rows = 5, .cursor = 5, .has_cursor = true };
    (void)state;

    for (unsigned tf = 0; tf <= TEXT_ASCII; tf += TEXT_ASCII) {
        table_init(&t, inbox, NCOLS, TABLE_MARKS, tf);
        screen_fill(w, '#');
        draw(&t, w, (struct table_rect){ 0, 0, 12, 80 }, v, &rows);
        int y = 1 + 7 - 5, nx = table_column_x(&t, NAME), ix = table_column_x(&t, INTEREST);
        if (tf) {
            assert_string_equal(screen_text(w, y, nx, 17), "^[]0;pwned^G Eve ");
            assert_string_equal(screen_text(w, y, ix, 10), "?evil.exe ");
            assert_string_equal(screen_text(w, y + 2, table_column_x(&t, AGE), 4), "... ");
        } else {
            assert_string_equal(screen_text(w, y, nx, 15), "\u241b]0;pwned\u2407 Eve ");
            assert_string_equal(screen_text(w, y, ix, 10), "\ufffdevil.exe ");
            assert_string_equal(screen_text(w, y + 2, table_column_x(&t, AGE), 2), "… ");
        }
        /* Not one control character reached the window. */
        for (int r = 0; r < 12; r++)
            for (int x = 0; x < 80; x++) {
                wchar_t c = cell(w, r, x);
                assert_true(c >= 0x20 && c != 0x7f && !(c >= 0x80 && c < 0xa0) &&
                            c != 0x202e);
            }
    }
    delwin(w);
}

static void selected_and_tagged_rows(void **state)
{
    WINDOW *w = newwin(12, 80, 0, 0);
    struct rows rows = { .tagged = 3 };
    struct table t;
    struct table_view v = { .first = 0, .rows = 6, .cursor = 2, .has_cursor = true };
    (void)state;

    table_init(&t, inbox, NCOLS, TABLE_MARKS, 0);
    draw(&t, w, (struct table_rect){ 0, 0, 12, 80 }, v, &rows);
    /* The bar: reverse across the whole width, gaps and marks included,
     * and a cell's bold (row 2's age) kept on it. */
    for (int x = 0; x < 80; x++)
        assert_true(cell_attr(w, 3, x) & A_REVERSE);
    assert_true(cell_attr(w, 3, table_column_x(&t, AGE) + 3) & A_BOLD);
    for (int x = 0; x < 80; x++)
        assert_false(cell_attr(w, 2, x) & A_REVERSE);
    /* Row 3 is tagged: its mark, bold. */
    assert_int_equal(cell(w, 4, 0), L'*');
    assert_true(cell_attr(w, 4, 0) & A_BOLD);
    assert_int_equal(cell(w, 3, 0), L' ');
    /* Lines past the last row are blank. */
    assert_string_equal(screen_text(w, 8, 0, 4), "    ");
    delwin(w);
}

static void redraws_only_what_changed(void **state)
{
    WINDOW *w = newwin(14, 80, 0, 0);
    struct rows rows = { .tagged = -1 };
    struct table t;
    struct table_rect r = { 1, 0, 12, 80 };
    struct table_view v = { .first = 100, .rows = 11, .cursor = 103, .has_cursor = true };
    (void)state;

    table_init(&t, inbox, NCOLS, TABLE_MARKS, 0);
    assert_int_equal(draw(&t, w, r, v, &rows), 12);
    assert_int_equal(draw(&t, w, r, v, &rows), 0);          /* nothing */

    /* One row down: the old and the new cursor rows, nothing else. */
    screen_fill(w, '#');
    rows.calls = 0;
    v.cursor = 104;
    assert_int_equal(draw(&t, w, r, v, &rows), 2);
    assert_int_equal(rows.calls, 2);
    assert_int_equal(screen_changed_rows(w, 0, 5, L'#'), 0);
    assert_int_equal(screen_changed_rows(w, 7, 7, L'#'), 0);
    assert_false(cell_attr(w, 5, 10) & A_REVERSE);           /* row 103 */
    assert_true(cell_attr(w, 6, 10) & A_REVERSE);            /* row 104 */

    /* A jump within the view: still two rows, not those between. */
    v.cursor = 110;
    assert_int_equal(draw(&t, w, r, v, &rows), 2);

    /* A tag toggled: that row alone. */
    rows.tagged = 101;
    table_invalidate_row(&t, 101);
    table_invalidate_row(&t, 5000);                         /* not in view */
    assert_int_equal(draw(&t, w, r, v, &rows), 1);
    assert_int_equal(cell(w, 3, 0), L'*');

    /* Many rows at once (tag all): as good as everything. */
    for (int64_t row = 100; row < 100 + TABLE_DIRTY_MAX + 1; row++)
        table_invalidate_row(&t, row);
    assert_int_equal(draw(&t, w, r, v, &rows), 12);

    /* Scrolled, new data (version), resized, or invalidated: everything. */
    v.first = 101;
    assert_int_equal(draw(&t, w, r, v, &rows), 12);
    v.version++;
    assert_int_equal(draw(&t, w, r, v, &rows), 12);
    r.w = 70;
    assert_int_equal(draw(&t, w, r, v, &rows), 12);
    table_invalidate(&t);
    assert_int_equal(draw(&t, w, r, v, &rows), 12);
    /* The cursor gone (a filter bar took the keyboard): its row only. */
    v.has_cursor = false;
    assert_int_equal(draw(&t, w, r, v, &rows), 1);
    delwin(w);
}

static void empty_view_and_clipping(void **state)
{
    WINDOW *w = newwin(10, 40, 0, 0);
    struct rows rows = { .tagged = -1 };
    struct table t;
    struct table_view v = { .rows = 0, .empty = "No leads match \x1b[2J this filter" };
    (void)state;

    table_init(&t, inbox, NCOLS, 0, 0);
    screen_fill(w, '#');
    assert_int_equal(draw(&t, w, (struct table_rect){ 0, 0, 10, 40 }, v, &rows), 10);
    assert_string_equal(screen_text(w, 1, 0, 25), "No leads match \u241b[2J this ");
    assert_int_equal(rows.calls, 0);
    /* A rectangle past the window's edges is cut to the window. */
    screen_fill(w, '#');
    v.rows = 30;
    assert_int_equal(draw(&t, w, (struct table_rect){ 6, 10, 30, 100 }, v, &rows), 4);
    assert_int_equal(screen_changed_rows(w, 0, 6, L'#'), 0);
    for (int y = 6; y < 10; y++)
        assert_int_equal(cell(w, y, 9), L'#');
    assert_int_equal(draw(&t, w, (struct table_rect){ 10, 0, 3, 40 }, v, &rows), 0);
    delwin(w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(widths),
        cmocka_unit_test_setup_teardown(cells_at_80_and_200, screen_up, screen_down),
        cmocka_unit_test_setup_teardown(hostile_cells_are_placeholders, screen_up, screen_down),
        cmocka_unit_test_setup_teardown(selected_and_tagged_rows, screen_up, screen_down),
        cmocka_unit_test_setup_teardown(redraws_only_what_changed, screen_up, screen_down),
        cmocka_unit_test_setup_teardown(empty_view_and_clipping, screen_up, screen_down),
    };
    return screen_run(tests);
}
