/* Unit tests for client/rowset: the keyset model driven against a
 * synthetic source of ten million rows that stores nothing (row k is made
 * up from its key when asked for), answering later as the database would,
 * or at once as rows in memory would.  Walks the whole list by page-down,
 * jumps to the end and back, drops stale answers, and checks that memory
 * stays flat by the model's own accounting. */
#include "tests/unit/unit.h"

#include <stdio.h>
#include <string.h>

#include "client/rowset.h"

#define BIG 10000000
#define PAGE_MAX 1000
#define DATA_MAX 24

/* Keys are 8 bytes big-endian, so byte order is number order. */
struct synth {
    int64_t kmin, kmax;                 /* the rows that exist: [kmin, kmax) */
    bool sync;                          /* answer from inside fetch */
    struct rowset *rs;
    bool pending;
    struct rowset_request req;          /* the last one asked (key copied) */
    unsigned char key[ROWSET_KEY_MAX];
    uint64_t cancelled, fetches;
};

static void key_of(int64_t k, unsigned char out[8])
{
    for (int i = 7; i >= 0; i--, k >>= 8)
        out[i] = (unsigned char)(k & 0xff);
}

static int64_t key_num(const void *key)
{
    const unsigned char *b = key;
    int64_t k = 0;
    for (int i = 0; i < 8; i++)
        k = (k << 8) | b[i];
    return k;
}

/* Row k's data: two fields of fixed width ("row 00001234", "n00001234"),
 * so every page of the walk has the same size and "flat" can be asserted
 * exactly.  Written by hand: snprintf would be most of the test's time. */
static size_t data_of(int64_t k, char *out)
{
    memcpy(out, "row 00000000\0n00000000", 23);
    for (int i = 11; i >= 4 && k > 0; i--, k /= 10)
        out[i] = out[i + 10] = (char)('0' + k % 10);
    return 23;
}

static enum rowset_answer answer(struct synth *s)
{
    static unsigned char keys[PAGE_MAX][8];
    static char data[PAGE_MAX][DATA_MAX];
    static struct rowset_row rows[PAGE_MAX];
    int64_t lo, hi, k = s->req.key_len ? key_num(s->key) : 0;
    size_t limit = s->req.limit;
    bool more;

    assert_true(s->pending);
    assert_true(limit <= PAGE_MAX);
    s->pending = false;
    switch (s->req.from) {
    case ROWSET_FIRST: lo = s->kmin; break;
    case ROWSET_LAST: lo = s->kmax - (int64_t)limit; break;
    case ROWSET_AFTER: lo = k + 1; break;
    case ROWSET_BEFORE: lo = k - (int64_t)limit; break;
    default: lo = k; break;
    }
    if (lo < s->kmin)
        lo = s->kmin;
    hi = s->req.from == ROWSET_BEFORE ? k : lo + (int64_t)limit;
    if (hi > s->kmax)
        hi = s->kmax;
    more = s->req.from == ROWSET_BEFORE || s->req.from == ROWSET_LAST ? lo > s->kmin : hi < s->kmax;
    for (int64_t r = lo; r < hi; r++) {
        size_t i = (size_t)(r - lo);
        key_of(r, keys[i]);
        rows[i] = (struct rowset_row){ keys[i], 8, data[i], data_of(r, data[i]) };
    }
    return rowset_deliver(s->rs, s->req.gen, rows, hi > lo ? (size_t)(hi - lo) : 0, more);
}

static void synth_fetch(void *ud, const struct rowset_request *req)
{
    struct synth *s = ud;
    assert_false(s->pending);           /* one request at a time */
    s->req = *req;
    memcpy(s->key, req->key, req->key_len);
    s->req.key = s->key;
    s->pending = true;
    s->fetches++;
    if (s->sync)
        assert_int_equal(answer(s), ROWSET_TAKEN);
}

static void synth_cancel(void *ud, uint64_t gen)
{
    struct synth *s = ud;
    assert_true(s->pending && gen == s->req.gen);
    s->pending = false;                 /* the test keeps a copy to play late */
    s->cancelled++;
}

