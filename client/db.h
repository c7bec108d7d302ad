/* The database connection, driven by the TUI's main loop.
 *
 * Nothing here blocks: the connection is opened with PQconnectStartParams,
 * queries are sent with PQsendQueryParams, and the owner of the main loop
 * asks db_pollfd() what to wait for, then calls db_service() when the
 * socket is ready or the timeout passed.  One call is in flight at a time;
 * others queue behind it in order.
 *
 * When the connection drops, the call in flight fails with DB_LOST (or is
 * put back at the head of the queue when it was made with DB_RETRY), and
 * the connection is retried with growing delays (0.5 s doubling to 8 s)
 * for as long as it takes.  db_state_text() says what is going on, for the
 * status bar.  No session state lives in the connection, so a reconnect
 * loses nothing.
 *
 * Ownership: struct db owns the PGconn and every queued call.  A callback
 * receives the PGresult (or NULL on failure) for the duration of the call
 * only; it must not PQclear it.  Parameters are copied when a call is made,
 * so the caller may wipe its buffers as soon as db_call() returns.  The copy
 * of a DB_SECRET call lives in sodium_malloc memory and is wiped once sent
 * (or, with DB_RETRY too, once answered).                                  */
#ifndef LUMEN_CLIENT_DB_H
#define LUMEN_CLIENT_DB_H

#include <libpq-fe.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

#include "client/config.h"

struct db;

enum db_state {
    DB_CONNECTING,      /* first connection, or a retry under way */
    DB_READY,           /* connected */
    DB_WAITING,         /* lost; retrying after a delay */
    DB_REFUSED,         /* the config or the policy forbids connecting */
};

enum db_outcome {
    DB_OK,              /* the result is a success (tuples or command) */
    DB_ERROR,           /* the server refused: see sqlstate and message */
    DB_LOST,            /* the connection went away before an answer */
    DB_CANCELLED,       /* db_cancel() */
};

struct db_reply {
    enum db_outcome outcome;
    const PGresult *res;        /* DB_OK: the result; otherwise NULL */
    char sqlstate[6];           /* DB_ERROR: e.g. "LMS03" */
    const char *message;        /* DB_ERROR / DB_LOST: one line, for logs */
};

typedef void (*db_done_fn)(void *ud, const struct db_reply *reply);

enum db_call_flags {
    DB_RETRY = 1,       /* safe to send again after a reconnect (a read) */
    DB_SECRET = 2,      /* parameters are secrets: keep in secure memory */
    /* A grant read (step 2 of an audited read) that a read replica may
     * serve: with db_open_with_replica's replica up, it is sent there; a
     * replica that refuses it (LMR01: behind, or the grant too old for it;
     * or any other error) or goes away hands it to the primary, whose
     * answer alone the callback sees.  For DB_REPLICA_PIN_MS after the
     * primary was sent a call that is neither DB_RETRY nor DB_REPLICA (a
     * write, an audited open) it goes to the primary at once, so that a
     * change shows in the next page. */
    DB_REPLICA = 4,
};
#define DB_REPLICA_PIN_MS 2000

/* Starts connecting at once.  cfg must outlive the db. */
struct db *db_open(const struct config *cfg);
/* The TUI's: db_open, plus, with [database] replica_host, a second
 * connection (CONN_USE_REPLICA) for the DB_REPLICA calls, owned by the
 * first and closed with it.  Its trouble is never shown: the primary
 * serves meanwhile. */
struct db *db_open_with_replica(const struct config *cfg);
/* The replica's db, for the main loop to poll and service as the primary
 * (NULL: none). */
struct db *db_replica(struct db *db);
/* DB_REPLICA calls the replica answered, and those it handed back. */
void db_replica_counts(const struct db *db, unsigned long *served, unsigned long *fellback);
/* Every call still in flight or queued is answered first, once, with
 * DB_CANCELLED (the one in flight, then the queue in order), so that
 * wrappers free what they hold; a db_call made from such a callback is
 * refused (-1).  Then the connection and *db are freed, *db set to NULL. */
void db_close(struct db **db);

/* For poll(): the socket (or -1) and the events to wait for, and how many
 * milliseconds until db_service() must run even without events (-1: no
 * timer).  NOW_MS is a monotonic clock in milliseconds. */
int db_pollfd(struct db *db, short *events);
int db_timeout_ms(struct db *db, long long now_ms);
void db_service(struct db *db, short revents, long long now_ms);

/* Queues SQL with NPARAMS parameters (text, or binary where lengths[i] is
 * not 0 — pass lengths NULL for all text).  Returns 0, or -1 when the db is
 * DB_REFUSED.  DONE runs from db_service(), never from db_call(). */
int db_call(struct db *db, const char *sql, int nparams, const char *const *values,
            const int *lengths, unsigned flags, db_done_fn done, void *ud, const void *owner);

/* Cancels every call made for OWNER, and no other's: queued ones at once,
 * the one in flight through the server.  Each callback still runs once,
 * with DB_CANCELLED (queued ones from inside db_cancel, the one in flight
 * from db_service() once the server stopped it), so that wrappers can
 * free.  Never blocks: the server's cancel request is sent from a thread
 * of its own, and the next queued call waits until it has been. */
