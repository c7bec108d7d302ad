/* The Owner's notification settings (db/api/90_notify.sql; spec: issue 11,
 * /work/spec-notify.md, part C): the practice's webhooks, the email
 * recipients of lead alerts, the deliveries that failed or are retrying,
 * and the writes that change them.  Reads decode rows by column name;
 * writes are attempts whose outcome comes through api_outcome_call, the
 * whsec_ secret of an added or rotated webhook in secure memory, wiped
 * after the callback (client/api_outcome.c). */
#include "client/api_core.h"
#include "client/mem.h"

#include <stdio.h>
#include <stdlib.h>

/* ------------------------------------------------------------ reads */

#define W(field) API_FIELD(struct api_notify_webhook, field)
static const struct api_col webhook_cols[] = {
    { "id", API_UUID, W(id), 0, 0, NULL },
    { "url", API_TEXT, W(url), 0, 0, NULL },
    { "description", API_TEXT, W(description), API_NULL_OK, 0, NULL },
    { "created_at", API_TEXT, W(created_at), API_NULL_OK, 0, NULL },
    { "secrets", API_INT, W(secrets), API_NULL_OK, 0, NULL },
    { "disabled_at", API_TEXT, W(disabled_at), API_NULL_OK, 0, NULL },
    { "disabled_reason", API_TEXT, W(disabled_reason), API_NULL_OK, 0, NULL },
    { "last_delivered_at", API_TEXT, W(last_delivered_at), API_NULL_OK, 0, NULL },
    { "last_error", API_TEXT, W(last_error), API_NULL_OK, 0, NULL },
    { "last_error_at", API_TEXT, W(last_error_at), API_NULL_OK, 0, NULL },
    { "pending", API_INT64, W(pending), API_NULL_OK, 0, NULL },
    { "failed", API_INT64, W(failed), API_NULL_OK, 0, NULL },
};
#undef W

#define E(field) API_FIELD(struct api_notify_email, field)
static const struct api_col email_cols[] = {
    { "id", API_UUID, E(id), 0, 0, NULL },
    { "email", API_TEXT, E(email), 0, 0, NULL },
    { "created_at", API_TEXT, E(created_at), API_NULL_OK, 0, NULL },
    { "last_delivered_at", API_TEXT, E(last_delivered_at), API_NULL_OK, 0, NULL },
    { "last_error", API_TEXT, E(last_error), API_NULL_OK, 0, NULL },
    { "last_error_at", API_TEXT, E(last_error_at), API_NULL_OK, 0, NULL },
    { "pending", API_INT64, E(pending), API_NULL_OK, 0, NULL },
    { "failed", API_INT64, E(failed), API_NULL_OK, 0, NULL },
};
#undef E

static const char *const failure_states[] = {
    [API_NOTIFY_FAILED] = "failed", [API_NOTIFY_RETRYING] = "retrying", NULL,
};
#define F(field) API_FIELD(struct api_notify_failure, field)
static const struct api_col failure_cols[] = {
    { "id", API_INT64, F(id), 0, 0, NULL },
    { "message_id", API_UUID, F(message_id), API_NULL_OK, 0, NULL },
    { "kind", API_TEXT, F(kind), 0, 0, NULL },
    { "channel", API_TEXT, F(channel), 0, 0, NULL },
    { "destination", API_TEXT, F(destination), API_NULL_OK, 0, NULL },
    { "attempts", API_INT, F(attempts), API_NULL_OK, 0, NULL },
    { "state", API_ENUM, F(state), 0, 0, failure_states },
    { "last_error", API_TEXT, F(last_error), API_NULL_OK, 0, NULL },
    { "last_attempt_at", API_TEXT, F(last_attempt_at), API_NULL_OK, 0, NULL },
    { "next_attempt_at", API_TEXT, F(next_attempt_at), API_NULL_OK, 0, NULL },
};
#undef F

enum api_err api_decode_notify_webhooks(const struct db_reply *r,
                                        struct api_notify_webhook **list, size_t *n)
{
    return api_decode_all(r, webhook_cols, API_NCOLS(webhook_cols), sizeof **list,
                          (void **)list, n, "api.notify_webhooks");
}

enum api_err api_decode_notify_emails(const struct db_reply *r, struct api_notify_email **list,
                                      size_t *n)
{
    return api_decode_all(r, email_cols, API_NCOLS(email_cols), sizeof **list, (void **)list, n,
                          "api.notify_emails");
}

enum api_err api_decode_notify_failures(const struct db_reply *r,
                                        struct api_notify_failure **list, size_t *n)
{
    return api_decode_all(r, failure_cols, API_NCOLS(failure_cols), sizeof **list,
                          (void **)list, n, "api.notify_failures");
}

static void on_webhooks(void *ud, const struct db_reply *r)
{
    struct pending *p = ud;
    struct api_notify_webhook *list;
    size_t n;
    enum api_err err = api_decode_notify_webhooks(r, &list, &n);
    p->fn.notify_webhooks(p->ud, err, list, err == API_OK ? n : 0);
    free(list);
    free(p);
}

static void on_emails(void *ud, const struct db_reply *r)
{
    struct pending *p = ud;
    struct api_notify_email *list;
    size_t n;
    enum api_err err = api_decode_notify_emails(r, &list, &n);
    p->fn.notify_emails(p->ud, err, list, err == API_OK ? n : 0);
    free(list);
    free(p);
}

