/* The cells of a lead export (client/leadexport.h). */
#include "client/leadexport.h"

#include <string.h>

int leadexport_header(struct csv *w, bool transcript)
{
    static const char *const names[LEADEXPORT_COLUMNS] = {
        "id", "captured_at", "status", "name", "phone", "email", "service", "page_url",
        "assigned", "first_response_at", "transcript"
    };
    for (int i = 0; i < LEADEXPORT_COLUMNS - (transcript ? 0 : 1); i++)
        if (csv_cell_str(w, names[i]) != 0)
            return -1;
    return csv_end_row(w);
}

int leadexport_row(struct csv *w, const char *const *f, const size_t *n, bool transcript)
{
    char t1[40], t2[40];
    const char *captured = csv_time_iso8601(f[1], n[1], t1, sizeof t1);
    const char *first = csv_time_iso8601(f[9], n[9], t2, sizeof t2);
    int rc = csv_cell(w, f[0] ? f[0] : "", n[0]) | csv_cell_str(w, captured);
    for (int i = 2; i <= 8 && rc == 0; i++)
        rc = csv_cell(w, f[i] ? f[i] : "", n[i]);
    rc |= csv_cell_str(w, first);
    if (transcript)
        rc |= csv_cell(w, f[10] ? f[10] : "", n[10]);
    rc |= csv_end_row(w);
    return rc ? -1 : 0;
}
