/* text: the untrusted-text sanitizer and terminal display widths.
 *
 * Every string that comes from a visitor or the database goes through
 * text_sanitize() (or text_cell(), which calls it) before it is drawn.  The
 * output is a NUL-terminated string that is safe to hand to ncursesw
 * (mvwaddnstr, waddstr): it never contains a byte below 0x20 (except '\n'
 * with TEXT_MULTILINE), 0x7F, a C1 control, a bidirectional or line-breaking
 * format character, an invisible character, a noncharacter, invalid UTF-8,
 * or a character wcwidth() rejects.  Each of those is replaced by a VISIBLE
 * placeholder, never dropped silently:
 *
 *   input                          UTF-8 mode         ASCII mode (TEXT_ASCII)
 *   C0 0x00-0x1F (ESC, NUL, ...)   U+2400+c  "␀".."␟"  "^@".."^_"  (ESC "^[")
 *   DEL 0x7F                       U+2421    "␡"       "^?"
 *   '\n', '\t' (single-line)       "␊", "␉"            "^J", "^I"
 *   C1 U+0080-U+009F (as UTF-8)    U+FFFD    "�"       "?"
 *   bidi/format controls (*)       U+FFFD    "�"       "?"
 *   invisible characters (**)      U+FFFD    "�"       "?"
 *   noncharacters (U+FDD0-U+FDEF, U+xxFFFE, U+xxFFFF)  U+FFFD  "?"
 *   invalid UTF-8                  U+FFFD per maximal subpart, "?" in ASCII
 *   wcwidth() < 0 (unassigned)     U+FFFD    "�"       "?"
 *   any other non-ASCII character  kept                "?" per code point
 *
 * (*) U+061C, U+200E, U+200F, U+202A-U+202E, U+2066-U+2069, U+206A-U+206F,
 *     U+2028, U+2029, U+FEFF, U+FFF9-U+FFFB.  Right-to-left letters (Arabic,
 *     Hebrew) are ordinary text and are kept, and so are combining marks.
 * (**) What shows as nothing or as a blank and can make two names look
 *     alike: Unicode's Default_Ignorable_Code_Point set (U+00AD soft hyphen,
 *     U+034F, the Hangul fillers U+115F, U+1160, U+3164, U+FFA0, U+17B4,
 *     U+17B5, U+180E, U+200B, U+2060-U+2065, U+FFF0-U+FFF8, U+1BCA0-U+1BCA3,
 *     U+1D173-U+1D17A, U+E0000-U+E0FFF with the tag characters) and the
 *     Egyptian hieroglyph format controls U+13430-U+1343F.  Two kinds of
 *     them do real work, and are kept only where they do it:
 *     - a variation selector (U+FE00-U+FE0F, U+E0100-U+E01EF, the Mongolian
 *       U+180B-U+180D, U+180F) right after a visible non-ASCII character
 *       or a digit, '#' or '*' (emoji and keycap forms, ideograph
 *       variants); first, after an ASCII letter, a mark, another selector
 *       or a placeholder, it is a placeholder;
 *     - ZWNJ U+200C and ZWJ U+200D between two characters from U+0590 up
 *       (Arabic, Persian, the Indic scripts, emoji sequences), the second
 *       visible, but not in the Latin/Greek extended blocks U+1D00-U+1FFF
 *       or the fullwidth forms U+FF00-U+FFEF; anywhere else (next to ASCII,
 *       Latin, Greek, Cyrillic, at either end, next to a placeholder) it is
 *       a placeholder.  A cut (truncation, text_fit) may fall before a
 *       joiner but never between a joiner and what it joins.
 *     Subdivision flags (black flag + tag characters) therefore show as a
 *     black flag and placeholders: tags can carry a whole hidden text.
 *
 * Invalid UTF-8 (overlongs, surrogates U+D800-U+DFFF, > U+10FFFF, stray
 * continuation bytes such as a raw 0x9B, truncated sequences) becomes one
 * U+FFFD per "maximal subpart", the Unicode-recommended practice: a truncated
 * "\xE2\x82" is one U+FFFD, an overlong "\xC0\xAF" is two, a surrogate
 * "\xED\xA0\x80" is three.  An ESC sequence is not parsed: ESC becomes "␛"
 * (or "^[") and the rest of "\x1b[31m" is shown as the literal text "[31m".
 *
 * With TEXT_MULTILINE (transcripts), "\n" and "\r\n" become '\n', a lone
 * '\r' is still "␍", and '\t' becomes TEXT_TAB_SPACES spaces.  '\n' is the
 * only control that can appear in any output; split lines on it and draw
 * them one by one rather than passing it to waddstr (ncurses' newline
 * handling clears to the end of the line and wraps at the left edge).
 *
 * Modes.  UTF-8 mode is the default (flags without TEXT_ASCII) and needs an
 * LC_CTYPE locale whose codeset is UTF-8: widths come from wcwidth(), which
 * reads the locale.  main() calls setlocale(LC_CTYPE, "") once at start-up,
 * before initscr(); the TUI start-up code then calls text_locale_flags()
 * once and keeps the result in its own context, and every widget ORs it into
 * the flags it passes here.  The module itself keeps no state, so results
 * never depend on call order.  Tests call setlocale(LC_ALL, "C.UTF-8").
 * ASCII mode never calls wcwidth() and works in any locale: its output is
 * bytes 0x20-0x7E only (plus '\n' with TEXT_MULTILINE), one column each.
 *
 * Memory.  Every function writes into a buffer the caller owns, given as a
 * pointer and its size in bytes (including the NUL); nothing here allocates,
 * so the functions are cheap enough to run for every visible cell on every
 * keypress.  No function writes past dst[size - 1].  When the output does
 * not fit, it is cut on a character boundary (a combining mark is never kept
 * without its base), NUL-terminated, and *truncated is set.
 *
 * Threads.  All functions are reentrant and keep no state; they read the
 * calling thread's LC_CTYPE locale, so nobody may call setlocale()
 * concurrently.  Input strings are only read; dst must not overlap src.
 */
