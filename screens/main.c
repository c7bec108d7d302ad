/* The TUI's wiring: keymap from config, database into the main loop, the
 * header, the idle lock, and the moves between sign-in, picker and home. */
#include "screens/lumen.h"
#include "screens/inbox.h"
#include "screens/wake.h"
#include "screens/actions.h"
#include "screens/screen.h"
#include "client/mem.h"
#include "tui/text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct keymap *screens_keymap(const struct config *cfg, char *err, size_t errlen)
{
    char why[KEYMAP_ERR_MAX];
    struct keymap *km = keymap_new(&lumen_actions, why, sizeof why);
    if (!km) {
        snprintf(err, errlen, "lumen: %s", why);
        return NULL;
    }
    for (size_t i = 0; i < cfg->nkeys; i++) {
        const struct config_keybind *b = &cfg->keys[i];
        if (keymap_bind(km, b->action, b->key, b->line, why, sizeof why) != 0)
            goto fail;
    }
    if (keymap_check(km, why, sizeof why) == 0)
        return km;
fail:
    /* The keymap's messages start "line N: "; put the file in front. */
    snprintf(err, errlen, "%s:%s", cfg->path ? cfg->path : "lumen.conf",
             strncmp(why, "line ", 5) == 0 ? why + 5 : why);
    keymap_free(&km);
    return NULL;
}

/* --- the database in the main loop ------------------------------------ */

static int io_fds(void *ud, struct pollfd *fds, int max, int *timeout_ms)
{
    struct lumen *L = ud;
    long long now = db_now_ms();
    int t = db_timeout_ms(L->db, now);
    struct db *rep = db_replica(L->db);
    int rt = rep ? db_timeout_ms(rep, now) : -1;
    if (rt >= 0 && (t < 0 || rt < t))
        t = rt;
    int poll = wake_timeout_ms(L, now);
    if (poll >= 0 && (t < 0 || poll < t))
        t = poll;
    if (L->timer_fn) {
        long long w = L->timer_at_ms > now ? L->timer_at_ms - now : 0;
        if (t < 0 || w < t)
            t = (int)w;
    }
    if (t >= 0 && (*timeout_ms < 0 || t < *timeout_ms))
        *timeout_ms = t;
    /* fds[0] the primary, fds[1] the replica (fd -1, ignored by poll,
     * while either has no socket). */
    short ev = 0, rev = 0;
    int fd = db_pollfd(L->db, &ev);
    int rfd = rep ? db_pollfd(rep, &rev) : -1;
    if (max < 2 || (fd < 0 && rfd < 0))
        return 0;
    fds[0] = (struct pollfd){ .fd = fd, .events = ev };
    if (!rep)
        return 1;
    fds[1] = (struct pollfd){ .fd = rfd, .events = rev };
    return 2;
}

static void io_service(void *ud, const struct pollfd *fds, int n)
{
    struct lumen *L = ud;
    long long now = db_now_ms();
    /* The replica first: what it hands back is sent by the primary now. */
    struct db *rep = db_replica(L->db);
    if (rep)
        db_service(rep, n > 1 && fds[1].fd >= 0 ? fds[1].revents : 0, now);
    db_service(L->db, n > 0 && fds[0].fd >= 0 ? fds[0].revents : 0, now);
    wake_service(L, now);     /* screens/wake.c */
    if (L->timer_fn && now >= L->timer_at_ms) {
        void (*fn)(void *) = L->timer_fn;
        L->timer_fn = NULL;
        fn(L->timer_ud);
    }
}

void lumen_timer(struct lumen *L, int ms, void (*fn)(void *ud), void *ud)
{
    L->timer_fn = fn;
    L->timer_ud = ud;
    L->timer_at_ms = db_now_ms() + (ms > 0 ? ms : 0);
}

