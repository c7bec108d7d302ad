/* Unit tests for tui/text: the untrusted-text sanitizer and widths. */
#include "tests/unit/unit.h"

#include <locale.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "tui/text.h"

#define FFFD "\xEF\xBF\xBD"
#define ELL  "\xE2\x80\xA6"

/* Sanitize a string literal (which may hold NULs) into a static buffer. */
#define SAN(lit, flags) san((lit), sizeof(lit) - 1, (flags))

static char san_buf[4096];

static const char *san(const char *s, size_t len, unsigned flags)
{
    bool cut = true;
    size_t n = text_sanitize(san_buf, sizeof san_buf, s, len, flags, &cut);

    assert_false(cut);
    assert_int_equal(n, strlen(san_buf));
    return san_buf;
}

/* Independent of the code under test: the check leans on glibc's mbrtowc
 * and wcwidth, plus the range checks glibc's decoder skips (it accepts
 * code points above U+10FFFF). */
static bool is_bidi_or_format(wchar_t c)
{
    return c == 0x061C || c == 0x200E || c == 0x200F ||
           (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069) ||
           c == 0x2028 || c == 0x2029 || c == 0xFEFF;
}

/* Written out from Unicode's DerivedCoreProperties.txt
 * (Default_Ignorable_Code_Point), joiners and selectors aside. */
static const uint32_t invisible_ranges[][2] = {
    { 0x00AD, 0x00AD }, { 0x034F, 0x034F }, { 0x115F, 0x1160 }, { 0x17B4, 0x17B5 },
    { 0x180E, 0x180E }, { 0x200B, 0x200B }, { 0x2060, 0x2064 }, { 0x3164, 0x3164 },
    { 0xFFA0, 0xFFA0 }, { 0x13430, 0x1343F }, { 0x1BCA0, 0x1BCA3 },
    { 0x1D173, 0x1D17A }, { 0xE0000, 0xE007F },
};

static bool is_invisible(uint32_t c)
{
    for (size_t i = 0; i < sizeof invisible_ranges / sizeof invisible_ranges[0]; i++)
        if (c >= invisible_ranges[i][0] && c <= invisible_ranges[i][1])
            return true;
    return (c >= 0xFDD0 && c <= 0xFDEF) || (c & 0xFFFF) >= 0xFFFE;
}

static bool is_vs(wchar_t c)
{
    return (c >= 0xFE00 && c <= 0xFE0F) || (c >= 0xE0100 && c <= 0xE01EF);
}

static void assert_safe(const char *s, size_t len, bool multiline)
{
    mbstate_t st;
    size_t i = 0, width = 0;

    wchar_t prev = 0;
    bool joiner_open = false;

    memset(&st, 0, sizeof st);
    while (i < len) {
        wchar_t wc;
        size_t r = mbrtowc(&wc, s + i, len - i, &st);

        assert_true(r != (size_t)-1 && r != (size_t)-2 && r != 0);
        assert_true(wc >= 0 && wc <= 0x10FFFF);
        assert_false(wc >= 0xD800 && wc <= 0xDFFF);
        if (wc < 0x20)
            assert_true(multiline && wc == '\n');
        assert_false(wc == 0x7F || (wc >= 0x80 && wc <= 0x9F));
        assert_false(is_bidi_or_format(wc));
        assert_false(is_invisible((uint32_t)wc));
        /* A selector only right after what it can select; a joiner only
         * between two non-ASCII characters, the second one visible. */
        if (is_vs(wc))
            assert_true((prev >= 0x80 && wcwidth(prev) > 0) ||
                        (prev >= '0' && prev <= '9') || prev == '#' || prev == '*');
        if (joiner_open)
            assert_true(wc >= 0x0590 && wcwidth(wc) > 0);
        joiner_open = wc == 0x200C || wc == 0x200D;
        if (joiner_open)
            assert_true(prev >= 0x0590);
        if (wc != '\n') {
            assert_true(wcwidth(wc) >= 0);
            width += (size_t)wcwidth(wc);
        }
        prev = wc;
        i += r;
    }
    assert_false(joiner_open);
    if (!multiline)
        assert_int_equal(text_width_n(s, len), width);
}

static void assert_ascii_only(const char *s, size_t len, bool multiline)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        assert_true((c >= 0x20 && c <= 0x7E) || (multiline && c == '\n'));
    }
}

static int setup_locale(void)
{
    if (!setlocale(LC_ALL, "C.UTF-8")) {
        fprintf(stderr, "C.UTF-8 locale missing\n");
        exit(1);
    }
    return 0;
}

static void test_plain_ascii_unchanged(void **state)
{
    const char *in = "Jane O'Neil <jane@example.com> +1 (555) 010-0100 ~{}|";
    char out[128];
    bool cut = true;

    (void)state;
    assert_int_equal(text_sanitize(out, sizeof out, in, strlen(in), 0, &cut),
                     strlen(in));
    assert_false(cut);
    assert_string_equal(out, in);
    assert_int_equal(text_width(out), strlen(in));
    text_sanitize(out, sizeof out, in, strlen(in), TEXT_ASCII, NULL);
    assert_string_equal(out, in);
    assert_string_equal(SAN("", 0), "");
    assert_int_equal(text_sanitize(out, sizeof out, NULL, 0, 0, &cut), 0);
    assert_string_equal(out, "");
}

