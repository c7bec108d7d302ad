/* What changes leads, written once for the inbox (its tagged rows, or the
 * row under the cursor) and the lead's own page: set a status (a menu, or
 * "contacted" in one key), assign (to me, or a member from a menu), add a
 * note, delete at the visitor's request.  Each asks what it needs (a menu,
 * a prompt), makes the call, says how it went on the status row, asks for
 * the password again where the server wants a fresh proof (step-up) and
 * then replays the call, and finally tells its owner that leads changed.
 *
 * The server decides: a Viewer's change is answered "denied" (and audited
 * so); the keys are hidden from a Viewer only for comfort. */
#ifndef LUMEN_SCREENS_LEADACT_H
#define LUMEN_SCREENS_LEADACT_H

#include <stdbool.h>
#include <stddef.h>

#include "screens/lumen.h"

#define LEADACT_MAX_IDS 1000
#define LEADACT_MAX_MEMBERS 60

struct leadact {
    struct lumen *L;
    long long ids[LEADACT_MAX_IDS];
    size_t n;
    char label[200];            /* the one lead's name, for delete's question */
    /* The call in hand, kept for a replay after step-up. */
    int pending;                /* ACT_* */
    char status[20];
    char account[40];           /* "" = nobody */
    char *text;                 /* a note's body, or delete's reason */
    /* The assign menu's members. */
    char member_id[LEADACT_MAX_MEMBERS][40];
    char member_label[LEADACT_MAX_MEMBERS][120];
    size_t nmembers;
    void (*changed)(void *ud, int action);  /* after a change landed */
    void *ud;
};

void leadact_init(struct leadact *a, struct lumen *L, void (*changed)(void *ud, int action),
                  void *ud);
/* Frees the text; cancels the calls under way. */
void leadact_free(struct leadact *a);
/* The leads the next action is about; LABEL names one (may be NULL). */
void leadact_target(struct leadact *a, const long long *ids, size_t n, const char *label);
/* True for the actions below. */
bool leadact_handles(int action);
/* Does ACTION (ACT_SET_STATUS, ACT_MARK_CONTACTED, ACT_ASSIGN_ME,
 * ACT_ASSIGN, ACT_NOTE, ACT_DELETE); false for another action. */
bool leadact_action(struct leadact *a, int action);

#endif
