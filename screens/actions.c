/* The keymap's table, expanded from the lists in actions.h: nothing here
 * is written by hand, so there is nothing to keep in step. */
#include "screens/actions.h"

#define ROW(id_, name_, ctx_, perm_, label_, help_, keys_)                    \
    { .id = ACT_##id_, .name = name_, .ctx = ctx_, .perm = perm_,            \
      .label = label_, .help = help_, .keys = keys_ },
static const struct tui_action actions[] = { LUMEN_ACTIONS(ROW) };
#undef ROW

#define MASK(name, mask) (mask),
static const unsigned scopes[] = { LUMEN_SCOPES(MASK) };
#undef MASK

const struct keymap_table lumen_actions = {
    actions, sizeof actions / sizeof actions[0], scopes, sizeof scopes / sizeof scopes[0],
    CTX_ALL
};
