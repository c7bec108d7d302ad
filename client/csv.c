/* csv: the CSV writer.  Contract in csv.h. */
#include "client/csv.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

void csv_init(struct csv *w, int fd, bool bom)
{
    w->fd = fd;
    w->err = 0;
    w->in_row = false;
    w->len = 0;
    w->rows = 0;
    w->bytes = 0;
    if (bom) {
        memcpy(w->buf, "\xEF\xBB\xBF", 3);
        w->len = 3;
    }
}

int csv_error(const struct csv *w)
{
    return w->err;
}

int csv_flush(struct csv *w)
{
    if (w->err)
        return -1;
    size_t off = 0;
    while (off < w->len) {
        ssize_t n = write(w->fd, w->buf + off, w->len - off);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            w->err = errno ? errno : EIO;
            return -1;
        }
        if (n == 0) {
            w->err = EIO;
            return -1;
        }
        off += (size_t)n;
    }
    w->bytes += w->len;
    w->len = 0;
    return 0;
}

/* Appends N bytes, flushing as the buffer fills. */
static int put(struct csv *w, const char *s, size_t n)
{
    while (n > 0) {
        if (w->len == sizeof w->buf && csv_flush(w) != 0)
            return -1;
        size_t room = sizeof w->buf - w->len;
        size_t k = n < room ? n : room;
        memcpy(w->buf + w->len, s, k);
        w->len += k;
        s += k;
        n -= k;
    }
    return 0;
}

static int put_c(struct csv *w, char c)
{
    if (w->len == sizeof w->buf && csv_flush(w) != 0)
        return -1;
    w->buf[w->len++] = c;
    return 0;
}

bool csv_needs_neutralising(const char *s, size_t len)
{
    if (len == 0)
        return false;
    switch (s[0]) {
    case '=': case '+': case '-': case '@': case '\t': case '\r':
    case '\'':     /* so that the rule can be undone: see csv.h */
        return true;
    }
    return false;
}

static bool needs_quotes(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (c == ',' || c == '"' || c == '\r' || c == '\n')
            return true;
    }
    return false;
}

int csv_cell(struct csv *w, const char *s, size_t len)
{
    if (w->err)
        return -1;
    if (w->in_row && put_c(w, ',') != 0)
        return -1;
    w->in_row = true;
    bool neutral = csv_needs_neutralising(s, len);
    if (!neutral && !needs_quotes(s, len))
        return put(w, s, len);
    if (put_c(w, '"') != 0 || (neutral && put_c(w, '\'') != 0))
        return -1;
    /* Runs between quotes go in one copy each; a quote is doubled. */
    const char *end = s + len;
    while (s < end) {
        const char *q = memchr(s, '"', (size_t)(end - s));
        size_t run = q ? (size_t)(q - s) + 1 : (size_t)(end - s);
        if (put(w, s, run) != 0 || (q && put_c(w, '"') != 0))
            return -1;
        s += run;
    }
    return put_c(w, '"');
}

int csv_cell_str(struct csv *w, const char *s)
{
    return csv_cell(w, s ? s : "", s ? strlen(s) : 0);
}

int csv_end_row(struct csv *w)
{
    if (w->err)
        return -1;
    w->in_row = false;
    if (put(w, "\r\n", 2) != 0)
        return -1;
    w->rows++;
    return 0;
}

const char *csv_time_iso8601(const char *s, size_t len, char *out, size_t outlen)
{
    if (!s)
        return NULL;
    if (len < 22 || len > 40 || s[10] != ' ' || s[13] != ':' || s[16] != ':' || outlen < 32)
        return s;
    memcpy(out, s, 19);
    out[10] = 'T';
    size_t i = 19;
    if (s[i] == '.')
        for (i++; i < len && s[i] >= '0' && s[i] <= '9'; i++)
            ;
    if (i + 3 > len || (s[i] != '+' && s[i] != '-'))
        return s;
    /* +HH, +HH:MM or +HH:MM:SS (seconds in a historic offset dropped). */
    memcpy(out + 19, s + i, 3);
    if (i + 6 <= len && s[i + 3] == ':')
        memcpy(out + 22, s + i + 3, 3);
    else if (i + 3 == len)
        memcpy(out + 22, ":00", 3);
    else
        return s;
    out[25] = '\0';
    return out;
}
