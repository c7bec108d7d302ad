/* config.c: the good file, every kind of error, the search order, and the
 * sample that documents every key. */
#include "tests/unit/unit.h"
#include "client/config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char good[] =
    "# a comment\n"
    "[database]\n"
    "host = /run/pg, db2.example.org\n"
    "dbname = lumen\n"
    "sslmode = verify-full\n"
    "connect_timeout = 7\n"
    "[ui]\n"
    "color = never\n"
    "[keys]\n"
    "quit = Q\n"
    "help = F1\n";

static void good_file_parses(void **state)
{
    (void)state;
    struct config c;
    char err[CONFIG_ERR_MAX] = "";
    assert_int_equal(config_load_string("t.conf", good, &c, err, sizeof err), 0);
    assert_string_equal(c.db.host, "/run/pg, db2.example.org");
    assert_string_equal(c.db.dbname, "lumen");
    assert_string_equal(c.db.user, "lumen_client");   /* default */
    assert_string_equal(c.db.port, "5432");           /* default */
    assert_int_equal(c.db.connect_timeout, 7);
    assert_int_equal(c.ui.color, CONFIG_COLOR_NEVER);
    assert_int_equal(c.nkeys, 2);
    assert_string_equal(c.keys[0].action, "quit");
    assert_string_equal(c.keys[0].key, "Q");
    assert_int_equal(c.keys[0].line, 10);
    assert_int_equal(c.keys[1].line, 11);
    config_free(&c);
}

/* Each bad text, and the start of the message it must give. */
static const struct { const char *text, *want; } bad[] = {
    { "[database]\nhost=/x\ndbname=l\n[colour]\nx=1\n", "t.conf:4: unknown section [colour]" },
    { "[database]\nhost=/x\ndbname=l\nsslmod=disable\n", "t.conf:4: unknown key 'sslmod' in [database]" },
    { "[database]\nhost=/x\ndbname=l\nsslmode=verify\n", "t.conf:4: [database] sslmode: 'verify' is not one of" },
    { "[database]\nhost=/x\ndbname=l\nconnect_timeout=ten\n", "t.conf:4: [database] connect_timeout: 'ten' is not a whole number" },
    { "[database]\nhost=/x\ndbname=l\nconnect_timeout=0\n", "t.conf:4: [database] connect_timeout: '0' is not a whole number from 1" },
    { "[database]\nhost=/x\nhost=/y\ndbname=l\n", "t.conf:3: [database] host is set twice" },
    { "host=/x\n", "t.conf:1: 'host' is outside any section" },
    { "[database]\nhost /x\n", "t.conf:2: not 'key = value'" },
    { "[database]\nhost=\n", "t.conf:2: [database] host has no value" },
    { "[database]\ndbname=l\n", "t.conf: [database] host is missing" },
    { "[database]\nhost=/x\n", "t.conf: [database] dbname is missing" },
    { "[database]\nhost=/x\ndbname=l\nssl_min_protocol_version=TLSv1.1\n", "t.conf:4: [database] ssl_min_protocol_version: 'TLSv1.1' is not one of: TLSv1.2, TLSv1.3" },
    { "[database]\nhost=/x\ndbname=l\n[keys]\nquit=q\nquit=x\n", "t.conf:6: [keys] quit is bound twice (first on line 5)" },
    { "[ui]\n  color = never\n [database]\nhost=/x\ndbname=l\nidle_lock_seconds=5\n", "t.conf:6: unknown key 'idle_lock_seconds' in [database]" },
    { "[database]\nhost=/x\ndbname=l\npooler=session\n", "t.conf:4: [database] pooler: 'session' is not one of: none, transaction" },
    { "[database]\nhost=/x\ndbname=l\n[export]\nbom=yes\n", "t.conf:5: [export] bom: 'yes' is not one of: false, true" },
    { "[database]\nhost=/x\ndbname=l\n[exports]\nbom=true\n", "t.conf:4: unknown section [exports]; known: [database], [migrate], [ui], [export], [notify], [keys]" },
    { "[database]\nhost=/x\ndbname=l\n[notify]\nallow_private=maybe\n", "t.conf:5: [notify] allow_private: 'maybe' is not one of: no, yes, false, true" },
    { "[database]\nhost=/x\ndbname=l\n[notify]\nconcurrency=33\n", "t.conf:5: [notify] concurrency: '33' is not a whole number from 1 to 32" },
    { "[database]\nhost=/x\ndbname=l\n[notify]\nconcurrency=0\n", "t.conf:5: [notify] concurrency: '0' is not a whole number from 1 to 32" },
    { "[database]\nhost=/x\ndbname=l\n[notify]\nemail_apikey=x\n", "t.conf:5: unknown key 'email_apikey' in [notify]" },
};

