/* Unit tests for tui/field: editing, limits, masking, scrolling, drawing.
 *
 * The masked-field tests interpose sodium_malloc() and sodium_free(): the
 * definitions below win over libsodium's for every call made from this
 * executable, record what was allocated, check that a buffer is already
 * zero when it is handed back, and then call the real functions. */
#define _GNU_SOURCE
#include "tests/unit/unit.h"
#include "tests/unit/screen.h"

#include <dlfcn.h>
#include <locale.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "tui/field.h"
#include "tui/theme.h"

#define E_ACUTE "\xC3\xA9"             /* é */
#define KANJI   "\xE6\x82\xA3\xE8\x80\x85" /* 患者 */
#define GRIN    "\xF0\x9F\x98\x80"     /* 😀 */
#define COMB    "\xCC\x81"             /* U+0301 combining acute */
#define BULLET  L'\x2022'

/* ---- sodium interposition */

static void *secure[64];
static size_t n_secure;
static const unsigned char *watch;
static size_t watch_size;
static bool watch_freed, watch_was_zero;

void *sodium_malloc(const size_t size)
{
    static void *(*real)(size_t);
    void *p;

    if (!real)
        *(void **)&real = dlsym(RTLD_NEXT, "sodium_malloc");
    p = real(size);
    if (p && n_secure < sizeof secure / sizeof secure[0])
        secure[n_secure++] = p;
    return p;
}

void sodium_free(void *ptr)
{
    static void (*real)(void *);

    if (!real)
        *(void **)&real = dlsym(RTLD_NEXT, "sodium_free");
    if (ptr && ptr == watch) {
        watch_freed = true;
        watch_was_zero = true;
        for (size_t i = 0; i < watch_size; i++)
            if (watch[i] != 0)
                watch_was_zero = false;
        watch = NULL;
    }
    real(ptr);
}

static bool is_secure(const void *p)
{
    for (size_t i = 0; i < n_secure; i++)
        if (secure[i] == p)
            return true;
    return false;
}

static void watch_buffer(const struct field *f)
{
    watch = (const unsigned char *)f->buf;
    watch_size = f->cap;
    watch_freed = watch_was_zero = false;
}

static bool all_zero(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != 0)
            return false;
    return true;
}

/* ---- helpers */

static void type_cp(struct field *f, uint32_t cp)
{
    assert_true(field_key(f, (tui_key)cp));
}

/* Type a UTF-8 string one code point at a time, as wget_wch() delivers. */
static void type(struct field *f, const char *s)
{
    mbstate_t st;
    size_t n = strlen(s);

    memset(&st, 0, sizeof st);
    while (n > 0) {
        wchar_t wc;
        size_t r = mbrtowc(&wc, s, n, &st);

        assert_true(r > 0 && r <= 4);
        type_cp(f, (uint32_t)wc);
        s += r;
        n -= r;
    }
}

static void key(struct field *f, tui_key k)
{
    assert_true(field_key(f, k));
}

static const char *text(const struct field *f)
{
    return field_text(f, NULL);
}

/* ---- editing */

static void test_ascii_insert_and_move(void **state)
{
    struct field f;

    (void)state;
    field_init(&f, 0, 0, 0);
    assert_string_equal(text(&f), "");
    type(&f, "hello");
    assert_string_equal(text(&f), "hello");
    assert_int_equal(f.cursor, 5);
    key(&f, TUI_FN(KEY_LEFT));
    key(&f, TUI_FN(KEY_LEFT));
    type(&f, "X");
    assert_string_equal(text(&f), "helXlo");
    assert_int_equal(f.cursor, 4);
    key(&f, TUI_FN(KEY_HOME));
    assert_int_equal(f.cursor, 0);
    key(&f, TUI_FN(KEY_LEFT)); /* at the start: consumed, no move */
    assert_int_equal(f.cursor, 0);
    key(&f, TUI_FN(KEY_END));
    assert_int_equal(f.cursor, 6);
    key(&f, TUI_FN(KEY_RIGHT));
    assert_int_equal(f.cursor, 6);
    key(&f, TUI_CTRL('a'));
    assert_int_equal(f.cursor, 0);
    key(&f, TUI_CTRL('e'));
    assert_int_equal(f.cursor, 6);
    size_t len = 0;
    assert_string_equal(field_text(&f, &len), "helXlo");
    assert_int_equal(len, 6);
    assert_int_equal(f.chars, 6);
    field_free(&f);
    assert_string_equal(text(&f), "");
    type(&f, "again"); /* reusable after field_free */
    assert_string_equal(text(&f), "again");
    field_free(&f);
}

