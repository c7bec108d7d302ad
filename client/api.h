/* Typed, asynchronous calls of the api schema (db/API.md), on struct db.
 *
 * Each api_* function queues one call (a guess -- api_login, api_mfa_verify,
 * api_unlock -- two: the attempt, then api.attempt_result in a transaction
 * of its own, so the outcome is only ever learnt after the attempt's count
 * and audit rows committed) and returns 0 (or -1 when the
 * database is refused by policy); its callback runs later from
 * db_service() with an api_err and, on API_OK, the parsed answer, which is
 * valid for the duration of the callback only.  OWNER is what api_cancel()
 * matches: usually the screen that asked.
 *
 * Secrets: the session token lives in struct api_auth, in sodium_malloc
 * memory, and is sent as a DB_SECRET parameter; the stretched password key
 * is derived into caller-provided secure memory and wiped by the caller.
 * Neither ever reaches a log line.                                        */
#ifndef LUMEN_CLIENT_API_H
#define LUMEN_CLIENT_API_H

#include <stdbool.h>
#include <stddef.h>

#include "client/db.h"

enum api_err {
    API_OK = 0,
    API_ERR_SESSION_UNKNOWN,    /* LMS01 */
    API_ERR_SESSION_REVOKED,    /* LMS02 */
    API_ERR_SESSION_IDLE,       /* LMS03: locked until api_unlock() */
    API_ERR_SESSION_EXPIRED,    /* LMS04 */
    API_ERR_MFA_OWED,           /* LMS05 */
    API_ERR_NO_PRACTICE,        /* LMS06 */
    API_ERR_ENROLL,             /* LMS07: the practice requires two-factor; enroll first */
    API_ERR_PRACTICE_CLOSED,    /* LMS08: the practice is closed (ends the session) */
    API_ERR_DENIED,             /* LMP01 */
    API_ERR_INVALID,            /* LMV01 */
    API_ERR_STEP_UP,            /* LMU01: confirm the password (api_unlock), then replay */
    API_ERR_LOST,               /* the connection went away; try again */
    API_ERR_CANCELLED,          /* api_cancel(); say nothing */
    API_ERR_SERVER,             /* anything else the server said */
    API_ERR_COUNT
};

/* The sentence for the user, from one table (client/api_messages.c). */
const char *api_err_message(enum api_err err);
/* True when the error means the session is over: back to sign-in.  Not
 * API_ERR_SESSION_IDLE: the server's idle expiry locks the session, and
 * api_unlock() with the password revives it.  Not API_ERR_ENROLL either:
 * the session goes on, able only to enroll (and read its own account).
 * API_ERR_PRACTICE_CLOSED is: only the Owner keeps a closed practice, and
 * the Owner is never told it. */
bool api_err_ends_session(enum api_err err);
enum api_err api_err_from_sqlstate(const char *sqlstate);
/* Why the last answer was refused as malformed (API_ERR_SERVER): the call
 * and the column, e.g. `api.me: column "role" missing`; never a value, so
 * it may be shown or logged.  "" until one was. */
const char *api_err_detail(void);

#define API_TOKEN_HEX 64
#define API_KEY_BYTES 32
#define API_SALT_BYTES 16

/* Who is signed in.  api_auth_init() allocates the secure token buffer;
 * api_auth_clear() wipes it; api_auth_free() wipes and frees. */
struct api_auth {
    char *token;                /* API_TOKEN_HEX + 1, sodium_malloc */
    bool has_token;
    char email[256];
    char origin[64];            /* the SSH client's address, or "" */
};
void api_auth_init(struct api_auth *auth);
void api_auth_clear(struct api_auth *auth);
void api_auth_free(struct api_auth *auth);

/* The SSH client's address from SSH_CONNECTION (an IP address, nothing
 * else), or "" when not over SSH or the value is malformed. */
void api_origin_from_env(char *out, size_t outlen);

struct api_kdf {
    unsigned char salt[API_SALT_BYTES];
    unsigned long long opslimit;
    size_t memlimit;
};

/* Argon2id of the password into KEY (API_KEY_BYTES, secure memory the
 * caller owns).  Refuses limits outside what a client should spend (a
 * hostile server could ask for gigabytes).  0 or -1. */
int api_derive_key(const char *password, size_t len, const struct api_kdf *kdf,
                   unsigned char *key);

typedef void (*api_done_fn)(void *ud, enum api_err err);

typedef void (*api_kdf_fn)(void *ud, enum api_err err, const struct api_kdf *kdf);
int api_login_begin(struct db *db, const char *email, api_kdf_fn done, void *ud, const void *owner);

