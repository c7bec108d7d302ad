/* notify_http_fmt: the pieces of notify_http.h that touch no network
 * (what a status means, Retry-After, the email's JSON), apart so that the
 * unit tests read them without a transfer. */
#include "client/notify_http.h"
#include "client/jsonout.h"
#include "client/mem.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum notify_result notify_http_classify(enum notify_channel ch, int status)
{
    if (status >= 200 && status <= 299)
        return NOTIFY_DELIVERED;
    /* A 410 from the email API says nothing about the practice's address. */
    if (status == 410 && ch == NOTIFY_CH_WEBHOOK)
        return NOTIFY_GONE;
    return NOTIFY_RETRY;
}

/* ---- Retry-After ------------------------------------------------------ */

static const char *const months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
static const char *const days[] = { "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun" };
static const char *const days_long[] = { "Monday", "Tuesday", "Wednesday", "Thursday",
                                         "Friday", "Saturday", "Sunday" };

static int name_index(const char *const *names, size_t n, const char *s, size_t len)
{
    for (size_t i = 0; i < n; i++)
        if (strlen(names[i]) == len && strncmp(names[i], s, len) == 0)
            return (int)i;
    return -1;
}

/* Exactly N digits at *P (advanced past them) into *V. */
static bool digits(const char **p, int n, int *v)
{
    *v = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)(*p)[i]))
            return false;
        *v = *v * 10 + ((*p)[i] - '0');
    }
    *p += n;
    return true;
}

static bool lit(const char **p, const char *s)
{
    size_t n = strlen(s);
    if (strncmp(*p, s, n) != 0)
        return false;
    *p += n;
    return true;
}

static bool month(const char **p, int *m)
{
    *m = name_index(months, 12, *p, 3);
    if (*m < 0)
        return false;
    *p += 3;
    return true;
}

/* "HH:MM:SS" */
static bool clock_time(const char **p, struct tm *tm)
{
    return digits(p, 2, &tm->tm_hour) && lit(p, ":") && digits(p, 2, &tm->tm_min) &&
           lit(p, ":") && digits(p, 2, &tm->tm_sec);
}

/* The three forms of RFC 9110 section 5.6.7, into TM (UTC). */
static bool http_date(const char *s, time_t now, struct tm *tm)
{
    memset(tm, 0, sizeof *tm);
    size_t dn = strcspn(s, ", ");
    const char *p = s + dn;
    if (name_index(days, 7, s, dn) >= 0 && lit(&p, ", ")) {
        /* IMF-fixdate: Sun, 06 Nov 1994 08:49:37 GMT */
        return digits(&p, 2, &tm->tm_mday) && lit(&p, " ") && month(&p, &tm->tm_mon) &&
               lit(&p, " ") && digits(&p, 4, &tm->tm_year) && lit(&p, " ") &&
               clock_time(&p, tm) && lit(&p, " GMT") && !*p && (tm->tm_year -= 1900, true);
    }
    if (name_index(days_long, 7, s, dn) >= 0 && lit(&p, ", ")) {
        /* RFC 850: Sunday, 06-Nov-94 08:49:37 GMT; a two-digit year more
         * than 50 years ahead is the last century's. */
        int yy;
        if (!(digits(&p, 2, &tm->tm_mday) && lit(&p, "-") && month(&p, &tm->tm_mon) &&
              lit(&p, "-") && digits(&p, 2, &yy) && lit(&p, " ") && clock_time(&p, tm) &&
              lit(&p, " GMT") && !*p))
            return false;
        struct tm nowtm;
        gmtime_r(&now, &nowtm);
        int year = (nowtm.tm_year + 1900) / 100 * 100 + yy;
        if (year > nowtm.tm_year + 1900 + 50)
            year -= 100;
        tm->tm_year = year - 1900;
        return true;
    }
    if (name_index(days, 7, s, dn) >= 0 && lit(&p, " ")) {
        /* asctime: Sun Nov  6 08:49:37 1994 (the day padded with a space) */
        if (!month(&p, &tm->tm_mon) || !lit(&p, " "))
            return false;
        if (*p == ' ') {
            p++;
            if (!digits(&p, 1, &tm->tm_mday))
                return false;
        } else if (!digits(&p, 2, &tm->tm_mday)) {
            return false;
        }
        if (!(lit(&p, " ") && clock_time(&p, tm) && lit(&p, " ") && digits(&p, 4, &tm->tm_year) && !*p))
            return false;
        tm->tm_year -= 1900;
        return true;
    }
    return false;
}

int notify_retry_after_parse(const char *value, time_t now, long *seconds)
{
    const long max = 10L * 366 * 86400;
    if (!value)
        return -1;
    while (*value == ' ' || *value == '\t')
        value++;
    size_t n = strlen(value);
    while (n && (value[n - 1] == ' ' || value[n - 1] == '\t' || value[n - 1] == '\r' ||
                 value[n - 1] == '\n'))
        n--;
    if (n == 0 || n > 64)
        return -1;
    char v[65];
    memcpy(v, value, n);
    v[n] = '\0';
    if (isdigit((unsigned char)v[0])) {
        long s = 0;
        for (const char *p = v; *p; p++) {
            if (!isdigit((unsigned char)*p))
                return -1;
            if (s < max)
                s = s * 10 + (*p - '0');
        }
        *seconds = s < max ? s : max;
        return 0;
    }
    struct tm tm;
    if (!http_date(v, now, &tm) || tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 ||
        tm.tm_min > 59 || tm.tm_sec > 60)
        return -1;
    struct tm want = tm, back;
    time_t at = timegm(&tm);
    /* timegm moves 31 Feb to 3 Mar: a date that is not one is refused. */
    if (at == (time_t)-1 || !gmtime_r(&at, &back) || back.tm_mday != want.tm_mday ||
        back.tm_mon != want.tm_mon)
        return -1;
    double d = difftime(at, now);
    *seconds = d <= 0 ? 0 : d >= (double)max ? max : (long)d;
    return 0;
}

/* ---- the email -------------------------------------------------------- */

/* S as a JSON string, malloc'd; NULL when S is not valid UTF-8. */
static char *json_str(const char *s)
{
    size_t n = strlen(s);
    size_t cap = n * 6 + 3;           /* \u00XX is the longest a byte becomes */
    char *out = mem_alloc(cap);
    if (json_string(s, n, out, cap) < 0) {
        free(out);
        return NULL;
    }
    return out;
}

char *notify_email_json(const char *from, const char *to, const char *subject, const char *text)
{
    char *f = json_str(from), *t = json_str(to), *s = json_str(subject), *x = json_str(text);
    char *out = NULL;
    if (f && t && s && x) {
        size_t cap = strlen(f) + strlen(t) + strlen(s) + strlen(x) + 64;
        out = mem_alloc(cap);
        snprintf(out, cap, "{\"from\": %s, \"to\": [%s], \"subject\": %s, \"text\": %s}",
                 f, t, s, x);
    }
    free(f);
    free(t);
    free(s);
    free(x);
    return out;
}
