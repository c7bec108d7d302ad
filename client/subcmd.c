#include "client/subcmd.h"
#include "client/api.h"
#include "client/chain.h"
#include "client/conn.h"
#include "client/mem.h"
#include "client/session.h"

#include <fcntl.h>
#include <limits.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define SECRET_MAX 1024
#define CHAIN_PAGE "5000"

/* One line from FD into BUF (without its end of line); -1 at end of
 * input, or when the line does not fit (never cut silently). */
static int read_line(int fd, char *buf, size_t len)
{
    size_t n = 0;
    char c;
    ssize_t r;
    while ((r = read(fd, &c, 1)) == 1 && c != '\n') {
        if (n + 1 >= len)
            return -1;
        buf[n++] = c;
    }
    if (r < 0 || (r == 0 && n == 0))
        return -1;
    if (n > 0 && buf[n - 1] == '\r')
        n--;
    buf[n] = '\0';
    return 0;
}

/* PROMPT on the terminal, the answer read with echo off when SECRET. */
static int ask_tty(const char *prompt, bool secret, char *buf, size_t len)
{
    int fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    struct termios old, quiet;
    bool restore = secret && tcgetattr(fd, &old) == 0;
    if (restore) {
        quiet = old;
        quiet.c_lflag &= ~(tcflag_t)ECHO;
        tcsetattr(fd, TCSAFLUSH, &quiet);
    }
    if (write(fd, prompt, strlen(prompt)) < 0) { /* nothing to do about it */ }
    int rc = read_line(fd, buf, len);
    if (restore) {
        tcsetattr(fd, TCSAFLUSH, &old);
        if (write(fd, "\n", 1) < 0) { /* as above */ }
    }
    close(fd);
    return rc;
}

static int ask_code(char *buf, size_t len)
{
    return ask_tty("Two-factor code: ", false, buf, len);
}

int subcmd_sign_in(const struct config *cfg, const struct subcmd_opts *o, struct signed_in *si)
{
    char err[CONFIG_ERR_MAX + 64], email[256], code[64] = "";
    if (conn_policy_check(cfg, err, sizeof err) != 0) {
        fprintf(stderr, "%s\n", err);
        return -1;
    }
    if (o->email)
        snprintf(email, sizeof email, "%s", o->email);
    else if (o->password_stdin || ask_tty("Email: ", false, email, sizeof email) != 0) {
        fprintf(stderr, "lumen: give the email with --email\n");
        return -1;
    }
    char *pw = sodium_init() >= 0 ? sodium_malloc(SECRET_MAX) : NULL;
    if (!pw)
        mem_fatal("out of secure memory");
    int got = o->password_stdin ? read_line(STDIN_FILENO, pw, SECRET_MAX)
                                : ask_tty("Password: ", true, pw, SECRET_MAX);
    if (got != 0) {
        fprintf(stderr, "lumen: no password was given%s\n",
                o->password_stdin ? " on standard input" : " (no terminal: use --password-stdin)");
        sodium_free(pw);
        return -1;
    }
    if (o->password_stdin && read_line(STDIN_FILENO, code, sizeof code) != 0)
        code[0] = '\0';
    api_auth_init(&si->auth);
    api_origin_from_env(si->auth.origin, sizeof si->auth.origin);
    si->db = db_open(cfg);
    struct session_creds c = { email, pw, strlen(pw), code, o->practice,
                               o->password_stdin ? NULL : ask_code };
    int rc = session_open(si->db, &si->auth, &c, &si->info, err, sizeof err);
    sodium_free(pw);
    sodium_memzero(code, sizeof code);
    if (rc != 0) {
        fprintf(stderr, "lumen: %s\n", err);
        db_close(&si->db);
        api_auth_free(&si->auth);
    }
    return rc;
}

void subcmd_sign_out(struct signed_in *si)
{
    session_close(si->db, &si->auth);
    db_close(&si->db);
    api_auth_free(&si->auth);
}

int subcmd_whoami(const struct config *cfg, const struct subcmd_opts *o)
{
    struct signed_in si;
    if (subcmd_sign_in(cfg, o, &si) != 0)
        return 1;
    printf("email     %s\nname      %s\npractice  %s (%s)\nrole      %s\nsession   %s\n",
           si.info.email, si.info.display_name, si.info.practice_name, si.info.practice_id,
           si.info.role, si.info.session_id);
    subcmd_sign_out(&si);
    return 0;
}

/* ------------------------------------------------------------ verify */

struct verify {
    struct chain_walk walk;
    bool done, failed;
    enum api_err err;
    long long last_seq;         /* of the page just read; -1 none */
    int page_rows;
    long long head_seq, pending;
    unsigned char head_hash[CHAIN_HASH_BYTES];
};

static void on_head(void *ud, const struct db_reply *r)
{
    struct verify *v = ud;
    v->done = true;
    if (r->outcome != DB_OK || PQntuples(r->res) != 1 ||
        chain_unhex(PQgetvalue(r->res, 0, 2), v->head_hash) != 0) {
        v->failed = true;
        v->err = r->outcome == DB_ERROR ? api_err_from_sqlstate(r->sqlstate) : API_ERR_LOST;
        return;
    }
    v->head_seq = atoll(PQgetvalue(r->res, 0, 1));
    v->pending = atoll(PQgetvalue(r->res, 0, 3));
}

