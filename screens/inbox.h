/* The lead inbox (tab 2) and the parts of it that other files share.
 *
 * screens/inbox.c       the list: rowset (client/rowset.h) paged through
 *                       api.leads_page with a grant from api.leads_open,
 *                       drawn by tui/table, filtered by tui/filterbar
 * screens/leadact.c     what changes leads (status, assignment, note,
 *                       deletion), for the list's tagged rows or one lead
 * screens/lead.c        one lead: fields, transcript, notes, history    */
#ifndef LUMEN_SCREENS_INBOX_H
#define LUMEN_SCREENS_INBOX_H

#include <stdbool.h>
#include <stddef.h>

#include "screens/lumen.h"

/* A wake-up (NOTIFY on the practice's channel, or the poll's tick): the
 * inbox asks how many leads arrived since it looked, if it is open. */
void inbox_wake(struct lumen *L);

/* The inbox's rows changed on the server (a lead changed or deleted from
 * its page): shown again where they are. */
void inbox_changed(struct lumen *L);

#endif