enum api_login_status { API_LOGIN_OK, API_LOGIN_INVALID, API_LOGIN_LOCKED };
struct api_login {
    enum api_login_status status;
    bool mfa_required;
    int retry_after_s;
};
typedef void (*api_login_fn)(void *ud, enum api_err err, const struct api_login *r);
/* On API_LOGIN_OK the token is stored in AUTH (and auth->email set). */
int api_login(struct db *db, struct api_auth *auth, const char *email,
              const unsigned char *key, api_login_fn done, void *ud, const void *owner);

enum api_mfa_status { API_MFA_OK, API_MFA_INVALID, API_MFA_LOCKED };
struct api_mfa {
    enum api_mfa_status status;
    int recovery_codes_left;    /* -1 when a TOTP code was used */
};
typedef void (*api_mfa_fn)(void *ud, enum api_err err, const struct api_mfa *r);
int api_mfa_verify(struct db *db, struct api_auth *auth, const char *code,
                   api_mfa_fn done, void *ud, const void *owner);

/* The token is wiped from AUTH when the call is queued: a sign-out never
 * depends on the answer. */
int api_logout(struct db *db, struct api_auth *auth, api_done_fn done, void *ud,
               const void *owner);

struct api_me {
    char account_id[40];
    char session_id[40];
    char practice_id[40];       /* "" until a practice is chosen */
    const char *email;
    const char *display_name;
    const char *practice_name;  /* "" until chosen */
    const char *timezone;
    const char *role;           /* "owner", "admin", "viewer" or "" */
    bool mfa_enabled;
    int idle_timeout_s;
    int absolute_timeout_s;
    const char *const *permissions;
    size_t npermissions;
    int recovery_codes_left;    /* unused recovery codes; -1 without two-factor */
    bool mfa_enroll_required;   /* the practice requires two-factor the account lacks */
    const char *practice_closed_at; /* "" while the practice is open (013) */
};
typedef void (*api_me_fn)(void *ud, enum api_err err, const struct api_me *me);
int api_me(struct db *db, struct api_auth *auth, api_me_fn done, void *ud, const void *owner);
bool api_me_can(const struct api_me *me, const char *permission);

struct api_practice {
    const char *id;
    const char *name;
    const char *role;
};
typedef void (*api_practices_fn)(void *ud, enum api_err err,
                                 const struct api_practice *list, size_t n);
int api_practices(struct db *db, struct api_auth *auth, api_practices_fn done, void *ud,
                  const void *owner);
int api_select_practice(struct db *db, struct api_auth *auth, const char *practice_id,
                        api_done_fn done, void *ud, const void *owner);

enum api_unlock_status { API_UNLOCK_OK, API_UNLOCK_INVALID, API_UNLOCK_CODE_REQUIRED,
                         API_UNLOCK_LOCKED };
struct api_unlock {
    enum api_unlock_status status;
    int retry_after_s;
};
typedef void (*api_unlock_fn)(void *ud, enum api_err err, const struct api_unlock *r);
/* The idle lock's proof: the password's key (and a code, or NULL, where
 * the account has two-factor) for the session in AUTH, which continues. */
int api_unlock(struct db *db, struct api_auth *auth, const unsigned char *key,
               const char *code, api_unlock_fn done, void *ud, const void *owner);

void api_cancel(struct db *db, const void *owner);

/* ------------------------------------------------------------ leads
 * The lead inbox (spec: issue 7; db/api/50_leads.sql).  Audited reads are
 * two steps: *_open writes the audit row and answers a grant handle, which
 * the reads that follow present (a list's pages, a lead's items).  Writes
 * answer a status (ok, denied, not_found) through the attempt machinery,
 * after the audit row committed.  A missing step-up is API_ERR_STEP_UP:
 * api_unlock() with the password (and code), then the same call again.
 * A grant that is unknown, another session's or expired: API_ERR_INVALID. */

#define API_GRANT_HEX 64

/* GRANT: API_GRANT_HEX hex digits and a NUL, during the callback only. */
typedef void (*api_grant_fn)(void *ud, enum api_err err, const char *grant);
/* FILTER_JSON: client/leadfilter.h's output ("{}": everything).  Audit
 * lead.list with the filter. */
int api_leads_open(struct db *db, struct api_auth *auth, const char *filter_json,
                   api_grant_fn done, void *ud, const void *owner);
/* Audit lead.view.  A lead not in the practice: API_ERR_INVALID. */
int api_lead_open(struct db *db, struct api_auth *auth, long long lead_id,
                  api_grant_fn done, void *ud, const void *owner);

/* A page of rows, the raw result for the duration of the callback: the
 * screen copies what it keeps.  Every column the call promises was checked
 * present before the callback (else API_ERR_SERVER, api_err_detail()). */
