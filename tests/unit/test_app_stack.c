/* Unit tests for the stack-removal hook of tui/app_stack.c: the app's
 * removed hook (tui_app_set_removed) and each screen's ops->removed run,
 * once and in that order, for a screen taken off for good -- popped,
 * closed, replaced by replace_all, or an overlay of the lock at unlock --
 * and never for one merely covered (by a push, an overlay, the lock) or
 * replaced by itself (a tab chosen again).  Lumen cancels a screen's calls
 * there, so a missed removal leaks calls and a spurious one drops them.
 *
 * The stack needs no terminal: the app is a zeroed struct tui_app (its
 * private header), as tui_app_start would leave it before curses. */
#include "tests/unit/unit.h"

#include <stdio.h>
#include <string.h>

#include "tui/app.h"
#include "tui/app_priv.h"

#define NSCREENS 12
#define LOG_MAX 64

/* What happened, in order: "hook:A", "ops:A", "enter:A", "leave:A". */
struct log {
    char ev[LOG_MAX][16];
    int n;
};

static struct log lg;

static void note(const char *what, const struct tui_screen *s)
{
    assert_true(lg.n < LOG_MAX);
    snprintf(lg.ev[lg.n++], sizeof lg.ev[0], "%s:%s", what, s->ops->name);
}

/* How often EV appears in the log. */
static int seen(const char *ev)
{
    int k = 0;
    for (int i = 0; i < lg.n; i++)
        k += strcmp(lg.ev[i], ev) == 0;
    return k;
}

/* Removals only (the hook's and the ops'), joined: "hook:B ops:B hook:A ops:A". */
static const char *removals(void)
{
    static char buf[LOG_MAX * 16];
    buf[0] = '\0';
    for (int i = 0; i < lg.n; i++) {
        if (strncmp(lg.ev[i], "hook:", 5) && strncmp(lg.ev[i], "ops:", 4))
            continue;
        if (buf[0])
            strcat(buf, " ");
        strcat(buf, lg.ev[i]);
    }
    return buf;
}

static void app_removed(void *ud, struct tui_screen *s)
{
    assert_ptr_equal(ud, &lg);
    note("hook", s);
}

static void ops_removed(struct tui_screen *s) { note("ops", s); }
static void ops_enter(struct tui_screen *s) { note("enter", s); }
static void ops_leave(struct tui_screen *s) { note("leave", s); }

#define OPS(N) { .name = N, .enter = ops_enter, .leave = ops_leave, .removed = ops_removed }
static const struct screen_ops ops[NSCREENS] = {
    OPS("A"), OPS("B"), OPS("C"), OPS("D"), OPS("lock"), OPS("help"), OPS("dialog"),
    OPS("S7"), OPS("S8"), OPS("S9"), OPS("S10"), OPS("S11"),
};
enum { A, B, C, D, LOCK, HELP, DIALOG };

struct fixture {
    struct tui_app app;
    struct tui_screen scr[NSCREENS];
};

static int setup(void **state)
{
    static struct fixture f;
    memset(&f, 0, sizeof f);
    memset(&lg, 0, sizeof lg);
    f.app.quit_action = -1;
    for (int i = 0; i < NSCREENS; i++)
        f.scr[i] = (struct tui_screen){ .ops = &ops[i], .app = &f.app };
    tui_app_set_removed(&f.app, app_removed, &lg);
    *state = &f;
    return 0;
}

static struct tui_screen *S(struct fixture *f, int i) { return &f->scr[i]; }

static void pushed_then_popped(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(tui_app_push(&f->app, S(f, A)), 0);
    assert_int_equal(tui_app_push(&f->app, S(f, B)), 0);
    assert_string_equal(removals(), "");
    tui_app_pop(&f->app);
    /* The app's hook first (it cancels the calls the state owns), then
     * the screen's own. */
    assert_string_equal(removals(), "hook:B ops:B");
    assert_ptr_equal(tui_app_top(&f->app), S(f, A));
    /* Popping what is left removes it too, once; an empty pop nothing. */
    tui_app_pop(&f->app);
    tui_app_pop(&f->app);
    assert_string_equal(removals(), "hook:B ops:B hook:A ops:A");
    assert_int_equal(tui_app_depth(&f->app), 0);
}

