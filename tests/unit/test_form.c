/* Unit tests for tui/form and tui/dialog: keys, layout, clipped drawing. */
#include "tests/unit/unit.h"
#include "tests/unit/screen.h"

#include <locale.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "tui/dialog.h"
#include "tui/form.h"
#include "tui/theme.h"

#define KANJI "\xE6\x82\xA3\xE8\x80\x85" /* 患者, 4 columns */

static struct form *login(struct form *fm)
{
    form_init(fm, 0);
    assert_non_null(form_add(fm, "Email", 0, 0, 254));
    assert_non_null(form_add(fm, "Password", FIELD_MASKED, 0, 256));
    assert_non_null(form_add(fm, "Code", FIELD_DIGITS, 6, 0));
    return fm;
}

/* ---- form keys */

static void test_form_focus_cycles(void **state)
{
    struct form fm;

    (void)state;
    login(&fm);
    assert_int_equal(fm.focus, 0);
    assert_int_equal(form_key(&fm, '\t'), FORM_NONE);
    assert_int_equal(fm.focus, 1);
    assert_int_equal(form_key(&fm, '\t'), FORM_NONE);
    assert_int_equal(form_key(&fm, '\t'), FORM_NONE);
    assert_int_equal(fm.focus, 0); /* Tab wraps */
    assert_int_equal(form_key(&fm, TUI_FN(KEY_BTAB)), FORM_NONE);
    assert_int_equal(fm.focus, 2); /* and so does S-Tab */
    assert_int_equal(form_key(&fm, TUI_FN(KEY_DOWN)), FORM_NONE);
    assert_int_equal(fm.focus, 2); /* Down stops at the end */
    assert_int_equal(form_key(&fm, TUI_FN(KEY_UP)), FORM_NONE);
    assert_int_equal(form_key(&fm, TUI_FN(KEY_UP)), FORM_NONE);
    assert_int_equal(form_key(&fm, TUI_FN(KEY_UP)), FORM_NONE);
    assert_int_equal(fm.focus, 0); /* Up stops at the start */
    assert_int_equal(form_key(&fm, TUI_FN(KEY_DOWN)), FORM_NONE);
    assert_int_equal(fm.focus, 1);
    form_set_focus(&fm, 2);
    assert_int_equal(fm.focus, 2);
    form_set_focus(&fm, 9);
    assert_int_equal(fm.focus, 2);
    form_free(&fm);
}

static void test_form_submit_and_cancel(void **state)
{
    struct form fm;

    (void)state;
    login(&fm);
    assert_int_equal(form_key(&fm, '\n'), FORM_NONE);
    assert_int_equal(fm.focus, 1);
    assert_int_equal(form_key(&fm, '\n'), FORM_NONE);
    assert_int_equal(fm.focus, 2);
    assert_int_equal(form_key(&fm, '\n'), FORM_SUBMIT);
    assert_int_equal(fm.focus, 2);
    assert_int_equal(form_key(&fm, TUI_KEY_ESC), FORM_CANCEL);
    form_set_focus(&fm, 0);
    assert_int_equal(form_key(&fm, TUI_KEY_ESC), FORM_CANCEL);
    form_free(&fm);

    /* One field: Enter submits at once.  No field: still a form. */
    form_init(&fm, 0);
    form_add(&fm, "Code", FIELD_DIGITS, 6, 0);
    assert_int_equal(form_key(&fm, '\n'), FORM_SUBMIT);
    form_free(&fm);
    form_init(&fm, 0);
    assert_int_equal(form_key(&fm, '\n'), FORM_SUBMIT);
    assert_int_equal(form_key(&fm, TUI_KEY_ESC), FORM_CANCEL);
    assert_int_equal(form_key(&fm, '\t'), FORM_UNHANDLED);
    assert_int_equal(form_key(&fm, 'a'), FORM_UNHANDLED);
    form_free(&fm);
}