struct api_rows {
    const PGresult *res;
    int n;
};
typedef void (*api_rows_fn)(void *ud, enum api_err err, const struct api_rows *rows);
/* The column's index, or -1. */
int api_rows_col(const struct api_rows *r, const char *column);
/* The cell's text, "" for NULL or a column or row that is not there. */
const char *api_rows_get(const struct api_rows *r, int row, const char *column);
bool api_rows_null(const struct api_rows *r, int row, const char *column);
/* The same by index (api_rows_col), for loops over many rows. */
const char *api_rows_at(const struct api_rows *r, int row, int col);
/* Row ROW's cells of the N COLUMNS named, as an export writes them:
 * CELLS[i] NULL for an SQL NULL (or a missing column), LENS[i] bytes. */
void api_rows_cells(const struct api_rows *r, int row, const char *const *columns, size_t n,
                    const char **cells, size_t *lens);

/* ORDER "newest" | "untouched"; FROM "first" | "last" | "after" | "before" |
 * "at"; KEY the key column of a row (NULL for first / last); LIMIT 1..1000.
 * Columns: key, id, captured_at, age_s, status, name, service, phone,
 * email, assigned_to, assigned_name, touched; in display order. */
int api_leads_page(struct db *db, struct api_auth *auth, const char *grant, const char *order,
                   const char *from, const char *key, int limit, api_rows_fn done, void *ud,
                   const void *owner);

struct api_lead {
    long long id;
    const char *visitor_id, *name, *phone, *email, *service, *page_url, *captured_at,
        *status, *assigned_to, *assigned_name, *first_response_at, *updated_at;
    long long age_s;
};
/* LEAD NULL with API_OK: the lead was deleted since it was opened.  Text
 * columns that are NULL read "". */
typedef void (*api_lead_fn)(void *ud, enum api_err err, const struct api_lead *lead);
int api_lead_get(struct db *db, struct api_auth *auth, const char *grant, api_lead_fn done,
                 void *ud, const void *owner);

/* kind "visitor" | "bot" | "note" | "change"; in the server's order. */
struct api_lead_item {
    const char *kind, *at, *who, *body;
};
typedef void (*api_lead_items_fn)(void *ud, enum api_err err, const struct api_lead_item *items,
                                  size_t n);
int api_lead_items(struct db *db, struct api_auth *auth, const char *grant,
                   api_lead_items_fn done, void *ud, const void *owner);

struct api_member {
    const char *account_id, *display_name, *role;
};
typedef void (*api_members_fn)(void *ud, enum api_err err, const struct api_member *m, size_t n);
int api_lead_assignees(struct db *db, struct api_auth *auth, api_members_fn done, void *ud,
                       const void *owner);

enum api_change_status { API_CHANGE_OK, API_CHANGE_DENIED, API_CHANGE_NOT_FOUND };
struct api_change {
    enum api_change_status status;
    long long affected;         /* leads changed; 0 when the server says NULL */
};
typedef void (*api_change_fn)(void *ud, enum api_err err, const struct api_change *r);
/* IDS: 1..1000 lead ids (the server refuses others, API_ERR_INVALID). */
int api_leads_set_status(struct db *db, struct api_auth *auth, const long long *ids, size_t n,
                         const char *status, api_change_fn done, void *ud, const void *owner);
/* ACCOUNT_ID NULL or "": nobody. */
int api_leads_assign(struct db *db, struct api_auth *auth, const long long *ids, size_t n,
                     const char *account_id, api_change_fn done, void *ud, const void *owner);
int api_lead_note(struct db *db, struct api_auth *auth, long long lead_id, const char *body,
                  api_change_fn done, void *ud, const void *owner);
/* Needs step-up. */
int api_lead_delete(struct db *db, struct api_auth *auth, long long lead_id, const char *reason,
                    api_change_fn done, void *ud, const void *owner);

/* NEWEST_ID -1 when the practice has no lead.  Does not refresh the
 * session's idle time: safe to poll. */
struct api_arrivals {
    long long newest_id;
    int arrived;
};
typedef void (*api_arrivals_fn)(void *ud, enum api_err err, const struct api_arrivals *a);
/* AFTER_ID < 0: none (arrived is 0). */
int api_leads_arrivals(struct db *db, struct api_auth *auth, long long after_id,
                       api_arrivals_fn done, void *ud, const void *owner);

/* Needs lead.export (a Viewer: API_ERR_DENIED) and step-up. */
struct api_export_open {
    char grant[API_GRANT_HEX + 1];
    long long row_count;
};
typedef void (*api_export_open_fn)(void *ud, enum api_err err, const struct api_export_open *r);
int api_leads_export_open(struct db *db, struct api_auth *auth, const char *filter_json,
                          bool with_transcript, api_export_open_fn done, void *ud,
                          const void *owner);
/* Rows by id ascending after AFTER_ID (< 0: from the start), at most
 * LIMIT (<= 0: all).  Columns: id, captured_at, status, name, phone,
 * email, service, page_url, assigned_name, first_response_at, transcript. */
int api_leads_export_rows(struct db *db, struct api_auth *auth, const char *grant,
                          long long after_id, int limit, api_rows_fn done, void *ud,
                          const void *owner);

