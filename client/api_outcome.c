/* The outcomes of the team and security writes (client/api_core.h,
 * api_outcome_call): an attempt, then its row of api.attempt_result with
 * the two columns those writes added -- secret (shown once) and info
 * (jsonb facts).  info's keys are read by the server (->>), not by a JSON
 * parser here: each becomes a column of its own that the decoder table
 * checks like any other, and a key that is absent is a NULL. */
#include "client/api_core.h"
#include "client/mem.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

/* Booleans compared as jsonb, so that no value the server sends can make
 * the query fail (a failed query would lose the outcome, told only once). */
const char api_outcome_sql[] =
    "SELECT r.status, r.retry_after_s, r.affected, r.recovery_codes_left, r.secret, "
    "r.info ->> 'invite_id' AS invite_id, r.info ->> 'expires_at' AS expires_at, "
    "r.info ->> 'practice_name' AS practice_name, r.info ->> 'role' AS role, "
    "COALESCE(r.info -> 'account_exists' = 'true'::jsonb, false) AS account_exists, "
    "COALESCE(r.info -> 'mfa_required' = 'true'::jsonb, false) AS mfa_required, "
    "r.info ->> 'purge_after' AS purge_after, r.info ->> 'head_seq' AS head_seq, "
    "r.info ->> 'head_hash' AS head_hash, "
    "r.info ->> 'webhook_id' AS webhook_id, r.info ->> 'email_id' AS email_id "
    "FROM api.attempt_result($1) r";

static const char *const outcome_status[] = {
    [API_OUTCOME_OK] = "ok", [API_OUTCOME_DENIED] = "denied",
    [API_OUTCOME_NOT_FOUND] = "not_found", [API_OUTCOME_INVALID] = "invalid",
    [API_OUTCOME_LOCKED] = "locked", [API_OUTCOME_LAPSED] = "lapsed",
    [API_OUTCOME_REQUIRED] = "required", [API_OUTCOME_EXISTS] = "exists", NULL,
};

#define O(field) API_FIELD(struct api_outcome, field)
static const struct api_col outcome_cols[] = {
    /* The secret first: once read, it is wiped whatever follows. */
    { "secret", API_TEXT, O(secret), API_NULL_OK, 0, NULL },
    { "status", API_ENUM, O(status), 0, 0, outcome_status },
    { "retry_after_s", API_INT, O(retry_after_s), API_NULL_OK, 0, NULL },
    { "affected", API_INT64, O(affected), API_NULL_OK, 0, NULL },
    { "recovery_codes_left", API_INT, O(recovery_codes_left), API_NULL_OK, -1, NULL },
    { "invite_id", API_UUID, O(invite_id), API_NULL_OK, 0, NULL },
    { "expires_at", API_TEXT, O(expires_at), API_NULL_OK, 0, NULL },
    { "practice_name", API_TEXT, O(practice_name), API_NULL_OK, 0, NULL },
    { "role", API_TEXT, O(role), API_NULL_OK, 0, NULL },
    { "account_exists", API_BOOL, O(account_exists), API_NULL_OK, 0, NULL },
    { "mfa_required", API_BOOL, O(mfa_required), API_NULL_OK, 0, NULL },
    { "purge_after", API_TEXT, O(purge_after), API_NULL_OK, 0, NULL },
    { "head_seq", API_INT64, O(head_seq), API_NULL_OK, -1, NULL },
    { "head_hash", API_TEXT, O(head_hash), API_NULL_OK, 0, NULL },
    { "webhook_id", API_UUID, O(webhook_id), API_NULL_OK, 0, NULL },
    { "email_id", API_UUID, O(email_id), API_NULL_OK, 0, NULL },
};
#undef O

/* The secret's cell in R, or NULL: found by name, whatever the decoder
 * made of the rest of the row, so that it is wiped in every case. */
static char *secret_cell(const struct db_reply *r)
{
    if (r->outcome != DB_OK || !r->res || PQntuples(r->res) != 1)
        return NULL;
    int col = PQfnumber(r->res, "secret");
    if (col < 0 || PQgetisnull(r->res, 0, col))
        return NULL;
    return PQgetvalue(r->res, 0, col);
}

enum api_err api_decode_outcome(const struct db_reply *r, struct api_outcome *out,
                                const char *what)
{
    memset(out, 0, sizeof *out);
    out->status = API_OUTCOME_INVALID;
    out->recovery_codes_left = -1;
    out->head_seq = -1;
    enum api_err err = api_decode_one(r, outcome_cols, API_NCOLS(outcome_cols), out, what);
    /* NULL, not "": a caller tells "no secret" by the pointer. */
    if (err == API_OK && !secret_cell(r))
        out->secret = NULL;
    return err;
}

static void on_outcome(void *ud, const struct db_reply *r)
{
    struct pending *p = ud;
    struct api_outcome out;
    enum api_err err = api_decode_outcome(r, &out, p->what);
    char *cell = secret_cell(r);
    char *secret = NULL;
    if (cell) {
        size_t len = strlen(cell);
        if (err == API_OK && out.secret) {
            secret = sodium_malloc(len + 1);
            if (!secret)
                mem_fatal("out of secure memory");
            memcpy(secret, cell, len + 1);
        }
        /* libpq's copy is in ordinary memory: wipe it now. */
        sodium_memzero(cell, len);
    }
    out.secret = secret;
    p->fn.outcome(p->ud, err, err == API_OK ? &out : NULL);
    if (secret)
        sodium_free(secret);        /* wipes */
    free(p);
}

int api_outcome_call(struct db *db, struct api_auth *auth, const char *sql, int n,
                     const char *const *values, const int *lengths, const char *what,
                     api_outcome_fn done, void *ud, const void *owner)
{
    struct pending *p = pending_new(ud, auth);
    p->fn.outcome = done;
    p->what = what;
    p->result_sql = api_outcome_sql;
    return attempt_call(db, p, sql, n, values, lengths, on_outcome, owner);
}