static const char *io_status(void *ud, enum theme_role *role)
{
    struct lumen *L = ud;
    /* Connecting is news, not trouble; losing the connection is trouble. */
    *role = db_trouble(L->db) ? ROLE_ERROR : ROLE_STATUS;
    return db_state_text(L->db, db_now_ms());
}

static bool io_busy(void *ud)
{
    struct lumen *L = ud;
    return db_busy(L->db);
}

/* --- header --------------------------------------------------------------- */

const char *lumen_role_title(const char *role)
{
    if (strcmp(role, "owner") == 0)
        return "Owner";
    if (strcmp(role, "admin") == 0)
        return "Admin";
    if (strcmp(role, "viewer") == 0)
        return "Viewer";
    return "-";
}

/* Lumen | practice | user (role) | tabs.  Nothing of the practice while
 * locked or signed out. */
static void draw_header(void *ud, WINDOW *w, int cols)
{
    struct lumen *L = ud;
    wbkgdset(w, ' ' | theme_attr(ROLE_STATUS));
    werase(w);
    wattrset(w, theme_attr(ROLE_TITLE) | A_REVERSE);
    mvwaddstr(w, 0, 0, " Lumen ");
    bool locked = tui_app_locked(L->app);
    if (locked || !L->me.valid || !L->me.practice_id[0]) {
        wattrset(w, theme_attr(ROLE_STATUS));
        tui_put(w, 0, 7, cols - 7, locked ? " locked" : "", L->tf);
        return;
    }
    char who[600];
    /* Who and where come first; the tabs shrink to make room, and only
     * then does the email go, so the role (what the keys may do) stays in
     * sight. */
    snprintf(who, sizeof who, " %s | %s (%s) ", L->me.practice_name, L->me.email,
             lumen_role_title(L->me.role));
    int tabs_cols = lumen_draw_tabs(L, w, cols, cols - 7 - (int)text_width(who));
    if ((int)text_width(who) > cols - 7 - tabs_cols)
        snprintf(who, sizeof who, " %s (%s)", L->me.practice_name, lumen_role_title(L->me.role));
    wattrset(w, theme_attr(ROLE_STATUS));
    tui_put(w, 0, 7, cols - 7 - tabs_cols, who, L->tf);
}

/* --- the flow ------------------------------------------------------------- */

/* Times are shown on the practice's clock (lumen_format_time): TZ is set
 * to its zone, a name the server sends, so only a plain zone name is taken
 * (no path, no ':' form that reads a file of the server's choosing). */