static struct rowset *open_synth(struct synth *s, int64_t kmin, int64_t kmax,
                                 size_t page_rows, int height)
{
    struct rowset_source src = { synth_fetch, synth_cancel, s };
    struct rowset_config cfg = { .page_rows = page_rows };
    memset(s, 0, sizeof *s);
    s->kmin = kmin;
    s->kmax = kmax;
    s->rs = rowset_new(&src, &cfg, height);
    return s->rs;
}

/* Answer whatever is outstanding, as the main loop would between keys. */
static void settle_source(struct synth *s)
{
    while (s->pending)
        answer(s);
}

/* A model over [kmin, kmax) with its first rows in. */
static struct rowset *open_loaded(struct synth *s, int64_t kmin, int64_t kmax,
                                  size_t page_rows, int height)
{
    open_synth(s, kmin, kmax, page_rows, height);
    rowset_reload(s->rs);
    settle_source(s);
    return s->rs;
}

static int64_t cursor_key(const struct rowset *rs)
{
    const struct rowset_row *r = rowset_cursor_row(rs);
    assert_non_null(r);
    return key_num(r->key);
}

static struct rowset_info info_of(const struct rowset *rs)
{
    struct rowset_info in;
    rowset_info(rs, &in);
    return in;
}

/* Down to position pos a few rows at a time, answering as it goes: a
 * movement stops at the rows held. */
static void walk_to(struct synth *s, int64_t pos)
{
    while (info_of(s->rs).cursor < pos) {
        int64_t left = pos - info_of(s->rs).cursor;
        rowset_move(s->rs, left < 10 ? (long)left : 10);
        settle_source(s);
    }
}

/* --- Ten million rows ------------------------------------------------------ */

static void walks_ten_million_rows(void **state)
{
    struct synth s;
    struct rowset *rs = open_synth(&s, 0, BIG, 500, 50);
    struct rowset_stats st;
    size_t warm_peak = 0, presses = 0;
    (void)state;

    rowset_reload(rs);
    assert_true(s.pending && s.req.from == ROWSET_FIRST);
    settle_source(&s);
    assert_int_equal(cursor_key(rs), 0);
    while (info_of(rs).cursor < BIG - 1) {
        int64_t before = info_of(rs).cursor;
        rowset_page_down(rs);
        presses++;
        /* The margin means the rows were always there before the key. */
        assert_int_equal(info_of(rs).cursor, before + 50 < BIG ? before + 50 : BIG - 1);
        settle_source(&s);
        rowset_stats(rs, &st);
        assert_true(st.pages <= st.max_pages);
        if (presses == 1000)
            warm_peak = st.peak_bytes;
        if (presses % 10000 == 0) {     /* what is held is what was sent */
            char want[DATA_MAX];
            const struct rowset_row *r = rowset_cursor_row(rs);
            data_of(key_num(r->key), want);
            assert_string_equal(rowset_field(r, 0), want);
            assert_string_equal(rowset_field(r, 1), want + 13);
        }
    }
    /* Positions count from the first row: the last one is BIG - 1, and the
     * count of rows known grew to the whole list without a count(*). */
    assert_int_equal(cursor_key(rs), BIG - 1);
    struct rowset_info in = info_of(rs);
    assert_true(in.from_start && in.end_seen && !in.more_after);
    assert_int_equal(in.known, BIG);
    assert_int_equal(in.top, BIG - 50);
    rowset_stats(rs, &st);
    /* Memory flat: the peak after 1,000 pages of walking is the peak after
     * all 200,000, and it is a few pages' worth. */
    assert_int_equal(st.peak_bytes, warm_peak);
    assert_true(st.peak_bytes < (st.max_pages + 1) * 500 * 80 + 4096);
    assert_int_equal(st.stale, 0);
    printf("# rowset: %zu page-downs over %d rows, %llu requests; "
           "peak %zu bytes in at most %zu pages of 500 rows\n",
           presses, BIG, (unsigned long long)st.requests, st.peak_bytes, st.max_pages);
    rowset_free(&rs);
    assert_null(rs);
}

