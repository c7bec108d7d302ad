/* Changing the password, from the Security tab: the current one, the new
 * one twice, with a hint on its strength as it is typed.  Neither leaves
 * the terminal: the current one is stretched with the account's salt
 * (api.login_begin, as at sign-in), the new one with a fresh salt
 * (api_password_set_key), and only the two keys are sent.  The server
 * counts a wrong current password as a failed sign-in, and ends every
 * other session of the account when the change is made. */
#include "screens/actions.h"
#include "screens/common.h"
#include "screens/screen.h"
#include "screens/security.h"
#include "screens/signin.h"
#include "client/mem.h"
#include "client/password.h"
#include "tui/form.h"
#include "tui/text.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

struct password {
    struct lumen *L;
    struct form form;           /* current, new, new again: all masked */
    struct form_cursor cur;
    char strength[160];         /* the new field's hint (the form borrows it) */
    bool busy;
};

/* --- strength ------------------------------------------------------------------- */

static void update_strength(struct password *st)
{
    size_t len;
    const char *pw = field_text(form_field(&st->form, 1), &len);
    if (!len)
        snprintf(st->strength, sizeof st->strength, "at least %d characters; a few unrelated "
                 "words make a strong one", PASSWORD_MIN_CHARS);
    else
        password_hint(password_grade(pw, len, st->L->auth.email), password_chars(pw, len),
                      st->strength, sizeof st->strength);
    form_set_hint(&st->form, 1, st->strength);
}

/* --- the change ------------------------------------------------------------------ */

static void setup(struct password *st)
{
    form_free(&st->form);
    form_init(&st->form, st->L->tf);
    form_add(&st->form, "Current password", FIELD_MASKED, 256, 1024);
    form_add(&st->form, "New password", FIELD_MASKED, 256, 1024);
    form_add(&st->form, "New again", FIELD_MASKED, 256, 1024);
    update_strength(st);
    st->busy = false;
}

static void on_changed(void *ud, enum api_err err, const struct api_outcome *r)
{
    struct password *st = ud;
    struct lumen *L = st->L;
    char msg[200];
    st->busy = false;
    field_clear(form_field(&st->form, 0));
    if (err != API_OK) {
        if (err != API_ERR_CANCELLED)
            form_set_error(&st->form, api_err_message(err));
        tui_app_dirty(L->app);
        return;
    }
    switch (r->status) {
    case API_OUTCOME_OK:
        snprintf(msg, sizeof msg, "Password changed. %lld other session%s signed out.",
                 r->affected, r->affected == 1 ? " was" : "s were");
        setup(st);                  /* wipes what was typed */
        tui_app_close(L->app, L->screens[SCR_PASSWORD]);
        security_changed(L);
        security_note(L, ROLE_OK, msg);
        return;
    case API_OUTCOME_LOCKED: {
        int m = (r->retry_after_s + 59) / 60;
        snprintf(msg, sizeof msg, "Too many wrong passwords: try again in %d minute%s.",
                 m > 0 ? m : 1, m == 1 ? "" : "s");
        form_set_error(&st->form, msg);
        break;
    }
    default:
        form_set_field_error(&st->form, 0, "That is not your current password.");
        form_set_focus(&st->form, 0);
        break;
    }
    tui_app_dirty(L->app);
}

/* The current password's key is in hand (valid during this call only):
 * the new one's, with a fresh salt, and both go. */
static void on_current_key(void *ud, enum api_err err, const unsigned char *key)
{
    struct password *st = ud;
    struct lumen *L = st->L;
    if (!key) {
        st->busy = false;
        if (err != API_ERR_CANCELLED)
            form_set_error(&st->form, api_err_message(err == API_OK ? API_ERR_SERVER : err));
        tui_app_dirty(L->app);
        return;
    }
    unsigned char *nkey = sodium_malloc(API_KEY_BYTES);
    if (!nkey)
        mem_fatal("out of secure memory");
    struct api_kdf kdf;
    size_t len;
    const char *pw = field_text(form_field(&st->form, 1), &len);
    if (api_password_set_key(pw, len, &kdf, nkey) != 0) {
        sodium_free(nkey);
        st->busy = false;
        form_set_error(&st->form, "The new password could not be prepared (out of memory?).");
        tui_app_dirty(L->app);
        return;
    }
    api_password_change(L->db, &L->auth, key, &kdf, nkey, on_changed, st, st);
    sodium_free(nkey);              /* wipes; the call holds its own copy */
    sodium_memzero(&kdf, sizeof kdf);
}

