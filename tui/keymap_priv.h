/* What keymap.c and keyname.c share and nobody else needs: error text and
 * quoting a user's spec back to them.  Not part of the keymap contract. */
#ifndef LUMEN_TUI_KEYMAP_PRIV_H
#define LUMEN_TUI_KEYMAP_PRIV_H

#include "tui/keymap.h"

#define KEYMAP_ECHO_COLS 24    /* how much of a bad spec an error quotes */
/* Room for keymap_quote()'s output: those columns at up to 4 bytes, "…". */
#define KEYMAP_QUOTE_MAX (4 * KEYMAP_ECHO_COLS + 8)

/* printf into err (nothing when err is NULL or errlen 0). */
__attribute__((format(printf, 3, 4)))
void keymap_fail(char *err, size_t errlen, const char *fmt, ...);

/* s sanitized and cut for an error message, into buf; returns buf. */
const char *keymap_quote(const char *s, char *buf, size_t size);

/* s into buf, truncated; returns the length written. */
size_t keymap_put(char *buf, size_t size, const char *s);

#endif