static void test_multibyte_insert_and_move(void **state)
{
    struct field f;

    (void)state;
    field_init(&f, 0, 0, 0);
    type(&f, "a" E_ACUTE KANJI GRIN "z");
    assert_string_equal(text(&f), "a" E_ACUTE KANJI GRIN "z");
    assert_int_equal(f.chars, 6);
    assert_int_equal(f.len, 1 + 2 + 6 + 4 + 1);
    /* Left steps over whole characters: z, 😀, 者, 患, é, a */
    static const size_t at[] = {13, 9, 6, 3, 1, 0};
    for (size_t i = 0; i < sizeof at / sizeof at[0]; i++) {
        key(&f, TUI_FN(KEY_LEFT));
        assert_int_equal(f.cursor, at[i]);
    }
    key(&f, TUI_FN(KEY_RIGHT));
    key(&f, TUI_FN(KEY_RIGHT));
    assert_int_equal(f.cursor, 3);
    type(&f, "\xC3\xBC"); /* ü between é and 患 */
    assert_string_equal(text(&f), "a" E_ACUTE "\xC3\xBC" KANJI GRIN "z");
    assert_int_equal(f.cursor, 5);
    field_free(&f);
}

static void test_backspace_delete_multibyte_and_combining(void **state)
{
    struct field f;

    (void)state;
    field_init(&f, 0, 0, 0);
    type(&f, "x" GRIN "e" COMB);
    /* e + U+0301 is one cell: one Left, one Backspace */
    assert_int_equal(f.cursor, 8);
    key(&f, TUI_FN(KEY_LEFT));
    assert_int_equal(f.cursor, 5);
    key(&f, TUI_FN(KEY_RIGHT));
    assert_int_equal(f.cursor, 8);
    key(&f, TUI_FN(KEY_BACKSPACE));
    assert_string_equal(text(&f), "x" GRIN);
    key(&f, 0x7F); /* DEL as sent by most terminals */
    assert_string_equal(text(&f), "x");
    assert_int_equal(f.chars, 1);
    key(&f, TUI_CTRL('h'));
    assert_string_equal(text(&f), "");
    key(&f, TUI_FN(KEY_BACKSPACE)); /* on empty: consumed, harmless */
    assert_string_equal(text(&f), "");

    /* Delete takes the cell under the cursor, marks included. */
    field_set_text(&f, "a" "e" COMB KANJI, strlen("a" "e" COMB KANJI));
    key(&f, TUI_FN(KEY_HOME));
    key(&f, TUI_FN(KEY_RIGHT));
    key(&f, TUI_FN(KEY_DC));
    assert_string_equal(text(&f), "a" KANJI);
    key(&f, TUI_FN(KEY_DC));
    assert_string_equal(text(&f), "a\xE8\x80\x85");
    key(&f, TUI_FN(KEY_END));
    key(&f, TUI_FN(KEY_DC)); /* at the end: nothing */
    assert_string_equal(text(&f), "a\xE8\x80\x85");

    /* A mark typed after a letter joins it; a letter typed before a
     * leading mark adopts it, and the cursor goes past both. */
    field_clear(&f);
    type(&f, COMB "b");
    key(&f, TUI_FN(KEY_HOME));
    assert_int_equal(f.cursor, 0);
    key(&f, TUI_FN(KEY_RIGHT));
    assert_int_equal(f.cursor, 2); /* a lone leading mark is a cell */
    key(&f, TUI_FN(KEY_HOME));
    type(&f, "o");
    assert_string_equal(text(&f), "o" COMB "b");
    assert_int_equal(f.cursor, 3);
    field_free(&f);
}

