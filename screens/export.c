/* Export from a list screen (screens/export.h): the rows of the filter
 * (and range) in force, to a CSV file.
 *
 * A path is asked (a dated default in the working directory); the file is
 * created at once, mode 0600 and never over an existing one, so a wrong
 * path is said in the prompt before anything is asked of the server.  Then
 * the screen's *_export_open call (audited with the filter and the row
 * count; step-up first when the password is older than 10 minutes) and
 * pages of rows by id through the one CSV writer (client/csv.h, the cells
 * of the subcommand's export), with the rows and the rate on the screen's
 * title line.  Esc stops it and removes the partial file; so does leaving
 * the screen or losing the session. */
#include "screens/export.h"
#include "screens/actions.h"
#include "screens/prompt.h"
#include "client/csv.h"
#include "client/mem.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define EXPORT_PAGE 2000

struct export {
    struct lumen *L;
    const struct export_ops *ops;
    void *ud;                   /* the screen's, for ops and changed */
    void (*changed)(void *ud);
    char path[1024];
    int fd;
    struct csv *csv;
    char grant[API_GRANT_HEX + 1];
    long long total, done, after_id;
    long long started_ms;
    bool running;
    char owner;
};

struct export *export_new(struct lumen *L, const struct export_ops *ops, void *ud,
                          void (*changed)(void *ud))
{
    struct export *e = mem_alloc(sizeof *e);
    e->L = L;
    e->ops = ops;
    e->changed = changed;
    e->ud = ud;
    e->fd = -1;
    return e;
}

/* Stops: the file goes unless every row is in it. */
static void finish(struct export *e, bool complete)
{
    api_cancel(e->L->db, &e->owner);
    if (e->csv) {
        if (complete && (csv_flush(e->csv) != 0 || fsync(e->fd) != 0))
            complete = false;
        if (complete && e->ops->finish && e->ops->finish(e->ud, e->path, e->done) != 0)
            complete = false;
        free(e->csv);
        e->csv = NULL;
    }
    if (e->fd >= 0) {
        if (close(e->fd) != 0)
            complete = false;
        e->fd = -1;
        if (!complete)
            unlink(e->path);
    }
    e->running = false;
    e->changed(e->ud);
}

void export_free(struct export **e)
{
    if (!*e)
        return;
    if ((*e)->running || (*e)->fd >= 0)
        finish(*e, false);
    free(*e);
    *e = NULL;
}

bool export_running(const struct export *e)
{
    return e && e->running;
}

void export_cancel(struct export *e)
{
    if (!e->running)
        return;
    finish(e, false);
    tui_app_message(e->L->app, ROLE_STATUS, "Export stopped; the partial file was removed.",
                    5000);
}

void export_text(const struct export *e, char *buf, size_t size)
{
    buf[0] = '\0';
    if (!e || !e->running)
        return;
    long long ms = db_now_ms() - e->started_ms;
    long long rate = ms > 0 ? e->done * 1000 / ms : 0;
    int pct = e->total > 0 ? (int)(e->done * 100 / e->total) : 0;
    if (pct > 100)
        pct = 100;
    char bar[11];
    for (int i = 0; i < 10; i++)
        bar[i] = i < pct / 10 ? '#' : '.';
    bar[10] = '\0';
    snprintf(buf, size, "Export [%s] %lld of %lld, %lld rows/s; Esc stops ", bar, e->done,
             e->total, rate);
}

static void fail(struct export *e, const char *what)
{
    char msg[400];
    finish(e, false);
    snprintf(msg, sizeof msg, "Export failed: %s. The partial file was removed.", what);
    tui_app_message(e->L->app, ROLE_ERROR, msg, 0);
}

static void next_page(struct export *e);

static void on_rows(void *ud, enum api_err err, const struct api_rows *rows)
{
    struct export *e = ud;
    if (err != API_OK) {
        if (err != API_ERR_CANCELLED)
            fail(e, api_err_message(err));
        return;
    }
    for (int i = 0; i < rows->n; i++) {
        if (e->ops->row(e->ud, e->csv, rows, i) != 0) {
            fail(e, strerror(csv_error(e->csv)));
            return;
        }
        e->after_id = atoll(api_rows_get(rows, i, "id"));
    }
    e->done += rows->n;
    if (rows->n < EXPORT_PAGE) {
        char msg[1200];
        long long n = e->done;
        finish(e, true);
        if (e->fd < 0 && !e->running) {
            snprintf(msg, sizeof msg, "Exported %lld %s to %s.", n, e->ops->noun, e->path);
            tui_app_message(e->L->app, ROLE_OK, msg, 0);
        }
        return;
    }
    e->changed(e->ud);
    next_page(e);
}

static void next_page(struct export *e)
{
    e->ops->rows(e->ud, e->grant, e->after_id, EXPORT_PAGE, on_rows, e, &e->owner);
}

static void open_export(void *ud);

void export_opened(struct export *e, enum api_err err, const char *grant, long long total)
{
    if (err == API_ERR_STEP_UP) {
        lumen_step_up(e->L, e->ops->why, open_export, e);
        return;
    }
    if (err != API_OK) {
        if (err == API_ERR_CANCELLED)
            finish(e, false);
        else
            fail(e, api_err_message(err));
        return;
    }
    snprintf(e->grant, sizeof e->grant, "%s", grant);
    e->total = total;
    e->started_ms = db_now_ms();
    next_page(e);
}

static void open_export(void *ud)
{
    struct export *e = ud;
    if (e->ops->open(e->ud, e, &e->owner) != 0)
        fail(e, "the database is not reachable");
}

static const char *path_submit(void *ud, struct form *fm, size_t *which)
{
    struct export *e = ud;
    size_t len;
    const char *p = field_text(form_field(fm, 0), &len);
    static char why[300];
    *which = 0;
    if (!len)
        return "Give a file name.";
    if (len >= sizeof e->path)
        return "That path is too long.";
    memcpy(e->path, p, len);
    e->path[len] = '\0';
    /* O_EXCL: never over a file that is there, not even a link to one. */
    int fd = open(e->path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) {
        snprintf(why, sizeof why, errno == EEXIST ? "%s exists; choose another name."
                                                  : "Cannot create %s: %s.",
                 e->path, strerror(errno));
        return why;
    }
    e->fd = fd;
    e->csv = mem_alloc(sizeof *e->csv);
    csv_init(e->csv, fd, e->L->cfg->export_.bom);
    if (e->ops->header(e->ud, e->csv) != 0) {
        fail(e, strerror(csv_error(e->csv)));
        return NULL;
    }
    e->running = true;
    e->done = 0;
    e->total = 0;
    e->after_id = -1;
    e->started_ms = db_now_ms();
    open_export(e);
    e->changed(e->ud);
    return NULL;
}

void export_start(struct export *e)
{
    if (e->running) {
        tui_app_message(e->L->app, ROLE_STATUS, "An export is under way (Esc stops it).", 3000);
        return;
    }
    char def[64];
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    char date[16];
    strftime(date, sizeof date, "%Y-%m-%d", &tm);
    snprintf(def, sizeof def, "%s-%s.csv", e->ops->file_prefix, date);
    struct prompt_req q = {
        .title = e->ops->title,
        .text = e->ops->text,
        .fields = { { "File", 0, 1000, def, "a new file; an existing one is never replaced" } },
        .nfields = 1,
        .submit = path_submit,
        .ud = e,
    };
    prompt_ask(e->L, &q);
}
