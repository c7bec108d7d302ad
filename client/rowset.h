/* rowset: the model of a list paged by key (keyset), for lists too long to
 * count or to hold: the inbox (a million leads), the audit log (ten
 * million rows).  No curses and no libpq: it asks a source for pages
 * through function pointers and is told later what came back, so it sits
 * on the async db engine (client/db.h) without depending on it, and a test
 * drives it with a source that makes rows up from their key.
 *
 * Pages by key, never by offset.  Every request names where it starts:
 * the first rows, the last rows, the rows after key K, before key K, or
 * from key K on (K included).  The source turns that into
 * "WHERE key < $K ORDER BY key DESC LIMIT n" or the like; rows always come
 * back in display order, whatever the direction, and the source says
 * whether the list goes on beyond them (ask for limit + 1 rows and keep
 * limit).  Keys are opaque bytes
 * (at most ROWSET_KEY_MAX) that the source chose; the model only copies
 * them and compares them for equality.
 *
 * Positions.  Rows are numbered by a signed position that stays put for as
 * long as the anchoring lasts: rows fetched above the first one get lower
 * (possibly negative) numbers, rows evicted and fetched again get theirs
 * back, so the cursor and the view never move because data arrived.  Only
 * re-anchoring renumbers: rowset_reload (first row = 0), rowset_end (last
 * row = -1), rowset_seek, rowset_reload_at and rowset_refresh (the anchor
 * row = 0).  While a re-anchor is outstanding nothing is held.
 *
 * The chain.  What is held is one run of whole pages, contiguous:
 * positions [lo, hi).  The count of rows known grows as pages arrive, and
 * whether more exist beyond each end is said, never counted (no count(*)
 * over a million rows to draw a screen).
 *
 * Requests.  At most one is outstanding; each carries a generation, and an
 * answer is taken only when it carries the latest one.  Re-anchoring (g, G,
 * a search hit, a new filter) asks again with a new generation, so the
 * answer to what was asked before is dropped when it lands (ROWSET_STALE),
 * and source->cancel (optional) hears of it.  An answer for the ends of a
 * chain that has changed since it was asked is dropped the same way.  The
 * source may answer from inside fetch (rows in memory) or later (the
 * database).  A failed request (rowset_fail) is not retried by the model:
 * the next movement, rowset_retry or a re-anchor asks again.
 *
 * Memory.  Pages are evicted from the end of the chain farther from the
 * view once more than max_pages are held (or max_bytes), never a page
 * within a margin of the view, so memory is bounded by the configuration,
 * not by how far the user scrolls; rowset_stats says what is held.
 *
 * The view.  The model also holds the cursor and the first row in view
 * (top), because what to fetch and what to evict depend on them: a page is
 * asked for while the view is within a margin (a page or a screen) of an
 * end of the chain.  Invariants after every call, when rows are held:
 * lo <= top <= cursor < hi, cursor < top + height, and at the real end the
 * view is as full as the rows allow.  A movement stops at the rows held;
 * the margin means the next page is normally there before the user is.
 *
 * Tags.  Rows tagged with Space are kept by key, so a tag survives
 * eviction, scrolling and re-anchoring; acting on them is the screen's.
 *
 * Drawing.  rowset_version changes whenever rows in view may show other
 * data than before (a page landed in view, a re-anchor): the table
 * (tui/table.h) takes it and redraws the view; cursor moves need nothing.
 *
 * Call order: rowset_new, rowset_reload (the first request), then any of
 * the functions below as keys and answers come, rowset_free at the end.
 *
 * Ownership and lifetime.  rowset_new copies the source struct; its ud is
 * the caller's and must outlive the rowset.  Row data is copied in
 * rowset_deliver, so the caller may free (PQclear) its buffers right after.
 * Pointers the model hands out (rowset_get, rowset_tag_key) stay valid until
 * the next call that takes a non-const struct rowset.  rowset_free(&rs)
 * frees everything and clears the pointer; an outstanding request is
 * cancelled first.  Not thread-safe: the thread of the main loop owns it.
 */
#ifndef LUMEN_CLIENT_ROWSET_H
#define LUMEN_CLIENT_ROWSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ROWSET_KEY_MAX 128
#define ROWSET_TAGS_MAX 10000

struct rowset;

enum rowset_from {
    ROWSET_FIRST,       /* the first rows of the list */
    ROWSET_LAST,        /* the last rows (answered in display order) */
    ROWSET_AFTER,       /* the rows after key (key excluded) */
    ROWSET_BEFORE,      /* the rows before key (excluded), in display order */
    ROWSET_AT,          /* key's row and those after it; the next one if gone */
};

struct rowset_request {
    uint64_t gen;               /* give it back to rowset_deliver / _fail */
    enum rowset_from from;
    const void *key;            /* AFTER, BEFORE, AT; valid during fetch */
    size_t key_len;
    size_t limit;               /* rows wanted; more than this are dropped */
};

struct rowset_source {
    /* Ask for a page.  Answer with rowset_deliver or rowset_fail, now or
     * later, with req->gen. */
    void (*fetch)(void *ud, const struct rowset_request *req);
    /* Optional: the request gen will be dropped when it lands.  Also
     * called by rowset_free: from then on its answer must not reach the
     * rowset at all (db_cancel on the screen's calls does that). */
    void (*cancel)(void *ud, uint64_t gen);
    void *ud;
};

