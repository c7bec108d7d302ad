/* Unit tests for tui/keymap: key specs both ways, defaults, rebinding,
 * clashes, lookup by context, and the hint and help text. */
#include "tests/unit/unit.h"

#include <ctype.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui/keymap.h"

enum { CTX_GLOBAL = 1, CTX_LIST = 2, CTX_FORM = 4, CTX_DIALOG = 8, ALL = 15 };

enum {
    A_DOWN = 100, A_UP, A_OPEN, A_SEARCH, A_DELETE, A_QUEUE, A_ERASE,
    A_NEXT_FIELD, A_SAVE, A_YES, A_CANCEL, A_BACK, A_HELP, A_QUIT
};

/* Shares Down between the list and the form, and Esc between the global
 * "back" and the dialog's "cancel": neither is a clash, since no scope
 * holds both. */
static const struct tui_action acts[] = {
    { A_DOWN, "down", CTX_LIST, NULL, "Move down", "j Down", NULL },
    { A_UP, "up", CTX_LIST, NULL, "Move up", "k Up", NULL },
    { A_OPEN, "open", CTX_LIST, "open", "Open the lead", "Enter", NULL },
    { A_SEARCH, "search", CTX_LIST, "search", "Search the leads", "/", NULL },
    { A_DELETE, "delete", CTX_LIST, "delete", "Delete the lead", "d Delete", NULL },
    { A_QUEUE, "queue-open", CTX_LIST, "queue", "Open the queue", "Q", NULL },
    { A_ERASE, "erase", CTX_LIST, NULL, "Erase the filter", "Backspace", NULL },
    { A_NEXT_FIELD, "next-field", CTX_FORM, NULL, "Next field", "Tab Down", NULL },
    { A_SAVE, "save", CTX_FORM, "save", "Save the form", "C-s", NULL },
    { A_YES, "yes", CTX_DIALOG, "yes", "Confirm", "y", NULL },
    { A_CANCEL, "cancel", CTX_DIALOG, "cancel", "Cancel", "Esc n", NULL },
    { A_BACK, "back", CTX_GLOBAL, "back", "Go back", "Esc", NULL },
    { A_HELP, "help", CTX_GLOBAL, "help", "Show this help", "? F1", NULL },
    { A_QUIT, "quit", CTX_GLOBAL, "quit", "Quit Lumen", "q", NULL },
};
#define NACTS (sizeof acts / sizeof acts[0])

static const unsigned scopes[] = {
    CTX_GLOBAL | CTX_LIST, CTX_GLOBAL | CTX_FORM, CTX_DIALOG,
};

static const struct keymap_table table = { acts, NACTS, scopes, 3, ALL };

#define LIST (CTX_GLOBAL | CTX_LIST)
#define FORM (CTX_GLOBAL | CTX_FORM)

static char err[KEYMAP_ERR_MAX];

static int setup_locale(void **state)
{
    (void)state;
    if (!setlocale(LC_ALL, "C.UTF-8")) {
        fprintf(stderr, "C.UTF-8 locale missing\n");
        return -1;
    }
    return 0;
}

static struct keymap *loaded(void)
{
    struct keymap *km = keymap_new(&table, err, sizeof err);
    assert_non_null(km);
    return km;
}

static void assert_err_starts(const char *want)
{
    if (strncmp(err, want, strlen(want)) != 0)
        fail_msg("error '%s' does not start with '%s'", err, want);
}

static tui_key parse_ok(const char *spec)
{
    tui_key k = TUI_KEY_NONE;
    if (keymap_key_parse(spec, &k, err, sizeof err) != 0)
        fail_msg("'%s' did not parse: %s", spec, err);
    return k;
}

static const char *name_of(tui_key k)
{
    static char buf[KEYMAP_NAME_MAX];
    keymap_key_name(k, buf, sizeof buf);
    return buf;
}

/* --- Key specs ------------------------------------------------------------ */

