/* The lead inbox: what the website's chatbot captured, newest first (or
 * the oldest untouched first), a screen of rows however many there are.
 *
 * Data.  A list is opened with api.leads_open (the filter in force; the
 * server audits lead.list once, here) which answers a grant; the rowset
 * (client/rowset.h) then asks api.leads_page for pages by key with that
 * grant, so paging a million leads is never a count and never an offset.
 * A new filter or order opens a new grant and re-anchors the rowset; a
 * page asked for under the old one is dropped when it lands (its gen).
 *
 * Rows.  Each row's cells are packed (rowset_field) as in enum col below,
 * with the capture time as seconds since the epoch by this machine's clock
 * (now - age_s when the page landed), so ages keep counting.
 *
 * Arrivals.  A wake-up (inbox_wake) asks api.leads_arrivals how many leads
 * are newer than the newest seen: "3 new" in the title line, and the
 * rowset told that rows may exist before its first (rowset_expect_before),
 * so going to the top shows them; the cursor never moves for them.      */
#include "screens/inbox_int.h"
#include "screens/actions.h"
#include "screens/common.h"
#include "screens/screen.h"
#include "client/filter.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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
        rowset_expect_before(st->rs);
        inbox_dirty(st);
    }
}

static void ask_arrivals(struct inbox *st)
{
    api_cancel(st->L->db, &st->arrivals_owner);
    api_leads_arrivals(st->L->db, &st->L->auth, st->newest_id, on_arrivals, st,
                       &st->arrivals_owner);
}

/* The new ones are shown: count from what is newest now. */
static void arrivals_seen(struct inbox *st)
{
    st->newest_id = -1;
    st->arrived = 0;
    ask_arrivals(st);
}

/* --- the list in force ------------------------------------------------------ */

static void on_grant(void *ud, enum api_err err, const char *grant)
{
    struct inbox *st = ud;
    st->opening = false;
    if (err != API_OK) {
        if (err != API_ERR_CANCELLED) {
            snprintf(st->err, sizeof st->err, "%s", api_err_message(err));
            lumen_call_failed(st->L, err);
            inbox_dirty(st);
        }
        return;
    }
    snprintf(st->grant, sizeof st->grant, "%s", grant);
    st->granted = true;
    if (st->reanchor) {
        st->reanchor = false;
        rowset_reload_at(st->rs, st->anchor_key, st->anchor_len, st->anchor_line);
    } else {
        rowset_reload(st->rs);
    }
    if (st->fetch_waiting) {
        st->fetch_waiting = false;
        inbox_send_page(st, &st->waiting);
    }
    arrivals_seen(st);
    inbox_dirty(st);
}

/* A new list: the filter or the order changed, or the inbox was opened. */
void inbox_open_list(struct inbox *st)
{
    api_cancel(st->L->db, st);
    api_cancel(st->L->db, &st->page_owner);
    st->granted = false;
    st->opening = true;
    st->err[0] = '\0';
    rowset_tags_clear(st->rs);
    api_leads_open(st->L->db, &st->L->auth, st->filter_json, on_grant, st, st);
}

/* The bar's text, made sense of; the last good filter stays in force when
 * it makes none (the bar says why). */
static bool apply_filter(struct inbox *st)
{
    size_t len;
    const char *text = filterbar_text(&st->fb, &len);
    struct filter f;
    struct filter_error fe;
    char json[INBOX_FILTER_JSON_MAX], err[200];
    if (filter_parse(&f, text, len, leadfilter_keys, &fe) != 0) {
        filterbar_set_error(&st->fb, fe.msg);
        return false;
    }
    if (leadfilter_json(&f, json, sizeof json, err, sizeof err) != 0) {
        filterbar_set_error(&st->fb, err);
        return false;
    }
    filterbar_set_error(&st->fb, NULL);
    if (strcmp(json, st->filter_json) == 0)
        return false;
    snprintf(st->filter_json, sizeof st->filter_json, "%s", json);
    inbox_open_list(st);
    return true;
}

