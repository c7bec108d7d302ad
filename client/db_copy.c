/* Blocking COPY out for the subcommands (client/db.h: db_copy_out,
 * db_copy_fields), apart from the asynchronous engine of client/db.c: a
 * subcommand has no main loop, and streams a whole export through one
 * COPY on the connection it signed in with. */
#include "client/db.h"
#include "client/db_int.h"
#include "client/conn.h"

#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------ COPY out */

static int hexdig(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

int db_copy_fields(char *line, size_t len, char **fields, size_t *lens, int max)
{
    int n = 0;
    size_t i = 0;
    for (;;) {
        if (n == max)
            return -1;
        /* Exactly \N is NULL: told before the escapes are decoded. */
        if (i + 1 < len && line[i] == '\\' && line[i + 1] == 'N' &&
            (i + 2 == len || line[i + 2] == '\t')) {
            fields[n] = NULL;
            lens[n++] = 0;
            i += 2;
            if (i >= len)
                return n;
            i++;
            continue;
        }
        char *start = line + i, *o = start;
        while (i < len && line[i] != '\t') {
            char c = line[i++];
            if (c != '\\' || i >= len) {
                *o++ = c;
                continue;
            }
            c = line[i++];
            switch (c) {
            case 'b': *o++ = '\b'; break;
            case 'f': *o++ = '\f'; break;
            case 'n': *o++ = '\n'; break;
            case 'r': *o++ = '\r'; break;
            case 't': *o++ = '\t'; break;
            case 'v': *o++ = '\v'; break;
            case 'x': {
                int v = 0, k = 0, d;
                while (k < 2 && i < len && (d = hexdig(line[i])) >= 0) {
                    v = v * 16 + d;
                    i++;
                    k++;
                }
                *o++ = k ? (char)v : 'x';
                break;
            }
            default:
                if (c >= '0' && c <= '7') {
                    int v = c - '0', k = 1;
                    while (k < 3 && i < len && line[i] >= '0' && line[i] <= '7') {
                        v = v * 8 + (line[i++] - '0');
                        k++;
                    }
                    *o++ = (char)v;
                } else {
                    *o++ = c;
                }
            }
        }
        bool at_end = i >= len;
        *o = '\0';              /* never past the TAB or the end: decoding shrinks */
        fields[n] = start;
        lens[n++] = (size_t)(o - start);
        if (at_end)
            return n;
        i++;                    /* the TAB */
    }
}

static void result_error(PGresult *r, PGconn *conn, char sqlstate[6], char *err, size_t errlen)
{
    const char *st = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
    snprintf(sqlstate, 6, "%s", st ? st : "");
    conn_error_line(r ? PQresultErrorMessage(r) : PQerrorMessage(conn), err, errlen);
}

/* Runs SQL to its end (blocking); 0 when it succeeded. */
static int exec_ok(PGconn *conn, const char *sql, int n, const char *const *values,
                   char sqlstate[6], char *err, size_t errlen)
{
    PGresult *r = PQexecParams(conn, sql, n, NULL, values, NULL, NULL, 0);
    ExecStatusType st = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
    int rc = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK ? 0 : -1;
    if (rc)
        result_error(r, conn, sqlstate, err, errlen);
    PQclear(r);
    return rc;
}

static int copy_rows(PGconn *conn, db_copy_row_fn row, void *ud,
                     const volatile sig_atomic_t *stop, bool *stopped)
{
    char *buf;
    int n;
    for (;;) {
        if (stop && *stop) {
            *stopped = true;
            break;
        }
        n = PQgetCopyData(conn, &buf, 1);
        if (n > 0) {
            int rc = row(ud, buf, buf[n - 1] == '\n' ? (size_t)n - 1 : (size_t)n);
            PQfreemem(buf);
            if (rc)
                break;
        } else if (n == -1) {
            return 0;
        } else if (n == -2) {
            return -1;
        } else {
            struct pollfd p = { .fd = PQsocket(conn), .events = POLLIN };
            poll(&p, 1, 200);       /* EINTR too: *stop is looked at again */
            if (!PQconsumeInput(conn))
                return -1;
        }
    }
    /* Stopped: the server is asked to stop, and what it sent is read. */
    char e[256];
    PGcancel *pc = PQgetCancel(conn);
    if (pc) {
        PQcancel(pc, e, sizeof e);
        PQfreeCancel(pc);
    }
    PQsetnonblocking(conn, 0);
    while ((n = PQgetCopyData(conn, &buf, 0)) > 0)
        PQfreemem(buf);
    return -1;
}

/* Behind a transaction pooler, the settings the connection's `options`
 * would have set, in this transaction (conn.c: conn_pooled_prelude), as
 * every call of client/db.c has them. */
static int pooled_prelude(struct db *db, PGconn *conn, char sqlstate[6], char *err, size_t errlen)
{
    if (db->cfg->db.pooler != CONFIG_POOLER_TRANSACTION)
        return 0;
    size_t n;
    const char *const *pre = conn_pooled_prelude(db->use, &n);
    for (size_t i = 0; i < n; i++)
        if (exec_ok(conn, pre[i], 0, NULL, sqlstate, err, errlen) != 0)
            return -1;
    return 0;
}

int db_copy_out(struct db *db, const char *prep, int nparams, const char *const *values,
                const char *copy_sql, db_copy_row_fn row, void *ud,
                const volatile sig_atomic_t *stop, char sqlstate[6], char *err, size_t errlen)
{
    sqlstate[0] = '\0';
    PGconn *conn = db_conn_idle(db);
    if (!conn) {
        snprintf(err, errlen, "the database connection is not ready");
        return -1;
    }
    PQsetnonblocking(conn, 0);
    int rc = -1;
    bool stopped = false;
    if (exec_ok(conn, "BEGIN", 0, NULL, sqlstate, err, errlen) == 0 &&
        pooled_prelude(db, conn, sqlstate, err, errlen) == 0 &&
        (!prep || exec_ok(conn, prep, nparams, values, sqlstate, err, errlen) == 0)) {
        if (!PQsendQuery(conn, copy_sql)) {
            conn_error_line(PQerrorMessage(conn), err, errlen);
        } else {
            PGresult *r = PQgetResult(conn);
            if (r && PQresultStatus(r) == PGRES_COPY_OUT) {
                PQclear(r);
                PQsetnonblocking(conn, 1);
                int crc = copy_rows(conn, row, ud, stop, &stopped);
                PQsetnonblocking(conn, 0);
                r = PQgetResult(conn);
                if (crc == 0 && r && PQresultStatus(r) == PGRES_COMMAND_OK)
                    rc = 0;
                else if (stopped)
                    snprintf(err, errlen, "interrupted");
                else if (r && PQresultStatus(r) != PGRES_COMMAND_OK)
                    result_error(r, conn, sqlstate, err, errlen);
                else if (crc != 0 && !err[0])
                    snprintf(err, errlen, "stopped");
            } else {
                result_error(r, conn, sqlstate, err, errlen);
            }
            PQclear(r);
            while ((r = PQgetResult(conn)))
                PQclear(r);
        }
    }
    if (PQstatus(conn) == CONNECTION_BAD) {
        char why[CONFIG_ERR_MAX];
        snprintf(why, sizeof why, "%s", err[0] ? err : PQerrorMessage(conn));
        db_conn_lost(db, why);
        return -1;
    }
    char st2[6], e2[8];
    exec_ok(conn, rc == 0 ? "COMMIT" : "ROLLBACK", 0, NULL, st2, e2, sizeof e2);
    PQsetnonblocking(conn, 1);
    return rc;
}

/* ------------------------------------------------------------ on a replica */

struct counted {
    db_copy_row_fn row;
    void *ud;
    unsigned long long rows;
    bool failed;
};

static int counted_row(void *ud, char *line, size_t len)
{
    struct counted *c = ud;
    int rc = c->row(c->ud, line, len);
    if (rc)
        c->failed = true;
    else
        c->rows++;
    return rc;
}

int db_copy_out_read(struct db *db, const char *prep, int nparams, const char *const *values,
                     const char *copy_sql, db_copy_row_fn row, void *ud,
                     const volatile sig_atomic_t *stop, char sqlstate[6], char *err,
                     size_t errlen)
{
    if (db->cfg->db.replica_host && db->use == CONN_USE_CLIENT) {
        struct db *r = db_open_use(db->cfg, CONN_USE_REPLICA);
        struct counted c = { row, ud, 0, false };
        int rc = -1;
        if (db_drain(r, db->cfg->db.connect_timeout * 1000) == 0)
            rc = db_copy_out(r, prep, nparams, values, copy_sql, counted_row, &c, stop, sqlstate,
                             err, errlen);
        db_close(&r);
        /* Rows already written cannot be taken back: that is a failure. */
        if (rc == 0 || c.rows > 0 || c.failed || (stop && *stop))
            return rc;
        sqlstate[0] = '\0';
        if (errlen)
            err[0] = '\0';
    }
    return db_copy_out(db, prep, nparams, values, copy_sql, row, ud, stop, sqlstate, err, errlen);
}
