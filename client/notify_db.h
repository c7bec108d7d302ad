/* notify_db: lumen notify's connection and its calls to the notify.*
 * functions (db/api/90_notify.sql; contract in the issue 11 notes and
 * db/API.md).
 *
 * Why not client/db.h's engine: that one is built for the TUI (owners,
 * cancellation, callbacks into screens).  The deliverer needs one call at
 * a time, in order, and its only other work is the transfers.  So each
 * call here is sent with PQsendQueryParams and waited for through the
 * caller's WAIT hook, which polls the database's socket together with
 * curl's (notify_http_poll): a slow answer never stalls a transfer, and a
 * call that gets no answer in NOTIFY_DB_CALL_TIMEOUT_S is given up with
 * its connection.  The connection too is made without blocking
 * (PQconnectStartParams), driven by the caller's poll (notify_db_pollfd,
 * notify_db_after_poll), and retried with backoff (1 s doubling to 30 s)
 * when it fails or drops.  Every failure of a call drops the connection:
 * a fresh one is the simplest known state, and the calls are idempotent
 * for the rows (a lapsed claim answers 'lost' or false).
 *
 * Not behind [database] pooler = transaction, the connection LISTENs on
 * lumen_outbox; a NOTIFY (any role can send one, so it only ever makes
 * lumen notify look) is reported by notify_db_woken.  Behind one, each
 * call is a pipeline of its own with the session's settings in its
 * transaction, as client/db.c sends the client's (conn_pooled_prelude).
 *
 * All strings a call returns are malloc'd and the caller's.              */
#ifndef LUMEN_CLIENT_NOTIFY_DB_H
#define LUMEN_CLIENT_NOTIFY_DB_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>

#include "client/config.h"
#include "client/notify_http.h"

#define NOTIFY_DB_CALL_TIMEOUT_S 40
#define NOTIFY_DB_CHANNEL "lumen_outbox"

/* Waits until FD is ready for EVENTS (POLLIN/POLLOUT) or TIMEOUT_MS pass,
 * doing the caller's other work meanwhile.  Returns FD's revents (0 on a
 * timeout), or -1 when the wait itself failed. */
typedef int (*notify_db_wait_fn)(void *ud, int fd, short events, int timeout_ms);

enum notify_db_state { NOTIFY_DB_DOWN, NOTIFY_DB_CONNECTING, NOTIFY_DB_UP };

struct notify_db;

/* CFG is kept by pointer and must outlive the handle. */
struct notify_db *notify_db_new(const struct config *cfg, notify_db_wait_fn wait, void *ud);
void notify_db_free(struct notify_db **db);

enum notify_db_state notify_db_state(const struct notify_db *db);
/* Why the last connection failed or dropped ("" if none did). */
const char *notify_db_error(const struct notify_db *db);
/* Connections made so far (0: the database was never reached). */
int notify_db_connections(const struct notify_db *db);

/* A libpq notice processor that drops notices: libpq would print them
 * (a role's WARNINGs, the server's last words) on stderr, where the log
 * keeps one line per attempt; a dropped connection is said by the loop. */
void notify_db_quiet(void *arg, const char *message);

/* DOWN: milliseconds until the next connection may be started (0: now). */
long notify_db_backoff_ms(const struct notify_db *db);
/* DOWN and the backoff over: starts a connection (the policy of
 * client/conn.h checked first).  0, or -1 (DOWN again, backoff grown,
 * notify_db_error says why). */
int notify_db_connect(struct notify_db *db);

/* The descriptor and events to poll for while CONNECTING or UP; -1 when
 * DOWN.  UP without LISTEN (a pooler): events 0. */
int notify_db_pollfd(const struct notify_db *db, short *events);
/* After the caller's poll, with the revents it got for notify_db_pollfd's
 * descriptor (0 when it was not ready: a connection past its
 * connect_timeout is then given up).  Moves a connection on (UP is
 * reached after LISTEN) or reads what came in. */
void notify_db_after_poll(struct notify_db *db, short revents);
/* Whether a NOTIFY on lumen_outbox came since the last call (cleared). */
bool notify_db_woken(struct notify_db *db);
/* Whether this connection LISTENs (not behind a transaction pooler). */
bool notify_db_listens(const struct notify_db *db);

/* notify.claim(LIMIT, channels, lease): webhook, and email too when
 * EMAIL.  0 with *MSGS (malloc'd array of *N, each message's strings the
 * caller's: notify_http_add takes them) or -1 (connection dropped). */
int notify_db_claim(struct notify_db *db, int limit, bool email, int lease_s,
                    struct notify_msg **msgs, size_t *n);

/* Reports an attempt: notify.delivered, notify.gone or notify.retry as O
 * says.  0 with *VERDICT one of "delivered", "gone", "retry", "failed",
 * "lost" (a claim that lapsed: nothing changed), or -1 (connection
 * dropped: report it again later). */
int notify_db_report(struct notify_db *db, const struct notify_outcome *o, const char **verdict);

/* notify.next_due(channels): 0 with *SECONDS (-1 when nothing waits), or
 * -1 (connection dropped). */
int notify_db_next_due(struct notify_db *db, bool email, double *seconds);

/* notify.checkpoints(): the daily audit checkpoint of every practice due
 * one.  0 with *WRITTEN (how many practices it wrote one for), or -1
 * (connection dropped). */
int notify_db_checkpoints(struct notify_db *db, int *written);

/* lumen notify status, on a plain blocking connection. */
struct notify_status_row {
    char *kind, *channel;
    long long due, waiting, failed, delivered;
    char *last_error;           /* NULL when none */
    char *last_error_at;        /* the server's text of a timestamptz, or NULL */
};
/* 0 with *ROWS (malloc'd, *N of them), or -1 with ERR.  POOLED: behind a
 * transaction pooler, where the session settings go in the call's own
 * transaction (conn_pooled_prelude). */
int notify_db_status(PGconn *c, bool pooled, struct notify_status_row **rows, size_t *n,
                     char *err, size_t errlen);
void notify_status_rows_free(struct notify_status_row *rows, size_t n);

#endif
