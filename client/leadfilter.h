/* leadfilter: what the inbox's filter bar (and `lumen leads export
 * --filter`) means, as the filter JSON of the api (spec: issue 7, "Filter").
 *
 *   status:new[,contacted...]  -> "status": ["new", ...]    (repeatable)
 *   !status:spam               -> "not_status": ["spam"]
 *   assigned:me|none|<uuid>    -> "assigned"      !assigned -> "not_assigned"
 *   service:text               -> "service"       !service  -> "not_service"
 *   since:7d|24h|30m|2w|2026-11-01 -> "since"     !since    -> "before"
 *   untouched:15m              -> "untouched_for" (no negation)
 *   free text                  -> "q"
 *
 * Keys are matched case-insensitively (the tokenizer lowercases them);
 * status names and me/none too.  since/before/untouched values are checked
 * for shape only (N followed by m, h, d or w, N of 1 to 6 digits; or a
 * real calendar date YYYY-MM-DD) and passed through for the server, which
 * computes them against now() and the practice's time zone.  assigned,
 * service, since and untouched may be given once each way.
 *
 * Strings are JSON-escaped whatever their bytes by client/jsonout.h (NUL
 * cannot occur: the tokenizer's strings are C strings).  Text that is not
 * valid UTF-8 is refused with a message (not replaced): the server's jsonb
 * would refuse it anyway, and a search for something else than what was
 * typed would be a silent surprise.
 *
 * Messages read well in a status bar or after "lumen: ", name the key,
 * and show the value with any control byte as \xNN.                      */
#ifndef LUMEN_CLIENT_LEADFILTER_H
#define LUMEN_CLIENT_LEADFILTER_H

#include <stdbool.h>
#include <stddef.h>

#include "client/filter.h"

/* Room enough for any filter the tokenizer accepts (FILTER_TEXT_MAX
 * bytes, each escaped to at most 6, plus the keys). */
#define LEADFILTER_JSON_MAX 4096
#define LEADFILTER_ERR_MAX 200

/* The keys, for filter_parse(): status, assigned, service, since,
 * untouched; NULL-terminated. */
extern const char *const leadfilter_keys[];
/* The lead statuses, in the server's order; NULL-terminated. */
extern const char *const leadfilter_statuses[];

/* F as filter JSON into OUT ("{}" when F is empty).  0, or -1 with a
 * message in ERR (OUT then holds "{}"). */
int leadfilter_json(const struct filter *f, char *out, size_t outlen, char *err, size_t errlen);

/* Parses TEXT (filter_parse with leadfilter_keys) and converts it: the
 * two steps in one for callers holding typed text.  0 or -1 as above. */
int leadfilter_from_text(const char *text, char *out, size_t outlen, char *err, size_t errlen);

/* True for 1..6 digits then m, h, d or w; or a calendar date YYYY-MM-DD. */
bool leadfilter_when_ok(const char *v);

#endif
