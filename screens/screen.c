/* What every screen file shares: allocation of a screen and its state. */
#include "screens/screen.h"
#include "client/mem.h"

struct tui_screen *screen_new(struct lumen *L, const struct screen_ops *ops)
{
    struct tui_screen *s = tui_screen_new(L->app, ops, L);
    if (!s)
        mem_fatal("out of memory");
    return s;
}

void screen_free(struct tui_screen **ps)
{
    tui_screen_free(ps);
}
