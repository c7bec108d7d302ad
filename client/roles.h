/* Client login roles: what `lumen db add-client-role NAME` does.
 *
 * Deployments give each jump host (or practice) its own login role, so that
 * what PostgreSQL lets a role do to itself -- change its password or its
 * role defaults, signal its own backends -- reaches only that host.  Every
 * such role is a member of lumen_api (migration 008), which holds USAGE on
 * schema api, EXECUTE on the api functions and CONNECT; the role itself
 * holds nothing.
 *
 * Contract:
 *  - NAME is a lower-case identifier: [a-z_][a-z0-9_]*, at most 63 bytes,
 *    not pg_* (reserved by PostgreSQL), not lumen_owner or lumen_api, not
 *    all (a keyword of pg_hba.conf).
 *    roles_name_ok() checks that before anything connects.
 *  - roles_add_client() runs on a connection of the [migrate] user, which
 *    must be a superuser or have CREATEROLE.  In one transaction it creates
 *    NAME LOGIN INHERIT NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION
 *    NOBYPASSRLS with no password (PASSWORD NULL) and grants it lumen_api.
 *    When NAME exists it is granted lumen_api and made INHERIT, nothing
 *    else; an existing role that is a superuser or may create roles or
 *    databases, replicate or bypass row-level security is refused, as more
 *    than a client.  It also sets this database's grants again as
 *    migration 008 left them (CONNECT for lumen_api, nothing for PUBLIC:
 *    no TEMP), since copying a database (createdb -T, pg_restore without
 *    --create) drops them.  NAME reaches SQL only through format('%I') on
 *    the server.  Running it twice is harmless.
 *  - It fails when lumen_api does not exist (the database is not migrated
 *    to 008).                                                              */
#ifndef LUMEN_CLIENT_ROLES_H
#define LUMEN_CLIENT_ROLES_H

#include <stdbool.h>
#include <stddef.h>
#include <libpq-fe.h>

/* True when NAME may be given to roles_add_client(); else false and why in
 * err. */
bool roles_name_ok(const char *name, char *err, size_t errlen);

enum roles_added { ROLES_FAILED = -1, ROLES_CREATED = 0, ROLES_EXISTED = 1 };

/* Returns ROLES_CREATED or ROLES_EXISTED, or ROLES_FAILED with a one-line
 * message in err (nothing changed). */
enum roles_added roles_add_client(PGconn *conn, const char *name, char *err, size_t errlen);

#endif
