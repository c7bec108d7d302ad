/* The lock (idle logoff, or C-x): nothing of the practice shows, the
 * password (and a code, where the account has two-factor) unlocks, and the
 * same session continues.  At a shared front desk the next person signs the
 * session out instead (not-you), or quits, which signs it out too.  Too
 * many failures end the session.  The app keeps it over everything
 * (tui_app_lock) until unlocked() or a sign-out.
 *
 * Step-up (DESIGN.md: exports, deletions and the like want a proof of the
 * password newer than 10 minutes) is the same proof, api.unlock, which
 * renews the session's step_up_at: the same screen in a second instance,
 * an overlay over the screen that asked (lumen_step_up), which replays the
 * refused call once the proof is in, or goes back with Esc. */
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
    /* Step-up only: */
    bool stepup;
    struct tui_screen *below;
    char why[200];
    void (*replay)(void *ud);
    void *ud;
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

void lock_reset(struct tui_screen *s)
{
    struct lock *st = s->state;
    st->busy = false;
    api_cancel(st->L->db, st);      /* an unlock under way is moot */
    form_free(&st->form);           /* wipes what was typed */
}

static void unlocked(struct lock *st)
{
    struct lumen *L = st->L;
    lock_reset(L->screens[SCR_LOCK]);
    tui_app_unlock(L->app);
    lumen_arm_idle(L);
    tui_app_message(L->app, ROLE_OK, "Unlocked.", 3000);
}

/* The proof is in: the overlay goes, and the refused call is made again. */
static void stepped_up(struct lock *st)
{
    struct lumen *L = st->L;
    struct tui_screen *s = L->screens[SCR_STEPUP];
    void (*replay)(void *) = st->replay;
    void *ud = st->ud;
    lock_reset(s);
    tui_app_close(L->app, s);
    if (replay)
        replay(ud);
}

