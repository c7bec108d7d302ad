/* The team (db/api/80_team.sql; spec: issue 9): members and invites,
 * joining by an invite, role changes, removal, the transfer of ownership,
 * the practice's settings and its closing.  Reads decode rows by name;
 * writes are attempts whose outcome comes through api_outcome_call. */
#include "client/api_core.h"
#include "client/mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef LUMEN_VERSION
#define LUMEN_VERSION "0.0.0"
#endif

/* ------------------------------------------------------------ reads */

#define M(field) API_FIELD(struct api_team_member, field)
static const struct api_col member_cols[] = {
    { "account_id", API_UUID, M(account_id), 0, 0, NULL },
    { "display_name", API_TEXT, M(display_name), API_NULL_OK, 0, NULL },
    { "email", API_TEXT, M(email), 0, 0, NULL },
    { "role", API_TEXT, M(role), 0, 0, NULL },
    { "mfa_enabled", API_BOOL, M(mfa_enabled), 0, 0, NULL },
    { "last_active_at", API_TEXT, M(last_active_at), API_NULL_OK, 0, NULL },
    { "member_since", API_TEXT, M(member_since), API_NULL_OK, 0, NULL },
    { "is_self", API_BOOL, M(is_self), API_NULL_OK, 0, NULL },
};
#undef M

enum api_err api_decode_team_members(const struct db_reply *r, struct api_team_member **list,
                                     size_t *n)
{
    return api_decode_all(r, member_cols, API_NCOLS(member_cols), sizeof **list,
                          (void **)list, n, "api.team_members");
}

static void on_members(void *ud, const struct db_reply *r)
{
    struct pending *p = ud;
    struct api_team_member *list;
    size_t n;
    enum api_err err = api_decode_team_members(r, &list, &n);
    p->fn.team_members(p->ud, err, list, n);
    free(list);
    free(p);
}

/* A read that answers rows: not audited, so DB_RETRY. */
static int read_call(struct db *db, struct pending *p, const char *sql, db_done_fn on_reply,
                     const void *owner)
{
    const char *v[1] = { p->auth->token };
    return pending_call(db, p, sql, 1, v, DB_SECRET | DB_RETRY, on_reply, owner);
}

int api_team_members(struct db *db, struct api_auth *auth, api_team_members_fn done, void *ud,
                     const void *owner)
{
    struct pending *p = pending_new(ud, auth);
    p->fn.team_members = done;
    return read_call(db, p, "SELECT * FROM api.team_members($1)", on_members, owner);
}

#define I(field) API_FIELD(struct api_invite, field)
static const struct api_col invite_cols[] = {
    { "id", API_UUID, I(id), 0, 0, NULL },
    { "email", API_TEXT, I(email), 0, 0, NULL },
    { "role", API_TEXT, I(role), 0, 0, NULL },
    { "invited_by_name", API_TEXT, I(invited_by_name), API_NULL_OK, 0, NULL },
    { "created_at", API_TEXT, I(created_at), 0, 0, NULL },
    { "expires_at", API_TEXT, I(expires_at), 0, 0, NULL },
    { "expired", API_BOOL, I(expired), API_NULL_OK, 0, NULL },
};
#undef I

static void on_invites(void *ud, const struct db_reply *r)
{
    struct pending *p = ud;
    struct api_invite *list;
    size_t n;
    enum api_err err = api_decode_all(r, invite_cols, API_NCOLS(invite_cols), sizeof *list,
                                      (void **)&list, &n, "api.team_invites");
    p->fn.invites(p->ud, err, list, n);
    free(list);
    free(p);
}

int api_team_invites(struct db *db, struct api_auth *auth, api_invites_fn done, void *ud,
                     const void *owner)
{
    struct pending *p = pending_new(ud, auth);
    p->fn.invites = done;
    return read_call(db, p, "SELECT * FROM api.team_invites($1)", on_invites, owner);
}

#define S(field) API_FIELD(struct api_practice_settings, field)
static const struct api_col settings_cols[] = {
    { "name", API_TEXT, S(name), 0, 0, NULL },
    { "require_mfa", API_BOOL, S(require_mfa), 0, 0, NULL },
    { "idle_timeout_s", API_INT, S(idle_timeout_s), 0, 0, NULL },
    { "closed_at", API_TEXT, S(closed_at), API_NULL_OK, 0, NULL },
    { "purge_after", API_TEXT, S(purge_after), API_NULL_OK, 0, NULL },
    { "ingest_key_set", API_BOOL, S(ingest_key_set), API_NULL_OK, 0, NULL },
    { "lead_link", API_TEXT, S(lead_link), API_NULL_OK, 0, NULL },
};
#undef S

static void on_settings(void *ud, const struct db_reply *r)
{
    struct pending *p = ud;
    struct api_practice_settings out = { 0 };
    enum api_err err = api_decode_one(r, settings_cols, API_NCOLS(settings_cols), &out,
                                      "api.practice_settings");
    p->fn.practice_settings(p->ud, err, err == API_OK ? &out : NULL);
    free(p);
}

int api_practice_settings(struct db *db, struct api_auth *auth, api_practice_settings_fn done,
                          void *ud, const void *owner)
{
    struct pending *p = pending_new(ud, auth);
    p->fn.practice_settings = done;
    return read_call(db, p, "SELECT * FROM api.practice_settings($1)", on_settings, owner);
}