static void byte_budget(void **state)
{
    struct synth s;
    struct rowset_source src = { synth_fetch, synth_cancel, &s };
    struct rowset_config cfg = { .page_rows = 100, .max_pages = 50, .max_bytes = 10000 };
    struct rowset_stats st;
    size_t most = 0;
    (void)state;

    memset(&s, 0, sizeof s);
    s.kmax = BIG;
    s.rs = rowset_new(&src, &cfg, 20);
    rowset_reload(s.rs);
    settle_source(&s);
    for (int i = 0; i < 1000; i++) {
        rowset_page_down(s.rs);
        settle_source(&s);
        rowset_stats(s.rs, &st);
        most = st.pages > most ? st.pages : most;
    }
    /* A page is 6.4 KB here: the budget, not max_pages, bounds what is
     * held, down to the pages the view and its margins touch. */
    assert_true(most <= 4);
    assert_int_equal(cursor_key(s.rs), 20000);
    rowset_free(&s.rs);
}

static void end_and_back_to_top(void **state)
{
    struct synth s;
    struct rowset *rs = open_loaded(&s, 0, BIG, 100, 20);
    (void)state;

    rowset_end(rs);                     /* G: not held, so re-anchored */
    assert_true(s.pending && s.req.from == ROWSET_LAST);
    assert_null(rowset_cursor_row(rs));
    settle_source(&s);
    assert_int_equal(cursor_key(rs), BIG - 1);
    struct rowset_info in = info_of(rs);
    assert_int_equal(in.cursor, -1);    /* the last row of an end anchoring */
    assert_int_equal(in.top, -20);
    assert_true(in.more_before && !in.more_after && !in.from_start);
    rowset_page_up(rs);
    rowset_page_up(rs);
    settle_source(&s);
    rowset_end(rs);                     /* the end is still held: no request */
    assert_false(s.pending);
    assert_int_equal(cursor_key(rs), BIG - 1);
    for (int i = 1; i <= 300; i++) {    /* up through rows fetched before */
        rowset_page_up(rs);
        assert_int_equal(cursor_key(rs), BIG - 1 - 20 * i);
        settle_source(&s);
    }
    rowset_move(rs, -5);
    assert_int_equal(cursor_key(rs), BIG - 1 - 6005);
    rowset_end(rs);                     /* the end was evicted: asked again */
    assert_true(s.pending && s.req.from == ROWSET_LAST);
    settle_source(&s);
    assert_int_equal(cursor_key(rs), BIG - 1);
    rowset_home(rs);                    /* g: the start is not held */
    assert_true(s.pending && s.req.from == ROWSET_FIRST);
    settle_source(&s);
    assert_int_equal(cursor_key(rs), 0);
    in = info_of(rs);
    assert_true(in.from_start && in.top == 0 && in.cursor == 0);
    rowset_free(&rs);
}

/* --- Requests -------------------------------------------------------------- */

static void stale_answer_dropped(void **state)
{
    struct synth s;
    struct rowset *rs = open_loaded(&s, 0, BIG, 100, 20);
    struct rowset_request old;
    unsigned char oldkey[8];
    struct rowset_stats st;
    (void)state;

    while (!s.pending)                  /* down until the next page is asked */
        rowset_page_down(rs);
    assert_int_equal(s.req.from, ROWSET_AFTER);
    old = s.req;
    memcpy(oldkey, s.key, 8);
    unsigned long version = rowset_version(rs);
    rowset_end(rs);                     /* G while the page is on its way */
    assert_int_equal(s.cancelled, 1);
    assert_true(s.pending && s.req.from == ROWSET_LAST && s.req.gen > old.gen);
    assert_true(rowset_version(rs) != version);
    struct rowset_request last = s.req;
    /* The old answer lands now: dropped, and it changes nothing. */
    s.req = old;
    memcpy(s.key, oldkey, 8);
    s.pending = true;
    assert_int_equal(answer(&s), ROWSET_STALE);
    assert_int_equal(rowset_fail(rs, old.gen), ROWSET_STALE);
    assert_null(rowset_cursor_row(rs));
    assert_true(info_of(rs).loading);
    s.req = last;
    s.req.key = s.key;
    s.pending = true;
    assert_int_equal(answer(&s), ROWSET_TAKEN);
    assert_int_equal(cursor_key(rs), BIG - 1);
    rowset_stats(rs, &st);
    assert_int_equal(st.stale, 2);
    /* The same answer twice is stale the second time. */
    s.pending = true;
    s.req = last;
    s.req.key = s.key;
    assert_int_equal(answer(&s), ROWSET_STALE);
    rowset_free(&rs);
}

