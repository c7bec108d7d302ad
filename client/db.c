#include "client/db.h"
#include "client/db_int.h"
#include "client/conn.h"
#include "client/mem.h"

#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>


long long db_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void db_call_free(struct call *c)
{
    for (int i = 0; i < c->nparams; i++) {
        if (!c->values[i])
            continue;
        if (c->flags & DB_SECRET)
            sodium_free(c->values[i]);      /* sodium_free wipes first */
        else
            free(c->values[i]);
    }
    free(c->values);
    free(c->lengths);
    free(c->formats);
    free(c->sql);
    free(c);
}

static void deliver(struct call *c, enum db_outcome outcome, const PGresult *res,
                    const char *sqlstate, const char *message)
{
    struct db_reply r = { .outcome = c->cancelled ? DB_CANCELLED : outcome,
                          .res = c->cancelled ? NULL : res,
                          .message = message ? message : "" };
    if (sqlstate && !c->cancelled)
        snprintf(r.sqlstate, sizeof r.sqlstate, "%s", sqlstate);
    if (c->done)
        c->done(c->ud, &r);
}

/* The first queued call, out of the queue; NULL when it is empty. */
static struct call *take_head(struct db *db)
{
    struct call *c = db->head;
    if (!c)
        return NULL;
    db->head = c->next;
    if (!db->head)
        db->tail = NULL;
    c->next = NULL;
    return c;
}

static void cancel_release(struct cancel_req *q)
{
    if (q && atomic_fetch_sub(&q->refs, 1) == 1) {
        PQfreeCancel(q->pc);
        free(q);
    }
}

static void *cancel_thread(void *arg)
{
    struct cancel_req *q = arg;
    char err[256];
    PQcancel(q->pc, err, sizeof err);
    atomic_store(&q->done, true);
    cancel_release(q);
    return NULL;
}

/* PQcancel opens a connection of its own to the server and waits for it
 * to close: a short exchange, but a blocking one, for as long as the
 * network takes (libpq 15 has no non-blocking PQcancelStart; that is 17).
 * So it runs on a detached thread, which owns only a copy of the cancel
 * key (PGcancel, documented as safe to use from any thread) and no part of
 * struct db; the loop goes on at once.  The next call is not sent until
 * that thread is done: by then the postmaster has signalled the backend,
 * so the cancel can only hit the call it was meant for (a cancel that
 * arrives while the backend is idle is ignored), never the next one.  A
 * connection that is lost meanwhile drops the wait (a new backend cannot
 * be hit by the old key), and so do DB_CANCEL_WAIT_MS: a postmaster that
 * does not answer a cancel in that time holds up no one's calls. */
static void start_cancel(struct db *db)
{
    cancel_release(db->cancel);
    db->cancel = NULL;
    PGcancel *pc = PQgetCancel(db->conn);
    if (!pc)
        return;
    struct cancel_req *q = mem_alloc(sizeof *q);
    q->pc = pc;
    atomic_init(&q->refs, 2);
    atomic_init(&q->done, false);
    /* The thread takes no signal meant for the loop (SIGWINCH, SIGINT). */
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    pthread_attr_t attr;
    pthread_t t;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    if (pthread_create(&t, &attr, cancel_thread, q) == 0) {
        db->cancel = q;
        db->cancel_until_ms = db_now_ms() + DB_CANCEL_WAIT_MS;
    } else {
        /* No thread: the call is still answered DB_CANCELLED, only later. */
        PQfreeCancel(pc);
        free(q);
    }
    pthread_attr_destroy(&attr);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
}

/* True while a cancel request is still under way. */
static bool cancel_waiting(struct db *db)
{
    if (db->cancel && (atomic_load(&db->cancel->done) || db_now_ms() >= db->cancel_until_ms)) {
        cancel_release(db->cancel);
        db->cancel = NULL;
    }
    return db->cancel != NULL;
}

static void schedule_retry(struct db *db, const char *why)
{
    /* why may be PQerrorMessage(db->conn): copy it before PQfinish. */
    conn_error_line(why, db->error, sizeof db->error);
    if (db->conn) {
        PQfinish(db->conn);
        db->conn = NULL;
    }
    db->state = DB_WAITING;
    db->flushing = false;
    db->piped = false;
    cancel_release(db->cancel);
    db->cancel = NULL;
    db->attempt++;
    long long delay = DB_RETRY_FIRST_MS;
    for (int i = 1; i < db->attempt && delay < DB_RETRY_MAX_MS; i++)
        delay *= 2;
    if (delay > DB_RETRY_MAX_MS)
        delay = DB_RETRY_MAX_MS;
    db->retry_at_ms = db_now_ms() + delay;
}

