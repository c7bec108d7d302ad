#include "client/api.h"
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

/* What the call's callback needs once the answer arrives. */
struct pending {
    union {
        api_done_fn done;
        api_kdf_fn kdf;
        api_login_fn login;
        api_mfa_fn mfa;
        api_me_fn me;
        api_practices_fn practices;
        api_unlock_fn unlock;
    } fn;
    void *ud;
    struct api_auth *auth;
    char email[256];
    /* A guess's second step (see attempt_call). */
    struct db *db;
    const void *owner;
    db_done_fn on_result;
};

static struct pending *pending_new(void *ud, struct api_auth *auth)
{
    struct pending *p = mem_alloc(sizeof *p);
    p->ud = ud;
    p->auth = auth;
    return p;
}

static enum api_err reply_err(const struct db_reply *r)
{
    switch (r->outcome) {
    case DB_OK:
        return API_OK;
    case DB_LOST:
        return API_ERR_LOST;
    case DB_CANCELLED:
        return API_ERR_CANCELLED;
    case DB_ERROR:
        return api_err_from_sqlstate(r->sqlstate);
    }
    return API_ERR_SERVER;
}

enum api_err api_err_from_sqlstate(const char *s)
{
    static const struct { const char *state; enum api_err err; } map[] = {
        { "LMS01", API_ERR_SESSION_UNKNOWN }, { "LMS02", API_ERR_SESSION_REVOKED },
        { "LMS03", API_ERR_SESSION_IDLE },    { "LMS04", API_ERR_SESSION_EXPIRED },
        { "LMS05", API_ERR_MFA_OWED },        { "LMS06", API_ERR_NO_PRACTICE },
        { "LMP01", API_ERR_DENIED },          { "LMV01", API_ERR_INVALID },
        /* The server going down mid-call: admin shutdown, crash. */
        { "57P01", API_ERR_LOST }, { "57P02", API_ERR_LOST }, { "57P03", API_ERR_LOST },
        { "57014", API_ERR_CANCELLED },
    };
    for (size_t i = 0; s && i < sizeof map / sizeof map[0]; i++)
        if (strcmp(s, map[i].state) == 0)
            return map[i].err;
    if (s && strncmp(s, "08", 2) == 0)
        return API_ERR_LOST;
    return API_ERR_SERVER;
}

bool api_err_ends_session(enum api_err err)
{
    return err == API_ERR_SESSION_UNKNOWN || err == API_ERR_SESSION_REVOKED ||
           err == API_ERR_SESSION_EXPIRED;
}

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

static bool one_row(const struct db_reply *r)
{
    return r->outcome == DB_OK && PQntuples(r->res) == 1;
}

/* Guesses (a password key, a second-factor code, an unlock) answer only an
 * attempt id; the outcome is asked for in a second call, which runs in a
 * transaction of its own after the attempt -- its failure count and audit
 * rows -- has committed (db/API.md, "Guesses").  Both calls belong to the
 * caller's owner, so Esc cancels either.  on_result gets the outcome row
 * (status, retry_after_s, token, session_id, mfa_required, method,
 * recovery_codes_left), or the error of whichever call failed. */
#define ATTEMPT_RESULT_SQL \
    "SELECT status, retry_after_s, token, session_id, mfa_required, method, " \
    "recovery_codes_left FROM api.attempt_result($1)"
enum { RES_STATUS, RES_RETRY, RES_TOKEN, RES_SESSION, RES_MFA, RES_METHOD, RES_CODES, RES_NCOLS };

static void attempt_fail(struct pending *p, enum db_outcome outcome, const char *why)
{
    struct db_reply bad = { outcome, NULL, "XX000", why };
    p->on_result(p, &bad);
}

static void on_attempt(void *ud, const struct db_reply *r)
{
    struct pending *p = ud;
    if (r->outcome != DB_OK) {
        p->on_result(p, r);
        return;
    }
    if (!one_row(r) || PQnfields(r->res) != 1 || PQgetlength(r->res, 0, 0) != API_TOKEN_HEX) {
        attempt_fail(p, DB_ERROR, "malformed attempt id");
        return;
    }
    char *id = PQgetvalue(r->res, 0, 0);
    const char *v[1] = { id };
    /* Not DB_RETRY: an outcome is told once, so a second try after a lost
     * connection would only be refused; the user tries again instead. */
    if (db_call(p->db, ATTEMPT_RESULT_SQL, 1, v, NULL, DB_SECRET, p->on_result, p, p->owner) != 0)
        attempt_fail(p, DB_LOST, "the database is refused");
    sodium_memzero(id, API_TOKEN_HEX);
}

/* Queues the attempt SQL; its answer goes through on_attempt to ON_RESULT. */
static int attempt_call(struct db *db, struct pending *p, const char *sql, int nparams,
                        const char *const *values, const int *lengths, db_done_fn on_result,
                        const void *owner)
{
    p->db = db;
    p->owner = owner;
    p->on_result = on_result;
    int rc = db_call(db, sql, nparams, values, lengths, DB_SECRET, on_attempt, p, owner);
    if (rc)
        free(p);
    return rc;
}

