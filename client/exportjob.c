/* The CSV export subcommands' file, signals and COPY (client/exportjob.h). */
#include "client/exportjob.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* The COPY is one statement for the whole export: the session's 30-second
 * statement_timeout (client/conn.c) would cancel a large one (a million
 * leads with their transcripts), so it is lifted for this transaction
 * only; Ctrl-C still cancels it. */
const char exportjob_copy_prep[] =
    "SELECT set_config('lumen_client.token', $1, true), "
    "set_config('lumen_client.grant', $2, true), set_config('TimeZone', $3, true), "
    "set_config('DateStyle', 'ISO, YMD', true), set_config('statement_timeout', '0', true)";

static volatile sig_atomic_t stop_flag;
static const int sigs[3] = { SIGINT, SIGTERM, SIGHUP };

static void on_signal(int sig)
{
    (void)sig;
    stop_flag = 1;
}

bool exportjob_stopped(void)
{
    return stop_flag != 0;
}

static int create(const char *path, const char *why_other)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0)
        fprintf(stderr, errno == EEXIST ? "lumen: %s already exists; %s\n"
                                        : "lumen: cannot create %s: %s\n",
                path, errno == EEXIST ? why_other : strerror(errno));
    return fd;
}

static void restore_signals(struct exportjob *j)
{
    for (int i = 0; i < 3; i++)
        sigaction(sigs[i], &j->old[i], NULL);
}

int exportjob_begin(struct exportjob *j, const char *path, const char *side_path, bool bom)
{
    j->path = path;
    j->side_path = path ? side_path : NULL;
    j->fd = STDOUT_FILENO;
    j->side_fd = -1;
    j->closed = false;
    j->problem[0] = '\0';
    struct sigaction sa = { .sa_handler = on_signal };
    sigemptyset(&sa.sa_mask);               /* no SA_RESTART: poll() returns */
    for (int i = 0; i < 3; i++)
        sigaction(sigs[i], &sa, &j->old[i]);
    signal(SIGPIPE, SIG_IGN);               /* a closed pipe is a write error */
    if (path) {
        j->fd = create(path, "choose another --out or remove it first");
        if (j->fd < 0) {
            restore_signals(j);
            return -1;
        }
        if (j->side_path) {
            j->side_fd = create(j->side_path, "remove it first or choose another --out");
            if (j->side_fd < 0) {
                close(j->fd);
                unlink(path);
                restore_signals(j);
                return -1;
            }
        }
    }
    csv_init(&j->w, j->fd, bom);
    return 0;
}

static void show_progress(struct exportjob *j, bool last)
{
    long long now = db_now_ms();
    if (!j->progress || (!last && now - j->shown_ms < 250))
        return;
    j->shown_ms = now;
    double secs = (double)(now - j->t0_ms) / 1000.0;
    fprintf(stderr, "\rexporting: %lld of %lld rows, %.0f rows/s  %s", j->rows, j->total,
            secs > 0 ? (double)j->rows / secs : 0.0, last ? "\n" : "");
}

/* One COPY row into the CSV; non-zero stops the COPY. */
static int on_copy_row(void *ud, char *line, size_t len)
{
    struct exportjob *j = ud;
    char *f[EXPORTJOB_MAX_COLUMNS];
    size_t n[EXPORTJOB_MAX_COLUMNS];
    if (db_copy_fields(line, len, f, n, j->ncols) != j->ncols) {
        snprintf(j->problem, sizeof j->problem,
                 "the server sent a row that is not %d columns", j->ncols);
        return -1;
    }
    if (j->row(j->ud, &j->w, (const char *const *)f, n) != 0) {
        snprintf(j->problem, sizeof j->problem, "cannot write: %s", strerror(csv_error(&j->w)));
        return -1;
    }
    j->rows++;
    show_progress(j, false);
    return 0;
}

int exportjob_copy(struct exportjob *j, struct signed_in *si, const char *prep, int nparams,
                   const char *const *v, const char *copy_sql, int ncols, long long total,
                   exportjob_row_fn row, void *ud)
{
    j->row = row;
    j->ud = ud;
    j->ncols = ncols < EXPORTJOB_MAX_COLUMNS ? ncols : EXPORTJOB_MAX_COLUMNS;
    j->total = total;
    j->rows = 0;
    j->t0_ms = j->shown_ms = db_now_ms();
    j->progress = isatty(STDERR_FILENO);
    char state[6], err[CONFIG_ERR_MAX];
    /* The rows are a grant read: a read replica may serve them. */
    int rc = db_copy_out_read(si->db, prep, nparams, v, copy_sql, on_copy_row, j, &stop_flag, state,
                              err, sizeof err);
    show_progress(j, true);
    if (rc != 0) {
        if (j->problem[0])
            fprintf(stderr, "lumen: %s\n", j->problem);
        else if (stop_flag)
            fprintf(stderr, "lumen: interrupted\n");
        else if (state[0] && api_err_from_sqlstate(state) != API_ERR_SERVER)
            fprintf(stderr, "lumen: %s\n", api_err_message(api_err_from_sqlstate(state)));
        else
            fprintf(stderr, "lumen: the export failed: %s\n", err);
        return -1;
    }
    if (csv_flush(&j->w) != 0) {
        fprintf(stderr, "lumen: cannot write: %s\n", strerror(csv_error(&j->w)));
        return -1;
    }
    return 0;
}

unsigned long long exportjob_rows(const struct exportjob *j)
{
    return j->w.rows ? j->w.rows - 1 : 0;
}

int exportjob_close(struct exportjob *j)
{
    if (csv_flush(&j->w) != 0) {
        fprintf(stderr, "lumen: cannot write: %s\n", strerror(csv_error(&j->w)));
        return -1;
    }
    if (!j->path) {
        j->closed = true;
        return 0;
    }
    int rc = fsync(j->fd) != 0 ? -1 : 0;
    if (close(j->fd) != 0)
        rc = -1;
    j->fd = -1;
    if (rc != 0) {
        fprintf(stderr, "lumen: cannot write %s: %s\n", j->path, strerror(errno));
        return -1;
    }
    j->closed = true;
    return 0;
}

int exportjob_end(struct exportjob *j, int rc)
{
    if (rc == 0 && !j->closed)
        rc = exportjob_close(j) == 0 ? 0 : 1;
    if (j->side_fd >= 0) {
        if (rc == 0 && (fsync(j->side_fd) != 0 || close(j->side_fd) != 0)) {
            fprintf(stderr, "lumen: cannot write %s: %s\n", j->side_path, strerror(errno));
            rc = 1;
        } else if (rc != 0) {
            close(j->side_fd);
        }
        j->side_fd = -1;
    }
    if (j->path) {
        if (j->fd >= 0)
            close(j->fd);
        j->fd = -1;
        /* Said in --help; not a second line after the one that says why. */
        if (rc != 0) {
            unlink(j->path);
            if (j->side_path)
                unlink(j->side_path);
        }
    }
    if (rc == 0 && j->path)
        printf("%llu rows written to %s\n", exportjob_rows(j), j->path);
    restore_signals(j);
    return rc;
}
