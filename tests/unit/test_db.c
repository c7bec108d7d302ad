/* client/db.c.  Without a server: db_close keeps db.h's promise that every
 * call is answered once, so that what a wrapper allocated for the call is
 * freed (issue 6, bug 3: a sign-out queued while the database was down
 * leaked at exit), and db_cancel cancels its owner's calls only.  On the
 * test cluster: cancelling a call in flight does not block the loop. */
#include "tests/unit/cluster.h"
#include "client/db.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

struct seen {
    int calls;
    enum db_outcome outcome[4];
    struct db *db;
    int requeued;
};

static void done(void *ud, const struct db_reply *r)
{
    struct seen *s = ud;
    if (s->calls < 4)
        s->outcome[s->calls] = r->outcome;
    s->calls++;
    /* A callback that asks again while the db closes is refused. */
    if (s->db)
        s->requeued += db_call(s->db, "SELECT 1", 0, NULL, NULL, 0, done, s, NULL) == 0;
}

/* A socket folder with no server: the calls stay queued. */
static struct db *open_offline(struct config *cfg)
{
    char err[CONFIG_ERR_MAX];
    assert_int_equal(config_load_string("t.conf", "[database]\nhost = /nonexistent-lumen\n"
                                        "dbname = x\nuser = x\n", cfg, err, sizeof err), 0);
    return db_open(cfg);
}

static void close_answers_every_queued_call(void **state)
{
    (void)state;
    struct config cfg;
    struct db *db = open_offline(&cfg);
    struct seen s = { 0 };
    const char *secret[1] = { "token" };
    assert_int_equal(db_call(db, "SELECT api.logout($1)", 1, secret, NULL, DB_SECRET, done, &s,
                             NULL), 0);
    assert_int_equal(db_call(db, "SELECT 2", 0, NULL, NULL, DB_RETRY, done, &s, &s), 0);
    assert_int_equal(db_call(db, "SELECT 3", 0, NULL, NULL, 0, done, &s, NULL), 0);
    assert_true(db_busy(db));
    assert_int_equal(s.calls, 0);
    s.db = db;
    db_close(&db);
    assert_null(db);
    assert_int_equal(s.calls, 3);
    for (int i = 0; i < 3; i++)
        assert_int_equal(s.outcome[i], DB_CANCELLED);
    assert_int_equal(s.requeued, 0);
    config_free(&cfg);
}

/* Leaving a screen cancels its calls, not everyone's (issue 6). */
static void cancel_leaves_other_owners_alone(void **state)
{
    (void)state;
    struct config cfg;
    struct db *db = open_offline(&cfg);
    int screen_a, screen_b;
    struct seen a = { 0 }, b = { 0 };
    assert_int_equal(db_call(db, "SELECT 1", 0, NULL, NULL, DB_RETRY, done, &a, &screen_a), 0);
    assert_int_equal(db_call(db, "SELECT 2", 0, NULL, NULL, DB_RETRY, done, &b, &screen_b), 0);
    assert_int_equal(db_call(db, "SELECT 3", 0, NULL, NULL, DB_RETRY, done, &a, &screen_a), 0);
    db_cancel(db, &screen_a);
    assert_int_equal(a.calls, 2);
    assert_int_equal(a.outcome[0], DB_CANCELLED);
    assert_int_equal(a.outcome[1], DB_CANCELLED);
    assert_int_equal(b.calls, 0);
    assert_true(db_busy(db));
    /* The queue is still whole: a call made now goes after B's. */
    assert_int_equal(db_call(db, "SELECT 4", 0, NULL, NULL, DB_RETRY, done, &a, &screen_a), 0);
    db_cancel(db, &screen_b);
    assert_int_equal(b.calls, 1);
    assert_int_equal(a.calls, 2);
    db_close(&db);
    assert_int_equal(a.calls, 3);
    config_free(&cfg);
}

static pid_t postmaster_pid(void)
{
    char path[512];
    snprintf(path, sizeof path, "%s/data/postmaster.pid", getenv("LUMEN_TEST_PGDIR"));
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    int pid = 0;
    assert_int_equal(fscanf(f, "%d", &pid), 1);
    fclose(f);
    return (pid_t)pid;
}

