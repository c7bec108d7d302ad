/* Unit tests for tui/vlist: the cursor and view arithmetic at every
 * boundary, and drawing against a synthetic source of ten million rows
 * that counts what it is asked for.  Drawing goes to a curses screen on
 * /dev/null, so no terminal is needed. */
#include "tests/unit/unit.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui/text.h"
#include "tui/theme.h"
#include "tui/vlist.h"

#define BIG 10000000u
#define H 20
#define W 60
#define MAX_SEEN 64

/* A source that holds no rows: row i is the text "row i". */
struct synth {
    size_t count;
    size_t count_calls, want_calls, want_first, want_n;
    size_t draws, seen[MAX_SEEN];
    size_t selected_draws, last_selected;
};

static size_t synth_count(void *ud)
{
    struct synth *s = ud;
    s->count_calls++;
    return s->count;
}

static void synth_want(void *ud, size_t first, size_t n)
{
    struct synth *s = ud;
    assert_true(first + n <= s->count);
    s->want_calls++;
    s->want_first = first;
    s->want_n = n;
}

static void synth_draw(void *ud, WINDOW *w, int y, int width, size_t index,
                       bool selected)
{
    struct synth *s = ud;
    char buf[32];

    assert_true(index < s->count);
    assert_int_equal(getcury(w), y);
    assert_int_equal(getcurx(w), 0);
    assert_int_equal(width, W);
    if (s->draws < MAX_SEEN)
        s->seen[s->draws] = index;
    s->draws++;
    if (selected) {
        s->selected_draws++;
        s->last_selected = index;
    }
    snprintf(buf, sizeof buf, "row %zu", index);
    waddstr(w, buf);
}

static void synth_reset(struct synth *s)
{
    s->count_calls = s->want_calls = s->want_first = s->want_n = 0;
    s->draws = s->selected_draws = 0;
    s->last_selected = (size_t)-1;
}

static struct vlist_source source_of(struct synth *s)
{
    return (struct vlist_source){ synth_count, synth_want, synth_draw, s };
}

static SCREEN *screen;
static WINDOW *win;

static int make_window(void **state)
{
    (void)state;
    win = newwin(H, W, 0, 0);
    return win ? 0 : -1;
}

static int drop_window(void **state)
{
    (void)state;
    delwin(win);
    return 0;
}

/* The text on line y of the window, trailing spaces cut. */
static const char *line_text(int y)
{
    static char buf[W + 1];
    int n = mvwinnstr(win, y, 0, buf, W);
    if (n < 0)
        n = 0;
    buf[n] = '\0';
    while (n > 0 && buf[n - 1] == ' ')
        buf[--n] = '\0';
    return buf;
}

static void big_list(struct synth *s, struct vlist *vl)
{
    memset(s, 0, sizeof *s);
    s->count = BIG;
    struct vlist_source src = source_of(s);
    vlist_init(vl, &src, H, 0);
    synth_reset(s);
}

/* --- Arithmetic ----------------------------------------------------------- */

static struct vlist bare(size_t count, int height)
{
    static struct synth s;
    struct vlist vl;
    memset(&s, 0, sizeof s);
    s.count = count;
    struct vlist_source src = source_of(&s);
    vlist_init(&vl, &src, height, 0);
    return vl;
}

#define AT(vl, t, c) do { \
        assert_int_equal(vlist_top(&(vl)), (t)); \
        size_t cur_ = (size_t)-1; \
        assert_true(vlist_cursor(&(vl), &cur_)); \
        assert_int_equal(cur_, (c)); \
    } while (0)

static void empty_list(void **state)
{
    struct vlist vl = bare(0, 10);
    size_t i = 77;
    (void)state;
    assert_false(vlist_cursor(&vl, &i));
    assert_int_equal(i, 77);
    vlist_move(&vl, 1);
    vlist_move(&vl, -1);
    vlist_page_down(&vl);
    vlist_page_up(&vl);
    vlist_end(&vl);
    vlist_home(&vl);
    vlist_set_cursor(&vl, 5);
    vlist_resize(&vl, 3);
    assert_false(vlist_cursor(&vl, NULL));
    assert_int_equal(vlist_top(&vl), 0);
    vlist_set_count(&vl, 3);
    AT(vl, 0, 0);
}

