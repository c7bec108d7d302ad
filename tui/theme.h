/* Semantic colour roles.  Screens and widgets ask for a role, never for a
 * colour pair: meaning is carried by bold and reverse as well, so every
 * role stays readable in monochrome and under NO_COLOR.
 * theme_init() runs once after initscr(); theme_attr() is then cheap.    */
#ifndef LUMEN_TUI_THEME_H
#define LUMEN_TUI_THEME_H

#include <curses.h>
#include <stdbool.h>

enum theme_role {
    ROLE_NORMAL,
    ROLE_TITLE,       /* screen and dialog titles, tab of the screen in hand */
    ROLE_TAB,         /* the other tabs */
    ROLE_SELECTED,    /* the row under the cursor */
    ROLE_STATUS,      /* the status bar */
    ROLE_KEY,         /* a key name in hints and help */
    ROLE_DIM,         /* secondary text: timestamps, placeholders */
    ROLE_INPUT,       /* a text field */
    ROLE_INPUT_FOCUS, /* the text field being edited */
    ROLE_ERROR,       /* a message that something failed */
    ROLE_DANGER,      /* a destructive choice in a dialog */
    ROLE_OK,          /* a message that something worked */
    ROLE_BORDER,
    ROLE_QR,          /* a QR code (tui/qr.h): ink is a dark module; black on
                         white in colour, reverse video without */
    ROLE_COUNT
};

enum theme_mode { THEME_AUTO, THEME_NEVER, THEME_ALWAYS };

/* AUTO: colour when the terminal has it and NO_COLOR is unset or empty. */
void theme_init(enum theme_mode mode);
bool theme_has_color(void);
attr_t theme_attr(enum theme_role role);

#endif
