/* The lead inbox: what the website's chatbot captured, newest first (or
 * the oldest untouched first), a screen of rows however many there are.
 *
 * The list is a keylist (screens/keylist.h): api.leads_open with the
 * filter in force (the server audits lead.list once, there) answers a
 * grant, and api.leads_page gives pages by key with it, so paging a
 * million leads is never a count and never an offset.  Rows are packed
 * as enum field, with the capture time as seconds since the epoch by this
 * machine's clock (now - age_s when the page landed), so ages keep
 * counting.
 *
 * Arrivals.  A wake-up (inbox_wake) asks api.leads_arrivals how many leads
 * are newer than the newest seen: "3 new" in the title line, and the
 * rowset told that rows may exist before its first (rowset_expect_before),
 * so going to the top shows them; the cursor never moves for them.      */
#include "screens/inbox.h"
#include "screens/actions.h"
#include "screens/common.h"
#include "screens/export.h"
#include "screens/keylist.h"
#include "screens/leadact.h"
#include "screens/screen.h"
#include "client/leadexport.h"
#include "client/leadfilter.h"
#include "tui/text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define INBOX_PAGE 100

enum inbox_field { F_ID, F_CAPTURED, F_STATUS, F_NAME, F_SERVICE, F_PHONE, F_ASSIGNED };

enum { C_AGE, C_STATUS, C_NAME, C_SERVICE, C_PHONE, C_ASSIGNED, C_COUNT };

static const struct table_column inbox_cols[C_COUNT] = {
    [C_AGE] = { "Age", 5, 0, 0, TABLE_RIGHT },
    [C_STATUS] = { "Status", 14, 0, 0, TABLE_LEFT },
    [C_NAME] = { "Name", 0, 3, 10, TABLE_LEFT },
    [C_SERVICE] = { "Service", 0, 3, 8, TABLE_LEFT },
    [C_PHONE] = { "Phone", 16, 0, 0, TABLE_LEFT },
    [C_ASSIGNED] = { "Assigned", 0, 2, 8, TABLE_LEFT },
};

struct inbox {
    struct lumen *L;
    struct keylist kl;
    struct leadact act;
    struct export *exp;
    long long newest_id;        /* -1: not known yet */
    int arrived;
    char arrivals_owner;
    char age[16];               /* the age text of the row drawn */
};

/* --- the list --------------------------------------------------------------- */

static int list_open(struct keylist *kl, const char *filter_json, api_grant_fn done, void *ud,
                     const void *owner)
{
    return api_leads_open(kl->L->db, &kl->L->auth, filter_json, done, ud, owner);
}

static int list_page(struct keylist *kl, const char *grant, const char *order, const char *from,
                     const char *key, int limit, api_rows_fn done, void *ud, const void *owner)
{
    return api_leads_page(kl->L->db, &kl->L->auth, grant, order, from, key, limit, done, ud,
                          owner);
}

static void list_pack(struct keylist *kl, const struct api_rows *rows, int i,
                      struct keylist_packer *pk)
{
    char captured[24];
    (void)kl;
    snprintf(captured, sizeof captured, "%lld",
             (long long)time(NULL) - atoll(api_rows_get(rows, i, "age_s")));
    keylist_put(pk, api_rows_get(rows, i, "id"));
    keylist_put(pk, captured);
    keylist_put(pk, api_rows_get(rows, i, "status"));
    keylist_put(pk, api_rows_get(rows, i, "name"));
    keylist_put(pk, api_rows_get(rows, i, "service"));
    keylist_put(pk, api_rows_get(rows, i, "phone"));
    keylist_put(pk, api_rows_get(rows, i, "assigned_name"));
}

static void age_text(char *buf, size_t size, long long s)
{
    if (s < 0)
        s = 0;
    if (s < 60)
        snprintf(buf, size, "%llds", s);
    else if (s < 3600)
        snprintf(buf, size, "%lldm", s / 60);
    else if (s < 86400)
        snprintf(buf, size, "%lldh", s / 3600);
    else if (s < 86400LL * 365)
        snprintf(buf, size, "%lldd", s / 86400);
    else
        snprintf(buf, size, "%lldy", s / (86400LL * 365));
}

static const char *status_title(const char *s)
{
    return strcmp(s, "not_interested") == 0 ? "not interested" : s;
}