/* ------------------------------------------------------------ audit
 * The audit log viewer (spec: issue 8, /work/spec-audit.md; db/api/60_audit.sql).
 * As the inbox: api_audit_open writes the audit row (audit.view) and
 * answers a grant, which the pages, a row and the days present (those are
 * sent again after a lost connection: DB_RETRY; the *_open calls never
 * are).  Readers need audit.read (Owner, Admin, Viewer); the export needs
 * audit.export (a Viewer: API_ERR_DENIED) and step-up.  Times are sent
 * and answered as timestamptz text (the connection's zone is UTC). */

/* The range a preset names, computed by the server in the practice's
 * zone: [from_at, to_at), and its inclusive calendar days there.  Not
 * audited. */
struct api_audit_range {
    char from_at[40], to_at[40];    /* timestamptz text, e.g. "2026-11-01 05:00:00+00" */
    char first_day[11], last_day[11];   /* YYYY-MM-DD */
    char timezone[64];              /* "America/Chicago" */
};
typedef void (*api_audit_range_fn)(void *ud, enum api_err err, const struct api_audit_range *r);
/* PRESET "today" | "yesterday" | "last7" | "last30" | "this_month" |
 * "last_month" | "custom"; FROM_DAY, TO_DAY (YYYY-MM-DD, inclusive) for
 * "custom" only (else NULL).  A bad range (order, over 400 days, a day
 * missing): API_ERR_INVALID. */
int api_audit_range(struct db *db, struct api_auth *auth, const char *preset,
                    const char *from_day, const char *to_day, api_audit_range_fn done, void *ud,
                    const void *owner);

/* FROM_AT, TO_AT: a range's (struct api_audit_range); FILTER_JSON:
 * client/auditfilter.h's output ("{}" or NULL: everything).  Audit
 * audit.view with the range and filter, once: call it when either
 * changes, not per page. */
int api_audit_open(struct db *db, struct api_auth *auth, const char *from_at, const char *to_at,
                   const char *filter_json, api_grant_fn done, void *ud, const void *owner);

/* FROM "first" | "last" | "after" | "before" | "at"; KEY a row's key
 * column (NULL for first / last); LIMIT 1..1000.  Newest first (at DESC,
 * id DESC), rows always in display order.  Columns: key, id, at,
 * actor_email, action, target_type, target_id, outcome, reported_origin,
 * server_addr. */
int api_audit_page(struct db *db, struct api_auth *auth, const char *grant, const char *from,
                   const char *key, int limit, api_rows_fn done, void *ud, const void *owner);

/* One row whole.  Text columns that are NULL read "" (actor_id,
 * session_id, target_*, server_addr, reported_origin may be); DETAIL is
 * the jsonb laid out by the server (jsonb_pretty), several lines. */
struct api_audit_row {
    long long id;
    const char *at, *actor_id, *actor_email, *session_id, *action, *target_type, *target_id,
        *outcome, *server_addr, *reported_origin, *detail;
};
/* ROW NULL with API_OK: not in the grant's range and filter. */
typedef void (*api_audit_row_fn)(void *ud, enum api_err err, const struct api_audit_row *row);
int api_audit_row(struct db *db, struct api_auth *auth, const char *grant, long long id,
                  api_audit_row_fn done, void *ud, const void *owner);

/* Events per calendar day (the practice's zone) over the grant's range
 * and filter, every day present (0 too), oldest first; DAY YYYY-MM-DD.
 * It may take a moment on a large log: ask it after the first page. */
struct api_audit_day {
    const char *day;
    long long events;
};
typedef void (*api_audit_days_fn)(void *ud, enum api_err err, const struct api_audit_day *days,
                                  size_t n);
int api_audit_days(struct db *db, struct api_auth *auth, const char *grant,
                   api_audit_days_fn done, void *ud, const void *owner);

/* Audit audit.export with range, filter and row count; HEAD_SEQ and
 * HEAD_HASH (64 hex digits) are the practice's chain head at that moment,
 * for the export's sidecar (client/auditexport.h). */
struct api_audit_export_open {
    char grant[API_GRANT_HEX + 1];
    long long row_count;
    long long head_seq;
    char head_hash[65];
};
typedef void (*api_audit_export_open_fn)(void *ud, enum api_err err,
                                         const struct api_audit_export_open *r);
int api_audit_export_open(struct db *db, struct api_auth *auth, const char *from_at,
                          const char *to_at, const char *filter_json,
                          api_audit_export_open_fn done, void *ud, const void *owner);
/* Rows by id ascending after AFTER_ID (< 0: from the start), at most
 * LIMIT (<= 0: all; else up to 100000).  Columns: id, at, actor_email,
 * action, target_type, target_id, outcome, server_addr, reported_origin,
 * session_id, detail (compact jsonb text) -- client/auditexport.h's. */
