/* Private to client/api_*.c: the core every api wrapper is built on --
 * the pending call, the error mapping, the two-step guess (attempt_call),
 * and the table-driven decoder of result rows.  Not for screens: they use
 * client/api.h only.
 *
 * A decoder table names each column the wrapper reads, its type and where
 * it goes in the caller's struct; api_decode() looks every name up in the
 * result the server sent (PQfnumber), so a column renamed, dropped or
 * reordered on the server is an error (API_ERR_SERVER and a reason in
 * api_err_detail()), never a value read from the wrong place:
 *
 *   static const struct api_col cols[] = {
 *       { "account_id",  API_UUID, API_FIELD(struct api_me, account_id) },
 *       { "email",       API_TEXT, API_FIELD(struct api_me, email) },
 *       { "practice_id", API_UUID, API_FIELD(struct api_me, practice_id), API_NULL_OK },
 *       { "mfa_enabled", API_BOOL, API_FIELD(struct api_me, mfa_enabled) },
 *   };                                                                     */
#ifndef LUMEN_CLIENT_API_CORE_H
#define LUMEN_CLIENT_API_CORE_H

#include "client/api.h"

#include <stddef.h>

enum api_col_type {
    API_TEXT,       /* const char *, into the result: valid during the callback */
    API_STR,        /* char[size], a copy; longer is malformed */
    API_UUID,       /* char[size >= 37], a copy of a uuid's text form, checked */
    API_INT,        /* int, decimal, in range */
    API_INT64,      /* 8 bytes (int64_t, unsigned long long, size_t on LP64) */
    API_BOOL,       /* bool, from 't' or 'f' */
    API_BYTEA,      /* unsigned char[size], from the hex form, exactly size bytes */
    API_ENUM,       /* int-sized enum: the index of the text in names[] */
};

/* A NULL is malformed unless API_NULL_OK; then it gives "" (API_TEXT, STR,
 * UUID), if_null (API_INT, INT64, ENUM), false or zeroes. */
#define API_NULL_OK 1u

struct api_col {
    const char *name;
    enum api_col_type type;
    size_t offset;
    size_t size;                /* of the field: checked against the type */
    unsigned flags;
    int if_null;
    const char *const *names;   /* API_ENUM: NULL-terminated */
};

#define API_FIELD(type, field) offsetof(type, field), sizeof(((type *)0)->field)
#define API_NCOLS(cols) (sizeof (cols) / sizeof (cols)[0])

/* Fills OUT from row ROW of RES by the NCOLS entries of COLS.  0, or -1
 * with the reason (a column's name and what is wrong with it, never its
 * value) in api_err_detail(), prefixed with WHAT ("api.me"). */
int api_decode(const PGresult *res, int row, const struct api_col *cols, size_t ncols,
               void *out, const char *what);
/* The reply's error, or: not exactly one row (API_ERR_SERVER), or the row
 * does not decode (API_ERR_SERVER). */
enum api_err api_decode_one(const struct db_reply *r, const struct api_col *cols, size_t ncols,
                            void *out, const char *what);
/* Sets api_err_detail(): printf-style. */
void api_set_detail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

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
        api_grant_fn grant;
        api_rows_fn rows;
        api_lead_fn lead;
        api_lead_items_fn items;
        api_members_fn members;
        api_change_fn change;
        api_arrivals_fn arrivals;
        api_export_open_fn export_open;
        api_audit_range_fn audit_range;
        api_audit_row_fn audit_row;
        api_audit_days_fn audit_days;
        api_audit_export_open_fn audit_export_open;
        api_text_fn text;
        api_outcome_fn outcome;
        api_team_members_fn team_members;
        api_invites_fn invites;
        api_practice_settings_fn practice_settings;
        api_mfa_enroll_fn mfa_enroll;
        api_sessions_fn sessions;
        api_session_state_fn session_state;
        api_notify_webhooks_fn notify_webhooks;
        api_notify_emails_fn notify_emails;
        api_notify_failures_fn notify_failures;
    } fn;
    /* api_rows calls: the columns promised, NULL-terminated, and the call's
     * name for api_err_detail(). */
    const char *const *columns;
    const char *what;
    void *ud;
    struct api_auth *auth;
    char email[256];
    /* A guess's second step (see attempt_call). */
    struct db *db;
    const void *owner;
    db_done_fn on_result;
    /* The second step's query (one parameter, the attempt id); NULL:
     * SELECT * FROM api.attempt_result($1). */
    const char *result_sql;
};

struct pending *pending_new(void *ud, struct api_auth *auth);
enum api_err api_reply_err(const struct db_reply *r);
/* db_call() with P as the callback's data; P is freed when the call is
 * refused.  0 or -1, as db_call(). */
int pending_call(struct db *db, struct pending *p, const char *sql, int nparams,
                 const char *const *values, unsigned flags, db_done_fn on_reply,
                 const void *owner);
/* The reply's error to P's api_done_fn; frees P. */
void pending_done(void *p, const struct db_reply *r);