static void practice_clock(const char *tz)
{
    bool plain = tz[0] && tz[0] != '/' && !strstr(tz, "..");
    for (const char *p = tz; *p && plain; p++)
        plain = (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
                (*p >= '0' && *p <= '9') || strchr("/_+-", *p);
    if (plain)
        setenv("TZ", tz, 1);
    else
        unsetenv("TZ");
    tzset();
}

void lumen_store_me(struct lumen *L, const struct api_me *me)
{
    struct lumen_me *m = &L->me;
    memset(m, 0, sizeof *m);
    m->valid = true;
    snprintf(m->account_id, sizeof m->account_id, "%s", me->account_id);
    snprintf(m->email, sizeof m->email, "%s", me->email);
    snprintf(m->display_name, sizeof m->display_name, "%s", me->display_name);
    snprintf(m->practice_id, sizeof m->practice_id, "%s", me->practice_id);
    snprintf(m->practice_name, sizeof m->practice_name, "%s", me->practice_name);
    snprintf(m->timezone, sizeof m->timezone, "%s", me->timezone);
    snprintf(m->role, sizeof m->role, "%s", me->role);
    m->mfa_enabled = me->mfa_enabled;
    m->mfa_enroll_required = me->mfa_enroll_required;
    m->practice_closed = me->practice_closed_at && me->practice_closed_at[0];
    m->recovery_codes_left = me->recovery_codes_left;
    m->idle_timeout_s = me->idle_timeout_s;
    const char *perms[LUMEN_MAX_PERMS];
    for (size_t i = 0; i < me->npermissions && i < LUMEN_MAX_PERMS; i++) {
        snprintf(m->perms[m->nperms], sizeof m->perms[0], "%s", me->permissions[i]);
        perms[m->nperms] = m->perms[m->nperms];
        m->nperms++;
    }
    keymap_set_permissions(L->km, perms, m->nperms);
    practice_clock(m->timezone);
    wake_listen(L);
    tui_app_dirty(L->app);
}

bool lumen_can(const struct lumen *L, const char *permission)
{
    for (size_t i = 0; i < L->me.nperms; i++)
        if (strcmp(L->me.perms[i], permission) == 0)
            return true;
    return false;
}

void lumen_lock(struct lumen *L, bool by_user)
{
    if (tui_app_locked(L->app) || !L->auth.has_token)
        return;
    /* The help is a passing overlay of one instance: it must not be both
     * beneath the lock and over it. */
    tui_app_close(L->app, L->screens[SCR_HELP]);
    L->locked_by_user = by_user;
    lumen_go(L, SCR_LOCK, NULL);
}

static void on_idle(void *ud)
{
    lumen_lock(ud, false);
}

void lumen_arm_idle(struct lumen *L)
{
    long long s = L->me.idle_timeout_s > 0 ? L->me.idle_timeout_s : 15 * 60;
    if (L->cfg->ui.idle_lock_seconds > 0 && L->cfg->ui.idle_lock_seconds < s)
        s = L->cfg->ui.idle_lock_seconds;
    tui_app_set_idle(L->app, s * 1000, on_idle, L);
}

static void on_practice_count(void *ud, enum api_err err, const struct api_practice *list,
                              size_t n)
{
    struct lumen *L = ud;
    (void)list;
    if (err == API_OK) {
        L->npractices = (int)n;
        tui_app_dirty(L->app);
    }
}

static void on_me_after_sign_in(void *ud, enum api_err err, const struct api_me *me)
{
    struct lumen *L = ud;
    if (err != API_OK) {
        lumen_call_failed(L, err);
        return;
    }
    lumen_store_me(L, me);
    lumen_arm_idle(L);
    /* A closed practice is its Owner's alone until the purge: anyone else
     * is told so now, not by the first call that the database refuses. */
    if (L->me.practice_closed && strcmp(L->me.role, "owner") != 0) {
        lumen_sign_out_call(L);
        lumen_signed_out(L, api_err_message(API_ERR_PRACTICE_CLOSED));
        return;
    }
    if (L->me.mfa_enroll_required) {
        lumen_enroll_required(L);
    } else if (!L->me.practice_id[0]) {
        lumen_go(L, SCR_PICKER, NULL);
    } else {
        lumen_go(L, SCR_HOME, NULL);
        /* Whether "switch practice" has anywhere to go. */
        api_practices(L->db, &L->auth, on_practice_count, L, &L->session_calls);
    }
}

void lumen_signed_in(struct lumen *L)
{
    /* Not the asking screen's: the answer replaces that screen. */
    api_me(L->db, &L->auth, on_me_after_sign_in, L, &L->session_calls);
}

void lumen_sign_out_call(struct lumen *L)
{
    api_logout(L->db, &L->auth, NULL, NULL, &L->sign_out_calls);
}

void lumen_signed_out(struct lumen *L, const char *message)
{
    /* The screens' calls go with the screens (lumen_go below replaces
     * them all, the lock's with lock_reset); the sign-out stays. */
    api_cancel(L->db, &L->session_calls);
    wake_forget(L);
    api_auth_clear(&L->auth);
    memset(&L->me, 0, sizeof L->me);
    keymap_set_permissions(L->km, NULL, 0);     /* the next person's role is unknown */
    L->npractices = 0;
    tui_app_set_idle(L->app, 0, NULL, NULL);
    login_reset(L->screens[SCR_LOGIN], message);
    lumen_go(L, SCR_LOGIN, NULL);
    lock_reset(L->screens[SCR_LOCK]);       /* wipes what was typed there */
    tui_app_unlock(L->app);
}

bool lumen_session_error(void *ud, enum api_err err)
{
    struct lumen *L = ud;
    /* The server's idle expiry is a lock: the password revives the session.
     * Without a session to lock, the caller says what went wrong. */
    if (err == API_ERR_SESSION_IDLE) {
        if (!L->auth.has_token)
            return false;
        lumen_lock(L, false);
        return true;
    }
    /* The practice requires two-factor of an account without it: nothing
     * but enrollment until it is set up, whichever call learnt it. */
    if (err == API_ERR_ENROLL) {
        if (!L->auth.has_token)
            return false;
        lumen_enroll_required(L);
        return true;
    }
    if (!api_err_ends_session(err))
        return false;
    lumen_signed_out(L, api_err_message(err));
    return true;
}

void lumen_call_failed(struct lumen *L, enum api_err err)
{
    if (err != API_ERR_CANCELLED)
        tui_app_message(L->app, ROLE_ERROR, api_err_message(err), 0);
}

/* A screen taken away takes its calls with it (each screen owns its calls
 * by its state), whichever way it went: no screen has to remember. */
static void screen_removed(void *ud, struct tui_screen *s)
{
    struct lumen *L = ud;
    if (s->state)
        api_cancel(L->db, s->state);
}

static void die_hook(void)
{
    tui_app_end_fatal();
}

int screens_run(const struct config *cfg, struct keymap *km)
{
    struct lumen L = { .cfg = cfg, .km = km };
    api_auth_init(&L.auth);
    api_origin_from_env(L.auth.origin, sizeof L.auth.origin);
    enum theme_mode colors = cfg->ui.color == CONFIG_COLOR_NEVER ? THEME_NEVER
                           : cfg->ui.color == CONFIG_COLOR_ALWAYS ? THEME_ALWAYS : THEME_AUTO;
    L.app = tui_app_start(km, CTX_GLOBAL, colors);
    if (!L.app) {
        fprintf(stderr, "lumen: cannot start the terminal (is TERM set?)\n");
        api_auth_free(&L.auth);
        return 1;
    }
    mem_set_fatal_hook(die_hook);
    /* Only now: what libpq prints while connecting must not reach the
     * terminal, and the app has just taken stderr off it. */
    L.db = db_open_with_replica(cfg);
    L.tf = tui_app_text_flags(L.app);
    struct tui_io io = { io_fds, io_service, io_status, io_busy, &L };
    tui_app_set_io(L.app, &io);
    tui_app_set_header(L.app, draw_header, &L);
    for (size_t i = 0; i < SCR_COUNT; i++)
        L.screens[i] = screen_new(&L, lumen_screens[i].ops);
    tui_app_set_global(L.app, lumen_global_action, lumen_global_allowed, &L);
    tui_app_set_removed(L.app, screen_removed, &L);
    api_set_session_hook(lumen_session_error, &L);
    tui_app_set_quit_action(L.app, ACT_QUIT);
    lumen_go(&L, SCR_LOGIN, NULL);

    tui_app_run(L.app);

    if (L.auth.has_token)               /* leaving signs this session out */
        lumen_sign_out_call(&L);
    /* The terminal is given back now; the app and the screens live on
     * until db_close has called back every call that is left. */
    tui_app_end(L.app);
    /* Give the sign-out a moment to leave, without holding the user up
     * (a lost connection ends the wait at once); db_close answers the rest. */
    db_drain(L.db, 1000);
    db_close(&L.db);
    api_set_session_hook(NULL, NULL);     /* L goes out of scope */
    for (size_t i = 0; i < SCR_COUNT; i++)
        screen_free(&L.screens[i]);
    tui_app_free(&L.app);
    api_auth_free(&L.auth);
    mem_set_fatal_hook(NULL);
    return 0;
}
