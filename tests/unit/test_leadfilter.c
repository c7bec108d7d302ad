/* client/leadfilter: the inbox's filter keys as the api's filter JSON:
 * each key and its negation, lists of statuses, JSON escaping of any
 * bytes, invalid UTF-8, and a clear message for each bad value. */
#include "tests/unit/unit.h"
#include "client/leadfilter.h"
#include "client/jsonout.h"

#include <string.h>

static char json[LEADFILTER_JSON_MAX];
static char err[LEADFILTER_ERR_MAX];

static const char *ok(const char *text)
{
    int rc = leadfilter_from_text(text, json, sizeof json, err, sizeof err);
    if (rc != 0)
        fail_msg("%s: %s", text, err);
    return json;
}

static const char *bad(const char *text)
{
    if (leadfilter_from_text(text, json, sizeof json, err, sizeof err) == 0)
        fail_msg("%s: accepted as %s", text, json);
    assert_string_equal(json, "{}");
    return err;
}

static void each_key_and_its_negation(void **state)
{
    (void)state;
    assert_string_equal(ok(""), "{}");
    assert_string_equal(ok("status:new"), "{\"status\": [\"new\"]}");
    assert_string_equal(ok("!status:spam"), "{\"not_status\": [\"spam\"]}");
    assert_string_equal(ok("assigned:me"), "{\"assigned\": \"me\"}");
    assert_string_equal(ok("!assigned:none"), "{\"not_assigned\": \"none\"}");
    assert_string_equal(ok("assigned:0B4C7A3E-1d2f-4a5b-8c9d-0e1f2a3b4c5d"),
                        "{\"assigned\": \"0B4C7A3E-1d2f-4a5b-8c9d-0e1f2a3b4c5d\"}");
    assert_string_equal(ok("service:implant"), "{\"service\": \"implant\"}");
    assert_string_equal(ok("!service:\"teeth whitening\""),
                        "{\"not_service\": \"teeth whitening\"}");
    assert_string_equal(ok("since:7d"), "{\"since\": \"7d\"}");
    assert_string_equal(ok("!since:2026-11-01"), "{\"before\": \"2026-11-01\"}");
    assert_string_equal(ok("untouched:15m"), "{\"untouched_for\": \"15m\"}");
    assert_string_equal(ok("ana garcía"), "{\"q\": \"ana garcía\"}");
}

static void combined_in_a_fixed_order(void **state)
{
    (void)state;
    assert_string_equal(ok("smith since:24h !status:spam STATUS:Contacted status:new,booked "
                           "assigned:ME service:x !service:y !since:1h !assigned:none"),
                        "{\"status\": [\"new\", \"contacted\", \"booked\"], "
                        "\"not_status\": [\"spam\"], \"assigned\": \"me\", "
                        "\"not_assigned\": \"none\", \"service\": \"x\", \"not_service\": \"y\", "
                        "\"since\": \"24h\", \"before\": \"1h\", \"q\": \"smith\"}");
    /* A status named twice is listed once; empty items are skipped. */
    assert_string_equal(ok("status:new,,new status:new"), "{\"status\": [\"new\"]}");
}

static void strings_are_escaped(void **state)
{
    (void)state;
    assert_string_equal(ok("\"say \\\"hi\\\" \\\\ back\""),
                        "{\"q\": \"say \\\"hi\\\" \\\\ back\"}");
    assert_string_equal(ok("service:a\x01\x1b[2J\x7f"),
                        "{\"service\": \"a\\u0001\\u001b[2J\x7f\"}");
    assert_string_equal(ok("李 🦷 é"), "{\"q\": \"李 🦷 é\"}");
    char buf[16];
    assert_int_equal(json_string("\n\"", 2, buf, sizeof buf), 10);
    assert_string_equal(buf, "\"\\u000a\\\"\"");
    /* Too small a buffer is refused, not cut. */
    assert_int_equal(json_string("abcdef", 6, buf, 8), -1);
    assert_int_equal(json_string("abcdef", 6, buf, 9), 8);
}