static void submit(struct password *st)
{
    size_t cl, nl, al;
    const char *cur = field_text(form_field(&st->form, 0), &cl);
    const char *pw = field_text(form_field(&st->form, 1), &nl);
    const char *again = field_text(form_field(&st->form, 2), &al);
    form_clear_errors(&st->form);
    if (!cl) {
        form_set_field_error(&st->form, 0, "Enter your current password.");
        form_set_focus(&st->form, 0);
        return;
    }
    if (password_chars(pw, nl) < PASSWORD_MIN_CHARS) {
        form_set_field_error(&st->form, 1, "At least 10 characters: a few unrelated words "
                             "make a strong one.");
        form_set_focus(&st->form, 1);
        return;
    }
    if (nl != al || sodium_memcmp(pw, again, nl) != 0) {
        field_clear(form_field(&st->form, 2));
        form_set_field_error(&st->form, 2, "The two new passwords differ: type it again.");
        form_set_focus(&st->form, 2);
        return;
    }
    if (nl == cl && sodium_memcmp(pw, cur, nl) == 0) {
        form_set_field_error(&st->form, 1, "That is the password you have now.");
        form_set_focus(&st->form, 1);
        return;
    }
    st->busy = true;
    signin_derive(st->L, st->L->auth.email, form_field(&st->form, 0), on_current_key, st, st);
}

/* --- screen ----------------------------------------------------------------------- */

static void password_open(struct tui_screen *s, void *arg)
{
    (void)arg;
    setup(s->state);
}

static void password_draw(struct tui_screen *s, WINDOW *w, int h, int cols)
{
    struct password *st = s->state;
    struct lumen *L = st->L;
    wattrset(w, theme_attr(ROLE_TITLE));
    tui_put(w, 0, 0, cols, " Change your password", L->tf);
    wattrset(w, theme_attr(ROLE_BORDER));
    mvwhline(w, 1, 0, ACS_HLINE, cols);
    wattrset(w, theme_attr(ROLE_NORMAL));
    int x = cols > 84 ? (cols - 80) / 2 : 2;
    tui_put(w, 3, x, cols - 2 * x, "The password never leaves this terminal: only a key made "
            "from it is sent.", L->tf);
    tui_put(w, 4, x, cols - 2 * x, "Every other session of your account ends when it changes.",
            L->tf);
    if (st->busy) {
        wattrset(w, theme_attr(ROLE_DIM));
        tui_put(w, 5, x, cols - 2 * x, "Changing...", L->tf);
    }
    form_screen_draw(&st->form, w, 7, x, cols - 2 * x, h - 8, &st->cur);
}

static enum tui_result password_key(struct tui_screen *s, tui_key k)
{
    struct password *st = s->state;
    if (st->busy)
        return tui_key_is_text(k) ? TUI_HANDLED : TUI_UNHANDLED;
    enum tui_result r = form_screen_key(&st->form, k);
    if (st->form.focus == 1 && r == TUI_REDRAW)
        update_strength(st);
    return r;
}

static enum tui_result password_action(struct tui_screen *s, int action)
{
    struct password *st = s->state;
    if (st->busy && action != ACT_CANCEL)
        return action == ACT_QUIT || action == ACT_REDRAW || action == ACT_LOCK
               ? TUI_UNHANDLED : TUI_HANDLED;
    bool go = false;
    enum tui_result r = form_screen_action(&st->form, action, &go);
    if (go)
        submit(st);
    if (r != TUI_UNHANDLED)
        return r;
    if (action == ACT_CANCEL) {
        if (st->busy) {
            api_cancel(st->L->db, st);
            st->busy = false;
            return TUI_REDRAW;
        }
        setup(st);
        tui_app_pop(s->app);
        return TUI_REDRAW;
    }
    return TUI_UNHANDLED;
}

static bool password_cursor(struct tui_screen *s, int *y, int *x)
{
    struct password *st = s->state;
    return form_screen_cursor(&st->cur, st->busy, y, x);
}

static void password_removed(struct tui_screen *s)
{
    struct password *st = s->state;
    form_free(&st->form);           /* wipes */
    st->busy = false;
}

static void password_destroy(struct tui_screen *s)
{
    struct password *st = s->state;
    form_free(&st->form);
}

static void password_init(struct tui_screen *s)
{
    struct password *st = s->state;
    st->L = s->ud;
    form_init(&st->form, st->L->tf);
}

const struct screen_ops password_ops = {
    .name = "password",
    .state_size = sizeof(struct password),
    .init = password_init,
    .open = password_open,
    .removed = password_removed,
    .ctx = SCOPE_PASSWORD,
    .draw = password_draw,
    .key = password_key,
    .action = password_action,
    .cursor = password_cursor,
    .typing = form_screen_typing,
    .destroy = password_destroy,
};
