/* Helpers for screen files: a screen is ops (static const) + state (heap,
 * owned by the screen, freed by screen_free after ops->destroy). */
#ifndef LUMEN_SCREENS_SCREEN_H
#define LUMEN_SCREENS_SCREEN_H

#include "screens/lumen.h"

struct tui_screen *screen_new(const struct screen_ops *ops, void *state);

#endif
