/* One lead: every field, the transcript (who said what, when), the notes,
 * and who changed what; wrapped to the width and scrolled as a pager.
 * Opening it is what the audit log records as lead.view (api.lead_open,
 * whose grant the two reads then use); moving through the inbox is not.
 * Every string is the visitor's or a colleague's: each goes through the
 * sanitizer (tui_put, text_sanitize) before it reaches the terminal. */
#include "screens/actions.h"
#include "screens/audit.h"
#include "screens/common.h"
#include "screens/inbox.h"
#include "screens/leadact.h"
#include "screens/pager.h"
#include "screens/screen.h"
#include "tui/text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define LEAD_TOP 2              /* the title line and a rule */

struct lead {
    struct lumen *L;
    long long id;
    char name[256];
    char captured_day[11];      /* for the audit trail's range */
    char grant[API_GRANT_HEX + 1];
    bool loading;
    char err[200];
    struct pager page;
    struct leadact act;
    int h;                      /* the body's height at the last draw */
};

/* --- loading ---------------------------------------------------------------- */

static const char *nonempty(const char *s)
{
    return s && *s ? s : "-";
}

static void on_lead(void *ud, enum api_err err, const struct api_lead *l)
{
    struct lead *st = ud;
    char buf[300], t[64];
    if (err != API_OK) {
        st->loading = false;
        snprintf(st->err, sizeof st->err, "%s", api_err_message(err));
        lumen_call_failed(st->L, err);
        tui_app_dirty(st->L->app);
        return;
    }
    pager_clear(&st->page);
    if (!l) {
        st->loading = false;
        snprintf(st->err, sizeof st->err, "This lead was deleted.");
        tui_app_dirty(st->L->app);
        return;
    }
    snprintf(st->name, sizeof st->name, "%s", l->name);
    pager_add(&st->page, ROLE_TITLE, A_BOLD, "Name", nonempty(l->name));
    pager_add(&st->page, ROLE_NORMAL, 0, "Status", l->status);
    pager_add(&st->page, ROLE_NORMAL, 0, "Phone", nonempty(l->phone));
    pager_add(&st->page, ROLE_NORMAL, 0, "Email", nonempty(l->email));
    pager_add(&st->page, ROLE_NORMAL, 0, "Service", nonempty(l->service));
    lumen_format_time(st->L, l->captured_at, t, sizeof t);
    pager_add(&st->page, ROLE_NORMAL, 0, "Captured", t);
    snprintf(st->captured_day, sizeof st->captured_day, "%.10s", t);
    pager_add(&st->page, ROLE_NORMAL, 0, "Page", nonempty(l->page_url));
    pager_add(&st->page, ROLE_NORMAL, 0, "Assigned", l->assigned_name[0] ? l->assigned_name : "nobody");
    if (l->first_response_at[0]) {
        lumen_format_time(st->L, l->first_response_at, t, sizeof t);
        pager_add(&st->page, ROLE_NORMAL, 0, "First response", t);
    } else {
        pager_add(&st->page, ROLE_NORMAL, A_BOLD, "First response", "none yet");
    }
    snprintf(buf, sizeof buf, "%lld", l->id);
    pager_add(&st->page, ROLE_DIM, 0, "Lead number", buf);
    pager_add(&st->page, ROLE_DIM, 0, "Visitor", nonempty(l->visitor_id));
    tui_app_dirty(st->L->app);
}

static void on_items(void *ud, enum api_err err, const struct api_lead_item *it, size_t n)
{
    struct lead *st = ud;
    st->loading = false;
    if (err != API_OK) {
        lumen_call_failed(st->L, err);
        tui_app_dirty(st->L->app);
        return;
    }
    const char *section = NULL;
    char label[96], t[64];
    for (size_t i = 0; i < n; i++) {
        const char *sec = strcmp(it[i].kind, "note") == 0 ? "Notes"
                        : strcmp(it[i].kind, "change") == 0 ? "History" : "Transcript";
        if (!section || strcmp(section, sec) != 0) {
            pager_add(&st->page, ROLE_NORMAL, 0, "", "");
            pager_add(&st->page, ROLE_TITLE, A_BOLD, sec, "");
            section = sec;
        }
        lumen_format_time(st->L, it[i].at, t, sizeof t);
        bool visitor = strcmp(it[i].kind, "visitor") == 0;
        const char *who = visitor ? "Visitor" : strcmp(it[i].kind, "bot") == 0 ? "Bot"
                        : it[i].who;
        /* The time and who on a line of their own: the text may be long. */
        snprintf(label, sizeof label, "%s", t + (strlen(t) > 11 ? 5 : 0));
        pager_add(&st->page, visitor ? ROLE_TITLE : ROLE_DIM, 0, label, who);
        pager_add(&st->page, ROLE_NORMAL, 0, "", it[i].body);
    }
    if (!n)
        pager_add(&st->page, ROLE_DIM, 0, "", "No transcript, notes or changes.");
    tui_app_dirty(st->L->app);
}

