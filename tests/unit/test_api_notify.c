/* client/api_notify.c without a database: the webhooks', addresses' and
 * failures' rows decoded by name (NULLs as "" or 0, a state the client does
 * not know refused, a column missing named), and the outcome's webhook_id;
 * on results made by hand.  The screen's pure pieces are test_notifyset.c's. */
#include "tests/unit/unit.h"
#include "tests/unit/pgresult.h"
#include "client/api.h"
#include "client/api_core.h"

#include <stdlib.h>
#include <string.h>

#define ID1 "0b4c7a3e-1d2f-4a5b-8c9d-0e1f2a3b4c5d"
#define ID2 "1b4c7a3e-1d2f-4a5b-8c9d-0e1f2a3b4c5d"

/* In another order than the server's: columns are found by name. */
static const char *const webhook_names[] = {
    "pending", "failed", "id", "url", "description", "created_at", "secrets", "disabled_at",
    "disabled_reason", "last_delivered_at", "last_error", "last_error_at",
};

static void webhook_rows(void **state)
{
    (void)state;
    const char *cells[] = {
        "2", "0", ID1, "https://hooks.example.test/lumen", "Front desk \x1b[31mbot",
        "2026-11-30 06:00:00+00", "2", NULL, NULL, "2026-11-30 07:00:00+00", NULL, NULL,
        "0", "5", ID2, "http://127.0.0.1:9/hook", NULL, "2026-11-29 06:00:00+00", "1",
        "2026-11-30 08:00:00+00", "HTTP 410 Gone", NULL, "HTTP 410", "2026-11-30 08:00:00+00",
    };
    PGresult *res = make_result(webhook_names, 12, cells, 2);
    struct db_reply r = { DB_OK, res, "", NULL };
    struct api_notify_webhook *list;
    size_t n;
    assert_int_equal(api_decode_notify_webhooks(&r, &list, &n), API_OK);
    assert_int_equal(n, 2);
    assert_string_equal(list[0].id, ID1);
    assert_string_equal(list[0].url, "https://hooks.example.test/lumen");
    /* Raw here: the screen's table sanitizes it. */
    assert_string_equal(list[0].description, "Front desk \x1b[31mbot");
    assert_int_equal(list[0].secrets, 2);
    assert_string_equal(list[0].disabled_at, "");
    assert_int_equal(list[0].pending, 2);
    assert_string_equal(list[1].description, "");
    assert_string_equal(list[1].disabled_reason, "HTTP 410 Gone");
    assert_string_equal(list[1].last_delivered_at, "");
    assert_int_equal(list[1].failed, 5);
    free(list);
    PQclear(res);
    /* An id that is not a uuid. */
    cells[2] = "webhook-1";
    res = make_result(webhook_names, 12, cells, 2);
    r.res = res;
    assert_int_equal(api_decode_notify_webhooks(&r, &list, &n), API_ERR_SERVER);
    assert_null(list);
    assert_string_equal(api_err_detail(), "api.notify_webhooks: column \"id\" is not a uuid");
    PQclear(res);
    /* A column the server no longer sends. */
    res = make_result(webhook_names, 11, cells, 0);
    r.res = res;
    assert_int_equal(api_decode_notify_webhooks(&r, &list, &n), API_OK);    /* no row: nothing read */
    free(list);
    PQclear(res);
    const char *one[] = { "0", "0", ID1, "https://x.test/", NULL, NULL, "1", NULL, NULL, NULL,
                          NULL };
    res = make_result(webhook_names, 11, one, 1);
    r.res = res;
    assert_int_equal(api_decode_notify_webhooks(&r, &list, &n), API_ERR_SERVER);
    assert_string_equal(api_err_detail(),
                        "api.notify_webhooks: column \"last_error_at\" missing");
    PQclear(res);
}

