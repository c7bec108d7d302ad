/* Navigation: the registry's table, lumen_go, the keys every screen shares
 * (handled once, by the loop, after the screen on top let them pass), and
 * the tab bar drawn from the registry. */
#include "screens/lumen.h"
#include "screens/registry.h"
#include "screens/team.h"
#include "tui/text.h"

#include <stdio.h>
#include <string.h>

#define LUMEN_SCR_ENTRY_(id, name, kind, tab, title, perm) \
    [SCR_##id] = { SCR_##id, &name##_ops, kind, tab, title, perm },
const struct screen_entry lumen_screens[SCR_COUNT] = { LUMEN_SCREENS(LUMEN_SCR_ENTRY_) };
#undef LUMEN_SCR_ENTRY_

int lumen_go(struct lumen *L, enum screen_id id, void *arg)
{
    const struct screen_entry *e = &lumen_screens[id];
    struct tui_screen *s = L->screens[id];
    /* Already on screen: opened again in place (a new question, a refetch). */
    if (s == tui_app_top(L->app) && e->kind != NAV_ROOT) {
        if (s->ops->open)
            s->ops->open(s, arg);
        tui_app_dirty(L->app);
        return 0;
    }
    if (s->ops->open)
        s->ops->open(s, arg);
    switch (e->kind) {
    case NAV_ROOT: return tui_app_replace_all(L->app, s);
    case NAV_PUSH: return tui_app_push(L->app, s);
    case NAV_OVERLAY: return tui_app_overlay(L->app, s);
    case NAV_LOCK: tui_app_lock(L->app, s); return 0;
    }
    return -1;
}

/* The registered screen behind a tab action, or NULL. */
static const struct screen_entry *tab_entry(int action)
{
    for (size_t i = 0; i < SCR_COUNT; i++)
        if (lumen_screens[i].tab >= 0 && lumen_screens[i].tab == action)
            return &lumen_screens[i];
    return NULL;
}

/* Tabs are for a signed-in session in a practice, and per role; none while
 * the practice waits for this account to turn two-factor on. */
static bool tab_visible(const struct lumen *L, const struct screen_entry *e)
{
    return e && L->me.valid && L->me.practice_id[0] && !L->me.mfa_enroll_required &&
           (!e->perm || lumen_can(L, e->perm));
}

bool lumen_global_allowed(void *ud, int action)
{
    struct lumen *L = ud;
    return !ACT_IS_TAB(action) || tab_visible(L, tab_entry(action));
}

enum tui_result lumen_global_action(void *ud, struct tui_screen *top, int action)
{
    struct lumen *L = ud;
    switch (action) {
    case ACT_HELP:
    case ACT_FORM_HELP:
        lumen_go(L, SCR_HELP, NULL);
        return TUI_REDRAW;
    case ACT_REDRAW:
        clearok(curscr, TRUE);      /* the next doupdate repaints everything */
        return TUI_REDRAW;
    case ACT_LOCK:
        lumen_lock(L, true);
        return TUI_REDRAW;
    case ACT_QUIT:
        return TUI_QUIT;
    }
    const struct screen_entry *e = ACT_IS_TAB(action) ? tab_entry(action) : NULL;
    if (!e || !tab_visible(L, e))
        return TUI_UNHANDLED;
    if (top != L->screens[e->id])
        lumen_go(L, e->id, NULL);
    return TUI_REDRAW;
}

/* One tab: "[2 Inbox] ", or compact "2 " for one not in hand (five tabs
 * and who is signed in share 80 columns: "[1 Home] 2 3 4 5 "). */
static int tab_text(const struct lumen *L, const struct screen_entry *e, bool title, char *buf,
                    size_t size)
{
    char key[KEYMAP_NAME_MAX] = "";
    keymap_key_of(tui_app_keymap(L->app), e->tab, key, sizeof key);
    if (title)
        snprintf(buf, size, "[%s%s%s] ", key, key[0] ? " " : "", e->title);
    else
        snprintf(buf, size, "%s ", key);
    return (int)text_width(buf);
}

int lumen_draw_tabs(const struct lumen *L, WINDOW *w, int cols, int room)
{
    char tabs[SCR_COUNT][80];
    const struct screen_entry *shown[SCR_COUNT];
    int n = 0, width = 0, compact = 0;
    const struct tui_screen *root = tui_app_stack_at(L->app, 0);
    int cur = -1;
    for (size_t i = 0; i < SCR_COUNT; i++) {
        const struct screen_entry *e = &lumen_screens[i];
        if (e->tab < 0 || !tab_visible(L, e))
            continue;
        if (root == L->screens[i])
            cur = n;
        shown[n++] = e;
    }
    /* Every title when they fit beside who is signed in; else only the
     * tab in hand keeps its title ("1 [2 Inbox] 3 5"): help names them. */
    for (int i = 0; i < n; i++) {
        width += tab_text(L, shown[i], true, tabs[i], sizeof tabs[i]);
        compact += tab_text(L, shown[i], i == cur, tabs[i], sizeof tabs[i]);
    }
    bool full = width <= room;
    if (!full)
        width = compact;
    if (width > cols / 2)
        return 0;                   /* the practice and the user matter more */
    int x = cols - width;
    for (int i = 0; i < n; i++) {
        int tw = tab_text(L, shown[i], full || i == cur, tabs[i], sizeof tabs[i]);
        wattrset(w, i == cur ? theme_attr(ROLE_TITLE) | A_REVERSE : theme_attr(ROLE_STATUS));
        mvwaddstr(w, 0, x, tabs[i]);
        x += tw;
    }
    return width;
}

void lumen_me_changed(struct lumen *L)
{
    /* A screen on the stack that the role may no longer open (its keys
     * already went with the keymap's permissions) gives way to Home. */
    for (int depth = 0;; depth++) {
        const struct tui_screen *s = tui_app_stack_at(L->app, depth);
        if (!s)
            break;
        for (size_t i = 0; i < SCR_COUNT; i++)
            if (L->screens[i] == s && lumen_screens[i].perm &&
                !lumen_can(L, lumen_screens[i].perm)) {
                lumen_go(L, SCR_HOME, NULL);
                return;
            }
    }
    team_changed(L);
    tui_app_dirty(L->app);
}
