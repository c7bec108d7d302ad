/* lumen demo's database: what scripts/demo-db.sh does, with the migrations
 * and the demo data built into the binary.  The marker is the same
 * (public.lumen_demo_loaded, its comment the SHA-256 of the demo files in
 * load order), so the data is loaded once, and again when it changed. */
#include "client/demo_int.h"
#include "client/config.h"
#include "client/conn.h"
#include "client/mem.h"
#include "client/migrate.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The superuser postgres on the socket, as psql would connect. */
static PGconn *connect_su(const struct demo_cluster *c, const char *db, char *err, size_t errlen)
{
    const char *keys[] = { "host", "user", "dbname", "connect_timeout", "application_name", NULL };
    const char *vals[] = { c->sock, "postgres", db, "30", "lumen demo", NULL };
    PGconn *pg = PQconnectdbParams(keys, vals, 0);
    if (PQstatus(pg) != CONNECTION_OK) {
        char line[600];
        conn_error_line(PQerrorMessage(pg), line, sizeof line);
        snprintf(err, errlen, "connecting to the demo cluster (%s): %s", c->sock, line);
        PQfinish(pg);
        return NULL;
    }
    return pg;
}

/* Runs SQL; its result when it succeeded (the caller clears it), else
 * NULL with WHAT and the server's message in err. */
static PGresult *run(PGconn *pg, const char *sql, const char *what, char *err, size_t errlen)
{
    PGresult *r = PQexec(pg, sql);
    ExecStatusType st = PQresultStatus(r);
    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK)
        return r;
    char line[600];
    conn_error_line(PQresultErrorMessage(r), line, sizeof line);
    snprintf(err, errlen, "%s: %s", what, line);
    PQclear(r);
    return NULL;
}

static void quiet(void *arg, const char *message)
{
    (void)arg; (void)message;
}

static int create_database(const struct demo_cluster *c, char *err, size_t errlen)
{
    PGconn *pg = connect_su(c, "postgres", err, errlen);
    if (!pg)
        return -1;
    PGresult *r = run(pg, "SELECT 1 FROM pg_database WHERE datname = 'lumen'",
                      "looking for the database lumen", err, errlen);
    int rc = r ? 0 : -1;
    if (r && PQntuples(r) == 0) {
        PQclear(r);
        r = run(pg, "CREATE DATABASE lumen", "creating the database lumen", err, errlen);
        rc = r ? 0 : -1;
    }
    PQclear(r);
    PQfinish(pg);
    return rc;
}

/* DIR/lumen.conf, 0600, replaced whole: the one make demo-db writes. */
static int write_conf(const struct demo_cluster *c, char *err, size_t errlen)
{
    char tmp[PATH_MAX + 8];
    snprintf(tmp, sizeof tmp, "%s.tmp", c->conf);
    unlink(tmp);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (!f) {
        snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    fprintf(f, "# Written by lumen demo: the demo cluster, over its Unix socket.\n"
            "[database]\n"
            "host = %s\n"
            "dbname = lumen\n"
            "user = lumen_client\n"
            "\n"
            "[migrate]\n"
            "user = postgres\n", c->sock);
    if (fclose(f) != 0 || rename(tmp, c->conf) != 0) {
        snprintf(err, errlen, "%s: %s", c->conf, strerror(errno));
        unlink(tmp);
        return -1;
    }
    return 0;
}

/* lumen db migrate --config DIR/lumen.conf, with the files built in. */
static int migrate(const struct demo_cluster *c, char *err, size_t errlen)
{
    struct config cfg;
    if (config_load(c->conf, &cfg, err, errlen) != 0)
        return -1;
    PGconn *pg = conn_open_blocking(&cfg, CONN_USE_MIGRATE, err, errlen);
    config_free(&cfg);
    if (!pg)
        return -1;
    struct migrate_set set;
    struct migrate_counts done;
    migrate_set_embedded(&set);
    int rc = migrate_run(pg, &set, &done, NULL, err, errlen);
    if (rc == 0 && (done.migrations || done.api))
        fprintf(stderr, "lumen demo: applied %d migration%s and %d api file%s\n",
                done.migrations, done.migrations == 1 ? "" : "s", done.api, done.api == 1 ? "" : "s");
    PQfinish(pg);
    return rc;
}

static int load_demo(const struct demo_cluster *c, char *err, size_t errlen)
{
    unsigned char h[crypto_hash_sha256_BYTES];
    char sum[crypto_hash_sha256_BYTES * 2 + 1];
    crypto_hash_sha256_state st;
    crypto_hash_sha256_init(&st);
    size_t total = 0;
    for (const struct migrate_file *f = demo_embedded_sql; f->name; f++) {
        crypto_hash_sha256_update(&st, (const unsigned char *)f->sql, f->len);
        total += f->len + 1;
    }
    crypto_hash_sha256_final(&st, h);
    sodium_bin2hex(sum, sizeof sum, h, sizeof h);

    PGconn *pg = connect_su(c, "lumen", err, errlen);
    if (!pg)
        return -1;
    PQsetNoticeProcessor(pg, quiet, NULL);
    PGresult *r = run(pg, "SELECT CASE WHEN to_regclass('public.lumen_demo_loaded') IS NULL "
                      "THEN 'none' ELSE coalesce(obj_description(to_regclass("
                      "'public.lumen_demo_loaded'), 'pg_class'), '') END",
                      "looking for the demo data", err, errlen);
    int rc = r ? 0 : -1;
    if (r && strcmp(PQgetvalue(r, 0, 0), sum) != 0) {
        fprintf(stderr, "lumen demo: %s\n", strcmp(PQgetvalue(r, 0, 0), "none") == 0
                ? "loading the demo data" : "the demo data changed; adding what is new");
        /* One transaction: a failed load is tried again next time, a
         * finished one never repeated. */
        static const char head[] = "BEGIN;\nSET LOCAL client_min_messages = warning;\n";
        static const char tail[] =
            "CREATE TABLE IF NOT EXISTS public.lumen_demo_loaded (at timestamptz DEFAULT now());\n"
            "REVOKE ALL ON public.lumen_demo_loaded FROM PUBLIC;\n"
            "COMMENT ON TABLE public.lumen_demo_loaded IS '%s';\nCOMMIT;\n";
        size_t cap = sizeof head + total + sizeof tail + sizeof sum;
        char *sql = mem_alloc(cap), *p = sql;
        p += snprintf(p, cap, "%s", head);
        for (const struct migrate_file *f = demo_embedded_sql; f->name; f++) {
            memcpy(p, f->sql, f->len);
            p += f->len;
            *p++ = '\n';
        }
        snprintf(p, cap - (size_t)(p - sql), tail, sum);
        PQclear(r);
        r = run(pg, sql, "loading the demo data", err, errlen);
        rc = r ? 0 : -1;
        free(sql);
    }
    PQclear(r);
    PQfinish(pg);
    return rc;
}

int demo_db_setup(const struct demo_cluster *c, char *err, size_t errlen)
{
    if (create_database(c, err, errlen) != 0 || write_conf(c, err, errlen) != 0 ||
        migrate(c, err, errlen) != 0 || load_demo(c, err, errlen) != 0)
        return -1;
    return 0;
}