static void closed(void **state)
{
    struct fixture *f = *state;
    tui_app_push(&f->app, S(f, A));
    tui_app_overlay(&f->app, S(f, HELP));
    /* Only the top is closed: a screen beneath is left alone. */
    tui_app_close(&f->app, S(f, A));
    assert_string_equal(removals(), "");
    tui_app_close(&f->app, S(f, HELP));
    assert_string_equal(removals(), "hook:help ops:help");
    assert_ptr_equal(tui_app_top(&f->app), S(f, A));
}

static void covered_is_not_removed(void **state)
{
    struct fixture *f = *state;
    tui_app_push(&f->app, S(f, A));
    tui_app_push(&f->app, S(f, B));
    tui_app_overlay(&f->app, S(f, DIALOG));
    tui_app_lock(&f->app, S(f, LOCK));
    /* Covered three times over: left, never removed. */
    assert_int_equal(seen("leave:A"), 1);
    assert_int_equal(seen("leave:B"), 1);
    assert_int_equal(seen("leave:dialog"), 1);
    assert_string_equal(removals(), "");
    tui_app_unlock(&f->app);
    assert_ptr_equal(tui_app_top(&f->app), S(f, DIALOG));
    assert_int_equal(tui_app_depth(&f->app), 3);
    assert_int_equal(seen("hook:A") + seen("hook:B") + seen("hook:dialog"), 0);
}

static void replace_all_removes_every_screen_below(void **state)
{
    struct fixture *f = *state;
    tui_app_push(&f->app, S(f, A));
    tui_app_push(&f->app, S(f, B));
    tui_app_push(&f->app, S(f, C));
    assert_int_equal(tui_app_replace_all(&f->app, S(f, D)), 0);
    /* Top first, as popping one by one would; each once; D not at all. */
    assert_string_equal(removals(), "hook:C ops:C hook:B ops:B hook:A ops:A");
    assert_int_equal(tui_app_depth(&f->app), 1);
    assert_ptr_equal(tui_app_top(&f->app), S(f, D));
}

static void tab_replaced_by_itself(void **state)
{
    struct fixture *f = *state;
    /* A tab (A) with a detail over it (B); the same tab chosen again. */
    tui_app_push(&f->app, S(f, A));
    tui_app_push(&f->app, S(f, B));
    assert_int_equal(tui_app_replace_all(&f->app, S(f, A)), 0);
    assert_string_equal(removals(), "hook:B ops:B");
    assert_int_equal(tui_app_depth(&f->app), 1);
    assert_ptr_equal(tui_app_top(&f->app), S(f, A));
    /* Alone on the stack and chosen again: nothing is removed. */
    assert_int_equal(tui_app_replace_all(&f->app, S(f, A)), 0);
    assert_string_equal(removals(), "hook:B ops:B");
    assert_int_equal(tui_app_depth(&f->app), 1);
}

static void overlays_over_the_lock_removed_at_unlock(void **state)
{
    struct fixture *f = *state;
    tui_app_push(&f->app, S(f, A));
    tui_app_lock(&f->app, S(f, LOCK));
    assert_int_equal(tui_app_overlay(&f->app, S(f, HELP)), 0);
    assert_int_equal(tui_app_overlay(&f->app, S(f, DIALOG)), 0);
    /* Overlaid over the lock, not pushed on the stack. */
    assert_int_equal(tui_app_depth(&f->app), 1);
    assert_ptr_equal(tui_app_top(&f->app), S(f, DIALOG));
    /* The lock itself cannot be closed. */
    tui_app_close(&f->app, S(f, LOCK));
    assert_true(tui_app_locked(&f->app));
    assert_string_equal(removals(), "");
    tui_app_unlock(&f->app);
    /* The layer goes top first, the lock with it; the stack stays. */
    assert_string_equal(removals(), "hook:dialog ops:dialog hook:help ops:help hook:lock ops:lock");
    assert_false(tui_app_locked(&f->app));
    assert_ptr_equal(tui_app_top(&f->app), S(f, A));
    assert_int_equal(seen("hook:A"), 0);
    /* A second unlock removes nothing again. */
    tui_app_unlock(&f->app);
    assert_int_equal(seen("hook:help") + seen("hook:dialog") + seen("hook:lock"), 3);
}

