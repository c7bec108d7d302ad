/* The team's changes (screens/teamact.c): invite, resend and revoke an
 * invite, promote, demote, remove, transfer ownership.  Each asks what it
 * must (a form, a confirm, the member's email or the practice's name
 * typed), then a call answered with a status the server committed before
 * telling it (denied is audited); a step-up asked by the server is asked
 * of the user once (lumen_step_up) and the call replayed.  CHANGED(UD)
 * after the server changed something: the team asks again. */
#ifndef LUMEN_SCREENS_TEAMACT_H
#define LUMEN_SCREENS_TEAMACT_H

#include "screens/lumen.h"
#include "screens/team.h"

struct teamact {
    struct lumen *L;
    void (*changed)(void *ud);
    void *ud;
    int pending;                /* the action being done */
    struct team_member member;  /* its target: a copy, the list may reload */
    struct team_invite invite;
    char email[256];            /* an invite's */
    char role[16];              /* an invite's, or the new role */
};

void teamact_init(struct teamact *a, struct lumen *L, void (*changed)(void *ud), void *ud);
void teamact_free(struct teamact *a);
/* ACTION on the row under the cursor (MEMBER or INVITE, one of them or
 * neither).  False when ACTION is not one of the team's changes. */
bool teamact_action(struct teamact *a, int action, const struct team_member *member,
                    const struct team_invite *invite);

#endif
