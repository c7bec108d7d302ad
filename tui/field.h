/* field: a one-line UTF-8 text field, plain or masked (passwords, codes).
 *
 * Model.  The text is NUL-terminated, valid UTF-8, and holds only
 * characters that text_sanitize() (UTF-8 mode) leaves unchanged: no C0/C1
 * control, no DEL, no ESC, no bidi or format control, no invalid,
 * surrogate or unassigned code point.  Keys and field_set_text() go through
 * the same filter, so what is drawn is exactly what was typed and a
 * password is exactly the bytes the user meant.  The filter asks wcwidth(),
 * so it follows LC_CTYPE: in a non-UTF-8 locale only ASCII is accepted.
 *
 * Characters and cells.  Limits count characters (code points) and bytes.
 * The cursor, deletion and the mask move by cells: a character together
 * with the zero-width characters that follow it (combining marks,
 * variation selectors, ZWJ), the clusters text_fit() keeps together, so an
 * accent never loses its letter.  f->cursor is a byte offset and is always
 * on a cell boundary.  Columns come from text_width_n() (a CJK character or
 * an emoji is 2 columns), one per code point with FIELD_ASCII, one per
 * cell when masked.
 *
 * Keys (field_key).  Text characters (tui_key_is_text()) are inserted at
 * the cursor, or refused by the filter, the digits rule, the accept
 * callback or the limits; either way the key is consumed, so a letter typed
 * into a code field never reaches the screen's key table.  Editing:
 *   Backspace, DEL (127), C-h   delete the cell before the cursor
 *   Delete                      delete the cell under the cursor
 *   Left, Right                 move one cell
 *   Home, C-a / End, C-e        start / end of the text
 *   C-u / C-k                   delete to the start / to the end
 *   C-w                         delete the word before the cursor (spaces,
 *                               then non-spaces, as the shell does)
 * Every other key (Tab, Enter, Esc, Up, Down, PgUp, F-keys, other control
 * keys) returns false and changes nothing, for the form or screen to use.
 *
 * Masked fields (FIELD_MASKED).  The text lives in memory from libsodium's
 * sodium_malloc() (guard pages, mlock, excluded from core dumps) and never
 * in ordinary memory owned by this module.  It is drawn as one "•" per cell
 * ("*" with FIELD_ASCII).  The buffer is wiped with sodium_memzero() when
 * the field is cleared or freed, when it grows (a new secure buffer is
 * allocated, the text copied, the old one wiped and freed), and bytes that
 * deletion frees are wiped at once.  field_reserve() sizes the buffer up
 * front so that typing never moves the secret.  Plain fields use malloc()
 * and are wiped the same way (a lead's details are sensitive too).
 *
 * Scrolling.  When the text is wider than the field, a window of it is
 * shown that always contains the cursor; field_view() computes it without
 * curses.  The view starts from f->scroll, the first byte shown last time,
 * so the text does not slide under a cursor that moves inside it.
 * field_layout() tells the field its width; from then on field_key()
 * keeps f->scroll up to date.  A field drawn with another width (or never
 * laid out) still shows its cursor, but may slide while the cursor moves.
 *
 * Ownership and lifetime.  struct field is embedded by value (in a form or
 * a screen's state), so field_free() takes a struct field * rather than a
 * T **: it wipes and frees the text and leaves the field empty, with its
 * flags, limits, placeholder and accept callback kept, ready to be used
 * again.  Call order: field_init() first; then any of the functions below;
 * field_free() at the end (and before the struct itself goes away).  The
 * members are readable; change them only through these functions.
 * Copying a struct field by value shares its buffer: don't.
 *
 * Errors.  Allocation failure (out of memory, or sodium_malloc() refused)
 * makes the edit a no-op; the key is still consumed.  Not thread-safe: one
 * field belongs to the thread that runs the TUI.
 */
#ifndef LUMEN_TUI_FIELD_H
#define LUMEN_TUI_FIELD_H

#include <curses.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tui/key.h"
#include "tui/text.h"

/* Flags for field_init().  FIELD_ASCII is TEXT_ASCII, so a widget can OR
 * the result of text_locale_flags() straight in. */
enum field_flags {
    FIELD_ASCII  = TEXT_ASCII, /* draw for a non-UTF-8 terminal ('*' mask) */
    FIELD_MASKED = 1u << 8,    /* secret: sodium memory, drawn masked */
    FIELD_DIGITS = 1u << 9,    /* accept only '0'-'9' (one-time codes) */
};