static void on_grant(void *ud, enum api_err err, const char *grant)
{
    struct lead *st = ud;
    if (err != API_OK) {
        st->loading = false;
        snprintf(st->err, sizeof st->err, "%s", err == API_ERR_INVALID
                 ? "No such lead (deleted, or not of this practice)." : api_err_message(err));
        lumen_call_failed(st->L, err);
        tui_app_dirty(st->L->app);
        return;
    }
    snprintf(st->grant, sizeof st->grant, "%s", grant);
    api_lead_get(st->L->db, &st->L->auth, st->grant, on_lead, st, st);
    api_lead_items(st->L->db, &st->L->auth, st->grant, on_items, st, st);
}

static void load(struct lead *st)
{
    api_cancel(st->L->db, st);
    st->loading = true;
    st->err[0] = '\0';
    api_lead_open(st->L->db, &st->L->auth, st->id, on_grant, st, st);
}

/* lumen_go(SCR_LEAD, &id) */
static void lead_open(struct tui_screen *s, void *arg)
{
    struct lead *st = s->state;
    st->id = *(const long long *)arg;
    st->name[0] = '\0';
    pager_clear(&st->page);
    load(st);
}

/* --- screen ------------------------------------------------------------------ */

static void lead_draw(struct tui_screen *s, WINDOW *w, int h, int cols)
{
    struct lead *st = s->state;
    char title[400];
    st->h = h;
    snprintf(title, sizeof title, " Lead %lld%s%s", st->id, st->name[0] ? ": " : "", st->name);
    wattrset(w, theme_attr(ROLE_TITLE));
    tui_put(w, 0, 0, cols, title, st->L->tf);
    const char *right = st->err[0] ? st->err : st->loading ? "loading..." : NULL;
    if (right) {
        int rw = (int)text_width(right) + 1;
        if (rw > cols / 2)
            rw = cols / 2;
        wattrset(w, theme_attr(st->err[0] ? ROLE_ERROR : ROLE_DIM) | A_BOLD);
        tui_put(w, 0, cols - rw, rw, right, st->L->tf);
    }
    wattrset(w, theme_attr(ROLE_BORDER));
    mvwhline(w, 1, 0, ACS_HLINE, cols);
    wattrset(w, theme_attr(ROLE_NORMAL));
    pager_draw(&st->page, w, LEAD_TOP, h - LEAD_TOP, cols, true);
}

static int lead_draw_rows(struct tui_screen *s, WINDOW *w, int first, int last, int cols)
{
    struct lead *st = s->state;
    (void)first, (void)last;
    return pager_draw(&st->page, w, LEAD_TOP, st->h - LEAD_TOP, cols, false);
}

static void changed(void *ud, int action)
{
    struct lead *st = ud;
    struct lumen *L = st->L;
    inbox_changed(L);
    if (action == ACT_DELETE) {
        tui_app_close(L->app, L->screens[SCR_LEAD]);   /* back to the inbox */
        return;
    }
    load(st);       /* the history shows the change */
}

/* L: the audit log on this lead, from the day it came in to today. */
static enum tui_result audit_trail(struct lead *st)
{
    char filter[64], today[16];
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    strftime(today, sizeof today, "%Y-%m-%d", &tm);
    snprintf(filter, sizeof filter, "target:lead:%lld", st->id);
    struct audit_jump j = { filter, st->captured_day[0] ? st->captured_day : today, today };
    lumen_go(st->L, SCR_AUDIT, &j);
    return TUI_REDRAW;
}

static enum tui_result lead_action(struct tui_screen *s, int action)
{
    struct lead *st = s->state;
    if (pager_move(&st->page, action)) {
        tui_app_dirty_rows(s->app, LEAD_TOP, TUI_MAX_BODY_ROWS);
        return TUI_REDRAW_ROWS;
    }
    switch (action) {
    case ACT_CANCEL:
        tui_app_pop(s->app);
        return TUI_REDRAW;
    case ACT_REFRESH:
        load(st);
        return TUI_REDRAW;
    case ACT_AUDIT_TRAIL:
        return audit_trail(st);
    }
    if (!leadact_handles(action))
        return TUI_UNHANDLED;
    leadact_target(&st->act, &st->id, 1, st->name);
    leadact_action(&st->act, action);
    return TUI_REDRAW;
}

/* OPEN (Enter) means nothing on a page of text. */
static bool lead_allowed(struct tui_screen *s, int action)
{
    (void)s;
    return action != ACT_OPEN;
}

static void lead_removed(struct tui_screen *s)
{
    struct lead *st = s->state;
    api_cancel(st->L->db, &st->act);
}

static void lead_destroy(struct tui_screen *s)
{
    struct lead *st = s->state;
    leadact_free(&st->act);
    pager_free(&st->page);
}

static void lead_init(struct tui_screen *s)
{
    struct lead *st = s->state;
    st->L = s->ud;
    pager_init(&st->page, st->L->tf);
    leadact_init(&st->act, st->L, changed, st);
}

const struct screen_ops lead_ops = {
    .name = "lead",
    .state_size = sizeof(struct lead),
    .init = lead_init,
    .open = lead_open,
    .ctx = SCOPE_LEAD,
    .draw = lead_draw,
    .draw_rows = lead_draw_rows,
    .action = lead_action,
    .allowed = lead_allowed,
    .removed = lead_removed,
    .destroy = lead_destroy,
};
