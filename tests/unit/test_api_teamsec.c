/* client/api_outcome.c, api_team.c, api_security.c without a database:
 * the outcome row of the team and security writes (status, the secret
 * shown once, info's facts as columns), session_state (unknown is all
 * NULLs), the sessions' and members' rows, the new key's fresh salt, and
 * the session hook seeing LMS07; on results made by hand. */
#include "tests/unit/unit.h"
#include "tests/unit/pgresult.h"
#include "client/api.h"
#include "client/api_core.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

/* The columns api_outcome_sql selects, in its order. */
static const char *const outcome_names[] = {
    "status", "retry_after_s", "affected", "recovery_codes_left", "secret", "invite_id",
    "expires_at", "practice_name", "role", "account_exists", "mfa_required", "purge_after",
    "head_seq", "head_hash", "webhook_id", "email_id",
};
#define NOUT 16

static enum api_err outcome(const char *const *cells, struct api_outcome *out, PGresult **keep)
{
    PGresult *res = make_result(outcome_names, NOUT, cells, 1);
    struct db_reply r = { DB_OK, res, "", NULL };
    enum api_err err = api_decode_outcome(&r, out, "api.member_invite");
    *keep = res;
    return err;
}

static void outcome_ok_with_secret_and_info(void **state)
{
    (void)state;
    const char *cells[NOUT] = { "ok", NULL, "1", NULL, "ABCD-EFGH-IJKL",
                                "0b4c7a3e-1d2f-4a5b-8c9d-0e1f2a3b4c5d",
                                "2026-12-07T10:00:00.5+00:00", NULL, NULL, "f", "f", NULL, NULL,
                                NULL };
    struct api_outcome o;
    PGresult *res;
    assert_int_equal(outcome(cells, &o, &res), API_OK);
    assert_int_equal(o.status, API_OUTCOME_OK);
    assert_int_equal(o.affected, 1);
    assert_int_equal(o.retry_after_s, 0);
    assert_int_equal(o.recovery_codes_left, -1);
    assert_non_null(o.secret);
    assert_string_equal(o.secret, "ABCD-EFGH-IJKL");
    assert_string_equal(o.invite_id, "0b4c7a3e-1d2f-4a5b-8c9d-0e1f2a3b4c5d");
    assert_string_equal(o.expires_at, "2026-12-07T10:00:00.5+00:00");
    assert_string_equal(o.practice_name, "");
    assert_false(o.account_exists);
    assert_int_equal(o.head_seq, -1);
    PQclear(res);
}

static void outcome_statuses(void **state)
{
    (void)state;
    static const struct { const char *text; enum api_outcome_status want; } all[] = {
        { "ok", API_OUTCOME_OK }, { "denied", API_OUTCOME_DENIED },
        { "not_found", API_OUTCOME_NOT_FOUND }, { "invalid", API_OUTCOME_INVALID },
        { "locked", API_OUTCOME_LOCKED }, { "lapsed", API_OUTCOME_LAPSED },
        { "required", API_OUTCOME_REQUIRED }, { "exists", API_OUTCOME_EXISTS },
    };
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
        const char *cells[NOUT] = { all[i].text, "30" };
        struct api_outcome o;
        PGresult *res;
        assert_int_equal(outcome(cells, &o, &res), API_OK);
        assert_int_equal(o.status, all[i].want);
        assert_int_equal(o.retry_after_s, 30);
        /* No secret: NULL, not "". */
        assert_null(o.secret);
        PQclear(res);
    }
    /* A status the client does not know is the server's error, named. */
    const char *cells[NOUT] = { "maybe" };
    struct api_outcome o;
    PGresult *res;
    assert_int_equal(outcome(cells, &o, &res), API_ERR_SERVER);
    assert_string_equal(api_err_detail(),
                        "api.member_invite: column \"status\" has an unknown value");
    PQclear(res);
}

static void outcome_info_facts(void **state)
{
    (void)state;
    /* invite_check, invite_accept, practice_close: what info told. */
    const char *cells[NOUT] = { "ok", NULL, NULL, "10", NULL, NULL, NULL, "Bright \x1b[31mSmile",
                                "viewer", "t", "t", "2027-01-06 10:00:00+00", "4711",
                                "ab12" };
    struct api_outcome o;
    PGresult *res;
    assert_int_equal(outcome(cells, &o, &res), API_OK);
    assert_string_equal(o.practice_name, "Bright \x1b[31mSmile");   /* sanitized where shown */
    assert_string_equal(o.role, "viewer");
    assert_true(o.account_exists);
    assert_true(o.mfa_required);
    assert_int_equal(o.recovery_codes_left, 10);
    assert_string_equal(o.purge_after, "2027-01-06 10:00:00+00");
    assert_int_equal(o.head_seq, 4711);
    assert_string_equal(o.head_hash, "ab12");
    PQclear(res);
    /* An invite id that is not a uuid, a head that is not a number. */
    const char *bad[NOUT] = { "ok", NULL, NULL, NULL, NULL, "nope" };
    assert_int_equal(outcome(bad, &o, &res), API_ERR_SERVER);
    assert_string_equal(api_err_detail(), "api.member_invite: column \"invite_id\" is not a uuid");
    PQclear(res);
    const char *bad2[NOUT] = { "ok", NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
                               NULL, "12x" };
    assert_int_equal(outcome(bad2, &o, &res), API_ERR_SERVER);
    PQclear(res);
}