int api_audit_export_rows(struct db *db, struct api_auth *auth, const char *grant,
                          long long after_id, int limit, api_rows_fn done, void *ud,
                          const void *owner);

/* ------------------------------------------------------------ outcomes
 * The writes of the team and security sections answer, as the lead
 * writes do, an attempt id whose outcome api.attempt_result tells once,
 * after the write's audit rows committed; unlike them, an outcome may
 * carry a secret shown once (an invite code, recovery codes) and facts
 * (info).  Which statuses, which facts: said at each call. */

enum api_outcome_status {
    API_OUTCOME_OK,
    API_OUTCOME_DENIED,         /* the role may not (audited as denied) */
    API_OUTCOME_NOT_FOUND,      /* no such id here (or another account's) */
    API_OUTCOME_INVALID,        /* a wrong code or password, or a bad confirmation */
    API_OUTCOME_LOCKED,         /* too many failures: retry_after_s */
    API_OUTCOME_LAPSED,         /* a pending enrollment is older than 10 minutes */
    API_OUTCOME_REQUIRED,       /* a practice requires two-factor (mfa_disable) */
    API_OUTCOME_EXISTS,         /* already a member (member_invite) */
};
struct api_outcome {
    enum api_outcome_status status;
    int retry_after_s;          /* locked: seconds to wait; 0 when not said */
    long long affected;         /* sessions ended, rows changed; 0 when not said */
    int recovery_codes_left;    /* -1 when not said */
    /* Shown once: an invite code, or ten recovery codes joined by '\n';
     * NULL when none.  In sodium_malloc memory during the callback only:
     * it is wiped and freed after it (and libpq's copy wiped before).
     * Copy it nowhere but to the user's eyes or a 0600 file. */
    const char *secret;
    /* The outcome's facts (attempt_result's info); "", false or -1 when
     * the server said none.  Strings valid during the callback. */
    char invite_id[40];
    const char *expires_at;     /* timestamptz text (ISO, perhaps with a 'T') */
    const char *practice_name;
    const char *role;
    bool account_exists;        /* invite_check */
    bool mfa_required;          /* invite_accept: the practice requires 2FA, the account lacks it */
    const char *purge_after;    /* practice_close */
    long long head_seq;         /* practice_close: the final chain head */
    const char *head_hash;
    char webhook_id[40];        /* notify_webhook_add */
    char email_id[40];          /* notify_email_add */
};
typedef void (*api_outcome_fn)(void *ud, enum api_err err, const struct api_outcome *r);

/* ------------------------------------------------------------ team
 * Members, invites and the practice's settings (spec: issue 9,
 * /work/spec-team-sec.md; db/api/80_team.sql).  Reads need team.read
 * (every role) unless said; "step-up" means API_ERR_STEP_UP when the
 * session's last proof is 10 minutes old: api_unlock(), then the call
 * again.  Times are timestamptz text (the connection's zone is UTC). */

/* Owner first, then admins, viewers, each by name.  LAST_ACTIVE_AT ""
 * when never.  Strings valid during the callback. */
struct api_team_member {
    char account_id[40];
    const char *display_name, *email, *role;
    bool mfa_enabled;
    const char *last_active_at, *member_since;
    bool is_self;
};
typedef void (*api_team_members_fn)(void *ud, enum api_err err,
                                    const struct api_team_member *list, size_t n);
int api_team_members(struct db *db, struct api_auth *auth, api_team_members_fn done, void *ud,
                     const void *owner);

/* Pending invites (not accepted, not revoked); needs member.invite (a
 * Viewer: API_ERR_DENIED). */
struct api_invite {
    char id[40];
    const char *email, *role, *invited_by_name, *created_at, *expires_at;
    bool expired;
};
typedef void (*api_invites_fn)(void *ud, enum api_err err, const struct api_invite *list,
                               size_t n);
int api_team_invites(struct db *db, struct api_auth *auth, api_invites_fn done, void *ud,
                     const void *owner);

/* ROLE "admin" | "viewer" (else API_ERR_INVALID).  ok (secret: the code;
 * invite_id, expires_at) | denied | exists.  A pending invite to the same
 * email is revoked by this one. */
int api_member_invite(struct db *db, struct api_auth *auth, const char *email, const char *role,
                      api_outcome_fn done, void *ud, const void *owner);
/* A new code, the old one dead, expiry reset: ok (+ secret, expires_at) |
 * denied | not_found. */
int api_invite_resend(struct db *db, struct api_auth *auth, const char *invite_id,
                      api_outcome_fn done, void *ud, const void *owner);
/* Step-up.  ok | denied | not_found. */
int api_invite_revoke(struct db *db, struct api_auth *auth, const char *invite_id,
                      api_outcome_fn done, void *ud, const void *owner);

/* Without a session (as api_login): ORIGIN the SSH client's address or ""
 * (api_origin_from_env).  A guess, counted like a failed sign-in.
 * ok (practice_name, role, account_exists) | invalid (wrong, used,
 * revoked, expired, another email: one answer) | locked. */
