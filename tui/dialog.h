/* dialog: a modal confirm dialog or message box, centred in a window.
 *
 *   ┌ Sign out everywhere ─────────────────────────┐
 *   │                                              │
 *   │ Every session of your account, on every      │
 *   │ device, ends now.                            │
 *   │                                              │
 *   │   [y] Sign out everywhere    [n] Cancel      │
 *   └──────────────────────────────────────────────┘
 *
 * Keys (dialog_key).  A confirm dialog: Left/Right, Tab/S-Tab and h/l
 * move the highlight between the two buttons, and Enter answers the
 * highlighted one.  The keys that answer at once (y, n, Esc by default)
 * are the application's actions, which [keys] may rebind: the caller
 * handles them and names them on the buttons (dialog_confirm).  The highlight starts on "no", the safe choice, so a stray Enter
 * never confirms.  A message box (one "OK" button) answers DIALOG_YES to
 * Enter, Space, 'o', 'q' and Esc: any of them closes it.  Every other key
 * gives DIALOG_NONE and does nothing: the dialog is modal, the caller
 * sends it all keys until it answers.
 *
 * Drawing (dialog_draw).  The box (ROLE_BORDER, title in ROLE_TITLE in the
 * top border) is centred in the whole window and as wide as its content
 * needs, up to DIALOG_WRAP columns of message, never wider than the
 * window.  The message is word-wrapped (its '\n' kept).  When the window
 * is too short, blank rows go first, then message rows; the button row
 * stays as long as there is a row.  Below 3 rows or 4 columns the border
 * goes too.  The confirm button is drawn in ROLE_DANGER when the dialog
 * was made with DIALOG_DANGER; the highlighted button is reversed.
 * dialog_layout() computes all of it without curses.
 *
 * Ownership and lifetime.  Every string is copied and sanitized by
 * dialog_confirm()/dialog_message() (title and message may carry names
 * from the database), so the caller's strings need not outlive the call.
 * struct dialog owns no heap memory: nothing to free.  Call order:
 * dialog_confirm() or dialog_message(), then dialog_key()/dialog_draw()
 * until an answer; the struct can then be reused.
 */
#ifndef LUMEN_TUI_DIALOG_H
#define LUMEN_TUI_DIALOG_H

#include <curses.h>
#include <stdbool.h>
#include <stddef.h>

#include "tui/key.h"

#define DIALOG_TITLE_MAX 128   /* bytes, sanitized, NUL included */
#define DIALOG_TEXT_MAX  1024
#define DIALOG_LABEL_MAX 96
#define DIALOG_WRAP      56    /* widest message line, in columns */

/* Flags for dialog_confirm()/dialog_message(), ORed with the TUI's
 * text_locale_flags() (TEXT_ASCII or 0). */
enum dialog_flags {
    DIALOG_DANGER = 1u << 8,   /* the "yes" choice destroys something */
};

enum dialog_result { DIALOG_NONE, DIALOG_YES, DIALOG_NO };

struct dialog {
    bool message_only;         /* one OK button */
    bool yes_selected;         /* the highlight; false: on "no" */
    unsigned flags;
    char title[DIALOG_TITLE_MAX];
    char text[DIALOG_TEXT_MAX];    /* sanitized, may hold '\n' */
    char yes[DIALOG_LABEL_MAX];    /* "[y] Sign out everywhere" */
    char no[DIALOG_LABEL_MAX];     /* "[n] Cancel" */
};

/* Where everything goes, in window coordinates; a row of -1 (or a count
 * of 0) means "no room". */
struct dialog_layout {
    int y, x, h, w;            /* the box; h or w 0: nothing to draw */
    bool border;
    int text_y, text_x, text_w;
    int text_rows;             /* message rows shown (may be fewer than
                                  the wrapped message has) */
    int buttons_y;
};

/* A yes/no question.  yes_label and no_label are the choices without the
 * key, e.g. "Sign out everywhere" and "Cancel"; yes_key and no_key are the
 * names of the keys that answer them (as the keymap names them), shown as
 * "[y] ..." and "[n] ...", or no brackets for "".  NULL strings count as
 * "". */
void dialog_confirm(struct dialog *d, const char *title, const char *text,
                    const char *yes_key, const char *yes_label,
                    const char *no_key, const char *no_label, unsigned flags);

/* A message (an error, a notice) with one OK button. */
void dialog_message(struct dialog *d, const char *title, const char *text,
                    unsigned flags);

/* Handle one key; see "Keys" above. */
enum dialog_result dialog_key(struct dialog *d, tui_key key);

/* Lay the dialog out in a window of rows x cols. */
void dialog_layout(const struct dialog *d, int rows, int cols,
                   struct dialog_layout *lo);

/* Number of rows the message wraps to at cols columns (cols >= 1). */
int dialog_text_rows(const struct dialog *d, int cols);

/* Draw the dialog over whatever win shows, inside win only; the window's
 * attributes are restored after.  The terminal cursor is not needed:
 * hide it (curs_set(0)) while a dialog is up. */
void dialog_draw(const struct dialog *d, WINDOW *win);

#endif
