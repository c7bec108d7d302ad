/* The transport policy: what is local, and what a remote host must use. */
#include "tests/unit/unit.h"
#include "client/conn.h"

#include <string.h>

static void host_kinds(void **state)
{
    (void)state;
    assert_int_equal(conn_host_kind("/var/run/postgresql"), CONN_HOST_SOCKET);
    assert_int_equal(conn_host_kind("@abstract"), CONN_HOST_SOCKET);
    assert_int_equal(conn_host_kind("localhost"), CONN_HOST_LOOPBACK);
    assert_int_equal(conn_host_kind("LocalHost"), CONN_HOST_LOOPBACK);
    assert_int_equal(conn_host_kind("127.0.0.1"), CONN_HOST_LOOPBACK);
    assert_int_equal(conn_host_kind("127.8.9.10"), CONN_HOST_LOOPBACK);
    assert_int_equal(conn_host_kind("::1"), CONN_HOST_LOOPBACK);
    assert_int_equal(conn_host_kind("0:0:0:0:0:0:0:1"), CONN_HOST_LOOPBACK);
    assert_int_equal(conn_host_kind("128.0.0.1"), CONN_HOST_REMOTE);
    assert_int_equal(conn_host_kind("10.0.0.5"), CONN_HOST_REMOTE);
    assert_int_equal(conn_host_kind("::2"), CONN_HOST_REMOTE);
    /* A name that merely starts like loopback is a remote name. */
    assert_int_equal(conn_host_kind("localhost.evil.example"), CONN_HOST_REMOTE);
    assert_int_equal(conn_host_kind("127.0.0.1.nip.io"), CONN_HOST_REMOTE);
    assert_int_equal(conn_host_kind("db.example.org"), CONN_HOST_REMOTE);
}

static int check(const char *text, char *err, size_t n)
{
    struct config c;
    if (config_load_string("p.conf", text, &c, err, n) != 0)
        return -2;
    int rc = conn_policy_check(&c, err, n);
    config_free(&c);
    return rc;
}

static void policy(void **state)
{
    (void)state;
    char err[CONFIG_ERR_MAX];
    /* Local hosts may go without TLS. */
    assert_int_equal(check("[database]\nhost=/run/pg\ndbname=l\nsslmode=disable\n", err, sizeof err), 0);
    assert_int_equal(check("[database]\nhost=127.0.0.1,::1\ndbname=l\nsslmode=prefer\n", err, sizeof err), 0);
    /* A remote host needs a verified certificate. */
    assert_int_equal(check("[database]\nhost=db.example.org\ndbname=l\nsslmode=verify-full\n", err, sizeof err), 0);
    assert_int_equal(check("[database]\nhost=db.example.org\ndbname=l\nsslmode=verify-ca\n", err, sizeof err), 0);
    assert_int_equal(check("[database]\nhost=db.example.org\ndbname=l\n", err, sizeof err), 0); /* default */
    static const char *const weak[] = { "disable", "allow", "prefer", "require" };
    for (size_t i = 0; i < 4; i++) {
        char text[200];
        snprintf(text, sizeof text, "[database]\nhost=db.example.org\ndbname=l\nsslmode=%s\n", weak[i]);
        assert_int_equal(check(text, err, sizeof err), -1);
        assert_non_null(strstr(err, "set sslmode = verify-full"));
        assert_non_null(strstr(err, "'db.example.org'"));
        assert_non_null(strstr(err, weak[i]));
    }
    /* Every host of a failover list is checked, not just the first. */
    assert_int_equal(check("[database]\nhost=/run/pg,10.1.2.3\ndbname=l\nsslmode=require\n", err, sizeof err), -1);
    assert_non_null(strstr(err, "'10.1.2.3'"));
    assert_int_equal(check("[database]\nhost=/run/pg,,x\ndbname=l\n", err, sizeof err), -1);
    assert_non_null(strstr(err, "empty"));
}

static const char *param(const char **k, const char **v, const char *name)
{
    for (size_t i = 0; k[i]; i++)
        if (strcmp(k[i], name) == 0)
            return v[i];
    return NULL;
}

/* The environment (PGSSLMODE...) must not be able to weaken what is sent. */
static void params_are_explicit(void **state)
{
    (void)state;
    struct config c;
    char err[CONFIG_ERR_MAX];
    assert_int_equal(config_load_string("p.conf",
        "[database]\nhost=db.example.org\ndbname=lumen\nsslrootcert=/ca.pem\n", &c, err, sizeof err), 0);
    const char *k[20], *v[20];
    conn_params(&c, NULL, k, v, 20);
    assert_string_equal(param(k, v, "sslmode"), "verify-full");
    assert_string_equal(param(k, v, "ssl_min_protocol_version"), "TLSv1.2");
    assert_string_equal(param(k, v, "gssencmode"), "disable");
    assert_string_equal(param(k, v, "user"), "lumen_client");
    assert_string_equal(param(k, v, "sslrootcert"), "/ca.pem");
    assert_null(param(k, v, "passfile"));
    conn_params(&c, "postgres", k, v, 20);
    assert_string_equal(param(k, v, "user"), "postgres");
    config_free(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(host_kinds),
        cmocka_unit_test(policy),
        cmocka_unit_test(params_are_explicit),
    };
    return unit_run(tests);
}
