/* The audit log viewer: who did what, when, from where, in a range of days
 * on the practice's clock ("1–30 Nov 2026, America/Chicago": the server
 * computes the range, DST days included, api.audit_range), filtered by
 * actor, action (a prefix such as "login."), outcome, target and text.
 *
 * The list is a keylist (screens/keylist.h) over api.audit_open (the
 * audit.view row, once per range or filter) and api.audit_page.  Above it,
 * a chart of events per day (api.audit_days, asked after the list is
 * open); Left and Right move over it and the day's count shows.  Denied
 * and failed rows are bold and reversed, so they stand out without
 * colour. */
#include "screens/audit.h"
#include "screens/actions.h"
#include "screens/common.h"
#include "screens/export.h"
#include "screens/keylist.h"
#include "screens/prompt.h"
#include "screens/screen.h"
#include "client/auditfilter.h"
#include "client/mem.h"
#include "tui/text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define AUDIT_PAGE 100
#define AUDIT_CHART_Y 2
#define AUDIT_MAX_DAYS 400

enum audit_field { F_ID, F_AT, F_ACTOR, F_ACTION, F_TARGET, F_OUTCOME, F_ORIGIN };

enum { C_AT, C_ACTOR, C_ACTION, C_TARGET, C_OUTCOME, C_ORIGIN, C_COUNT };

static const struct table_column audit_cols[C_COUNT] = {
    [C_AT] = { "Time", 16, 0, 0, TABLE_LEFT },
    [C_ACTOR] = { "Actor", 0, 3, 10, TABLE_LEFT },
    [C_ACTION] = { "Action", 0, 2, 12, TABLE_LEFT },
    [C_TARGET] = { "Target", 0, 2, 8, TABLE_LEFT },
    [C_OUTCOME] = { "Outcome", 8, 0, 0, TABLE_LEFT },
    [C_ORIGIN] = { "Reported origin", 0, 2, 8, TABLE_LEFT },
};

struct audit {
    struct lumen *L;
    struct keylist kl;
    /* The range in force. */
    char preset[16];
    char from_day[11], to_day[11];      /* custom only */
    struct api_audit_range range;
    bool range_known;
    char pending_filter[FILTER_TEXT_MAX + 1];   /* a jump's, set once the range is known */
    bool has_pending_filter;
    /* The chart. */
    long long *days;
    char (*day_names)[11];
    size_t ndays;
    size_t day;                 /* the day under the chart's marker */
    bool days_loading;
    char at[24];                /* the time text of the row drawn */
    char target[96];
    char range_owner, days_owner;
    char custom_err[200];
    struct audit_export *exp;
};

/* --- the list --------------------------------------------------------------- */

static int list_open(struct keylist *kl, const char *filter_json, api_grant_fn done, void *ud,
                     const void *owner)
{
    struct audit *st = kl->ud;
    return api_audit_open(kl->L->db, &kl->L->auth, st->range.from_at, st->range.to_at,
                          filter_json, done, ud, owner);
}

static int list_page(struct keylist *kl, const char *grant, const char *order, const char *from,
                     const char *key, int limit, api_rows_fn done, void *ud, const void *owner)
{
    (void)order;
    return api_audit_page(kl->L->db, &kl->L->auth, grant, from, key, limit, done, ud, owner);
}

static void list_pack(struct keylist *kl, const struct api_rows *rows, int i,
                      struct keylist_packer *pk)
{
    char at[40], target[200];
    lumen_format_time(kl->L, api_rows_get(rows, i, "at"), at, sizeof at);
    const char *type = api_rows_get(rows, i, "target_type"), *id = api_rows_get(rows, i, "target_id");
    snprintf(target, sizeof target, "%s%s%s", type, type[0] && id[0] ? ":" : "", id);
    keylist_put(pk, api_rows_get(rows, i, "id"));
    keylist_put(pk, at);
    keylist_put(pk, api_rows_get(rows, i, "actor_email"));
    keylist_put(pk, api_rows_get(rows, i, "action"));
    keylist_put(pk, target);
    keylist_put(pk, api_rows_get(rows, i, "outcome"));
    keylist_put(pk, api_rows_get(rows, i, "reported_origin"));
}