static void named_keys_round_trip(void **state)
{
    static const struct { const char *name; tui_key key; } keys[] = {
        { "Enter", '\n' }, { "Esc", 27 }, { "Tab", '\t' },
        { "S-Tab", TUI_FN(KEY_BTAB) }, { "Space", ' ' },
        { "Backspace", TUI_FN(KEY_BACKSPACE) }, { "Delete", TUI_FN(KEY_DC) },
        { "Insert", TUI_FN(KEY_IC) }, { "Up", TUI_FN(KEY_UP) },
        { "Down", TUI_FN(KEY_DOWN) }, { "Left", TUI_FN(KEY_LEFT) },
        { "Right", TUI_FN(KEY_RIGHT) }, { "PgUp", TUI_FN(KEY_PPAGE) },
        { "PgDn", TUI_FN(KEY_NPAGE) }, { "Home", TUI_FN(KEY_HOME) },
        { "End", TUI_FN(KEY_END) },
    };
    char lower[KEYMAP_NAME_MAX], upper[KEYMAP_NAME_MAX];
    (void)state;
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        assert_int_equal(parse_ok(keys[i].name), keys[i].key);
        assert_string_equal(name_of(keys[i].key), keys[i].name);
        for (size_t j = 0; j <= strlen(keys[i].name); j++) {
            lower[j] = (char)tolower((unsigned char)keys[i].name[j]);
            upper[j] = (char)toupper((unsigned char)keys[i].name[j]);
        }
        assert_int_equal(parse_ok(lower), keys[i].key);
        assert_int_equal(parse_ok(upper), keys[i].key);
    }
    for (int f = 1; f <= 24; f++) {
        char spec[16];
        snprintf(spec, sizeof spec, "F%d", f);
        assert_int_equal(parse_ok(spec), TUI_FN(KEY_F(f)));
        assert_string_equal(name_of(TUI_FN(KEY_F(f))), spec);
    }
    assert_int_equal(parse_ok("f5"), TUI_FN(KEY_F(5)));
}

static void aliases_and_synonyms(void **state)
{
    (void)state;
    assert_int_equal(parse_ok("Return"), '\n');
    assert_int_equal(parse_ok("escape"), 27);
    assert_int_equal(parse_ok("PageDown"), TUI_FN(KEY_NPAGE));
    assert_int_equal(parse_ok("PageUp"), TUI_FN(KEY_PPAGE));
    assert_int_equal(parse_ok("Del"), TUI_FN(KEY_DC));
    assert_int_equal(parse_ok("Ins"), TUI_FN(KEY_IC));
    assert_int_equal(parse_ok("BackTab"), TUI_FN(KEY_BTAB));
    assert_int_equal(parse_ok("BS"), TUI_FN(KEY_BACKSPACE));
    /* Whatever the terminal sends for Backspace is Backspace. */
    assert_int_equal(parse_ok("C-h"), TUI_FN(KEY_BACKSPACE));
    assert_int_equal(keymap_key_canon(8), TUI_FN(KEY_BACKSPACE));
    assert_int_equal(keymap_key_canon(127), TUI_FN(KEY_BACKSPACE));
    assert_int_equal(keymap_key_canon(TUI_FN(KEY_BACKSPACE)), TUI_FN(KEY_BACKSPACE));
    assert_string_equal(name_of(127), "Backspace");
    assert_string_equal(name_of(8), "Backspace");
    /* What the terminal sends for C-i, C-m, C-j. */
    assert_int_equal(parse_ok("C-i"), '\t');
    assert_int_equal(parse_ok("C-m"), '\n');
    assert_int_equal(parse_ok("C-j"), '\n');
    assert_int_equal(keymap_key_canon('\r'), '\n');
    assert_int_equal(keymap_key_canon(TUI_FN(KEY_ENTER)), '\n');
    assert_string_equal(name_of('\r'), "Enter");
    assert_int_equal(parse_ok(" "), ' ');
}

