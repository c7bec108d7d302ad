/* lumen: arguments, config, subcommands; starts the TUI. */
#include "client/config.h"
#include "client/conn.h"
#include "client/mem.h"
#include "client/migrate.h"
#include "client/notify.h"
#include "client/roles.h"
#include "client/subcmd.h"
#include "screens/cli.h"
#include "screens/lumen.h"

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef LUMEN_VERSION
#define LUMEN_VERSION "0.0.0"
#endif

static const char usage_text[] =
    "usage: lumen [--config FILE] [COMMAND]\n"
    "\n"
    "Lumen is the terminal client for a practice's lead inbox, audit log and team.\n"
    "Without a command it opens the sign-in screen.\n"
    "\n"
    "commands:\n"
    "  config check            check the config file; print ok or FILE:LINE: message\n"
    "  db migrate [--dir DIR]  apply the migrations, then the changed api files, built\n"
    "                          in (or those of DIR/migrations and DIR/api, as in db/)\n"
    "  db add-client-role NAME create login role NAME (one per jump host or practice)\n"
    "                          as a member of lumen_api, with no password; an\n"
    "                          existing NAME is made a member\n"
    "  whoami                  sign in; print who, which practice, which role and session\n"
    "  leads export            write the practice's leads as CSV (--status, --since,\n"
    "                          --filter, --out, --with-transcript, --bom); see\n"
    "                          'lumen leads export --help'\n"
    "  audit export            write the practice's audit log over a range as CSV, with\n"
    "                          FILE.chain beside it (the chain's head, the row count);\n"
    "                          --preset or --from/--to, --filter, --out, --bom; see\n"
    "                          'lumen audit export --help'\n"
    "  audit verify [--from D] re-compute the practice's audit hash chain; print ok and its\n"
    "                          head, or the first row that does not match (exit 1); the\n"
    "                          heads verified are kept in $XDG_STATE_HOME/lumen/audit-anchors\n"
    "                          and a chain that no longer passes through one fails; --from:\n"
    "                          only from the first row on or after day D; see\n"
    "                          'lumen audit verify --help'\n"
    "  team list [--csv]       the practice's members: name, email, role, two-factor,\n"
    "                          last active, member since; see 'lumen team --help'\n"
    "  sessions list           your open sessions (this command's own marked)\n"
    "  sessions revoke ID|--all  end one session of yours, or all of them (sign out\n"
    "                          everywhere); see 'lumen sessions --help'\n"
    "  accept-invite CODE      join a practice by its invite code: a new account (name,\n"
    "                          password) or your existing one; --name NAME; see\n"
    "                          'lumen accept-invite --help'\n"
    "  notify [--once]         deliver the outbox (webhooks, email) as [notify] user,\n"
    "                          until SIGTERM, or (--once) what is due now; see\n"
    "                          'lumen notify --help'\n"
    "  notify status           the outbox per kind: due, waiting, failed, delivered\n"
    "  -V, --version           print the version\n"
    "  -h, --help              print this help\n"
    "\n"
    "options:\n"
    "  --config FILE           the config; otherwise $LUMEN_CONFIG,\n"
    "                          $XDG_CONFIG_HOME/lumen/lumen.conf or /etc/lumen/lumen.conf\n"
    "  --email EMAIL           who signs in (whoami, the exports, audit verify, team,\n"
    "                          sessions; accept-invite: the invite's); asked when not\n"
    "                          given\n"
    "  --password-stdin        the first line of standard input is the password, the\n"
    "                          second the two-factor code (else both are asked)\n"
    "  --practice NAME|ID      the practice, for a member of several\n"
    "\n"
    "Exit status: 0 on success, 1 on a failure, 2 on a usage error.\n";

struct args {
    const char *config;
    const char *dir;
    struct subcmd_opts who;
    struct export_opts exp;
    bool exp_given;             /* an export option was given */
    bool csv;                   /* --csv (team list) */
    bool all;                   /* --all (sessions revoke) */
    bool once;                  /* --once (notify) */
    const char *name;           /* --name (accept-invite) */
    const char *words[4];
    int nwords;
};

static int usage_error(const char *what, const char *arg)
{
    fprintf(stderr, "lumen: %s '%s'\ntry 'lumen --help'\n", what, arg);
    return 2;
}

