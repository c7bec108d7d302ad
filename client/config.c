#include "client/config.h"
#include "client/filecheck.h"
#include "client/mem.h"

#include <errno.h>
#include <ini.h>
#include <sodium.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <unistd.h>

/* A config larger than this is not a config. */
#define CONFIG_MAX_BYTES (1u << 20)

enum key_kind { KEY_STR, KEY_CHOICE, KEY_INT, KEY_ENUM, KEY_BOOL };

struct key_def {
    const char *section;
    const char *name;
    enum key_kind kind;
    size_t off;                     /* into struct config */
    long min, max;                  /* KEY_INT */
    const char *const *choices;     /* KEY_CHOICE, KEY_ENUM (index stored), KEY_BOOL */
};

static const char *const sslmodes[] = {
    "disable", "allow", "prefer", "require", "verify-ca", "verify-full", NULL };
static const char *const tls_versions[] = { "TLSv1.2", "TLSv1.3", NULL };
static const char *const session_attrs[] = {
    "any", "read-write", "read-only", "primary", "standby", "prefer-standby", NULL };
static const char *const colors[] = { "auto", "never", "always", NULL };
static const char *const poolers[] = { "none", "transaction", NULL };
static const char *const booleans[] = { "false", "true", NULL };
/* KEY_BOOL: the index's low bit is the value.  [notify] allow_private is
 * written yes/no in the contract with the tests; true/false as [export]
 * bom's are taken too, so that neither spelling is a trap. */
static const char *const yes_no[] = { "no", "yes", "false", "true", NULL };

#define F(member) offsetof(struct config, member)
static const struct key_def key_defs[] = {
    { "database", "host",            KEY_STR,    F(db.host),     0, 0, NULL },
    { "database", "port",            KEY_STR,    F(db.port),     0, 0, NULL },
    { "database", "dbname",          KEY_STR,    F(db.dbname),   0, 0, NULL },
    { "database", "user",            KEY_STR,    F(db.user),     0, 0, NULL },
    { "database", "passfile",        KEY_STR,    F(db.passfile), 0, 0, NULL },
    { "database", "sslmode",         KEY_CHOICE, F(db.sslmode),  0, 0, sslmodes },
    { "database", "sslrootcert",     KEY_STR,    F(db.sslrootcert), 0, 0, NULL },
    { "database", "sslcert",         KEY_STR,    F(db.sslcert),  0, 0, NULL },
    { "database", "sslkey",          KEY_STR,    F(db.sslkey),   0, 0, NULL },
    { "database", "ssl_min_protocol_version", KEY_CHOICE,
                                     F(db.ssl_min_protocol_version), 0, 0, tls_versions },
    { "database", "target_session_attrs", KEY_CHOICE,
                                     F(db.target_session_attrs), 0, 0, session_attrs },
    { "database", "connect_timeout", KEY_INT,    F(db.connect_timeout), 1, 300, NULL },
    { "database", "pooler",          KEY_ENUM,   F(db.pooler),   0, 0, poolers },
    { "database", "replica_host",    KEY_STR,    F(db.replica_host), 0, 0, NULL },
    { "database", "replica_port",    KEY_STR,    F(db.replica_port), 0, 0, NULL },
    { "migrate",  "user",            KEY_STR,    F(migrate.user), 0, 0, NULL },
    { "ui",       "color",           KEY_ENUM,   F(ui.color),    0, 0, colors },
    { "ui",       "idle_lock_seconds", KEY_INT,  F(ui.idle_lock_seconds), 1, 86400, NULL },
    { "export",   "bom",             KEY_ENUM,   F(export_.bom), 0, 0, booleans },
    { "notify",   "user",            KEY_STR,    F(notify.user), 0, 0, NULL },
    { "notify",   "allow_private",   KEY_BOOL,   F(notify.allow_private), 0, 0, yes_no },
    { "notify",   "email_api",       KEY_STR,    F(notify.email_api), 0, 0, NULL },
    { "notify",   "email_key",       KEY_STR,    F(notify.email_key), 0, 0, NULL },
    { "notify",   "email_from",      KEY_STR,    F(notify.email_from), 0, 0, NULL },
    { "notify",   "concurrency",     KEY_INT,    F(notify.concurrency), 1, 32, NULL },
};
#undef F

static const char *const sections[] = { "database", "migrate", "ui", "export", "notify", "keys", NULL };
#define SECTIONS_KNOWN "[database], [migrate], [ui], [export], [notify], [keys]"

struct parse_state {
    struct config *cfg;
    const char *name;       /* for messages */
    const char *text;       /* whole file, NUL-terminated */
    size_t pos, len;
    int line;               /* the line inih is working on */
    bool failed;
    bool seen[sizeof key_defs / sizeof key_defs[0]];
    char *err;
    size_t errlen;
};