static void test_kill_keys(void **state)
{
    struct field f;

    (void)state;
    field_init(&f, 0, 0, 0);
    type(&f, "foo bar  baz");
    key(&f, TUI_CTRL('w'));
    assert_string_equal(text(&f), "foo bar  ");
    key(&f, TUI_CTRL('w'));
    assert_string_equal(text(&f), "foo ");
    key(&f, TUI_CTRL('w'));
    assert_string_equal(text(&f), "");
    key(&f, TUI_CTRL('w'));
    assert_string_equal(text(&f), "");

    type(&f, "患者 " E_ACUTE "t" E_ACUTE);
    key(&f, TUI_CTRL('w'));
    assert_string_equal(text(&f), "患者 ");

    field_set_text(&f, "hello world", 11);
    for (int i = 0; i < 5; i++)
        key(&f, TUI_FN(KEY_LEFT));
    key(&f, TUI_CTRL('k'));
    assert_string_equal(text(&f), "hello ");
    assert_int_equal(f.cursor, 6);
    key(&f, TUI_FN(KEY_LEFT));
    key(&f, TUI_CTRL('u'));
    assert_string_equal(text(&f), " ");
    assert_int_equal(f.cursor, 0);
    assert_int_equal(f.chars, 1);
    field_free(&f);
}

static void test_controls_never_inserted(void **state)
{
    struct field f;
    unsigned long v;

    (void)state;
    field_init(&f, 0, 0, 0);
    type(&f, "ok");
    v = f.version;
    /* Keys the field leaves to the form or screen. */
    static const tui_key passed[] = {
        '\t', '\n', '\r', TUI_KEY_ESC, 0, TUI_CTRL('c'), TUI_CTRL('l'),
        TUI_CTRL('d'), TUI_FN(KEY_UP), TUI_FN(KEY_DOWN), TUI_FN(KEY_NPAGE),
        TUI_FN(KEY_BTAB), TUI_FN(KEY_F(1)), TUI_FN(KEY_RESIZE),
    };
    for (size_t i = 0; i < sizeof passed / sizeof passed[0]; i++)
        assert_false(field_key(&f, passed[i]));
    /* Every C0 control but the editing ones is refused. */
    for (tui_key c = 0; c < 0x20; c++) {
        if (c == 1 || c == 5 || c == 8 || c == 0x0b || c == 0x15 ||
            c == 0x17)
            continue;
        assert_false(field_key(&f, c));
    }
    /* Text-range keys that must not become text: consumed, not inserted
     * (C1, bidi overrides and isolates, BOM, surrogates, beyond Unicode,
     * noncharacters). */
    static const tui_key refused[] = {
        0x80, 0x85, 0x9B, 0x202E, 0x2066, 0x200F, 0xFEFF, 0x2028,
        0xD800, 0xDFFF, 0x110000, 0xFFFF,
    };
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++)
        field_key(&f, refused[i]);
    assert_string_equal(text(&f), "ok");
    assert_int_equal(f.version, v);
    field_free(&f);
}

static void test_limits(void **state)
{
    struct field f;

    (void)state;
    field_init(&f, 0, 3, 0);
    type(&f, "ab" KANJI);
    assert_string_equal(text(&f), "ab\xE6\x82\xA3"); /* 3 characters */
    assert_int_equal(f.chars, 3);
    key(&f, TUI_FN(KEY_BACKSPACE));
    type(&f, "cd");
    assert_string_equal(text(&f), "abc");
    field_free(&f);

    field_init(&f, 0, 0, 5);
    type(&f, E_ACUTE E_ACUTE);
    type(&f, E_ACUTE); /* 6 bytes > 5: refused whole, never split */
    assert_int_equal(f.len, 4);
    type(&f, "a");
    assert_int_equal(f.len, 5);
    type(&f, "b");
    assert_string_equal(text(&f), E_ACUTE E_ACUTE "a");
    assert_true(f.cap <= 6);
    field_free(&f);

    /* The default byte limit holds for long pastes. */
    field_init(&f, 0, 0, 0);
    for (int i = 0; i < FIELD_MAX_BYTES_DEFAULT + 10; i++)
        field_key(&f, 'x');
    assert_int_equal(f.len, FIELD_MAX_BYTES_DEFAULT);
    field_free(&f);
}