/* Options may stand anywhere; the rest are the command's words. */
static int parse_args(int argc, char **argv, struct args *a)
{
    for (int i = 1; i < argc; i++) {
        const char *s = argv[i];
        const char **slot = NULL;
        if (strcmp(s, "--config") == 0)
            slot = &a->config;
        else if (strcmp(s, "--dir") == 0)
            slot = &a->dir;
        else if (strcmp(s, "--email") == 0)
            slot = &a->who.email;
        else if (strcmp(s, "--practice") == 0)
            slot = &a->who.practice;
        else if (strcmp(s, "--status") == 0)
            slot = &a->exp.status;
        else if (strcmp(s, "--since") == 0)
            slot = &a->exp.since;
        else if (strcmp(s, "--filter") == 0)
            slot = &a->exp.filter;
        else if (strcmp(s, "--out") == 0)
            slot = &a->exp.out;
        else if (strcmp(s, "--preset") == 0)
            slot = &a->exp.preset;
        else if (strcmp(s, "--from") == 0)
            slot = &a->exp.from;
        else if (strcmp(s, "--to") == 0)
            slot = &a->exp.to;
        else if (strcmp(s, "--name") == 0)
            slot = &a->name;
        if (slot && slot != &a->config && slot != &a->dir && slot != &a->who.email &&
            slot != &a->who.practice && slot != &a->name)
            a->exp_given = true;
        if (slot) {
            if (i + 1 >= argc)
                return usage_error("a value is missing after", s);
            *slot = argv[++i];
        } else if (strncmp(s, "--config=", 9) == 0) {
            a->config = s + 9;
        } else if (strcmp(s, "--password-stdin") == 0) {
            a->who.password_stdin = true;
        } else if (strcmp(s, "--csv") == 0) {
            a->csv = true;
        } else if (strcmp(s, "--all") == 0) {
            a->all = true;
        } else if (strcmp(s, "--once") == 0) {
            a->once = true;
        } else if (strcmp(s, "--with-transcript") == 0) {
            a->exp.with_transcript = a->exp_given = true;
        } else if (strcmp(s, "--bom") == 0) {
            a->exp.bom = a->exp_given = true;
        } else if (strcmp(s, "-h") == 0 || strcmp(s, "-V") == 0) {
            /* The short forms every user tries first. */
            if (a->nwords == 4)
                return usage_error("too many arguments at", s);
            a->words[a->nwords++] = s[1] == 'h' ? "--help" : "--version";
        } else if (s[0] == '-' && strcmp(s, "--help") && strcmp(s, "--version")) {
            return usage_error("unknown option", s);
        } else if (a->nwords < 4) {
            a->words[a->nwords++] = s;
        } else {
            return usage_error("too many arguments at", s);
        }
    }
    return 0;
}

static int load_config(const struct args *a, struct config *cfg)
{
    char err[CONFIG_ERR_MAX];
    char *path = config_locate(a->config, err, sizeof err);
    if (!path || config_load(path, cfg, err, sizeof err) != 0) {
        fprintf(stderr, "%s\n", err);
        free(path);
        return -1;
    }
    free(path);
    return 0;
}

static int cmd_config_check(const struct args *a)
{
    struct config cfg;
    if (load_config(a, &cfg) != 0)
        return 1;
    char err[CONFIG_ERR_MAX + 64];
    /* The keys are checked as the TUI would load them: a clash is an error. */
    struct keymap *km = NULL;
    int rc = conn_policy_check(&cfg, err, sizeof err);
    if (rc == 0 && !(km = screens_keymap(&cfg, err, sizeof err)))
        rc = -1;
    if (rc == 0)
        rc = notify_config_check(&cfg, err, sizeof err);
    if (rc != 0)
        fprintf(stderr, "%s\n", err);
    else
        printf("ok\n");
    keymap_free(&km);
    config_free(&cfg);
    return rc ? 1 : 0;
}

/* The [migrate] user's connection, as db migrate and db add-client-role
 * use it; NULL after saying why on stderr. */
static PGconn *open_migrator(const struct config *cfg)
{
    char err[1024];
    PGconn *c = conn_open_blocking(cfg, CONN_USE_MIGRATE, err, sizeof err);
    if (!c)
        fprintf(stderr, "lumen: %s\n", err);
    return c;
}

