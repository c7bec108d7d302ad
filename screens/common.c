#include "screens/common.h"
#include "screens/actions.h"

enum tui_result common_action(struct lumen *L, int action)
{
    switch (action) {
    case ACT_HELP:
    case ACT_FORM_HELP:
        help_show(L);
        return TUI_REDRAW;
    case ACT_REDRAW:
        clearok(curscr, TRUE);      /* the next doupdate repaints everything */
        return TUI_REDRAW;
    case ACT_LOCK:
        lumen_lock_now(L);
        return TUI_REDRAW;
    case ACT_QUIT:
        return TUI_QUIT;
    }
    return TUI_UNHANDLED;
}

enum tui_result form_screen_key(struct form *fm, tui_key k)
{
    if (field_key(form_field(fm, fm->focus), k))
        return TUI_REDRAW;
    return tui_key_is_text(k) ? TUI_HANDLED : TUI_UNHANDLED;
}

enum tui_result form_screen_action(struct form *fm, int action, bool *submit)
{
    *submit = false;
    switch (action) {
    case ACT_NEXT_FIELD:
        form_set_focus(fm, (fm->focus + 1) % fm->count);
        return TUI_REDRAW;
    case ACT_PREV_FIELD:
        form_set_focus(fm, (fm->focus + fm->count - 1) % fm->count);
        return TUI_REDRAW;
    case ACT_SUBMIT:
        if (fm->focus + 1 < fm->count)
            form_set_focus(fm, fm->focus + 1);
        else
            *submit = true;
        return TUI_REDRAW;
    }
    return TUI_UNHANDLED;
}

void form_screen_draw(struct form *fm, WINDOW *w, int y, int x, int width, int height,
                      struct form_cursor *cur)
{
    wattrset(w, theme_attr(ROLE_NORMAL));
    cur->x = form_draw(fm, w, y, x, width, height);
    cur->y = getcury(w);
}

bool form_screen_cursor(const struct form_cursor *cur, bool busy, int *y, int *x)
{
    if (busy || cur->x < 0)
        return false;
    *y = cur->y;
    *x = cur->x;
    return true;
}
