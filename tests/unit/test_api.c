/* client/api.c without a database: the Argon2id derivation against the
 * demo sign-ins, the bounds on server-chosen limits, the SSH origin, and
 * SQLSTATE to error mapping. */
#include "tests/unit/unit.h"
#include "client/api.h"

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
    for (int e = 1; e < API_ERR_COUNT; e++)
        assert_true(strlen(api_err_message((enum api_err)e)) > 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(demo_keys_derive),
        cmocka_unit_test(kdf_limits_refused),
        cmocka_unit_test(origin_from_ssh_connection),
        cmocka_unit_test(sqlstates_map_to_errors),
    };
    return unit_run(tests);
}
