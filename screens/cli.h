/* The subcommands that print what the database holds for a person to
 * read (screens/whoami_cmd.c, team_cmd.c, sessions_cmd.c, invite_cmd.c,
 * notify_cmd.c): they sign in
 * and call the api as the others in client/ do, and print through
 * screens/cliout.h, which sanitizes with the TUI's tui/text.h.  Here, not
 * in client/, because screens/ is where client/ and tui/ meet (DESIGN.md,
 * "Layers"). */
#ifndef LUMEN_SCREENS_CLI_H
#define LUMEN_SCREENS_CLI_H

#include <stdbool.h>

#include "client/config.h"
#include "client/subcmd.h"

/* lumen whoami (screens/whoami_cmd.c): who, where, as what, which
 * session; the names as the sanitizer shows them. */
int subcmd_whoami(const struct config *cfg, const struct subcmd_opts *o);

/* lumen team list (screens/team_cmd.c): the practice's members as a table
 * or, with CSV, as CSV (client/csv.h) on standard output. */
extern const char subcmd_team_list_help[];
int subcmd_team_list(const struct config *cfg, const struct subcmd_opts *o, bool csv);

/* lumen sessions list | revoke ID | revoke --all (screens/sessions_cmd.c):
 * the signed-in account's own sessions. */
extern const char subcmd_sessions_help[];
int subcmd_sessions_list(const struct config *cfg, const struct subcmd_opts *o);
/* The arguments checked without the config or the database: exactly one
 * of ID (a session id, a uuid) and ALL.  0, or 2 after one line. */
int subcmd_sessions_revoke_usage(const char *id, bool all);
int subcmd_sessions_revoke(const struct config *cfg, const struct subcmd_opts *o,
                           const char *id, bool all);

/* lumen accept-invite CODE (screens/invite_cmd.c): joins a practice by an
 * invite code, creating the account (NAME, a new password) or, for an
 * existing one, proving its password; does not sign in.  CODE NULL:
 * asked on the terminal. */
extern const char subcmd_accept_invite_help[];
int subcmd_accept_invite(const struct config *cfg, const struct subcmd_opts *o,
                         const char *code, const char *name);

/* lumen notify [--once] | lumen notify status (screens/notify_cmd.c):
 * the deliverer of the outbox (client/notify.h), and its counts per kind
 * and channel as a table, last errors through the sanitizer.  Neither
 * signs in: they connect as [notify] user. */
extern const char subcmd_notify_help[];
int subcmd_notify(const struct config *cfg, bool once);
int subcmd_notify_status(const struct config *cfg);

#endif