static int cmd_db_migrate(const struct args *a)
{
    struct config cfg;
    if (load_config(a, &cfg) != 0)
        return 1;
    char err[1024];
    struct migrate_set set;
    if (!a->dir) {
        migrate_set_embedded(&set);
    } else if (migrate_set_load(a->dir, &set, err, sizeof err) != 0) {
        fprintf(stderr, "lumen: %s\n", err);
        config_free(&cfg);
        return 1;
    }
    int rc = 1;
    PGconn *c = open_migrator(&cfg);
    struct migrate_counts done;
    if (c && migrate_run(c, &set, &done, stdout, err, sizeof err) != 0) {
        fprintf(stderr, "lumen: %s\n", err);
    } else if (c) {
        printf("database is up to date (%d migration%s applied now, %zu in all; "
               "%d api file%s applied now, %zu in all)\n",
               done.migrations, done.migrations == 1 ? "" : "s", set.nmigrations,
               done.api, done.api == 1 ? "" : "s", set.napi);
        rc = 0;
    }
    PQfinish(c);
    migrate_set_free(&set);
    config_free(&cfg);
    return rc;
}

static int cmd_db_add_client_role(const struct args *a, const char *name)
{
    char err[1024];
    if (!roles_name_ok(name, err, sizeof err)) {
        fprintf(stderr, "lumen: %s\ntry 'lumen --help'\n", err);
        return 2;
    }
    struct config cfg;
    if (load_config(a, &cfg) != 0)
        return 1;
    int rc = 1;
    PGconn *c = open_migrator(&cfg);
    enum roles_added added = c ? roles_add_client(c, name, err, sizeof err) : ROLES_FAILED;
    if (c && added == ROLES_FAILED) {
        fprintf(stderr, "lumen: %s\n", err);
    } else if (c) {
        if (added == ROLES_CREATED)
            printf("created login role %s (no password), a member of lumen_api\n", name);
        else
            printf("role %s already existed; it is now a member of lumen_api\n", name);
        printf("authenticate it in pg_hba.conf by certificate (hostssl %s %s ADDRESS cert) or "
               "peer (local %s %s peer), never by password\n", PQdb(c), name, PQdb(c), name);
        rc = 0;
    }
    PQfinish(c);
    config_free(&cfg);
    return rc;
}

static int cmd_signed_in(const struct args *a,
                         int (*run)(const struct config *, const struct subcmd_opts *))
{
    struct config cfg;
    if (load_config(a, &cfg) != 0)
        return 1;
    int rc = run(&cfg, &a->who);
    config_free(&cfg);
    return rc;
}

static int cmd_export(const struct args *a,
                      int (*run)(const struct config *, const struct subcmd_opts *,
                                 const struct export_opts *))
{
    struct config cfg;
    if (load_config(a, &cfg) != 0)
        return 1;
    int rc = run(&cfg, &a->who, &a->exp);
    config_free(&cfg);
    return rc;
}

static int cmd_audit_verify(const struct args *a)
{
    struct config cfg;
    if (load_config(a, &cfg) != 0)
        return 1;
    struct verify_opts vo = { .from = a->exp.from };
    int rc = subcmd_audit_verify(&cfg, &a->who, &vo);
    config_free(&cfg);
    return rc;
}

/* The first export option given other than --from (which lumen audit
 * verify takes too), or NULL. */
static const char *export_option_besides_from(const struct export_opts *e)
{
    return e->status ? "--status" : e->since ? "--since" : e->preset ? "--preset"
         : e->to ? "--to" : e->filter ? "--filter" : e->out ? "--out"
         : e->with_transcript ? "--with-transcript" : e->bom ? "--bom" : NULL;
}

static bool has_help(const struct args *a)
{
    for (int i = 1; i < a->nwords; i++)
        if (strcmp(a->words[i], "--help") == 0)
            return true;
    return false;
}

static int with_config(const struct args *a, int (*run)(const struct config *, const struct args *))
{
    struct config cfg;
    if (load_config(a, &cfg) != 0)
        return 1;
    int rc = run(&cfg, a);
    config_free(&cfg);
    return rc;
}

static int run_team_list(const struct config *cfg, const struct args *a)
{
    return subcmd_team_list(cfg, &a->who, a->csv);
}

static int run_sessions_list(const struct config *cfg, const struct args *a)
{
    return subcmd_sessions_list(cfg, &a->who);
}

static int run_sessions_revoke(const struct config *cfg, const struct args *a)
{
    return subcmd_sessions_revoke(cfg, &a->who, a->nwords > 2 ? a->words[2] : NULL, a->all);
}

