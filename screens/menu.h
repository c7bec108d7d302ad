/* A short list of choices over the screen that asks (a status to set, a
 * member to assign): Up/Down and Enter choose, Esc goes back, and a
 * choice's first letter jumps to it. */
#ifndef LUMEN_SCREENS_MENU_H
#define LUMEN_SCREENS_MENU_H

#include "screens/lumen.h"

#define MENU_MAX_ITEMS 64
#define MENU_LABEL_MAX 120

struct menu_req {
    const char *title;
    const char *const *labels;  /* untrusted text is fine: copied, sanitized when drawn */
    size_t n;                   /* at most MENU_MAX_ITEMS are shown */
    size_t selected;            /* where the cursor starts */
    void (*chosen)(void *ud, size_t index);   /* after the menu closed */
    void *ud;
};

void menu_ask(struct lumen *L, const struct menu_req *req);

#endif
