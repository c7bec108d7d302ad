/* TEMPORARY, until wt-client's client/api.h "security" section is merged:
 * the account-security calls as /work/spec-team-sec.md names them, so the
 * screens compile and can be laid out.  Replaced by client/api.h. */
#ifndef LUMEN_SCREENS_SECURITY_API_H
#define LUMEN_SCREENS_SECURITY_API_H

#include "client/api.h"

struct api_mfa_enroll {
    const char *secret_base32;
    const char *uri;
    const char *expires_at;
};
typedef void (*api_mfa_enroll_fn)(void *ud, enum api_err err, const struct api_mfa_enroll *r);
int api_mfa_enroll_begin(struct db *db, struct api_auth *auth, api_mfa_enroll_fn done, void *ud,
                         const void *owner);

enum api_sec_status { API_SEC_OK, API_SEC_INVALID, API_SEC_LOCKED, API_SEC_LAPSED,
                      API_SEC_REQUIRED, API_SEC_NOT_FOUND };
struct api_sec_result {
    enum api_sec_status status;
    long long affected;
    int retry_after_s;
    const char *secret;         /* NULL when none */
};
typedef void (*api_sec_fn)(void *ud, enum api_err err, const struct api_sec_result *r);
int api_mfa_enroll_confirm(struct db *db, struct api_auth *auth, const char *code,
                           api_sec_fn done, void *ud, const void *owner);
int api_mfa_recovery_regenerate(struct db *db, struct api_auth *auth, api_sec_fn done, void *ud,
                                const void *owner);
int api_mfa_disable(struct db *db, struct api_auth *auth, const char *code, api_sec_fn done,
                    void *ud, const void *owner);
int api_password_set_key(const char *password, size_t len, struct api_kdf *kdf,
                         unsigned char *key);
int api_password_change(struct db *db, struct api_auth *auth, const unsigned char *current_key,
                        const struct api_kdf *kdf, const unsigned char *new_key,
                        api_sec_fn done, void *ud, const void *owner);

struct api_session {
    const char *id, *created_at, *last_seen_at, *server_addr, *reported_origin,
        *client_version, *practice_name, *state;
    bool current;
};
typedef void (*api_sessions_fn)(void *ud, enum api_err err, const struct api_session *s,
                                size_t n);
int api_sessions(struct db *db, struct api_auth *auth, api_sessions_fn done, void *ud,
                 const void *owner);
int api_session_revoke(struct db *db, struct api_auth *auth, const char *session_id,
                       api_sec_fn done, void *ud, const void *owner);
int api_sessions_revoke_all(struct db *db, struct api_auth *auth, bool include_current,
                            api_sec_fn done, void *ud, const void *owner);

#endif