static int run_accept_invite(const struct config *cfg, const struct args *a)
{
    return subcmd_accept_invite(cfg, &a->who, a->nwords > 1 ? a->words[1] : NULL, a->name);
}

/* lumen team, sessions and accept-invite (issues 9 and 10): the exit
 * status, or -1 when W0 is none of them.  Their options are checked here:
 * --csv, --all and --name belong to one command each. */
static int cmd_team_security(const struct args *a, const char *w0, const char *w1)
{
    bool team = strcmp(w0, "team") == 0, sessions = strcmp(w0, "sessions") == 0,
         accept = strcmp(w0, "accept-invite") == 0;
    bool team_list = team && strcmp(w1, "list") == 0;
    bool revoke = sessions && strcmp(w1, "revoke") == 0;
    const char *where = w0[0] ? w0 : "the TUI";
    if (a->csv && !team_list)
        return usage_error("--csv is for 'lumen team list'; not for", where);
    if (a->all && !revoke)
        return usage_error("--all is for 'lumen sessions revoke'; not for", where);
    if (a->name && !accept)
        return usage_error("--name is for 'lumen accept-invite'; not for", where);
    if (!team && !sessions && !accept)
        return -1;
    if (has_help(a)) {
        fputs(team ? subcmd_team_list_help : sessions ? subcmd_sessions_help
                                                      : subcmd_accept_invite_help, stdout);
        return 0;
    }
    if (accept && a->who.practice)
        return usage_error("--practice is not for", "accept-invite");
    if (accept && a->nwords > 2)
        return usage_error("unexpected argument", a->words[2]);
    if (accept && a->nwords == 1 && a->who.password_stdin)
        return usage_error("with --password-stdin give the CODE: lumen", "accept-invite CODE");
    if (accept)
        return with_config(a, run_accept_invite);
    if (team_list && a->nwords == 2)
        return with_config(a, run_team_list);
    if (sessions && strcmp(w1, "list") == 0 && a->nwords == 2)
        return with_config(a, run_sessions_list);
    if (revoke && a->nwords <= 3) {
        int rc = subcmd_sessions_revoke_usage(a->nwords > 2 ? a->words[2] : NULL, a->all);
        return rc ? rc : with_config(a, run_sessions_revoke);
    }
    if ((team_list || (sessions && strcmp(w1, "list") == 0)) && a->nwords > 2)
        return usage_error("unexpected argument", a->words[2]);
    fprintf(stderr, "lumen: %s%s%s: %s\ntry 'lumen %s --help'\n",
            w1[0] ? "unknown command '" : "a command is missing after '", w1[0] ? w1 : w0, "'",
            team ? "there is 'lumen team list'"
                 : "there are 'lumen sessions list' and 'lumen sessions revoke'", w0);
    return 2;
}

static int run_notify(const struct config *cfg, const struct args *a)
{
    return subcmd_notify(cfg, a->once);
}

static int run_notify_status(const struct config *cfg, const struct args *a)
{
    (void)a;
    return subcmd_notify_status(cfg);
}

/* lumen notify [--once] | status (issue 11): the exit status, or -1 when
 * W0 is not notify.  --once is notify's alone; the options of signing in
 * are not its at all (it connects as [notify] user, never as a member). */
static int cmd_notify(const struct args *a, const char *w0, const char *w1)
{
    bool notify = strcmp(w0, "notify") == 0;
    if (a->once && !notify)
        return usage_error("--once is for 'lumen notify'; not for", w0[0] ? w0 : "the TUI");
    if (!notify)
        return -1;
    if (has_help(a)) {
        fputs(subcmd_notify_help, stdout);
        return 0;
    }
    const char *member = a->who.email ? "--email" : a->who.password_stdin ? "--password-stdin"
                       : a->who.practice ? "--practice" : NULL;
    if (member)
        return usage_error("lumen notify signs in as no member; not for it:", member);
    if (a->nwords == 1)
        return with_config(a, run_notify);
    if (strcmp(w1, "status") == 0 && a->nwords == 2)
        return a->once ? usage_error("--once is not for", "notify status")
                       : with_config(a, run_notify_status);
    if (strcmp(w1, "status") == 0)
        return usage_error("unexpected argument", a->words[2]);
    fprintf(stderr, "lumen: unknown command 'notify %s': there are 'lumen notify [--once]' and "
            "'lumen notify status'\ntry 'lumen notify --help'\n", w1);
    return 2;
}