static void test_escape_sequences(void **state)
{
    static const char evil[] = "\x1b[2J\x1b]0;pwned\x07\x1b[31mred\x7f";
    const char *out;

    (void)state;
    out = SAN(evil, 0);
    assert_safe(out, strlen(out), false);
    assert_string_equal(out, "\xE2\x90\x9B[2J\xE2\x90\x9B]0;pwned\xE2\x90\x87"
                             "\xE2\x90\x9B[31mred\xE2\x90\xA1");
    out = SAN(evil, TEXT_ASCII);
    assert_ascii_only(out, strlen(out), false);
    assert_string_equal(out, "^[[2J^[]0;pwned^G^[[31mred^?");
    out = SAN(evil, TEXT_MULTILINE);
    assert_safe(out, strlen(out), true);
    assert_null(strchr(out, '\n'));
}

static void test_c0_all(void **state)
{
    (void)state;
    for (unsigned c = 0; c < 0x20; c++) {
        char in[3] = {'a', (char)c, 'b'}, want[8];
        const char *out = san(in, 3, 0);

        snprintf(want, sizeof want, "a\xE2%c%cb", (char)(0x90 + (c >> 6)),
                 (char)(0x80 + (c & 0x3F)));
        assert_string_equal(out, want);
        assert_int_equal(text_width(out), 3);
        out = san(in, 3, TEXT_ASCII);
        snprintf(want, sizeof want, "a^%cb", (char)(c + 0x40));
        assert_string_equal(out, want);
    }
}

static void test_c1(void **state)
{
    const char *out;

    (void)state;
    assert_string_equal(SAN("a\xC2\x9B" "31m", 0), "a" FFFD "31m");
    assert_string_equal(SAN("a\x9B" "31m", 0), "a" FFFD "31m");
    assert_string_equal(SAN("\xC2\x85\xC2\x80\xC2\x9F", 0), FFFD FFFD FFFD);
    assert_string_equal(SAN("a\xC2\x9B" "31m", TEXT_ASCII), "a?31m");
    assert_string_equal(SAN("a\x9B" "31m", TEXT_ASCII), "a?31m");
    for (unsigned c = 0x80; c <= 0x9F; c++) {
        char in[1] = {(char)c};
        out = san(in, 1, 0);
        assert_string_equal(out, FFFD);
    }
    /* U+00A0 and up are ordinary text. */
    assert_string_equal(SAN("\xC2\xA0\xC3\xA9", 0), "\xC2\xA0\xC3\xA9");
}

static void test_bidi_and_format(void **state)
{
    static const unsigned cps[] = {
        0x061C, 0x200E, 0x200F, 0x202A, 0x202B, 0x202C, 0x202D, 0x202E,
        0x2066, 0x2067, 0x2068, 0x2069, 0x2028, 0x2029, 0xFEFF, 0xFFF9,
    };
    char in[16], want[16];

    (void)state;
    assert_string_equal(SAN("invoice\xE2\x80\xAEtxt.exe", 0),
                        "invoice" FFFD "txt.exe");
    assert_string_equal(SAN("invoice\xE2\x80\xAEtxt.exe", TEXT_ASCII),
                        "invoice?txt.exe");
    for (size_t i = 0; i < sizeof cps / sizeof cps[0]; i++) {
        int n = snprintf(in, sizeof in, "x%lcy", (wint_t)cps[i]);

        assert_true(n > 2);
        snprintf(want, sizeof want, "x%sy", FFFD);
        assert_string_equal(san(in, (size_t)n, 0), want);
        assert_string_equal(san(in, (size_t)n, TEXT_MULTILINE), want);
    }
    /* ZWJ, ZWNJ and variation selectors after an ASCII letter only hide. */
    assert_string_equal(SAN("a\xE2\x80\x8D\xE2\x80\x8C\xEF\xB8\x8F", 0),
                        "a" FFFD FFFD FFFD);
}

/* The UTF-8 of c, independent of the code under test. */
static size_t put_cp(unsigned char *p, uint32_t c)
{
    if (c < 0x80) {
        p[0] = (unsigned char)c;
        return 1;
    }
    if (c < 0x800) {
        p[0] = (unsigned char)(0xC0 | (c >> 6));
        p[1] = (unsigned char)(0x80 | (c & 0x3F));
        return 2;
    }
    if (c < 0x10000) {
        p[0] = (unsigned char)(0xE0 | (c >> 12));
        p[1] = (unsigned char)(0x80 | ((c >> 6) & 0x3F));
        p[2] = (unsigned char)(0x80 | (c & 0x3F));
        return 3;
    }
    p[0] = (unsigned char)(0xF0 | (c >> 18));
    p[1] = (unsigned char)(0x80 | ((c >> 12) & 0x3F));
    p[2] = (unsigned char)(0x80 | ((c >> 6) & 0x3F));
    p[3] = (unsigned char)(0x80 | (c & 0x3F));
    return 4;
}

/* "x", the code points of CPS (0-terminated), "y" through the sanitizer. */
static const char *san_cps(const uint32_t *cps, unsigned flags)
{
    unsigned char in[64];
    size_t n = put_cp(in, 'x');

    for (; *cps; cps++)
        n += put_cp(in + n, *cps);
    n += put_cp(in + n, 'y');
    return san((const char *)in, n, flags);
}

/* C between ASCII letters is a placeholder, in every mode, one column. */
static void assert_placeholder_alone(uint32_t c)
{
    const uint32_t one[] = { c, 0 };
    const char *out = san_cps(one, 0);

    if (strcmp(out, "x" FFFD "y") != 0)
        fail_msg("U+%04X: got '%s'", (unsigned)c, out);
    assert_int_equal(text_width(out), 3);
    assert_string_equal(san_cps(one, TEXT_MULTILINE), "x" FFFD "y");
    assert_string_equal(san_cps(one, TEXT_ASCII), "x?y");
}