static void ctrl_and_chars_round_trip(void **state)
{
    static const char *chars[] = {
        "j", "?", "/", ":", "G", "g", "~", "C", "1", "\xC3\xA9" /* é */,
        "\xE4\xB8\xAD" /* 中, two columns */, "\xCE\xBB" /* λ */,
    };
    (void)state;
    for (size_t i = 0; i < sizeof chars / sizeof chars[0]; i++) {
        tui_key k = parse_ok(chars[i]);
        assert_string_equal(name_of(k), chars[i]);
    }
    assert_int_equal(parse_ok("j"), 'j');
    assert_int_equal(parse_ok("\xC3\xA9"), 0xE9);
    assert_int_not_equal(parse_ok("g"), parse_ok("G"));
    for (char c = 'a'; c <= 'z'; c++) {
        char spec[4] = { 'C', '-', c, '\0' }, up[4] = { 'c', '-', (char)(c - 32), '\0' };
        tui_key k = parse_ok(spec);
        assert_int_equal(parse_ok(up), k);
        if (strchr("hijm", c))
            continue; /* Backspace, Tab, Enter: named above */
        assert_int_equal(k, c & 0x1f);
        assert_string_equal(name_of(k), spec);
    }
    assert_int_equal(parse_ok("C-_"), 0x1f);
    assert_string_equal(name_of(0x1f), "C-_");
    assert_string_equal(name_of(0x1c), "C-\\");
    /* Keys without a name still get a safe one. */
    assert_string_equal(name_of(TUI_FN(KEY_MOUSE)), "key-0631");
    assert_string_equal(name_of(0x202E), "U+202E");
    assert_string_equal(name_of(0), "U+0000");
    assert_string_equal(name_of(0x9B), "U+009B");
}

static void bad_specs_say_why(void **state)
{
    static const struct { const char *spec, *want; } bad[] = {
        { "", "empty key" },
        { "Foo", "'Foo' is not a key: write a character, C-x, F1 .. F24, or one of Enter" },
        { "Ctrl-x", "'Ctrl-x' is not a key: write" },
        { "C-1", "'C-1' is not a key: C- takes a letter (C-a .. C-z)" },
        { "C-ab", "'C-ab' is not a key: C- takes a letter" },
        { "C-[", "'C-[' is not a key: C- takes a letter" },
        { "F0", "'F0' is not a key: function keys are F1 .. F24" },
        { "F25", "'F25' is not a key: function keys are F1 .. F24" },
        { "F99999999999", "'F99999999999' is not a key: function keys are" },
        { "j,", "'j,' is not a key: separate keys with spaces" },
        /* Control characters are echoed as placeholders, never raw. */
        { "\x01", "'\xE2\x90\x81' is not a key: not a printable character" },
        { "\x7f", "'\xE2\x90\xA1' is not a key: not a printable character" },
        { "\xE2\x80\xAE", "'\xEF\xBF\xBD' is not a key: not a printable character" },
        { "\xCC\x81", "is not a key: not a printable character" },
        { "\xFF", "'\xEF\xBF\xBD' is not a key: not a character in this locale" },
        { "\xC3", "is not a key: not a character in this locale" },
    };
    (void)state;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        tui_key k = 12345;
        err[0] = '\0';
        assert_int_equal(keymap_key_parse(bad[i].spec, &k, err, sizeof err), -1);
        assert_int_equal(k, 12345);
        if (!strstr(err, bad[i].want))
            fail_msg("spec %zu: '%s' lacks '%s'", i, err, bad[i].want);
    }
    assert_int_equal(keymap_key_parse(NULL, &(tui_key){ 0 }, err, sizeof err), -1);
}

/* --- The keymap ----------------------------------------------------------- */

