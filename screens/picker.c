/* The practice picker, for a member of several practices: after sign-in
 * (the session has no practice yet: the way in, so Esc goes back to
 * sign-in), and from home with 'p' (a step aside: Esc and 1 go back). */
#include "screens/actions.h"
#include "screens/common.h"
#include "screens/screen.h"
#include "client/mem.h"
#include "tui/text.h"
#include "tui/vlist.h"

#include <stdlib.h>
#include <string.h>

#define PICKER_LIST_Y 4         /* title, what it is, a blank line above */

struct picker_row {
    char id[40];
    char *name;
    char role[16];
};

struct picker {
    struct lumen *L;
    struct picker_row *rows;
    size_t n;
    bool loading;
    bool aside;             /* opened from home, over it */
    struct vlist list;
};

static void rows_free(struct picker *st)
{
    for (size_t i = 0; i < st->n; i++)
        free(st->rows[i].name);
    free(st->rows);
    st->rows = NULL;
    st->n = 0;
}

static size_t src_count(void *ud) { return ((struct picker *)ud)->n; }

static void src_draw(void *ud, WINDOW *w, int y, int width, size_t i, bool selected)
{
    struct picker *st = ud;
    (void)selected;
    const struct picker_row *r = &st->rows[i];
    tui_put(w, y, 2, width - 16, r->name, st->L->tf);
    tui_put(w, y, width - 12, 10, r->role, st->L->tf);
}

static void on_practices(void *ud, enum api_err err, const struct api_practice *list, size_t n)
{
    struct picker *st = ud;
    st->loading = false;
    if (err != API_OK) {
        lumen_call_failed(st->L, err);
        return;
    }
    rows_free(st);
    st->rows = mem_alloc((n ? n : 1) * sizeof *st->rows);
    for (size_t i = 0; i < n; i++) {
        snprintf(st->rows[i].id, sizeof st->rows[i].id, "%s", list[i].id);
        st->rows[i].name = mem_strdup(list[i].name);
        snprintf(st->rows[i].role, sizeof st->rows[i].role, "%s", list[i].role);
    }
    st->n = n;
    st->L->npractices = (int)n;
    vlist_set_count(&st->list, n);
    vlist_home(&st->list);
    tui_app_dirty(st->L->app);
}

/* lumen_go(SCR_PICKER): fetch the practices afresh each time. */
static void picker_open(struct tui_screen *s, void *arg)
{
    struct picker *st = s->state;
    struct lumen *L = st->L;
    (void)arg;
    st->loading = true;
    st->aside = L->me.practice_id[0] != '\0';
    api_practices(L->db, &L->auth, on_practices, st, st);
}

static void picker_layout(struct tui_screen *s, int h, int cols)
{
    struct picker *st = s->state;
    (void)cols;
    vlist_resize(&st->list, h - PICKER_LIST_Y > 1 ? h - PICKER_LIST_Y : 1);
    vlist_invalidate(&st->list);
}

static void picker_draw(struct tui_screen *s, WINDOW *w, int h, int cols)
{
    struct picker *st = s->state;
    wattrset(w, theme_attr(ROLE_TITLE));
    mvwaddstr(w, 1, 2, "Choose a practice");
    wattrset(w, theme_attr(ROLE_DIM));
    mvwaddstr(w, 2, 2, st->loading ? "Loading your practices..." : "You are a member of these practices:");
    wattrset(w, theme_attr(ROLE_NORMAL));
    (void)cols;
    if (h - PICKER_LIST_Y < 1)
        return;
    /* The body was erased (or is a new window after a resize): draw into
     * it all, keep no window. */
    vlist_invalidate(&st->list);
    vlist_draw_at(&st->list, w, PICKER_LIST_Y);
}

/* After a move: the list knows which of its rows changed. */
static int picker_draw_rows(struct tui_screen *s, WINDOW *w, int first, int last, int cols)
{
    struct picker *st = s->state;
    (void)first, (void)last, (void)cols;
    return vlist_draw_at(&st->list, w, PICKER_LIST_Y);
}

static void on_selected(void *ud, enum api_err err)
{
    struct picker *st = ud;
    if (err != API_OK) {
        lumen_call_failed(st->L, err);
        return;
    }
    lumen_signed_in(st->L);       /* fetch who we are in that practice */
}

/* Back where the picker came from: home, or sign-in (the session, which
 * has no practice yet, is given up as Esc on the code step does). */
static void back(struct picker *st)
{
    struct lumen *L = st->L;
    if (st->aside) {
        tui_app_close(L->app, L->screens[SCR_PICKER]);
        return;
    }
    lumen_sign_out_call(L);
    lumen_signed_out(L, NULL);
}

static enum tui_result picker_action(struct tui_screen *s, int action)
{
    struct picker *st = s->state;
    size_t i;
    if (list_screen_move(&st->list, action, false))
        return list_screen_moved(s, PICKER_LIST_Y);
    switch (action) {
    case ACT_OPEN:
        if (!vlist_cursor(&st->list, &i))
            return TUI_HANDLED;
        api_select_practice(st->L->db, &st->L->auth, st->rows[i].id, on_selected, st, st);
        return TUI_REDRAW;
    case ACT_CANCEL:
        back(st);
        return TUI_REDRAW;
    }
    return TUI_UNHANDLED;      /* tabs, help, lock, quit: the loop's global keys */
}

/* The tabs are there only when the picker was opened from one. */
static bool picker_allowed(struct tui_screen *s, int action)
{
    struct picker *st = s->state;
    return !ACT_IS_TAB(action) || st->aside;
}

static void picker_destroy(struct tui_screen *s)
{
    struct picker *st = s->state;
    rows_free(st);
}

static void picker_init(struct tui_screen *s)
{
    struct picker *st = s->state;
    st->L = s->ud;
    struct vlist_source src = { src_count, NULL, src_draw, st };
    vlist_init(&st->list, &src, 1, st->L->tf);
    vlist_set_placeholder(&st->list, "No practices.");
}

const struct screen_ops picker_ops = {
    .name = "picker",
    .state_size = sizeof(struct picker),
    .init = picker_init,
    .open = picker_open,
    .layout = picker_layout,
    .ctx = SCOPE_PICKER,
    .draw = picker_draw,
    .draw_rows = picker_draw_rows,
    .action = picker_action,
    .allowed = picker_allowed,
    .destroy = picker_destroy,
};
