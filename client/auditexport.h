/* The one shape of an audit log export, for `lumen audit export` (COPY
 * rows) and the viewer's export (pages of api.audit_export_rows) alike:
 * the header row and each row's cells, in the columns of
 * api.audit_export_rows (spec: issue 8), the time in ISO 8601 with its
 * offset as a lead export's (csv_time_iso8601), the detail as the compact
 * JSON text the server sends, in one cell.
 *
 * The sidecar.  So that an export can be checked later against the chain
 * (`lumen audit verify`), FILE.chain is written once FILE is complete, as
 * six lines "key value":
 *
 *   rows 1234                  the data rows written to FILE
 *   head_seq 98765             the practice's chain head when the export
 *   head_hash <64 hex>           was opened (audit.audit_chain_heads)
 *   from 2026-11-01T05:00:00+00:00   the range [from, to)
 *   to 2026-12-01T06:00:00+00:00
 *   filter {"action": "login."}      the filter JSON, on one line
 *
 * created O_EXCL with mode 0600, as FILE is.                             */
#ifndef LUMEN_CLIENT_AUDITEXPORT_H
#define LUMEN_CLIENT_AUDITEXPORT_H

#include <stddef.h>

#include "client/csv.h"

/* id, at, actor_email, action, target_type, target_id, outcome,
 * server_addr, reported_origin, session_id, detail */
#define AUDITEXPORT_COLUMNS 11

/* The header row.  0 or -1 (the writer's error: csv_error). */
int auditexport_header(struct csv *w);
/* One row: F[i] (N[i] bytes; NULL for SQL NULL) in the columns above,
 * the time as the server writes it with DateStyle ISO.  0 or -1. */
int auditexport_row(struct csv *w, const char *const *f, const size_t *n);

struct auditexport_chain {
    unsigned long long rows;
    long long head_seq;
    const char *head_hash;      /* 64 hex digits */
    const char *from, *to;      /* timestamptz text (DateStyle ISO) */
    const char *filter;         /* the filter JSON ("{}") */
};
/* The sidecar's path: PATH ".chain".  0, or -1 when it does not fit. */
int auditexport_chain_path(const char *path, char *out, size_t outlen);
/* The sidecar's text into OUT: its length, or -1 when it does not fit or
 * a value would break a line (a line break in it). */
long auditexport_chain_text(const struct auditexport_chain *c, char *out, size_t outlen);
/* The text written whole to FD (not closed).  0, or -1 with errno. */
int auditexport_chain_write(int fd, const struct auditexport_chain *c);

#endif
