/* The audit log viewer's export (screens/export.h's ops): the rows of the
 * range and filter in force, the columns of `lumen audit export`
 * (client/auditexport.h), and the sidecar FILE.chain with the row count
 * and the chain head when the export was opened, so the file can be
 * checked against `lumen audit verify` later. */
#include "screens/audit.h"
#include "screens/export.h"
#include "client/auditexport.h"
#include "client/mem.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct audit_export {
    struct lumen *L;
    const struct api_audit_range *range;
    const char *filter_json;    /* the list's, read when the export opens */
    struct export *e;
    long long head_seq;
    char head_hash[65];
    char from[40], to[40], filter[4096];
    void (*changed)(void *ud);
    void *changed_ud;
};

static void ax_changed(void *ud)
{
    struct audit_export *ax = ud;
    ax->changed(ax->changed_ud);
}

static void on_open(void *ud, enum api_err err, const struct api_audit_export_open *r)
{
    struct audit_export *ax = ud;
    if (err == API_OK) {
        ax->head_seq = r->head_seq;
        snprintf(ax->head_hash, sizeof ax->head_hash, "%s", r->head_hash);
    }
    export_opened(ax->e, err, r ? r->grant : NULL, r ? r->row_count : 0);
}

static int open_call(void *ud, struct export *e, const void *owner)
{
    struct audit_export *ax = ud;
    (void)e;
    /* What the sidecar will say is what was asked, not what the list
     * holds by the time the export ends. */
    snprintf(ax->from, sizeof ax->from, "%s", ax->range->from_at);
    snprintf(ax->to, sizeof ax->to, "%s", ax->range->to_at);
    snprintf(ax->filter, sizeof ax->filter, "%s", ax->filter_json[0] ? ax->filter_json : "{}");
    return api_audit_export_open(ax->L->db, &ax->L->auth, ax->from, ax->to, ax->filter, on_open,
                                 ax, owner);
}

static int rows_call(void *ud, const char *grant, long long after_id, int limit,
                     api_rows_fn done, void *cb_ud, const void *owner)
{
    struct audit_export *ax = ud;
    return api_audit_export_rows(ax->L->db, &ax->L->auth, grant, after_id, limit, done, cb_ud,
                                 owner);
}

static int header(void *ud, struct csv *w)
{
    (void)ud;
    return auditexport_header(w);
}

static int row(void *ud, struct csv *w, const struct api_rows *rows, int i)
{
    static const char *const names[AUDITEXPORT_COLUMNS] = {
        "id", "at", "actor_email", "action", "target_type", "target_id", "outcome",
        "server_addr", "reported_origin", "session_id", "detail"
    };
    const char *f[AUDITEXPORT_COLUMNS];
    size_t n[AUDITEXPORT_COLUMNS];
    (void)ud;
    api_rows_cells(rows, i, names, AUDITEXPORT_COLUMNS, f, n);
    return auditexport_row(w, f, n);
}

static int finish(void *ud, const char *path, long long rows)
{
    struct audit_export *ax = ud;
    char side[1100];
    if (auditexport_chain_path(path, side, sizeof side) != 0) {
        errno = ENAMETOOLONG;
        return -1;
    }
    int fd = open(side, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0)
        return -1;
    struct auditexport_chain c = { (unsigned long long)rows, ax->head_seq, ax->head_hash,
                                   ax->from, ax->to, ax->filter };
    int rc = auditexport_chain_write(fd, &c);
    if (close(fd) != 0)
        rc = -1;
    if (rc != 0)
        unlink(side);
    return rc;
}

static const struct export_ops audit_export_ops = {
    .title = "Export the audit log",
    .text = "The rows of the range and filter in force go to a CSV file that only you can "
            "read (mode 0600), with FILE.chain beside it: the row count and the chain's head, "
            "to check the file later against lumen audit verify. The export is itself "
            "recorded in the audit log.",
    .file_prefix = "audit",
    .noun = "rows",
    .why = "Exporting the audit log",
    .open = open_call,
    .rows = rows_call,
    .header = header,
    .row = row,
    .finish = finish,
};

struct audit_export *audit_export_new(struct lumen *L, const struct api_audit_range *range,
                                      const char *filter_json, void (*changed)(void *ud),
                                      void *ud)
{
    struct audit_export *ax = mem_alloc(sizeof *ax);
    ax->L = L;
    ax->range = range;
    ax->filter_json = filter_json;
    ax->changed = changed;
    ax->changed_ud = ud;
    ax->e = export_new(L, &audit_export_ops, ax, ax_changed);
    return ax;
}

struct export *audit_export_job(struct audit_export *ax)
{
    return ax->e;
}

void audit_export_free(struct audit_export **ax)
{
    if (!*ax)
        return;
    export_free(&(*ax)->e);
    free(*ax);
    *ax = NULL;
}
