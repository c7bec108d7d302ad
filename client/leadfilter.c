/* leadfilter: the inbox filter as the api's JSON.  Contract in leadfilter.h. */
#include "client/leadfilter.h"

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

/* Length of the UTF-8 sequence at S (at most N bytes), or 0 when it is not
 * a valid one (overlong forms, surrogates and values past U+10FFFF too). */
static size_t utf8_len(const unsigned char *s, size_t n)
{
    unsigned c = s[0];
    size_t len;
    unsigned min, cp;
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF) {
        len = 2; min = 0x80; cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3; min = 0x800; cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4; min = 0x10000; cp = c & 0x07;
    } else {
        return 0;
    }
    if (n < len)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        cp = cp << 6 | (s[i] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return len;
}

long leadfilter_json_string(const char *s, size_t len, char *out, size_t outlen)
{
    static const char hex[] = "0123456789abcdef";
    size_t o = 0;
#define PUT(c) do { if (o + 1 >= outlen) return -1; out[o++] = (c); } while (0)
    PUT('"');
    for (size_t i = 0; i < len;) {
        unsigned char c = (unsigned char)s[i];
        size_t n = utf8_len((const unsigned char *)s + i, len - i);
        if (n == 0)
            return -1;
        if (c == '"' || c == '\\') {
            PUT('\\');
            PUT((char)c);
        } else if (c < 0x20) {
            PUT('\\'); PUT('u'); PUT('0'); PUT('0');
            PUT(hex[c >> 4]);
            PUT(hex[c & 15]);
        } else {
            for (size_t k = 0; k < n; k++)
                PUT(s[i + k]);
        }
        i += n;
    }
    PUT('"');
#undef PUT
    out[o] = '\0';
    return (long)o;
}

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
    if (n != 10 || v[4] != '-' || v[7] != '-' || !all_digits(v, 4) || !all_digits(v + 5, 2) ||
        !all_digits(v + 8, 2))
        return false;
    int y = (v[0] - '0') * 1000 + (v[1] - '0') * 100 + (v[2] - '0') * 10 + (v[3] - '0');
    int m = (v[5] - '0') * 10 + (v[6] - '0');
    int d = (v[8] - '0') * 10 + (v[9] - '0');
    static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    if (y < 1 || m < 1 || m > 12 || d < 1)
        return false;
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return d <= days[m - 1] + (m == 2 && leap);
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

/* V for a message: quoted, cut at 40 bytes, control bytes as \xNN. */
static const char *shown(const char *v, char *buf, size_t len)
{
    size_t o = 0;
    buf[o++] = '"';
    for (size_t i = 0; v[i] && o + 6 < len; i++) {
        unsigned char c = (unsigned char)v[i];
        if (i == 40) {
            memcpy(buf + o, "...", 3);
            o += 3;
            break;
        }
        if (c < 0x20 || c == 0x7f)
            o += (size_t)snprintf(buf + o, len - o, "\\x%02x", c);
        else
            buf[o++] = (char)c;
    }
    buf[o++] = '"';
    buf[o] = '\0';
    return buf;
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
                            shown(item, sh, sizeof sh));
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
            return fail(b, "assigned: %s is not me, none or an account id", shown(v, sh, sizeof sh));
        return once(b, &b->assigned[neg], "assigned", neg, v);
    }
    if (strcmp(t->key, "service") == 0)
        return once(b, &b->service[neg], "service", neg, v);
    if (strcmp(t->key, "since") == 0) {
        if (!leadfilter_when_ok(v))
            return fail(b, "since: %s is not a time: use 30m, 24h, 7d, 2w or a date such as "
                        "2026-11-01", shown(v, sh, sizeof sh));
        return once(b, &b->when[neg], "since", neg, v);
    }
    if (strcmp(t->key, "untouched") == 0) {
        if (neg)
            return fail(b, "!untouched cannot be negated; untouched:15m means new leads nobody "
                        "touched for 15 minutes");
        size_t n = strlen(v);
        if (!leadfilter_when_ok(v) || n == 10)
            return fail(b, "untouched: %s is not a duration: use 15m, 2h, 1d or 1w",
                        shown(v, sh, sizeof sh));
        return once(b, &b->untouched, "untouched", false, v);
    }
    return fail(b, "unknown filter key %s (status, assigned, service, since, untouched)",
                shown(t->key, sh, sizeof sh));
}

struct out {
    char *buf;
    size_t len, used;
    bool full;
    bool first;
};

static void out_raw(struct out *o, const char *s)
{
    size_t n = strlen(s);
    if (o->full || o->used + n + 1 > o->len) {
        o->full = true;
        return;
    }
    memcpy(o->buf + o->used, s, n + 1);
    o->used += n;
}

/* ', "key": ' (the comma after the first). */
static void out_key(struct out *o, const char *key)
{
    out_raw(o, o->first ? "\"" : ", \"");
    o->first = false;
    out_raw(o, key);
    out_raw(o, "\": ");
}

/* -1 when S is not valid UTF-8. */
static int out_str(struct out *o, const char *s)
{
    if (o->full)
        return 0;
    long n = leadfilter_json_string(s, strlen(s), o->buf + o->used, o->len - o->used);
    if (n < 0) {
        /* Not room enough, or not UTF-8: tell which. */
        for (const char *p = s; *p;) {
            size_t k = utf8_len((const unsigned char *)p, strlen(p));
            if (k == 0)
                return -1;
            p += k;
        }
        o->full = true;
        return 0;
    }
    o->used += (size_t)n;
    return 0;
}

static int out_pair(struct out *o, struct build *b, const char *key, const char *v)
{
    if (!v)
        return 0;
    out_key(o, key);
    if (out_str(o, v) != 0)
        return fail(b, "%s: the text is not valid UTF-8", key);
    return 0;
}

static void out_statuses(struct out *o, struct build *b, const char *key, int neg)
{
    if (!b->any_status[neg])
        return;
    out_key(o, key);
    out_raw(o, "[");
    bool first = true;
    for (int i = 0; i < NSTATUS; i++)
        if (b->status[i][neg]) {
            out_raw(o, first ? "\"" : ", \"");
            out_raw(o, b->status[i][neg]);
            out_raw(o, "\"");
            first = false;
        }
    out_raw(o, "]");
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
    struct out o = { out, outlen, 0, false, true };
    out_raw(&o, "{");
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
    out_raw(&o, "}");
    if (o.full) {
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
