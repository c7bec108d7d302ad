#include "client/roles.h"
#include "client/conn.h"

#include <stdio.h>
#include <string.h>

bool roles_name_ok(const char *name, char *err, size_t errlen)
{
    size_t len = strlen(name);
    bool shape = len > 0 && len <= 63 && !(name[0] >= '0' && name[0] <= '9') &&
                 strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789_") == len;
    if (!shape)
        snprintf(err, errlen, "a role name is a lower-case identifier (a-z, 0-9, _; "
                 "not starting with a digit; at most 63 bytes), not '%s'", name);
    else if (strncmp(name, "pg_", 3) == 0)
        snprintf(err, errlen, "role names starting with pg_ are reserved by PostgreSQL");
    else if (strcmp(name, "lumen_owner") == 0 || strcmp(name, "lumen_api") == 0)
        snprintf(err, errlen, "%s is one of Lumen's own roles, not a client role", name);
    else if (strcmp(name, "all") == 0)
        snprintf(err, errlen, "a role named all would read as every role in pg_hba.conf");
    else
        return true;
    return false;
}

/* Runs SQL with up to one text parameter.  On success returns the result
 * (the caller PQclear()s it); else NULL with libpq's message in err. */
static PGresult *run(PGconn *c, const char *sql, const char *param, char *err, size_t errlen)
{
    PGresult *r = PQexecParams(c, sql, param ? 1 : 0, NULL, &param, NULL, NULL, 0);
    ExecStatusType st = PQresultStatus(r);
    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK)
        return r;
    char line[600];
    conn_error_line(PQresultErrorMessage(r), line, sizeof line);
    snprintf(err, errlen, "adding client role: %s", line);
    PQclear(r);
    return NULL;
}

/* Runs SQL that answers nothing worth keeping; true when it succeeded. */
static bool run_ok(PGconn *c, const char *sql, char *err, size_t errlen)
{
    PGresult *r = run(c, sql, NULL, err, errlen);
    bool ok = r != NULL;
    PQclear(r);
    return ok;
}

/* Everything the server decides, in one row: whether lumen_api and NAME
 * exist, whether NAME is more than a client, and the statements to run,
 * with the names quoted by format('%I').  The last two are migration 008's
 * database grants, which a copy (createdb -T, pg_restore without --create)
 * does not carry: said again for every role added. */
static const char plan_sql[] =
    "SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'lumen_api'),"
    "       r.rolname IS NOT NULL,"
    "       coalesce(r.rolsuper OR r.rolcreaterole OR r.rolcreatedb OR r.rolreplication"
    "                OR r.rolbypassrls, false),"
    "       CASE WHEN r.rolname IS NULL"
    "            THEN format('CREATE ROLE %I LOGIN INHERIT NOSUPERUSER NOCREATEDB "
    "NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD NULL', w.name)"
    "            ELSE format('ALTER ROLE %I INHERIT', w.name) END,"
    "       format('GRANT lumen_api TO %I', w.name),"
    "       format('REVOKE ALL ON DATABASE %I FROM PUBLIC', current_database()),"
    "       format('GRANT CONNECT ON DATABASE %I TO lumen_api', current_database())"
    "  FROM (SELECT $1::text AS name) w LEFT JOIN pg_roles r ON r.rolname = w.name";

static enum roles_added add_in_transaction(PGconn *c, const char *name, char *err, size_t errlen)
{
    PGresult *plan = run(c, plan_sql, name, err, errlen);
    if (!plan)
        return ROLES_FAILED;
    enum roles_added rc = strcmp(PQgetvalue(plan, 0, 1), "t") == 0 ? ROLES_EXISTED : ROLES_CREATED;
    if (strcmp(PQgetvalue(plan, 0, 0), "t") != 0) {
        snprintf(err, errlen, "role lumen_api does not exist in this cluster: run "
                 "'lumen db migrate' first");
        rc = ROLES_FAILED;
    } else if (strcmp(PQgetvalue(plan, 0, 2), "t") == 0) {
        snprintf(err, errlen, "role %s exists and is a superuser or may create roles or "
                 "databases, replicate or bypass row-level security: not a client role", name);
        rc = ROLES_FAILED;
    } else {
        for (int col = 3; col < PQnfields(plan) && rc != ROLES_FAILED; col++)
            if (!run_ok(c, PQgetvalue(plan, 0, col), err, errlen))
                rc = ROLES_FAILED;
    }
    PQclear(plan);
    return rc;
}

enum roles_added roles_add_client(PGconn *c, const char *name, char *err, size_t errlen)
{
    char why[256];
    if (!roles_name_ok(name, why, sizeof why)) {
        snprintf(err, errlen, "%s", why);
        return ROLES_FAILED;
    }
    if (!run_ok(c, "BEGIN", err, errlen))
        return ROLES_FAILED;
    enum roles_added rc = ROLES_FAILED;
    /* "already a member" is a NOTICE, not news. */
    if (run_ok(c, "SET LOCAL client_min_messages = warning", err, errlen))
        rc = add_in_transaction(c, name, err, errlen);
    if (rc != ROLES_FAILED && !run_ok(c, "COMMIT", err, errlen))
        rc = ROLES_FAILED;
    if (rc == ROLES_FAILED)
        PQclear(PQexec(c, "ROLLBACK"));
    return rc;
}
