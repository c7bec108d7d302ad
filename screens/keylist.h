/* keylist: the machinery every long list screen shares (the inbox, the
 * audit log; the team and sessions lists later), in one place:
 *
 *   the list in force   a filter (the bar's text made JSON by the screen)
 *                       and an order, opened with an audited *_open call
 *                       that answers a read grant (db/API.md)
 *   its rows            a rowset (client/rowset.h) asking pages of the
 *                       *_page call by key with that grant; an answer of
 *                       an older list or request is dropped by its gen
 *   the view            a title line (the screen's), the filter bar, the
 *                       table (tui/table.h) below
 *   the keys            movement, / and the filter bar (typing narrows
 *                       once it pauses; Esc clears it and puts the cursor
 *                       back on its row), r, Space to tag
 *
 * A screen embeds a struct keylist in its state, gives it ops (its api
 * calls, how a row is packed and drawn, what its filter text means) and
 * calls keylist_* from its own hooks; what is the screen's own (opening a
 * row, acting on it, arrivals, a sparkline) stays in the screen.
 *
 * Rows are packed by ops->pack with keylist_put(): text fields one after
 * another, read back with rowset_field(row, i).                          */
#ifndef LUMEN_SCREENS_KEYLIST_H
#define LUMEN_SCREENS_KEYLIST_H

#include <stdbool.h>
#include <stddef.h>

#include "screens/lumen.h"
#include "client/rowset.h"
#include "tui/filterbar.h"
#include "tui/table.h"

#define KEYLIST_JSON_MAX 4096
#define KEYLIST_TYPING_MS 300
#define KEYLIST_BAR_Y 1         /* the filter bar's line; the title is line 0 */
#define KEYLIST_TABLE_Y 2

struct keylist;

/* What ops->pack writes a row's fields into. */
struct keylist_packer {
    char *p, *end;
};
/* Appends one field (NULL: ""). */
void keylist_put(struct keylist_packer *pk, const char *s);

struct keylist_ops {
    /* Opens the list: the screen's *_open api call with these arguments. */
    int (*open)(struct keylist *kl, const char *filter_json, api_grant_fn done, void *ud,
                const void *owner);
    /* A page: the screen's *_page call (ORDER as keylist_set_order set). */
    int (*page)(struct keylist *kl, const char *grant, const char *order, const char *from,
                const char *key, int limit, api_rows_fn done, void *ud, const void *owner);
    /* Row I of ROWS into PK, the fields the screen reads back. */
    void (*pack)(struct keylist *kl, const struct api_rows *rows, int i,
                 struct keylist_packer *pk);
    /* The table's cells of a packed row (tui/table.h). */
    unsigned (*cells)(struct keylist *kl, const struct rowset_row *r, int64_t pos,
                      struct table_cell *cells);
    /* The bar's text as filter JSON into JSON ("{}" for none); 0, or -1
     * with a message in ERR. */
    int (*filter)(const char *text, size_t len, char *json, size_t cap, char *err,
                  size_t errlen);
    /* Optional: a new list is open (the grant came): arrivals, a sparkline. */
    void (*opened)(struct keylist *kl);
    /* The bar's line while no filter is in force: LEAD, the filter key,
     * "filters", TAIL: " All leads. / filters; N new, M mine". */
    const char *bar_lead, *bar_tail;
    const char *empty;          /* shown when no row exists and no filter is in force */
    const char *empty_filtered; /* ... with a filter */
};

struct keylist {
    struct lumen *L;
    const struct keylist_ops *ops;
    void *ud;                   /* the screen's state */
    struct rowset *rs;
    struct table table;
    struct filterbar fb;
    int page_rows;
    char order[24];
    char filter_json[KEYLIST_JSON_MAX];
    char grant[API_GRANT_HEX + 1];
    bool granted, opening, reopened;
    bool fetch_waiting;         /* the rowset asked before the grant came */
    struct rowset_request waiting;
    unsigned char waiting_key[ROWSET_KEY_MAX];
    bool reanchor;              /* Esc in the bar: back on this row */
    bool clearing;              /* clear_filter is opening the list */
    unsigned char anchor_key[ROWSET_KEY_MAX];
    size_t anchor_len;
    int anchor_line;
    char err[200];
    char who[100];              /* account/practice the state is for */
    int h, cols, bar_x;
    int table_y;                /* the table's first line (KEYLIST_TABLE_Y,
                                 * or lower for a line of the screen's own) */
    char owner, page_owner;     /* api_cancel owners: the open, the pages */
};

void keylist_init(struct keylist *kl, struct lumen *L, const struct keylist_ops *ops, void *ud,
                  const struct table_column *cols, int ncols, unsigned table_flags,
                  int page_rows);
void keylist_free(struct keylist *kl);

/* Opening the screen: a new list when the person or practice changed
 * since (nothing of theirs stays), or none was open; else the same rows
 * again from the database.  True when the state was reset. */
bool keylist_show(struct keylist *kl);
/* A new list for the filter and order in force (a new grant). */
void keylist_open_list(struct keylist *kl);
/* The order the page call is given; a change opens a new list. */
void keylist_set_order(struct keylist *kl, const char *order);
/* A filter of one token, or none when it is the one in force (N, M, U). */
void keylist_quick_filter(struct keylist *kl, const char *token);
/* The filter bar's text, as if typed (a jump from elsewhere).  True when
 * it opened a new list (false: the same filter, or one that makes no
 * sense, as the bar then says). */
bool keylist_set_filter(struct keylist *kl, const char *text);
/* False, after forgetting the filter and the list, when the person or the
 * practice changed since the state was last used (nothing of theirs may
 * stay); true when it is the same. */
bool keylist_same_person(struct keylist *kl);
/* Taken off the screen: its calls stop; shown again later, it asks again. */
void keylist_removed(struct keylist *kl);

/* Hooks: the raw key (the bar takes text while editing), an action
 * (movement, the bar's /, Enter and Esc, r, Space): TUI_UNHANDLED for
 * what is the screen's. */
enum tui_result keylist_key(struct keylist *kl, tui_key k);
enum tui_result keylist_action(struct keylist *kl, int action);
bool keylist_typing(const struct keylist *kl);
bool keylist_cursor(const struct keylist *kl, int *y, int *x);
void keylist_layout(struct keylist *kl, int h, int cols);
/* Draws the bar and the table (the title line 0 is the screen's); FULL
 * after an erase.  Returns the lines written. */
int keylist_draw(struct keylist *kl, WINDOW *w, bool full);
/* The list changed: its lines are marked for the next draw. */
void keylist_dirty(struct keylist *kl);
/* "  1,234 of 5,000+" for the title, or "" while it cannot be said. */
void keylist_position(const struct keylist *kl, char *buf, size_t size);

/* The ids at the end of the tagged rows' keys ("...|id"), or the cursor's
 * row id field FIELD; returns how many (at most MAX). */
size_t keylist_targets(const struct keylist *kl, int field, long long *ids, size_t max);

#endif
