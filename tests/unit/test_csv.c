/* client/csv: the CSV writer.  RFC 4180 quoting and CRLF, the BOM, the
 * OWASP neutralisation (and that it can be undone exactly), cells larger
 * than the buffer, write errors; and a round trip of random bytes through
 * a small reference parser. */
#include "tests/unit/unit.h"
#include "client/csv.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static struct csv w;
static char out[1 << 20];
static size_t outlen;

/* Writes into a temporary file; collect() reads it back into out. */
static int tmpfd(void)
{
    char path[] = "/tmp/lumen-csv-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    unlink(path);
    return fd;
}

static void collect(int fd)
{
    assert_int_equal(csv_flush(&w), 0);
    assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
    ssize_t n = read(fd, out, sizeof out - 1);
    assert_true(n >= 0);
    outlen = (size_t)n;
    out[outlen] = '\0';
    close(fd);
}

/* The file for CELLS (NULL-terminated rows of NULL-terminated cells). */
static const char *write_rows(bool bom, const char *const *const *rows)
{
    int fd = tmpfd();
    csv_init(&w, fd, bom);
    for (size_t r = 0; rows[r]; r++) {
        for (size_t c = 0; rows[r][c]; c++)
            assert_int_equal(csv_cell_str(&w, rows[r][c]), 0);
        assert_int_equal(csv_end_row(&w), 0);
    }
    collect(fd);
    return out;
}

static const char *one(const char *cell)
{
    const char *row[] = { cell, NULL };
    const char *const *rows[] = { row, NULL };
    return write_rows(false, rows);
}

static void plain_cells_and_crlf(void **state)
{
    (void)state;
    const char *r1[] = { "id", "name", "phone", NULL };
    const char *r2[] = { "1", "Ana María", "555 0100", NULL };
    const char *r3[] = { "", "", "", NULL };
    const char *const *rows[] = { r1, r2, r3, NULL };
    assert_string_equal(write_rows(false, rows),
                        "id,name,phone\r\n1,Ana María,555 0100\r\n,,\r\n");
    assert_int_equal(w.rows, 3);
    /* UTF-8 of every script passes through untouched. */
    assert_string_equal(one("李小龙 محمد देवनागरी 🦷"), "李小龙 محمد देवनागरी 🦷\r\n");
    /* NULL is an empty cell; a row with no cell an empty line. */
    int fd = tmpfd();
    csv_init(&w, fd, false);
    assert_int_equal(csv_cell_str(&w, NULL), 0);
    assert_int_equal(csv_cell_str(&w, "x"), 0);
    assert_int_equal(csv_end_row(&w), 0);
    assert_int_equal(csv_end_row(&w), 0);
    collect(fd);
    assert_string_equal(out, ",x\r\n\r\n");
}

static void quoting(void **state)
{
    (void)state;
    assert_string_equal(one("a,b"), "\"a,b\"\r\n");
    assert_string_equal(one("say \"hi\""), "\"say \"\"hi\"\"\"\r\n");
    assert_string_equal(one("\""), "\"\"\"\"\r\n");
    assert_string_equal(one("line\r\nbreak"), "\"line\r\nbreak\"\r\n");
    assert_string_equal(one("a\nb"), "\"a\nb\"\r\n");
    assert_string_equal(one("a\rb"), "\"a\rb\"\r\n");
    /* A transcript: its lines stay inside the one quoted cell. */
    assert_string_equal(one("2026-11-30 09:00 visitor: hola\n2026-11-30 09:01 bot: ¿cita?"),
                        "\"2026-11-30 09:00 visitor: hola\n2026-11-30 09:01 bot: ¿cita?\"\r\n");
    /* Spaces and a quote not at the start need nothing. */
    assert_string_equal(one("  padded  "), "  padded  \r\n");
    assert_string_equal(one("O'Brien"), "O'Brien\r\n");
}