/* Each character that shows as nothing (or a blank) is a placeholder
 * wherever it stands, also between ideographs. */
static void assert_placeholder(uint32_t c)
{
    const uint32_t twice[] = { 0x4E00, c, 0x4E00, 0 };

    assert_placeholder_alone(c);
    assert_string_equal(san_cps(twice, 0), "x\xE4\xB8\x80" FFFD "\xE4\xB8\x80y");
}

static void test_invisible(void **state)
{
    static const uint32_t singles[] = {
        0x00AD, 0x034F, 0x115F, 0x1160, 0x3164, 0xFFA0, 0x17B4, 0x17B5, 0x180E,
        0x200B, 0x2060, 0x2061, 0x2062, 0x2063, 0x2064, 0x2065, 0xFEFF, 0x061C,
        0x200E, 0x200F, 0x2028, 0x2029, 0xFFF9, 0xFFFA, 0xFFFB, 0xFFF0, 0xFFF8,
        0x1BCA0, 0x1BCA3, 0x1D173, 0x1D17A, 0x13430, 0x1343F,
    };

    (void)state;
    for (size_t i = 0; i < sizeof singles / sizeof singles[0]; i++)
        assert_placeholder(singles[i]);
    for (uint32_t c = 0x202A; c <= 0x202E; c++)
        assert_placeholder(c);
    for (uint32_t c = 0x2066; c <= 0x206F; c++)
        assert_placeholder(c);
    /* Tags (they can smuggle a whole ASCII text), and the rest of plane 14
     * but the selectors. */
    for (uint32_t c = 0xE0000; c <= 0xE007F; c++)
        assert_placeholder(c);
    assert_placeholder(0xE0080);
    assert_placeholder(0xE01F0);
    assert_placeholder(0xE0FFF);
    /* Noncharacters. */
    for (uint32_t c = 0xFDD0; c <= 0xFDEF; c++)
        assert_placeholder(c);
    for (uint32_t plane = 0; plane <= 0x10; plane++) {
        assert_placeholder((plane << 16) | 0xFFFE);
        assert_placeholder((plane << 16) | 0xFFFF);
    }
    /* The spoof itself: these look alike on screen no more. */
    assert_string_equal(SAN("ad\xE2\x80\x8Bmin", 0), "ad" FFFD "min");
    assert_string_equal(SAN("Eve\xE3\x85\xA4", 0), "Eve" FFFD);
    assert_string_equal(SAN("Ann\xC2\xAD" "a", 0), "Ann" FFFD "a");
}

/* Variation selectors: kept right after a character they can select (an
 * emoji, an ideograph, a Mongolian letter, a digit, # or *), placeholders
 * anywhere else. */
static void test_variation_selectors(void **state)
{
    static const uint32_t selectors[] = { 0xFE00, 0xFE0E, 0xFE0F, 0xE0100, 0xE01EF, 0x180B, 0x180F };

    (void)state;
    for (size_t i = 0; i < sizeof selectors / sizeof selectors[0]; i++) {
        uint32_t vs = selectors[i];
        const uint32_t after_letter[] = { 'a', vs, 0 }, alone[] = { vs, 0 };
        const uint32_t after_mark[] = { 'e', 0x0301, vs, 0 }, twice[] = { 0x2764, vs, vs, 0 };
        const uint32_t after_hidden[] = { 0x200B, vs, 0 };
        unsigned char want[32];
        size_t n = put_cp(want, 'x');

        assert_placeholder_alone(vs);
        assert_string_equal(san_cps(alone, 0), "x" FFFD "y");
        assert_string_equal(san_cps(after_letter, 0), "xa" FFFD "y");
        assert_string_equal(san_cps(after_mark, 0), "xe\xCC\x81" FFFD "y");
        assert_string_equal(san_cps(after_hidden, 0), "x" FFFD FFFD "y");
        n += put_cp(want + n, 0x2764);
        n += put_cp(want + n, vs);
        memcpy(want + n, FFFD "y", sizeof FFFD "y");
        assert_string_equal(san_cps(twice, 0), (const char *)want);
    }
    /* Red heart (emoji form), keycaps, an ideographic variant, Mongolian. */
    assert_string_equal(SAN("\xE2\x9D\xA4\xEF\xB8\x8F", 0), "\xE2\x9D\xA4\xEF\xB8\x8F");
    assert_int_equal(text_width("\xE2\x9D\xA4\xEF\xB8\x8F"), 1);
    assert_string_equal(SAN("1\xEF\xB8\x8F\xE2\x83\xA3#\xEF\xB8\x8F\xE2\x83\xA3", 0),
                        "1\xEF\xB8\x8F\xE2\x83\xA3#\xEF\xB8\x8F\xE2\x83\xA3");
    assert_string_equal(SAN("\xE8\x91\x9B\xF3\xA0\x84\x80", 0), "\xE8\x91\x9B\xF3\xA0\x84\x80");
    assert_string_equal(SAN("\xE1\xA0\xA0\xE1\xA0\x8B", 0), "\xE1\xA0\xA0\xE1\xA0\x8B");
    assert_string_equal(SAN("\xE2\x9D\xA4\xEF\xB8\x8F", TEXT_ASCII), "??");
}

/* Joiners: kept between two characters of the scripts that use them
 * (Arabic, Persian, Indic, emoji...), placeholders anywhere else. */
