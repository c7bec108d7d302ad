/* What every screen shares: the config, the database, who is signed in,
 * the app, and the screens themselves.  One struct lumen lives for the
 * whole TUI run (screens_run); screens find it through their state.
 *
 * Flow: login -> (picker, when the account has several practices) -> home.
 * Any call that answers "session over" (api_err_ends_session) leads back
 * to login, and one that answers "idle" to the lock, in one place:
 * lumen_session_error, the api's session hook.  The idle timer puts up
 * the lock (tui_app_lock), which hides everything until the password is
 * given again, whatever answers land beneath it meanwhile.              */
#ifndef LUMEN_SCREENS_LUMEN_H
#define LUMEN_SCREENS_LUMEN_H

#include <stdbool.h>

#include "client/api.h"
#include "client/config.h"
#include "client/db.h"
#include "screens/registry.h"
#include "tui/app.h"

#define LUMEN_MAX_PERMS 32

/* A copy of api.me, kept while signed in. */
struct lumen_me {
    bool valid;
    char account_id[40];
    char email[256];
    char display_name[256];
    char practice_id[40];
    char practice_name[256];
    char timezone[64];
    char role[16];
    bool mfa_enabled;
    bool mfa_enroll_required;   /* the practice requires 2FA, the account has none */
    bool practice_closed;       /* the Owner's danger zone: closed, purge pending */
    int recovery_codes_left;    /* -1 without 2FA */
    int idle_timeout_s;
    char perms[LUMEN_MAX_PERMS][40];
    size_t nperms;
};

struct lumen {
    const struct config *cfg;
    struct db *db;
    struct api_auth auth;
    struct tui_app *app;
    struct keymap *km;          /* told the session's permissions (lumen_store_me) */
    unsigned tf;                /* tui/text.h flags for this terminal */
    struct lumen_me me;
    int npractices;             /* of the account; 0 until known */
    bool locked_by_user;        /* the lock is up because of C-x, not idleness */
    struct tui_screen *screens[SCR_COUNT];     /* one of each, by registry id */
    /* Owners (api_cancel) of the calls that outlive the screen that made
     * them; every other call is owned by its screen's state and cancelled
     * by the framework when that screen is taken away (screens_run's
     * tui_app_set_removed).  SESSION_CALLS: the end of the sign-in sequence
     * (api.me, the practice count), asked from login or the picker and
     * answered on the next screen; they end with the session.
     * SIGN_OUT_CALLS: the sign-out, which must still reach the server after
     * the session and all its screens are gone. */
    char session_calls, sign_out_calls;
    /* Wake-ups (screens/wake.c): the poll's next tick, when LISTEN does
     * not work; the api.session_state under way, owned by WAKE_CALLS. */
    long long wake_at_ms;
    bool wake_pending, wake_again;
    char wake_calls;
    unsigned connections;       /* db_connections() when last looked */
    /* lumen_timer's one slot. */
    void (*timer_fn)(void *ud);
    void *timer_ud;
    long long timer_at_ms;
};

/* Runs the TUI with this config and keymap; returns the exit status.  The
 * keymap is told each session's permissions, so it is not const. */
int screens_run(const struct config *cfg, struct keymap *km);

/* Loads the keymap: the built-in table, then cfg's [keys].  NULL with a
 * "FILE:LINE: message" in err on an error. */
struct keymap *screens_keymap(const struct config *cfg, char *err, size_t errlen);

/* After sign-in (and the second factor): fetch who we are, then go on. */
void lumen_signed_in(struct lumen *L);
/* Back to sign-in with MESSAGE (may be NULL); forgets the session. */
void lumen_signed_out(struct lumen *L, const char *message);
/* Signs the session out on the server, a call no screen's leaving cancels;
 * the token is wiped as it is queued.  Then lumen_signed_out, usually. */
void lumen_sign_out_call(struct lumen *L);
/* The api's session hook (api_set_session_hook): the one place where a
 * session that ended (back to sign-in with the server's reason) or went
 * idle on the server (the lock) is dealt with, whichever call learnt it. */