static void defaults_are_loaded(void **state)
{
    struct keymap *km = loaded();
    char buf[KEYMAP_NAME_MAX];
    (void)state;
    assert_int_equal(keymap_check(km, err, sizeof err), 0);
    assert_int_equal(keymap_action(km, LIST, 'j'), A_DOWN);
    assert_int_equal(keymap_action(km, LIST, TUI_FN(KEY_DOWN)), A_DOWN);
    assert_int_equal(keymap_action(km, LIST, 'k'), A_UP);
    assert_int_equal(keymap_action(km, LIST, '\n'), A_OPEN);
    assert_int_equal(keymap_action(km, LIST, '\r'), A_OPEN);
    assert_int_equal(keymap_action(km, LIST, '?'), A_HELP);
    assert_int_equal(keymap_action(km, LIST, TUI_FN(KEY_F(1))), A_HELP);
    assert_int_equal(keymap_action(km, FORM, TUI_CTRL('s')), A_SAVE);
    assert_int_equal(keymap_action(km, LIST, 'x'), -1);
    /* All three Backspaces. */
    assert_int_equal(keymap_action(km, LIST, 127), A_ERASE);
    assert_int_equal(keymap_action(km, LIST, 8), A_ERASE);
    assert_int_equal(keymap_action(km, LIST, TUI_FN(KEY_BACKSPACE)), A_ERASE);
    keymap_key_of(km, A_HELP, buf, sizeof buf);
    assert_string_equal(buf, "?");
    keymap_key_of(km, 9999, buf, sizeof buf);
    assert_string_equal(buf, "");
    assert_int_equal(keymap_find(km, "queue-open"), A_QUEUE);
    assert_int_equal(keymap_find(km, "queue"), -1);
    keymap_free(&km);
    assert_null(km);
    keymap_free(&km);
}

static void rebinding_replaces_defaults(void **state)
{
    struct keymap *km = loaded();
    char buf[KEYMAP_NAME_MAX];
    (void)state;
    assert_int_equal(keymap_bind(km, "help", "F2", 3, err, sizeof err), 0);
    assert_int_equal(keymap_check(km, err, sizeof err), 0);
    assert_int_equal(keymap_action(km, LIST, '?'), -1);
    assert_int_equal(keymap_action(km, LIST, TUI_FN(KEY_F(1))), -1);
    assert_int_equal(keymap_action(km, LIST, TUI_FN(KEY_F(2))), A_HELP);
    keymap_key_of(km, A_HELP, buf, sizeof buf);
    assert_string_equal(buf, "F2");
    /* The freed key can go to another action. */
    assert_int_equal(keymap_bind(km, "search", "? /", 4, err, sizeof err), 0);
    assert_int_equal(keymap_check(km, err, sizeof err), 0);
    assert_int_equal(keymap_action(km, LIST, '?'), A_SEARCH);
    keymap_free(&km);
}

static void several_keys_per_action(void **state)
{
    struct keymap *km = loaded();
    char buf[KEYMAP_NAME_MAX];
    (void)state;
    assert_int_equal(keymap_bind(km, "quit", "  x\tC-q F10 x ", 4, err, sizeof err), 0);
    assert_int_equal(keymap_check(km, err, sizeof err), 0);
    assert_int_equal(keymap_action(km, LIST, 'x'), A_QUIT);
    assert_int_equal(keymap_action(km, LIST, TUI_CTRL('q')), A_QUIT);
    assert_int_equal(keymap_action(km, FORM, TUI_FN(KEY_F(10))), A_QUIT);
    assert_int_equal(keymap_action(km, LIST, 'q'), -1);
    keymap_key_of(km, A_QUIT, buf, sizeof buf);
    assert_string_equal(buf, "x");

    assert_int_equal(keymap_bind(km, "quit", "a b c d e", 5, err, sizeof err), -1);
    assert_string_equal(err, "line 5: quit: more than 4 keys");
    assert_int_equal(keymap_bind(km, "quit", "none x", 6, err, sizeof err), -1);
    assert_err_starts("line 6: quit: 'none' and a key");
    /* A failed line changes nothing. */
    assert_int_equal(keymap_check(km, err, sizeof err), 0);
    assert_int_equal(keymap_action(km, LIST, 'x'), A_QUIT);

    assert_int_equal(keymap_bind(km, "quit", "none", 7, err, sizeof err), 0);
    assert_int_equal(keymap_check(km, err, sizeof err), 0);
    assert_int_equal(keymap_action(km, LIST, 'x'), -1);
    keymap_key_of(km, A_QUIT, buf, sizeof buf);
    assert_string_equal(buf, "");
    keymap_free(&km);
}

