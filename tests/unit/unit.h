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

#define unit_run(tests) \
    (cmocka_set_message_output(CM_OUTPUT_TAP), \
     cmocka_run_group_tests_name(__FILE__, tests, NULL, NULL))

#endif
