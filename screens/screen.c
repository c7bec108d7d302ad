/* What every screen file shares: allocation of a screen and its state. */
#include "screens/screen.h"
#include "client/mem.h"

#include <stdlib.h>

struct tui_screen *screen_new(const struct screen_ops *ops, void *state)
{
    struct tui_screen *s = mem_alloc(sizeof *s);
    s->ops = ops;
    s->state = state;
    return s;
}

void screen_free(struct tui_screen **ps)
{
    struct tui_screen *s = *ps;
    if (!s)
        return;
    if (s->ops->destroy)
        s->ops->destroy(s);
    free(s->state);
    free(s);
    *ps = NULL;
}
