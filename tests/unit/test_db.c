/* client/db.c without a server: db_close keeps db.h's promise that every
 * call is answered once, so that what a wrapper allocated for the call is
 * freed (issue 6, bug 3: a sign-out queued while the database was down
 * leaked at exit). */
#include "tests/unit/unit.h"
#include "client/db.h"

#include <string.h>

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

static void close_answers_every_queued_call(void **state)
{
    (void)state;
    struct config cfg;
    char err[CONFIG_ERR_MAX];
    /* A socket folder with no server: the calls stay queued. */
    assert_int_equal(config_load_string("t.conf", "[database]\nhost = /nonexistent-lumen\n"
                                        "dbname = x\nuser = x\n", &cfg, err, sizeof err), 0);
    struct db *db = db_open(&cfg);
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(close_answers_every_queued_call),
    };
    return unit_run(tests);
}