/* ------------------------------------------------------------ writes */

/* The token and N - 1 more parameters, A1 and A2 (NULL: SQL NULL). */
static int write_n(struct db *db, struct api_auth *auth, const char *sql, int n,
                   const char *a1, const char *a2, const char *what, api_outcome_fn done,
                   void *ud, const void *owner)
{
    const char *v[3] = { auth->token, a1, a2 };
    return api_outcome_call(db, auth, sql, n, v, NULL, what, done, ud, owner);
}

int api_member_invite(struct db *db, struct api_auth *auth, const char *email, const char *role,
                      api_outcome_fn done, void *ud, const void *owner)
{
    return write_n(db, auth, "SELECT api.member_invite($1, $2, $3)", 3, email, role,
                  "api.member_invite", done, ud, owner);
}

int api_invite_resend(struct db *db, struct api_auth *auth, const char *invite_id,
                      api_outcome_fn done, void *ud, const void *owner)
{
    return write_n(db, auth, "SELECT api.invite_resend($1, $2::uuid)", 2, invite_id, NULL,
                  "api.invite_resend", done, ud, owner);
}

int api_invite_revoke(struct db *db, struct api_auth *auth, const char *invite_id,
                      api_outcome_fn done, void *ud, const void *owner)
{
    return write_n(db, auth, "SELECT api.invite_revoke($1, $2::uuid)", 2, invite_id, NULL,
                  "api.invite_revoke", done, ud, owner);
}

int api_member_remove(struct db *db, struct api_auth *auth, const char *account_id,
                      api_outcome_fn done, void *ud, const void *owner)
{
    return write_n(db, auth, "SELECT api.member_remove($1, $2::uuid)", 2, account_id, NULL,
                  "api.member_remove", done, ud, owner);
}

int api_member_set_role(struct db *db, struct api_auth *auth, const char *account_id,
                        const char *role, api_outcome_fn done, void *ud, const void *owner)
{
    return write_n(db, auth, "SELECT api.member_set_role($1, $2::uuid, $3)", 3, account_id, role,
                  "api.member_set_role", done, ud, owner);
}

int api_practice_transfer(struct db *db, struct api_auth *auth, const char *account_id,
                          api_outcome_fn done, void *ud, const void *owner)
{
    return write_n(db, auth, "SELECT api.practice_transfer($1, $2::uuid)", 2, account_id, NULL,
                  "api.practice_transfer", done, ud, owner);
}

int api_practice_settings_set(struct db *db, struct api_auth *auth, bool require_mfa,
                              int idle_timeout_s, api_outcome_fn done, void *ud,
                              const void *owner)
{
    char idle[16];
    snprintf(idle, sizeof idle, "%d", idle_timeout_s);
    return write_n(db, auth, "SELECT api.practice_settings_set($1, $2::boolean, $3::integer)", 3,
                  require_mfa ? "true" : "false", idle, "api.practice_settings_set", done, ud,
                  owner);
}

int api_practice_close(struct db *db, struct api_auth *auth, const char *confirm_name,
                       api_outcome_fn done, void *ud, const void *owner)
{
    return write_n(db, auth, "SELECT api.practice_close($1, $2)", 2, confirm_name, NULL,
                  "api.practice_close", done, ud, owner);
}

int api_practice_close_cancel(struct db *db, struct api_auth *auth, api_outcome_fn done,
                              void *ud, const void *owner)
{
    return write_n(db, auth, "SELECT api.practice_close_cancel($1)", 1, NULL, NULL,
                  "api.practice_close_cancel", done, ud, owner);
}

/* ------------------------------------------------------------ invites */

/* The p_client of a call without a session (as api_login's). */
static void client_json(char *out, size_t len, const char *origin)
{
    snprintf(out, len, "{\"origin\": \"%s\", \"version\": \"lumen %s\"}",
             origin ? origin : "", LUMEN_VERSION);
}

int api_invite_check(struct db *db, const char *code, const char *email, const char *origin,
                     api_outcome_fn done, void *ud, const void *owner)
{
    char client[160];
    client_json(client, sizeof client, origin);
    const char *v[3] = { code, email, client };
    return api_outcome_call(db, NULL, "SELECT api.invite_check($1, $2, $3::jsonb)", 3, v, NULL,
                            "api.invite_check", done, ud, owner);
}

int api_invite_accept(struct db *db, const char *code, const char *email,
                      const char *display_name, const struct api_kdf *kdf,
                      const unsigned char *key, const char *origin, api_outcome_fn done,
                      void *ud, const void *owner)
{
    char client[160], ops[24], mem[24];
    client_json(client, sizeof client, origin);
    snprintf(ops, sizeof ops, "%llu", kdf->opslimit);
    snprintf(mem, sizeof mem, "%zu", kdf->memlimit);
    const char *v[8] = { code, email, display_name, (const char *)kdf->salt, ops, mem,
                         (const char *)key, client };
    int len[8] = { 0, 0, 0, API_SALT_BYTES, 0, 0, API_KEY_BYTES, 0 };
    return api_outcome_call(db, NULL,
                            "SELECT api.invite_accept($1, $2, $3, $4::bytea, $5::bigint, "
                            "$6::bigint, $7::bytea, $8::jsonb)",
                            8, v, len, "api.invite_accept", done, ud, owner);
}
