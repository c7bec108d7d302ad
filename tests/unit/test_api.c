/* client/api_*.c: the Argon2id derivation against the demo sign-ins, the
 * bounds on server-chosen limits, the SSH origin, SQLSTATE to error
 * mapping; and the decoder (client/api_core.h) against rows the test
 * cluster sent. */
#include "tests/unit/cluster.h"
#include "client/api.h"
#include "client/api_core.h"

#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Re-derives every demo key from the password: the demo data was made with
 * the same function the client signs in with, and its verifier matches. */
static void demo_keys_derive(void **state)
{
    (void)state;
    assert_true(sodium_init() >= 0);
    char *demo_sql = strdup(unit_slurp("db/demo/demo.sql"));
    FILE *f = fopen("db/demo/README-kdf.txt", "r");
    assert_non_null(f);
    char line[512];
    int checked = 0;
    while (fgets(line, sizeof line, f)) {
        char email[128], salt_hex[64], key_hex[128];
        if (line[0] == '#' || sscanf(line, "%127s %63s %127s", email, salt_hex, key_hex) != 3)
            continue;
        struct api_kdf kdf = { .opslimit = 2, .memlimit = 67108864 };
        assert_int_equal(sodium_hex2bin(kdf.salt, sizeof kdf.salt, salt_hex, strlen(salt_hex),
                                        NULL, NULL, NULL), 0);
        unsigned char key[API_KEY_BYTES];
        const char *pw = "lumen-demo-2026";
        assert_int_equal(api_derive_key(pw, strlen(pw), &kdf, key), 0);
        char got[2 * API_KEY_BYTES + 1];
        sodium_bin2hex(got, sizeof got, key, sizeof key);
        if (strcmp(got, key_hex) != 0)
            fail_msg("%s: derived %s, README-kdf.txt says %s", email, got, key_hex);
        unsigned char h[crypto_hash_sha256_BYTES];
        crypto_hash_sha256(h, key, sizeof key);
        char verifier[2 * sizeof h + 1];
        sodium_bin2hex(verifier, sizeof verifier, h, sizeof h);
        if (!strstr(demo_sql, verifier))
            fail_msg("%s: demo.sql has no verifier sha256(K) = %s", email, verifier);
        checked++;
    }
    fclose(f);
    free(demo_sql);
    assert_int_equal(checked, 4);
}

/* A hostile server must not make the client spend what it likes. */
static void kdf_limits_refused(void **state)
{
    (void)state;
    unsigned char key[API_KEY_BYTES];
    struct api_kdf huge = { .opslimit = 2, .memlimit = (size_t)4 << 30 };
    assert_int_equal(api_derive_key("x", 1, &huge, key), -1);
    struct api_kdf slow = { .opslimit = 1000, .memlimit = 67108864 };
    assert_int_equal(api_derive_key("x", 1, &slow, key), -1);
    struct api_kdf weak = { .opslimit = 2, .memlimit = 1024 };
    assert_int_equal(api_derive_key("x", 1, &weak, key), -1);
}

static void origin_from_ssh_connection(void **state)
{
    (void)state;
    char o[64];
    setenv("SSH_CONNECTION", "203.0.113.9 52211 10.0.0.2 22", 1);
    api_origin_from_env(o, sizeof o);
    assert_string_equal(o, "203.0.113.9");
    setenv("SSH_CONNECTION", "2001:db8::7 52211 2001:db8::1 22", 1);
    api_origin_from_env(o, sizeof o);
    assert_string_equal(o, "2001:db8::7");
    /* Anything but an address is dropped, not passed on into the audit log. */
    setenv("SSH_CONNECTION", "1.2.3.4\",\"x\":\"y 1 2 3", 1);
    api_origin_from_env(o, sizeof o);
    assert_string_equal(o, "");
    setenv("SSH_CONNECTION", "\x1b[2J 1 2 3", 1);
    api_origin_from_env(o, sizeof o);
    assert_string_equal(o, "");
    unsetenv("SSH_CONNECTION");
    api_origin_from_env(o, sizeof o);
    assert_string_equal(o, "");
}