static void one_row(void **state)
{
    struct vlist vl = bare(1, 10);
    (void)state;
    AT(vl, 0, 0);
    vlist_move(&vl, 5);
    AT(vl, 0, 0);
    vlist_move(&vl, -5);
    AT(vl, 0, 0);
    vlist_page_down(&vl);
    AT(vl, 0, 0);
    vlist_end(&vl);
    AT(vl, 0, 0);
    vlist_set_cursor(&vl, 9);
    AT(vl, 0, 0);
}

static void height_above_count(void **state)
{
    struct vlist vl = bare(5, 10);
    (void)state;
    vlist_end(&vl);
    AT(vl, 0, 4);
    vlist_home(&vl);
    vlist_page_down(&vl);
    AT(vl, 0, 4);
    vlist_page_up(&vl);
    AT(vl, 0, 0);
    vlist_move(&vl, 3);
    AT(vl, 0, 3);
}

static void moves_scroll_just_enough(void **state)
{
    struct vlist vl = bare(100, 10);
    (void)state;
    vlist_move(&vl, 9);
    AT(vl, 0, 9);
    vlist_move(&vl, 1);
    AT(vl, 1, 10);
    vlist_move(&vl, -1);
    AT(vl, 1, 9);
    vlist_move(&vl, -9);
    AT(vl, 0, 0);
    vlist_move(&vl, LONG_MAX);
    AT(vl, 90, 99);
    vlist_move(&vl, LONG_MIN);
    AT(vl, 0, 0);
}

/* A pager's j/k (help): the view moves a row at a time, stops at either
 * end, and the cursor is pushed along so that it stays in view. */
static void scroll_moves_the_view(void **state)
{
    struct vlist vl = bare(100, 10);
    (void)state;
    vlist_scroll(&vl, 1);
    AT(vl, 1, 1);
    vlist_scroll(&vl, 5);
    AT(vl, 6, 6);
    vlist_scroll(&vl, -2);
    AT(vl, 4, 6);
    vlist_scroll(&vl, LONG_MAX);
    AT(vl, 90, 90);
    vlist_scroll(&vl, 1);
    AT(vl, 90, 90);
    vlist_scroll(&vl, LONG_MIN);
    AT(vl, 0, 9);
    vlist_scroll(&vl, -1);
    AT(vl, 0, 9);
    /* A list that fits does not scroll; an empty one neither. */
    struct vlist fits = bare(5, 10);
    vlist_scroll(&fits, 3);
    AT(fits, 0, 0);
    struct vlist none = bare(0, 10);
    vlist_scroll(&none, 3);
    assert_int_equal(vlist_top(&none), 0);
    assert_false(vlist_cursor(&none, NULL));
}

static void pages_keep_the_cursor_line(void **state)
{
    struct vlist vl = bare(100, 10);
    (void)state;
    vlist_move(&vl, 3);
    vlist_page_down(&vl);
    AT(vl, 10, 13);
    for (int i = 0; i < 7; i++)
        vlist_page_down(&vl);
    AT(vl, 80, 83);
    vlist_page_down(&vl);               /* the view can only go to 90 */
    AT(vl, 90, 93);
    vlist_page_down(&vl);               /* and then the cursor to the end */
    AT(vl, 90, 99);
    vlist_page_up(&vl);
    AT(vl, 80, 89);
    for (int i = 0; i < 8; i++)
        vlist_page_up(&vl);
    AT(vl, 0, 9);
    vlist_page_up(&vl);
    AT(vl, 0, 0);
}

static void home_end_and_jumps(void **state)
{
    struct vlist vl = bare(1000, 10);
    (void)state;
    vlist_end(&vl);
    AT(vl, 990, 999);
    vlist_home(&vl);
    AT(vl, 0, 0);
    vlist_set_cursor(&vl, 500);         /* out of view: centred */
    AT(vl, 495, 500);
    vlist_set_cursor(&vl, 503);         /* in view: the view stays */
    AT(vl, 495, 503);
    vlist_set_cursor(&vl, 5000);
    AT(vl, 990, 999);
    vlist_set_cursor(&vl, 2);
    AT(vl, 0, 2);
}

