/* client/api_audit.c without a database: each decoder on results made by
 * hand (as test_api_leads.c): the range of a preset, one row (found, not
 * found, a column renamed), the days of the sparkline (order, counts), the
 * export's opening (grant, head hash), and the columns promised. */
#include "tests/unit/unit.h"
#include "tests/unit/pgresult.h"
#include "client/api.h"
#include "client/api_core.h"

#include <stdlib.h>
#include <string.h>

static const char *const range_names[] = { "from_at", "to_at", "first_day", "last_day",
                                           "timezone" };

static enum api_err range(const char *const *cells, struct api_audit_range *out)
{
    PGresult *res = make_result(range_names, 5, cells, 1);
    struct db_reply r = { DB_OK, res, "", NULL };
    enum api_err err = api_decode_audit_range(&r, out);
    PQclear(res);
    return err;
}

static void range_decoded(void **state)
{
    (void)state;
    struct api_audit_range a;
    const char *ok[] = { "2026-11-01 05:00:00+00", "2026-12-01 06:00:00+00", "2026-11-01",
                         "2026-11-30", "America/Chicago" };
    assert_int_equal(range(ok, &a), API_OK);
    assert_string_equal(a.from_at, "2026-11-01 05:00:00+00");
    assert_string_equal(a.to_at, "2026-12-01 06:00:00+00");
    assert_string_equal(a.first_day, "2026-11-01");
    assert_string_equal(a.last_day, "2026-11-30");
    assert_string_equal(a.timezone, "America/Chicago");
    /* A day that is not YYYY-MM-DD, a NULL, a zone too long to hold. */
    const char *day[] = { ok[0], ok[1], "11/01/2026", ok[3], ok[4] };
    assert_int_equal(range(day, &a), API_ERR_SERVER);
    assert_string_equal(api_err_detail(), "api.audit_range: column \"first_day\" is not a date");
    const char *day2[] = { ok[0], ok[1], ok[2], "2026-1-300", ok[4] };
    assert_int_equal(range(day2, &a), API_ERR_SERVER);
    assert_string_equal(api_err_detail(), "api.audit_range: column \"last_day\" is not a date");
    const char *null[] = { ok[0], NULL, ok[2], ok[3], ok[4] };
    assert_int_equal(range(null, &a), API_ERR_SERVER);
    assert_true(strstr(api_err_detail(), "\"to_at\""));
    char zone[100];
    memset(zone, 'Z', sizeof zone - 1);
    zone[sizeof zone - 1] = '\0';
    const char *longzone[] = { ok[0], ok[1], ok[2], ok[3], zone };
    assert_int_equal(range(longzone, &a), API_ERR_SERVER);
    /* The server's refusal of a custom range comes through as invalid. */
    struct db_reply refused = { DB_ERROR, NULL, "LMV01", "to before from" };
    assert_int_equal(api_decode_audit_range(&refused, &a), API_ERR_INVALID);
}

static const char *const row_names[] = {
    "id", "at", "actor_id", "actor_email", "session_id", "action", "target_type", "target_id",
    "outcome", "server_addr", "reported_origin", "detail",
};

static enum api_err row(const char *const *cells, int rows, struct api_audit_row *out,
                        bool *found, int ncols)
{
    PGresult *res = make_result(row_names, ncols, cells, rows);
    struct db_reply r = { DB_OK, res, "", NULL };
    enum api_err err = api_decode_audit_row(&r, out, found);
    /* The strings point into the result: check them before it goes. */
    if (err == API_OK && *found) {
        assert_string_equal(out->action, cells[5]);
        assert_string_equal(out->target_type, cells[6] ? cells[6] : "");
        assert_string_equal(out->detail, cells[11] ? cells[11] : "");
    }
    PQclear(res);
    return err;
}

static void one_row(void **state)
{
    (void)state;
    struct api_audit_row a;
    bool found;
    const char *full[] = { "42", "2026-11-30 12:00:00.123456+00",
                           "0b4c7a3e-1d2f-4a5b-8c9d-0e1f2a3b4c5d", "owner@brightsmile.test",
                           "1e4c7a3e-1d2f-4a5b-8c9d-0e1f2a3b4c5d", "lead.view", "lead", "123",
                           "success", "10.0.0.7", "203.0.113.9", "{\n    \"a\": 1\n}" };
    assert_int_equal(row(full, 1, &a, &found, 12), API_OK);
    assert_true(found);
    assert_int_equal(a.id, 42);
    /* A sign-in that failed: no actor, no session, no target. */
    const char *sparse[] = { "43", "2026-11-30 12:00:01+00", NULL, "x@y.test", NULL,
                             "login.failure", NULL, NULL, "failure", NULL, NULL, NULL };
    assert_int_equal(row(sparse, 1, &a, &found, 12), API_OK);
    assert_true(found);
    assert_int_equal(a.id, 43);
    /* Zero rows: not in the grant (found false, not an error). */
    assert_int_equal(row(full, 0, &a, &found, 12), API_OK);
    assert_false(found);
    /* ... but zero rows without a column is the server's error. */
    assert_int_equal(row(full, 0, &a, &found, 11), API_ERR_SERVER);
    assert_string_equal(api_err_detail(), "api.audit_row: column \"detail\" missing");
    const char *two[24];
    memcpy(two, full, sizeof full);
    memcpy(two + 12, full, sizeof full);
    assert_int_equal(row(two, 2, &a, &found, 12), API_ERR_SERVER);
    /* The columns that may not be NULL. */
    const char *noaction[12];
    memcpy(noaction, full, sizeof full);
    noaction[5] = NULL;
    assert_int_equal(row(noaction, 1, &a, &found, 12), API_ERR_SERVER);
    assert_false(found);
    const char *badid[12];
    memcpy(badid, full, sizeof full);
    badid[0] = "4x";
    assert_int_equal(row(badid, 1, &a, &found, 12), API_ERR_SERVER);
}