static void failure_is_retried_by_the_next_move(void **state)
{
    struct synth s;
    struct rowset *rs = open_synth(&s, 0, BIG, 100, 20);
    (void)state;

    rowset_reload(rs);
    assert_int_equal(rowset_fail(rs, s.req.gen), ROWSET_TAKEN);
    s.pending = false;
    assert_true(info_of(rs).failed && !info_of(rs).loading);
    rowset_retry(rs);                   /* the screen's "try again" */
    assert_true(s.pending && s.req.from == ROWSET_FIRST);
    assert_int_equal(rowset_fail(rs, s.req.gen), ROWSET_TAKEN);
    s.pending = false;
    rowset_move(rs, 1);                 /* nothing held: a key asks again */
    assert_true(s.pending && s.req.from == ROWSET_FIRST);
    settle_source(&s);
    while (!s.pending)
        rowset_move(rs, 1);
    uint64_t gen = s.req.gen;
    assert_int_equal(rowset_fail(rs, gen), ROWSET_TAKEN);
    s.pending = false;
    int64_t at = info_of(rs).cursor;
    rowset_move(rs, 1);                 /* moves, and asks again */
    assert_int_equal(info_of(rs).cursor, at + 1);
    assert_true(s.pending && s.req.from == ROWSET_AFTER && s.req.gen > gen);
    settle_source(&s);
    assert_false(info_of(rs).failed);
    rowset_free(&rs);
}

static void source_answering_at_once(void **state)
{
    struct synth s;
    struct rowset *rs = open_synth(&s, 0, BIG, 64, 24);
    (void)state;

    s.sync = true;
    rowset_reload(rs);
    for (int i = 0; i < 2000; i++)
        rowset_page_down(rs);
    assert_int_equal(cursor_key(rs), 2000 * 24);
    rowset_end(rs);
    assert_int_equal(cursor_key(rs), BIG - 1);
    rowset_page_up(rs);
    assert_int_equal(cursor_key(rs), BIG - 25);
    rowset_home(rs);
    assert_int_equal(cursor_key(rs), 0);
    rowset_free(&rs);
}

/* --- Anchors --------------------------------------------------------------- */

static void search_hit_reanchors_and_centres(void **state)
{
    struct synth s;
    struct rowset *rs = open_loaded(&s, 0, BIG, 100, 20);
    unsigned char k[8];
    (void)state;

    key_of(5000000, k);
    rowset_seek(rs, k, 8);
    assert_true(s.pending && s.req.from == ROWSET_AT);
    answer(&s);                         /* the hit and the rows after it */
    assert_int_equal(cursor_key(rs), 5000000);
    assert_int_equal(info_of(rs).top, 0);
    assert_true(s.pending && s.req.from == ROWSET_BEFORE);
    answer(&s);                         /* rows above: the hit is centred */
    assert_int_equal(info_of(rs).cursor, 0);
    assert_int_equal(info_of(rs).top, -10);
    rowset_move(rs, -1);
    assert_int_equal(cursor_key(rs), 4999999);
    key_of(5000050, k);                 /* a hit already held: no re-anchor */
    settle_source(&s);
    uint64_t fetches = s.fetches;
    rowset_seek(rs, k, 8);
    assert_int_equal(cursor_key(rs), 5000050);
    assert_int_equal(info_of(rs).cursor - info_of(rs).top, 10);
    assert_true(s.fetches == fetches || s.req.from == ROWSET_AFTER);
    settle_source(&s);
    key_of(BIG + 5, k);                 /* past the end: the last rows */
    rowset_seek(rs, k, 8);
    settle_source(&s);
    assert_int_equal(cursor_key(rs), BIG - 1);
    rowset_free(&rs);
}

