/* Every action of Lumen, declared once, in LUMEN_ACTIONS below: the enum,
 * the names [keys] in lumen.conf takes, the ? overlay's lines and the
 * status-bar hints are all generated from it (as tig's request.h), so no
 * second list can drift.  Screens handle these ids, never raw keys (text
 * fields aside).  A new screen adds its context to LUMEN_CONTEXTS, its
 * mask to LUMEN_SCOPES (uses it as its ops->ctx) and its rows here. */
#ifndef LUMEN_SCREENS_ACTIONS_H
#define LUMEN_SCREENS_ACTIONS_H

#include "tui/keymap.h"

/* Contexts: where an action is active, one bit each (CTX_<NAME>). */
#define LUMEN_CONTEXTS(C) \
    C(GLOBAL)   /* every screen but dialogs, help and the lock */ \
    C(FORM)     /* a screen with text fields */ \
    C(LIST)     /* a screen with a list */ \
    C(HOME) \
    C(LOGIN) \
    C(DIALOG) \
    C(HELP) \
    C(LOCK) \
    C(INBOX)    /* the lead list */ \
    C(LEAD)     /* one lead, and the inbox's rows: what changes a lead */ \
    C(LEADVIEW) /* one lead's page */ \
    C(MENU)     /* a list of choices over the screen */ \
    C(AUDIT)    /* the audit log */ \
    C(TEAM)     /* the team: members and invites */ \
    C(SETTINGS) /* the practice's settings (Owner) */ \
    C(NOTIFY)   /* the practice's notifications (Owner): webhooks, emails, failures */ \
    /* --- account security (issue 10): screens/security.c, enroll.c, recovery.c --- */ \
    C(SECURITY) /* the Security tab: two-factor, password, sessions */ \
    C(ENROLL)   /* turning two-factor on: the QR code and the first code */ \
    C(CODES)    /* recovery codes, shown once */ \
    /* --- end of account security --- */

/* Scopes: the whole ctx mask of one kind of screen (SCOPE_<NAME>), which a
 * screen puts in its ops->ctx.  The clash check looks at each scope, and
 * the keymap refuses a context that is in none, so every context is
 * checked; two actions clash when one scope holds a context of each. */
#define LUMEN_SCOPES(S) \
    S(SIGN_IN, CTX_GLOBAL | CTX_FORM | CTX_LOGIN) \
    S(PICKER, CTX_GLOBAL | CTX_LIST) \
    S(HOME, CTX_GLOBAL | CTX_HOME) \
    S(LOCK, CTX_FORM | CTX_LOCK) \
    S(DIALOG, CTX_DIALOG) \
    S(HELP, CTX_HELP) \
    S(INBOX, CTX_GLOBAL | CTX_LIST | CTX_INBOX | CTX_LEAD) \
    S(LEAD, CTX_GLOBAL | CTX_LIST | CTX_LEAD | CTX_LEADVIEW) \
    S(MENU, CTX_LIST | CTX_MENU) \
    S(PROMPT, CTX_FORM) \
    S(AUDIT, CTX_GLOBAL | CTX_LIST | CTX_AUDIT) \
    S(PAGER, CTX_GLOBAL | CTX_LIST) \
    S(TEAM, CTX_GLOBAL | CTX_LIST | CTX_TEAM) \
    S(SETTINGS, CTX_GLOBAL | CTX_LIST | CTX_SETTINGS) \
    S(NOTIFY, CTX_GLOBAL | CTX_LIST | CTX_NOTIFY) \
    /* --- account security (issue 10) --- */ \
    S(SECURITY, CTX_GLOBAL | CTX_LIST | CTX_SECURITY) \
    S(ENROLL, CTX_GLOBAL | CTX_FORM | CTX_ENROLL) \
    S(CODES, CTX_GLOBAL | CTX_CODES) \
    S(PASSWORD, CTX_GLOBAL | CTX_FORM) \
    /* --- end of account security --- */

/* A(ID, name, ctx, perm, label, help, keys): ACT_<ID>; the [keys] name
 * (ID in lower case, '-' for '_': a test holds them together); the contexts
 * where it is active; the permission it needs, of api.me's list (NULL: any
 * signed-in role or none); the status-bar hint (NULL: none); its ? line;
 * the default keys.  CTX_GLOBAL actions are listed last in help. */