static unsigned list_cells(struct keylist *kl, const struct rowset_row *r, int64_t pos,
                           struct table_cell *c)
{
    struct inbox *st = kl->ud;
    (void)pos;
    long long age = (long long)time(NULL) - atoll(rowset_field(r, F_CAPTURED));
    const char *status = rowset_field(r, F_STATUS);
    age_text(st->age, sizeof st->age, age);
    c[C_AGE].text = st->age;
    /* Speed to lead: a new lead waiting 5 minutes is bold, 15 reversed,
     * so it reads without colour too. */
    if (strcmp(status, "new") == 0 && age >= 5 * 60)
        c[C_AGE].attr = age >= 15 * 60 ? A_BOLD | A_REVERSE : A_BOLD;
    c[C_STATUS].text = status_title(status);
    if (strcmp(status, "new") == 0)
        c[C_STATUS].attr = A_BOLD;
    c[C_NAME].text = rowset_field(r, F_NAME);
    c[C_SERVICE].text = rowset_field(r, F_SERVICE);
    c[C_PHONE].text = rowset_field(r, F_PHONE);
    const char *who = rowset_field(r, F_ASSIGNED);
    c[C_ASSIGNED].text = who[0] ? who : "-";
    return 0;
}

/* --- arrivals ------------------------------------------------------------- */

static void on_arrivals(void *ud, enum api_err err, const struct api_arrivals *a)
{
    struct inbox *st = ud;
    if (err != API_OK)
        return;         /* a wake-up is a hint: the next one asks again */
    if (st->newest_id < 0) {
        st->newest_id = a->newest_id;
        return;
    }
    if (a->arrived > 0 && a->arrived != st->arrived) {
        st->arrived = a->arrived;
        rowset_expect_before(st->kl.rs);
        keylist_dirty(&st->kl);
    }
}

static void ask_arrivals(struct inbox *st)
{
    api_cancel(st->L->db, &st->arrivals_owner);
    api_leads_arrivals(st->L->db, &st->L->auth, st->newest_id, on_arrivals, st,
                       &st->arrivals_owner);
}

/* The new ones are shown (a new list, g, r): count from what is newest now. */
static void arrivals_seen(struct inbox *st)
{
    st->newest_id = -1;
    st->arrived = 0;
    ask_arrivals(st);
}

static void list_opened(struct keylist *kl)
{
    arrivals_seen(kl->ud);
}

static int list_filter(const char *text, size_t len, char *json, size_t cap, char *err,
                       size_t errlen)
{
    char buf[FILTER_TEXT_MAX + 1];
    if (len > FILTER_TEXT_MAX)
        len = FILTER_TEXT_MAX;      /* the bar holds no more */
    memcpy(buf, text, len);
    buf[len] = '\0';
    return leadfilter_from_text(buf, json, cap, err, errlen);
}

static const struct keylist_ops inbox_list = {
    .open = list_open,
    .page = list_page,
    .pack = list_pack,
    .cells = list_cells,
    .filter = list_filter,
    .opened = list_opened,
    .bar_lead = "All leads.",
    .bar_tail = "; N new, M mine, U waiting over 15 min.",
    .empty = "No leads yet.",
    .empty_filtered = "No lead matches the filter (Esc clears it).",
};

/* --- export ----------------------------------------------------------------- */

static void on_export_open(void *ud, enum api_err err, const struct api_export_open *r)
{
    struct inbox *st = ud;
    export_opened(st->exp, err, r ? r->grant : NULL, r ? r->row_count : 0);
}

static int export_open_call(void *ud, struct export *e, const void *owner)
{
    struct inbox *st = ud;
    (void)e;
    return api_leads_export_open(st->L->db, &st->L->auth,
                                 st->kl.filter_json[0] ? st->kl.filter_json : "{}", false,
                                 on_export_open, st, owner);
}

static int export_rows(void *ud, const char *grant, long long after_id, int limit,
                       api_rows_fn done, void *cb_ud, const void *owner)
{
    struct inbox *st = ud;
    return api_leads_export_rows(st->L->db, &st->L->auth, grant, after_id, limit, done, cb_ud,
                                 owner);
}

static int export_header(void *ud, struct csv *w)
{
    (void)ud;
    return leadexport_header(w, false);
}

static int export_row(void *ud, struct csv *w, const struct api_rows *rows, int i)
{
    static const char *const names[LEADEXPORT_COLUMNS] = {
        "id", "captured_at", "status", "name", "phone", "email", "service", "page_url",
        "assigned_name", "first_response_at", "transcript"
    };
    const char *f[LEADEXPORT_COLUMNS];
    size_t n[LEADEXPORT_COLUMNS];
    (void)ud;
    api_rows_cells(rows, i, names, LEADEXPORT_COLUMNS, f, n);
    return leadexport_row(w, f, n, false);
}

