/* notify_db: lumen notify's connection and calls.  Contract in
 * notify_db.h. */
#include "client/notify_db.h"
#include "client/notify_time.h"
#include "client/conn.h"
#include "client/mem.h"

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define BACKOFF_FIRST_MS 1000
#define BACKOFF_MAX_MS 30000

struct notify_db {
    const struct config *cfg;
    notify_db_wait_fn wait;
    void *ud;
    PGconn *conn;
    enum notify_db_state state;
    PostgresPollingStatusType polling;  /* PQconnectPoll's last answer */
    struct timespec connect_deadline;
    struct timespec next_try;
    int backoff_ms;
    int connections;
    bool listening;
    bool woken;
    char error[512];
};

struct notify_db *notify_db_new(const struct config *cfg, notify_db_wait_fn wait, void *ud)
{
    struct notify_db *db = mem_alloc(sizeof *db);
    db->cfg = cfg;
    db->wait = wait;
    db->ud = ud;
    db->state = NOTIFY_DB_DOWN;
    db->backoff_ms = BACKOFF_FIRST_MS;
    clock_gettime(CLOCK_MONOTONIC, &db->next_try);
    return db;
}

void notify_db_free(struct notify_db **dbp)
{
    struct notify_db *db = *dbp;
    if (!db)
        return;
    *dbp = NULL;
    PQfinish(db->conn);
    free(db);
}

enum notify_db_state notify_db_state(const struct notify_db *db)
{
    return db->state;
}

const char *notify_db_error(const struct notify_db *db)
{
    return db->error;
}

int notify_db_connections(const struct notify_db *db)
{
    return db->connections;
}

bool notify_db_listens(const struct notify_db *db)
{
    return db->state == NOTIFY_DB_UP && db->listening;
}

/* The connection is gone (or never came): WHY kept, the next try after
 * the backoff, which doubles up to 30 s. */
static void drop(struct notify_db *db, const char *why)
{
    conn_error_line(why, db->error, sizeof db->error);
    PQfinish(db->conn);
    db->conn = NULL;
    db->state = NOTIFY_DB_DOWN;
    db->listening = false;
    notify_deadline(&db->next_try, db->backoff_ms);
    db->backoff_ms = db->backoff_ms * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : db->backoff_ms * 2;
}

long notify_db_backoff_ms(const struct notify_db *db)
{
    return db->state == NOTIFY_DB_DOWN ? notify_ms_until(&db->next_try) : 0;
}

