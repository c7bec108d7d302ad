#include "tui/app.h"
#include "tui/app_priv.h"
#include "tui/text.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define SPINNER_MS 120

static volatile sig_atomic_t got_signal;

/* The terminal's stderr while curses owns the screen, or -1. */
static int saved_stderr = -1;

static void on_signal(int sig) { got_signal = sig; }

long long tui_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

struct tui_layout tui_layout_for(int rows, int cols)
{
    struct tui_layout l = { 0 };
    l.cols = cols;
    if (rows < TUI_MIN_ROWS || cols < TUI_MIN_COLS) {
        l.too_small = true;
        return l;
    }
    l.header_rows = 1;
    l.status_rows = 1;
    l.body_rows = rows - 2;
    return l;
}

static void free_windows(struct tui_app *app)
{
    WINDOW **ws[] = { &app->header, &app->body, &app->status };
    for (size_t i = 0; i < 3; i++)
        if (*ws[i]) {
            delwin(*ws[i]);
            *ws[i] = NULL;
        }
}

/* Resize is handled here and only here: windows are rebuilt from the
 * layout and everything is drawn again. */
static void relayout(struct tui_app *app)
{
    int rows, cols;
    getmaxyx(stdscr, rows, cols);
    free_windows(app);
    app->lay = tui_layout_for(rows, cols);
    if (!app->lay.too_small) {
        app->header = newwin(app->lay.header_rows, cols, 0, 0);
        app->body = newwin(app->lay.body_rows, cols, app->lay.header_rows, 0);
        app->status = newwin(1, cols, rows - 1, 0);
    }
    app->dirty = true;
    tui_app_layout_top(app);
}

/* While curses owns the terminal, stderr goes to /dev/null.  Libraries
 * write there behind the program's back (libpq's passfile and SSL
 * warnings and notices, glibc, OpenSSL): on the screen such a line breaks
 * the frame, and its text passed no sanitizer.  Whatever in it the user
 * must know (a lost or refused connection) the status row already says.
 * A log file would need a place, a mode and rotation for lines nobody
 * reads, so only a stderr that is not the terminal (2>file: someone asked
 * for a log) is left alone.  The terminal gets stderr back when curses
 * ends, so a fatal message still reaches the user. */
static void stderr_silence(void)
{
    if (saved_stderr >= 0 || !isatty(STDERR_FILENO))
        return;
    int null = open("/dev/null", O_WRONLY | O_CLOEXEC);
    if (null < 0)
        return;
    fflush(stderr);
    saved_stderr = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3);
    if (saved_stderr >= 0)
        dup2(null, STDERR_FILENO);
    close(null);
}

static void stderr_restore(void)
{
    if (saved_stderr < 0)
        return;
    fflush(stderr);
    dup2(saved_stderr, STDERR_FILENO);
    close(saved_stderr);
    saved_stderr = -1;
}

