/* The ? overlay: the keys of the screen below, read from the keymap that
 * dispatches them, so what it says is what the keys do (a rebound key
 * shows as rebound).  A list that does not fit scrolls (j/k, PgUp/PgDn). */
#include "screens/actions.h"
#include "screens/common.h"
#include "screens/screen.h"
#include "client/mem.h"
#include "tui/vlist.h"

#include <stdio.h>
#include <string.h>

#define HELP_TOP 3              /* title, how to leave, a blank line */
#define HELP_LINES (ACT_COUNT + 2)

struct help_line {
    const char *text;           /* the help, or a heading when keys is "" */
    char keys[KEYMAP_KEYS_MAX];
};

struct help {
    struct lumen *L;
    struct tui_screen *below;
    struct help_line lines[HELP_LINES];
    size_t n;
    struct vlist list;
};

static bool below_allows(int action, void *ud)
{
    struct tui_screen *s = ud;
    return tui_app_allows(s->app, s, action);
}

/* The lines from the keymap as it is now: the screen's own keys, then
 * "Everywhere" and the global ones. */
static void help_lines(struct help *st)
{
    struct tui_screen *b = st->below;
    struct keymap_filter f = { b->ops->ctx, tui_app_global_ctx(st->L->app), below_allows, b,
                               b->ops->typing && b->ops->typing(b) };
    struct keymap_iter it = { 0 };
    struct keymap_item item;
    bool heading_done = false;
    st->n = 0;
    while (st->n + 2 < HELP_LINES && keymap_next(tui_app_keymap(st->L->app), &f, &it, &item)) {
        if (item.last && !heading_done) {
            heading_done = true;
            st->lines[st->n++] = (struct help_line){ "", "" };
            st->lines[st->n++] = (struct help_line){ "Everywhere", "" };
        }
        struct help_line *l = &st->lines[st->n++];
        l->text = item.help;
        snprintf(l->keys, sizeof l->keys, "%s", item.keys);
    }
}

static size_t src_count(void *ud) { return ((struct help *)ud)->n; }

/* A pager: no row is ever drawn selected. */
static void src_draw(void *ud, WINDOW *w, int y, int width, size_t i, bool selected)
{
    struct help *st = ud;
    const struct help_line *l = &st->lines[i];
    (void)selected;
    if (!l->keys[0]) {
        wattrset(w, theme_attr(ROLE_TITLE));
        tui_put(w, y, 2, width - 2, l->text, st->L->tf);
        return;
    }
    wattrset(w, theme_attr(ROLE_KEY));
    tui_put(w, y, 4, 18, l->keys, st->L->tf);
    wattrset(w, theme_attr(ROLE_NORMAL));
    tui_put(w, y, 23, width - 24, l->text, st->L->tf);
}

static void help_draw(struct tui_screen *s, WINDOW *w, int h, int cols)
{
    struct help *st = s->state;
    char close[KEYMAP_NAME_MAX], down[KEYMAP_NAME_MAX], up[KEYMAP_NAME_MAX];
    char pgdn[KEYMAP_NAME_MAX], pgup[KEYMAP_NAME_MAX], how[320];
    if (!st->below)
        return;
    help_lines(st);
    common_key_name(st->L, ACT_CLOSE_HELP, false, close, sizeof close);
    common_key_name(st->L, ACT_DOWN, false, down, sizeof down);
    common_key_name(st->L, ACT_UP, false, up, sizeof up);
    common_key_name(st->L, ACT_PAGE_DOWN, false, pgdn, sizeof pgdn);
    common_key_name(st->L, ACT_PAGE_UP, false, pgup, sizeof pgup);
    snprintf(how, sizeof how, "%s closes, %s/%s and %s/%s scroll; change keys in [keys] of lumen.conf",
             close, down, up, pgdn, pgup);
    wattrset(w, theme_attr(ROLE_TITLE));
    mvwaddstr(w, 0, 2, "Keys of this screen");
    wattrset(w, theme_attr(ROLE_DIM));
    tui_put(w, 1, 2, cols - 4, how, st->L->tf);
    if (h <= HELP_TOP)
        return;
    vlist_invalidate(&st->list);
    vlist_draw_at(&st->list, w, HELP_TOP);
}

static enum tui_result help_action(struct tui_screen *s, int action)
{
    struct help *st = s->state;
    if (list_screen_move(&st->list, action, true))
        return list_screen_moved(s, HELP_TOP);
    if (action == ACT_CLOSE_HELP) {
        tui_app_close(s->app, s);
        return TUI_REDRAW;
    }
    return TUI_UNHANDLED;
}

/* After a scroll: the list knows which of its rows changed. */
static int help_draw_rows(struct tui_screen *s, WINDOW *w, int first, int last, int cols)
{
    struct help *st = s->state;
    (void)first, (void)last, (void)cols;
    return vlist_draw_at(&st->list, w, HELP_TOP);
}

static void help_layout(struct tui_screen *s, int h, int cols)
{
    struct help *st = s->state;
    (void)cols;
    vlist_resize(&st->list, h - HELP_TOP > 1 ? h - HELP_TOP : 1);
    vlist_invalidate(&st->list);
}

/* lumen_go(SCR_HELP): the keys of the screen on top now. */
static void help_open(struct tui_screen *s, void *arg)
{
    struct help *st = s->state;
    struct tui_screen *top = tui_app_top(st->L->app);
    (void)arg;
    if (top && top != s)            /* never its own keys */
        st->below = top;
    if (!st->below)
        return;
    help_lines(st);
    vlist_set_count(&st->list, st->n);
    vlist_home(&st->list);
}

static void help_init(struct tui_screen *s)
{
    struct help *st = s->state;
    st->L = s->ud;
    struct vlist_source src = { src_count, NULL, src_draw, st };
    vlist_init(&st->list, &src, 1, st->L->tf);
    vlist_hide_cursor(&st->list, true);
}

const struct screen_ops help_ops = {
    .name = "help",
    .state_size = sizeof(struct help),
    .init = help_init,
    .open = help_open,
    .layout = help_layout,
    .ctx = SCOPE_HELP,
    .draw = help_draw,
    .draw_rows = help_draw_rows,
    .action = help_action,
};
