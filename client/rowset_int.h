/* Private to client/rowset*.c: the model's state and the functions its
 * files share.  Screens include client/rowset.h only.
 *
 * rowset.c holds the chain of pages, the requests and the answers;
 * rowset_nav.c the user's side: movement, anchoring and tags. */
#ifndef LUMEN_CLIENT_ROWSET_INT_H
#define LUMEN_CLIENT_ROWSET_INT_H

#include "client/rowset.h"

/* One allocation per page: the header, the row table, then every key and
 * every data string, so that evicting a page is one free() and its size is
 * known exactly for the accounting. */
struct rowset_page {
    int64_t first;              /* position of rows[0] */
    size_t n;
    size_t bytes;
    struct rowset_row rows[];
};

struct rowset_key {
    size_t len;
    unsigned char b[ROWSET_KEY_MAX];
};

struct rowset {
    struct rowset_source src;
    size_t page_rows, max_pages_cfg, max_pages, max_bytes;
    int height;

    struct rowset_page **pages;        /* the chain, in position order */
    size_t npages, cap;
    int64_t lo, hi, top, cursor;
    bool at_start, at_end;      /* lo / hi are the list's real ends */

    /* The request outstanding (on), or the last one that failed. */
    struct {
        bool on;
        uint64_t gen;
        enum rowset_from from;
        struct rowset_key key;
    } req;
    uint64_t gen;
    bool failed;
    bool anchored;              /* something was asked since rowset_new */

    /* Since the anchoring: for rowset_info. */
    bool from_start, end_seen;
    int64_t seen_lo, seen_hi;

    /* Where the cursor goes when the anchor's rows land (refresh), and
     * the view line it is held on until the user moves (-1: none). */
    bool want;
    struct rowset_key want_key;
    int64_t want_line;
    int64_t hold_line;

    struct rowset_key *tags;           /* sorted by key_cmp */
    size_t ntags, tags_cap;

    unsigned long version;
    size_t bytes, peak;
    uint64_t requests, stale;
};

/* Copy a key (at most ROWSET_KEY_MAX bytes: more is a broken invariant)
 * and compare one with bytes. */
void rowset_key_set(struct rowset_key *k, const void *b, size_t len);
bool rowset_key_eq(const struct rowset_key *k, const void *b, size_t len);
/* The view's height, at least 1. */
int64_t rowset_span(const struct rowset *rs);
/* Recompute max_pages for the height (after a resize). */
void rowset_size_limits(struct rowset *rs);
/* Clamp cursor and top back into the invariants of rowset.h. */
void rowset_settle(struct rowset *rs);
/* Evict what is over budget, then ask for what the view needs next. */
void rowset_pump(struct rowset *rs);
/* Forget every row and ask from a new anchor (see rowset.c). */
void rowset_reanchor(struct rowset *rs, enum rowset_from from, const void *key,
                     size_t len, bool want, int64_t hold_line);
/* The position of the held row with that key, or lo - 1. */
int64_t rowset_find(const struct rowset *rs, const void *key, size_t len);
/* Recount rs->bytes (and the peak) after the pages or the tags changed. */
void rowset_account(struct rowset *rs);

#endif