#define LUMEN_ACTIONS(A) \
    /* Where a text field has the keyboard q is a letter: C-c quits there. */ \
    A(QUIT, "quit", CTX_GLOBAL | CTX_LOCK, NULL, "quit", \
      "leave Lumen (signing out)", "q C-c") \
    A(HELP, "help", CTX_GLOBAL, NULL, "help", "show the keys of this screen", "?") \
    /* In a text field '?' is a character; F1 asks for help there. */ \
    A(FORM_HELP, "form-help", CTX_FORM, NULL, "help", "show the keys of this screen", "F1") \
    A(REDRAW, "redraw", CTX_GLOBAL | CTX_FORM | CTX_LOCK, NULL, NULL, \
      "draw the whole screen again", "C-l") \
    A(LOCK, "lock", CTX_GLOBAL, NULL, "lock", "lock the screen now (password to unlock)", "C-x") \
    /* The tabs, contiguous (ACT_IS_TAB).  The permission is the screen's,
     * in screens/registry.h: a tab with no screen registered is hidden. */ \
    A(TAB_HOME, "tab-home", CTX_GLOBAL, NULL, NULL, "go to the home screen", "1") \
    A(TAB_INBOX, "tab-inbox", CTX_GLOBAL, NULL, NULL, "go to the inbox", "2") \
    A(TAB_AUDIT, "tab-audit", CTX_GLOBAL, NULL, NULL, "go to the audit log", "3") \
    A(TAB_TEAM, "tab-team", CTX_GLOBAL, NULL, NULL, "go to the team", "4") \
    A(TAB_SECURITY, "tab-security", CTX_GLOBAL, NULL, NULL, "go to account security", "5") \
    /* The inbox, before the list keys: its hints come first on its status
     * row.  Capitals choose which leads show; small letters act. */ \
    A(FILTER, "filter", CTX_INBOX | CTX_AUDIT, NULL, "filter", \
      "filter as you type (the tokens are on the bar's line); ! negates a token", "/") \
    A(SORT, "sort", CTX_INBOX, NULL, "sort", \
      "sort by newest, or by oldest untouched first", "o") \
    A(SHOW_NEW, "show-new", CTX_INBOX, NULL, NULL, "show only new leads (again: all)", "N") \
    A(SHOW_MINE, "show-mine", CTX_INBOX, NULL, NULL, \
      "show only leads assigned to me (again: all)", "M") \
    A(SHOW_WAITING, "show-waiting", CTX_INBOX, NULL, NULL, \
      "show new leads untouched for over 15 minutes (again: all)", "U") \
    A(TAG, "tag", CTX_INBOX, "lead.update", NULL, \
      "tag or untag the row; changes act on every tagged row", "Space") \
    A(SET_STATUS, "set-status", CTX_LEAD, "lead.update", "status", \
      "set the status (tagged rows, or this lead)", "s") \
    A(MARK_CONTACTED, "mark-contacted", CTX_LEAD, "lead.update", NULL, \
      "mark as contacted (tagged rows, or this lead)", "c") \
    A(ASSIGN_ME, "assign-me", CTX_LEAD, "lead.update", NULL, \
      "assign to me (tagged rows, or this lead)", "a") \
    A(ASSIGN, "assign", CTX_LEAD, "lead.update", "assign", \
      "assign to a member, or to nobody", "A") \
    A(NOTE, "note", CTX_LEAD, "lead.update", "note", "add a note to the lead", "n") \
    A(EXPORT, "export", CTX_INBOX, "lead.export", "export", \
      "export the leads shown (the filter in force) to a CSV file", "e") \
    A(DELETE, "delete", CTX_LEADVIEW, "lead.delete", "delete", \
      "delete the lead at the visitor's request (asks to type its id)", "D") \
    A(AUDIT_TRAIL, "audit-trail", CTX_LEADVIEW | CTX_TEAM, "audit.read", "audit trail", \
      "the audit log of this lead, or of what this member did", "L") \
    /* The team.  Each key shows only to a role that may use it, and only
     * on a row it applies to (team_allowed): no remove on the Owner. */ \
    A(INVITE, "invite", CTX_TEAM, "member.invite", "invite", \
      "invite someone by email (a code to hand over, shown once)", "i") \
    A(RESEND_INVITE, "resend-invite", CTX_TEAM, "member.invite", "resend", \
      "a new code for the invite under the cursor (the old one stops working)", "R") \
    A(REMOVE, "remove", CTX_TEAM, "member.remove", "remove", \
      "remove the member under the cursor, or revoke the invite", "D") \
    A(PROMOTE, "promote", CTX_TEAM, "member.role_change", "promote", \
      "make the Viewer under the cursor an Admin", "+") \
    A(DEMOTE, "demote", CTX_TEAM, "member.role_change", "demote", \
      "make the Admin under the cursor a Viewer", "-") \
    A(TRANSFER, "transfer", CTX_TEAM, "practice.transfer", NULL, \
      "make the Admin under the cursor the Owner (you become an Admin)", "T") \
    A(SETTINGS, "settings", CTX_TEAM, "practice.settings", "settings", \
      "the practice's settings: two-factor, idle lock, chatbot key, closing", "S") \
    /* The notifications (issue 11): from the settings, the Owner's.  Each
     * key shows only on a row it applies to (notifyset_allowed), the row's
     * own keys first for the status row's hints.  r is a new secret here,
     * not refresh: the screen asks again by itself, and g (top) at once. */ \
    A(NOTIFICATIONS, "notifications", CTX_SETTINGS, "practice.settings", "notifications", \
      "webhooks, lead alerts by email, failed deliveries", "n") \
    A(NOTIFY_TEST, "notify-test", CTX_NOTIFY, "practice.settings", "test", \
      "send a test to the webhook or address under the cursor", "t") \
    A(WEBHOOK_ENABLE, "webhook-enable", CTX_NOTIFY, "practice.settings", "enable", \
      "deliver to the disabled webhook under the cursor again", "E") \
    A(WEBHOOK_ROTATE, "webhook-rotate", CTX_NOTIFY, "practice.settings", "new secret", \
      "a new signing secret (the old one works 24 hours more)", "r") \
    A(NOTIFY_REMOVE, "notify-remove", CTX_NOTIFY, "practice.settings", "remove", \
      "remove the webhook or address under the cursor", "d") \
    A(WEBHOOK_ADD, "webhook-add", CTX_NOTIFY, "practice.settings", "add webhook", \
      "add a webhook (its signing secret is shown once)", "a") \
    A(EMAIL_ADD, "email-add", CTX_NOTIFY, "practice.settings", "add email", \
      "add an email address that gets the lead alerts", "e") \
    A(LEAD_LINK, "lead-link", CTX_NOTIFY, "practice.settings", "lead link", \
      "the link a lead alert carries ({lead_id}: the lead's id)", "l") \
    /* The audit log: its range, the chart of events per day, export. */ \
    A(RANGE, "range", CTX_AUDIT, NULL, "range", \
      "a range of days typed: 2026-11-01..2026-11-15", "R") \
    A(RANGE_TODAY, "range-today", CTX_AUDIT, NULL, NULL, "today", "t") \
    A(RANGE_YESTERDAY, "range-yesterday", CTX_AUDIT, NULL, NULL, "yesterday", "y") \
    A(RANGE_WEEK, "range-week", CTX_AUDIT, NULL, NULL, "the last 7 days", "w") \
    A(RANGE_30, "range-30", CTX_AUDIT, NULL, NULL, "the last 30 days", "d") \
    A(RANGE_MONTH, "range-month", CTX_AUDIT, NULL, NULL, "this month", "m") \
    A(RANGE_LAST_MONTH, "range-last-month", CTX_AUDIT, NULL, NULL, "last month", "M") \
    A(DAY_PREV, "day-prev", CTX_AUDIT, NULL, NULL, \
      "the day before on the chart of events per day", "Left") \
    A(DAY_NEXT, "day-next", CTX_AUDIT, NULL, NULL, \
      "the day after on the chart of events per day", "Right") \
    A(EXPORT_AUDIT, "export-audit", CTX_AUDIT, "audit.export", "export", \
      "export the rows shown (range and filter) to a CSV file", "e") \
    A(NEXT_FIELD, "next-field", CTX_FORM, NULL, NULL, "move to the next field", "Tab Down") \
    A(PREV_FIELD, "prev-field", CTX_FORM, NULL, NULL, "move to the previous field", "S-Tab Up") \
    A(SUBMIT, "submit", CTX_FORM, NULL, "submit", "next field; on the last one, submit", \
      "Enter") \
    A(CANCEL, "cancel", CTX_FORM | CTX_LIST, NULL, "back", "cancel a call under way, or go back", \
      "Esc") \
    A(RECOVERY_CODE, "recovery-code", CTX_LOGIN, NULL, "recovery code", \
      "use a one-time recovery code instead of the app's code", "C-r") \
    /* A shared front-desk terminal: the next person ends the locked session. */ \
    A(NOT_YOU, "not-you", CTX_LOCK, NULL, "not you? sign out", \
      "sign the locked session out, for the next person at this terminal", "C-o") \
    /* --- account security (issue 10): the Security tab, enrollment, the codes.
     * Each key shows only where it applies (the screens' allowed hooks). --- */ \
    A(MFA_ENROLL, "mfa-enroll", CTX_SECURITY, "mfa.self", "turn on 2FA", \
      "turn two-factor on, with an authenticator app", "e") \
    A(MFA_CODES, "mfa-codes", CTX_SECURITY, "mfa.self", "new codes", \
      "new recovery codes (the ones you have stop working)", "c") \
    A(MFA_DISABLE, "mfa-disable", CTX_SECURITY, "mfa.self", "turn off 2FA", \
      "turn two-factor off (asks a current code)", "D") \
    A(PASSWORD, "password", CTX_SECURITY, NULL, "password", \
      "change your password (your other sessions end)", "p") \
    A(SESSION_REVOKE, "session-revoke", CTX_SECURITY, "session.self", "end session", \
      "end the session under the cursor (this one: signs you out)", "x") \
    A(SIGN_OUT_EVERYWHERE, "sign-out-everywhere", CTX_SECURITY, "session.self", \
      "sign out everywhere", "end every other session of your account, or all of them", "O") \
    /* Where the code field has the keyboard, letters are the field's. */ \
    A(ENROLL_SIGN_OUT, "enroll-sign-out", CTX_ENROLL, NULL, "sign out", \
      "sign out instead of turning two-factor on", "C-o") \
    A(SHOW_URI, "show-uri", CTX_ENROLL, NULL, "show link", \
      "show the otpauth:// link, for an app that takes it pasted", "C-t") \
    A(CODES_WRITE, "codes-write", CTX_CODES, NULL, "write to a file", \
      "write the codes to a new file that only you can read (mode 0600)", "w") \
    A(CODES_DONE, "codes-done", CTX_CODES, NULL, "saved them", \
      "you have saved the codes: go on (they are not shown again)", "Enter") \
    /* --- end of account security --- */ \
    A(UP, "up", CTX_LIST | CTX_HELP, NULL, NULL, "move up", "k Up") \
    A(DOWN, "down", CTX_LIST | CTX_HELP, NULL, NULL, "move down", "j Down") \
    A(PAGE_UP, "page-up", CTX_LIST | CTX_HELP, NULL, NULL, "one page up", "PgUp") \
    A(PAGE_DOWN, "page-down", CTX_LIST | CTX_HELP, NULL, NULL, "one page down", "PgDn") \
    A(TOP, "top", CTX_LIST | CTX_HELP, NULL, NULL, "go to the first row", "g Home") \
    A(BOTTOM, "bottom", CTX_LIST | CTX_HELP, NULL, NULL, "go to the last row", "G End") \
    A(OPEN, "open", CTX_LIST, NULL, "choose", "open or choose the row under the cursor", "Enter") \
    A(REFRESH, "refresh", CTX_HOME | CTX_INBOX | CTX_LEADVIEW | CTX_AUDIT | CTX_TEAM | CTX_SETTINGS \
      | CTX_SECURITY, NULL, "refresh", \
      "ask the database again", "r") \
    A(SIGN_OUT, "sign-out", CTX_HOME, NULL, "sign out", "sign out of this session", "o") \
    A(SWITCH_PRACTICE, "switch-practice", CTX_HOME, NULL, NULL, \
      "choose another of your practices", "p") \
    /* The dialog shows these keys on its buttons. */ \
    A(YES, "yes", CTX_DIALOG, NULL, NULL, "confirm", "y") \
    A(NO, "no", CTX_DIALOG, NULL, NULL, "cancel", "n Esc") \
    A(CLOSE_HELP, "close-help", CTX_HELP, NULL, NULL, "close this help", "Esc q ?")

