/* lumen notify [--once] | lumen notify status (issue 11).  The deliverer
 * itself is client/notify.h and prints only its own log lines; status
 * prints what the database holds (kinds, and last errors that quote what
 * a receiver or curl said about an Owner's URL), so it goes through
 * screens/cliout.h's sanitizer, and lives here with the other printing
 * subcommands. */
#include "client/conn.h"
#include "client/notify.h"
#include "client/notify_db.h"
#include "screens/cli.h"
#include "screens/cliout.h"

#include <stdio.h>
#include <string.h>

const char subcmd_notify_help[] =
    "usage: lumen notify [--once] [--config FILE]\n"
    "       lumen notify status [--config FILE]\n"
    "\n"
    "Delivers the outbox: the messages that events write (a new lead, an invite, a\n"
    "sign-in from a new place, a delivery that failed for good, ...) as signed\n"
    "webhooks (Standard Webhooks) or as email through [notify] email_api.  It\n"
    "connects as [notify] user (default lumen_notify), a role that may only claim\n"
    "and settle outbox rows; run one on one host, as a service.\n"
    "\n"
    "(none)   run until SIGTERM or SIGINT: woken when a row is written (LISTEN;\n"
    "         every 2 s behind [database] pooler = transaction), up to [notify]\n"
    "         concurrency deliveries at once, a failure retried after 5 s, 5 min,\n"
    "         30 min, 2 h, 5 h, 10 h, 10 h, then failed and the practice's Owner\n"
    "         told; SIGTERM finishes the deliveries under way, then exits 0\n"
    "--once   deliver what is due now, then exit (for cron and tests); exit 1 when\n"
    "         the database cannot be reached\n"
    "status   per kind and channel: due now, waiting (a retry later, or being\n"
    "         sent), failed, delivered, and the last error\n"
    "\n"
    "Each attempt is one line on standard error: time (UTC), message id, kind,\n"
    "channel, the host it went to (never the path, query, key or body), the\n"
    "attempt, what came back, and what became of it.  A webhook goes only over\n"
    "https and only to a host whose every address is public; [notify]\n"
    "allow_private = yes lifts both (tests, a receiver on your own network).\n"
    "\n"
    "Exit status: 0 on success (and after SIGTERM), 1 on a failure, 2 on a usage\n"
    "error.\n";

int subcmd_notify(const struct config *cfg, bool once)
{
    return notify_run(cfg, once, stderr);
}

static void add_row(struct cli_table *t, const struct notify_status_row *s)
{
    char due[24], waiting[24], failed[24], delivered[24], at[64];
    snprintf(due, sizeof due, "%lld", s->due);
    snprintf(waiting, sizeof waiting, "%lld", s->waiting);
    snprintf(failed, sizeof failed, "%lld", s->failed);
    snprintf(delivered, sizeof delivered, "%lld", s->delivered);
    const char *row[] = { s->kind, s->channel, due, waiting, failed, delivered,
                          s->last_error_at ? cli_time(s->last_error_at, at, sizeof at) : "",
                          s->last_error };
    cli_table_add(t, row);
}

int subcmd_notify_status(const struct config *cfg)
{
    static const char *const heads[] = { "KIND", "CHANNEL", "DUE", "WAITING", "FAILED",
                                         "DELIVERED", "LAST ERROR AT", "LAST ERROR" };
    char err[1024];
    PGconn *c = conn_open_blocking(cfg, CONN_USE_NOTIFY, err, sizeof err);
    if (!c) {
        fprintf(stderr, "lumen: %s\n", err);
        return 1;
    }
    PQsetNoticeProcessor(c, notify_db_quiet, NULL);
    struct notify_status_row *rows;
    size_t n;
    int rc = notify_db_status(c, cfg->db.pooler == CONFIG_POOLER_TRANSACTION, &rows, &n, err,
                              sizeof err);
    PQfinish(c);
    if (rc != 0) {
        fprintf(stderr, "lumen: %s\n", err);
        return 1;
    }
    struct cli_table t;
    cli_table_init(&t, heads, 8);
    long long email_waiting = 0;
    for (size_t i = 0; i < n; i++) {
        add_row(&t, &rows[i]);
        if (strcmp(rows[i].channel, "email") == 0)
            email_waiting += rows[i].due + rows[i].waiting;
    }
    if (n == 0)
        printf("the outbox is empty\n");
    else
        cli_table_print(&t, stdout);
    if (email_waiting > 0 && !cfg->notify.email_api)
        printf("email is not sent from this config: [notify] email_api is not set, so its "
               "rows stay due\n");
    cli_table_free(&t);
    notify_status_rows_free(rows, n);
    return fflush(stdout) == 0 ? 0 : 1;
}
