/* The account's own security (db/api/70_security.sql; spec: issue 10):
 * two-factor enrollment and recovery codes, the password change, the
 * sessions and signing them out, and the wake-up's session_state. */
#include "client/api_core.h"
#include "client/mem.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int api_password_set_key(const char *password, size_t len, struct api_kdf *kdf,
                         unsigned char *key)
{
    if (sodium_init() < 0)
        return -1;
    randombytes_buf(kdf->salt, sizeof kdf->salt);
    kdf->opslimit = API_KDF_OPSLIMIT;
    kdf->memlimit = API_KDF_MEMLIMIT;
    return api_derive_key(password, len, kdf, key);
}

/* ------------------------------------------------------------ two-factor */

static const struct api_col enroll_cols[] = {
    { "secret_base32", API_TEXT, API_FIELD(struct api_mfa_enroll, secret_base32), 0, 0, NULL },
    { "uri", API_TEXT, API_FIELD(struct api_mfa_enroll, uri), 0, 0, NULL },
    { "expires_at", API_TEXT, API_FIELD(struct api_mfa_enroll, expires_at), API_NULL_OK, 0,
      NULL },
};

/* Wipes libpq's copy of column NAME of R's one row. */
static void wipe_cell(const struct db_reply *r, const char *name)
{
    if (r->outcome != DB_OK || !r->res || PQntuples(r->res) != 1)
        return;
    int col = PQfnumber(r->res, name);
    if (col >= 0)
        sodium_memzero(PQgetvalue(r->res, 0, col), (size_t)PQgetlength(r->res, 0, col));
}

static void on_enroll(void *ud, const struct db_reply *r)
{
    struct pending *p = ud;
    struct api_mfa_enroll out = { 0 };
    enum api_err err = api_decode_one(r, enroll_cols, API_NCOLS(enroll_cols), &out,
                                      "api.mfa_enroll_begin");
    p->fn.mfa_enroll(p->ud, err, err == API_OK ? &out : NULL);
    wipe_cell(r, "secret_base32");
    wipe_cell(r, "uri");
    free(p);
}

int api_mfa_enroll_begin(struct db *db, struct api_auth *auth, api_mfa_enroll_fn done,
                         void *ud, const void *owner)
{
    struct pending *p = pending_new(ud, auth);
    p->fn.mfa_enroll = done;
    const char *v[1] = { auth->token };
    /* Not DB_RETRY: each call makes a new secret. */
    return pending_call(db, p, "SELECT * FROM api.mfa_enroll_begin($1)", 1, v, DB_SECRET,
                        on_enroll, owner);
}

int api_mfa_enroll_confirm(struct db *db, struct api_auth *auth, const char *code,
                           api_outcome_fn done, void *ud, const void *owner)
{
    const char *v[2] = { auth->token, code };
    return api_outcome_call(db, auth, "SELECT api.mfa_enroll_confirm($1, $2)", 2, v, NULL,
                            "api.mfa_enroll_confirm", done, ud, owner);
}

int api_mfa_recovery_regenerate(struct db *db, struct api_auth *auth, api_outcome_fn done,
                                void *ud, const void *owner)
{
    const char *v[1] = { auth->token };
    return api_outcome_call(db, auth, "SELECT api.mfa_recovery_regenerate($1)", 1, v, NULL,
                            "api.mfa_recovery_regenerate", done, ud, owner);
}

int api_mfa_disable(struct db *db, struct api_auth *auth, const char *code,
                    api_outcome_fn done, void *ud, const void *owner)
{
    const char *v[2] = { auth->token, code };
    return api_outcome_call(db, auth, "SELECT api.mfa_disable($1, $2)", 2, v, NULL,
                            "api.mfa_disable", done, ud, owner);
}

/* ------------------------------------------------------------ password */

int api_password_change(struct db *db, struct api_auth *auth, const unsigned char *current_key,
                        const struct api_kdf *new_kdf, const unsigned char *new_key,
                        api_outcome_fn done, void *ud, const void *owner)
{
    char ops[24], mem[24];
    snprintf(ops, sizeof ops, "%llu", new_kdf->opslimit);
    snprintf(mem, sizeof mem, "%zu", new_kdf->memlimit);
    const char *v[6] = { auth->token, (const char *)current_key, (const char *)new_kdf->salt,
                         ops, mem, (const char *)new_key };
    int len[6] = { 0, API_KEY_BYTES, API_SALT_BYTES, 0, 0, API_KEY_BYTES };
    return api_outcome_call(db, auth,
                            "SELECT api.password_change($1, $2::bytea, $3::bytea, $4::bigint, "
                            "$5::bigint, $6::bytea)",
                            6, v, len, "api.password_change", done, ud, owner);
}

/* ------------------------------------------------------------ sessions */

static const char *const session_row_state[] = { "live", "locked", NULL };
/* api_decode_all() stores an enum as an int; LOCKED is a bool, so the
 * state is decoded into a row of its own shape first. */
