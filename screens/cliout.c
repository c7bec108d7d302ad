#include "screens/cliout.h"
#include "client/mem.h"
#include "tui/text.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

const char *cli_safe(char *dst, size_t size, const char *src)
{
    src = src ? src : "";
    text_sanitize(dst, size, src, strlen(src), text_locale_flags(), NULL);
    return dst;
}

void cli_table_init(struct cli_table *t, const char *const *heads, size_t ncols)
{
    memset(t, 0, sizeof *t);
    t->ncols = ncols < CLI_COLS_MAX ? ncols : CLI_COLS_MAX;
    for (size_t c = 0; c < t->ncols; c++) {
        t->heads[c] = heads[c];
        t->widths[c] = text_width(heads[c]);
    }
}

void cli_table_add(struct cli_table *t, const char *const *cells)
{
    if (t->nrows == t->cap) {
        t->cap = t->cap ? 2 * t->cap : 16;
        t->cells = mem_realloc(t->cells, t->cap * t->ncols * sizeof *t->cells);
    }
    unsigned flags = text_locale_flags();
    char buf[CLI_LINE_MAX];
    for (size_t c = 0; c < t->ncols; c++) {
        const char *s = cells[c] ? cells[c] : "";
        size_t w = text_cell(buf, sizeof buf, s, strlen(s), CLI_CELL_COLS,
                             flags | TEXT_ELLIPSIS);
        t->cells[t->nrows * t->ncols + c] = mem_strdup(buf);
        if (w > t->widths[c])
            t->widths[c] = w;
    }
    t->nrows++;
}

/* Line R of the table (0: the headings), cut after its last cell that is
 * not empty, so that no line ends in spaces. */
static void put_line(const struct cli_table *t, FILE *f, size_t r)
{
    const char *const *cells = r ? (const char *const *)&t->cells[(r - 1) * t->ncols] : t->heads;
    size_t last = t->ncols;
    while (last > 1 && !*cells[last - 1])
        last--;
    for (size_t c = 0; c < last; c++) {
        fputs(cells[c], f);
        for (size_t w = text_width(cells[c]); c + 1 < last && w < t->widths[c] + 2; w++)
            fputc(' ', f);
    }
    fputc('\n', f);
}

void cli_table_print(const struct cli_table *t, FILE *f)
{
    for (size_t r = 0; r <= t->nrows; r++)
        put_line(t, f, r);
}

void cli_table_free(struct cli_table *t)
{
    for (size_t i = 0; i < t->nrows * t->ncols; i++)
        free(t->cells[i]);
    free(t->cells);
    memset(t, 0, sizeof *t);
}

/* N digits at *S into *OUT; advances. */
static bool digits(const char **s, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++, (*s)++) {
        if (!isdigit((unsigned char)**s))
            return false;
        v = v * 10 + (**s - '0');
    }
    *out = v;
    return true;
}

/* Seconds east of UTC from "+HH", "+HH:MM", "+HHMM", "+HH:MM:SS" or "Z". */
static bool offset(const char *s, long *out)
{
    if (strcmp(s, "Z") == 0) {
        *out = 0;
        return true;
    }
    int sign = *s == '+' ? 1 : *s == '-' ? -1 : 0, h, m = 0, sec = 0;
    if (!sign)
        return false;
    s++;
    if (!digits(&s, 2, &h))
        return false;
    if (*s == ':')
        s++;
    if (*s && !digits(&s, 2, &m))
        return false;
    if (*s == ':')
        s++;
    if (*s && !digits(&s, 2, &sec))
        return false;
    if (*s || h > 23 || m > 59 || sec > 59)
        return false;
    *out = sign * (h * 3600L + m * 60L + sec);
    return true;
}

static bool parse_ts(const char *s, time_t *out)
{
    struct tm tm = { 0 };
    int y, mo, d, h, mi, sec;
    if (!digits(&s, 4, &y) || *s++ != '-' || !digits(&s, 2, &mo) || *s++ != '-' ||
        !digits(&s, 2, &d) || (*s != ' ' && *s != 'T') || !(s++, digits(&s, 2, &h)) ||
        *s++ != ':' || !digits(&s, 2, &mi) || *s++ != ':' || !digits(&s, 2, &sec))
        return false;
    if (*s == '.')
        for (s++; isdigit((unsigned char)*s); s++)
            ;
    long off;
    if (!offset(s, &off) || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 ||
        sec > 60)
        return false;
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = sec;
    *out = timegm(&tm) - off;
    return true;
}

const char *cli_time(const char *ts, char *out, size_t outlen)
{
    time_t t;
    struct tm tm;
    ts = ts ? ts : "";
    if (!parse_ts(ts, &t) || !localtime_r(&t, &tm) ||
        strftime(out, outlen, "%Y-%m-%d %H:%M", &tm) == 0)
        snprintf(out, outlen, "%s", ts);
    return out;
}
