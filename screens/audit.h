/* The audit log viewer (tab 3): screens/audit.c (the list, its range and
 * the chart of events per day), screens/audit_row.c (one row whole). */
#ifndef LUMEN_SCREENS_AUDIT_H
#define LUMEN_SCREENS_AUDIT_H

#include "screens/lumen.h"

/* lumen_go(SCR_AUDIT, &jump): the viewer on FILTER ("target:lead:123")
 * over the days FROM_DAY..TO_DAY (YYYY-MM-DD, the practice's); NULL arg:
 * as it was left (the last 30 days the first time). */
struct audit_jump {
    const char *filter;
    const char *from_day, *to_day;
};

/* lumen_go(SCR_AUDIT_ROW, &row): one row of the list GRANT opened. */
struct audit_row_ref {
    const char *grant;
    long long id;
};

/* The viewer's export (screens/audit_export.c): RANGE and FILTER_JSON are
 * the list's, read when an export starts; CHANGED(UD) on progress. */
struct audit_export;
struct export;
struct audit_export *audit_export_new(struct lumen *L, const struct api_audit_range *range,
                                      const char *filter_json, void (*changed)(void *ud),
                                      void *ud);
struct export *audit_export_job(struct audit_export *ax);
void audit_export_free(struct audit_export **ax);

#endif
