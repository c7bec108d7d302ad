/* The lead inbox (tab 2) and the parts of it that other files share.
 *
 * screens/inbox.c       the list: rowset (client/rowset.h) paged through
 *                       api.leads_page with a grant from api.leads_open,
 *                       drawn by tui/table, filtered by tui/filterbar
 * screens/inbox_export.c  export to CSV from the list, with progress
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

/* --- export (screens/inbox_export.c) --------------------------------------- */

struct inbox_export;
/* Starts an export of the leads FILTER_JSON selects: asks for a path, then
 * streams pages into the file.  PROGRESS_DIRTY is called on each page. */
struct inbox_export *inbox_export_new(struct lumen *L, void (*changed)(void *ud), void *ud);
void inbox_export_free(struct inbox_export **e);
void inbox_export_start(struct inbox_export *e, const char *filter_json);
/* True while one is under way; Esc calls inbox_export_cancel. */
bool inbox_export_running(const struct inbox_export *e);
void inbox_export_cancel(struct inbox_export *e);
/* "Exporting 12,000 of 30,000 rows, 8,100 rows/s (Esc cancels)", or "". */
void inbox_export_text(const struct inbox_export *e, char *buf, size_t size);

#endif
