/* notify_http_fmt.c: Retry-After in its four forms (and what is not one),
 * the email API's JSON (quotes, backslashes, control characters, non-ASCII,
 * invalid UTF-8), and what each status means per channel. */
#include "tests/unit/unit.h"
#include "client/notify_http.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

/* 2026-03-01 12:00:00 UTC, a Sunday. */
static time_t noon(void)
{
    struct tm tm = { .tm_year = 126, .tm_mon = 2, .tm_mday = 1, .tm_hour = 12 };
    return timegm(&tm);
}

static void retry_after_seconds(void **state)
{
    (void)state;
    long s = -1;
    assert_int_equal(notify_retry_after_parse("120", noon(), &s), 0);
    assert_int_equal(s, 120);
    assert_int_equal(notify_retry_after_parse("0", noon(), &s), 0);
    assert_int_equal(s, 0);
    assert_int_equal(notify_retry_after_parse(" 2 \r\n", noon(), &s), 0);
    assert_int_equal(s, 2);
    /* Huge values saturate rather than wrap. */
    assert_int_equal(notify_retry_after_parse("99999999999999999999999", noon(), &s), 0);
    assert_true(s > 0 && s <= 10L * 366 * 86400);
    static const char *const bad[] = { "", "  ", "-5", "+5", "1.5", "12abc", "abc", "0x10",
                                       "5 s", NULL };
    for (size_t i = 0; bad[i]; i++) {
        s = -7;
        if (notify_retry_after_parse(bad[i], noon(), &s) == 0)
            fail_msg("'%s' read as %ld seconds", bad[i], s);
    }
    assert_int_equal(notify_retry_after_parse(NULL, noon(), &s), -1);
}

static void retry_after_dates(void **state)
{
    (void)state;
    long s = -1;
    /* IMF-fixdate, 90 seconds ahead. */
    assert_int_equal(notify_retry_after_parse("Sun, 01 Mar 2026 12:01:30 GMT", noon(), &s), 0);
    assert_int_equal(s, 90);
    /* A day ahead; the weekday is not cross-checked. */
    assert_int_equal(notify_retry_after_parse("Mon, 02 Mar 2026 12:00:00 GMT", noon(), &s), 0);
    assert_int_equal(s, 86400);
    /* In the past: now. */
    assert_int_equal(notify_retry_after_parse("Sat, 28 Feb 2026 12:00:00 GMT", noon(), &s), 0);
    assert_int_equal(s, 0);
    /* RFC 850, two-digit year. */
    assert_int_equal(notify_retry_after_parse("Sunday, 01-Mar-26 12:00:10 GMT", noon(), &s), 0);
    assert_int_equal(s, 10);
    /* asctime, the day padded with a space, and with two digits. */
    assert_int_equal(notify_retry_after_parse("Sun Mar  1 12:00:05 2026", noon(), &s), 0);
    assert_int_equal(s, 5);
    assert_int_equal(notify_retry_after_parse("Wed Mar 11 12:00:00 2026", noon(), &s), 0);
    assert_int_equal(s, 10 * 86400);
    /* A leap day. */
    struct tm tm = { .tm_year = 128, .tm_mon = 1, .tm_mday = 28, .tm_hour = 12 };
    assert_int_equal(notify_retry_after_parse("Tue, 29 Feb 2028 12:00:00 GMT", timegm(&tm), &s), 0);
    assert_int_equal(s, 86400);

    static const char *const bad[] = {
        "Sun, 01 Mar 2026 12:01:30 UTC",       /* only GMT */
        "Sun, 1 Mar 2026 12:01:30 GMT",        /* two-digit day */
        "Sun, 01 March 2026 12:01:30 GMT",
        "Sun, 01 Mar 26 12:01:30 GMT",
        "Sun, 01 Mar 2026 12:01 GMT",
        "Sun, 01 Mar 2026 25:00:00 GMT",
        "Sun, 32 Mar 2026 12:00:00 GMT",
        "Tue, 31 Feb 2026 12:00:00 GMT",       /* no such day */
        "Sun, 29 Feb 2026 12:00:00 GMT",       /* 2026 is no leap year */
        "Sun, 01 Mar 2026 12:00:00 GMT junk",
        "Xyz, 01 Mar 2026 12:00:00 GMT",
        "sun, 01 mar 2026 12:00:00 GMT",       /* names are case-sensitive */
        "Sunday, 01-Mar-2026 12:00:10 GMT",
        "Sun Mar 1 12:00:05 2026",
        "2026-03-01T12:00:00Z",
        NULL };
    for (size_t i = 0; bad[i]; i++) {
        s = -7;
        if (notify_retry_after_parse(bad[i], noon(), &s) == 0)
            fail_msg("'%s' read as %ld seconds", bad[i], s);
    }
}