/* [database] pooler and [export] bom: defaults, and each value. */
static void pooler_and_bom(void **state)
{
    (void)state;
    struct config c;
    char err[CONFIG_ERR_MAX] = "";
    assert_int_equal(config_load_string("t.conf", good, &c, err, sizeof err), 0);
    assert_int_equal(c.db.pooler, CONFIG_POOLER_NONE);
    assert_int_equal(c.export_.bom, 0);
    config_free(&c);
    assert_int_equal(config_load_string("t.conf", "[database]\nhost=/x\ndbname=l\n"
                                        "pooler = transaction\n[export]\nbom = true\n",
                                        &c, err, sizeof err), 0);
    assert_int_equal(c.db.pooler, CONFIG_POOLER_TRANSACTION);
    assert_int_equal(c.export_.bom, 1);
    config_free(&c);
    assert_int_equal(config_load_string("t.conf", "[database]\nhost=/x\ndbname=l\n"
                                        "pooler = none\n[export]\nbom = false\n",
                                        &c, err, sizeof err), 0);
    assert_int_equal(c.db.pooler, CONFIG_POOLER_NONE);
    assert_int_equal(c.export_.bom, 0);
    config_free(&c);
}

/* [notify]: the defaults, and each key read. */
static void notify_section(void **state)
{
    (void)state;
    struct config c;
    char err[CONFIG_ERR_MAX] = "";
    assert_int_equal(config_load_string("t.conf", good, &c, err, sizeof err), 0);
    assert_string_equal(c.notify.user, "lumen_notify");
    assert_int_equal(c.notify.allow_private, 0);
    assert_int_equal(c.notify.concurrency, 8);
    assert_null(c.notify.email_api);
    assert_null(c.notify.email_key);
    config_free(&c);
    assert_int_equal(config_load_string("t.conf", "[database]\nhost=/x\ndbname=l\n"
                                        "[notify]\nuser = notifier\nallow_private = yes\n"
                                        "email_api = https://api.mail.example/send\n"
                                        "email_key = k-123\nemail_from = Lumen <a@b.example>\n"
                                        "concurrency = 32\n", &c, err, sizeof err), 0);
    assert_string_equal(c.notify.user, "notifier");
    assert_int_equal(c.notify.allow_private, 1);
    assert_string_equal(c.notify.email_api, "https://api.mail.example/send");
    assert_string_equal(c.notify.email_key, "k-123");
    assert_string_equal(c.notify.email_from, "Lumen <a@b.example>");
    assert_int_equal(c.notify.concurrency, 32);
    config_free(&c);
    /* Each spelling of the boolean: the value is its meaning, not its place. */
    static const struct { const char *word; int want; } words[] = {
        { "no", 0 }, { "yes", 1 }, { "false", 0 }, { "true", 1 } };
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
        char text[128];
        snprintf(text, sizeof text, "[database]\nhost=/x\ndbname=l\n[notify]\nallow_private = %s\n",
                 words[i].word);
        assert_int_equal(config_load_string("t.conf", text, &c, err, sizeof err), 0);
        if (c.notify.allow_private != words[i].want)
            fail_msg("allow_private = %s read as %d", words[i].word, c.notify.allow_private);
        config_free(&c);
    }
}

