/* Helpers for screen files: a screen is ops (static const, named in
 * screens/registry.h) + state the framework allocates (ops->state_size,
 * set up by ops->init, which finds the struct lumen in s->ud). */
#ifndef LUMEN_SCREENS_SCREEN_H
#define LUMEN_SCREENS_SCREEN_H

#include "screens/lumen.h"

/* tui_screen_new, with out of memory fatal as everywhere in Lumen. */
struct tui_screen *screen_new(struct lumen *L, const struct screen_ops *ops);
void screen_free(struct tui_screen **s);

#endif
