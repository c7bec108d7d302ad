/* filter: the tokenizer for what is typed in a list's filter bar (and given
 * to a subcommand's --filter), so that "status:new !assigned:me since:7d
 * smith" is split the same way by the inbox, the audit viewer and `lumen
 * leads export`.  It only splits: what a key means, and whether a value is
 * valid for it, is the screen's (or the subcommand's) business.
 *
 * Grammar.  Terms are separated by spaces or tabs.  A term is
 *   key:value      a token.  key is an ASCII letter followed by letters,
 *                  digits or '_' (case-insensitive; given back lowercased).
 *                  value is the rest of the term (it may hold ':' or '.',
 *                  as in action:login. or since:2026-11-01..2026-11-15),
 *                  or a quoted string: name:"Ana María".
 *   !key:value     the same token, negated.
 *   word           free text.  A word with a ':' whose prefix is not
 *                  shaped like a key (10:30, é:x) is free text too.
 *   "a phrase"     free text with its spaces kept; a quoted term is never
 *                  a token, so "re:visit" or "https://x" is searched for
 *                  as text (unquoted, each is a token).
 * Inside quotes, \" is a quote and \\ a backslash; nothing else is special.
 * The free text is the free terms joined by one space, in order.
 *
 * Errors (filter_parse returns -1 and fills *err with a message that reads
 * well in a status bar and the byte offset it is about):
 *   an unclosed quote; text right after a closing quote; ':' with no key
 *   before it; a key with no value ("status:"); '!' not followed by a
 *   key:value token; a key not in the caller's list (when one is given);
 *   more than FILTER_MAX_TOKENS tokens; input over FILTER_TEXT_MAX bytes.
 *
 * Memory.  No allocation: struct filter holds every string it hands back
 * (they point into f->buf), so it lives as long as the caller keeps it; a
 * second filter_parse into the same struct replaces them.  The input is
 * only read, may be any bytes, and need not be NUL-terminated.            */
#ifndef LUMEN_CLIENT_FILTER_H
#define LUMEN_CLIENT_FILTER_H

#include <stdbool.h>
#include <stddef.h>

#define FILTER_TEXT_MAX 512
#define FILTER_MAX_TOKENS 16

struct filter_token {
    const char *key;        /* lowercase, NUL-terminated */
    const char *value;      /* as typed, unquoted, never empty */
    bool negated;
};

struct filter {
    struct filter_token tokens[FILTER_MAX_TOKENS];
    size_t ntokens;
    const char *text;       /* the free text, "" when none */
    /* Storage for every string above: each input byte lands in one string
     * at most, plus a NUL per string. */
    char buf[FILTER_TEXT_MAX * 2 + 2];
};

struct filter_error {
    size_t pos;             /* byte offset into the input */
    char msg[160];
};

/* Split len bytes of text.  keys, when not NULL, is a NULL-terminated list
 * of the keys the caller understands; another key is an error that names
 * them.  Returns 0, or -1 with *err filled (err may be NULL) and *f empty. */
int filter_parse(struct filter *f, const char *text, size_t len,
                 const char *const *keys, struct filter_error *err);

/* True when the filter holds neither a token nor free text. */
bool filter_empty(const struct filter *f);

/* What the filters that give meaning to the tokens share
 * (client/leadfilter.h, client/auditfilter.h): */

/* V for a message: in double quotes, cut after 40 bytes ("..."), control
 * bytes as \xNN.  Returns BUF (LEN of 60 or more holds any). */
const char *filter_shown(const char *v, char *buf, size_t len);
/* True for a real calendar date written YYYY-MM-DD, years 0001 to 9999
 * (proleptic Gregorian: 2000-02-29 is one, 1900-02-29 is not). */
bool filter_date_ok(const char *v);
/* The days in month M (1..12) of year Y. */
int filter_month_days(int y, int m);

#endif
