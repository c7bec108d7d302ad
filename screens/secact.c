/* The Security tab's changes (screens/secact.h).  Each is a write whose
 * answer is a status the server committed before telling it (the attempt
 * machinery, as the lead writes): ok, invalid (a wrong code), locked,
 * required (the practice requires two-factor), not_found (a session that
 * is gone, or another account's: the server does not tell them apart). */
#include "screens/secact.h"
#include "screens/actions.h"
#include "screens/confirm.h"
#include "screens/menu.h"
#include "screens/prompt.h"
#include "screens/security.h"
#include "client/mem.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

void secact_init(struct secact *a, struct lumen *L, void (*changed)(void *ud), void *ud)
{
    memset(a, 0, sizeof *a);
    a->L = L;
    a->changed = changed;
    a->ud = ud;
}

static void code_wipe(struct secact *a)
{
    if (a->code) {
        sodium_free(a->code);       /* wipes */
        a->code = NULL;
    }
}

void secact_free(struct secact *a)
{
    api_cancel(a->L->db, a);
    code_wipe(a);
}

void secact_target(struct secact *a, const char *id, bool current, const char *label)
{
    snprintf(a->session_id, sizeof a->session_id, "%s", id ? id : "");
    a->session_current = current;
    snprintf(a->session_label, sizeof a->session_label, "%s", label ? label : "");
}

bool secact_handles(int action)
{
    switch (action) {
    case ACT_MFA_ENROLL: case ACT_MFA_CODES: case ACT_MFA_DISABLE: case ACT_PASSWORD:
    case ACT_SESSION_REVOKE: case ACT_SIGN_OUT_EVERYWHERE:
        return true;
    }
    return false;
}

static void say(struct secact *a, enum theme_role role, const char *text)
{
    security_note(a->L, role, text);
}

static void send(struct secact *a);

static void replay(void *ud)
{
    send(ud);
}

static const char *why(int action)
{
    switch (action) {
    case ACT_MFA_CODES: return "Making new recovery codes";
    case ACT_MFA_DISABLE: return "Turning two-factor off";
    case ACT_SESSION_REVOKE: return "Ending another session";
    case ACT_SIGN_OUT_EVERYWHERE: return "Signing out everywhere";
    }
    return "This change";
}

static void locked_msg(struct secact *a, const struct api_outcome *r)
{
    char msg[160];
    int m = (r->retry_after_s + 59) / 60;
    snprintf(msg, sizeof msg, "Too many wrong codes: try again in %d minute%s.", m > 0 ? m : 1,
             m == 1 ? "" : "s");
    say(a, ROLE_ERROR, msg);
}

static void on_result(void *ud, enum api_err err, const struct api_outcome *r)
{
    struct secact *a = ud;
    struct lumen *L = a->L;
    char msg[200];
    if (err == API_ERR_STEP_UP) {
        lumen_step_up(L, why(a->pending), replay, a);
        return;
    }
    code_wipe(a);           /* kept only for a replay after step-up */
    if (err != API_OK) {
        lumen_call_failed(L, err);
        return;
    }
    switch (a->pending) {
    case ACT_MFA_CODES:
        if (r->status == API_OUTCOME_OK && r->secret) {
            recovery_codes_show(L, r->secret, strlen(r->secret), false);
            return;
        }
        say(a, ROLE_ERROR, "No new codes were made: two-factor is off.");
        break;
    case ACT_MFA_DISABLE:
        switch (r->status) {
        case API_OUTCOME_OK: say(a, ROLE_OK, "Two-factor is off: your password alone signs you in."); break;
        case API_OUTCOME_LOCKED: locked_msg(a, r); break;
        case API_OUTCOME_REQUIRED:
            say(a, ROLE_ERROR, "A practice of yours requires two-factor: it stays on.");
            break;
        default: say(a, ROLE_ERROR, "That code is not right: two-factor stays on."); break;
        }
        break;
    case ACT_SESSION_REVOKE:
        if (r->status == API_OUTCOME_NOT_FOUND) {
            say(a, ROLE_STATUS, "That session had ended already.");
        } else if (a->session_current) {
            lumen_signed_out(L, "You ended this session: you are signed out.");
            return;
        } else {
            say(a, ROLE_OK, "Session ended: that terminal is back at sign-in.");
        }
        break;
    case ACT_SIGN_OUT_EVERYWHERE:
        if (a->include_current) {
            lumen_signed_out(L, "You signed out everywhere: every session of your account ended.");
            return;
        }
        snprintf(msg, sizeof msg, "Signed out everywhere else: %lld other session%s ended.",
                 r->affected, r->affected == 1 ? "" : "s");
        say(a, ROLE_OK, msg);
        break;
    }
    a->changed(a->ud);
}