static void test_form_edits_and_pass_through(void **state)
{
    struct form fm;
    size_t len;

    (void)state;
    login(&fm);
    assert_int_equal(form_key(&fm, 'j'), FORM_CHANGED);
    assert_int_equal(form_key(&fm, '@'), FORM_CHANGED);
    assert_int_equal(form_key(&fm, TUI_FN(KEY_LEFT)), FORM_NONE);
    assert_int_equal(form_key(&fm, TUI_FN(KEY_BACKSPACE)), FORM_CHANGED);
    assert_string_equal(field_text(form_field(&fm, 0), NULL), "@");
    /* Keys for the screen, not the form. */
    static const tui_key theirs[] = {
        TUI_FN(KEY_F(1)), TUI_FN(KEY_NPAGE), TUI_FN(KEY_PPAGE),
        TUI_CTRL('l'), TUI_CTRL('c'), TUI_FN(KEY_RESIZE),
    };
    for (size_t i = 0; i < sizeof theirs / sizeof theirs[0]; i++)
        assert_int_equal(form_key(&fm, theirs[i]), FORM_UNHANDLED);
    /* A refused character is still the field's: 'q' must not quit. */
    form_set_focus(&fm, 2);
    assert_int_equal(form_key(&fm, 'q'), FORM_NONE);
    assert_int_equal(form_key(&fm, '4'), FORM_CHANGED);
    /* The password goes to the masked field, not to the others. */
    form_set_focus(&fm, 1);
    form_key(&fm, 'p');
    form_key(&fm, 'w');
    assert_string_equal(field_text(form_field(&fm, 1), &len), "pw");
    assert_true(form_field(&fm, 1)->flags & FIELD_MASKED);
    assert_null(form_field(&fm, 3));
    form_free(&fm);
    assert_int_equal(fm.count, 0);
}

static void test_form_errors(void **state)
{
    struct form fm;
    char big[FORM_ERROR_MAX * 2];

    (void)state;
    login(&fm);
    form_set_field_error(&fm, 0, "not an email \x1b[2J");
    assert_string_equal(fm.items[0].error, "not an email \xE2\x90\x9B[2J");
    assert_int_equal(form_key(&fm, 'x'), FORM_CHANGED);
    assert_string_equal(fm.items[0].error, ""); /* editing clears it */
    form_set_error(&fm, "permission denied\x07 \xE2\x80\xAE" "evil");
    assert_string_equal(fm.error, "permission denied\xE2\x90\x87 "
                                  "\xEF\xBF\xBD" "evil");
    form_key(&fm, 'y');
    assert_string_equal(fm.error, "permission denied\xE2\x90\x87 "
                                  "\xEF\xBF\xBD" "evil");
    /* A long message is cut on a character boundary. */
    memset(big, 0, sizeof big);
    for (size_t i = 0; i + 3 < sizeof big - 1; i += 3)
        memcpy(big + i, "\xE6\x82\xA3", 3);
    form_set_error(&fm, big);
    assert_true(strlen(fm.error) < FORM_ERROR_MAX);
    assert_int_equal(strlen(fm.error) % 3, 0);
    form_set_error(&fm, NULL);
    assert_string_equal(fm.error, "");
    form_set_field_error(&fm, 7, "ignored");
    form_free(&fm);

    /* ASCII terminals get ASCII errors and ASCII fields. */
    form_init(&fm, TEXT_ASCII);
    struct field *f = form_add(&fm, "Name", 0, 0, 0);
    assert_true(f->flags & FIELD_ASCII);
    form_set_error(&fm, KANJI "\x1b");
    assert_string_equal(fm.error, "??^[");
    form_free(&fm);
}

static void test_form_capacity(void **state)
{
    struct form fm;

    (void)state;
    form_init(&fm, 0);
    for (int i = 0; i < FORM_MAX_FIELDS; i++)
        assert_non_null(form_add(&fm, "F", 0, 0, 0));
    assert_null(form_add(&fm, "one too many", 0, 0, 0));
    assert_int_equal(fm.count, FORM_MAX_FIELDS);
    form_free(&fm);
}

