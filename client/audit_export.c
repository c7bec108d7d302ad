/* lumen audit export: the practice's audit log over a range, as the
 * filter says, into a CSV file (client/auditexport.h), with its sidecar
 * FILE.chain, without a terminal UI.
 *
 *   sign in (as lumen whoami) -> api.audit_range (the preset, or the days
 *   of --from / --to, in the practice's zone) -> api.audit_export_open
 *   (the audit row, the grant, the row count and the chain's head; step-up
 *   is fresh: the session was signed in a moment ago) -> COPY (SELECT ...
 *   FROM api.audit_export_rows(token, grant, NULL, NULL)) TO STDOUT through
 *   the CSV writer -> FILE closed -> FILE.chain written -> sign out.
 *
 * The file, the signals, the COPY and the progress are client/exportjob.h's,
 * as for lumen leads export.  Exit: 0 done, 1 refused or failed, 2 usage
 * (a bad range or filter, also when the server is the one to say so). */
#include "client/subcmd.h"
#include "client/auditexport.h"
#include "client/auditfilter.h"
#include "client/exportjob.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

const char subcmd_audit_export_help[] =
    "usage: lumen audit export [--preset P | --from D --to D] [--filter F] [--out FILE]\n"
    "                          [--bom] [--email E] [--password-stdin]\n"
    "                          [--practice NAME|ID] [--config FILE]\n"
    "\n"
    "Writes the practice's audit log over a range of days as CSV (RFC 4180,\n"
    "UTF-8): id, at, actor_email, action, target_type, target_id, outcome,\n"
    "server_addr, reported_origin, session_id, detail (the row's JSON in one\n"
    "cell).  Times are ISO 8601 with the practice's offset.  Every cell that\n"
    "starts with = + - @ TAB CR or ' has a ' put in front (spreadsheet formula\n"
    "injection).  The export is audited with its range, filter and row count; a\n"
    "Viewer may not export.\n"
    "\n"
    "Beside FILE, FILE.chain (mode 0600) holds the row count, the audit chain's\n"
    "head when the export was made (head_seq, head_hash: compare them with\n"
    "'lumen audit verify'), the range and the filter; with standard output,\n"
    "those lines go to standard error.\n"
    "\n"
    "  --preset P        today, yesterday, last7 (today and the 6 days before),\n"
    "                    last30 (the default), this_month, last_month: days in the\n"
    "                    practice's time zone\n"
    "  --from D --to D   the days D (YYYY-MM-DD) from the first to the last, both\n"
    "                    included, in the practice's time zone; at most 400 days\n"
    "  --filter F        the audit viewer's filter text: actor:ana@example.com\n"
    "                    action:login. (a prefix) outcome:denied,failure\n"
    "                    target:lead:123 !action:audit.view free text\n"
    "  --out FILE        created with mode 0600, as FILE.chain; an existing one is\n"
    "                    an error; '-' or none: standard output\n"
    "  --bom             start with a UTF-8 byte order mark (default: [export] bom)\n"
    "\n"
    "Exit status: 0 on success, 1 when refused or failed (the files are removed),\n"
    "2 on a usage error (a bad range or filter).\n";

static const char *const presets[] = { "today", "yesterday", "last7", "last30", "this_month",
                                       "last_month", "custom", NULL };

static const char COPY_SQL[] =
    "COPY (SELECT id, at, actor_email, action, target_type, target_id, outcome, server_addr, "
    "reported_origin, session_id, detail FROM api.audit_export_rows("
    "current_setting('lumen_client.token'), current_setting('lumen_client.grant'), "
    "NULL, NULL)) TO STDOUT";

/* What the options ask for, checked before anything is created. */
struct request {
    const char *preset;
    char from_day[11], to_day[11];
    char json[AUDITFILTER_JSON_MAX];
};

static int usage(const char *what, const char *msg)
{
    fprintf(stderr, "lumen: %s%s%s\n", what, *what ? ": " : "", msg);
    return 2;
}

static int check_options(const struct export_opts *e, struct request *q)
{
    char err[AUDITFILTER_ERR_MAX], text[64];
    if (e->status || e->since || e->with_transcript)
        return usage("", "--status, --since and --with-transcript are for lumen leads export");
    q->preset = e->preset ? e->preset : "last30";
    bool known = false;
    for (size_t i = 0; presets[i]; i++)
        known |= strcmp(presets[i], q->preset) == 0;
    if (!known)
        return usage("--preset", "use today, yesterday, last7, last30, this_month or "
                                 "last_month (or --from D --to D)");
    if (e->from || e->to) {
        if (e->preset && strcmp(e->preset, "custom") != 0)
            return usage("", "give --preset or --from and --to, not both");
        if (!e->from || !e->to)
            return usage("", "--from and --to go together: --from 2026-11-01 --to 2026-11-15");
        snprintf(text, sizeof text, "%.28s..%.28s", e->from, e->to);
        if (auditfilter_range(text, q->from_day, q->to_day, err, sizeof err) != 0)
            return usage("--from/--to", err);
        q->preset = "custom";
    } else if (strcmp(q->preset, "custom") == 0) {
        return usage("--preset custom", "give the days with --from D --to D");
    }
    if (auditfilter_from_text(e->filter ? e->filter : "", q->json, sizeof q->json, err,
                              sizeof err) != 0)
        return usage("--filter", err);
    return 0;
}

