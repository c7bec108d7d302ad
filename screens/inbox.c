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
#include "screens/inbox.h"
#include "screens/actions.h"
#include "screens/common.h"
#include "screens/leadact.h"
#include "screens/screen.h"
#include "client/filter.h"
#include "client/leadfilter.h"
#include "client/rowset.h"
#include "tui/filterbar.h"
#include "tui/table.h"
#include "tui/text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define INBOX_TITLE_Y 0
#define INBOX_BAR_Y 1
#define INBOX_TABLE_Y 2
#define INBOX_PAGE 100
#define INBOX_FILTER_JSON_MAX 4096
#define INBOX_TYPING_MS 300

enum col { F_ID, F_CAPTURED, F_STATUS, F_NAME, F_SERVICE, F_PHONE, F_ASSIGNED, F_TOUCHED,
           F_COUNT };

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
    struct rowset *rs;
    struct table table;
    struct filterbar fb;
    struct leadact act;
    struct inbox_export *exp;
    bool opened;
    /* The list in force: its filter, order and grant. */
    char filter_json[INBOX_FILTER_JSON_MAX];
    bool untouched_order;
    char grant[API_GRANT_HEX + 1];
    bool granted;
    bool opening;               /* api.leads_open under way */
    bool fetch_waiting;         /* the rowset asked before the grant came */
    struct rowset_request waiting;
    unsigned char waiting_key[ROWSET_KEY_MAX];
    /* Re-anchoring on a row once the new list is open (Esc in the bar). */
    bool reanchor;
    unsigned char anchor_key[ROWSET_KEY_MAX];
    size_t anchor_len;
    int anchor_line;
    /* Arrivals. */
    long long newest_id;        /* -1: not known yet */
    int arrived;
    char err[200];
    int h, cols;
    int bar_x;                  /* the filter's text cursor, -1: none */
    char page_owner, arrivals_owner;
    char cells[C_COUNT][32];    /* the age and status texts of the row drawn */
};

/* One page call: the generation it answers, for the rowset. */
struct page_call {
    struct inbox *st;
    uint64_t gen;
    enum rowset_from from;
};

static const char *const from_names[] = {
    [ROWSET_FIRST] = "first", [ROWSET_LAST] = "last", [ROWSET_AFTER] = "after",
    [ROWSET_BEFORE] = "before", [ROWSET_AT] = "at",
};

static void dirty_list(struct inbox *st)
{
    tui_app_dirty_rows(st->L->app, 0, st->h > 0 ? st->h : TUI_MAX_BODY_ROWS);
}

/* --- pages ------------------------------------------------------------------ */

static void pack(char **p, char *end, const char *s)
{
    size_t n = strlen(s);
    if (*p + n + 1 > end)
        n = (size_t)(end - *p) - 1;
    memcpy(*p, s, n);
    (*p)[n] = '\0';
    *p += n + 1;
}

static void on_page(void *ud, enum api_err err, const struct api_rows *rows)
{
    struct page_call *c = ud;
    struct inbox *st = c->st;
    uint64_t gen = c->gen;
    free(c);
    if (err != API_OK) {
        if (err == API_ERR_CANCELLED)
            return;
        if (rowset_fail(st->rs, gen) == ROWSET_TAKEN) {
            snprintf(st->err, sizeof st->err, "%s", api_err_message(err));
            lumen_call_failed(st->L, err);
            dirty_list(st);
        }
        return;
    }
    size_t n = (size_t)rows->n;
    bool more = n > INBOX_PAGE;
    if (more)
        n = INBOX_PAGE;
    struct rowset_row *out = calloc(n ? n : 1, sizeof *out);
    char *buf = NULL;
    size_t cap = 0;
    for (size_t i = 0; i < n; i++)
        cap += 64 + strlen(api_rows_get(rows, (int)i, "name")) +
               strlen(api_rows_get(rows, (int)i, "service")) +
               strlen(api_rows_get(rows, (int)i, "phone")) +
               strlen(api_rows_get(rows, (int)i, "assigned_name")) +
               strlen(api_rows_get(rows, (int)i, "status")) +
               strlen(api_rows_get(rows, (int)i, "key")) + 40;
    buf = malloc(cap ? cap : 1);
    if (!out || !buf) {
        free(out);
        free(buf);
        rowset_fail(st->rs, gen);
        return;
    }
    char *p = buf, *end = buf + cap;
    time_t now = time(NULL);
    for (size_t i = 0; i < n; i++) {
        /* Rows come in display order: the server flips last/before pages. */
        int r = (int)i;
        const char *key = api_rows_get(rows, r, "key");
        char *k = p;
        pack(&p, end, key);
        out[i].key = k;
        out[i].key_len = strlen(k);
        out[i].data = p;
        char captured[24];
        snprintf(captured, sizeof captured, "%lld",
                 (long long)now - atoll(api_rows_get(rows, r, "age_s")));
        pack(&p, end, api_rows_get(rows, r, "id"));
        pack(&p, end, captured);
        pack(&p, end, api_rows_get(rows, r, "status"));
        pack(&p, end, api_rows_get(rows, r, "name"));
        pack(&p, end, api_rows_get(rows, r, "service"));
        pack(&p, end, api_rows_get(rows, r, "phone"));
        pack(&p, end, api_rows_get(rows, r, "assigned_name"));
        pack(&p, end, api_rows_get(rows, r, "touched"));
        out[i].len = (size_t)(p - out[i].data);
    }
    st->err[0] = '\0';
    rowset_deliver(st->rs, gen, out, n, more);
    free(out);
    free(buf);
    dirty_list(st);
}