/* N, M, U: a filter of one token, or none again. */
static void quick_filter(struct inbox *st, const char *token)
{
    size_t len;
    const char *text = filterbar_text(&st->fb, &len);
    bool same = strcmp(text, token) == 0;
    const struct rowset_row *cur = rowset_cursor_row(st->rs);
    struct rowset_info info;
    rowset_info(st->rs, &info);
    filterbar_open(&st->fb, cur ? cur->key : NULL, cur ? cur->key_len : 0,
                   (int)(info.cursor - info.top));
    field_set_text(&st->fb.field, same ? "" : token, same ? 0 : strlen(token));
    filterbar_accept(&st->fb);
    apply_filter(st);
}

/* --- drawing ---------------------------------------------------------------- */

static void inbox_draw(struct tui_screen *s, WINDOW *w, int h, int cols)
{
    struct inbox *st = s->state;
    st->h = h;
    st->cols = cols;
    inbox_draw_title(st, w, cols);
    inbox_draw_bar(st, w, cols);
    table_invalidate(&st->table);
    inbox_draw_table(st, w);
}

/* A move, a page landing, a tag: the title line and what changed of the
 * table; nothing else of the body is touched. */
static int inbox_draw_rows(struct tui_screen *s, WINDOW *w, int first, int last, int cols)
{
    struct inbox *st = s->state;
    (void)first, (void)last;
    inbox_draw_title(st, w, cols);
    int n = 1;
    if (filterbar_shown(&st->fb)) {
        inbox_draw_bar(st, w, cols);
        n++;
    }
    return n + inbox_draw_table(st, w);
}

static bool inbox_cursor(struct tui_screen *s, int *y, int *x)
{
    struct inbox *st = s->state;
    if (!filterbar_editing(&st->fb) || st->bar_x < 0)
        return false;
    *y = INBOX_BAR_Y;
    *x = st->bar_x;
    return true;
}

static void inbox_layout(struct tui_screen *s, int h, int cols)
{
    struct inbox *st = s->state;
    st->h = h;
    st->cols = cols;
    int rows = h - INBOX_TABLE_Y - 1;
    rowset_set_height(st->rs, rows > 1 ? rows : 1);
    table_invalidate(&st->table);
}

/* --- keys ------------------------------------------------------------------- */

/* The leads a change is about: the tagged rows, else the cursor's. */
static size_t targets(struct inbox *st, long long *ids, const char **label)
{
    size_t n = rowset_tag_count(st->rs);
    *label = NULL;
    if (n) {
        for (size_t i = 0; i < n && i < LEADACT_MAX_IDS; i++) {
            size_t len;
            const char *key = rowset_tag_key(st->rs, i, &len);
            /* Keys end in "|id" (db/API.md, api.leads_page). */
            const char *k = key;
            size_t j = len;
            while (j > 0 && k[j - 1] != '|')
                j--;
            char num[24];
            size_t m = len - j < sizeof num - 1 ? len - j : sizeof num - 1;
            memcpy(num, k + j, m);
            num[m] = '\0';
            ids[i] = strtoll(num, NULL, 10);
        }
        return n < LEADACT_MAX_IDS ? n : LEADACT_MAX_IDS;
    }
    const struct rowset_row *r = rowset_cursor_row(st->rs);
    if (!r)
        return 0;
    ids[0] = atoll(rowset_field(r, F_ID));
    *label = rowset_field(r, F_NAME);
    return 1;
}

static void changed(void *ud, int action)
{
    struct inbox *st = ud;
    (void)action;
    rowset_tags_clear(st->rs);
    rowset_refresh(st->rs);
    inbox_dirty(st);
}

static enum tui_result list_move(struct inbox *st, int action)
{
    switch (action) {
    case ACT_UP: rowset_move(st->rs, -1); break;
    case ACT_DOWN: rowset_move(st->rs, 1); break;
    case ACT_PAGE_UP: rowset_page_up(st->rs); break;
    case ACT_PAGE_DOWN: rowset_page_down(st->rs); break;
    case ACT_TOP:
        rowset_home(st->rs);
        if (!st->untouched_order && st->arrived)
            arrivals_seen(st);
        break;
    case ACT_BOTTOM: rowset_end(st->rs); break;
    default: return TUI_UNHANDLED;
    }
    inbox_dirty(st);
    return TUI_REDRAW_ROWS;
}

