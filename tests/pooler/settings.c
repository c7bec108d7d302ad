/* Behind PgBouncer in transaction mode (run by tests/pooler/settings.t
 * through tests/pooler/through.sh): a call sees the very session settings
 * a direct connection's call sees, even on a server connection that a
 * pool-mate (anyone with the same login role) has left with SETs of its
 * own; none of the client's settings leaks out to that pool-mate; an error
 * rolls the call's transaction back and frees the server connection; the
 * COPY of the exports has the settings too.
 *
 * The test's PgBouncer keeps one server connection per database and role,
 * so the pool-mate and the client take turns on the same one (checked by
 * pg_backend_pid()).  The database is one of the test's own, copied from
 * lumen_test. */
#include "tests/unit/cluster.h"
#include "client/conn.h"
#include "client/db.h"
#include "client/mem.h"

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char dbname[64];
static struct config direct_cfg, pooled_cfg;

/* The settings the client pins, and how a session shows each: the
 * transaction's own characteristics for the default_transaction_* ones. */
static const char *const shown[] = {
    "transaction_read_only", "transaction_isolation", "transaction_deferrable",
    "DateStyle", "IntervalStyle", "TimeZone", "bytea_output", "extra_float_digits",
    "standard_conforming_strings", "client_min_messages", "exit_on_error",
    "row_security", "transform_null_equals", "plpgsql.extra_errors", "search_path",
    "role", "statement_timeout", "lock_timeout", "idle_in_transaction_session_timeout",
};
#define NSHOWN (sizeof shown / sizeof shown[0])

/* What a pool-mate leaves on the server connection: a value other than the
 * client's for each setting above that a SET can change. */
static const char *const poison[] = {
    "SET default_transaction_read_only = on",
    "SET default_transaction_isolation = 'serializable'",
    "SET default_transaction_deferrable = on",
    "SET IntervalStyle = 'sql_standard'",
    "SET bytea_output = 'escape'",
    "SET extra_float_digits = 3",
    "SET client_min_messages = 'debug1'",
    "SET row_security = off",
    "SET transform_null_equals = on",
    "SET plpgsql.extra_errors = 'all'",
    "SET search_path = public",
    "SET ROLE lumen_api",
    "SET statement_timeout = '1h'",
    "SET lock_timeout = '1h'",
    "SET idle_in_transaction_session_timeout = '1h'",
    "SET exit_on_error = on",
};

/* SELECT current_setting(each), pg_backend_pid() */
static const char *settings_sql(void)
{
    static char sql[2048];
    size_t n = (size_t)snprintf(sql, sizeof sql, "SELECT ");
    for (size_t i = 0; i < NSHOWN; i++)
        n += (size_t)snprintf(sql + n, sizeof sql - n, "pg_catalog.current_setting('%s'), ",
                              shown[i]);
    snprintf(sql + n, sizeof sql - n, "pg_catalog.pg_backend_pid()");
    return sql;
}

struct answer {
    bool done;
    enum db_outcome outcome;
    char sqlstate[6];
    char values[NSHOWN + 1][128];
};

static void got(void *ud, const struct db_reply *r)
{
    struct answer *a = ud;
    a->done = true;
    a->outcome = r->outcome;
    memcpy(a->sqlstate, r->sqlstate, sizeof a->sqlstate);
    for (int i = 0; r->res && i < PQnfields(r->res) && i <= (int)NSHOWN; i++)
        snprintf(a->values[i], sizeof a->values[i], "%s", PQgetvalue(r->res, 0, i));
}

static void call(struct db *db, const char *sql, struct answer *a)
{
    memset(a, 0, sizeof *a);
    assert_int_equal(db_call(db, sql, 0, NULL, NULL, 0, got, a, NULL), 0);
    long long end = db_now_ms() + 10000;
    while (!a->done && db_now_ms() < end)
        cluster_step(db, 100);
    assert_true(a->done);
}

static struct db *open_db(struct config *cfg)
{
    struct db *db = db_open(cfg);
    long long end = db_now_ms() + 10000;
    while (db_state(db) != DB_READY && db_now_ms() < end)
        cluster_step(db, 100);
    if (db_state(db) != DB_READY)
        fail_msg("no connection: %s", db_error_text(db));
    return db;
}

/* A libpq connection through PgBouncer as the client role, outside Lumen:
 * the pool-mate. */