static void test_set_text(void **state)
{
    struct field f;
    static const char bad[] = "\xC0\xAF" "a\x1b[31m\xE2\x82" "b\xE2\x80\xAE";

    (void)state;
    field_init(&f, 0, 0, 0);
    assert_true(field_set_text(&f, "Jane " KANJI, strlen("Jane " KANJI)));
    assert_string_equal(text(&f), "Jane " KANJI);
    assert_int_equal(f.cursor, f.len);
    assert_false(field_set_text(&f, bad, sizeof bad - 1));
    assert_string_equal(text(&f), "a[31mb");
    assert_true(field_set_text(&f, NULL, 0));
    assert_string_equal(text(&f), "");
    field_free(&f);

    field_init(&f, 0, 4, 0);
    assert_false(field_set_text(&f, "abcdef", 6));
    assert_string_equal(text(&f), "abcd");
    field_free(&f);
}

static bool upper_only(uint32_t cp, void *arg)
{
    (*(int *)arg)++;
    return cp >= 'A' && cp <= 'Z';
}

static void test_digits_and_accept(void **state)
{
    struct field f;
    int calls = 0;

    (void)state;
    field_init(&f, FIELD_DIGITS, 6, 0);
    type(&f, "12a3-4 5" E_ACUTE "6789");
    assert_string_equal(text(&f), "123456");
    assert_true(field_key(&f, 'q')); /* consumed: never reaches a screen */
    assert_string_equal(text(&f), "123456");
    field_free(&f);

    field_init(&f, 0, 0, 0);
    field_set_accept(&f, upper_only, &calls);
    type(&f, "aBcD");
    assert_string_equal(text(&f), "BD");
    assert_int_equal(calls, 4);
    field_set_accept(&f, NULL, &calls);
    type(&f, "e");
    assert_string_equal(text(&f), "BDe");
    field_free(&f);
}

/* ---- masked */

static void test_masked_lives_in_sodium_memory(void **state)
{
    struct field f;
    size_t len;

    (void)state;
    field_init(&f, FIELD_MASKED, 0, 256);
    type(&f, "s3cret " E_ACUTE);
    const char *p = field_text(&f, &len);
    assert_true(is_secure(p));
    assert_int_equal(len, 9);
    assert_memory_equal(p, "s3cret " E_ACUTE, 9);

    /* Deleted characters leave no bytes behind the NUL. */
    key(&f, TUI_FN(KEY_BACKSPACE));
    key(&f, TUI_FN(KEY_BACKSPACE));
    assert_string_equal(text(&f), "s3cret");
    assert_true(all_zero(f.buf + f.len, 4));

    /* field_clear wipes the whole buffer and keeps it. */
    char *kept = f.buf;
    size_t cap = f.cap;
    field_clear(&f);
    assert_ptr_equal(f.buf, kept);
    assert_true(all_zero(kept, cap));
    assert_string_equal(text(&f), "");

    /* field_free wipes before giving the buffer back. */
    type(&f, "again");
    watch_buffer(&f);
    field_free(&f);
    assert_true(watch_freed);
    assert_true(watch_was_zero);
    assert_null(f.buf);
}

