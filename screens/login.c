/* Sign-in: email and password, then a code when the account has
 * two-factor (or a one-time recovery code, C-r).  The password never
 * leaves the terminal: it is stretched here (signin.c) and only the key
 * is sent.  Every failure of the password reads the same. */
#include "screens/actions.h"
#include "screens/common.h"
#include "screens/screen.h"
#include "screens/signin.h"
#include "client/mem.h"
#include "tui/form.h"

#include <stdio.h>
#include <string.h>

enum step { STEP_PASSWORD, STEP_CODE };

struct login {
    struct lumen *L;
    enum step step;
    bool recovery;          /* a recovery code instead of the app's */
    bool busy;
    struct form creds;      /* email, password */
    struct form code;       /* code */
    struct form_cursor cur;
    char code_hint[96];     /* names the recovery key as [keys] binds it */
};

#define MSG_WRONG "Wrong email or password."
#define MSG_CODE_WRONG "That code is not right, or was used already. Try the next one."

static struct form *active(struct login *st)
{
    return st->step == STEP_PASSWORD ? &st->creds : &st->code;
}

static void setup_code_form(struct login *st)
{
    form_free(&st->code);
    form_init(&st->code, st->L->tf);
    if (st->recovery) {
        form_add(&st->code, "Recovery code", 0, 32, 64);
        form_set_hint(&st->code, 0, "one of the ten codes you saved when you turned two-factor on");
    } else {
        char key[KEYMAP_NAME_MAX];
        form_add(&st->code, "Code", FIELD_MASKED | FIELD_DIGITS, 6, 6);
        common_key_name(st->L, ACT_RECOVERY_CODE, true, key, sizeof key);
        snprintf(st->code_hint, sizeof st->code_hint, "6 digits from your authenticator app%s%s%s",
                 key[0] ? " (" : "", key, key[0] ? ": a recovery code)" : "");
        form_set_hint(&st->code, 0, st->code_hint);
    }
}

void login_reset(struct tui_screen *s, const char *message)
{
    struct login *st = s->state;
    st->step = STEP_PASSWORD;
    st->recovery = false;
    st->busy = false;
    field_clear(form_field(&st->creds, 1));
    form_set_focus(&st->creds, form_field(&st->creds, 0)->len ? 1 : 0);
    form_set_error(&st->creds, message);
    setup_code_form(st);
}

void login_forget_email(struct tui_screen *s)
{
    struct login *st = s->state;
    field_clear(form_field(&st->creds, 0));
    form_set_focus(&st->creds, 0);
}

static void fail(struct login *st, struct form *fm, const char *msg)
{
    st->busy = false;
    form_set_error(fm, msg);
    tui_app_dirty(st->L->app);
}

static void on_mfa(void *ud, enum api_err err, const struct api_mfa *r)
{
    struct login *st = ud;
    field_clear(form_field(&st->code, 0));
    if (err != API_OK) {
        if (err != API_ERR_CANCELLED)
            fail(st, &st->code, api_err_message(err));
        return;
    }
    if (r->status == API_MFA_OK) {
        st->busy = false;
        if (r->recovery_codes_left >= 0) {
            char msg[120];
            snprintf(msg, sizeof msg, "Recovery code used: %d left.", r->recovery_codes_left);
            tui_app_message(st->L->app, ROLE_OK, msg, 8000);
        }
        lumen_signed_in(st->L);
    } else if (r->status == API_MFA_LOCKED) {
        lumen_signed_out(st->L, "Too many wrong codes: two-factor is locked for a while.");
    } else {
        fail(st, &st->code, MSG_CODE_WRONG);
    }
}

static void on_login(void *ud, enum api_err err, const struct api_login *r)
{
    struct login *st = ud;
    field_clear(form_field(&st->creds, 1));
    tui_app_message(st->L->app, ROLE_NORMAL, "", 0);     /* "Signing in..." is over */
    if (err != API_OK) {
        if (err != API_ERR_CANCELLED)
            fail(st, &st->creds, api_err_message(err));
        return;
    }
    if (r->status == API_LOGIN_LOCKED) {
        char msg[160];
        int m = (r->retry_after_s + 59) / 60;
        snprintf(msg, sizeof msg, "Too many failed sign-ins. Try again in %d minute%s.",
                 m, m == 1 ? "" : "s");
        fail(st, &st->creds, msg);
    } else if (r->status == API_LOGIN_INVALID) {
        fail(st, &st->creds, MSG_WRONG);
        form_set_focus(&st->creds, 1);
    } else if (r->mfa_required) {
        st->busy = false;
        st->step = STEP_CODE;
        setup_code_form(st);
        tui_app_dirty(st->L->app);
    } else {
        st->busy = false;
        lumen_signed_in(st->L);
    }
}

static void on_key(void *ud, enum api_err err, const unsigned char *key)
{
    struct login *st = ud;
    if (!key) {
        field_clear(form_field(&st->creds, 1));
        if (err != API_ERR_CANCELLED)
            tui_app_message(st->L->app, ROLE_NORMAL, "", 0);
        if (err != API_ERR_CANCELLED)
            fail(st, &st->creds, err == API_OK || err == API_ERR_SERVER
                 ? "The server asked for sign-in settings this client refuses."
                 : api_err_message(err));
        return;
    }
    const struct field *email = form_field(&st->creds, 0);
    size_t n;
    const char *e = field_text(email, &n);
    api_login(st->L->db, &st->L->auth, e ? e : "", key, on_login, st, st);
}

