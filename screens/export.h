/* Export from a list screen (the inbox's leads, the audit log's rows) to
 * a CSV file: a path asked, the file made 0600 and never over another,
 * the screen's export_open call (step-up asked and the call replayed when
 * the server wants it), pages of rows through the CSV writer, progress on
 * the screen's title line (export_text), Esc to stop (the partial file is
 * removed).  What differs between screens is in export_ops. */
#ifndef LUMEN_SCREENS_EXPORT_H
#define LUMEN_SCREENS_EXPORT_H

#include <stdbool.h>
#include <stddef.h>

#include "screens/lumen.h"
#include "client/csv.h"

struct export;

struct export_ops {
    const char *title;          /* the prompt's: "Export leads" */
    const char *text;           /* what the prompt says */
    const char *file_prefix;    /* "leads": leads-2026-12-01.csv */
    const char *noun;           /* "leads": "Exported 395 leads to ..." */
    const char *why;            /* step-up: "Exporting leads" */
    /* The screen's *_export_open call, whose answer is given to
     * export_opened(E, ...).  0, or -1 when it could not be made. */
    int (*open)(void *ud, struct export *e, const void *owner);
    /* A page of rows by id after AFTER_ID (-1: from the start). */
    int (*rows)(void *ud, const char *grant, long long after_id, int limit, api_rows_fn done,
                void *cb_ud, const void *owner);
    int (*header)(void *ud, struct csv *w);
    int (*row)(void *ud, struct csv *w, const struct api_rows *rows, int i);
    /* Optional: the CSV is whole at PATH with ROWS rows (an audit
     * export's sidecar).  0, or -1 (errno set): the export failed. */
    int (*finish)(void *ud, const char *path, long long rows);
};

/* UD is the screen's, given to ops and to CHANGED (progress to draw). */
struct export *export_new(struct lumen *L, const struct export_ops *ops, void *ud,
                          void (*changed)(void *ud));
void export_free(struct export **e);
/* Asks for the file, then runs. */
void export_start(struct export *e);
/* The open call's answer: a grant and the rows it holds, or an error. */
void export_opened(struct export *e, enum api_err err, const char *grant, long long total);
bool export_running(const struct export *e);
void export_cancel(struct export *e);
/* "Export [###.......] 12,000 of 30,000, 8,100 rows/s; Esc stops", or "". */
void export_text(const struct export *e, char *buf, size_t size);

#endif
