/* Key specs and key names: "C-x", "PgDn", "é" both ways, and the synonyms
 * terminals send.  Contract in keymap.h ("Keys and their names"); kept out
 * of keymap.c, which is about actions, so each file reads on its own. */
#include "tui/keymap_priv.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <wchar.h>

#include "tui/text.h"

#define FKEY_MAX 24


/* Canonical names first: the formatter takes the first name of a key. */
static const struct { const char *name; tui_key key; } names[] = {
    { "Enter", '\n' }, { "Esc", TUI_KEY_ESC },
    { "Tab", '\t' }, { "S-Tab", TUI_FN(KEY_BTAB) },
    { "Space", ' ' }, { "Backspace", TUI_FN(KEY_BACKSPACE) },
    { "Delete", TUI_FN(KEY_DC) }, { "Insert", TUI_FN(KEY_IC) },
    { "Up", TUI_FN(KEY_UP) }, { "Down", TUI_FN(KEY_DOWN) },
    { "Left", TUI_FN(KEY_LEFT) }, { "Right", TUI_FN(KEY_RIGHT) },
    { "PgUp", TUI_FN(KEY_PPAGE) }, { "PgDn", TUI_FN(KEY_NPAGE) },
    { "Home", TUI_FN(KEY_HOME) }, { "End", TUI_FN(KEY_END) },
    /* Aliases, parsed only. */
    { "Return", '\n' }, { "Escape", TUI_KEY_ESC },
    { "BackTab", TUI_FN(KEY_BTAB) }, { "BS", TUI_FN(KEY_BACKSPACE) },
    { "Del", TUI_FN(KEY_DC) }, { "Ins", TUI_FN(KEY_IC) },
    { "PageUp", TUI_FN(KEY_PPAGE) }, { "PageDown", TUI_FN(KEY_NPAGE) },
};

#define KEY_LIST "a character, C-x, F1 .. F24, or one of Enter Esc Tab " \
                 "S-Tab Space Backspace Delete Insert Up Down Left Right " \
                 "PgUp PgDn Home End"

void keymap_fail(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;

    if (!err || errlen == 0)
        return;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

/* A bad spec is quoted back to the user, who may be looking at it in the
 * TUI's status line: it goes through the sanitizer like any other text. */
const char *keymap_quote(const char *s, char *buf, size_t size)
{
    text_cell(buf, size, s, strlen(s), KEYMAP_ECHO_COLS,
              text_locale_flags() | TEXT_ELLIPSIS);
    return buf;
}

tui_key keymap_key_canon(tui_key k)
{
    if (k == 8 || k == 0x7f)
        return TUI_FN(KEY_BACKSPACE);
    if (k == '\r' || k == TUI_FN(KEY_ENTER))
        return '\n';
    return k;
}

/* A character is a key name only if it reaches the screen as itself: the
 * sanitizer would leave it alone and it takes at least one column (a lone
 * combining mark would sit on the previous cell). */
static bool char_shows_as_itself(wchar_t c, char *enc, size_t encsize)
{
    char mb[MB_LEN_MAX + 1], out[4 * MB_LEN_MAX + 1];
    mbstate_t st;
    size_t len;

    if (!tui_key_is_text(c) || c == ' ' || wcwidth(c) < 1)
        return false;
    memset(&st, 0, sizeof st);
    len = wcrtomb(mb, c, &st);
    if (len == (size_t)-1 || len >= encsize)
        return false;
    mb[len] = '\0';
    text_sanitize(out, sizeof out, mb, len, text_locale_flags(), NULL);
    if (strcmp(out, mb) != 0)
        return false;
    memcpy(enc, mb, len + 1);
    return true;
}

size_t keymap_put(char *buf, size_t size, const char *s)
{
    if (size == 0)
        return 0;
    snprintf(buf, size, "%s", s);
    return strlen(buf);
}

size_t keymap_key_name(tui_key key, char *buf, size_t size)
{
    char tmp[KEYMAP_NAME_MAX];
    tui_key k = keymap_key_canon(key);

    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (names[i].key == k)
            return keymap_put(buf, size, names[i].name);
    if (tui_key_is_fn(k)) {
        int code = k & ~TUI_KEY_FN;
        if (code >= KEY_F(1) && code <= KEY_F(FKEY_MAX))
            snprintf(tmp, sizeof tmp, "F%d", code - KEY_F0);
        else
            snprintf(tmp, sizeof tmp, "key-%04o", (unsigned)code);
    } else if (k > 0 && k < 0x20) {
        snprintf(tmp, sizeof tmp, "C-%c", k < 27 ? 'a' + k - 1 : k | 0x40);
    } else if (k < 0 || !char_shows_as_itself((wchar_t)k, tmp, sizeof tmp)) {
        snprintf(tmp, sizeof tmp, "U+%04X", (unsigned)k);
    }
    return keymap_put(buf, size, tmp);
}

/* "C-x" with one ASCII character after the dash. */
static int parse_ctrl(const char *spec, tui_key *key, char *err, size_t errlen)
{
    char e[KEYMAP_QUOTE_MAX];
    unsigned char c = (unsigned char)spec[2];

    if (spec[3] == '\0' && (strchr("\\]^_", c) && c != '\0')) {
        *key = c & 0x1f;
        return 0;
    }
    if (spec[3] == '\0' && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))) {
        *key = keymap_key_canon(c & 0x1f);
        return 0;
    }
    keymap_fail(err, errlen, "'%s' is not a key: C- takes a letter (C-a .. C-z)",
                keymap_quote(spec, e, sizeof e));
    return -1;
}