static void test_masked_wipes_on_grow(void **state)
{
    struct field f;
    char want[200];

    (void)state;
    field_init(&f, FIELD_MASKED, 0, 200);
    type(&f, "correct horse");
    char *old = f.buf;

    /* Through typing: the first buffer is outgrown. */
    watch_buffer(&f);
    for (int i = 0; i < 40; i++)
        type(&f, "b");
    assert_true(watch_freed);
    assert_true(watch_was_zero);
    assert_ptr_not_equal(f.buf, old);
    assert_true(is_secure(f.buf));
    memcpy(want, "correct horse", 13);
    memset(want + 13, 'b', 40);
    assert_int_equal(f.len, 53);
    assert_memory_equal(text(&f), want, 53);

    /* Through field_reserve: sized once, at most max_bytes. */
    old = f.buf;
    watch_buffer(&f);
    assert_int_equal(field_reserve(&f, 10000), 0);
    assert_true(watch_freed);
    assert_true(watch_was_zero);
    assert_int_equal(f.cap, 201);
    assert_true(is_secure(f.buf));
    assert_memory_equal(text(&f), want, 53);
    old = f.buf;
    for (int i = 0; i < 200; i++)
        field_key(&f, 'z');
    assert_int_equal(f.len, 200);
    assert_ptr_equal(f.buf, old); /* no copy of the secret was made */
    watch_buffer(&f);
    field_free(&f);
    assert_true(watch_was_zero);
}

static void test_plain_not_in_sodium_memory(void **state)
{
    struct field f;
    size_t before = n_secure;

    (void)state;
    field_init(&f, 0, 0, 0);
    type(&f, "public");
    assert_int_equal(n_secure, before);
    char *kept = f.buf;
    size_t cap = f.cap;
    field_clear(&f);
    assert_true(all_zero(kept, cap));
    field_free(&f);
}

/* ---- view */

static void check_view(const struct field *f, int width)
{
    size_t first;
    int col;

    field_view(f, width, &first, &col);
    assert_true(col >= 0 && col < width);
    assert_true(first <= f->cursor);
    if (!(f->flags & FIELD_MASKED))
        assert_int_equal(text_width_n(f->buf + first, f->cursor - first),
                         (size_t)col);
    /* first is a cell boundary: not inside a UTF-8 sequence, not on a
     * zero-width character that belongs to the one before. */
    if (first > 0 && first < f->len) {
        unsigned char b = (unsigned char)f->buf[first];
        size_t n = b < 0x80 ? 1 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4;

        assert_true((b & 0xC0) != 0x80);
        assert_true(text_width_n(f->buf + first, n) > 0);
    }
}

static void test_view_scrolls_to_cursor(void **state)
{
    struct field f;
    size_t first;
    int col;

    (void)state;
    field_init(&f, 0, 0, 0);
    field_layout(&f, 10);
    type(&f, "abcdefghijklmnopqrstuvwxyz0123");
    field_view(&f, 10, &first, &col);
    assert_int_equal(first, 21); /* "vwxyz0123" then the cursor cell */
    assert_int_equal(col, 9);
    /* Moving left inside the view does not slide the text. */
    for (int i = 0; i < 9; i++) {
        key(&f, TUI_FN(KEY_LEFT));
        field_view(&f, 10, &first, &col);
        assert_int_equal(first, 21);
        assert_int_equal(col, 8 - i);
    }
    /* One more jumps back with some context to the left. */
    key(&f, TUI_FN(KEY_LEFT));
    field_view(&f, 10, &first, &col);
    assert_true(first < 20);
    assert_int_equal(col, (int)(20 - first));
    key(&f, TUI_FN(KEY_HOME));
    field_view(&f, 10, &first, &col);
    assert_int_equal(first, 0);
    assert_int_equal(col, 0);
    key(&f, TUI_FN(KEY_END));
    field_view(&f, 10, &first, &col);
    assert_int_equal(first, 21);
    /* Backspacing at the end pulls hidden text back into view. */
    for (int i = 0; i < 25; i++)
        key(&f, TUI_FN(KEY_BACKSPACE));
    field_view(&f, 10, &first, &col);
    assert_int_equal(first, 0);
    assert_int_equal(col, 5);
    /* Without a layout width the cursor is still always in view. */
    field_layout(&f, 0);
    field_set_text(&f, "abcdefghijklmnopqrstuvwxyz", 26);
    field_view(&f, 4, &first, &col);
    assert_int_equal(first, 23);
    assert_int_equal(col, 3);
    field_view(&f, 0, &first, &col);
    assert_int_equal(col, 0);
    field_free(&f);
}