/* ---- form layout */

static void test_form_layout(void **state)
{
    struct form fm;
    struct form_layout lo;

    (void)state;
    login(&fm);
    form_set_hint(&fm, 2, "6 digits from your app");
    form_layout(&fm, 80, &lo);
    assert_true(lo.wide);
    assert_int_equal(lo.rows, 4);
    assert_int_equal(lo.error_row, -1);
    assert_int_equal(lo.slot[0].label_row, 0);
    assert_int_equal(lo.slot[0].field_row, 0);
    assert_int_equal(lo.slot[0].label_w, 8);    /* "Password" */
    assert_int_equal(lo.slot[0].field_col, 9);
    assert_int_equal(lo.slot[0].field_w, 71);
    assert_int_equal(lo.slot[1].field_row, 1);
    assert_int_equal(lo.slot[1].msg_row, -1);
    assert_int_equal(lo.slot[2].field_row, 2);
    assert_int_equal(lo.slot[2].msg_row, 3);
    assert_int_equal(lo.slot[2].msg_col, 9);
    form_set_error(&fm, "wrong password or code");
    form_set_field_error(&fm, 0, "unknown");
    form_layout(&fm, 80, &lo);
    assert_int_equal(lo.slot[0].msg_row, 1);
    assert_int_equal(lo.slot[1].field_row, 2);
    assert_int_equal(lo.error_row, 5);
    assert_int_equal(lo.rows, 6);

    /* Narrow: labels above fields. */
    form_layout(&fm, 20, &lo);
    assert_false(lo.wide);
    assert_int_equal(lo.slot[0].label_row, 0);
    assert_int_equal(lo.slot[0].field_row, 1);
    assert_int_equal(lo.slot[0].field_col, 0);
    assert_int_equal(lo.slot[0].field_w, 20);
    assert_int_equal(lo.slot[0].msg_row, 2);
    assert_int_equal(lo.slot[1].label_row, 3);
    assert_int_equal(lo.slot[2].msg_row, 7);
    /* Messages wrap to the width instead of being cut: the hint and the
     * error are 22 columns, two rows each at 20. */
    assert_int_equal(lo.slot[2].msg_rows, 2);
    assert_int_equal(lo.error_row, 9);
    assert_int_equal(lo.error_rows, 2);
    assert_int_equal(lo.rows, 11);
    /* The boundary: widest label + 1 + FORM_FIELD_MIN. */
    form_layout(&fm, 8 + 1 + FORM_FIELD_MIN, &lo);
    assert_true(lo.wide);
    form_layout(&fm, 8 + FORM_FIELD_MIN, &lo);
    assert_false(lo.wide);
    form_layout(&fm, 0, &lo);
    assert_false(lo.wide);
    form_layout(&fm, -5, &lo);
    assert_int_equal(lo.slot[0].field_w, 0);
    form_free(&fm);
}

/* ---- dialog keys and layout */

