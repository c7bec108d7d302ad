/* rowset: a keyset-paged list model.  Contract in rowset.h.
 *
 * Nothing here loops over the rows of the list, only over the pages held
 * (a handful) and the rows of one page: that is what keeps ten million
 * rows as cheap as ten. */
#include "client/rowset.h"
#include "client/rowset_int.h"

#include <stdlib.h>
#include <string.h>

#include "client/mem.h"

#define PAGE_ROWS_DEFAULT 100

void rowset_key_set(struct rowset_key *k, const void *b, size_t len)
{
    if (len > ROWSET_KEY_MAX)
        mem_fatal("rowset: a key is longer than ROWSET_KEY_MAX");
    k->len = len;
    if (len)
        memcpy(k->b, b, len);
}

bool rowset_key_eq(const struct rowset_key *k, const void *b, size_t len)
{
    return k->len == len && (len == 0 || memcmp(k->b, b, len) == 0);
}

int64_t rowset_span(const struct rowset *rs)
{
    return rs->height > 0 ? rs->height : 1;
}

/* How near an end of the chain the view may come before the next page is
 * asked for: a screen, or half a page, whichever is more. */
static int64_t margin(const struct rowset *rs)
{
    int64_t half = (int64_t)rs->page_rows / 2;
    return rowset_span(rs) > half ? rowset_span(rs) : half;
}

/* Pages the view and both margins can touch, plus the one landing: fewer
 * would make eviction and fetching undo each other. */
void rowset_size_limits(struct rowset *rs)
{
    size_t need = (size_t)(rowset_span(rs) + 2 * margin(rs)) / rs->page_rows + 4;
    rs->max_pages = rs->max_pages_cfg > need ? rs->max_pages_cfg : need;
}

void rowset_account(struct rowset *rs)
{
    rs->bytes = rs->cap * sizeof *rs->pages + rs->tags_cap * sizeof *rs->tags;
    for (size_t i = 0; i < rs->npages; i++)
        rs->bytes += rs->pages[i]->bytes;
    if (rs->bytes > rs->peak)
        rs->peak = rs->bytes;
}

struct rowset *rowset_new(const struct rowset_source *src,
                          const struct rowset_config *cfg, int height)
{
    struct rowset *rs = mem_alloc(sizeof *rs);

    rs->src = *src;
    rs->page_rows = cfg && cfg->page_rows ? cfg->page_rows : PAGE_ROWS_DEFAULT;
    rs->max_pages_cfg = cfg ? cfg->max_pages : 0;
    rs->max_bytes = cfg ? cfg->max_bytes : 0;
    rs->height = height;
    rs->hold_line = -1;
    rowset_size_limits(rs);
    rowset_account(rs);
    return rs;
}

static void drop_pages(struct rowset *rs)
{
    for (size_t i = 0; i < rs->npages; i++)
        free(rs->pages[i]);
    rs->npages = 0;
}

void rowset_free(struct rowset **rsp)
{
    struct rowset *rs = *rsp;

    if (!rs)
        return;
    if (rs->req.on && rs->src.cancel)
        rs->src.cancel(rs->src.ud, rs->req.gen);
    drop_pages(rs);
    free(rs->pages);
    free(rs->tags);
    free(rs);
    *rsp = NULL;
}

/* --- The chain ------------------------------------------------------------ */

static struct rowset_page *page_make(int64_t first, const struct rowset_row *rows, size_t n)
{
    size_t bytes = sizeof(struct rowset_page) + n * sizeof(struct rowset_row);
    struct rowset_page *pg;
    char *p;

    for (size_t i = 0; i < n; i++) {
        if (rows[i].key_len > ROWSET_KEY_MAX)
            mem_fatal("rowset: a key is longer than ROWSET_KEY_MAX");
        bytes += rows[i].key_len + rows[i].len + 1;
    }
    pg = mem_alloc(bytes);
    pg->first = first;
    pg->n = n;
    pg->bytes = bytes;
    p = (char *)&pg->rows[n];
    for (size_t i = 0; i < n; i++) {
        struct rowset_row *r = &pg->rows[i];
        r->key = p;
        r->key_len = rows[i].key_len;
        if (r->key_len)
            memcpy(p, rows[i].key, r->key_len);
        p += r->key_len;
        r->data = p;
        r->len = rows[i].len;
        if (r->len)
            memcpy(p, rows[i].data, r->len);
        p[r->len] = '\0';       /* so the last field of rowset_field ends */
        p += r->len + 1;
    }
    return pg;
}