/* An outcome row as on_result functions expect it, or an error. */
static enum api_err result_err(const struct db_reply *r)
{
    enum api_err err = reply_err(r);
    if (err == API_OK && (!one_row(r) || PQnfields(r->res) != RES_NCOLS))
        err = API_ERR_SERVER;
    return err;
}

static void on_login_begin(void *ud, const struct db_reply *r)
{
    struct pending *p = ud;
    enum api_err err = reply_err(r);
    struct api_kdf kdf = { 0 };
    if (err == API_OK) {
        size_t n = 0;
        unsigned char *salt = one_row(r) ?
            PQunescapeBytea((const unsigned char *)PQgetvalue(r->res, 0, 0), &n) : NULL;
        if (salt && n == API_SALT_BYTES) {
            memcpy(kdf.salt, salt, n);
            kdf.opslimit = strtoull(PQgetvalue(r->res, 0, 1), NULL, 10);
            kdf.memlimit = (size_t)strtoull(PQgetvalue(r->res, 0, 2), NULL, 10);
        } else {
            err = API_ERR_SERVER;
        }
        PQfreemem(salt);
    }
    p->fn.kdf(p->ud, err, err == API_OK ? &kdf : NULL);
    free(p);
}

int api_login_begin(struct db *db, const char *email, api_kdf_fn done, void *ud, const void *owner)
{
    struct pending *p = pending_new(ud, NULL);
    p->fn.kdf = done;
    const char *v[1] = { email };
    int rc = db_call(db, "SELECT salt, opslimit, memlimit FROM api.login_begin($1)",
                     1, v, NULL, DB_RETRY, on_login_begin, p, owner);
    if (rc)
        free(p);
    return rc;
}