static void test_dialog_keys(void **state)
{
    struct dialog d;

    (void)state;
    dialog_confirm(&d, "Sign out everywhere", "All sessions end.",
                   "y", "Sign out everywhere", "n", "Cancel", DIALOG_DANGER);
    assert_false(d.yes_selected); /* the safe choice */
    assert_int_equal(dialog_key(&d, '\n'), DIALOG_NO);
    /* y, n and Esc are the application's actions, so [keys] can rebind
     * them: the widget does not answer them itself. */
    assert_int_equal(dialog_key(&d, 'y'), DIALOG_NONE);
    assert_int_equal(dialog_key(&d, 'Y'), DIALOG_NONE);
    assert_int_equal(dialog_key(&d, 'n'), DIALOG_NONE);
    assert_int_equal(dialog_key(&d, TUI_KEY_ESC), DIALOG_NONE);
    assert_false(d.yes_selected);
    assert_int_equal(dialog_key(&d, TUI_FN(KEY_LEFT)), DIALOG_NONE);
    assert_true(d.yes_selected);
    assert_int_equal(dialog_key(&d, '\n'), DIALOG_YES);
    assert_int_equal(dialog_key(&d, TUI_FN(KEY_RIGHT)), DIALOG_NONE);
    assert_int_equal(dialog_key(&d, '\n'), DIALOG_NO);
    assert_int_equal(dialog_key(&d, '\t'), DIALOG_NONE);
    assert_true(d.yes_selected);
    assert_int_equal(dialog_key(&d, TUI_FN(KEY_BTAB)), DIALOG_NONE);
    assert_false(d.yes_selected);
    assert_int_equal(dialog_key(&d, 'h'), DIALOG_NONE);
    assert_true(d.yes_selected);
    assert_int_equal(dialog_key(&d, 'l'), DIALOG_NONE);
    assert_false(d.yes_selected);
    static const tui_key ignored[] = {
        'q', 'x', ' ', TUI_FN(KEY_F(1)), TUI_FN(KEY_UP), TUI_CTRL('c'),
    };
    for (size_t i = 0; i < sizeof ignored / sizeof ignored[0]; i++)
        assert_int_equal(dialog_key(&d, ignored[i]), DIALOG_NONE);
    assert_string_equal(d.yes, "[y] Sign out everywhere");
    assert_string_equal(d.no, "[n] Cancel");
    /* The buttons name the keys as the keymap binds them. */
    dialog_confirm(&d, "t", "x", "C-y", "Yes", "", "No", 0);
    assert_string_equal(d.yes, "[C-y] Yes");
    assert_string_equal(d.no, "No");

    dialog_message(&d, "Error", "The server refused.", 0);
    assert_int_equal(dialog_key(&d, 'x'), DIALOG_NONE);
    assert_int_equal(dialog_key(&d, 'y'), DIALOG_NONE);
    assert_int_equal(dialog_key(&d, '\n'), DIALOG_YES);
    assert_int_equal(dialog_key(&d, TUI_KEY_ESC), DIALOG_YES);
    assert_int_equal(dialog_key(&d, ' '), DIALOG_YES);
}

static void test_dialog_sanitizes(void **state)
{
    struct dialog d;

    (void)state;
    dialog_confirm(&d, "Remove \x1b[31mJane\xE2\x80\xAE",
                   "Line one\nline\ttwo\x07", "y", "Remove\x1b", "n", NULL, 0);
    assert_string_equal(d.title, "Remove \xE2\x90\x9B[31mJane\xEF\xBF\xBD");
    assert_string_equal(d.text, "Line one\nline    two\xE2\x90\x87");
    assert_string_equal(d.yes, "[y] Remove\xE2\x90\x9B");
    assert_string_equal(d.no, "[n] ");
    dialog_confirm(&d, NULL, NULL, "y", "Yes", "n", "No", TEXT_ASCII);
    assert_string_equal(d.title, "");
    dialog_message(&d, KANJI, KANJI "\n", TEXT_ASCII);
    assert_string_equal(d.title, "??");
    assert_string_equal(d.text, "??\n");
}

static void test_dialog_wrap(void **state)
{
    struct dialog d;

    (void)state;
    dialog_message(&d, "t", "Every session of your account, on every "
                   "device, ends now.", 0);
    /* "Every session of" / "your account, on" / "every device, ends" /
     * "now." */
    assert_int_equal(dialog_text_rows(&d, 20), 4);
    assert_int_equal(dialog_text_rows(&d, 200), 1);
    dialog_message(&d, "t", "abcdefghijklmnopqrstuvwxyz", 0);
    assert_int_equal(dialog_text_rows(&d, 10), 3);
    assert_int_equal(dialog_text_rows(&d, 1), 26);
    dialog_message(&d, "t", KANJI KANJI KANJI, 0);
    assert_int_equal(dialog_text_rows(&d, 5), 3);
    assert_int_equal(dialog_text_rows(&d, 1), 6); /* never stuck */
    dialog_message(&d, "t", "a\n\nb", 0);
    assert_int_equal(dialog_text_rows(&d, 10), 3);
    dialog_message(&d, "t", "e\xCC\x81\xCC\x81x", 0);
    assert_int_equal(dialog_text_rows(&d, 1), 2); /* marks keep their e */
    dialog_message(&d, "t", "", 0);
    assert_int_equal(dialog_text_rows(&d, 10), 0);
    assert_int_equal(dialog_text_rows(&d, 0), 0);
}