static void unknown_action_and_bad_key(void **state)
{
    struct keymap *km = loaded();
    (void)state;
    assert_int_equal(keymap_bind(km, "qiut", "q", 7, err, sizeof err), -1);
    assert_string_equal(err, "line 7: unknown action 'qiut'");
    assert_int_equal(keymap_bind(km, "\x1b[2J", "q", 8, err, sizeof err), -1);
    assert_string_equal(err, "line 8: unknown action '\xE2\x90\x9B[2J'");
    assert_int_equal(keymap_bind(km, "quit", "Ctrl-q", 9, err, sizeof err), -1);
    assert_err_starts("line 9: quit: 'Ctrl-q' is not a key: write a character");
    assert_int_equal(keymap_bind(km, "quit", "", 10, err, sizeof err), 0);
    assert_int_equal(keymap_check(km, err, sizeof err), 0);
    keymap_free(&km);
}

static void clash_among_defaults(void **state)
{
    static const struct tui_action two[] = {
        { 1, "mark", CTX_LIST, NULL, "Mark", "m x", NULL },
        { 2, "delete", CTX_LIST, NULL, "Delete", "d x", NULL },
    };
    static const struct tui_action global[] = {
        { 1, "quit", CTX_GLOBAL, NULL, "Quit", "q", NULL },
        { 2, "queue-open", CTX_LIST, NULL, "Queue", "q", NULL },
    };
    struct keymap_table t = { two, 2, NULL, 0, 0 };
    struct keymap *km = keymap_new(&t, err, sizeof err);
    (void)state;
    assert_non_null(km);
    assert_int_equal(keymap_check(km, err, sizeof err), -1);
    assert_string_equal(err, "built-in keys: key 'x' would run both mark and delete");
    keymap_free(&km);

    /* A global action clashes with a list's when one scope holds both. */
    t = (struct keymap_table){ global, 2, scopes, 3, ALL };
    km = keymap_new(&t, err, sizeof err);
    assert_int_equal(keymap_check(km, err, sizeof err), -1);
    assert_string_equal(err, "built-in keys: key 'q' would run both quit and queue-open");
    keymap_free(&km);

    /* Without scopes each bit stands alone, and the two never meet. */
    t = (struct keymap_table){ global, 2, NULL, 0, 0 };
    km = keymap_new(&t, err, sizeof err);
    assert_int_equal(keymap_check(km, err, sizeof err), 0);
    assert_int_equal(keymap_action(km, CTX_LIST, 'q'), 2);
    assert_int_equal(keymap_action(km, CTX_GLOBAL, 'q'), 1);
    keymap_free(&km);
}

static void clash_made_by_rebinding(void **state)
{
    struct keymap *km = loaded();
    (void)state;
    assert_int_equal(keymap_bind(km, "queue-open", "q", 12, err, sizeof err), 0);
    assert_int_equal(keymap_check(km, err, sizeof err), -1);
    assert_string_equal(err, "line 12: key 'q' would run both queue-open and quit");
    keymap_free(&km);

    /* Two config lines: the later one is at fault, the earlier is named. */
    km = loaded();
    assert_int_equal(keymap_bind(km, "quit", "x", 9, err, sizeof err), 0);
    assert_int_equal(keymap_bind(km, "search", "/ x", 15, err, sizeof err), 0);
    assert_int_equal(keymap_bind(km, "save", "x", 12, err, sizeof err), 0);
    assert_int_equal(keymap_check(km, err, sizeof err), -1);
    assert_string_equal(err, "line 12: key 'x' would run both save and quit "
                             "(the other binding is on line 9)");
    keymap_free(&km);

    /* A rebinding onto a key named differently is still the same key. */
    km = loaded();
    assert_int_equal(keymap_bind(km, "erase", "C-h", 20, err, sizeof err), 0);
    assert_int_equal(keymap_bind(km, "delete", "BS", 21, err, sizeof err), 0);
    assert_int_equal(keymap_check(km, err, sizeof err), -1);
    assert_string_equal(err, "line 21: key 'Backspace' would run both delete "
                             "and erase (the other binding is on line 20)");
    keymap_free(&km);
}

