/* The one shape of a lead export, for `lumen leads export` (COPY rows)
 * and the inbox's export (pages of api.leads_export_rows) alike: the
 * header row and each lead's cells, in the columns of
 * api.leads_export_rows (db/API.md), times in ISO 8601 with their offset
 * (2026-11-30T06:00:00-06:00, seconds kept, fractions dropped). */
#ifndef LUMEN_CLIENT_LEADEXPORT_H
#define LUMEN_CLIENT_LEADEXPORT_H

#include <stdbool.h>
#include <stddef.h>

#include "client/csv.h"

/* id, captured_at, status, name, phone, email, service, page_url,
 * assigned_name, first_response_at, transcript */
#define LEADEXPORT_COLUMNS 11

/* The header row; the transcript column only when asked.  0 or -1 (the
 * writer's error: csv_error). */
int leadexport_header(struct csv *w, bool transcript);
/* One lead: F[i] (N[i] bytes; NULL for SQL NULL) in the columns above,
 * timestamps as the server writes them with DateStyle ISO.  0 or -1. */
int leadexport_row(struct csv *w, const char *const *f, const size_t *n, bool transcript);

#endif
