/* The transport policy: what is local, and what a remote host must use. */
#include "tests/unit/unit.h"
#include "client/conn.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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
        "[database]\nhost=db.example.org\ndbname=lumen\nsslrootcert=/ca.pem\n"
        "[migrate]\nuser=postgres\n", &c, err, sizeof err), 0);
    const char *k[CONN_PARAMS_MAX], *v[CONN_PARAMS_MAX];
    conn_params(&c, CONN_USE_CLIENT, k, v, CONN_PARAMS_MAX);
    assert_string_equal(param(k, v, "sslmode"), "verify-full");
    assert_string_equal(param(k, v, "ssl_min_protocol_version"), "TLSv1.2");
    assert_string_equal(param(k, v, "gssencmode"), "disable");
    assert_string_equal(param(k, v, "user"), "lumen_client");
    assert_string_equal(param(k, v, "sslrootcert"), "/ca.pem");
    assert_string_equal(param(k, v, "client_encoding"), "UTF8");
    assert_string_equal(param(k, v, "sslcompression"), "0");
    assert_null(param(k, v, "passfile"));
    conn_params(&c, CONN_USE_MIGRATE, k, v, CONN_PARAMS_MAX);
    assert_string_equal(param(k, v, "user"), "postgres");
    /* lumen notify connects as its own role, [notify] user (default
     * lumen_notify), with the client's settings and TLS policy. */
    conn_params(&c, CONN_USE_NOTIFY, k, v, CONN_PARAMS_MAX);
    assert_string_equal(param(k, v, "user"), "lumen_notify");
    assert_string_equal(param(k, v, "sslmode"), "verify-full");
    assert_string_equal(param(k, v, "application_name"), "lumen notify");
    assert_string_equal(param(k, v, "options"), conn_session_options(CONN_USE_CLIENT));
    config_free(&c);
    assert_int_equal(config_load_string("p.conf", "[database]\nhost=/x\ndbname=l\n"
                                        "[notify]\nuser=notifier_b\n", &c, err, sizeof err), 0);
    conn_params(&c, CONN_USE_NOTIFY, k, v, CONN_PARAMS_MAX);
    assert_string_equal(param(k, v, "user"), "notifier_b");
    config_free(&c);
}

/* Each -c setting of an options string, as "name=value" with the escaped
 * spaces unescaped, or NULL. */
static const char *option(const char *options, const char *name, char *out, size_t outlen)
{
    size_t nlen = strlen(name);
    for (const char *p = options; (p = strstr(p, "-c ")); p += 3) {
        const char *set = p + 3;
        if (strncmp(set, name, nlen) != 0 || set[nlen] != '=')
            continue;
        size_t j = 0;
        for (const char *q = set + nlen + 1; *q && *q != ' ' && j + 1 < outlen; q++) {
            if (*q == '\\' && q[1])
                q++;
            out[j++] = *q;
        }
        out[j] = '\0';
        return out;
    }
    return NULL;
}

static void assert_option(const char *options, const char *name, const char *want)
{
    char got[64];
    if (!option(options, name, got, sizeof got))
        fail_msg("options do not set %s: %s", name, options);
    if (strcmp(got, want) != 0)
        fail_msg("options set %s=%s, want %s", name, got, want);
}