static void assert_inside(const struct dialog_layout *lo, int rows, int cols)
{
    if (lo->h == 0 || lo->w == 0)
        return;
    assert_true(lo->y >= 0 && lo->x >= 0);
    assert_true(lo->y + lo->h <= rows && lo->x + lo->w <= cols);
    if (lo->buttons_y >= 0)
        assert_true(lo->buttons_y >= lo->y && lo->buttons_y < lo->y + lo->h);
    if (lo->text_rows > 0) {
        assert_true(lo->text_y >= lo->y);
        assert_true(lo->text_y + lo->text_rows <= lo->y + lo->h);
        assert_true(lo->text_x >= lo->x);
        assert_true(lo->text_x + lo->text_w <= lo->x + lo->w);
    }
    if (lo->border && lo->buttons_y >= 0)
        assert_true(lo->buttons_y > lo->y && lo->buttons_y < lo->y + lo->h - 1);
}

static void test_dialog_layout(void **state)
{
    struct dialog d;
    struct dialog_layout lo;

    (void)state;
    dialog_confirm(&d, "Sign out everywhere",
                   "Every session of your account, on every device, ends "
                   "now. You will need your password and code to sign in "
                   "again.", "y", "Sign out everywhere", "n", "Cancel", DIALOG_DANGER);
    dialog_layout(&d, 24, 80, &lo);
    assert_true(lo.border);
    /* As wide as the widest wrapped line ("...device, ends"), not more. */
    assert_int_equal(lo.text_w, 52);
    assert_int_equal(lo.w, lo.text_w + 4);
    assert_int_equal(lo.x, (80 - lo.w) / 2);
    assert_int_equal(lo.text_rows, dialog_text_rows(&d, DIALOG_WRAP));
    assert_int_equal(lo.h, lo.text_rows + 5);
    assert_int_equal(lo.text_y, lo.y + 2);
    assert_int_equal(lo.buttons_y, lo.y + lo.h - 2);
    assert_inside(&lo, 24, 80);

    /* 10x3: a border and the buttons, no message. */
    dialog_layout(&d, 3, 10, &lo);
    assert_true(lo.border);
    assert_int_equal(lo.h, 3);
    assert_int_equal(lo.w, 10);
    assert_int_equal(lo.buttons_y, 1);
    assert_int_equal(lo.text_rows, 0);
    /* 5 rows: a border, two message rows, the buttons. */
    dialog_layout(&d, 5, 40, &lo);
    assert_int_equal(lo.text_rows, 2);
    assert_int_equal(lo.buttons_y, 3);
    /* 2 rows: no border. */
    dialog_layout(&d, 2, 40, &lo);
    assert_false(lo.border);
    assert_int_equal(lo.buttons_y, 1);
    assert_int_equal(lo.text_rows, 1);
    dialog_layout(&d, 0, 0, &lo);
    assert_int_equal(lo.h, 0);
    assert_int_equal(lo.buttons_y, -1);
    for (int r = 1; r <= 30; r++)
        for (int c = 1; c <= 90; c++) {
            dialog_layout(&d, r, c, &lo);
            assert_inside(&lo, r, c);
            assert_true(lo.buttons_y >= 0);
        }
}

/* ---- drawing on a curses screen writing to /dev/null */