static const struct export_ops inbox_export = {
    .title = "Export leads",
    .text = "The leads of the filter in force go to a CSV file that only you can read "
            "(mode 0600). The export is recorded in the audit log.",
    .file_prefix = "leads",
    .noun = "leads",
    .why = "Exporting leads",
    .open = export_open_call,
    .rows = export_rows,
    .header = export_header,
    .row = export_row,
};

/* --- drawing ---------------------------------------------------------------- */

static void draw_title(struct inbox *st, WINDOW *w, int cols)
{
    char line[600], pos[96], exp[200], arrived[64];
    keylist_position(&st->kl, pos, sizeof pos);
    snprintf(line, sizeof line, " Inbox, %s%s", strcmp(st->kl.order, "untouched") == 0
             ? "oldest untouched first" : "newest first", pos);
    wattrset(w, theme_attr(ROLE_TITLE));
    tui_put(w, 0, 0, cols, line, st->L->tf);
    /* What the user must notice, at the right: an export, trouble, arrivals. */
    export_text(st->exp, exp, sizeof exp);
    struct rowset_info info;
    rowset_info(st->kl.rs, &info);
    const char *right = NULL;
    enum theme_role role = ROLE_OK;
    if (exp[0]) {
        right = exp;
    } else if (st->kl.err[0]) {
        right = st->kl.err;
        role = ROLE_ERROR;
    } else if (st->arrived > 0) {
        snprintf(arrived, sizeof arrived, "%d%s new (g shows them) ", st->arrived,
                 st->arrived >= 1000 ? "+" : "");
        right = arrived;
    } else if (st->kl.opening || info.loading) {
        right = "loading... ";
        role = ROLE_DIM;
    }
    if (right) {
        int rw = (int)text_width(right);
        if (rw > cols / 2)
            rw = cols / 2;
        wattrset(w, theme_attr(role) | A_BOLD);
        tui_put(w, 0, cols - rw, rw, right, st->L->tf);
    }
    wattrset(w, theme_attr(ROLE_NORMAL));
}

static void inbox_draw(struct tui_screen *s, WINDOW *w, int h, int cols)
{
    struct inbox *st = s->state;
    st->kl.h = h;
    st->kl.cols = cols;
    draw_title(st, w, cols);
    keylist_draw(&st->kl, w, true);
}

/* A move, a page landing, a tag: the title line and what changed of the
 * table; nothing else of the body is touched. */
static int inbox_draw_rows(struct tui_screen *s, WINDOW *w, int first, int last, int cols)
{
    struct inbox *st = s->state;
    (void)first, (void)last;
    draw_title(st, w, cols);
    return 1 + keylist_draw(&st->kl, w, false);
}

static bool inbox_cursor(struct tui_screen *s, int *y, int *x)
{
    struct inbox *st = s->state;
    return keylist_cursor(&st->kl, y, x);
}

static void inbox_layout(struct tui_screen *s, int h, int cols)
{
    struct inbox *st = s->state;
    keylist_layout(&st->kl, h, cols);
}

/* --- keys ------------------------------------------------------------------- */

static void changed(void *ud, int action)
{
    struct inbox *st = ud;
    (void)action;
    rowset_tags_clear(st->kl.rs);
    rowset_refresh(st->kl.rs);
    keylist_dirty(&st->kl);
}

static enum tui_result inbox_key(struct tui_screen *s, tui_key k)
{
    struct inbox *st = s->state;
    return keylist_key(&st->kl, k);
}

/* The lead actions: on the tagged rows, else the cursor's. */
static enum tui_result lead_action(struct inbox *st, int action)
{
    long long ids[LEADACT_MAX_IDS];
    size_t n = keylist_targets(&st->kl, F_ID, ids, LEADACT_MAX_IDS);
    const struct rowset_row *cur = rowset_cursor_row(st->kl.rs);
    if (!n) {
        tui_app_message(st->L->app, ROLE_STATUS, "No lead under the cursor.", 3000);
        return TUI_REDRAW;
    }
    leadact_target(&st->act, ids, n,
                   rowset_tag_count(st->kl.rs) || !cur ? NULL : rowset_field(cur, F_NAME));
    leadact_action(&st->act, action);
    return TUI_REDRAW;
}

