/* client/auditfilter: the audit viewer's filter keys as the api's filter
 * JSON (each key and its negation, outcome lists, action prefixes, target
 * type or type:id, escaping, invalid UTF-8, a clear message for each bad
 * value) and the custom range typed as dates (real calendar dates, leap
 * years, order, the longest span). */
#include "tests/unit/unit.h"
#include "client/auditfilter.h"

#include <string.h>

static char json[AUDITFILTER_JSON_MAX];
static char err[AUDITFILTER_ERR_MAX];

static const char *ok(const char *text)
{
    if (auditfilter_from_text(text, json, sizeof json, err, sizeof err) != 0)
        fail_msg("%s: %s", text, err);
    return json;
}

static const char *bad(const char *text)
{
    if (auditfilter_from_text(text, json, sizeof json, err, sizeof err) == 0)
        fail_msg("%s: accepted as %s", text, json);
    assert_string_equal(json, "{}");
    return err;
}

static void each_key_and_its_negation(void **state)
{
    (void)state;
    assert_string_equal(ok(""), "{}");
    assert_string_equal(ok("actor:ana@brightsmile.test"), "{\"actor\": \"ana@brightsmile.test\"}");
    assert_string_equal(ok("!actor:0B4C7A3E-1d2f-4a5b-8c9d-0e1f2a3b4c5d"),
                        "{\"not_actor\": \"0B4C7A3E-1d2f-4a5b-8c9d-0e1f2a3b4c5d\"}");
    assert_string_equal(ok("action:login."), "{\"action\": \"login.\"}");
    assert_string_equal(ok("action:Lead.View"), "{\"action\": \"lead.view\"}");
    assert_string_equal(ok("!action:logout"), "{\"not_action\": \"logout\"}");
    assert_string_equal(ok("action:mfa.recovery_used"), "{\"action\": \"mfa.recovery_used\"}");
    assert_string_equal(ok("outcome:denied"), "{\"outcome\": [\"denied\"]}");
    assert_string_equal(ok("!outcome:SUCCESS"), "{\"not_outcome\": [\"success\"]}");
    assert_string_equal(ok("target:lead"), "{\"target\": \"lead\"}");
    assert_string_equal(ok("target:Lead:123"), "{\"target\": \"lead:123\"}");
    assert_string_equal(ok("!target:member:0B4C7A3E-1d2f-4a5b-8c9d-0e1f2a3b4c5d"),
                        "{\"not_target\": \"member:0B4C7A3E-1d2f-4a5b-8c9d-0e1f2a3b4c5d\"}");
    /* An id may hold ':' itself; only the first one splits. */
    assert_string_equal(ok("target:x:a:b"), "{\"target\": \"x:a:b\"}");
    assert_string_equal(ok("203.0.113.9 export"), "{\"q\": \"203.0.113.9 export\"}");
}

static void combined_in_a_fixed_order(void **state)
{
    (void)state;
    assert_string_equal(ok("smith target:lead:7 !outcome:success outcome:failure,DENIED "
                           "action:lead. !actor:bot actor:ana !action:lead.list !target:lead"),
                        "{\"actor\": \"ana\", \"not_actor\": \"bot\", \"action\": \"lead.\", "
                        "\"not_action\": \"lead.list\", \"outcome\": [\"denied\", \"failure\"], "
                        "\"not_outcome\": [\"success\"], \"target\": \"lead:7\", "
                        "\"not_target\": \"lead\", \"q\": \"smith\"}");
    /* An outcome named twice is listed once; empty items are skipped;
     * outcome may repeat (the lists merge). */
    assert_string_equal(ok("outcome:denied,,denied outcome:failure"),
                        "{\"outcome\": [\"denied\", \"failure\"]}");
}

static void strings_are_escaped(void **state)
{
    (void)state;
    assert_string_equal(ok("actor:\"a \\\"b\\\" \\\\ c\""),
                        "{\"actor\": \"a \\\"b\\\" \\\\ c\"}");
    assert_string_equal(ok("actor:a\x01\x1b[2J"), "{\"actor\": \"a\\u0001\\u001b[2J\"}");
    assert_string_equal(ok("target:\"lead:x\ty\""), "{\"target\": \"lead:x\\u0009y\"}");
    assert_string_equal(ok("李 🦷 é"), "{\"q\": \"李 🦷 é\"}");
    assert_string_equal(bad("caf\xe9"), "q: the text is not valid UTF-8");
    assert_string_equal(bad("actor:\xc0\xaf"), "actor: the text is not valid UTF-8");
    assert_string_equal(bad("target:lead:\xed\xa0\x80"), "target: the text is not valid UTF-8");
}

