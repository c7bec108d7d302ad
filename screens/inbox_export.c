/* Export from the inbox: the leads of the filter in force, to a CSV file.
 *
 * A path is asked (a dated default in the working directory); the file is
 * created at once, mode 0600 and never over an existing one, so a wrong
 * path is said in the prompt before anything is asked of the server.  Then
 * api.leads_export_open (lead.export audited with the filter and the row
 * count; step-up first when the password is older than 10 minutes) and
 * pages of rows by id through the one CSV writer (client/csv.h, the same
 * cells as `lumen leads export`), with the rows and the rate on the
 * inbox's title line.  Esc stops it and removes the partial file; so does
 * leaving the inbox or losing the session. */
#include "screens/inbox.h"
#include "screens/actions.h"
#include "screens/prompt.h"
#include "client/csv.h"
#include "client/leadexport.h"
#include "client/mem.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define EXPORT_PAGE 2000

struct inbox_export {
    struct lumen *L;
    void (*changed)(void *ud);
    void *ud;
    char filter_json[4096];
    char path[1024];
    int fd;
    struct csv *csv;
    char grant[API_GRANT_HEX + 1];
    long long total, done, after_id;
    long long started_ms;
    bool running;
    char owner;
};

struct inbox_export *inbox_export_new(struct lumen *L, void (*changed)(void *ud), void *ud)
{
    struct inbox_export *e = mem_alloc(sizeof *e);
    e->L = L;
    e->changed = changed;
    e->ud = ud;
    e->fd = -1;
    return e;
}

/* Stops: the file goes unless every row is in it. */
static void finish(struct inbox_export *e, bool complete)
{
    api_cancel(e->L->db, &e->owner);
    if (e->csv) {
        if (complete && (csv_flush(e->csv) != 0 || fsync(e->fd) != 0))
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

void inbox_export_free(struct inbox_export **e)
{
    if (!*e)
        return;
    if ((*e)->running || (*e)->fd >= 0)
        finish(*e, false);
    free(*e);
    *e = NULL;
}

bool inbox_export_running(const struct inbox_export *e)
{
    return e && e->running;
}

void inbox_export_cancel(struct inbox_export *e)
{
    if (!e->running)
        return;
    finish(e, false);
    tui_app_message(e->L->app, ROLE_STATUS, "Export stopped; the partial file was removed.",
                    5000);
}

void inbox_export_text(const struct inbox_export *e, char *buf, size_t size)
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

static void fail(struct inbox_export *e, const char *what)
{
    char msg[400];
    finish(e, false);
    snprintf(msg, sizeof msg, "Export failed: %s. The partial file was removed.", what);
    tui_app_message(e->L->app, ROLE_ERROR, msg, 0);
}

static void next_page(struct inbox_export *e);

static void on_rows(void *ud, enum api_err err, const struct api_rows *rows)
{
    struct inbox_export *e = ud;
    if (err != API_OK) {
        if (err != API_ERR_CANCELLED)
            fail(e, api_err_message(err));
        return;
    }
    static const char *const names[LEADEXPORT_COLUMNS] = {
        "id", "captured_at", "status", "name", "phone", "email", "service", "page_url",
        "assigned_name", "first_response_at", "transcript"
    };
    int col[LEADEXPORT_COLUMNS];
    for (int c = 0; c < LEADEXPORT_COLUMNS; c++)
        col[c] = api_rows_col(rows, names[c]);
    for (int i = 0; i < rows->n; i++) {
        const char *f[LEADEXPORT_COLUMNS];
        size_t n[LEADEXPORT_COLUMNS];
        for (int c = 0; c < LEADEXPORT_COLUMNS; c++) {
            bool null = col[c] < 0 || PQgetisnull(rows->res, i, col[c]);
            f[c] = null ? NULL : api_rows_at(rows, i, col[c]);
            n[c] = null ? 0 : (size_t)PQgetlength(rows->res, i, col[c]);
        }
        if (leadexport_row(e->csv, f, n, false) != 0) {
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
            snprintf(msg, sizeof msg, "Exported %lld leads to %s.", n, e->path);
            tui_app_message(e->L->app, ROLE_OK, msg, 0);
        }
        return;
    }
    e->changed(e->ud);
    next_page(e);
}

static void next_page(struct inbox_export *e)
{
    api_leads_export_rows(e->L->db, &e->L->auth, e->grant, e->after_id, EXPORT_PAGE, on_rows, e,
                          &e->owner);
}

static void open_export(void *ud);

static void on_open(void *ud, enum api_err err, const struct api_export_open *r)
{
    struct inbox_export *e = ud;
    if (err == API_ERR_STEP_UP) {
        lumen_step_up(e->L, "Exporting leads", open_export, e);
        return;
    }
    if (err != API_OK) {
        if (err == API_ERR_CANCELLED)
            finish(e, false);
        else
            fail(e, api_err_message(err));
        return;
    }
    snprintf(e->grant, sizeof e->grant, "%s", r->grant);
    e->total = r->row_count;
    e->started_ms = db_now_ms();
    next_page(e);
}

static void open_export(void *ud)
{
    struct inbox_export *e = ud;
    api_leads_export_open(e->L->db, &e->L->auth, e->filter_json, false, on_open, e, &e->owner);
}

static const char *path_submit(void *ud, struct form *fm, size_t *which)
{
    struct inbox_export *e = ud;
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
    if (leadexport_header(e->csv, false) != 0) {
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

void inbox_export_start(struct inbox_export *e, const char *filter_json)
{
    if (e->running) {
        tui_app_message(e->L->app, ROLE_STATUS, "An export is under way (Esc stops it).", 3000);
        return;
    }
    snprintf(e->filter_json, sizeof e->filter_json, "%s", filter_json[0] ? filter_json : "{}");
    char def[64];
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    strftime(def, sizeof def, "leads-%Y-%m-%d.csv", &tm);
    struct prompt_req q = {
        .title = "Export leads",
        .text = "The leads of the filter in force go to a CSV file that only you can read "
                "(mode 0600). The export is recorded in the audit log.",
        .fields = { { "File", 0, 1000, def, "a new file; an existing one is never replaced" } },
        .nfields = 1,
        .submit = path_submit,
        .ud = e,
    };
    prompt_ask(e->L, &q);
}