static void to_primary(struct db *r, struct call *c);

/* The connection is gone: what was in flight is failed or put back. */
static void lost(struct db *db, const char *why)
{
    struct call *c = db->inflight;
    db->inflight = NULL;
    PQclear(db->result);
    db->result = NULL;
    schedule_retry(db, why);
    if (db->primary) {
        /* A replica that went away: the primary serves its calls. */
        if (c)
            to_primary(db, c);
        while ((c = take_head(db)))
            to_primary(db, c);
        return;
    }
    if (!c)
        return;
    if ((c->flags & DB_RETRY) && !c->cancelled) {
        c->next = db->head;
        db->head = c;
        if (!db->tail)
            db->tail = c;
        return;
    }
    deliver(c, DB_LOST, NULL, NULL, db->error);
    db_call_free(c);
}

/* libpq prints notices and the server's last words ("terminating
 * connection due to administrator command") on stderr, which is the
 * terminal the TUI draws on.  What matters of them reaches the user
 * through db_state_text(); the rest is dropped. */
static void drop_notice(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

static void start_connect(struct db *db)
{
    char err[CONFIG_ERR_MAX];
    if (conn_policy_check(db->cfg, err, sizeof err) != 0) {
        db->state = DB_REFUSED;
        snprintf(db->error, sizeof db->error, "%s", err);
        return;
    }
    const char *keys[CONN_PARAMS_MAX], *vals[CONN_PARAMS_MAX];
    conn_params(db->cfg, db->use, keys, vals, CONN_PARAMS_MAX);
    db->conn = PQconnectStartParams(keys, vals, 0);
    if (!db->conn || PQstatus(db->conn) == CONNECTION_BAD) {
        schedule_retry(db, db->conn ? PQerrorMessage(db->conn) : "out of memory");
        return;
    }
    PQsetNoticeProcessor(db->conn, drop_notice, NULL);
    db->state = DB_CONNECTING;
    db->polling = PGRES_POLLING_WRITING;
    /* libpq ignores connect_timeout in this mode; we keep it ourselves. */
    db->deadline_ms = db_now_ms() + (long long)db->cfg->db.connect_timeout * 1000;
}

struct db *db_open_use(const struct config *cfg, enum conn_use use)
{
    struct db *db = mem_alloc(sizeof *db);
    db->cfg = cfg;
    db->use = use;
    if (sodium_init() < 0)
        mem_fatal("libsodium failed to initialise");
    start_connect(db);
    return db;
}

struct db *db_open(const struct config *cfg)
{
    return db_open_use(cfg, CONN_USE_CLIENT);
}

struct db *db_open_with_replica(const struct config *cfg)
{
    struct db *db = db_open_use(cfg, CONN_USE_CLIENT);
    if (cfg->db.replica_host) {
        db->replica = db_open_use(cfg, CONN_USE_REPLICA);
        db->replica->primary = db;
    }
    return db;
}

struct db *db_replica(struct db *db)
{
    return db->replica;
}

void db_replica_counts(const struct db *db, unsigned long *served, unsigned long *fellback)
{
    *served = db->replica_served;
    *fellback = db->replica_fellback;
}

/* A replica's call handed to its primary (the tail of its queue), or, when
 * it was cancelled meanwhile, answered so. */
static void to_primary(struct db *r, struct call *c)
{
    c->next = NULL;
    if (c->cancelled) {
        deliver(c, DB_CANCELLED, NULL, NULL, NULL);
        db_call_free(c);
        return;
    }
    struct db *p = r->primary;
    p->replica_fellback++;
    if (p->tail)
        p->tail->next = c;
    else
        p->head = c;
    p->tail = c;
}

void db_close(struct db **pdb)
{
    struct db *db = *pdb;
    if (!db)
        return;
    /* The replica's calls first: they are the primary's callers'. */
    if (db->replica) {
        db->replica->primary = NULL;
        db_close(&db->replica);
    }
    /* A call's wrapper frees its own state in the callback: a call freed
     * without it would leak that state (a pending sign-out, say). */
    db->closing = true;
    struct call *c = db->inflight;
    db->inflight = NULL;
    for (c = c ? c : take_head(db); c; c = take_head(db)) {
        c->cancelled = true;
        deliver(c, DB_CANCELLED, NULL, NULL, NULL);
        db_call_free(c);
    }
    PQclear(db->result);
    cancel_release(db->cancel);
    if (db->conn)
        PQfinish(db->conn);
    free(db);
    *pdb = NULL;
}

int db_pollfd(struct db *db, short *events)
{
    *events = 0;
    if (!db->conn || (db->state != DB_CONNECTING && db->state != DB_READY))
        return -1;
    if (db->state == DB_CONNECTING)
        *events = db->polling == PGRES_POLLING_READING ? POLLIN : POLLOUT;
    else
        *events = POLLIN | (db->flushing ? POLLOUT : 0);
    return PQsocket(db->conn);
}

int db_timeout_ms(struct db *db, long long now_ms)
{
    long long at;
    if (db->state == DB_WAITING)
        at = db->retry_at_ms;
    else if (db->state == DB_CONNECTING)
        at = db->deadline_ms;
    else if (db->head && cancel_waiting(db))
        return DB_CANCEL_POLL_MS;   /* the thread cannot wake poll() */
    else
        return -1;
    return at <= now_ms ? 0 : (int)(at - now_ms);
}

static bool pooled(const struct db *db)
{
    return db->cfg->db.pooler == CONFIG_POOLER_TRANSACTION;
}

/* Behind a transaction pooler: the settings' statements
 * (conn_pooled_prelude), then the call, then one Sync, in pipeline mode.
 * Everything before a Sync is one implicit transaction, which the pooler
 * keeps on one server connection and the server ends at the Sync
 * (rolled back on any error), so the settings hold for exactly this call,
 * whatever the server connection's session had. */
static int pooled_send(struct db *db, struct call *c)
{
    size_t n;
    const char *const *pre = conn_pooled_prelude(db->use, &n);
    if (!PQenterPipelineMode(db->conn))
        return 0;
    db->piped = true;
    db->pipe_at = 0;
    db->pipe_call = (int)n;
    for (size_t i = 0; i < n; i++)
        if (!PQsendQueryParams(db->conn, pre[i], 0, NULL, NULL, NULL, NULL, 0))
            return 0;
    if (!PQsendQueryParams(db->conn, c->sql, c->nparams, NULL,
                           (const char *const *)c->values, c->lengths, c->formats, 0))
        return 0;
    return PQpipelineSync(db->conn);
}

static void send_next(struct db *db)
{
    if (db->state != DB_READY || db->inflight || !db->head || cancel_waiting(db))
        return;
    struct call *c = take_head(db);
    db->inflight = c;
    if (!db->primary && !(c->flags & (DB_RETRY | DB_REPLICA)))
        db->pin_until_ms = db_now_ms() + DB_REPLICA_PIN_MS;
    if (!(pooled(db) ? pooled_send(db, c)
                     : PQsendQueryParams(db->conn, c->sql, c->nparams, NULL,
                                         (const char *const *)c->values, c->lengths,
                                         c->formats, 0))) {
        lost(db, PQerrorMessage(db->conn));
        return;
    }
    /* libpq has copied the parameters into its output buffer; a call that
     * may be sent again keeps them until it is answered. */
    if ((c->flags & DB_SECRET) && !(c->flags & (DB_RETRY | DB_REPLICA))) {
        for (int i = 0; i < c->nparams; i++) {
            sodium_free(c->values[i]);
            c->values[i] = NULL;
        }
    }
    int f = PQflush(db->conn);
    if (f < 0)
        lost(db, PQerrorMessage(db->conn));
    else
        db->flushing = f == 1;
}

static void finish_inflight(struct db *db)
{
    struct call *c = db->inflight;
    PGresult *r = db->result;
    db->inflight = NULL;
    db->result = NULL;
    ExecStatusType st = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
    bool ok = st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK;
    if (db->primary && !ok) {
        /* LMR01 (behind, or the grant too old for a standby) or anything
         * else: the replica never has the last word. */
        PQclear(r);
        to_primary(db, c);
        return;
    }
    if (db->primary)
        db->primary->replica_served++;
    if (ok) {
        deliver(c, DB_OK, r, NULL, NULL);
    } else {
        char line[300];
        conn_error_line(r ? PQresultErrorMessage(r) : "no result", line, sizeof line);
        const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
        deliver(c, DB_ERROR, NULL, state ? state : "", line);
    }
    PQclear(r);
    db_call_free(c);
}

/* One result (or NULL, the end of a statement's) of a pooled call's
 * pipeline.  What is kept is the call's own result, or the first error of
 * any statement (the rest are then PGRES_PIPELINE_ABORTED); the Sync's
 * result ends the call.  True when the call is answered. */
static bool piped_result(struct db *db, PGresult *r)
{
    if (!r) {
        db->pipe_at++;
        return false;
    }
    ExecStatusType st = PQresultStatus(r);
    if (st == PGRES_PIPELINE_SYNC) {
        PQclear(r);
        PQexitPipelineMode(db->conn);
        db->piped = false;
        finish_inflight(db);
        return true;
    }
    bool failed = db->result && PQresultStatus(db->result) == PGRES_FATAL_ERROR;
    if (!failed && (st == PGRES_FATAL_ERROR || db->pipe_at == db->pipe_call)) {
        PQclear(db->result);
        db->result = r;
    } else {
        PQclear(r);
    }
    return false;
}

static void read_input(struct db *db)
{
    if (!PQconsumeInput(db->conn)) {
        lost(db, PQerrorMessage(db->conn));
        return;
    }
    for (PGnotify *n; (n = PQnotifies(db->conn)); PQfreemem(n)) {
        if (db->nnotify < DB_NOTIFY_MAX)
            snprintf(db->notify[db->nnotify++], sizeof db->notify[0], "%s", n->relname);
    }
    while (db->inflight && !PQisBusy(db->conn)) {
        PGresult *r = PQgetResult(db->conn);
        if (db->piped) {
            if (piped_result(db, r))
                break;
            continue;
        }
        if (!r) {
            finish_inflight(db);
            break;
        }
        PQclear(db->result);          /* keep the last: one statement, one result */
        db->result = r;
    }
    if (PQstatus(db->conn) == CONNECTION_BAD)
        lost(db, PQerrorMessage(db->conn));
}

unsigned db_connections(const struct db *db)
{
    return db->connections;
}

static void service_connecting(struct db *db, short revents, long long now_ms)
{
    if (now_ms >= db->deadline_ms && !revents) {
        lost(db, "timed out connecting to the database");
        return;
    }
    if (!revents)
        return;
    db->polling = PQconnectPoll(db->conn);
    if (db->polling == PGRES_POLLING_FAILED) {
        lost(db, PQerrorMessage(db->conn));
    } else if (db->polling == PGRES_POLLING_OK) {
        PQsetnonblocking(db->conn, 1);
        db->state = DB_READY;
        db->attempt = 0;
        db->ever_connected = true;
        db->error[0] = '\0';
        db->connections++;
        db_queue_listens(db);
    }
}

void db_service(struct db *db, short revents, long long now_ms)
{
    if (db->state == DB_WAITING && now_ms >= db->retry_at_ms)
        start_connect(db);
    else if (db->state == DB_CONNECTING)
        service_connecting(db, revents, now_ms);
    else if (db->state == DB_READY && db->conn) {
        if (revents & (POLLIN | POLLHUP | POLLERR))
            read_input(db);
        if (db->state == DB_READY && db->flushing && (revents & POLLOUT)) {
            int f = PQflush(db->conn);
            if (f < 0)
                lost(db, PQerrorMessage(db->conn));
            else
                db->flushing = f == 1;
        }
    }
    send_next(db);
}

static char *copy_param(const char *v, int len, bool secret)
{
    if (!v)
        return NULL;
    size_t n = len ? (size_t)len : strlen(v) + 1;
    char *p = secret ? sodium_malloc(n) : malloc(n);
    if (!p)
        mem_fatal("out of memory");
    memcpy(p, v, n);
    return p;
}

int db_call(struct db *db, const char *sql, int nparams, const char *const *values,
            const int *lengths, unsigned flags, db_done_fn done, void *ud, const void *owner)
{
    if (db->state == DB_REFUSED || db->closing)
        return -1;
    struct call *c = mem_alloc(sizeof *c);
    c->sql = mem_strdup(sql);
    c->nparams = nparams;
    c->values = mem_alloc((size_t)(nparams ? nparams : 1) * sizeof *c->values);
    c->lengths = mem_alloc((size_t)(nparams ? nparams : 1) * sizeof *c->lengths);
    c->formats = mem_alloc((size_t)(nparams ? nparams : 1) * sizeof *c->formats);
    for (int i = 0; i < nparams; i++) {
        int len = lengths ? lengths[i] : 0;
        c->values[i] = copy_param(values[i], len, flags & DB_SECRET);
        c->lengths[i] = len;
        c->formats[i] = len ? 1 : 0;
    }
    c->flags = flags;
    c->done = done;
    c->ud = ud;
    c->owner = owner;
    if ((flags & DB_REPLICA) && db->replica && db->replica->state == DB_READY &&
        db_now_ms() >= db->pin_until_ms)
        db = db->replica;
    if (db->tail)
        db->tail->next = c;
    else
        db->head = c;
    db->tail = c;
    return 0;
}

void db_cancel(struct db *db, const void *owner)
{
    if (db->replica)
        db_cancel(db->replica, owner);
    struct call **pp = &db->head;
    db->tail = NULL;
    while (*pp) {
        struct call *c = *pp;
        if (c->owner == owner) {
            *pp = c->next;
            c->cancelled = true;
            deliver(c, DB_CANCELLED, NULL, NULL, NULL);
            db_call_free(c);
        } else {
            db->tail = c;
            pp = &c->next;
        }
    }
    struct call *c = db->inflight;
    if (!c || c->owner != owner || c->cancelled)
        return;
    c->cancelled = true;
    start_cancel(db);
}

enum db_state db_state(const struct db *db) { return db->state; }

bool db_busy(const struct db *db)
{
    return db->inflight || db->head || (db->replica && db_busy(db->replica));
}

const char *db_state_text(const struct db *db, long long now_ms)
{
    struct db *m = (struct db *)db;
    switch (db->state) {
    case DB_READY:
        return "";
    case DB_CONNECTING:
        if (!db->ever_connected && db->attempt == 0)
            return "Connecting to the database...";
        snprintf(m->text, sizeof m->text, "Reconnecting to the database (attempt %d)...",
                 db->attempt + 1);
        return m->text;
    case DB_WAITING: {
        long long s = (db->retry_at_ms - now_ms + 999) / 1000;
        snprintf(m->text, sizeof m->text, "%s: retrying in %lld s",
                 db->ever_connected ? "Database connection lost" : "Cannot reach the database",
                 s < 0 ? 0 : s);
        return m->text;
    }
    case DB_REFUSED:
        return db->error;
    }
    return "";
}

bool db_trouble(const struct db *db)
{
    if (db->state == DB_CONNECTING)
        return db->ever_connected || db->attempt > 0;
    return db->state != DB_READY;
}

const char *db_next_notify(struct db *db)
{
    if (db->nnotify == 0)
        return NULL;
    snprintf(db->notify_out, sizeof db->notify_out, "%s", db->notify[0]);
    memmove(db->notify[0], db->notify[1], (size_t)(db->nnotify - 1) * sizeof db->notify[0]);
    db->nnotify--;
    return db->notify_out;
}

int db_drain(struct db *db, int timeout_ms)
{
    long long deadline = db_now_ms() + timeout_ms;
    /* Calls queued since the last service are sent from db_service(). */
    db_service(db, 0, db_now_ms());
    while (db->state != DB_READY || db_busy(db)) {
        long long now = db_now_ms();
        /* A subcommand has nobody to wait for a reconnect: a connection
         * that failed or dropped is the end of it. */
        if (db->state == DB_WAITING || db->state == DB_REFUSED || now >= deadline)
            return -1;
        short events = 0;
        struct pollfd p = { .fd = db_pollfd(db, &events), .events = events };
        int t = db_timeout_ms(db, now);
        int left = (int)(deadline - now);
        if (t < 0 || t > left)
            t = left;
        int n = poll(&p, p.fd >= 0 ? 1 : 0, t);
        db_service(db, n > 0 ? p.revents : 0, db_now_ms());
    }
    return 0;
}

const char *db_error_text(const struct db *db)
{
    return db->error;
}

/* For client/db_copy.c: the connection, when it is up and no call is
 * queued or under way (a blocking COPY must have it to itself). */
PGconn *db_conn_idle(struct db *db)
{
    return db->state == DB_READY && db->conn && !db_busy(db) ? db->conn : NULL;
}

void db_conn_lost(struct db *db, const char *why)
{
    lost(db, why);
}
