/* A yes/no question over the screen below it.  y and n (Esc) are actions,
 * so [keys] can rebind them, and the buttons name the keys bound now; the
 * dialog widget moves its highlight and answers Enter on it. */
#include "screens/actions.h"
#include "screens/common.h"
#include "screens/confirm.h"
#include "screens/screen.h"
#include "tui/dialog.h"

#include <string.h>

struct confirm {
    struct lumen *L;
    struct tui_screen *below;
    struct dialog dialog;
    bool tell;                  /* a message box (confirm_tell), not a question */
    void (*yes)(void *ud);
    void *ud;
};

static void confirm_draw(struct tui_screen *s, WINDOW *w, int h, int cols)
{
    struct confirm *st = s->state;
    if (st->below && st->below->ops->draw)
        st->below->ops->draw(st->below, w, h, cols);
    dialog_draw(&st->dialog, w);
}

static enum tui_result answer(struct tui_screen *s, bool yes)
{
    struct confirm *st = s->state;
    /* A message may have shown a secret once (an invite code, a key):
     * nothing of it stays in memory after the box closes. */
    explicit_bzero(&st->dialog, sizeof st->dialog);
    tui_app_close(s->app, s);
    if (yes && st->yes)
        st->yes(st->ud);
    return TUI_REDRAW;
}

static enum tui_result confirm_key(struct tui_screen *s, tui_key k)
{
    struct confirm *st = s->state;
    /* The answers are actions; the rest belongs to the widget. */
    if (!st->tell && keymap_action(tui_app_keymap(s->app), SCOPE_DIALOG, k) >= 0)
        return TUI_UNHANDLED;
    switch (dialog_key(&st->dialog, k)) {
    case DIALOG_YES: return answer(s, true);
    case DIALOG_NO: return answer(s, false);
    case DIALOG_NONE: break;
    }
    return TUI_REDRAW;
}

static enum tui_result confirm_action(struct tui_screen *s, int action)
{
    struct confirm *st = s->state;
    if (st->tell)
        return TUI_UNHANDLED;   /* a message box: its own keys close it */
    if (action == ACT_YES)
        return answer(s, true);
    if (action == ACT_NO)
        return answer(s, false);
    return TUI_UNHANDLED;
}

/* ARG is the question, a struct confirm_req. */
struct confirm_req {
    const char *title, *text, *yes_label;
    bool danger, tell;
    void (*yes)(void *ud);
    void *ud;
};

static void confirm_open(struct tui_screen *s, void *arg)
{
    struct confirm *st = s->state;
    const struct confirm_req *q = arg;
    char ykey[KEYMAP_NAME_MAX], nkey[KEYMAP_NAME_MAX];
    st->below = tui_app_top(st->L->app);
    st->yes = q->yes;
    st->ud = q->ud;
    st->tell = q->tell;
    if (q->tell) {
        dialog_message(&st->dialog, q->title, q->text, st->L->tf);
        return;
    }
    common_key_name(st->L, ACT_YES, false, ykey, sizeof ykey);
    common_key_name(st->L, ACT_NO, false, nkey, sizeof nkey);
    dialog_confirm(&st->dialog, q->title, q->text, ykey, q->yes_label, nkey, "Cancel",
                   st->L->tf | (q->danger ? DIALOG_DANGER : 0));
}

static void confirm_init(struct tui_screen *s)
{
    struct confirm *st = s->state;
    st->L = s->ud;
}

const struct screen_ops confirm_ops = {
    .name = "confirm",
    .state_size = sizeof(struct confirm),
    .init = confirm_init,
    .open = confirm_open,
    .ctx = SCOPE_DIALOG,
    .draw = confirm_draw,
    .key = confirm_key,
    .action = confirm_action,
};

void confirm_ask(struct lumen *L, const char *title, const char *text,
                 const char *yes_label, bool danger, void (*yes)(void *ud), void *ud)
{
    struct confirm_req q = { title, text, yes_label, danger, false, yes, ud };
    lumen_go(L, SCR_CONFIRM, &q);
}

void confirm_tell(struct lumen *L, const char *title, const char *text, void (*done)(void *ud),
                  void *ud)
{
    struct confirm_req q = { title, text, NULL, false, true, done, ud };
    lumen_go(L, SCR_CONFIRM, &q);
}
