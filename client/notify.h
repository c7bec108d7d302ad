/* notify: lumen notify, the deliverer of the outbox (issue 11).
 *
 * One loop, one thread (the lookups aside, notify_addr.h): it connects as
 * [notify] user (CONN_USE_NOTIFY; notify_db.h), claims due rows while it
 * has room for transfers ([notify] concurrency), hands them to the
 * transfers (notify_http.h), and reports each outcome (delivered, gone,
 * retry) back.  Between those it sleeps in curl_multi_poll on the
 * transfers, the database's socket (LISTEN lumen_outbox: a row written
 * wakes it) and a signal pipe, at most until the next row is due or 30 s
 * (2 s behind [database] pooler = transaction, where LISTEN cannot work
 * and it polls instead).
 *
 * Nothing is lost: a row is claimed for a lease (60 s) and stays in the
 * outbox until the database hears how it went.  When the database goes
 * away, transfers under way go on; their outcomes wait in memory and are
 * reported once a new connection (retried with backoff) is up.  An
 * outcome reported after its lease lapsed is answered 'lost' (nothing
 * changed): the row is sent again by whoever claims it next, and the
 * receiver, which deduplicates on webhook-id, sees it twice at most.
 *
 * SIGTERM or SIGINT: nothing more is claimed, the transfers under way end
 * (15 s at most), their outcomes are reported (the database given 20 s
 * to come back if it is away), and the exit status is 0.  A second signal
 * gives up on what is left: the leases lapse and the rows go out again.
 *
 * Every attempt is one line on the log (stderr):
 *   2026-03-01T12:00:00Z 6f1c...-uuid lead.new webhook hooks.example.com attempt 2: HTTP 500 -> retry
 * time (UTC), message id, kind, channel, the destination's host (the
 * email API's for email; never a path, query, key, recipient or body),
 * the attempt, what came back, and what the database made of it
 * (delivered, retry, failed (the last attempt: the Owner is told),
 * disabled (410), lost (the claim had lapsed), or "not recorded" when the
 * database never came back before the end).  Other lines (connected,
 * connection lost, stopping, "audit checkpoint written for N practices":
 * notify.checkpoints(), called at the start and every hour) start with
 * the time and "lumen notify:".                                          */
#ifndef LUMEN_CLIENT_NOTIFY_H
#define LUMEN_CLIENT_NOTIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "client/config.h"

/* Seconds: a claim's lease (a transfer takes 25 s at most: a 10 s lookup
 * and 15 s of HTTP, so the lease outlasts it with room for the report);
 * the longest sleep with LISTEN; the poll behind a transaction pooler. */
#define NOTIFY_LEASE_S 60
#define NOTIFY_IDLE_POLL_S 30
#define NOTIFY_POOLER_POLL_S 2

/* [notify] as lumen notify needs it: email_api (if set) readable and https
 * (unless allow_private), with email_key and email_from beside it, both
 * printable UTF-8.  0, or -1 with "FILE: [notify] ..." in ERR.  Also the
 * check of lumen config check. */
int notify_config_check(const struct config *cfg, char *err, size_t errlen);

/* lumen notify [--once].  ONCE: deliver what is due now, again until
 * nothing is, then return.  Returns the exit status: 0; 1 when the
 * config is refused or (ONCE) the database could not be reached.  LOG is
 * where the lines go (stderr). */
int notify_run(const struct config *cfg, bool once, FILE *log);

#endif
