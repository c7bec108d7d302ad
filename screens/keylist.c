/* The keyset list screens' machinery (screens/keylist.h). */
#include "screens/keylist.h"
#include "screens/actions.h"
#include "screens/common.h"
#include "tui/text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One page call: the generation it answers, for the rowset. */
struct page_call {
    struct keylist *kl;
    uint64_t gen;
};

static const char *const from_names[] = {
    [ROWSET_FIRST] = "first", [ROWSET_LAST] = "last", [ROWSET_AFTER] = "after",
    [ROWSET_BEFORE] = "before", [ROWSET_AT] = "at",
};

void keylist_dirty(struct keylist *kl)
{
    tui_app_dirty_rows(kl->L->app, 0, kl->h > 0 ? kl->h : TUI_MAX_BODY_ROWS);
}

void keylist_put(struct keylist_packer *pk, const char *s)
{
    if (!s)
        s = "";
    size_t n = strlen(s);
    if (pk->p + n + 1 > pk->end)
        n = (size_t)(pk->end - pk->p) - 1;
    memcpy(pk->p, s, n);
    pk->p[n] = '\0';
    pk->p += n + 1;
}

/* --- pages ------------------------------------------------------------------ */

static size_t row_bytes(const struct api_rows *rows, int i)
{
    size_t n = 64;
    int cols = PQnfields(rows->res);
    for (int c = 0; c < cols; c++)
        n += (size_t)PQgetlength(rows->res, i, c) + 24;
    return n;
}

static void on_page(void *ud, enum api_err err, const struct api_rows *rows)
{
    struct page_call *c = ud;
    struct keylist *kl = c->kl;
    uint64_t gen = c->gen;
    free(c);
    if (err == API_ERR_CANCELLED)
        return;
    if (err != API_OK) {
        enum rowset_answer taken = rowset_fail(kl->rs, gen);
        /* The grant is gone (its 12 hours, another practice chosen): the
         * list is opened again, once; a page that still fails is said. */
        if (err == API_ERR_INVALID && taken == ROWSET_TAKEN && !kl->reopened) {
            kl->reopened = true;
            keylist_open_list(kl);
            return;
        }
        if (taken == ROWSET_TAKEN) {
            snprintf(kl->err, sizeof kl->err, "%s", api_err_message(err));
            lumen_call_failed(kl->L, err);
            keylist_dirty(kl);
        }
        return;
    }
    size_t n = (size_t)rows->n;
    bool more = n > (size_t)kl->page_rows;
    if (more)
        n = (size_t)kl->page_rows;
    size_t cap = 1;
    for (size_t i = 0; i < n; i++)
        cap += row_bytes(rows, (int)i);
    struct rowset_row *out = calloc(n ? n : 1, sizeof *out);
    char *buf = malloc(cap);
    if (!out || !buf) {
        free(out);
        free(buf);
        rowset_fail(kl->rs, gen);
        return;
    }
    struct keylist_packer pk = { buf, buf + cap };
    for (size_t i = 0; i < n; i++) {
        /* Rows come in display order: the server flips last/before pages. */
        out[i].key = pk.p;
        keylist_put(&pk, api_rows_get(rows, (int)i, "key"));
        out[i].key_len = strlen(out[i].key);
        out[i].data = pk.p;
        kl->ops->pack(kl, rows, (int)i, &pk);
        out[i].len = (size_t)(pk.p - out[i].data);
    }
    kl->err[0] = '\0';
    kl->reopened = false;
    rowset_deliver(kl->rs, gen, out, n, more);
    free(out);
    free(buf);
    keylist_dirty(kl);
}

static void send_page(struct keylist *kl, const struct rowset_request *req)
{
    struct page_call *c = malloc(sizeof *c);
    if (!c) {
        rowset_fail(kl->rs, req->gen);
        return;
    }
    *c = (struct page_call){ kl, req->gen };
    char key[ROWSET_KEY_MAX + 1] = "";
    if (req->key && req->key_len) {
        memcpy(key, req->key, req->key_len);
        key[req->key_len] = '\0';
    }
    if (kl->ops->page(kl, kl->grant, kl->order, from_names[req->from], key[0] ? key : NULL,
                      kl->page_rows + 1, on_page, c, &kl->page_owner) != 0) {
        free(c);
        rowset_fail(kl->rs, req->gen);
    }
}

static void src_fetch(void *ud, const struct rowset_request *req)
{
    struct keylist *kl = ud;
    if (!kl->granted) {
        /* Asked again once the list is open (on_grant). */
        kl->fetch_waiting = true;
        kl->waiting = *req;
        size_t n = req->key_len < ROWSET_KEY_MAX ? req->key_len : ROWSET_KEY_MAX;
        if (req->key && n)
            memcpy(kl->waiting_key, req->key, n);
        kl->waiting.key = kl->waiting_key;
        kl->waiting.key_len = req->key ? n : 0;
        return;
    }
    send_page(kl, req);
}

