/* lumen db migrate: numbered migrations, then the repeatable api files.
 * The contract (what is applied when, recorded where, refused why) is in
 * client/migrate.h. */
#include "client/migrate.h"
#include "client/conn.h"
#include "client/mem.h"

#include <dirent.h>
#include <errno.h>
#include <sys/stat.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* Any constant will do, as long as every lumen uses the same one. */
#define MIGRATE_LOCK_KEY "7403117740311"

void migrate_checksum(const struct migrate_file *f, char out[65])
{
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, (const unsigned char *)f->sql, f->len);
    sodium_bin2hex(out, 65, h, sizeof h);
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool is_migration_name(const char *n)
{
    size_t len = strlen(n);
    return len > 4 && n[0] >= '0' && n[0] <= '9' && strcmp(n + len - 4, ".sql") == 0;
}

static int read_whole(const char *path, char **out, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    size_t cap = 4096, n = 0;
    char *buf = mem_alloc(cap);
    size_t r;
    while ((r = fread(buf + n, 1, cap - n - 1, f)) > 0) {
        n += r;
        if (cap - n - 1 == 0)
            buf = mem_realloc(buf, cap *= 2);
    }
    bool bad = ferror(f);
    fclose(f);
    if (bad) {
        free(buf);
        return -1;
    }
    buf[n] = '\0';
    *out = buf;
    *len = n;
    return 0;
}

int migrate_load_dir(const char *dir, struct migrate_file **files, size_t *nfiles,
                     char *err, size_t errlen)
{
    DIR *d = opendir(dir);
    if (!d) {
        snprintf(err, errlen, "%s: cannot open: %s", dir, strerror(errno));
        return -1;
    }
    char **names = NULL;
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (!is_migration_name(e->d_name))
            continue;
        names = mem_realloc(names, (n + 1) * sizeof *names);
        names[n++] = mem_strdup(e->d_name);
    }
    closedir(d);
    qsort(names, n, sizeof *names, cmp_names);

    struct migrate_file *out = mem_alloc((n + 1) * sizeof *out);
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        char *sql;
        size_t len;
        if (rc == 0 && read_whole(path, &sql, &len) != 0) {
            snprintf(err, errlen, "%s: cannot read: %s", path, strerror(errno));
            rc = -1;
        }
        if (rc == 0)
            out[i] = (struct migrate_file){ names[i], sql, len };
        else
            free(names[i]);
    }
    free(names);
    if (rc != 0) {
        migrate_files_free(out, n);
        return -1;
    }
    *files = out;
    *nfiles = n;
    return 0;
}

void migrate_files_free(struct migrate_file *files, size_t n)
{
    if (!files)
        return;
    for (size_t i = 0; i < n; i++) {
        free((char *)files[i].name);
        free((char *)files[i].sql);
    }
    free(files);
}

static size_t count_embedded(const struct migrate_file *f)
{
    size_t n = 0;
    while (f[n].name)
        n++;
    return n;
}

void migrate_set_embedded(struct migrate_set *s)
{
    *s = (struct migrate_set){
        .migrations = migrate_embedded, .nmigrations = count_embedded(migrate_embedded),
        .api = migrate_embedded_api, .napi = count_embedded(migrate_embedded_api),
    };
}

int migrate_set_load(const char *dir, struct migrate_set *s, char *err, size_t errlen)
{
    *s = (struct migrate_set){ 0 };
    char path[4096];
    snprintf(path, sizeof path, "%s/migrations", dir);
    if (migrate_load_dir(path, &s->owned[0], &s->nmigrations, err, errlen) != 0)
        return -1;
    s->migrations = s->owned[0];
    snprintf(path, sizeof path, "%s/api", dir);
    struct stat st;
    if (stat(path, &st) != 0 && errno == ENOENT)
        return 0;                       /* no repeatable files */
    if (migrate_load_dir(path, &s->owned[1], &s->napi, err, errlen) != 0) {
        migrate_set_free(s);
        return -1;
    }
    s->api = s->owned[1];
    return 0;
}

void migrate_set_free(struct migrate_set *s)
{
    migrate_files_free(s->owned[0], s->nmigrations);
    migrate_files_free(s->owned[1], s->napi);
    *s = (struct migrate_set){ 0 };
}

/* Fills err with WHAT and the first line of libpq's message. */
static void pq_fail(const PGresult *r, const char *what, char *err, size_t errlen)
{
    char line[600];
    conn_error_line(PQresultErrorMessage(r), line, sizeof line);
    snprintf(err, errlen, "%s: %s", what, line);
}

