/* The team (tab 4): the practice's members and, for those who may invite,
 * the invites not yet accepted.  One cursor runs down both tables (the
 * members, then the invites), and the keys follow the row under it: an
 * invite can be resent or revoked, a member promoted, demoted, removed or
 * made Owner -- each key only for a role that may, and only on a row it
 * applies to (team_allowed), so the Owner's own row offers none of
 * remove or demote.  The database decides anyway (db/api/80_team.sql);
 * the screen only leaves out keys that could only be refused.
 *
 * Names and emails are whatever people typed: every cell goes through the
 * table's sanitizer.  A role changed elsewhere reaches this screen through
 * the wake-up (screens/wake.c -> lumen_me_changed -> team_changed). */
#include "screens/actions.h"
#include "screens/audit.h"
#include "screens/screen.h"
#include "screens/team.h"
#include "screens/teamact.h"
#include "client/mem.h"
#include "tui/table.h"
#include "tui/text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define TEAM_TOP 2              /* the title line and a rule */
#define TEAM_MAX_ROWS 1000      /* a small practice's team; more are not shown */

struct team {
    struct lumen *L;
    struct team_member *m;
    size_t nm;
    struct team_invite *inv;
    size_t ni;
    bool invites_shown;         /* the role may see invites (member.invite) */
    bool loading;
    char err[200];
    long cursor;                /* over members, then invites */
    long first_m, first_i;      /* the first row in view of each table */
    unsigned long version;
    struct table tm, ti;
    struct teamact act;
};

static const struct table_column member_cols[] = {
    { "Name", 0, 3, 10, TABLE_LEFT },
    { "Email", 0, 5, 12, TABLE_LEFT },
    { "Role", 6, 0, 0, TABLE_LEFT },
    { "2FA", 3, 0, 0, TABLE_LEFT },
    { "Last active", 16, 0, 0, TABLE_LEFT },
    { "Since", 10, 0, 0, TABLE_LEFT },
};
static const struct table_column invite_cols[] = {
    { "Invited email", 0, 3, 12, TABLE_LEFT },
    { "Role", 7, 0, 0, TABLE_LEFT },
    { "Invited by", 0, 2, 8, TABLE_LEFT },
    { "Sent", 16, 0, 0, TABLE_LEFT },
    { "Expires", 16, 0, 0, TABLE_LEFT },
};
#define NCOLS(a) ((int)(sizeof (a) / sizeof (a)[0]))

/* --- loading ------------------------------------------------------------- */

static void copy(char *dst, size_t size, const char *src)
{
    snprintf(dst, size, "%s", src ? src : "");
}

static void clamp_cursor(struct team *st)
{
    long n = (long)(st->nm + st->ni);
    if (st->cursor >= n)
        st->cursor = n - 1;
    if (st->cursor < 0)
        st->cursor = 0;
}

static void on_members(void *ud, enum api_err err, const struct api_team_member *list,
                       size_t count)
{
    struct team *st = ud;
    st->loading = false;
    if (err != API_OK) {
        snprintf(st->err, sizeof st->err, "%s", api_err_message(err));
        lumen_call_failed(st->L, err);
        tui_app_dirty(st->L->app);
        return;
    }
    /* Keep the cursor on the same person across a refresh. */
    char keep[40] = "";
    if (st->cursor < (long)st->nm)
        copy(keep, sizeof keep, st->m[st->cursor].account_id);
    size_t n = count > TEAM_MAX_ROWS ? TEAM_MAX_ROWS : count;
    free(st->m);
    st->m = mem_alloc((n ? n : 1) * sizeof *st->m);
    st->nm = n;
    for (size_t i = 0; i < n; i++) {
        const struct api_team_member *r = &list[i];
        struct team_member *m = &st->m[i];
        copy(m->account_id, sizeof m->account_id, r->account_id);
        copy(m->name, sizeof m->name, r->display_name);
        copy(m->email, sizeof m->email, r->email);
        copy(m->role, sizeof m->role, r->role);
        m->mfa = r->mfa_enabled;
        m->self = r->is_self;
        if (!r->last_active_at[0])
            copy(m->last_active, sizeof m->last_active, "never");
        else
            lumen_format_time(st->L, r->last_active_at, m->last_active, sizeof m->last_active);
        lumen_format_time(st->L, r->member_since, m->since, sizeof m->since);
        m->since[10] = '\0';    /* the day is enough */
        if (keep[0] && strcmp(keep, m->account_id) == 0)
            st->cursor = (long)i;
    }
    st->err[0] = '\0';
    st->version++;
    clamp_cursor(st);
    tui_app_dirty(st->L->app);
}