static void test_joiners(void **state)
{
    /* Persian "mi-xaham" with ZWNJ; Devanagari ka virama ZWJ ssa;
     * rainbow flag (white flag, VS16, ZWJ, rainbow). */
    static const char persian[] = "\xD9\x85\xDB\x8C\xE2\x80\x8C\xD8\xAE\xD9\x88\xD8\xA7\xD9\x87\xD9\x85";
    static const char conjunct[] = "\xE0\xA4\x95\xE0\xA5\x8D\xE2\x80\x8D\xE0\xA4\xB7";
    static const char flag[] = "\xF0\x9F\x8F\xB3\xEF\xB8\x8F\xE2\x80\x8D\xF0\x9F\x8C\x88";

    (void)state;
    assert_string_equal(SAN(persian, 0), persian);
    assert_string_equal(SAN(conjunct, 0), conjunct);
    assert_string_equal(SAN(flag, 0), flag);
    for (uint32_t j = 0x200C; j <= 0x200D; j++) {
        const uint32_t latin[] = { 'a', j, 'b', 0 }, start[] = { j, 0x0645, 0 };
        const uint32_t end[] = { 0x0645, j, 0 }, cyrillic[] = { 0x0430, j, 0x0431, 0 };
        const uint32_t extended[] = { 0x1EC5, j, 0x1EC5, 0 }, fullwidth[] = { 0xFF21, j, 0xFF22, 0 };
        const uint32_t twice[] = { 0x0645, j, j, 0x0645, 0 }, to_filler[] = { 0x0645, j, 0x3164, 0 };
        const uint32_t to_mark[] = { 0x0915, j, 0x094D, 0 };

        assert_placeholder_alone(j);
        assert_string_equal(san_cps(latin, 0), "xa" FFFD "by");
        assert_string_equal(san_cps(start, 0), "x" FFFD "\xD9\x85y");
        assert_string_equal(san_cps(end, 0), "x\xD9\x85" FFFD "y");
        assert_string_equal(san_cps(cyrillic, 0), "x\xD0\xB0" FFFD "\xD0\xB1y");
        assert_string_equal(san_cps(extended, 0), "x\xE1\xBB\x85" FFFD "\xE1\xBB\x85y");
        assert_string_equal(san_cps(fullwidth, 0), "x\xEF\xBC\xA1" FFFD "\xEF\xBC\xA2y");
        assert_string_equal(san_cps(twice, 0), "x\xD9\x85" FFFD FFFD "\xD9\x85y");
        assert_string_equal(san_cps(to_filler, 0), "x\xD9\x85" FFFD FFFD "y");
        assert_string_equal(san_cps(to_mark, 0), "x\xE0\xA4\x95" FFFD "\xE0\xA5\x8Dy");
    }
}

/* A cut falls before a joiner, never between it and what it joins. */
static void test_joiner_cuts(void **state)
{
    static const char pair[] = "\xF0\x9F\x91\xA8\xE2\x80\x8D\xF0\x9F\x91\xA9"; /* man ZWJ woman */
    char buf[32];
    bool cut;

    (void)state;
    for (size_t size = 5; size < sizeof pair; size++) {
        assert_int_equal(text_sanitize(buf, size, pair, sizeof pair - 1, 0, &cut), 4);
        assert_true(cut);
        assert_string_equal(buf, "\xF0\x9F\x91\xA8");
    }
    strcpy(buf, pair);
    assert_int_equal(text_fit(buf, sizeof buf, 3, 0), 2);
    assert_string_equal(buf, "\xF0\x9F\x91\xA8");
    strcpy(buf, pair);
    assert_int_equal(text_fit(buf, sizeof buf, 3, TEXT_ELLIPSIS), 3);
    assert_string_equal(buf, "\xF0\x9F\x91\xA8" ELL);
    strcpy(buf, pair);
    assert_int_equal(text_fit(buf, sizeof buf, 4, 0), 4);
    assert_string_equal(buf, pair);
}

static void test_invalid_utf8(void **state)
{
    (void)state;
    /* One U+FFFD per maximal subpart. */
    assert_string_equal(SAN("<\xC0\xAF>", 0), "<" FFFD FFFD ">");
    assert_string_equal(SAN("<\xE0\x80\xAF>", 0), "<" FFFD FFFD FFFD ">");
    assert_string_equal(SAN("<\xED\xA0\x80>", 0), "<" FFFD FFFD FFFD ">");
    assert_string_equal(SAN("<\xE2\x82", 0), "<" FFFD);
    assert_string_equal(SAN("<\xE2\x82>", 0), "<" FFFD ">");
    assert_string_equal(SAN("<\xE2\x82\xE2\x82\xAC", 0), "<" FFFD "\xE2\x82\xAC");
    assert_string_equal(SAN("<\xF4\x90\x80\x80>", 0),
                        "<" FFFD FFFD FFFD FFFD ">");
    assert_string_equal(SAN("\xF0\x9F\x98", 0), FFFD);
    assert_string_equal(SAN("\xF5\xFE\xFF", 0), FFFD FFFD FFFD);
    assert_string_equal(SAN("\xC3", 0), FFFD);
    /* Boundaries that are valid. */
    assert_string_equal(SAN("\xED\x9F\xBF\xEE\x80\x80\xF4\x8F\xBF\xBF", 0),
                        FFFD "\xEE\x80\x80" FFFD); /* wcwidth rejects these */
    assert_string_equal(SAN("<\xC0\xAF\xED\xA0\x80\xE2\x82>", TEXT_ASCII),
                        "<\?\?\?\?\?\?>");
}

