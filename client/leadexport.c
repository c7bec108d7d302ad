/* The cells of a lead export (client/leadexport.h). */
#include "client/leadexport.h"

#include <string.h>

/* "2026-11-30 06:00:00.123456-06" (DateStyle ISO) as
 * "2026-11-30T06:00:00-06:00"; anything else (infinity, a year past 9999)
 * is passed through as the server wrote it. */
static const char *iso8601(const char *s, size_t len, char *out, size_t outlen)
{
    if (!s)
        return NULL;
    if (len < 22 || len > 40 || s[10] != ' ' || s[13] != ':' || s[16] != ':' || outlen < 32)
        return s;
    memcpy(out, s, 19);
    out[10] = 'T';
    size_t i = 19;
    if (s[i] == '.')
        for (i++; i < len && s[i] >= '0' && s[i] <= '9'; i++)
            ;
    if (i + 3 > len || (s[i] != '+' && s[i] != '-'))
        return s;
    /* +HH, +HH:MM or +HH:MM:SS (seconds in a historic offset dropped). */
    memcpy(out + 19, s + i, 3);
    if (i + 6 <= len && s[i + 3] == ':')
        memcpy(out + 22, s + i + 3, 3);
    else if (i + 3 == len)
        memcpy(out + 22, ":00", 3);
    else
        return s;
    out[25] = '\0';
    return out;
}

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
    const char *captured = iso8601(f[1], n[1], t1, sizeof t1);
    const char *first = iso8601(f[9], n[9], t2, sizeof t2);
    int rc = csv_cell(w, f[0] ? f[0] : "", n[0]) | csv_cell_str(w, captured);
    for (int i = 2; i <= 8 && rc == 0; i++)
        rc = csv_cell(w, f[i] ? f[i] : "", n[i]);
    rc |= csv_cell_str(w, first);
    if (transcript)
        rc |= csv_cell(w, f[10] ? f[10] : "", n[10]);
    rc |= csv_end_row(w);
    return rc ? -1 : 0;
}
