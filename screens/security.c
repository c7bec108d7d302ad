/* The Security tab (screens/security.h): the account's own security, for
 * every role.  Two-factor on or off and the recovery codes left (api.me),
 * the password, and the account's sessions (api.sessions) in a table:
 * when each signed in, when it was last active, the address the server
 * saw, the SSH origin its client reported, the client, this one marked.
 * The keys (secact.c) show only where they apply: no "turn on" when
 * two-factor is on, no "new codes" or "turn off" when it is off.
 *
 * The sessions are a short list held whole (an account has a handful):
 * a vlist does the cursor arithmetic and tui/table.h draws it, two rows a
 * move, as the practice picker does. */
#include "screens/actions.h"
#include "screens/common.h"
#include "screens/screen.h"
#include "screens/secact.h"
#include "screens/security.h"
#include "client/mem.h"
#include "tui/table.h"
#include "tui/text.h"
#include "tui/vlist.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SEC_X 2
#define SEC_TABLE_Y 8           /* title, rule, account, 2FA, codes, password, blank, heading */

enum { C_THIS, C_CREATED, C_ACTIVE, C_ADDR, C_ORIGIN, C_CLIENT, C_COUNT };

static const struct table_column sec_cols[C_COUNT] = {
    [C_THIS] = { "", 4, 0, 0, TABLE_LEFT },             /* "this", "idle" */
    [C_CREATED] = { "Signed in", 11, 0, 0, TABLE_LEFT },      /* "12-01 14:05": 12 h at most */
    [C_ACTIVE] = { "Last active", 11, 0, 0, TABLE_LEFT },     /* "59 min ago" */
    [C_ADDR] = { "Address", 0, 3, 9, TABLE_LEFT },
    [C_ORIGIN] = { "SSH origin", 0, 3, 10, TABLE_LEFT },
    [C_CLIENT] = { "Client", 11, 0, 0, TABLE_LEFT },         /* "lumen 0.9.0" */
};

struct sec_row {
    char id[40];
    char created[32], active[32];
    char *addr, *origin, *client;
    bool current, idle;
};

struct security {
    struct lumen *L;
    bool me_known;
    bool mfa_on;
    int codes_left;             /* -1: not known */
    struct sec_row *rows;
    size_t n;
    bool loading;
    char err[200];
    struct vlist list;          /* cursor arithmetic only */
    struct table table;
    unsigned long version;
    int h, cols;
    struct secact act;
    char note[300];             /* how the last change went, on the line above the sessions */
    enum theme_role note_role;
};

/* --- data ------------------------------------------------------------------- */

static void rows_free(struct security *st)
{
    for (size_t i = 0; i < st->n; i++) {
        free(st->rows[i].addr);
        free(st->rows[i].origin);
        free(st->rows[i].client);
    }
    free(st->rows);
    st->rows = NULL;
    st->n = 0;
}

static void on_me(void *ud, enum api_err err, const struct api_me *me)
{
    struct security *st = ud;
    if (err != API_OK) {
        lumen_call_failed(st->L, err);
        return;
    }
    st->me_known = true;
    st->mfa_on = me->mfa_enabled;
    st->codes_left = me->mfa_enabled ? me->recovery_codes_left : -1;
    lumen_store_me(st->L, me);      /* the lock asks for a code when 2FA is on */
    tui_app_dirty(st->L->app);
}

/* "now", "12 min ago", "3 h ago", "5 d ago" from a UTC timestamp. */
static void ago(const char *ts, char *buf, size_t size)
{
    struct tm tm = { 0 };
    int y, mo, d, h, mi, sec;
    if (!ts || sscanf(ts, "%4d-%2d-%2d%*[ T]%2d:%2d:%2d", &y, &mo, &d, &h, &mi, &sec) != 6) {
        snprintf(buf, size, "%s", ts ? ts : "");
        return;
    }
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = sec;
    long long s = (long long)difftime(time(NULL), timegm(&tm));
    if (s < 60)
        snprintf(buf, size, "now");
    else if (s < 3600)
        snprintf(buf, size, "%lld min ago", s / 60);
    else if (s < 86400)
        snprintf(buf, size, "%lld h ago", s / 3600);
    else
        snprintf(buf, size, "%lld d ago", s / 86400);
}

