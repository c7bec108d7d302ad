/* The real action table and [keys] loading: no clash among the defaults,
 * every generated name round-trips through [keys], every context is in a
 * scope, rebinding errors name the file and line, and the frame's layout. */
#include "tests/unit/unit.h"
#include "screens/actions.h"
#include "screens/lumen.h"
#include "tui/app.h"

#include <ctype.h>
#include <string.h>

static void real_table_has_no_clash(void **state)
{
    (void)state;
    char err[KEYMAP_ERR_MAX] = "";
    struct keymap *km = keymap_new(&lumen_actions, err, sizeof err);
    if (!km)
        fail_msg("%s", err);
    if (keymap_check(km, err, sizeof err) != 0)
        fail_msg("%s", err);
    /* Every action has a config name and help, and is found by it. */
    for (size_t i = 0; i < lumen_actions.n; i++) {
        const struct tui_action *a = &lumen_actions.actions[i];
        assert_non_null(a->help);
        assert_int_equal(keymap_find(km, a->name), a->id);
    }
    assert_int_equal(lumen_actions.n, ACT_COUNT);
    keymap_free(&km);
}

/* ACT_<ID> and its [keys] name, side by side, from the one declaration. */
#define ID_AND_NAME(id, name, ...) { ACT_##id, #id, name },
static const struct { int id; const char *upper; const char *name; } declared[] = {
    LUMEN_ACTIONS(ID_AND_NAME)
};
#undef ID_AND_NAME

static struct keymap *load_keys(const char *keys, char *err, size_t n)
{
    char text[512];
    snprintf(text, sizeof text, "[database]\nhost=/x\ndbname=l\n[keys]\n%s", keys);
    struct config c;
    if (config_load_string("k.conf", text, &c, err, n) != 0)
        return NULL;
    struct keymap *km = screens_keymap(&c, err, n);
    config_free(&c);
    return km;
}

/* A scope in which the action is active: where a screen would run it. */
static unsigned scope_of(unsigned ctx)
{
    for (size_t s = 0; s < lumen_actions.nscopes; s++)
        if (lumen_actions.scopes[s] & ctx)
            return lumen_actions.scopes[s];
    return 0;
}

/* Each name is its id in lower case with '-' for '_', so the enum is found
 * from lumen.conf; each is accepted by [keys], and its key then runs it. */
static void names_round_trip_through_keys(void **state)
{
    (void)state;
    char err[CONFIG_ERR_MAX + 64], line[64], key[KEYMAP_NAME_MAX];
    assert_int_equal(sizeof declared / sizeof declared[0], ACT_COUNT);
    for (size_t i = 0; i < ACT_COUNT; i++) {
        char lower[32] = "";
        for (size_t j = 0; declared[i].upper[j] && j + 1 < sizeof lower; j++)
            lower[j] = declared[i].upper[j] == '_' ? '-' : (char)tolower(declared[i].upper[j]);
        assert_string_equal(lower, declared[i].name);
        assert_int_equal(declared[i].id, (int)i);
        assert_string_equal(lumen_actions.actions[i].name, declared[i].name);

        snprintf(line, sizeof line, "%s = F24\n", declared[i].name);
        struct keymap *km = load_keys(line, err, sizeof err);
        if (!km)
            fail_msg("%s: %s", line, err);
        assert_int_equal(keymap_find(km, declared[i].name), declared[i].id);
        keymap_key_of(km, declared[i].id, key, sizeof key);
        assert_string_equal(key, "F24");
        unsigned scope = scope_of(lumen_actions.actions[i].ctx);
        /* An action that needs a permission runs once the session has it. */
        const char *perm = lumen_actions.actions[i].perm;
        if (perm)
            keymap_set_permissions(km, &perm, 1);
        assert_int_equal(keymap_action(km, scope, TUI_FN(KEY_F(24))), declared[i].id);
        keymap_free(&km);
    }
}

/* Every context the table declares is in some scope, so the clash check
 * sees its keys; every scope is a real mask. */
static void every_context_is_checked_for_clashes(void **state)
{
    (void)state;
    unsigned covered = 0;
    for (size_t s = 0; s < lumen_actions.nscopes; s++) {
        assert_int_not_equal(lumen_actions.scopes[s], 0);
        covered |= lumen_actions.scopes[s];
    }
    assert_int_equal(lumen_actions.contexts, CTX_ALL);
    assert_int_equal(covered & CTX_ALL, CTX_ALL);
    for (size_t i = 0; i < ACT_COUNT; i++)
        assert_int_not_equal(scope_of(lumen_actions.actions[i].ctx), 0);
}

static int load(const char *keys, char *err, size_t n)
{
    struct keymap *km = load_keys(keys, err, n);
    int rc = km ? 0 : -1;
    keymap_free(&km);
    return rc;
}

static void keys_section_errors(void **state)
{
    (void)state;
    char err[CONFIG_ERR_MAX + 64];
    assert_int_equal(load("quit = Q\ndown = j Down\n", err, sizeof err), 0);
    assert_int_equal(load("quit = r\n", err, sizeof err), -1);       /* r is refresh on home */
    assert_non_null(strstr(err, "k.conf:5:"));
    assert_non_null(strstr(err, "'r'"));
    assert_int_equal(load("qiut = Q\n", err, sizeof err), -1);
    assert_non_null(strstr(err, "k.conf:5:"));
    assert_non_null(strstr(err, "qiut"));
    assert_int_equal(load("quit = Ctrl-Q\n", err, sizeof err), -1);
    assert_non_null(strstr(err, "k.conf:5:"));
}

static void layout_arithmetic(void **state)
{
    (void)state;
    struct tui_layout l = tui_layout_for(24, 80);
    assert_false(l.too_small);
    assert_int_equal(l.header_rows + l.body_rows + l.status_rows, 24);
    assert_int_equal(l.cols, 80);
    assert_true(tui_layout_for(23, 80).too_small);
    assert_true(tui_layout_for(24, 79).too_small);
    assert_true(tui_layout_for(10, 40).too_small);
    assert_true(tui_layout_for(5, 20).too_small);
    assert_int_equal(tui_layout_for(60, 200).body_rows, 58);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(real_table_has_no_clash),
        cmocka_unit_test(names_round_trip_through_keys),
        cmocka_unit_test(every_context_is_checked_for_clashes),
        cmocka_unit_test(keys_section_errors),
        cmocka_unit_test(layout_arithmetic),
    };
    return unit_run(tests);
}
