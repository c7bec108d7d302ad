/* table: rows of cells under a header row, drawn into a rectangle of a
 * window the caller gives (a part of a screen's body, below its own
 * lines): no window of its own, so a resize that replaces the body leaves
 * nothing behind.  It knows nothing of where rows come from or how many
 * there are: each draw is told which rows are in view (struct table_view:
 * the first, how many, the cursor) and asks a callback for the cells of
 * the rows it draws.  A keyset model (client/rowset.h) or plain arithmetic
 * over an array decides the view; the screen copies it across.
 *
 * Columns.  Each has a title and a width: fixed (width > 0), or a share
 * of what the fixed columns and the one-column gaps leave (share > 0), at
 * least min.  When even the minimums do not fit, columns are left out
 * from the right, so what shows is whole.  table_layout() is arithmetic
 * only, for tests and for screens that want to know.
 *
 * Cells.  Any bytes: every cell and title passes text_cell() (the
 * sanitizer of tui/text.h) and is cut to its column with an ellipsis, so
 * an escape sequence or a bidi override in a name shows as placeholders
 * and never reaches the terminal.  TABLE_RIGHT aligns numbers right.
 *
 * Look.  The header row is ROLE_TITLE.  The selected row is ROLE_SELECTED
 * (reverse) across the whole rectangle, its cells keep their extra
 * attributes (bold), so it reads under NO_COLOR.  With TABLE_MARKS the two
 * leftmost columns hold the tag mark: "*" for a tagged row.  A row the
 * callback cannot supply yet (TABLE_ROW_MISSING) shows a dim ellipsis.
 *
 * Drawing only what changed.  table_draw() remembers what it drew.  When
 * only the cursor moved within the same view it redraws the old and the
 * new cursor rows; when the rectangle, the first row, the number of rows
 * or the view's version changed it redraws everything; rows invalidated
 * with table_invalidate_row() (a tag toggled) are redrawn alone (more than
 * TABLE_DIRTY_MAX at once redraw everything); when
 * nothing changed nothing is drawn.  It returns the number of lines it
 * wrote, so the caller knows whether to wnoutrefresh and how much it
 * cost.  Refreshing is the main loop's, never the table's.
 *
 * Ownership and lifetime.  struct table is the caller's (in a screen's
 * state) and needs no cleanup.  The column array and its titles are
 * borrowed and must outlive the table (a static const array does).  Cell
 * strings need only last until the callback is called again.  Fields are
 * private: use the functions.                                            */
#ifndef LUMEN_TUI_TABLE_H
#define LUMEN_TUI_TABLE_H

#include <curses.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tui/theme.h"

#define TABLE_MAX_COLS 16
#define TABLE_MARK_COLS 2
#define TABLE_DIRTY_MAX 8

enum table_align { TABLE_LEFT, TABLE_RIGHT };

struct table_column {
    const char *title;
    int width;                  /* > 0: fixed */
    int share;                  /* width 0: a share of the rest */
    int min;                    /* a shared column's least width */
    enum table_align align;
};

struct table_cell {
    const char *text;           /* NUL-terminated, untrusted; NULL: empty */
    enum theme_role role;       /* 0 (ROLE_NORMAL) unless the cell means more */
    attr_t attr;                /* added: A_BOLD, A_REVERSE (an old new lead) */
};

enum table_flags {
    TABLE_MARKS = 1u << 0,      /* a mark column for tagged rows */
};

enum table_row_flags {
    TABLE_ROW_TAGGED = 1u << 0,
    TABLE_ROW_MISSING = 1u << 1,    /* not fetched yet: cells are ignored */
};

/* Fill cells[0 .. ncols) for row (cleared to empty on entry) and return
 * TABLE_ROW_* flags. */
typedef unsigned (*table_row_fn)(void *ud, int64_t row, struct table_cell *cells);

struct table_view {
    int64_t first;              /* the row on the line below the header */
    int rows;                   /* rows from first to draw; lines below are blank */
    int64_t cursor;             /* the selected row, when has_cursor */
    bool has_cursor;
    unsigned long version;      /* a change redraws every line */
    const char *empty;          /* shown dim when rows is 0; NULL: nothing */
};

struct table_rect {
    int y, x, h, w;             /* h counts the header row */
};

struct table {
    const struct table_column *cols;
    int ncols;
    unsigned flags, text_flags;
    int width[TABLE_MAX_COLS];  /* from table_layout; 0: left out */
    int x[TABLE_MAX_COLS];      /* offsets within the rectangle */
    int laid_out;               /* the width laid out for, -1 for none */
    struct {
        bool valid;
        struct table_rect rect;
        struct table_view view;
    } drawn;
    int64_t dirty[TABLE_DIRTY_MAX];     /* rows to redraw */
    int ndirty;                 /* > TABLE_DIRTY_MAX: redraw everything */
};

/* ncols at most TABLE_MAX_COLS (more are ignored).  flags: TABLE_MARKS;
 * text_flags: the TUI's text_locale_flags(). */
void table_init(struct table *t, const struct table_column *cols, int ncols,
                unsigned flags, unsigned text_flags);

/* Widths for a rectangle width columns wide.  Returns how many columns
 * show; table_column_width / table_column_x tell each one's place. */
int table_layout(struct table *t, int width);
int table_column_width(const struct table *t, int col);
int table_column_x(const struct table *t, int col);

/* Next table_draw() redraws everything (after Ctrl-L or a theme change). */
void table_invalidate(struct table *t);
/* Next table_draw() redraws row (if in view): its data or tag changed. */
void table_invalidate_row(struct table *t, int64_t row);

/* Draw what changed (see above) of view into rect of w, clipped to the
 * window.  Returns the number of lines written, 0 when nothing changed. */
int table_draw(struct table *t, WINDOW *w, const struct table_rect *rect,
               const struct table_view *view, table_row_fn row, void *ud);

#endif