/* --- generated from the lists above ---------------------------------------- */

#define LUMEN_CTX_BIT_(name) CTX_BIT_##name,
enum lumen_ctx_bit { LUMEN_CONTEXTS(LUMEN_CTX_BIT_) CTX_NBITS };
#undef LUMEN_CTX_BIT_
_Static_assert(CTX_NBITS < 31, "contexts are bits of an int-sized enum");

#define LUMEN_CTX_(name) CTX_##name = 1u << CTX_BIT_##name,
enum lumen_ctx { LUMEN_CONTEXTS(LUMEN_CTX_) CTX_ALL = (1u << CTX_NBITS) - 1 };
#undef LUMEN_CTX_

#define LUMEN_SCOPE_(name, mask) SCOPE_##name = (mask),
enum lumen_scope { LUMEN_SCOPES(LUMEN_SCOPE_) };
#undef LUMEN_SCOPE_

#define LUMEN_ACT_(id, ...) ACT_##id,
enum action_id { LUMEN_ACTIONS(LUMEN_ACT_) ACT_COUNT };
#undef LUMEN_ACT_

#define ACT_IS_TAB(a) ((a) >= ACT_TAB_HOME && (a) <= ACT_TAB_SECURITY)

/* The table for keymap_new(): rows, scopes and CTX_ALL, from the lists. */
extern const struct keymap_table lumen_actions;

#endif