static void resize_keeps_the_cursor(void **state)
{
    struct vlist vl = bare(100, 10);
    (void)state;
    vlist_move(&vl, 7);
    AT(vl, 0, 7);
    vlist_resize(&vl, 5);               /* line 7 is gone: last line */
    AT(vl, 3, 7);
    vlist_resize(&vl, 20);              /* line 4 stays line 4 */
    AT(vl, 3, 7);
    vlist_end(&vl);
    AT(vl, 80, 99);
    vlist_resize(&vl, 30);              /* at the end the view grows up */
    AT(vl, 70, 99);
    vlist_resize(&vl, 0);
    AT(vl, 99, 99);
    vlist_resize(&vl, -4);
    AT(vl, 99, 99);
    vlist_resize(&vl, 10);
    AT(vl, 90, 99);
    vlist_resize(&vl, 200);             /* taller than the list */
    AT(vl, 0, 99);
}

static void count_changes_clamp(void **state)
{
    struct vlist vl = bare(100, 10);
    (void)state;
    vlist_set_cursor(&vl, 50);
    AT(vl, 45, 50);
    vlist_set_count(&vl, 200);          /* appended: nothing moves */
    AT(vl, 45, 50);
    vlist_set_count(&vl, 30);           /* shrunk below the cursor */
    AT(vl, 20, 29);
    vlist_set_count(&vl, 5);
    AT(vl, 0, 4);
    vlist_set_count(&vl, 0);
    assert_false(vlist_cursor(&vl, NULL));
    vlist_set_count(&vl, 50);
    AT(vl, 0, 0);
}

/* --- Drawing against ten million rows ------------------------------------- */

static void state_is_flat(void **state)
{
    struct synth s;
    struct vlist vl;
    (void)state;
    /* No pointer but the caller's: the list allocates nothing, so its
     * memory is this struct whatever the count. */
    assert_true(sizeof(struct vlist) <= 160);
    big_list(&s, &vl);
    for (int i = 0; i < 1000; i++) {
        vlist_page_down(&vl);
        vlist_draw(&vl, win);
    }
    assert_int_equal(s.draws, 1000 * H);
    assert_int_equal(s.count_calls, 1000);
    assert_int_equal(s.want_calls, 1000);
    AT(vl, 1000 * H, 1000 * H);
}

static void full_draw_asks_only_the_view(void **state)
{
    struct synth s;
    struct vlist vl;
    (void)state;
    big_list(&s, &vl);
    assert_int_equal(vlist_draw(&vl, win), H);
    assert_int_equal(s.draws, H);
    for (size_t i = 0; i < H; i++)
        assert_int_equal(s.seen[i], i);
    assert_int_equal(s.want_calls, 1);
    assert_int_equal(s.want_first, 0);
    assert_int_equal(s.want_n, H);
    assert_int_equal(s.selected_draws, 1);
    assert_int_equal(s.last_selected, 0);
    assert_string_equal(line_text(0), "row 0");
    assert_string_equal(line_text(H - 1), "row 19");
    /* The selected row's bar spans the width. */
    assert_true(mvwinch(win, 0, W - 1) & A_REVERSE);
    assert_false(mvwinch(win, 1, W - 1) & A_REVERSE);
    /* Nothing changed, nothing drawn. */
    synth_reset(&s);
    assert_int_equal(vlist_draw(&vl, win), 0);
    assert_int_equal(s.draws, 0);
    assert_int_equal(s.count_calls, 1);
}

/* A pager draws no row selected, and from the row it is told, in the
 * rectangle of a window shared with other things (no window of its own). */
static void pager_draws_no_cursor_at_a_row(void **state)
{
    struct synth s;
    struct vlist vl;
    (void)state;
    big_list(&s, &vl);
    vlist_resize(&vl, H - 3);
    vlist_hide_cursor(&vl, true);
    werase(win);
    mvwaddstr(win, 0, 0, "header");
    assert_int_equal(vlist_draw_at(&vl, win, 3), H - 3);
    assert_int_equal(s.selected_draws, 0);
    assert_string_equal(line_text(0), "header");
    assert_string_equal(line_text(3), "row 0");
    assert_string_equal(line_text(H - 1), "row 16");
    for (int y = 3; y < H; y++)
        assert_false(mvwinch(win, y, W - 1) & A_REVERSE);
    vlist_scroll(&vl, 2);
    vlist_draw_at(&vl, win, 3);
    assert_string_equal(line_text(3), "row 2");
    assert_string_equal(line_text(0), "header");
}

