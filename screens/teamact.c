/* The team's changes (screens/teamact.h).  What is destructive is
 * confirmed by typing: a member's email to remove them, the practice's
 * name to give it away.  Codes are shown once, in a message box whose copy
 * is wiped when it closes (confirm_tell), and never on the status row. */
#include "screens/teamact.h"
#include "screens/actions.h"
#include "screens/confirm.h"
#include "screens/menu.h"
#include "screens/prompt.h"
#include "tui/field.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

void teamact_init(struct teamact *a, struct lumen *L, void (*changed)(void *ud), void *ud)
{
    memset(a, 0, sizeof *a);
    a->L = L;
    a->changed = changed;
    a->ud = ud;
}

void teamact_free(struct teamact *a)
{
    api_cancel(a->L->db, a);
}

static void say(struct teamact *a, enum theme_role role, const char *text)
{
    tui_app_message(a->L->app, role, text, 6000);
}

static void send(struct teamact *a);

static void replay(void *ud)
{
    send(ud);
}

static const char *step_up_why(int action)
{
    switch (action) {
    case ACT_REMOVE: return "Removing a member or an invite";
    case ACT_PROMOTE: case ACT_DEMOTE: return "Changing a role";
    case ACT_TRANSFER: return "Transferring ownership";
    }
    return "This change";
}

/* The code of an invite, once: to hand over (the notifications will
 * email it, later). */
static void show_code(struct teamact *a, const char *code)
{
    char text[900];
    snprintf(text, sizeof text,
             "Invite code for %s (%s):\n\n    %s\n\nShown this once: hand it over in person "
             "or by phone. It works for 7 days, for that email only; they join with "
             "lumen accept-invite and the code.", a->email, lumen_role_title(a->role), code);
    confirm_tell(a->L, "Invite code", text, NULL, NULL);
    explicit_bzero(text, sizeof text);
}

static void done_ok(struct teamact *a, const struct api_outcome *r)
{
    char msg[400];
    const struct team_member *m = &a->member;
    switch (a->pending) {
    case ACT_INVITE: case ACT_RESEND_INVITE:
        if (r->secret && r->secret[0])
            show_code(a, r->secret);
        snprintf(msg, sizeof msg, "%s %s.", a->pending == ACT_INVITE ? "Invited" : "New code for",
                 a->email);
        break;
    case ACT_REMOVE:
        if (a->invite.id[0])
            snprintf(msg, sizeof msg, "Invite revoked: %s.", a->invite.email);
        else
            snprintf(msg, sizeof msg, "%s was removed and signed out.", m->name);
        break;
    case ACT_PROMOTE: case ACT_DEMOTE:
        snprintf(msg, sizeof msg, "%s is now %s.", m->name,
                 a->pending == ACT_PROMOTE ? "an Admin" : "a Viewer");
        break;
    case ACT_TRANSFER:
        snprintf(msg, sizeof msg, "%s is now the Owner; you are an Admin.", m->name);
        break;
    default:
        msg[0] = '\0';
    }
    if (msg[0])
        say(a, ROLE_OK, msg);
}

static void on_change(void *ud, enum api_err err, const struct api_outcome *r)
{
    struct teamact *a = ud;
    if (err == API_ERR_STEP_UP) {
        lumen_step_up(a->L, step_up_why(a->pending), replay, a);
        return;
    }
    if (err != API_OK) {
        lumen_call_failed(a->L, err);
        return;
    }
    switch (r->status) {
    case API_OUTCOME_DENIED:
        say(a, ROLE_ERROR, "Your role may not do that; the attempt was logged.");
        return;
    case API_OUTCOME_NOT_FOUND:
        say(a, ROLE_ERROR, "That member or invite is no longer there.");
        break;
    case API_OUTCOME_EXISTS:
        say(a, ROLE_ERROR, "That email is already a member of the practice.");
        return;
    case API_OUTCOME_OK:
        done_ok(a, r);
        break;
    default:
        say(a, ROLE_ERROR, "The server refused the change.");
        return;
    }
    /* Our own role may have changed (a transfer): api.me again through
     * the wake-up's path, and the list in any case. */
    if (a->pending == ACT_TRANSFER)
        lumen_refresh_me(a->L);
    a->changed(a->ud);
}

/* The call for a->pending, as it was asked (again after a step-up). */
static void send(struct teamact *a)
{
    struct lumen *L = a->L;
    struct db *db = L->db;
    api_cancel(db, a);
    switch (a->pending) {
    case ACT_INVITE:
        api_member_invite(db, &L->auth, a->email, a->role, on_change, a, a);
        break;
    case ACT_RESEND_INVITE:
        api_invite_resend(db, &L->auth, a->invite.id, on_change, a, a);
        break;
    case ACT_REMOVE:
        if (a->invite.id[0])
            api_invite_revoke(db, &L->auth, a->invite.id, on_change, a, a);
        else
            api_member_remove(db, &L->auth, a->member.account_id, on_change, a, a);
        break;
    case ACT_PROMOTE: case ACT_DEMOTE:
        api_member_set_role(db, &L->auth, a->member.account_id, a->role, on_change, a, a);
        break;
    case ACT_TRANSFER:
        api_practice_transfer(db, &L->auth, a->member.account_id, on_change, a, a);
        break;
    }
    tui_app_dirty(L->app);
}

static void send_cb(void *ud)
{
    send(ud);
}

/* --- invite: the email, then the role ------------------------------------ */

static const char *const role_values[] = { "viewer", "admin" };
static const char *const role_labels[] = { "Viewer: reads leads and the audit log",
                                           "Admin: changes leads, exports, invites" };

