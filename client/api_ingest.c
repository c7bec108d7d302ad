/* The chatbot's ingest key (db/API.md, "Ingest: how leads arrive"): the
 * Owner makes a new one, shown once.  The server answers it in clear only
 * here; the client hands it to the callback and wipes its copies. */
#include "client/api_core.h"
#include "client/mem.h"

#include <libpq-fe.h>
#include <sodium.h>
#include <string.h>

struct key_row {
    const char *key;
};

static const struct api_col key_cols[] = {
    { "key", API_TEXT, API_FIELD(struct key_row, key), 0, 0, NULL },
};

static void on_key(void *ud, const struct db_reply *r)
{
    struct pending *p = ud;
    struct key_row row = { NULL };
    enum api_err err = api_decode_one(r, key_cols, API_NCOLS(key_cols), &row,
                                      "api.ingest_key_rotate");
    p->fn.text(p->ud, err, err == API_OK ? row.key : NULL);
    /* libpq's copy of the key: gone before the result is freed. */
    if (err == API_OK)
        sodium_memzero(PQgetvalue(r->res, 0, 0), strlen(row.key));
    free(p);
}

int api_ingest_key_rotate(struct db *db, struct api_auth *auth, api_text_fn done, void *ud,
                          const void *owner)
{
    struct pending *p = pending_new(ud, auth);
    p->fn.text = done;
    const char *v[1] = { auth->token };
    /* Never sent twice: a second send would rotate twice. */
    return pending_call(db, p, "SELECT api.ingest_key_rotate($1) AS key", 1, v, DB_SECRET,
                        on_key, owner);
}