bool lumen_session_error(void *L, enum api_err err);
/* A failed call's note on the status row (nothing when cancelled); the
 * session's end never gets here, lumen_session_error took it. */
void lumen_call_failed(struct lumen *L, enum api_err err);
/* Copies api.me into L->me, and its permissions into the keymap: keys of
 * actions the role may not take disappear from every screen. */
void lumen_store_me(struct lumen *L, const struct api_me *me);
bool lumen_can(const struct lumen *L, const char *permission);
/* api.me was read again and differs (a role changed elsewhere): the
 * screens in hand redraw, and a tab the role may no longer open gives way
 * to Home. */
void lumen_me_changed(struct lumen *L);
/* Reads api.me again (after a change of one's own role or settings); what
 * differs follows as after a wake-up (screens/wake.c). */
void lumen_refresh_me(struct lumen *L);
/* The practice requires two-factor and this account has none: nothing but
 * enrollment (or signing out) until it is set up (screens/enroll.c). */
void lumen_enroll_required(struct lumen *L);
/* "Owner", "Admin", "Viewer" for a role as the database names it. */
const char *lumen_role_title(const char *role);
/* Puts the lock screen over everything (tui_app_lock), when signed in and
 * not locked yet; BY_USER: asked for (C-x), not for idleness. */
void lumen_lock(struct lumen *L, bool by_user);
/* Arms the idle lock from the practice's timeout (or the config's). */
void lumen_arm_idle(struct lumen *L);

/* FN(UD) once, MS milliseconds from now, from the main loop; replaces
 * the one set before (NULL FN: none).  For a pause in typing. */
void lumen_timer(struct lumen *L, int ms, void (*fn)(void *ud), void *ud);

/* Step-up: the server wants a proof of the password newer than 10
 * minutes (API_ERR_STEP_UP) before WHY ("Exporting leads") is done.  Asks
 * for it over the screen in hand and calls REPLAY(UD) once it is given;
 * Esc gives up (the status row says nothing was done). */
void lumen_step_up(struct lumen *L, const char *why, void (*replay)(void *ud), void *ud);

/* A timestamp as the server sends it (UTC, ISO) in the practice's time
 * zone: "2026-11-30 14:05"; the text as sent when it does not parse. */
void lumen_format_time(const struct lumen *L, const char *ts, char *buf, size_t size);

/* Every navigation: puts screen ID on screen as the registry says (a tab
 * replaces the stack, the picker is pushed, help and dialogs overlay),
 * after its open(ARG).  While locked it all happens beneath the lock.
 * -1 when the stack is full (the status row says so). */
int lumen_go(struct lumen *L, enum screen_id id, void *arg);
/* The loop's global handler and filter (tui_app_set_global): help, redraw,
 * lock, quit and the tabs, for whatever the screen on top leaves. */
enum tui_result lumen_global_action(void *ud, struct tui_screen *top, int action);
bool lumen_global_allowed(void *ud, int action);
/* Draws the role's tabs at the right of the header row, with their titles
 * when ROOM columns allow, else compact; returns the columns used. */
int lumen_draw_tabs(const struct lumen *L, WINDOW *w, int cols, int room);

/* --- account security (issue 10; screens/enroll.c) ---------------------- */
/* The server answered LMS07 (API_ERR_ENROLL: the practice requires
 * two-factor and the account has none) or api.me says enrollment is owed:
 * the enrollment screen, saying why, offering nothing but turning
 * two-factor on or signing out.  Once it is on and the recovery codes are
 * saved, lumen_signed_in (api.me again, then home). */
void lumen_enroll_required(struct lumen *L);
/* --- end of account security --------------------------------------------- */

/* Resets the sign-in screen, with an optional message. */
void login_reset(struct tui_screen *s, const char *message);
/* Empties the email too: the next person at the terminal is someone else. */
void login_forget_email(struct tui_screen *s);
/* Forgets what was typed on the lock screen (wiped) and any call of it. */
void lock_reset(struct tui_screen *s);

#endif