static enum tui_result inbox_action(struct tui_screen *s, int action)
{
    struct inbox *st = s->state;
    const struct rowset_row *cur = rowset_cursor_row(st->kl.rs);
    long long id;
    /* Esc stops an export before it clears anything. */
    if (action == ACT_CANCEL && export_running(st->exp) && !keylist_typing(&st->kl)) {
        export_cancel(st->exp);
        return TUI_REDRAW;
    }
    if (action == ACT_TOP && st->arrived && strcmp(st->kl.order, "newest") == 0)
        arrivals_seen(st);
    if (action == ACT_REFRESH)
        arrivals_seen(st);
    if (keylist_typing(&st->kl) || action != ACT_OPEN) {
        enum tui_result r = keylist_action(&st->kl, action);
        if (r != TUI_UNHANDLED)
            return r;
    }
    switch (action) {
    case ACT_OPEN:
        if (!cur)
            return TUI_HANDLED;
        id = atoll(rowset_field(cur, F_ID));
        lumen_go(st->L, SCR_LEAD, &id);
        return TUI_REDRAW;
    case ACT_CANCEL:
        return TUI_HANDLED;     /* a root tab: nothing to go back to */
    case ACT_SORT:
        keylist_set_order(&st->kl, strcmp(st->kl.order, "newest") == 0 ? "untouched" : "newest");
        return TUI_REDRAW;
    case ACT_SHOW_NEW: keylist_quick_filter(&st->kl, "status:new"); return TUI_REDRAW;
    case ACT_SHOW_MINE: keylist_quick_filter(&st->kl, "assigned:me"); return TUI_REDRAW;
    case ACT_SHOW_WAITING: keylist_quick_filter(&st->kl, "untouched:15m"); return TUI_REDRAW;
    case ACT_EXPORT:
        export_start(st->exp);
        return TUI_REDRAW;
    }
    return leadact_handles(action) ? lead_action(st, action) : TUI_UNHANDLED;
}

static bool inbox_typing(struct tui_screen *s)
{
    struct inbox *st = s->state;
    return keylist_typing(&st->kl);
}

/* --- life ------------------------------------------------------------------- */

static void export_changed(void *ud)
{
    struct inbox *st = ud;
    keylist_dirty(&st->kl);
}

static void inbox_open(struct tui_screen *s, void *arg)
{
    struct inbox *st = s->state;
    (void)arg;
    bool was_open = st->kl.granted;
    if (keylist_show(&st->kl)) {
        /* Another person or practice: their order and counts go too. */
        snprintf(st->kl.order, sizeof st->kl.order, "newest");
        st->newest_id = -1;
        st->arrived = 0;
    }
    if (was_open && st->kl.granted)
        ask_arrivals(st);
}

static void inbox_init(struct tui_screen *s)
{
    struct inbox *st = s->state;
    st->L = s->ud;
    keylist_init(&st->kl, st->L, &inbox_list, st, inbox_cols, C_COUNT, TABLE_MARKS, INBOX_PAGE);
    snprintf(st->kl.order, sizeof st->kl.order, "newest");
    leadact_init(&st->act, st->L, changed, st);
    st->exp = export_new(st->L, &inbox_export, st, export_changed);
    st->newest_id = -1;
}

static void inbox_destroy(struct tui_screen *s)
{
    struct inbox *st = s->state;
    api_cancel(st->L->db, &st->arrivals_owner);
    leadact_free(&st->act);
    export_free(&st->exp);
    keylist_free(&st->kl);
}

/* Taken off the screen (another tab, sign-out): the calls its state owns
 * are cancelled by the framework, these here; an export stops (its
 * partial file removed).  What was asked is asked again when it comes
 * back (inbox_open). */
static void inbox_removed(struct tui_screen *s)
{
    struct inbox *st = s->state;
    keylist_removed(&st->kl);
    api_cancel(st->L->db, &st->arrivals_owner);
    if (export_running(st->exp))
        export_cancel(st->exp);
}

const struct screen_ops inbox_ops = {
    .name = "inbox",
    .state_size = sizeof(struct inbox),
    .init = inbox_init,
    .open = inbox_open,
    .removed = inbox_removed,
    .layout = inbox_layout,
    .ctx = SCOPE_INBOX,
    .draw = inbox_draw,
    .draw_rows = inbox_draw_rows,
    .key = inbox_key,
    .action = inbox_action,
    .typing = inbox_typing,
    .cursor = inbox_cursor,
    .destroy = inbox_destroy,
};

void inbox_wake(struct lumen *L)
{
    struct tui_screen *s = L->screens[SCR_INBOX];
    struct inbox *st = s ? s->state : NULL;
    if (st && st->kl.granted && st->newest_id >= 0)
        ask_arrivals(st);
}

void inbox_changed(struct lumen *L)
{
    struct tui_screen *s = L->screens[SCR_INBOX];
    struct inbox *st = s ? s->state : NULL;
    if (st && st->kl.granted)
        rowset_refresh(st->kl.rs);
}