static void src_cancel(void *ud, uint64_t gen)
{
    struct keylist *kl = ud;
    (void)gen;
    kl->fetch_waiting = false;
    api_cancel(kl->L->db, &kl->page_owner);
}

/* --- the list in force ------------------------------------------------------ */

static void on_grant(void *ud, enum api_err err, const char *grant)
{
    struct keylist *kl = ud;
    kl->opening = false;
    if (err != API_OK) {
        if (err != API_ERR_CANCELLED) {
            snprintf(kl->err, sizeof kl->err, "%s", api_err_message(err));
            lumen_call_failed(kl->L, err);
            keylist_dirty(kl);
        }
        return;
    }
    snprintf(kl->grant, sizeof kl->grant, "%s", grant);
    kl->granted = true;
    if (kl->reanchor) {
        kl->reanchor = false;
        rowset_reload_at(kl->rs, kl->anchor_key, kl->anchor_len, kl->anchor_line);
    } else {
        rowset_reload(kl->rs);
    }
    if (kl->fetch_waiting) {
        kl->fetch_waiting = false;
        send_page(kl, &kl->waiting);
    }
    if (kl->ops->opened)
        kl->ops->opened(kl);
    keylist_dirty(kl);
}

void keylist_open_list(struct keylist *kl)
{
    api_cancel(kl->L->db, &kl->owner);
    api_cancel(kl->L->db, &kl->page_owner);
    /* Only the list that Esc opened goes back to the row it was on; any
     * other (a filter typed since) starts at its top. */
    kl->reanchor = kl->clearing;
    kl->granted = false;
    kl->opening = true;
    kl->err[0] = '\0';
    rowset_tags_clear(kl->rs);
    kl->ops->open(kl, kl->filter_json[0] ? kl->filter_json : "{}", on_grant, kl, &kl->owner);
}

void keylist_set_order(struct keylist *kl, const char *order)
{
    if (strcmp(kl->order, order) == 0)
        return;
    snprintf(kl->order, sizeof kl->order, "%s", order);
    keylist_open_list(kl);
}

/* The bar's text, made sense of; the last good filter stays in force when
 * it makes none (the bar says why).  True when a new list was opened. */
static bool apply_filter(struct keylist *kl)
{
    size_t len;
    const char *text = filterbar_text(&kl->fb, &len);
    char json[KEYLIST_JSON_MAX], err[200];
    if (kl->ops->filter(text, len, json, sizeof json, err, sizeof err) != 0) {
        filterbar_set_error(&kl->fb, err);
        return false;
    }
    filterbar_set_error(&kl->fb, NULL);
    if (strcmp(json, kl->filter_json[0] ? kl->filter_json : "{}") == 0)
        return false;
    snprintf(kl->filter_json, sizeof kl->filter_json, "%s", json);
    keylist_open_list(kl);
    return true;
}

static void open_bar(struct keylist *kl)
{
    const struct rowset_row *cur = rowset_cursor_row(kl->rs);
    struct rowset_info info;
    rowset_info(kl->rs, &info);
    filterbar_open(&kl->fb, cur ? cur->key : NULL, cur ? cur->key_len : 0,
                   (int)(info.cursor - info.top));
}

bool keylist_set_filter(struct keylist *kl, const char *text)
{
    open_bar(kl);
    field_set_text(&kl->fb.field, text, strlen(text));
    filterbar_accept(&kl->fb);
    return apply_filter(kl);
}

void keylist_quick_filter(struct keylist *kl, const char *token)
{
    size_t len;
    keylist_set_filter(kl, strcmp(filterbar_text(&kl->fb, &len), token) == 0 ? "" : token);
}

/* --- keys ------------------------------------------------------------------- */

static enum tui_result list_move(struct keylist *kl, int action)
{
    switch (action) {
    case ACT_UP: rowset_move(kl->rs, -1); break;
    case ACT_DOWN: rowset_move(kl->rs, 1); break;
    case ACT_PAGE_UP: rowset_page_up(kl->rs); break;
    case ACT_PAGE_DOWN: rowset_page_down(kl->rs); break;
    case ACT_TOP: rowset_home(kl->rs); break;
    case ACT_BOTTOM: rowset_end(kl->rs); break;
    default: return TUI_UNHANDLED;
    }
    keylist_dirty(kl);
    return TUI_REDRAW_ROWS;
}

static void typed(void *ud)
{
    struct keylist *kl = ud;
    apply_filter(kl);
    tui_app_dirty(kl->L->app);
}

