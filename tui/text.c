/* text: untrusted-text sanitizer and display widths.  Contract in text.h. */
#include "tui/text.h"

#include <langinfo.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>
#include <wchar.h>

/* Code points go straight to wcwidth(), which is only right where wchar_t
 * holds Unicode scalar values (glibc, musl, the BSDs in UTF-8 locales). */
_Static_assert(WCHAR_MAX >= 0x10FFFF, "wchar_t must hold any code point");

#define BAD_SEQ   UINT32_MAX /* decoder result for an invalid subpart */
#define REPLACE   0xFFFDu
#define UNIT_MAX  8          /* longest output of one input unit */
#define NONE      SIZE_MAX

_Static_assert(TEXT_TAB_SPACES <= UNIT_MAX, "tab expansion fits a unit");

/* What one input character (or one invalid subpart) becomes. */
struct unit {
    char b[UNIT_MAX];
    size_t len;
    bool zero;    /* zero-width: belongs to the character before it */
    bool glue;    /* a joiner kept: the next character belongs with it */
    uint32_t cp;  /* the character kept as itself, or 0 (a placeholder) */
};

struct ellipsis {
    const char *s;
    size_t len;   /* bytes */
    size_t w;     /* columns */
    bool use;
    size_t room;  /* columns left for text when it is used */
};

unsigned text_locale_flags(void)
{
    const char *cs = nl_langinfo(CODESET);

    if (cs && (strcasecmp(cs, "UTF-8") == 0 || strcasecmp(cs, "UTF8") == 0))
        return 0;
    return TEXT_ASCII;
}

/* Strict UTF-8 (Unicode table 3-7), decoded by hand rather than with
 * mbrtowc(): glibc's mbrtowc accepts sequences above U+10FFFF, and the
 * sanitizer must not depend on the locale to reject bad input.  An invalid
 * sequence consumes its maximal subpart, the longest prefix that could
 * still have begun a valid sequence, so one bad byte cannot swallow the
 * valid character that follows it. */
static size_t utf8_decode(const unsigned char *p, size_t n, uint32_t *cp)
{
    unsigned char b = p[0], lo = 0x80, hi = 0xBF;
    size_t need;
    uint32_t c;

    if (b < 0x80) {
        *cp = b;
        return 1;
    }
    if (b < 0xC2 || b > 0xF4) { /* continuation, overlong lead, too big */
        *cp = BAD_SEQ;
        return 1;
    }
    if (b < 0xE0) {
        need = 1;
        c = b & 0x1Fu;
    } else if (b < 0xF0) {
        need = 2;
        c = b & 0x0Fu;
        if (b == 0xE0)
            lo = 0xA0; /* overlong */
        else if (b == 0xED)
            hi = 0x9F; /* surrogates */
    } else {
        need = 3;
        c = b & 0x07u;
        if (b == 0xF0)
            lo = 0x90; /* overlong */
        else if (b == 0xF4)
            hi = 0x8F; /* above U+10FFFF */
    }
    for (size_t i = 1; i <= need; i++) {
        if (i >= n || p[i] < lo || p[i] > hi) {
            *cp = BAD_SEQ;
            return i;
        }
        c = (c << 6) | (p[i] & 0x3Fu);
        lo = 0x80;
        hi = 0xBF;
    }
    *cp = c;
    return need + 1;
}

