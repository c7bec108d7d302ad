/* The lead inbox's reads (spec: issue 7, "api functions"): the grants
 * (leads_open, lead_open), a page of leads, one lead, its items, the
 * assignees; and the helpers for raw row pages (struct api_rows).  The
 * writes, arrivals and the export are in client/api_leads_write.c. */
#include "client/api_core.h"
#include "client/mem.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------ helpers */

bool api_grant_ok(const char *s)
{
    for (int i = 0; i < API_GRANT_HEX; i++)
        if (!isxdigit((unsigned char)s[i]))
            return false;
    return s[API_GRANT_HEX] == '\0';
}

char *api_ids_param(const long long *ids, size_t n)
{
    /* "-9223372036854775808," is 21 bytes. */
    size_t cap = 3 + n * 21, used = 0;
    char *s = mem_alloc(cap);
    s[used++] = '{';
    for (size_t i = 0; i < n; i++)
        used += (size_t)snprintf(s + used, cap - used, "%s%lld", i ? "," : "", ids[i]);
    s[used++] = '}';
    s[used] = '\0';
    return s;
}

int api_rows_check(const PGresult *res, const char *const *columns, const char *what)
{
    for (size_t i = 0; columns && columns[i]; i++)
        if (PQfnumber(res, columns[i]) < 0) {
            api_set_detail("%s: column \"%s\" missing", what, columns[i]);
            return -1;
        }
    return 0;
}

int api_rows_col(const struct api_rows *r, const char *column)
{
    return r && r->res ? PQfnumber(r->res, column) : -1;
}

const char *api_rows_at(const struct api_rows *r, int row, int col)
{
    if (!r || !r->res || col < 0 || col >= PQnfields(r->res) || row < 0 || row >= r->n)
        return "";
    return PQgetvalue(r->res, row, col);   /* "" when NULL */
}

const char *api_rows_get(const struct api_rows *r, int row, const char *column)
{
    return api_rows_at(r, row, api_rows_col(r, column));
}

bool api_rows_null(const struct api_rows *r, int row, const char *column)
{
    int col = api_rows_col(r, column);
    if (col < 0 || row < 0 || row >= r->n)
        return true;
    return PQgetisnull(r->res, row, col);
}

void api_rows_cells(const struct api_rows *r, int row, const char *const *columns, size_t n,
                    const char **cells, size_t *lens)
{
    for (size_t c = 0; c < n; c++) {
        int col = api_rows_col(r, columns[c]);
        bool null = col < 0 || row < 0 || row >= r->n || PQgetisnull(r->res, row, col);
        cells[c] = null ? NULL : PQgetvalue(r->res, row, col);
        lens[c] = null ? 0 : (size_t)PQgetlength(r->res, row, col);
    }
}

/* The answer of an api_rows call: the columns checked, then the callback. */
static void on_rows(void *ud, const struct db_reply *r)
{
    struct pending *p = ud;
    enum api_err err = api_reply_err(r);
    struct api_rows rows = { NULL, 0 };
    if (err == API_OK && api_rows_check(r->res, p->columns, p->what) != 0)
        err = API_ERR_SERVER;
    if (err == API_OK) {
        rows.res = r->res;
        rows.n = PQntuples(r->res);
    }
    p->fn.rows(p->ud, err, err == API_OK ? &rows : NULL);
    free(p);
}

int api_rows_call(struct db *db, struct api_auth *auth, const char *sql, int nparams,
                  const char *const *values, const char *const *columns, const char *what,
                  api_rows_fn done, void *ud, const void *owner)
{
    struct pending *p = pending_new(ud, auth);
    p->fn.rows = done;
    p->columns = columns;
    p->what = what;
    /* Reads with a grant: not audited, so safe to send again, and a read
     * replica may serve them (client/db.h, DB_REPLICA). */
    return pending_call(db, p, sql, nparams, values, DB_SECRET | DB_RETRY | DB_REPLICA, on_rows,
                        owner);
}

/* ------------------------------------------------------------ grants */

struct grant_row {
    char grant[API_GRANT_HEX + 1];
};
static const struct api_col grant_cols[] = {
    { "grant_handle", API_STR, API_FIELD(struct grant_row, grant), 0, 0, NULL },
};