int api_invite_check(struct db *db, const char *code, const char *email, const char *origin,
                     api_outcome_fn done, void *ud, const void *owner);
/* Joins the invite's practice.  A new account: DISPLAY_NAME, KDF and KEY
 * from api_password_set_key().  An existing one proves its password: KEY
 * derived with the salt and limits api_login_begin(EMAIL) answered (pass
 * that KDF; DISPLAY_NAME may be NULL, both are ignored).  KEY is
 * API_KEY_BYTES of secure memory the caller owns and wipes.
 * ok (practice_name, role, mfa_required) | invalid | locked.  No session
 * is made: sign in after. */
int api_invite_accept(struct db *db, const char *code, const char *email,
                      const char *display_name, const struct api_kdf *kdf,
                      const unsigned char *key, const char *origin, api_outcome_fn done,
                      void *ud, const void *owner);

/* Step-up.  Owner: anyone but the Owner; Admin: Viewers only.  ok
 * (their sessions in the practice end at once) | denied | not_found. */
int api_member_remove(struct db *db, struct api_auth *auth, const char *account_id,
                      api_outcome_fn done, void *ud, const void *owner);
/* Owner only, step-up; ROLE "admin" | "viewer".  ok (affected 0: it was
 * that role already) | denied | not_found. */
int api_member_set_role(struct db *db, struct api_auth *auth, const char *account_id,
                        const char *role, api_outcome_fn done, void *ud, const void *owner);
/* Owner only, step-up; the new Owner must be an Admin here; the old one
 * becomes Admin.  ok | denied (also the loser of two racing transfers). */
int api_practice_transfer(struct db *db, struct api_auth *auth, const char *account_id,
                          api_outcome_fn done, void *ud, const void *owner);

/* Needs practice.settings (the Owner).  CLOSED_AT, PURGE_AFTER "" unless
 * the practice is closed. */
struct api_practice_settings {
    const char *name;
    bool require_mfa;
    int idle_timeout_s;
    const char *closed_at, *purge_after;
    bool ingest_key_set;
    const char *lead_link;      /* the link a lead alert carries (016); "" when none */
};
typedef void (*api_practice_settings_fn)(void *ud, enum api_err err,
                                         const struct api_practice_settings *s);
int api_practice_settings(struct db *db, struct api_auth *auth, api_practice_settings_fn done,
                          void *ud, const void *owner);
/* Step-up; IDLE_TIMEOUT_S 60..3600 (else API_ERR_INVALID).  ok | denied. */
int api_practice_settings_set(struct db *db, struct api_auth *auth, bool require_mfa,
                              int idle_timeout_s, api_outcome_fn done, void *ud,
                              const void *owner);
/* Owner, step-up; CONFIRM_NAME must be the practice's name.  ok
 * (purge_after, head_seq, head_hash: the final chain head; every
 * member's session in the practice ends, this one too) | invalid | denied. */
int api_practice_close(struct db *db, struct api_auth *auth, const char *confirm_name,
                       api_outcome_fn done, void *ud, const void *owner);
/* Owner, step-up.  ok | denied. */
int api_practice_close_cancel(struct db *db, struct api_auth *auth, api_outcome_fn done,
                              void *ud, const void *owner);

/* Owner, step-up: a new key for the chatbot's backend (ingest.lead_capture),
 * the old one dead at once.  KEY is shown once: valid during the callback
 * only, wiped after it. */
typedef void (*api_text_fn)(void *ud, enum api_err err, const char *text);
int api_ingest_key_rotate(struct db *db, struct api_auth *auth, api_text_fn done, void *ud,
                          const void *owner);

/* ------------------------------------------------------------ security
 * The account's own two-factor, password and sessions (spec: issue 10;
 * db/api/70_security.sql).  Every call here works while the practice
 * asks for enrollment (API_ERR_ENROLL elsewhere). */

/* The server's defaults for a new password (accounts.pw_opslimit,
 * pw_memlimit): what api.login_begin answers for an unknown email. */
#define API_KDF_OPSLIMIT 2ULL
#define API_KDF_MEMLIMIT (64u << 20)

/* A new password's key: a fresh random salt (randombytes_buf) and the
 * default limits into KDF, Argon2id of PASSWORD into KEY (API_KEY_BYTES of
 * secure memory the caller owns and wipes, sodium_malloc).  0 or -1 (out
 * of memory for Argon2id). */
int api_password_set_key(const char *password, size_t len, struct api_kdf *kdf,
                         unsigned char *key);

/* Begins enrollment: a new secret (replacing a pending one), lapsing
 * after 10 minutes.  API_ERR_INVALID when two-factor is on already.
 * SECRET_BASE32 (no padding) and URI (otpauth://totp/Lumen:...) are
 * secrets: valid during the callback only, wiped after it. */