enum tui_result keylist_key(struct keylist *kl, tui_key k)
{
    bool changed = false;
    if (!filterbar_editing(&kl->fb))
        return TUI_UNHANDLED;
    if (!filterbar_key(&kl->fb, k, &changed))
        return tui_key_is_text(k) ? TUI_HANDLED : TUI_UNHANDLED;
    /* Typing narrows, once the typing pauses: each list opened is an
     * audit row (lead.list, audit.view), not each key. */
    if (changed)
        lumen_timer(kl->L, KEYLIST_TYPING_MS, typed, kl);
    return TUI_REDRAW;
}

static enum tui_result clear_filter(struct keylist *kl)
{
    const void *key;
    size_t len;
    int line;
    bool back;
    lumen_timer(kl->L, 0, NULL, NULL);
    back = filterbar_cancel(&kl->fb, &key, &len, &line) && len <= sizeof kl->anchor_key;
    if (back) {
        memcpy(kl->anchor_key, key, len);
        kl->anchor_len = len;
        kl->anchor_line = line;
    }
    kl->clearing = back;
    apply_filter(kl);
    kl->clearing = false;
    return TUI_REDRAW;
}

enum tui_result keylist_action(struct keylist *kl, int action)
{
    struct rowset_info info;
    if (filterbar_editing(&kl->fb)) {
        if (action == ACT_OPEN) {
            lumen_timer(kl->L, 0, NULL, NULL);
            filterbar_accept(&kl->fb);
            apply_filter(kl);
            return TUI_REDRAW;
        }
        if (action == ACT_CANCEL)
            return clear_filter(kl);
        return list_move(kl, action);
    }
    if (list_move(kl, action) != TUI_UNHANDLED)
        return TUI_REDRAW_ROWS;
    switch (action) {
    case ACT_FILTER:
        open_bar(kl);
        return TUI_REDRAW;
    case ACT_CANCEL:
        if (filterbar_shown(&kl->fb))
            return clear_filter(kl);
        if (rowset_tag_count(kl->rs)) {
            rowset_tags_clear(kl->rs);
            table_invalidate(&kl->table);
            return TUI_REDRAW;
        }
        return TUI_UNHANDLED;
    case ACT_REFRESH:
        if (!kl->granted)
            keylist_open_list(kl);
        else
            rowset_refresh(kl->rs);
        return TUI_REDRAW;
    case ACT_TAG:
        rowset_info(kl->rs, &info);
        if (info.hi > info.lo) {
            rowset_tag_toggle(kl->rs, info.cursor);
            table_invalidate_row(&kl->table, info.cursor);
            rowset_move(kl->rs, 1);
        }
        keylist_dirty(kl);
        return TUI_REDRAW_ROWS;
    }
    return TUI_UNHANDLED;
}

bool keylist_typing(const struct keylist *kl)
{
    return filterbar_editing(&kl->fb);
}

bool keylist_cursor(const struct keylist *kl, int *y, int *x)
{
    if (!filterbar_editing(&kl->fb) || kl->bar_x < 0)
        return false;
    *y = KEYLIST_BAR_Y;
    *x = kl->bar_x;
    return true;
}

/* --- drawing ---------------------------------------------------------------- */

static unsigned row_cells(void *ud, int64_t pos, struct table_cell *c)
{
    struct keylist *kl = ud;
    const struct rowset_row *r = rowset_get(kl->rs, pos);
    if (!r)
        return TABLE_ROW_MISSING;
    return kl->ops->cells(kl, r, pos, c) | (rowset_tagged(kl->rs, pos) ? TABLE_ROW_TAGGED : 0);
}

static int draw_table(struct keylist *kl, WINDOW *w)
{
    struct rowset_info info;
    rowset_info(kl->rs, &info);
    struct table_rect rect = { kl->table_y, 0, kl->h - kl->table_y, kl->cols };
    struct table_view view = { 0 };
    if (info.hi > info.lo) {
        view.first = info.top;
        int64_t left = info.hi - info.top;
        view.rows = left < info.height ? (int)left : info.height;
        view.cursor = info.cursor;
        view.has_cursor = true;
    }
    view.version = rowset_version(kl->rs);
    view.empty = kl->opening || info.loading ? "Loading..."
               : info.failed ? "Could not load the list (r tries again)."
               : filterbar_shown(&kl->fb) ? kl->ops->empty_filtered : kl->ops->empty;
    return table_draw(&kl->table, w, &rect, &view, row_cells, kl);
}

/* The bar, or while no filter is in force a dim line that says how to
 * filter (ops->bar_lead, bar_tail). */
