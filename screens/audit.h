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

#endif