static void on_login(void *ud, const struct db_reply *r)
{
    struct pending *p = ud;
    enum api_err err = result_err(r);
    struct api_login out = { API_LOGIN_INVALID, false, 0 };
    if (err == API_OK) {
        const char *status = PQgetvalue(r->res, 0, RES_STATUS);
        const char *token = PQgetvalue(r->res, 0, RES_TOKEN);
        if (strcmp(status, "ok") == 0 && strlen(token) == API_TOKEN_HEX) {
            out.status = API_LOGIN_OK;
            memcpy(p->auth->token, token, API_TOKEN_HEX + 1);
            p->auth->has_token = true;
            snprintf(p->auth->email, sizeof p->auth->email, "%s", p->email);
            out.mfa_required = PQgetvalue(r->res, 0, RES_MFA)[0] == 't';
        } else if (strcmp(status, "locked") == 0) {
            out.status = API_LOGIN_LOCKED;
            out.retry_after_s = atoi(PQgetvalue(r->res, 0, RES_RETRY));
        }
        /* libpq's copy of the token is in ordinary memory: wipe it. */
        sodium_memzero((void *)token, strlen(token));
    }
    p->fn.login(p->ud, err, err == API_OK ? &out : NULL);
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

static void on_mfa(void *ud, const struct db_reply *r)
{
    struct pending *p = ud;
    enum api_err err = result_err(r);
    struct api_mfa out = { API_MFA_INVALID, -1 };
    if (err == API_OK) {
        const char *status = PQgetvalue(r->res, 0, RES_STATUS);
        if (strcmp(status, "ok") == 0)
            out.status = API_MFA_OK;
        else if (strcmp(status, "locked") == 0)
            out.status = API_MFA_LOCKED;
        /* The server tells the codes left on every success; only a
         * recovery code's use is news to the user. */
        if (out.status == API_MFA_OK && strcmp(PQgetvalue(r->res, 0, RES_METHOD), "recovery") == 0 &&
            !PQgetisnull(r->res, 0, RES_CODES))
            out.recovery_codes_left = atoi(PQgetvalue(r->res, 0, RES_CODES));
    }
    p->fn.mfa(p->ud, err, err == API_OK ? &out : NULL);
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

static void on_done(void *ud, const struct db_reply *r)
{
    struct pending *p = ud;
    if (p->fn.done)
        p->fn.done(p->ud, reply_err(r));
    free(p);
}

int api_logout(struct db *db, struct api_auth *auth, api_done_fn done, void *ud, const void *owner)
{
    struct pending *p = pending_new(ud, auth);
    p->fn.done = done;
    const char *v[1] = { auth->token };
    int rc = db_call(db, "SELECT api.logout($1)", 1, v, NULL, DB_SECRET, on_done, p, owner);
    api_auth_clear(auth);
    if (rc)
        free(p);
    return rc;
}

int api_select_practice(struct db *db, struct api_auth *auth, const char *practice_id,
                        api_done_fn done, void *ud, const void *owner)
{
    struct pending *p = pending_new(ud, auth);
    p->fn.done = done;
    const char *v[2] = { auth->token, practice_id };
    int rc = db_call(db, "SELECT api.select_practice($1, $2::uuid)", 2, v, NULL,
                     DB_SECRET | DB_RETRY, on_done, p, owner);
    if (rc)
        free(p);
    return rc;
}

static void copy_field(char *dst, size_t n, const PGresult *res, int col)
{
    snprintf(dst, n, "%s", PQgetvalue(res, 0, col));
}

/* A text[] in PostgreSQL's text form: {a,b,"c d"}.  Permission names are
 * plain dotted words, so quoting never occurs; anything else is dropped. */
static size_t split_array(char *s, const char **out, size_t max)
{
    size_t n = 0;
    if (*s == '{')
        s++;
    char *end = strrchr(s, '}');
    if (end)
        *end = '\0';
    for (char *tok = strtok(s, ","); tok && n < max; tok = strtok(NULL, ","))
        if (!strchr(tok, '"'))
            out[n++] = tok;
    return n;
}

static void on_me(void *ud, const struct db_reply *r)
{
    struct pending *p = ud;
    enum api_err err = reply_err(r);
    struct api_me me = { 0 };
    const char *perms[64];
    char *perm_text = NULL;
    if (err == API_OK && !one_row(r))
        err = API_ERR_SERVER;
    if (err == API_OK) {
        const PGresult *res = r->res;
        copy_field(me.account_id, sizeof me.account_id, res, 0);
        me.email = PQgetvalue(res, 0, 1);
        me.display_name = PQgetvalue(res, 0, 2);
        copy_field(me.practice_id, sizeof me.practice_id, res, 3);
        me.practice_name = PQgetvalue(res, 0, 4);
        me.timezone = PQgetvalue(res, 0, 5);
        me.role = PQgetvalue(res, 0, 6);
        me.mfa_enabled = PQgetvalue(res, 0, 7)[0] == 't';
        me.idle_timeout_s = atoi(PQgetvalue(res, 0, 8));
        me.absolute_timeout_s = atoi(PQgetvalue(res, 0, 9));
        copy_field(me.session_id, sizeof me.session_id, res, 10);
        perm_text = mem_strdup(PQgetvalue(res, 0, 11));
        me.npermissions = split_array(perm_text, perms, 64);
        me.permissions = perms;
    }
    p->fn.me(p->ud, err, err == API_OK ? &me : NULL);
    free(perm_text);
    free(p);
}

int api_me(struct db *db, struct api_auth *auth, api_me_fn done, void *ud, const void *owner)
{
    struct pending *p = pending_new(ud, auth);
    p->fn.me = done;
    const char *v[1] = { auth->token };
    int rc = db_call(db, "SELECT account_id, email, display_name, practice_id, practice_name, "
                     "practice_timezone, role, mfa_enabled, idle_timeout_s, absolute_timeout_s, "
                     "session_id, permissions FROM api.me($1)",
                     1, v, NULL, DB_SECRET | DB_RETRY, on_me, p, owner);
    if (rc)
        free(p);
    return rc;
}

bool api_me_can(const struct api_me *me, const char *permission)
{
    for (size_t i = 0; i < me->npermissions; i++)
        if (strcmp(me->permissions[i], permission) == 0)
            return true;
    return false;
}

static void on_practices(void *ud, const struct db_reply *r)
{
    struct pending *p = ud;
    enum api_err err = reply_err(r);
    struct api_practice *list = NULL;
    size_t n = 0;
    if (err == API_OK) {
        n = (size_t)PQntuples(r->res);
        list = mem_alloc((n ? n : 1) * sizeof *list);
        for (size_t i = 0; i < n; i++)
            list[i] = (struct api_practice){ PQgetvalue(r->res, (int)i, 0),
                                             PQgetvalue(r->res, (int)i, 1),
                                             PQgetvalue(r->res, (int)i, 2) };
    }
    p->fn.practices(p->ud, err, list, n);
    free(list);
    free(p);
}

int api_practices(struct db *db, struct api_auth *auth, api_practices_fn done, void *ud,
                  const void *owner)
{
    struct pending *p = pending_new(ud, auth);
    p->fn.practices = done;
    const char *v[1] = { auth->token };
    int rc = db_call(db, "SELECT practice_id, name, role FROM api.practices($1)",
                     1, v, NULL, DB_SECRET | DB_RETRY, on_practices, p, owner);
    if (rc)
        free(p);
    return rc;
}

static void on_unlock(void *ud, const struct db_reply *r)
{
    struct pending *p = ud;
    enum api_err err = result_err(r);
    struct api_unlock out = { API_UNLOCK_INVALID, 0 };
    if (err == API_OK) {
        const char *status = PQgetvalue(r->res, 0, RES_STATUS);
        if (strcmp(status, "ok") == 0)
            out.status = API_UNLOCK_OK;
        else if (strcmp(status, "code_required") == 0)
            out.status = API_UNLOCK_CODE_REQUIRED;
        else if (strcmp(status, "locked") == 0)
            out.status = API_UNLOCK_LOCKED;
        out.retry_after_s = atoi(PQgetvalue(r->res, 0, RES_RETRY));
    }
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

void api_cancel(struct db *db, const void *owner)
{
    db_cancel(db, owner);
}
