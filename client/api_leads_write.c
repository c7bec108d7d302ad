/* The lead inbox's writes (set status, assign, note, delete: each an
 * attempt whose status is read with api.attempt_result, as the guesses
 * are), the arrivals poll, and the export's two calls. */
#include "client/api_core.h"
#include "client/mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------ writes */

static const char *const change_status[] = {
    [API_CHANGE_OK] = "ok", [API_CHANGE_DENIED] = "denied",
    [API_CHANGE_NOT_FOUND] = "not_found", NULL,
};
static const struct api_col change_cols[] = {
    { "status", API_ENUM, API_FIELD(struct api_change, status), 0, 0, change_status },
    { "affected", API_INT64, API_FIELD(struct api_change, affected), API_NULL_OK, 0, NULL },
};

enum api_err api_decode_change(const struct db_reply *r, struct api_change *out, const char *what)
{
    out->status = API_CHANGE_NOT_FOUND;
    out->affected = 0;
    return api_decode_one(r, change_cols, API_NCOLS(change_cols), out, what);
}

static void on_change(void *ud, const struct db_reply *r)
{
    struct pending *p = ud;
    struct api_change out;
    enum api_err err = api_decode_change(r, &out, p->what);
    p->fn.change(p->ud, err, err == API_OK ? &out : NULL);
    free(p);
}

/* Never DB_RETRY (attempt_call): a change is told once. */
static int change_call(struct db *db, struct api_auth *auth, const char *sql, const char *a1,
                       const char *a2, const char *what, api_change_fn done, void *ud,
                       const void *owner)
{
    struct pending *p = pending_new(ud, auth);
    p->fn.change = done;
    p->what = what;
    const char *v[3] = { auth->token, a1, a2 };
    return attempt_call(db, p, sql, 3, v, NULL, on_change, owner);
}

int api_leads_set_status(struct db *db, struct api_auth *auth, const long long *ids, size_t n,
                         const char *status, api_change_fn done, void *ud, const void *owner)
{
    char *arr = api_ids_param(ids, n);
    int rc = change_call(db, auth, "SELECT api.leads_set_status($1, $2::bigint[], $3)", arr,
                         status, "api.leads_set_status", done, ud, owner);
    free(arr);
    return rc;
}

int api_leads_assign(struct db *db, struct api_auth *auth, const long long *ids, size_t n,
                     const char *account_id, api_change_fn done, void *ud, const void *owner)
{
    char *arr = api_ids_param(ids, n);
    int rc = change_call(db, auth, "SELECT api.leads_assign($1, $2::bigint[], $3::uuid)", arr,
                         account_id && *account_id ? account_id : NULL, "api.leads_assign", done,
                         ud, owner);
    free(arr);
    return rc;
}

int api_lead_note(struct db *db, struct api_auth *auth, long long lead_id, const char *body,
                  api_change_fn done, void *ud, const void *owner)
{
    char id[24];
    snprintf(id, sizeof id, "%lld", lead_id);
    return change_call(db, auth, "SELECT api.lead_note($1, $2::bigint, $3)", id, body,
                       "api.lead_note", done, ud, owner);
}

int api_lead_delete(struct db *db, struct api_auth *auth, long long lead_id, const char *reason,
                    api_change_fn done, void *ud, const void *owner)
{
    char id[24];
    snprintf(id, sizeof id, "%lld", lead_id);
    return change_call(db, auth, "SELECT api.lead_delete($1, $2::bigint, $3)", id, reason,
                       "api.lead_delete", done, ud, owner);
}

/* ------------------------------------------------------------ arrivals */

static const struct api_col arrivals_cols[] = {
    { "newest_id", API_INT64, API_FIELD(struct api_arrivals, newest_id), API_NULL_OK, -1, NULL },
    { "arrived", API_INT, API_FIELD(struct api_arrivals, arrived), API_NULL_OK, 0, NULL },
};

static void on_arrivals(void *ud, const struct db_reply *r)
{
    struct pending *p = ud;
    struct api_arrivals out = { -1, 0 };
    enum api_err err = api_decode_one(r, arrivals_cols, API_NCOLS(arrivals_cols), &out,
                                      "api.leads_arrivals");
    p->fn.arrivals(p->ud, err, err == API_OK ? &out : NULL);
    free(p);
}

int api_leads_arrivals(struct db *db, struct api_auth *auth, long long after_id,
                       api_arrivals_fn done, void *ud, const void *owner)
{
    struct pending *p = pending_new(ud, auth);
    p->fn.arrivals = done;
    char id[24];
    snprintf(id, sizeof id, "%lld", after_id);
    const char *v[2] = { auth->token, after_id >= 0 ? id : NULL };
    return pending_call(db, p, "SELECT * FROM api.leads_arrivals($1, $2::bigint)", 2, v,
                        DB_SECRET | DB_RETRY, on_arrivals, owner);
}

/* ------------------------------------------------------------ export */

static const struct api_col export_open_cols[] = {
    { "grant", API_STR, API_FIELD(struct api_export_open, grant), 0, 0, NULL },
    { "row_count", API_INT64, API_FIELD(struct api_export_open, row_count), 0, 0, NULL },
};

static void on_export_open(void *ud, const struct db_reply *r)
{
    struct pending *p = ud;
    struct api_export_open out = { "", 0 };
    enum api_err err = api_decode_one(r, export_open_cols, API_NCOLS(export_open_cols), &out,
                                      "api.leads_export_open");
    if (err == API_OK && !api_grant_ok(out.grant)) {
        api_set_detail("api.leads_export_open: column \"grant\" is not a grant");
        err = API_ERR_SERVER;
    }
    p->fn.export_open(p->ud, err, err == API_OK ? &out : NULL);
    free(p);
}

int api_leads_export_open(struct db *db, struct api_auth *auth, const char *filter_json,
                          bool with_transcript, api_export_open_fn done, void *ud,
                          const void *owner)
{
    struct pending *p = pending_new(ud, auth);
    p->fn.export_open = done;
    const char *v[3] = { auth->token, filter_json && *filter_json ? filter_json : "{}",
                         with_transcript ? "true" : "false" };
    /* Audited: not DB_RETRY. */
    return pending_call(db, p, "SELECT * FROM api.leads_export_open($1, $2::jsonb, $3::boolean)",
                        3, v, DB_SECRET, on_export_open, owner);
}

static const char *const export_columns[] = {
    "id", "captured_at", "status", "name", "phone", "email", "service", "page_url",
    "assigned_name", "first_response_at", "transcript", NULL,
};

int api_leads_export_rows(struct db *db, struct api_auth *auth, const char *grant,
                          long long after_id, int limit, api_rows_fn done, void *ud,
                          const void *owner)
{
    char after[24], lim[16];
    snprintf(after, sizeof after, "%lld", after_id);
    snprintf(lim, sizeof lim, "%d", limit);
    const char *v[4] = { auth->token, grant, after_id >= 0 ? after : NULL,
                         limit > 0 ? lim : NULL };
    return api_rows_call(db, auth,
                         "SELECT * FROM api.leads_export_rows($1, $2, $3::bigint, $4::integer)",
                         4, v, export_columns, "api.leads_export_rows", done, ud, owner);
}