static void cursor_move_redraws_two_rows(void **state)
{
    struct synth s;
    struct vlist vl;
    (void)state;
    big_list(&s, &vl);
    vlist_draw(&vl, win);
    synth_reset(&s);
    vlist_move(&vl, 1);
    assert_int_equal(vlist_draw(&vl, win), 2);
    assert_int_equal(s.draws, 2);
    assert_int_equal(s.seen[0], 0);
    assert_int_equal(s.seen[1], 1);
    assert_int_equal(s.selected_draws, 1);
    assert_int_equal(s.last_selected, 1);
    assert_false(mvwinch(win, 0, W - 1) & A_REVERSE);
    assert_true(mvwinch(win, 1, W - 1) & A_REVERSE);

    synth_reset(&s);
    vlist_move(&vl, H - 2);             /* to the last line: no scroll */
    assert_int_equal(vlist_draw(&vl, win), 2);
    synth_reset(&s);
    vlist_move(&vl, 1);                 /* past it: the view scrolls */
    assert_int_equal(vlist_draw(&vl, win), H);
    assert_int_equal(s.draws, H);
    assert_int_equal(s.seen[0], 1);
    assert_string_equal(line_text(H - 1), "row 20");
}

static void page_down_redraws_the_view(void **state)
{
    struct synth s;
    struct vlist vl;
    (void)state;
    big_list(&s, &vl);
    vlist_draw(&vl, win);
    synth_reset(&s);
    vlist_page_down(&vl);
    assert_int_equal(vlist_draw(&vl, win), H);
    assert_int_equal(s.draws, H);
    assert_int_equal(s.want_first, H);
    assert_int_equal(s.want_n, H);
    assert_int_equal(s.seen[0], H);
    assert_int_equal(s.last_selected, H);
}

static void end_asks_only_the_last_page(void **state)
{
    struct synth s;
    struct vlist vl;
    (void)state;
    big_list(&s, &vl);
    vlist_draw(&vl, win);
    synth_reset(&s);
    vlist_end(&vl);
    assert_int_equal(vlist_draw(&vl, win), H);
    assert_int_equal(s.draws, H);
    assert_int_equal(s.want_calls, 1);
    assert_int_equal(s.want_first, BIG - H);
    assert_int_equal(s.want_n, H);
    for (size_t i = 0; i < H; i++)
        assert_int_equal(s.seen[i], BIG - H + i);
    assert_int_equal(s.last_selected, BIG - 1);
    assert_string_equal(line_text(H - 1), "row 9999999");
    synth_reset(&s);
    vlist_home(&vl);
    assert_int_equal(vlist_draw(&vl, win), H);
    assert_int_equal(s.want_first, 0);
}

static void placeholder_when_empty(void **state)
{
    struct synth s = { .count = 0 };
    struct vlist_source src = source_of(&s);
    struct vlist vl;
    (void)state;
    vlist_init(&vl, &src, H, TEXT_ASCII);
    vlist_set_placeholder(&vl, "No leads yet\x1b[31m");
    assert_int_equal(vlist_draw(&vl, win), H);
    assert_int_equal(s.draws, 0);
    assert_int_equal(s.want_calls, 0);
    /* Sanitized even so: ESC shows as a placeholder, not sent. */
    assert_string_equal(line_text(0), "No leads yet^[[31m");
    assert_string_equal(line_text(1), "");
    assert_int_equal(vlist_draw(&vl, win), 0);

    /* Rows arrive: the placeholder goes, the rows come. */
    s.count = 3;
    assert_int_equal(vlist_draw(&vl, win), H);
    assert_int_equal(s.draws, 3);
    assert_string_equal(line_text(0), "row 0");
    assert_string_equal(line_text(2), "row 2");
    assert_string_equal(line_text(3), "");

    /* And go again: stale lines are cleared. */
    s.count = 1;
    s.draws = 0;
    assert_int_equal(vlist_draw(&vl, win), H);
    assert_int_equal(s.draws, 1);
    assert_string_equal(line_text(1), "");
    vlist_set_placeholder(&vl, NULL);
    s.count = 0;
    vlist_draw(&vl, win);
    assert_string_equal(line_text(0), "");
}

