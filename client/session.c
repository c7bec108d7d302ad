#include "client/session.h"
#include "client/mem.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

/* One step's answer, filled by the callbacks below.  done is set by every
 * callback, so a step that ended without one (connection lost before the
 * answer) is told apart from one that answered. */
struct step {
    bool done;
    enum api_err err;
    struct api_kdf kdf;
    struct api_login login;
    struct api_mfa mfa;
    struct session_info *info;
    const char *want_practice;
    char practice_id[40];
    char practices[512];        /* "A, B" for the error that lists them */
    int matches;
};

static void on_kdf(void *ud, enum api_err err, const struct api_kdf *kdf)
{
    struct step *s = ud;
    s->done = true;
    s->err = err;
    if (kdf)
        s->kdf = *kdf;
}

static void on_login(void *ud, enum api_err err, const struct api_login *r)
{
    struct step *s = ud;
    s->done = true;
    s->err = err;
    if (r)
        s->login = *r;
}

static void on_mfa(void *ud, enum api_err err, const struct api_mfa *r)
{
    struct step *s = ud;
    s->done = true;
    s->err = err;
    if (r)
        s->mfa = *r;
}

static void on_done(void *ud, enum api_err err)
{
    struct step *s = ud;
    s->done = true;
    s->err = err;
}

static void copy(char *dst, size_t n, const char *src)
{
    snprintf(dst, n, "%s", src ? src : "");
}

static void on_me(void *ud, enum api_err err, const struct api_me *me)
{
    struct step *s = ud;
    s->done = true;
    s->err = err;
    if (!me)
        return;
    struct session_info *i = s->info;
    copy(i->email, sizeof i->email, me->email);
    copy(i->display_name, sizeof i->display_name, me->display_name);
    copy(i->practice_id, sizeof i->practice_id, me->practice_id);
    copy(i->practice_name, sizeof i->practice_name, me->practice_name);
    copy(i->timezone, sizeof i->timezone, me->timezone);
    copy(i->role, sizeof i->role, me->role);
    copy(i->session_id, sizeof i->session_id, me->session_id);
}

/* The practice named by --practice (by name, case-sensitive, or by id). */
static void on_practices(void *ud, enum api_err err, const struct api_practice *list, size_t n)
{
    struct step *s = ud;
    s->done = true;
    s->err = err;
    for (size_t i = 0; i < n; i++) {
        size_t used = strlen(s->practices);
        snprintf(s->practices + used, sizeof s->practices - used, "%s%s", used ? ", " : "",
                 list[i].name);
        if (s->want_practice && (strcmp(list[i].name, s->want_practice) == 0 ||
                                 strcmp(list[i].id, s->want_practice) == 0)) {
            copy(s->practice_id, sizeof s->practice_id, list[i].id);
            s->matches++;
        }
    }
}

/* Waits for the step queued last; its error as a sentence, or NULL. */
static const char *wait_step(struct db *db, struct step *s, char *err, size_t errlen)
{
    if (db_drain(db, SESSION_STEP_TIMEOUT_MS) != 0 || !s->done) {
        const char *why = db_error_text(db);
        snprintf(err, errlen, "cannot reach the database%s%s", *why ? ": " : "", why);
        return err;
    }
    if (s->err != API_OK) {
        snprintf(err, errlen, "%s", api_err_message(s->err));
        return err;
    }
    return NULL;
}

static int sign_in(struct db *db, struct api_auth *auth, const struct session_creds *c,
                   char *err, size_t errlen)
{
    struct step s = { 0 };
    if (api_login_begin(db, c->email, on_kdf, &s, auth) != 0 || wait_step(db, &s, err, errlen))
        return -1;
    unsigned char *key = sodium_malloc(API_KEY_BYTES);
    if (!key)
        mem_fatal("out of secure memory");
    int rc = api_derive_key(c->password, c->password_len, &s.kdf, key);
    if (rc == 0) {
        s.done = false;
        rc = api_login(db, auth, c->email, key, on_login, &s, auth);
    }
    sodium_free(key);           /* wipes; db_call copied it */
    if (rc != 0) {
        snprintf(err, errlen, "the server asked for password-stretching limits this client refuses");
        return -1;
    }
    if (wait_step(db, &s, err, errlen))
        return -1;
    if (s.login.status == API_LOGIN_LOCKED) {
        snprintf(err, errlen, "too many failed sign-ins: try again in %d s", s.login.retry_after_s);
        return -1;
    }
    if (s.login.status != API_LOGIN_OK) {
        snprintf(err, errlen, "wrong email or password");
        return -1;
    }
    if (!s.login.mfa_required)
        return 0;
    char asked[64] = "";
    const char *code = c->code;
    if ((!code || !*code) && c->ask_code && c->ask_code(asked, sizeof asked) == 0)
        code = asked;
    if (!code || !*code) {
        snprintf(err, errlen, "this account has two-factor sign-in: give the code "
                              "(with --password-stdin, on the second line)");
        return -1;
    }
    s.done = false;
    int rc2 = api_mfa_verify(db, auth, code, on_mfa, &s, auth);
    sodium_memzero(asked, sizeof asked);
    if (rc2 != 0 || wait_step(db, &s, err, errlen))
        return -1;
    if (s.mfa.status == API_MFA_LOCKED) {
        snprintf(err, errlen, "too many wrong codes: two-factor is locked for a while");
        return -1;
    }
    if (s.mfa.status != API_MFA_OK) {
        snprintf(err, errlen, "wrong or already used two-factor code");
        return -1;
    }
    return 0;
}

/* After sign-in: the session's practice, chosen when the server did not. */
static int choose_practice(struct db *db, struct api_auth *auth, const struct session_creds *c,
                           struct session_info *out, char *err, size_t errlen)
{
    struct step s = { .info = out, .want_practice = c->practice };
    if (api_me(db, auth, on_me, &s, auth) != 0 || wait_step(db, &s, err, errlen))
        return -1;
    if (*out->practice_id && (!c->practice || strcmp(out->practice_name, c->practice) == 0 ||
                              strcmp(out->practice_id, c->practice) == 0))
        return 0;
    if (!c->practice && c->practice_optional)
        return 0;
    s.done = false;
    if (api_practices(db, auth, on_practices, &s, auth) != 0 || wait_step(db, &s, err, errlen))
        return -1;
    if (s.matches != 1) {
        snprintf(err, errlen, c->practice ? "no practice of yours is called '%s' (yours: %s)"
                                          : "%s you belong to several practices: say which with "
                                            "--practice NAME (yours: %s)",
                 c->practice ? c->practice : "", s.practices);
        return -1;
    }
    s.done = false;
    if (api_select_practice(db, auth, s.practice_id, on_done, &s, auth) != 0 ||
        wait_step(db, &s, err, errlen))
        return -1;
    s.done = false;
    if (api_me(db, auth, on_me, &s, auth) != 0 || wait_step(db, &s, err, errlen))
        return -1;
    return 0;
}

int session_open(struct db *db, struct api_auth *auth, const struct session_creds *creds,
                 struct session_info *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    out->recovery_codes_left = -1;
    if (sign_in(db, auth, creds, err, errlen) != 0 ||
        choose_practice(db, auth, creds, out, err, errlen) != 0) {
        session_close(db, auth);
        return -1;
    }
    return 0;
}

void session_close(struct db *db, struct api_auth *auth)
{
    if (!auth->has_token)
        return;
    struct step s = { 0 };
    /* api_logout wipes the token when it queues the call. */
    if (api_logout(db, auth, on_done, &s, auth) == 0)
        db_drain(db, SESSION_STEP_TIMEOUT_MS);
}