size_t text_utf8_encode(uint32_t c, char *out)
{
    if (c < 0x80) {
        out[0] = (char)c;
        return 1;
    }
    if (c < 0x800) {
        out[0] = (char)(0xC0 | (c >> 6));
        out[1] = (char)(0x80 | (c & 0x3F));
        return 2;
    }
    if (c < 0x10000) {
        out[0] = (char)(0xE0 | (c >> 12));
        out[1] = (char)(0x80 | ((c >> 6) & 0x3F));
        out[2] = (char)(0x80 | (c & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (c >> 18));
    out[1] = (char)(0x80 | ((c >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((c >> 6) & 0x3F));
    out[3] = (char)(0x80 | (c & 0x3F));
    return 4;
}

/* Characters wcwidth() accepts (most with width 0) that can still reorder,
 * hide or break the text around them: C1 controls, which some terminals
 * obey when they arrive as UTF-8; bidi marks, embeddings, overrides and
 * isolates (the "Trojan Source" set); the deprecated format controls that
 * also steer bidi shaping; line and paragraph separators; the BOM; and the
 * interlinear annotation marks, which can hide a run of text. */
static bool is_hidden_control(uint32_t c)
{
    return (c >= 0x80 && c <= 0x9F) || c == 0x061C ||
           c == 0x200E || c == 0x200F || (c >= 0x2028 && c <= 0x202E) ||
           (c >= 0x2066 && c <= 0x206F) || c == 0xFEFF ||
           (c >= 0xFFF9 && c <= 0xFFFB);
}

/* Characters that show as nothing, or as a blank, and serve only to make
 * two names look alike ("ad\u200Bmin", "Eve\u3164"): Unicode's
 * Default_Ignorable_Code_Point set (the soft hyphen, the grapheme joiner,
 * the Hangul fillers, the Khmer inherent vowels, the Mongolian vowel
 * separator, the zero-width space, the invisible operators U+2060-U+2064,
 * the shorthand and musical format controls, the tag characters and the
 * unassigned rest of plane 14), plus the Egyptian hieroglyph format
 * controls.  Joiners and variation selectors are ignorable too, but they
 * have real work in context: see joiner_kept() and selector_kept(). */
static bool is_invisible(uint32_t c)
{
    return c == 0x00AD || c == 0x034F || c == 0x115F || c == 0x1160 ||
           c == 0x17B4 || c == 0x17B5 || c == 0x180E || c == 0x200B ||
           (c >= 0x2060 && c <= 0x2065) || c == 0x3164 || c == 0xFFA0 ||
           (c >= 0xFFF0 && c <= 0xFFF8) || (c >= 0x13430 && c <= 0x1343F) ||
           (c >= 0x1BCA0 && c <= 0x1BCA3) || (c >= 0x1D173 && c <= 0x1D17A) ||
           (c >= 0xE0000 && c <= 0xE0FFF && !(c >= 0xE0100 && c <= 0xE01EF));
}

/* Never characters at all; glibc's wcwidth() happens to reject them, but
 * the sanitizer must not depend on a locale's tables for that. */
static bool is_noncharacter(uint32_t c)
{
    return (c >= 0xFDD0 && c <= 0xFDEF) || (c & 0xFFFEu) == 0xFFFEu;
}

static bool is_selector(uint32_t c)
{
    return (c >= 0xFE00 && c <= 0xFE0F) || (c >= 0xE0100 && c <= 0xE01EF) ||
           (c >= 0x180B && c <= 0x180D) || c == 0x180F;
}

static bool is_joiner(uint32_t c)
{
    return c == 0x200C || c == 0x200D; /* ZWNJ, ZWJ */
}

/* Columns of a character, or -1 for one that must be replaced.  The fast
 * path matters: list rows are mostly ASCII and are redrawn on every key.
 * Joiners and selectors count 0 here; whether one is kept at all is the
 * sanitizer's decision, from its neighbours. */
static int cp_width(uint32_t c)
{
    if (c >= 0x20 && c < 0x7F)
        return 1;
    if (c == BAD_SEQ || c < 0x20 || c == 0x7F || is_hidden_control(c) ||
        is_invisible(c) || is_noncharacter(c))
        return -1;
    int w = wcwidth((wchar_t)c);
    return w < 0 ? -1 : w;
}

/* A variation selector picks the glyph of the character right before it:
 * an emoji (U+2764 U+FE0F), a CJK ideograph, a Mongolian letter, or one of
 * the ASCII characters that have an emoji form (the keycap "1" U+FE0F
 * U+20E3).  PREV is the character before, 0 if it was replaced.  After
 * an ASCII letter, a mark, another selector, or at the start, a selector
 * changes nothing and only hides. */
static bool selector_kept(uint32_t prev)
{
    if (prev >= 0x80)
        return cp_width(prev) > 0;
    return (prev >= '0' && prev <= '9') || prev == '#' || prev == '*';
}

/* ZWJ and ZWNJ shape the scripts that join or stack letters (Arabic,
 * Persian, the Indic and Southeast Asian scripts, after a virama too) and
 * glue emoji sequences; all of them lie from U+0590 up.  Latin, Greek
 * and Cyrillic (with their extended blocks at U+1D00-U+1FFF and the
 * fullwidth forms) never need one.  So a joiner is kept only between two
 * characters of that range, the next one visible; at either end of the
 * text, next to ASCII or to anything replaced, it only hides. */
static bool joins(uint32_t c)
{
    return c >= 0x0590 && !(c >= 0x1D00 && c <= 0x1FFF) &&
           !(c >= 0xFF00 && c <= 0xFFEF);
}

static bool joiner_kept(uint32_t prev, const unsigned char *next, size_t n)
{
    uint32_t c;

    if (!prev || !joins(prev) || n == 0)
        return false;
    utf8_decode(next, n, &c);
    return c != BAD_SEQ && joins(c) && cp_width(c) > 0;
}

static void control_unit(uint32_t c, unsigned flags, struct unit *u)
{
    if ((flags & TEXT_MULTILINE) && c == '\n') {
        u->b[0] = '\n';
        u->len = 1;
    } else if ((flags & TEXT_MULTILINE) && c == '\t') {
        memset(u->b, ' ', TEXT_TAB_SPACES);
        u->len = TEXT_TAB_SPACES;
    } else if (flags & TEXT_ASCII) {
        /* Caret notation, as terminals echo it: 0x1B is "^[", 0x7F "^?". */
        u->b[0] = '^';
        u->b[1] = (char)(c ^ 0x40);
        u->len = 2;
    } else {
        u->len = text_utf8_encode(c == 0x7F ? 0x2421 : 0x2400 + c, u->b);
    }
}

/* A non-ASCII character in UTF-8 mode: itself, or U+FFFD.  P and N are
 * what follows it (a joiner looks ahead). */
static void char_unit(uint32_t c, uint32_t prev, const unsigned char *p, size_t n,
                      struct unit *u)
{
    int w = cp_width(c);

    if ((is_selector(c) && !selector_kept(prev)) ||
        (is_joiner(c) && !joiner_kept(prev, p, n)))
        w = -1;
    u->len = text_utf8_encode(w < 0 ? REPLACE : c, u->b);
    u->zero = w == 0;
    u->glue = w == 0 && is_joiner(c);
    u->cp = w < 0 ? 0 : c;
}

/* PREV is the character before, as kept (unit.cp). */
static size_t next_unit(const unsigned char *p, size_t n, unsigned flags,
                        uint32_t prev, struct unit *u)
{
    uint32_t c;
    size_t used;

    u->zero = false;
    u->glue = false;
    u->cp = 0;
    if (p[0] >= 0x20 && p[0] < 0x7F) {
        u->b[0] = (char)p[0];
        u->len = 1;
        u->cp = p[0];
        return 1;
    }
    used = utf8_decode(p, n, &c);
    /* Web forms send CRLF; in a transcript it is one line break, not "␍". */
    if ((flags & TEXT_MULTILINE) && c == '\r' && n > 1 && p[1] == '\n') {
        c = '\n';
        used = 2;
    }
    if (c < 0x20 || c == 0x7F) {
        control_unit(c, flags, u);
    } else if (flags & TEXT_ASCII) {
        u->b[0] = '?';
        u->len = 1;
    } else {
        char_unit(c, prev, p + used, n - used, u);
    }
    return used;
}

size_t text_sanitize(char *dst, size_t size, const char *src, size_t len,
                     unsigned flags, bool *truncated)
{
    const unsigned char *p = (const unsigned char *)src;
    size_t in = 0, out = 0, base = 0;
    bool cut = false, glued = false;
    uint32_t prev = 0;

    if (size == 0) {
        if (truncated)
            *truncated = len > 0;
        return 0;
    }
    /* Every input unit yields at least one byte, so the first unit that
     * does not fit ends the work: a long transcript cut to a small cell
     * costs only what fits. */
    while (in < len) {
        struct unit u;
        bool same_cluster;

        in += next_unit(p + in, len - in, flags, prev, &u);
        /* A cut may fall before a joiner, never between it and what it
         * joins: a joiner at the end would only hide. */
        same_cluster = glued || (u.zero && !u.glue);
        if (u.len > size - 1 - out) {
            cut = true;
            /* An accent without its base would show a different letter. */
            if (same_cluster)
                out = base;
            break;
        }
        if (!same_cluster)
            base = out;
        memcpy(dst + out, u.b, u.len);
        out += u.len;
        prev = u.cp;
        glued = u.glue;
    }
    dst[out] = '\0';
    if (truncated)
        *truncated = cut;
    return out;
}

size_t text_width_n(const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0, w = 0;

    while (i < len) {
        uint32_t c;
        int cw;

        i += utf8_decode(p + i, len - i, &c);
        cw = cp_width(c);
        w += cw < 0 ? 1 : (size_t)cw; /* as wide as its placeholder */
    }
    return w;
}

size_t text_width(const char *s)
{
    return s ? text_width_n(s, strlen(s)) : 0;
}

static struct ellipsis ellipsis_for(unsigned flags, size_t cols)
{
    struct ellipsis e;

    if (flags & TEXT_ASCII) {
        e.s = "...";
        e.len = 3;
        e.w = 3;
    } else {
        e.s = "\xE2\x80\xA6"; /* U+2026 */
        e.len = 3;
        e.w = 1;
    }
    /* An ellipsis alone says nothing about the text; below that width a
     * plain cut shows more. */
    e.use = (flags & TEXT_ELLIPSIS) && cols > e.w;
    e.room = e.use ? cols - e.w : cols;
    return e;
}

/* The string length, also when the caller broke the contract and left no
 * NUL: then the last whole character before dst[size - 1] ends it. */
static size_t bounded_len(char *buf, size_t size)
{
    size_t len = strnlen(buf, size);

    if (len < size)
        return len;
    len = size - 1;
    while (len > 0 && ((unsigned char)buf[len] & 0xC0) == 0x80)
        len--;
    buf[len] = '\0';
    return len;
}

/* One walk over the string finds both cut points: the end of the last
 * whole cluster (a character with its combining marks) that fits in cols,
 * and the last one after which the ellipsis still fits in cols and in
 * size.  force asks for the ellipsis even when nothing is cut here, because
 * the sanitizer already dropped the end of the text. */
static size_t fit(char *buf, size_t size, size_t cols, unsigned flags,
                  bool force)
{
    const unsigned char *s = (const unsigned char *)buf;
    size_t len, i = 0, w = 0, mark = NONE, mark_w = 0, start = 0, start_w = 0;
    struct ellipsis e = ellipsis_for(flags, cols);
    bool over = false, glued = false;

    if (!buf || size == 0)
        return 0;
    len = bounded_len(buf, size);
    for (;;) {
        uint32_t c = 0;
        size_t n = 0;
        int cw = 0;

        if (i < len) {
            n = utf8_decode(s + i, len - i, &c);
            cw = cp_width(c);
            if (cw < 0)
                cw = 1;
        }
        /* Where a cut may fall: where a cluster ends (unless a joiner
         * glues the next one on), and before a joiner. */
        if (i == len || (cw > 0 && !glued) || is_joiner(c)) {
            if (e.use && w <= e.room && i + e.len < size) {
                mark = i;
                mark_w = w;
            }
            if (i == len)
                break;
            start = i;
            start_w = w;
        }
        if (w + (size_t)cw > cols) {
            over = true;
            i = start;
            w = start_w;
            break;
        }
        w += (size_t)cw;
        i += n;
        glued = is_joiner(c);
    }
    if (!over && !force)
        return w;
    if (mark == NONE) {
        buf[i] = '\0';
        return w;
    }
    memcpy(buf + mark, e.s, e.len);
    buf[mark + e.len] = '\0';
    return mark_w + e.w;
}

static size_t pad_to(char *buf, size_t size, size_t cols, size_t w)
{
    size_t len, n;

    if (!buf || size == 0 || w >= cols)
        return w;
    len = strlen(buf);
    n = cols - w;
    if (n > size - 1 - len)
        n = size - 1 - len;
    memset(buf + len, ' ', n);
    buf[len + n] = '\0';
    return w + n;
}

size_t text_fit(char *buf, size_t size, size_t cols, unsigned flags)
{
    return fit(buf, size, cols, flags, false);
}

size_t text_pad(char *buf, size_t size, size_t cols, unsigned flags)
{
    return pad_to(buf, size, cols, fit(buf, size, cols, flags, false));
}

size_t text_cell(char *dst, size_t size, const char *src, size_t len,
                 size_t cols, unsigned flags)
{
    bool cut = false;
    size_t w;

    text_sanitize(dst, size, src, len, flags & ~(unsigned)TEXT_MULTILINE,
                  &cut);
    w = fit(dst, size, cols, flags, cut);
    if (flags & TEXT_PAD)
        w = pad_to(dst, size, cols, w);
    return w;
}

static size_t wrap_char_len(const char *s)
{
    unsigned char b = (unsigned char)*s;
    size_t n = b < 0x80 ? 1 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4;

    /* Sanitized text is valid UTF-8; stop at a NUL all the same. */
    for (size_t i = 1; i < n; i++)
        if (!s[i])
            return i;
    return n;
}

/* Break after the last space that fits; a word longer than the line
 * breaks before the first character that does not fit (a zero-width mark
 * adds no width, so it is never that one, and never starts a line). */
size_t text_wrap_next(const char *s, size_t cols, size_t *line,
                      size_t *width)
{
    size_t i = 0, w = 0, brk = 0, brk_w = 0;
    bool have_brk = false;

    *line = *width = 0;
    if (!*s)
        return 0;
    while (s[i] && s[i] != '\n') {
        size_t n = wrap_char_len(s + i);
        size_t cw = text_width_n(s + i, n);

        if (s[i] == ' ') {
            brk = i;
            brk_w = w;
            have_brk = true;
        }
        if (w + cw > cols && i > 0) {
            if (have_brk) {
                i = brk;
                w = brk_w;
            }
            *line = i;
            *width = w;
            while (s[i] == ' ')
                i++;
            return i;
        }
        w += cw;
        i += n;
    }
    *line = i;
    *width = w;
    return s[i] == '\n' ? i + 1 : i;
}