/* Runs SQL that returns no rows; on failure fills err with WHAT and libpq's
 * message and returns -1. */
static int exec_ok(PGconn *c, const char *sql, const char *what, char *err, size_t errlen)
{
    PGresult *r = PQexec(c, sql);
    ExecStatusType st = PQresultStatus(r);
    int rc = 0;
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
        pq_fail(r, what, err, errlen);
        rc = -1;
    }
    PQclear(r);
    return rc;
}

/* The two kinds of file, and where each is recorded. */
struct kind {
    const char *label;          /* "migration", "api file" */
    bool repeatable;            /* run again when changed, or run once */
    const char *log_prefix;     /* "", "api/" */
    const char *table;          /* its bookkeeping table */
    const char *record_sql;     /* $1 name, $2 checksum */
    const char *check_sql;      /* NULL, or a query answering NULL when all is well */
};

static const struct kind migrations_kind = {
    "migration", false, "", "public.schema_migrations",
    "INSERT INTO public.schema_migrations (name, checksum) VALUES ($1, $2)",
    NULL,
};

static const struct kind api_kind = {
    "api file", true, "api/", "public.schema_repeatables",
    "INSERT INTO public.schema_repeatables (name, checksum) VALUES ($1, $2) "
    "ON CONFLICT (name) DO UPDATE SET checksum = EXCLUDED.checksum, "
    "applied_at = now(), applied_by = current_user",
    /* Default privileges are lumen_owner's: a function someone else owns
     * would have PUBLIC's EXECUTE and not the client's. */
    "SELECT 'api functions not owned by lumen_owner (start the file with "
    "SET LOCAL ROLE lumen_owner): ' || string_agg(p.oid::regprocedure::text, ', ') "
    "FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
    "WHERE n.nspname = 'api' AND pg_get_userbyid(p.proowner) <> 'lumen_owner'",
};

struct applied {
    char **names, **sums;
    int n;
};

static int load_applied(PGconn *c, const struct kind *k, struct applied *a,
                        char *err, size_t errlen)
{
    char sql[200], what[100];
    /* In strcmp's order, as the files are. */
    snprintf(sql, sizeof sql, "SELECT name, checksum FROM %s ORDER BY name COLLATE \"C\"",
             k->table);
    PGresult *r = PQexec(c, sql);
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        snprintf(what, sizeof what, "reading %s", k->table);
        pq_fail(r, what, err, errlen);
        PQclear(r);
        return -1;
    }
    a->n = PQntuples(r);
    a->names = mem_alloc(((size_t)a->n + 1) * sizeof *a->names);
    a->sums = mem_alloc(((size_t)a->n + 1) * sizeof *a->sums);
    for (int i = 0; i < a->n; i++) {
        a->names[i] = mem_strdup(PQgetvalue(r, i, 0));
        a->sums[i] = mem_strdup(PQgetvalue(r, i, 1));
    }
    PQclear(r);
    return 0;
}

static void applied_free(struct applied *a)
{
    for (int i = 0; i < a->n; i++) {
        free(a->names[i]);
        free(a->sums[i]);
    }
    free(a->names);
    free(a->sums);
}

static const char *applied_sum(const struct applied *a, const char *name)
{
    for (int i = 0; i < a->n; i++)
        if (strcmp(a->names[i], name) == 0)
            return a->sums[i];
    return NULL;
}

/* Runs K's check; -1 with err filled when it answers something. */
static int run_check(PGconn *c, const struct kind *k, const char *what, char *err, size_t errlen)
{
    if (!k->check_sql)
        return 0;
    PGresult *r = PQexec(c, k->check_sql);
    int rc = 0;
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        pq_fail(r, what, err, errlen);
        rc = -1;
    } else if (PQntuples(r) > 0 && !PQgetisnull(r, 0, 0)) {
        snprintf(err, errlen, "%s: %s", what, PQgetvalue(r, 0, 0));
        rc = -1;
    }
    PQclear(r);
    return rc;
}