static PGconn *pool_mate(void)
{
    const char *keys[] = { "host", "port", "dbname", "user", NULL };
    const char *vals[] = { pooled_cfg.db.host, pooled_cfg.db.port, dbname, pooled_cfg.db.user, NULL };
    PGconn *c = PQconnectdbParams(keys, vals, 0);
    if (PQstatus(c) != CONNECTION_OK)
        fail_msg("pool-mate: %s", PQerrorMessage(c));
    return c;
}

/* One value (the first row's first column), or fails; within 5 s, so that
 * a server connection the client never gave back shows as a failure, not
 * a hang. */
static const char *mate_value(PGconn *c, const char *sql)
{
    static char out[128];
    assert_int_equal(PQsendQuery(c, sql), 1);
    long long end = db_now_ms() + 5000;
    while (PQisBusy(c)) {
        struct pollfd p = { .fd = PQsocket(c), .events = POLLIN };
        if (db_now_ms() >= end)
            fail_msg("the pool-mate waited 5 s for '%s': the server connection was not freed", sql);
        poll(&p, 1, 100);
        assert_int_equal(PQconsumeInput(c), 1);
    }
    out[0] = '\0';
    for (PGresult *r; (r = PQgetResult(c)); PQclear(r)) {
        ExecStatusType st = PQresultStatus(r);
        if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK)
            fail_msg("pool-mate: '%s': %s", sql, PQresultErrorMessage(r));
        if (st == PGRES_TUPLES_OK && PQntuples(r) > 0)
            snprintf(out, sizeof out, "%s", PQgetvalue(r, 0, 0));
    }
    return out;
}

static void poison_server_connection(PGconn *mate)
{
    for (size_t i = 0; i < sizeof poison / sizeof poison[0]; i++)
        mate_value(mate, poison[i]);
    /* Each was a transaction of its own: the pooler may have handed the
     * server connection to anyone between them; with one per pool it
     * did not, and they all stay on it. */
    assert_string_equal(mate_value(mate, "SHOW bytea_output"), "escape");
}

/* The settings a call sees through the pooler, on a poisoned server
 * connection, are those a direct connection's call sees. */
static void a_call_has_the_clients_settings(void **state)
{
    (void)state;
    struct db *direct = open_db(&direct_cfg);
    struct db *pooled = open_db(&pooled_cfg);
    PGconn *mate = pool_mate();
    char mate_pid[32];
    snprintf(mate_pid, sizeof mate_pid, "%s", mate_value(mate, "SELECT pg_backend_pid()"));
    poison_server_connection(mate);

    struct answer want, got_pooled;
    call(direct, settings_sql(), &want);
    assert_int_equal(want.outcome, DB_OK);
    call(pooled, settings_sql(), &got_pooled);
    if (got_pooled.outcome != DB_OK)
        fail_msg("the call through the pooler failed (%s)", got_pooled.sqlstate);
    for (size_t i = 0; i < NSHOWN; i++)
        if (strcmp(want.values[i], got_pooled.values[i]) != 0)
            fail_msg("%s: '%s' through the pooler, '%s' direct", shown[i],
                     got_pooled.values[i], want.values[i]);
    /* The same server connection as the pool-mate's: the test tested. */
    assert_string_equal(got_pooled.values[NSHOWN], mate_pid);
    assert_string_not_equal(want.values[NSHOWN], mate_pid);

    /* And nothing of the client's stays behind for the pool-mate. */
    assert_string_equal(mate_value(mate, "SHOW bytea_output"), "escape");
    assert_string_equal(mate_value(mate, "SHOW search_path"), "public");
    assert_string_equal(mate_value(mate, "SHOW statement_timeout"), "1h");
    assert_string_equal(mate_value(mate, "SELECT current_user"), "lumen_api");
    assert_string_equal(mate_value(mate, "SHOW transaction_isolation"), "serializable");
    assert_string_equal(mate_value(mate, "SHOW transaction_read_only"), "on");
    PQfinish(mate);
    db_close(&pooled);
    db_close(&direct);
}

/* A call that fails is rolled back at its Sync: the next one works, and
 * the pool-mate gets the server connection (with one per pool, a
 * transaction left open would keep it waiting). */