static unsigned list_cells(struct keylist *kl, const struct rowset_row *r, int64_t pos,
                           struct table_cell *c)
{
    (void)kl, (void)pos;
    const char *outcome = rowset_field(r, F_OUTCOME);
    c[C_AT].text = rowset_field(r, F_AT);
    c[C_ACTOR].text = rowset_field(r, F_ACTOR);
    c[C_ACTION].text = rowset_field(r, F_ACTION);
    c[C_TARGET].text = rowset_field(r, F_TARGET);
    c[C_OUTCOME].text = outcome;
    /* A denial or a failure stands out in bold and reverse, not colour only. */
    if (strcmp(outcome, "success") != 0) {
        c[C_OUTCOME].attr = A_BOLD | A_REVERSE;
        c[C_ACTION].attr = A_BOLD;
    }
    c[C_ORIGIN].text = rowset_field(r, F_ORIGIN);
    return 0;
}

static int list_filter(const char *text, size_t len, char *json, size_t cap, char *err,
                       size_t errlen)
{
    char buf[FILTER_TEXT_MAX + 1];
    if (len > FILTER_TEXT_MAX)
        len = FILTER_TEXT_MAX;
    memcpy(buf, text, len);
    buf[len] = '\0';
    return auditfilter_from_text(buf, json, cap, err, errlen);
}

static void on_days(void *ud, enum api_err err, const struct api_audit_day *d, size_t n)
{
    struct audit *st = ud;
    st->days_loading = false;
    if (err != API_OK) {
        if (err != API_ERR_CANCELLED)
            lumen_call_failed(st->L, err);
        return;
    }
    if (n > AUDIT_MAX_DAYS)
        n = AUDIT_MAX_DAYS;
    free(st->days);
    free(st->day_names);
    st->days = mem_alloc((n ? n : 1) * sizeof *st->days);
    st->day_names = mem_alloc((n ? n : 1) * sizeof *st->day_names);
    for (size_t i = 0; i < n; i++) {
        st->days[i] = d[i].events;
        snprintf(st->day_names[i], sizeof st->day_names[i], "%s", d[i].day);
    }
    st->ndays = n;
    st->day = n ? n - 1 : 0;
    tui_app_dirty(st->L->app);
}

static void list_opened(struct keylist *kl)
{
    struct audit *st = kl->ud;
    api_cancel(st->L->db, &st->days_owner);
    st->days_loading = true;
    api_audit_days(st->L->db, &st->L->auth, kl->grant, on_days, st, &st->days_owner);
}

static const struct keylist_ops audit_list = {
    .open = list_open,
    .page = list_page,
    .pack = list_pack,
    .cells = list_cells,
    .filter = list_filter,
    .opened = list_opened,
    .bar_lead = "Every row.",
    .bar_tail = ": actor:, action:login., outcome:denied, target:lead:12, text.",
    .empty = "No events in this range.",
    .empty_filtered = "No event matches the filter in this range (Esc clears it).",
};

/* --- the range -------------------------------------------------------------- */

static void on_range(void *ud, enum api_err err, const struct api_audit_range *r)
{
    struct audit *st = ud;
    if (err != API_OK) {
        if (err != API_ERR_CANCELLED) {
            snprintf(st->kl.err, sizeof st->kl.err, "%s", err == API_ERR_INVALID
                     ? "That range cannot be shown (at most 400 days, the first day first)."
                     : api_err_message(err));
            lumen_call_failed(st->L, err);
            tui_app_dirty(st->L->app);
        }
        return;
    }
    st->range = *r;
    st->range_known = true;
    st->ndays = 0;
    if (st->has_pending_filter) {
        st->has_pending_filter = false;
        if (keylist_set_filter(&st->kl, st->pending_filter))
            return;
    }
    keylist_open_list(&st->kl);
    tui_app_dirty(st->L->app);
}

static void ask_range(struct audit *st, const char *preset, const char *from, const char *to)
{
    snprintf(st->preset, sizeof st->preset, "%s", preset);
    snprintf(st->from_day, sizeof st->from_day, "%s", from ? from : "");
    snprintf(st->to_day, sizeof st->to_day, "%s", to ? to : "");
    api_cancel(st->L->db, &st->range_owner);
    api_audit_range(st->L->db, &st->L->auth, preset, from, to, on_range, st, &st->range_owner);
}

