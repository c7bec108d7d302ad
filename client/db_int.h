/* Private to client/db*.c. */
#ifndef LUMEN_CLIENT_DB_INT_H
#define LUMEN_CLIENT_DB_INT_H

#include <libpq-fe.h>
#include <stdatomic.h>
#include <stdbool.h>

#include "client/db.h"
#include "client/conn.h"

#define DB_RETRY_FIRST_MS 500
#define DB_RETRY_MAX_MS 8000
#define DB_NOTIFY_MAX 8
#define DB_CANCEL_POLL_MS 5
#define DB_CANCEL_WAIT_MS 3000

struct call {
    struct call *next;
    char *sql;
    int nparams;
    char **values;
    int *lengths;
    int *formats;
    unsigned flags;
    db_done_fn done;
    void *ud;
    const void *owner;
    bool cancelled;
};

/* A cancel request under way on a thread of its own (see db_cancel). */
struct cancel_req {
    PGcancel *pc;
    atomic_int refs;                /* the thread's and the db's */
    atomic_bool done;
};

struct db {
    const struct config *cfg;
    enum conn_use use;              /* CONN_USE_CLIENT, or _REPLICA */
    struct db *replica;             /* the primary's replica (db_open_with_replica) */
    struct db *primary;             /* the replica's primary */
    unsigned long replica_served;   /* DB_REPLICA calls the replica answered */
    unsigned long replica_fellback; /* ... that went to the primary instead */
    long long pin_until_ms;         /* DB_REPLICA calls stay on the primary till then */
    PGconn *conn;
    enum db_state state;
    PostgresPollingStatusType polling;
    long long deadline_ms;          /* connecting: give up at */
    long long retry_at_ms;          /* waiting: try again at */
    int attempt;                    /* failed attempts in a row */
    bool ever_connected;
    struct call *head, *tail;       /* queued */
    struct call *inflight;
    struct cancel_req *cancel;      /* for the call in flight; the next waits */
    long long cancel_until_ms;      /* ... but not longer than this */
    PGresult *result;               /* last result of the call in flight */
    /* Behind a transaction pooler the call in flight is a pipeline
     * (client/db.c, pooled_send): */
    bool piped;                     /* it is one, in pipeline mode */
    int pipe_at;                    /* whose results come now: 0 is the first */
    int pipe_call;                  /* which statement is the call's own */
    bool flushing;
    bool closing;                   /* db_close is answering what is left */
    char error[CONFIG_ERR_MAX];
    char text[320];
    char notify[DB_NOTIFY_MAX][64];
    int nnotify;
    char notify_out[64];
    char listen[DB_LISTEN_MAX][64]; /* the channels asked for (db_listen) */
    int nlisten;
    int listening;                  /* LISTENs answered on this connection */
    unsigned connections;
};

/* client/db.c */
void db_call_free(struct call *c);
/* db_open for USE (CONN_USE_CLIENT or CONN_USE_REPLICA). */
struct db *db_open_use(const struct config *cfg, enum conn_use use);
/* client/db_listen.c: a new connection's LISTENs, queued first. */
void db_queue_listens(struct db *db);

/* The connection when it is up and idle (no call queued or in flight),
 * else NULL. */
PGconn *db_conn_idle(struct db *db);
/* The connection went away under a blocking COPY: retried as any loss. */
void db_conn_lost(struct db *db, const char *why);

#endif