static void on_failures(void *ud, const struct db_reply *r)
{
    struct pending *p = ud;
    struct api_notify_failure *list;
    size_t n;
    enum api_err err = api_decode_notify_failures(r, &list, &n);
    p->fn.notify_failures(p->ud, err, list, err == API_OK ? n : 0);
    free(list);
    free(p);
}

/* The reads write nothing (no audit row): sent again after a lost
 * connection (DB_RETRY). */
int api_notify_webhooks(struct db *db, struct api_auth *auth, api_notify_webhooks_fn done,
                        void *ud, const void *owner)
{
    struct pending *p = pending_new(ud, auth);
    p->fn.notify_webhooks = done;
    const char *v[1] = { auth->token };
    return pending_call(db, p, "SELECT * FROM api.notify_webhooks($1)", 1, v,
                        DB_SECRET | DB_RETRY, on_webhooks, owner);
}

int api_notify_emails(struct db *db, struct api_auth *auth, api_notify_emails_fn done, void *ud,
                      const void *owner)
{
    struct pending *p = pending_new(ud, auth);
    p->fn.notify_emails = done;
    const char *v[1] = { auth->token };
    return pending_call(db, p, "SELECT * FROM api.notify_emails($1)", 1, v,
                        DB_SECRET | DB_RETRY, on_emails, owner);
}

int api_notify_failures(struct db *db, struct api_auth *auth, int limit,
                        api_notify_failures_fn done, void *ud, const void *owner)
{
    char lim[16];
    snprintf(lim, sizeof lim, "%d", limit < 1 ? 1 : limit > 100 ? 100 : limit);
    struct pending *p = pending_new(ud, auth);
    p->fn.notify_failures = done;
    const char *v[2] = { auth->token, lim };
    return pending_call(db, p, "SELECT * FROM api.notify_failures($1, $2::integer)", 2, v,
                        DB_SECRET | DB_RETRY, on_failures, owner);
}

/* ------------------------------------------------------------ writes */

/* The token and up to two more parameters (NULL: SQL NULL). */
static int write_n(struct db *db, struct api_auth *auth, const char *sql, int n, const char *a1,
                   const char *a2, const char *what, api_outcome_fn done, void *ud,
                   const void *owner)
{
    const char *v[3] = { auth->token, a1, a2 };
    return api_outcome_call(db, auth, sql, n, v, NULL, what, done, ud, owner);
}

int api_notify_webhook_add(struct db *db, struct api_auth *auth, const char *url,
                           const char *description, api_outcome_fn done, void *ud,
                           const void *owner)
{
    return write_n(db, auth, "SELECT api.notify_webhook_add($1, $2, $3)", 3, url,
                   description && description[0] ? description : NULL,
                   "api.notify_webhook_add", done, ud, owner);
}

int api_notify_webhook_rotate(struct db *db, struct api_auth *auth, const char *webhook_id,
                              api_outcome_fn done, void *ud, const void *owner)
{
    return write_n(db, auth, "SELECT api.notify_webhook_rotate($1, $2::uuid)", 2, webhook_id,
                   NULL, "api.notify_webhook_rotate", done, ud, owner);
}

int api_notify_webhook_remove(struct db *db, struct api_auth *auth, const char *webhook_id,
                              api_outcome_fn done, void *ud, const void *owner)
{
    return write_n(db, auth, "SELECT api.notify_webhook_remove($1, $2::uuid)", 2, webhook_id,
                   NULL, "api.notify_webhook_remove", done, ud, owner);
}

int api_notify_webhook_enable(struct db *db, struct api_auth *auth, const char *webhook_id,
                              api_outcome_fn done, void *ud, const void *owner)
{
    return write_n(db, auth, "SELECT api.notify_webhook_enable($1, $2::uuid)", 2, webhook_id,
                   NULL, "api.notify_webhook_enable", done, ud, owner);
}

int api_notify_email_add(struct db *db, struct api_auth *auth, const char *email,
                         api_outcome_fn done, void *ud, const void *owner)
{
    return write_n(db, auth, "SELECT api.notify_email_add($1, $2)", 2, email, NULL,
                   "api.notify_email_add", done, ud, owner);
}

int api_notify_email_remove(struct db *db, struct api_auth *auth, const char *email_id,
                            api_outcome_fn done, void *ud, const void *owner)
{
    return write_n(db, auth, "SELECT api.notify_email_remove($1, $2::uuid)", 2, email_id, NULL,
                   "api.notify_email_remove", done, ud, owner);
}

int api_notify_test(struct db *db, struct api_auth *auth, const char *id, api_outcome_fn done,
                    void *ud, const void *owner)
{
    return write_n(db, auth, "SELECT api.notify_test($1, $2::uuid)", 2, id, NULL,
                   "api.notify_test", done, ud, owner);
}

int api_notify_lead_link_set(struct db *db, struct api_auth *auth, const char *link,
                             api_outcome_fn done, void *ud, const void *owner)
{
    return write_n(db, auth, "SELECT api.notify_lead_link_set($1, $2)", 2,
                   link && link[0] ? link : NULL, NULL, "api.notify_lead_link_set", done, ud,
                   owner);
}