static void each_error_names_line_and_key(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct config c;
        char err[CONFIG_ERR_MAX] = "";
        int rc = config_load_string("t.conf", bad[i].text, &c, err, sizeof err);
        if (rc == 0 || strncmp(err, bad[i].want, strlen(bad[i].want)) != 0)
            fail_msg("case %zu: rc %d, got '%s', want '%s...'", i, rc, err, bad[i].want);
    }
}

/* inih cuts long lines silently; we must refuse them instead. */
static void overlong_line_refused_not_truncated(void **state)
{
    (void)state;
    size_t max = config_max_line();
    char text[1024];
    char val[600];
    /* "dbname = " is 9 bytes: a value that makes the line one byte too long. */
    memset(val, 'a', max - 9 + 1);
    val[max - 9 + 1] = '\0';
    snprintf(text, sizeof text, "[database]\nhost=/x\ndbname = %s\n", val);
    struct config c;
    char err[CONFIG_ERR_MAX] = "";
    assert_int_equal(config_load_string("t.conf", text, &c, err, sizeof err), -1);
    assert_non_null(strstr(err, "t.conf:3: line is longer than"));

    val[max - 9] = '\0';            /* exactly the longest line: accepted whole */
    snprintf(text, sizeof text, "[database]\nhost=/x\ndbname = %s\n", val);
    assert_int_equal(config_load_string("t.conf", text, &c, err, sizeof err), 0);
    assert_int_equal(strlen(c.db.dbname), max - 9);
    config_free(&c);
}

static void write_file(const char *path, const char *text, mode_t mode)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    assert_int_equal(chmod(path, mode), 0);
}

static void writable_by_others_refused(void **state)
{
    (void)state;
    char dir[] = "/tmp/lumen-cfg-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[128];
    snprintf(path, sizeof path, "%s/lumen.conf", dir);
    struct config c;
    char err[CONFIG_ERR_MAX] = "";

    write_file(path, "[database]\nhost=/x\ndbname=l\n", 0666);
    assert_int_equal(config_load(path, &c, err, sizeof err), -1);
    assert_non_null(strstr(err, "writable by others"));
    assert_non_null(strstr(err, path));

    chmod(path, 0620);
    assert_int_equal(config_load(path, &c, err, sizeof err), -1);
    assert_non_null(strstr(err, "writable by group"));

    chmod(path, 0600);
    assert_int_equal(config_load(path, &c, err, sizeof err), 0);
    assert_string_equal(c.path, path);
    config_free(&c);
    unlink(path);
    rmdir(dir);
}

/* A file that holds the email key is a secret file: group and others may
 * not read it.  Without the key the same mode is fine. */
static void email_key_wants_private_file(void **state)
{
    (void)state;
    char dir[] = "/tmp/lumen-cfg-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[128];
    snprintf(path, sizeof path, "%s/lumen.conf", dir);
    struct config c;
    char err[CONFIG_ERR_MAX] = "";
    static const char with_key[] = "[database]\nhost=/x\ndbname=l\n[notify]\n"
                                   "email_api = https://m.example/send\nemail_key = sk-1\n";

    write_file(path, with_key, 0644);
    assert_int_equal(config_load(path, &c, err, sizeof err), -1);
    assert_non_null(strstr(err, "holds [notify] email_key but is readable by group or others (mode 0644)"));
    assert_non_null(strstr(err, "chmod 600"));
    assert_null(c.notify.email_key);        /* nothing kept of a refused file */

    chmod(path, 0640);
    assert_int_equal(config_load(path, &c, err, sizeof err), -1);
    assert_non_null(strstr(err, "mode 0640"));
    chmod(path, 0604);
    assert_int_equal(config_load(path, &c, err, sizeof err), -1);

    chmod(path, 0600);
    assert_int_equal(config_load(path, &c, err, sizeof err), 0);
    assert_string_equal(c.notify.email_key, "sk-1");
    config_free(&c);

    write_file(path, "[database]\nhost=/x\ndbname=l\n[notify]\nemail_api = https://m.example/send\n", 0644);
    assert_int_equal(config_load(path, &c, err, sizeof err), 0);
    config_free(&c);
    unlink(path);
    rmdir(dir);
}

