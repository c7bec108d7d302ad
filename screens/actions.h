/* Every action of Lumen, once.  The dispatcher, the status-bar hints, the
 * ? overlay and [keys] in lumen.conf all read lumen_actions (actions.c).
 * Screens handle these ids, never raw keys (text fields aside). */
#ifndef LUMEN_SCREENS_ACTIONS_H
#define LUMEN_SCREENS_ACTIONS_H

#include "tui/keymap.h"

/* Contexts: where an action is active.  A screen's ctx is one of the
 * scopes in actions.c; CTX_GLOBAL actions are listed last in help. */
enum {
    CTX_GLOBAL = 1u << 0,   /* every screen but dialogs, help and the lock */
    CTX_FORM = 1u << 1,     /* a screen with text fields */
    CTX_LIST = 1u << 2,     /* a screen with a list */
    CTX_HOME = 1u << 3,
    CTX_LOGIN = 1u << 4,
    CTX_DIALOG = 1u << 5,
    CTX_HELP = 1u << 6,
    CTX_LOCK = 1u << 7,
};

enum action_id {
    ACT_QUIT,
    ACT_HELP,
    ACT_FORM_HELP,
    ACT_REDRAW,
    ACT_LOCK,
    ACT_TAB_HOME,
    ACT_NEXT_FIELD,
    ACT_PREV_FIELD,
    ACT_SUBMIT,
    ACT_CANCEL,
    ACT_RECOVERY,
    ACT_NOT_YOU,
    ACT_UP,
    ACT_DOWN,
    ACT_PAGE_UP,
    ACT_PAGE_DOWN,
    ACT_TOP,
    ACT_BOTTOM,
    ACT_OPEN,
    ACT_REFRESH,
    ACT_SIGN_OUT,
    ACT_SWITCH_PRACTICE,
    ACT_YES,
    ACT_NO,
    ACT_CLOSE,
    ACT_COUNT
};

extern const struct keymap_table lumen_actions;

#endif
