/* Screens, the stack and the lock: what is on screen and what takes keys
 * (see tui/app.h).  The loop itself is tui/app.c. */
#include "tui/app.h"
#include "tui/app_priv.h"

#include <stdio.h>
#include <stdlib.h>

static struct tui_screen *stack_top(const struct tui_app *app);

/* The screen on top learns its body's size; those beneath learn it when
 * they come on top again. */
void tui_app_layout_top(struct tui_app *app)
{
    struct tui_screen *s = tui_app_top(app);
    if (s && s->ops->layout && !app->lay.too_small)
        s->ops->layout(s, app->lay.body_rows, app->lay.cols);
}

struct tui_screen *tui_screen_new(struct tui_app *app, const struct screen_ops *ops, void *ud)
{
    struct tui_screen *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->ops = ops;
    s->ud = ud;
    s->app = app;
    if (ops->state_size && !(s->state = calloc(1, ops->state_size))) {
        free(s);
        return NULL;
    }
    if (ops->init)
        ops->init(s);
    return s;
}

void tui_screen_free(struct tui_screen **ps)
{
    struct tui_screen *s = *ps;
    if (!s)
        return;
    if (s->ops->destroy)
        s->ops->destroy(s);
    if (s->state) {
        /* What a screen held (an email, a practice's rows) goes with it. */
        volatile unsigned char *p = s->state;
        for (size_t i = 0; i < s->ops->state_size; i++)
            p[i] = 0;
        free(s->state);
    }
    free(s);
    *ps = NULL;
}

void tui_app_set_global(struct tui_app *app,
                        enum tui_result (*handle)(void *ud, struct tui_screen *top, int action),
                        bool (*allowed)(void *ud, int action), void *ud)
{
    app->global = handle;
    app->global_allowed = allowed;
    app->global_ud = ud;
}

void tui_app_set_removed(struct tui_app *app, void (*removed)(void *ud, struct tui_screen *s),
                         void *ud)
{
    app->removed = removed;
    app->removed_ud = ud;
}

static void removed(struct tui_app *app, struct tui_screen *s)
{
    if (app->removed && s)
        app->removed(app->removed_ud, s);
    if (s && s->ops->removed)
        s->ops->removed(s);
}

bool tui_app_allows(const struct tui_app *app, struct tui_screen *s, int action)
{
    if (s->ops->allowed && !s->ops->allowed(s, action))
        return false;
    return !app->global_allowed || app->global_allowed(app->global_ud, action);
}

static struct tui_screen *stack_top(const struct tui_app *app)
{
    return app->depth ? app->stack[app->depth - 1] : NULL;
}

struct tui_screen *tui_app_top(const struct tui_app *app)
{
    return app->over_depth ? app->over[app->over_depth - 1] : stack_top(app);
}

bool tui_app_locked(const struct tui_app *app) { return app->over_depth > 0; }
int tui_app_depth(const struct tui_app *app) { return app->depth; }

struct tui_screen *tui_app_stack_at(const struct tui_app *app, int i)
{
    return i >= 0 && i < app->depth ? app->stack[i] : NULL;
}

/* A screen that comes on screen is entered, and the one it replaces on
 * screen is left.  Beneath the lock nothing comes on screen: the stack's
 * top is entered at unlock instead. */
static void enter_top(struct tui_app *app)
{
    struct tui_screen *s = tui_app_top(app);
    if (app->shown && app->shown != s && app->shown->ops->leave)
        app->shown->ops->leave(app->shown);
    app->shown = s;
    tui_app_layout_top(app);
    if (s && s->ops->enter)
        s->ops->enter(s);
    app->dirty = true;
}

static void stack_changed(struct tui_app *app)
{
    if (!tui_app_locked(app))
        enter_top(app);
}

static int stack_full(struct tui_app *app, const struct tui_screen *s)
{
    /* A bug of the application's, not the user's: said plainly, not hidden. */
    char msg[160];
    snprintf(msg, sizeof msg, "Too many screens open (%d): %s was not opened. Go back first.",
             TUI_MAX_SCREENS, s->ops->name ? s->ops->name : "a screen");
    tui_app_message(app, ROLE_ERROR, msg, 0);
    return -1;
}

int tui_app_push(struct tui_app *app, struct tui_screen *s)
{
    if (app->depth == TUI_MAX_SCREENS)
        return stack_full(app, s);
    s->app = app;
    app->stack[app->depth++] = s;
    stack_changed(app);
    return 0;
}

void tui_app_pop(struct tui_app *app)
{
    if (app->depth > 0)
        removed(app, app->stack[--app->depth]);
    stack_changed(app);
}

int tui_app_replace_all(struct tui_app *app, struct tui_screen *s)
{
    /* Top first, as popping one by one would; S itself stays (it was just
     * opened again, and what it asked for then is wanted). */
    while (app->depth > 0) {
        struct tui_screen *old = app->stack[--app->depth];
        if (old != s)
            removed(app, old);
    }
    return tui_app_push(app, s);
}

int tui_app_overlay(struct tui_app *app, struct tui_screen *s)
{
    if (!tui_app_locked(app))
        return tui_app_push(app, s);
    if (app->over_depth == TUI_MAX_OVER_LOCK)
        return stack_full(app, s);
    s->app = app;
    app->over[app->over_depth++] = s;
    enter_top(app);
    return 0;
}

void tui_app_close(struct tui_app *app, struct tui_screen *s)
{
    /* Never the lock itself: only unlock takes it away. */
    if (app->over_depth > 1 && app->over[app->over_depth - 1] == s) {
        app->over_depth--;
        removed(app, s);
        enter_top(app);
    } else if (stack_top(app) == s) {
        tui_app_pop(app);
    }
}

void tui_app_lock(struct tui_app *app, struct tui_screen *lock)
{
    if (tui_app_locked(app))
        return;
    lock->app = app;
    app->over[0] = lock;
    app->over_depth = 1;
    enter_top(app);
}

void tui_app_unlock(struct tui_app *app)
{
    if (!tui_app_locked(app))
        return;
    while (app->over_depth > 0)
        removed(app, app->over[--app->over_depth]);
    enter_top(app);
}
