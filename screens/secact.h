/* What the Security tab's keys do (screens/security.h): turn two-factor on
 * (the enrollment screen) or off (a current code), new recovery codes,
 * change the password (its screen), end one session, sign out everywhere
 * (all other sessions, or all of them).  Each asks what it needs (a
 * confirm, a menu, a code), makes the call, asks for the password again
 * where the server wants a fresh proof (step-up, lumen_step_up) and then
 * replays the call, says how it went on the status row and tells its owner
 * that something changed.  The calls are owned by the struct secact. */
#ifndef LUMEN_SCREENS_SECACT_H
#define LUMEN_SCREENS_SECACT_H

#include <stdbool.h>

#include "screens/lumen.h"

#define SECACT_CODE_MAX 64

struct secact {
    struct lumen *L;
    int pending;                /* the ACT_* whose call is in hand (replayed after step-up) */
    char session_id[40];        /* the session the next revoke is about */
    bool session_current;
    char session_label[200];    /* "signed in 2026-11-30 14:05 from 203.0.113.7" */
    bool include_current;       /* sign out everywhere: this session too */
    char *code;                 /* disable's code, secure memory, wiped after */
    void (*changed)(void *ud);
    void *ud;
};

void secact_init(struct secact *a, struct lumen *L, void (*changed)(void *ud), void *ud);
/* Cancels its calls, wipes the code. */
void secact_free(struct secact *a);
/* The session the next ACT_SESSION_REVOKE ends (ID "": none under the cursor). */
void secact_target(struct secact *a, const char *id, bool current, const char *label);
bool secact_handles(int action);
/* Does ACTION (the actions of CTX_SECURITY but refresh). */
void secact_action(struct secact *a, int action);

#endif