/* A guess: queues the attempt SQL (its parameters secret, LENGTHS as for
 * db_call); the outcome row of api.attempt_result -- columns status,
 * retry_after_s, token, session_id, mfa_required, method,
 * recovery_codes_left, affected, secret, info; or P->result_sql's -- or
 * the error of whichever call failed goes to ON_RESULT with P.  P is
 * freed when the call is refused. */
int attempt_call(struct db *db, struct pending *p, const char *sql, int nparams,
                 const char *const *values, const int *lengths, db_done_fn on_result,
                 const void *owner);

/* The text form of a bigint[] for a parameter: "{1,2,3}" (malloc'd;
 * "{}" for none). */
char *api_ids_param(const long long *ids, size_t n);
/* 0 when RES has every column of COLUMNS (NULL-terminated); else -1 with
 * the first one missing in api_err_detail() ("WHAT: column "x" missing"). */
int api_rows_check(const PGresult *res, const char *const *columns, const char *what);
/* A grant handle's shape: API_GRANT_HEX lowercase or uppercase hex digits. */
bool api_grant_ok(const char *s);
/* Queues a read answered as struct api_rows (DB_SECRET | DB_RETRY: reads
 * with a grant are not audited): COLUMNS are checked present first. */
int api_rows_call(struct db *db, struct api_auth *auth, const char *sql, int nparams,
                  const char *const *values, const char *const *columns, const char *what,
                  api_rows_fn done, void *ud, const void *owner);
/* An audited opening answered as a grant (column grant_handle): never
 * DB_RETRY, since a second send would write a second audit row. */
int api_grant_call(struct db *db, struct api_auth *auth, const char *sql, int nparams,
                   const char *const *values, const char *what, api_grant_fn done, void *ud,
                   const void *owner);
/* Every row of R decoded by COLS into a fresh array of N elements of SIZE
 * bytes (*OUT NULL on an error; free() it after the callback). */
enum api_err api_decode_all(const struct db_reply *r, const struct api_col *cols, size_t ncols,
                            size_t size, void **out, size_t *n, const char *what);
/* The outcome of the writes' attempt_result row (status, affected). */
enum api_err api_decode_change(const struct db_reply *r, struct api_change *out, const char *what);

/* The team and security writes (client/api_outcome.c): the attempt, then
 * its outcome as struct api_outcome to DONE, the secret in secure memory
 * and wiped after DONE returns.  VALUES[0..N) the attempt's parameters
 * (secret), LENGTHS as for db_call. */
int api_outcome_call(struct db *db, struct api_auth *auth, const char *sql, int n,
                     const char *const *values, const int *lengths, const char *what,
                     api_outcome_fn done, void *ud, const void *owner);
/* The outcome row of api_outcome_call's result query, into OUT (secret
 * pointing into R's result: the caller copies and wipes it). */
enum api_err api_decode_outcome(const struct db_reply *r, struct api_outcome *out,
                                const char *what);
/* The result query api_outcome_call asks: attempt_result's columns, with
 * info's keys as columns of their own (named as struct api_outcome's). */
extern const char api_outcome_sql[];

/* The security and team reads' decoders (client/api_security.c,
 * client/api_team.c), for their unit tests; arrays malloc'd. */
enum api_err api_decode_session_state(const struct db_reply *r, struct api_session_state *out);
enum api_err api_decode_sessions(const struct db_reply *r, struct api_session_row **list,
                                 size_t *n);
enum api_err api_decode_team_members(const struct db_reply *r, struct api_team_member **list,
                                     size_t *n);

/* The notification settings' decoders (client/api_notify.c), for their
 * unit tests; arrays malloc'd (NULL on an error). */
enum api_err api_decode_notify_webhooks(const struct db_reply *r,
                                        struct api_notify_webhook **list, size_t *n);
enum api_err api_decode_notify_emails(const struct db_reply *r, struct api_notify_email **list,
                                      size_t *n);
enum api_err api_decode_notify_failures(const struct db_reply *r,
                                        struct api_notify_failure **list, size_t *n);

/* The audit viewer's decoders (client/api_audit.c), for its unit tests.
 * Each is api_reply_err()'s error, or API_ERR_SERVER with the reason in
 * api_err_detail(). */
enum api_err api_decode_audit_range(const struct db_reply *r, struct api_audit_range *out);
/* *FOUND false with API_OK: zero rows (outside the grant). */
enum api_err api_decode_audit_row(const struct db_reply *r, struct api_audit_row *out,
                                  bool *found);
/* *DAYS malloc'd (NULL on an error), oldest first, each after the last. */
enum api_err api_decode_audit_days(const struct db_reply *r, struct api_audit_day **days,
                                   size_t *n);
enum api_err api_decode_audit_export_open(const struct db_reply *r,
                                          struct api_audit_export_open *out);
/* The columns api_audit_page and api_audit_export_rows promise. */
extern const char *const api_audit_page_columns[];
extern const char *const api_audit_export_columns[];

#endif
