/* lumen sessions list | revoke ID | revoke --all: the signed-in account's
 * own sessions, for jump hosts (issue 10).  Each run signs in, which makes
 * a session of its own (marked current in the list, signed out when the
 * command ends) and is a fresh step-up: revoking another session, or all
 * of them, needs no second proof. */
#include "client/subcmd.h"
#include "screens/cli.h"
#include "screens/cliout.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

const char subcmd_sessions_help[] =
    "usage: lumen sessions list [--email E] [--password-stdin] [--config FILE]\n"
    "       lumen sessions revoke ID | --all [--email E] [--password-stdin] [--config FILE]\n"
    "\n"
    "list    your sessions that are still open: id, created, last active (in this\n"
    "        machine's time zone), live or locked (idle), the address the server\n"
    "        saw, the SSH origin the client reported, the client's version and the\n"
    "        practice; '*' marks this command's own session, which ends with it\n"
    "revoke  ID: end that session of yours (an id from the list); its next call is\n"
    "        refused and an open lumen on it returns to sign-in\n"
    "        --all: sign out everywhere: end every session of yours\n"
    "\n"
    "Exit status: 0 on success, 1 when refused or failed (an id that is not one of\n"
    "your open sessions), 2 on a usage error.\n";

struct listing {
    bool done;
    enum api_err err;
    struct cli_table table;
};

static void on_sessions(void *ud, enum api_err err, const struct api_session_row *list, size_t n)
{
    struct listing *l = ud;
    l->done = true;
    l->err = err;
    for (size_t i = 0; i < n; i++) {
        const struct api_session_row *s = &list[i];
        char created[64], seen[64];
        const char *row[] = { s->current ? "*" : "", s->id,
                              cli_time(s->created_at, created, sizeof created),
                              cli_time(s->last_seen_at, seen, sizeof seen),
                              s->locked ? "locked" : "live", s->server_addr, s->reported_origin,
                              s->client_version, s->practice_name };
        cli_table_add(&l->table, row);
    }
}

/* The account's own sessions need no practice: a member of several is not
 * asked to choose one. */
static struct subcmd_opts any_practice(const struct subcmd_opts *o)
{
    struct subcmd_opts a = *o;
    a.practice_optional = true;
    return a;
}

int subcmd_sessions_list(const struct config *cfg, const struct subcmd_opts *o)
{
    static const char *const heads[] = { "", "ID", "CREATED", "LAST ACTIVE", "STATE", "ADDRESS",
                                         "ORIGIN", "CLIENT", "PRACTICE" };
    struct signed_in si;
    struct subcmd_opts a = any_practice(o);
    if (subcmd_sign_in(cfg, &a, &si) != 0)
        return 1;
    struct listing l = { 0 };
    cli_table_init(&l.table, heads, 9);
    int rc = 1;
    if (api_sessions(si.db, &si.auth, on_sessions, &l, &si.auth) != 0 ||
        subcmd_wait(si.db, &l.done) != 0) {
        /* said */
    } else if (l.err != API_OK) {
        subcmd_say_err(l.err);
    } else {
        cli_table_print(&l.table, stdout);
        printf("* this command's own session (signed out as it ends)\n");
        rc = fflush(stdout) == 0 ? 0 : 1;
    }
    cli_table_free(&l.table);
    subcmd_sign_out(&si);
    return rc;
}

static bool is_uuid(const char *s)
{
    for (int i = 0; i < 36; i++) {
        bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? s[i] != '-' : !isxdigit((unsigned char)s[i]))
            return false;
    }
    return s[36] == '\0';
}

int subcmd_sessions_revoke_usage(const char *id, bool all)
{
    const char *why = id && all ? "give a session ID or --all, not both"
                    : !id && !all ? "give a session ID (from 'lumen sessions list') or --all"
                    : id && !is_uuid(id) ? "a session ID looks like "
                                           "0b4c7a3e-1d2f-4a5b-8c9d-0e1f2a3b4c5d"
                    : NULL;
    if (!why)
        return 0;
    fprintf(stderr, "lumen: sessions revoke: %s\ntry 'lumen sessions --help'\n", why);
    return 2;
}

struct revoked {
    bool done;
    enum api_err err;
    enum api_outcome_status status;
    long long affected;
};

static void on_revoked(void *ud, enum api_err err, const struct api_outcome *r)
{
    struct revoked *v = ud;
    v->done = true;
    v->err = err;
    if (r) {
        v->status = r->status;
        v->affected = r->affected;
    }
}

int subcmd_sessions_revoke(const struct config *cfg, const struct subcmd_opts *o,
                           const char *id, bool all)
{
    if (subcmd_sessions_revoke_usage(id, all) != 0)
        return 2;
    struct signed_in si;
    struct subcmd_opts a = any_practice(o);
    if (subcmd_sign_in(cfg, &a, &si) != 0)
        return 1;
    struct revoked v = { 0 };
    /* --all leaves this command's own session to its sign-out, so that
     * it ends as every run's does (revoked_why 'logout'). */
    int queued = all ? api_sessions_revoke_all(si.db, &si.auth, false, on_revoked, &v, &si.auth)
                     : api_session_revoke(si.db, &si.auth, id, on_revoked, &v, &si.auth);
    int rc = 1;
    if (queued != 0 || subcmd_wait(si.db, &v.done) != 0) {
        /* said */
    } else if (v.err != API_OK) {
        subcmd_say_err(v.err);
    } else if (v.status == API_OUTCOME_NOT_FOUND) {
        fprintf(stderr, "lumen: no open session of yours has the id %s\n", id);
    } else if (v.status != API_OUTCOME_OK) {
        fprintf(stderr, "lumen: the database refused to end %s\n", all ? "your sessions" : id);
    } else if (all) {
        printf("signed out everywhere: %lld other session%s ended\n", v.affected,
               v.affected == 1 ? "" : "s");
        rc = 0;
    } else {
        printf("session %s ended\n", id);
        rc = 0;
    }
    subcmd_sign_out(&si);
    return rc;
}