static void outcome_missing_column(void **state)
{
    (void)state;
    /* The server before 013: no secret column. */
    const char *names[] = { "status", "retry_after_s", "affected" };
    const char *cells[] = { "ok", NULL, "0" };
    PGresult *res = make_result(names, 3, cells, 1);
    struct db_reply r = { DB_OK, res, "", NULL };
    struct api_outcome o;
    assert_int_equal(api_decode_outcome(&r, &o, "api.session_revoke"), API_ERR_SERVER);
    assert_string_equal(api_err_detail(), "api.session_revoke: column \"secret\" missing");
    PQclear(res);
    /* An error reply is the error, the outcome untouched but defined. */
    struct db_reply e = { DB_ERROR, NULL, "LMU01", "step-up" };
    assert_int_equal(api_decode_outcome(&e, &o, "api.session_revoke"), API_ERR_STEP_UP);
    assert_null(o.secret);
}

static const char *const state_names[] = {
    "state", "why", "practice_id", "role", "mfa_enabled", "mfa_enroll_required",
    "idle_timeout_s", "practice_closed", "leads_newest",
};

static enum api_err state_of(const char *const *cells, struct api_session_state *s,
                             PGresult **keep)
{
    *keep = make_result(state_names, 9, cells, 1);
    struct db_reply r = { DB_OK, *keep, "", NULL };
    return api_decode_session_state(&r, s);
}

static void session_state_rows(void **state)
{
    (void)state;
    struct api_session_state s;
    PGresult *res;
    const char *live[] = { "live", NULL, "a1000000-0000-4000-8000-000000000001", "admin", "f",
                           "t", "900", "f", "3012" };
    assert_int_equal(state_of(live, &s, &res), API_OK);
    assert_int_equal(s.state, API_SESSION_LIVE);
    assert_string_equal(s.why, "");
    assert_string_equal(s.practice_id, "a1000000-0000-4000-8000-000000000001");
    assert_string_equal(s.role, "admin");
    assert_false(s.mfa_enabled);
    assert_true(s.mfa_enroll_required);
    assert_int_equal(s.idle_timeout_s, 900);
    assert_false(s.practice_closed);
    assert_int_equal(s.leads_newest, 3012);
    PQclear(res);
    /* Revoked, with the reason; no longer a member (role NULL). */
    const char *revoked[] = { "revoked", "removed", "a1000000-0000-4000-8000-000000000001", NULL,
                              "f", "f", "900", "f", NULL };
    assert_int_equal(state_of(revoked, &s, &res), API_OK);
    assert_int_equal(s.state, API_SESSION_REVOKED);
    assert_string_equal(s.why, "removed");
    assert_string_equal(s.role, "");
    assert_int_equal(s.leads_newest, -1);
    PQclear(res);
    /* Unknown: every other column NULL. */
    const char *unknown[] = { "unknown", NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL };
    assert_int_equal(state_of(unknown, &s, &res), API_OK);
    assert_int_equal(s.state, API_SESSION_UNKNOWN);
    assert_string_equal(s.practice_id, "");
    assert_int_equal(s.idle_timeout_s, -1);
    assert_false(s.mfa_enabled);
    PQclear(res);
    const char *odd[] = { "asleep", NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL };
    assert_int_equal(state_of(odd, &s, &res), API_ERR_SERVER);
    PQclear(res);
    const char *locked[] = { "locked", NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL };
    assert_int_equal(state_of(locked, &s, &res), API_OK);
    assert_int_equal(s.state, API_SESSION_LOCKED);
    PQclear(res);
    const char *expired[] = { "expired", NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL };
    assert_int_equal(state_of(expired, &s, &res), API_OK);
    assert_int_equal(s.state, API_SESSION_EXPIRED);
    PQclear(res);
}

static void session_rows(void **state)
{
    (void)state;
    const char *names[] = { "id", "created_at", "last_seen_at", "server_addr", "reported_origin",
                            "client_version", "practice_name", "state", "current" };
    const char *cells[] = {
        "0b4c7a3e-1d2f-4a5b-8c9d-0e1f2a3b4c5d", "2026-11-30 06:00:00+00", "2026-11-30 06:05:00+00",
        "127.0.0.1", NULL, "lumen 0.3.0", "Bright Smile Dental", "live", "t",
        "1b4c7a3e-1d2f-4a5b-8c9d-0e1f2a3b4c5d", "2026-11-29 06:00:00+00", NULL,
        NULL, "10.0.0.5", NULL, NULL, "locked", "f",
    };
    PGresult *res = make_result(names, 9, cells, 2);
    struct db_reply r = { DB_OK, res, "", NULL };
    struct api_session_row *list;
    size_t n;
    assert_int_equal(api_decode_sessions(&r, &list, &n), API_OK);
    assert_int_equal(n, 2);
    assert_string_equal(list[0].id, "0b4c7a3e-1d2f-4a5b-8c9d-0e1f2a3b4c5d");
    assert_true(list[0].current);
    assert_false(list[0].locked);
    assert_string_equal(list[0].client_version, "lumen 0.3.0");
    assert_string_equal(list[0].reported_origin, "");
    assert_false(list[1].current);
    assert_true(list[1].locked);
    assert_string_equal(list[1].reported_origin, "10.0.0.5");
    assert_string_equal(list[1].last_seen_at, "");
    free(list);
    PQclear(res);
    /* A state the client does not know. */
    cells[16] = "zombie";
    res = make_result(names, 9, cells, 2);
    r.res = res;
    assert_int_equal(api_decode_sessions(&r, &list, &n), API_ERR_SERVER);
    assert_null(list);
    PQclear(res);
}