static void on_grant(void *ud, const struct db_reply *r)
{
    struct pending *p = ud;
    struct grant_row row = { "" };
    enum api_err err = api_decode_one(r, grant_cols, API_NCOLS(grant_cols), &row, p->what);
    if (err == API_OK && !api_grant_ok(row.grant)) {
        api_set_detail("%s: column \"grant_handle\" is not a grant", p->what);
        err = API_ERR_SERVER;
    }
    p->fn.grant(p->ud, err, err == API_OK ? row.grant : NULL);
    free(p);
}

int api_grant_call(struct db *db, struct api_auth *auth, const char *sql, int nparams,
                   const char *const *values, const char *what, api_grant_fn done, void *ud,
                   const void *owner)
{
    struct pending *p = pending_new(ud, auth);
    p->fn.grant = done;
    p->what = what;
    /* Audited: never DB_RETRY (a second audit row for one opening). */
    return pending_call(db, p, sql, nparams, values, DB_SECRET, on_grant, owner);
}

int api_leads_open(struct db *db, struct api_auth *auth, const char *filter_json,
                   api_grant_fn done, void *ud, const void *owner)
{
    const char *v[2] = { auth->token, filter_json && *filter_json ? filter_json : "{}" };
    return api_grant_call(db, auth, "SELECT api.leads_open($1, $2::jsonb) AS grant_handle", 2, v,
                          "api.leads_open", done, ud, owner);
}

int api_lead_open(struct db *db, struct api_auth *auth, long long lead_id, api_grant_fn done,
                  void *ud, const void *owner)
{
    char id[24];
    snprintf(id, sizeof id, "%lld", lead_id);
    const char *v[2] = { auth->token, id };
    return api_grant_call(db, auth, "SELECT api.lead_open($1, $2::bigint) AS grant_handle", 2, v,
                          "api.lead_open", done, ud, owner);
}

/* ------------------------------------------------------------ a page */

static const char *const page_columns[] = {
    "key", "id", "captured_at", "age_s", "status", "name", "service", "phone", "email",
    "assigned_to", "assigned_name", "touched", NULL,
};

int api_leads_page(struct db *db, struct api_auth *auth, const char *grant, const char *order,
                   const char *from, const char *key, int limit, api_rows_fn done, void *ud,
                   const void *owner)
{
    char lim[16];
    snprintf(lim, sizeof lim, "%d", limit);
    const char *v[6] = { auth->token, grant, order, from, key, lim };
    return api_rows_call(db, auth,
                         "SELECT * FROM api.leads_page($1, $2, $3, $4, $5, $6::integer)", 6, v,
                         page_columns, "api.leads_page", done, ud, owner);
}

/* ------------------------------------------------------------ one lead */

static const struct api_col lead_cols[] = {
    { "id", API_INT64, API_FIELD(struct api_lead, id), 0, 0, NULL },
    { "visitor_id", API_TEXT, API_FIELD(struct api_lead, visitor_id), API_NULL_OK, 0, NULL },
    { "name", API_TEXT, API_FIELD(struct api_lead, name), API_NULL_OK, 0, NULL },
    { "phone", API_TEXT, API_FIELD(struct api_lead, phone), API_NULL_OK, 0, NULL },
    { "email", API_TEXT, API_FIELD(struct api_lead, email), API_NULL_OK, 0, NULL },
    { "service", API_TEXT, API_FIELD(struct api_lead, service), API_NULL_OK, 0, NULL },
    { "page_url", API_TEXT, API_FIELD(struct api_lead, page_url), API_NULL_OK, 0, NULL },
    { "captured_at", API_TEXT, API_FIELD(struct api_lead, captured_at), 0, 0, NULL },
    { "age_s", API_INT64, API_FIELD(struct api_lead, age_s), API_NULL_OK, 0, NULL },
    { "status", API_TEXT, API_FIELD(struct api_lead, status), 0, 0, NULL },
    { "assigned_to", API_TEXT, API_FIELD(struct api_lead, assigned_to), API_NULL_OK, 0, NULL },
    { "assigned_name", API_TEXT, API_FIELD(struct api_lead, assigned_name), API_NULL_OK, 0, NULL },
    { "first_response_at", API_TEXT, API_FIELD(struct api_lead, first_response_at), API_NULL_OK,
      0, NULL },
    { "updated_at", API_TEXT, API_FIELD(struct api_lead, updated_at), 0, 0, NULL },
};