static void invalid_utf8_is_refused(void **state)
{
    (void)state;
    assert_string_equal(bad("caf\xe9"), "q: the text is not valid UTF-8");
    assert_string_equal(bad("service:\xc0\xaf"), "service: the text is not valid UTF-8");  /* overlong '/' */
    assert_string_equal(bad("service:\xed\xa0\x80"), "service: the text is not valid UTF-8"); /* surrogate */
    assert_string_equal(bad("x\xf4\x90\x80\x80"), "q: the text is not valid UTF-8");      /* > U+10FFFF */
    assert_string_equal(bad("x\xe2\x82"), "q: the text is not valid UTF-8");              /* cut short */
    char buf[16];
    assert_int_equal(json_string("\xff", 1, buf, sizeof buf), -1);
}

static void bad_values_say_what_is_wanted(void **state)
{
    (void)state;
    assert_string_equal(bad("status:nwe"),
                        "unknown status \"nwe\" (new, contacted, booked, not_interested, spam)");
    assert_string_equal(bad("status:new,nwe"),
                        "unknown status \"nwe\" (new, contacted, booked, not_interested, spam)");
    assert_string_equal(bad("status:,"),
                        "status: name a status (new, contacted, booked, not_interested, spam)");
    assert_string_equal(bad("since:7x"), "since: \"7x\" is not a time: use 30m, 24h, 7d, 2w or "
                                         "a date such as 2026-11-01");
    assert_true(strstr(bad("since:2026-02-30"), "is not a time"));
    assert_true(strstr(bad("since:2026-13-01"), "is not a time"));
    assert_true(strstr(bad("!since:d"), "is not a time"));
    assert_true(strstr(bad("since:1234567d"), "is not a time"));
    assert_string_equal(ok("since:2028-02-29"), "{\"since\": \"2028-02-29\"}");
    assert_true(strstr(bad("since:2026-02-29"), "is not a time"));
    assert_string_equal(bad("assigned:bob"), "assigned: \"bob\" is not me, none or an account id");
    assert_true(strstr(bad("assigned:0b4c7a3e-1d2f-4a5b-8c9d-0e1f2a3b4c5"), "not me, none"));
    assert_string_equal(bad("assigned:me assigned:none"), "assigned is given twice");
    assert_string_equal(bad("since:1d since:2d"), "since is given twice");
    assert_string_equal(bad("untouched:2026-11-01"),
                        "untouched: \"2026-11-01\" is not a duration: use 15m, 2h, 1d or 1w");
    assert_true(strstr(bad("!untouched:15m"), "cannot be negated"));
    /* A value shown in a message has its control bytes made visible. */
    assert_string_equal(bad("status:\x1b[31m"),
                        "unknown status \"\\x1b[31m\" (new, contacted, booked, not_interested, spam)");
    /* The tokenizer's errors come through: an unknown key names the keys. */
    assert_true(strstr(bad("colour:red"), "status"));
}

static void when_shapes(void **state)
{
    (void)state;
    assert_true(leadfilter_when_ok("30m"));
    assert_true(leadfilter_when_ok("999999w"));
    assert_true(leadfilter_when_ok("2000-02-29"));
    assert_false(leadfilter_when_ok("1900-02-29"));
    assert_false(leadfilter_when_ok("m"));
    assert_false(leadfilter_when_ok("7 d"));
    assert_false(leadfilter_when_ok("7D"));
    assert_false(leadfilter_when_ok("2026-1-01"));
    assert_false(leadfilter_when_ok("0000-01-01"));
    assert_false(leadfilter_when_ok(""));
}

static void empty_filter_struct(void **state)
{
    (void)state;
    struct filter f = { .ntokens = 0, .text = "" };
    assert_int_equal(leadfilter_json(&f, json, sizeof json, err, sizeof err), 0);
    assert_string_equal(json, "{}");
    /* Too small an output is an error, not a cut JSON. */
    struct filter g = { .ntokens = 0, .text = "a long free text" };
    char small[12];
    assert_int_equal(leadfilter_json(&g, small, sizeof small, err, sizeof err), -1);
    assert_string_equal(small, "{}");
    assert_string_equal(err, "the filter is too long");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(each_key_and_its_negation),
        cmocka_unit_test(combined_in_a_fixed_order),
        cmocka_unit_test(strings_are_escaped),
        cmocka_unit_test(invalid_utf8_is_refused),
        cmocka_unit_test(bad_values_say_what_is_wanted),
        cmocka_unit_test(when_shapes),
        cmocka_unit_test(empty_filter_struct),
    };
    return unit_run(tests);
}