/* The role first (a menu), then the email (a prompt): each step opens
 * after the one before has closed, never over it. */
static const char *invite_submit(void *ud, struct form *fm, size_t *which)
{
    struct teamact *a = ud;
    size_t len;
    const char *email = field_text(form_field(fm, 0), &len);
    *which = 0;
    const char *at = strchr(email, '@');
    if (!at || at == email || !at[1] || strchr(email, ' ') || len > 254)
        return "An email address, such as name@example.com.";
    snprintf(a->email, sizeof a->email, "%s", email);
    send(a);
    return NULL;
}

static void role_chosen(void *ud, size_t i)
{
    struct teamact *a = ud;
    snprintf(a->role, sizeof a->role, "%s", role_values[i]);
    char text[200];
    snprintf(text, sizeof text, "As %s. They get a code to join with (shown to you once, to "
             "hand over), good for 7 days and for this email only.",
             i == 0 ? "a Viewer" : "an Admin");
    struct prompt_req q = {
        .title = "Invite a member",
        .text = text,
        .fields = { { "Email", 0, 254, NULL, "Enter invites, Esc goes back" } },
        .nfields = 1,
        .submit = invite_submit,
        .ud = a,
    };
    prompt_ask(a->L, &q);
}

static void ask_invite(struct teamact *a)
{
    struct menu_req q = { "Invite as", role_labels, 2, 0, role_chosen, a };
    menu_ask(a->L, &q);
}

/* --- typed confirmations ------------------------------------------------- */

static const char *remove_submit(void *ud, struct form *fm, size_t *which)
{
    struct teamact *a = ud;
    *which = 0;
    size_t len;
    if (strcasecmp(field_text(form_field(fm, 0), &len), a->member.email) != 0)
        return "Type the member's email exactly to confirm.";
    send(a);
    return NULL;
}

static void ask_remove(struct teamact *a)
{
    char text[1200];
    snprintf(text, sizeof text, "%s (%s, %s) loses access at once: every session of theirs "
             "in this practice ends now. Leads assigned to them become unassigned; what they "
             "did stays in the audit log. Type their email, %s, to confirm.", a->member.name,
             a->member.email, lumen_role_title(a->member.role), a->member.email);
    struct prompt_req q = {
        .title = "Remove a member",
        .text = text,
        .fields = { { "Email", 0, 254, NULL, NULL } },
        .nfields = 1,
        .submit = remove_submit,
        .ud = a,
    };
    prompt_ask(a->L, &q);
}

static const char *transfer_submit(void *ud, struct form *fm, size_t *which)
{
    struct teamact *a = ud;
    *which = 0;
    size_t len;
    if (strcmp(field_text(form_field(fm, 0), &len), a->L->me.practice_name) != 0)
        return "Type the practice's name exactly to confirm.";
    send(a);
    return NULL;
}

static void ask_transfer(struct teamact *a)
{
    char text[1100];
    snprintf(text, sizeof text, "%s becomes the Owner of %s, and you become an Admin: only "
             "the new Owner can give it back. Type the practice's name, %s, to confirm.",
             a->member.name, a->L->me.practice_name, a->L->me.practice_name);
    struct prompt_req q = {
        .title = "Transfer ownership",
        .text = text,
        .fields = { { "Practice", 0, 200, NULL, NULL } },
        .nfields = 1,
        .submit = transfer_submit,
        .ud = a,
    };
    prompt_ask(a->L, &q);
}

bool teamact_action(struct teamact *a, int action, const struct team_member *member,
                    const struct team_invite *invite)
{
    char text[600];
    switch (action) {
    case ACT_INVITE: case ACT_RESEND_INVITE: case ACT_REMOVE: case ACT_PROMOTE:
    case ACT_DEMOTE: case ACT_TRANSFER:
        break;
    default:
        return false;
    }
    api_cancel(a->L->db, a);
    memset(&a->member, 0, sizeof a->member);
    memset(&a->invite, 0, sizeof a->invite);
    if (member)
        a->member = *member;
    if (invite)
        a->invite = *invite;
    a->pending = action;
    switch (action) {
    case ACT_INVITE:
        ask_invite(a);
        break;
    case ACT_RESEND_INVITE:
        if (!invite)
            break;
        snprintf(a->email, sizeof a->email, "%s", invite->email);
        snprintf(a->role, sizeof a->role, "%s", invite->role);
        send(a);
        break;
    case ACT_REMOVE:
        if (invite) {
            snprintf(text, sizeof text, "The code sent to %s stops working now.", invite->email);
            confirm_ask(a->L, "Revoke the invite", text, "Revoke", true, send_cb, a);
        } else if (member) {
            ask_remove(a);
        }
        break;
    case ACT_PROMOTE: case ACT_DEMOTE:
        if (!member)
            break;
        snprintf(a->role, sizeof a->role, "%s", action == ACT_PROMOTE ? "admin" : "viewer");
        snprintf(text, sizeof text, action == ACT_PROMOTE
                 ? "%s becomes an Admin: they may change, export and delete leads and invite "
                   "members. Their open Lumen follows within a second."
                 : "%s becomes a Viewer: they may read, not change. Their open Lumen follows "
                   "within a second.", member->name);
        confirm_ask(a->L, action == ACT_PROMOTE ? "Promote to Admin" : "Demote to Viewer", text,
                    action == ACT_PROMOTE ? "Promote" : "Demote", action == ACT_DEMOTE, send_cb,
                    a);
        break;
    case ACT_TRANSFER:
        if (member)
            ask_transfer(a);
        break;
    }
    return true;
}
