/* Private to client/db*.c. */
#ifndef LUMEN_CLIENT_DB_INT_H
#define LUMEN_CLIENT_DB_INT_H

#include <libpq-fe.h>

#include "client/db.h"

/* The connection when it is up and idle (no call queued or in flight),
 * else NULL. */
PGconn *db_conn_idle(struct db *db);
/* The connection went away under a blocking COPY: retried as any loss. */
void db_conn_lost(struct db *db, const char *why);

#endif