static void esc_puts_the_cursor_back(void **state)
{
    struct synth s;
    struct rowset *rs = open_loaded(&s, 0, BIG, 100, 20);
    unsigned char k[8];
    (void)state;

    walk_to(&s, 1234);
    struct rowset_info in = info_of(rs);
    int line = (int)(in.cursor - in.top);
    memcpy(k, rowset_cursor_row(rs)->key, 8);
    rowset_reload(rs);                  /* a filter typed ... */
    settle_source(&s);
    rowset_reload_at(rs, k, 8, line);   /* ... and cleared with Esc */
    settle_source(&s);
    in = info_of(rs);
    assert_int_equal(cursor_key(rs), 1234);
    assert_int_equal(in.cursor - in.top, line);
    rowset_free(&rs);
}

static void refresh_keeps_the_view(void **state)
{
    struct synth s;
    struct rowset *rs = open_loaded(&s, 0, BIG, 100, 20);
    (void)state;

    walk_to(&s, 345);
    struct rowset_info in = info_of(rs);
    int64_t top_key = key_num(rowset_get(rs, in.top)->key);
    rowset_refresh(rs);
    assert_true(s.pending && s.req.from == ROWSET_AT);
    assert_int_equal(key_num(s.key), top_key);
    settle_source(&s);
    in = info_of(rs);
    assert_int_equal(cursor_key(rs), 345);
    assert_int_equal(key_num(rowset_get(rs, in.top)->key), top_key);
    /* The cursor's row is gone by the refresh: the cursor keeps its line. */
    rowset_refresh(rs);
    s.kmax = top_key + 10;
    settle_source(&s);
    assert_int_equal(cursor_key(rs), top_key + 9);
    rowset_free(&rs);
}

static void arrivals_leave_the_cursor(void **state)
{
    struct synth s;
    struct rowset *rs = open_loaded(&s, 1000, 5000, 100, 20);
    (void)state;

    rowset_move(rs, 5);
    settle_source(&s);
    unsigned long version = rowset_version(rs);
    s.kmin = 997;                       /* three new rows before the first */
    rowset_expect_before(rs);
    assert_true(s.pending && s.req.from == ROWSET_BEFORE);
    settle_source(&s);
    struct rowset_info in = info_of(rs);
    assert_int_equal(in.cursor, 5);     /* same row, same line, no redraw */
    assert_int_equal(in.top, 0);
    assert_int_equal(cursor_key(rs), 1005);
    assert_int_equal(rowset_version(rs), version);
    assert_int_equal(in.lo, -3);
    assert_false(in.from_start);
    rowset_home(rs);                    /* going to the top shows them */
    assert_false(s.pending);
    assert_int_equal(cursor_key(rs), 997);
    rowset_free(&rs);
}

static void short_and_empty_lists(void **state)
{
    struct synth s;
    struct rowset *rs = open_loaded(&s, 0, 5, 100, 20);
    (void)state;

    struct rowset_info in = info_of(rs);
    assert_true(!in.more_before && !in.more_after && in.known == 5);
    rowset_end(rs);
    rowset_page_down(rs);
    assert_false(s.pending);
    assert_int_equal(cursor_key(rs), 4);
    rowset_move(rs, -100);
    assert_int_equal(cursor_key(rs), 0);
    rowset_free(&rs);

    rs = open_loaded(&s, 0, 0, 100, 20);
    in = info_of(rs);
    assert_true(in.lo == in.hi && !in.more_before && !in.more_after && !in.loading);
    rowset_move(rs, 1);
    rowset_page_down(rs);
    rowset_end(rs);
    rowset_home(rs);
    assert_false(s.pending);
    assert_null(rowset_cursor_row(rs));
    s.kmax = 2;                         /* the first lead arrives */
    rowset_expect_before(rs);
    settle_source(&s);
    assert_int_equal(cursor_key(rs), 0);
    rowset_free(&rs);
}