static void send_page(struct inbox *st, const struct rowset_request *req)
{
    struct page_call *c = malloc(sizeof *c);
    if (!c) {
        rowset_fail(st->rs, req->gen);
        return;
    }
    *c = (struct page_call){ st, req->gen, req->from };
    char key[ROWSET_KEY_MAX + 1] = "";
    if (req->key && req->key_len) {
        memcpy(key, req->key, req->key_len);
        key[req->key_len] = '\0';
    }
    if (api_leads_page(st->L->db, &st->L->auth, st->grant,
                       st->untouched_order ? "untouched" : "newest", from_names[req->from],
                       key[0] ? key : NULL, INBOX_PAGE + 1, on_page, c, &st->page_owner) != 0) {
        free(c);
        rowset_fail(st->rs, req->gen);
    }
}

static void src_fetch(void *ud, const struct rowset_request *req)
{
    struct inbox *st = ud;
    if (!st->granted) {
        /* Asked again once the list is open (on_grant). */
        st->fetch_waiting = true;
        st->waiting = *req;
        size_t n = req->key_len < ROWSET_KEY_MAX ? req->key_len : ROWSET_KEY_MAX;
        if (req->key && n)
            memcpy(st->waiting_key, req->key, n);
        st->waiting.key = st->waiting_key;
        st->waiting.key_len = req->key ? n : 0;
        return;
    }
    send_page(st, req);
}

static void src_cancel(void *ud, uint64_t gen)
{
    struct inbox *st = ud;
    (void)gen;
    st->fetch_waiting = false;
    api_cancel(st->L->db, &st->page_owner);
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
        rowset_expect_before(st->rs);
        dirty_list(st);
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
            dirty_list(st);
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
        send_page(st, &st->waiting);
    }
    arrivals_seen(st);
    dirty_list(st);
}

/* A new list: the filter or the order changed, or the inbox was opened. */
static void open_list(struct inbox *st)
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
    open_list(st);
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
    if (strcmp(s, "new") == 0) return "new";
    if (strcmp(s, "contacted") == 0) return "contacted";
    if (strcmp(s, "booked") == 0) return "booked";
    if (strcmp(s, "not_interested") == 0) return "not interested";
    if (strcmp(s, "spam") == 0) return "spam";
    return s;
}

static unsigned row_cells(void *ud, int64_t pos, struct table_cell *c)
{
    struct inbox *st = ud;
    const struct rowset_row *r = rowset_get(st->rs, pos);
    if (!r)
        return TABLE_ROW_MISSING;
    long long age = (long long)time(NULL) - atoll(rowset_field(r, F_CAPTURED));
    const char *status = rowset_field(r, F_STATUS);
    age_text(st->cells[C_AGE], sizeof st->cells[C_AGE], age);
    c[C_AGE].text = st->cells[C_AGE];
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
    return rowset_tagged(st->rs, pos) ? TABLE_ROW_TAGGED : 0;
}

static void commas(char *buf, size_t size, long long n)
{
    char raw[32];
    snprintf(raw, sizeof raw, "%lld", n);
    size_t len = strlen(raw), j = 0;
    for (size_t i = 0; i < len && j + 2 < size; i++) {
        if (i && (len - i) % 3 == 0)
            buf[j++] = ',';
        buf[j++] = raw[i];
    }
    buf[j] = '\0';
}