/* One row as delivered (and as rowset_get gives it back).  data is the
 * screen's own encoding of the row's cells; see rowset_field. */
struct rowset_row {
    const void *key;
    size_t key_len;
    const char *data;
    size_t len;
};

struct rowset_config {
    size_t page_rows;           /* rows per request; 0: 100 */
    size_t max_pages;           /* 0, or below what the view needs: enough */
    size_t max_bytes;           /* 0: no byte budget but max_pages */
};

enum rowset_answer {
    ROWSET_TAKEN,               /* the rows are in */
    ROWSET_STALE,               /* not the latest request: dropped */
};

struct rowset_info {
    int64_t lo, hi;             /* positions held */
    int64_t top, cursor;        /* meaningful when hi > lo */
    int height;
    bool more_before;           /* rows exist (or may) before lo */
    bool more_after;            /* ... after hi-1 */
    bool loading;               /* a request is outstanding */
    bool failed;                /* the last request failed */
    /* Positions count from the list's first row (0), as after rowset_reload:
     * "row 1,234 of 5,000+" can be said, with known as the "of". */
    bool from_start;
    int64_t known;              /* rows seen since the anchoring */
    bool end_seen;              /* the list's end was seen since then */
};

struct rowset_stats {
    size_t pages, rows;
    size_t max_pages;           /* the page budget in force */
    size_t bytes;               /* pages, the page table and the tags */
    size_t peak_bytes;          /* the most bytes ever held at once */
    uint64_t requests, stale;
};

/* A model with no rows; nothing is asked until rowset_reload (or another
 * re-anchor).  height is the view's, in rows (at least 1 is assumed). */
struct rowset *rowset_new(const struct rowset_source *src,
                          const struct rowset_config *cfg, int height);
void rowset_free(struct rowset **rs);

/* --- Answers from the source --------------------------------------------- */

/* n rows in display order; more: the list goes on beyond them in the
 * request's direction.  Rows' keys must be at most ROWSET_KEY_MAX bytes. */
enum rowset_answer rowset_deliver(struct rowset *rs, uint64_t gen,
                                  const struct rowset_row *rows, size_t n,
                                  bool more);
/* The request failed (the screen says why).  ROWSET_STALE when it was not
 * the latest one anyway. */
enum rowset_answer rowset_fail(struct rowset *rs, uint64_t gen);

/* --- Movement and anchoring ---------------------------------------------- */

void rowset_move(struct rowset *rs, long delta);     /* j, k: by rows */
void rowset_page_down(struct rowset *rs);            /* by a view's height */
void rowset_page_up(struct rowset *rs);
void rowset_home(struct rowset *rs);   /* g: re-anchors unless the start is held */
void rowset_end(struct rowset *rs);    /* G: re-anchors unless the end is held */
/* A search hit in the same list: the row with key (or the next one, if it
 * is gone) under the cursor, centred once rows above arrive.  Moves within
 * the chain when the key is held, else re-anchors there. */
void rowset_seek(struct rowset *rs, const void *key, size_t key_len);
/* The same rows again from the database (after a change to them): re-
 * anchors on the top row, the cursor back on its key (or its line). */
void rowset_refresh(struct rowset *rs);
/* Start again from the first row (a new filter or order; also first use). */
void rowset_reload(struct rowset *rs);
/* Start again (the query changed) with the row with key (or the next one)
 * under the cursor, on view line line (-1: centred) as rows above arrive:
 * Esc in the filter bar puts the cursor back on the row it was on. */
void rowset_reload_at(struct rowset *rs, const void *key, size_t key_len, int line);
/* Ask again after rowset_fail, where the view is. */
void rowset_retry(struct rowset *rs);
/* The view's height changed; the cursor keeps its line where it can. */
void rowset_set_height(struct rowset *rs, int height);
/* New rows may exist before the first row (new leads, newest first) or
 * after the last: they are fetched as the view comes near that end, and
 * neither the cursor nor the view moves for them. */
void rowset_expect_before(struct rowset *rs);
void rowset_expect_after(struct rowset *rs);

/* --- Reading ------------------------------------------------------------- */

void rowset_info(const struct rowset *rs, struct rowset_info *info);
void rowset_stats(const struct rowset *rs, struct rowset_stats *st);
unsigned long rowset_version(const struct rowset *rs);
/* The row at pos, or NULL when it is not held. */
const struct rowset_row *rowset_get(const struct rowset *rs, int64_t pos);
/* The row under the cursor, or NULL while there is none. */
const struct rowset_row *rowset_cursor_row(const struct rowset *rs);

/* The i-th field (from 0) of data that packs fields one after another,
 * each ended by a NUL: how a screen stores a result row's text columns.
 * Returns "" past the last field. */
const char *rowset_field(const struct rowset_row *row, int i);

/* --- Tags ---------------------------------------------------------------- */

/* Flip the tag of the row at pos; returns its new state (false also when
 * pos is not held or ROWSET_TAGS_MAX rows are tagged already). */
bool rowset_tag_toggle(struct rowset *rs, int64_t pos);
bool rowset_tagged(const struct rowset *rs, int64_t pos);
size_t rowset_tag_count(const struct rowset *rs);
/* The i-th tagged key (in byte order), for acting on all of them. */
const void *rowset_tag_key(const struct rowset *rs, size_t i, size_t *len);
void rowset_tags_clear(struct rowset *rs);

#endif
