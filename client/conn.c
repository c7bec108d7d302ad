#include "client/conn.h"
#include "client/filecheck.h"
#include "client/mem.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

extern char **environ;

/* libpq reads PGHOSTADDR, PGSERVICE (and with it a whole service file),
 * PGSSLROOTCERT, PGOPTIONS, PGTZ, PGDATESTYLE and some forty more for
 * whatever the caller leaves unset, and some of them (PGHOSTADDR,
 * PGSERVICE, PGREQUIREPEER) cannot be overridden by an explicit value,
 * because libpq takes an empty value for "unset".  So they go, all of
 * them: every name starting with PG, rather than a list that a newer libpq
 * would outgrow.  Lumen starts no programs, so nothing else misses them.
 * Names are copied first: unsetenv() reshapes environ under the loop. */
void conn_env_scrub(void)
{
    size_t n = 0, k = 0;
    for (char **e = environ; e && *e; e++)
        n++;
    char **names = mem_alloc((n + 1) * sizeof *names);
    for (char **e = environ; e && *e; e++)
        if (strncmp(*e, "PG", 2) == 0)
            names[k++] = mem_strndup(*e, strcspn(*e, "="));
    for (size_t i = 0; i < k; i++) {
        unsetenv(names[i]);
        free(names[i]);
    }
    free(names);
}

/* Every setting whose default a role or a database could change to break
 * the client (ALTER ROLE lumen_client SET ... needs no privilege), pinned
 * at connect: options are PGC_S_CLIENT, above any ALTER ROLE/DATABASE SET.
 * Sign-in writes (attempt counts, sessions, audit rows), so transactions
 * are writable, read committed and not deferrable.  The client reads the
 * text forms of dates, bytea and numbers, so those are fixed.  A role
 * default could also end the session on any error (exit_on_error) or when
 * idle (idle_session_timeout: the TUI idles by design), hide rows behind
 * an error (row_security = off) or change what the api's SQL and PL/pgSQL
 * mean (transform_null_equals, plpgsql.variable_conflict,
 * plpgsql.extra_errors).  libpq splits options on spaces: a space inside a
 * value is escaped. */
#define CONN_SESSION_COMMON                                         \
    "-c default_transaction_read_only=off "                         \
    "-c default_transaction_isolation=read\\ committed "            \
    "-c default_transaction_deferrable=off "                        \
    "-c DateStyle=ISO,MDY -c IntervalStyle=postgres -c TimeZone=UTC " \
    "-c bytea_output=hex -c extra_float_digits=1 "                  \
    "-c standard_conforming_strings=on -c client_min_messages=warning " \
    "-c exit_on_error=off -c idle_session_timeout=0 -c row_security=on " \
    "-c transform_null_equals=off -c plpgsql.variable_conflict=error " \
    "-c plpgsql.extra_errors=none "

const char *conn_session_options(enum conn_use use)
{
    /* The client names every schema it calls, so its path holds only
     * pg_catalog, with pg_temp named last so that no temporary object can
     * stand in for a built-in.  Its calls are short: a wait past these
     * bounds is a fault to report, not to sit out. */
    static const char client[] = CONN_SESSION_COMMON
        "-c search_path=pg_catalog,pg_temp "
        "-c statement_timeout=30s -c lock_timeout=5s "
        "-c idle_in_transaction_session_timeout=60s";
    /* Migrations set their own search_path and may rewrite big tables:
     * PostgreSQL's default path, and no time limit at all. */
    static const char migrate[] = CONN_SESSION_COMMON
        "-c search_path=\"$user\",public "
        "-c statement_timeout=0 -c lock_timeout=0 "
        "-c idle_in_transaction_session_timeout=0";
    /* The deliverer calls the notify.* functions as the client calls the
     * api: short calls, every schema named. */
    return use == CONN_USE_MIGRATE ? migrate : client;
}

enum conn_host_kind conn_host_kind(const char *host)
{
    /* libpq treats an absolute path (or @abstract name) as a socket dir. */
    if (host[0] == '/' || host[0] == '@')
        return CONN_HOST_SOCKET;
    if (strcasecmp(host, "localhost") == 0)
        return CONN_HOST_LOOPBACK;
    unsigned char a4[4], a6[16];
    if (inet_pton(AF_INET, host, a4) == 1)
        return a4[0] == 127 ? CONN_HOST_LOOPBACK : CONN_HOST_REMOTE;
    if (inet_pton(AF_INET6, host, a6) == 1) {
        static const unsigned char lo6[16] = { [15] = 1 };
        return memcmp(a6, lo6, 16) == 0 ? CONN_HOST_LOOPBACK : CONN_HOST_REMOTE;
    }
    return CONN_HOST_REMOTE;
}

