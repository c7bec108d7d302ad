#include "client/password.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

size_t password_chars(const char *pw, size_t len)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++)
        if (((unsigned char)pw[i] & 0xC0) != 0x80)
            n++;
    return n;
}

/* NEEDLE (N bytes) anywhere in HAY (LEN bytes), ASCII case ignored. */
static bool contains(const char *hay, size_t len, const char *needle, size_t n)
{
    for (size_t i = 0; n && i + n <= len; i++) {
        size_t k = 0;
        while (k < n && tolower((unsigned char)hay[i + k]) == tolower((unsigned char)needle[k]))
            k++;
        if (k == n)
            return true;
    }
    return false;
}

static size_t distinct_bytes(const char *pw, size_t len)
{
    bool seen[256] = { false };
    size_t n = 0;
    for (size_t i = 0; i < len; i++)
        if (!seen[(unsigned char)pw[i]]) {
            seen[(unsigned char)pw[i]] = true;
            n++;
        }
    return n;
}

enum password_grade password_grade(const char *pw, size_t len, const char *email)
{
    size_t chars = password_chars(pw, len);
    if (chars < PASSWORD_MIN_CHARS)
        return PASSWORD_TOO_SHORT;
    size_t local = email ? strcspn(email, "@") : 0;
    if (distinct_bytes(pw, len) < 5 || (local >= 4 && contains(pw, len, email, local)))
        return PASSWORD_WEAK;
    return chars >= 16 ? PASSWORD_STRONG : chars >= 12 ? PASSWORD_GOOD : PASSWORD_FAIR;
}

void password_hint(enum password_grade g, size_t chars, char *out, size_t outlen)
{
    static const char *const words[] = {
        [PASSWORD_TOO_SHORT] = "too short",
        [PASSWORD_WEAK] = "weak",
        [PASSWORD_FAIR] = "fair",
        [PASSWORD_GOOD] = "good",
        [PASSWORD_STRONG] = "strong",
    };
    static const char *const advice[] = {
        [PASSWORD_TOO_SHORT] = ": at least 10 are needed",
        [PASSWORD_WEAK] = ": it repeats itself or holds your email; a few unrelated words "
                          "make a strong one",
        [PASSWORD_FAIR] = ": 12 or more would be better",
        [PASSWORD_GOOD] = "",
        [PASSWORD_STRONG] = "",
    };
    snprintf(out, outlen, "%s (%zu character%s)%s", words[g], chars, chars == 1 ? "" : "s",
             advice[g]);
}