/* The call for a->pending, as it was asked (again after a step-up). */
static void send(struct secact *a)
{
    struct lumen *L = a->L;
    switch (a->pending) {
    case ACT_MFA_CODES:
        api_mfa_recovery_regenerate(L->db, &L->auth, on_result, a, a);
        break;
    case ACT_MFA_DISABLE:
        api_mfa_disable(L->db, &L->auth, a->code ? a->code : "", on_result, a, a);
        break;
    case ACT_SESSION_REVOKE:
        api_session_revoke(L->db, &L->auth, a->session_id, on_result, a, a);
        break;
    case ACT_SIGN_OUT_EVERYWHERE:
        api_sessions_revoke_all(L->db, &L->auth, a->include_current, on_result, a, a);
        break;
    }
    tui_app_dirty(L->app);
}

/* --- the questions ------------------------------------------------------------ */

static void codes_yes(void *ud)
{
    struct secact *a = ud;
    a->pending = ACT_MFA_CODES;
    send(a);
}

static const char *disable_submit(void *ud, struct form *fm, size_t *which)
{
    struct secact *a = ud;
    size_t len;
    const char *t = field_text(form_field(fm, 0), &len);
    *which = 0;
    if (!len)
        return "Enter the code from your app, or a recovery code (Esc keeps two-factor on).";
    code_wipe(a);
    a->code = sodium_malloc(SECACT_CODE_MAX + 1);
    if (!a->code)
        mem_fatal("out of secure memory");
    if (len > SECACT_CODE_MAX)
        len = SECACT_CODE_MAX;
    memcpy(a->code, t, len);
    a->code[len] = '\0';
    a->pending = ACT_MFA_DISABLE;
    send(a);
    return NULL;
}

static void revoke_yes(void *ud)
{
    struct secact *a = ud;
    a->pending = ACT_SESSION_REVOKE;
    send(a);
}

static void everywhere_chosen(void *ud, size_t i)
{
    struct secact *a = ud;
    a->include_current = i == 1;
    a->pending = ACT_SIGN_OUT_EVERYWHERE;
    send(a);
}

static void ask_revoke(struct secact *a)
{
    char text[400];
    if (!a->session_id[0])
        return;
    if (a->session_current)
        snprintf(text, sizeof text, "This is the session you are using (%s). Ending it signs "
                 "you out here.", a->session_label);
    else
        snprintf(text, sizeof text, "End the session %s? Whoever uses it is back at sign-in "
                 "within a second.", a->session_label);
    confirm_ask(a->L, "End a session", text, a->session_current ? "Sign me out" : "End it", true,
                revoke_yes, a);
}

static void ask_everywhere(struct secact *a)
{
    static const char *const labels[] = {
        "All other sessions (this one stays signed in)",
        "All sessions, this one included",
    };
    struct menu_req q = { "Sign out everywhere: which sessions end?", labels, 2, 0,
                          everywhere_chosen, a };
    menu_ask(a->L, &q);
}

void secact_action(struct secact *a, int action)
{
    struct lumen *L = a->L;
    if (!secact_handles(action))
        return;
    switch (action) {
    case ACT_MFA_ENROLL: {
        struct enroll_arg arg = { false };
        lumen_go(L, SCR_ENROLL, &arg);
        break;
    }
    case ACT_PASSWORD:
        lumen_go(L, SCR_PASSWORD, NULL);
        break;
    case ACT_MFA_CODES:
        api_cancel(L->db, a);
        confirm_ask(L, "New recovery codes", "Ten new recovery codes are made and shown once; "
                    "the ones you have now stop working.", "Make new codes", true, codes_yes, a);
        break;
    case ACT_MFA_DISABLE: {
        api_cancel(L->db, a);
        struct prompt_req q = {
            .title = "Turn two-factor off",
            .text = "Without two-factor, your password alone signs you in. To turn it off, "
                    "enter a current code from your authenticator app (or a recovery code).",
            .fields = { { "Code", FIELD_MASKED, SECACT_CODE_MAX, NULL,
                          "6 digits from your app, or a recovery code" } },
            .nfields = 1,
            .submit = disable_submit,
            .ud = a,
        };
        prompt_ask(L, &q);
        break;
    }
    case ACT_SESSION_REVOKE:
        api_cancel(L->db, a);
        ask_revoke(a);
        break;
    case ACT_SIGN_OUT_EVERYWHERE:
        api_cancel(L->db, a);
        ask_everywhere(a);
        break;
    }
}
