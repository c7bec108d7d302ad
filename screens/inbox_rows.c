/* The inbox's rows: pages asked of api.leads_page for the rowset, packed
 * into rowset rows, and drawn by the table with the title and filter
 * lines (screens/inbox.c has the keys and the list in force). */
#include "screens/inbox_int.h"
#include "screens/actions.h"
#include "screens/common.h"
#include "tui/text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

const struct table_column inbox_cols[C_COUNT] = {
    [C_AGE] = { "Age", 5, 0, 0, TABLE_RIGHT },
    [C_STATUS] = { "Status", 14, 0, 0, TABLE_LEFT },
    [C_NAME] = { "Name", 0, 3, 10, TABLE_LEFT },
    [C_SERVICE] = { "Service", 0, 3, 8, TABLE_LEFT },
    [C_PHONE] = { "Phone", 16, 0, 0, TABLE_LEFT },
    [C_ASSIGNED] = { "Assigned", 0, 2, 8, TABLE_LEFT },
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

void inbox_dirty(struct inbox *st)
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
        /* The grant is gone (12 hours, another practice chosen meanwhile):
         * the list is opened again, from the top. */
        enum rowset_answer taken = rowset_fail(st->rs, gen);
        if (err == API_ERR_INVALID && taken == ROWSET_TAKEN && !st->reopened) {
            st->reopened = true;        /* once: a page that still fails is said */
            inbox_open_list(st);
            return;
        }
        if (taken == ROWSET_TAKEN) {
            snprintf(st->err, sizeof st->err, "%s", api_err_message(err));
            lumen_call_failed(st->L, err);
            inbox_dirty(st);
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
    st->reopened = false;
    rowset_deliver(st->rs, gen, out, n, more);
    free(out);
    free(buf);
    inbox_dirty(st);
}

void inbox_send_page(struct inbox *st, const struct rowset_request *req)
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

void inbox_src_fetch(void *ud, const struct rowset_request *req)
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
    inbox_send_page(st, req);
}

void inbox_src_cancel(void *ud, uint64_t gen)
{
    struct inbox *st = ud;
    (void)gen;
    st->fetch_waiting = false;
    api_cancel(st->L->db, &st->page_owner);
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

unsigned inbox_row_cells(void *ud, int64_t pos, struct table_cell *c)
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

void inbox_draw_title(struct inbox *st, WINDOW *w, int cols)
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

int inbox_draw_table(struct inbox *st, WINDOW *w)
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
    return table_draw(&st->table, w, &rect, &view, inbox_row_cells, st);
}

void inbox_draw_bar(struct inbox *st, WINDOW *w, int cols)
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