static enum api_err days(const char *const *cells, int rows, size_t *n, long long *sum)
{
    const char *names[] = { "day", "events" };
    PGresult *res = make_result(names, 2, cells, rows);
    struct db_reply r = { DB_OK, res, "", NULL };
    struct api_audit_day *d;
    enum api_err err = api_decode_audit_days(&r, &d, n);
    *sum = 0;
    for (size_t i = 0; err == API_OK && i < *n; i++)
        *sum += d[i].events;
    if (err != API_OK)
        assert_null(d);
    free(d);
    PQclear(res);
    return err;
}

static void the_days(void **state)
{
    (void)state;
    size_t n;
    long long sum;
    const char *ok[] = { "2026-02-27", "3", "2026-02-28", "0", "2026-03-01", "12345678901" };
    assert_int_equal(days(ok, 3, &n, &sum), API_OK);
    assert_int_equal(n, 3);
    assert_int_equal(sum, 12345678904LL);
    assert_int_equal(days(ok, 0, &n, &sum), API_OK);
    assert_int_equal(n, 0);
    const char *backwards[] = { "2026-02-28", "1", "2026-02-27", "1" };
    assert_int_equal(days(backwards, 2, &n, &sum), API_ERR_SERVER);
    assert_string_equal(api_err_detail(), "api.audit_days: row 2 is not a day after the one "
                                          "before, with a count");
    const char *twice[] = { "2026-02-28", "1", "2026-02-28", "1" };
    assert_int_equal(days(twice, 2, &n, &sum), API_ERR_SERVER);
    const char *negative[] = { "2026-02-28", "-1" };
    assert_int_equal(days(negative, 1, &n, &sum), API_ERR_SERVER);
    const char *null[] = { "2026-02-28", NULL };
    assert_int_equal(days(null, 1, &n, &sum), API_ERR_SERVER);
    const char *notday[] = { "Feb 28", "1" };
    assert_int_equal(days(notday, 1, &n, &sum), API_ERR_SERVER);
}

static enum api_err export_open(const char *grant, const char *count, const char *seq,
                                const char *hash, struct api_audit_export_open *out)
{
    const char *names[] = { "grant", "row_count", "head_seq", "head_hash" };
    const char *cells[] = { grant, count, seq, hash };
    PGresult *res = make_result(names, 4, cells, 1);
    struct db_reply r = { DB_OK, res, "", NULL };
    enum api_err err = api_decode_audit_export_open(&r, out);
    PQclear(res);
    return err;
}

static void the_export_opening(void **state)
{
    (void)state;
    char g[API_GRANT_HEX + 1], h[65];
    memset(g, 'a', API_GRANT_HEX);
    g[API_GRANT_HEX] = '\0';
    memset(h, 'F', 64);
    h[64] = '\0';
    struct api_audit_export_open o;
    assert_int_equal(export_open(g, "120", "9000", h, &o), API_OK);
    assert_string_equal(o.grant, g);
    assert_int_equal(o.row_count, 120);
    assert_int_equal(o.head_seq, 9000);
    assert_string_equal(o.head_hash, h);
    assert_int_equal(export_open(g, "0", "0", h, &o), API_OK);
    /* A hash of another length or alphabet, a grant that is not one. */
    h[63] = 'g';
    assert_int_equal(export_open(g, "1", "1", h, &o), API_ERR_SERVER);
    assert_string_equal(api_err_detail(),
                        "api.audit_export_open: column \"head_hash\" is not 64 hex digits");
    assert_string_equal(o.grant, "");
    h[63] = '\0';
    assert_int_equal(export_open(g, "1", "1", h, &o), API_ERR_SERVER);
    assert_int_equal(export_open("abc", "1", "1", "00", &o), API_ERR_SERVER);
    memset(h, '0', 64);
    h[64] = '\0';
    assert_int_equal(export_open(g, "-1", "1", h, &o), API_ERR_SERVER);
    assert_int_equal(export_open(g, NULL, "1", h, &o), API_ERR_SERVER);
    /* A Viewer, and a missing step-up. */
    struct db_reply denied = { DB_ERROR, NULL, "LMP01", "not allowed" };
    assert_int_equal(api_decode_audit_export_open(&denied, &o), API_ERR_DENIED);
    struct db_reply step_up = { DB_ERROR, NULL, "LMU01", "step-up" };
    assert_int_equal(api_decode_audit_export_open(&step_up, &o), API_ERR_STEP_UP);
}

static void promised_columns(void **state)
{
    (void)state;
    /* The contract's page columns, every one checked before a callback. */
    const char *names[] = { "key", "id", "at", "actor_email", "action", "target_type",
                            "target_id", "outcome", "reported_origin", "server_addr" };
    PGresult *res = make_result(names, 10, NULL, 0);
    assert_int_equal(api_rows_check(res, api_audit_page_columns, "api.audit_page"), 0);
    assert_int_equal(api_rows_check(res, api_audit_export_columns, "api.audit_export_rows"), -1);
    assert_string_equal(api_err_detail(), "api.audit_export_rows: column \"session_id\" missing");
    PQclear(res);
    size_t n = 0;
    while (api_audit_export_columns[n])
        n++;
    assert_int_equal(n, 11);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(range_decoded),
        cmocka_unit_test(one_row),
        cmocka_unit_test(the_days),
        cmocka_unit_test(the_export_opening),
        cmocka_unit_test(promised_columns),
    };
    return unit_run(tests);
}