static void typed(void *ud)
{
    struct inbox *st = ud;
    apply_filter(st);
    tui_app_dirty(st->L->app);
}

static enum tui_result inbox_key(struct tui_screen *s, tui_key k)
{
    struct inbox *st = s->state;
    bool changed_text = false;
    if (!filterbar_editing(&st->fb))
        return TUI_UNHANDLED;
    if (!filterbar_key(&st->fb, k, &changed_text))
        return tui_key_is_text(k) ? TUI_HANDLED : TUI_UNHANDLED;
    /* Typing narrows, once the typing pauses: each filter opened is a
     * lead.list row in the audit log, not each key. */
    if (changed_text)
        lumen_timer(st->L, INBOX_TYPING_MS, typed, st);
    return TUI_REDRAW;
}

static enum tui_result filter_action(struct inbox *st, int action)
{
    const void *key;
    size_t len;
    int line;
    switch (action) {
    case ACT_OPEN:
        lumen_timer(st->L, 0, NULL, NULL);
        filterbar_accept(&st->fb);
        apply_filter(st);
        return TUI_REDRAW;
    case ACT_CANCEL:
        lumen_timer(st->L, 0, NULL, NULL);
        if (filterbar_cancel(&st->fb, &key, &len, &line) && len <= sizeof st->anchor_key) {
            memcpy(st->anchor_key, key, len);
            st->anchor_len = len;
            st->anchor_line = line;
            st->reanchor = true;
        }
        st->filter_json[0] = '\0';
        if (!apply_filter(st))
            st->reanchor = false;
        return TUI_REDRAW;
    }
    return list_move(st, action);
}

static enum tui_result inbox_action(struct tui_screen *s, int action)
{
    struct inbox *st = s->state;
    if (filterbar_editing(&st->fb))
        return filter_action(st, action);
    if (list_move(st, action) != TUI_UNHANDLED)
        return TUI_REDRAW_ROWS;
    long long ids[LEADACT_MAX_IDS];
    const char *label;
    size_t n;
    struct rowset_info info;
    const struct rowset_row *cur = rowset_cursor_row(st->rs);
    switch (action) {
    case ACT_OPEN:
        if (!cur)
            return TUI_HANDLED;
        ids[0] = atoll(rowset_field(cur, F_ID));
        lumen_go(st->L, SCR_LEAD, &ids[0]);
        return TUI_REDRAW;
    case ACT_CANCEL:
        if (inbox_export_running(st->exp)) {
            inbox_export_cancel(st->exp);
            return TUI_REDRAW;
        }
        if (filterbar_shown(&st->fb))
            return filter_action(st, ACT_CANCEL);
        if (rowset_tag_count(st->rs)) {
            rowset_tags_clear(st->rs);
            table_invalidate(&st->table);
            return TUI_REDRAW;
        }
        return TUI_HANDLED;
    case ACT_FILTER:
        rowset_info(st->rs, &info);
        filterbar_open(&st->fb, cur ? cur->key : NULL, cur ? cur->key_len : 0,
                       (int)(info.cursor - info.top));
        return TUI_REDRAW;
    case ACT_SORT:
        st->untouched_order = !st->untouched_order;
        inbox_open_list(st);
        return TUI_REDRAW;
    case ACT_SHOW_NEW: quick_filter(st, "status:new"); return TUI_REDRAW;
    case ACT_SHOW_MINE: quick_filter(st, "assigned:me"); return TUI_REDRAW;
    case ACT_SHOW_WAITING: quick_filter(st, "untouched:15m"); return TUI_REDRAW;
    case ACT_REFRESH:
        if (!st->granted)
            inbox_open_list(st);
        else
            rowset_refresh(st->rs);
        arrivals_seen(st);
        return TUI_REDRAW;
    case ACT_TAG:
        rowset_info(st->rs, &info);
        if (info.hi > info.lo) {
            rowset_tag_toggle(st->rs, info.cursor);
            table_invalidate_row(&st->table, info.cursor);
            rowset_move(st->rs, 1);
        }
        inbox_dirty(st);
        return TUI_REDRAW_ROWS;
    case ACT_EXPORT:
        inbox_export_start(st->exp, st->filter_json);
        return TUI_REDRAW;
    }
    if (!leadact_handles(action))
        return TUI_UNHANDLED;
    n = targets(st, ids, &label);
    if (!n) {
        tui_app_message(st->L->app, ROLE_STATUS, "No lead under the cursor.", 3000);
        return TUI_REDRAW;
    }
    leadact_target(&st->act, ids, n, label);
    leadact_action(&st->act, action);
    return TUI_REDRAW;
}