static void chain_insert(struct rowset *rs, struct rowset_page *pg, bool front)
{
    if (rs->npages == rs->cap) {
        rs->cap = rs->cap ? rs->cap * 2 : 8;
        rs->pages = mem_realloc(rs->pages, rs->cap * sizeof *rs->pages);
    }
    if (front) {
        memmove(rs->pages + 1, rs->pages, rs->npages * sizeof *rs->pages);
        rs->pages[0] = pg;
    } else {
        rs->pages[rs->npages] = pg;
    }
    rs->npages++;
    if (rs->npages == 1) {
        rs->lo = pg->first;
        rs->hi = pg->first + (int64_t)pg->n;
    } else if (front) {
        rs->lo = pg->first;
    } else {
        rs->hi = pg->first + (int64_t)pg->n;
    }
}

static const struct rowset_row *edge_row(const struct rowset *rs, bool front)
{
    const struct rowset_page *pg = rs->pages[front ? 0 : rs->npages - 1];
    return &pg->rows[front ? 0 : pg->n - 1];
}

/* Drop the end pages that lie beyond a margin of the view, the farther end
 * first, while over the budget.  A page near the view is never dropped, so
 * what the user sees and is about to see stays. */
static void evict(struct rowset *rs)
{
    int64_t m = margin(rs);

    while (rs->npages > 1 && (rs->npages > rs->max_pages ||
                              (rs->max_bytes && rs->bytes > rs->max_bytes))) {
        struct rowset_page *first = rs->pages[0], *last = rs->pages[rs->npages - 1];
        int64_t above = rs->top - (first->first + (int64_t)first->n);
        int64_t below = last->first - (rs->top + rowset_span(rs));

        if (below >= above && below >= m) {
            rs->hi = last->first;
            rs->at_end = false;
            free(last);
            rs->npages--;
        } else if (above >= m) {
            rs->lo = first->first + (int64_t)first->n;
            rs->at_start = false;
            free(first);
            memmove(rs->pages, rs->pages + 1, --rs->npages * sizeof *rs->pages);
        } else {
            break;
        }
        rowset_account(rs);
    }
}

/* --- The view ------------------------------------------------------------- */

/* Restore the invariants of rowset.h.  Every movement sets cursor and top
 * to what it wants and lets this one function clamp. */
void rowset_settle(struct rowset *rs)
{
    int64_t h = rowset_span(rs);

    if (rs->lo == rs->hi) {
        rs->top = rs->cursor = rs->lo;
        return;
    }
    if (rs->cursor < rs->lo)
        rs->cursor = rs->lo;
    if (rs->cursor >= rs->hi)
        rs->cursor = rs->hi - 1;
    if (rs->at_end && rs->top > rs->hi - h)
        rs->top = rs->hi - h;
    if (rs->top < rs->lo)
        rs->top = rs->lo;
    if (rs->cursor < rs->top)
        rs->top = rs->cursor;
    else if (rs->cursor - rs->top >= h)
        rs->top = rs->cursor - h + 1;
}

/* --- Requests ------------------------------------------------------------- */

static void ask(struct rowset *rs, enum rowset_from from, const void *key, size_t len)
{
    /* The source gets a copy on the stack: if it answers at once, the
     * answer may ask for the next page and reuse rs->req before fetch
     * returns. */
    unsigned char k[ROWSET_KEY_MAX];
    struct rowset_request r = { .from = from, .key = k, .key_len = len,
                                .limit = rs->page_rows };

    rowset_key_set(&rs->req.key, key, len);
    if (len)
        memcpy(k, key, len);
    rs->req.on = true;
    rs->req.gen = r.gen = ++rs->gen;
    rs->req.from = from;
    rs->failed = false;
    rs->anchored = true;
    rs->requests++;
    rs->src.fetch(rs->src.ud, &r);
}