static void disjoint_contexts_share_keys(void **state)
{
    struct keymap *km = loaded();
    (void)state;
    /* A dialog's 'q' never meets the global quit. */
    assert_int_equal(keymap_bind(km, "yes", "q y", 3, err, sizeof err), 0);
    assert_int_equal(keymap_check(km, err, sizeof err), 0);
    assert_int_equal(keymap_action(km, CTX_DIALOG, 'q'), A_YES);
    assert_int_equal(keymap_action(km, LIST, 'q'), A_QUIT);
    keymap_free(&km);
}

static void lookup_respects_context(void **state)
{
    struct keymap *km = loaded();
    (void)state;
    assert_int_equal(keymap_check(km, err, sizeof err), 0);
    assert_int_equal(keymap_action(km, LIST, TUI_KEY_ESC), A_BACK);
    assert_int_equal(keymap_action(km, CTX_DIALOG, TUI_KEY_ESC), A_CANCEL);
    assert_int_equal(keymap_action(km, FORM, TUI_FN(KEY_DOWN)), A_NEXT_FIELD);
    assert_int_equal(keymap_action(km, FORM, 'j'), -1);
    assert_int_equal(keymap_action(km, LIST, 'y'), -1);
    assert_int_equal(keymap_action(km, CTX_DIALOG, 'n'), A_CANCEL);
    assert_int_equal(keymap_action(km, CTX_DIALOG, 'q'), -1);
    assert_int_equal(keymap_action(km, CTX_LIST, 'q'), -1);
    assert_int_equal(keymap_action(km, 0, 'q'), -1);
    /* A mask that is no scope was never checked for clashes: nothing runs,
     * though Down is next-field in the form and down in the list. */
    assert_int_equal(keymap_action(km, CTX_LIST | CTX_FORM, TUI_FN(KEY_DOWN)), -1);
    keymap_free(&km);
}

static void bad_tables_are_refused(void **state)
{
    static const struct tui_action dup_name[] = {
        { 1, "quit", 1, NULL, "Quit", "q", NULL }, { 2, "quit", 1, NULL, "Quit", "x", NULL },
    };
    static const struct tui_action dup_id[] = {
        { 1, "quit", 1, NULL, "Quit", "q", NULL }, { 1, "help", 1, NULL, "Help", "?", NULL },
    };
    static const struct tui_action bad_name[] = { { 1, "Quit", 1, NULL, "Quit", "q", NULL } };
    static const struct tui_action no_ctx[] = { { 1, "quit", 0, NULL, "Quit", "q", NULL } };
    static const struct tui_action no_scope[] = { { 1, "quit", 16, NULL, "Quit", "q", NULL } };
    static const struct tui_action no_help[] = { { 1, "quit", 1, NULL, NULL, "q", NULL } };
    static const struct tui_action bad_key[] = { { 1, "quit", 1, NULL, "Quit", "q Qx", NULL } };
    static const struct { const struct tui_action *a; const char *want; } cases[] = {
        { dup_name, "built-in keys: quit: id or name of quit again" },
        { dup_id, "built-in keys: help: id or name of quit again" },
        { bad_name, "built-in keys: action 0: bad name" },
        { no_ctx, "built-in keys: quit: ctx is 0" },
        { no_scope, "built-in keys: quit: ctx is in no scope" },
        { no_help, "built-in keys: quit: no help text" },
        { bad_key, "built-in keys: quit: 'Qx' is not a key" },
    };
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t n = cases[i].a == dup_name || cases[i].a == dup_id ? 2 : 1;
        struct keymap_table t = { cases[i].a, n, scopes, 3, 0 };
        assert_null(keymap_new(&t, err, sizeof err));
        assert_err_starts(cases[i].want);
    }
}

