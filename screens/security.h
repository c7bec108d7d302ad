/* Account security (issue 10): what its screens tell each other.
 *
 *   security.c   the Security tab: two-factor (on or off, recovery codes
 *                left), the password, the account's sessions; the keys that
 *                change them (secact.c makes the calls)
 *   enroll.c     turning two-factor on: the QR code (tui/qr.h), the key as
 *                text, the first code; lumen_enroll_required
 *   recovery.c   the recovery codes, shown once
 *   password.c   changing the password
 *
 * Secrets (the TOTP key, the recovery codes, passwords) live in
 * sodium_malloc memory and are wiped as soon as they are not needed; none
 * reaches a log, a file other than the one the user asks for, or the
 * scrollback (Lumen draws on the alternate screen). */
#ifndef LUMEN_SCREENS_SECURITY_H
#define LUMEN_SCREENS_SECURITY_H

#include <stdbool.h>
#include <stddef.h>

#include "screens/lumen.h"
#include "tui/theme.h"

/* lumen_go(SCR_ENROLL, &arg) */
struct enroll_arg {
    bool required;      /* the practice requires it: no way back but signing out */
};

/* After two-factor went on or new codes were made: CODES (the server's
 * secret, the codes one a line, LEN bytes) on the recovery codes screen,
 * which copies them (secure memory) and goes on only once the user says
 * they are saved: to the Security tab, or (REQUIRED) into the practice
 * (lumen_signed_in).  The caller wipes its own copy. */
void recovery_codes_show(struct lumen *L, const char *codes, size_t len, bool required);

/* The codes in the server's text (one a line; blank lines, spaces and \r
 * skipped): at most MAX, each at TEXT + OFF[i], LENS[i] bytes.  Returns
 * how many. */
size_t recovery_codes_split(const char *text, size_t len, size_t *off, size_t *lens, size_t max);

/* The key in groups of four ("JBSW Y3DP EHPK 3PXP"), into BUF. */
void security_key_groups(const char *key, char *buf, size_t size);

/* How a change went, in a sentence on the Security tab (above the
 * sessions) until it is shown afresh: the status row is too short for it. */
void security_note(struct lumen *L, enum theme_role role, const char *text);

/* The security tab asks the database again (after a change elsewhere). */
void security_changed(struct lumen *L);

#endif
