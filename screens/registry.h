/* Every screen of Lumen, declared once (an X-macro, as the actions are):
 * the enum of screen ids, the instances screens_run makes, how lumen_go
 * puts each on screen, and the tab bar all come from LUMEN_SCREENS.
 *
 * A new tab is one line here plus its file, screens/<name>.c, which
 * defines `const struct screen_ops <name>_ops` (with its contexts in
 * actions.h), e.g.:
 *     R(INBOX, inbox, NAV_ROOT, ACT_TAB_INBOX, "Inbox", "lead.read")
 * A tab whose screen is not registered, or whose permission the role
 * lacks, is not in the tab bar, and its key is not offered or taken. */
#ifndef LUMEN_SCREENS_REGISTRY_H
#define LUMEN_SCREENS_REGISTRY_H

#include "screens/actions.h"
#include "tui/app.h"

/* How lumen_go puts a screen on screen. */
enum nav_kind {
    NAV_ROOT,       /* replaces the whole stack (a tab, sign-in) */
    NAV_PUSH,       /* over the current screen; Esc pops it */
    NAV_OVERLAY,    /* over what is shown now, the lock included (help, dialogs) */
    NAV_LOCK,       /* the app-level lock (tui_app_lock) */
};

/* R(ID, name, kind, tab action or -1, tab title, permission or NULL) */
#define LUMEN_SCREENS(R) \
    R(LOGIN, login, NAV_ROOT, -1, NULL, NULL) \
    R(PICKER, picker, NAV_PUSH, -1, NULL, NULL) \
    R(HOME, home, NAV_ROOT, ACT_TAB_HOME, "Home", NULL) \
    R(INBOX, inbox, NAV_ROOT, ACT_TAB_INBOX, "Inbox", "lead.read") \
    R(LEAD, lead, NAV_PUSH, -1, NULL, "lead.read") \
    R(AUDIT, audit, NAV_ROOT, ACT_TAB_AUDIT, "Audit", "audit.read") \
    R(AUDIT_ROW, audit_row, NAV_PUSH, -1, NULL, "audit.read") \
    R(TEAM, team, NAV_ROOT, ACT_TAB_TEAM, "Team", "team.read") \
    R(SETTINGS, settings, NAV_PUSH, -1, NULL, "practice.settings") \
    R(NOTIFYSET, notifyset, NAV_PUSH, -1, NULL, "practice.settings") \
    /* --- account security (issue 10): the tab, then what it opens --- */ \
    R(SECURITY, security, NAV_ROOT, ACT_TAB_SECURITY, "Security", "mfa.self") \
    R(ENROLL, enroll, NAV_ROOT, -1, NULL, NULL) \
    R(RECOVERY_CODES, recovery_codes, NAV_ROOT, -1, NULL, NULL) \
    R(PASSWORD, password, NAV_PUSH, -1, NULL, NULL) \
    /* --- end of account security --- */ \
    R(LOCK, lock, NAV_LOCK, -1, NULL, NULL) \
    R(STEPUP, stepup, NAV_OVERLAY, -1, NULL, NULL) \
    R(HELP, help, NAV_OVERLAY, -1, NULL, NULL) \
    R(CONFIRM, confirm, NAV_OVERLAY, -1, NULL, NULL) \
    R(PROMPT, prompt, NAV_OVERLAY, -1, NULL, NULL) \
    R(MENU, menu, NAV_OVERLAY, -1, NULL, NULL)

#define LUMEN_SCR_ID_(id, ...) SCR_##id,
enum screen_id { LUMEN_SCREENS(LUMEN_SCR_ID_) SCR_COUNT };
#undef LUMEN_SCR_ID_

#define LUMEN_SCR_OPS_(id, name, ...) extern const struct screen_ops name##_ops;
LUMEN_SCREENS(LUMEN_SCR_OPS_)
#undef LUMEN_SCR_OPS_

struct screen_entry {
    enum screen_id id;
    const struct screen_ops *ops;
    enum nav_kind kind;
    int tab;                    /* its ACT_TAB_*, or -1: not a tab */
    const char *title;          /* in the tab bar */
    const char *perm;           /* api.me permission to see it, or NULL */
};

extern const struct screen_entry lumen_screens[SCR_COUNT];

#endif