static void on_invites(void *ud, enum api_err err, const struct api_invite *list, size_t count)
{
    struct team *st = ud;
    if (err != API_OK) {
        /* A role changed under us (demoted: no invites); the members stay. */
        if (err != API_ERR_CANCELLED && err != API_ERR_DENIED)
            lumen_call_failed(st->L, err);
        st->ni = 0;
        tui_app_dirty(st->L->app);
        return;
    }
    size_t n = count > TEAM_MAX_ROWS ? TEAM_MAX_ROWS : count;
    free(st->inv);
    st->inv = mem_alloc((n ? n : 1) * sizeof *st->inv);
    st->ni = n;
    for (size_t i = 0; i < n; i++) {
        const struct api_invite *r = &list[i];
        struct team_invite *v = &st->inv[i];
        copy(v->id, sizeof v->id, r->id);
        copy(v->email, sizeof v->email, r->email);
        copy(v->role, sizeof v->role, r->role);
        copy(v->by, sizeof v->by, r->invited_by_name);
        lumen_format_time(st->L, r->created_at, v->sent, sizeof v->sent);
        lumen_format_time(st->L, r->expires_at, v->expires, sizeof v->expires);
        v->expired = r->expired;
    }
    st->version++;
    clamp_cursor(st);
    tui_app_dirty(st->L->app);
}

static void load(struct team *st)
{
    struct lumen *L = st->L;
    api_cancel(L->db, st);
    st->loading = true;
    st->invites_shown = lumen_can(L, "member.invite");
    api_team_members(L->db, &L->auth, on_members, st, st);
    if (st->invites_shown)
        api_team_invites(L->db, &L->auth, on_invites, st, st);
    else
        st->ni = 0;
}

/* --- the row under the cursor ------------------------------------------- */

static const struct team_member *cur_member(const struct team *st)
{
    return st->cursor >= 0 && st->cursor < (long)st->nm ? &st->m[st->cursor] : NULL;
}

static const struct team_invite *cur_invite(const struct team *st)
{
    long i = st->cursor - (long)st->nm;
    return i >= 0 && i < (long)st->ni ? &st->inv[i] : NULL;
}

/* --- drawing --------------------------------------------------------------- */

static unsigned member_row(void *ud, int64_t row, struct table_cell *c)
{
    const struct team *st = ud;
    if (row < 0 || row >= (int64_t)st->nm)
        return TABLE_ROW_MISSING;
    const struct team_member *m = &st->m[row];
    c[0].text = m->name;
    c[0].attr = m->self ? A_BOLD : 0;
    c[1].text = m->email;
    c[2].text = lumen_role_title(m->role);
    c[2].attr = strcmp(m->role, "owner") == 0 ? A_BOLD : 0;
    c[3].text = m->mfa ? "on" : "off";
    c[3].role = m->mfa ? ROLE_NORMAL : ROLE_DIM;
    c[4].text = m->last_active;
    c[4].role = ROLE_DIM;
    c[5].text = m->since;
    c[5].role = ROLE_DIM;
    return 0;
}

