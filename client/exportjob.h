/* exportjob: what the CSV export subcommands share (`lumen leads export`,
 * client/export.c; `lumen audit export`, client/audit_export.c): the file,
 * the signals, the COPY loop and its progress.
 *
 *   exportjob_begin   SIGINT / SIGTERM / SIGHUP set a flag (no restart:
 *                     a poll() returns), SIGPIPE ignored; FILE created
 *                     O_CREAT|O_EXCL|O_NOFOLLOW, mode 0600 (an existing one
 *                     is an error, never overwritten), and the sidecar
 *                     likewise when there is one -- both before the
 *                     password is asked; NULL FILE: standard output.
 *   exportjob_copy    COPY through set_config (COPY takes no parameters):
 *                     each row split into its fields and given to the
 *                     row function (the export's cells); progress (rows of
 *                     the total, rows/s) on stderr only when it is a
 *                     terminal; the CSV flushed.
 *   exportjob_close   FILE made durable (fsync) and closed.
 *   exportjob_end     on failure both files removed; signals restored;
 *                     on success "N rows written to FILE".
 *
 * Each step says what went wrong in one line on stderr ("lumen: ...").  */
#ifndef LUMEN_CLIENT_EXPORTJOB_H
#define LUMEN_CLIENT_EXPORTJOB_H

#include <signal.h>
#include <stdbool.h>

#include "client/csv.h"
#include "client/subcmd.h"

#define EXPORTJOB_MAX_COLUMNS 16

/* One row's fields (F[i] NULL for SQL NULL, N[i] bytes) into W; 0, or -1
 * on the writer's error. */
typedef int (*exportjob_row_fn)(void *ud, struct csv *w, const char *const *f, const size_t *n);

struct exportjob {
    const char *path;           /* NULL: standard output */
    const char *side_path;      /* NULL: no sidecar */
    int fd, side_fd;
    bool closed;                /* exportjob_close succeeded */
    struct sigaction old[3];
    /* the COPY */
    exportjob_row_fn row;
    void *ud;
    int ncols;
    long long total, rows, t0_ms, shown_ms;
    bool progress;
    char problem[200];
    struct csv w;               /* 64 KB: keep the job static */
};

/* The PREP of exportjob_copy for an api export: $1 the session token, $2
 * the grant, $3 the practice's time zone; the COPY reads the first two as
 * current_setting('lumen_client.token') and ('lumen_client.grant'), and
 * writes times in ISO style in that zone. */
extern const char exportjob_copy_prep[];

/* 0, or -1 after one line (nothing created, signals as they were). */
int exportjob_begin(struct exportjob *j, const char *path, const char *side_path, bool bom);
/* True once a stopping signal arrived. */
bool exportjob_stopped(void);
/* BEGIN; PREP (NPARAMS parameters V); COPY_SQL; COMMIT (db_copy_out),
 * rows of NCOLS fields through ROW, TOTAL rows expected (for progress).
 * 0, or -1 after one line. */
int exportjob_copy(struct exportjob *j, struct signed_in *si, const char *prep, int nparams,
                   const char *const *v, const char *copy_sql, int ncols, long long total,
                   exportjob_row_fn row, void *ud);
/* The data rows written (the header not counted). */
unsigned long long exportjob_rows(const struct exportjob *j);
/* 0, or -1 after one line. */
int exportjob_close(struct exportjob *j);
/* RC 0: success (the sidecar, if any, is synced and closed); else both
 * files are removed.  Returns RC, or 1 when closing the sidecar failed. */
int exportjob_end(struct exportjob *j, int rc);

#endif