static void on_sessions(void *ud, enum api_err err, const struct api_session_row *s, size_t n)
{
    struct security *st = ud;
    st->loading = false;
    if (err != API_OK) {
        snprintf(st->err, sizeof st->err, "%s", api_err_message(err));
        lumen_call_failed(st->L, err);
        tui_app_dirty(st->L->app);
        return;
    }
    st->err[0] = '\0';
    char keep[40] = "";
    size_t cur;
    if (vlist_cursor(&st->list, &cur) && cur < st->n)
        snprintf(keep, sizeof keep, "%s", st->rows[cur].id);
    rows_free(st);
    st->rows = mem_alloc((n ? n : 1) * sizeof *st->rows);
    size_t at = 0;
    for (size_t i = 0; i < n; i++) {
        struct sec_row *r = &st->rows[i];
        snprintf(r->id, sizeof r->id, "%s", s[i].id);
        lumen_format_time(st->L, s[i].created_at, r->created, sizeof r->created);
        if (strlen(r->created) == 16)       /* "2026-12-01 14:05": the year goes */
            memmove(r->created, r->created + 5, 12);
        ago(s[i].last_seen_at, r->active, sizeof r->active);
        r->addr = mem_strdup(s[i].server_addr[0] ? s[i].server_addr : "local");
        r->origin = mem_strdup(s[i].reported_origin[0] ? s[i].reported_origin : "-");
        r->client = mem_strdup(s[i].client_version[0] ? s[i].client_version : "-");
        r->current = s[i].current;
        r->idle = s[i].locked;
        if (keep[0] && strcmp(keep, r->id) == 0)
            at = i;
    }
    st->n = n;
    st->version++;
    vlist_set_count(&st->list, n);
    vlist_set_cursor(&st->list, at);
    tui_app_dirty(st->L->app);
}

static void load(struct security *st)
{
    struct lumen *L = st->L;
    api_cancel(L->db, st);
    st->loading = true;
    api_me(L->db, &L->auth, on_me, st, st);
    api_sessions(L->db, &L->auth, on_sessions, st, st);
}

void security_note(struct lumen *L, enum theme_role role, const char *text)
{
    struct tui_screen *s = L->screens[SCR_SECURITY];
    struct security *st = s ? s->state : NULL;
    if (!st)
        return;
    snprintf(st->note, sizeof st->note, "%s", text ? text : "");
    st->note_role = role;
    tui_app_dirty(L->app);
}

void security_changed(struct lumen *L)
{
    struct tui_screen *s = L->screens[SCR_SECURITY];
    if (s && s->state)
        load(s->state);
}

/* --- drawing ---------------------------------------------------------------- */

static unsigned row_cells(void *ud, int64_t i, struct table_cell *c)
{
    struct security *st = ud;
    const struct sec_row *r = &st->rows[i];
    if (r->current) {
        c[C_THIS].text = "this";
        c[C_THIS].attr = A_BOLD;
    } else if (r->idle) {
        c[C_THIS].text = "idle";
        c[C_THIS].role = ROLE_DIM;
    }
    c[C_CREATED].text = r->created;
    c[C_ACTIVE].text = r->active;
    c[C_ADDR].text = r->addr;
    c[C_ORIGIN].text = r->origin;
    c[C_CLIENT].text = r->client;
    if (r->current)
        for (int k = C_CREATED; k < C_COUNT; k++)
            c[k].attr = A_BOLD;
    return 0;
}

static int draw_table(struct security *st, WINDOW *w)
{
    struct table_rect rect = { SEC_TABLE_Y, SEC_X, st->h - SEC_TABLE_Y, st->cols - 2 * SEC_X };
    struct table_view view = { 0 };
    size_t cur;
    if (rect.h < 2 || rect.w < 1)
        return 0;
    if (vlist_cursor(&st->list, &cur)) {
        size_t top = vlist_top(&st->list), left = st->n - top;
        view.first = (int64_t)top;
        view.rows = left < (size_t)(rect.h - 1) ? (int)left : rect.h - 1;
        view.cursor = (int64_t)cur;
        view.has_cursor = true;
    }
    view.version = st->version;
    view.empty = st->loading ? NULL : "No session (this one is not listed?): r asks again.";
    return table_draw(&st->table, w, &rect, &view, row_cells, st);
}

/* "  Label       value" with the value in ROLE; KEYS (dim) after it. */
static void fact(struct security *st, WINDOW *w, int y, const char *label, const char *value,
                 enum theme_role role, attr_t attr, const char *keys)
{
    int x = SEC_X + 14, room = st->cols - x - SEC_X;
    wattrset(w, theme_attr(ROLE_DIM));
    mvwaddstr(w, y, SEC_X, label);
    wattrset(w, theme_attr(role) | attr);
    tui_put(w, y, x, room, value, st->L->tf);
    int vw = (int)text_width(value) + 2;
    if (keys && keys[0] && vw < room) {
        wattrset(w, theme_attr(ROLE_DIM));
        tui_put(w, y, x + vw, room - vw, keys, st->L->tf);
    }
    wattrset(w, theme_attr(ROLE_NORMAL));
}

