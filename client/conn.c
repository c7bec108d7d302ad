#include "client/conn.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

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
    if (v && *i + 1 < n) {
        keys[*i] = k;
        vals[*i] = v;
        (*i)++;
    }
}

void conn_params(const struct config *cfg, const char *user,
                 const char **keys, const char **vals, size_t n)
{
    static char timeout[16];
    size_t i = 0;
#define PARAM(k, v) add_param(keys, vals, n, &i, (k), (v))
    snprintf(timeout, sizeof timeout, "%d", cfg->db.connect_timeout);
    PARAM("host", cfg->db.host);
    PARAM("port", cfg->db.port);
    PARAM("dbname", cfg->db.dbname);
    PARAM("user", user ? user : cfg->db.user);
    PARAM("passfile", cfg->db.passfile);
    PARAM("sslmode", cfg->db.sslmode);
    PARAM("sslrootcert", cfg->db.sslrootcert);
    PARAM("sslcert", cfg->db.sslcert);
    PARAM("sslkey", cfg->db.sslkey);
    PARAM("ssl_min_protocol_version", cfg->db.ssl_min_protocol_version);
    PARAM("target_session_attrs", cfg->db.target_session_attrs);
    PARAM("connect_timeout", timeout);
    PARAM("application_name", "lumen");
    /* GSS encryption would be negotiated outside the TLS policy above. */
    PARAM("gssencmode", "disable");
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

PGconn *conn_open_blocking(const struct config *cfg, const char *user, char *err, size_t errlen)
{
    if (conn_policy_check(cfg, err, errlen) != 0)
        return NULL;
    const char *keys[20], *vals[20];
    conn_params(cfg, user, keys, vals, 20);
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
