/* The audit log viewer's calls (spec: issue 8, /work/spec-audit.md): the
 * range of a preset, the grants (audit_open, audit_export_open), a page,
 * one row, the events per day and the export's rows.  The decoders are
 * table-driven (client/api_core.h) and reachable from the unit tests. */
#include "client/api_core.h"
#include "client/mem.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* YYYY-MM-DD by shape (the server's date output, DateStyle ISO). */
static bool day_shape(const char *s)
{
    for (int i = 0; i < 10; i++)
        if (i == 4 || i == 7 ? s[i] != '-' : !isdigit((unsigned char)s[i]))
            return false;
    return s[10] == '\0';
}

static bool hex64(const char *s)
{
    for (int i = 0; i < 64; i++)
        if (!isxdigit((unsigned char)s[i]))
            return false;
    return s[64] == '\0';
}

/* ------------------------------------------------------------ range */

static const struct api_col range_cols[] = {
    { "from_at", API_STR, API_FIELD(struct api_audit_range, from_at), 0, 0, NULL },
    { "to_at", API_STR, API_FIELD(struct api_audit_range, to_at), 0, 0, NULL },
    { "first_day", API_STR, API_FIELD(struct api_audit_range, first_day), 0, 0, NULL },
    { "last_day", API_STR, API_FIELD(struct api_audit_range, last_day), 0, 0, NULL },
    { "timezone", API_STR, API_FIELD(struct api_audit_range, timezone), 0, 0, NULL },
};

enum api_err api_decode_audit_range(const struct db_reply *r, struct api_audit_range *out)
{
    memset(out, 0, sizeof *out);
    enum api_err err = api_decode_one(r, range_cols, API_NCOLS(range_cols), out,
                                      "api.audit_range");
    if (err == API_OK && (!day_shape(out->first_day) || !day_shape(out->last_day))) {
        api_set_detail("api.audit_range: column \"%s\" is not a date",
                       day_shape(out->first_day) ? "last_day" : "first_day");
        err = API_ERR_SERVER;
    }
    if (err == API_OK && (!out->from_at[0] || !out->to_at[0] || !out->timezone[0])) {
        api_set_detail("api.audit_range: column \"%s\" is empty",
                       !out->from_at[0] ? "from_at" : !out->to_at[0] ? "to_at" : "timezone");
        err = API_ERR_SERVER;
    }
    return err;
}

static void on_range(void *ud, const struct db_reply *r)
{
    struct pending *p = ud;
    struct api_audit_range out;
    enum api_err err = api_decode_audit_range(r, &out);
    p->fn.audit_range(p->ud, err, err == API_OK ? &out : NULL);
    free(p);
}

int api_audit_range(struct db *db, struct api_auth *auth, const char *preset,
                    const char *from_day, const char *to_day, api_audit_range_fn done, void *ud,
                    const void *owner)
{
    struct pending *p = pending_new(ud, auth);
    p->fn.audit_range = done;
    const char *v[4] = { auth->token, preset, from_day, to_day };
    /* No data and no audit row: safe to send again. */
    return pending_call(db, p, "SELECT * FROM api.audit_range($1, $2, $3::date, $4::date)", 4, v,
                        DB_SECRET | DB_RETRY, on_range, owner);
}

/* ------------------------------------------------------------ grant */

int api_audit_open(struct db *db, struct api_auth *auth, const char *from_at, const char *to_at,
                   const char *filter_json, api_grant_fn done, void *ud, const void *owner)
{
    const char *v[4] = { auth->token, from_at, to_at,
                         filter_json && *filter_json ? filter_json : "{}" };
    return api_grant_call(db, auth,
                          "SELECT api.audit_open($1, $2::timestamptz, $3::timestamptz, $4::jsonb) "
                          "AS grant_handle", 4, v, "api.audit_open", done, ud, owner);
}

/* ------------------------------------------------------------ a page */

const char *const api_audit_page_columns[] = {
    "key", "id", "at", "actor_email", "action", "target_type", "target_id", "outcome",
    "reported_origin", "server_addr", NULL,
};

