/* The notifications screen's changes (screens/notifyact.c): add a webhook
 * (its URL, then a description), a new signing secret for one, remove one
 * (confirmed), enable a disabled one, add or remove an email address of
 * the lead alerts, send a test, set the link a lead alert carries.  Each
 * asks what it needs, makes the call (an attempt whose outcome the server
 * committed before telling it), asks for the password again where the
 * server wants a fresh proof (lumen_step_up) and replays the call, says on
 * the status row how it went, and calls CHANGED(UD) after the server
 * changed something.  A webhook's whsec_ secret is shown once, in a box
 * whose copy is wiped when it closes (confirm_tell); it is never kept
 * here.  The calls are owned by the struct notifyact. */
#ifndef LUMEN_SCREENS_NOTIFYACT_H
#define LUMEN_SCREENS_NOTIFYACT_H

#include <stdbool.h>

#include "screens/lumen.h"
#include "screens/notifyset.h"

enum notify_kind { NOTIFY_NONE, NOTIFY_WEBHOOK, NOTIFY_EMAIL, NOTIFY_FAILURE };

/* The row under the cursor, as the changes need it: a copy, since the
 * list may reload while a question is open. */
struct notify_target {
    enum notify_kind kind;
    char id[40];
    char label[200];            /* the URL or address, sanitized and cut to fit a dialog */
    bool disabled;              /* a webhook the server disabled (a 410) */
};

struct notifyact {
    struct lumen *L;
    void (*changed)(void *ud);
    void *ud;
    int pending;                /* the ACT_* whose call is in hand (replayed after step-up) */
    struct notify_target t;
    char url[NOTIFY_URL_MAX + 1];
    char desc[NOTIFY_DESC_MAX * 4 + 1];
    char email[NOTIFY_EMAIL_MAX + 1];
    char link[NOTIFY_LINK_MAX + 1];
    /* What was just added (the outcome's webhook_id or email_id), for the
     * cursor to go to once the list is read again; "" when nothing. */
    enum notify_kind added_kind;
    char added_id[40];
};

void notifyact_init(struct notifyact *a, struct lumen *L, void (*changed)(void *ud), void *ud);
/* Cancels its calls. */
void notifyact_free(struct notifyact *a);
bool notifyact_handles(int action);
/* ACTION on TARGET (NULL or NOTIFY_NONE: no row); LINK the lead link in
 * force, the prompt's first text.  False when ACTION is not one of these. */
bool notifyact_action(struct notifyact *a, int action, const struct notify_target *target,
                      const char *link);

#endif
