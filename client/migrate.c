#include "client/migrate.h"
#include "client/conn.h"
#include "client/mem.h"

#include <dirent.h>
#include <errno.h>
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

/* Runs SQL that returns no rows; on failure fills err with WHAT and libpq's
 * message and returns -1. */
static int exec_ok(PGconn *c, const char *sql, const char *what, char *err, size_t errlen)
{
    PGresult *r = PQexec(c, sql);
    ExecStatusType st = PQresultStatus(r);
    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) {
        PQclear(r);
        return 0;
    }
    char line[600];
    conn_error_line(PQresultErrorMessage(r), line, sizeof line);
    snprintf(err, errlen, "%s: %s", what, line);
    PQclear(r);
    return -1;
}

struct applied {
    char **names, **sums;
    int n;
};

static int load_applied(PGconn *c, struct applied *a, char *err, size_t errlen)
{
    PGresult *r = PQexec(c, "SELECT name, checksum FROM public.schema_migrations ORDER BY name");
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        char line[600];
        conn_error_line(PQresultErrorMessage(r), line, sizeof line);
        snprintf(err, errlen, "reading schema_migrations: %s", line);
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

static int apply_one(PGconn *c, const struct migrate_file *f, const char *sum,
                     char *err, size_t errlen)
{
    char what[300];
    snprintf(what, sizeof what, "migration %s failed", f->name);
    if (exec_ok(c, "BEGIN", what, err, errlen) != 0)
        return -1;
    /* The file may SET LOCAL ROLE; the bookkeeping row is the migrator's. */
    if (exec_ok(c, f->sql, what, err, errlen) != 0 ||
        exec_ok(c, "RESET ROLE", what, err, errlen) != 0) {
        PQclear(PQexec(c, "ROLLBACK"));
        return -1;
    }
    const char *params[2] = { f->name, sum };
    PGresult *r = PQexecParams(c, "INSERT INTO public.schema_migrations (name, checksum) "
                               "VALUES ($1, $2)", 2, NULL, params, NULL, NULL, 0);
    bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    if (!ok) {
        char line[600];
        conn_error_line(PQresultErrorMessage(r), line, sizeof line);
        snprintf(err, errlen, "%s: recording it: %s", what, line);
    }
    PQclear(r);
    if (!ok) {
        PQclear(PQexec(c, "ROLLBACK"));
        return -1;
    }
    return exec_ok(c, "COMMIT", what, err, errlen);
}

static int check_and_apply(PGconn *c, const struct migrate_file *files, size_t n,
                           FILE *log, char *err, size_t errlen)
{
    struct applied a = { 0 };
    if (load_applied(c, &a, err, errlen) != 0)
        return -1;
    int count = 0;
    const char *last_applied = a.n ? a.names[a.n - 1] : NULL;
    for (size_t i = 0; i < n && count >= 0; i++) {
        char sum[65];
        migrate_checksum(&files[i], sum);
        const char *had = applied_sum(&a, files[i].name);
        if (had && strcmp(had, sum) != 0) {
            snprintf(err, errlen, "migration %s was changed after it was applied (checksum "
                     "%.12s… in the database, %.12s… here); restore it and put the change in "
                     "a new migration", files[i].name, had, sum);
            count = -1;
        } else if (!had && last_applied && strcmp(files[i].name, last_applied) < 0) {
            snprintf(err, errlen, "migration %s sorts before %s, which is already applied; "
                     "give it a higher number", files[i].name, last_applied);
            count = -1;
        } else if (!had) {
            if (apply_one(c, &files[i], sum, err, errlen) != 0)
                count = -1;
            else {
                count++;
                if (log)
                    fprintf(log, "applied %s\n", files[i].name);
            }
        }
    }
    applied_free(&a);
    return count;
}

int migrate_run(PGconn *c, const struct migrate_file *files, size_t n,
                FILE *log, char *err, size_t errlen)
{
    if (sodium_init() < 0) {
        snprintf(err, errlen, "libsodium failed to initialise");
        return -1;
    }
    if (exec_ok(c, "SELECT pg_advisory_lock(" MIGRATE_LOCK_KEY ")",
                "taking the migration lock", err, errlen) != 0)
        return -1;
    int rc = exec_ok(c,
        "SET client_min_messages = warning;"
        "CREATE TABLE IF NOT EXISTS public.schema_migrations ("
        "  name text PRIMARY KEY,"
        "  checksum text NOT NULL,"
        "  applied_at timestamptz NOT NULL DEFAULT now(),"
        "  applied_by text NOT NULL DEFAULT current_user);"
        "REVOKE ALL ON public.schema_migrations FROM PUBLIC",
        "creating schema_migrations", err, errlen);
    if (rc == 0)
        rc = check_and_apply(c, files, n, log, err, errlen);
    /* A failed unlock means the connection is gone, which releases it too. */
    PQclear(PQexec(c, "SELECT pg_advisory_unlock(" MIGRATE_LOCK_KEY ")"));
    return rc;
}
