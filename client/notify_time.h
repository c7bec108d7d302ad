/* The monotonic deadlines lumen notify's parts wait by (its loop, its
 * database calls, its name lookups): a wall clock set back or forward
 * must not stretch or cut a wait. */
#ifndef LUMEN_CLIENT_NOTIFY_TIME_H
#define LUMEN_CLIENT_NOTIFY_TIME_H

#include <time.h>

/* T := now + MS milliseconds. */
static inline void notify_deadline(struct timespec *t, long ms)
{
    clock_gettime(CLOCK_MONOTONIC, t);
    t->tv_sec += ms / 1000;
    t->tv_nsec += (ms % 1000) * 1000000;
    if (t->tv_nsec >= 1000000000) {
        t->tv_sec++;
        t->tv_nsec -= 1000000000;
    }
}

/* Milliseconds from now to T (0 when past). */
static inline long notify_ms_until(const struct timespec *t)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    long ms = (long)(t->tv_sec - now.tv_sec) * 1000 + (t->tv_nsec - now.tv_nsec) / 1000000;
    return ms > 0 ? ms : 0;
}

#endif
