/* A PGresult made by hand, for the tests of the api's decoders without a
 * database: NAMES the columns (all text), CELLS row by row (NULL: SQL
 * NULL).  The caller PQclear()s it. */
#ifndef LUMEN_TESTS_UNIT_PGRESULT_H
#define LUMEN_TESTS_UNIT_PGRESULT_H

#include <libpq-fe.h>
#include <string.h>

static inline PGresult *make_result(const char *const *names, int ncols, const char *const *cells,
                                    int rows)
{
    PGresult *res = PQmakeEmptyPGresult(NULL, PGRES_TUPLES_OK);
    assert_non_null(res);
    PGresAttDesc attrs[24];
    assert_true(ncols <= 24);
    for (int i = 0; i < ncols; i++)
        attrs[i] = (PGresAttDesc){ .name = (char *)names[i], .format = 0, .typid = 25,
                                   .typlen = -1, .atttypmod = -1 };
    assert_int_equal(PQsetResultAttrs(res, ncols, attrs), 1);
    for (int r = 0; r < rows; r++)
        for (int c = 0; c < ncols; c++) {
            const char *v = cells[r * ncols + c];
            assert_int_equal(PQsetvalue(res, r, c, (char *)v, v ? (int)strlen(v) : -1), 1);
        }
    return res;
}

#endif
