/* screens/cliout.c and client/password.c: what the subcommands print for a
 * person -- hostile text made harmless, tables aligned by display width,
 * times in the local zone -- and the new password's strength hint. */
#include "tests/unit/unit.h"
#include "screens/cliout.h"
#include "client/password.h"

#include <locale.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* What the table prints, in a static buffer. */
static const char *printed(const struct cli_table *t)
{
    static char buf[4096];
    FILE *f = fmemopen(buf, sizeof buf, "w");
    assert_non_null(f);
    cli_table_print(t, f);
    fclose(f);
    return buf;
}

static bool has_control(const char *s)
{
    for (; *s; s++)
        if (((unsigned char)*s < 0x20 && *s != '\n') || *s == 0x7f)
            return true;
    return false;
}

static void safe_lines(void **state)
{
    (void)state;
    char out[CLI_LINE_MAX];
    /* A retitle (OSC), a colour and a clear screen: shown, never done. */
    cli_safe(out, sizeof out, "Dr. \x1b]0;pwned\x07 Owen \x1b[2J");
    assert_false(has_control(out));
    assert_non_null(strstr(out, "Owen"));
    assert_non_null(strstr(out, "\xe2\x90\x9b"));           /* ␛ */
    /* A right-to-left override (U+202E) and a C1 CSI (U+009B). */
    cli_safe(out, sizeof out, "abc\xe2\x80\xae" "def\xc2\x9b" "31m");
    assert_null(strstr(out, "\xe2\x80\xae"));
    assert_null(strstr(out, "\xc2\x9b"));
    /* Names in other scripts are kept as they are. */
    cli_safe(out, sizeof out, "José Ñúñez 山田 محمد");
    assert_string_equal(out, "José Ñúñez 山田 محمد");
    assert_string_equal(cli_safe(out, sizeof out, NULL), "");
    /* A line break inside a value stays on one line. */
    cli_safe(out, sizeof out, "two\nlines");
    assert_null(strchr(out, '\n'));
    /* Without a UTF-8 locale: ASCII only. */
    assert_non_null(setlocale(LC_CTYPE, "C"));
    cli_safe(out, sizeof out, "José \x1b[31m");
    for (const char *p = out; *p; p++)
        assert_true((unsigned char)*p >= 0x20 && (unsigned char)*p < 0x7f);
    assert_non_null(setlocale(LC_CTYPE, "C.UTF-8"));
}

static void tables(void **state)
{
    (void)state;
    static const char *const heads[] = { "NAME", "ROLE", "NOTE" };
    struct cli_table t;
    cli_table_init(&t, heads, 3);
    cli_table_add(&t, (const char *const[]){ "山田", "Owner", "" });
    cli_table_add(&t, (const char *const[]){ "Ann", "Viewer", "x" });
    cli_table_add(&t, (const char *const[]){ "Evil\x1b[2J", NULL, NULL });
    const char *s = printed(&t);
    /* Wide characters count two columns: the second column starts at the
     * same column on every line; no line ends in a space. */
    assert_string_equal(s, "NAME      ROLE    NOTE\n"
                           "山田      Owner\n"
                           "Ann       Viewer  x\n"
                           "Evil\xe2\x90\x9b[2J\n");
    assert_false(has_control(s));
    cli_table_free(&t);
    /* A very long cell is cut with an ellipsis. */
    char longname[300];
    memset(longname, 'a', sizeof longname - 1);
    longname[sizeof longname - 1] = '\0';
    cli_table_init(&t, heads, 2);
    cli_table_add(&t, (const char *const[]){ longname, "Admin" });
    s = printed(&t);
    assert_non_null(strstr(s, "\xe2\x80\xa6  Admin"));      /* …  */
    assert_true(strlen(strchr(s, '\n') + 1) < 80);
    cli_table_free(&t);
}

static void times(void **state)
{
    (void)state;
    char out[64];
    setenv("TZ", "UTC", 1);
    tzset();
    assert_string_equal(cli_time("2026-11-30 06:00:00.123456+00", out, sizeof out),
                        "2026-11-30 06:00");
    assert_string_equal(cli_time("2026-11-30T06:00:00Z", out, sizeof out), "2026-11-30 06:00");
    assert_string_equal(cli_time("2026-11-30T00:00:00-06:00", out, sizeof out),
                        "2026-11-30 06:00");
    assert_string_equal(cli_time("2026-11-30 11:30:00+05:30", out, sizeof out),
                        "2026-11-30 06:00");
    setenv("TZ", "America/Chicago", 1);
    tzset();
    assert_string_equal(cli_time("2026-11-30 06:00:00+00", out, sizeof out), "2026-11-30 00:00");
    /* Summer time. */
    assert_string_equal(cli_time("2026-07-01 06:00:00+00", out, sizeof out), "2026-07-01 01:00");
    unsetenv("TZ");
    tzset();
    /* What it cannot read is passed on unchanged (and sanitized where shown). */
    assert_string_equal(cli_time("", out, sizeof out), "");
    assert_string_equal(cli_time("infinity", out, sizeof out), "infinity");
    assert_string_equal(cli_time("2026-13-01 00:00:00+00", out, sizeof out),
                        "2026-13-01 00:00:00+00");
    assert_string_equal(cli_time("2026-11-30 06:00:00+0x", out, sizeof out),
                        "2026-11-30 06:00:00+0x");
}

static void password_grades(void **state)
{
    (void)state;
    char hint[200];
#define GRADE(pw) password_grade(pw, strlen(pw), "newhire@brightsmile.test")
    assert_int_equal(GRADE(""), PASSWORD_TOO_SHORT);
    assert_int_equal(GRADE("abcdefghi"), PASSWORD_TOO_SHORT);
    /* Characters, not bytes: nine accented letters are 18 bytes. */
    assert_int_equal(password_chars("ééééééééé", strlen("ééééééééé")), 9);
    assert_int_equal(GRADE("ééééééééé"), PASSWORD_TOO_SHORT);
    assert_int_equal(GRADE("abcdefghij"), PASSWORD_FAIR);
    assert_int_equal(GRADE("abcdefghijkl"), PASSWORD_GOOD);
    assert_int_equal(GRADE("tulip orbit canyon 42"), PASSWORD_STRONG);
    /* Long but repetitive, or the email's name inside: weak. */
    assert_int_equal(GRADE("aaaaaaaaaaaaaaaaaaaa"), PASSWORD_WEAK);
    assert_int_equal(GRADE("ababababababab"), PASSWORD_WEAK);
    assert_int_equal(GRADE("my-NewHire-pass-2026"), PASSWORD_WEAK);
    assert_int_equal(password_grade("jo-password-2026", 16, "jo@x.test"), PASSWORD_STRONG);
    assert_int_equal(password_grade("tulip orbit canyon", 18, NULL), PASSWORD_STRONG);
    password_hint(PASSWORD_FAIR, 11, hint, sizeof hint);
    assert_string_equal(hint, "fair (11 characters): 12 or more would be better");
    password_hint(PASSWORD_TOO_SHORT, 1, hint, sizeof hint);
    assert_string_equal(hint, "too short (1 character): at least 10 are needed");
    password_hint(PASSWORD_STRONG, 21, hint, sizeof hint);
    assert_string_equal(hint, "strong (21 characters)");
#undef GRADE
}

int main(void)
{
    assert_non_null(setlocale(LC_ALL, "C.UTF-8"));
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(safe_lines),
        cmocka_unit_test(tables),
        cmocka_unit_test(times),
        cmocka_unit_test(password_grades),
    };
    return unit_run(tests);
}
