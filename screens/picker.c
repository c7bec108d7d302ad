/* The practice picker, for a member of several practices: after sign-in
 * (the session has no practice yet: the way in, so Esc goes back to
 * sign-in), and from home with 'p' (a step aside: Esc and 1 go back).
 *
 * A table (tui/table.h: Practice, Role, a header row, long names cut with
 * an ellipsis) drawn into a rectangle of the body below the title lines;
 * the rows are an array, so a vlist does the cursor arithmetic (no source
 * is ever drawn through it) and its top and cursor are the table's view.
 * A cursor move redraws two rows (TUI_REDRAW_ROWS, table_draw). */
#include "screens/actions.h"
#include "screens/common.h"
#include "screens/screen.h"
#include "client/mem.h"
#include "tui/table.h"
#include "tui/vlist.h"

#include <stdlib.h>
#include <string.h>

#define PICKER_LIST_Y 4         /* title, what it is, a blank line above */
#define PICKER_X 2              /* the table's margins, left and right */

enum { C_PRACTICE, C_ROLE, C_COUNT };

static const struct table_column picker_cols[C_COUNT] = {
    [C_PRACTICE] = { "Practice", 0, 1, 10, TABLE_LEFT },
    [C_ROLE] = { "Role", 6, 0, 0, TABLE_LEFT },      /* "Viewer" */
};

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
    struct vlist list;      /* the cursor and the top: arithmetic only */
    struct table table;
    unsigned long version;  /* new rows: the table draws them all */
    int h, cols;
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

static unsigned row_cells(void *ud, int64_t i, struct table_cell *c)
{
    struct picker *st = ud;
    const struct picker_row *r = &st->rows[i];
    c[C_PRACTICE].text = r->name;
    c[C_ROLE].text = lumen_role_title(r->role);
    return 0;
}

/* The vlist's top and cursor as the table's view: what is in view of the
 * rows, under the header row. */
static int draw_table(struct picker *st, WINDOW *w)
{
    struct table_rect rect = { PICKER_LIST_Y, PICKER_X, st->h - PICKER_LIST_Y,
                               st->cols - 2 * PICKER_X };
    struct table_view view = { 0 };
    size_t cur;
    if (rect.h < 2 || rect.w < 1)
        return 0;
    if (vlist_cursor(&st->list, &cur)) {
        size_t top = vlist_top(&st->list), left = st->n - top;
        view.first = (int64_t)top;
        view.rows = left < (size_t)(rect.h - 1) ? (int)left : rect.h - 1;
        view.cursor = (int64_t)cur;
        view.has_cursor = true;
    }
    view.version = st->version;
    view.empty = st->loading ? NULL : "No practices.";
    return table_draw(&st->table, w, &rect, &view, row_cells, st);
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
    st->version++;
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
    int rows = h - PICKER_LIST_Y - 1;   /* below the header row */
    st->h = h;
    st->cols = cols;
    vlist_resize(&st->list, rows > 1 ? rows : 1);
    table_invalidate(&st->table);
}

static void picker_draw(struct tui_screen *s, WINDOW *w, int h, int cols)
{
    struct picker *st = s->state;
    wattrset(w, theme_attr(ROLE_TITLE));
    mvwaddstr(w, 1, 2, "Choose a practice");
    wattrset(w, theme_attr(ROLE_DIM));
    mvwaddstr(w, 2, 2, st->loading ? "Loading your practices..." : "You are a member of these practices:");
    wattrset(w, theme_attr(ROLE_NORMAL));
    st->h = h;
    st->cols = cols;
    /* The body was erased (or is a new window after a resize): draw into
     * it all, keep no window. */
    table_invalidate(&st->table);
    draw_table(st, w);
}

/* After a move: the table knows which of its rows changed (two for a
 * cursor move, all of them for a page). */
static int picker_draw_rows(struct tui_screen *s, WINDOW *w, int first, int last, int cols)
{
    struct picker *st = s->state;
    (void)first, (void)last, (void)cols;
    return draw_table(st, w);
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
    struct vlist_source src = { src_count, NULL, NULL, st };
    vlist_init(&st->list, &src, 1, st->L->tf);
    table_init(&st->table, picker_cols, C_COUNT, 0, st->L->tf);
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
