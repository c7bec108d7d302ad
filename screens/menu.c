/* The menu overlay (screens/menu.h): a box over the screen below with a
 * virtual list inside. */
#include "screens/menu.h"
#include "screens/actions.h"
#include "screens/common.h"
#include "screens/screen.h"
#include "tui/key.h"
#include "tui/text.h"
#include "tui/vlist.h"

#include <stdio.h>
#include <string.h>

struct menu {
    struct lumen *L;
    struct tui_screen *below;
    char title[128];
    char labels[MENU_MAX_ITEMS][MENU_LABEL_MAX];
    size_t n;
    struct vlist list;
    void (*chosen)(void *ud, size_t index);
    void *ud;
};

static size_t src_count(void *ud) { return ((struct menu *)ud)->n; }

static void src_draw(void *ud, WINDOW *w, int y, int width, size_t i, bool selected)
{
    struct menu *st = ud;
    (void)selected;
    char cell[MENU_LABEL_MAX * 4];
    text_cell(cell, sizeof cell, st->labels[i], strlen(st->labels[i]), (size_t)width,
              st->L->tf | TEXT_ELLIPSIS | TEXT_PAD);
    mvwaddstr(w, y, 0, cell);
}

static void menu_open(struct tui_screen *s, void *arg)
{
    struct menu *st = s->state;
    const struct menu_req *q = arg;
    st->below = tui_app_top(st->L->app);
    snprintf(st->title, sizeof st->title, "%s", q->title ? q->title : "");
    st->n = q->n < MENU_MAX_ITEMS ? q->n : MENU_MAX_ITEMS;
    for (size_t i = 0; i < st->n; i++)
        snprintf(st->labels[i], sizeof st->labels[i], "%s", q->labels[i] ? q->labels[i] : "");
    st->chosen = q->chosen;
    st->ud = q->ud;
    vlist_set_count(&st->list, st->n);
    vlist_set_cursor(&st->list, q->selected < st->n ? q->selected : 0);
}

/* The box: as wide as the longest label, as tall as the items, centred. */
static void geometry(const struct menu *st, int h, int cols, int *y, int *x, int *bh, int *bw)
{
    size_t wmax = text_width(st->title) + 6;
    for (size_t i = 0; i < st->n; i++) {
        size_t lw = text_width(st->labels[i]) + 4;
        if (lw > wmax)
            wmax = lw;
    }
    *bw = (int)wmax < cols - 4 ? (int)wmax : cols - 4;
    if (*bw < 12)
        *bw = cols;
    *bh = (int)st->n + 2 < h ? (int)st->n + 2 : h;
    *y = (h - *bh) / 2;
    *x = (cols - *bw) / 2;
}

static void menu_draw(struct tui_screen *s, WINDOW *w, int h, int cols)
{
    struct menu *st = s->state;
    if (st->below && st->below->ops->draw)
        st->below->ops->draw(st->below, w, h, cols);
    int y, x, bh, bw;
    geometry(st, h, cols, &y, &x, &bh, &bw);
    common_box(w, y, x, bh, bw, st->title, st->L->tf);
    if (bh < 3 || bw < 5)
        return;
    /* The list draws into a window of the box's inside, made for this draw
     * and gone after: nothing outlives a resize. */
    WINDOW *in = derwin(w, bh - 2, bw - 4, y + 1, x + 2);
    if (!in)
        return;
    vlist_resize(&st->list, bh - 2);
    vlist_invalidate(&st->list);
    vlist_draw(&st->list, in);
    delwin(in);
}

static void choose(struct tui_screen *s)
{
    struct menu *st = s->state;
    size_t i;
    if (!vlist_cursor(&st->list, &i))
        return;
    tui_app_close(s->app, s);
    if (st->chosen)
        st->chosen(st->ud, i);
}

/* A letter jumps to the next choice that starts with it. */
static enum tui_result menu_key(struct tui_screen *s, tui_key k)
{
    struct menu *st = s->state;
    if (k < 'a' || k > 'z' || keymap_action(tui_app_keymap(s->app), SCOPE_MENU, k) >= 0)
        return TUI_UNHANDLED;
    size_t cur = 0;
    vlist_cursor(&st->list, &cur);
    for (size_t d = 1; d <= st->n; d++) {
        size_t i = (cur + d) % st->n;
        char c = st->labels[i][0];
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        if (c == (char)k) {
            vlist_set_cursor(&st->list, i);
            return TUI_REDRAW;
        }
    }
    return TUI_HANDLED;
}

static enum tui_result menu_action(struct tui_screen *s, int action)
{
    struct menu *st = s->state;
    if (list_screen_move(&st->list, action, false))
        return TUI_REDRAW;
    switch (action) {
    case ACT_OPEN:
        choose(s);
        return TUI_REDRAW;
    case ACT_CANCEL:
        tui_app_close(s->app, s);
        return TUI_REDRAW;
    }
    return TUI_UNHANDLED;
}

static void menu_init(struct tui_screen *s)
{
    struct menu *st = s->state;
    st->L = s->ud;
    struct vlist_source src = { src_count, NULL, src_draw, st };
    vlist_init(&st->list, &src, 1, st->L->tf);
}

const struct screen_ops menu_ops = {
    .name = "menu",
    .state_size = sizeof(struct menu),
    .init = menu_init,
    .open = menu_open,
    .ctx = SCOPE_MENU,
    .draw = menu_draw,
    .key = menu_key,
    .action = menu_action,
};

void menu_ask(struct lumen *L, const struct menu_req *req)
{
    lumen_go(L, SCR_MENU, (void *)req);
}