static void bad_values_say_what_is_wanted(void **state)
{
    (void)state;
    assert_string_equal(bad("outcome:deny"), "unknown outcome \"deny\" (success, denied, failure)");
    assert_string_equal(bad("!outcome:denied,x"), "unknown outcome \"x\" (success, denied, failure)");
    assert_string_equal(bad("outcome:,"), "outcome: name an outcome (success, denied, failure)");
    assert_string_equal(bad("!outcome:,"), "!outcome: name an outcome (success, denied, failure)");
    assert_string_equal(bad("action:login.*"), "action: \"login.*\" is not an action "
                                               "(login.success) or a prefix ending in '.' (login.)");
    assert_true(strstr(bad("action:.success"), "is not an action"));
    assert_true(strstr(bad("action:a.b.c"), "is not an action"));
    assert_true(strstr(bad("action:lead-view"), "is not an action"));
    assert_string_equal(bad("target:lead:"), "target: \"lead:\" names no id after the ':'");
    assert_string_equal(bad("target::7"), "target: \":7\" is not a type (lead) or a type and id "
                                          "(lead:123)");
    assert_true(strstr(bad("target:\"le ad\""), "is not a type"));
    assert_string_equal(bad("actor:a actor:b"), "actor is given twice");
    assert_string_equal(bad("!action:x !action:y"), "!action is given twice");
    assert_string_equal(bad("target:lead target:member"), "target is given twice");
    /* Given once each way is fine. */
    assert_string_equal(ok("actor:a !actor:b"), "{\"actor\": \"a\", \"not_actor\": \"b\"}");
    /* Control bytes in a message are made visible. */
    assert_string_equal(bad("outcome:\x1b[31m"),
                        "unknown outcome \"\\x1b[31m\" (success, denied, failure)");
    /* The tokenizer's errors: an unknown key names the keys. */
    assert_true(strstr(bad("status:new"), "actor"));
    assert_true(strstr(bad("!smith"), "!"));
}

static void too_long_is_an_error(void **state)
{
    (void)state;
    struct filter f = { .ntokens = 0, .text = "a long free text" };
    char small[12];
    assert_int_equal(auditfilter_json(&f, small, sizeof small, err, sizeof err), -1);
    assert_string_equal(small, "{}");
    assert_string_equal(err, "the filter is too long");
}

static char from[11], to[11];

static const char *range_ok(const char *text)
{
    static char both[24];
    if (auditfilter_range(text, from, to, err, sizeof err) != 0)
        fail_msg("%s: %s", text, err);
    snprintf(both, sizeof both, "%s %s", from, to);
    return both;
}

static const char *range_bad(const char *text)
{
    if (auditfilter_range(text, from, to, err, sizeof err) == 0)
        fail_msg("%s: accepted as %s..%s", text, from, to);
    assert_string_equal(from, "");
    assert_string_equal(to, "");
    return err;
}

static void custom_ranges(void **state)
{
    (void)state;
    assert_string_equal(range_ok("2026-11-01..2026-11-15"), "2026-11-01 2026-11-15");
    assert_string_equal(range_ok("2026-11-01"), "2026-11-01 2026-11-01");
    assert_string_equal(range_ok("  2026-11-01 .. 2026-11-15 "), "2026-11-01 2026-11-15");
    assert_string_equal(range_ok("2026-11-01..2026-11-01"), "2026-11-01 2026-11-01");
    /* Leap years: 2028 and 2000 are, 2026 and 2100 are not. */
    assert_string_equal(range_ok("2028-02-29"), "2028-02-29 2028-02-29");
    assert_string_equal(range_ok("2000-02-01..2000-02-29"), "2000-02-01 2000-02-29");
    assert_string_equal(range_bad("2026-02-29"), "2026-02-29 is not a date: February 2026 has "
                                                 "28 days");
    assert_string_equal(range_bad("2100-02-29"), "2100-02-29 is not a date: February 2100 has "
                                                 "28 days");
    assert_string_equal(range_bad("2026-02-30"), "2026-02-30 is not a date: February 2026 has "
                                                 "28 days");
    assert_string_equal(range_bad("2026-11-01..2026-04-31"), "2026-04-31 is not a date: April "
                                                             "2026 has 30 days");
    assert_string_equal(range_bad("2026-13-01"), "2026-13-01 is not a date: there is no month 13");
    assert_string_equal(range_bad("2026-00-10"), "2026-00-10 is not a date: there is no month 00");
    assert_string_equal(range_bad("0000-01-01"), "0000-01-01 is not a date: there is no year 0");
    assert_true(strstr(range_bad("2026-11-00"), "November 2026 has 30 days"));
    assert_string_equal(range_bad("11/01/2026"), "\"11/01/2026\" is not a date: write it "
                                                 "YYYY-MM-DD, such as 2026-11-01");
    assert_true(strstr(range_bad("2026-1-01"), "write it YYYY-MM-DD"));
    assert_true(strstr(range_bad("2026-11-01...2026-11-02"), "is not a date"));
    assert_true(strstr(range_bad("2026-11-01..2026-11-02..2026-11-03"), "is not a date"));
    assert_true(strstr(range_bad("today"), "write it YYYY-MM-DD"));
    /* Order and span. */
    assert_string_equal(range_bad("2026-11-15..2026-11-01"),
                        "the range ends (2026-11-01) before it starts (2026-11-15)");
    assert_string_equal(range_ok("2026-01-01..2027-02-04"), "2026-01-01 2027-02-04");
    assert_string_equal(range_bad("2026-01-01..2027-02-05"), "the range is 401 days; at most 400");
    /* Nothing, or half a range. */
    assert_true(strstr(range_bad(""), "type a day"));
    assert_true(strstr(range_bad("   "), "type a day"));
    assert_string_equal(range_bad("2026-11-01.."),
                        "a range needs a first and a last day: 2026-11-01..2026-11-15");
    assert_true(strstr(range_bad("..2026-11-01"), "a first and a last day"));
}

