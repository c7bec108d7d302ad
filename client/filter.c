/* filter: the filter-text tokenizer.  Contract in filter.h. */
#include "client/filter.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

/* Where parsing is: the input, and the two halves of f->buf being filled
 * (tokens from the front, the free text from the middle, so that the free
 * text stays one string while tokens come between its words). */
struct parse {
    const char *s;
    size_t len, i;
    struct filter *f;
    char *tok, *tok_end;
    char *free, *free_end;
    const char *const *keys;
    struct filter_error *err;
};

static bool is_space(char c) { return c == ' ' || c == '\t'; }
static bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
static bool is_digit(char c) { return c >= '0' && c <= '9'; }

static int fail(struct parse *p, size_t pos, const char *msg)
{
    if (p->err) {
        p->err->pos = pos;
        snprintf(p->err->msg, sizeof p->err->msg, "%s", msg);
    }
    return -1;
}

static bool is_key(const char *s, size_t n)
{
    if (n == 0 || !is_alpha(s[0]))
        return false;
    for (size_t k = 1; k < n; k++)
        if (!is_alpha(s[k]) && !is_digit(s[k]) && s[k] != '_')
            return false;
    return true;
}

/* One byte into the token half; the sizes in filter.h make room certain,
 * the check only keeps a future change from writing past it. */
static void put_tok(struct parse *p, char c)
{
    if (p->tok < p->tok_end)
        *p->tok++ = c;
}

static void put_free(struct parse *p, char c)
{
    if (p->free < p->free_end)
        *p->free++ = c;
}

/* A quoted string starting at p->i (on the '"'), unescaped through put.
 * Leaves p->i after the closing quote. */
static int quoted(struct parse *p, void (*put)(struct parse *, char))
{
    size_t open = p->i++;

    while (p->i < p->len) {
        char c = p->s[p->i++];
        if (c == '"')
            goto closed;
        if (c == '\\' && p->i < p->len && (p->s[p->i] == '"' || p->s[p->i] == '\\'))
            c = p->s[p->i++];
        put(p, c);
    }
    return fail(p, open, "unclosed quote: end it with \"");
closed:
    if (p->i < p->len && !is_space(p->s[p->i]))
        return fail(p, p->i, "put a space after the closing quote");
    return 0;
}

static int unknown_key(struct parse *p, size_t pos, const char *key)
{
    char msg[sizeof p->err->msg];
    size_t used = (size_t)snprintf(msg, sizeof msg, "unknown filter '%s:'; use", key);

    for (const char *const *k = p->keys; *k && used < sizeof msg; k++)
        used += (size_t)snprintf(msg + used, sizeof msg - used, "%s %s:",
                                 k == p->keys ? "" : ",", *k);
    return fail(p, pos, msg);
}

static bool key_known(const struct parse *p, const char *key)
{
    if (!p->keys)
        return true;
    for (const char *const *k = p->keys; *k; k++)
        if (strcmp(*k, key) == 0)
            return true;
    return false;
}

/* key:value with the key at [start, colon); p->i is on the ':'. */
static int token(struct parse *p, size_t start, size_t colon, bool negated)
{
    struct filter *f = p->f;
    struct filter_token *t;
    char *key = p->tok, *value;

    if (f->ntokens == FILTER_MAX_TOKENS)
        return fail(p, start, "too many filter tokens");
    for (size_t k = start; k < colon; k++)
        put_tok(p, p->s[k] >= 'A' && p->s[k] <= 'Z' ? (char)(p->s[k] + 'a' - 'A') : p->s[k]);
    put_tok(p, '\0');
    value = p->tok;
    p->i = colon + 1;
    if (p->i < p->len && p->s[p->i] == '"') {
        if (quoted(p, put_tok) < 0)
            return -1;
    } else {
        while (p->i < p->len && !is_space(p->s[p->i]))
            put_tok(p, p->s[p->i++]);
    }
    if (p->tok == value) {
        char msg[64];
        snprintf(msg, sizeof msg, "'%s:' needs a value after the ':'", key);
        return fail(p, colon, msg);
    }
    put_tok(p, '\0');
    if (!key_known(p, key))
        return unknown_key(p, start, key);
    t = &f->tokens[f->ntokens++];
    t->key = key;
    t->value = value;
    t->negated = negated;
    return 0;
}

static void free_separator(struct parse *p)
{
    if (p->free != p->f->text)
        put_free(p, ' ');
}

static int term(struct parse *p)
{
    static const char *const bang = "'!' goes before a key:value token, as in !status:new";
    size_t start = p->i, colon;
    bool negated = p->s[p->i] == '!';

    if (negated)
        start = ++p->i;
    if (p->i < p->len && p->s[p->i] == '"') {
        if (negated)
            return fail(p, start - 1, bang);
        free_separator(p);
        return quoted(p, put_free);
    }
    for (colon = start; colon < p->len && !is_space(p->s[colon]) && p->s[colon] != ':'; colon++)
        ;
    if (colon < p->len && p->s[colon] == ':') {
        if (colon == start)
            return fail(p, colon, "':' needs a key before it, as in status:new");
        if (is_key(p->s + start, colon - start))
            return token(p, start, colon, negated);
    }
    if (negated)
        return fail(p, start - 1, bang);
    free_separator(p);
    while (p->i < p->len && !is_space(p->s[p->i]))
        put_free(p, p->s[p->i++]);
    return 0;
}

static void clear(struct filter *f)
{
    f->ntokens = 0;
    f->buf[FILTER_TEXT_MAX + 1] = '\0';
    f->text = f->buf + FILTER_TEXT_MAX + 1;
}

int filter_parse(struct filter *f, const char *text, size_t len,
                 const char *const *keys, struct filter_error *err)
{
    struct parse p = {
        .s = text, .len = len, .f = f, .keys = keys, .err = err,
        .tok = f->buf, .tok_end = f->buf + FILTER_TEXT_MAX + 1,
        .free = f->buf + FILTER_TEXT_MAX + 1, .free_end = f->buf + sizeof f->buf - 1,
    };

    clear(f);
    if (len > FILTER_TEXT_MAX) {
        char msg[64];
        snprintf(msg, sizeof msg, "filter too long (at most %d bytes)", FILTER_TEXT_MAX);
        return fail(&p, FILTER_TEXT_MAX, msg);
    }
    for (;;) {
        while (p.i < p.len && is_space(p.s[p.i]))
            p.i++;
        if (p.i == p.len)
            break;
        if (term(&p) < 0) {
            clear(f);
            return -1;
        }
    }
    *p.free = '\0';
    return 0;
}

bool filter_empty(const struct filter *f)
{
    return f->ntokens == 0 && f->text[0] == '\0';
}

const char *filter_shown(const char *v, char *buf, size_t len)
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

int filter_month_days(int y, int m)
{
    static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m < 1 || m > 12 ? 0 : days[m - 1] + (m == 2 && leap);
}

bool filter_date_ok(const char *v)
{
    for (int i = 0; i < 10; i++)
        if (i == 4 || i == 7 ? v[i] != '-' : !isdigit((unsigned char)v[i]))
            return false;
    if (v[10] != '\0')
        return false;
    int y = (v[0] - '0') * 1000 + (v[1] - '0') * 100 + (v[2] - '0') * 10 + (v[3] - '0');
    int m = (v[5] - '0') * 10 + (v[6] - '0');
    int d = (v[8] - '0') * 10 + (v[9] - '0');
    return y >= 1 && d >= 1 && d <= filter_month_days(y, m);
}