/* "(e turns it on)": the key as [keys] binds it, or nothing. */
static void key_words(struct security *st, char *buf, size_t size, int a1, const char *w1,
                      int a2, const char *w2)
{
    char k1[KEYMAP_NAME_MAX] = "", k2[KEYMAP_NAME_MAX] = "";
    if (a1 >= 0)
        common_key_name(st->L, a1, false, k1, sizeof k1);
    if (a2 >= 0)
        common_key_name(st->L, a2, false, k2, sizeof k2);
    if (k1[0] && k2[0])
        snprintf(buf, size, "(%s %s, %s %s)", k1, w1, k2, w2);
    else if (k1[0] || k2[0])
        snprintf(buf, size, "(%s %s)", k1[0] ? k1 : k2, k1[0] ? w1 : w2);
    else
        buf[0] = '\0';
}

static void security_draw(struct tui_screen *s, WINDOW *w, int h, int cols)
{
    struct security *st = s->state;
    struct lumen *L = st->L;
    char buf[400], keys[200];
    st->h = h;
    st->cols = cols;
    wattrset(w, theme_attr(ROLE_TITLE));
    tui_put(w, 0, 0, cols, " Account security: your sign-in and where you are signed in", L->tf);
    const char *right = st->err[0] ? st->err : st->loading ? "loading..." : NULL;
    if (right) {
        int rw = (int)text_width(right) + 1;
        if (rw > cols / 2)
            rw = cols / 2;
        wattrset(w, theme_attr(st->err[0] ? ROLE_ERROR : ROLE_DIM) | A_BOLD);
        tui_put(w, 0, cols - rw, rw, right, L->tf);
    }
    wattrset(w, theme_attr(ROLE_BORDER));
    mvwhline(w, 1, 0, ACS_HLINE, cols);

    fact(st, w, 2, "Account", L->me.email, ROLE_NORMAL, 0, NULL);
    if (!st->me_known) {
        fact(st, w, 3, "Two-factor", "...", ROLE_DIM, 0, NULL);
    } else if (st->mfa_on) {
        key_words(st, keys, sizeof keys, ACT_MFA_CODES, "new codes", ACT_MFA_DISABLE,
                  "turns it off");
        fact(st, w, 3, "Two-factor", "on", ROLE_OK, A_BOLD, keys);
        if (st->codes_left >= 0)
            snprintf(buf, sizeof buf, "%d left%s", st->codes_left,
                     st->codes_left <= 3 ? ": make new ones soon" : "");
        else
            snprintf(buf, sizeof buf, "-");
        fact(st, w, 4, "Recovery codes", buf, st->codes_left >= 0 && st->codes_left <= 3
             ? ROLE_ERROR : ROLE_NORMAL, 0, NULL);
    } else {
        key_words(st, keys, sizeof keys, ACT_MFA_ENROLL, "turns it on", -1, NULL);
        fact(st, w, 3, "Two-factor", "off", ROLE_ERROR, A_BOLD, keys);
        fact(st, w, 4, "", "your password alone signs you in", ROLE_DIM, 0, NULL);
    }
    key_words(st, keys, sizeof keys, ACT_PASSWORD, "changes it", -1, NULL);
    fact(st, w, 5, "Password", "set", ROLE_NORMAL, 0, keys);

    if (st->note[0])
        fact(st, w, 6, "", st->note, st->note_role, A_BOLD, NULL);
    key_words(st, keys, sizeof keys, ACT_SESSION_REVOKE, "ends one", ACT_SIGN_OUT_EVERYWHERE,
              "signs out everywhere");
    snprintf(buf, sizeof buf, "Sessions of your account (%zu)", st->n);
    wattrset(w, theme_attr(ROLE_TITLE));
    tui_put(w, 7, SEC_X, cols - 2 * SEC_X, buf, L->tf);
    int bw = (int)text_width(buf) + 2;
    if (keys[0] && SEC_X + bw < cols - SEC_X) {
        wattrset(w, theme_attr(ROLE_DIM));
        tui_put(w, 7, SEC_X + bw, cols - 2 * SEC_X - bw, keys, L->tf);
    }
    wattrset(w, theme_attr(ROLE_NORMAL));
    table_invalidate(&st->table);
    draw_table(st, w);
}

