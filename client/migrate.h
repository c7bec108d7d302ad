/* Applying db/migrations to a database.
 *
 * Each file runs in its own transaction and is recorded, with the SHA-256
 * of its text, in public.schema_migrations.  A file already recorded is
 * skipped; one recorded with a different checksum stops the run (an applied
 * migration was edited: write a new one instead).  A session-level advisory
 * lock makes concurrent migrators take turns, so the second finds nothing
 * left to do.                                                             */
#ifndef LUMEN_CLIENT_MIGRATE_H
#define LUMEN_CLIENT_MIGRATE_H

#include <stddef.h>
#include <stdio.h>
#include <libpq-fe.h>

struct migrate_file {
    const char *name;   /* "001_foundation.sql" */
    const char *sql;
    size_t len;
};

/* The migrations compiled into this binary, in order, ended by {0}. */
extern const struct migrate_file migrate_embedded[];

/* Reads DIR/[0-9]*.sql in name order into *files (owned by the caller, freed
 * with migrate_files_free).  Returns 0 or -1 with err filled. */
int migrate_load_dir(const char *dir, struct migrate_file **files, size_t *n,
                     char *err, size_t errlen);
void migrate_files_free(struct migrate_file *files, size_t n);

/* Applies what is missing.  Progress lines ("applied NAME") go to LOG when
 * not NULL.  Returns the number applied (0: up to date) or -1 with err. */
int migrate_run(PGconn *conn, const struct migrate_file *files, size_t n,
                FILE *log, char *err, size_t errlen);

/* Lowercase hex SHA-256 of the text: 65 bytes with the NUL. */
void migrate_checksum(const struct migrate_file *f, char out[65]);

#endif