#ifndef LUMEN_TUI_TEXT_H
#define LUMEN_TUI_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum text_flags {
    TEXT_ASCII     = 1u << 0, /* ASCII fallback output (non-UTF-8 terminal) */
    TEXT_MULTILINE = 1u << 1, /* keep line breaks, expand tabs (sanitize) */
    TEXT_ELLIPSIS  = 1u << 2, /* end a cut string with "…" / "..." (fit) */
    TEXT_PAD       = 1u << 3, /* text_cell: pad with spaces to exactly cols */
};

/* Spaces that one '\t' becomes with TEXT_MULTILINE. */
#define TEXT_TAB_SPACES 4

/* A dst size that can never truncate text_sanitize() of len input bytes:
 * no input byte grows to more than 4 output bytes (a tab with
 * TEXT_MULTILINE; a UTF-8 placeholder is 3 bytes for at least 1 input
 * byte).  Use it to size a heap buffer for a transcript. */
#define TEXT_SANITIZE_MAX(len) ((size_t)(len) * 4 + 1)

/* TEXT_ASCII if the current LC_CTYPE codeset (nl_langinfo(CODESET)) is not
 * UTF-8, else 0.  Call once after setlocale(); keep the result. */
unsigned text_locale_flags(void);

/* Sanitize len bytes at src (arbitrary bytes, NULs allowed; src may be NULL
 * when len is 0) into dst, a buffer of size bytes owned by the caller
 * (dst may be NULL when size is 0).  Flags: TEXT_ASCII, TEXT_MULTILINE.
 * Returns the number of bytes written before the NUL.  *truncated (may be
 * NULL) is set to whether some of the output did not fit. */
size_t text_sanitize(char *dst, size_t size, const char *src, size_t len,
                     unsigned flags, bool *truncated);

/* Terminal columns of a sanitized, NUL-terminated string (text_width) or of
 * its first len bytes (text_width_n), as the sum of wcwidth() of its
 * characters: a wide CJK character counts 2, a combining mark, a joiner
 * or a variation selector 0.  Measure one line at a time.  Given
 * unsanitized text the result is still a non-negative estimate: what the
 * sanitizer always replaces and every invalid byte count 1, as their
 * placeholder would; a joiner or selector out of context counts 0 (its
 * placeholder would count 1). */
/* The UTF-8 encoding of code point c (at most U+10FFFF) into out (4 bytes
 * of room); returns its length. */
size_t text_utf8_encode(uint32_t c, char *out);

size_t text_width(const char *s);
size_t text_width_n(const char *s, size_t len);

/* Cut the sanitized, NUL-terminated string in buf (a buffer of size bytes)
 * to at most cols columns, in place, on a character boundary: a wide
 * character is never split and combining marks stay with their base.  With
 * TEXT_ELLIPSIS a string that was cut ends with "…" ("..." with
 * TEXT_ASCII), provided cols leaves at least one column for text besides it;
 * more text is dropped if the ellipsis would not fit in size.  Returns the
 * width of the result (<= cols).  A string that fits is left unchanged. */
size_t text_fit(char *buf, size_t size, size_t cols, unsigned flags);

/* text_fit(), then append spaces until the string is exactly cols columns
 * wide (one space fills the column a cut wide character leaves).  Returns
 * the resulting width: cols, unless size was too small for the padding. */
size_t text_pad(char *buf, size_t size, size_t cols, unsigned flags);

/* One table cell or status-bar item in one call: text_sanitize() single-line
 * (TEXT_MULTILINE is ignored), then text_fit() to cols, then text_pad() if
 * TEXT_PAD.  With TEXT_ELLIPSIS an ellipsis also marks text lost because
 * size was too small.  Returns the width of dst.  A dst of a few hundred
 * bytes on the stack suits any cell of an 80-column or wider screen. */
size_t text_cell(char *dst, size_t size, const char *src, size_t len,
                 size_t cols, unsigned flags);

/* Word wrap, one line at a time, of a sanitized NUL-terminated string s at
 * cols columns (cols >= 1): *line gets the line's length in bytes and
 * *width its columns; returns the bytes to skip to the next line's start
 * ('\n' ends a line and is skipped), 0 at the end.  A line breaks at the
 * last space that fits (the spaces are skipped), or inside a word longer
 * than the line.  Every call advances, so a loop always ends. */
size_t text_wrap_next(const char *s, size_t cols, size_t *line,
                      size_t *width);

#endif