/* Every setting a role default could use to break the client is pinned. */
static void session_settings_pinned(void **state)
{
    (void)state;
    static const char *const both[][2] = {
        { "default_transaction_read_only", "off" },
        { "default_transaction_isolation", "read committed" },
        { "default_transaction_deferrable", "off" },
        { "DateStyle", "ISO,MDY" }, { "IntervalStyle", "postgres" }, { "TimeZone", "UTC" },
        { "bytea_output", "hex" }, { "extra_float_digits", "1" },
        { "standard_conforming_strings", "on" }, { "exit_on_error", "off" },
        { "idle_session_timeout", "0" }, { "row_security", "on" },
        { "transform_null_equals", "off" }, { "plpgsql.variable_conflict", "error" },
    };
    const char *client = conn_session_options(CONN_USE_CLIENT);
    const char *migrate = conn_session_options(CONN_USE_MIGRATE);
    for (size_t i = 0; i < sizeof both / sizeof both[0]; i++) {
        assert_option(client, both[i][0], both[i][1]);
        assert_option(migrate, both[i][0], both[i][1]);
    }
    assert_option(client, "search_path", "pg_catalog,pg_temp");
    assert_option(client, "role", "none");
    assert_option(client, "statement_timeout", "30s");
    assert_option(client, "lock_timeout", "5s");
    assert_option(client, "idle_in_transaction_session_timeout", "60s");
    assert_option(migrate, "statement_timeout", "0");
    assert_option(migrate, "lock_timeout", "0");

    struct config c;
    char err[CONFIG_ERR_MAX];
    assert_int_equal(config_load_string("p.conf", "[database]\nhost=/x\ndbname=l\n",
                                        &c, err, sizeof err), 0);
    const char *k[CONN_PARAMS_MAX], *v[CONN_PARAMS_MAX];
    conn_params(&c, CONN_USE_CLIENT, k, v, CONN_PARAMS_MAX);
    assert_string_equal(param(k, v, "options"), client);
    conn_params(&c, CONN_USE_MIGRATE, k, v, CONN_PARAMS_MAX);
    assert_string_equal(param(k, v, "options"), migrate);
    config_free(&c);
}

/* Behind a transaction pooler: no `options` (PgBouncer refuses it), and
 * each call's prelude sets, transaction-locally, every setting the
 * options would have set: the default_transaction_* ones as the
 * transaction's own, the others by set_config(..., true); only
 * idle_session_timeout (the pooler's business) and the superuser-only
 * plpgsql.variable_conflict are left out. */
static void pooled_prelude_sets_every_option(void **state)
{
    (void)state;
    struct config c;
    char err[CONFIG_ERR_MAX];
    assert_int_equal(config_load_string("p.conf",
        "[database]\nhost=/x\ndbname=l\npooler=transaction\n[migrate]\nuser=postgres\n",
        &c, err, sizeof err), 0);
    const char *k[CONN_PARAMS_MAX], *v[CONN_PARAMS_MAX];
    conn_params(&c, CONN_USE_CLIENT, k, v, CONN_PARAMS_MAX);
    assert_null(param(k, v, "options"));
    assert_string_equal(param(k, v, "user"), "lumen_client");
    assert_string_equal(param(k, v, "client_encoding"), "UTF8");

    size_t n;
    const char *const *pre = conn_pooled_prelude(CONN_USE_CLIENT, &n);
    assert_int_equal(n, 4);
    assert_string_equal(pre[0], "SET transaction_read_only = 'off'");
    assert_string_equal(pre[1], "SET transaction_isolation = 'read committed'");
    assert_string_equal(pre[2], "SET transaction_deferrable = 'off'");
    const char *sel = pre[3];
    assert_int_equal(strncmp(sel, "SELECT pg_catalog.set_config(", 29), 0);
    /* Every -c of the options, in the SELECT or left out on purpose. */
    const char *options = conn_session_options(CONN_USE_CLIENT);
    int seen = 0;
    for (const char *p = options; (p = strstr(p, "-c ")); p += 3) {
        char name[64], value[64], want[200];
        size_t nl = strcspn(p + 3, "=");
        snprintf(name, sizeof name, "%.*s", (int)nl, p + 3);
        if (!option(options, name, value, sizeof value))
            fail_msg("cannot read %s back from the options", name);
        if (strncmp(name, "default_transaction_", 20) == 0 ||
            strcmp(name, "idle_session_timeout") == 0 ||
            strcmp(name, "plpgsql.variable_conflict") == 0) {
            snprintf(want, sizeof want, "'%s'", name);
            if (strstr(sel, want))
                fail_msg("%s is in the prelude's SELECT: %s", name, sel);
            continue;
        }
        snprintf(want, sizeof want, "pg_catalog.set_config('%s', '%s', true)", name, value);
        if (!strstr(sel, want))
            fail_msg("the prelude does not set %s: %s", want, sel);
        seen++;
    }
    assert_true(seen >= 14);
    /* The same arrays each time. */
    size_t n2;
    assert_ptr_equal(conn_pooled_prelude(CONN_USE_CLIENT, &n2), pre);
    /* A value with a quote is quoted. */
    const char *const *mig = conn_pooled_prelude(CONN_USE_MIGRATE, &n2);
    assert_non_null(strstr(mig[n2 - 1], "pg_catalog.set_config('search_path', '\"$user\",public', true)"));

    /* Migrations need a session: refused before any connection is tried. */
    assert_null(conn_open_blocking(&c, CONN_USE_MIGRATE, err, sizeof err));
    assert_non_null(strstr(err, "p.conf: [database] pooler = transaction: migrations need a session"));
    config_free(&c);
}

