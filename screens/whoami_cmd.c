/* lumen whoami: the sign-in of the subcommands (client/subcmd.h), then who
 * and where.  A display name or a practice's name is anyone's text (an
 * invite's name is typed by the invitee): each goes through cli_safe, so
 * an escape sequence shows as placeholders and never acts on the terminal. */
#include "screens/cli.h"
#include "screens/cliout.h"

#include <stdio.h>

int subcmd_whoami(const struct config *cfg, const struct subcmd_opts *o)
{
    struct signed_in si;
    char email[CLI_LINE_MAX], name[CLI_LINE_MAX], practice[CLI_LINE_MAX];
    if (subcmd_sign_in(cfg, o, &si) != 0)
        return 1;
    printf("email     %s\nname      %s\npractice  %s (%s)\nrole      %s\nsession   %s\n",
           cli_safe(email, sizeof email, si.info.email),
           cli_safe(name, sizeof name, si.info.display_name),
           cli_safe(practice, sizeof practice, si.info.practice_name), si.info.practice_id,
           si.info.role, si.info.session_id);
    subcmd_sign_out(&si);
    return 0;
}
