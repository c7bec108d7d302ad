/* The main loop and the screen stack.
 *
 * One loop decides: poll() waits on the terminal, on whatever descriptors
 * the application's io hook names (the database socket), and on timers;
 * keys become actions through the keymap and go to the screen on top;
 * drawing goes through wnoutrefresh and one doupdate per turn, and only
 * the parts marked dirty are drawn again.
 *
 * The frame is three windows: a header row (drawn by the application's
 * header hook: practice, user, tabs), the body (the screen on top), and a
 * status row (a message, or the io hook's state text, then key hints from
 * the keymap).  Below TUI_MIN_COLS x TUI_MIN_ROWS the frame gives way to a
 * plain "terminal too small" message, and comes back on the next resize.
 *
 * The lock is a layer of its own over the stack (tui_app_lock): while it is
 * up, it (and what it opens over itself, such as its help) is all that is
 * drawn and all that takes keys.  push, pop and replace_all still change
 * the stack beneath, so navigation asked for while locked (an answer that
 * lands, a notification) is kept, but nothing of it shows: the new top's
 * enter runs at tui_app_unlock.  Only unlock removes the lock.
 *
 * Keys go down a chain: the top screen's key hook, its action hook, then
 * the app's global handler (tui_app_set_global) for what the screen left.
 *
 * Ownership: the app does not own screens; push/pop only link them.  A
 * screen's ops are const and static; its state is allocated and freed by
 * tui_screen_new / tui_screen_free from ops->state_size.                 */
#ifndef LUMEN_TUI_APP_H
#define LUMEN_TUI_APP_H

#include <curses.h>
#include <poll.h>
#include <stdbool.h>

#include "tui/key.h"
#include "tui/keymap.h"
#include "tui/theme.h"

#define TUI_MIN_COLS 80
#define TUI_MIN_ROWS 24
#define TUI_MAX_FDS 4
#define TUI_MAX_SCREENS 8
#define TUI_MAX_OVER_LOCK 3     /* the lock and what it opens over itself */
#define TUI_MAX_BODY_ROWS 10000 /* "to the bottom" for tui_app_dirty_rows */

/* What a handler tells the loop (htop's HandlerResult): how much of the
 * frame its key changed, so that a cursor move costs two rows, not the
 * body.  Whatever else marked the frame dirty meanwhile still counts. */
enum tui_result {
    TUI_UNHANDLED = 0,  /* not mine: try the next handler */
    TUI_HANDLED,        /* done, nothing to redraw */
    TUI_REDRAW,         /* done, redraw the body and the status row */
    TUI_REDRAW_ROWS,    /* done, redraw only the body lines marked with
                         * tui_app_dirty_rows (all, if none), through
                         * ops->draw_rows; a full draw without it */
    TUI_QUIT,           /* leave the program */
};

struct tui_app;
struct tui_screen;

struct screen_ops {
    const char *name;
    unsigned ctx;               /* keymap contexts active on this screen */
    /* Bytes of state the framework allocates (zeroed) with the screen and
     * frees after destroy: s->state.  0: none. */
    size_t state_size;
    /* Once, after the state is allocated: what the screen keeps for good
     * (forms, lists).  s->ud is the application's context. */
    void (*init)(struct tui_screen *s);
    /* Each time the application navigates to it, with the navigation's
     * argument (a lead id, a question), before it comes on top. */
    void (*open)(struct tui_screen *s, void *arg);
    /* When it comes on top (pushed, or uncovered by a pop). */
    void (*enter)(struct tui_screen *s);
    /* When it stops being on top: covered, popped or replaced. */
    void (*leave)(struct tui_screen *s);
    /* When it is taken off the stack for good (popped, closed, replaced;
     * not merely covered), after the app's removed hook: what the screen
     * started beyond the calls its state owns (a sub-owner's calls, an
     * export) stops here. */
    void (*removed)(struct tui_screen *s);
    /* The body is h x cols: on a resize, and before it first comes on
     * top.  Lists size their view here, not in draw. */
    void (*layout)(struct tui_screen *s, int h, int cols);
    /* Draws the body; w is h x w, erased before the call. */
    void (*draw)(struct tui_screen *s, WINDOW *w, int h, int cols);
    /* After TUI_REDRAW_ROWS, with nothing else dirty: redraws body lines
     * [first, last) over what the last draw left (nothing is erased), and
     * may skip those that did not change.  Returns the lines it wrote
     * (vlist_draw's and table_draw's answer).  NULL: draw is used. */
    int (*draw_rows)(struct tui_screen *s, WINDOW *w, int first, int last, int cols);
    /* Raw key first (text fields take characters here), then actions.
     * TUI_UNHANDLED passes the action on to the app's global handler. */
    enum tui_result (*key)(struct tui_screen *s, tui_key k);
    enum tui_result (*action)(struct tui_screen *s, int action);
    /* May the user take this action here?  Filters hints and help. */
    bool (*allowed)(struct tui_screen *s, int action);
    /* True while a text field has the keyboard: a key that is a character
     * is the field's, never an action's, and hints and help leave such
     * keys out.  NULL: never. */
    bool (*typing)(struct tui_screen *s);
    /* Where to put the terminal cursor, or false to hide it. */
    bool (*cursor)(struct tui_screen *s, int *y, int *x);
    /* Frees what state holds (wipes secrets), not the state itself. */
    void (*destroy)(struct tui_screen *s);
};