/* One file in its own transaction, recorded in the same one. */
static int apply_one(PGconn *c, const struct kind *k, const struct migrate_file *f,
                     const char *sum, char *err, size_t errlen)
{
    char what[300];
    snprintf(what, sizeof what, "%s %s failed", k->label, f->name);
    if (exec_ok(c, "BEGIN", what, err, errlen) != 0)
        return -1;
    /* The file may SET LOCAL ROLE; the bookkeeping row is the migrator's. */
    if (exec_ok(c, f->sql, what, err, errlen) != 0 ||
        exec_ok(c, "RESET ROLE", what, err, errlen) != 0 ||
        run_check(c, k, what, err, errlen) != 0) {
        PQclear(PQexec(c, "ROLLBACK"));
        return -1;
    }
    const char *params[2] = { f->name, sum };
    PGresult *r = PQexecParams(c, k->record_sql, 2, NULL, params, NULL, NULL, 0);
    bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    if (!ok) {
        char rec[340];
        snprintf(rec, sizeof rec, "%s: recording it", what);
        pq_fail(r, rec, err, errlen);
    }
    PQclear(r);
    if (!ok) {
        PQclear(PQexec(c, "ROLLBACK"));
        return -1;
    }
    return exec_ok(c, "COMMIT", what, err, errlen);
}

/* Whether F (checksum SUM, recorded as HAD or not at all) is to be run:
 * 1 yes, 0 no, -1 refused with err filled.  Migrations run once and are
 * never edited nor slipped in before the last one; repeatable files run
 * whenever their text changed. */
static int wanted(const struct kind *k, const struct migrate_file *f, const char *sum,
                  const char *had, const char *last, char *err, size_t errlen)
{
    if (k->repeatable)
        return !had || strcmp(had, sum) != 0;
    if (had && strcmp(had, sum) != 0) {
        snprintf(err, errlen, "migration %s was changed after it was applied (checksum "
                 "%.12s… in the database, %.12s… here); restore it and put the change in "
                 "a new migration", f->name, had, sum);
        return -1;
    }
    if (!had && last && strcmp(f->name, last) < 0) {
        snprintf(err, errlen, "migration %s sorts before %s, which is already applied; "
                 "give it a higher number", f->name, last);
        return -1;
    }
    return !had;
}

/* Runs the files of kind K that are wanted; the number run, or -1. */
static int apply_kind(PGconn *c, const struct kind *k, const struct migrate_file *files,
                      size_t n, FILE *log, char *err, size_t errlen)
{
    struct applied a = { 0 };
    if (load_applied(c, k, &a, err, errlen) != 0)
        return -1;
    int count = 0;
    const char *last = a.n ? a.names[a.n - 1] : NULL;
    for (size_t i = 0; i < n && count >= 0; i++) {
        char sum[65];
        migrate_checksum(&files[i], sum);
        int w = wanted(k, &files[i], sum, applied_sum(&a, files[i].name), last, err, errlen);
        if (w < 0 || (w > 0 && apply_one(c, k, &files[i], sum, err, errlen) != 0)) {
            count = -1;
        } else if (w > 0) {
            count++;
            if (log)
                fprintf(log, "applied %s%s\n", k->log_prefix, files[i].name);
        }
    }
    applied_free(&a);
    return count;
}

int migrate_run(PGconn *c, const struct migrate_set *s, struct migrate_counts *done,
                FILE *log, char *err, size_t errlen)
{
    *done = (struct migrate_counts){ 0 };
    if (sodium_init() < 0) {
        snprintf(err, errlen, "libsodium failed to initialise");
        return -1;
    }
    if (exec_ok(c, "SELECT pg_advisory_lock(" MIGRATE_LOCK_KEY ")",
                "taking the migration lock", err, errlen) != 0)
        return -1;
    int rc = exec_ok(c, "SET client_min_messages = warning",
                     "setting client_min_messages", err, errlen);
    const struct kind *kinds[] = { &migrations_kind, &api_kind };
    for (size_t i = 0; i < 2 && rc == 0; i++) {
        char sql[400], what[100];
        snprintf(sql, sizeof sql, "CREATE TABLE IF NOT EXISTS %s ("
                 "  name text PRIMARY KEY,"
                 "  checksum text NOT NULL,"
                 "  applied_at timestamptz NOT NULL DEFAULT now(),"
                 "  applied_by text NOT NULL DEFAULT current_user);"
                 "REVOKE ALL ON %s FROM PUBLIC", kinds[i]->table, kinds[i]->table);
        snprintf(what, sizeof what, "creating %s", kinds[i]->table);
        rc = exec_ok(c, sql, what, err, errlen);
    }
    if (rc == 0 && (rc = apply_kind(c, &migrations_kind, s->migrations, s->nmigrations,
                                    log, err, errlen)) >= 0)
        done->migrations = rc;
    if (rc >= 0 && (rc = apply_kind(c, &api_kind, s->api, s->napi, log, err, errlen)) >= 0)
        done->api = rc;
    /* A failed unlock means the connection is gone, which releases it too. */
    PQclear(PQexec(c, "SELECT pg_advisory_unlock(" MIGRATE_LOCK_KEY ")"));
    return rc < 0 ? -1 : 0;
}
