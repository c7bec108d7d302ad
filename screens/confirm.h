/* The confirm dialog as a screen of its own (ctx CTX_DIALOG), pushed over
 * the screen that asks.  YES runs after the dialog is popped. */
#ifndef LUMEN_SCREENS_CONFIRM_H
#define LUMEN_SCREENS_CONFIRM_H

#include "screens/lumen.h"

/* Opens the dialog (lumen_go(SCR_CONFIRM)) over what is shown now. */
/* A message box over what is shown now (one button: Enter, Space or Esc
 * closes it), then DONE(UD) if not NULL.  For what is shown once (an
 * invite code): the dialog's copy is wiped when it closes. */
void confirm_tell(struct lumen *L, const char *title, const char *text, void (*done)(void *ud),
                  void *ud);

void confirm_ask(struct lumen *L, const char *title, const char *text,
                 const char *yes_label, bool danger, void (*yes)(void *ud), void *ud);

#endif