static void email_rows(void **state)
{
    (void)state;
    const char *names[] = { "id", "email", "created_at", "last_delivered_at", "last_error",
                            "last_error_at", "pending", "failed" };
    const char *cells[] = { ID1, "frontdesk@brightsmile.test", "2026-11-30 06:00:00+00", NULL,
                            "HTTP 500", "2026-11-30 06:01:00+00", NULL, "1" };
    PGresult *res = make_result(names, 8, cells, 1);
    struct db_reply r = { DB_OK, res, "", NULL };
    struct api_notify_email *list;
    size_t n;
    assert_int_equal(api_decode_notify_emails(&r, &list, &n), API_OK);
    assert_int_equal(n, 1);
    assert_string_equal(list[0].email, "frontdesk@brightsmile.test");
    assert_string_equal(list[0].last_delivered_at, "");
    assert_string_equal(list[0].last_error, "HTTP 500");
    assert_int_equal(list[0].pending, 0);
    assert_int_equal(list[0].failed, 1);
    free(list);
    PQclear(res);
    /* An Admin's or a Viewer's read: denied, no list. */
    struct db_reply denied = { DB_ERROR, NULL, "LMP01", "denied" };
    assert_int_equal(api_decode_notify_emails(&denied, &list, &n), API_ERR_DENIED);
    assert_null(list);
    assert_int_equal(n, 0);
}

static void failure_rows(void **state)
{
    (void)state;
    const char *names[] = { "id", "message_id", "kind", "channel", "destination", "attempts",
                            "state", "last_error", "last_attempt_at", "next_attempt_at" };
    const char *cells[] = {
        "4711", ID1, "notify.test", "webhook", "http://127.0.0.1:9/hook", "3", "retrying",
        "couldn't connect", "2026-11-30 06:00:00+00", "2026-11-30 06:30:00+00",
        "12", ID2, "lead.new", "email", "frontdesk@brightsmile.test", "8", "failed",
        NULL, "2026-11-29 06:00:00+00", NULL,
    };
    PGresult *res = make_result(names, 10, cells, 2);
    struct db_reply r = { DB_OK, res, "", NULL };
    struct api_notify_failure *list;
    size_t n;
    assert_int_equal(api_decode_notify_failures(&r, &list, &n), API_OK);
    assert_int_equal(n, 2);
    assert_int_equal(list[0].id, 4711);
    assert_string_equal(list[0].message_id, ID1);
    assert_int_equal(list[0].state, API_NOTIFY_RETRYING);
    assert_int_equal(list[0].attempts, 3);
    assert_string_equal(list[0].next_attempt_at, "2026-11-30 06:30:00+00");
    assert_int_equal(list[1].state, API_NOTIFY_FAILED);
    assert_string_equal(list[1].last_error, "");
    assert_string_equal(list[1].next_attempt_at, "");
    free(list);
    PQclear(res);
    cells[6] = "lost";
    res = make_result(names, 10, cells, 2);
    r.res = res;
    assert_int_equal(api_decode_notify_failures(&r, &list, &n), API_ERR_SERVER);
    assert_string_equal(api_err_detail(),
                        "api.notify_failures: column \"state\" has an unknown value");
    PQclear(res);
}

/* api_notify_webhook_add's outcome: the secret, and info's webhook_id. */
static void outcome_webhook_id(void **state)
{
    (void)state;
    const char *names[] = { "status", "retry_after_s", "affected", "recovery_codes_left",
                            "secret", "invite_id", "expires_at", "practice_name", "role",
                            "account_exists", "mfa_required", "purge_after", "head_seq",
                            "head_hash", "webhook_id", "email_id" };
    const char *cells[16] = { "ok", NULL, NULL, NULL,
                              "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", NULL, NULL, NULL, NULL,
                              NULL, NULL, NULL, NULL, NULL, ID1, NULL };
    PGresult *res = make_result(names, 16, cells, 1);
    struct db_reply r = { DB_OK, res, "", NULL };
    struct api_outcome o;
    assert_int_equal(api_decode_outcome(&r, &o, "api.notify_webhook_add"), API_OK);
    assert_int_equal(o.status, API_OUTCOME_OK);
    assert_string_equal(o.secret, "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
    assert_string_equal(o.webhook_id, ID1);
    assert_string_equal(o.email_id, "");
    PQclear(res);
    /* The same URL there already. */
    const char *exists[16] = { "exists" };
    res = make_result(names, 16, exists, 1);
    r.res = res;
    assert_int_equal(api_decode_outcome(&r, &o, "api.notify_webhook_add"), API_OK);
    assert_int_equal(o.status, API_OUTCOME_EXISTS);
    assert_null(o.secret);
    PQclear(res);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(webhook_rows),
        cmocka_unit_test(email_rows),
        cmocka_unit_test(failure_rows),
        cmocka_unit_test(outcome_webhook_id),
    };
    return unit_run(tests);
}