int api_audit_page(struct db *db, struct api_auth *auth, const char *grant, const char *from,
                   const char *key, int limit, api_rows_fn done, void *ud, const void *owner)
{
    char lim[16];
    snprintf(lim, sizeof lim, "%d", limit);
    const char *v[5] = { auth->token, grant, from, key, lim };
    return api_rows_call(db, auth, "SELECT * FROM api.audit_page($1, $2, $3, $4, $5::integer)",
                         5, v, api_audit_page_columns, "api.audit_page", done, ud, owner);
}

/* ------------------------------------------------------------ one row */

#define ROW_TEXT(name, flags) \
    { #name, API_TEXT, API_FIELD(struct api_audit_row, name), flags, 0, NULL }
static const struct api_col row_cols[] = {
    { "id", API_INT64, API_FIELD(struct api_audit_row, id), 0, 0, NULL },
    ROW_TEXT(at, 0),
    ROW_TEXT(actor_id, API_NULL_OK),
    ROW_TEXT(actor_email, API_NULL_OK),
    ROW_TEXT(session_id, API_NULL_OK),
    ROW_TEXT(action, 0),
    ROW_TEXT(target_type, API_NULL_OK),
    ROW_TEXT(target_id, API_NULL_OK),
    ROW_TEXT(outcome, 0),
    ROW_TEXT(server_addr, API_NULL_OK),
    ROW_TEXT(reported_origin, API_NULL_OK),
    ROW_TEXT(detail, API_NULL_OK),
};
#undef ROW_TEXT

enum api_err api_decode_audit_row(const struct db_reply *r, struct api_audit_row *out,
                                  bool *found)
{
    memset(out, 0, sizeof *out);
    *found = false;
    enum api_err err = api_reply_err(r);
    if (err != API_OK)
        return err;
    int n = PQntuples(r->res);
    if (n > 1) {
        api_set_detail("api.audit_row: %d rows, not one", n);
        return API_ERR_SERVER;
    }
    /* Zero rows: outside the grant's range or filter.  The columns are
     * checked all the same: a renamed one must not pass for "not found". */
    if (n == 0) {
        for (size_t i = 0; i < API_NCOLS(row_cols); i++)
            if (PQfnumber(r->res, row_cols[i].name) < 0) {
                api_set_detail("api.audit_row: column \"%s\" missing", row_cols[i].name);
                return API_ERR_SERVER;
            }
        return API_OK;
    }
    if (api_decode(r->res, 0, row_cols, API_NCOLS(row_cols), out, "api.audit_row") != 0)
        return API_ERR_SERVER;
    *found = true;
    return API_OK;
}

static void on_row(void *ud, const struct db_reply *r)
{
    struct pending *p = ud;
    struct api_audit_row row;
    bool found;
    enum api_err err = api_decode_audit_row(r, &row, &found);
    p->fn.audit_row(p->ud, err, err == API_OK && found ? &row : NULL);
    free(p);
}

int api_audit_row(struct db *db, struct api_auth *auth, const char *grant, long long id,
                  api_audit_row_fn done, void *ud, const void *owner)
{
    struct pending *p = pending_new(ud, auth);
    p->fn.audit_row = done;
    char sid[24];
    snprintf(sid, sizeof sid, "%lld", id);
    const char *v[3] = { auth->token, grant, sid };
    return pending_call(db, p, "SELECT * FROM api.audit_row($1, $2, $3::bigint)", 3, v,
                        DB_SECRET | DB_RETRY | DB_REPLICA, on_row, owner);
}

/* ------------------------------------------------------------ days */

static const struct api_col day_cols[] = {
    { "day", API_TEXT, API_FIELD(struct api_audit_day, day), 0, 0, NULL },
    { "events", API_INT64, API_FIELD(struct api_audit_day, events), 0, 0, NULL },
};

enum api_err api_decode_audit_days(const struct db_reply *r, struct api_audit_day **days,
                                   size_t *n)
{
    void *list;
    enum api_err err = api_decode_all(r, day_cols, API_NCOLS(day_cols),
                                      sizeof(struct api_audit_day), &list, n, "api.audit_days");
    *days = list;
    for (size_t i = 0; err == API_OK && i < *n; i++)
        if (!day_shape((*days)[i].day) || (*days)[i].events < 0 ||
            (i > 0 && strcmp((*days)[i - 1].day, (*days)[i].day) >= 0)) {
            api_set_detail("api.audit_days: row %zu is not a day after the one before, with "
                           "a count", i + 1);
            err = API_ERR_SERVER;
        }
    if (err != API_OK) {
        free(*days);
        *days = NULL;
        *n = 0;
    }
    return err;
}

static void on_days(void *ud, const struct db_reply *r)
{
    struct pending *p = ud;
    struct api_audit_day *days;
    size_t n;
    enum api_err err = api_decode_audit_days(r, &days, &n);
    p->fn.audit_days(p->ud, err, days, n);
    free(days);
    free(p);
}

int api_audit_days(struct db *db, struct api_auth *auth, const char *grant,
                   api_audit_days_fn done, void *ud, const void *owner)
{
    struct pending *p = pending_new(ud, auth);
    p->fn.audit_days = done;
    const char *v[2] = { auth->token, grant };
    return pending_call(db, p, "SELECT * FROM api.audit_days($1, $2)", 2, v,
                        DB_SECRET | DB_RETRY | DB_REPLICA, on_days, owner);
}

/* ------------------------------------------------------------ export */

static const struct api_col export_open_cols[] = {
    { "grant", API_STR, API_FIELD(struct api_audit_export_open, grant), 0, 0, NULL },
    { "row_count", API_INT64, API_FIELD(struct api_audit_export_open, row_count), 0, 0, NULL },
    { "head_seq", API_INT64, API_FIELD(struct api_audit_export_open, head_seq), 0, 0, NULL },
    { "head_hash", API_STR, API_FIELD(struct api_audit_export_open, head_hash), 0, 0, NULL },
};

enum api_err api_decode_audit_export_open(const struct db_reply *r,
                                          struct api_audit_export_open *out)
{
    memset(out, 0, sizeof *out);
    enum api_err err = api_decode_one(r, export_open_cols, API_NCOLS(export_open_cols), out,
                                      "api.audit_export_open");
    const char *bad = err != API_OK ? NULL
                      : !api_grant_ok(out->grant) ? "\"grant\" is not a grant"
                      : !hex64(out->head_hash) ? "\"head_hash\" is not 64 hex digits"
                      : out->row_count < 0 || out->head_seq < 0 ? "count or seq is negative"
                      : NULL;
    if (bad) {
        api_set_detail("api.audit_export_open: column %s", bad);
        err = API_ERR_SERVER;
    }
    if (err != API_OK)
        memset(out->grant, 0, sizeof out->grant);
    return err;
}

static void on_export_open(void *ud, const struct db_reply *r)
{
    struct pending *p = ud;
    struct api_audit_export_open out;
    enum api_err err = api_decode_audit_export_open(r, &out);
    p->fn.audit_export_open(p->ud, err, err == API_OK ? &out : NULL);
    memset(out.grant, 0, sizeof out.grant);
    free(p);
}

int api_audit_export_open(struct db *db, struct api_auth *auth, const char *from_at,
                          const char *to_at, const char *filter_json,
                          api_audit_export_open_fn done, void *ud, const void *owner)
{
    struct pending *p = pending_new(ud, auth);
    p->fn.audit_export_open = done;
    const char *v[4] = { auth->token, from_at, to_at,
                         filter_json && *filter_json ? filter_json : "{}" };
    /* Audited: not DB_RETRY. */
    return pending_call(db, p,
                        "SELECT * FROM api.audit_export_open($1, $2::timestamptz, "
                        "$3::timestamptz, $4::jsonb)",
                        4, v, DB_SECRET, on_export_open, owner);
}

const char *const api_audit_export_columns[] = {
    "id", "at", "actor_email", "action", "target_type", "target_id", "outcome", "server_addr",
    "reported_origin", "session_id", "detail", NULL,
};

int api_audit_export_rows(struct db *db, struct api_auth *auth, const char *grant,
                          long long after_id, int limit, api_rows_fn done, void *ud,
                          const void *owner)
{
    char after[24], lim[16];
    snprintf(after, sizeof after, "%lld", after_id);
    snprintf(lim, sizeof lim, "%d", limit);
    const char *v[4] = { auth->token, grant, after_id >= 0 ? after : NULL,
                         limit > 0 ? lim : NULL };
    return api_rows_call(db, auth,
                         "SELECT * FROM api.audit_export_rows($1, $2, $3::bigint, $4::integer)",
                         4, v, api_audit_export_columns, "api.audit_export_rows", done, ud,
                         owner);
}