/* A config in a fresh folder under /tmp; the caller removes both. */
struct tmpconf {
    char dir[64], path[96];
};

static void tmpconf_make(struct tmpconf *t, mode_t dir_mode)
{
    snprintf(t->dir, sizeof t->dir, "/tmp/lumen-own-XXXXXX");
    assert_non_null(mkdtemp(t->dir));
    assert_int_equal(chmod(t->dir, dir_mode), 0);
    snprintf(t->path, sizeof t->path, "%s/lumen.conf", t->dir);
    write_file(t->path, "[database]\nhost=/x\ndbname=l\n", 0644);
}

static void tmpconf_remove(struct tmpconf *t)
{
    unlink(t->path);
    rmdir(t->dir);
}

/* Loads T's config; returns the error ("" when it loaded). */
static const char *load_err(const struct tmpconf *t)
{
    static char err[CONFIG_ERR_MAX];
    struct config c;
    err[0] = '\0';
    if (config_load(t->path, &c, err, sizeof err) == 0)
        config_free(&c);
    return err;
}

#define NOBODY 65534

static void assert_refused(const char *err, const char *path, const char *what)
{
    if (strncmp(err, path, strlen(path)) != 0 || !strstr(err, what))
        fail_msg("got '%s', want '%s: ...%s...'", err, path, what);
}

/* Only the running user and root may own it: whoever owns it can change it. */
static void owned_by_another_user_refused(void **state)
{
    (void)state;
    if (geteuid() != 0)
        skip();                         /* making another's file needs root */
    struct tmpconf t;
    tmpconf_make(&t, 0700);
    assert_string_equal(load_err(&t), "");
    assert_int_equal(chown(t.path, NOBODY, (gid_t)-1), 0);
    assert_refused(load_err(&t), t.path, "owned by uid 65534, not by you (uid 0) or root");

    /* A folder of another user's: they could swap the file. */
    assert_int_equal(chown(t.path, 0, (gid_t)-1), 0);
    assert_int_equal(chmod(t.dir, 0755), 0);
    assert_int_equal(chown(t.dir, NOBODY, (gid_t)-1), 0);
    char want[160];
    snprintf(want, sizeof want, "its folder %s is owned by uid 65534", t.dir);
    assert_refused(load_err(&t), t.path, want);
    tmpconf_remove(&t);
}

static void folder_writable_by_others_refused(void **state)
{
    (void)state;
    struct tmpconf t;
    tmpconf_make(&t, 0777);
    char want[160];
    snprintf(want, sizeof want, "its folder %s is writable by others (mode 0777)", t.dir);
    assert_refused(load_err(&t), t.path, want);
    assert_non_null(strstr(load_err(&t), "chmod go-w"));
    chmod(t.dir, 0770);
    snprintf(want, sizeof want, "its folder %s is writable by group (mode 0770)", t.dir);
    assert_refused(load_err(&t), t.path, want);
    chmod(t.dir, 0755);
    assert_string_equal(load_err(&t), "");
    tmpconf_remove(&t);
}

/* In a sticky folder (/tmp) nobody may rename or remove an entry they do
 * not own, so the user's own file there is safe; a symlink there that
 * someone else owns is not, whatever it points to. */
static void sticky_folder(void **state)
{
    (void)state;
    struct tmpconf t;
    tmpconf_make(&t, 01777);
    assert_string_equal(load_err(&t), "");

    if (geteuid() == 0) {
        struct tmpconf link = t;
        snprintf(link.path, sizeof link.path, "%s/link.conf", t.dir);
        assert_int_equal(symlink(t.path, link.path), 0);
        assert_string_equal(load_err(&link), "");
        assert_int_equal(lchown(link.path, NOBODY, (gid_t)-1), 0);
        char want[160];
        snprintf(want, sizeof want, "its folder %s is writable by others (mode 1777)", t.dir);
        assert_refused(load_err(&link), link.path, want);
        unlink(link.path);
    }
    tmpconf_remove(&t);
}