/* The text of a row, narrowed to ASCII ('?' for anything else). */
static const char *row_text(WINDOW *w, int y)
{
    static char buf[256];
    int n = getmaxx(w);

    for (int x = 0; x < n && x < 255; x++) {
        wchar_t c = cell(w, y, x);
        buf[x] = c >= 0x20 && c < 0x7F ? (char)c : '?';
        buf[x + 1] = '\0';
    }
    return buf;
}

static void fill(WINDOW *w, char c)
{
    for (int y = 0; y < getmaxy(w); y++)
        for (int x = 0; x < getmaxx(w); x++)
            mvwaddch(w, y, x, (chtype)c);
}

/* Every cell outside the rectangle still holds the fill character. */
static void assert_untouched_outside(WINDOW *w, int y, int x, int h, int wd)
{
    for (int r = 0; r < getmaxy(w); r++)
        for (int c = 0; c < getmaxx(w); c++) {
            if (r >= y && r < y + h && c >= x && c < x + wd)
                continue;
            if (cell(w, r, c) != L'#')
                fail_msg("cell %d,%d written outside %d,%d %dx%d", r, c, y,
                         x, wd, h);
        }
}

static void test_form_draw(void **state)
{
    WINDOW *w = newwin(24, 80, 0, 0);
    struct form fm;
    int col;

    (void)state;
    login(&fm);
    form_set_hint(&fm, 2, "6 digits");
    form_set_error(&fm, "wrong \x1b[31m password");
    field_set_text(form_field(&fm, 0), "jane@example.com", 16);
    field_set_text(form_field(&fm, 1), "hunter2", 7);
    form_set_focus(&fm, 1);
    fill(w, '#');
    col = form_draw(&fm, w, 2, 5, 60, 10);
    assert_int_equal(col, 5 + 9 + 7);
    assert_int_equal(getcury(w), 3);
    assert_int_equal(getcurx(w), col);
    assert_untouched_outside(w, 2, 5, 10, 60);
    assert_memory_equal(row_text(w, 2) + 5, "Email    jane@example.com ", 26);
    assert_memory_equal(row_text(w, 3) + 5, "Password ??????? ", 17);
    assert_int_equal(cell(w, 3, 14), L'\x2022');
    assert_true(cell_attr(w, 3, 14) & A_REVERSE);   /* focused */
    assert_true(cell_attr(w, 2, 14) & A_UNDERLINE); /* not focused */
    assert_memory_equal(row_text(w, 4) + 5, "Code     ", 9);
    assert_memory_equal(row_text(w, 5) + 5, "         6 digits ", 18);
    assert_memory_equal(row_text(w, 6) + 5, "wrong ?[31m password ", 21);
    assert_true(cell_attr(w, 6, 5) & A_BOLD);        /* ROLE_ERROR */
    assert_memory_equal(row_text(w, 7) + 5, "     ", 5); /* cleared */

    /* Tiny areas, anywhere: only the area is written, nothing crashes. */
    for (int h = 1; h <= 5; h++)
        for (int wd = 1; wd <= 14; wd++)
            for (size_t focus = 0; focus < 3; focus++) {
                form_set_focus(&fm, focus);
                fill(w, '#');
                col = form_draw(&fm, w, 3, 7, wd, h);
                int cy = getcury(w);
                assert_untouched_outside(w, 3, 7, h, wd);
                if (col >= 0) {
                    assert_true(col >= 7 && col < 7 + wd);
                    assert_true(cy >= 3 && cy < 3 + h);
                }
            }
    /* Width 10, height 3, focus on the last field: scrolled into view. */
    form_set_focus(&fm, 2);
    fill(w, '#');
    col = form_draw(&fm, w, 0, 0, 10, 3);
    assert_int_equal(getcury(w), 1);
    assert_int_equal(col, 0);
    assert_true(fm.top > 0);
    assert_memory_equal(row_text(w, 0), "Code      ", 10);
    assert_memory_equal(row_text(w, 2), "6 digits  ", 10);
    /* Clipped at the window's edges, and out of it entirely. */
    fill(w, '#');
    form_draw(&fm, w, 20, 70, 60, 60);
    assert_untouched_outside(w, 20, 70, 4, 10);
    assert_int_equal(form_draw(&fm, w, 24, 0, 10, 3), -1);
    assert_int_equal(form_draw(&fm, w, 0, 80, 10, 3), -1);
    assert_int_equal(form_draw(&fm, w, 0, 0, 0, 3), -1);
    assert_int_equal(form_draw(&fm, w, 0, 0, 10, 0), -1);
    assert_int_equal(form_draw(&fm, NULL, 0, 0, 10, 3), -1);
    form_free(&fm);
    delwin(w);
}

