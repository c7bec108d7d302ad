/* Private to screens/inbox*.c: the inbox's state and what its files
 * share.  inbox_rows.c fetches and draws the rows; inbox.c has the keys,
 * the filter in force and the screen's life. */
#ifndef LUMEN_SCREENS_INBOX_INT_H
#define LUMEN_SCREENS_INBOX_INT_H

#include "screens/inbox.h"
#include "screens/leadact.h"
#include "client/leadfilter.h"
#include "client/rowset.h"
#include "tui/filterbar.h"
#include "tui/table.h"

#define INBOX_TITLE_Y 0
#define INBOX_BAR_Y 1
#define INBOX_TABLE_Y 2
#define INBOX_PAGE 100
#define INBOX_FILTER_JSON_MAX 4096
#define INBOX_TYPING_MS 300

enum col { F_ID, F_CAPTURED, F_STATUS, F_NAME, F_SERVICE, F_PHONE, F_ASSIGNED, F_TOUCHED,
           F_COUNT };

enum { C_AGE, C_STATUS, C_NAME, C_SERVICE, C_PHONE, C_ASSIGNED, C_COUNT };

extern const struct table_column inbox_cols[C_COUNT];

struct inbox {
    struct lumen *L;
    struct rowset *rs;
    struct table table;
    struct filterbar fb;
    struct leadact act;
    struct inbox_export *exp;
    char who[100];              /* account/practice the state is for */
    /* The list in force: its filter, order and grant. */
    char filter_json[INBOX_FILTER_JSON_MAX];
    bool untouched_order;
    char grant[API_GRANT_HEX + 1];
    bool granted;
    bool opening;               /* api.leads_open under way */
    bool reopened;              /* opened again after a page's LMV01 */
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

/* inbox_rows.c */
void inbox_dirty(struct inbox *st);
void inbox_src_fetch(void *ud, const struct rowset_request *req);
void inbox_src_cancel(void *ud, uint64_t gen);
/* The request the rowset made before the grant came, now. */
void inbox_send_page(struct inbox *st, const struct rowset_request *req);
void inbox_draw_title(struct inbox *st, WINDOW *w, int cols);
int inbox_draw_table(struct inbox *st, WINDOW *w);
void inbox_draw_bar(struct inbox *st, WINDOW *w, int cols);
/* inbox.c: a new list for the filter and order in force (a new grant). */
void inbox_open_list(struct inbox *st);
unsigned inbox_row_cells(void *ud, int64_t pos, struct table_cell *c);

#endif