struct api_mfa_enroll {
    const char *secret_base32;
    const char *uri;
    const char *expires_at;
};
typedef void (*api_mfa_enroll_fn)(void *ud, enum api_err err, const struct api_mfa_enroll *r);
int api_mfa_enroll_begin(struct db *db, struct api_auth *auth, api_mfa_enroll_fn done,
                         void *ud, const void *owner);
/* The first code from the app (a guess).  ok (two-factor on; secret: ten
 * recovery codes; recovery_codes_left) | invalid | locked | lapsed. */
int api_mfa_enroll_confirm(struct db *db, struct api_auth *auth, const char *code,
                           api_outcome_fn done, void *ud, const void *owner);
/* Step-up.  ok (secret: ten new codes; the old ones die). */
int api_mfa_recovery_regenerate(struct db *db, struct api_auth *auth, api_outcome_fn done,
                                void *ud, const void *owner);
/* A current code (TOTP or recovery; a guess).  ok | invalid | locked |
 * required (a practice of the account requires two-factor). */
int api_mfa_disable(struct db *db, struct api_auth *auth, const char *code,
                    api_outcome_fn done, void *ud, const void *owner);
/* CURRENT_KEY: the old password's key (api_login_begin's kdf); NEW_KDF
 * and NEW_KEY from api_password_set_key().  Keys API_KEY_BYTES, the
 * caller's secure memory.  A guess, counted like a failed sign-in.  ok
 * (affected: the other sessions ended) | invalid | locked; limits below
 * the server's minimum: API_ERR_INVALID. */
int api_password_change(struct db *db, struct api_auth *auth, const unsigned char *current_key,
                        const struct api_kdf *new_kdf, const unsigned char *new_key,
                        api_outcome_fn done, void *ud, const void *owner);

/* The account's unrevoked, unexpired sessions, newest activity first.
 * Strings "" when NULL, valid during the callback. */
struct api_session_row {
    char id[40];
    const char *created_at, *last_seen_at, *server_addr, *reported_origin, *client_version,
        *practice_name;
    bool locked;                /* state 'locked' (idle) rather than 'live' */
    bool current;               /* the session of AUTH */
};
typedef void (*api_sessions_fn)(void *ud, enum api_err err, const struct api_session_row *list,
                                size_t n);
int api_sessions(struct db *db, struct api_auth *auth, api_sessions_fn done, void *ud,
                 const void *owner);
/* One session of the account's own: another than AUTH's needs step-up.
 * ok | not_found (unknown, or another account's: alike). */
int api_session_revoke(struct db *db, struct api_auth *auth, const char *session_id,
                       api_outcome_fn done, void *ud, const void *owner);
/* Step-up.  Every session of the account, AUTH's too when INCLUDE_CURRENT.
 * ok (affected: how many ended). */
int api_sessions_revoke_all(struct db *db, struct api_auth *auth, bool include_current,
                            api_outcome_fn done, void *ud, const void *owner);

/* The wake-up's one cheap call (and the poll's): never raises for the
 * session's state, never refreshes its idle time, not audited.  With
 * API_SESSION_UNKNOWN every other field is empty ("", -1, false). */
enum api_session_state_kind {
    API_SESSION_LIVE, API_SESSION_LOCKED, API_SESSION_REVOKED, API_SESSION_EXPIRED,
    API_SESSION_UNKNOWN,
};
struct api_session_state {
    enum api_session_state_kind state;
    const char *why;            /* revoked_why ("logout", "removed", ...), or "" */
    char practice_id[40];       /* "" with no practice */
    const char *role;           /* "" when no longer a member of the practice */
    bool mfa_enabled;
    bool mfa_enroll_required;
    int idle_timeout_s;         /* -1 when not said */
    bool practice_closed;
    long long leads_newest;     /* -1 when none or no practice */
};
typedef void (*api_session_state_fn)(void *ud, enum api_err err,
                                     const struct api_session_state *s);
int api_session_state(struct db *db, struct api_auth *auth, api_session_state_fn done, void *ud,
                      const void *owner);

/* ------------------------------------------------------------ notifications
 * The Owner's notification settings (spec: issue 11, /work/spec-notify.md;
 * db/api/90_notify.sql): the practice's webhooks (Standard Webhooks, each
 * with its whsec_ secret), the email recipients of lead alerts, the link a
 * lead alert carries, and the deliveries that failed or are retrying.
 * Every call is the Owner's (practice.settings): a non-Owner's read is
 * API_ERR_DENIED, a write is answered denied (audited).  Every string a
 * row holds is someone's text -- a URL or a description the Owner typed,
 * an error a remote receiver sent -- and is shown through the sanitizer.
 * Times are timestamptz text ("" when NULL); strings valid during the
 * callback only. */

