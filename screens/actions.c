#include "screens/actions.h"

#define G CTX_GLOBAL
static const struct tui_action actions[] = {
    /* Where a text field has the keyboard q is a letter: C-c quits there. */
    { ACT_QUIT, "quit", G | CTX_LOCK, "quit", "leave Lumen (signing out)", "q C-c" },
    { ACT_HELP, "help", G, "help", "show the keys of this screen", "?" },
    /* In a text field '?' is a character; F1 asks for help there. */
    { ACT_FORM_HELP, "form-help", CTX_FORM, "help", "show the keys of this screen", "F1" },
    { ACT_REDRAW, "redraw", G | CTX_FORM | CTX_LOCK, NULL, "draw the whole screen again", "C-l" },
    { ACT_LOCK, "lock", G, "lock", "lock the screen now (password to unlock)", "C-x" },
    { ACT_TAB_HOME, "tab-home", G, NULL, "go to the home screen", "1" },
    { ACT_NEXT_FIELD, "next-field", CTX_FORM, NULL, "move to the next field", "Tab Down" },
    { ACT_PREV_FIELD, "prev-field", CTX_FORM, NULL, "move to the previous field", "S-Tab Up" },
    { ACT_SUBMIT, "submit", CTX_FORM, "submit", "next field; on the last one, submit", "Enter" },
    { ACT_CANCEL, "cancel", CTX_FORM | CTX_LIST, "back", "cancel a call under way, or go back",
      "Esc" },
    { ACT_RECOVERY, "recovery-code", CTX_LOGIN, "recovery code",
      "use a one-time recovery code instead of the app's code", "C-r" },
    /* A shared front-desk terminal: the next person ends the locked session. */
    { ACT_NOT_YOU, "not-you", CTX_LOCK, "not you? sign out",
      "sign the locked session out, for the next person at this terminal", "C-o" },
    { ACT_UP, "up", CTX_LIST | CTX_HELP, NULL, "move up", "k Up" },
    { ACT_DOWN, "down", CTX_LIST | CTX_HELP, NULL, "move down", "j Down" },
    { ACT_PAGE_UP, "page-up", CTX_LIST | CTX_HELP, NULL, "one page up", "PgUp" },
    { ACT_PAGE_DOWN, "page-down", CTX_LIST | CTX_HELP, NULL, "one page down", "PgDn" },
    { ACT_TOP, "top", CTX_LIST | CTX_HELP, NULL, "go to the first row", "g Home" },
    { ACT_BOTTOM, "bottom", CTX_LIST | CTX_HELP, NULL, "go to the last row", "G End" },
    { ACT_OPEN, "open", CTX_LIST, "choose", "open or choose the row under the cursor", "Enter" },
    { ACT_REFRESH, "refresh", CTX_HOME, "refresh", "ask the database again", "r" },
    { ACT_SIGN_OUT, "sign-out", CTX_HOME, "sign out", "sign out of this session", "o" },
    { ACT_SWITCH_PRACTICE, "switch-practice", CTX_HOME, NULL,
      "choose another of your practices", "p" },
    /* The dialog shows these keys on its buttons. */
    { ACT_YES, "yes", CTX_DIALOG, NULL, "confirm", "y" },
    { ACT_NO, "no", CTX_DIALOG, NULL, "cancel", "n Esc" },
    { ACT_CLOSE, "close-help", CTX_HELP, NULL, "close this help", "Esc q ?" },
};
#undef G

/* The masks screens use: each screen's ctx is one of these. */
static const unsigned scopes[] = {
    CTX_GLOBAL | CTX_FORM | CTX_LOGIN,      /* sign-in */
    CTX_GLOBAL | CTX_LIST,                  /* practice picker */
    CTX_GLOBAL | CTX_HOME,                  /* home */
    CTX_FORM | CTX_LOCK,                    /* the lock screen */
    CTX_DIALOG,
    CTX_HELP,
};

const struct keymap_table lumen_actions = {
    actions, sizeof actions / sizeof actions[0], scopes, sizeof scopes / sizeof scopes[0]
};
