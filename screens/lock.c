/* The idle lock (automatic logoff): nothing of the practice shows, the
 * password (and a code, where the account has two-factor) unlocks, and the
 * same session continues.  Too many failures end the session. */
#include "screens/actions.h"
#include "screens/common.h"
#include "screens/screen.h"
#include "screens/signin.h"
#include "client/mem.h"
#include "tui/form.h"

#include <stdio.h>
#include <string.h>

struct lock {
    struct lumen *L;
    struct form form;       /* password [, code] */
    bool busy;
    struct form_cursor cur;
};

static void lock_setup(struct lock *st)
{
    form_free(&st->form);
    form_init(&st->form, st->L->tf);
    form_add(&st->form, "Password", FIELD_MASKED, 256, 1024);
    if (st->L->me.mfa_enabled) {
        form_add(&st->form, "Code", FIELD_MASKED | FIELD_DIGITS, 6, 6);
        form_set_hint(&st->form, 1, "6 digits from your authenticator app");
    }
}

static void lock_enter(struct tui_screen *s)
{
    struct lock *st = s->state;
    if (!st->busy && st->form.count == 0)
        lock_setup(st);
}

static void unlocked(struct lock *st)
{
    struct lumen *L = st->L;
    st->busy = false;
    form_free(&st->form);           /* wipes what was typed */
    L->locked = false;
    tui_app_pop(L->app);
    lumen_arm_idle(L);
    tui_app_message(L->app, ROLE_OK, "Unlocked.", 3000);
}

static void on_unlock(void *ud, enum api_err err, const struct api_unlock *r)
{
    struct lock *st = ud;
    struct lumen *L = st->L;
    for (size_t i = 0; i < st->form.count; i++)
        field_clear(form_field(&st->form, i));
    st->busy = false;
    if (err != API_OK) {
        if (api_err_ends_session(err)) {
            form_free(&st->form);
            lumen_signed_out(L, api_err_message(err));
        } else if (err != API_ERR_CANCELLED) {
            form_set_error(&st->form, api_err_message(err));
        }
        tui_app_dirty(L->app);
        return;
    }
    switch (r->status) {
    case API_UNLOCK_OK:
        unlocked(st);
        break;
    case API_UNLOCK_CODE_REQUIRED:
        form_set_error(&st->form, "Enter the code from your authenticator app too.");
        form_set_focus(&st->form, 1);
        break;
    case API_UNLOCK_LOCKED:
        form_free(&st->form);
        lumen_signed_out(L, "Too many failed attempts to unlock: you were signed out.");
        break;
    case API_UNLOCK_INVALID:
        form_set_error(&st->form, st->form.count > 1 ? "Wrong password or code."
                                                     : "Wrong password.");
        form_set_focus(&st->form, 0);
        break;
    }
    tui_app_dirty(L->app);
}

static void on_key(void *ud, enum api_err err, const unsigned char *key)
{
    struct lock *st = ud;
    if (!key) {
        st->busy = false;
        if (err != API_ERR_CANCELLED)
            form_set_error(&st->form, api_err_message(err == API_OK ? API_ERR_SERVER : err));
        tui_app_dirty(st->L->app);
        return;
    }
    const char *code = NULL;
    size_t n = 0;
    if (st->form.count > 1) {
        code = field_text(form_field(&st->form, 1), &n);
        if (!n)
            code = NULL;
    }
    api_unlock(st->L->db, &st->L->auth, key, code, on_unlock, st, st->L);
}

static void submit(struct lock *st)
{
    size_t n = 0;
    field_text(form_field(&st->form, 0), &n);
    if (!n) {
        form_set_error(&st->form, "Enter your password.");
        return;
    }
    st->busy = true;
    form_set_error(&st->form, NULL);
    signin_derive(st->L, st->L->auth.email, form_field(&st->form, 0), on_key, st, st->L);
}

static enum tui_result lock_key(struct tui_screen *s, tui_key k)
{
    struct lock *st = s->state;
    if (st->busy)
        return TUI_UNHANDLED;
    return form_screen_key(&st->form, k);
}

static enum tui_result lock_action(struct tui_screen *s, int action)
{
    struct lock *st = s->state;
    if (st->busy && action != ACT_CANCEL)
        return TUI_HANDLED;
    bool go = false;
    enum tui_result r = form_screen_action(&st->form, action, &go);
    if (go)
        submit(st);
    if (r != TUI_UNHANDLED)
        return r;
    if (action == ACT_CANCEL) {
        if (st->busy) {
            api_cancel(st->L->db, st->L);
            st->busy = false;
        }
        return TUI_REDRAW;
    }
    return common_action(st->L, action);
}

static void lock_draw(struct tui_screen *s, WINDOW *w, int h, int cols)
{
    struct lock *st = s->state;
    int x = cols > 64 ? (cols - 60) / 2 : 2;
    wattrset(w, theme_attr(ROLE_TITLE));
    mvwaddstr(w, 2, x, "Lumen is locked");
    wattrset(w, theme_attr(ROLE_DIM));
    mvwaddstr(w, 3, x, "It locked itself after a while without a key.");
    char who[320];
    snprintf(who, sizeof who, "Signed in as %s.", st->L->auth.email);
    tui_put(w, 4, x, cols - 2 * x, who, st->L->tf);
    mvwaddstr(w, 5, x, "Enter your password to go on.");
    form_screen_draw(&st->form, w, 7, x, cols - 2 * x, h - 8, &st->cur);
}

static bool lock_cursor(struct tui_screen *s, int *y, int *x)
{
    struct lock *st = s->state;
    return form_screen_cursor(&st->cur, st->busy, y, x);
}

static void lock_destroy(struct tui_screen *s)
{
    struct lock *st = s->state;
    form_free(&st->form);
}

/* q would be a letter of the password; leaving takes closing the terminal. */
static bool lock_allowed(struct tui_screen *s, int action)
{
    (void)s;
    return action != ACT_QUIT;
}

static const struct screen_ops lock_ops = {
    .name = "lock",
    .ctx = CTX_FORM | CTX_LOCK,
    .enter = lock_enter,
    .draw = lock_draw,
    .key = lock_key,
    .action = lock_action,
    .cursor = lock_cursor,
    .allowed = lock_allowed,
    .destroy = lock_destroy,
    .shows_private_data = false,
};

struct tui_screen *lock_screen_new(struct lumen *L)
{
    struct lock *st = mem_alloc(sizeof *st);
    st->L = L;
    form_init(&st->form, L->tf);
    return screen_new(&lock_ops, st);
}