static unsigned invite_row(void *ud, int64_t row, struct table_cell *c)
{
    const struct team *st = ud;
    if (row < 0 || row >= (int64_t)st->ni)
        return TABLE_ROW_MISSING;
    const struct team_invite *v = &st->inv[row];
    c[0].text = v->email;
    c[1].text = lumen_role_title(v->role);
    c[2].text = v->by;
    c[3].text = v->sent;
    c[3].role = ROLE_DIM;
    c[4].text = v->expired ? "expired" : v->expires;
    c[4].role = v->expired ? ROLE_ERROR : ROLE_DIM;
    return 0;
}

/* Keeps the cursor's row in view of a table of VISIBLE rows from *FIRST. */
static void follow(long *first, long cursor, int visible)
{
    if (visible < 1)
        visible = 1;
    if (cursor < *first)
        *first = cursor;
    if (cursor >= *first + visible)
        *first = cursor - visible + 1;
    if (*first < 0)
        *first = 0;
}

static void team_draw(struct tui_screen *s, WINDOW *w, int h, int cols)
{
    struct team *st = s->state;
    struct lumen *L = st->L;
    char title[400];
    snprintf(title, sizeof title, " Team of %s: %zu member%s%s", L->me.practice_name, st->nm,
             st->nm == 1 ? "" : "s",
             L->me.practice_closed ? "  (the practice is closed: see settings)" : "");
    wattrset(w, theme_attr(ROLE_TITLE));
    tui_put(w, 0, 0, cols, title, L->tf);
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
    int body = h - TEAM_TOP;
    if (body < 2)
        return;
    /* The invites get up to a third of the body (at least their title,
     * header and one row), the members the rest. */
    int inv_h = 0;
    if (st->invites_shown) {
        int want = (int)st->ni + 3;     /* a blank, the title, the header */
        if (st->ni == 0)
            want = 3;
        inv_h = want < body / 3 ? want : body / 3;
        if (inv_h < 4 && body >= 8)
            inv_h = 4;
        if (inv_h > body - 2)
            inv_h = 0;
    }
    int mem_h = body - inv_h;
    follow(&st->first_m, st->cursor < (long)st->nm ? st->cursor : st->first_m, mem_h - 1);
    struct table_rect rm = { TEAM_TOP, 0, mem_h, cols };
    struct table_view vm = { st->first_m, (int)st->nm - (int)st->first_m, st->cursor,
                             st->cursor < (long)st->nm, st->version,
                             st->loading ? NULL : "No members to show." };
    table_invalidate(&st->tm);
    table_draw(&st->tm, w, &rm, &vm, member_row, st);
    if (!inv_h)
        return;
    int y = TEAM_TOP + mem_h;
    char sub[80];
    snprintf(sub, sizeof sub, " Invites not yet accepted (%zu)", st->ni);
    wattrset(w, theme_attr(ROLE_NORMAL));
    wmove(w, y, 0);
    wclrtoeol(w);
    wattrset(w, theme_attr(ROLE_TITLE));
    tui_put(w, y + 1, 0, cols, sub, L->tf);
    long ic = st->cursor - (long)st->nm;
    follow(&st->first_i, ic >= 0 ? ic : st->first_i, inv_h - 3);
    struct table_rect ri = { y + 2, 0, inv_h - 2, cols };
    struct table_view vi = { st->first_i, (int)st->ni - (int)st->first_i, ic, ic >= 0,
                             st->version, "None: i invites someone." };
    table_invalidate(&st->ti);
    table_draw(&st->ti, w, &ri, &vi, invite_row, st);
}

/* --- keys -------------------------------------------------------------------- */

static enum tui_result audit_trail(struct team *st)
{
    const struct team_member *m = cur_member(st);
    if (!m)
        return TUI_REDRAW;
    char filter[300], from[16], today[16];
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    strftime(today, sizeof today, "%Y-%m-%d", &tm);
    now -= 29 * 24 * 3600;      /* the last 30 days: a range the viewer widens with R */
    localtime_r(&now, &tm);
    strftime(from, sizeof from, "%Y-%m-%d", &tm);
    snprintf(filter, sizeof filter, "actor:%s", m->account_id);
    struct audit_jump j = { filter, from, today };
    lumen_go(st->L, SCR_AUDIT, &j);
    return TUI_REDRAW;
}

