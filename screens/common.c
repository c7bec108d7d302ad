#include "screens/common.h"
#include "screens/actions.h"

#include "tui/text.h"

#include <stdio.h>
#include <time.h>

static bool only_this(int action, void *ud)
{
    return action == *(const int *)ud;
}

void common_key_name(const struct lumen *L, int action, bool typing, char *buf, size_t size)
{
    /* The keymap's own listing, narrowed to one action: the same key the
     * hints and help show. */
    struct keymap_filter f = { ~0u, 0, only_this, &action, typing };
    struct keymap_iter it = { 0 };
    struct keymap_item item;
    snprintf(buf, size, "%s",
             keymap_next(tui_app_keymap(L->app), &f, &it, &item) ? item.key : "");
}

enum tui_result form_screen_key(struct form *fm, tui_key k)
{
    switch (form_edit(fm, k)) {
    case FORM_CHANGED:
        /* The field's error went with the edit; the form's messages were
         * about the old text too ("Wrong email or password."). */
        form_set_error(fm, NULL);
        return TUI_REDRAW;
    case FORM_UNHANDLED:
        return tui_key_is_text(k) ? TUI_HANDLED : TUI_UNHANDLED;
    default:
        return TUI_REDRAW;
    }
}

bool list_screen_move(struct vlist *vl, int action, bool pager)
{
    switch (action) {
    case ACT_UP: pager ? vlist_scroll(vl, -1) : vlist_move(vl, -1); return true;
    case ACT_DOWN: pager ? vlist_scroll(vl, 1) : vlist_move(vl, 1); return true;
    case ACT_PAGE_UP: vlist_page_up(vl); return true;
    case ACT_PAGE_DOWN: vlist_page_down(vl); return true;
    case ACT_TOP: vlist_home(vl); return true;
    case ACT_BOTTOM: vlist_end(vl); return true;
    }
    return false;
}

enum tui_result list_screen_moved(struct tui_screen *s, int y)
{
    tui_app_dirty_rows(s->app, y, TUI_MAX_BODY_ROWS);
    return TUI_REDRAW_ROWS;
}

bool form_screen_typing(struct tui_screen *s)
{
    (void)s;
    return true;
}

enum tui_result form_screen_action(struct form *fm, int action, bool *submit)
{
    *submit = false;
    switch (action) {
    case ACT_NEXT_FIELD:
        form_set_focus(fm, (fm->focus + 1) % fm->count);
        return TUI_REDRAW;
    case ACT_PREV_FIELD:
        form_set_focus(fm, (fm->focus + fm->count - 1) % fm->count);
        return TUI_REDRAW;
    case ACT_SUBMIT:
        if (fm->focus + 1 < fm->count)
            form_set_focus(fm, fm->focus + 1);
        else
            *submit = true;
        return TUI_REDRAW;
    }
    return TUI_UNHANDLED;
}

void form_screen_draw(struct form *fm, WINDOW *w, int y, int x, int width, int height,
                      struct form_cursor *cur)
{
    wattrset(w, theme_attr(ROLE_NORMAL));
    cur->x = form_draw(fm, w, y, x, width, height);
    cur->y = getcury(w);
}

bool form_screen_cursor(const struct form_cursor *cur, bool busy, int *y, int *x)
{
    if (busy || cur->x < 0)
        return false;
    *y = cur->y;
    *x = cur->x;
    return true;
}

void common_box(WINDOW *w, int y, int x, int h, int wd, const char *title, unsigned tf)
{
    if (h < 1 || wd < 1)
        return;
    wattrset(w, theme_attr(ROLE_NORMAL));
    for (int i = 0; i < h; i++)
        mvwhline(w, y + i, x, ' ', wd);
    if (h < 3 || wd < 4)
        return;
    wattrset(w, theme_attr(ROLE_BORDER));
    mvwhline(w, y, x + 1, ACS_HLINE, wd - 2);
    mvwhline(w, y + h - 1, x + 1, ACS_HLINE, wd - 2);
    mvwvline(w, y + 1, x, ACS_VLINE, h - 2);
    mvwvline(w, y + 1, x + wd - 1, ACS_VLINE, h - 2);
    mvwaddch(w, y, x, ACS_ULCORNER);
    mvwaddch(w, y, x + wd - 1, ACS_URCORNER);
    mvwaddch(w, y + h - 1, x, ACS_LLCORNER);
    mvwaddch(w, y + h - 1, x + wd - 1, ACS_LRCORNER);
    if (title && *title && wd > 8) {
        char t[256];
        snprintf(t, sizeof t, " %s ", title);
        wattrset(w, theme_attr(ROLE_TITLE));
        tui_put(w, y, x + 2, (int)text_width(t) < wd - 4 ? (int)text_width(t) : wd - 4, t, tf);
    }
    wattrset(w, theme_attr(ROLE_NORMAL));
}

/* The process's TZ is the practice's (lumen_store_me sets it), so
 * localtime_r gives the practice's wall clock, DST included. */
void lumen_format_time(const struct lumen *L, const char *ts, char *buf, size_t size)
{
    (void)L;
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
    time_t t = timegm(&tm);     /* the server sends UTC (conn pins TimeZone) */
    struct tm local;
    if (!localtime_r(&t, &local) || !strftime(buf, size, "%Y-%m-%d %H:%M", &local))
        snprintf(buf, size, "%s", ts);
}
