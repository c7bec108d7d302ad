/* form: a vertical list of labelled text fields with one focus.
 *
 * Keys (form_key).  The form takes the keys that move between fields and
 * gives the rest to the focused field (see field.h):
 *   Tab / S-Tab        next / previous field, wrapping around
 *   Down / Up          next / previous field, stopping at the ends
 *   Enter              next field; on the last field: FORM_SUBMIT
 *   Esc                FORM_CANCEL
 * A key that neither the form nor the field uses comes back as
 * FORM_UNHANDLED (Ctrl-L, F-keys, PgUp...), for the screen's key table.
 * A screen that reads its keys through its action table instead gives the
 * field its keys with form_edit().  Editing a field clears that field's
 * own error (it was about the old text); the form-wide error (about the
 * account, the connection) stays until the caller replaces it.
 *
 * Layout (form_layout, pure arithmetic, no curses).  Rows from the top of
 * the form's area, columns from its left edge:
 *   wide   (width >= widest label + 1 + FORM_FIELD_MIN):
 *          "Label    [field.........]"   one row per field; the labels
 *          form a column as wide as the widest, the field takes the rest;
 *   narrow (anything less):
 *          "Label"                       the label on its own row,
 *          "[field.........]"            the field below it, full width.
 * Under a field come its message rows when it has one: its error
 * (ROLE_ERROR) if set, else its hint (ROLE_DIM), aligned with the field
 * and word-wrapped to the field's width.  After the last field come the
 * form-wide error's rows (ROLE_ERROR), wrapped to the whole width, when
 * set.  Every text is sanitized; a word wider than its column is broken.
 *
 * Drawing (form_draw) writes only inside the given rectangle, clipped to
 * the window too, and degrades down to a 1x1 area without crashing.  When
 * the rows do not fit the height, the form scrolls so that the focused
 * field (and its label) stays in view.  At 80 columns a login form of
 * three fields, one hint and an error takes 5 rows (wide layout); at 10
 * columns the same form takes 8 (narrow layout).
 *
 * Ownership and lifetime.  struct form is embedded by value and holds its
 * fields by value (no allocation until text is typed).  Labels and hints
 * are borrowed pointers that must outlive the form (pass literals); error
 * messages are copied and sanitized at once, so they may come from the
 * database or a temporary buffer.  Call order: form_init(), form_add() for
 * each field, then form_key() / form_draw() in any order, form_free() at
 * the end: it wipes and frees every field (masked ones included) and
 * leaves an empty form; form_init() it again before reuse.
 */
#ifndef LUMEN_TUI_FORM_H
#define LUMEN_TUI_FORM_H

#include <curses.h>
#include <stdbool.h>
#include <stddef.h>

#include "tui/field.h"
#include "tui/key.h"

#define FORM_MAX_FIELDS 8
#define FORM_ERROR_MAX  256  /* bytes of a sanitized error message */
#define FORM_FIELD_MIN  12   /* narrowest field the wide layout accepts */

enum form_result {
    FORM_NONE,      /* the key was used; nothing to report (focus, cursor) */
    FORM_CHANGED,   /* the text of the focused field changed */
    FORM_SUBMIT,    /* Enter on the last field */
    FORM_CANCEL,    /* Esc */
    FORM_UNHANDLED, /* not a form or field key: the caller's to handle */
};

struct form_item {
    const char *label;           /* borrowed */
    const char *hint;            /* borrowed; NULL: none */
    char error[FORM_ERROR_MAX];  /* sanitized copy; "": none */
    struct field field;
};

struct form {
    struct form_item items[FORM_MAX_FIELDS];
    size_t count;
    size_t focus;                /* index of the focused field */
    unsigned text_flags;         /* TEXT_ASCII or 0, from form_init() */
    int top;                     /* first row shown when scrolled */
    char error[FORM_ERROR_MAX];  /* sanitized copy; "": none */
};

/* Where each part of the form goes; rows and columns relative to the
 * form's area.  A row of -1 means "not shown". */
struct form_slot {
    int label_row, label_col, label_w;
    int field_row, field_col, field_w;
    int msg_row, msg_col, msg_w;
    int msg_rows;                /* rows the wrapped message takes */
};

struct form_layout {
    bool wide;
    int rows;                    /* rows the whole form needs */
    int error_row;               /* -1 without a form-wide error */
    int error_rows;              /* rows the wrapped form-wide error takes */
    struct form_slot slot[FORM_MAX_FIELDS];
};

/* An empty form.  text_flags: the TUI's text_locale_flags() (TEXT_ASCII
 * or 0); it is ORed into every field's flags and used for labels. */
void form_init(struct form *fm, unsigned text_flags);

/* Append a field (flags, limits: as field_init()); the first one added
 * has the focus.  Returns the field, for placeholders, an accept rule or
 * initial text, or NULL when the form already has FORM_MAX_FIELDS. */
struct field *form_add(struct form *fm, const char *label, unsigned flags,
                       size_t max_chars, size_t max_bytes);

/* The i-th field, or NULL when i is out of range. */
struct field *form_field(struct form *fm, size_t i);

/* Move the focus (ignored when i is out of range). */
void form_set_focus(struct form *fm, size_t i);

/* A line of help under field i, e.g. "6 digits from your app".  Borrowed;
 * NULL removes it. */
void form_set_hint(struct form *fm, size_t i, const char *hint);

/* An error under field i, shown instead of its hint; copied and sanitized.
 * NULL or "" removes it. */
void form_set_field_error(struct form *fm, size_t i, const char *msg);

/* The form-wide error line, e.g. what the server said; copied and
 * sanitized, cut to FORM_ERROR_MAX bytes on a character boundary.  NULL
 * or "" removes it. */
void form_set_error(struct form *fm, const char *msg);

/* Clears every field's error and the form-wide one (a new attempt). */
void form_clear_errors(struct form *fm);

/* Handle one key; see "Keys" above. */
enum form_result form_key(struct form *fm, tui_key key);

/* Only the focused field's part of form_key: the field's editing keys.
 * FORM_CHANGED (and the field's error cleared) when its text changed,
 * FORM_NONE when the field used the key otherwise (the cursor moved, or a
 * character it refuses), FORM_UNHANDLED when it is not a field key. */
enum form_result form_edit(struct form *fm, tui_key key);

/* Compute the layout for an area width columns wide (see "Layout"). */
void form_layout(const struct form *fm, int width, struct form_layout *lo);

/* Draw the form in the rectangle of win at (y, x), width x height, after
 * clearing it; fields are told their width (field_layout()).  Returns the
 * window column of the focused field's cursor and leaves the window cursor
 * there (wmove; its row is getcury(win)), or -1 when that field is not in
 * view.  Draw the form last, or move the cursor back, before refreshing.
 * The window's attributes are restored after. */
int form_draw(struct form *fm, WINDOW *win, int y, int x, int width,
              int height);

/* Wipe and free every field; the form is left empty (count 0). */
void form_free(struct form *fm);

#endif
