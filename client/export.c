/* lumen leads export: the practice's leads, as the filter says, into a CSV
 * file (client/csv.h), without a terminal UI.
 *
 *   sign in (as lumen whoami) -> api.leads_export_open (the audit row and
 *   the grant; step-up is fresh: the session was signed in a moment ago)
 *   -> COPY (SELECT ... FROM api.leads_export_rows(token, grant, NULL,
 *   NULL)) TO STDOUT, streamed row by row through the CSV writer
 *   (db_copy_out) -> sign out.
 *
 * The file is created O_CREAT|O_EXCL, mode 0600, before the password is
 * asked (an existing file is an error, never overwritten), and removed on
 * any failure or on SIGINT / SIGTERM / SIGHUP.  Times are written in ISO
 * 8601 with the practice's offset (2026-11-30T06:00:00-06:00, seconds
 * truncated).  Progress (rows, rows/s) goes to stderr only when it is a
 * terminal.  Exit: 0 done, 1 refused or failed, 2 usage (a bad filter). */
#include "client/subcmd.h"
#include "client/csv.h"
#include "client/exportjob.h"
#include "client/leadexport.h"
#include "client/leadfilter.h"

#include <stdio.h>
#include <string.h>

const char subcmd_leads_export_help[] =
    "usage: lumen leads export [--status S] [--since D] [--filter F] [--out FILE]\n"
    "                          [--with-transcript] [--bom] [--email E] [--password-stdin]\n"
    "                          [--practice NAME|ID] [--config FILE]\n"
    "\n"
    "Writes the practice's leads as CSV (RFC 4180, UTF-8): id, captured_at, status,\n"
    "name, phone, email, service, page_url, assigned, first_response_at and, with\n"
    "--with-transcript, the transcript (its lines kept in one cell).  Every cell\n"
    "that starts with = + - @ TAB CR or ' has a ' put in front (spreadsheet formula\n"
    "injection).  The export is audited with its filter and row count; a Viewer\n"
    "may not export.\n"
    "\n"
    "  --status S        new, contacted, booked, not_interested or spam; several\n"
    "                    comma-separated\n"
    "  --since D         captured since 30m, 24h, 7d, 2w ago, or since a date\n"
    "                    (YYYY-MM-DD, midnight in the practice's time zone)\n"
    "  --filter F        the inbox's filter text: status:new !assigned:me\n"
    "                    service:implant since:7d untouched:15m free text\n"
    "  --out FILE        created with mode 0600; an existing FILE is an error;\n"
    "                    '-' or none: standard output\n"
    "  --with-transcript add the chat transcript column\n"
    "  --bom             start with a UTF-8 byte order mark (default: [export] bom)\n"
    "\n"
    "Exit status: 0 on success, 1 when refused or failed (the file is removed),\n"
    "2 on a usage error.\n";

/* One COPY row into the CSV (exportjob_row_fn). */
static int lead_row(void *ud, struct csv *w, const char *const *f, const size_t *n)
{
    const struct export_opts *e = ud;
    return leadexport_row(w, f, n, e->with_transcript);
}

/* The filter JSON from --filter, --status and --since; -1 after a line. */
static int build_filter(const struct export_opts *e, char *json, size_t len)
{
    struct filter f;
    struct filter_error fe;
    char err[LEADFILTER_ERR_MAX];
    const char *text = e->filter ? e->filter : "";
    if (filter_parse(&f, text, strlen(text), leadfilter_keys, &fe) != 0) {
        fprintf(stderr, "lumen: --filter: %s\n", fe.msg);
        return -1;
    }
    const struct { const char *key, *value; } extra[] = { { "status", e->status },
                                                           { "since", e->since } };
    for (size_t i = 0; i < 2; i++) {
        if (!extra[i].value)
            continue;
        if (!*extra[i].value || f.ntokens == FILTER_MAX_TOKENS) {
            fprintf(stderr, "lumen: --%s: %s\n", extra[i].key,
                    *extra[i].value ? "too many filter terms" : "a value is needed");
            return -1;
        }
        f.tokens[f.ntokens++] = (struct filter_token){ extra[i].key, extra[i].value, false };
    }
    if (leadfilter_json(&f, json, len, err, sizeof err) != 0) {
        fprintf(stderr, "lumen: %s\n", err);
        return -1;
    }
    return 0;
}

struct opened {
    bool done;
    enum api_err err;
    struct api_export_open r;
};

static void on_open(void *ud, enum api_err err, const struct api_export_open *r)
{
    struct opened *o = ud;
    o->done = true;
    o->err = err;
    if (r)
        o->r = *r;
}

static const char COPY_SQL[] =
    "COPY (SELECT id, captured_at, status, name, phone, email, service, page_url, "
    "assigned_name, first_response_at, transcript FROM api.leads_export_rows("
    "current_setting('lumen_client.token'), current_setting('lumen_client.grant'), "
    "NULL, NULL)) TO STDOUT";

/* Signed in: opens the export and streams it into the job's file.  0 or
 * -1 after one line on stderr. */
static int run_export(struct signed_in *si, const char *json, const struct export_opts *e,
                      struct exportjob *j)
{
    struct opened o = { 0 };
    if (api_leads_export_open(si->db, &si->auth, json, e->with_transcript, on_open, &o,
                              &si->auth) != 0 ||
        db_drain(si->db, SESSION_STEP_TIMEOUT_MS) != 0 || !o.done) {
        fprintf(stderr, "lumen: %s\n", exportjob_stopped() ? "interrupted"
                : "the database connection was lost");
        return -1;
    }
    if (o.err == API_ERR_DENIED) {
        fprintf(stderr, "lumen: your role (%s) may not export leads\n", si->info.role);
        return -1;
    }
    if (o.err != API_OK) {
        const char *d = o.err == API_ERR_SERVER ? api_err_detail() : "";
        fprintf(stderr, "lumen: %s%s%s\n", api_err_message(o.err), *d ? " " : "", d);
        return -1;
    }
    if (leadexport_header(&j->w, e->with_transcript) != 0) {
        fprintf(stderr, "lumen: cannot write: %s\n", strerror(csv_error(&j->w)));
        return -1;
    }
    const char *tz = si->info.timezone[0] ? si->info.timezone : "UTC";
    const char *v[3] = { si->auth.token, o.r.grant, tz };
    int rc = exportjob_copy(j, si, exportjob_copy_prep, 3, v, COPY_SQL, LEADEXPORT_COLUMNS, o.r.row_count,
                            lead_row, (void *)e);
    memset(o.r.grant, 0, sizeof o.r.grant);
    return rc;
}

int subcmd_leads_export(const struct config *cfg, const struct subcmd_opts *o,
                        const struct export_opts *e)
{
    char json[LEADFILTER_JSON_MAX];
    if (build_filter(e, json, sizeof json) != 0)
        return 2;
    static struct exportjob job;            /* 64 KB buffer */
    if (exportjob_begin(&job, e->out && strcmp(e->out, "-") != 0 ? e->out : NULL, NULL,
                        e->bom || cfg->export_.bom) != 0)
        return 1;
    struct signed_in si;
    int rc = 1;
    if (subcmd_sign_in(cfg, o, &si) == 0) {
        if (exportjob_stopped())
            fprintf(stderr, "lumen: interrupted\n");
        else if (run_export(&si, json, e, &job) == 0)
            rc = 0;
        subcmd_sign_out(&si);
    }
    return exportjob_end(&job, rc);
}
