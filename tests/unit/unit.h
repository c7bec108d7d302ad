/* Shared by every C unit test: cmocka with TAP output, so prove reads it.
 * Usage: define tests with cmocka's cmocka_unit_test(), then
 *   int main(void) { return unit_run(tests); }                          */
#ifndef LUMEN_TESTS_UNIT_H
#define LUMEN_TESTS_UNIT_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>

/* The text of a small file (tests run from the top of the checkout), in a
 * static buffer that the next call overwrites. */
static inline const char *unit_slurp(const char *path)
{
    static char buf[1 << 16];
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

#define unit_run(tests) \
    (cmocka_set_message_output(CM_OUTPUT_TAP), \
     cmocka_run_group_tests_name(__FILE__, tests, NULL, NULL))

#endif
