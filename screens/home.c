/* Home: who is signed in, where, as what; sign out; switch practice. */
#include "screens/actions.h"
#include "screens/common.h"
#include "screens/confirm.h"
#include "screens/screen.h"

#include <stdio.h>
#include <string.h>

struct home {
    struct lumen *L;
};

/* What each permission lets the user do, in the words of the screens. */
static const struct { const char *perm, *words; } can_words[] = {
    { "lead.read", "read leads and transcripts" },
    { "lead.update", "change a lead" },
    { "lead.export", "export leads" },
    { "audit.read", "read the audit log" },
    { "audit.export", "export the audit log" },
    { "member.invite", "invite members" },
    { "member.role_change", "change roles" },
    { "practice.settings", "change practice settings" },
};

static void row(WINDOW *w, int y, const char *label, const char *value, unsigned tf, int cols)
{
    wattrset(w, theme_attr(ROLE_DIM));
    mvwaddstr(w, y, 2, label);
    wattrset(w, theme_attr(ROLE_NORMAL));
    tui_put(w, y, 16, cols - 18, value, tf);
}

static void home_draw(struct tui_screen *s, WINDOW *w, int h, int cols)
{
    struct home *st = s->state;
    const struct lumen_me *me = &st->L->me;
    unsigned tf = st->L->tf;
    char buf[600];
    wattrset(w, theme_attr(ROLE_TITLE));
    snprintf(buf, sizeof buf, "Welcome, %s", me->display_name[0] ? me->display_name : me->email);
    tui_put(w, 1, 2, cols - 4, buf, tf);
    snprintf(buf, sizeof buf, "%s (%s)", me->practice_name, me->timezone);
    row(w, 3, "Practice", buf, tf, cols);
    snprintf(buf, sizeof buf, "%s, %s", me->email, lumen_role_title(me->role));
    row(w, 4, "Signed in", buf, tf, cols);
    row(w, 5, "Two-factor", me->mfa_enabled ? "on" : "off", tf, cols);
    int idle = me->idle_timeout_s;
    long lock_s = st->L->cfg->ui.idle_lock_seconds > 0 && st->L->cfg->ui.idle_lock_seconds < idle
                ? st->L->cfg->ui.idle_lock_seconds : idle;
    if (lock_s >= 60)
        snprintf(buf, sizeof buf, "the screen locks after %ld min without a key", lock_s / 60);
    else
        snprintf(buf, sizeof buf, "the screen locks after %ld s without a key", lock_s);
    row(w, 6, "Idle lock", buf, tf, cols);
    int y = 8;
    row(w, y, "Your role may", "", tf, cols);
    for (size_t i = 0; i < sizeof can_words / sizeof can_words[0] && y < h; i++)
        if (lumen_can(st->L, can_words[i].perm))
            row(w, y++, "", can_words[i].words, tf, cols);
}

static void on_me(void *ud, enum api_err err, const struct api_me *me)
{
    struct home *st = ud;
    if (err != API_OK) {
        lumen_call_failed(st->L, err);
        return;
    }
    lumen_store_me(st->L, me);
    tui_app_message(st->L->app, ROLE_OK, "Up to date.", 3000);
}

static void sign_out(void *ud)
{
    struct home *st = ud;
    /* The token is wiped as the call is queued; the answer changes nothing. */
    lumen_sign_out_call(st->L);
    lumen_signed_out(st->L, "You are signed out.");
}

static enum tui_result home_action(struct tui_screen *s, int action)
{
    struct home *st = s->state;
    switch (action) {
    case ACT_REFRESH:
        api_me(st->L->db, &st->L->auth, on_me, st, st);
        return TUI_REDRAW;
    case ACT_SIGN_OUT:
        confirm_ask(st->L, "Sign out", "Sign out of this session? Lumen returns to the "
                    "sign-in screen.", "Sign out", false, sign_out, st);
        return TUI_REDRAW;
    case ACT_SWITCH_PRACTICE:
        lumen_go(st->L, SCR_PICKER, NULL);
        return TUI_REDRAW;
    }
    return TUI_UNHANDLED;      /* tabs, help, lock, quit: the loop's global keys */
}

static bool home_allowed(struct tui_screen *s, int action)
{
    struct home *st = s->state;
    return action != ACT_SWITCH_PRACTICE || st->L->npractices > 1;
}

static void home_init(struct tui_screen *s)
{
    struct home *st = s->state;
    st->L = s->ud;
}

const struct screen_ops home_ops = {
    .name = "home",
    .state_size = sizeof(struct home),
    .init = home_init,
    .ctx = SCOPE_HOME,
    .draw = home_draw,
    .action = home_action,
    .allowed = home_allowed,
};
