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
 * value is escaped.
 *
 * These strings are the one list of what the client relies on: behind a
 * transaction pooler, conn_pooled_prelude() derives from them the
 * statements that set the same values in each call's own transaction. */
#define CONN_SESSION_COMMON CONN_SESSION_RW("off")
/* A hot standby refuses a read-write transaction ("cannot set transaction
 * read-write mode during recovery"): behind a pooler the prelude's SET
 * transaction_read_only = off would fail every call.  The replica's
 * connection asks for read-only ones instead, which also keeps it from
 * writing should replica_host ever name a primary. */
#define CONN_SESSION_RW(ro)                                         \
    "-c default_transaction_read_only=" ro " "                      \
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
     * stand in for a built-in.  It acts as its login role, never as a role
     * that a role default (or, behind a pooler, someone else's SET ROLE on
     * a shared server connection) picked.  Its calls are short: a wait
     * past these bounds is a fault to report, not to sit out. */
    static const char client[] = CONN_SESSION_COMMON
        "-c search_path=pg_catalog,pg_temp -c role=none "
        "-c statement_timeout=30s -c lock_timeout=5s "
        "-c idle_in_transaction_session_timeout=60s";
    /* Migrations set their own search_path and may rewrite big tables:
     * PostgreSQL's default path, and no time limit at all. */
    static const char migrate[] = CONN_SESSION_COMMON
        "-c search_path=\"$user\",public "
        "-c statement_timeout=0 -c lock_timeout=0 "
        "-c idle_in_transaction_session_timeout=0";
    /* The replica serves the client's grant reads: its settings, but
     * read-only. */
    static const char replica[] = CONN_SESSION_RW("on")
        "-c search_path=pg_catalog,pg_temp -c role=none "
        "-c statement_timeout=30s -c lock_timeout=5s "
        "-c idle_in_transaction_session_timeout=60s";
    /* The deliverer calls the notify.* functions as the client calls the
     * api: short calls, every schema named. */
    return use == CONN_USE_MIGRATE ? migrate : use == CONN_USE_REPLICA ? replica : client;
}

/* Behind a transaction pooler (PgBouncer pool_mode = transaction) the
 * connection the client holds is the pooler's, and each transaction runs
 * on whichever server connection is free.  So `options` cannot work:
 * PgBouncer refuses an unknown startup parameter, and one it was told to
 * ignore would be dropped in silence.  Nor can a SET at connect: it would
 * land on one server connection and stay there for whoever gets it next,
 * while the client's next transaction runs elsewhere.  And the session a
 * call lands on is not the client's: anyone with the same login role
 * shares the pool, and may have left a SET search_path, bytea_output,
 * default_transaction_read_only or ROLE on it (server_reset_query runs only
 * in session mode).  Checking the settings at connect proves nothing
 * about the next server connection, and a role's defaults are no help
 * against a SET.  The api functions' own SET clauses (search_path,
 * lock_timeout) hold only inside them: not for the statement around them,
 * nor for how their rows are written out (DateStyle, bytea_output,
 * extra_float_digits apply as the row is sent).
 *
 * So the settings go where a transaction pooler keeps them together with
 * the call: in its transaction.  Each call is sent as one pipeline (db.c),
 * these statements first, then the call, then one Sync: an implicit
 * transaction, on one server connection, that ends (committing, or rolling
 * back on any error) at the Sync.  What is set in it is transaction-local
 * (set_config(..., true), i.e. SET LOCAL), so it neither leaks out to the
 * next user of the server connection nor depends on what came in.  One
 * round trip, as before; the server parses three short SETs and one
 * SELECT more per call.  (An explicit BEGIN ... COMMIT would do as well
 * but leave a failed call's transaction open, holding the server
 * connection, until a ROLLBACK one more round trip away.)
 *
 * From each -c setting of the options above:
 *   default_transaction_{isolation,read_only,deferrable}: read when a
 *       transaction starts, which has happened by then; the transaction's
 *       own transaction_* is set instead, by plain SETs that come before
 *       any query takes a snapshot (as SET TRANSACTION would, which warns
 *       outside a BEGIN block).  A plain SET of these three is reset when
 *       the next transaction starts, so it does not outlive this one.
 *   idle_session_timeout: acts only on a session idle outside any
 *       transaction, which behind a pooler is PgBouncer's server connection
 *       (its server_idle_timeout), never the client's: left out.
 *   plpgsql.variable_conflict: superuser-only (PGC_SUSET) once PL/pgSQL is
 *       loaded, so set_config would fail on a server connection that has
 *       run a function; for the same reason no pool-mate can change it (a
 *       value set before PL/pgSQL loads is dropped, with a warning, when it
 *       loads), nor can a role default that a superuser did not set: left
 *       out.  (The option at connect is dropped the same way: only
 *       PostgreSQL's default, error, or a superuser's choice, ever holds.)
 *   every other one: SELECT pg_catalog.set_config(name, value, true), all
 *       in one statement, before the call is even parsed (so the call's
 *       names resolve under the client's search_path).  That statement
 *       itself names its function with its schema and resolves no other
 *       name, whatever search_path it finds.
 * What a pool-mate leaves behind can then at worst make a call fail with
 * an error (a statement_timeout of 1 ms that fires before the prelude has
 * run), never run it with other settings. */