static void resize_keeps_the_cursor_line(void **state)
{
    struct synth s;
    struct rowset *rs = open_loaded(&s, 0, BIG, 100, 20);
    (void)state;

    walk_to(&s, 500);
    rowset_move(rs, -5);
    struct rowset_info in = info_of(rs);
    assert_int_equal(in.cursor - in.top, 14);
    rowset_set_height(rs, 10);
    in = info_of(rs);
    assert_int_equal(in.cursor - in.top, 9);
    rowset_set_height(rs, 40);
    settle_source(&s);
    in = info_of(rs);
    assert_int_equal(in.cursor - in.top, 9);
    assert_int_equal(cursor_key(rs), 495);
    rowset_free(&rs);
}

/* --- Tags and fields ------------------------------------------------------- */

static void tags_survive_eviction(void **state)
{
    struct synth s;
    struct rowset *rs = open_loaded(&s, 0, BIG, 100, 20);
    struct rowset_stats st;
    size_t len;
    (void)state;

    assert_true(rowset_tag_toggle(rs, 3));
    assert_true(rowset_tag_toggle(rs, 1));
    assert_true(rowset_tag_toggle(rs, 2));
    assert_false(rowset_tag_toggle(rs, 2));     /* untagged again */
    assert_false(rowset_tag_toggle(rs, -7));    /* not held */
    for (int i = 0; i < 500; i++) {
        rowset_page_down(rs);
        settle_source(&s);
    }
    rowset_stats(rs, &st);
    assert_null(rowset_get(rs, 1));             /* evicted long ago */
    assert_int_equal(rowset_tag_count(rs), 2);
    assert_int_equal(key_num(rowset_tag_key(rs, 0, &len)), 1);
    assert_int_equal(len, 8);
    assert_int_equal(key_num(rowset_tag_key(rs, 1, &len)), 3);
    assert_null(rowset_tag_key(rs, 2, &len));
    rowset_home(rs);
    settle_source(&s);
    assert_true(rowset_tagged(rs, 1) && rowset_tagged(rs, 3));
    assert_false(rowset_tagged(rs, 2));
    rowset_tags_clear(rs);
    assert_false(rowset_tagged(rs, 1));
    assert_int_equal(rowset_tag_count(rs), 0);
    rowset_free(&rs);
}

static void fields_of_a_row(void **state)
{
    struct rowset_row r = { "k", 1, "ab\0\0cd", 7 };
    (void)state;
    assert_string_equal(rowset_field(&r, 0), "ab");
    assert_string_equal(rowset_field(&r, 1), "");
    assert_string_equal(rowset_field(&r, 2), "cd");
    assert_string_equal(rowset_field(&r, 3), "");
    assert_string_equal(rowset_field(&r, 99), "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(walks_ten_million_rows),
        cmocka_unit_test(byte_budget),
        cmocka_unit_test(end_and_back_to_top),
        cmocka_unit_test(stale_answer_dropped),
        cmocka_unit_test(failure_is_retried_by_the_next_move),
        cmocka_unit_test(source_answering_at_once),
        cmocka_unit_test(search_hit_reanchors_and_centres),
        cmocka_unit_test(esc_puts_the_cursor_back),
        cmocka_unit_test(refresh_keeps_the_view),
        cmocka_unit_test(arrivals_leave_the_cursor),
        cmocka_unit_test(short_and_empty_lists),
        cmocka_unit_test(resize_keeps_the_cursor_line),
        cmocka_unit_test(tags_survive_eviction),
        cmocka_unit_test(fields_of_a_row),
    };
    return unit_run(tests);
}
