/* Applying db/migrations and db/api to a database (lumen db migrate).
 *
 * Numbered migrations (db/migrations/NNN_name.sql) are applied history:
 * each runs once, in name order, in its own transaction, recorded with the
 * SHA-256 of its text in public.schema_migrations.  A file already recorded
 * is skipped; one recorded with a different checksum stops the run (an
 * applied migration was edited: write a new one instead), and so does a new
 * file that sorts before the last one applied.
 *
 * Repeatable files (db/api/NN_domain.sql) hold the current definition of
 * the api functions.  After every migration is in, each one whose text is
 * new or changed since it was last applied runs again, in name order, in
 * its own transaction, and its checksum is recorded (upserted) in
 * public.schema_repeatables.  Unchanged files are not run.  A repeatable
 * file must be safe to run any number of times: it starts with
 * `SET LOCAL ROLE lumen_owner` and a fixed search_path, and defines each
 * function as `DROP FUNCTION IF EXISTS api.f(types); CREATE FUNCTION
 * api.f ...`, so that a return type can change and EXECUTE comes from
 * lumen_owner's default privileges, as for a function a migration creates.
 * Before it commits, every function of schema api must be owned by
 * lumen_owner (else the file is refused: default privileges would not
 * apply).  Deleting a function from a file does not drop it: keep its
 * DROP FUNCTION IF EXISTS line.  Migrations must not depend on what the
 * repeatable files define, since those run after them.
 *
 * Any failure rolls back the file at hand (the ones before it stay), names
 * it with the server's message and stops the run.  A session-level advisory
 * lock makes concurrent migrators take turns, so the second finds nothing
 * left to do.                                                             */
#ifndef LUMEN_CLIENT_MIGRATE_H
#define LUMEN_CLIENT_MIGRATE_H

#include <stddef.h>
#include <stdio.h>
#include <libpq-fe.h>

struct migrate_file {
    const char *name;   /* "001_foundation.sql", "10_session.sql" */
    const char *sql;
    size_t len;
};

/* Compiled into this binary, in name order, each ended by {0}: the files
 * of db/migrations and of db/api. */
extern const struct migrate_file migrate_embedded[];
extern const struct migrate_file migrate_embedded_api[];

/* What one run applies: the migrations, then the repeatable files. */
struct migrate_set {
    const struct migrate_file *migrations, *api;
    size_t nmigrations, napi;
    struct migrate_file *owned[2];      /* loaded from a folder; freed by _free */
};

/* The files built in. */
void migrate_set_embedded(struct migrate_set *s);

/* The files of DIR/migrations and DIR/api (the layout of db/); DIR/api may
 * be missing (no repeatable files).  0, or -1 with err filled. */
int migrate_set_load(const char *dir, struct migrate_set *s, char *err, size_t errlen);
void migrate_set_free(struct migrate_set *s);

/* Reads DIR/[0-9]*.sql in name order into *files (owned by the caller, freed
 * with migrate_files_free).  Returns 0 or -1 with err filled. */
int migrate_load_dir(const char *dir, struct migrate_file **files, size_t *n,
                     char *err, size_t errlen);
void migrate_files_free(struct migrate_file *files, size_t n);

/* How many files one run applied. */
struct migrate_counts {
    int migrations, api;
};

/* Applies what is missing or changed.  Progress lines ("applied NAME",
 * "applied api/NAME") go to LOG when not NULL.  Returns 0 with *done
 * filled (zeros: up to date), or -1 with err. */
int migrate_run(PGconn *conn, const struct migrate_set *s, struct migrate_counts *done,
                FILE *log, char *err, size_t errlen);

/* Lowercase hex SHA-256 of the text: 65 bytes with the NUL. */
void migrate_checksum(const struct migrate_file *f, char out[65]);

#endif
