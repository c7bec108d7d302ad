/* Signing in and out (db/API.md, "Signing in"): the key derivation, the
 * guesses -- login, mfa_verify, unlock, each an attempt and its result
 * (attempt_call in client/api_core.c) -- and logout. */
#include "client/api_core.h"
#include "client/mem.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef LUMEN_VERSION
#define LUMEN_VERSION "0.0.0"
#endif

/* What a client agrees to spend on one derivation.  The server chooses the
 * limits; these bounds stop a hostile one from making it hang or swap. */
#define KDF_OPS_MAX 16ULL
#define KDF_MEM_MIN (8u << 20)
#define KDF_MEM_MAX (1024u << 20)

void api_auth_init(struct api_auth *auth)
{
    memset(auth, 0, sizeof *auth);
    if (sodium_init() < 0)
        mem_fatal("libsodium failed to initialise");
    auth->token = sodium_malloc(API_TOKEN_HEX + 1);
    if (!auth->token)
        mem_fatal("out of secure memory");
    sodium_memzero(auth->token, API_TOKEN_HEX + 1);
}

void api_auth_clear(struct api_auth *auth)
{
    if (auth->token)
        sodium_memzero(auth->token, API_TOKEN_HEX + 1);
    auth->has_token = false;
}

void api_auth_free(struct api_auth *auth)
{
    api_auth_clear(auth);
    sodium_free(auth->token);
    auth->token = NULL;
}

void api_origin_from_env(char *out, size_t outlen)
{
    out[0] = '\0';
    const char *s = getenv("SSH_CONNECTION");
    if (!s || outlen == 0)
        return;
    size_t n = strcspn(s, " ");
    /* Only what an IP address can hold: the value is reported, not trusted,
     * but it must not carry anything else into the audit log. */
    if (n == 0 || n >= outlen || strspn(s, "0123456789abcdefABCDEF:.%") < n)
        return;
    memcpy(out, s, n);
    out[n] = '\0';
}

int api_derive_key(const char *password, size_t len, const struct api_kdf *kdf,
                   unsigned char *key)
{
    if (kdf->opslimit < crypto_pwhash_OPSLIMIT_MIN || kdf->opslimit > KDF_OPS_MAX ||
        kdf->memlimit < KDF_MEM_MIN || kdf->memlimit > KDF_MEM_MAX)
        return -1;
    return crypto_pwhash(key, API_KEY_BYTES, password, len, kdf->salt, kdf->opslimit,
                         kdf->memlimit, crypto_pwhash_ALG_ARGON2ID13);
}

/* bigint into unsigned fields: a negative limit becomes a huge one, which
 * api_derive_key() refuses like any other limit out of bounds. */
static const struct api_col kdf_cols[] = {
    { "salt", API_BYTEA, API_FIELD(struct api_kdf, salt), 0, 0, NULL },
    { "opslimit", API_INT64, API_FIELD(struct api_kdf, opslimit), 0, 0, NULL },
    { "memlimit", API_INT64, API_FIELD(struct api_kdf, memlimit), 0, 0, NULL },
};

static void on_login_begin(void *ud, const struct db_reply *r)
{
    struct pending *p = ud;
    struct api_kdf kdf = { 0 };
    enum api_err err = api_decode_one(r, kdf_cols, API_NCOLS(kdf_cols), &kdf, "api.login_begin");
    p->fn.kdf(p->ud, err, err == API_OK ? &kdf : NULL);
    free(p);
}

int api_login_begin(struct db *db, const char *email, api_kdf_fn done, void *ud, const void *owner)
{
    struct pending *p = pending_new(ud, NULL);
    p->fn.kdf = done;
    const char *v[1] = { email };
    return pending_call(db, p, "SELECT * FROM api.login_begin($1)", 1, v, DB_RETRY,
                        on_login_begin, owner);
}

/* The outcome rows of the three guesses (api.attempt_result). */
static const char *const login_status[] = {
    [API_LOGIN_OK] = "ok", [API_LOGIN_INVALID] = "invalid", [API_LOGIN_LOCKED] = "locked", NULL,
};
struct login_row {
    const char *token;
    struct api_login out;
};
static const struct api_col login_cols[] = {
    /* The token first: once read, it is wiped whatever follows. */
    { "token", API_TEXT, API_FIELD(struct login_row, token), API_NULL_OK, 0, NULL },
    { "status", API_ENUM, API_FIELD(struct login_row, out.status), 0, 0, login_status },
    { "mfa_required", API_BOOL, API_FIELD(struct login_row, out.mfa_required), API_NULL_OK, 0, NULL },
    { "retry_after_s", API_INT, API_FIELD(struct login_row, out.retry_after_s), API_NULL_OK, 0, NULL },
};