static void email_json_escapes(void **state)
{
    (void)state;
    char *j = notify_email_json("Lumen <alerts@x.example>", "front@desk.example",
                                "New enquiry at \"Bright\" Smile", "line 1\nline\t2\\ end");
    assert_non_null(j);
    assert_string_equal(j, "{\"from\": \"Lumen <alerts@x.example>\", \"to\": [\"front@desk.example\"], "
                           "\"subject\": \"New enquiry at \\\"Bright\\\" Smile\", "
                           "\"text\": \"line 1\\u000aline\\u00092\\\\ end\"}");
    free(j);

    /* Every control character is escaped; none is left raw. */
    char ctl[40];
    for (int i = 1; i < 32; i++)
        ctl[i - 1] = (char)i;
    ctl[31] = '\0';
    j = notify_email_json("a", "b", ctl, "c");
    assert_non_null(j);
    for (const char *p = j; *p; p++)
        if ((unsigned char)*p < 0x20)
            fail_msg("raw control byte 0x%02x in %s", *p, j);
    assert_non_null(strstr(j, "\\u0001\\u0002"));
    assert_non_null(strstr(j, "\\u001b"));
    assert_non_null(strstr(j, "\\u001f"));
    free(j);

    /* Non-ASCII passes as UTF-8, unchanged. */
    j = notify_email_json("a", "b", "Zahnärztin Łódź — 歯科 😀", "مرحبا");
    assert_non_null(j);
    assert_non_null(strstr(j, "\"subject\": \"Zahnärztin Łódź — 歯科 😀\""));
    assert_non_null(strstr(j, "\"text\": \"مرحبا\""));
    free(j);

    /* Not UTF-8 (a lone continuation byte, an overlong '/', a surrogate):
     * refused, never sent as JSON a provider would choke on. */
    assert_null(notify_email_json("a", "b", "bad \x80 byte", "c"));
    assert_null(notify_email_json("a", "b", "c", "\xc0\xaf"));
    assert_null(notify_email_json("a", "\xed\xa0\x80", "c", "d"));
    assert_null(notify_email_json("\xff", "b", "c", "d"));

    j = notify_email_json("", "", "", "");
    assert_string_equal(j, "{\"from\": \"\", \"to\": [\"\"], \"subject\": \"\", \"text\": \"\"}");
    free(j);
}

static void status_meaning(void **state)
{
    (void)state;
    assert_int_equal(notify_http_classify(NOTIFY_CH_WEBHOOK, 200), NOTIFY_DELIVERED);
    assert_int_equal(notify_http_classify(NOTIFY_CH_WEBHOOK, 204), NOTIFY_DELIVERED);
    assert_int_equal(notify_http_classify(NOTIFY_CH_WEBHOOK, 299), NOTIFY_DELIVERED);
    assert_int_equal(notify_http_classify(NOTIFY_CH_WEBHOOK, 300), NOTIFY_RETRY);
    assert_int_equal(notify_http_classify(NOTIFY_CH_WEBHOOK, 301), NOTIFY_RETRY);
    assert_int_equal(notify_http_classify(NOTIFY_CH_WEBHOOK, 199), NOTIFY_RETRY);
    assert_int_equal(notify_http_classify(NOTIFY_CH_WEBHOOK, 404), NOTIFY_RETRY);
    assert_int_equal(notify_http_classify(NOTIFY_CH_WEBHOOK, 410), NOTIFY_GONE);
    assert_int_equal(notify_http_classify(NOTIFY_CH_EMAIL, 410), NOTIFY_RETRY);
    assert_int_equal(notify_http_classify(NOTIFY_CH_EMAIL, 202), NOTIFY_DELIVERED);
    assert_int_equal(notify_http_classify(NOTIFY_CH_WEBHOOK, 429), NOTIFY_RETRY);
    assert_int_equal(notify_http_classify(NOTIFY_CH_WEBHOOK, 503), NOTIFY_RETRY);
    assert_int_equal(notify_http_classify(NOTIFY_CH_WEBHOOK, 0), NOTIFY_RETRY);
}

static void email_api_checked(void **state)
{
    (void)state;
    char err[NOTIFY_ERR_MAX];
    assert_int_equal(notify_http_email_api_check("https://api.mail.example/v1/send", false,
                                                 err, sizeof err), 0);
    assert_int_equal(notify_http_email_api_check("http://127.0.0.1:8025/send", false,
                                                 err, sizeof err), -1);
    assert_non_null(strstr(err, "[notify] email_api refused: http://"));
    assert_int_equal(notify_http_email_api_check("http://127.0.0.1:8025/send", true,
                                                 err, sizeof err), 0);
    assert_int_equal(notify_http_email_api_check("https://key@api.mail.example/", false,
                                                 err, sizeof err), -1);
    assert_non_null(strstr(err, "user name or password"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(retry_after_seconds),
        cmocka_unit_test(retry_after_dates),
        cmocka_unit_test(email_json_escapes),
        cmocka_unit_test(status_meaning),
        cmocka_unit_test(email_api_checked),
    };
    return unit_run(tests);
}