static bool inbox_typing(struct tui_screen *s)
{
    struct inbox *st = s->state;
    return filterbar_editing(&st->fb);
}

/* --- life ------------------------------------------------------------------- */

static void export_changed(void *ud)
{
    inbox_dirty(ud);
}

/* Another person, or another practice, since the inbox was last shown:
 * nothing of the last one stays (their filter, tags, the newest seen). */
static void reset_for(struct inbox *st, const char *who)
{
    snprintf(st->who, sizeof st->who, "%s", who);
    filterbar_free(&st->fb);
    filterbar_init(&st->fb, st->L->tf);
    st->filter_json[0] = '\0';
    st->untouched_order = false;
    st->newest_id = -1;
    st->arrived = 0;
    st->granted = false;
}

static void inbox_open(struct tui_screen *s, void *arg)
{
    struct inbox *st = s->state;
    char who[100];
    (void)arg;
    snprintf(who, sizeof who, "%s/%s", st->L->me.account_id, st->L->me.practice_id);
    if (strcmp(who, st->who) != 0)
        reset_for(st, who);
    if (!st->granted) {
        inbox_open_list(st);
    } else {
        rowset_refresh(st->rs);
        ask_arrivals(st);
    }
}

static void inbox_init(struct tui_screen *s)
{
    struct inbox *st = s->state;
    st->L = s->ud;
    struct rowset_source src = { inbox_src_fetch, inbox_src_cancel, st };
    struct rowset_config cfg = { INBOX_PAGE, 0, 0 };
    st->rs = rowset_new(&src, &cfg, 10);
    table_init(&st->table, inbox_cols, C_COUNT, TABLE_MARKS, st->L->tf);
    filterbar_init(&st->fb, st->L->tf);
    leadact_init(&st->act, st->L, changed, st);
    st->exp = inbox_export_new(st->L, export_changed, st);
    st->newest_id = -1;
}

static void inbox_destroy(struct tui_screen *s)
{
    struct inbox *st = s->state;
    api_cancel(st->L->db, &st->page_owner);
    api_cancel(st->L->db, &st->arrivals_owner);
    leadact_free(&st->act);
    inbox_export_free(&st->exp);
    rowset_free(&st->rs);
    filterbar_free(&st->fb);
}

/* Taken off the screen (another tab, sign-out): the calls its state owns
 * are cancelled by the framework, these here; an export stops (its
 * partial file removed).  What was asked is asked again when it comes
 * back (inbox_open). */
static void inbox_removed(struct tui_screen *s)
{
    struct inbox *st = s->state;
    api_cancel(st->L->db, &st->page_owner);
    api_cancel(st->L->db, &st->arrivals_owner);
    if (st->L->timer_ud == st)
        lumen_timer(st->L, 0, NULL, NULL);
    if (inbox_export_running(st->exp))
        inbox_export_cancel(st->exp);
    st->opening = false;
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
    if (st && st->granted && st->newest_id >= 0)
        ask_arrivals(st);
}

void inbox_changed(struct lumen *L)
{
    struct tui_screen *s = L->screens[SCR_INBOX];
    struct inbox *st = s ? s->state : NULL;
    if (st && st->granted)
        rowset_refresh(st->rs);
}
