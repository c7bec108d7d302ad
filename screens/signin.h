/* The part of signing in that the sign-in and lock screens share: ask the
 * server for the account's salt and limits, stretch the password with
 * Argon2id into secure memory, hand the key on, wipe it. */
#ifndef LUMEN_SCREENS_SIGNIN_H
#define LUMEN_SCREENS_SIGNIN_H

#include "screens/lumen.h"
#include "tui/field.h"

/* KEY is API_KEY_BYTES of secure memory, valid during the call only (it is
 * wiped and freed right after); NULL when err is not API_OK or the
 * server's limits were refused (err API_ERR_SERVER). */
typedef void (*signin_key_fn)(void *ud, enum api_err err, const unsigned char *key);

/* Starts the exchange for EMAIL, reading the password from the masked
 * field PW when the salt arrives (the field must stay alive until then).
 * OWNER cancels it through api_cancel(). */
void signin_derive(struct lumen *L, const char *email, const struct field *pw,
                   signin_key_fn then, void *ud, const void *owner);

#endif