void notify_db_quiet(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

int notify_db_connect(struct notify_db *db)
{
    if (db->state != NOTIFY_DB_DOWN)
        return 0;
    char err[1024];
    if (conn_policy_check(db->cfg, err, sizeof err) != 0) {
        drop(db, err);
        return -1;
    }
    const char *keys[CONN_PARAMS_MAX], *vals[CONN_PARAMS_MAX];
    conn_params(db->cfg, CONN_USE_NOTIFY, keys, vals, CONN_PARAMS_MAX);
    /* libpq looks a host name up inside this call, blocking: the
     * database's host is the operator's (a socket, or a name their
     * resolver answers), unlike the webhooks'. */
    db->conn = PQconnectStartParams(keys, vals, 0);
    if (!db->conn || PQstatus(db->conn) == CONNECTION_BAD) {
        drop(db, db->conn ? PQerrorMessage(db->conn) : "out of memory");
        return -1;
    }
    PQsetNoticeProcessor(db->conn, notify_db_quiet, NULL);
    db->state = NOTIFY_DB_CONNECTING;
    db->polling = PGRES_POLLING_WRITING;
    notify_deadline(&db->connect_deadline, (long)db->cfg->db.connect_timeout * 1000);
    return 0;
}

int notify_db_pollfd(const struct notify_db *db, short *events)
{
    *events = 0;
    if (db->state == NOTIFY_DB_DOWN || !db->conn)
        return -1;
    if (db->state == NOTIFY_DB_CONNECTING)
        *events = db->polling == PGRES_POLLING_READING ? POLLIN : POLLOUT;
    else if (db->listening)
        *events = POLLIN;
    return PQsocket(db->conn);
}

static void drain_notifies(struct notify_db *db)
{
    PGnotify *n;
    while ((n = PQnotifies(db->conn))) {
        db->woken = true;
        PQfreemem(n);
    }
}

bool notify_db_woken(struct notify_db *db)
{
    bool w = db->woken;
    db->woken = false;
    return w;
}

/* Behind a transaction pooler each transaction may run on another server
 * connection, one that a pool-mate (anyone logging in as lumen_notify)
 * may have left with SETs of its own, and `options` cannot be sent
 * (conn.c, above conn_pooled_prelude).  So a call goes as client/db.c's
 * pooled_send sends the client's: in pipeline mode, the settings'
 * statements (conn_pooled_prelude), the call, one Sync.  All of it is one
 * implicit transaction on one server connection, ended at the Sync
 * (rolled back on any error), so the settings hold for this call only.
 * *CALL_AT: which statement is the call's own (0 when not pooled). */
static int send_call(struct notify_db *db, const char *sql, int n, const char *const *values,
                     size_t *call_at)
{
    *call_at = 0;
    if (db->cfg->db.pooler != CONFIG_POOLER_TRANSACTION)
        return PQsendQueryParams(db->conn, sql, n, NULL, values, NULL, NULL, 0);
    const char *const *pre = conn_pooled_prelude(CONN_USE_NOTIFY, call_at);
    if (!PQenterPipelineMode(db->conn))
        return 0;
    for (size_t i = 0; i < *call_at; i++)
        if (!PQsendQueryParams(db->conn, pre[i], 0, NULL, NULL, NULL, NULL, 0))
            return 0;
    return PQsendQueryParams(db->conn, sql, n, NULL, values, NULL, NULL, 0) &&
           PQpipelineSync(db->conn);
}

/* One call, waited for through the hook: the result (the caller clears
 * it), or NULL after dropping the connection.  Pooled (send_call), the
 * result kept is the call's own, or the first error of any statement (the
 * ones after it answer PGRES_PIPELINE_ABORTED); the call counts only once
 * the Sync's result says its transaction ended. */
static PGresult *call(struct notify_db *db, const char *sql, int n, const char *const *values)
{
    if (db->state != NOTIFY_DB_UP)
        return NULL;
    size_t call_at;
    if (!send_call(db, sql, n, values, &call_at)) {
        drop(db, PQerrorMessage(db->conn));
        return NULL;
    }
    bool piped = db->cfg->db.pooler == CONFIG_POOLER_TRANSACTION, synced = false;
    size_t at = 0;                  /* piped: whose results come now */
    struct timespec deadline;
    notify_deadline(&deadline, NOTIFY_DB_CALL_TIMEOUT_S * 1000L);
    PGresult *last = NULL;
    for (;;) {
        /* PQgetResult blocks while busy: wait (and let the transfers run)
         * until it will not. */
        while (PQisBusy(db->conn)) {
            long ms = notify_ms_until(&deadline);
            if (ms == 0 || db->wait(db->ud, PQsocket(db->conn), POLLIN, (int)ms) < 0) {
                PQclear(last);
                drop(db, ms == 0 ? "no answer from the database in 40 s" : "cannot wait for the database");
                return NULL;
            }
            if (!PQconsumeInput(db->conn)) {
                PQclear(last);
                drop(db, PQerrorMessage(db->conn));
                return NULL;
            }
        }
        PGresult *r = PQgetResult(db->conn);
        if (!r) {
            /* Piped, NULL ends one statement's results; one more than
             * there are statements (or a lost connection) is not
             * waited for. */
            if (!piped || ++at > call_at + 1 || PQstatus(db->conn) == CONNECTION_BAD)
                break;
            continue;
        }
        ExecStatusType st = PQresultStatus(r);
        if (piped && st == PGRES_PIPELINE_SYNC) {
            PQclear(r);
            synced = PQexitPipelineMode(db->conn) == 1;
            break;
        }
        bool failed = piped && last && PQresultStatus(last) == PGRES_FATAL_ERROR;
        if (!piped || (!failed && (st == PGRES_FATAL_ERROR || at == call_at))) {
            PQclear(last);
            last = r;
        } else {
            PQclear(r);
        }
    }
    drain_notifies(db);
    ExecStatusType st = last ? PQresultStatus(last) : PGRES_FATAL_ERROR;
    bool ok = st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK;
    if (!ok || (piped && !synced)) {
        char why[600];
        snprintf(why, sizeof why, "%s", last && !ok ? PQresultErrorMessage(last)
                                                    : PQerrorMessage(db->conn));
        if (!why[0])
            snprintf(why, sizeof why, "no end to the call's transaction from the database");
        PQclear(last);
        drop(db, why);
        return NULL;
    }
    return last;
}

/* Connected: LISTEN (not behind a transaction pooler), then UP. */
static void connected(struct notify_db *db)
{
    db->state = NOTIFY_DB_UP;
    db->listening = false;
    if (db->cfg->db.pooler != CONFIG_POOLER_TRANSACTION) {
        PGresult *r = call(db, "LISTEN " NOTIFY_DB_CHANNEL, 0, NULL);
        if (!r)
            return;
        PQclear(r);
        db->listening = true;
    }
    db->connections++;
    db->backoff_ms = BACKOFF_FIRST_MS;
    db->error[0] = '\0';
    /* Whatever came before the LISTEN: look once. */
    db->woken = true;
}

void notify_db_after_poll(struct notify_db *db, short revents)
{
    if (db->state == NOTIFY_DB_CONNECTING) {
        if (revents) {
            db->polling = PQconnectPoll(db->conn);
            if (db->polling == PGRES_POLLING_OK) {
                connected(db);
                return;
            }
            if (db->polling == PGRES_POLLING_FAILED) {
                drop(db, PQerrorMessage(db->conn));
                return;
            }
        }
        if (notify_ms_until(&db->connect_deadline) == 0) {
            char why[80];
            snprintf(why, sizeof why, "no connection within %d s ([database] connect_timeout)",
                     db->cfg->db.connect_timeout);
            drop(db, why);
        }
        return;
    }
    if (db->state == NOTIFY_DB_UP && (revents & POLLIN)) {
        if (!PQconsumeInput(db->conn)) {
            drop(db, PQerrorMessage(db->conn));
            return;
        }
        drain_notifies(db);
    }
}

/* ---- the calls -------------------------------------------------------- */

static const char *channels(bool email)
{
    return email ? "{email,webhook}" : "{webhook}";
}

/* Column NAME of R, or -1 after dropping the connection: an answer of
 * another shape is a database this lumen does not know. */
static int col(struct notify_db *db, PGresult *r, const char *fn, const char *name)
{
    int c = PQfnumber(r, name);
    if (c < 0) {
        char why[160];
        snprintf(why, sizeof why, "%s answered without a column %s (is the database migrated "
                 "for this lumen?)", fn, name);
        drop(db, why);
    }
    return c;
}

static char *str_or_null(PGresult *r, int row, int c)
{
    return PQgetisnull(r, row, c) ? NULL : mem_strdup(PQgetvalue(r, row, c));
}

int notify_db_claim(struct notify_db *db, int limit, bool email, int lease_s,
                    struct notify_msg **msgs, size_t *n)
{
    *msgs = NULL;
    *n = 0;
    char lim[16], lease[16];
    snprintf(lim, sizeof lim, "%d", limit);
    snprintf(lease, sizeof lease, "%d", lease_s);
    const char *v[] = { lim, channels(email), lease };
    PGresult *r = call(db, "SELECT * FROM notify.claim($1::integer, $2::text[], $3::integer)", 3, v);
    if (!r)
        return -1;
    static const char *const names[] = { "id", "claim", "message_id", "kind", "channel",
                                         "attempt", "url", "recipient", "subject", "body",
                                         "webhook_timestamp", "webhook_signature" };
    int c[12];
    for (int i = 0; i < 12; i++)
        if ((c[i] = col(db, r, "notify.claim", names[i])) < 0) {
            PQclear(r);
            return -1;
        }
    int rows = PQntuples(r);
    *msgs = mem_alloc((size_t)(rows > 0 ? rows : 1) * sizeof **msgs);
    for (int i = 0; i < rows; i++) {
        struct notify_msg *m = &(*msgs)[i];
        m->id = strtoll(PQgetvalue(r, i, c[0]), NULL, 10);
        snprintf(m->claim, sizeof m->claim, "%s", PQgetvalue(r, i, c[1]));
        snprintf(m->message_id, sizeof m->message_id, "%s", PQgetvalue(r, i, c[2]));
        snprintf(m->kind, sizeof m->kind, "%s", PQgetvalue(r, i, c[3]));
        m->channel = strcmp(PQgetvalue(r, i, c[4]), "webhook") == 0 ? NOTIFY_CH_WEBHOOK
                                                                     : NOTIFY_CH_EMAIL;
        m->attempt = atoi(PQgetvalue(r, i, c[5]));
        m->url = str_or_null(r, i, c[6]);
        m->recipient = str_or_null(r, i, c[7]);
        m->subject = str_or_null(r, i, c[8]);
        m->body = str_or_null(r, i, c[9]);
        m->timestamp = strtoll(PQgetvalue(r, i, c[10]), NULL, 10);
        m->signature = str_or_null(r, i, c[11]);
    }
    *n = (size_t)rows;
    PQclear(r);
    return 0;
}

/* The single value of a one-row answer ("" for NULL), copied to OUT. */
static int one_value(struct notify_db *db, const char *sql, int n, const char *const *v,
                     char *out, size_t outlen, bool *null)
{
    PGresult *r = call(db, sql, n, v);
    if (!r)
        return -1;
    if (PQntuples(r) != 1 || PQnfields(r) != 1) {
        PQclear(r);
        drop(db, "an answer of an unexpected shape from the notify functions");
        return -1;
    }
    *null = PQgetisnull(r, 0, 0);
    snprintf(out, outlen, "%s", PQgetvalue(r, 0, 0));
    PQclear(r);
    return 0;
}

int notify_db_report(struct notify_db *db, const struct notify_outcome *o, const char **verdict)
{
    char id[24], status[16], ra[16], out[16];
    bool null;
    snprintf(id, sizeof id, "%lld", o->id);
    snprintf(status, sizeof status, "%d", o->status);
    snprintf(ra, sizeof ra, "%d", o->retry_after_s);
    /* No status (a transport error) is NULL: last_status says "none came". */
    const char *st = o->status > 0 ? status : NULL;
    if (o->result == NOTIFY_DELIVERED || o->result == NOTIFY_GONE) {
        const char *v[] = { id, o->claim, st };
        const char *sql = o->result == NOTIFY_DELIVERED
            ? "SELECT notify.delivered($1::bigint, $2::uuid, $3::integer)"
            : "SELECT notify.gone($1::bigint, $2::uuid, $3::integer)";
        if (one_value(db, sql, 3, v, out, sizeof out, &null) != 0)
            return -1;
        *verdict = strcmp(out, "t") != 0 ? "lost"
                 : o->result == NOTIFY_DELIVERED ? "delivered" : "gone";
        return 0;
    }
    const char *v[] = { id, o->claim, st, o->error, o->retry_after_s >= 0 ? ra : NULL };
    if (one_value(db, "SELECT notify.retry($1::bigint, $2::uuid, $3::integer, $4::text, $5::integer)",
                  5, v, out, sizeof out, &null) != 0)
        return -1;
    *verdict = strcmp(out, "retry") == 0 ? "retry" : strcmp(out, "failed") == 0 ? "failed" : "lost";
    return 0;
}

int notify_db_next_due(struct notify_db *db, bool email, double *seconds)
{
    char out[64];
    bool null;
    const char *v[] = { channels(email) };
    if (one_value(db, "SELECT notify.next_due($1::text[])", 1, v, out, sizeof out, &null) != 0)
        return -1;
    *seconds = null ? -1 : strtod(out, NULL);
    if (*seconds < 0 && !null)
        *seconds = 0;
    return 0;
}

int notify_db_checkpoints(struct notify_db *db, int *written)
{
    char out[24];
    bool null;
    if (one_value(db, "SELECT notify.checkpoints()", 0, NULL, out, sizeof out, &null) != 0)
        return -1;
    *written = null ? 0 : atoi(out);
    return 0;
}

/* ---- status ----------------------------------------------------------- */

int notify_db_status(PGconn *c, bool pooled, struct notify_status_row **rows, size_t *n,
                     char *err, size_t errlen)
{
    *rows = NULL;
    *n = 0;
    /* One simple query is one implicit transaction: behind a pooler the
     * settings' statements go first in it, and PQexec answers the last. */
    static const char call[] = "SELECT * FROM notify.status()";
    size_t np = 0, len = sizeof call;
    const char *const *pre = pooled ? conn_pooled_prelude(CONN_USE_NOTIFY, &np) : NULL;
    for (size_t i = 0; i < np; i++)
        len += strlen(pre[i]) + 2;
    char *sql = mem_alloc(len);
    sql[0] = '\0';
    for (size_t i = 0; i < np; i++) {
        strcat(sql, pre[i]);
        strcat(sql, "; ");
    }
    strcat(sql, call);
    PGresult *r = PQexec(c, sql);
    free(sql);
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        char line[400];
        conn_error_line(PQresultErrorMessage(r), line, sizeof line);
        snprintf(err, errlen, "notify.status() failed: %s", line);
        PQclear(r);
        return -1;
    }
    static const char *const names[] = { "kind", "channel", "due", "waiting", "failed",
                                         "delivered", "last_error", "last_error_at" };
    int k[8];
    for (int i = 0; i < 8; i++)
        if ((k[i] = PQfnumber(r, names[i])) < 0) {
            snprintf(err, errlen, "notify.status() answered without a column %s", names[i]);
            PQclear(r);
            return -1;
        }
    int nr = PQntuples(r);
    *rows = mem_alloc((size_t)(nr > 0 ? nr : 1) * sizeof **rows);
    for (int i = 0; i < nr; i++) {
        struct notify_status_row *s = &(*rows)[i];
        s->kind = mem_strdup(PQgetvalue(r, i, k[0]));
        s->channel = mem_strdup(PQgetvalue(r, i, k[1]));
        s->due = strtoll(PQgetvalue(r, i, k[2]), NULL, 10);
        s->waiting = strtoll(PQgetvalue(r, i, k[3]), NULL, 10);
        s->failed = strtoll(PQgetvalue(r, i, k[4]), NULL, 10);
        s->delivered = strtoll(PQgetvalue(r, i, k[5]), NULL, 10);
        s->last_error = str_or_null(r, i, k[6]);
        s->last_error_at = str_or_null(r, i, k[7]);
    }
    *n = (size_t)nr;
    PQclear(r);
    return 0;
}

void notify_status_rows_free(struct notify_status_row *rows, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(rows[i].kind);
        free(rows[i].channel);
        free(rows[i].last_error);
        free(rows[i].last_error_at);
    }
    free(rows);
}
