/* screens/security.h's pure parts: the key in groups of four, and the
 * recovery codes split out of the server's text. */
#include "tests/unit/unit.h"
#include "screens/security.h"

#include <string.h>

static void key_in_groups_of_four(void **state)
{
    (void)state;
    char buf[128];
    security_key_groups("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", buf, sizeof buf);
    assert_string_equal(buf, "JBSW Y3DP EHPK 3PXP JBSW Y3DP EHPK 3PXP");
    security_key_groups("JBSWY3DPEHPK3P==", buf, sizeof buf);     /* padding goes */
    assert_string_equal(buf, "JBSW Y3DP EHPK 3P");
    security_key_groups("JBSW Y3DP", buf, sizeof buf);            /* grouped already */
    assert_string_equal(buf, "JBSW Y3DP");
    security_key_groups("", buf, sizeof buf);
    assert_string_equal(buf, "");
    security_key_groups("ABCDEFGH", buf, 7);                      /* cut, never overrun */
    assert_true(strlen(buf) < 7);
    assert_memory_equal(buf, "ABCD E", 6);
}

static void codes_split(void **state)
{
    (void)state;
    size_t off[20], len[20];
    const char *t = "AAAAA-BBBBB\nCCCCC-DDDDD\r\n\n  EEEEE-FFFFF \n";
    size_t n = recovery_codes_split(t, strlen(t), off, len, 20);
    assert_int_equal(n, 3);
    assert_memory_equal(t + off[0], "AAAAA-BBBBB", len[0]);
    assert_memory_equal(t + off[1], "CCCCC-DDDDD", len[1]);
    assert_memory_equal(t + off[2], "EEEEE-FFFFF", len[2]);
    assert_int_equal(len[2], 11);
    assert_int_equal(recovery_codes_split(t, strlen(t), off, len, 2), 2);
    assert_int_equal(recovery_codes_split("", 0, off, len, 20), 0);
    assert_int_equal(recovery_codes_split("\n\n", 2, off, len, 20), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(key_in_groups_of_four),
        cmocka_unit_test(codes_split),
    };
    return unit_run(tests);
}