/* --- Hints and help ------------------------------------------------------- */

static bool no_delete(int id, void *ud)
{
    (*(int *)ud)++;
    return id != A_DELETE;
}

static void hints_fit_whole(void **state)
{
    static const char full[] =
        "Enter open  / search  d delete  Q queue  Esc back  ? help  q quit";
    struct keymap *km = loaded();
    struct keymap_filter f = { LIST, CTX_GLOBAL, NULL, NULL, false };
    char buf[256];
    (void)state;
    assert_int_equal(keymap_check(km, err, sizeof err), 0);
    assert_int_equal(keymap_hints(km, &f, 200, buf, sizeof buf), strlen(full));
    assert_string_equal(buf, full);
    assert_int_equal(keymap_hints(km, &f, strlen(full), buf, sizeof buf), strlen(full));
    assert_string_equal(buf, full);
    /* One column short drops the last hint and its separator. */
    assert_int_equal(keymap_hints(km, &f, strlen(full) - 1, buf, sizeof buf),
                     strlen(full) - strlen("  q quit"));
    assert_string_equal(buf, "Enter open  / search  d delete  Q queue  Esc back  ? help");
    assert_int_equal(keymap_hints(km, &f, 20, buf, sizeof buf), 20);
    assert_string_equal(buf, "Enter open  / search");
    assert_int_equal(keymap_hints(km, &f, 9, buf, sizeof buf), 0);
    assert_string_equal(buf, "");
    /* A small buffer also cuts at a whole hint. */
    assert_int_equal(keymap_hints(km, &f, 200, buf, 25), 20);
    assert_string_equal(buf, "Enter open  / search");
    /* Without the global group last, table order holds. */
    f.last = 0;
    keymap_hints(km, &f, 200, buf, sizeof buf);
    assert_string_equal(buf, full);
    f.ctx = CTX_DIALOG;
    keymap_hints(km, &f, 200, buf, sizeof buf);
    assert_string_equal(buf, "y yes  Esc cancel");
    keymap_free(&km);
}

static void hints_follow_filter_and_rebinds(void **state)
{
    struct keymap *km = loaded();
    int calls = 0;
    struct keymap_filter f = { LIST, CTX_GLOBAL, no_delete, &calls, false };
    char buf[256];
    (void)state;
    assert_int_equal(keymap_bind(km, "quit", "C-q q", 2, err, sizeof err), 0);
    assert_int_equal(keymap_check(km, err, sizeof err), 0);
    keymap_hints(km, &f, 200, buf, sizeof buf);
    assert_string_equal(buf, "Enter open  / search  Q queue  Esc back  ? help  C-q quit");
    assert_true(calls > 0);
    keymap_free(&km);
}