static void draw_bar(struct keylist *kl, WINDOW *w)
{
    kl->bar_x = -1;
    if (filterbar_shown(&kl->fb)) {
        kl->bar_x = filterbar_draw(&kl->fb, w, KEYLIST_BAR_Y, 0, kl->cols);
        return;
    }
    char key[64] = "", line[200];
    common_key_name(kl->L, ACT_FILTER, false, key, sizeof key);
    snprintf(line, sizeof line, " %s %s filters%s", kl->ops->bar_lead ? kl->ops->bar_lead : "",
             key, kl->ops->bar_tail ? kl->ops->bar_tail : ".");
    wattrset(w, theme_attr(ROLE_DIM));
    tui_put(w, KEYLIST_BAR_Y, 0, kl->cols, line, kl->L->tf);
    wattrset(w, theme_attr(ROLE_NORMAL));
}

int keylist_draw(struct keylist *kl, WINDOW *w, bool full)
{
    int n = 0;
    if (full || filterbar_shown(&kl->fb)) {
        draw_bar(kl, w);
        n++;
    }
    if (full)
        table_invalidate(&kl->table);
    return n + draw_table(kl, w);
}

void keylist_layout(struct keylist *kl, int h, int cols)
{
    kl->h = h;
    kl->cols = cols;
    int rows = h - kl->table_y - 1;
    rowset_set_height(kl->rs, rows > 1 ? rows : 1);
    table_invalidate(&kl->table);
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

void keylist_position(const struct keylist *kl, char *buf, size_t size)
{
    struct rowset_info info;
    rowset_info(kl->rs, &info);
    buf[0] = '\0';
    if (info.hi > info.lo && info.from_start) {
        char a[32], b[32];
        commas(a, sizeof a, info.cursor + 1);
        commas(b, sizeof b, info.known);
        snprintf(buf, size, "  %s of %s%s", a, b, info.end_seen ? "" : "+");
    }
    if (rowset_tag_count(kl->rs)) {
        size_t l = strlen(buf);
        snprintf(buf + l, size - l, "  %zu tagged", rowset_tag_count(kl->rs));
    }
}

/* --- life ------------------------------------------------------------------- */

size_t keylist_targets(const struct keylist *kl, int field, long long *ids, size_t max)
{
    size_t n = rowset_tag_count(kl->rs);
    if (n) {
        for (size_t i = 0; i < n && i < max; i++) {
            size_t len;
            const char *k = rowset_tag_key(kl->rs, i, &len);
            /* Keys end in "|id" (db/API.md). */
            size_t j = len;
            while (j > 0 && k[j - 1] != '|')
                j--;
            char num[24];
            size_t m = len - j < sizeof num - 1 ? len - j : sizeof num - 1;
            memcpy(num, k + j, m);
            num[m] = '\0';
            ids[i] = strtoll(num, NULL, 10);
        }
        return n < max ? n : max;
    }
    const struct rowset_row *r = rowset_cursor_row(kl->rs);
    if (!r || !max)
        return 0;
    ids[0] = atoll(rowset_field(r, field));
    return 1;
}

bool keylist_same_person(struct keylist *kl)
{
    char who[100];
    snprintf(who, sizeof who, "%s/%s", kl->L->me.account_id, kl->L->me.practice_id);
    if (strcmp(who, kl->who) == 0)
        return true;
    /* Another person or practice: nothing of the last one stays. */
    snprintf(kl->who, sizeof kl->who, "%s", who);
    filterbar_free(&kl->fb);
    filterbar_init(&kl->fb, kl->L->tf);
    kl->filter_json[0] = '\0';
    kl->granted = false;
    rowset_tags_clear(kl->rs);
    return false;
}

bool keylist_show(struct keylist *kl)
{
    bool reset = !keylist_same_person(kl);
    if (!kl->granted)
        keylist_open_list(kl);
    else
        rowset_refresh(kl->rs);
    return reset;
}

void keylist_removed(struct keylist *kl)
{
    api_cancel(kl->L->db, &kl->owner);
    api_cancel(kl->L->db, &kl->page_owner);
    if (kl->L->timer_ud == kl)
        lumen_timer(kl->L, 0, NULL, NULL);
    kl->opening = false;
}

void keylist_init(struct keylist *kl, struct lumen *L, const struct keylist_ops *ops, void *ud,
                  const struct table_column *cols, int ncols, unsigned table_flags,
                  int page_rows)
{
    kl->L = L;
    kl->ops = ops;
    kl->ud = ud;
    kl->page_rows = page_rows;
    kl->bar_x = -1;
    kl->table_y = KEYLIST_TABLE_Y;
    struct rowset_source src = { src_fetch, src_cancel, kl };
    struct rowset_config cfg = { (size_t)page_rows, 0, 0 };
    kl->rs = rowset_new(&src, &cfg, 10);
    table_init(&kl->table, cols, ncols, table_flags, L->tf);
    filterbar_init(&kl->fb, L->tf);
}

void keylist_free(struct keylist *kl)
{
    api_cancel(kl->L->db, &kl->owner);
    api_cancel(kl->L->db, &kl->page_owner);
    rowset_free(&kl->rs);
    filterbar_free(&kl->fb);
}