int subcmd_audit_export_usage(const struct export_opts *e)
{
    static struct request q;
    return check_options(e, &q);
}

/* The answers the calls wait for. */
struct wait {
    bool done;
    enum api_err err;
    struct api_audit_range range;
    struct api_audit_export_open opened;
};

static void on_range(void *ud, enum api_err err, const struct api_audit_range *r)
{
    struct wait *w = ud;
    w->done = true;
    w->err = err;
    if (r)
        w->range = *r;
}

static void on_open(void *ud, enum api_err err, const struct api_audit_export_open *r)
{
    struct wait *w = ud;
    w->done = true;
    w->err = err;
    if (r)
        w->opened = *r;
}

/* The call queued with RC, waited for; 0, 1 or 2 after one line. */
static int answered(struct signed_in *si, int rc, struct wait *w, const char *what)
{
    if (rc != 0 || db_drain(si->db, SESSION_STEP_TIMEOUT_MS) != 0 || !w->done) {
        fprintf(stderr, "lumen: %s\n", exportjob_stopped() ? "interrupted"
                : "the database connection was lost");
        return 1;
    }
    if (w->err == API_ERR_DENIED) {
        fprintf(stderr, "lumen: your role (%s) may not %s\n", si->info.role, what);
        return 1;
    }
    if (w->err == API_ERR_INVALID) {
        fprintf(stderr, "lumen: the database refused the range or the filter as invalid\n");
        return 2;
    }
    if (w->err != API_OK) {
        const char *d = w->err == API_ERR_SERVER ? api_err_detail() : "";
        fprintf(stderr, "lumen: %s%s%s\n", api_err_message(w->err), *d ? " " : "", d);
        return 1;
    }
    return 0;
}

static int audit_row(void *ud, struct csv *w, const char *const *f, const size_t *n)
{
    (void)ud;
    return auditexport_row(w, f, n);
}

/* Signed in: the range, the opening, the rows, the sidecar.  0, 1 or 2
 * after one line on stderr. */
static int run_export(struct signed_in *si, const struct request *q, struct exportjob *j)
{
    struct wait w = { 0 };
    const bool custom = strcmp(q->preset, "custom") == 0;
    int rc = answered(si, api_audit_range(si->db, &si->auth, q->preset,
                                          custom ? q->from_day : NULL, custom ? q->to_day : NULL,
                                          on_range, &w, &si->auth),
                      &w, "read the audit log");
    if (rc != 0)
        return rc;
    struct api_audit_range range = w.range;
    w = (struct wait){ 0 };
    rc = answered(si, api_audit_export_open(si->db, &si->auth, range.from_at, range.to_at,
                                            q->json, on_open, &w, &si->auth),
                  &w, "export the audit log");
    if (rc != 0)
        return rc;
    if (auditexport_header(&j->w) != 0) {
        fprintf(stderr, "lumen: cannot write: %s\n", strerror(csv_error(&j->w)));
        return 1;
    }
    const char *v[3] = { si->auth.token, w.opened.grant, range.timezone };
    rc = exportjob_copy(j, si, exportjob_copy_prep, 3, v, COPY_SQL, AUDITEXPORT_COLUMNS,
                        w.opened.row_count, audit_row, NULL);
    memset(w.opened.grant, 0, sizeof w.opened.grant);
    if (rc != 0 || exportjob_close(j) != 0)
        return 1;
    struct auditexport_chain c = { exportjob_rows(j), w.opened.head_seq, w.opened.head_hash,
                                   range.from_at, range.to_at, q->json };
    if ((long long)c.rows != w.opened.row_count)
        fprintf(stderr, "lumen: note: %lld rows were counted when the export was opened, "
                        "%llu written\n", w.opened.row_count, c.rows);
    if (auditexport_chain_write(j->side_fd >= 0 ? j->side_fd : STDERR_FILENO, &c) != 0) {
        fprintf(stderr, "lumen: cannot write %s: %s\n", j->side_path ? j->side_path
                : "standard error", strerror(errno));
        return 1;
    }
    fprintf(stderr, "%s to %s (%s)\n", range.first_day, range.last_day, range.timezone);
    return 0;
}

int subcmd_audit_export(const struct config *cfg, const struct subcmd_opts *o,
                        const struct export_opts *e)
{
    static struct request q;
    int rc = check_options(e, &q);
    if (rc != 0)
        return rc;
    const char *path = e->out && strcmp(e->out, "-") != 0 ? e->out : NULL;
    char side[PATH_MAX];
    if (path && auditexport_chain_path(path, side, sizeof side) != 0)
        return usage("--out", "the file name is too long");
    static struct exportjob job;            /* 64 KB buffer */
    if (exportjob_begin(&job, path, path ? side : NULL, e->bom || cfg->export_.bom) != 0)
        return 1;
    struct signed_in si;
    rc = 1;
    if (subcmd_sign_in(cfg, o, &si) == 0) {
        if (exportjob_stopped())
            fprintf(stderr, "lumen: interrupted\n");
        else
            rc = run_export(&si, &q, &job);
        subcmd_sign_out(&si);
    }
    rc = exportjob_end(&job, rc);
    if (rc == 0 && path)
        printf("the chain's head and the range are in %s\n", side);
    return rc;
}