static const char *custom_submit(void *ud, struct form *fm, size_t *which)
{
    struct audit *st = ud;
    size_t len;
    const char *text = field_text(form_field(fm, 0), &len);
    char buf[64], from[11], to[11];
    *which = 0;
    snprintf(buf, sizeof buf, "%.*s", (int)(len < sizeof buf ? len : sizeof buf - 1), text);
    if (auditfilter_range(buf, from, to, st->custom_err, sizeof st->custom_err) != 0)
        return st->custom_err;
    ask_range(st, "custom", from, to);
    return NULL;
}

static void ask_custom(struct audit *st)
{
    char now[32] = "";
    if (st->range_known)
        snprintf(now, sizeof now, "%s..%s", st->range.first_day, st->range.last_day);
    struct prompt_req q = {
        .title = "Range of days",
        .text = "The days to show, on the practice's clock: one day (2026-11-03) or the "
                "first and the last (2026-11-01..2026-11-15), at most 400 days.",
        .fields = { { "Days", 0, 30, now, NULL } },
        .nfields = 1,
        .submit = custom_submit,
        .ud = st,
    };
    prompt_ask(st->L, &q);
}

/* "1–30 Nov 2026", "28 Oct – 3 Nov 2026", "3 Nov 2026". */
static void range_text(const struct audit *st, char *buf, size_t size)
{
    static const char *const mon[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug",
                                       "Sep", "Oct", "Nov", "Dec" };
    int y1, m1, d1, y2, m2, d2;
    const char *dash = st->L->tf & TEXT_ASCII ? "-" : "\xe2\x80\x93";
    if (sscanf(st->range.first_day, "%d-%d-%d", &y1, &m1, &d1) != 3 ||
        sscanf(st->range.last_day, "%d-%d-%d", &y2, &m2, &d2) != 3 ||
        m1 < 1 || m1 > 12 || m2 < 1 || m2 > 12) {
        snprintf(buf, size, "%s..%s", st->range.first_day, st->range.last_day);
        return;
    }
    if (y1 == y2 && m1 == m2 && d1 == d2)
        snprintf(buf, size, "%d %s %d", d1, mon[m1 - 1], y1);
    else if (y1 == y2 && m1 == m2)
        snprintf(buf, size, "%d%s%d %s %d", d1, dash, d2, mon[m1 - 1], y1);
    else if (y1 == y2)
        snprintf(buf, size, "%d %s %s %d %s %d", d1, mon[m1 - 1], dash, d2, mon[m2 - 1], y1);
    else
        snprintf(buf, size, "%d %s %d %s %d %s %d", d1, mon[m1 - 1], y1, dash, d2, mon[m2 - 1], y2);
}

/* --- drawing ---------------------------------------------------------------- */

static void draw_title(struct audit *st, WINDOW *w, int cols)
{
    char line[600], pos[96], range[96] = "...";
    if (st->range_known)
        range_text(st, range, sizeof range);
    keylist_position(&st->kl, pos, sizeof pos);
    snprintf(line, sizeof line, " Audit log, %s, %s%s", range,
             st->range_known ? st->range.timezone : st->L->me.timezone, pos);
    wattrset(w, theme_attr(ROLE_TITLE));
    tui_put(w, 0, 0, cols, line, st->L->tf);
    char exp[200];
    export_text(audit_export_job(st->exp), exp, sizeof exp);
    const char *right = exp[0] ? exp : st->kl.err[0] ? st->kl.err
                      : st->kl.opening ? "loading... " : NULL;
    if (right) {
        int rw = (int)text_width(right);
        if (rw > cols / 2)
            rw = cols / 2;
        wattrset(w, theme_attr(st->kl.err[0] ? ROLE_ERROR : ROLE_DIM) | A_BOLD);
        tui_put(w, 0, cols - rw, rw, right, st->L->tf);
    }
    wattrset(w, theme_attr(ROLE_NORMAL));
}

/* The chart: one cell per day (or per group of days when the range is
 * wider than the line), eight heights; the marked day's count at the end. */