static void test_embedded_nul(void **state)
{
    char out[32];
    size_t n;

    (void)state;
    n = text_sanitize(out, sizeof out, "a\0b\0", 4, 0, NULL);
    assert_int_equal(n, strlen(out));
    assert_string_equal(out, "a\xE2\x90\x80" "b\xE2\x90\x80");
    assert_string_equal(SAN("a\0b", TEXT_ASCII), "a^@b");
}

static void test_newline_tab(void **state)
{
    (void)state;
    assert_string_equal(SAN("Jane\nDoe\tX\r", 0),
                        "Jane\xE2\x90\x8A" "Doe\xE2\x90\x89X\xE2\x90\x8D");
    assert_string_equal(SAN("Jane\nDoe\tX", TEXT_ASCII), "Jane^JDoe^IX");
    assert_string_equal(SAN("hi\r\nthere\n\tx\ry\r", TEXT_MULTILINE),
                        "hi\nthere\n    x\xE2\x90\x8Dy\xE2\x90\x8D");
    assert_string_equal(SAN("hi\r\n\tx\ry", TEXT_MULTILINE | TEXT_ASCII),
                        "hi\n    x^My");
}

static void test_wide_chars(void **state)
{
    static const struct { const char *s; size_t w; } cases[] = {
        {"\xE6\x82\xA3\xE8\x80\x85", 4},                 /* 患者 */
        {"\xE5\xB1\xB1\xE7\x94\xB0\xE5\xA4\xAA\xE9\x83\x8E", 8}, /* 山田太郎 */
        {"\xE3\x81\x95\xE3\x81\x8F\xE3\x82\x89", 6},     /* さくら */
        {"\xEF\xBD\xBB\xEF\xBD\xB8\xEF\xBE\x97", 3},     /* ｻｸﾗ halfwidth */
        {"\xEA\xB9\x80\xEB\xAF\xBC\xEC\xA4\x80", 6},     /* 김민준 */
        {"Dr. \xE7\x8E\x8B", 6},                         /* Dr. 王 */
        {"\xF0\x9F\x98\x80", 2},                         /* 😀 */
    };

    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *out = san(cases[i].s, strlen(cases[i].s), 0);

        assert_string_equal(out, cases[i].s);
        assert_int_equal(text_width(out), cases[i].w);
        out = san(cases[i].s, strlen(cases[i].s), TEXT_ASCII);
        assert_ascii_only(out, strlen(out), false);
    }
    assert_string_equal(SAN("\xE6\x82\xA3\xE8\x80\x85", TEXT_ASCII), "??");
}

static void test_combining_and_zwj(void **state)
{
    /* man ZWJ woman ZWJ girl: wcwidth knows no clusters, so it counts 2+2+2;
     * that is also what ncurses counts, which is what the layout needs. */
    static const char family[] = "\xF0\x9F\x91\xA8\xE2\x80\x8D\xF0\x9F\x91"
                                 "\xA9\xE2\x80\x8D\xF0\x9F\x91\xA7";
    const char *out;
    char buf[64];
    size_t w;

    (void)state;
    out = SAN("e\xCC\x81", 0);
    assert_string_equal(out, "e\xCC\x81");
    assert_int_equal(text_width(out), 1);
    assert_int_equal(text_width("Rene\xCC\x81" "e"), 5);
    assert_string_equal(SAN("e\xCC\x81", TEXT_ASCII), "e?");
    out = SAN(family, 0);
    assert_string_equal(out, family);
    w = text_width(out);
    assert_true(w >= 2 && w <= 6);
    strcpy(buf, family);
    w = text_fit(buf, sizeof buf, 3, 0);
    assert_true(w <= 3);
    assert_safe(buf, strlen(buf), false);
    assert_memory_equal(buf, family, strlen(buf));
}

static void test_scripts(void **state)
{
    static const char *names[] = {
        "\xD9\x85\xD8\xAD\xD9\x85\xD8\xAF \xD8\xB9\xD9\x84\xD9\x8A", /* Arabic */
        "\xD7\xA9\xD7\xA8\xD7\x94 \xD7\x9B\xD7\x94\xD7\x9F",         /* Hebrew */
        ("\xD0\x90\xD0\xBD\xD0\xBD\xD0\xB0 \xD0\x9F\xD0\xB5\xD1\x82"
         "\xD1\x80\xD0\xBE\xD0\xB2\xD0\xB0"),                         /* Cyrillic */
        "\xE0\xA4\x85\xE0\xA4\xA8\xE0\xA4\xBF\xE0\xA4\xA4\xE0\xA4\xBE", /* अनिता */
        "\xCE\x9D\xCE\xAF\xCE\xBA\xCE\xBF\xCF\x82",                   /* Greek */
        "\xE0\xB8\xAA\xE0\xB8\xA1\xE0\xB8\x8A\xE0\xB8\xB2\xE0\xB8\xA2", /* Thai */
        "Nguy\xE1\xBB\x85n Th\xE1\xBB\x8B",                           /* Vietnamese */
    };

    (void)state;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        size_t len = strlen(names[i]);
        const char *out = san(names[i], len, 0);
        size_t w = text_width(out);

        assert_string_equal(out, names[i]);
        assert_true(w > 0 && w <= len);
        assert_safe(out, strlen(out), false);
        out = san(names[i], len, TEXT_ASCII);
        assert_ascii_only(out, strlen(out), false);
    }
}