static void an_error_ends_the_transaction(void **state)
{
    (void)state;
    struct db *pooled = open_db(&pooled_cfg);
    PGconn *mate = pool_mate();
    struct answer a;
    call(pooled, "SELECT 1 / 0", &a);
    assert_int_equal(a.outcome, DB_ERROR);
    assert_string_equal(a.sqlstate, "22012");
    assert_string_equal(mate_value(mate, "SELECT 'free'"), "free");
    call(pooled, "SELECT pg_catalog.current_setting('search_path')", &a);
    assert_int_equal(a.outcome, DB_OK);
    assert_string_equal(a.values[0], "pg_catalog,pg_temp");
    /* The call's own writes are one transaction with it: a failure
     * after a write leaves nothing. */
    call(pooled, "SELECT pg_catalog.set_config('lumen.probe', 'x', false), 1 / 0", &a);
    assert_int_equal(a.outcome, DB_ERROR);
    assert_string_equal(mate_value(mate, "SELECT pg_catalog.current_setting('lumen.probe', true)"),
                        "");
    PQfinish(mate);
    db_close(&pooled);
}

struct copied {
    char line[2048];
};

static int on_row(void *ud, char *line, size_t len)
{
    struct copied *c = ud;
    snprintf(c->line, sizeof c->line, "%.*s", (int)len, line);
    return 0;
}

/* The exports' COPY (db_copy_out: its own BEGIN ... COMMIT) has the
 * settings as well. */
static void copy_has_the_clients_settings(void **state)
{
    (void)state;
    struct db *direct = open_db(&direct_cfg);
    struct db *pooled = open_db(&pooled_cfg);
    PGconn *mate = pool_mate();
    poison_server_connection(mate);
    char copy_sql[2200], err[256], sqlstate[6];
    snprintf(copy_sql, sizeof copy_sql, "COPY (%s) TO STDOUT", settings_sql());
    struct copied want = { "" }, got_pooled = { "" };
    assert_int_equal(db_drain(direct, 5000), 0);
    assert_int_equal(db_copy_out(direct, NULL, 0, NULL, copy_sql, on_row, &want, NULL, sqlstate,
                                 err, sizeof err), 0);
    assert_int_equal(db_drain(pooled, 5000), 0);
    if (db_copy_out(pooled, NULL, 0, NULL, copy_sql, on_row, &got_pooled, NULL, sqlstate, err,
                    sizeof err) != 0)
        fail_msg("COPY through the pooler: %s", err);
    /* All but the last field, the backend's pid. */
    *strrchr(want.line, '\t') = '\0';
    *strrchr(got_pooled.line, '\t') = '\0';
    assert_string_equal(got_pooled.line, want.line);
    assert_string_equal(mate_value(mate, "SHOW bytea_output"), "escape");
    PQfinish(mate);
    db_close(&pooled);
    db_close(&direct);
}

/* A superuser's connection to the cluster (PGHOST, as tests/run.sh sets). */
static void as_postgres(const char *sql)
{
    PGconn *c = PQconnectdb("dbname=lumen_test user=postgres");
    if (PQstatus(c) != CONNECTION_OK)
        fail_msg("postgres: %s", PQerrorMessage(c));
    PGresult *r = PQexec(c, sql);
    if (PQresultStatus(r) != PGRES_COMMAND_OK)
        fail_msg("'%s': %s", sql, PQresultErrorMessage(r));
    PQclear(r);
    PQfinish(c);
}

static void load(const char *path, struct config *cfg)
{
    char err[CONFIG_ERR_MAX];
    if (config_load(path, cfg, err, sizeof err) != 0)
        fail_msg("%s", err);
    free(cfg->db.dbname);
    cfg->db.dbname = mem_strdup(dbname);
}

static int setup(void **state)
{
    (void)state;
    const char *direct = getenv("LUMEN_TEST_CONF"), *pooled = getenv("LUMEN_TEST_POOLER_CONF");
    if (!direct || !pooled) {
        fprintf(stderr, "run through tests/pooler/settings.t\n");
        return -1;
    }
    snprintf(dbname, sizeof dbname, "pooler_settings_%d", (int)getpid());
    char sql[128];
    snprintf(sql, sizeof sql, "CREATE DATABASE %s TEMPLATE lumen_test", dbname);
    as_postgres(sql);
    load(direct, &direct_cfg);
    load(pooled, &pooled_cfg);
    if (pooled_cfg.db.pooler != CONFIG_POOLER_TRANSACTION)
        fail_msg("%s: not pooler = transaction", pooled);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char sql[128];
    snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s WITH (FORCE)", dbname);
    as_postgres(sql);
    config_free(&direct_cfg);
    config_free(&pooled_cfg);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_call_has_the_clients_settings),
        cmocka_unit_test(an_error_ends_the_transaction),
        cmocka_unit_test(copy_has_the_clients_settings),
    };
    cmocka_set_message_output(CM_OUTPUT_TAP);
    return cmocka_run_group_tests_name("pooler settings", tests, setup, teardown);
}