#define PRELUDE_MAX 8
#define PRELUDE_SQL_MAX 2048

static void prelude_add(char *buf, size_t *len, const char *s, size_t n)
{
    if (*len + n + 1 > PRELUDE_SQL_MAX)
        mem_fatal("conn_pooled_prelude: the settings do not fit");
    memcpy(buf + *len, s, n);
    *len += n;
    buf[*len] = '\0';
}

/* S as a SQL string literal (quotes doubled) appended to BUF. */
static void prelude_quote(char *buf, size_t *len, const char *s, size_t n)
{
    prelude_add(buf, len, "'", 1);
    for (size_t i = 0; i < n; i++)
        prelude_add(buf, len, s[i] == '\'' ? "''" : s + i, 1 + (s[i] == '\''));
    prelude_add(buf, len, "'", 1);
}

struct prelude {
    char sql[PRELUDE_MAX][PRELUDE_SQL_MAX];
    const char *stmt[PRELUDE_MAX];
    size_t n;
};

static void prelude_build(struct prelude *p, const char *options)
{
    size_t len[PRELUDE_MAX] = { 0 };
    size_t nset = 0;             /* the set_config SELECT: the last statement */
    char *sel = p->sql[PRELUDE_MAX - 1];
    size_t *sellen = &len[PRELUDE_MAX - 1];
    p->n = 0;
    for (const char *o = options; *o;) {
        if (strncmp(o, "-c ", 3) != 0)
            mem_fatal("conn_pooled_prelude: an option is not -c");
        o += 3;
        char set[256];
        size_t k = 0;
        for (; *o && *o != ' '; o++) {
            if (*o == '\\' && o[1])
                o++;
            if (k + 1 >= sizeof set)
                mem_fatal("conn_pooled_prelude: an option is too long");
            set[k++] = *o;
        }
        set[k] = '\0';
        while (*o == ' ')
            o++;
        const char *eq = strchr(set, '=');
        if (!eq)
            mem_fatal("conn_pooled_prelude: an option has no value");
        size_t nlen = (size_t)(eq - set);
        const char *val = eq + 1;
        static const char dt[] = "default_transaction_";
        static const char *const left_out[] = { "idle_session_timeout",
                                                "plpgsql.variable_conflict" };
        bool skip = false;
        for (size_t i = 0; i < sizeof left_out / sizeof left_out[0]; i++)
            skip |= nlen == strlen(left_out[i]) && strncmp(set, left_out[i], nlen) == 0;
        if (skip)
            continue;
        if (strncmp(set, dt, sizeof dt - 1) == 0) {
            if (p->n + 2 > PRELUDE_MAX)
                mem_fatal("conn_pooled_prelude: too many statements");
            char *q = p->sql[p->n];
            size_t *ql = &len[p->n];
            p->n++;
            prelude_add(q, ql, "SET transaction_", strlen("SET transaction_"));
            prelude_add(q, ql, set + sizeof dt - 1, nlen - (sizeof dt - 1));
            prelude_add(q, ql, " = ", 3);
            prelude_quote(q, ql, val, strlen(val));
            continue;
        }
        const char *sep = nset++ ? ", " : "SELECT ";
        prelude_add(sel, sellen, sep, strlen(sep));
        prelude_add(sel, sellen, "pg_catalog.set_config(", strlen("pg_catalog.set_config("));
        prelude_quote(sel, sellen, set, nlen);
        prelude_add(sel, sellen, ", ", 2);
        prelude_quote(sel, sellen, val, strlen(val));
        prelude_add(sel, sellen, ", true)", strlen(", true)"));
    }
    for (size_t i = 0; i < p->n; i++)
        p->stmt[i] = p->sql[i];
    if (nset)
        p->stmt[p->n++] = sel;
}