static void member_rows(void **state)
{
    (void)state;
    const char *names[] = { "account_id", "display_name", "email", "role", "mfa_enabled",
                            "last_active_at", "member_since", "is_self" };
    const char *cells[] = {
        "0b4c7a3e-1d2f-4a5b-8c9d-0e1f2a3b4c5d", "Dr. \x1b]0;pwned\x07Owen", "owner@x.test",
        "owner", "t", NULL, "2026-01-01 00:00:00+00", "f",
    };
    PGresult *res = make_result(names, 8, cells, 1);
    struct db_reply r = { DB_OK, res, "", NULL };
    struct api_team_member *list;
    size_t n;
    assert_int_equal(api_decode_team_members(&r, &list, &n), API_OK);
    assert_int_equal(n, 1);
    assert_string_equal(list[0].role, "owner");
    assert_true(list[0].mfa_enabled);
    assert_string_equal(list[0].last_active_at, "");     /* never */
    assert_false(list[0].is_self);
    free(list);
    PQclear(res);
    /* A renamed column is an error, never another column's value. */
    names[4] = "two_factor";
    res = make_result(names, 8, cells, 1);
    r.res = res;
    assert_int_equal(api_decode_team_members(&r, &list, &n), API_ERR_SERVER);
    assert_string_equal(api_err_detail(), "api.team_members: column \"mfa_enabled\" missing");
    PQclear(res);
}

static void new_password_key(void **state)
{
    (void)state;
    assert_true(sodium_init() >= 0);
    unsigned char *k1 = sodium_malloc(API_KEY_BYTES), *k2 = sodium_malloc(API_KEY_BYTES),
                  *k3 = sodium_malloc(API_KEY_BYTES);
    struct api_kdf a, b;
    const char *pw = "correct horse battery";
    assert_int_equal(api_password_set_key(pw, strlen(pw), &a, k1), 0);
    assert_int_equal(api_password_set_key(pw, strlen(pw), &b, k2), 0);
    /* The server's defaults; a fresh salt each time, so another key. */
    assert_int_equal(a.opslimit, 2);
    assert_int_equal(a.memlimit, 64u << 20);
    assert_memory_not_equal(a.salt, b.salt, API_SALT_BYTES);
    assert_memory_not_equal(k1, k2, API_KEY_BYTES);
    /* What sign-in derives from the salt the server keeps is the same key. */
    assert_int_equal(api_derive_key(pw, strlen(pw), &a, k3), 0);
    assert_memory_equal(k1, k3, API_KEY_BYTES);
    sodium_free(k1);
    sodium_free(k2);
    sodium_free(k3);
}

static int hook_calls;
static enum api_err hook_err;
static bool hook(void *ud, enum api_err err)
{
    (void)ud;
    hook_calls++;
    hook_err = err;
    return true;
}

static void hook_sees_enroll(void **state)
{
    (void)state;
    api_set_session_hook(hook, NULL);
    struct db_reply e = { DB_ERROR, NULL, "LMS07", "two-factor enrollment required" };
    assert_int_equal(api_reply_err(&e), API_ERR_CANCELLED);
    assert_int_equal(hook_err, API_ERR_ENROLL);
    struct db_reply c = { DB_ERROR, NULL, "LMS08", "practice closed" };
    assert_int_equal(api_reply_err(&c), API_ERR_CANCELLED);
    assert_int_equal(hook_err, API_ERR_PRACTICE_CLOSED);
    /* Not a session matter: not the hook's. */
    struct db_reply d = { DB_ERROR, NULL, "LMP01", "denied" };
    assert_int_equal(api_reply_err(&d), API_ERR_DENIED);
    assert_int_equal(hook_calls, 2);
    api_set_session_hook(NULL, NULL);
    assert_int_equal(api_reply_err(&e), API_ERR_ENROLL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(outcome_ok_with_secret_and_info),
        cmocka_unit_test(outcome_statuses),
        cmocka_unit_test(outcome_info_facts),
        cmocka_unit_test(outcome_missing_column),
        cmocka_unit_test(session_state_rows),
        cmocka_unit_test(session_rows),
        cmocka_unit_test(member_rows),
        cmocka_unit_test(new_password_key),
        cmocka_unit_test(hook_sees_enroll),
    };
    return unit_run(tests);
}