static void draw_chart(struct audit *st, WINDOW *w, int cols)
{
    static const char *const bars[] = { " ", "\xe2\x96\x81", "\xe2\x96\x82", "\xe2\x96\x83",
                                        "\xe2\x96\x84", "\xe2\x96\x85", "\xe2\x96\x86",
                                        "\xe2\x96\x87", "\xe2\x96\x88" };
    static const char ascii[] = " .:-=+*#@";
    wattrset(w, theme_attr(ROLE_NORMAL));
    mvwhline(w, AUDIT_CHART_Y, 0, ' ', cols);
    if (!st->ndays) {
        wattrset(w, theme_attr(ROLE_DIM));
        tui_put(w, AUDIT_CHART_Y, 1, cols - 2, st->days_loading ? "counting events per day..."
                                                                  : "", st->L->tf);
        wattrset(w, theme_attr(ROLE_NORMAL));
        return;
    }
    int width = cols - 34;
    if (width < 8)
        width = 8;
    size_t per = (st->ndays + (size_t)width - 1) / (size_t)width;
    size_t cells = (st->ndays + per - 1) / per;
    long long max = 1;
    for (size_t i = 0; i < cells; i++) {
        long long sum = 0;
        for (size_t j = i * per; j < st->ndays && j < (i + 1) * per; j++)
            sum += st->days[j];
        if (sum > max)
            max = sum;
    }
    bool ascii_only = st->L->tf & TEXT_ASCII;
    wmove(w, AUDIT_CHART_Y, 1);
    for (size_t i = 0; i < cells; i++) {
        long long sum = 0;
        for (size_t j = i * per; j < st->ndays && j < (i + 1) * per; j++)
            sum += st->days[j];
        int hgt = sum ? 1 + (int)(sum * 7 / max) : 0;
        bool marked = st->day / per == i;
        wattrset(w, theme_attr(marked ? ROLE_SELECTED : ROLE_TITLE));
        if (ascii_only)
            waddch(w, (chtype)(unsigned char)ascii[hgt]);
        else
            waddstr(w, bars[hgt]);
    }
    char note[96];
    snprintf(note, sizeof note, "  %s: %lld event%s", st->day_names[st->day], st->days[st->day],
             st->days[st->day] == 1 ? "" : "s");
    wattrset(w, theme_attr(ROLE_DIM));
    int x = 1 + (int)cells;
    tui_put(w, AUDIT_CHART_Y, x, cols - x, note, st->L->tf);
    wattrset(w, theme_attr(ROLE_NORMAL));
}

static void audit_draw(struct tui_screen *s, WINDOW *w, int h, int cols)
{
    struct audit *st = s->state;
    st->kl.h = h;
    st->kl.cols = cols;
    draw_title(st, w, cols);
    draw_chart(st, w, cols);
    keylist_draw(&st->kl, w, true);
}

static int audit_draw_rows(struct tui_screen *s, WINDOW *w, int first, int last, int cols)
{
    struct audit *st = s->state;
    (void)first, (void)last;
    draw_title(st, w, cols);
    return 1 + keylist_draw(&st->kl, w, false);
}

static bool audit_cursor(struct tui_screen *s, int *y, int *x)
{
    struct audit *st = s->state;
    return keylist_cursor(&st->kl, y, x);
}

static void audit_layout(struct tui_screen *s, int h, int cols)
{
    struct audit *st = s->state;
    keylist_layout(&st->kl, h, cols);
}

/* --- keys ------------------------------------------------------------------- */

static enum tui_result audit_key(struct tui_screen *s, tui_key k)
{
    struct audit *st = s->state;
    return keylist_key(&st->kl, k);
}

static const struct { int action; const char *preset; } presets[] = {
    { ACT_RANGE_TODAY, "today" }, { ACT_RANGE_YESTERDAY, "yesterday" },
    { ACT_RANGE_WEEK, "last7" }, { ACT_RANGE_30, "last30" },
    { ACT_RANGE_MONTH, "this_month" }, { ACT_RANGE_LAST_MONTH, "last_month" },
};

