/* The cells of an audit export and its sidecar (client/auditexport.h). */
#include "client/auditexport.h"
#include "client/mem.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int auditexport_header(struct csv *w)
{
    static const char *const names[AUDITEXPORT_COLUMNS] = {
        "id", "at", "actor_email", "action", "target_type", "target_id", "outcome",
        "server_addr", "reported_origin", "session_id", "detail",
    };
    for (int i = 0; i < AUDITEXPORT_COLUMNS; i++)
        if (csv_cell_str(w, names[i]) != 0)
            return -1;
    return csv_end_row(w);
}

int auditexport_row(struct csv *w, const char *const *f, const size_t *n)
{
    char t[40];
    int rc = 0;
    for (int i = 0; i < AUDITEXPORT_COLUMNS && rc == 0; i++)
        rc = i == 1 ? csv_cell_str(w, csv_time_iso8601(f[1], n[1], t, sizeof t))
                    : csv_cell(w, f[i] ? f[i] : "", f[i] ? n[i] : 0);
    if (rc == 0)
        rc = csv_end_row(w);
    return rc ? -1 : 0;
}

int auditexport_chain_path(const char *path, char *out, size_t outlen)
{
    int n = snprintf(out, outlen, "%s.chain", path);
    return n < 0 || (size_t)n >= outlen ? -1 : 0;
}

long auditexport_chain_text(const struct auditexport_chain *c, char *out, size_t outlen)
{
    char from[40], to[40];
    const char *f = csv_time_iso8601(c->from, strlen(c->from), from, sizeof from);
    const char *t = csv_time_iso8601(c->to, strlen(c->to), to, sizeof to);
    const char *values[] = { c->head_hash, f, t, c->filter };
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++)
        if (strpbrk(values[i], "\r\n"))
            return -1;
    int n = snprintf(out, outlen, "rows %llu\nhead_seq %lld\nhead_hash %s\nfrom %s\nto %s\n"
                                  "filter %s\n",
                     c->rows, c->head_seq, c->head_hash, f, t, c->filter);
    return n < 0 || (size_t)n >= outlen ? -1 : n;
}

int auditexport_chain_write(int fd, const struct auditexport_chain *c)
{
    size_t cap = strlen(c->filter) + strlen(c->from) + strlen(c->to) + 256;
    char *text = mem_alloc(cap);
    long len = auditexport_chain_text(c, text, cap);
    if (len < 0) {
        free(text);
        errno = EINVAL;
        return -1;
    }
    for (size_t done = 0; done < (size_t)len;) {
        ssize_t w = write(fd, text + done, (size_t)len - done);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            int e = w < 0 ? errno : EIO;
            free(text);
            errno = e;
            return -1;
        }
        done += (size_t)w;
    }
    free(text);
    return 0;
}