static void test_fit_wide(void **state)
{
    char buf[32];
    size_t w;

    (void)state;
    strcpy(buf, "\xE6\x82\xA3\xE8\x80\x85"); /* 患者 */
    w = text_fit(buf, sizeof buf, 3, 0);
    assert_int_equal(w, 2);
    assert_string_equal(buf, "\xE6\x82\xA3");

    strcpy(buf, "\xE6\x82\xA3\xE8\x80\x85");
    w = text_fit(buf, sizeof buf, 3, TEXT_ELLIPSIS);
    assert_int_equal(w, 3);
    assert_int_equal(text_width(buf), 3);
    assert_string_equal(buf, "\xE6\x82\xA3" ELL);

    strcpy(buf, "\xE6\x82\xA3\xE8\x80\x85");
    assert_int_equal(text_fit(buf, sizeof buf, 4, TEXT_ELLIPSIS), 4);
    assert_string_equal(buf, "\xE6\x82\xA3\xE8\x80\x85");

    strcpy(buf, "\xE6\x82\xA3\xE8\x80\x85");
    assert_int_equal(text_fit(buf, sizeof buf, 2, TEXT_ELLIPSIS), 1);
    assert_string_equal(buf, ELL);

    strcpy(buf, "\xE6\x82\xA3\xE8\x80\x85");
    assert_int_equal(text_fit(buf, sizeof buf, 1, TEXT_ELLIPSIS), 0);
    assert_string_equal(buf, "");

    strcpy(buf, "abc");
    assert_int_equal(text_fit(buf, sizeof buf, 0, TEXT_ELLIPSIS), 0);
    assert_string_equal(buf, "");
}

static void test_fit_combining_and_ascii(void **state)
{
    char buf[32];

    (void)state;
    strcpy(buf, "e\xCC\x81" "e\xCC\x81" "e\xCC\x81");
    assert_int_equal(text_fit(buf, sizeof buf, 2, 0), 2);
    assert_string_equal(buf, "e\xCC\x81" "e\xCC\x81");

    strcpy(buf, "e\xCC\x81" "e\xCC\x81" "e\xCC\x81");
    assert_int_equal(text_fit(buf, sizeof buf, 2, TEXT_ELLIPSIS), 2);
    assert_string_equal(buf, "e\xCC\x81" ELL);

    strcpy(buf, "abcdefgh");
    assert_int_equal(text_fit(buf, sizeof buf, 6, TEXT_ELLIPSIS | TEXT_ASCII),
                     6);
    assert_string_equal(buf, "abc...");

    strcpy(buf, "abcdefgh");
    assert_int_equal(text_fit(buf, sizeof buf, 3, TEXT_ELLIPSIS | TEXT_ASCII),
                     3);
    assert_string_equal(buf, "abc");

    strcpy(buf, "abcdefgh");
    assert_int_equal(text_fit(buf, sizeof buf, 8, TEXT_ELLIPSIS), 8);
    assert_string_equal(buf, "abcdefgh");
}

static void test_fit_small_buffer(void **state)
{
    char buf[7];

    (void)state;
    /* "abcd…" would need 8 bytes; the ellipsis still fits by cutting more. */
    strcpy(buf, "abcdef");
    assert_int_equal(text_fit(buf, sizeof buf, 5, TEXT_ELLIPSIS), 4);
    assert_string_equal(buf, "abc" ELL);
    /* Too small for any ellipsis: a plain cut. */
    strcpy(buf, "ab");
    assert_int_equal(text_fit(buf, 3, 1, TEXT_ELLIPSIS), 1);
    assert_string_equal(buf, "a");
    /* A buffer without NUL is cut on a character boundary, not overread. */
    memcpy(buf, "ab\xE6\x82\xA3xy", 7);
    assert_int_equal(text_fit(buf, sizeof buf, 10, 0), 5);
    assert_string_equal(buf, "ab\xE6\x82\xA3x");
    memcpy(buf, "abcd\xE6\x82\xA3", 7);
    assert_int_equal(text_fit(buf, sizeof buf, 10, 0), 4);
    assert_string_equal(buf, "abcd");
    assert_int_equal(text_fit(NULL, 0, 10, 0), 0);
}

static void test_pad(void **state)
{
    char buf[16];

    (void)state;
    strcpy(buf, "\xE6\x82\xA3\xE8\x80\x85");
    assert_int_equal(text_pad(buf, sizeof buf, 3, 0), 3);
    assert_string_equal(buf, "\xE6\x82\xA3 ");
    assert_int_equal(text_width(buf), 3);

    strcpy(buf, "ab");
    assert_int_equal(text_pad(buf, sizeof buf, 5, 0), 5);
    assert_string_equal(buf, "ab   ");

    strcpy(buf, "abcdefghij");
    assert_int_equal(text_pad(buf, sizeof buf, 6, TEXT_ELLIPSIS), 6);
    assert_string_equal(buf, "abcde" ELL);

    strcpy(buf, "ab");
    assert_int_equal(text_pad(buf, 5, 10, 0), 4); /* room for 2 spaces */
    assert_string_equal(buf, "ab  ");

    strcpy(buf, "ab");
    assert_int_equal(text_pad(buf, sizeof buf, 0, 0), 0);
    assert_string_equal(buf, "");
}

