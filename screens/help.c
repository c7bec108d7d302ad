/* The ? overlay: the keys of the screen below, read from the keymap that
 * dispatches them, so what it says is what the keys do. */
#include "screens/actions.h"
#include "screens/screen.h"
#include "client/mem.h"

#include <string.h>

struct help {
    struct lumen *L;
    struct tui_screen *below;
    int scroll;
};

static bool below_allows(int action, void *ud)
{
    struct tui_screen *s = ud;
    return !s->ops->allowed || s->ops->allowed(s, action);
}

static void help_draw(struct tui_screen *s, WINDOW *w, int h, int cols)
{
    struct help *st = s->state;
    if (!st->below)
        return;
    struct keymap_filter f = { st->below->ops->ctx, CTX_GLOBAL, below_allows, st->below };
    struct keymap_iter it = { 0 };
    struct keymap_item item;
    const struct keymap *km = tui_app_keymap(s->app);
    int y = 0, line = 0;
    bool heading_done = false;
    wattrset(w, theme_attr(ROLE_TITLE));
    mvwaddstr(w, y++, 2, "Keys of this screen");
    wattrset(w, theme_attr(ROLE_DIM));
    mvwaddstr(w, y++, 2, "(press Esc, q or ? to close; keys can be changed in [keys] of lumen.conf)");
    y++;
    while (keymap_next(km, &f, &it, &item) && y < h) {
        if (item.last && !heading_done) {
            heading_done = true;
            if (line++ >= st->scroll && y + 2 < h) {
                y++;
                wattrset(w, theme_attr(ROLE_TITLE));
                mvwaddstr(w, y++, 2, "Everywhere");
            }
        }
        if (line++ < st->scroll)
            continue;
        wattrset(w, theme_attr(ROLE_KEY));
        tui_put(w, y, 4, 18, item.keys, st->L->tf);
        wattrset(w, theme_attr(ROLE_NORMAL));
        tui_put(w, y, 23, cols - 24, item.help, st->L->tf);
        y++;
    }
}

static enum tui_result help_action(struct tui_screen *s, int action)
{
    if (action == ACT_CLOSE) {
        tui_app_pop(s->app);
        return TUI_REDRAW;
    }
    return TUI_UNHANDLED;
}

static const struct screen_ops help_ops = {
    .name = "help",
    .ctx = CTX_HELP,
    .draw = help_draw,
    .action = help_action,
    .shows_private_data = false,
};

struct tui_screen *help_screen_new(struct lumen *L)
{
    struct help *st = mem_alloc(sizeof *st);
    st->L = L;
    return screen_new(&help_ops, st);
}

void help_show(struct lumen *L)
{
    struct help *st = L->help->state;
    st->below = tui_app_top(L->app);
    st->scroll = 0;
    if (st->below && st->below != L->help)
        tui_app_push(L->app, L->help);
}