struct tui_screen {
    const struct screen_ops *ops;
    void *state;                /* ops->state_size bytes, the framework's */
    void *ud;                   /* the application's context */
    struct tui_app *app;
};

/* A screen of OPS with its state allocated (zeroed) and ops->init run;
 * NULL when out of memory.  tui_screen_free runs destroy, wipes and frees
 * the state and the screen, and sets *s to NULL. */
struct tui_screen *tui_screen_new(struct tui_app *app, const struct screen_ops *ops, void *ud);
void tui_screen_free(struct tui_screen **s);

/* The application's descriptors and status text (the database). */
struct tui_io {
    /* Fills up to max pollfds; returns how many.  *timeout_ms may be
     * lowered (never raised) for the io's own timers. */
    int (*fds)(void *ud, struct pollfd *fds, int max, int *timeout_ms);
    /* After poll: the same fds with revents (possibly none, on a timer). */
    void (*service)(void *ud, const struct pollfd *fds, int n);
    /* One line about the connection, or "", and the role it is drawn in
     * (ROLE_ERROR for trouble, ROLE_STATUS for news such as connecting). */
    const char *(*status)(void *ud, enum theme_role *role);
    /* True while a call is under way: the status row shows a spinner. */
    bool (*busy)(void *ud);
    void *ud;
};

struct tui_layout {
    bool too_small;
    int header_rows, body_rows, status_rows, cols;
};

/* Pure arithmetic of the frame, for tests. */
struct tui_layout tui_layout_for(int rows, int cols);

/* Starts curses (alternate screen, no echo, keypad, short Esc delay,
 * colours per mode) and returns the app.  Until it ends, a stderr that is
 * the terminal points at /dev/null, so that no library's stray output
 * lands on the screen.  The keymap must outlive it.
 * GLOBAL_CTX names the keymap contexts whose actions are listed last (as
 * their own group) in hints and help. */
struct tui_app *tui_app_start(const struct keymap *km, unsigned global_ctx,
                              enum theme_mode colors);
/* Ends curses, clearing the screen first so no data stays behind on a
 * terminal without an alternate screen.  Safe to call twice. */
void tui_app_end(struct tui_app *app);
/* For a fatal path that has no app at hand: ends curses and gives the
 * terminal its stderr back, so that the last words can be read. */
void tui_app_end_fatal(void);
/* Ends (if not yet) and frees *app, setting it to NULL. */
void tui_app_free(struct tui_app **app);

void tui_app_set_io(struct tui_app *app, const struct tui_io *io);
void tui_app_set_header(struct tui_app *app, void (*draw)(void *ud, WINDOW *w, int cols), void *ud);

/* Runs until a handler returns TUI_QUIT, tui_app_quit() is called, or a
 * SIGHUP / SIGTERM / SIGINT arrives.  Returns 0.  While the terminal is too
 * small nothing can be seen, so no key acts but QUIT_ACTION (see
 * tui_app_set_quit_action), which leaves. */
int tui_app_run(struct tui_app *app);
void tui_app_quit(struct tui_app *app);
/* The application's quit action id (-1, the default: none). */
void tui_app_set_quit_action(struct tui_app *app, int action);