static int cmd_tui(const struct args *a)
{
    struct config cfg;
    if (load_config(a, &cfg) != 0)
        return 1;
    char err[CONFIG_ERR_MAX + 64];
    int rc = 1;
    struct keymap *km = NULL;
    if (conn_policy_check(&cfg, err, sizeof err) != 0)
        fprintf(stderr, "%s\n", err);
    else if (!(km = screens_keymap(&cfg, err, sizeof err)))
        fprintf(stderr, "%s\n", err);
    else
        rc = screens_run(&cfg, km);
    keymap_free(&km);
    config_free(&cfg);
    return rc;
}

int main(int argc, char **argv)
{
    setlocale(LC_ALL, "");
    /* Before anything can connect: the connection comes from the config. */
    conn_env_scrub();
    struct args a = { 0 };
    int rc = parse_args(argc, argv, &a);
    if (rc)
        return rc;
    const char *w0 = a.nwords > 0 ? a.words[0] : "";
    const char *w1 = a.nwords > 1 ? a.words[1] : "";

    if (strcmp(w0, "--version") == 0) {
        printf("lumen %s\n", LUMEN_VERSION);
        return 0;
    }
    bool leads_export = strcmp(w0, "leads") == 0 && strcmp(w1, "export") == 0;
    bool audit_export = strcmp(w0, "audit") == 0 && strcmp(w1, "export") == 0;
    bool audit_verify = strcmp(w0, "audit") == 0 && strcmp(w1, "verify") == 0;
    if (audit_verify && export_option_besides_from(&a.exp))
        return usage_error("'lumen audit verify' takes --from, not",
                           export_option_besides_from(&a.exp));
    if (audit_verify && a.nwords == 3 && strcmp(a.words[2], "--help") == 0) {
        fputs(subcmd_audit_verify_help, stdout);
        return 0;
    }
    if (audit_verify && a.nwords == 2) {
        char day[11];
        struct verify_opts vo = { .from = a.exp.from };
        return (rc = subcmd_audit_verify_usage(&vo, day)) != 0 ? rc : cmd_audit_verify(&a);
    }
    if (audit_verify && a.nwords > 2)
        return usage_error("unexpected argument", a.words[2]);
    if (a.exp_given && !leads_export && !audit_export)
        return usage_error("this option is for 'lumen leads export' or 'lumen audit export' "
                           "only; not for", w0[0] ? w0 : "the TUI");
    if (leads_export && (a.exp.preset || a.exp.from || a.exp.to))
        return usage_error("this option is for 'lumen audit export'; not for", "leads export");
    if (audit_export && (a.exp.status || a.exp.since || a.exp.with_transcript))
        return usage_error("this option is for 'lumen leads export'; not for", "audit export");
    if ((leads_export || audit_export) && a.nwords == 3 && strcmp(a.words[2], "--help") == 0) {
        fputs(leads_export ? subcmd_leads_export_help : subcmd_audit_export_help, stdout);
        return 0;
    }
    if (audit_export && a.nwords == 2 && (rc = subcmd_audit_export_usage(&a.exp)) != 0)
        return rc;
    if (leads_export || audit_export)
        return a.nwords == 2 ? cmd_export(&a, leads_export ? subcmd_leads_export
                                                           : subcmd_audit_export)
                             : usage_error("unexpected argument", a.words[2]);
    if ((rc = cmd_team_security(&a, w0, w1)) >= 0)
        return rc;
    if ((rc = cmd_notify(&a, w0, w1)) >= 0)
        return rc;
    if (strcmp(w0, "--help") == 0 || strcmp(w0, "help") == 0) {
        fputs(usage_text, stdout);
        return 0;
    }
    if (strcmp(w0, "config") == 0 && strcmp(w1, "check") == 0 && a.nwords == 2)
        return cmd_config_check(&a);
    if (strcmp(w0, "db") == 0 && strcmp(w1, "migrate") == 0 && a.nwords == 2)
        return cmd_db_migrate(&a);
    if (strcmp(w0, "db") == 0 && strcmp(w1, "add-client-role") == 0)
        return a.nwords == 3 ? cmd_db_add_client_role(&a, a.words[2])
                             : usage_error("one role NAME is wanted after", w1);
    if (strcmp(w0, "whoami") == 0 && a.nwords == 1)
        return cmd_signed_in(&a, subcmd_whoami);
    if (a.nwords == 0)
        return cmd_tui(&a);
    return usage_error("unknown command", w0);
}
