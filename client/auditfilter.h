/* auditfilter: what the audit viewer's filter bar (and `lumen audit export
 * --filter`) means, as the filter JSON of the api (spec: issue 8,
 * "Filter"); and the custom range typed as dates.
 *
 *   actor:ana@x.test | actor:<account uuid>  -> "actor"    !actor  -> "not_actor"
 *   action:login.success | action:login.     -> "action"   !action -> "not_action"
 *       (ending in '.': every action with that prefix)
 *   outcome:denied[,failure...]              -> "outcome": ["denied", ...]
 *                                               !outcome -> "not_outcome" (repeatable)
 *   target:lead | target:lead:123            -> "target"   !target -> "not_target"
 *       (a type, or type:id)
 *   free text                                -> "q" (searched in the detail)
 *
 * Keys, outcome names, actions and target types are matched
 * case-insensitively and sent lowercased (the log's actions and types are
 * lowercase: `[a-z_]+(\.[a-z_]+)?`); an actor and a target's id are sent
 * as typed.  actor, action and target may be given once each way.  The
 * JSON is written by client/jsonout.h (any bytes escaped, text that is not
 * UTF-8 refused).  Messages are as client/leadfilter.h's: they read well
 * in a status bar or after "lumen: ", name the key, and show the value
 * with any control byte as \xNN.                                         */
#ifndef LUMEN_CLIENT_AUDITFILTER_H
#define LUMEN_CLIENT_AUDITFILTER_H

#include <stdbool.h>
#include <stddef.h>

#include "client/filter.h"

/* Room enough for any filter the tokenizer accepts. */
#define AUDITFILTER_JSON_MAX 4096
#define AUDITFILTER_ERR_MAX 200
/* The longest range a custom range may span, in days (the server's). */
#define AUDITFILTER_MAX_DAYS 400

/* The keys, for filter_parse(): actor, action, outcome, target. */
extern const char *const auditfilter_keys[];
/* success, denied, failure; NULL-terminated. */
extern const char *const auditfilter_outcomes[];

/* F as filter JSON into OUT ("{}" when F is empty).  0, or -1 with a
 * message in ERR (OUT then holds "{}"). */
int auditfilter_json(const struct filter *f, char *out, size_t outlen, char *err, size_t errlen);
/* filter_parse with auditfilter_keys, then auditfilter_json. */
int auditfilter_from_text(const char *text, char *out, size_t outlen, char *err, size_t errlen);

/* A custom range typed as "2026-11-01..2026-11-15" or one day
 * "2026-11-01" (spaces around either allowed) into FROM_DAY and TO_DAY
 * (11 bytes each: YYYY-MM-DD, inclusive).  Real calendar dates (leap years
 * counted), the first not after the second, at most AUDITFILTER_MAX_DAYS
 * days.  0, or -1 with a message in ERR ("2026-02-30 is not a date:
 * February 2026 has 28 days"); the days are then "". */
int auditfilter_range(const char *text, char *from_day, char *to_day, char *err, size_t errlen);

/* One day typed as "2026-11-01" (spaces around allowed) into DAY (11
 * bytes), checked as auditfilter_range checks each of its days.  0, or -1
 * with a message in ERR ("2026-02-30 is not a date: February 2026 has 28
 * days"); DAY is then "". */
int auditfilter_day(const char *text, char *day, char *err, size_t errlen);

/* Days from 1970-01-01 to the date Y-M-D (proleptic Gregorian). */
long auditfilter_day_number(int y, int m, int d);

#endif
