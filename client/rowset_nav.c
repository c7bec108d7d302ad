/* rowset: the user's side of the model, movement, anchoring and tags.
 * Contract in rowset.h; the state is in rowset_int.h. */
#include "client/rowset.h"
#include "client/rowset_int.h"

#include <stdlib.h>
#include <string.h>

#include "client/mem.h"

/* --- Movement ------------------------------------------------------------- */

/* Every user movement ends here: the cursor's line is no longer held, a
 * failed request is asked again, and the next page is asked for. */
static void moved(struct rowset *rs)
{
    rs->hold_line = -1;
    rowset_settle(rs);
    if (rs->failed)
        rowset_retry(rs);
    else
        rowset_pump(rs);
}

/* Whether there are rows to move over; with none, a key after a failure
 * asks again. */
static bool holds_rows(struct rowset *rs)
{
    if (rs->lo < rs->hi)
        return true;
    rowset_retry(rs);
    return false;
}

void rowset_move(struct rowset *rs, long delta)
{
    if (!holds_rows(rs))
        return;
    if (delta < 0) {
        uint64_t d = (uint64_t)(-(delta + 1)) + 1, room = (uint64_t)(rs->cursor - rs->lo);
        rs->cursor -= (int64_t)(d < room ? d : room);
    } else {
        uint64_t d = (uint64_t)delta, room = (uint64_t)(rs->hi - 1 - rs->cursor);
        rs->cursor += (int64_t)(d < room ? d : room);
    }
    moved(rs);
}

void rowset_page_down(struct rowset *rs)
{
    int64_t h = rowset_span(rs);

    if (!holds_rows(rs))
        return;
    if (rs->cursor + h <= rs->hi - 1) {
        rs->cursor += h;
        rs->top += h;
    } else {
        rs->cursor = rs->hi - 1;
    }
    moved(rs);
}

void rowset_page_up(struct rowset *rs)
{
    int64_t h = rowset_span(rs);

    if (!holds_rows(rs))
        return;
    if (rs->cursor - h >= rs->lo) {
        rs->cursor -= h;
        rs->top = rs->top - h > rs->lo ? rs->top - h : rs->lo;
    } else {
        rs->cursor = rs->top = rs->lo;
    }
    moved(rs);
}

void rowset_home(struct rowset *rs)
{
    if (rs->at_start && rs->lo < rs->hi) {
        rs->cursor = rs->top = rs->lo;
        moved(rs);
    } else if (!(rs->at_start && rs->at_end)) {
        rowset_reanchor(rs, ROWSET_FIRST, NULL, 0, false, -1);
    }
}

void rowset_end(struct rowset *rs)
{
    if (rs->at_end && rs->lo < rs->hi) {
        rs->cursor = rs->hi - 1;
        rs->top = rs->hi - rowset_span(rs);
        moved(rs);
    } else if (!(rs->at_start && rs->at_end)) {
        rowset_reanchor(rs, ROWSET_LAST, NULL, 0, false, -1);
    }
}

void rowset_seek(struct rowset *rs, const void *key, size_t key_len)
{
    int64_t p = rowset_find(rs, key, key_len);

    if (p < rs->lo) {
        rowset_reanchor(rs, ROWSET_AT, key, key_len, false, rowset_span(rs) / 2);
        return;
    }
    if (p < rs->top || p >= rs->top + rowset_span(rs))
        rs->top = p - rowset_span(rs) / 2;
    rs->cursor = p;
    moved(rs);
}

void rowset_refresh(struct rowset *rs)
{
    const struct rowset_row *top = rowset_get(rs, rs->top), *cur = rowset_cursor_row(rs);

    if (!top || !cur) {
        rowset_reload(rs);
        return;
    }
    rowset_key_set(&rs->want_key, cur->key, cur->key_len);
    rs->want_line = rs->cursor - rs->top;
    rowset_reanchor(rs, ROWSET_AT, top->key, top->key_len, true, -1);
}

void rowset_reload(struct rowset *rs)
{
    rowset_reanchor(rs, ROWSET_FIRST, NULL, 0, false, -1);
}

void rowset_reload_at(struct rowset *rs, const void *key, size_t key_len, int line)
{
    int64_t h = rowset_span(rs);

    rowset_reanchor(rs, ROWSET_AT, key, key_len, false, line >= 0 && line < h ? line : h / 2);
}

void rowset_set_height(struct rowset *rs, int height)
{
    int64_t line = rs->cursor - rs->top;

    rs->height = height;
    rowset_size_limits(rs);
    if (line >= rowset_span(rs))
        line = rowset_span(rs) - 1;
    rs->top = rs->cursor - line;
    rowset_settle(rs);
    rs->version++;
    rowset_pump(rs);
}

void rowset_expect_before(struct rowset *rs)
{
    rs->at_start = false;
    rowset_pump(rs);
}

void rowset_expect_after(struct rowset *rs)
{
    rs->at_end = false;
    rs->end_seen = false;
    rowset_pump(rs);
}

/* --- Tags ----------------------------------------------------------------- */

/* Byte order, then length: any total order does for a set. */
static int key_cmp(const struct rowset_key *k, const void *b, size_t len)
{
    int c = memcmp(k->b, b, k->len < len ? k->len : len);
    return c ? c : (k->len > len) - (k->len < len);
}

/* Where key is, or would go, in the sorted tags. */
static size_t tag_find(const struct rowset *rs, const void *b, size_t len, bool *found)
{
    size_t lo = 0, hi = rs->ntags;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = key_cmp(&rs->tags[mid], b, len);
        if (c == 0) {
            *found = true;
            return mid;
        }
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    *found = false;
    return lo;
}

bool rowset_tag_toggle(struct rowset *rs, int64_t pos)
{
    const struct rowset_row *r = rowset_get(rs, pos);
    bool found;
    size_t at;

    if (!r)
        return false;
    at = tag_find(rs, r->key, r->key_len, &found);
    if (found) {
        memmove(rs->tags + at, rs->tags + at + 1, (--rs->ntags - at) * sizeof *rs->tags);
        return false;
    }
    if (rs->ntags == ROWSET_TAGS_MAX)
        return false;
    if (rs->ntags == rs->tags_cap) {
        rs->tags_cap = rs->tags_cap ? rs->tags_cap * 2 : 16;
        rs->tags = mem_realloc(rs->tags, rs->tags_cap * sizeof *rs->tags);
    }
    memmove(rs->tags + at + 1, rs->tags + at, (rs->ntags++ - at) * sizeof *rs->tags);
    rowset_key_set(&rs->tags[at], r->key, r->key_len);
    rowset_account(rs);
    return true;
}

bool rowset_tagged(const struct rowset *rs, int64_t pos)
{
    const struct rowset_row *r = rowset_get(rs, pos);
    bool found = false;

    if (r && rs->ntags)
        tag_find(rs, r->key, r->key_len, &found);
    return found;
}

size_t rowset_tag_count(const struct rowset *rs)
{
    return rs->ntags;
}

const void *rowset_tag_key(const struct rowset *rs, size_t i, size_t *len)
{
    if (i >= rs->ntags)
        return NULL;
    *len = rs->tags[i].len;
    return rs->tags[i].b;
}

void rowset_tags_clear(struct rowset *rs)
{
    free(rs->tags);
    rs->tags = NULL;
    rs->ntags = rs->tags_cap = 0;
    rowset_account(rs);
}
