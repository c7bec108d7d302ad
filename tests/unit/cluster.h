/* For unit tests that talk to the test cluster (make check exports
 * LUMEN_TEST_CONF, tests/run.sh): open a db on it, run the loop a while.
 * Without LUMEN_TEST_CONF (a test binary run by hand) such tests skip. */
#ifndef LUMEN_TESTS_CLUSTER_H
#define LUMEN_TESTS_CLUSTER_H

#include "tests/unit/unit.h"
#include "client/db.h"

#include <poll.h>
#include <stdbool.h>
#include <stdlib.h>

/* One turn of the loop: poll for at most MS milliseconds, then service. */
static inline void cluster_step(struct db *db, int ms)
{
    short events = 0;
    struct pollfd p = { .fd = db_pollfd(db, &events) };
    p.events = events;
    int t = db_timeout_ms(db, db_now_ms());
    if (t < 0 || t > ms)
        t = ms;
    int n = poll(&p, p.fd >= 0 ? 1 : 0, t);
    db_service(db, n > 0 ? p.revents : 0, db_now_ms());
}

/* A connected db on the test cluster, or NULL (the test skips) when there
 * is none.  CFG is loaded here and freed by the caller. */
static inline struct db *cluster_open(struct config *cfg)
{
    const char *path = getenv("LUMEN_TEST_CONF");
    char err[CONFIG_ERR_MAX];
    if (!path)
        return NULL;
    if (config_load(path, cfg, err, sizeof err) != 0)
        fail_msg("%s: %s", path, err);
    struct db *db = db_open(cfg);
    long long end = db_now_ms() + 10000;
    while (db_state(db) != DB_READY && db_now_ms() < end)
        cluster_step(db, 100);
    if (db_state(db) != DB_READY)
        fail_msg("no connection to the test cluster: %s", db_error_text(db));
    return db;
}

#endif
