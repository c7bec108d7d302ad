/* One audit row whole: every field, both addresses (the one the server
 * saw, and the one the client reported, marked as reported: a hostile
 * client says what it likes there), the session's public id, and the
 * detail laid out (jsonb_pretty by the server).  Read with the grant of
 * the list it was opened from: no second audit row for it. */
#include "screens/audit.h"
#include "screens/actions.h"
#include "screens/common.h"
#include "screens/pager.h"
#include "screens/screen.h"
#include "tui/text.h"

#include <stdio.h>
#include <string.h>

#define ROW_TOP 2

struct audit_row {
    struct lumen *L;
    char grant[API_GRANT_HEX + 1];
    long long id;
    bool loading;
    char err[200];
    struct pager page;
    int h;
};

static const char *dash(const char *s)
{
    return s && *s ? s : "-";
}

static void on_row(void *ud, enum api_err err, const struct api_audit_row *r)
{
    struct audit_row *st = ud;
    char buf[300], t[64];
    st->loading = false;
    pager_clear(&st->page);
    if (err != API_OK || !r) {
        snprintf(st->err, sizeof st->err, "%s", err != API_OK ? api_err_message(err)
                 : "This row is not in the range and filter it was opened from.");
        if (err != API_OK)
            lumen_call_failed(st->L, err);
        tui_app_dirty(st->L->app);
        return;
    }
    lumen_format_time(st->L, r->at, t, sizeof t);
    snprintf(buf, sizeof buf, "%s (%s)", t, st->L->me.timezone);
    pager_add(&st->page, ROLE_TITLE, A_BOLD, "Action", r->action);
    pager_add(&st->page, ROLE_NORMAL, strcmp(r->outcome, "success") ? A_BOLD | A_REVERSE : 0,
              "Outcome", r->outcome);
    pager_add(&st->page, ROLE_NORMAL, 0, "Time", buf);
    snprintf(buf, sizeof buf, "%s%s%s", dash(r->actor_email), r->actor_id[0] ? "  id " : "",
             r->actor_id);
    pager_add(&st->page, ROLE_NORMAL, 0, "Actor", buf);
    pager_add(&st->page, ROLE_NORMAL, 0, "Session", dash(r->session_id));
    snprintf(buf, sizeof buf, "%s%s%s", dash(r->target_type), r->target_id[0] ? " " : "",
             r->target_id);
    pager_add(&st->page, ROLE_NORMAL, 0, "Target", buf);
    pager_add(&st->page, ROLE_NORMAL, 0, "Server saw", dash(r->server_addr));
    snprintf(buf, sizeof buf, "%s (reported by the client, not verified)", dash(r->reported_origin));
    pager_add(&st->page, ROLE_NORMAL, 0, "Reported", buf);
    snprintf(buf, sizeof buf, "%lld", r->id);
    pager_add(&st->page, ROLE_DIM, 0, "Row", buf);
    pager_add(&st->page, ROLE_NORMAL, 0, "", "");
    pager_add(&st->page, ROLE_NORMAL, 0, "Detail", r->detail);
    tui_app_dirty(st->L->app);
}

static void row_open(struct tui_screen *s, void *arg)
{
    struct audit_row *st = s->state;
    const struct audit_row_ref *ref = arg;
    snprintf(st->grant, sizeof st->grant, "%s", ref->grant);
    st->id = ref->id;
    st->err[0] = '\0';
    st->loading = true;
    pager_clear(&st->page);
    api_audit_row(st->L->db, &st->L->auth, st->grant, st->id, on_row, st, st);
}

static void row_draw(struct tui_screen *s, WINDOW *w, int h, int cols)
{
    struct audit_row *st = s->state;
    char title[80];
    st->h = h;
    snprintf(title, sizeof title, " Audit row %lld", st->id);
    wattrset(w, theme_attr(ROLE_TITLE));
    tui_put(w, 0, 0, cols, title, st->L->tf);
    const char *right = st->err[0] ? st->err : st->loading ? "loading..." : NULL;
    if (right) {
        int rw = (int)text_width(right) + 1;
        if (rw > cols - 20)
            rw = cols - 20;
        wattrset(w, theme_attr(st->err[0] ? ROLE_ERROR : ROLE_DIM) | A_BOLD);
        tui_put(w, 0, cols - rw, rw, right, st->L->tf);
    }
    wattrset(w, theme_attr(ROLE_BORDER));
    mvwhline(w, 1, 0, ACS_HLINE, cols);
    wattrset(w, theme_attr(ROLE_NORMAL));
    pager_draw(&st->page, w, ROW_TOP, h - ROW_TOP, cols, true);
}

static int row_draw_rows(struct tui_screen *s, WINDOW *w, int first, int last, int cols)
{
    struct audit_row *st = s->state;
    (void)first, (void)last;
    return pager_draw(&st->page, w, ROW_TOP, st->h - ROW_TOP, cols, false);
}

static enum tui_result row_action(struct tui_screen *s, int action)
{
    struct audit_row *st = s->state;
    if (pager_move(&st->page, action)) {
        tui_app_dirty_rows(s->app, ROW_TOP, TUI_MAX_BODY_ROWS);
        return TUI_REDRAW_ROWS;
    }
    if (action == ACT_CANCEL) {
        tui_app_close(s->app, s);
        return TUI_REDRAW;
    }
    return TUI_UNHANDLED;
}

static bool row_allowed(struct tui_screen *s, int action)
{
    (void)s;
    return action != ACT_OPEN;
}

static void row_init(struct tui_screen *s)
{
    struct audit_row *st = s->state;
    st->L = s->ud;
    pager_init(&st->page, st->L->tf);
}

static void row_destroy(struct tui_screen *s)
{
    struct audit_row *st = s->state;
    pager_free(&st->page);
}

const struct screen_ops audit_row_ops = {
    .name = "audit_row",
    .state_size = sizeof(struct audit_row),
    .init = row_init,
    .open = row_open,
    .ctx = SCOPE_PAGER,
    .draw = row_draw,
    .draw_rows = row_draw_rows,
    .action = row_action,
    .allowed = row_allowed,
    .destroy = row_destroy,
};
