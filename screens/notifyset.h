/* The practice's notifications (issue 11), the Owner's, pushed from the
 * settings with n (screens/notifyset.c): three sections under one cursor
 * -- the webhooks (URL, description, state, last delivery, pending), the
 * email addresses that get the lead alerts, and the deliveries that failed
 * or are retrying -- with the link a lead alert carries above them and
 * the whole of the row under the cursor below them.  The changes are
 * screens/notifyact.c's.
 *
 * Every string shown is someone's text: the URLs and descriptions the
 * Owner typed, the error texts remote receivers sent.  Tables and tui_put
 * pass it through the sanitizer (tui/text.h); what is wrapped here is
 * sanitized first.
 *
 * The pure pieces below (no curses, no database) are for the unit test. */
#ifndef LUMEN_SCREENS_NOTIFYSET_H
#define LUMEN_SCREENS_NOTIFYSET_H

#include <stdbool.h>
#include <stddef.h>

#define NOTIFY_URL_MAX 2048     /* db: lumen.notify_webhooks.url */
#define NOTIFY_DESC_MAX 200
#define NOTIFY_LINK_MAX 500     /* db: practices.lead_link */
#define NOTIFY_EMAIL_MAX 254

/* What is wrong with a webhook URL as the database's check sees it
 * (http:// or https://, a host, no blank or control character, at most
 * NOTIFY_URL_MAX bytes), in a sentence for the prompt; NULL when nothing. */
const char *notify_url_problem(const char *url);
/* The same for the lead link: "" (none) is fine, else https://, a host,
 * at most NOTIFY_LINK_MAX bytes. */
const char *notify_link_problem(const char *link);
/* The shape the team's invite checks: something@something, no blank. */
bool notify_email_ok(const char *email);

/* A webhook's state in words: "active", "active, 2 secrets" (a rotation's
 * old secret still lives), "disabled: HTTP 410 Gone", "disabled".
 * DISABLED_AT and REASON "" when not. */
void notify_webhook_state(const char *disabled_at, const char *reason, int secrets, char *buf,
                          size_t size);

/* Splits AVAIL body lines between N sections that want WANT[i] rows each
 * (at least 1: a "none" line): each gets what it wants while that fits,
 * else at least one row, and the rest goes round the sections that want
 * more, first come first served.  OUT[i] is 0 for every section when
 * AVAIL < N. */
void notify_split(int avail, const int *want, int n, int *out);

#endif