static void sqlstates_map_to_errors(void **state)
{
    (void)state;
    assert_int_equal(api_err_from_sqlstate("LMS01"), API_ERR_SESSION_UNKNOWN);
    assert_int_equal(api_err_from_sqlstate("LMS02"), API_ERR_SESSION_REVOKED);
    assert_int_equal(api_err_from_sqlstate("LMS03"), API_ERR_SESSION_IDLE);
    assert_int_equal(api_err_from_sqlstate("LMS04"), API_ERR_SESSION_EXPIRED);
    assert_int_equal(api_err_from_sqlstate("LMS05"), API_ERR_MFA_OWED);
    assert_int_equal(api_err_from_sqlstate("LMS06"), API_ERR_NO_PRACTICE);
    assert_int_equal(api_err_from_sqlstate("LMS07"), API_ERR_ENROLL);
    assert_int_equal(api_err_from_sqlstate("LMS08"), API_ERR_PRACTICE_CLOSED);
    assert_int_equal(api_err_from_sqlstate("LMP01"), API_ERR_DENIED);
    assert_int_equal(api_err_from_sqlstate("LMV01"), API_ERR_INVALID);
    assert_int_equal(api_err_from_sqlstate("57P01"), API_ERR_LOST);
    assert_int_equal(api_err_from_sqlstate("08006"), API_ERR_LOST);
    assert_int_equal(api_err_from_sqlstate("42501"), API_ERR_SERVER);
    assert_int_equal(api_err_from_sqlstate(""), API_ERR_SERVER);
    /* Idle is a lock, the others end the session. */
    assert_false(api_err_ends_session(API_ERR_SESSION_IDLE));
    assert_true(api_err_ends_session(API_ERR_SESSION_REVOKED));
    assert_true(api_err_ends_session(API_ERR_SESSION_EXPIRED));
    assert_true(api_err_ends_session(API_ERR_SESSION_UNKNOWN));
    /* Enrollment owed keeps the session (it may enroll); a closed practice
     * ends it (only its Owner, never told, keeps it). */
    assert_false(api_err_ends_session(API_ERR_ENROLL));
    assert_true(api_err_ends_session(API_ERR_PRACTICE_CLOSED));
    for (int e = 1; e < API_ERR_COUNT; e++)
        assert_true(strlen(api_err_message((enum api_err)e)) > 0);
}

/* One row from the server, kept for the decoder tests: every type, a NULL,
 * and values that are wrong for some types. */
#define SAMPLE_SQL \
    "SELECT 'hello'::text AS name, 42 AS n, NULL::integer AS no_n, true AS yes, " \
    "9000000000::bigint AS big, '\\x00ff10'::bytea AS raw, " \
    "'0b4c7a3e-1d2f-4a5b-8c9d-0e1f2a3b4c5d'::uuid AS id, 'abc' AS word, " \
    "'locked' AS status, NULL::text AS nothing, '12x' AS almost"

static void keep_result(void *ud, const struct db_reply *r)
{
    PGresult **out = ud;
    assert_int_equal(r->outcome, DB_OK);
    *out = PQcopyResult(r->res, PG_COPYRES_ATTRS | PG_COPYRES_TUPLES);
}

static int sample_setup(void **state)
{
    struct config cfg;
    struct db *db = cluster_open(&cfg);
    PGresult *res = NULL;
    if (db) {
        assert_int_equal(db_call(db, SAMPLE_SQL, 0, NULL, NULL, 0, keep_result, &res, NULL), 0);
        assert_int_equal(db_drain(db, 10000), 0);
        assert_non_null(res);
        db_close(&db);
        config_free(&cfg);
    }
    *state = res;
    return 0;
}

static int sample_teardown(void **state)
{
    PQclear(*state);
    return 0;
}

static const char *const statuses[] = { "ok", "invalid", "locked", NULL };

struct sample {
    const char *name;
    int n, no_n, status;
    bool yes;
    int64_t big;
    unsigned char raw[3];
    char id[37];
    char word[8];
    const char *nothing;
};

