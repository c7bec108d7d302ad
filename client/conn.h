/* From config to a libpq connection, under Lumen's transport policy.
 *
 * Policy: a host that is not a Unix socket directory or a loopback address
 * must be reached over TLS 1.2+ with a verified certificate (sslmode
 * verify-full or verify-ca).  It is checked before any packet is sent, for
 * every host of a multi-host list, and the refusal names the key to change.
 * Parameters are passed explicitly, so PGSSLMODE and friends in the
 * environment cannot weaken them.                                         */
#ifndef LUMEN_CLIENT_CONN_H
#define LUMEN_CLIENT_CONN_H

#include <stdbool.h>
#include <stddef.h>
#include <libpq-fe.h>

#include "client/config.h"

enum conn_host_kind { CONN_HOST_SOCKET, CONN_HOST_LOOPBACK, CONN_HOST_REMOTE };

/* What kind of host one entry of [database] host is. */
enum conn_host_kind conn_host_kind(const char *host);

/* 0 if the config may be used to connect, else -1 and a message in err. */
int conn_policy_check(const struct config *cfg, char *err, size_t errlen);

/* The libpq keywords/values for cfg, NULL-terminated, pointing into cfg
 * (valid while cfg is).  USER overrides [database] user when not NULL.
 * N is the capacity of both arrays; 16 is enough. */
void conn_params(const struct config *cfg, const char *user,
                 const char **keys, const char **vals, size_t n);

/* Checks the policy, then connects (blocking).  Returns the connection or
 * NULL with a one-line message in err.  The caller PQfinish()es it. */
PGconn *conn_open_blocking(const struct config *cfg, const char *user,
                           char *err, size_t errlen);

/* libpq's error text on one line, without its trailing newline. */
void conn_error_line(const char *pq_message, char *out, size_t outlen);

#endif