static void fail(struct parse_state *st, const char *fmt, ...)
{
    if (st->failed)
        return;
    st->failed = true;
    char msg[CONFIG_ERR_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (st->line > 0)
        snprintf(st->err, st->errlen, "%s:%d: %s", st->name, st->line, msg);
    else
        snprintf(st->err, st->errlen, "%s: %s", st->name, msg);
}

int config_key_at(size_t i, const char **section, const char **name)
{
    if (i >= sizeof key_defs / sizeof key_defs[0])
        return -1;
    *section = key_defs[i].section;
    *name = key_defs[i].name;
    return 0;
}

size_t config_max_line(void)
{
    /* inih needs room for "\r\n\0" after the longest line. */
    return (size_t)ini_max_line - 3;
}

static bool in_list(const char *const *list, const char *s, size_t *idx);

/* inih only tells us about sections through the keys under them; checking
 * the header itself gives the header's line, and catches an empty one. */
static void check_section_line(struct parse_state *st, const char *line)
{
    line += strspn(line, " \t");
    if (*line != '[')
        return;
    const char *end = strchr(line, ']');
    if (!end)
        return;                     /* inih reports the syntax error */
    char name[64];
    size_t n = (size_t)(end - line - 1);
    if (n >= sizeof name)
        n = sizeof name - 1;
    memcpy(name, line + 1, n);
    name[n] = '\0';
    if (!in_list(sections, name, NULL))
        fail(st, "unknown section [%s]; known: " SECTIONS_KNOWN, name);
}

/* inih's reader: hands it one line at a time, so that we know the line
 * number and can refuse an overlong line instead of letting inih cut it. */
static char *read_line(char *buf, int num, void *stream)
{
    struct parse_state *st = stream;
    if (st->failed || st->pos >= st->len)
        return NULL;
    const char *start = st->text + st->pos;
    const char *nl = memchr(start, '\n', st->len - st->pos);
    size_t n = nl ? (size_t)(nl - start) + 1 : st->len - st->pos;
    size_t body = n - (nl ? 1 : 0);
    if (body && start[body - 1] == '\r')
        body--;
    st->line++;
    if (memchr(start, '\0', n)) {
        fail(st, "line contains a NUL byte");
        return NULL;
    }
    if (body > config_max_line() || n + 1 > (size_t)num) {
        fail(st, "line is longer than %zu bytes; shorten it (long values are "
             "split into separate keys, see lumen.conf.sample)", config_max_line());
        return NULL;
    }
    memcpy(buf, start, n);
    buf[n] = '\0';
    st->pos += n;
    check_section_line(st, buf);
    return st->failed ? NULL : buf;
}

static bool in_list(const char *const *list, const char *s, size_t *idx)
{
    for (size_t i = 0; list[i]; i++)
        if (strcmp(list[i], s) == 0) {
            if (idx)
                *idx = i;
            return true;
        }
    return false;
}

static void list_choices(const char *const *list, char *out, size_t outlen)
{
    out[0] = '\0';
    for (size_t i = 0; list[i]; i++) {
        size_t used = strlen(out);
        snprintf(out + used, outlen - used, "%s%s", i ? ", " : "", list[i]);
    }
}

static int set_value(struct parse_state *st, size_t k, const char *value)
{
    const struct key_def *d = &key_defs[k];
    char *base = (char *)st->cfg + d->off;
    char choices[256];
    size_t idx;

    switch (d->kind) {
    case KEY_CHOICE:
    case KEY_ENUM:
    case KEY_BOOL:
        if (!in_list(d->choices, value, &idx)) {
            list_choices(d->choices, choices, sizeof choices);
            fail(st, "[%s] %s: '%s' is not one of: %s", d->section, d->name, value, choices);
            return 0;
        }
        if (d->kind == KEY_ENUM)
            *(int *)(void *)base = (int)idx;
        else if (d->kind == KEY_BOOL)
            *(int *)(void *)base = (int)(idx & 1);
        else
            *(char **)(void *)base = mem_strdup(value);
        return 1;
    case KEY_INT: {
        char *end;
        errno = 0;
        long v = strtol(value, &end, 10);
        if (errno || *end || end == value || v < d->min || v > d->max) {
            fail(st, "[%s] %s: '%s' is not a whole number from %ld to %ld",
                 d->section, d->name, value, d->min, d->max);
            return 0;
        }
        *(int *)(void *)base = (int)v;
        return 1;
    }
    case KEY_STR:
        *(char **)(void *)base = mem_strdup(value);
        return 1;
    }
    return 0;
}

static int add_keybind(struct parse_state *st, const char *name, const char *value)
{
    struct config *c = st->cfg;
    for (size_t i = 0; i < c->nkeys; i++)
        if (strcmp(c->keys[i].action, name) == 0) {
            fail(st, "[keys] %s is bound twice (first on line %d)", name, c->keys[i].line);
            return 0;
        }
    c->keys = mem_realloc(c->keys, (c->nkeys + 1) * sizeof *c->keys);
    c->keys[c->nkeys++] = (struct config_keybind){
        mem_strdup(name), mem_strdup(value), st->line };
    return 1;
}

static int on_pair(void *user, const char *section, const char *name, const char *value)
{
    struct parse_state *st = user;
    if (st->failed)
        return 0;
    if (!in_list(sections, section, NULL)) {
        if (!*section)
            fail(st, "'%s' is outside any section; put it under one of " SECTIONS_KNOWN, name);
        else
            fail(st, "unknown section [%s]; known: " SECTIONS_KNOWN, section);
        return 0;
    }
    if (!*value) {
        fail(st, "[%s] %s has no value; give one or remove the line", section, name);
        return 0;
    }
    if (strcmp(section, "keys") == 0)
        return add_keybind(st, name, value);
    for (size_t k = 0; k < sizeof key_defs / sizeof key_defs[0]; k++) {
        if (strcmp(key_defs[k].section, section) || strcmp(key_defs[k].name, name))
            continue;
        if (st->seen[k]) {
            fail(st, "[%s] %s is set twice", section, name);
            return 0;
        }
        st->seen[k] = true;
        return set_value(st, k, value);
    }
    fail(st, "unknown key '%s' in [%s] (see lumen.conf.sample for the keys)", name, section);
    return 0;
}

static void config_init(struct config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->db.connect_timeout = 10;
    cfg->notify.concurrency = 8;
}

/* After the file parsed: what must be there, and defaults. */
static int config_finish(struct parse_state *st)
{
    struct config *c = st->cfg;
    st->line = 0;
    if (!c->db.host) {
        fail(st, "[database] host is missing (a socket directory, or a host name with sslmode = verify-full)");
        return -1;
    }
    if (!c->db.dbname) {
        fail(st, "[database] dbname is missing");
        return -1;
    }
    if (!c->db.user)
        c->db.user = mem_strdup("lumen_client");
    if (!c->db.port)
        c->db.port = mem_strdup("5432");
    if (c->db.replica_port && !c->db.replica_host) {
        fail(st, "[database] replica_port is set without replica_host");
        return -1;
    }
    if (c->db.replica_host && !c->db.replica_port)
        c->db.replica_port = mem_strdup(c->db.port);
    if (!c->db.sslmode)
        c->db.sslmode = mem_strdup("verify-full");
    if (!c->db.ssl_min_protocol_version)
        c->db.ssl_min_protocol_version = mem_strdup("TLSv1.2");
    if (!c->notify.user)
        c->notify.user = mem_strdup("lumen_notify");
    return 0;
}

static int parse_text(const char *name, const char *text, size_t len,
                      struct config *cfg, char *err, size_t errlen)
{
    struct parse_state st = { .cfg = cfg, .name = name, .text = text, .len = len,
                              .err = err, .errlen = errlen };
    /* Debian's inih exposes its options as variables.  Continuation lines
     * would let an indented line silently extend the previous value. */
    ini_allow_multiline = false;
    ini_stop_on_first_error = true;
    int rc = ini_parse_stream(read_line, &st, on_pair, &st);
    if (!st.failed && rc > 0) {
        st.line = rc;
        fail(&st, "not 'key = value', '[section]' or a comment");
    } else if (!st.failed && rc < 0) {
        fail(&st, "could not be parsed (inih error %d)", rc);
    }
    if (!st.failed)
        config_finish(&st);
    if (st.failed) {
        config_free(cfg);
        return -1;
    }
    cfg->path = mem_strdup(name);
    return 0;
}

int config_load_string(const char *name, const char *text, struct config *cfg,
                       char *err, size_t errlen)
{
    config_init(cfg);
    return parse_text(name, text, strlen(text), cfg, err, errlen);
}

static int read_file(const char *path, char **out, size_t *outlen, mode_t *mode,
                     char *err, size_t errlen)
{
    int fd = open(path, O_RDONLY | O_NOCTTY | O_CLOEXEC);
    if (fd < 0) {
        snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
        return -1;
    }
    /* Anyone who can change the config can point lumen at their own server. */
    struct stat sb;
    if (filecheck_fd(fd, path, FILECHECK_CONFIG, err, errlen) != 0 || fstat(fd, &sb) != 0) {
        close(fd);
        return -1;
    }
    if (sb.st_size > (off_t)CONFIG_MAX_BYTES) {
        snprintf(err, errlen, "%s: larger than %u bytes; not a lumen config", path, CONFIG_MAX_BYTES);
        close(fd);
        return -1;
    }
    size_t cap = (size_t)sb.st_size + 1, len = 0;
    char *buf = mem_alloc(cap);
    ssize_t r;
    while (len < cap - 1 && (r = read(fd, buf + len, cap - 1 - len)) != 0) {
        if (r < 0) {
            if (errno == EINTR)
                continue;
            snprintf(err, errlen, "%s: cannot read: %s", path, strerror(errno));
            free(buf);
            close(fd);
            return -1;
        }
        len += (size_t)r;
    }
    close(fd);
    buf[len] = '\0';
    *out = buf;
    *outlen = len;
    *mode = sb.st_mode;
    return 0;
}

int config_load(const char *path, struct config *cfg, char *err, size_t errlen)
{
    config_init(cfg);
    char *text;
    size_t len;
    mode_t mode;
    if (read_file(path, &text, &len, &mode, err, errlen) != 0)
        return -1;
    int rc = parse_text(path, text, len, cfg, err, errlen);
    sodium_memzero(text, len);
    free(text);
    /* The email key sends mail in the practice's name to anyone: a file
     * that holds it is a secret file.  The staff's config (0644 so that
     * every staff account can read it) must then not be where it lives. */
    if (rc == 0 && cfg->notify.email_key && (mode & (S_IRWXG | S_IRWXO))) {
        snprintf(err, errlen, "%s: holds [notify] email_key but is %s group or others "
                 "(mode %04o); run chmod 600 %s (only the account that runs lumen notify "
                 "needs this file)", path,
                 (mode & (S_IRGRP | S_IROTH)) ? "readable by" : "open to",
                 (unsigned)(mode & 07777), path);
        config_free(cfg);
        return -1;
    }
    return rc;
}

static bool file_exists(const char *p)
{
    return access(p, F_OK) == 0;
}

char *config_locate(const char *explicit_path, char *err, size_t errlen)
{
    const char *given = explicit_path ? explicit_path : getenv("LUMEN_CONFIG");
    if (given && *given) {
        if (!file_exists(given)) {
            snprintf(err, errlen, "%s: no such file (named by %s)", given,
                     explicit_path ? "--config" : "$LUMEN_CONFIG");
            return NULL;
        }
        return mem_strdup(given);
    }
    char path[PATH_MAX];
    const char *xdg = getenv("XDG_CONFIG_HOME");
    const char *home = getenv("HOME");
    if (xdg && *xdg)
        snprintf(path, sizeof path, "%s/lumen/lumen.conf", xdg);
    else if (home && *home)
        snprintf(path, sizeof path, "%s/.config/lumen/lumen.conf", home);
    else
        path[0] = '\0';
    if (path[0] && file_exists(path))
        return mem_strdup(path);
    if (file_exists("/etc/lumen/lumen.conf"))
        return mem_strdup("/etc/lumen/lumen.conf");
    snprintf(err, errlen, "no config found: give --config FILE, set $LUMEN_CONFIG, or create %s "
             "or /etc/lumen/lumen.conf (see lumen.conf.sample)", path[0] ? path : "~/.config/lumen/lumen.conf");
    return NULL;
}

void config_free(struct config *cfg)
{
    if (cfg->notify.email_key)
        sodium_memzero(cfg->notify.email_key, strlen(cfg->notify.email_key));
    char **strs[] = { &cfg->path, &cfg->db.host, &cfg->db.port, &cfg->db.dbname,
                      &cfg->db.user, &cfg->db.passfile, &cfg->db.sslmode,
                      &cfg->db.sslrootcert, &cfg->db.sslcert, &cfg->db.sslkey,
                      &cfg->db.ssl_min_protocol_version, &cfg->db.target_session_attrs,
                      &cfg->db.replica_host, &cfg->db.replica_port,
                      &cfg->migrate.user, &cfg->notify.user, &cfg->notify.email_api,
                      &cfg->notify.email_key, &cfg->notify.email_from };
    for (size_t i = 0; i < sizeof strs / sizeof strs[0]; i++) {
        free(*strs[i]);
        *strs[i] = NULL;
    }
    for (size_t i = 0; i < cfg->nkeys; i++) {
        free(cfg->keys[i].action);
        free(cfg->keys[i].key);
    }
    free(cfg->keys);
    cfg->keys = NULL;
    cfg->nkeys = 0;
}
