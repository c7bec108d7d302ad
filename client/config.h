/* lumen.conf: where it is, what it may say, and what it means.
 *
 * The file is INI, read with inih.  Every section and key is declared in
 * config.c's table; anything else is an error, because a typo must never
 * silently weaken a setting.  Errors read "FILE:LINE: message" (or
 * "FILE: message" when no line is at fault) and are written into the
 * caller's buffer.  The config owns every string in it; config_free()
 * releases them all.                                                      */
#ifndef LUMEN_CLIENT_CONFIG_H
#define LUMEN_CLIENT_CONFIG_H

#include <stddef.h>

#define CONFIG_ERR_MAX 512

enum config_color { CONFIG_COLOR_AUTO, CONFIG_COLOR_NEVER, CONFIG_COLOR_ALWAYS };
/* What stands between the client and PostgreSQL: with a transaction-mode
 * pooler (PgBouncer, Supabase's) a session is not kept on one server
 * connection, so LISTEN cannot work and screens poll instead. */
enum config_pooler { CONFIG_POOLER_NONE, CONFIG_POOLER_TRANSACTION };

/* One "action = key" line of [keys], kept raw: the key names belong to the
 * TUI, which checks them (and clashes) against its action table. */
struct config_keybind {
    char *action;
    char *key;
    int line;
};

struct config {
    char *path;                 /* the file that was read */
    struct {
        char *host;             /* comma-separated for libpq failover */
        char *port;
        char *dbname;
        char *user;
        char *passfile;
        char *sslmode;
        char *sslrootcert;
        char *sslcert;
        char *sslkey;
        char *ssl_min_protocol_version;
        char *target_session_attrs;
        int connect_timeout;    /* seconds */
        enum config_pooler pooler;
        /* A streaming replica (hot standby) for the grant reads: the
         * inbox's, a lead's and the audit viewer's pages, and the exports'
         * rows (client/db.h, DB_REPLICA).  NULL: everything on host.  Same
         * dbname, user, TLS and pooler; replica_port defaults to port. */
        char *replica_host;
        char *replica_port;
    } db;
    struct {
        char *user;             /* who applies migrations; NULL: db.user */
    } migrate;
    struct {
        enum config_color color;
        int idle_lock_seconds;  /* 0: the practice's idle timeout */
    } ui;
    struct {
        int bom;                /* [export] bom: the TUI's default, and the CLI's without --bom */
    } export_;
    /* [notify]: lumen notify, the deliverer of the outbox (client/notify.h).
     * Only the host that runs it needs the section. */
    struct {
        char *user;             /* its login role; default lumen_notify */
        int allow_private;      /* deliver to loopback/private addresses too */
        char *email_api;        /* the email provider's send endpoint; NULL: no email */
        char *email_key;        /* its bearer key: then the file must be private */
        char *email_from;       /* the From of the emails */
        int concurrency;        /* transfers at once, 1..32; default 8 */
    } notify;
    struct config_keybind *keys;
    size_t nkeys;
};

/* Finds the config: explicit (from --config) if not NULL, else
 * $LUMEN_CONFIG, else $XDG_CONFIG_HOME/lumen/lumen.conf (~/.config when
 * unset), else /etc/lumen/lumen.conf.  An explicit or $LUMEN_CONFIG path
 * that does not exist is an error, never a fall-through.  Returns a string
 * the caller frees, or NULL with err filled. */
char *config_locate(const char *explicit_path, char *err, size_t errlen);

/* Reads and checks PATH into *cfg (which it initialises).  Returns 0, or -1
 * with err filled and *cfg empty.  Refuses a file that others could change
 * (filecheck.h: FILECHECK_CONFIG), a line longer than inih can hold, an
 * unknown section or key, a duplicate key, and a value of the wrong form;
 * and a file that holds [notify] email_key but that group or others can
 * read (the key sends mail as the practice). */
int config_load(const char *path, struct config *cfg, char *err, size_t errlen);

/* The same from a string, for tests; NAME stands for the file in errors. */
int config_load_string(const char *name, const char *text, struct config *cfg,
                       char *err, size_t errlen);

/* Frees every string; [notify] email_key is wiped first. */
void config_free(struct config *cfg);

/* The I-th key the config knows ([keys] aside), for documentation checks:
 * returns 0 and sets section and name, or -1 past the end. */
int config_key_at(size_t i, const char **section, const char **name);

/* The longest line (without its newline) that the config accepts. */
size_t config_max_line(void);

#endif
