#include "client/subcmd.h"
#include "client/api.h"
#include "client/auditfilter.h"
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

int subcmd_read_line(int fd, char *buf, size_t len)
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

int subcmd_ask_tty(const char *prompt, bool secret, char *buf, size_t len)
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
    int rc = subcmd_read_line(fd, buf, len);
    if (restore) {
        tcsetattr(fd, TCSAFLUSH, &old);
        if (write(fd, "\n", 1) < 0) { /* as above */ }
    }
    close(fd);
    return rc;
}

static int ask_code(char *buf, size_t len)
{
    return subcmd_ask_tty("Two-factor code: ", false, buf, len);
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
    else if (o->password_stdin || subcmd_ask_tty("Email: ", false, email, sizeof email) != 0) {
        fprintf(stderr, "lumen: give the email with --email\n");
        return -1;
    }
    char *pw = sodium_init() >= 0 ? sodium_malloc(SECRET_MAX) : NULL;
    if (!pw)
        mem_fatal("out of secure memory");
    int got = o->password_stdin ? subcmd_read_line(STDIN_FILENO, pw, SECRET_MAX)
                                : subcmd_ask_tty("Password: ", true, pw, SECRET_MAX);
    if (got != 0) {
        fprintf(stderr, "lumen: no password was given%s\n",
                o->password_stdin ? " on standard input" : " (no terminal: use --password-stdin)");
        sodium_free(pw);
        return -1;
    }
    if (o->password_stdin && subcmd_read_line(STDIN_FILENO, code, sizeof code) != 0)
        code[0] = '\0';
    api_auth_init(&si->auth);
    api_origin_from_env(si->auth.origin, sizeof si->auth.origin);
    si->db = db_open(cfg);
    struct session_creds c = { email, pw, strlen(pw), code, o->practice,
                               o->practice_optional, o->password_stdin ? NULL : ask_code };
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

int subcmd_wait(struct db *db, const bool *done)
{
    if (db_drain(db, SESSION_STEP_TIMEOUT_MS) != 0 || !*done) {
        const char *why = db_error_text(db);
        fprintf(stderr, "lumen: the database connection was lost%s%s\n", *why ? ": " : "", why);
        return -1;
    }
    return 0;
}

void subcmd_say_err(enum api_err err)
{
    const char *d = err == API_ERR_SERVER ? api_err_detail()
                  : err == API_ERR_ENROLL ? "(sign in with lumen: it sets it up)" : "";
    fprintf(stderr, "lumen: %s%s%s\n", api_err_message(err), *d ? " " : "", d);
}

void subcmd_sign_out(struct signed_in *si)
{
    session_close(si->db, &si->auth);
    db_close(&si->db);
    api_auth_free(&si->auth);
}

/* ------------------------------------------------------------ verify */

const char subcmd_audit_verify_help[] =
    "usage: lumen audit verify [--from D] [--email E] [--password-stdin]\n"
    "                          [--practice NAME|ID] [--config FILE]\n"
    "\n"
    "Re-computes the practice's audit hash chain here, with libsodium (SHA-256\n"
    "over each row's canonical form, db/API.md), and prints the rows checked and\n"
    "either ok and the chain's head, or the first row whose hash does not match\n"
    "(id, time, action), exit 1.  The head verified is kept in\n"
    "$XDG_STATE_HOME/lumen/audit-anchors (or ~/.local/state/lumen/audit-anchors),\n"
    "one per practice; a later run fails when the chain no longer passes\n"
    "through it, which is what shows history rewritten by a database superuser.\n"
    "\n"
    "  --from D   check only the chain from the first link whose row is on or\n"
    "             after day D (YYYY-MM-DD, from midnight in the practice's time\n"
    "             zone).  The hash of the link before it is taken as stored:\n"
    "             a change to rows before that link is not seen (a whole verify\n"
    "             sees it).  The head kept from an earlier run is still checked:\n"
    "             a rewrite of the links it covers fails here too.\n"
    "\n"
    "Exit status: 0 when the chain holds, 1 when it does not (or on a failure),\n"
    "2 on a usage error (a bad day).\n";

int subcmd_audit_verify_usage(const struct verify_opts *vo, char day[11])
{
    char err[AUDITFILTER_ERR_MAX];
    day[0] = '\0';
    if (!vo->from)
        return 0;
    if (auditfilter_day(vo->from, day, err, sizeof err) != 0) {
        fprintf(stderr, "lumen: --from: %s\ntry 'lumen audit verify --help'\n", err);
        return 2;
    }
    return 0;
}

struct verify {
    struct chain_walk walk;
    bool done, failed;
    enum api_err err;
    long long last_seq;         /* of the page just read; -1 none */
    int page_rows;
    long long head_seq, pending;
    unsigned char head_hash[CHAIN_HASH_BYTES];
    long long from_seq;         /* --from: the first link on or after the day; 0 none */
    char timezone[64];
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

static void on_from(void *ud, const struct db_reply *r)
{
    struct verify *v = ud;
    v->done = true;
    if (r->outcome != DB_OK || PQntuples(r->res) != 1 || PQnfields(r->res) != 2) {
        v->failed = true;
        v->err = r->outcome == DB_ERROR ? api_err_from_sqlstate(r->sqlstate) : API_ERR_LOST;
        return;
    }
    snprintf(v->timezone, sizeof v->timezone, "%s", PQgetvalue(r->res, 0, 0));
    v->from_seq = PQgetisnull(r->res, 0, 1) ? 0 : atoll(PQgetvalue(r->res, 0, 1));
}

/* Row I of an api.audit_chain answer; its strings are the answer's. */
static void link_of(const PGresult *res, int i, struct chain_link *l)
{
    *l = (struct chain_link){
        .seq = atoll(PQgetvalue(res, i, 0)),
        .prev_hex = PQgetvalue(res, i, 1),
        .hash_hex = PQgetvalue(res, i, 2),
        .row_present = PQgetvalue(res, i, 3)[0] == 't',
    };
    for (int f = 0; f < CHAIN_FIELDS; f++)
        l->fields[f] = PQgetisnull(res, i, 4 + f) ? NULL : PQgetvalue(res, i, 4 + f);
}

static bool chain_reply_ok(struct verify *v, const struct db_reply *r)
{
    v->done = true;
    v->page_rows = 0;
    if (r->outcome != DB_OK || PQnfields(r->res) != 4 + CHAIN_FIELDS) {
        v->failed = true;
        v->err = r->outcome == DB_ERROR ? api_err_from_sqlstate(r->sqlstate) : API_ERR_LOST;
        return false;
    }
    return true;
}

static void on_page(void *ud, const struct db_reply *r)
{
    struct verify *v = ud;
    if (!chain_reply_ok(v, r))
        return;
    int n = PQntuples(r->res);
    for (int i = 0; i < n; i++) {
        struct chain_link l;
        link_of(r->res, i, &l);
        /* Links sealed since audit_head are after the head it stated. */
        if (l.seq > v->head_seq)
            return;
        v->last_seq = l.seq;
        v->page_rows++;
        if (chain_walk_link(&v->walk, &l) != CHAIN_OK)
            return;
    }
}

/* The anchor's own link, for a walk that starts after it. */
static void on_anchor_link(void *ud, const struct db_reply *r)
{
    struct verify *v = ud;
    if (!chain_reply_ok(v, r))
        return;
    struct chain_link l;
    if (PQntuples(r->res) > 0)
        link_of(r->res, 0, &l);
    chain_walk_anchor(&v->walk, PQntuples(r->res) > 0 ? &l : NULL);
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

/* The head, where the walk starts (DAY: --from's, or ""), the anchor's
 * link when the start is after it, then the links up to the head.  0, or
 * -1 after saying why. */
static int walk_chain(struct signed_in *si, struct verify *v, const struct chain_anchor *anchor,
                      const char *day)
{
    char after[24];
    const char *vals[2] = { si->auth.token, after };
    if (run(si, v, "SELECT practice_id, last_seq, last_hash, pending FROM api.audit_head($1)",
            1, vals, on_head) != 0)
        return -1;
    long long first = 1;
    if (day[0]) {
        const char *dv[2] = { si->auth.token, day };
        if (run(si, v, "SELECT r.timezone, api.audit_chain_seq_at($1, r.from_at) "
                       "FROM api.audit_range($1, 'custom', $2::date, $2::date) r",
                2, dv, on_from) != 0)
            return -1;
        if (v->from_seq < 1 || v->from_seq > v->head_seq) {
            fprintf(stderr, "lumen: %s: no audit row on or after %s (%s) is in the chain yet: "
                            "nothing to verify\n", si->info.practice_name, day, v->timezone);
            return -1;
        }
        first = v->from_seq;
    }
    chain_walk_init_at(&v->walk, anchor, first);
    if (anchor->seq > 0 && anchor->seq < first - 1) {
        snprintf(after, sizeof after, "%lld", anchor->seq - 1);
        if (run(si, v, "SELECT * FROM api.audit_chain($1, $2::bigint, 1)", 2, vals,
                on_anchor_link) != 0)
            return -1;
    }
    long long seq = first > 1 ? first - 2 : 0;
    while (v->walk.fault == CHAIN_OK && seq < v->head_seq) {
        snprintf(after, sizeof after, "%lld", seq);
        if (run(si, v, "SELECT * FROM api.audit_chain($1, $2::bigint, " CHAIN_PAGE ")", 2, vals,
                on_page) != 0)
            return -1;
        if (v->page_rows == 0)
            break;
        seq = v->last_seq;
    }
    return 0;
}

/* Where a --from walk started, said after its result. */
static void say_start(const struct verify *v, const char *day)
{
    if (!day[0])
        return;
    if (v->walk.first_seq <= 1)
        printf("checked from link 1, the first on or after %s (%s): the whole chain\n", day,
               v->timezone);
    else
        printf("checked from link %lld, the first on or after %s (%s), taking the stored hash "
               "before it (link %lld) as given\n", v->walk.first_seq, day, v->timezone,
               v->walk.first_seq - 1);
}

int subcmd_audit_verify(const struct config *cfg, const struct subcmd_opts *o,
                        const struct verify_opts *vo)
{
    char path[PATH_MAX], err[PATH_MAX + 200], day[11];
    if (subcmd_audit_verify_usage(vo, day) != 0)
        return 2;
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
    } else if (walk_chain(&si, &v, &anchor, day) == 0) {
        if (chain_walk_end(&v.walk, v.head_seq, v.head_hash) != CHAIN_OK) {
            chain_fault_text(&v.walk, err, sizeof err);
            fprintf(stderr, "lumen: %s: %s\n", si.info.practice_name, err);
            say_start(&v, day);
        } else {
            char hex[2 * CHAIN_HASH_BYTES + 1];
            chain_hex(v.head_hash, hex);
            struct chain_anchor now = { .seq = v.head_seq };
            memcpy(now.hash, v.head_hash, sizeof now.hash);
            time_t t = time(NULL);
            strftime(now.verified_at, sizeof now.verified_at, "%Y-%m-%dT%H:%M:%SZ", gmtime(&t));
            printf("ok: %s: %lld rows checked; head %s (link %lld)\n", si.info.practice_name,
                   v.walk.rows, hex, v.head_seq);
            say_start(&v, day);
            if (anchor.seq && anchor.seq >= v.walk.first_seq)
                printf("the chain passes through link %lld, verified on %s\n", anchor.seq,
                       anchor.verified_at);
            else if (anchor.seq && anchor.seq == v.walk.first_seq - 1)
                printf("that hash is link %lld's, verified on %s: it still hashes as it did "
                       "then\n", anchor.seq, anchor.verified_at);
            else if (anchor.seq)
                printf("link %lld, verified on %s, still hashes as it did then; links %lld to "
                       "%lld were not checked\n", anchor.seq, anchor.verified_at, anchor.seq + 1,
                       v.walk.first_seq - 1);
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