int conn_policy_check(const struct config *cfg, char *err, size_t errlen)
{
    const char *mode = cfg->db.sslmode;
    bool verified = strcmp(mode, "verify-full") == 0 || strcmp(mode, "verify-ca") == 0;
    const char *p = cfg->db.host;
    char host[256];

    while (*p) {
        size_t n = strcspn(p, ",");
        if (n == 0 || n >= sizeof host) {
            snprintf(err, errlen, "%s: [database] host has an empty or overlong entry in '%s'",
                     cfg->path, cfg->db.host);
            return -1;
        }
        memcpy(host, p, n);
        host[n] = '\0';
        if (conn_host_kind(host) == CONN_HOST_REMOTE && !verified) {
            snprintf(err, errlen,
                     "%s: [database] host '%s' is not local, so the connection must verify the "
                     "server: set sslmode = verify-full (now %s) and sslrootcert to the CA file",
                     cfg->path, host, mode);
            return -1;
        }
        p += n;
        if (*p == ',')
            p++;
    }
    /* libpq would only warn on stderr and go on without it. */
    if (cfg->db.passfile &&
        filecheck_path(cfg->db.passfile, FILECHECK_SECRET, err, errlen) != 0)
        return -1;
    /* config.c accepts only TLSv1.2 and TLSv1.3; this guards a future edit. */
    if (strcmp(cfg->db.ssl_min_protocol_version, "TLSv1.2") != 0 &&
        strcmp(cfg->db.ssl_min_protocol_version, "TLSv1.3") != 0) {
        snprintf(err, errlen, "%s: [database] ssl_min_protocol_version must be TLSv1.2 or TLSv1.3",
                 cfg->path);
        return -1;
    }
    return 0;
}

static void add_param(const char **keys, const char **vals, size_t n, size_t *i,
                      const char *k, const char *v)
{
    if (!v)
        return;
    /* Dropping a parameter would hand it back to libpq's defaults. */
    if (*i + 1 >= n)
        mem_fatal("conn_params: the parameter arrays are too small");
    keys[*i] = k;
    vals[*i] = v;
    (*i)++;
}

void conn_params(const struct config *cfg, enum conn_use use,
                 const char **keys, const char **vals, size_t n)
{
    static char timeout[16];
    size_t i = 0;
    const char *user = use == CONN_USE_MIGRATE && cfg->migrate.user ? cfg->migrate.user
                     : use == CONN_USE_NOTIFY ? cfg->notify.user
                     : cfg->db.user;
#define PARAM(k, v) add_param(keys, vals, n, &i, (k), (v))
    snprintf(timeout, sizeof timeout, "%d", cfg->db.connect_timeout);
    PARAM("host", cfg->db.host);
    PARAM("port", cfg->db.port);
    PARAM("dbname", cfg->db.dbname);
    PARAM("user", user);
    PARAM("passfile", cfg->db.passfile);
    PARAM("sslmode", cfg->db.sslmode);
    PARAM("sslrootcert", cfg->db.sslrootcert);
    PARAM("sslcert", cfg->db.sslcert);
    PARAM("sslkey", cfg->db.sslkey);
    PARAM("ssl_min_protocol_version", cfg->db.ssl_min_protocol_version);
    PARAM("target_session_attrs", cfg->db.target_session_attrs);
    PARAM("connect_timeout", timeout);
    /* The deliverer is told apart in pg_stat_activity. */
    PARAM("application_name", use == CONN_USE_NOTIFY ? "lumen notify" : "lumen");
    /* GSS encryption would be negotiated outside the TLS policy above. */
    PARAM("gssencmode", "disable");
    /* The rest restate libpq's defaults, so that no leftover in the
     * environment can change them even if the scrub was skipped. */
    PARAM("options", conn_session_options(use));
    PARAM("client_encoding", "UTF8");
    PARAM("sslcompression", "0");
    PARAM("channel_binding", "prefer");
#undef PARAM
    keys[i] = NULL;
    vals[i] = NULL;
}

void conn_error_line(const char *msg, char *out, size_t outlen)
{
    size_t j = 0;
    for (size_t i = 0; msg && msg[i] && j + 1 < outlen; i++) {
        char c = msg[i];
        if (c == '\n') {
            if (!msg[i + 1])
                break;
            c = ' ';
        }
        out[j++] = c;
    }
    out[j] = '\0';
}

PGconn *conn_open_blocking(const struct config *cfg, enum conn_use use, char *err, size_t errlen)
{
    if (conn_policy_check(cfg, err, errlen) != 0)
        return NULL;
    const char *keys[CONN_PARAMS_MAX], *vals[CONN_PARAMS_MAX];
    conn_params(cfg, use, keys, vals, CONN_PARAMS_MAX);
    PGconn *c = PQconnectdbParams(keys, vals, 0);
    if (!c || PQstatus(c) != CONNECTION_OK) {
        char line[400];
        conn_error_line(c ? PQerrorMessage(c) : "out of memory", line, sizeof line);
        snprintf(err, errlen, "cannot connect to the database: %s", line);
        PQfinish(c);
        return NULL;
    }
    return c;
}
