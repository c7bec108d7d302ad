/* lumen team list [--csv]: the practice's members, for admins on jump
 * hosts (issue 9).  Signs in as the other subcommands do, asks
 * api.team_members (every role may), prints, signs out.
 *
 * The table is for a person: each value sanitized for the terminal
 * (screens/cliout.h), times in this machine's zone.  The CSV is data
 * (client/csv.h: formula neutralising, cells kept as they are), with ISO
 * 8601 times in UTC -- except when standard output is a terminal, where
 * the cells are sanitized too, as ls(1) quotes names for a terminal and
 * not for a pipe: a value must never drive the terminal it is shown on. */
#include "client/subcmd.h"
#include "screens/cli.h"
#include "screens/cliout.h"
#include "client/csv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char subcmd_team_list_help[] =
    "usage: lumen team list [--csv] [--email E] [--password-stdin]\n"
    "                       [--practice NAME|ID] [--config FILE]\n"
    "\n"
    "Prints the members of the practice: name, email, role, two-factor on or off,\n"
    "last active and member since (in this machine's time zone), the Owner first,\n"
    "then the admins and the viewers, each by name.  Every role may list them.\n"
    "\n"
    "  --csv   CSV instead (RFC 4180): name,email,role,two_factor,last_active_at,\n"
    "          member_since, times in ISO 8601 (UTC), two_factor true or false;\n"
    "          when standard output is a terminal, control characters in the\n"
    "          values are shown as visible placeholders\n"
    "\n"
    "Exit status: 0 on success, 1 when refused or failed, 2 on a usage error.\n";

struct members {
    bool done;
    enum api_err err;
    bool csv, sanitize;
    struct csv *w;
    struct cli_table table;
};

static const char *role_title(const char *role)
{
    return strcmp(role, "owner") == 0 ? "Owner" : strcmp(role, "admin") == 0 ? "Admin"
         : strcmp(role, "viewer") == 0 ? "Viewer" : role;
}

/* One CSV cell: as it is, or sanitized when a terminal will show it. */
static void csv_text(struct members *m, const char *s)
{
    char buf[CLI_LINE_MAX];
    csv_cell_str(m->w, m->sanitize ? cli_safe(buf, sizeof buf, s) : s);
}

static void csv_time(struct members *m, const char *ts)
{
    char iso[40];
    csv_cell_str(m->w, *ts ? csv_time_iso8601(ts, strlen(ts), iso, sizeof iso) : NULL);
}

static void on_members(void *ud, enum api_err err, const struct api_team_member *list, size_t n)
{
    struct members *m = ud;
    m->done = true;
    m->err = err;
    for (size_t i = 0; i < n; i++) {
        const struct api_team_member *t = &list[i];
        if (m->csv) {
            csv_text(m, t->display_name);
            csv_text(m, t->email);
            csv_text(m, t->role);
            csv_cell_str(m->w, t->mfa_enabled ? "true" : "false");
            csv_time(m, t->last_active_at);
            csv_time(m, t->member_since);
            csv_end_row(m->w);
            continue;
        }
        char last[64], since[64], name[CLI_LINE_MAX];
        snprintf(name, sizeof name, "%s%s", t->display_name, t->is_self ? " (you)" : "");
        const char *row[] = { name, t->email, role_title(t->role), t->mfa_enabled ? "on" : "off",
                              *t->last_active_at ? cli_time(t->last_active_at, last, sizeof last)
                                                 : "never",
                              cli_time(t->member_since, since, sizeof since) };
        cli_table_add(&m->table, row);
    }
}

int subcmd_team_list(const struct config *cfg, const struct subcmd_opts *o, bool csv)
{
    static struct csv w;            /* 64 KB buffer */
    static const char *const heads[] = { "NAME", "EMAIL", "ROLE", "2FA", "LAST ACTIVE",
                                         "MEMBER SINCE" };
    struct members m = { .csv = csv, .sanitize = isatty(STDOUT_FILENO), .w = &w };
    struct signed_in si;
    if (subcmd_sign_in(cfg, o, &si) != 0)
        return 1;
    int rc = 1;
    if (csv) {
        csv_init(&w, STDOUT_FILENO, false);
        const char *const names[] = { "name", "email", "role", "two_factor", "last_active_at",
                                      "member_since" };
        for (size_t i = 0; i < 6; i++)
            csv_cell_str(&w, names[i]);
        csv_end_row(&w);
    } else {
        cli_table_init(&m.table, heads, 6);
    }
    if (api_team_members(si.db, &si.auth, on_members, &m, &si.auth) != 0 ||
        subcmd_wait(si.db, &m.done) != 0) {
        /* said */
    } else if (m.err == API_ERR_DENIED) {
        fprintf(stderr, "lumen: your role (%s) may not see the team\n", si.info.role);
    } else if (m.err != API_OK) {
        subcmd_say_err(m.err);
    } else if (csv) {
        fflush(stdout);
        if (csv_flush(&w) != 0)
            fprintf(stderr, "lumen: cannot write: %s\n", strerror(csv_error(&w)));
        else
            rc = 0;
    } else {
        cli_table_print(&m.table, stdout);
        rc = fflush(stdout) == 0 ? 0 : 1;
    }
    if (!csv)
        cli_table_free(&m.table);
    subcmd_sign_out(&si);
    return rc;
}