static void on_lead(void *ud, const struct db_reply *r)
{
    struct pending *p = ud;
    enum api_err err = api_reply_err(r);
    struct api_lead lead = { 0 };
    bool found = false;
    if (err == API_OK && PQntuples(r->res) > 1) {
        api_set_detail("api.lead_get: %d rows, not one", PQntuples(r->res));
        err = API_ERR_SERVER;
    } else if (err == API_OK && PQntuples(r->res) == 1) {
        if (api_decode(r->res, 0, lead_cols, API_NCOLS(lead_cols), &lead, "api.lead_get") != 0)
            err = API_ERR_SERVER;
        else
            found = true;
    }
    p->fn.lead(p->ud, err, err == API_OK && found ? &lead : NULL);
    free(p);
}

int api_lead_get(struct db *db, struct api_auth *auth, const char *grant, api_lead_fn done,
                 void *ud, const void *owner)
{
    struct pending *p = pending_new(ud, auth);
    p->fn.lead = done;
    const char *v[2] = { auth->token, grant };
    return pending_call(db, p, "SELECT * FROM api.lead_get($1, $2)", 2, v,
                        DB_SECRET | DB_RETRY | DB_REPLICA, on_lead, owner);
}

/* ------------------------------------------------------------ lists */

static const struct api_col item_cols[] = {
    { "kind", API_TEXT, API_FIELD(struct api_lead_item, kind), 0, 0, NULL },
    { "at", API_TEXT, API_FIELD(struct api_lead_item, at), API_NULL_OK, 0, NULL },
    { "who", API_TEXT, API_FIELD(struct api_lead_item, who), API_NULL_OK, 0, NULL },
    { "body", API_TEXT, API_FIELD(struct api_lead_item, body), API_NULL_OK, 0, NULL },
};

static void on_items(void *ud, const struct db_reply *r)
{
    struct pending *p = ud;
    void *list;
    size_t n;
    enum api_err err = api_decode_all(r, item_cols, API_NCOLS(item_cols),
                                      sizeof(struct api_lead_item), &list, &n, "api.lead_items");
    p->fn.items(p->ud, err, list, n);
    free(list);
    free(p);
}

int api_lead_items(struct db *db, struct api_auth *auth, const char *grant,
                   api_lead_items_fn done, void *ud, const void *owner)
{
    struct pending *p = pending_new(ud, auth);
    p->fn.items = done;
    const char *v[2] = { auth->token, grant };
    return pending_call(db, p, "SELECT * FROM api.lead_items($1, $2)", 2, v,
                        DB_SECRET | DB_RETRY | DB_REPLICA, on_items, owner);
}

static const struct api_col member_cols[] = {
    { "account_id", API_TEXT, API_FIELD(struct api_member, account_id), 0, 0, NULL },
    { "display_name", API_TEXT, API_FIELD(struct api_member, display_name), 0, 0, NULL },
    { "role", API_TEXT, API_FIELD(struct api_member, role), 0, 0, NULL },
};

static void on_members(void *ud, const struct db_reply *r)
{
    struct pending *p = ud;
    void *list;
    size_t n;
    enum api_err err = api_decode_all(r, member_cols, API_NCOLS(member_cols),
                                      sizeof(struct api_member), &list, &n, "api.lead_assignees");
    p->fn.members(p->ud, err, list, n);
    free(list);
    free(p);
}

int api_lead_assignees(struct db *db, struct api_auth *auth, api_members_fn done, void *ud,
                       const void *owner)
{
    struct pending *p = pending_new(ud, auth);
    p->fn.members = done;
    const char *v[1] = { auth->token };
    return pending_call(db, p, "SELECT * FROM api.lead_assignees($1)", 1, v,
                        DB_SECRET | DB_RETRY, on_members, owner);
}