static void on_page(void *ud, const struct db_reply *r)
{
    struct verify *v = ud;
    v->done = true;
    v->page_rows = 0;
    if (r->outcome != DB_OK || PQnfields(r->res) != 4 + CHAIN_FIELDS) {
        v->failed = true;
        v->err = r->outcome == DB_ERROR ? api_err_from_sqlstate(r->sqlstate) : API_ERR_LOST;
        return;
    }
    int n = PQntuples(r->res);
    for (int i = 0; i < n; i++) {
        struct chain_link l = {
            .seq = atoll(PQgetvalue(r->res, i, 0)),
            .prev_hex = PQgetvalue(r->res, i, 1),
            .hash_hex = PQgetvalue(r->res, i, 2),
            .row_present = PQgetvalue(r->res, i, 3)[0] == 't',
        };
        for (int f = 0; f < CHAIN_FIELDS; f++)
            l.fields[f] = PQgetisnull(r->res, i, 4 + f) ? NULL : PQgetvalue(r->res, i, 4 + f);
        v->last_seq = l.seq;
        v->page_rows++;
        if (chain_walk_link(&v->walk, &l) != CHAIN_OK)
            return;
    }
}

/* Queues CALL's SQL and waits; 0, or -1 after saying why. */
static int run(struct signed_in *si, struct verify *v, const char *sql, int n,
               const char *const *vals, db_done_fn done)
{
    v->done = false;
    if (db_call(si->db, sql, n, vals, NULL, DB_SECRET | DB_RETRY, done, v, &si->auth) != 0 ||
        db_drain(si->db, SESSION_STEP_TIMEOUT_MS) != 0 || !v->done) {
        fprintf(stderr, "lumen: the database connection was lost: %s\n", db_error_text(si->db));
        return -1;
    }
    if (v->failed) {
        fprintf(stderr, "lumen: %s\n", api_err_message(v->err));
        return -1;
    }
    return 0;
}

static int walk_chain(struct signed_in *si, struct verify *v)
{
    char after[24];
    const char *vals[2] = { si->auth.token, after };
    if (run(si, v, "SELECT practice_id, last_seq, last_hash, pending FROM api.audit_head($1)",
            1, vals, on_head) != 0)
        return -1;
    long long seq = 0;
    do {
        snprintf(after, sizeof after, "%lld", seq);
        if (run(si, v, "SELECT * FROM api.audit_chain($1, $2::bigint, " CHAIN_PAGE ")", 2, vals,
                on_page) != 0)
            return -1;
        seq = v->last_seq;
    } while (v->walk.fault == CHAIN_OK && v->page_rows > 0 && seq < v->head_seq);
    return 0;
}

int subcmd_audit_verify(const struct config *cfg, const struct subcmd_opts *o)
{
    char path[PATH_MAX], err[PATH_MAX + 200];
    if (chain_anchor_path(path, sizeof path) != 0) {
        fprintf(stderr, "lumen: neither XDG_STATE_HOME nor HOME says where to keep verified heads\n");
        return 1;
    }
    struct signed_in si;
    if (subcmd_sign_in(cfg, o, &si) != 0)
        return 1;
    struct verify v = { .last_seq = -1 };
    struct chain_anchor anchor;
    int rc = 1;
    if (chain_anchor_load(path, si.info.practice_id, &anchor, err, sizeof err) != 0) {
        fprintf(stderr, "lumen: %s\n", err);
    } else if (chain_walk_init(&v.walk, &anchor), walk_chain(&si, &v) == 0) {
        if (chain_walk_end(&v.walk, v.head_seq, v.head_hash) != CHAIN_OK) {
            chain_fault_text(&v.walk, err, sizeof err);
            fprintf(stderr, "lumen: %s: %s\n", si.info.practice_name, err);
        } else {
            char hex[2 * CHAIN_HASH_BYTES + 1];
            chain_hex(v.head_hash, hex);
            struct chain_anchor now = { .seq = v.head_seq };
            memcpy(now.hash, v.head_hash, sizeof now.hash);
            time_t t = time(NULL);
            strftime(now.verified_at, sizeof now.verified_at, "%Y-%m-%dT%H:%M:%SZ", gmtime(&t));
            printf("ok: %s: %lld rows checked; head %s (link %lld)\n", si.info.practice_name,
                   v.walk.rows, hex, v.head_seq);
            if (anchor.seq)
                printf("the chain passes through link %lld, verified on %s\n", anchor.seq,
                       anchor.verified_at);
            if (v.pending)
                printf("%lld rows are written but not yet sealed into the chain\n", v.pending);
            if (chain_anchor_save(path, si.info.practice_id, &now, err, sizeof err) != 0)
                fprintf(stderr, "lumen: the head could not be kept: %s\n", err);
            else
                rc = 0;
        }
    }
    subcmd_sign_out(&si);
    return rc;
}