/* Stops the postmaster (SIGSTOP: its socket still accepts, nobody
 * answers; the backends run on) for at most a second: a child continues
 * it then in any case, so that code that blocks on it fails a test rather
 * than hanging it.  Returns the child, for postmaster_continue(). */
static pid_t postmaster_stop(pid_t pm)
{
    pid_t guard = fork();
    assert_true(guard >= 0);
    if (guard == 0) {
        usleep(1000 * 1000);
        kill(pm, SIGCONT);
        _exit(0);
    }
    assert_int_equal(kill(pm, SIGSTOP), 0);
    return guard;
}

static void postmaster_continue(pid_t pm, pid_t guard)
{
    kill(pm, SIGCONT);
    kill(guard, SIGKILL);
    waitpid(guard, NULL, 0);
}

/* A call of screen A in flight (SLEEP_SQL), one of screen B queued behind
 * it, the postmaster stopped, then A cancelled: how long db_cancel took,
 * or -1 (skip) without a cluster. */
struct cancel_fx {
    struct config cfg;
    struct db *db;
    int screen_a, screen_b;
    struct seen a, b;
    pid_t pm, guard;
};

static long long cancel_with_postmaster_stopped(struct cancel_fx *f, const char *sleep_sql)
{
    memset(f, 0, sizeof *f);
    f->db = getenv("LUMEN_TEST_PGDIR") ? cluster_open(&f->cfg) : NULL;
    if (!f->db)
        return -1;
    assert_int_equal(db_call(f->db, sleep_sql, 0, NULL, NULL, 0, done, &f->a, &f->screen_a), 0);
    assert_int_equal(db_call(f->db, "SELECT 2", 0, NULL, NULL, 0, done, &f->b, &f->screen_b), 0);
    cluster_step(f->db, 50);                    /* the sleep is in flight */
    f->pm = postmaster_pid();
    f->guard = postmaster_stop(f->pm);
    long long t0 = db_now_ms();
    db_cancel(f->db, &f->screen_a);
    return db_now_ms() - t0;
}

/* Once the postmaster continues: A was answered cancelled, B runs. */
static void cancel_fx_finish(struct cancel_fx *f)
{
    long long t1 = db_now_ms();
    assert_int_equal(db_drain(f->db, 10000), 0);
    assert_true(db_now_ms() - t1 < 5000);       /* not the 30 s of pg_sleep */
    assert_int_equal(f->a.calls, 1);
    assert_int_equal(f->a.outcome[0], DB_CANCELLED);
    assert_int_equal(f->b.calls, 1);            /* another owner's call runs */
    assert_int_equal(f->b.outcome[0], DB_OK);
    db_close(&f->db);
    config_free(&f->cfg);
}

/* PQcancel is a blocking exchange with the postmaster: with the postmaster
 * stopped it would hang db_cancel, and with it the TUI. */
static void cancel_in_flight_does_not_block(void **state)
{
    (void)state;
    struct cancel_fx f;
    long long took = cancel_with_postmaster_stopped(&f, "SELECT pg_sleep(30)");
    if (took < 0)
        skip();
    for (int i = 0; i < 4; i++)                 /* the loop goes on */
        cluster_step(f.db, 50);
    int answered_while_stopped = f.a.calls + f.b.calls;
    postmaster_continue(f.pm, f.guard);
    if (took >= 100)
        fail_msg("db_cancel blocked for %lld ms", took);
    assert_int_equal(answered_while_stopped, 0);
    cancel_fx_finish(&f);
}

/* The next call waits until the cancel request has reached the server:
 * were it sent first, the late request could cancel it instead. */
static void next_call_waits_for_the_cancel_request(void **state)
{
    (void)state;
    struct cancel_fx f;
    if (cancel_with_postmaster_stopped(&f, "SELECT pg_sleep(0.2)") < 0)
        skip();
    /* The sleep ends by itself; its answer says cancelled, as asked.  B
     * waits while the cancel request is stuck at the stopped postmaster. */
    long long end = db_now_ms() + 600;
    while (db_now_ms() < end)
        cluster_step(f.db, 50);
    int a_calls = f.a.calls, b_calls = f.b.calls;
    postmaster_continue(f.pm, f.guard);
    assert_int_equal(a_calls, 1);
    assert_int_equal(b_calls, 0);
    cancel_fx_finish(&f);
}