static void on_login(void *ud, const struct db_reply *r)
{
    struct pending *p = ud;
    struct login_row row = { NULL, { API_LOGIN_INVALID, false, 0 } };
    enum api_err err = api_decode_one(r, login_cols, API_NCOLS(login_cols), &row, "api.login");
    if (err == API_OK && row.out.status == API_LOGIN_OK) {
        if (strlen(row.token) == API_TOKEN_HEX) {
            memcpy(p->auth->token, row.token, API_TOKEN_HEX + 1);
            p->auth->has_token = true;
            snprintf(p->auth->email, sizeof p->auth->email, "%s", p->email);
        } else {
            api_set_detail("api.login: column \"token\" is not a token");
            err = API_ERR_SERVER;
        }
    }
    /* libpq's copy of the token is in ordinary memory: wipe it. */
    if (row.token)
        sodium_memzero((void *)row.token, strlen(row.token));
    p->fn.login(p->ud, err, err == API_OK ? &row.out : NULL);
    free(p);
}

int api_login(struct db *db, struct api_auth *auth, const char *email,
              const unsigned char *key, api_login_fn done, void *ud, const void *owner)
{
    struct pending *p = pending_new(ud, auth);
    p->fn.login = done;
    snprintf(p->email, sizeof p->email, "%s", email);
    char client[160];
    snprintf(client, sizeof client, "{\"origin\": \"%s\", \"version\": \"lumen %s\"}",
             auth->origin, LUMEN_VERSION);
    const char *v[3] = { email, (const char *)key, client };
    int len[3] = { 0, API_KEY_BYTES, 0 };
    return attempt_call(db, p, "SELECT api.login($1, $2::bytea, $3::jsonb)", 3, v, len,
                        on_login, owner);
}

static const char *const mfa_status[] = {
    [API_MFA_OK] = "ok", [API_MFA_INVALID] = "invalid", [API_MFA_LOCKED] = "locked", NULL,
};
struct mfa_row {
    struct api_mfa out;
    const char *method;
};
static const struct api_col mfa_cols[] = {
    { "status", API_ENUM, API_FIELD(struct mfa_row, out.status), 0, 0, mfa_status },
    { "method", API_TEXT, API_FIELD(struct mfa_row, method), API_NULL_OK, 0, NULL },
    { "recovery_codes_left", API_INT, API_FIELD(struct mfa_row, out.recovery_codes_left),
      API_NULL_OK, -1, NULL },
};

static void on_mfa(void *ud, const struct db_reply *r)
{
    struct pending *p = ud;
    struct mfa_row row = { { API_MFA_INVALID, -1 }, NULL };
    enum api_err err = api_decode_one(r, mfa_cols, API_NCOLS(mfa_cols), &row, "api.mfa_verify");
    /* The server tells the codes left on every success; only a recovery
     * code's use is news to the user. */
    if (err == API_OK && (row.out.status != API_MFA_OK || strcmp(row.method, "recovery") != 0))
        row.out.recovery_codes_left = -1;
    p->fn.mfa(p->ud, err, err == API_OK ? &row.out : NULL);
    free(p);
}

int api_mfa_verify(struct db *db, struct api_auth *auth, const char *code,
                   api_mfa_fn done, void *ud, const void *owner)
{
    struct pending *p = pending_new(ud, auth);
    p->fn.mfa = done;
    const char *v[2] = { auth->token, code };
    return attempt_call(db, p, "SELECT api.mfa_verify($1, $2)", 2, v, NULL, on_mfa, owner);
}

static const char *const unlock_status[] = {
    [API_UNLOCK_OK] = "ok", [API_UNLOCK_INVALID] = "invalid",
    [API_UNLOCK_CODE_REQUIRED] = "code_required", [API_UNLOCK_LOCKED] = "locked", NULL,
};
static const struct api_col unlock_cols[] = {
    { "status", API_ENUM, API_FIELD(struct api_unlock, status), 0, 0, unlock_status },
    { "retry_after_s", API_INT, API_FIELD(struct api_unlock, retry_after_s), API_NULL_OK, 0, NULL },
};

static void on_unlock(void *ud, const struct db_reply *r)
{
    struct pending *p = ud;
    struct api_unlock out = { API_UNLOCK_INVALID, 0 };
    enum api_err err = api_decode_one(r, unlock_cols, API_NCOLS(unlock_cols), &out, "api.unlock");
    p->fn.unlock(p->ud, err, err == API_OK ? &out : NULL);
    free(p);
}

int api_unlock(struct db *db, struct api_auth *auth, const unsigned char *key,
               const char *code, api_unlock_fn done, void *ud, const void *owner)
{
    struct pending *p = pending_new(ud, auth);
    p->fn.unlock = done;
    const char *v[3] = { auth->token, (const char *)key, code };
    int len[3] = { 0, API_KEY_BYTES, 0 };
    return attempt_call(db, p, "SELECT api.unlock($1, $2::bytea, $3)", 3, v, len, on_unlock,
                        owner);
}

int api_logout(struct db *db, struct api_auth *auth, api_done_fn done, void *ud, const void *owner)
{
    struct pending *p = pending_new(ud, auth);
    p->fn.done = done;
    const char *v[1] = { auth->token };
    int rc = pending_call(db, p, "SELECT api.logout($1)", 1, v, DB_SECRET, pending_done, owner);
    api_auth_clear(auth);
    return rc;
}
