/* The real action table and [keys] loading: no clash among the defaults,
 * rebinding errors name the file and line, and the frame's layout. */
#include "tests/unit/unit.h"
#include "screens/actions.h"
#include "screens/lumen.h"
#include "tui/app.h"

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

static int load(const char *keys, char *err, size_t n)
{
    char text[512];
    snprintf(text, sizeof text, "[database]\nhost=/x\ndbname=l\n[keys]\n%s", keys);
    struct config c;
    if (config_load_string("k.conf", text, &c, err, n) != 0)
        return -2;
    struct keymap *km = screens_keymap(&c, err, n);
    config_free(&c);
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
        cmocka_unit_test(keys_section_errors),
        cmocka_unit_test(layout_arithmetic),
    };
    return unit_run(tests);
}