/* A symlink in a folder others can write can be pointed anywhere. */
static void symlink_in_open_folder_refused(void **state)
{
    (void)state;
    struct tmpconf t, open;
    tmpconf_make(&t, 0700);
    tmpconf_make(&open, 0777);
    unlink(open.path);
    assert_int_equal(symlink(t.path, open.path), 0);
    char want[160];
    snprintf(want, sizeof want, "its folder %s is writable by others", open.dir);
    assert_refused(load_err(&open), open.path, want);
    tmpconf_remove(&open);
    tmpconf_remove(&t);
}

static void search_order(void **state)
{
    (void)state;
    char dir[] = "/tmp/lumen-xdg-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char sub[128], path[160];
    snprintf(sub, sizeof sub, "%s/lumen", dir);
    mkdir(sub, 0700);
    snprintf(path, sizeof path, "%s/lumen.conf", sub);
    write_file(path, "[database]\nhost=/x\ndbname=l\n", 0600);
    char err[CONFIG_ERR_MAX] = "";

    unsetenv("LUMEN_CONFIG");
    setenv("XDG_CONFIG_HOME", dir, 1);
    char *got = config_locate(NULL, err, sizeof err);
    assert_non_null(got);
    assert_string_equal(got, path);
    free(got);

    setenv("LUMEN_CONFIG", "/nonexistent/lumen.conf", 1);
    assert_null(config_locate(NULL, err, sizeof err));
    assert_non_null(strstr(err, "$LUMEN_CONFIG"));

    got = config_locate(path, err, sizeof err);     /* --config wins */
    assert_string_equal(got, path);
    free(got);
    assert_null(config_locate("/nonexistent/x.conf", err, sizeof err));
    assert_non_null(strstr(err, "--config"));

    unsetenv("LUMEN_CONFIG");
    unlink(path);
    rmdir(sub);
    rmdir(dir);
}

/* The sample is the documentation of the keys: it must parse and name every
 * key the parser knows, in its own section. */
static void sample_parses_and_documents_every_key(void **state)
{
    (void)state;
    struct config c;
    char err[CONFIG_ERR_MAX] = "";
    assert_int_equal(config_load("lumen.conf.sample", &c, err, sizeof err), 0);
    config_free(&c);

    const char *text = unit_slurp("lumen.conf.sample");
    const char *section, *name;
    for (size_t i = 0; config_key_at(i, &section, &name) == 0; i++) {
        char hdr[64];
        snprintf(hdr, sizeof hdr, "[%s]\n", section);
        const char *sec = strstr(text, hdr);
        if (!sec)
            fail_msg("sample has no section [%s]", section);
        const char *next = strstr(sec + 1, "\n[");
        char plain[96], commented[96];
        snprintf(plain, sizeof plain, "\n%s = ", name);
        snprintf(commented, sizeof commented, "\n# %s = ", name);
        const char *at = strstr(sec, plain);
        if (!at || (next && at > next))
            at = strstr(sec, commented);
        if (!at || (next && at > next))
            fail_msg("sample does not document [%s] %s", section, name);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(good_file_parses),
        cmocka_unit_test(pooler_and_bom),
        cmocka_unit_test(notify_section),
        cmocka_unit_test(email_key_wants_private_file),
        cmocka_unit_test(each_error_names_line_and_key),
        cmocka_unit_test(overlong_line_refused_not_truncated),
        cmocka_unit_test(writable_by_others_refused),
        cmocka_unit_test(owned_by_another_user_refused),
        cmocka_unit_test(folder_writable_by_others_refused),
        cmocka_unit_test(sticky_folder),
        cmocka_unit_test(symlink_in_open_folder_refused),
        cmocka_unit_test(search_order),
        cmocka_unit_test(sample_parses_and_documents_every_key),
    };
    return unit_run(tests);
}
