/* Signing in without a terminal UI, for subcommands (lumen whoami, lumen
 * audit verify ...): the same api calls as the sign-in screen, in order,
 * each waited for with db_drain().
 *
 *   login_begin -> Argon2id -> login (+ its result) -> mfa_verify (+ its
 *   result) when the account has two-factor -> the practice: the one the
 *   server chose, or the one named, or an error listing them.
 *
 * The password is read by the caller into secure memory (sodium_malloc)
 * and stays the caller's; the stretched key lives in secure memory here
 * and is wiped before session_open returns.  On success AUTH holds the
 * token and OUT describes the session; session_close() signs out and wipes
 * the token.  Every failure is one line in ERR, fit for "lumen: ERR". */
#ifndef LUMEN_CLIENT_SESSION_H
#define LUMEN_CLIENT_SESSION_H

#include <stdbool.h>
#include <stddef.h>

#include "client/api.h"
#include "client/db.h"

struct session_creds {
    const char *email;
    const char *password;       /* secure memory, PASSWORD_LEN bytes */
    size_t password_len;
    const char *code;           /* the second factor, or NULL / "" */
    const char *practice;       /* a practice's name or id, or NULL */
    /* A member of several practices who named none stays without one (the
     * account's own calls need none: its sessions, its two-factor). */
    bool practice_optional;
    /* Asked for the code when the account turns out to have two-factor
     * and CODE is empty (a prompt on the terminal); NULL: an error. */
    int (*ask_code)(char *buf, size_t len);
};

/* What api.me says of the session; strings copied, valid until freed
 * with the struct (plain arrays, nothing to free). */
struct session_info {
    char email[256];
    char display_name[256];
    char practice_id[40];
    char practice_name[256];
    char timezone[64];
    char role[16];
    char session_id[40];
    int recovery_codes_left;    /* -1 unless a recovery code was spent */
};

/* How long one step may take before the subcommand gives up (ms). */
#define SESSION_STEP_TIMEOUT_MS 30000

int session_open(struct db *db, struct api_auth *auth, const struct session_creds *creds,
                 struct session_info *out, char *err, size_t errlen);
void session_close(struct db *db, struct api_auth *auth);

#endif
