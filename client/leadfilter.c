/* leadfilter: the inbox filter as the api's JSON.  Contract in leadfilter.h. */
#include "client/leadfilter.h"
#include "client/jsonout.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

const char *const leadfilter_keys[] = { "status", "assigned", "service", "since", "untouched",
                                        NULL };
const char *const leadfilter_statuses[] = { "new", "contacted", "booked", "not_interested",
                                            "spam", NULL };
#define NSTATUS 5

static bool all_digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!isdigit((unsigned char)s[i]))
            return false;
    return n > 0;
}

bool leadfilter_when_ok(const char *v)
{
    size_t n = strlen(v);
    if (n >= 2 && n <= 7 && all_digits(v, n - 1) && strchr("mhdw", v[n - 1]))
        return true;
    return filter_date_ok(v);
}

static bool is_uuid(const char *s)
{
    for (int i = 0; i < 36; i++) {
        bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? s[i] != '-' : !isxdigit((unsigned char)s[i]))
            return false;
    }
    return s[36] == '\0';
}

struct build {
    const char *status[NSTATUS + 1][2];     /* [i][negated]: set when named */
    bool any_status[2];
    const char *assigned[2], *service[2], *when[2], *untouched;
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

/* "new,contacted" (any case; empty items skipped) into B. */
static int add_statuses(struct build *b, const char *value, bool neg)
{
    char sh[80];
    const char *p = value;
    while (*p) {
        size_t n = strcspn(p, ",");
        if (n > 0) {
            int found = -1;
            for (int i = 0; i < NSTATUS; i++)
                if (strlen(leadfilter_statuses[i]) == n &&
                    strncasecmp(leadfilter_statuses[i], p, n) == 0)
                    found = i;
            if (found < 0) {
                char item[64];
                snprintf(item, sizeof item, "%.*s", (int)(n < 60 ? n : 60), p);
                return fail(b, "unknown status %s (new, contacted, booked, not_interested, spam)",
                            filter_shown(item, sh, sizeof sh));
            }
            b->status[found][neg] = leadfilter_statuses[found];
            b->any_status[neg] = true;
        }
        p += n;
        if (*p == ',')
            p++;
    }
    if (!b->any_status[neg])
        return fail(b, "%sstatus: name a status (new, contacted, booked, not_interested, spam)",
                    neg ? "!" : "");
    return 0;
}

static int once(struct build *b, const char **slot, const char *key, bool neg, const char *v)
{
    if (*slot)
        return fail(b, "%s%s is given twice", neg ? "!" : "", key);
    *slot = v;
    return 0;
}

static int add_token(struct build *b, const struct filter_token *t)
{
    char sh[80];
    bool neg = t->negated;
    const char *v = t->value;
    if (strcmp(t->key, "status") == 0)
        return add_statuses(b, v, neg);
    if (strcmp(t->key, "assigned") == 0) {
        if (strcasecmp(v, "me") == 0)
            v = "me";
        else if (strcasecmp(v, "none") == 0)
            v = "none";
        else if (!is_uuid(v))
            return fail(b, "assigned: %s is not me, none or an account id", filter_shown(v, sh, sizeof sh));
        return once(b, &b->assigned[neg], "assigned", neg, v);
    }
    if (strcmp(t->key, "service") == 0)
        return once(b, &b->service[neg], "service", neg, v);
    if (strcmp(t->key, "since") == 0) {
        if (!leadfilter_when_ok(v))
            return fail(b, "since: %s is not a time: use 30m, 24h, 7d, 2w or a date such as "
                        "2026-11-01", filter_shown(v, sh, sizeof sh));
        return once(b, &b->when[neg], "since", neg, v);
    }
    if (strcmp(t->key, "untouched") == 0) {
        if (neg)
            return fail(b, "!untouched cannot be negated; untouched:15m means new leads nobody "
                        "touched for 15 minutes");
        size_t n = strlen(v);
        if (!leadfilter_when_ok(v) || n == 10)
            return fail(b, "untouched: %s is not a duration: use 15m, 2h, 1d or 1w",
                        filter_shown(v, sh, sizeof sh));
        return once(b, &b->untouched, "untouched", false, v);
    }
    return fail(b, "unknown filter key %s (status, assigned, service, since, untouched)",
                filter_shown(t->key, sh, sizeof sh));
}

static int out_pair(struct json_obj *o, struct build *b, const char *key, const char *v)
{
    if (v && json_obj_str(o, key, v) != 0)
        return fail(b, "%s: the text is not valid UTF-8", key);
    return 0;
}

static void out_statuses(struct json_obj *o, struct build *b, const char *key, int neg)
{
    const char *names[NSTATUS];
    size_t n = 0;
    for (int i = 0; i < NSTATUS; i++)
        if (b->status[i][neg])
            names[n++] = b->status[i][neg];
    if (n)
        json_obj_names(o, key, names, n);
}

int leadfilter_json(const struct filter *f, char *out, size_t outlen, char *err, size_t errlen)
{
    struct build b = { .err = err, .errlen = errlen };
    if (errlen)
        err[0] = '\0';
    if (outlen < 3)
        return -1;
    snprintf(out, outlen, "{}");
    for (size_t i = 0; i < f->ntokens; i++)
        if (add_token(&b, &f->tokens[i]) != 0)
            return -1;
    struct json_obj o;
    json_obj_begin(&o, out, outlen);
    out_statuses(&o, &b, "status", 0);
    out_statuses(&o, &b, "not_status", 1);
    if (out_pair(&o, &b, "assigned", b.assigned[0]) || out_pair(&o, &b, "not_assigned", b.assigned[1]) ||
        out_pair(&o, &b, "service", b.service[0]) || out_pair(&o, &b, "not_service", b.service[1]) ||
        out_pair(&o, &b, "since", b.when[0]) || out_pair(&o, &b, "before", b.when[1]) ||
        out_pair(&o, &b, "untouched_for", b.untouched) ||
        out_pair(&o, &b, "q", f->text && *f->text ? f->text : NULL)) {
        snprintf(out, outlen, "{}");
        return -1;
    }
    if (json_obj_end(&o) != 0) {
        snprintf(out, outlen, "{}");
        return fail(&b, "the filter is too long");
    }
    return 0;
}

int leadfilter_from_text(const char *text, char *out, size_t outlen, char *err, size_t errlen)
{
    struct filter f;
    struct filter_error fe;
    if (filter_parse(&f, text, strlen(text), leadfilter_keys, &fe) != 0) {
        snprintf(err, errlen, "%s", fe.msg);
        snprintf(out, outlen, "{}");
        return -1;
    }
    return leadfilter_json(&f, out, outlen, err, errlen);
}
