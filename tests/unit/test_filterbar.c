/* Unit tests for tui/filterbar: opening saves the row under the cursor,
 * typing says when the text changed, keys it does not use are left to the
 * screen, Enter keeps the filter in force, Esc clears it and gives the row
 * back (the first one saved, across re-opening); and the line drawn. */
#include "tests/unit/unit.h"

#include <string.h>

#include "tests/unit/screen.h"
#include "tui/filterbar.h"

static void type(struct filterbar *fb, const char *s, int *changes)
{
    for (; *s; s++) {
        bool changed = false;
        assert_true(filterbar_key(fb, (unsigned char)*s, &changed));
        *changes += changed;
    }
}

static void typing_narrows_and_enter_keeps_it(void **state)
{
    struct filterbar fb;
    int changes = 0;
    size_t len;
    bool changed;
    (void)state;

    filterbar_init(&fb, 0);
    assert_false(filterbar_shown(&fb));
    assert_false(filterbar_key(&fb, 'a', &changed));    /* closed: not its key */
    filterbar_open(&fb, "lead-42", 7, 5);
    assert_true(filterbar_editing(&fb) && filterbar_shown(&fb));
    type(&fb, "status:new", &changes);
    assert_int_equal(changes, 10);                      /* one query per key */
    assert_string_equal(filterbar_text(&fb, &len), "status:new");
    assert_int_equal(len, 10);
    assert_true(filterbar_key(&fb, TUI_FN(KEY_BACKSPACE), &changed));
    assert_true(changed);
    assert_true(filterbar_key(&fb, TUI_FN(KEY_LEFT), &changed));
    assert_false(changed);                              /* used, same text */
    /* Keys for the screen: Enter and Esc to act on, arrows to move the
     * list while typing. */
    assert_false(filterbar_key(&fb, '\n', &changed));
    assert_false(filterbar_key(&fb, TUI_KEY_ESC, &changed));
    assert_false(filterbar_key(&fb, TUI_FN(KEY_DOWN), &changed));
    assert_false(changed);
    filterbar_accept(&fb);
    assert_false(filterbar_editing(&fb));
    assert_true(filterbar_shown(&fb));                  /* the filter in force */
    assert_string_equal(filterbar_text(&fb, NULL), "status:ne");
    filterbar_free(&fb);
}

static void esc_gives_back_the_first_row(void **state)
{
    struct filterbar fb;
    const void *key = NULL;
    size_t len = 0;
    int line = -1, changes = 0;
    (void)state;

    filterbar_init(&fb, 0);
    filterbar_open(&fb, "lead-42", 7, 5);
    type(&fb, "smith", &changes);
    filterbar_accept(&fb);
    /* Editing the filter in force: the cursor is on a filtered row now,
     * but Esc must go back to the row from before filtering. */
    filterbar_open(&fb, "lead-99", 7, 0);
    type(&fb, " status:new", &changes);
    filterbar_set_error(&fb, "unknown filter 'x:'");
    assert_true(filterbar_cancel(&fb, &key, &len, &line));
    assert_int_equal(len, 7);
    assert_memory_equal(key, "lead-42", 7);
    assert_int_equal(line, 5);
    assert_false(filterbar_shown(&fb));
    assert_string_equal(filterbar_text(&fb, NULL), "");
    assert_string_equal(fb.error, "");
    /* Nothing saved any more; an empty list saves nothing either. */
    assert_false(filterbar_cancel(&fb, &key, &len, &line));
    filterbar_open(&fb, NULL, 0, 0);
    assert_false(filterbar_cancel(&fb, &key, &len, &line));
    /* Enter on an empty text is no filter: the next open saves afresh. */
    filterbar_open(&fb, "a", 1, 1);
    filterbar_accept(&fb);
    filterbar_open(&fb, "b", 1, 2);
    assert_true(filterbar_cancel(&fb, &key, &len, &line));
    assert_memory_equal(key, "b", 1);
    assert_int_equal(line, 2);
    filterbar_free(&fb);
}

static void drawn_line(void **state)
{
    WINDOW *w = newwin(3, 80, 0, 0);
    struct filterbar fb;
    int changes = 0, col;
    (void)state;

    filterbar_init(&fb, 0);
    filterbar_open(&fb, "k", 1, 0);
    type(&fb, "status:new smith", &changes);
    screen_fill(w, '#');
    col = filterbar_draw(&fb, w, 1, 2, 70);
    assert_int_equal(col, 2 + 8 + 16);                  /* after the text */
    assert_int_equal(getcury(w), 1);
    assert_int_equal(getcurx(w), col);
    assert_string_equal(screen_text(w, 1, 2, 24), "Filter: status:new smith");
    assert_true(cell_attr(w, 1, 10) & A_REVERSE);       /* the field has focus */
    assert_int_equal(screen_changed_rows(w, 0, 1, L'#'), 0);
    assert_int_equal(screen_changed_rows(w, 2, 1, L'#'), 0);
    assert_int_equal(cell(w, 1, 1), L'#');
    assert_int_equal(cell(w, 1, 72), L'#');
    /* The screen's complaint, sanitized, beside the text. */
    filterbar_set_error(&fb, "unknown filter 'x:' \x1b[5m");
    filterbar_draw(&fb, w, 1, 2, 70);
    assert_string_equal(screen_text(w, 1, 48, 24), "unknown filter 'x:' \u241b[5m");
    assert_true(cell_attr(w, 1, 48) & A_BOLD);          /* ROLE_ERROR */
    assert_string_equal(screen_text(w, 1, 2, 24), "Filter: status:new smith");
    /* In force, the keyboard back on the list: shown, no cursor. */
    filterbar_accept(&fb);
    assert_int_equal(filterbar_draw(&fb, w, 1, 2, 70), -1);
    assert_string_equal(screen_text(w, 1, 2, 24), "Filter: status:new smith");
    assert_false(cell_attr(w, 1, 10) & A_REVERSE);
    /* Too narrow, or off the window: nothing. */
    screen_fill(w, '#');
    assert_int_equal(filterbar_draw(&fb, w, 1, 0, 8), -1);
    assert_int_equal(filterbar_draw(&fb, w, 5, 0, 80), -1);
    assert_int_equal(screen_changed_rows(w, 0, 3, L'#'), 0);
    filterbar_free(&fb);
    delwin(w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(typing_narrows_and_enter_keeps_it),
        cmocka_unit_test(esc_gives_back_the_first_row),
        cmocka_unit_test_setup_teardown(drawn_line, screen_up, screen_down),
    };
    return screen_run(tests);
}
