/* Wake-ups: LISTEN on the account's and the practice's channels, or a
 * poll every 0.9 s where LISTEN does not work; each asks
 * api.session_state and acts on what changed (screens/wake.c). */
#ifndef LUMEN_SCREENS_WAKE_H
#define LUMEN_SCREENS_WAKE_H

#include <stdbool.h>

struct lumen;

/* The channels of who is signed in now (after lumen_store_me). */
void wake_listen(struct lumen *L);
/* Signed out: no channel, no question under way. */
void wake_forget(struct lumen *L);
/* From the main loop's io_service: notifications, a reconnect, the poll. */
void wake_service(struct lumen *L, long long now);
/* The poll's next tick in ms from NOW, or -1 when not polling. */
int wake_timeout_ms(const struct lumen *L, long long now);
bool wake_polling(const struct lumen *L);
/* Ask api.session_state now (a screen that knows something changed). */
void wake_check(struct lumen *L);

#endif
