/* lumen demo's parts (client/demo.h says what the command does):
 * demo_pg.c, the private cluster; demo_sys.c, running its programs and
 * keeping its folders; demo_db.c, the database in it. */
#ifndef LUMEN_CLIENT_DEMO_INT_H
#define LUMEN_CLIENT_DEMO_INT_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "client/migrate.h"

/* Built in by the Makefile (scripts/embed-migrations.sh): db/demo's SQL
 * files in the order they load, and recovery-codes.txt; each ended by {0}. */
extern const struct migrate_file demo_embedded_sql[];
extern const struct migrate_file demo_embedded_codes[];

struct demo_cluster {
    char dir[PATH_MAX];         /* DIR, absolute: lumen.conf, pg */
    char home[PATH_MAX];        /* DIR/pg, or the folder it links to */
    char data[PATH_MAX];        /* home/data */
    char sock[PATH_MAX];        /* the socket's folder */
    char log[PATH_MAX];         /* home/postgres.log */
    char conf[PATH_MAX];        /* DIR/lumen.conf */
    char bindir[PATH_MAX];      /* initdb and pg_ctl; "" until found */
    bool other;                 /* run as another user (we are root) */
    uid_t uid;                  /* the cluster's owner */
    gid_t gid;
    char owner[64];
};

/* Fills C for DIR: the owner and the paths.  CREATE: make DIR (0700) and
 * pick where the cluster lives when it does not exist yet; else a missing
 * DIR/pg leaves home empty.  0, or -1 with err. */
int demo_pg_paths(struct demo_cluster *c, const char *dir, bool create,
                  char *err, size_t errlen);
/* The newest PostgreSQL (15 or newer) server of /usr/lib/postgresql/N/bin,
 * else pg_config --bindir; 0, or -1 with err naming the package. */
int demo_pg_bindir(struct demo_cluster *c, char *err, size_t errlen);
bool demo_pg_running(const struct demo_cluster *c);
/* Creates the cluster once, starts it (idempotent).  0 or -1 with err. */
int demo_pg_start(struct demo_cluster *c, char *err, size_t errlen);
/* Stops it if it runs (fast shutdown).  0 or -1 with err. */
int demo_pg_stop(const struct demo_cluster *c, char *err, size_t errlen);
/* Stops it and deletes its files and DIR/lumen.conf.  0 or -1 with err. */
int demo_pg_destroy(struct demo_cluster *c, char *err, size_t errlen);

/* demo_sys.c.  Runs ARGV as the cluster's owner (from / when that is
 * another user), its output into OUT (made anew, 0600) or /dev/null, with
 * no other descriptor of ours; its exit status, or -1. */
int demo_run_owner(const struct demo_cluster *c, char *const argv[], const char *out);
/* Whether the cluster's owner may enter and list PATH. */
bool demo_owner_can_enter(const struct demo_cluster *c, const char *path);
/* mkdir -p, the folders made with MODE.  0 or -1 with err. */
int demo_mkdir_p(const char *path, mode_t mode, char *err, size_t errlen);
/* PATH a folder of UID's (made when missing), not a link, mode MODE; one
 * that another user made first is refused.  0 or -1 with err. */
int demo_own_dir(const char *path, mode_t mode, uid_t uid, gid_t gid, char *err, size_t errlen);
/* rm -rf PATH, never following a link.  0 or -1 with err. */
int demo_rm_rf(const char *path, char *err, size_t errlen);
/* The last lines of FILE on stderr, to say why something failed. */
void demo_tail_to_stderr(const char *file);

/* The database lumen in the running cluster: created, DIR/lumen.conf
 * written, migrated, the demo data loaded once.  Progress on stderr.
 * 0 or -1 with err. */
int demo_db_setup(const struct demo_cluster *c, char *err, size_t errlen);

#endif