struct api_notify_webhook {
    char id[40];
    const char *url, *description, *created_at;
    int secrets;                /* active secrets: 2 while a rotation's old one lives */
    const char *disabled_at;    /* "" while enabled */
    const char *disabled_reason;    /* "HTTP 410 Gone", or "" */
    const char *last_delivered_at, *last_error, *last_error_at;
    long long pending, failed;
};
typedef void (*api_notify_webhooks_fn)(void *ud, enum api_err err,
                                       const struct api_notify_webhook *list, size_t n);
/* Not removed ones, as the server orders them. */
int api_notify_webhooks(struct db *db, struct api_auth *auth, api_notify_webhooks_fn done,
                        void *ud, const void *owner);

struct api_notify_email {
    char id[40];
    const char *email, *created_at, *last_delivered_at, *last_error, *last_error_at;
    long long pending, failed;
};
typedef void (*api_notify_emails_fn)(void *ud, enum api_err err,
                                     const struct api_notify_email *list, size_t n);
int api_notify_emails(struct db *db, struct api_auth *auth, api_notify_emails_fn done, void *ud,
                      const void *owner);

enum api_notify_state { API_NOTIFY_FAILED, API_NOTIFY_RETRYING };
struct api_notify_failure {
    long long id;
    char message_id[40];
    const char *kind;           /* "lead.new", "notify.test", ... */
    const char *channel;        /* "webhook" | "email" */
    const char *destination;    /* the webhook's URL or the email address */
    int attempts;
    enum api_notify_state state;
    const char *last_error, *last_attempt_at, *next_attempt_at;
};
typedef void (*api_notify_failures_fn)(void *ud, enum api_err err,
                                       const struct api_notify_failure *list, size_t n);
/* The practice's rows that failed or are retrying, newest attempt first;
 * LIMIT 1..100 (the server's default is 20). */
int api_notify_failures(struct db *db, struct api_auth *auth, int limit,
                        api_notify_failures_fn done, void *ud, const void *owner);

/* The writes, each an attempt whose outcome is told once.  Step-up where
 * said (API_ERR_STEP_UP: api_unlock, then the same call again).  A URL the
 * server refuses (no http(s)://, no host, spaces, too long):
 * API_ERR_INVALID.
 * add: step-up; ok (secret: the whsec_..., shown once; webhook_id) |
 *      denied | exists (the same URL is there).  DESCRIPTION NULL or "":
 *      none. */
int api_notify_webhook_add(struct db *db, struct api_auth *auth, const char *url,
                           const char *description, api_outcome_fn done, void *ud,
                           const void *owner);
/* Step-up; ok (secret: the new whsec_; the old ones stay valid 24 hours)
 * | not_found | denied. */
int api_notify_webhook_rotate(struct db *db, struct api_auth *auth, const char *webhook_id,
                              api_outcome_fn done, void *ud, const void *owner);
/* ok | not_found | denied. */
int api_notify_webhook_remove(struct db *db, struct api_auth *auth, const char *webhook_id,
                              api_outcome_fn done, void *ud, const void *owner);
/* A disabled one (a 410) delivers again: ok | not_found | denied. */
int api_notify_webhook_enable(struct db *db, struct api_auth *auth, const char *webhook_id,
                              api_outcome_fn done, void *ud, const void *owner);
/* ok (email_id) | exists | denied; a malformed address: API_ERR_INVALID. */
int api_notify_email_add(struct db *db, struct api_auth *auth, const char *email,
                         api_outcome_fn done, void *ud, const void *owner);
/* ok | not_found | denied. */
int api_notify_email_remove(struct db *db, struct api_auth *auth, const char *email_id,
                            api_outcome_fn done, void *ud, const void *owner);
/* A notify.test to the webhook or email recipient of that id: ok |
 * not_found | denied. */
int api_notify_test(struct db *db, struct api_auth *auth, const char *id, api_outcome_fn done,
                    void *ud, const void *owner);
/* LINK NULL or "" clears it; else https://, at most 500 characters, may
 * hold {lead_id} (else API_ERR_INVALID).  ok | denied. */
int api_notify_lead_link_set(struct db *db, struct api_auth *auth, const char *link,
                             api_outcome_fn done, void *ud, const void *owner);

/* The one place a session's end is dealt with.  When set, every answer
 * whose error ends the session (api_err_ends_session), locks it
 * (API_ERR_SESSION_IDLE) or owes enrollment (API_ERR_ENROLL) is first
 * given to FN; when FN returns true it has dealt with it (back to
 * sign-in, the lock, the enrollment screen) and the call's own callback is
 * told API_ERR_CANCELLED, so that no callback repeats it or paints a
 * second message over it.  NULL (the default, and the subcommands'): each
 * callback sees the error itself.  One per process, as there is one user. */
typedef bool (*api_session_fn)(void *ud, enum api_err err);
void api_set_session_hook(api_session_fn fn, void *ud);

#endif