/* "F1" .. "F24"; returns 1 when spec is not of the form F<digits>. */
static int parse_fkey(const char *spec, tui_key *key, char *err, size_t errlen)
{
    char e[KEYMAP_QUOTE_MAX];
    long n = 0;
    size_t i = 1;

    if ((spec[0] != 'F' && spec[0] != 'f') || spec[1] < '0' || spec[1] > '9')
        return 1;
    for (; spec[i] >= '0' && spec[i] <= '9'; i++)
        if (n <= FKEY_MAX)
            n = n * 10 + (spec[i] - '0');
    if (spec[i] != '\0')
        return 1;
    if (n < 1 || n > FKEY_MAX) {
        keymap_fail(err, errlen, "'%s' is not a key: function keys are F1 .. F%d",
                    keymap_quote(spec, e, sizeof e), FKEY_MAX);
        return -1;
    }
    *key = TUI_FN(KEY_F((int)n));
    return 0;
}

/* A spec that is exactly one multibyte character.  Returns 1 when spec
 * holds more than one character, so that names get their turn. */
static int parse_char(const char *spec, tui_key *key, char *err, size_t errlen)
{
    char e[KEYMAP_QUOTE_MAX], enc[MB_LEN_MAX + 1];
    size_t len = strlen(spec);
    mbstate_t st;
    wchar_t wc;
    size_t r;

    memset(&st, 0, sizeof st);
    r = mbrtowc(&wc, spec, len, &st);
    if (r == (size_t)-1 || r == (size_t)-2) {
        if ((unsigned char)spec[0] < 0x80)
            return 1;
        keymap_fail(err, errlen, "'%s' is not a key: not a character in this "
                    "locale (UTF-8 expected)", keymap_quote(spec, e, sizeof e));
        return -1;
    }
    if (r != len)
        return 1;
    if (wc == ' ') {
        *key = ' ';
        return 0;
    }
    if (!char_shows_as_itself(wc, enc, sizeof enc)) {
        keymap_fail(err, errlen, "'%s' is not a key: not a printable character",
                    keymap_quote(spec, e, sizeof e));
        return -1;
    }
    *key = (tui_key)wc;
    return 0;
}

int keymap_key_parse(const char *spec, tui_key *key, char *err, size_t errlen)
{
    char e[KEYMAP_QUOTE_MAX];
    int r;

    if (!spec || !*spec) {
        keymap_fail(err, errlen, "empty key");
        return -1;
    }
    if ((r = parse_char(spec, key, err, errlen)) <= 0)
        return r;
    if ((spec[0] == 'C' || spec[0] == 'c') && spec[1] == '-' && spec[2])
        return parse_ctrl(spec, key, err, errlen);
    if ((r = parse_fkey(spec, key, err, errlen)) <= 0)
        return r;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcasecmp(spec, names[i].name) == 0) {
            *key = names[i].key;
            return 0;
        }
    if (strchr(spec, ','))
        keymap_fail(err, errlen, "'%s' is not a key: separate keys with spaces",
                    keymap_quote(spec, e, sizeof e));
    else
        keymap_fail(err, errlen, "'%s' is not a key: write " KEY_LIST,
                    keymap_quote(spec, e, sizeof e));
    return -1;
}