static const struct api_col sample_cols[] = {
    { "name", API_TEXT, API_FIELD(struct sample, name), 0, 0, NULL },
    { "n", API_INT, API_FIELD(struct sample, n), 0, 0, NULL },
    { "no_n", API_INT, API_FIELD(struct sample, no_n), API_NULL_OK, -1, NULL },
    { "yes", API_BOOL, API_FIELD(struct sample, yes), 0, 0, NULL },
    { "big", API_INT64, API_FIELD(struct sample, big), 0, 0, NULL },
    { "raw", API_BYTEA, API_FIELD(struct sample, raw), 0, 0, NULL },
    { "id", API_UUID, API_FIELD(struct sample, id), 0, 0, NULL },
    { "word", API_STR, API_FIELD(struct sample, word), 0, 0, NULL },
    { "status", API_ENUM, API_FIELD(struct sample, status), 0, 0, statuses },
    { "nothing", API_TEXT, API_FIELD(struct sample, nothing), API_NULL_OK, 0, NULL },
};

static void decode_every_type(void **state)
{
    if (!*state)
        skip();
    struct sample s;
    memset(&s, 0x55, sizeof s);
    assert_int_equal(api_decode(*state, 0, sample_cols, API_NCOLS(sample_cols), &s, "t"), 0);
    assert_string_equal(s.name, "hello");
    assert_int_equal(s.n, 42);
    assert_int_equal(s.no_n, -1);
    assert_true(s.yes);
    assert_true(s.big == INT64_C(9000000000));
    assert_memory_equal(s.raw, "\x00\xff\x10", 3);
    assert_string_equal(s.id, "0b4c7a3e-1d2f-4a5b-8c9d-0e1f2a3b4c5d");
    assert_string_equal(s.word, "abc");
    assert_int_equal(s.status, 2);
    assert_string_equal(s.nothing, "");
    /* The columns are found by name, not place: a table in another order
     * reads the same. */
    const struct api_col reversed[] = { sample_cols[3], sample_cols[1], sample_cols[0] };
    struct sample t = { 0 };
    assert_int_equal(api_decode(*state, 0, reversed, API_NCOLS(reversed), &t, "t"), 0);
    assert_int_equal(t.n, 42);
    assert_true(t.yes);
    assert_string_equal(t.name, "hello");
    /* No row 1. */
    assert_int_equal(api_decode(*state, 1, sample_cols, 1, &t, "t"), -1);
}

#define COL(name, type, field) { name, type, API_FIELD(struct sample, field), 0, 0, NULL }

/* Each column, decoded alone against the sample row, fails with REASON. */
static const struct { struct api_col col; const char *reason; } refusals[] = {
    /* A column the server did not send. */
    { COL("absent", API_INT, n), "missing" },
    /* NULL where none is allowed. */
    { COL("no_n", API_INT, n), "is NULL" },
    { COL("nothing", API_TEXT, name), "is NULL" },
    /* Values of the wrong type, or out of range. */
    { COL("word", API_INT, n), "is not an integer" },
    { COL("almost", API_INT, n), "is not an integer" },
    { COL("big", API_INT, n), "is not an integer" },
    { COL("n", API_BOOL, yes), "is not a boolean" },
    { COL("word", API_UUID, id), "is not a uuid" },
    { COL("name", API_BYTEA, raw), "is not the expected bytes" },
    { { "raw", API_BYTEA, offsetof(struct sample, id), 2, 0, 0, NULL }, "is not the expected bytes" },
    { { "name", API_STR, offsetof(struct sample, word), 5, 0, 0, NULL }, "is too long" },
    { { "word", API_ENUM, API_FIELD(struct sample, status), 0, 0, statuses }, "has an unknown value" },
    /* A table whose type does not match its field is caught, not written. */
    { COL("n", API_INT, big), "does not fit its field (decoder table)" },
    { COL("id", API_UUID, word), "does not fit its field (decoder table)" },
};

static void decode_refuses_what_does_not_fit(void **state)
{
    const PGresult *res = *state;
    if (!res)
        skip();
    for (size_t i = 0; i < sizeof refusals / sizeof refusals[0]; i++) {
        struct sample s = { 0 };
        assert_int_equal(api_decode(res, 0, &refusals[i].col, 1, &s, "api.sample"), -1);
        char want[200];
        snprintf(want, sizeof want, "api.sample: column \"%s\" %s", refusals[i].col.name,
                 refusals[i].reason);
        assert_string_equal(api_err_detail(), want);
    }
}

