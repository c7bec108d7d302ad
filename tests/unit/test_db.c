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

/* PQcancel is a blocking exchange with the postmaster.  With the postmaster
 * stopped (SIGSTOP: its socket still accepts, nobody answers) it would
 * hang db_cancel, and with it the TUI, until the postmaster continues; the
 * child below continues it after a second in any case, so a blocking
 * db_cancel fails the test rather than hanging it. */
static void cancel_in_flight_does_not_block(void **state)
{
    (void)state;
    struct config cfg;
    struct db *db = getenv("LUMEN_TEST_PGDIR") ? cluster_open(&cfg) : NULL;
    if (!db)
        skip();
    int screen_a, screen_b;
    struct seen a = { 0 }, b = { 0 };
    assert_int_equal(db_call(db, "SELECT pg_sleep(30)", 0, NULL, NULL, 0, done, &a, &screen_a), 0);
    assert_int_equal(db_call(db, "SELECT 2", 0, NULL, NULL, 0, done, &b, &screen_b), 0);
    cluster_step(db, 50);                       /* pg_sleep is in flight */
    pid_t pm = postmaster_pid();
    pid_t guard = fork();
    assert_true(guard >= 0);
    if (guard == 0) {
        usleep(1000 * 1000);
        kill(pm, SIGCONT);
        _exit(0);
    }
    assert_int_equal(kill(pm, SIGSTOP), 0);
    long long t0 = db_now_ms();
    db_cancel(db, &screen_a);
    long long took = db_now_ms() - t0;
    for (int i = 0; i < 4; i++)                 /* the loop goes on */
        cluster_step(db, 50);
    int answered_while_stopped = a.calls + b.calls;
    kill(pm, SIGCONT);
    kill(guard, SIGKILL);
    waitpid(guard, NULL, 0);
    if (took >= 100)
        fail_msg("db_cancel blocked for %lld ms", took);
    assert_int_equal(answered_while_stopped, 0);
    long long t1 = db_now_ms();
    assert_int_equal(db_drain(db, 10000), 0);
    assert_true(db_now_ms() - t1 < 5000);       /* not the 30 s of pg_sleep */
    assert_int_equal(a.calls, 1);
    assert_int_equal(a.outcome[0], DB_CANCELLED);
    assert_int_equal(b.calls, 1);               /* another owner's call runs */
    assert_int_equal(b.outcome[0], DB_OK);
    db_close(&db);
    config_free(&cfg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(close_answers_every_queued_call),
        cmocka_unit_test(cancel_leaves_other_owners_alone),
        cmocka_unit_test(cancel_in_flight_does_not_block),
    };
    return unit_run(tests);
}
