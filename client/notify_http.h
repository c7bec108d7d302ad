/* notify_http: the deliveries of lumen notify, several at once on one
 * libcurl multi handle (issue 11).
 *
 * A message claimed from the outbox (notify_db.h) is added here and the
 * engine owns it from then on.  Each goes through:
 *   1. its URL read strictly (notify_addr.h), https only unless
 *      [notify] allow_private;
 *   2. its host looked up in a thread (a slow name server holds up only
 *      its own message), every address checked (webhooks; the email API
 *      is the operator's own config and is not), for at most 10 s;
 *   3. one POST, pinned to the addresses checked (CURLOPT_RESOLVE, and
 *      each socket curl opens is checked to be one of them), 15 s in all,
 *      no redirect, http/https only, no proxy from the environment, TLS
 *      1.2 or newer with the certificate verified; the answer's body is
 *      read and thrown away, never stored.
 * Then its outcome is queued for notify_http_take: delivered (2xx), gone
 * (410 from a webhook), or retry (the rest: with the HTTP status, or
 * curl's error; a 429 or 503 with its Retry-After in seconds).
 *
 * A webhook is POSTed with the Standard Webhooks headers webhook-id (the
 * message id, the same on every retry), webhook-timestamp and
 * webhook-signature, all three as the database computed them (the secrets
 * never leave it), and content-type: application/json; the body is the
 * database's, byte for byte, since the signature covers it.  An email is
 * POSTed to [notify] email_api as {"from", "to": [recipient], "subject",
 * "text"} with Authorization: Bearer [notify] email_key and
 * Idempotency-Key: the message id, so a provider that knows the header
 * sends a retried message once.
 *
 * One thread: everything here runs in the caller's, inside
 * notify_http_poll; the lookups' threads only call getaddrinfo.         */
#ifndef LUMEN_CLIENT_NOTIFY_HTTP_H
#define LUMEN_CLIENT_NOTIFY_HTTP_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "client/notify_addr.h"

/* Seconds: the whole transfer, and the lookup before it. */
#define NOTIFY_HTTP_TIMEOUT_S 15
#define NOTIFY_LOOKUP_TIMEOUT_S 10

enum notify_channel { NOTIFY_CH_EMAIL, NOTIFY_CH_WEBHOOK };

/* One claimed row (notify.claim's columns).  Strings malloc'd; NULL where
 * the channel has none. */
struct notify_msg {
    long long id;
    char claim[40];
    char message_id[40];
    char kind[40];
    enum notify_channel channel;
    int attempt;
    char *url;                  /* webhook */
    char *recipient;            /* email */
    char *subject;              /* email */
    char *body;                 /* webhook: the JSON signed; email: the text */
    long long timestamp;        /* webhook: unix seconds, signed too */
    char *signature;            /* webhook: "v1,... v1,..." */
};
void notify_msg_free(struct notify_msg *m);

enum notify_result {
    NOTIFY_DELIVERED,           /* 2xx */
    NOTIFY_GONE,                /* 410 from a webhook: disable it */
    NOTIFY_RETRY,               /* everything else */
};

/* What one attempt came to: what notify_db reports, and the log line. */
struct notify_outcome {
    long long id;
    char claim[40];
    char message_id[40];
    char kind[40];
    enum notify_channel channel;
    int attempt;
    char host[NOTIFY_HOST_MAX + 3];   /* where it went ("[v6]" bracketed); "" if unknown */
    enum notify_result result;
    int status;                 /* the HTTP status; 0 when none came */
    int retry_after_s;          /* from Retry-After on 429/503; -1: none */
    char error[NOTIFY_ERR_MAX]; /* for notify.retry: "HTTP 500", curl's error, a refusal */
    time_t at;                  /* when the attempt ended */
};

struct notify_http_opts {
    bool allow_private;
    int concurrency;            /* transfers (and lookups) at once */
    const char *email_api;      /* NULL: email messages are not expected */
    const char *email_key;
    const char *email_from;
};

struct notify_http;

/* The engine (its pipe, its multi handle).  The strings of O are copied;
 * email_api must pass notify_http_email_api_check.  NULL with ERR filled
 * when curl cannot be set up.  Call curl_global_init first. */
struct notify_http *notify_http_new(const struct notify_http_opts *o, char *err, size_t errlen);
/* Ends every transfer where it is (none is reported) and frees. */
void notify_http_free(struct notify_http **h);

/* Messages in the engine (looking up, transferring, or done and not yet
 * taken), and the room for more: concurrency minus those in flight. */
int notify_http_busy(const struct notify_http *h);
int notify_http_room(const struct notify_http *h);

/* Takes M (its strings now the engine's; *M is cleared).  A message that
 * cannot even start (a URL refused) has its outcome queued at once. */
void notify_http_add(struct notify_http *h, struct notify_msg *m);

/* Waits up to TIMEOUT_MS (less when a transfer or a lookup needs it) for
 * the transfers, the lookups and the caller's EXTRA descriptors (their
 * revents set), then moves every transfer on.  Returns 0, or -1 when
 * curl's multi handle failed (the caller should stop). */
int notify_http_poll(struct notify_http *h, struct pollfd *extra, unsigned nextra, int timeout_ms);

/* The next finished attempt into *OUT: true, or false when none is. */
bool notify_http_take(struct notify_http *h, struct notify_outcome *out);

/* ---- pure pieces, for the tests --------------------------------------- */

/* A Retry-After value: delta-seconds ("120") or an HTTP-date in any of the
 * three forms RFC 9110 says a recipient must read (IMF-fixdate "Sun, 06
 * Nov 1994 08:49:37 GMT", RFC 850 "Sunday, 06-Nov-94 08:49:37 GMT",
 * asctime "Sun Nov  6 08:49:37 1994"), taken from NOW.  0 with *SECONDS
 * (0 for a date past; at most 10 years), or -1 when VALUE is neither. */
int notify_retry_after_parse(const char *value, time_t now, long *seconds);

/* The email API's JSON body: {"from": FROM, "to": [TO], "subject":
 * SUBJECT, "text": TEXT}, every string escaped (client/jsonout.h).
 * malloc'd, or NULL when a string is not valid UTF-8. */
char *notify_email_json(const char *from, const char *to, const char *subject, const char *text);

/* What a status means for CHANNEL (410 disables a webhook, not the email
 * API). */
enum notify_result notify_http_classify(enum notify_channel ch, int status);

/* [notify] email_api: an http(s) URL notify_url_parse reads, https unless
 * ALLOW_PRIVATE.  0, or -1 with the reason in ERR. */
int notify_http_email_api_check(const char *url, bool allow_private, char *err, size_t errlen);

#endif