/* Hints and errors wrap to the form's width, whatever it is: nothing of
 * them is cut at a fixed width. */
static void test_form_wraps_messages(void **state)
{
    WINDOW *w = newwin(24, 80, 0, 0);
    struct form fm;

    (void)state;
    form_init(&fm, 0);
    form_add(&fm, "Code", 0, 6, 6);
    form_set_hint(&fm, 0, "6 digits from your authenticator app (C-r: a recovery code)");
    form_set_error(&fm, "Too many failed sign-ins. Try again in 15 minutes.");
    fill(w, '#');
    form_draw(&fm, w, 0, 0, 40, 10);
    assert_untouched_outside(w, 0, 0, 10, 40);
    assert_memory_equal(row_text(w, 1), "     6 digits from your authenticator   ", 40);
    assert_memory_equal(row_text(w, 2), "     app (C-r: a recovery code)         ", 40);
    assert_memory_equal(row_text(w, 3), "Too many failed sign-ins. Try again in  ", 40);
    assert_memory_equal(row_text(w, 4), "15 minutes.                             ", 40);
    /* Wide, the same text is one row each. */
    fill(w, '#');
    form_draw(&fm, w, 0, 0, 80, 10);
    assert_memory_equal(row_text(w, 1) + 5, "6 digits from your authenticator app (C-r: a recovery code) ", 60);
    assert_memory_equal(row_text(w, 2), "Too many failed sign-ins. Try again in 15 minutes. ", 51);
    form_free(&fm);
    delwin(w);
}

/* An edit clears the field's own error (form_edit, as form_key does), and
 * only an edit: moving the cursor leaves it. */
static void test_form_edit_clears_field_error(void **state)
{
    struct form fm;

    (void)state;
    login(&fm);
    form_set_field_error(&fm, 0, "Enter your email address.");
    assert_int_equal(form_edit(&fm, TUI_FN(KEY_LEFT)), FORM_NONE);
    assert_string_equal(fm.items[0].error, "Enter your email address.");
    assert_int_equal(form_edit(&fm, 'a'), FORM_CHANGED);
    assert_string_equal(fm.items[0].error, "");
    assert_int_equal(form_edit(&fm, TUI_FN(KEY_F(5))), FORM_UNHANDLED);
    form_set_field_error(&fm, 1, "x");
    form_set_error(&fm, "y");
    form_clear_errors(&fm);
    assert_string_equal(fm.items[1].error, "");
    assert_string_equal(fm.error, "");
    form_free(&fm);
}

