/* The team tab (screens/team.c) and what its actions (screens/teamact.c)
 * are told of the row under the cursor. */
#ifndef LUMEN_SCREENS_TEAM_H
#define LUMEN_SCREENS_TEAM_H

#include <stdbool.h>

struct lumen;

struct team_member {
    char account_id[40];
    char name[256], email[256], role[16];
    char last_active[64], since[64];
    bool mfa, self;
};

struct team_invite {
    char id[40];
    char email[256], role[16], by[256];
    char sent[64], expires[64];
    bool expired;
};

/* A role or the team changed elsewhere: the team tab, when it is the tab
 * in hand, asks again. */
void team_changed(struct lumen *L);

#endif