struct session_raw {
    struct api_session_row row;
    int state;
};
#define W(field) API_FIELD(struct session_raw, field)
static const struct api_col session_raw_cols[] = {
    { "id", API_UUID, W(row.id), 0, 0, NULL },
    { "created_at", API_TEXT, W(row.created_at), 0, 0, NULL },
    { "last_seen_at", API_TEXT, W(row.last_seen_at), API_NULL_OK, 0, NULL },
    { "server_addr", API_TEXT, W(row.server_addr), API_NULL_OK, 0, NULL },
    { "reported_origin", API_TEXT, W(row.reported_origin), API_NULL_OK, 0, NULL },
    { "client_version", API_TEXT, W(row.client_version), API_NULL_OK, 0, NULL },
    { "practice_name", API_TEXT, W(row.practice_name), API_NULL_OK, 0, NULL },
    { "state", API_ENUM, W(state), 0, 0, session_row_state },
    { "current", API_BOOL, W(row.current), 0, 0, NULL },
};
#undef W

enum api_err api_decode_sessions(const struct db_reply *r, struct api_session_row **list,
                                 size_t *n)
{
    struct session_raw *raw;
    enum api_err err = api_decode_all(r, session_raw_cols, API_NCOLS(session_raw_cols),
                                      sizeof *raw, (void **)&raw, n, "api.sessions");
    *list = NULL;
    if (err != API_OK)
        return err;
    *list = mem_alloc((*n ? *n : 1) * sizeof **list);
    for (size_t i = 0; i < *n; i++) {
        (*list)[i] = raw[i].row;
        (*list)[i].locked = raw[i].state == 1;
    }
    free(raw);
    return API_OK;
}

static void on_sessions(void *ud, const struct db_reply *r)
{
    struct pending *p = ud;
    struct api_session_row *list;
    size_t n = 0;
    enum api_err err = api_decode_sessions(r, &list, &n);
    p->fn.sessions(p->ud, err, list, err == API_OK ? n : 0);
    free(list);
    free(p);
}

int api_sessions(struct db *db, struct api_auth *auth, api_sessions_fn done, void *ud,
                 const void *owner)
{
    struct pending *p = pending_new(ud, auth);
    p->fn.sessions = done;
    const char *v[1] = { auth->token };
    return pending_call(db, p, "SELECT * FROM api.sessions($1)", 1, v, DB_SECRET | DB_RETRY,
                        on_sessions, owner);
}

int api_session_revoke(struct db *db, struct api_auth *auth, const char *session_id,
                       api_outcome_fn done, void *ud, const void *owner)
{
    const char *v[2] = { auth->token, session_id };
    return api_outcome_call(db, auth, "SELECT api.session_revoke($1, $2::uuid)", 2, v, NULL,
                            "api.session_revoke", done, ud, owner);
}

int api_sessions_revoke_all(struct db *db, struct api_auth *auth, bool include_current,
                            api_outcome_fn done, void *ud, const void *owner)
{
    const char *v[2] = { auth->token, include_current ? "true" : "false" };
    return api_outcome_call(db, auth, "SELECT api.sessions_revoke_all($1, $2::boolean)", 2, v,
                            NULL, "api.sessions_revoke_all", done, ud, owner);
}

/* ------------------------------------------------------------ state */

static const char *const state_names[] = {
    [API_SESSION_LIVE] = "live", [API_SESSION_LOCKED] = "locked",
    [API_SESSION_REVOKED] = "revoked", [API_SESSION_EXPIRED] = "expired",
    [API_SESSION_UNKNOWN] = "unknown", NULL,
};
#define T(field) API_FIELD(struct api_session_state, field)
static const struct api_col state_cols[] = {
    { "state", API_ENUM, T(state), 0, 0, state_names },
    { "why", API_TEXT, T(why), API_NULL_OK, 0, NULL },
    { "practice_id", API_UUID, T(practice_id), API_NULL_OK, 0, NULL },
    { "role", API_TEXT, T(role), API_NULL_OK, 0, NULL },
    { "mfa_enabled", API_BOOL, T(mfa_enabled), API_NULL_OK, 0, NULL },
    { "mfa_enroll_required", API_BOOL, T(mfa_enroll_required), API_NULL_OK, 0, NULL },
    { "idle_timeout_s", API_INT, T(idle_timeout_s), API_NULL_OK, -1, NULL },
    { "practice_closed", API_BOOL, T(practice_closed), API_NULL_OK, 0, NULL },
    { "leads_newest", API_INT64, T(leads_newest), API_NULL_OK, -1, NULL },
};
#undef T

enum api_err api_decode_session_state(const struct db_reply *r, struct api_session_state *out)
{
    memset(out, 0, sizeof *out);
    out->state = API_SESSION_UNKNOWN;
    out->why = out->role = "";
    out->idle_timeout_s = -1;
    out->leads_newest = -1;
    return api_decode_one(r, state_cols, API_NCOLS(state_cols), out, "api.session_state");
}

static void on_state(void *ud, const struct db_reply *r)
{
    struct pending *p = ud;
    struct api_session_state out;
    enum api_err err = api_decode_session_state(r, &out);
    p->fn.session_state(p->ud, err, err == API_OK ? &out : NULL);
    free(p);
}

int api_session_state(struct db *db, struct api_auth *auth, api_session_state_fn done, void *ud,
                      const void *owner)
{
    struct pending *p = pending_new(ud, auth);
    p->fn.session_state = done;
    const char *v[1] = { auth->token };
    return pending_call(db, p, "SELECT * FROM api.session_state($1)", 1, v,
                        DB_SECRET | DB_RETRY, on_state, owner);
}