const char *const *conn_pooled_prelude(enum conn_use use, size_t *n)
{
    /* Built once per options string, i.e. per use. */
    static struct {
        const char *options;
        struct prelude p;
    } cache[4];
    const char *options = conn_session_options(use);
    for (size_t i = 0; i < sizeof cache / sizeof cache[0]; i++) {
        if (!cache[i].options) {
            prelude_build(&cache[i].p, options);
            cache[i].options = options;
        }
        if (cache[i].options == options) {
            *n = cache[i].p.n;
            return cache[i].p.stmt;
        }
    }
    mem_fatal("conn_pooled_prelude: more uses than the cache holds");
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

/* Every entry of a host list (KEY: host or replica_host) under the policy. */
static int hosts_check(const struct config *cfg, const char *key, const char *list,
                       char *err, size_t errlen)
{
    const char *mode = cfg->db.sslmode;
    bool verified = strcmp(mode, "verify-full") == 0 || strcmp(mode, "verify-ca") == 0;
    const char *p = list;
    char host[256];

    while (*p) {
        size_t n = strcspn(p, ",");
        if (n == 0 || n >= sizeof host) {
            snprintf(err, errlen, "%s: [database] %s has an empty or overlong entry in '%s'",
                     cfg->path, key, list);
            return -1;
        }
        memcpy(host, p, n);
        host[n] = '\0';
        if (conn_host_kind(host) == CONN_HOST_REMOTE && !verified) {
            snprintf(err, errlen,
                     "%s: [database] %s '%s' is not local, so the connection must verify the "
                     "server: set sslmode = verify-full (now %s) and sslrootcert to the CA file",
                     cfg->path, key, host, mode);
            return -1;
        }
        p += n;
        if (*p == ',')
            p++;
    }
    return 0;
}

int conn_policy_check(const struct config *cfg, char *err, size_t errlen)
{
    /* The replica is held to the same policy: it serves the same data. */
    if (hosts_check(cfg, "host", cfg->db.host, err, errlen) != 0 ||
        (cfg->db.replica_host &&
         hosts_check(cfg, "replica_host", cfg->db.replica_host, err, errlen) != 0))
        return -1;
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
    bool replica = use == CONN_USE_REPLICA;
    PARAM("host", replica ? cfg->db.replica_host : cfg->db.host);
    PARAM("port", replica ? cfg->db.replica_port : cfg->db.port);
    PARAM("dbname", cfg->db.dbname);
    PARAM("user", user);
    PARAM("passfile", cfg->db.passfile);
    PARAM("sslmode", cfg->db.sslmode);
    PARAM("sslrootcert", cfg->db.sslrootcert);
    PARAM("sslcert", cfg->db.sslcert);
    PARAM("sslkey", cfg->db.sslkey);
    PARAM("ssl_min_protocol_version", cfg->db.ssl_min_protocol_version);
    /* The primary's attrs (read-write) would refuse a standby; the replica
     * takes any server, since its reads check where they run (017). */
    PARAM("target_session_attrs", replica ? "any" : cfg->db.target_session_attrs);
    PARAM("connect_timeout", timeout);
    /* The deliverer is told apart in pg_stat_activity. */
    PARAM("application_name", use == CONN_USE_NOTIFY ? "lumen notify"
                              : replica ? "lumen replica" : "lumen");
    /* GSS encryption would be negotiated outside the TLS policy above. */
    PARAM("gssencmode", "disable");
    /* Behind a transaction pooler each call sets them in its own
     * transaction instead (conn_pooled_prelude).  (Left out, or empty,
     * libpq would take PGOPTIONS from the environment were the scrub
     * skipped; PgBouncer would then refuse the connection, loudly.) */
    if (cfg->db.pooler != CONFIG_POOLER_TRANSACTION)
        PARAM("options", conn_session_options(use));
    /* The rest restate libpq's defaults, so that no leftover in the
     * environment can change them even if the scrub was skipped. */
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
    /* Migrations hold a session-level advisory lock and run each file in a
     * transaction of its own, with SET ROLE between them: behind a
     * transaction pooler those would land on different server connections
     * (the lock taken on one, released on another). */
    if (use == CONN_USE_MIGRATE && cfg->db.pooler == CONFIG_POOLER_TRANSACTION) {
        snprintf(err, errlen,
                 "%s: [database] pooler = transaction: migrations need a session of their own; "
                 "run them with a config whose [database] reaches PostgreSQL directly "
                 "(pooler = none)", cfg->path);
        return NULL;
    }
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