/* Ask for what the view will need next, if nothing is outstanding. */
void rowset_pump(struct rowset *rs)
{
    evict(rs);
    if (rs->req.on || rs->failed || !rs->anchored)
        return;
    if (rs->lo == rs->hi) {
        if (!(rs->at_start && rs->at_end))
            ask(rs, ROWSET_FIRST, NULL, 0);
        return;
    }
    if (!rs->at_end && rs->hi - (rs->top + rowset_span(rs)) < margin(rs)) {
        const struct rowset_row *r = edge_row(rs, false);
        ask(rs, ROWSET_AFTER, r->key, r->key_len);
    } else if (!rs->at_start && rs->top - rs->lo < margin(rs)) {
        const struct rowset_row *r = edge_row(rs, true);
        ask(rs, ROWSET_BEFORE, r->key, r->key_len);
    }
}

/* Forget every row and ask from a new anchor; positions start again.
 * want: the cursor goes back on rs->want_key when the rows land (refresh);
 * hold_line: the cursor stays on that view line (a search hit centred) as
 * rows above arrive, until the user moves; -1: no such wish.  Both are set
 * before asking, since the source may answer from inside fetch. */
void rowset_reanchor(struct rowset *rs, enum rowset_from from, const void *key, size_t len,
                     bool want, int64_t hold_line)
{
    struct rowset_key k;

    rowset_key_set(&k, key, len);      /* key may point into a page dropped below */
    if (rs->req.on && rs->src.cancel)
        rs->src.cancel(rs->src.ud, rs->req.gen);
    rs->req.on = false;
    drop_pages(rs);
    rs->lo = rs->hi = rs->top = rs->cursor = 0;
    rs->at_start = rs->at_end = false;
    rs->from_start = from == ROWSET_FIRST;
    rs->end_seen = false;
    rs->seen_lo = rs->seen_hi = 0;
    rs->want = want;
    rs->hold_line = hold_line;
    rs->version++;
    rowset_account(rs);
    ask(rs, from, k.b, k.len);
}

/* The anchor's rows are in: put the cursor and the view where the
 * re-anchoring meant them. */
static void place_view(struct rowset *rs, enum rowset_from from)
{
    rs->top = rs->cursor = from == ROWSET_LAST ? rs->hi - 1 : rs->lo;
    if (from == ROWSET_LAST) {
        rs->top = rs->hi - rowset_span(rs);
    } else if (rs->want) {
        rs->cursor = rs->lo + rs->want_line;
        int64_t p = rowset_find(rs, rs->want_key.b, rs->want_key.len);
        if (p >= rs->lo)
            rs->cursor = p;
    }
    rs->want = false;
}

static bool anchor_holds(const struct rowset *rs, bool front)
{
    const struct rowset_row *r;

    if (rs->lo == rs->hi)
        return false;
    r = edge_row(rs, front);
    return rowset_key_eq(&rs->req.key, r->key, r->key_len);
}

enum rowset_answer rowset_deliver(struct rowset *rs, uint64_t gen,
                                  const struct rowset_row *rows, size_t n,
                                  bool more)
{
    enum rowset_from from = rs->req.from;
    bool was_empty = rs->lo == rs->hi, front = from == ROWSET_BEFORE || from == ROWSET_LAST;
    int64_t first;

    if (!rs->req.on || gen != rs->req.gen) {
        rs->stale++;
        return ROWSET_STALE;
    }
    rs->req.on = false;
    /* An edge page must still join the chain at the row it was asked
     * after (or before), an anchor's rows need the empty chain they were
     * asked into; else ask again for what the view needs now. */
    if ((from == ROWSET_AFTER || from == ROWSET_BEFORE) ? !anchor_holds(rs, front) : !was_empty) {
        rs->stale++;
        rowset_pump(rs);
        return ROWSET_STALE;
    }
    if (n > rs->page_rows) {
        n = rs->page_rows;
        more = true;
    }
    if (n == 0)
        more = false;           /* "more" with nothing would ask forever */
    if (from == ROWSET_AT && n == 0) {
        ask(rs, ROWSET_LAST, NULL, 0);      /* sought past the end */
        return ROWSET_TAKEN;
    }
    first = from == ROWSET_AFTER ? rs->hi : from == ROWSET_BEFORE ? rs->lo - (int64_t)n
          : from == ROWSET_LAST ? -(int64_t)n : 0;
    if (n)
        chain_insert(rs, page_make(first, rows, n), front);
    switch (from) {
    case ROWSET_FIRST: rs->at_start = true; rs->at_end = !more; break;
    case ROWSET_LAST: rs->at_end = true; rs->at_start = !more; break;
    case ROWSET_AT:
    case ROWSET_AFTER: rs->at_end = !more; break;
    case ROWSET_BEFORE: rs->at_start = !more; break;
    }
    if (was_empty && n)
        place_view(rs, from);
    if (rs->hold_line >= 0)
        rs->top = rs->cursor - rs->hold_line;
    if (was_empty || (first < rs->top + rowset_span(rs) && first + (int64_t)n > rs->top))
        rs->version++;
    if (rs->lo < 0 || (rs->at_start && rs->lo != 0))
        rs->from_start = false;
    rs->seen_lo = rs->lo < rs->seen_lo || was_empty ? rs->lo : rs->seen_lo;
    rs->seen_hi = rs->hi > rs->seen_hi || was_empty ? rs->hi : rs->seen_hi;
    rs->end_seen = rs->end_seen || rs->at_end;
    rowset_settle(rs);
    rowset_account(rs);
    rowset_pump(rs);
    return ROWSET_TAKEN;
}