static void count_change_while_drawn(void **state)
{
    struct synth s;
    struct vlist vl;
    (void)state;
    big_list(&s, &vl);
    vlist_set_cursor(&vl, BIG - 1);
    vlist_draw(&vl, win);
    synth_reset(&s);
    s.count = 100;                      /* the source was refiltered */
    assert_int_equal(vlist_draw(&vl, win), H);
    AT(vl, 100 - H, 99);
    assert_int_equal(s.draws, H);
    assert_int_equal(s.want_first, 100 - H);
    assert_int_equal(s.last_selected, 99);
}

static void invalidation(void **state)
{
    struct synth s;
    struct vlist vl;
    (void)state;
    big_list(&s, &vl);
    vlist_draw(&vl, win);
    synth_reset(&s);
    vlist_invalidate_rows(&vl, 3, 3);
    assert_int_equal(vlist_draw(&vl, win), 3);
    assert_int_equal(s.seen[0], 3);
    assert_int_equal(s.seen[2], 5);
    assert_int_equal(s.want_first, 3);
    assert_int_equal(s.want_n, 3);
    synth_reset(&s);
    vlist_invalidate_rows(&vl, 500, 10);   /* not in view */
    vlist_invalidate_rows(&vl, BIG - 1, (size_t)-1);
    assert_int_equal(vlist_draw(&vl, win), 0);
    synth_reset(&s);
    vlist_invalidate_rows(&vl, 18, 1);
    vlist_invalidate_rows(&vl, 0, 1);      /* one range: 0 .. 18 */
    assert_int_equal(vlist_draw(&vl, win), 19);
    synth_reset(&s);
    vlist_invalidate(&vl);
    assert_int_equal(vlist_draw(&vl, win), H);
    assert_int_equal(s.draws, H);
    /* A resize redraws everything once. */
    synth_reset(&s);
    vlist_resize(&vl, H - 5);
    assert_int_equal(vlist_draw(&vl, win), H - 5);
    assert_int_equal(s.draws, H - 5);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(empty_list),
        cmocka_unit_test(one_row),
        cmocka_unit_test(height_above_count),
        cmocka_unit_test(moves_scroll_just_enough),
        cmocka_unit_test(scroll_moves_the_view),
        cmocka_unit_test(pages_keep_the_cursor_line),
        cmocka_unit_test(home_end_and_jumps),
        cmocka_unit_test(resize_keeps_the_cursor),
        cmocka_unit_test(count_changes_clamp),
        cmocka_unit_test_setup_teardown(state_is_flat, make_window, drop_window),
        cmocka_unit_test_setup_teardown(full_draw_asks_only_the_view, make_window, drop_window),
        cmocka_unit_test_setup_teardown(pager_draws_no_cursor_at_a_row, make_window, drop_window),
        cmocka_unit_test_setup_teardown(cursor_move_redraws_two_rows, make_window, drop_window),
        cmocka_unit_test_setup_teardown(page_down_redraws_the_view, make_window, drop_window),
        cmocka_unit_test_setup_teardown(end_asks_only_the_last_page, make_window, drop_window),
        cmocka_unit_test_setup_teardown(placeholder_when_empty, make_window, drop_window),
        cmocka_unit_test_setup_teardown(count_change_while_drawn, make_window, drop_window),
        cmocka_unit_test_setup_teardown(invalidation, make_window, drop_window),
    };
    /* A screen on /dev/null: curses keeps its windows in memory, which is
     * all these tests read back; no terminal is needed. */
    FILE *out = fopen("/dev/null", "w"), *in = fopen("/dev/null", "r");
    int rc;

    if (!out || !in || setenv("TERM", "xterm", 1) != 0 ||
        !(screen = newterm("xterm", out, in))) {
        fprintf(stderr, "no curses screen on /dev/null\n");
        return 1;
    }
    set_term(screen);
    theme_init(THEME_NEVER);            /* monochrome: selected = A_REVERSE */
    rc = unit_run(tests);
    endwin();
    delscreen(screen);
    fclose(out);
    fclose(in);
    return rc;
}
