/* jsonout: the one writer of the filter JSON that the inbox's and the
 * audit viewer's filters send (client/leadfilter.h, client/auditfilter.h):
 * a JSON string from any bytes, and a flat object built key by key into a
 * caller's buffer, with no allocation.
 *
 * Strings are escaped whatever their bytes: '"' and '\' escaped, control
 * bytes as \u00XX.  Text that is not valid UTF-8 (overlong forms,
 * surrogates and values past U+10FFFF included) is refused, never
 * replaced: the server's jsonb would refuse it anyway.  A buffer that is
 * too small is an error, never a cut JSON text.                           */
#ifndef LUMEN_CLIENT_JSONOUT_H
#define LUMEN_CLIENT_JSONOUT_H

#include <stdbool.h>
#include <stddef.h>

/* Length of the UTF-8 sequence at S (at most N bytes), or 0 when it is not
 * a valid one. */
size_t json_utf8_len(const unsigned char *s, size_t n);
bool json_utf8_ok(const char *s, size_t len);

/* S (LEN bytes) as a JSON string with its quotes into OUT: the bytes
 * written without the NUL, or -1 when S is not valid UTF-8 or OUT is too
 * small (OUT then undefined). */
long json_string(const char *s, size_t len, char *out, size_t outlen);

/* An object: json_obj_begin, then pairs, then json_obj_end.  Pairs are
 * written as {"a": "x", "b": ["y", "z"]} (", " and ": " between). */
struct json_obj {
    char *buf;
    size_t len, used;
    bool full;                  /* something did not fit */
    bool first;
};
void json_obj_begin(struct json_obj *o, char *buf, size_t len);
/* "key": "value" (KEY as it is: the caller's own names).  -1 when VALUE
 * is not valid UTF-8; running out of room is told by json_obj_end. */
int json_obj_str(struct json_obj *o, const char *key, const char *value);
/* "key": ["a", "b"] from N names that need no escaping (the caller's). */
void json_obj_names(struct json_obj *o, const char *key, const char *const *names, size_t n);
/* Closes the object: 0, or -1 when it did not fit (BUF then holds "{}"
 * when it has room for it). */
int json_obj_end(struct json_obj *o);

#endif
