/* client/api_leads*.c without a database: the id array parameter, the
 * grant's shape, the raw row helpers and the check of promised columns,
 * and the writes' outcome row (status, affected), on results made by hand
 * (PQmakeEmptyPGresult, PQsetResultAttrs, PQsetvalue). */
#include "tests/unit/unit.h"
#include "tests/unit/pgresult.h"
#include "client/api.h"
#include "client/api_core.h"

#include <stdlib.h>
#include <string.h>

/* A result with the columns NAMES (text) and ROWS rows of CELLS (NULL
 * cell: SQL NULL), row after row. */

static void ids_param(void **state)
{
    (void)state;
    char *s = api_ids_param(NULL, 0);
    assert_string_equal(s, "{}");
    free(s);
    long long one[] = { 42 };
    s = api_ids_param(one, 1);
    assert_string_equal(s, "{42}");
    free(s);
    long long some[] = { 1, 2, 3, -9223372036854775807LL - 1, 9223372036854775807LL };
    s = api_ids_param(some, 5);
    assert_string_equal(s, "{1,2,3,-9223372036854775808,9223372036854775807}");
    free(s);
    /* A thousand of the longest fit. */
    long long *many = malloc(1000 * sizeof *many);
    for (int i = 0; i < 1000; i++)
        many[i] = -9223372036854775807LL - 1;
    s = api_ids_param(many, 1000);
    assert_int_equal(strlen(s), 2 + 1000 * 20 + 999);
    free(s);
    free(many);
}

static void grant_shape(void **state)
{
    (void)state;
    char g[API_GRANT_HEX + 2];
    memset(g, 'a', API_GRANT_HEX);
    g[API_GRANT_HEX] = '\0';
    assert_true(api_grant_ok(g));
    g[3] = 'G';
    assert_false(api_grant_ok(g));
    g[3] = 'F';
    assert_true(api_grant_ok(g));
    g[API_GRANT_HEX] = 'a';
    g[API_GRANT_HEX + 1] = '\0';
    assert_false(api_grant_ok(g));
    assert_false(api_grant_ok("abc"));
}

static void rows_by_column_name(void **state)
{
    (void)state;
    const char *names[] = { "key", "id", "name", "assigned_to" };
    const char *cells[] = { "k1", "7", "Ana", NULL,
                            "k2", "8", "", "0b4c7a3e-1d2f-4a5b-8c9d-0e1f2a3b4c5d" };
    PGresult *res = make_result(names, 4, cells, 2);
    struct api_rows r = { res, PQntuples(res) };
    assert_int_equal(r.n, 2);
    assert_string_equal(api_rows_get(&r, 0, "name"), "Ana");
    assert_string_equal(api_rows_get(&r, 1, "id"), "8");
    /* NULL and empty read the same, and are told apart by api_rows_null. */
    assert_string_equal(api_rows_get(&r, 0, "assigned_to"), "");
    assert_true(api_rows_null(&r, 0, "assigned_to"));
    assert_false(api_rows_null(&r, 1, "name"));
    assert_string_equal(api_rows_get(&r, 1, "name"), "");
    /* A column or row that is not there reads "", never another's value. */
    assert_string_equal(api_rows_get(&r, 0, "phone"), "");
    assert_true(api_rows_null(&r, 0, "phone"));
    assert_string_equal(api_rows_get(&r, 2, "name"), "");
    assert_string_equal(api_rows_get(&r, -1, "name"), "");
    assert_int_equal(api_rows_col(&r, "assigned_to"), 3);
    assert_int_equal(api_rows_col(&r, "nope"), -1);
    assert_string_equal(api_rows_at(&r, 1, 0), "k2");
    assert_string_equal(api_rows_at(&r, 1, 9), "");
    /* The promised columns: all there, or the first missing is named. */
    const char *const want[] = { "id", "key", "name", NULL };
    assert_int_equal(api_rows_check(res, want, "api.leads_page"), 0);
    const char *const more[] = { "id", "touched", "phone", NULL };
    assert_int_equal(api_rows_check(res, more, "api.leads_page"), -1);
    assert_string_equal(api_err_detail(), "api.leads_page: column \"touched\" missing");
    PQclear(res);
}

static enum api_err change(const char *status, const char *affected, struct api_change *out)
{
    const char *names[] = { "status", "retry_after_s", "token", "affected" };
    const char *cells[] = { status, NULL, NULL, affected };
    PGresult *res = make_result(names, 4, cells, 1);
    struct db_reply r = { DB_OK, res, "", NULL };
    enum api_err err = api_decode_change(&r, out, "api.leads_set_status");
    PQclear(res);
    return err;
}

static void write_outcomes(void **state)
{
    (void)state;
    struct api_change c;
    assert_int_equal(change("ok", "3", &c), API_OK);
    assert_int_equal(c.status, API_CHANGE_OK);
    assert_int_equal(c.affected, 3);
    assert_int_equal(change("denied", NULL, &c), API_OK);
    assert_int_equal(c.status, API_CHANGE_DENIED);
    assert_int_equal(c.affected, 0);
    assert_int_equal(change("not_found", "0", &c), API_OK);
    assert_int_equal(c.status, API_CHANGE_NOT_FOUND);
    /* A status the client does not know is the server's error. */
    assert_int_equal(change("invalid", "1", &c), API_ERR_SERVER);
    assert_string_equal(api_err_detail(), "api.leads_set_status: column \"status\" has an unknown value");
    assert_int_equal(change("ok", "x", &c), API_ERR_SERVER);
    /* The errors of either statement come through. */
    struct db_reply step_up = { DB_ERROR, NULL, "LMU01", "step-up required" };
    assert_int_equal(api_decode_change(&step_up, &c, "t"), API_ERR_STEP_UP);
    struct db_reply lost = { DB_LOST, NULL, "", "" };
    assert_int_equal(api_decode_change(&lost, &c, "t"), API_ERR_LOST);
    /* An attempt_result without the new column: malformed, not "0". */
    const char *names[] = { "status" };
    const char *cells[] = { "ok" };
    PGresult *res = make_result(names, 1, cells, 1);
    struct db_reply r = { DB_OK, res, "", NULL };
    assert_int_equal(api_decode_change(&r, &c, "api.lead_note"), API_ERR_SERVER);
    assert_string_equal(api_err_detail(), "api.lead_note: column \"affected\" missing");
    PQclear(res);
}

static void step_up_error(void **state)
{
    (void)state;
    assert_int_equal(api_err_from_sqlstate("LMU01"), API_ERR_STEP_UP);
    assert_string_equal(api_err_message(API_ERR_STEP_UP), "Confirm your password to do this.");
    assert_false(api_err_ends_session(API_ERR_STEP_UP));
    /* A grant not yet committed is the server's error, as the contract says. */
    assert_int_equal(api_err_from_sqlstate("LMG01"), API_ERR_SERVER);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ids_param),
        cmocka_unit_test(grant_shape),
        cmocka_unit_test(rows_by_column_name),
        cmocka_unit_test(write_outcomes),
        cmocka_unit_test(step_up_error),
    };
    return unit_run(tests);
}
