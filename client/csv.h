/* csv: the one CSV writer (lead export, audit export; the TUI and the
 * subcommands alike).
 *
 * Format.  RFC 4180: cells separated by ',', every row (the last too) ended
 * by CRLF; a cell holding ',', '"', CR or LF is quoted ("..."), a '"'
 * inside doubled.  Line breaks inside a cell (a transcript's) are kept as
 * they are, inside the quotes: a CSV parser gives them back unchanged.
 * Bytes are passed through: UTF-8 stays UTF-8, and an optional BOM
 * (EF BB BF) at the start of the file tells spreadsheets so.
 *
 * Formula injection.  A cell whose first byte is '=', '+', '-', '@', TAB
 * or CR is neutralised as OWASP's "CSV Injection" page says: a single quote
 * is put in front of it and the cell is quoted ("'=1+1").  So that the rule
 * can be undone exactly, a cell that already starts with a single quote is
 * given one more the same way ("''quoted'").  That is the only change made
 * to any text: a reader gets every value back by dropping the first byte of
 * each cell that starts with a single quote.  A phone number "+1 555..."
 * is written "'+1 555...": a spreadsheet shows it as text, which it is.
 *
 * Control bytes.  Kept as they are (no replacement): the file is data, read
 * back by a parser more often than by eye, and a cell must round-trip.  A
 * spreadsheet does not interpret escape sequences; a terminal that `cat`s
 * the file might, which is why the TUI never shows a cell unsanitized.
 *
 * Output.  Through a buffer (CSV_BUF bytes) to a file descriptor, with
 * short writes and EINTR handled.  The first write error is kept (errno
 * value in csv_error()) and every later call returns -1 without writing.
 * Nothing is allocated.                                                  */
#ifndef LUMEN_CLIENT_CSV_H
#define LUMEN_CLIENT_CSV_H

#include <stdbool.h>
#include <stddef.h>

#define CSV_BUF 65536

struct csv {
    int fd;
    int err;                    /* errno of the first failure, 0 */
    bool in_row;                /* a cell was written on this row */
    size_t len;                 /* bytes in buf */
    unsigned long long rows;    /* rows ended */
    unsigned long long bytes;   /* bytes handed to write(2) */
    char buf[CSV_BUF];
};

/* Starts a file on FD (not closed by the writer); the BOM is buffered
 * first when BOM is true. */
void csv_init(struct csv *w, int fd, bool bom);
/* One cell of LEN bytes (S may hold any bytes, NUL included).  0 or -1. */
int csv_cell(struct csv *w, const char *s, size_t len);
/* The same for a NUL-terminated string; NULL writes an empty cell. */
int csv_cell_str(struct csv *w, const char *s);
/* Ends the row (CRLF).  A row with no cell is an empty line.  0 or -1. */
int csv_end_row(struct csv *w);
/* Writes what is buffered.  0 or -1. */
int csv_flush(struct csv *w);
/* The errno of the first failure, or 0. */
int csv_error(const struct csv *w);

/* A timestamptz as the server writes it with DateStyle ISO
 * ("2026-11-30 06:00:00.123456-06", LEN bytes) in ISO 8601 with its offset
 * ("2026-11-30T06:00:00-06:00": seconds kept, fractions dropped), into OUT
 * (32 bytes or more), which is returned.  Anything else (infinity, a year
 * past 9999) is returned as S, unchanged; NULL gives NULL.  The one time
 * shape of every export (leads, audit log). */
const char *csv_time_iso8601(const char *s, size_t len, char *out, size_t outlen);

/* True when a cell of these bytes is neutralised (a ' put in front). */
bool csv_needs_neutralising(const char *s, size_t len);

#endif
