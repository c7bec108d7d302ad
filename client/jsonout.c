/* jsonout: JSON strings and flat objects (client/jsonout.h). */
#include "client/jsonout.h"

#include <stdio.h>
#include <string.h>

size_t json_utf8_len(const unsigned char *s, size_t n)
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

bool json_utf8_ok(const char *s, size_t len)
{
    for (size_t i = 0; i < len;) {
        size_t k = json_utf8_len((const unsigned char *)s + i, len - i);
        if (k == 0)
            return false;
        i += k;
    }
    return true;
}

long json_string(const char *s, size_t len, char *out, size_t outlen)
{
    static const char hex[] = "0123456789abcdef";
    size_t o = 0;
#define PUT(c) do { if (o + 1 >= outlen) return -1; out[o++] = (c); } while (0)
    PUT('"');
    for (size_t i = 0; i < len;) {
        unsigned char c = (unsigned char)s[i];
        size_t n = json_utf8_len((const unsigned char *)s + i, len - i);
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

static void raw(struct json_obj *o, const char *s)
{
    size_t n = strlen(s);
    if (o->full || o->used + n + 1 > o->len) {
        o->full = true;
        return;
    }
    memcpy(o->buf + o->used, s, n + 1);
    o->used += n;
}

/* '"key": ' with ", " before all but the first. */
static void key(struct json_obj *o, const char *k)
{
    raw(o, o->first ? "\"" : ", \"");
    o->first = false;
    raw(o, k);
    raw(o, "\": ");
}

void json_obj_begin(struct json_obj *o, char *buf, size_t len)
{
    *o = (struct json_obj){ buf, len, 0, false, true };
    if (len)
        buf[0] = '\0';
    raw(o, "{");
}

int json_obj_str(struct json_obj *o, const char *k, const char *value)
{
    size_t n = strlen(value);
    if (!json_utf8_ok(value, n))
        return -1;
    key(o, k);
    if (o->full)
        return 0;
    long w = json_string(value, n, o->buf + o->used, o->len - o->used);
    if (w < 0)
        o->full = true;
    else
        o->used += (size_t)w;
    return 0;
}

void json_obj_names(struct json_obj *o, const char *k, const char *const *names, size_t n)
{
    key(o, k);
    raw(o, "[");
    for (size_t i = 0; i < n; i++) {
        raw(o, i ? ", \"" : "\"");
        raw(o, names[i]);
        raw(o, "\"");
    }
    raw(o, "]");
}

int json_obj_end(struct json_obj *o)
{
    raw(o, "}");
    if (!o->full)
        return 0;
    if (o->len)
        snprintf(o->buf, o->len, "{}");
    return -1;
}
