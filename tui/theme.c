#include "tui/theme.h"

#include <stdlib.h>

static attr_t attrs[ROLE_COUNT];
static bool colored;

/* Attributes that carry the meaning on their own, with or without colour. */
static const attr_t mono[ROLE_COUNT] = {
    [ROLE_NORMAL] = A_NORMAL,
    [ROLE_TITLE] = A_BOLD,
    [ROLE_TAB] = A_NORMAL,
    [ROLE_SELECTED] = A_REVERSE,
    [ROLE_STATUS] = A_REVERSE,
    [ROLE_KEY] = A_BOLD,
    [ROLE_DIM] = A_NORMAL,
    [ROLE_INPUT] = A_UNDERLINE,
    [ROLE_INPUT_FOCUS] = A_REVERSE,
    [ROLE_ERROR] = A_BOLD,
    [ROLE_DANGER] = A_BOLD | A_UNDERLINE,
    [ROLE_OK] = A_BOLD,
    [ROLE_BORDER] = A_NORMAL,
    /* Without colour, reverse video is the only way to a light background
     * (the terminal's foreground) under dark ink (its background): right
     * on the common dark themes, a negative code on light ones. */
    [ROLE_QR] = A_REVERSE,
};

/* Foregrounds on the default background, from the 8 safe colours. */
static const short fg[ROLE_COUNT] = {
    [ROLE_NORMAL] = -1, [ROLE_TITLE] = COLOR_CYAN, [ROLE_TAB] = -1,
    [ROLE_SELECTED] = COLOR_CYAN, [ROLE_STATUS] = COLOR_BLUE,
    [ROLE_KEY] = COLOR_YELLOW, [ROLE_DIM] = COLOR_BLUE, [ROLE_INPUT] = -1,
    [ROLE_INPUT_FOCUS] = COLOR_CYAN, [ROLE_ERROR] = COLOR_RED,
    [ROLE_DANGER] = COLOR_RED, [ROLE_OK] = COLOR_GREEN, [ROLE_BORDER] = COLOR_BLUE,
};

/* A scanner wants dark ink on a light background whatever the user's
 * theme, so the QR pair names both colours.  Colours 16 and 231 are the
 * pure black and white of the 256-colour cube, which themes leave alone
 * (they restyle 0-15: Solarized's "black" is dark teal); with 16 colours,
 * bright white 15 is whiter than 7, often a grey. */
static void qr_pair(void)
{
    short black = COLORS >= 256 ? 16 : COLOR_BLACK;
    short white = COLORS >= 256 ? 231 : COLORS >= 16 ? 15 : COLOR_WHITE;
    /* The pair replaces the reverse video rather than adding to it:
     * reverse would swap the two colours back. */
    if (init_pair(ROLE_QR + 1, black, white) == OK)
        attrs[ROLE_QR] = COLOR_PAIR(ROLE_QR + 1);
}

void theme_init(enum theme_mode mode)
{
    const char *no_color = getenv("NO_COLOR");
    bool want = mode == THEME_ALWAYS ||
                (mode == THEME_AUTO && !(no_color && *no_color));
    colored = want && has_colors() && start_color() == OK;
    if (colored)
        use_default_colors();
    for (int r = 0; r < ROLE_COUNT; r++) {
        attrs[r] = mono[r];
        if (colored && fg[r] != -1 && init_pair((short)(r + 1), fg[r], -1) == OK)
            attrs[r] |= COLOR_PAIR(r + 1);
    }
    if (colored)
        qr_pair();
}

bool theme_has_color(void) { return colored; }

attr_t theme_attr(enum theme_role role)
{
    return (role >= 0 && role < ROLE_COUNT) ? attrs[role] : A_NORMAL;
}
