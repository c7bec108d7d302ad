/* password: the hint a person gets while choosing a new password (lumen
 * accept-invite, the password change), and the one rule that refuses:
 * fewer than PASSWORD_MIN_CHARS characters.  Length is what makes a
 * password hard to guess once it is stretched with Argon2id; the grade
 * only says so, it does not demand symbols or digits (NIST SP 800-63B).
 * Characters are counted as UTF-8 code points, not bytes.  Nothing here
 * keeps or copies the password. */
#ifndef LUMEN_CLIENT_PASSWORD_H
#define LUMEN_CLIENT_PASSWORD_H

#include <stddef.h>

#define PASSWORD_MIN_CHARS 10

enum password_grade {
    PASSWORD_TOO_SHORT,     /* refused */
    PASSWORD_WEAK,          /* long enough, but it repeats itself or holds the email */
    PASSWORD_FAIR,          /* 10 or 11 characters */
    PASSWORD_GOOD,          /* 12 to 15 */
    PASSWORD_STRONG,        /* 16 or more */
};

/* Code points in the LEN bytes of PW (a byte that starts no UTF-8
 * sequence counts one). */
size_t password_chars(const char *pw, size_t len);   /* any UTF-8 text */
/* EMAIL (or NULL): its part before '@', four characters or longer, found
 * anywhere in the password (ASCII case ignored) makes it weak; so do fewer
 * than five different bytes. */
enum password_grade password_grade(const char *pw, size_t len, const char *email);
/* One line: "fair (11 characters): 12 or more would be better". */
void password_hint(enum password_grade g, size_t chars, char *out, size_t outlen);

#endif