static void test_view_wide_and_masked(void **state)
{
    struct field f;
    size_t first;
    int col;

    (void)state;
    field_init(&f, 0, 0, 0);
    field_layout(&f, 5);
    for (int i = 0; i < 6; i++)
        type(&f, KANJI); /* 12 characters, 24 columns */
    check_view(&f, 5);
    field_view(&f, 5, &first, &col);
    assert_int_equal(col, 4); /* two wide characters, then the cursor */
    key(&f, TUI_FN(KEY_LEFT));
    check_view(&f, 5);
    field_view(&f, 5, &first, &col);
    assert_int_equal(col, 2); /* the cursor's wide cell fits whole */
    /* A 1-column field: the cursor's cell gets the field to itself. */
    check_view(&f, 1);
    field_view(&f, 1, &first, &col);
    assert_int_equal(first, f.cursor);
    field_free(&f);

    /* Masked: one column per cell, whatever the characters. */
    field_init(&f, FIELD_MASKED, 0, 0);
    field_layout(&f, 4);
    type(&f, KANJI "e" COMB "ab");
    field_view(&f, 4, &first, &col);
    assert_int_equal(col, 3);
    assert_int_equal(first, 6); /* é a b, then the cursor */
    key(&f, TUI_FN(KEY_HOME));
    field_view(&f, 4, &first, &col);
    assert_int_equal(first, 0);
    assert_int_equal(col, 0);
    field_free(&f);
}

/* Random edits: the invariants hold after every key at several widths. */
static void test_view_random_edits(void **state)
{
    static const char *const pieces[] = {
        "a", " ", E_ACUTE, "\xE6\x82\xA3", GRIN, COMB, "\xE2\x80\x8D", "9",
    };
    static const tui_key keys[] = {
        TUI_FN(KEY_LEFT), TUI_FN(KEY_RIGHT), TUI_FN(KEY_HOME),
        TUI_FN(KEY_END), TUI_FN(KEY_BACKSPACE), TUI_FN(KEY_DC),
        TUI_CTRL('w'), TUI_CTRL('k'), TUI_CTRL('u'),
    };
    static const int widths[] = {1, 2, 3, 7, 20};
    unsigned seed = 12345;

    (void)state;
    for (size_t w = 0; w < sizeof widths / sizeof widths[0]; w++) {
        for (int masked = 0; masked < 2; masked++) {
            struct field f;

            field_init(&f, masked ? FIELD_MASKED : 0, 40, 0);
            field_layout(&f, widths[w]);
            for (int step = 0; step < 3000; step++) {
                seed = seed * 1103515245u + 12345u;
                unsigned r = (seed >> 16) % 100;

                if (r < 60)
                    type(&f, pieces[r % 8]);
                else
                    key(&f, keys[r % 9]);
                assert_int_equal(strlen(text(&f)), f.len);
                assert_true(f.chars <= 40);
                check_view(&f, widths[w]);
            }
            field_free(&f);
        }
    }
}

/* ---- drawing (a real curses screen on /dev/null) */


static void fill(WINDOW *w, char c)
{
    for (int y = 0; y < getmaxy(w); y++)
        for (int x = 0; x < getmaxx(w); x++)
            mvwaddch(w, y, x, (chtype)c);
}