static void test_cell(void **state)
{
    static const char name[] = "Dr. \xE5\xB1\xB1\xE7\x94\xB0\x1b[2J "
                               "\xE2\x80\xAEgnp.exe";
    char buf[64], tiny[8];
    size_t w;

    (void)state;
    w = text_cell(buf, sizeof buf, name, sizeof name - 1, 12,
                  TEXT_ELLIPSIS | TEXT_PAD);
    assert_int_equal(w, 12);
    assert_int_equal(text_width(buf), 12);
    assert_safe(buf, strlen(buf), false);
    assert_string_equal(buf, "Dr. \xE5\xB1\xB1\xE7\x94\xB0\xE2\x90\x9B[2" ELL);

    w = text_cell(buf, sizeof buf, "Ann", 3, 6, TEXT_PAD | TEXT_MULTILINE);
    assert_int_equal(w, 6);
    assert_string_equal(buf, "Ann   ");

    w = text_cell(buf, sizeof buf, "a\nb", 3, 6, TEXT_MULTILINE);
    assert_string_equal(buf, "a\xE2\x90\x8A" "b");
    assert_int_equal(w, 3);

    /* Text lost to a small dst is still marked, though it fits cols. */
    w = text_cell(tiny, sizeof tiny, "abcdefghij", 10, 20, TEXT_ELLIPSIS);
    assert_string_equal(tiny, "abcd" ELL);
    assert_int_equal(w, 5);
    w = text_cell(tiny, sizeof tiny, "abcdefghij", 10, 20,
                  TEXT_ELLIPSIS | TEXT_ASCII);
    assert_string_equal(tiny, "abcd...");
    assert_int_equal(w, 7);

    w = text_cell(buf, sizeof buf, "abc", 3, 2, TEXT_ASCII | TEXT_PAD);
    assert_string_equal(buf, "ab");
    assert_int_equal(w, 2);
    assert_int_equal(text_cell(NULL, 0, "abc", 3, 2, TEXT_PAD), 0);
}

static void test_ascii_mode(void **state)
{
    static const char mix[] = "\xE6\x82\xA3 \x1b[1m\xC2\x9B\x9B\xE2\x80\xAE"
                              "\xD7\xA9\x7f\t\n\r\0\xF0\x9F\x98\x80~";
    const char *out;

    (void)state;
    out = SAN(mix, TEXT_ASCII);
    assert_ascii_only(out, strlen(out), false);
    assert_string_equal(out, "? ^[[1m\?\?\?\?^?^I^J^M^@?~");
    assert_int_equal(text_width(out), strlen(out));
    out = SAN(mix, TEXT_ASCII | TEXT_MULTILINE);
    assert_ascii_only(out, strlen(out), true);
    /* ASCII mode needs no UTF-8 locale. */
    assert_non_null(setlocale(LC_CTYPE, "C"));
    out = SAN(mix, TEXT_ASCII);
    assert_string_equal(out, "? ^[[1m\?\?\?\?^?^I^J^M^@?~");
    assert_non_null(setlocale(LC_CTYPE, "C.UTF-8"));
}

static void test_locale_flags(void **state)
{
    (void)state;
    assert_int_equal(text_locale_flags(), 0);
    assert_non_null(setlocale(LC_CTYPE, "C"));
    assert_int_equal(text_locale_flags(), TEXT_ASCII);
    assert_non_null(setlocale(LC_CTYPE, "C.UTF-8"));
    assert_int_equal(text_locale_flags(), 0);
}

static void test_width_of_unsanitized(void **state)
{
    (void)state;
    assert_int_equal(text_width("\x1b[2J"), 4);
    assert_int_equal(text_width("a\xFF\xE2\x80\xAE" "b"), 4);
    assert_int_equal(text_width_n("a\0b", 3), 3);
    assert_int_equal(text_width(NULL), 0);
    assert_int_equal(text_width(""), 0);
}

/* Every output size from 0 up: the result is NUL-terminated, a prefix of
 * the whole output, says whether it was cut, and never writes past size
 * (the buffers are exact heap allocations, so ASan sees one byte over). */
static void check_all_sizes(const char *in, size_t len, unsigned flags)
{
    char full[512];
    bool cut;
    size_t n_full = text_sanitize(full, sizeof full, in, len, flags, &cut);

    assert_false(cut);
    assert_true(text_sanitize(NULL, 0, in, len, flags, &cut) == 0);
    assert_int_equal(cut, len > 0);
    for (size_t size = 1; size <= n_full + 2; size++) {
        char *out = malloc(size);
        size_t n;

        assert_non_null(out);
        n = text_sanitize(out, size, in, len, flags, &cut);
        assert_true(n < size);
        assert_int_equal(out[n], '\0');
        assert_int_equal(strlen(out), n);
        assert_memory_equal(out, full, n);
        assert_int_equal(cut, n < n_full);
        if (flags & TEXT_ASCII)
            assert_ascii_only(out, n, flags & TEXT_MULTILINE);
        else
            assert_safe(out, n, flags & TEXT_MULTILINE);
        free(out);
    }
}

static void test_tiny_buffers(void **state)
{
    static const char mix[] = "A\xE6\x82\xA3" "e\xCC\x81\xCC\xA3\x1b[0m\xC2\x9B"
                              "\xED\xA0\x80\t\r\n\xF0\x9F\x98\x80z";
    char buf[5];
    bool cut;

    (void)state;
    check_all_sizes(mix, sizeof mix - 1, 0);
    check_all_sizes(mix, sizeof mix - 1, TEXT_MULTILINE);
    check_all_sizes(mix, sizeof mix - 1, TEXT_ASCII);
    check_all_sizes(mix, sizeof mix - 1, TEXT_ASCII | TEXT_MULTILINE);
    /* A cut never leaves an accent without its base, nor a base without
     * the accents that follow it. */
    assert_int_equal(text_sanitize(buf, 5, "abe\xCC\x81", 5, 0, &cut), 2);
    assert_true(cut);
    assert_string_equal(buf, "ab");
    assert_int_equal(text_sanitize(buf, 4, "\xE6\x82\xA3", 3, 0, &cut), 3);
    assert_false(cut);
    assert_int_equal(text_sanitize(buf, 3, "\xE6\x82\xA3", 3, 0, &cut), 0);
    assert_true(cut);
    assert_string_equal(buf, "");
}