static void help_lists_every_active_action(void **state)
{
    static const struct { int id; const char *keys; bool last; } want[] = {
        { A_DOWN, "j, Down", false }, { A_UP, "k, Up", false },
        { A_OPEN, "Enter", false }, { A_SEARCH, "/", false },
        { A_DELETE, "d, Delete", false }, { A_QUEUE, "Q", false },
        { A_ERASE, "Backspace", false },
        { A_BACK, "Esc", true }, { A_HELP, "?, F1", true }, { A_QUIT, "q", true },
    };
    struct keymap *km = loaded();
    struct keymap_filter f = { LIST, CTX_GLOBAL, NULL, NULL, false };
    struct keymap_iter it = { 0 };
    struct keymap_item item;
    size_t n = 0;
    (void)state;
    assert_int_equal(keymap_check(km, err, sizeof err), 0);
    while (keymap_next(km, &f, &it, &item)) {
        assert_true(n < sizeof want / sizeof want[0]);
        assert_int_equal(item.id, want[n].id);
        assert_string_equal(item.keys, want[n].keys);
        assert_int_equal(item.last, want[n].last);
        assert_non_null(item.help);
        n++;
    }
    assert_int_equal(n, sizeof want / sizeof want[0]);
    assert_false(keymap_next(km, &f, &it, &item)); /* stays at the end */

    /* An unbound or disallowed action is not listed. */
    int calls = 0;
    f.allowed = no_delete;
    f.ud = &calls;
    assert_int_equal(keymap_bind(km, "up", "none", 2, err, sizeof err), 0);
    assert_int_equal(keymap_check(km, err, sizeof err), 0);
    it = (struct keymap_iter){ 0 };
    n = 0;
    while (keymap_next(km, &f, &it, &item)) {
        assert_int_not_equal(item.id, A_UP);
        assert_int_not_equal(item.id, A_DELETE);
        n++;
    }
    assert_int_equal(n, sizeof want / sizeof want[0] - 2);
    keymap_free(&km);
}

/* Where a text field has the keyboard a character types itself: it is
 * not offered as a key, and an action bound only to characters is not
 * listed at all. */
static void typing_leaves_characters_out(void **state)
{
    struct keymap *km = loaded();
    struct keymap_filter f = { LIST, CTX_GLOBAL, NULL, NULL, true };
    struct keymap_iter it = { 0 };
    struct keymap_item item;
    char buf[256];
    (void)state;
    assert_int_equal(keymap_bind(km, "quit", "q C-c", 2, err, sizeof err), 0);
    assert_int_equal(keymap_check(km, err, sizeof err), 0);
    keymap_hints(km, &f, 200, buf, sizeof buf);
    assert_string_equal(buf, "Enter open  Delete delete  Esc back  F1 help  C-c quit");
    while (keymap_next(km, &f, &it, &item)) {
        assert_int_not_equal(item.id, A_SEARCH);        /* "/" only */
        assert_int_not_equal(item.id, A_QUEUE);         /* "Q" only */
        if (item.id == A_DOWN)
            assert_string_equal(item.keys, "Down");
        if (item.id == A_QUIT)
            assert_string_equal(item.key, "C-c");
    }
    keymap_free(&km);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(named_keys_round_trip, setup_locale),
        cmocka_unit_test_setup(aliases_and_synonyms, setup_locale),
        cmocka_unit_test_setup(ctrl_and_chars_round_trip, setup_locale),
        cmocka_unit_test_setup(bad_specs_say_why, setup_locale),
        cmocka_unit_test_setup(defaults_are_loaded, setup_locale),
        cmocka_unit_test_setup(rebinding_replaces_defaults, setup_locale),
        cmocka_unit_test_setup(several_keys_per_action, setup_locale),
        cmocka_unit_test_setup(unknown_action_and_bad_key, setup_locale),
        cmocka_unit_test_setup(clash_among_defaults, setup_locale),
        cmocka_unit_test_setup(clash_made_by_rebinding, setup_locale),
        cmocka_unit_test_setup(disjoint_contexts_share_keys, setup_locale),
        cmocka_unit_test_setup(lookup_respects_context, setup_locale),
        cmocka_unit_test_setup(bad_tables_are_refused, setup_locale),
        cmocka_unit_test_setup(hints_fit_whole, setup_locale),
        cmocka_unit_test_setup(hints_follow_filter_and_rebinds, setup_locale),
        cmocka_unit_test_setup(help_lists_every_active_action, setup_locale),
        cmocka_unit_test_setup(typing_leaves_characters_out, setup_locale),
    };
    return unit_run(tests);
}