static void submit(struct login *st)
{
    if (st->step == STEP_PASSWORD) {
        size_t elen = 0, plen = 0;
        const char *email = field_text(form_field(&st->creds, 0), &elen);
        field_text(form_field(&st->creds, 1), &plen);
        if (!elen || !plen) {
            form_set_error(&st->creds, elen ? "Enter your password." : "Enter your email address.");
            form_set_focus(&st->creds, elen ? 1 : 0);
            return;
        }
        st->busy = true;
        form_set_error(&st->creds, NULL);
        tui_app_message(st->L->app, ROLE_NORMAL, "Signing in...", 0);
        signin_derive(st->L, email, form_field(&st->creds, 1), on_key, st, st);
        return;
    }
    size_t clen = 0;
    const char *code = field_text(form_field(&st->code, 0), &clen);
    if (!st->recovery && clen != 6) {
        form_set_error(&st->code, "The code has 6 digits.");
        return;
    }
    if (!clen)
        return;
    st->busy = true;
    form_set_error(&st->code, NULL);
    api_mfa_verify(st->L->db, &st->L->auth, code, on_mfa, st, st);
}

static void back(struct login *st)
{
    if (st->busy) {
        api_cancel(st->L->db, st);
        st->busy = false;
        tui_app_message(st->L->app, ROLE_NORMAL, "Cancelled.", 3000);
        return;
    }
    if (st->step == STEP_CODE) {        /* give up the half-open session */
        lumen_sign_out_call(st->L);
        login_reset(st->L->screens[SCR_LOGIN], NULL);
        return;
    }
    /* From the password back to the email, leaving no password behind.
     * Quitting is C-c's (q is a letter here). */
    field_clear(form_field(&st->creds, 1));
    form_set_focus(&st->creds, 0);
}

/* Esc goes back while there is somewhere to go back to. */
static bool can_go_back(const struct login *st)
{
    return st->busy || st->step == STEP_CODE || st->creds.focus > 0;
}

static enum tui_result login_key(struct tui_screen *s, tui_key k)
{
    struct login *st = s->state;
    if (st->busy)                       /* only actions (Esc, C-c) while waiting */
        return tui_key_is_text(k) ? TUI_HANDLED : TUI_UNHANDLED;
    return form_screen_key(active(st), k);
}

static enum tui_result login_action(struct tui_screen *s, int action)
{
    struct login *st = s->state;
    struct form *fm = active(st);
    if (st->busy && action != ACT_CANCEL && action != ACT_QUIT)
        return TUI_HANDLED;
    bool go = false;
    enum tui_result r = form_screen_action(fm, action, &go);
    if (go)
        submit(st);
    if (r != TUI_UNHANDLED)
        return r;
    switch (action) {
    case ACT_CANCEL:
        back(st);
        return TUI_REDRAW;
    case ACT_RECOVERY_CODE:
        if (st->step == STEP_CODE) {
            st->recovery = !st->recovery;
            setup_code_form(st);
        }
        return TUI_REDRAW;
    }
    return TUI_UNHANDLED;      /* help, quit: the loop's global keys */
}

static void login_draw(struct tui_screen *s, WINDOW *w, int h, int cols)
{
    struct login *st = s->state;
    int x = cols > 64 ? (cols - 60) / 2 : 2;
    int width = cols - 2 * x;
    wattrset(w, theme_attr(ROLE_TITLE));
    mvwaddstr(w, 2, x, st->step == STEP_PASSWORD ? "Sign in to Lumen" : "Two-factor code");
    wattrset(w, theme_attr(ROLE_DIM));
    if (st->step == STEP_CODE)
        mvwaddstr(w, 3, x, st->recovery ? "Enter one of your recovery codes."
                                        : "Open your authenticator app and enter the code.");
    form_screen_draw(active(st), w, 5, x, width, h - 6, &st->cur);
}

static bool login_cursor(struct tui_screen *s, int *y, int *x)
{
    struct login *st = s->state;
    return form_screen_cursor(&st->cur, st->busy, y, x);
}

static bool login_allowed(struct tui_screen *s, int action)
{
    struct login *st = s->state;
    if (action == ACT_RECOVERY_CODE)
        return st->step == STEP_CODE;
    if (action == ACT_CANCEL)
        return can_go_back(st);
    /* Nothing to lock or go to before signing in; help is F1 here. */
    return action != ACT_LOCK && action != ACT_TAB_HOME && action != ACT_HELP;
}

static void login_destroy(struct tui_screen *s)
{
    struct login *st = s->state;
    form_free(&st->creds);
    form_free(&st->code);
}

static void login_init(struct tui_screen *s)
{
    struct login *st = s->state;
    st->L = s->ud;
    form_init(&st->creds, st->L->tf);
    form_add(&st->creds, "Email", 0, 254, 254 * 4);
    form_add(&st->creds, "Password", FIELD_MASKED, 256, 1024);
    form_init(&st->code, st->L->tf);
    setup_code_form(st);
}

const struct screen_ops login_ops = {
    .name = "login",
    .state_size = sizeof(struct login),
    .init = login_init,
    .ctx = SCOPE_SIGN_IN,
    .draw = login_draw,
    .key = login_key,
    .action = login_action,
    .allowed = login_allowed,
    .typing = form_screen_typing,
    .cursor = login_cursor,
    .destroy = login_destroy,
};