static int security_draw_rows(struct tui_screen *s, WINDOW *w, int first, int last, int cols)
{
    struct security *st = s->state;
    (void)first, (void)last, (void)cols;
    return draw_table(st, w);
}

static void security_layout(struct tui_screen *s, int h, int cols)
{
    struct security *st = s->state;
    int rows = h - SEC_TABLE_Y - 1;
    st->h = h;
    st->cols = cols;
    vlist_resize(&st->list, rows > 1 ? rows : 1);
    table_invalidate(&st->table);
}

/* --- keys ------------------------------------------------------------------- */

static enum tui_result security_action(struct tui_screen *s, int action)
{
    struct security *st = s->state;
    size_t i;
    if (list_screen_move(&st->list, action, false))
        return list_screen_moved(s, SEC_TABLE_Y);
    switch (action) {
    case ACT_REFRESH:
        load(st);
        return TUI_REDRAW;
    case ACT_CANCEL:
    case ACT_OPEN:
        return TUI_HANDLED;     /* a root tab; a session has no page of its own */
    }
    if (!secact_handles(action))
        return TUI_UNHANDLED;
    if (vlist_cursor(&st->list, &i) && i < st->n) {
        const struct sec_row *r = &st->rows[i];
        char label[200];
        snprintf(label, sizeof label, "signed in %s from %s%s%s", r->created, r->addr,
                 strcmp(r->origin, "-") ? " (SSH from " : "", strcmp(r->origin, "-") ? r->origin : "");
        if (strcmp(r->origin, "-"))
            snprintf(label + strlen(label), sizeof label - strlen(label), ")");
        secact_target(&st->act, r->id, r->current, label);
    } else {
        secact_target(&st->act, "", false, NULL);
    }
    secact_action(&st->act, action);
    return TUI_REDRAW;
}

/* Keys only where they apply. */
static bool security_allowed(struct tui_screen *s, int action)
{
    struct security *st = s->state;
    switch (action) {
    case ACT_MFA_ENROLL:
        return st->me_known && !st->mfa_on;
    case ACT_MFA_CODES:
    case ACT_MFA_DISABLE:
        return st->me_known && st->mfa_on;
    case ACT_SESSION_REVOKE:
        return st->n > 0;
    case ACT_OPEN:
    case ACT_CANCEL:
        return false;
    }
    return true;
}

/* --- life ------------------------------------------------------------------- */

static void changed(void *ud)
{
    load(ud);
}

static void security_open(struct tui_screen *s, void *arg)
{
    struct security *st = s->state;
    (void)arg;
    /* Nothing of another person's stays: what shows is asked afresh. */
    rows_free(st);
    st->version++;
    vlist_set_count(&st->list, 0);
    st->me_known = false;
    st->codes_left = -1;
    st->err[0] = '\0';
    st->note[0] = '\0';
    load(st);
}

static void security_removed(struct tui_screen *s)
{
    struct security *st = s->state;
    api_cancel(st->L->db, &st->act);
}

static void security_destroy(struct tui_screen *s)
{
    struct security *st = s->state;
    secact_free(&st->act);
    rows_free(st);
}

static size_t src_count(void *ud) { return ((struct security *)ud)->n; }

static void security_init(struct tui_screen *s)
{
    struct security *st = s->state;
    st->L = s->ud;
    st->codes_left = -1;
    struct vlist_source src = { src_count, NULL, NULL, st };
    vlist_init(&st->list, &src, 1, st->L->tf);
    table_init(&st->table, sec_cols, C_COUNT, 0, st->L->tf);
    secact_init(&st->act, st->L, changed, st);
}

const struct screen_ops security_ops = {
    .name = "security",
    .state_size = sizeof(struct security),
    .init = security_init,
    .open = security_open,
    .removed = security_removed,
    .layout = security_layout,
    .ctx = SCOPE_SECURITY,
    .draw = security_draw,
    .draw_rows = security_draw_rows,
    .action = security_action,
    .allowed = security_allowed,
    .destroy = security_destroy,
};

void security_key_groups(const char *key, char *buf, size_t size)
{
    size_t o = 0, k = 0;
    if (!size)
        return;
    for (const char *p = key; *p && o + 2 < size; p++) {
        if (*p == ' ' || *p == '=')
            continue;
        if (k && k % 4 == 0)
            buf[o++] = ' ';
        buf[o++] = *p;
        k++;
    }
    buf[o] = '\0';
}