static enum tui_result team_action(struct tui_screen *s, int action)
{
    struct team *st = s->state;
    long n = (long)(st->nm + st->ni);
    switch (action) {
    case ACT_UP: st->cursor--; break;
    case ACT_DOWN: st->cursor++; break;
    case ACT_PAGE_UP: st->cursor -= 10; break;
    case ACT_PAGE_DOWN: st->cursor += 10; break;
    case ACT_TOP: st->cursor = 0; break;
    case ACT_BOTTOM: st->cursor = n - 1; break;
    case ACT_REFRESH:
        load(st);
        return TUI_REDRAW;
    case ACT_AUDIT_TRAIL:
        return audit_trail(st);
    case ACT_SETTINGS:
        lumen_go(st->L, SCR_SETTINGS, NULL);
        return TUI_REDRAW;
    default:
        if (!teamact_action(&st->act, action, cur_member(st), cur_invite(st)))
            return TUI_UNHANDLED;
        return TUI_REDRAW;
    }
    clamp_cursor(st);
    return TUI_REDRAW;
}

/* Which keys the row under the cursor can take (hints, help, dispatch). */
static bool team_allowed(struct tui_screen *s, int action)
{
    struct team *st = s->state;
    const struct team_member *m = cur_member(st);
    const struct team_invite *v = cur_invite(st);
    switch (action) {
    case ACT_OPEN:
    case ACT_CANCEL:        /* a tab: there is nothing to go back to */
        return false;
    case ACT_AUDIT_TRAIL:
        return m != NULL;
    case ACT_RESEND_INVITE:
        return v != NULL;
    case ACT_REMOVE:
        if (v)
            return true;
        /* Admins remove Viewers only; nobody removes the Owner or themself. */
        return m && !m->self && strcmp(m->role, "owner") != 0 &&
               (strcmp(st->L->me.role, "owner") == 0 || strcmp(m->role, "viewer") == 0);
    case ACT_PROMOTE:
        return m && strcmp(m->role, "viewer") == 0;
    case ACT_DEMOTE:
        return m && strcmp(m->role, "admin") == 0;
    case ACT_TRANSFER:
        return m && !m->self && strcmp(m->role, "admin") == 0;
    }
    return true;
}

static void changed(void *ud)
{
    load(ud);
}

/* lumen_go(SCR_TEAM, NULL) */
static void team_open(struct tui_screen *s, void *arg)
{
    struct team *st = s->state;
    (void)arg;
    st->cursor = 0;
    st->first_m = st->first_i = 0;
    load(st);
}

static void team_removed(struct tui_screen *s)
{
    struct team *st = s->state;
    api_cancel(st->L->db, &st->act);
}

static void team_destroy(struct tui_screen *s)
{
    struct team *st = s->state;
    teamact_free(&st->act);
    free(st->m);
    free(st->inv);
}

static void team_init(struct tui_screen *s)
{
    struct team *st = s->state;
    st->L = s->ud;
    table_init(&st->tm, member_cols, NCOLS(member_cols), 0, st->L->tf);
    table_init(&st->ti, invite_cols, NCOLS(invite_cols), 0, st->L->tf);
    teamact_init(&st->act, st->L, changed, st);
}

const struct screen_ops team_ops = {
    .name = "team",
    .state_size = sizeof(struct team),
    .init = team_init,
    .open = team_open,
    .ctx = SCOPE_TEAM,
    .draw = team_draw,
    .action = team_action,
    .allowed = team_allowed,
    .removed = team_removed,
    .destroy = team_destroy,
};

void team_changed(struct lumen *L)
{
    struct tui_screen *s = L->screens[SCR_TEAM];
    if (s && s == tui_app_stack_at(L->app, 0) && s->state)
        load(s->state);
}