struct tui_app *tui_app_start(const struct keymap *km, unsigned global_ctx,
                              enum theme_mode colors)
{
    struct tui_app *app = calloc(1, sizeof *app);
    if (!app)
        return NULL;
    app->km = km;
    app->global_ctx = global_ctx;
    app->quit_action = -1;
    app->text_flags = text_locale_flags();
    /* A short Esc delay: Esc is "back", and must feel immediate. */
    if (!getenv("ESCDELAY"))
        set_escdelay(25);
    if (!initscr()) {
        free(app);
        return NULL;
    }
    stderr_silence();   /* after initscr, whose own errors must be seen */
    raw();              /* C-c, C-z and C-s are keys, not signals to the tty */
    noecho();
    nonl();
    keypad(stdscr, TRUE);
    nodelay(stdscr, TRUE);
    curs_set(0);
    theme_init(colors);
    /* get_wch refreshes stdscr, which is born wanting a clear: done here
     * once, or the first key read would blank the frame just drawn in
     * the other windows (the sign-in screen stayed blank while a slow
     * server was being connected to). */
    refresh();
    struct sigaction sa = { 0 };
    sa.sa_handler = on_signal;
    sigaction(SIGHUP, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    app->last_input = tui_now_ms();
    relayout(app);
    return app;
}

void tui_app_end(struct tui_app *app)
{
    if (!app || app->ended)
        return;
    app->ended = true;
    free_windows(app);
    /* Without an alternate screen, this is what keeps data off the screen. */
    clear();
    refresh();
    endwin();
    stderr_restore();
}

void tui_app_end_fatal(void)
{
    endwin();
    stderr_restore();
}

void tui_app_free(struct tui_app **app)
{
    if (!*app)
        return;
    tui_app_end(*app);
    free(*app);
    *app = NULL;
}

void tui_app_set_io(struct tui_app *app, const struct tui_io *io) { app->io = *io; }

void tui_app_set_header(struct tui_app *app, void (*draw)(void *ud, WINDOW *w, int cols), void *ud)
{
    app->draw_header = draw;
    app->header_ud = ud;
    app->dirty = true;
}

void tui_app_quit(struct tui_app *app) { app->quit = true; }

void tui_app_set_quit_action(struct tui_app *app, int action) { app->quit_action = action; }

void tui_app_dirty(struct tui_app *app) { app->dirty = true; }

void tui_app_dirty_rows(struct tui_app *app, int first, int n)
{
    if (n <= 0)
        return;
    if (app->rows_hi <= app->rows_lo) {
        app->rows_lo = first;
        app->rows_hi = first + n;
        return;
    }
    if (first < app->rows_lo)
        app->rows_lo = first;
    if (first + n > app->rows_hi)
        app->rows_hi = first + n;
}

struct tui_draw_stats tui_app_draw_stats(const struct tui_app *app) { return app->stats; }

void tui_app_message(struct tui_app *app, enum theme_role role, const char *text, int ms)
{
    snprintf(app->message, sizeof app->message, "%s", text ? text : "");
    app->message_role = role;
    app->message_until = ms > 0 ? tui_now_ms() + ms : 0;
    app->dirty = true;
}

long long tui_app_since_input(const struct tui_app *app)
{
    return tui_now_ms() - app->last_input;
}

void tui_app_set_idle(struct tui_app *app, long long idle_ms, void (*on_idle)(void *ud), void *ud)
{
    app->idle_ms = idle_ms;
    app->on_idle = on_idle;
    app->idle_ud = ud;
    app->idle_fired = false;
    app->last_input = tui_now_ms();
}

unsigned tui_app_text_flags(const struct tui_app *app) { return app->text_flags; }
unsigned tui_app_global_ctx(const struct tui_app *app) { return app->global_ctx; }
const struct keymap *tui_app_keymap(const struct tui_app *app) { return app->km; }

void tui_put(WINDOW *w, int y, int x, int cols, const char *text, unsigned flags)
{
    if (cols <= 0)
        return;
    char buf[2048];
    text_cell(buf, sizeof buf, text ? text : "", text ? strlen(text) : 0, (size_t)cols,
              flags | TEXT_PAD | TEXT_ELLIPSIS);
    mvwaddstr(w, y, x, buf);
}

static bool screen_allows(int action, void *ud)
{
    struct tui_screen *s = ud;
    return tui_app_allows(s->app, s, action);
}

static bool screen_typing(struct tui_screen *s)
{
    return s->ops->typing && s->ops->typing(s);
}

static void draw_status(struct tui_app *app, long long now)
{
    WINDOW *w = app->status;
    int cols = app->lay.cols;
    werase(w);
    wbkgdset(w, ' ' | theme_attr(ROLE_STATUS));
    werase(w);
    const char *left = app->message;
    enum theme_role role = app->message_role, io_role = ROLE_STATUS;
    const char *io = app->io.status ? app->io.status(app->io.ud, &io_role) : "";
    if (io[0]) {                /* the connection matters more than a note */
        left = io;
        role = io_role;
    }
    bool busy = app->io.busy && app->io.busy(app->io.ud);
    app->was_busy = busy;
    char spin[64] = "";
    if (busy) {
        static const char frames[] = "|/-\\";
        snprintf(spin, sizeof spin, "%c working (Esc cancels)", frames[(now / SPINNER_MS) % 4]);
    }
    char hints[512] = "";
    struct tui_screen *s = tui_app_top(app);
    if (s) {
        struct keymap_filter f = { s->ops->ctx, app->global_ctx, screen_allows, s,
                                   screen_typing(s) };
        keymap_hints(app->km, &f, (size_t)(cols / 2), hints, sizeof hints);
    }
    int hint_cols = (int)text_width(hints);
    int left_cols = cols - hint_cols - 1;
    wattrset(w, theme_attr(left[0] ? role : ROLE_STATUS) | A_REVERSE);
    tui_put(w, 0, 0, left_cols > 0 ? left_cols : 0, left[0] ? left : spin, app->text_flags);
    if (left[0] && busy && left_cols > (int)text_width(left) + 2)
        tui_put(w, 0, (int)text_width(left) + 2, left_cols - (int)text_width(left) - 2, spin,
                app->text_flags);
    wattrset(w, theme_attr(ROLE_STATUS));
    if (hint_cols > 0 && hint_cols < cols)
        mvwaddstr(w, 0, cols - hint_cols, hints);
    wnoutrefresh(w);
}

static void draw_too_small(const struct tui_app *app)
{
    int rows, cols;
    getmaxyx(stdscr, rows, cols);
    werase(stdscr);
    char msg[160], key[KEYMAP_NAME_MAX] = "";
    if (app->quit_action >= 0)
        keymap_key_of(app->km, app->quit_action, key, sizeof key);
    snprintf(msg, sizeof msg, "Terminal too small (%dx%d): Lumen needs %dx%d.%s%s%s",
             cols, rows, TUI_MIN_COLS, TUI_MIN_ROWS, key[0] ? " " : "", key,
             key[0] ? " quits." : "");
    /* Plain text that wraps on its own at any width; nothing else shown. */
    mvwaddnstr(stdscr, 0, 0, msg, rows * cols > 0 ? rows * cols - 1 : 0);
    wnoutrefresh(stdscr);
}

static void place_cursor(struct tui_app *app, struct tui_screen *s)
{
    int y, x;
    if (s && s->ops->cursor && s->ops->cursor(s, &y, &x)) {
        curs_set(1);
        wmove(app->body, y, x);
        wnoutrefresh(app->body);
    } else {
        curs_set(0);
    }
}

static void draw(struct tui_app *app, long long now)
{
    app->stats.full++;
    if (app->lay.too_small) {
        curs_set(0);
        draw_too_small(app);
        return;
    }
    struct tui_screen *s = tui_app_top(app);
    werase(app->header);
    if (app->draw_header)
        app->draw_header(app->header_ud, app->header, app->lay.cols);
    wnoutrefresh(app->header);
    werase(app->body);
    if (s && s->ops->draw)
        s->ops->draw(s, app->body, app->lay.body_rows, app->lay.cols);
    wnoutrefresh(app->body);
    draw_status(app, now);
    place_cursor(app, s);
}

/* Only the lines a screen marked: no erase, no header, the status row
 * only when it changed.  False when the screen cannot: draw it all. */
static bool draw_rows(struct tui_app *app, long long now)
{
    struct tui_screen *s = tui_app_top(app);
    if (app->lay.too_small || !s || !s->ops->draw_rows)
        return false;
    int lo = app->rows_lo > 0 ? app->rows_lo : 0;
    int hi = app->rows_hi < app->lay.body_rows ? app->rows_hi : app->lay.body_rows;
    if (hi <= lo) {
        lo = 0;
        hi = app->lay.body_rows;
    }
    int n = s->ops->draw_rows(s, app->body, lo, hi, app->lay.cols);
    app->stats.partial++;
    app->stats.partial_lines += n > 0 ? (unsigned long)n : 0;
    if (n > 0)
        wnoutrefresh(app->body);
    if (app->status_dirty)
        draw_status(app, now);
    place_cursor(app, s);
    return true;
}

/* The chain: the screen's raw key handler, then its action handler, then
 * the app's global handler: a key goes to the first that takes it. */
static enum tui_result dispatch_key(struct tui_app *app, tui_key k)
{
    struct tui_screen *s = tui_app_top(app);
    if (!s)
        return TUI_UNHANDLED;
    int action = keymap_action(app->km, s->ops->ctx, k);
    if (app->lay.too_small) {
        /* Nothing can be seen: no key may act unseen, but one may leave. */
        if (action < 0 || action != app->quit_action || !screen_allows(action, s))
            return TUI_HANDLED;
        enum tui_result r = s->ops->action ? s->ops->action(s, action) : TUI_UNHANDLED;
        return r == TUI_UNHANDLED ? TUI_QUIT : r;
    }
    enum tui_result r = s->ops->key ? s->ops->key(s, k) : TUI_UNHANDLED;
    if (r != TUI_UNHANDLED)
        return r;
    if (screen_typing(s) && tui_key_is_text(k))
        return TUI_HANDLED;     /* a character is the field's, never an action */
    if (action < 0 || !screen_allows(action, s))
        return TUI_UNHANDLED;
    r = s->ops->action ? s->ops->action(s, action) : TUI_UNHANDLED;
    if (r == TUI_UNHANDLED && app->global)
        r = app->global(app->global_ud, s, action);
    return r;
}

static void read_keys(struct tui_app *app)
{
    wint_t ch;
    int rc;
    while ((rc = get_wch(&ch)) != ERR) {
        if (rc == KEY_CODE_YES && ch == KEY_RESIZE) {
            relayout(app);
            continue;
        }
        app->last_input = tui_now_ms();
        app->idle_fired = false;
        /* A stale note goes away with the next key. */
        if (app->message[0] && app->message_until == 0) {
            app->message[0] = '\0';
            app->status_dirty = true;
        }
        enum tui_result r = dispatch_key(app, tui_key_from_wch(rc, ch));
        switch (r) {
        case TUI_QUIT: app->quit = true; break;
        case TUI_REDRAW: app->dirty = true; break;
        case TUI_REDRAW_ROWS:
            if (app->rows_hi <= app->rows_lo)
                tui_app_dirty_rows(app, 0, app->lay.body_rows);
            break;
        case TUI_HANDLED: case TUI_UNHANDLED: break;   /* nothing changed */
        }
    }
}

/* How long poll may sleep: until the next thing that will change. */
static int next_timeout(struct tui_app *app, long long now)
{
    long long t = -1;
    if (app->message[0] && app->message_until)
        t = app->message_until - now;
    if (app->idle_ms && !app->idle_fired) {
        long long idle = app->last_input + app->idle_ms - now;
        if (t < 0 || idle < t)
            t = idle;
    }
    if (app->io.busy && app->io.busy(app->io.ud) && (t < 0 || t > SPINNER_MS))
        t = SPINNER_MS;
    if (t < 0)
        return 1000;        /* the status text of a reconnect counts down */
    return t > 1000 ? 1000 : (int)t;
}

static void run_timers(struct tui_app *app, long long now)
{
    if (app->message[0] && app->message_until && now >= app->message_until) {
        app->message[0] = '\0';
        app->dirty = true;
    }
    if (app->idle_ms && !app->idle_fired && now - app->last_input >= app->idle_ms) {
        app->idle_fired = true;
        if (app->on_idle)
            app->on_idle(app->idle_ud);
        app->dirty = true;
    }
}

int tui_app_run(struct tui_app *app)
{
    char last_status[512] = "";
    while (!app->quit && !got_signal) {
        long long now = tui_now_ms();
        enum theme_role role;
        const char *io = app->io.status ? app->io.status(app->io.ud, &role) : "";
        if (strcmp(io, last_status) != 0) {   /* the connection changed */
            snprintf(last_status, sizeof last_status, "%s", io);
            app->dirty = true;
        }
        bool busy = app->io.busy && app->io.busy(app->io.ud);
        bool rows = app->rows_hi > app->rows_lo;
        if (app->dirty || (rows && !draw_rows(app, now))) {
            draw(app, now);
        } else if (!rows && app->status_dirty && !app->lay.too_small) {
            draw_status(app, now);
        } else if (!rows && !app->lay.too_small && (busy || app->was_busy)) {
            /* Only the spinner moves; once idle, one last draw takes it away. */
            draw_status(app, now);
        }
        app->dirty = app->status_dirty = false;
        app->rows_lo = app->rows_hi = 0;
        doupdate();

        struct pollfd fds[1 + TUI_MAX_FDS] = { { .fd = 0, .events = POLLIN } };
        int timeout = next_timeout(app, now);
        int n = app->io.fds ? app->io.fds(app->io.ud, fds + 1, TUI_MAX_FDS, &timeout) : 0;
        if (poll(fds, (nfds_t)(1 + n), timeout) < 0 && errno != EINTR)
            break;
        if (fds[0].revents & (POLLHUP | POLLERR | POLLNVAL))
            break;                      /* the terminal is gone */
        /* Also without POLLIN: after a SIGWINCH, ncurses hands out
         * KEY_RESIZE from get_wch, and poll only said EINTR. */
        read_keys(app);
        if (app->io.service) {
            app->io.service(app->io.ud, fds + 1, n);
        }
        run_timers(app, tui_now_ms());
    }
    return 0;
}
