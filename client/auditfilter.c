/* auditfilter: the audit viewer's filter as the api's JSON, and the custom
 * range.  Contract in auditfilter.h. */
#include "client/auditfilter.h"
#include "client/jsonout.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

const char *const auditfilter_keys[] = { "actor", "action", "outcome", "target", NULL };
const char *const auditfilter_outcomes[] = { "success", "denied", "failure", NULL };
#define NOUTCOME 3
#define OUTCOMES "success, denied, failure"

struct build {
    const char *outcome[NOUTCOME][2];       /* [i][negated]: set when named */
    bool any_outcome[2];
    const char *actor[2], *action[2], *target[2];
    char lower[4][FILTER_TEXT_MAX + 1];     /* action and target, lowercased */
    char *err;
    size_t errlen;
};

static int fail(struct build *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(struct build *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(b->err, b->errlen, fmt, ap);
    va_end(ap);
    return -1;
}

static int once(struct build *b, const char **slot, const char *key, bool neg, const char *v)
{
    if (*slot)
        return fail(b, "%s%s is given twice", neg ? "!" : "", key);
    *slot = v;
    return 0;
}

/* "denied,failure" (any case; empty items skipped) into B. */
static int add_outcomes(struct build *b, const char *value, bool neg)
{
    char sh[80];
    for (const char *p = value; *p;) {
        size_t n = strcspn(p, ",");
        if (n > 0) {
            int found = -1;
            for (int i = 0; i < NOUTCOME; i++)
                if (strlen(auditfilter_outcomes[i]) == n &&
                    strncasecmp(auditfilter_outcomes[i], p, n) == 0)
                    found = i;
            if (found < 0) {
                char item[64];
                snprintf(item, sizeof item, "%.*s", (int)(n < 60 ? n : 60), p);
                return fail(b, "unknown outcome %s (" OUTCOMES ")",
                            filter_shown(item, sh, sizeof sh));
            }
            b->outcome[found][neg] = auditfilter_outcomes[found];
            b->any_outcome[neg] = true;
        }
        p += n;
        if (*p == ',')
            p++;
    }
    if (!b->any_outcome[neg])
        return fail(b, "%soutcome: name an outcome (" OUTCOMES ")", neg ? "!" : "");
    return 0;
}

/* V lowercased into OUT; the length of its leading run of [a-z_]. */
static size_t lower_word(const char *v, char *out)
{
    size_t i = 0;
    for (; v[i]; i++)
        out[i] = (char)tolower((unsigned char)v[i]);
    out[i] = '\0';
    return strspn(out, "abcdefghijklmnopqrstuvwxyz_");
}

static int add_action(struct build *b, const char *v, bool neg)
{
    char sh[80], *low = b->lower[neg];
    size_t w = lower_word(v, low);
    /* login | login. | login.success */
    bool ok = w > 0 && (low[w] == '\0' ||
                        (low[w] == '.' && strspn(low + w + 1, "abcdefghijklmnopqrstuvwxyz_") ==
                                              strlen(low + w + 1)));
    if (!ok)
        return fail(b, "action: %s is not an action (login.success) or a prefix ending in '.' "
                    "(login.)", filter_shown(v, sh, sizeof sh));
    return once(b, &b->action[neg], "action", neg, low);
}

static int add_target(struct build *b, const char *v, bool neg)
{
    char sh[80], *low = b->lower[2 + neg];
    const char *colon = strchr(v, ':');
    size_t tlen = colon ? (size_t)(colon - v) : strlen(v);
    size_t w = lower_word(v, low);
    if (w == 0 || w != tlen)
        return fail(b, "target: %s is not a type (lead) or a type and id (lead:123)",
                    filter_shown(v, sh, sizeof sh));
    if (colon && !colon[1])
        return fail(b, "target: %s names no id after the ':'", filter_shown(v, sh, sizeof sh));
    /* The id as typed (a uuid's case, say, is the server's business). */
    if (colon)
        memcpy(low + tlen, colon, strlen(colon) + 1);
    return once(b, &b->target[neg], "target", neg, low);
}

static int add_token(struct build *b, const struct filter_token *t)
{
    char sh[80];
    bool neg = t->negated;
    if (strcmp(t->key, "outcome") == 0)
        return add_outcomes(b, t->value, neg);
    if (strcmp(t->key, "actor") == 0)
        return once(b, &b->actor[neg], "actor", neg, t->value);
    if (strcmp(t->key, "action") == 0)
        return add_action(b, t->value, neg);
    if (strcmp(t->key, "target") == 0)
        return add_target(b, t->value, neg);
    return fail(b, "unknown filter key %s (actor, action, outcome, target)",
                filter_shown(t->key, sh, sizeof sh));
}

static int out_pair(struct json_obj *o, struct build *b, const char *key, const char *v)
{
    if (v && json_obj_str(o, key, v) != 0)
        return fail(b, "%s: the text is not valid UTF-8", key);
    return 0;
}

static void out_outcomes(struct json_obj *o, struct build *b, const char *key, int neg)
{
    const char *names[NOUTCOME];
    size_t n = 0;
    for (int i = 0; i < NOUTCOME; i++)
        if (b->outcome[i][neg])
            names[n++] = b->outcome[i][neg];
    if (n)
        json_obj_names(o, key, names, n);
}

int auditfilter_json(const struct filter *f, char *out, size_t outlen, char *err, size_t errlen)
{
    struct build bb = { .err = err, .errlen = errlen }, *b = &bb;
    if (errlen)
        err[0] = '\0';
    int rc = outlen < 3 ? -1 : 0;
    if (rc == 0)
        snprintf(out, outlen, "{}");
    for (size_t i = 0; rc == 0 && i < f->ntokens; i++)
        rc = add_token(b, &f->tokens[i]);
    if (rc == 0) {
        struct json_obj o;
        json_obj_begin(&o, out, outlen);
        if (out_pair(&o, b, "actor", b->actor[0]) || out_pair(&o, b, "not_actor", b->actor[1]) ||
            out_pair(&o, b, "action", b->action[0]) ||
            out_pair(&o, b, "not_action", b->action[1])) {
            rc = -1;
        } else {
            out_outcomes(&o, b, "outcome", 0);
            out_outcomes(&o, b, "not_outcome", 1);
            if (out_pair(&o, b, "target", b->target[0]) ||
                out_pair(&o, b, "not_target", b->target[1]) ||
                out_pair(&o, b, "q", f->text && *f->text ? f->text : NULL))
                rc = -1;
            else if (json_obj_end(&o) != 0)
                rc = fail(b, "the filter is too long");
        }
        if (rc != 0)
            snprintf(out, outlen, "{}");
    }
    return rc;
}

int auditfilter_from_text(const char *text, char *out, size_t outlen, char *err, size_t errlen)
{
    struct filter f;
    struct filter_error fe;
    if (filter_parse(&f, text, strlen(text), auditfilter_keys, &fe) != 0) {
        snprintf(err, errlen, "%s", fe.msg);
        snprintf(out, outlen, "{}");
        return -1;
    }
    return auditfilter_json(&f, out, outlen, err, errlen);
}

/* ------------------------------------------------------------ ranges */

long auditfilter_day_number(int y, int m, int d)
{
    /* Howard Hinnant's days_from_civil. */
    y -= m <= 2;
    long era = (y >= 0 ? y : y - 399) / 400;
    long yoe = y - era * 400;
    long doy = (153L * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static const char *const month_names[] = {
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
};

/* One day, N bytes at S, into DAY[11]; its day number in *NUM.  0, or -1
 * with the message. */
static int one_day(const char *s, size_t n, char *day, long *num, char *err, size_t errlen)
{
    char text[64], sh[80];
    snprintf(text, sizeof text, "%.*s", (int)(n < 60 ? n : 60), s);
    bool shaped = n == 10;
    for (size_t i = 0; shaped && i < 10; i++)
        shaped = i == 4 || i == 7 ? s[i] == '-' : isdigit((unsigned char)s[i]) != 0;
    if (!shaped) {
        snprintf(err, errlen, "%s is not a date: write it YYYY-MM-DD, such as 2026-11-01",
                 filter_shown(text, sh, sizeof sh));
        return -1;
    }
    int y = atoi(text), m = atoi(text + 5), d = atoi(text + 8);
    if (y < 1) {
        snprintf(err, errlen, "%s is not a date: there is no year 0", text);
        return -1;
    }
    if (m < 1 || m > 12) {
        snprintf(err, errlen, "%s is not a date: there is no month %02d", text, m);
        return -1;
    }
    if (d < 1 || d > filter_month_days(y, m)) {
        snprintf(err, errlen, "%s is not a date: %s %d has %d days", text, month_names[m - 1], y,
                 filter_month_days(y, m));
        return -1;
    }
    memcpy(day, text, 11);
    *num = auditfilter_day_number(y, m, d);
    return 0;
}

int auditfilter_day(const char *text, char *day, char *err, size_t errlen)
{
    day[0] = '\0';
    while (*text == ' ' || *text == '\t')
        text++;
    size_t len = strlen(text);
    while (len && (text[len - 1] == ' ' || text[len - 1] == '\t'))
        len--;
    if (len == 0) {
        snprintf(err, errlen, "type a day, such as 2026-11-01");
        return -1;
    }
    long num;
    char d[11];
    if (one_day(text, len, d, &num, err, errlen) != 0)
        return -1;
    memcpy(day, d, 11);
    return 0;
}

int auditfilter_range(const char *text, char *from_day, char *to_day, char *err, size_t errlen)
{
    from_day[0] = to_day[0] = '\0';
    while (*text == ' ' || *text == '\t')
        text++;
    size_t len = strlen(text);
    while (len && (text[len - 1] == ' ' || text[len - 1] == '\t'))
        len--;
    if (len == 0) {
        snprintf(err, errlen, "type a day (2026-11-01) or a range of days "
                              "(2026-11-01..2026-11-15)");
        return -1;
    }
    const char *dots = NULL;
    for (size_t i = 0; i + 1 < len; i++)
        if (text[i] == '.' && text[i + 1] == '.') {
            dots = text + i;
            break;
        }
    size_t n1 = dots ? (size_t)(dots - text) : len;
    const char *second = dots ? dots + 2 : text;
    size_t n2 = dots ? len - n1 - 2 : len;
    while (n1 && (text[n1 - 1] == ' ' || text[n1 - 1] == '\t'))
        n1--;
    while (n2 && (*second == ' ' || *second == '\t')) {
        second++;
        n2--;
    }
    if (dots && (n1 == 0 || n2 == 0)) {
        snprintf(err, errlen, "a range needs a first and a last day: 2026-11-01..2026-11-15");
        return -1;
    }
    char a[11], b[11];
    long da, db;
    if (one_day(text, n1, a, &da, err, errlen) != 0 || one_day(second, n2, b, &db, err, errlen) != 0)
        return -1;
    if (db < da) {
        snprintf(err, errlen, "the range ends (%s) before it starts (%s)", b, a);
        return -1;
    }
    if (db - da + 1 > AUDITFILTER_MAX_DAYS) {
        snprintf(err, errlen, "the range is %ld days; at most %d", db - da + 1,
                 AUDITFILTER_MAX_DAYS);
        return -1;
    }
    memcpy(from_day, a, 11);
    memcpy(to_day, b, 11);
    return 0;
}