/* xorshift64*: fixed seed, same strings on every libc. */
static uint64_t rng_state = 0x9E3779B97F4A7C15u;

static uint32_t rnd(uint32_t n)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return (uint32_t)((rng_state * 0x2545F4914F6CDD1Du) >> 32) % n;
}

static size_t put_token(unsigned char *p)
{
    static const char *const pieces[] = {
        "\x1b", "\x1b[2J", "\xC2\x9B", "\x9B", "\xE2\x80\xAE", "\xE2\x81\xA6",
        "\xE6\x82\xA3", "\xCC\x81", "\xE2\x80\x8D", "\xF0\x9F\x91\xA8",
        "\r\n", "\t", "\n", "\xED\xA0\x80", "\xF4\x90\x80\x80", "\xC0\xAF",
        "\xE2\x82", "\xEF\xBB\xBF", "\xE2\x80\xA8", "\xD8\x9C", "\x7F",
        "\xE2\x80\x8B", "\xE2\x80\x8C", "\xEF\xB8\x8F", "\xE2\x9D\xA4", "\xD9\x85",
        "\xE3\x85\xA4", "\xF3\xA0\x80\x81", "\xC2\xAD", "1",
    };
    uint32_t kind = rnd(8), c;

    if (kind < 2) {
        p[0] = (unsigned char)rnd(256);
        return 1;
    }
    if (kind < 4) {
        p[0] = (unsigned char)(0x20 + rnd(0x5F));
        return 1;
    }
    if (kind < 6) {
        const char *s = pieces[rnd(sizeof pieces / sizeof pieces[0])];
        memcpy(p, s, strlen(s));
        return strlen(s);
    }
    /* Any code point, surrogates and all, encoded naively. */
    c = rnd(8) == 0 ? rnd(0x800) : rnd(0x110000);
    return put_cp(p, c);
}

static void check_random(const char *in, size_t len)
{
    static const unsigned modes[] = {
        0, TEXT_MULTILINE, TEXT_ASCII, TEXT_ASCII | TEXT_MULTILINE,
    };
    unsigned flags = modes[rnd(4)];
    size_t size = TEXT_SANITIZE_MAX(len), n, cols, w;
    char *out = malloc(size), *small;
    bool cut, ascii = flags & TEXT_ASCII, multi = flags & TEXT_MULTILINE;

    assert_non_null(out);
    n = text_sanitize(out, size, in, len, flags, &cut);
    assert_false(cut); /* TEXT_SANITIZE_MAX is enough */
    assert_int_equal(strlen(out), n);
    if (ascii)
        assert_ascii_only(out, n, multi);
    else
        assert_safe(out, n, multi);

    size = 1 + rnd((uint32_t)n + 2);
    small = malloc(size);
    assert_non_null(small);
    w = text_sanitize(small, size, in, len, flags, &cut);
    assert_int_equal(w, strlen(small));
    assert_memory_equal(small, out, w);
    assert_int_equal(cut, w < n);

    if (!multi) {
        unsigned fflags = (flags & TEXT_ASCII) | (rnd(2) ? TEXT_ELLIPSIS : 0);
        cols = rnd(24);
        w = text_fit(small, size, cols, fflags);
        assert_true(w <= cols);
        assert_int_equal(text_width(small), w);
        if (ascii)
            assert_ascii_only(small, strlen(small), false);
        else
            assert_safe(small, strlen(small), false);
        w = text_pad(small, size, cols, fflags);
        assert_int_equal(text_width(small), w);
        assert_true(w == cols || strlen(small) == size - 1);
    }
    free(small);
    free(out);
}

static void test_random_bytes(void **state)
{
    unsigned char in[64 * 4];

    (void)state;
    for (int iter = 0; iter < 20000; iter++) {
        size_t len = 0, tokens = rnd(48);

        for (size_t t = 0; t < tokens; t++)
            len += put_token(in + len);
        check_random((const char *)in, len);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain_ascii_unchanged),
        cmocka_unit_test(test_escape_sequences),
        cmocka_unit_test(test_c0_all),
        cmocka_unit_test(test_c1),
        cmocka_unit_test(test_bidi_and_format),
        cmocka_unit_test(test_invisible),
        cmocka_unit_test(test_variation_selectors),
        cmocka_unit_test(test_joiners),
        cmocka_unit_test(test_joiner_cuts),
        cmocka_unit_test(test_invalid_utf8),
        cmocka_unit_test(test_embedded_nul),
        cmocka_unit_test(test_newline_tab),
        cmocka_unit_test(test_wide_chars),
        cmocka_unit_test(test_combining_and_zwj),
        cmocka_unit_test(test_scripts),
        cmocka_unit_test(test_fit_wide),
        cmocka_unit_test(test_fit_combining_and_ascii),
        cmocka_unit_test(test_fit_small_buffer),
        cmocka_unit_test(test_pad),
        cmocka_unit_test(test_cell),
        cmocka_unit_test(test_ascii_mode),
        cmocka_unit_test(test_locale_flags),
        cmocka_unit_test(test_width_of_unsanitized),
        cmocka_unit_test(test_tiny_buffers),
        cmocka_unit_test(test_random_bytes),
    };

    setup_locale();
    return unit_run(tests);
}
