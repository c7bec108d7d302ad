/* cliout: what the subcommands print for a person to read -- one line of
 * untrusted text, a table of it, a time -- made safe for a terminal.
 *
 * Every value that came from the database (a member's name, an email, a
 * session's reported origin) may hold escape sequences, other control
 * characters, bidirectional overrides or invalid UTF-8; written raw to a
 * terminal they could retitle it, move the cursor, or hide and reorder
 * text.  Each goes through the one sanitizer the TUI uses (tui/text.h;
 * this file is in screens/, where client/ and tui/ meet), which replaces
 * each such character by a visible placeholder, never silently; with a
 * locale that is not UTF-8 (text_locale_flags) the output is ASCII.
 *
 * Tables are columns of headings and cells, left-aligned by display width
 * (a wide character counts two), two spaces apart, the last column not
 * padded; a cell wider than CLI_CELL_COLS is cut with an ellipsis.  Rows
 * are kept in the table (malloc'd) until cli_table_free().              */
#ifndef LUMEN_SCREENS_CLIOUT_H
#define LUMEN_SCREENS_CLIOUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define CLI_COLS_MAX 12
#define CLI_CELL_COLS 48
/* Room for one sanitized cell or line. */
#define CLI_LINE_MAX 1024

/* SRC (NULL: "") as one safe line in DST (SIZE bytes), cut at SIZE with
 * nothing lost silently (the cut is on a character boundary).  DST. */
const char *cli_safe(char *dst, size_t size, const char *src);

struct cli_table {
    size_t ncols;
    const char *heads[CLI_COLS_MAX];
    size_t widths[CLI_COLS_MAX];
    char **cells;               /* nrows * ncols, each malloc'd, sanitized */
    size_t nrows, cap;
};
/* HEADS: NCOLS (<= CLI_COLS_MAX) headings, plain ASCII, kept by pointer. */
void cli_table_init(struct cli_table *t, const char *const *heads, size_t ncols);
/* One row of NCOLS cells (NULL: empty), sanitized and cut here. */
void cli_table_add(struct cli_table *t, const char *const *cells);
/* Headings, then the rows; trailing spaces never written. */
void cli_table_print(const struct cli_table *t, FILE *f);
void cli_table_free(struct cli_table *t);

/* A timestamptz as the server writes it ("2026-11-30 06:00:00.123+00",
 * or ISO 8601 with 'T' and "+00:00" or "Z") as this machine's local time
 * (TZ), "2026-11-30 00:00", into OUT (>= 20 bytes).  "" stays "";
 * anything it cannot read is copied, to be sanitized like any text.
 * OUT. */
const char *cli_time(const char *ts, char *out, size_t outlen);

#endif