static enum tui_result audit_action(struct tui_screen *s, int action)
{
    struct audit *st = s->state;
    const struct rowset_row *cur = rowset_cursor_row(st->kl.rs);
    /* Esc stops an export before it clears anything. */
    if (action == ACT_CANCEL && export_running(audit_export_job(st->exp)) &&
        !keylist_typing(&st->kl)) {
        export_cancel(audit_export_job(st->exp));
        return TUI_REDRAW;
    }
    if (keylist_typing(&st->kl) || action != ACT_OPEN) {
        enum tui_result r = keylist_action(&st->kl, action);
        if (r != TUI_UNHANDLED)
            return r;
    }
    for (size_t i = 0; i < sizeof presets / sizeof presets[0]; i++)
        if (action == presets[i].action) {
            ask_range(st, presets[i].preset, NULL, NULL);
            return TUI_REDRAW;
        }
    struct audit_row_ref ref;
    switch (action) {
    case ACT_OPEN:
        if (!cur || !st->kl.granted)
            return TUI_HANDLED;
        ref.grant = st->kl.grant;
        ref.id = atoll(rowset_field(cur, F_ID));
        lumen_go(st->L, SCR_AUDIT_ROW, &ref);
        return TUI_REDRAW;
    case ACT_CANCEL:
        return TUI_HANDLED;
    case ACT_RANGE:
        ask_custom(st);
        return TUI_REDRAW;
    case ACT_DAY_PREV:
        if (st->day > 0)
            st->day--;
        return TUI_REDRAW;
    case ACT_DAY_NEXT:
        if (st->day + 1 < st->ndays)
            st->day++;
        return TUI_REDRAW;
    case ACT_EXPORT_AUDIT:
        if (!st->range_known)
            return TUI_HANDLED;
        export_start(audit_export_job(st->exp));
        return TUI_REDRAW;
    }
    return TUI_UNHANDLED;
}

static bool audit_typing(struct tui_screen *s)
{
    struct audit *st = s->state;
    return keylist_typing(&st->kl);
}

/* --- life ------------------------------------------------------------------- */

static void audit_open(struct tui_screen *s, void *arg)
{
    struct audit *st = s->state;
    const struct audit_jump *j = arg;
    if (!keylist_same_person(&st->kl)) {
        st->range_known = false;
        st->ndays = 0;
    }
    if (j) {
        snprintf(st->pending_filter, sizeof st->pending_filter, "%s", j->filter ? j->filter : "");
        st->has_pending_filter = true;
        ask_range(st, "custom", j->from_day, j->to_day);
    } else if (!st->range_known) {
        ask_range(st, "last30", NULL, NULL);
    } else {
        keylist_show(&st->kl);
    }
}

static void export_changed(void *ud)
{
    struct audit *st = ud;
    keylist_dirty(&st->kl);
}

static void audit_init(struct tui_screen *s)
{
    struct audit *st = s->state;
    st->L = s->ud;
    keylist_init(&st->kl, st->L, &audit_list, st, audit_cols, C_COUNT, 0, AUDIT_PAGE);
    st->kl.table_y = AUDIT_CHART_Y + 1;
    snprintf(st->kl.order, sizeof st->kl.order, "newest");
    st->exp = audit_export_new(st->L, &st->range, st->kl.filter_json, export_changed, st);
}

static void audit_removed(struct tui_screen *s)
{
    struct audit *st = s->state;
    keylist_removed(&st->kl);
    api_cancel(st->L->db, &st->range_owner);
    api_cancel(st->L->db, &st->days_owner);
    st->days_loading = false;
    if (export_running(audit_export_job(st->exp)))
        export_cancel(audit_export_job(st->exp));
}

static void audit_destroy(struct tui_screen *s)
{
    struct audit *st = s->state;
    api_cancel(st->L->db, &st->range_owner);
    api_cancel(st->L->db, &st->days_owner);
    audit_export_free(&st->exp);
    keylist_free(&st->kl);
    free(st->days);
    free(st->day_names);
}

const struct screen_ops audit_ops = {
    .name = "audit",
    .state_size = sizeof(struct audit),
    .init = audit_init,
    .open = audit_open,
    .removed = audit_removed,
    .layout = audit_layout,
    .ctx = SCOPE_AUDIT,
    .draw = audit_draw,
    .draw_rows = audit_draw_rows,
    .key = audit_key,
    .action = audit_action,
    .typing = audit_typing,
    .cursor = audit_cursor,
    .destroy = audit_destroy,
};
