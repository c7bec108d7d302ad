/* One integer per key press, for every part of the TUI.
 *
 * ncurses' wget_wch() returns either a character or a KEY_* code, and the
 * two ranges overlap (KEY_DOWN is 0402, and so is U+0102).  A tui_key keeps
 * them apart: characters are their code point, function keys are KEY_* with
 * TUI_KEY_FN set.  Enter is always '\n', whatever the terminal sent.      */
#ifndef LUMEN_TUI_KEY_H
#define LUMEN_TUI_KEY_H

#include <curses.h>
#include <stdbool.h>
#include <wchar.h>

typedef int tui_key;

#define TUI_KEY_FN 0x40000000
#define TUI_FN(k) (TUI_KEY_FN | (k))
#define TUI_CTRL(c) ((c) & 0x1f)
#define TUI_KEY_ESC 27
#define TUI_KEY_NONE 0

/* From what wget_wch() returned (OK or KEY_CODE_YES, and the value). */
static inline tui_key tui_key_from_wch(int rc, wint_t ch)
{
    if (rc == KEY_CODE_YES)
        return ch == KEY_ENTER ? '\n' : TUI_FN((int)ch);
    return ch == '\r' ? '\n' : (tui_key)ch;
}

static inline bool tui_key_is_fn(tui_key k) { return (k & TUI_KEY_FN) != 0; }

/* A character a text field may insert: printable, not a control. */
static inline bool tui_key_is_text(tui_key k)
{
    return !tui_key_is_fn(k) && k >= 0x20 && k != 0x7f && !(k >= 0x80 && k < 0xa0);
}

#endif
