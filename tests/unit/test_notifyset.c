/* The notifications screen's pure pieces (screens/notifyset.h): what the
 * prompts refuse before the server would (a webhook URL, the lead link, an
 * address), a webhook's state in words, and how the body is split between
 * the three sections at 80x24 and larger. */
#include "tests/unit/unit.h"
#include "screens/notifyset.h"

#include <string.h>

static void webhook_urls(void **state)
{
    (void)state;
    assert_null(notify_url_problem("https://hooks.example.test/lumen"));
    assert_null(notify_url_problem("http://127.0.0.1:9/hook"));
    assert_null(notify_url_problem("HTTPS://example.test"));
    assert_null(notify_url_problem("https://user@example.test:8443/x?y=1#z"));
    assert_string_equal(notify_url_problem(""), "A webhook URL starts with https:// (or http://).");
    assert_string_equal(notify_url_problem("ftp://example.test/"),
                        "A webhook URL starts with https:// (or http://).");
    assert_string_equal(notify_url_problem("example.test/hook"),
                        "A webhook URL starts with https:// (or http://).");
    assert_string_equal(notify_url_problem("https://exa mple.test/"),
                        "No spaces or control characters in a URL.");
    assert_string_equal(notify_url_problem("https://example.test/\x1b[31m"),
                        "No spaces or control characters in a URL.");
    assert_string_equal(notify_url_problem("https://"), "The URL names no host after the //.");
    assert_string_equal(notify_url_problem("https:///path"), "The URL names no host after the //.");
    assert_string_equal(notify_url_problem("https://:443/"), "The URL names no host after the //.");
    assert_string_equal(notify_url_problem("https://user@/x"),
                        "The URL names no host after the //.");
    char longest[NOTIFY_URL_MAX + 2];
    memset(longest, 'a', sizeof longest - 1);
    longest[sizeof longest - 1] = '\0';
    memcpy(longest, "https://", 8);
    assert_string_equal(notify_url_problem(longest), "At most 2048 characters.");
    longest[NOTIFY_URL_MAX] = '\0';
    assert_null(notify_url_problem(longest));
}

static void lead_links(void **state)
{
    (void)state;
    assert_null(notify_link_problem(""));
    assert_null(notify_link_problem(NULL));
    assert_null(notify_link_problem("https://brightsmile.test/lumen/leads/{lead_id}"));
    assert_string_equal(notify_link_problem("http://brightsmile.test/"),
                        "The link starts with https://.");
    assert_string_equal(notify_link_problem("https://x.test/a b"),
                        "No spaces or control characters in a URL.");
    char longest[NOTIFY_LINK_MAX + 2];
    memset(longest, 'a', sizeof longest - 1);
    longest[sizeof longest - 1] = '\0';
    memcpy(longest, "https://", 8);
    assert_string_equal(notify_link_problem(longest), "At most 500 characters.");
}

static void emails(void **state)
{
    (void)state;
    assert_true(notify_email_ok("frontdesk@brightsmile.test"));
    assert_false(notify_email_ok(""));
    assert_false(notify_email_ok("frontdesk"));
    assert_false(notify_email_ok("@brightsmile.test"));
    assert_false(notify_email_ok("frontdesk@"));
    assert_false(notify_email_ok("front desk@brightsmile.test"));
    assert_false(notify_email_ok("a@b@c"));
}

static void webhook_states(void **state)
{
    (void)state;
    char buf[64];
    notify_webhook_state("", "", 1, buf, sizeof buf);
    assert_string_equal(buf, "active");
    notify_webhook_state("", "", 2, buf, sizeof buf);
    assert_string_equal(buf, "active, 2 secrets");
    notify_webhook_state("2026-11-30 08:00:00+00", "HTTP 410 Gone", 1, buf, sizeof buf);
    assert_string_equal(buf, "disabled: HTTP 410 Gone");
    notify_webhook_state("2026-11-30 08:00:00+00", "", 1, buf, sizeof buf);
    assert_string_equal(buf, "disabled");
    notify_webhook_state("2026-11-30 08:00:00+00", NULL, 1, buf, sizeof buf);
    assert_string_equal(buf, "disabled");
}

static void split(void **state)
{
    (void)state;
    int out[3];
    /* 80x24: a body of 22 lines leaves 10 for rows; all fits. */
    notify_split(10, (const int[]){ 1, 1, 1 }, 3, out);
    assert_int_equal(out[0], 1);
    assert_int_equal(out[1], 1);
    assert_int_equal(out[2], 1);
    notify_split(10, (const int[]){ 2, 3, 5 }, 3, out);
    assert_int_equal(out[0] + out[1] + out[2], 10);
    assert_int_equal(out[0], 2);
    assert_int_equal(out[2], 5);
    /* Full lists: shared, each at least one, none more than it wants. */
    notify_split(10, (const int[]){ 10, 20, 20 }, 3, out);
    assert_int_equal(out[0], 4);
    assert_int_equal(out[1], 3);
    assert_int_equal(out[2], 3);
    notify_split(10, (const int[]){ 1, 20, 20 }, 3, out);
    assert_int_equal(out[0], 1);
    assert_int_equal(out[1], 5);
    assert_int_equal(out[2], 4);
    /* Room to spare: what is not wanted stays blank. */
    notify_split(40, (const int[]){ 2, 1, 4 }, 3, out);
    assert_int_equal(out[0], 2);
    assert_int_equal(out[1], 1);
    assert_int_equal(out[2], 4);
    /* Not even a line each: nothing. */
    notify_split(2, (const int[]){ 1, 1, 1 }, 3, out);
    assert_int_equal(out[0] + out[1] + out[2], 0);
    notify_split(3, (const int[]){ 5, 5, 5 }, 3, out);
    assert_int_equal(out[0], 1);
    assert_int_equal(out[2], 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(webhook_urls),
        cmocka_unit_test(lead_links),
        cmocka_unit_test(emails),
        cmocka_unit_test(webhook_states),
        cmocka_unit_test(split),
    };
    return unit_run(tests);
}