static void test_draw(void **state)
{
    WINDOW *w = newwin(3, 20, 0, 0);
    struct field f;
    int col;

    (void)state;
    assert_non_null(w);
    fill(w, '#');
    field_init(&f, 0, 0, 0);
    field_set_text(&f, "ab" KANJI, strlen("ab" KANJI));
    col = field_draw(&f, w, 1, 2, 8, true);
    assert_int_equal(col, 2 + 6);
    assert_int_equal(getcurx(w), 8);
    assert_int_equal(getcury(w), 1);
    assert_int_equal(cell(w, 1, 1), L'#');
    assert_int_equal(cell(w, 1, 2), L'a');
    assert_int_equal(cell(w, 1, 4), L'\x60a3');
    assert_int_equal(cell(w, 1, 9), L' ');
    assert_int_equal(cell(w, 1, 10), L'#'); /* exactly 8 columns */
    assert_true(cell_attr(w, 1, 9) & A_REVERSE);
    assert_int_equal(field_draw(&f, w, 1, 2, 8, false), -1);
    assert_true(cell_attr(w, 1, 2) & A_UNDERLINE);

    /* Masked: bullets only, and never the text. */
    field_free(&f);
    field_init(&f, FIELD_MASKED, 0, 0);
    field_set_text(&f, "pw" KANJI, strlen("pw" KANJI));
    field_draw(&f, w, 0, 0, 20, false);
    for (int x = 0; x < 4; x++)
        assert_int_equal(cell(w, 0, x), BULLET);
    assert_int_equal(cell(w, 0, 4), L' ');
    field_free(&f);
    field_init(&f, FIELD_MASKED | FIELD_ASCII, 0, 0);
    field_set_text(&f, "pw", 2);
    field_draw(&f, w, 0, 0, 20, false);
    assert_int_equal(cell(w, 0, 0), L'*');
    assert_int_equal(cell(w, 0, 2), L' ');
    field_free(&f);

    /* Placeholder: sanitized, cut to the width. */
    field_init(&f, 0, 0, 0);
    field_set_placeholder(&f, "e\x1b[2Jmail address");
    fill(w, '#');
    assert_int_equal(field_draw(&f, w, 2, 15, 30, true), 15); /* clipped */
    assert_int_equal(getcurx(w), 15);
    assert_int_equal(cell(w, 2, 15), L'e');
    assert_int_equal(cell(w, 2, 16), L'\x241b');
    assert_int_equal(cell(w, 2, 14), L'#');
    assert_int_equal(field_draw(&f, w, 3, 0, 5, true), -1);
    assert_int_equal(field_draw(&f, w, 0, 20, 5, true), -1);
    assert_int_equal(field_draw(&f, w, 0, 0, 0, true), -1);
    assert_int_equal(field_draw(&f, NULL, 0, 0, 5, true), -1);
    field_free(&f);

    /* A wide character that does not fit leaves a blank, not half. */
    field_init(&f, 0, 0, 0);
    field_set_text(&f, "a" KANJI, strlen("a" KANJI));
    key(&f, TUI_FN(KEY_HOME));
    fill(w, '#');
    field_draw(&f, w, 0, 0, 2, true);
    assert_int_equal(cell(w, 0, 0), L'a');
    assert_int_equal(cell(w, 0, 1), L' ');
    assert_int_equal(cell(w, 0, 2), L'#');
    field_free(&f);
    delwin(w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ascii_insert_and_move),
        cmocka_unit_test(test_multibyte_insert_and_move),
        cmocka_unit_test(test_backspace_delete_multibyte_and_combining),
        cmocka_unit_test(test_kill_keys),
        cmocka_unit_test(test_controls_never_inserted),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_set_text),
        cmocka_unit_test(test_digits_and_accept),
        cmocka_unit_test(test_masked_lives_in_sodium_memory),
        cmocka_unit_test(test_masked_wipes_on_grow),
        cmocka_unit_test(test_plain_not_in_sodium_memory),
        cmocka_unit_test(test_view_scrolls_to_cursor),
        cmocka_unit_test(test_view_wide_and_masked),
        cmocka_unit_test(test_view_random_edits),
        cmocka_unit_test_setup_teardown(test_draw, screen_up, screen_down),
    };

    if (!setlocale(LC_ALL, "C.UTF-8")) {
        fprintf(stderr, "C.UTF-8 locale missing\n");
        return 1;
    }
    return unit_run(tests);
}