static void overlay_closed_over_the_lock(void **state)
{
    struct fixture *f = *state;
    tui_app_push(&f->app, S(f, A));
    tui_app_lock(&f->app, S(f, LOCK));
    tui_app_overlay(&f->app, S(f, HELP));
    tui_app_close(&f->app, S(f, HELP));
    assert_string_equal(removals(), "hook:help ops:help");
    assert_ptr_equal(tui_app_top(&f->app), S(f, LOCK));
    tui_app_unlock(&f->app);
    /* Closed once, so not removed again at unlock. */
    assert_int_equal(seen("hook:help"), 1);
}

static void beneath_the_lock(void **state)
{
    struct fixture *f = *state;
    /* Navigation while locked changes the stack beneath: what it takes
     * off is removed then, what it covers is not, and the lock's layer is
     * left alone. */
    tui_app_push(&f->app, S(f, A));
    tui_app_push(&f->app, S(f, B));
    tui_app_lock(&f->app, S(f, LOCK));
    tui_app_overlay(&f->app, S(f, HELP));
    tui_app_pop(&f->app);
    assert_string_equal(removals(), "hook:B ops:B");
    tui_app_replace_all(&f->app, S(f, C));
    assert_string_equal(removals(), "hook:B ops:B hook:A ops:A");
    tui_app_push(&f->app, S(f, D));
    assert_string_equal(removals(), "hook:B ops:B hook:A ops:A");
    assert_ptr_equal(tui_app_top(&f->app), S(f, HELP));
    /* Nothing beneath came on screen while locked. */
    assert_int_equal(seen("enter:C") + seen("enter:D"), 0);
    tui_app_unlock(&f->app);
    assert_int_equal(seen("hook:C") + seen("hook:D"), 0);
    assert_ptr_equal(tui_app_top(&f->app), S(f, D));
    assert_int_equal(seen("enter:D"), 1);
}

static void full_stack_is_not_removed(void **state)
{
    struct fixture *f = *state;
    int i;
    for (i = 0; i < TUI_MAX_SCREENS; i++)
        assert_int_equal(tui_app_push(&f->app, S(f, i)), 0);
    /* One too many: refused, said, and neither it nor the stack removed. */
    assert_int_equal(tui_app_push(&f->app, S(f, i)), -1);
    assert_non_null(strstr(f->app.message, "Too many screens"));
    assert_string_equal(removals(), "");
    assert_int_equal(tui_app_depth(&f->app), TUI_MAX_SCREENS);
}

static void no_hook(void **state)
{
    struct fixture *f = *state;
    /* Without the app's hook a screen's own removed still runs. */
    tui_app_set_removed(&f->app, NULL, NULL);
    tui_app_push(&f->app, S(f, A));
    tui_app_pop(&f->app);
    assert_string_equal(removals(), "ops:A");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(pushed_then_popped, setup),
        cmocka_unit_test_setup(closed, setup),
        cmocka_unit_test_setup(covered_is_not_removed, setup),
        cmocka_unit_test_setup(replace_all_removes_every_screen_below, setup),
        cmocka_unit_test_setup(tab_replaced_by_itself, setup),
        cmocka_unit_test_setup(overlays_over_the_lock_removed_at_unlock, setup),
        cmocka_unit_test_setup(overlay_closed_over_the_lock, setup),
        cmocka_unit_test_setup(beneath_the_lock, setup),
        cmocka_unit_test_setup(full_stack_is_not_removed, setup),
        cmocka_unit_test_setup(no_hook, setup),
    };
    return unit_run(tests);
}