static void decode_one_needs_one_row(void **state)
{
    (void)state;
    struct sample s = { 0 };
    struct db_reply idle = { DB_ERROR, NULL, "LMS03", "" };
    assert_int_equal(api_decode_one(&idle, sample_cols, 1, &s, "t"), API_ERR_SESSION_IDLE);
    struct db_reply cancelled = { DB_CANCELLED, NULL, "", "" };
    assert_int_equal(api_decode_one(&cancelled, sample_cols, 1, &s, "t"), API_ERR_CANCELLED);
    PGresult *none = PQmakeEmptyPGresult(NULL, PGRES_TUPLES_OK);
    struct db_reply empty = { DB_OK, none, "", "" };
    assert_int_equal(api_decode_one(&empty, sample_cols, 1, &s, "api.me"), API_ERR_SERVER);
    assert_string_equal(api_err_detail(), "api.me: 0 rows, not one");
    PQclear(none);
}

/* The session hook: every answer's session error goes to it once, and
 * the callback is told "cancelled" when it was dealt with there. */
static int hook_calls;
static enum api_err hook_err;
static bool hook_takes;

static bool hook(void *ud, enum api_err err)
{
    assert_ptr_equal(ud, &hook_calls);
    hook_calls++;
    hook_err = err;
    return hook_takes;
}

static enum api_err answer(const char *sqlstate)
{
    struct db_reply r = { DB_ERROR, NULL, "", "test" };
    snprintf(r.sqlstate, sizeof r.sqlstate, "%s", sqlstate);
    return api_reply_err(&r);
}

static void session_errors_go_to_the_hook(void **state)
{
    (void)state;
    assert_int_equal(answer("LMS02"), API_ERR_SESSION_REVOKED);    /* no hook yet */
    api_set_session_hook(hook, &hook_calls);
    hook_takes = true;
    static const struct { const char *state; enum api_err err; } ends[] = {
        { "LMS01", API_ERR_SESSION_UNKNOWN }, { "LMS02", API_ERR_SESSION_REVOKED },
        { "LMS03", API_ERR_SESSION_IDLE },    { "LMS04", API_ERR_SESSION_EXPIRED },
    };
    for (size_t i = 0; i < sizeof ends / sizeof ends[0]; i++) {
        hook_calls = 0;
        assert_int_equal(answer(ends[i].state), API_ERR_CANCELLED);
        assert_int_equal(hook_calls, 1);
        assert_int_equal(hook_err, ends[i].err);
    }
    /* Not taken (the lock with no session to lock): the callback says it. */
    hook_takes = false;
    hook_calls = 0;
    assert_int_equal(answer("LMS03"), API_ERR_SESSION_IDLE);
    assert_int_equal(hook_calls, 1);
    /* Other errors and success never reach it. */
    hook_calls = 0;
    hook_takes = true;
    assert_int_equal(answer("LMP01"), API_ERR_DENIED);
    assert_int_equal(answer("LMS05"), API_ERR_MFA_OWED);
    struct db_reply ok = { DB_OK, NULL, "", NULL };
    assert_int_equal(api_reply_err(&ok), API_OK);
    assert_int_equal(hook_calls, 0);
    api_set_session_hook(NULL, NULL);
    assert_int_equal(answer("LMS04"), API_ERR_SESSION_EXPIRED);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(decode_every_type, sample_setup, sample_teardown),
        cmocka_unit_test_setup_teardown(decode_refuses_what_does_not_fit, sample_setup,
                                        sample_teardown),
        cmocka_unit_test(decode_one_needs_one_row),
        cmocka_unit_test(demo_keys_derive),
        cmocka_unit_test(kdf_limits_refused),
        cmocka_unit_test(origin_from_ssh_connection),
        cmocka_unit_test(sqlstates_map_to_errors),
        cmocka_unit_test(session_errors_go_to_the_hook),
    };
    return unit_run(tests);
}