static void formulas_are_neutralised(void **state)
{
    (void)state;
    assert_string_equal(one("=1+1"), "\"'=1+1\"\r\n");
    assert_string_equal(one("+1 555 0100"), "\"'+1 555 0100\"\r\n");
    assert_string_equal(one("-2"), "\"'-2\"\r\n");
    assert_string_equal(one("@SUM(A1)"), "\"'@SUM(A1)\"\r\n");
    assert_string_equal(one("\t=x"), "\"'\t=x\"\r\n");
    assert_string_equal(one("\r=x"), "\"'\r=x\"\r\n");
    /* Quotes inside a neutralised cell are doubled as ever. */
    assert_string_equal(one("=HYPERLINK(\"http://x\",\"y\")"),
                        "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"\r\n");
    /* A leading quote is given one more, so the rule can be undone. */
    assert_string_equal(one("'=x"), "\"''=x\"\r\n");
    assert_string_equal(one("'tis"), "\"''tis\"\r\n");
    /* Only the first byte counts. */
    assert_string_equal(one("a=b"), "a=b\r\n");
    assert_string_equal(one(" =x"), " =x\r\n");
    assert_true(csv_needs_neutralising("=", 1));
    assert_false(csv_needs_neutralising("", 0));
    assert_false(csv_needs_neutralising("1", 1));
}

static void bom_only_when_asked(void **state)
{
    (void)state;
    const char *row[] = { "x", NULL };
    const char *const *rows[] = { row, NULL };
    assert_string_equal(write_rows(true, rows), "\xEF\xBB\xBFx\r\n");
    assert_string_equal(write_rows(false, rows), "x\r\n");
}

/* A cell several times the buffer, quotes on the boundaries. */
static void cells_larger_than_the_buffer(void **state)
{
    (void)state;
    size_t n = 3 * CSV_BUF + 17;
    char *big = malloc(n + 1);
    assert_non_null(big);
    for (size_t i = 0; i < n; i++)
        big[i] = (i % 1000 == 999) ? '"' : (char)('a' + i % 26);
    big[n] = '\0';
    int fd = tmpfd();
    csv_init(&w, fd, false);
    assert_int_equal(csv_cell(&w, big, n), 0);
    assert_int_equal(csv_cell(&w, big, n), 0);
    assert_int_equal(csv_end_row(&w), 0);
    collect(fd);
    size_t quotes = n / 1000;
    size_t want = 2 * (n + quotes + 2) + 1 + 2;
    assert_int_equal(outlen, want);
    assert_int_equal(w.bytes, want);
    assert_int_equal(out[0], '"');
    assert_memory_equal(out + 1, big, 999);
    assert_memory_equal(out + 1000, "\"\"", 2);
    free(big);
}

static void write_errors_are_reported(void **state)
{
    (void)state;
    int fd = open("/dev/full", O_WRONLY);
    if (fd < 0)
        skip();
    csv_init(&w, fd, false);
    assert_int_equal(csv_cell_str(&w, "x"), 0);       /* buffered */
    assert_int_equal(csv_end_row(&w), 0);
    assert_int_equal(csv_flush(&w), -1);
    assert_int_equal(csv_error(&w), ENOSPC);
    /* Every later call fails too, without writing. */
    assert_int_equal(csv_cell_str(&w, "y"), -1);
    assert_int_equal(csv_end_row(&w), -1);
    close(fd);
    /* A full buffer flushes by itself: the error shows during the cells. */
    fd = open("/dev/full", O_WRONLY);
    csv_init(&w, fd, false);
    int rc = 0;
    for (int i = 0; i < 10000 && rc == 0; i++)
        rc = csv_cell_str(&w, "0123456789abcdef");
    assert_int_equal(rc, -1);
    assert_int_equal(csv_error(&w), ENOSPC);
    close(fd);
    /* A closed descriptor. */
    csv_init(&w, -1, false);
    assert_int_equal(csv_cell_str(&w, "x"), 0);
    assert_int_equal(csv_flush(&w), -1);
    assert_int_equal(csv_error(&w), EBADF);
}

/* A strict RFC 4180 reader: the next cell of S into CELL; returns the
 * bytes consumed and sets *eol when the cell ended its row.  Fails the
 * test on anything RFC 4180 does not allow. */
static size_t read_cell(const char *s, size_t len, char *cell, size_t *cell_len, bool *eol)
{
    size_t i = 0, n = 0;
    if (i < len && s[i] == '"') {
        i++;
        for (;;) {
            assert_true(i < len);
            if (s[i] == '"') {
                if (i + 1 < len && s[i + 1] == '"') {
                    cell[n++] = '"';
                    i += 2;
                    continue;
                }
                i++;
                break;
            }
            cell[n++] = s[i++];
        }
    } else {
        while (i < len && s[i] != ',' && s[i] != '\r') {
            assert_true(s[i] != '"' && s[i] != '\n');
            cell[n++] = s[i++];
        }
    }
    assert_true(i < len);
    if (s[i] == ',') {
        *eol = false;
        i++;
    } else {
        assert_true(i + 1 < len && s[i] == '\r' && s[i + 1] == '\n');
        *eol = true;
        i += 2;
    }
    *cell_len = n;
    return i;
}

/* Random cells of every byte (NUL included), over many rows: read back,
 * with the neutralisation undone, each is what was written, and no cell
 * as a spreadsheet sees it starts with a formula character. */
static void random_cells_round_trip(void **state)
{
    (void)state;
    enum { ROWS = 300, COLS = 7, MAXLEN = 40 };
    static char cells[ROWS][COLS][MAXLEN];
    static size_t lens[ROWS][COLS];
    srand(7);
    const char special[] = "=+-@\t\r\n,\"' a\xc3\xa9";
    for (int r = 0; r < ROWS; r++)
        for (int c = 0; c < COLS; c++) {
            lens[r][c] = (size_t)(rand() % MAXLEN);
            for (size_t i = 0; i < lens[r][c]; i++)
                cells[r][c][i] = rand() % 2 ? special[rand() % (sizeof special - 1)]
                                            : (char)(rand() % 256);
        }
    int fd = tmpfd();
    csv_init(&w, fd, false);
    for (int r = 0; r < ROWS; r++) {
        for (int c = 0; c < COLS; c++)
            assert_int_equal(csv_cell(&w, cells[r][c], lens[r][c]), 0);
        assert_int_equal(csv_end_row(&w), 0);
    }
    collect(fd);
    size_t pos = 0;
    char cell[2 * MAXLEN];
    for (int r = 0; r < ROWS; r++)
        for (int c = 0; c < COLS; c++) {
            size_t n;
            bool eol;
            pos += read_cell(out + pos, outlen - pos, cell, &n, &eol);
            assert_int_equal(eol, c == COLS - 1);
            if (n > 0)
                assert_true(!strchr("=+-@\t\r", cell[0]) || cell[0] == '\0');
            const char *v = cell;
            if (n > 0 && cell[0] == '\'') {
                v++;
                n--;
            }
            assert_int_equal(n, lens[r][c]);
            assert_memory_equal(v, cells[r][c], n);
        }
    assert_int_equal(pos, outlen);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(plain_cells_and_crlf),
        cmocka_unit_test(quoting),
        cmocka_unit_test(formulas_are_neutralised),
        cmocka_unit_test(bom_only_when_asked),
        cmocka_unit_test(cells_larger_than_the_buffer),
        cmocka_unit_test(write_errors_are_reported),
        cmocka_unit_test(random_cells_round_trip),
    };
    return unit_run(tests);
}