enum rowset_answer rowset_fail(struct rowset *rs, uint64_t gen)
{
    if (!rs->req.on || gen != rs->req.gen) {
        rs->stale++;
        return ROWSET_STALE;
    }
    rs->req.on = false;
    rs->failed = true;
    return ROWSET_TAKEN;
}

void rowset_retry(struct rowset *rs)
{
    if (!rs->failed)
        return;
    rs->failed = false;
    /* The same request again: a failed re-anchor must stay a re-anchor. */
    if (rs->req.from == ROWSET_AFTER || rs->req.from == ROWSET_BEFORE)
        rowset_pump(rs);
    else
        ask(rs, rs->req.from, rs->req.key.b, rs->req.key.len);
}

/* --- Reading -------------------------------------------------------------- */

void rowset_info(const struct rowset *rs, struct rowset_info *in)
{
    *in = (struct rowset_info){
        .lo = rs->lo, .hi = rs->hi, .top = rs->top, .cursor = rs->cursor,
        .height = rs->height, .more_before = !rs->at_start, .more_after = !rs->at_end,
        .loading = rs->req.on, .failed = rs->failed, .from_start = rs->from_start,
        .known = rs->seen_hi - rs->seen_lo, .end_seen = rs->end_seen,
    };
}

void rowset_stats(const struct rowset *rs, struct rowset_stats *st)
{
    *st = (struct rowset_stats){
        .pages = rs->npages, .max_pages = rs->max_pages, .bytes = rs->bytes, .peak_bytes = rs->peak,
        .requests = rs->requests, .stale = rs->stale,
    };
    for (size_t i = 0; i < rs->npages; i++)
        st->rows += rs->pages[i]->n;
}

unsigned long rowset_version(const struct rowset *rs)
{
    return rs->version;
}

const struct rowset_row *rowset_get(const struct rowset *rs, int64_t pos)
{
    if (pos < rs->lo || pos >= rs->hi)
        return NULL;
    for (size_t i = 0; i < rs->npages; i++) {
        const struct rowset_page *pg = rs->pages[i];
        if (pos < pg->first + (int64_t)pg->n)
            return &pg->rows[pos - pg->first];
    }
    return NULL;
}

int64_t rowset_find(const struct rowset *rs, const void *key, size_t len)
{
    for (size_t i = 0; i < rs->npages; i++) {
        const struct rowset_page *pg = rs->pages[i];
        for (size_t j = 0; j < pg->n; j++)
            if (pg->rows[j].key_len == len && (len == 0 || memcmp(pg->rows[j].key, key, len) == 0))
                return pg->first + (int64_t)j;
    }
    return rs->lo - 1;
}

const struct rowset_row *rowset_cursor_row(const struct rowset *rs)
{
    return rowset_get(rs, rs->cursor);
}

const char *rowset_field(const struct rowset_row *row, int i)
{
    const char *p = row->data, *end = row->data + row->len;

    for (; i > 0 && p < end; i--)
        p += strlen(p) + 1;
    return p < end ? p : "";
}

