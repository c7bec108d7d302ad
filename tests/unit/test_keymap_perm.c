/* Unit tests for tui/keymap's permission column and context coverage, on
 * a table of their own: an action that needs a permission the session
 * lacks is refused by dispatch and left out of hints and help; a context
 * that no scope holds is refused at load. */
#include "tests/unit/unit.h"

#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "tui/keymap.h"

enum { CTX_GLOBAL = 1, CTX_LIST = 2, CTX_DIALOG = 4, ALL = 7 };
enum { A_DOWN = 1, A_EDIT, A_INVITE, A_YES, A_QUIT };

/* The role strings are api.me's (lumen.role_permissions). */
static const struct tui_action acts[] = {
    { A_DOWN, "down", CTX_LIST, NULL, "Move down", "j", NULL },
    { A_EDIT, "edit", CTX_LIST, "edit", "Edit the lead", "e", "lead.update" },
    { A_INVITE, "invite", CTX_LIST, "invite", "Invite a member", "i", "member.invite" },
    { A_YES, "yes", CTX_DIALOG, "yes", "Confirm", "y", NULL },
    { A_QUIT, "quit", CTX_GLOBAL, "quit", "Quit Lumen", "q", NULL },
};
static const unsigned scopes[] = { CTX_GLOBAL | CTX_LIST, CTX_DIALOG };
static const struct keymap_table table = { acts, 5, scopes, 2, ALL };
#define LIST (CTX_GLOBAL | CTX_LIST)

static const char *const viewer[] = { "lead.read", "audit.read", "mfa.self", "session.self" };
static const char *const admin[] = { "lead.read", "lead.update", "lead.export" };
static const char *const owner[] = { "lead.update", "member.invite", "session.self" };

static char err[KEYMAP_ERR_MAX];

static int setup_locale(void **state)
{
    (void)state;
    return setlocale(LC_ALL, "C.UTF-8") ? 0 : -1;
}

static struct keymap *checked(const char *edit_keys)
{
    struct keymap *km = keymap_new(&table, err, sizeof err);
    assert_non_null(km);
    if (edit_keys)
        assert_int_equal(keymap_bind(km, "edit", edit_keys, 7, err, sizeof err), 0);
    if (keymap_check(km, err, sizeof err) != 0)
        fail_msg("%s", err);
    return km;
}

/* The ids help would list for a list screen, joined: "1 2 5". */
static const char *help_ids(const struct keymap *km)
{
    static char out[64];
    struct keymap_filter f = { LIST, CTX_GLOBAL, NULL, NULL, false };
    struct keymap_iter it = { 0 };
    struct keymap_item item;
    size_t len = 0;
    out[0] = '\0';
    while (keymap_next(km, &f, &it, &item))
        len += (size_t)snprintf(out + len, sizeof out - len, "%s%d", len ? " " : "", item.id);
    return out;
}

static const char *hints(const struct keymap *km)
{
    static char buf[128];
    struct keymap_filter f = { LIST, CTX_GLOBAL, NULL, NULL, false };
    keymap_hints(km, &f, 200, buf, sizeof buf);
    return buf;
}

static void no_session_no_permitted_keys(void **state)
{
    struct keymap *km = checked(NULL);
    (void)state;
    /* Before sign-in, nothing that needs a permission exists. */
    assert_int_equal(keymap_action(km, LIST, 'j'), A_DOWN);
    assert_int_equal(keymap_action(km, LIST, 'e'), -1);
    assert_int_equal(keymap_action(km, LIST, 'i'), -1);
    assert_false(keymap_permitted(km, A_EDIT));
    assert_true(keymap_permitted(km, A_DOWN));
    assert_false(keymap_permitted(km, 999));
    assert_string_equal(hints(km), "q quit");
    assert_string_equal(help_ids(km), "1 5");
    keymap_free(&km);
}

static void each_role_sees_its_keys(void **state)
{
    struct keymap *km = checked(NULL);
    (void)state;
    keymap_set_permissions(km, viewer, 4);
    assert_int_equal(keymap_action(km, LIST, 'e'), -1);
    assert_int_equal(keymap_action(km, LIST, 'i'), -1);
    assert_string_equal(hints(km), "q quit");
    assert_string_equal(help_ids(km), "1 5");

    keymap_set_permissions(km, admin, 3);
    assert_int_equal(keymap_action(km, LIST, 'e'), A_EDIT);
    assert_int_equal(keymap_action(km, LIST, 'i'), -1);
    assert_string_equal(hints(km), "e edit  q quit");
    assert_string_equal(help_ids(km), "1 2 5");

    keymap_set_permissions(km, owner, 3);
    assert_int_equal(keymap_action(km, LIST, 'i'), A_INVITE);
    assert_string_equal(hints(km), "e edit  i invite  q quit");
    assert_string_equal(help_ids(km), "1 2 3 5");

    /* Signed out: back to nothing, whatever the last role held. */
    keymap_set_permissions(km, NULL, 0);
    assert_int_equal(keymap_action(km, LIST, 'e'), -1);
    assert_string_equal(hints(km), "q quit");
    keymap_free(&km);
}

/* A rebound key keeps the action's permission, and an action the session
 * lacks still counts in the clash check: another role has the key. */
static void rebinding_keeps_the_permission(void **state)
{
    struct keymap *km = checked("E");
    (void)state;
    keymap_set_permissions(km, viewer, 4);
    assert_int_equal(keymap_action(km, LIST, 'E'), -1);
    keymap_set_permissions(km, admin, 3);
    assert_int_equal(keymap_action(km, LIST, 'E'), A_EDIT);
    assert_int_equal(keymap_action(km, LIST, 'e'), -1);
    assert_string_equal(hints(km), "E edit  q quit");
    assert_int_equal(keymap_bind(km, "edit", "q", 9, err, sizeof err), 0);
    assert_int_equal(keymap_check(km, err, sizeof err), -1);
    assert_string_equal(err, "line 9: key 'q' would run both edit and quit");
    keymap_free(&km);
}

static void every_context_is_in_a_scope(void **state)
{
    static const struct tui_action stray[] = {
        { 1, "quit", 8, NULL, "Quit", "q", NULL },
    };
    static const struct tui_action empty_perm[] = {
        { 1, "quit", CTX_GLOBAL, NULL, "Quit", "q", "" },
    };
    (void)state;
    /* Context 8 is declared, and no scope holds it: its keys would never
     * be checked for clashes, so the table is refused. */
    struct keymap_table t = { acts, 5, scopes, 2, ALL | 8 };
    assert_null(keymap_new(&t, err, sizeof err));
    assert_string_equal(err, "built-in keys: context 0x8 is in no scope: "
                             "its keys would never be checked for clashes");
    t = (struct keymap_table){ stray, 1, scopes, 2, ALL };
    assert_null(keymap_new(&t, err, sizeof err));
    assert_string_equal(err, "built-in keys: quit: ctx has an undeclared bit");
    t = (struct keymap_table){ empty_perm, 1, scopes, 2, ALL };
    assert_null(keymap_new(&t, err, sizeof err));
    assert_string_equal(err, "built-in keys: quit: empty permission (NULL for none)");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(no_session_no_permitted_keys, setup_locale),
        cmocka_unit_test_setup(each_role_sees_its_keys, setup_locale),
        cmocka_unit_test_setup(rebinding_keeps_the_permission, setup_locale),
        cmocka_unit_test_setup(every_context_is_in_a_scope, setup_locale),
    };
    return unit_run(tests);
}
