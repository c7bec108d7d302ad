/* From config to a libpq connection, under Lumen's transport policy.
 *
 * Policy: a host that is not a Unix socket directory or a loopback address
 * must be reached over TLS 1.2+ with a verified certificate (sslmode
 * verify-full or verify-ca).  It is checked before any packet is sent, for
 * every host of a multi-host list, and the refusal names the key to change.
 *
 * The connection comes from the config alone: conn_env_scrub() removes
 * libpq's environment variables at start-up, and every setting that
 * matters is also passed explicitly.  The session settings the client
 * relies on (writable transactions, timeouts, search_path, the text forms
 * of dates, bytea and intervals) go in libpq's `options`, which outranks a
 * role's or a database's defaults, so `ALTER ROLE ... SET` cannot break
 * the client.  Behind a transaction pooler ([database] pooler =
 * transaction) no `options` is sent: each call sets the same values in its
 * own transaction (conn_pooled_prelude; conn.c says why).                 */
#ifndef LUMEN_CLIENT_CONN_H
#define LUMEN_CLIENT_CONN_H

#include <stdbool.h>
#include <stddef.h>
#include <libpq-fe.h>

#include "client/config.h"

enum conn_host_kind { CONN_HOST_SOCKET, CONN_HOST_LOOPBACK, CONN_HOST_REMOTE };

/* What a connection is for: it picks the role and the session settings. */
enum conn_use {
    CONN_USE_CLIENT,    /* the TUI and api calls: [database] user, bounded waits */
    CONN_USE_MIGRATE,   /* lumen db migrate: [migrate] user, no time limits */
    CONN_USE_NOTIFY,    /* lumen notify: [notify] user, the client's bounded waits */
    CONN_USE_REPLICA,   /* the grant reads on [database] replica_host: the
                           client's settings, but read-only transactions */
};

/* Removes every PG* variable from the environment, so that libpq cannot
 * take a host, an address, a service file, TLS settings, a password or
 * session options from it.  Call once at start-up, before anything
 * connects and while the process has one thread. */
void conn_env_scrub(void);

/* The libpq `options` value (a list of -c settings) for USE; static. */
const char *conn_session_options(enum conn_use use);

/* Behind a transaction pooler: the statements sent before each call, in
 * the same pipeline and so the same transaction (client/db.c), that set
 * what conn_session_options(USE) sets at connect, transaction-locally.
 * *N gets their number; the array and strings are static. */
const char *const *conn_pooled_prelude(enum conn_use use, size_t *n);

/* What kind of host one entry of [database] host is. */
enum conn_host_kind conn_host_kind(const char *host);

/* 0 if the config may be used to connect, else -1 and a message in err.
 * Also checks [database] passfile (filecheck.h), before libpq reads it:
 * call it before every connection attempt. */
int conn_policy_check(const struct config *cfg, char *err, size_t errlen);

/* The libpq keywords/values for cfg, NULL-terminated, pointing into cfg
 * or static storage (valid while cfg is).  N is the capacity of both
 * arrays; CONN_PARAMS_MAX is enough. */
#define CONN_PARAMS_MAX 24
void conn_params(const struct config *cfg, enum conn_use use,
                 const char **keys, const char **vals, size_t n);

/* Checks the policy, then connects (blocking).  Returns the connection or
 * NULL with a one-line message in err.  The caller PQfinish()es it.
 * CONN_USE_MIGRATE is refused behind a transaction pooler. */
PGconn *conn_open_blocking(const struct config *cfg, enum conn_use use,
                           char *err, size_t errlen);

/* libpq's error text on one line, without its trailing newline. */
void conn_error_line(const char *pq_message, char *out, size_t outlen);

#endif