/* ------------------------------------------------------------ LISTEN */

struct pid_answer {
    bool done;
    char text[32];
};

static void got_text(void *ud, const struct db_reply *r)
{
    struct pid_answer *a = ud;
    a->done = true;
    if (r->outcome == DB_OK && PQntuples(r->res) == 1)
        snprintf(a->text, sizeof a->text, "%s", PQgetvalue(r->res, 0, 0));
    else
        snprintf(a->text, sizeof a->text, "error %d", r->outcome);
}

/* One query's first value, through the loop. */
static const char *ask(struct db *db, const char *sql, struct pid_answer *a)
{
    memset(a, 0, sizeof *a);
    assert_int_equal(db_call(db, sql, 0, NULL, NULL, 0, got_text, a, NULL), 0);
    assert_int_equal(db_drain(db, 10000), 0);
    assert_true(a->done);
    return a->text;
}

/* Runs the loop until CHANNEL's notification arrives (true) or 5 s pass. */
static bool wait_notify(struct db *db, const char *channel)
{
    long long end = db_now_ms() + 5000;
    while (db_now_ms() < end) {
        const char *n;
        while ((n = db_next_notify(db)))
            if (strcmp(n, channel) == 0)
                return true;
        cluster_step(db, 50);
    }
    return false;
}

static bool wait_listening(struct db *db, unsigned connections)
{
    long long end = db_now_ms() + 10000;
    while (db_now_ms() < end && !(db_listens(db) && db_connections(db) >= connections))
        cluster_step(db, 50);
    return db_listens(db);
}

static void listen_survives_a_reconnect(void **state)
{
    (void)state;
    struct config cfg, cfg2;
    struct db *db = cluster_open(&cfg);
    if (!db)
        skip();
    struct db *other = cluster_open(&cfg2);
    struct pid_answer a;
    assert_false(db_listens(db));
    /* Names are checked: a quoted identifier of [a-z0-9_] only. */
    assert_int_equal(db_listen(db, "Bad"), -1);
    assert_int_equal(db_listen(db, "a\"; DROP"), -1);
    assert_int_equal(db_listen(db, ""), -1);
    char longname[80];
    memset(longname, 'a', 64);
    longname[64] = '\0';
    assert_int_equal(db_listen(db, longname), -1);
    longname[63] = '\0';
    assert_int_equal(db_listen(db, longname), 0);
    assert_int_equal(db_listen(db, "lumen_leads_test"), 0);
    assert_int_equal(db_listen(db, "lumen_leads_test"), 0);     /* once is enough */
    assert_true(wait_listening(db, 1));
    assert_string_equal(ask(db, "SELECT count(*) FROM pg_listening_channels()", &a), "2");
    ask(other, "NOTIFY lumen_leads_test", &a);
    assert_true(wait_notify(db, "lumen_leads_test"));

    /* The backend is killed: the loop reconnects and listens again. */
    char pid[32];
    snprintf(pid, sizeof pid, "%s", ask(db, "SELECT pg_backend_pid()", &a));
    char sql[96];
    snprintf(sql, sizeof sql, "SELECT pg_terminate_backend(%s)", pid);
    assert_string_equal(ask(other, sql, &a), "t");
    assert_true(wait_listening(db, 2));
    assert_int_equal(db_connections(db), 2);
    assert_string_not_equal(ask(db, "SELECT pg_backend_pid()", &a), pid);
    ask(other, "NOTIFY lumen_leads_test", &a);
    assert_true(wait_notify(db, "lumen_leads_test"));
    db_close(&db);
    db_close(&other);
    config_free(&cfg);
    config_free(&cfg2);
}