/* REMOVED is told of each screen taken off the stack or off the lock's
 * overlays (popped, closed, replaced, unlocked) -- not of one merely
 * covered by another or by the lock, which comes back.  The framework
 * does it, so that no screen can forget: Lumen cancels there the calls the
 * screen owns.  A screen replaced by itself (a tab chosen again) is not
 * removed. */
void tui_app_set_removed(struct tui_app *app, void (*removed)(void *ud, struct tui_screen *s),
                         void *ud);

/* Global actions: what the top screen answers TUI_UNHANDLED to (help,
 * quit, lock, tabs) goes to HANDLE, once, in the loop (neomutt's chain),
 * rather than each screen calling a common handler.  ALLOWED (may be
 * NULL) filters them for dispatch, hints and help alike, on top of the
 * screen's own allowed: a tab with no screen behind it is not shown. */
void tui_app_set_global(struct tui_app *app,
                        enum tui_result (*handle)(void *ud, struct tui_screen *top, int action),
                        bool (*allowed)(void *ud, int action), void *ud);
/* Whether ACTION may be taken on S: its allowed and the global one. */
bool tui_app_allows(const struct tui_app *app, struct tui_screen *s, int action);

/* The stack.  While locked these change only what is beneath the lock.
 * A full stack is an error: push returns -1 and says so in the status
 * row; the stack is left as it was. */
int tui_app_push(struct tui_app *app, struct tui_screen *s);
void tui_app_pop(struct tui_app *app);
/* Pops everything, then pushes S. */
int tui_app_replace_all(struct tui_app *app, struct tui_screen *s);
/* The stack's depth and its screen I (0: bottom), for tests and the tab bar. */
int tui_app_depth(const struct tui_app *app);
struct tui_screen *tui_app_stack_at(const struct tui_app *app, int i);
/* The screen that is drawn and takes keys: the top of the lock's layer
 * while locked, else the top of the stack. */
struct tui_screen *tui_app_top(const struct tui_app *app);

/* An overlay (help, a dialog) over what is on screen now: over the lock
 * while locked, else pushed on the stack.  tui_app_close(S) takes it away
 * again from whichever layer it is the top of (else nothing happens). */
int tui_app_overlay(struct tui_app *app, struct tui_screen *s);
void tui_app_close(struct tui_app *app, struct tui_screen *s);

/* Puts LOCK over everything (no-op when already locked). */
void tui_app_lock(struct tui_app *app, struct tui_screen *lock);
/* Takes the lock and its overlays away; the stack's top comes on screen
 * (its enter runs) as it is now, with whatever navigation happened
 * beneath. */
void tui_app_unlock(struct tui_app *app);
bool tui_app_locked(const struct tui_app *app);

/* Marks the whole frame for drawing on this turn. */
void tui_app_dirty(struct tui_app *app);
/* Marks body lines [first, first+n) for a TUI_REDRAW_ROWS answer. */
void tui_app_dirty_rows(struct tui_app *app, int first, int n);

/* What the loop drew, for tests and the bench: full frames, partial
 * (rows-only) draws and the body lines those wrote. */
struct tui_draw_stats {
    unsigned long full, partial, partial_lines;
};
struct tui_draw_stats tui_app_draw_stats(const struct tui_app *app);

/* A message in the status row for ms milliseconds (0: until replaced).
 * TEXT may come from anywhere: it is sanitized when drawn. */
void tui_app_message(struct tui_app *app, enum theme_role role, const char *text, int ms);

/* Idle lock: after idle_ms without a key, on_idle runs once (it calls
 * tui_app_lock).  0 turns it off.  Any key re-arms it, and so does a new
 * tui_app_set_idle, while locked too. */
void tui_app_set_idle(struct tui_app *app, long long idle_ms,
                      void (*on_idle)(void *ud), void *ud);
/* Milliseconds since the last key (or since the start). */
long long tui_app_since_input(const struct tui_app *app);

/* Text flags for tui/text.h (ASCII fallback when the locale is not UTF-8). */
unsigned tui_app_text_flags(const struct tui_app *app);
const struct keymap *tui_app_keymap(const struct tui_app *app);
unsigned tui_app_global_ctx(const struct tui_app *app);
long long tui_now_ms(void);

/* Draws untrusted text at y, x in exactly cols columns, padded. */
void tui_put(WINDOW *w, int y, int x, int cols, const char *text, unsigned flags);

#endif
