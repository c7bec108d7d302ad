#include "client/mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void (*fatal_hook)(void);

void mem_set_fatal_hook(void (*hook)(void)) { fatal_hook = hook; }

_Noreturn void mem_fatal(const char *msg)
{
    if (fatal_hook) {
        void (*h)(void) = fatal_hook;
        fatal_hook = NULL;              /* a failing hook must not recurse */
        h();
    }
    fprintf(stderr, "lumen: %s\n", msg);
    exit(70);
}

void *mem_alloc(size_t n)
{
    void *p = calloc(1, n ? n : 1);
    if (!p)
        mem_fatal("out of memory");
    return p;
}

void *mem_realloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q)
        mem_fatal("out of memory");
    return q;
}

char *mem_strndup(const char *s, size_t n)
{
    if (!s)
        return NULL;
    char *d = mem_alloc(n + 1);
    memcpy(d, s, n);
    return d;
}

char *mem_strdup(const char *s)
{
    return s ? mem_strndup(s, strlen(s)) : NULL;
}