/* A new sign-in replaces the channels: the old ones no longer wake it. */
static void listen_set_replaces_the_channels(void **state)
{
    (void)state;
    struct config cfg, cfg2;
    struct db *db = cluster_open(&cfg);
    if (!db)
        skip();
    struct db *other = cluster_open(&cfg2);
    struct pid_answer a;
    const char *first[] = { "lumen_account_a", "lumen_leads_a" };
    const char *second[] = { "lumen_account_b" };
    const char *bad[] = { "lumen_account_c", "No" };
    assert_int_equal(db_listen_set(db, first, 2), 0);
    assert_true(wait_listening(db, 1));
    assert_string_equal(ask(db, "SELECT count(*) FROM pg_listening_channels()", &a), "2");
    assert_int_equal(db_listen_set(db, first, 2), 0);     /* the same set: no change */
    assert_int_equal(db_listen_set(db, bad, 2), -1);      /* refused whole */
    assert_string_equal(ask(db, "SELECT string_agg(c, ',' ORDER BY c) FROM "
                                "pg_listening_channels() c", &a),
                        "lumen_account_a,lumen_leads_a");
    assert_int_equal(db_listen_set(db, second, 1), 0);
    assert_string_equal(ask(db, "SELECT string_agg(c, ',' ORDER BY c) FROM "
                                "pg_listening_channels() c", &a),
                        "lumen_account_b");
    ask(other, "NOTIFY lumen_account_b", &a);
    assert_true(wait_notify(db, "lumen_account_b"));
    assert_int_equal(db_listen_set(db, NULL, 0), 0);
    assert_string_equal(ask(db, "SELECT count(*) FROM pg_listening_channels()", &a), "0");
    assert_false(db_listens(db));
    db_close(&db);
    db_close(&other);
    config_free(&cfg);
    config_free(&cfg2);
}

/* Behind a transaction pooler: no LISTEN is sent at all. */
static void no_listen_behind_a_transaction_pooler(void **state)
{
    (void)state;
    struct config cfg;
    struct db *db = cluster_open(&cfg);
    if (!db)
        skip();
    cfg.db.pooler = CONFIG_POOLER_TRANSACTION;
    struct pid_answer a;
    assert_int_equal(db_listen(db, "lumen_leads_test"), 0);
    assert_string_equal(ask(db, "SELECT count(*) FROM pg_listening_channels()", &a), "0");
    assert_false(db_listens(db));
    db_close(&db);
    config_free(&cfg);
}

/* COPY's text format, as db_copy_out hands rows to subcommands. */
static void copy_fields_decode(void **state)
{
    (void)state;
    char line[] = "1\t\\N\t\\N\tline1\\nline2\\t\\\\x\t\\101\\x41\\q\t\tNa";
    char *f[8];
    size_t n[8];
    assert_int_equal(db_copy_fields(line, strlen(line), f, n, 8), 7);
    assert_string_equal(f[0], "1");
    assert_null(f[1]);
    assert_null(f[2]);
    assert_string_equal(f[3], "line1\nline2\t\\x");
    assert_int_equal(n[3], 14);
    assert_string_equal(f[4], "AAq");
    assert_string_equal(f[5], "");
    assert_non_null(f[5]);
    assert_string_equal(f[6], "Na");
    /* \N as part of a longer field is not NULL. */
    char l2[] = "\\Nx\t\\N";
    assert_int_equal(db_copy_fields(l2, strlen(l2), f, n, 8), 2);
    assert_string_equal(f[0], "Nx");
    assert_null(f[1]);
    /* More fields than asked for. */
    char l3[] = "a\tb\tc";
    assert_int_equal(db_copy_fields(l3, strlen(l3), f, n, 2), -1);
    char l4[] = "";
    assert_int_equal(db_copy_fields(l4, 0, f, n, 2), 1);
    assert_string_equal(f[0], "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(copy_fields_decode),
        cmocka_unit_test(close_answers_every_queued_call),
        cmocka_unit_test(cancel_leaves_other_owners_alone),
        cmocka_unit_test(cancel_in_flight_does_not_block),
        cmocka_unit_test(next_call_waits_for_the_cancel_request),
        cmocka_unit_test(listen_survives_a_reconnect),
        cmocka_unit_test(listen_set_replaces_the_channels),
        cmocka_unit_test(no_listen_behind_a_transaction_pooler),
    };
    return unit_run(tests);
}