/* lumen audit verify --from D: one day, checked as a range's days are. */
static void one_day_only(void **state)
{
    (void)state;
    char day[11] = "x";
    assert_int_equal(auditfilter_day("2026-11-01", day, err, sizeof err), 0);
    assert_string_equal(day, "2026-11-01");
    assert_int_equal(auditfilter_day(" 2028-02-29 ", day, err, sizeof err), 0);
    assert_string_equal(day, "2028-02-29");
    assert_int_equal(auditfilter_day("2026-02-30", day, err, sizeof err), -1);
    assert_string_equal(day, "");
    assert_string_equal(err, "2026-02-30 is not a date: February 2026 has 28 days");
    assert_int_equal(auditfilter_day("2026-11-01..2026-11-15", day, err, sizeof err), -1);
    assert_true(strstr(err, "is not a date: write it YYYY-MM-DD"));
    assert_int_equal(auditfilter_day("yesterday", day, err, sizeof err), -1);
    assert_true(strstr(err, "write it YYYY-MM-DD"));
    assert_int_equal(auditfilter_day("2026-13-01", day, err, sizeof err), -1);
    assert_string_equal(err, "2026-13-01 is not a date: there is no month 13");
    assert_int_equal(auditfilter_day("", day, err, sizeof err), -1);
    assert_true(strstr(err, "type a day"));
}

static void day_numbers(void **state)
{
    (void)state;
    assert_int_equal(auditfilter_day_number(1970, 1, 1), 0);
    assert_int_equal(auditfilter_day_number(2000, 3, 1) - auditfilter_day_number(2000, 2, 28), 2);
    assert_int_equal(auditfilter_day_number(2026, 3, 1) - auditfilter_day_number(2026, 2, 28), 1);
    assert_int_equal(auditfilter_day_number(2027, 1, 1) - auditfilter_day_number(2026, 1, 1), 365);
    assert_int_equal(auditfilter_day_number(2029, 1, 1) - auditfilter_day_number(2028, 1, 1), 366);
    assert_int_equal(auditfilter_day_number(1, 1, 1), -719162);
}

static void shared_helpers(void **state)
{
    (void)state;
    assert_true(filter_date_ok("2024-02-29"));
    assert_false(filter_date_ok("2023-02-29"));
    assert_false(filter_date_ok("2024-02-29x"));
    assert_false(filter_date_ok("2024-02"));
    assert_int_equal(filter_month_days(2024, 2), 29);
    assert_int_equal(filter_month_days(1900, 2), 28);
    assert_int_equal(filter_month_days(2026, 13), 0);
    char sh[80];
    assert_string_equal(filter_shown("a\tb", sh, sizeof sh), "\"a\\x09b\"");
    assert_string_equal(filter_shown("0123456789012345678901234567890123456789XYZ", sh, sizeof sh),
                        "\"0123456789012345678901234567890123456789...\"");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(each_key_and_its_negation),
        cmocka_unit_test(combined_in_a_fixed_order),
        cmocka_unit_test(strings_are_escaped),
        cmocka_unit_test(bad_values_say_what_is_wanted),
        cmocka_unit_test(too_long_is_an_error),
        cmocka_unit_test(custom_ranges),
        cmocka_unit_test(one_day_only),
        cmocka_unit_test(day_numbers),
        cmocka_unit_test(shared_helpers),
    };
    return unit_run(tests);
}
