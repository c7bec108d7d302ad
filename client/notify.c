/* notify: the loop of lumen notify.  Contract in notify.h. */
#include "client/notify.h"
#include "client/notify_time.h"
#include "client/jsonout.h"
#include "client/mem.h"
#include "client/notify_db.h"
#include "client/notify_http.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* How long a stopping lumen notify waits for the database to come back
 * to hear the outcomes it holds, and how long --once does. */
#define NOTIFY_REPORT_GRACE_S 20
/* --once gives up when the database was reached but keeps failing its
 * calls (each failure drops and remakes the connection): after this many
 * connections, a run for cron must end, not retry for ever. */
#define NOTIFY_ONCE_MAX_CONNECTIONS 4
/* The shortest wait between two claims that found nothing while
 * notify.next_due says a row is due (one held by another deliverer in
 * the middle of its claim): no spinning. */
#define NOTIFY_MIN_WAIT_MS 250
/* How often notify.checkpoints() is called (the database writes a
 * practice's audit checkpoint once a day; the loop wakes at least every
 * 30 s, so "an hour" is to within that). */
#define NOTIFY_CHECKPOINT_EVERY_S 3600

/* ---- the config ------------------------------------------------------- */

static bool printable_utf8(const char *s)
{
    for (const char *p = s; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            return false;
    return json_utf8_ok(s, strlen(s));
}

int notify_config_check(const struct config *cfg, char *err, size_t errlen)
{
    const char *api = cfg->notify.email_api, *key = cfg->notify.email_key,
               *from = cfg->notify.email_from;
    char why[NOTIFY_ERR_MAX];
    if (!api) {
        if (key || from) {
            snprintf(err, errlen, "%s: [notify] %s is set but email_api is not: set email_api "
                     "(the provider's send endpoint) too, or remove it", cfg->path,
                     key ? "email_key" : "email_from");
            return -1;
        }
        return 0;
    }
    if (notify_http_email_api_check(api, cfg->notify.allow_private, why, sizeof why) != 0) {
        snprintf(err, errlen, "%s: %s", cfg->path, why);
        return -1;
    }
    if (!key || !from) {
        snprintf(err, errlen, "%s: [notify] email_api is set but %s is not", cfg->path,
                 !key ? "email_key (the provider's bearer key)" : "email_from (the From address)");
        return -1;
    }
    /* The key goes in a header line: nothing that could end it. */
    for (const char *p = key; *p; p++)
        if (*p <= 0x20 || *p >= 0x7f) {
            snprintf(err, errlen, "%s: [notify] email_key has a space or a character outside "
                     "printable ASCII; it cannot go in an HTTP header", cfg->path);
            return -1;
        }
    if (!printable_utf8(from)) {
        snprintf(err, errlen, "%s: [notify] email_from is not printable UTF-8", cfg->path);
        return -1;
    }
    return 0;
}

/* ---- the loop's state ------------------------------------------------- */

struct loop {
    const struct config *cfg;
    FILE *log;
    bool once;
    bool email;                     /* email_api set: email rows are claimed */
    struct notify_http *http;
    struct notify_db *db;
    int sig[2];                     /* the signal pipe */
    int signals;                    /* signals seen */
    bool stopping;
    enum notify_db_state was;       /* for the log's "connected"/"lost" lines */

    struct notify_outcome *pending; /* outcomes the database has not heard */
    size_t npending, cap;

    bool want_claim;                /* claim as soon as there is room */
    bool want_next_due;
    bool drained;                   /* the last claim got all that was due */
    struct timespec next_claim;     /* claim by then at the latest */
    struct timespec next_checkpoint; /* notify.checkpoints() from then on */
    struct timespec give_up;        /* stopping or --once: the database's last chance */
    bool give_up_set;
};

static volatile sig_atomic_t signal_count;
static int signal_fd = -1;

static void on_signal(int sig)
{
    (void)sig;
    int saved = errno;
    signal_count++;
    if (signal_fd >= 0) {
        ssize_t w = write(signal_fd, "", 1);
        (void)w;
    }
    errno = saved;
}

/* ---- the log ---------------------------------------------------------- */

static void stamp(char *out, size_t outlen, time_t t)
{
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, outlen, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void say(struct loop *L, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(struct loop *L, const char *fmt, ...)
{
    char t[32], msg[1024];
    stamp(t, sizeof t, time(NULL));
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    /* Database and curl text may hold anything: one printable line. */
    for (char *p = msg; *p; p++)
        if (*p == '\t' || *p == '\n')
            *p = ' ';
        else if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f)
            *p = '?';
    fprintf(L->log, "%s lumen notify: %s\n", t, msg);
    fflush(L->log);
}

static const char *verdict_text(const char *v)
{
    if (strcmp(v, "delivered") == 0)
        return "delivered";
    if (strcmp(v, "gone") == 0)
        return "disabled (the endpoint answered 410 Gone; the Owner is told)";
    if (strcmp(v, "retry") == 0)
        return "retry";
    if (strcmp(v, "failed") == 0)
        return "failed (that was the last attempt; the Owner is told)";
    if (strcmp(v, "lost") == 0)
        return "lost (its claim had lapsed; it goes out again)";
    return "not recorded (the database did not come back; it goes out again)";
}

/* The one line of an attempt: never a path, query, key, recipient or body. */
static void log_attempt(struct loop *L, const struct notify_outcome *o, const char *verdict)
{
    char t[32], result[NOTIFY_ERR_MAX];
    stamp(t, sizeof t, o->at);
    if (o->error[0])
        snprintf(result, sizeof result, "%s", o->error);
    else
        snprintf(result, sizeof result, "HTTP %d", o->status);
    fprintf(L->log, "%s %s %s %s %s attempt %d: %s -> %s\n", t, o->message_id, o->kind,
            o->channel == NOTIFY_CH_WEBHOOK ? "webhook" : "email", o->host[0] ? o->host : "-",
            o->attempt, result, verdict_text(verdict));
    fflush(L->log);
}

/* The database is away: why, what waits for it, and when it is tried. */
static void say_down(struct loop *L, const char *what)
{
    long ms = notify_db_backoff_ms(L->db);
    if (L->once && notify_db_connections(L->db) == 0) {
        say(L, "%s: %s", what, notify_db_error(L->db));     /* and --once ends */
        return;
    }
    say(L, "%s: %s; %d outcome%s held, %d deliver%s under way; trying again in %ld s", what,
        notify_db_error(L->db), (int)L->npending, L->npending == 1 ? "" : "s",
        notify_http_busy(L->http), notify_http_busy(L->http) == 1 ? "y" : "ies", (ms + 999) / 1000);
}

/* Says what changed in the connection since the last look. */
static void db_transitions(struct loop *L)
{
    enum notify_db_state now = notify_db_state(L->db);
    if (now == L->was)
        return;
    if (now == NOTIFY_DB_UP) {
        if (notify_db_listens(L->db))
            say(L, "connected as %s; woken by LISTEN %s", L->cfg->notify.user, NOTIFY_DB_CHANNEL);
        else
            say(L, "connected as %s; looking every %d s ([database] pooler = transaction)",
                L->cfg->notify.user, NOTIFY_POOLER_POLL_S);
        L->want_claim = L->want_next_due = true;
        L->give_up_set = false;
    } else if (now == NOTIFY_DB_DOWN) {
        say_down(L, L->was == NOTIFY_DB_UP ? "lost the database" : "cannot connect");
    }
    L->was = now;
}

/* ---- outcomes, claims ------------------------------------------------- */

/* Finished attempts, from the transfers to the pending list. */
static void collect(struct loop *L)
{
    struct notify_outcome o;
    while (notify_http_take(L->http, &o)) {
        if (L->npending == L->cap) {
            L->cap = L->cap ? L->cap * 2 : 16;
            L->pending = mem_realloc(L->pending, L->cap * sizeof *L->pending);
        }
        L->pending[L->npending++] = o;
        /* Room came free, and a retry may now be the next row due. */
        L->want_claim = L->want_next_due = true;
        L->drained = false;
    }
}

/* Tells the database every pending outcome, in order, while it answers. */
static void report(struct loop *L)
{
    size_t done = 0;
    while (done < L->npending && notify_db_state(L->db) == NOTIFY_DB_UP) {
        /* A copy: the wait inside the call collects, which may move the
         * array. */
        struct notify_outcome o = L->pending[done];
        const char *verdict;
        if (notify_db_report(L->db, &o, &verdict) != 0)
            break;
        log_attempt(L, &o, verdict);
        done++;
    }
    if (done) {
        memmove(L->pending, L->pending + done, (L->npending - done) * sizeof *L->pending);
        L->npending -= done;
    }
    db_transitions(L);
}

/* The daily audit checkpoints: notify.checkpoints() at the start (before
 * the first claim, --once too) and then every hour; what it writes is
 * claimed at once. */
static void checkpoints(struct loop *L)
{
    if (L->stopping || notify_db_state(L->db) != NOTIFY_DB_UP || notify_ms_until(&L->next_checkpoint) > 0)
        return;
    int n;
    if (notify_db_checkpoints(L->db, &n) != 0) {
        db_transitions(L);          /* due still: tried again once it is back */
        return;
    }
    notify_deadline(&L->next_checkpoint, NOTIFY_CHECKPOINT_EVERY_S * 1000L);
    if (n > 0) {
        say(L, "audit checkpoint written for %d practice%s", n, n == 1 ? "" : "s");
        L->want_claim = true;
        L->drained = false;
    }
}

/* Claims while there is room and rows are due. */
static void claim(struct loop *L)
{
    while (notify_db_state(L->db) == NOTIFY_DB_UP && !L->stopping &&
           (L->want_claim || notify_ms_until(&L->next_claim) == 0)) {
        int room = notify_http_room(L->http);
        if (room == 0)
            return;                 /* want_claim stays: claim when room frees */
        int limit = room > 100 ? 100 : room;
        struct notify_msg *msgs;
        size_t n;
        if (notify_db_claim(L->db, limit, L->email, NOTIFY_LEASE_S, &msgs, &n) != 0)
            break;
        for (size_t i = 0; i < n; i++)
            notify_http_add(L->http, &msgs[i]);
        free(msgs);
        collect(L);                 /* a message refused before it started */
        if ((int)n < limit) {
            L->want_claim = false;
            L->drained = true;
            L->want_next_due = true;
            break;
        }
    }
    db_transitions(L);
}

/* When to claim next: when a row is due (notify.next_due), and at least
 * every 30 s (2 s behind a transaction pooler, where no NOTIFY comes). */
static void plan_next_claim(struct loop *L)
{
    if (!L->want_next_due || notify_db_state(L->db) != NOTIFY_DB_UP)
        return;
    double s;
    if (notify_db_next_due(L->db, L->email, &s) != 0) {
        db_transitions(L);
        return;
    }
    L->want_next_due = false;
    long poll_ms = (notify_db_listens(L->db) ? NOTIFY_IDLE_POLL_S : NOTIFY_POOLER_POLL_S) * 1000L;
    long ms = s < 0 ? poll_ms : (long)(s * 1000) + 1;
    if (ms > poll_ms)
        ms = poll_ms;
    if (ms < NOTIFY_MIN_WAIT_MS)
        ms = NOTIFY_MIN_WAIT_MS;
    notify_deadline(&L->next_claim, ms);
}

/* ---- waiting ---------------------------------------------------------- */

static void read_signals(struct loop *L)
{
    char buf[16];
    while (read(L->sig[0], buf, sizeof buf) > 0)
        ;
    int n = signal_count;
    if (n == L->signals)
        return;
    L->signals = n;
    if (!L->stopping) {
        L->stopping = true;
        say(L, "stopping: nothing more is claimed; finishing %d deliver%s under way",
            notify_http_busy(L->http), notify_http_busy(L->http) == 1 ? "y" : "ies");
    }
}

/* notify_db's wait hook: the database's socket with the transfers. */
static int wait_db(void *ud, int fd, short events, int timeout_ms)
{
    struct loop *L = ud;
    struct pollfd p[2] = { { .fd = fd, .events = events }, { .fd = L->sig[0], .events = POLLIN } };
    if (notify_http_poll(L->http, p, 2, timeout_ms) != 0)
        return -1;
    if (p[1].revents)
        read_signals(L);
    /* A transfer that ended during the call: its outcome is the loop's
     * now, or the wait after the call would sleep on it. */
    collect(L);
    return p[0].revents;
}

static int wait_timeout(struct loop *L)
{
    long t = NOTIFY_IDLE_POLL_S * 1000L;
    enum notify_db_state st = notify_db_state(L->db);
    if (st == NOTIFY_DB_DOWN) {
        long b = notify_db_backoff_ms(L->db);
        if (b < t)
            t = b;
    } else if (st == NOTIFY_DB_CONNECTING && t > 500) {
        t = 500;                    /* its connect_timeout is checked between waits */
    } else if (st == NOTIFY_DB_UP && !L->stopping && notify_http_room(L->http) > 0) {
        /* With no room, a claim waits for a transfer to end (which wakes
         * the poll), not for the clock. */
        long c = notify_ms_until(&L->next_claim);
        if (c < t)
            t = c;
        if (L->want_claim)
            t = 0;
    }
    /* Outcomes to tell (a message refused before it started, one that
     * ended during a call): at once. */
    if (st == NOTIFY_DB_UP && L->npending > 0)
        t = 0;
    if (L->give_up_set) {
        long g = notify_ms_until(&L->give_up);
        if (g < t)
            t = g;
    }
    return (int)(t < 0 ? 0 : t);
}

/* Whether the loop is done; *RC set when it is. */
static bool finished(struct loop *L, int *rc)
{
    bool idle = notify_http_busy(L->http) == 0;
    bool up = notify_db_state(L->db) == NOTIFY_DB_UP;
    if (L->signals >= 2) {
        say(L, "a second signal: leaving %d deliver%s unfinished (their claims lapse and they "
            "go out again)", notify_http_busy(L->http), notify_http_busy(L->http) == 1 ? "y" : "ies");
        *rc = 0;
        return true;
    }
    if (L->once && notify_db_connections(L->db) == 0 &&
        notify_db_state(L->db) == NOTIFY_DB_DOWN && notify_db_error(L->db)[0]) {
        *rc = 1;                    /* never reached (db_transitions said why) */
        return true;
    }
    if (L->once && idle && notify_db_state(L->db) == NOTIFY_DB_DOWN &&
        notify_db_connections(L->db) >= NOTIFY_ONCE_MAX_CONNECTIONS) {
        say(L, "giving up after %d connections that each failed: %s (what was claimed goes "
            "out again once its claim lapses)", notify_db_connections(L->db), notify_db_error(L->db));
        *rc = 1;
        return true;
    }
    if (!idle || !(L->stopping || L->once))
        return false;
    if (up) {
        /* Stopping: once every outcome is told.  --once: also once a
         * claim after the last outcome found nothing more due. */
        if (L->npending > 0 || (!L->stopping && !L->drained))
            return false;
        *rc = 0;
        return true;
    }
    if (L->stopping && L->npending == 0) {
        *rc = 0;
        return true;
    }
    /* Outcomes held (or, --once, work left) and no database: it has a
     * while to come back. */
    if (!L->give_up_set) {
        notify_deadline(&L->give_up, NOTIFY_REPORT_GRACE_S * 1000L);
        L->give_up_set = true;
        return false;
    }
    if (notify_ms_until(&L->give_up) > 0)
        return false;
    say(L, "the database did not come back in %d s; giving up", NOTIFY_REPORT_GRACE_S);
    *rc = L->stopping ? 0 : 1;
    return true;
}

/* ---- the run ---------------------------------------------------------- */

static int pipe_nonblocking(int p[2])
{
    if (pipe(p) != 0)
        return -1;
    for (int i = 0; i < 2; i++) {
        int fl = fcntl(p[i], F_GETFL);
        if (fl < 0 || fcntl(p[i], F_SETFL, fl | O_NONBLOCK) != 0 ||
            fcntl(p[i], F_SETFD, FD_CLOEXEC) != 0)
            return -1;
    }
    return 0;
}

static void handle_signals(struct loop *L)
{
    signal_fd = L->sig[1];
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    /* A receiver that hangs up mid-request must not kill the process. */
    sa.sa_handler = SIG_IGN;
    sigaction(SIGPIPE, &sa, NULL);
}

static void run_loop(struct loop *L, int *rc)
{
    for (;;) {
        read_signals(L);
        enum notify_db_state st = notify_db_state(L->db);
        bool need_db = !L->stopping || L->npending > 0;
        if (st == NOTIFY_DB_DOWN && need_db && notify_db_backoff_ms(L->db) == 0) {
            if (notify_db_connect(L->db) != 0)
                say_down(L, "cannot connect");
            db_transitions(L);
        }
        if (notify_db_state(L->db) == NOTIFY_DB_UP) {
            if (notify_db_woken(L->db))
                L->want_claim = true;
            report(L);
            checkpoints(L);
            claim(L);
            plan_next_claim(L);
        }
        if (finished(L, rc))
            return;
        short ev = 0;
        int dbfd = notify_db_pollfd(L->db, &ev);
        struct pollfd p[2] = { { .fd = L->sig[0], .events = POLLIN },
                               { .fd = dbfd, .events = ev } };
        unsigned n = dbfd >= 0 && ev ? 2 : 1;
        if (notify_http_poll(L->http, p, n, wait_timeout(L)) != 0) {
            say(L, "libcurl failed; stopping");
            *rc = 1;
            return;
        }
        if (n == 2 || notify_db_state(L->db) == NOTIFY_DB_CONNECTING)
            notify_db_after_poll(L->db, n == 2 ? p[1].revents : 0);
        db_transitions(L);
        collect(L);
    }
}

int notify_run(const struct config *cfg, bool once, FILE *log)
{
    char err[1024];
    if (notify_config_check(cfg, err, sizeof err) != 0) {
        fprintf(log, "lumen: %s\n", err);
        return 1;
    }
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        fprintf(log, "lumen: cannot start libcurl\n");
        return 1;
    }
    struct loop L = { .cfg = cfg, .log = log, .once = once, .email = cfg->notify.email_api != NULL,
                      .sig = { -1, -1 }, .was = NOTIFY_DB_DOWN, .want_claim = true };
    int rc = 1;
    struct notify_http_opts ho = { .allow_private = cfg->notify.allow_private,
                                   .concurrency = cfg->notify.concurrency,
                                   .email_api = cfg->notify.email_api,
                                   .email_key = cfg->notify.email_key,
                                   .email_from = cfg->notify.email_from };
    if (pipe_nonblocking(L.sig) != 0) {
        fprintf(log, "lumen: cannot make a pipe: %s\n", strerror(errno));
    } else if (!(L.http = notify_http_new(&ho, err, sizeof err))) {
        fprintf(log, "lumen: %s\n", err);
    } else {
        handle_signals(&L);
        L.db = notify_db_new(cfg, wait_db, &L);
        clock_gettime(CLOCK_MONOTONIC, &L.next_claim);
        L.next_checkpoint = L.next_claim;
        say(&L, "started%s: %d at once, %s%s", once ? " (--once)" : "", cfg->notify.concurrency,
            L.email ? "webhooks and email" : "webhooks only (no [notify] email_api)",
            cfg->notify.allow_private ? "; allow_private = yes: private addresses and http allowed" : "");
        rc = 0;
        run_loop(&L, &rc);
        for (size_t i = 0; i < L.npending; i++)
            log_attempt(&L, &L.pending[i], "not recorded");
    }
    signal(SIGTERM, SIG_DFL);
    signal(SIGINT, SIG_DFL);
    signal_fd = -1;
    notify_db_free(&L.db);
    notify_http_free(&L.http);
    free(L.pending);
    for (int i = 0; i < 2; i++)
        if (L.sig[i] >= 0)
            close(L.sig[i]);
    curl_global_cleanup();
    return rc;
}