/* libpq only warns (on stderr, onto the TUI) about an open passfile and
 * goes on without it; lumen refuses it before libpq reads it. */
static void passfile_checked_before_libpq(void **state)
{
    (void)state;
    char dir[] = "/tmp/lumen-pass-XXXXXX", pass[64], text[160], err[CONFIG_ERR_MAX];
    assert_non_null(mkdtemp(dir));
    snprintf(pass, sizeof pass, "%s/pgpass", dir);
    snprintf(text, sizeof text, "[database]\nhost=/run/pg\ndbname=l\npassfile=%s\n", pass);

    assert_int_equal(check(text, err, sizeof err), -1);
    assert_non_null(strstr(err, "cannot open"));
    FILE *f = fopen(pass, "w");
    assert_non_null(f);
    fputs("*:*:*:lumen_client:secret\n", f);
    fclose(f);
    static const struct { mode_t mode; const char *want; } cases[] = {
        { 0644, "readable by group or others (mode 0644); a password file must be private: run chmod 600 " },
        { 0640, "readable by group or others (mode 0640)" },
        { 0604, "readable by group or others (mode 0604)" },
        { 0610, "open to group or others (mode 0610)" },
        { 0660, "readable by group or others (mode 0660)" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        chmod(pass, cases[i].mode);
        assert_int_equal(check(text, err, sizeof err), -1);
        if (strncmp(err, pass, strlen(pass)) != 0 || !strstr(err, cases[i].want))
            fail_msg("mode %04o: got '%s'", (unsigned)cases[i].mode, err);
    }
    chmod(pass, 0600);
    assert_int_equal(check(text, err, sizeof err), 0);
    chmod(pass, 0400);
    assert_int_equal(check(text, err, sizeof err), 0);
    if (geteuid() == 0) {                       /* only root can give it away */
        assert_int_equal(chown(pass, 65534, (gid_t)-1), 0);
        assert_int_equal(check(text, err, sizeof err), -1);
        assert_non_null(strstr(err, "owned by uid 65534, not by you"));
        assert_int_equal(chown(pass, 0, (gid_t)-1), 0);
    }
    chmod(dir, 0777);                           /* someone could swap it */
    assert_int_equal(check(text, err, sizeof err), -1);
    assert_non_null(strstr(err, "its folder"));
    unlink(pass);
    rmdir(dir);
}

/* What libpq would really use: a connection attempt's PQconninfo (to a
 * socket folder that does not exist, so no server is needed). */
static const char *effective(PQconninfoOption *opts, const char *name)
{
    for (PQconninfoOption *o = opts; o->keyword; o++)
        if (strcmp(o->keyword, name) == 0)
            return o->val && *o->val ? o->val : NULL;
    return NULL;
}

static const char *const hostile_env[][2] = {
    { "PGHOSTADDR", "192.0.2.2" }, { "PGHOST", "192.0.2.3" }, { "PGPORT", "6543" },
    { "PGSSLMODE", "disable" }, { "PGREQUIRESSL", "0" }, { "PGSSLROOTCERT", "/evil/ca.pem" },
    { "PGOPTIONS", "-c default_transaction_read_only=on" }, { "PGUSER", "evil" },
    { "PGDATABASE", "evil" }, { "PGPASSWORD", "evil" }, { "PGPASSFILE", "/evil/pgpass" },
    { "PGAPPNAME", "evil" }, { "PGCLIENTENCODING", "LATIN1" }, { "PGTZ", "Pacific/Kiritimati" },
    { "PGDATESTYLE", "SQL, DMY" }, { "PGGEQO", "off" }, { "PGSSLCERT", "/evil/c.crt" },
    { "PGSSLKEY", "/evil/c.key" }, { "PGSSLCRL", "/evil/crl" }, { "PGSSLCOMPRESSION", "1" },
    { "PGGSSENCMODE", "require" }, { "PGTARGETSESSIONATTRS", "standby" },
    { "PGCONNECT_TIMEOUT", "1" }, { "PGKRBSRVNAME", "evil" }, { "PGREQUIREPEER", "evil" },
    { "PGCHANNELBINDING", "disable" }, { "PGSYSCONFDIR", "/evil" }, { "PGLOCALEDIR", "/evil" },
};

static void env_cannot_redirect(void **state)
{
    (void)state;
    /* A service file that would take the connection elsewhere, in clear. */
    char dir[] = "/tmp/lumen-env-XXXXXX", svc[64];
    assert_non_null(mkdtemp(dir));
    snprintf(svc, sizeof svc, "%s/pg_service.conf", dir);
    FILE *f = fopen(svc, "w");
    assert_non_null(f);
    fputs("[evil]\nhostaddr=192.0.2.4\nsslmode=disable\nsslrootcert=/evil/svc.pem\n", f);
    fclose(f);
    setenv("PGSERVICEFILE", svc, 1);
    setenv("PGSERVICE", "evil", 1);
    for (size_t i = 0; i < sizeof hostile_env / sizeof hostile_env[0]; i++)
        setenv(hostile_env[i][0], hostile_env[i][1], 1);
    setenv("LUMEN_KEEP", "1", 1);

    conn_env_scrub();
    for (size_t i = 0; i < sizeof hostile_env / sizeof hostile_env[0]; i++)
        if (getenv(hostile_env[i][0]))
            fail_msg("%s survived the scrub", hostile_env[i][0]);
    assert_null(getenv("PGSERVICE"));
    assert_null(getenv("PGSERVICEFILE"));
    assert_string_equal(getenv("LUMEN_KEEP"), "1");    /* only PG* goes */

    struct config c;
    char err[CONFIG_ERR_MAX];
    assert_int_equal(config_load_string("p.conf",
        "[database]\nhost=/nonexistent-lumen-socket\nport=5499\ndbname=lumen\nsslmode=prefer\n",
        &c, err, sizeof err), 0);
    const char *k[CONN_PARAMS_MAX], *v[CONN_PARAMS_MAX];
    conn_params(&c, CONN_USE_CLIENT, k, v, CONN_PARAMS_MAX);
    PGconn *pc = PQconnectStartParams(k, v, 0);
    assert_non_null(pc);
    PQconninfoOption *opts = PQconninfo(pc);
    assert_non_null(opts);
    assert_null(effective(opts, "hostaddr"));
    assert_null(effective(opts, "service"));
    assert_null(effective(opts, "password"));
    assert_null(effective(opts, "sslrootcert"));
    assert_null(effective(opts, "sslcrl"));
    assert_null(effective(opts, "requirepeer"));
    assert_string_equal(effective(opts, "host"), "/nonexistent-lumen-socket");
    assert_string_equal(effective(opts, "port"), "5499");
    assert_string_equal(effective(opts, "dbname"), "lumen");
    assert_string_equal(effective(opts, "user"), "lumen_client");
    assert_string_equal(effective(opts, "sslmode"), "prefer");
    assert_string_equal(effective(opts, "gssencmode"), "disable");
    assert_string_equal(effective(opts, "client_encoding"), "UTF8");
    assert_string_equal(effective(opts, "application_name"), "lumen");
    assert_string_equal(effective(opts, "options"), conn_session_options(CONN_USE_CLIENT));
    assert_string_equal(effective(opts, "target_session_attrs"), "any");
    assert_string_equal(effective(opts, "connect_timeout"), "10");
    PQconninfoFree(opts);
    PQfinish(pc);
    config_free(&c);
    unlink(svc);
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(host_kinds),
        cmocka_unit_test(policy),
        cmocka_unit_test(params_are_explicit),
        cmocka_unit_test(session_settings_pinned),
        cmocka_unit_test(pooled_prelude_sets_every_option),
        cmocka_unit_test(passfile_checked_before_libpq),
        cmocka_unit_test(env_cannot_redirect),
    };
    return unit_run(tests);
}