static void test_dialog_draw(void **state)
{
    WINDOW *w = newwin(24, 80, 0, 0);
    struct dialog d;
    struct dialog_layout lo;

    (void)state;
    dialog_confirm(&d, "Sign out everywhere",
                   "Every session of your account, on every device, ends "
                   "now.", "y", "Sign out everywhere", "n", "Cancel", DIALOG_DANGER);
    fill(w, '#');
    dialog_draw(&d, w);
    dialog_layout(&d, 24, 80, &lo);
    assert_untouched_outside(w, lo.y, lo.x, lo.h, lo.w);
    assert_memory_equal(row_text(w, lo.y) + lo.x + 2, " Sign out everywhere ",
                        21);
    assert_true(cell_attr(w, lo.y, lo.x) & A_ALTCHARSET); /* ACS corner */
    assert_true(cell_attr(w, lo.y + 0, lo.x + 2) & A_BOLD);  /* title */
    assert_memory_equal(row_text(w, lo.text_y) + lo.text_x,
                        "Every session of your account, on every device, ends",
                        52);
    assert_memory_equal(row_text(w, lo.text_y + 1) + lo.text_x, "now.", 4);
    const char *buttons = row_text(w, lo.buttons_y);
    const char *yes = strstr(buttons, "[y] Sign out everywhere");
    const char *no = strstr(buttons, "[n] Cancel");
    assert_non_null(yes);
    assert_non_null(no);
    assert_true(yes < no);
    int yx = (int)(yes - buttons), nx = (int)(no - buttons);
    assert_true(cell_attr(w, lo.buttons_y, yx) & A_UNDERLINE); /* danger */
    assert_false(cell_attr(w, lo.buttons_y, yx) & A_REVERSE);
    assert_true(cell_attr(w, lo.buttons_y, nx) & A_REVERSE);   /* lit */
    dialog_key(&d, TUI_FN(KEY_LEFT));
    dialog_draw(&d, w);
    assert_true(cell_attr(w, lo.buttons_y, yx) & A_REVERSE);
    assert_false(cell_attr(w, lo.buttons_y, nx) & A_REVERSE);

    /* A cut message ends in an ellipsis. */
    WINDOW *small = newwin(5, 30, 0, 0);
    fill(small, '#');
    dialog_draw(&d, small);
    dialog_layout(&d, 5, 30, &lo);
    assert_int_equal(lo.text_rows, 2);
    assert_int_equal(cell(small, lo.text_y + 1, lo.text_x + lo.text_w - 1),
                     L'\x2026');
    delwin(small);

    /* Every small window size: inside the window, no crash; the subwindow
     * shares its parent's cells, so the parent shows any stray write. */
    dialog_message(&d, "Error", "The server refused the request.", 0);
    for (int r = 1; r <= 8; r++)
        for (int c = 1; c <= 16; c++) {
            fill(w, '#');
            WINDOW *sub = derwin(w, r, c, 4, 6);
            assert_non_null(sub);
            dialog_draw(&d, sub);
            dialog_layout(&d, r, c, &lo);
            assert_untouched_outside(w, 4 + lo.y, 6 + lo.x, lo.h, lo.w);
            delwin(sub);
        }
    /* 10x3 with both buttons: the highlighted one is always shown. */
    dialog_confirm(&d, "Remove", "Remove Jane?", "y", "Remove", "n", "Cancel",
                   DIALOG_DANGER);
    WINDOW *tiny = newwin(3, 10, 0, 0);
    dialog_draw(&d, tiny);
    assert_non_null(strstr(row_text(tiny, 1), "[n]"));
    delwin(tiny);
    dialog_draw(&d, NULL);
    delwin(w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_form_focus_cycles),
        cmocka_unit_test(test_form_submit_and_cancel),
        cmocka_unit_test(test_form_edits_and_pass_through),
        cmocka_unit_test(test_form_errors),
        cmocka_unit_test(test_form_edit_clears_field_error),
        cmocka_unit_test_setup_teardown(test_form_wraps_messages, screen_up, screen_down),
        cmocka_unit_test(test_form_capacity),
        cmocka_unit_test(test_form_layout),
        cmocka_unit_test(test_dialog_keys),
        cmocka_unit_test(test_dialog_sanitizes),
        cmocka_unit_test(test_dialog_wrap),
        cmocka_unit_test(test_dialog_layout),
        cmocka_unit_test_setup_teardown(test_form_draw, screen_up,
                                        screen_down),
        cmocka_unit_test_setup_teardown(test_dialog_draw, screen_up,
                                        screen_down),
    };

    if (!setlocale(LC_ALL, "C.UTF-8")) {
        fprintf(stderr, "C.UTF-8 locale missing\n");
        return 1;
    }
    return unit_run(tests);
}