static void draw_title(struct inbox *st, WINDOW *w, int cols)
{
    struct rowset_info info;
    rowset_info(st->rs, &info);
    char line[600], pos[96] = "", exp[200];
    if (info.hi > info.lo && info.from_start) {
        char a[32], b[32];
        commas(a, sizeof a, info.cursor + 1);
        commas(b, sizeof b, info.known);
        snprintf(pos, sizeof pos, "  %s of %s%s", a, b, info.end_seen ? "" : "+");
    }
    snprintf(line, sizeof line, " Inbox, %s%s", st->untouched_order
             ? "oldest untouched first" : "newest first", pos);
    if (rowset_tag_count(st->rs)) {
        size_t l = strlen(line);
        snprintf(line + l, sizeof line - l, "  %zu tagged", rowset_tag_count(st->rs));
    }
    wattrset(w, theme_attr(ROLE_TITLE));
    tui_put(w, INBOX_TITLE_Y, 0, cols, line, st->L->tf);
    /* What the user must notice, at the right: arrivals, an export, trouble. */
    inbox_export_text(st->exp, exp, sizeof exp);
    const char *right = NULL;
    enum theme_role role = ROLE_OK;
    char arrived[64];
    if (exp[0]) {
        right = exp;
    } else if (st->err[0]) {
        right = st->err;
        role = ROLE_ERROR;
    } else if (st->arrived > 0) {
        snprintf(arrived, sizeof arrived, "%d%s new (g shows them) ", st->arrived,
                 st->arrived >= 1000 ? "+" : "");
        right = arrived;
    } else if (st->opening || info.loading) {
        right = "loading... ";
        role = ROLE_DIM;
    }
    if (right) {
        int rw = (int)text_width(right);
        if (rw > cols / 2)
            rw = cols / 2;
        wattrset(w, theme_attr(role) | A_BOLD);
        tui_put(w, INBOX_TITLE_Y, cols - rw, rw, right, st->L->tf);
    }
    wattrset(w, theme_attr(ROLE_NORMAL));
}

static int draw_table(struct inbox *st, WINDOW *w)
{
    struct rowset_info info;
    rowset_info(st->rs, &info);
    struct table_rect rect = { INBOX_TABLE_Y, 0, st->h - INBOX_TABLE_Y, st->cols };
    struct table_view view = { 0 };
    if (info.hi > info.lo) {
        view.first = info.top;
        int64_t left = info.hi - info.top;
        view.rows = left < info.height ? (int)left : info.height;
        view.cursor = info.cursor;
        view.has_cursor = true;
    }
    view.version = rowset_version(st->rs);
    view.empty = st->opening || info.loading ? "Loading..."
               : info.failed ? "Could not load the leads (r tries again)."
               : filterbar_shown(&st->fb) ? "No lead matches the filter (Esc clears it)."
               : "No leads yet.";
    return table_draw(&st->table, w, &rect, &view, row_cells, st);
}

static void draw_bar(struct inbox *st, WINDOW *w, int cols)
{
    st->bar_x = -1;
    if (filterbar_shown(&st->fb)) {
        st->bar_x = filterbar_draw(&st->fb, w, INBOX_BAR_Y, 0, cols);
        return;
    }
    char keys[64] = "", line[200];
    common_key_name(st->L, ACT_FILTER, false, keys, sizeof keys);
    snprintf(line, sizeof line, " All leads. %s filters; N new, M mine, U waiting over 15 min.",
             keys);
    wattrset(w, theme_attr(ROLE_DIM));
    tui_put(w, INBOX_BAR_Y, 0, cols, line, st->L->tf);
    wattrset(w, theme_attr(ROLE_NORMAL));
}

static void inbox_draw(struct tui_screen *s, WINDOW *w, int h, int cols)
{
    struct inbox *st = s->state;
    st->h = h;
    st->cols = cols;
    draw_title(st, w, cols);
    draw_bar(st, w, cols);
    table_invalidate(&st->table);
    draw_table(st, w);
}

/* A move, a page landing, a tag: the title line and what changed of the
 * table; nothing else of the body is touched. */
static int inbox_draw_rows(struct tui_screen *s, WINDOW *w, int first, int last, int cols)
{
    struct inbox *st = s->state;
    (void)first, (void)last;
    draw_title(st, w, cols);
    int n = 1;
    if (filterbar_shown(&st->fb)) {
        draw_bar(st, w, cols);
        n++;
    }
    return n + draw_table(st, w);
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
    dirty_list(st);
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
    dirty_list(st);
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
        open_list(st);
        return TUI_REDRAW;
    case ACT_SHOW_NEW: quick_filter(st, "status:new"); return TUI_REDRAW;
    case ACT_SHOW_MINE: quick_filter(st, "assigned:me"); return TUI_REDRAW;
    case ACT_SHOW_WAITING: quick_filter(st, "untouched:15m"); return TUI_REDRAW;
    case ACT_REFRESH:
        if (!st->granted)
            open_list(st);
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
        dirty_list(st);
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
    dirty_list(ud);
}

static void inbox_open(struct tui_screen *s, void *arg)
{
    struct inbox *st = s->state;
    (void)arg;
    if (!st->opened || !st->granted) {
        st->opened = true;
        open_list(st);
    } else {
        rowset_refresh(st->rs);
        ask_arrivals(st);
    }
}

static void inbox_init(struct tui_screen *s)
{
    struct inbox *st = s->state;
    st->L = s->ud;
    struct rowset_source src = { src_fetch, src_cancel, st };
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