/* Bytes a field may hold when max_bytes is 0 (the NUL not counted). */
#define FIELD_MAX_BYTES_DEFAULT 1024

/* Extra rule for characters, called before the limits are checked with
 * the code point about to be inserted and the arg given to
 * field_set_accept().  Return false to refuse it.  Must not touch the
 * field. */
typedef bool (*field_accept_fn)(uint32_t cp, void *arg);

struct field {
    char *buf;               /* NULL until text arrives; sodium if masked */
    size_t cap;              /* bytes allocated at buf, NUL included */
    size_t len;              /* bytes of text, NUL not included */
    size_t chars;            /* code points in the text */
    size_t cursor;           /* byte offset, on a cell boundary */
    size_t scroll;           /* first byte shown, on a cell boundary */
    int width;               /* from field_layout(); 0 = not laid out */
    unsigned flags;          /* enum field_flags */
    size_t max_chars;        /* 0 = no limit but max_bytes */
    size_t max_bytes;
    const char *placeholder; /* borrowed; shown dim while empty */
    field_accept_fn accept;
    void *accept_arg;
    unsigned long version;   /* bumps on every change of the text */
};

/* An empty field.  max_chars 0: limited by bytes only; max_bytes 0:
 * FIELD_MAX_BYTES_DEFAULT.  A 6-digit code: field_init(f, FIELD_DIGITS |
 * tf, 6, 0); a password: field_init(f, FIELD_MASKED | tf, 0, 256), where
 * tf is the TUI's text_locale_flags().  Allocates nothing. */
void field_init(struct field *f, unsigned flags, size_t max_chars,
                size_t max_bytes);

/* Text shown (sanitized, dim) while the field is empty.  The string is
 * borrowed and must outlive the field: pass a literal.  NULL: none. */
void field_set_placeholder(struct field *f, const char *placeholder);

/* Install (or with fn NULL remove) an extra character rule. */
void field_set_accept(struct field *f, field_accept_fn fn, void *arg);

/* Handle one key; true if the field used it.  See "Keys" above. */
bool field_key(struct field *f, tui_key key);

/* The current text and its length in bytes (len may be NULL).  Never
 * NULL: an empty field gives "".  For a masked field this points into the
 * secure buffer: derive a key from it in place, do not copy it to ordinary
 * memory.  Valid until the next call that takes a non-const field. */
const char *field_text(const struct field *f, size_t *len);

/* Replace the text with len bytes of s (s may be NULL when len is 0),
 * character by character through the same filter as typing; the cursor
 * goes to the end.  Returns true if all of it was taken, false if some
 * characters were refused (invalid UTF-8, controls, rules, limits) or
 * memory ran out; what was accepted stays. */
bool field_set_text(struct field *f, const char *s, size_t len);

/* Empty the text, wiping the whole buffer; the buffer is kept for reuse. */
void field_clear(struct field *f);

/* Make room for bytes of text (NUL not counted), at most max_bytes, so
 * that typing up to that size never reallocates.  0 on success, -1 when
 * out of memory (the field is unchanged). */
int field_reserve(struct field *f, size_t bytes);

/* Wipe and free the text; the field stays initialized and empty. */
void field_free(struct field *f);

/* Tell the field the width it is drawn at (on every layout change, e.g.
 * KEY_RESIZE); it keeps its scroll position right for that width. */
void field_layout(struct field *f, int width);

/* The view for width columns, without curses: *first is the first byte of
 * the text shown, *cursor_col the cursor's column inside the field
 * (0 <= *cursor_col < width when width > 0).  With width <= 0: the
 * cursor's byte and 0.  Pure: the field is not changed. */
void field_view(const struct field *f, int width, size_t *first,
                int *cursor_col);

/* Draw the field at row y, columns x .. x+width-1 of win: exactly width
 * columns (padded, clipped to the window), in ROLE_INPUT_FOCUS when
 * focused, else ROLE_INPUT.  The window's attributes are restored after.
 * When focused, leaves the window cursor (wmove) on the field's cursor and
 * returns that window column; otherwise, or when nothing could be drawn,
 * returns -1.  Anything drawn later in win moves the cursor again: draw
 * the focused field last, or wmove(win, y, col) back before refreshing.
 * Making the cursor visible (curs_set) is the caller's business. */
int field_draw(const struct field *f, WINDOW *win, int y, int x, int width,
               bool focused);

#endif
