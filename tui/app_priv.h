/* The app's state, shared by tui/app.c (the loop, drawing, keys) and
 * tui/app_stack.c (screens, the stack, the lock); no one else's. */
#ifndef LUMEN_TUI_APP_PRIV_H
#define LUMEN_TUI_APP_PRIV_H

#include "tui/app.h"

struct tui_app {
    const struct keymap *km;
    unsigned global_ctx;
    struct tui_screen *stack[TUI_MAX_SCREENS];
    int depth;
    struct tui_screen *over[TUI_MAX_OVER_LOCK];    /* [0] is the lock */
    int over_depth;                                 /* 0: not locked */
    WINDOW *header, *body, *status;
    struct tui_layout lay;
    bool dirty;                 /* the whole frame */
    bool quit;
    unsigned text_flags;
    struct tui_io io;
    void (*draw_header)(void *ud, WINDOW *w, int cols);
    void *header_ud;
    char message[512];
    enum theme_role message_role;
    long long message_until;    /* 0: until replaced */
    long long last_input;
    long long idle_ms;
    bool idle_fired;
    void (*on_idle)(void *ud);
    void *idle_ud;
    bool was_busy;              /* the status row last showed a spinner */
    int quit_action;
    bool ended;
    bool status_dirty;          /* only the status row (a note went away) */
    int rows_lo, rows_hi;       /* body lines marked dirty, [lo, hi) */
    struct tui_draw_stats stats;
    struct tui_screen *shown;   /* the top last entered: left when it changes */
    enum tui_result (*global)(void *ud, struct tui_screen *top, int action);
    bool (*global_allowed)(void *ud, int action);
    void *global_ud;
    void (*removed)(void *ud, struct tui_screen *s);
    void *removed_ud;
};

/* The screen on top learns its body's size (on a resize, on coming on top). */
void tui_app_layout_top(struct tui_app *app);

#endif