void db_cancel(struct db *db, const void *owner);

enum db_state db_state(const struct db *db);
bool db_busy(const struct db *db);                 /* a call is in flight or queued */
/* One line for the status bar, or "" when all is well. */
const char *db_state_text(const struct db *db, long long now_ms);
/* True when that line is about trouble (lost, refused, failing to
 * connect), false when it is news (the first connection under way). */
bool db_trouble(const struct db *db);

/* Asynchronous notifications received (LISTEN): returns the channel of the
 * next one or NULL; the string is valid until the next call. */
const char *db_next_notify(struct db *db);

/* Asks to be woken by NOTIFY on CHANNEL ([a-z0-9_], 1 to 63 bytes; up to
 * DB_LISTEN_MAX channels; one already asked for is no change).  The
 * channels are remembered, and `LISTEN "channel"` is sent on every
 * connection, before any queued call: now when connected, else as soon as
 * the (re)connection is up.  With [database] pooler = transaction no
 * LISTEN is ever sent (a pooler gives no session of its own to listen on)
 * and db_listens() stays false.  0, or -1 for a bad name or too many. */
#define DB_LISTEN_MAX 4
int db_listen(struct db *db, const char *channel);
/* Replaces the channels asked for by these N (in this order; N 0: none),
 * sending UNLISTEN * and the new LISTENs now when connected; the same set
 * again is no change.  For a new sign-in or practice: the old person's
 * channels must not keep waking the next one's client.  0, or -1 (bad
 * name, too many: nothing changed). */
int db_listen_set(struct db *db, const char *const *channels, int n);
/* True while every channel asked for is listened to on the connection in
 * hand; false before the LISTENs are answered, while reconnecting, under a
 * transaction pooler, or with no channel: the screen polls then. */
bool db_listens(const struct db *db);
/* How many times the connection was made.  A notification sent while the
 * connection was down is lost: a screen that waits for them looks once
 * (a poll) when this changes. */
unsigned db_connections(const struct db *db);

/* For subcommands, which have no main loop: runs db_service() until the
 * connection is up and every queued call has been answered (their
 * callbacks run from here).  -1 when the connection failed, was lost or
 * refused, or TIMEOUT_MS passed first: db_error_text() says why, and calls
 * still queued stay queued until db_close() cancels them. */
int db_drain(struct db *db, int timeout_ms);
/* The last connection error, one line ("" when none). */
const char *db_error_text(const struct db *db);

/* COPY out, for subcommands only: it blocks (the TUI pages with an api
 * call instead).  With the db connected and idle (db_drain() returned 0),
 * runs, in one transaction (so that a transaction-mode pooler keeps them on
 * one server connection, and settings made by PREP with set_config(...,
 * true) last exactly as long as the COPY):
 *
 *   BEGIN; PREP (one statement, NPARAMS text parameters); COPY_SQL; COMMIT
 *
 * COPY takes no bind parameters, so secrets reach COPY_SQL through PREP's
 * settings (current_setting), never through its text.  ROW is given each
 * row as COPY's text format sends it (fields split by TAB, \N for NULL,
 * backslash escapes: see db_copy_fields), without its newline, in a buffer
 * it may change; ROW returning non-zero, or *STOP becoming non-zero (a
 * signal handler's flag; checked at least every 200 ms), cancels the COPY
 * and rolls back.  0, or -1 with one line in ERR and the SQLSTATE (or "")
 * in SQLSTATE[6]; a lost connection is left to the usual reconnect. */
typedef int (*db_copy_row_fn)(void *ud, char *line, size_t len);
int db_copy_out(struct db *db, const char *prep, int nparams, const char *const *values,
                const char *copy_sql, db_copy_row_fn row, void *ud,
                const volatile sig_atomic_t *stop, char sqlstate[6], char *err, size_t errlen);
/* db_copy_out for a grant read (the exports' rows): with [database]
 * replica_host, tried first on a connection of its own to the replica
 * (CONN_USE_REPLICA); when that cannot connect or the COPY fails before its
 * first row (LMR01: the replica is behind, or any other error), the same
 * runs on DB, and only that outcome is reported.  A failure after rows were
 * handed to ROW is the export's failure, as on the primary. */
int db_copy_out_read(struct db *db, const char *prep, int nparams, const char *const *values,
                     const char *copy_sql, db_copy_row_fn row, void *ud,
                     const volatile sig_atomic_t *stop, char sqlstate[6], char *err,
                     size_t errlen);
/* Splits a COPY text row (LINE, LEN bytes) in place into at most MAX
 * fields, decoding \b \f \n \r \t \v \\, octal \ooo and \xhh and
 * any other escaped byte as itself; a field that is exactly \N is NULL
 * (FIELDS[i] NULL).  Returns the number of fields, or -1 when there are
 * more than MAX.  The fields are NUL-terminated; LENS gets their lengths. */
int db_copy_fields(char *line, size_t len, char **fields, size_t *lens, int max);

/* A monotonic clock in milliseconds. */
long long db_now_ms(void);

#endif