static void on_unlock(void *ud, enum api_err err, const struct api_unlock *r)
{
    struct lock *st = ud;
    struct lumen *L = st->L;
    for (size_t i = 0; i < st->form.count; i++)
        field_clear(form_field(&st->form, i));
    st->busy = false;
    if (err != API_OK) {
        if (err != API_ERR_CANCELLED)
            form_set_error(&st->form, api_err_message(err));
        tui_app_dirty(L->app);
        return;
    }
    switch (r->status) {
    case API_UNLOCK_OK:
        if (st->stepup)
            stepped_up(st);
        else
            unlocked(st);
        break;
    case API_UNLOCK_CODE_REQUIRED:
        /* Two-factor was turned on since sign-in: ask for both now. */
        L->me.mfa_enabled = true;
        lock_setup(st);
        form_set_field_error(&st->form, 1, "Enter the code from your authenticator app too.");
        break;
    case API_UNLOCK_LOCKED:
        lumen_signed_out(L, "Too many failed attempts to unlock: you were signed out.");
        break;
    case API_UNLOCK_INVALID:
        form_set_field_error(&st->form, 0, st->form.count > 1 ? "Wrong password or code."
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
    if (st->form.count > 1)
        code = field_text(form_field(&st->form, 1), &n);
    api_unlock(st->L->db, &st->L->auth, key, n ? code : NULL, on_unlock, st, st);
}

static void submit(struct lock *st)
{
    size_t n = 0, clen = 0;
    field_text(form_field(&st->form, 0), &n);
    if (st->form.count > 1)
        field_text(form_field(&st->form, 1), &clen);
    form_clear_errors(&st->form);
    if (!n) {
        form_set_field_error(&st->form, 0, "Enter your password.");
        form_set_focus(&st->form, 0);
        return;
    }
    /* The server checks both at once and both are wiped after: asking
     * without the code would cost the password just typed. */
    if (st->form.count > 1 && clen != 6) {
        form_set_field_error(&st->form, 1, "Enter the 6 digits from your authenticator app.");
        form_set_focus(&st->form, 1);
        return;
    }
    st->busy = true;
    signin_derive(st->L, st->L->auth.email, form_field(&st->form, 0), on_key, st, st);
}

/* The next person at the terminal: the session ends, sign-in comes back. */
static void not_you(struct lock *st)
{
    struct lumen *L = st->L;
    lumen_sign_out_call(L);
    lumen_signed_out(L, "The locked session was signed out.");
    login_forget_email(L->screens[SCR_LOGIN]);
}

static enum tui_result lock_key(struct tui_screen *s, tui_key k)
{
    struct lock *st = s->state;
    if (st->busy)
        return tui_key_is_text(k) ? TUI_HANDLED : TUI_UNHANDLED;
    return form_screen_key(&st->form, k);
}

static enum tui_result lock_action(struct tui_screen *s, int action)
{
    struct lock *st = s->state;
    if (st->busy && action != ACT_CANCEL && action != ACT_QUIT && action != ACT_NOT_YOU)
        return TUI_HANDLED;
    bool go = false;
    enum tui_result r = form_screen_action(&st->form, action, &go);
    if (go)
        submit(st);
    if (r != TUI_UNHANDLED)
        return r;
    switch (action) {
    case ACT_CANCEL:
        if (st->stepup && !st->busy) {
            lock_reset(s);
            tui_app_close(s->app, s);
            tui_app_message(st->L->app, ROLE_STATUS, "Not done: your password was not confirmed.",
                            4000);
            return TUI_REDRAW;
        }
        api_cancel(st->L->db, st);
        st->busy = false;
        return TUI_REDRAW;
    case ACT_NOT_YOU:
        not_you(st);
        return TUI_REDRAW;
    }
    return TUI_UNHANDLED;      /* quit, redraw: the loop's global keys */
}

/* Step-up: a box over the screen that asked. */
static void stepup_draw(struct lock *st, WINDOW *w, int h, int cols)
{
    struct lumen *L = st->L;
    if (st->below && st->below->ops->draw)
        st->below->ops->draw(st->below, w, h, cols);
    int bw = cols - 4 < 70 ? cols - 4 : 70, bh = st->form.count > 1 ? 13 : 11;
    if (bh > h)
        bh = h;
    int y = (h - bh) / 2, x = (cols - bw) / 2;
    common_box(w, y, x, bh, bw, "Confirm it is you", L->tf);
    char line[400];
    snprintf(line, sizeof line, "%s needs your password again (it was last given over "
             "10 minutes ago).", st->why);
    size_t len, width, adv;
    const char *p = line;
    int ty = y + 2;
    wattrset(w, theme_attr(ROLE_NORMAL));
    while (*p && ty < y + 4 && (adv = text_wrap_next(p, (size_t)bw - 4, &len, &width))) {
        char part[400];
        snprintf(part, sizeof part, "%.*s", (int)len, p);
        tui_put(w, ty++, x + 2, bw - 4, part, L->tf);
        p += adv;
    }
    form_screen_draw(&st->form, w, y + 5, x + 2, bw - 4, bh - 6, &st->cur);
}

static void lock_draw(struct tui_screen *s, WINDOW *w, int h, int cols)
{
    struct lock *st = s->state;
    struct lumen *L = st->L;
    if (st->stepup) {
        stepup_draw(st, w, h, cols);
        return;
    }
    int x = cols > 64 ? (cols - 60) / 2 : 2, y = 2;
    char line[320], key[KEYMAP_NAME_MAX];
    wattrset(w, theme_attr(ROLE_TITLE));
    mvwaddstr(w, y++, x, "Lumen is locked");
    wattrset(w, theme_attr(ROLE_DIM));
    mvwaddstr(w, y++, x, L->locked_by_user ? "You locked it."
                                            : "It locked itself after a while without a key.");
    snprintf(line, sizeof line, "Signed in as %s.", L->auth.email);
    tui_put(w, y++, x, cols - 2 * x, line, L->tf);
    mvwaddstr(w, y++, x, "Enter your password to go on.");
    common_key_name(L, ACT_NOT_YOU, true, key, sizeof key);
    if (key[0]) {
        snprintf(line, sizeof line, "Not you? %s signs this session out.", key);
        tui_put(w, y++, x, cols - 2 * x, line, L->tf);
    }
    common_key_name(L, ACT_QUIT, true, key, sizeof key);
    if (key[0]) {
        snprintf(line, sizeof line, "%s quits Lumen, signing it out too.", key);
        tui_put(w, y++, x, cols - 2 * x, line, L->tf);
    }
    form_screen_draw(&st->form, w, y + 1, x, cols - 2 * x, h - y - 2, &st->cur);
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

/* There is no "back" from the lock: Esc only cancels a call under way.
 * Step-up is a question: Esc goes back, and nobody else's session is in
 * question there. */
static bool lock_allowed(struct tui_screen *s, int action)
{
    struct lock *st = s->state;
    if (st->stepup)
        return action != ACT_NOT_YOU;
    return action != ACT_CANCEL || st->busy;
}

static void lock_init(struct tui_screen *s)
{
    struct lock *st = s->state;
    st->L = s->ud;
    form_init(&st->form, st->L->tf);
}

const struct screen_ops lock_ops = {
    .name = "lock",
    .state_size = sizeof(struct lock),
    .init = lock_init,
    .ctx = SCOPE_LOCK,
    .enter = lock_enter,
    .draw = lock_draw,
    .key = lock_key,
    .action = lock_action,
    .cursor = lock_cursor,
    .allowed = lock_allowed,
    .typing = form_screen_typing,
    .destroy = lock_destroy,
};

/* lumen_go(SCR_STEPUP, req) */
struct stepup_req {
    const char *why;
    void (*replay)(void *ud);
    void *ud;
};

static void stepup_open(struct tui_screen *s, void *arg)
{
    struct lock *st = s->state;
    const struct stepup_req *q = arg;
    st->stepup = true;
    st->below = tui_app_top(st->L->app);
    snprintf(st->why, sizeof st->why, "%s", q->why);
    st->replay = q->replay;
    st->ud = q->ud;
    lock_reset(s);
    lock_setup(st);
}

const struct screen_ops stepup_ops = {
    .name = "stepup",
    .state_size = sizeof(struct lock),
    .init = lock_init,
    .open = stepup_open,
    .ctx = SCOPE_LOCK,
    .draw = lock_draw,
    .key = lock_key,
    .action = lock_action,
    .cursor = lock_cursor,
    .allowed = lock_allowed,
    .typing = form_screen_typing,
    .destroy = lock_destroy,
};

void lumen_step_up(struct lumen *L, const char *why, void (*replay)(void *ud), void *ud)
{
    struct stepup_req q = { why, replay, ud };
    lumen_go(L, SCR_STEPUP, &q);
}
