/* Allocation that never returns NULL.
 *
 * Out of memory is a broken invariant, not a recoverable error: mem_* print
 * one line and exit(70).  Before exiting they call the hook registered with
 * mem_set_fatal_hook(), which the TUI uses to restore the terminal, so a
 * failure never leaves the user's shell in curses mode.
 * Every pointer returned is owned by the caller and freed with free().    */
#ifndef LUMEN_CLIENT_MEM_H
#define LUMEN_CLIENT_MEM_H

#include <stddef.h>

void *mem_alloc(size_t n);             /* zeroed */
void *mem_realloc(void *p, size_t n);
char *mem_strdup(const char *s);       /* NULL in, NULL out */
char *mem_strndup(const char *s, size_t n);
/* Prints "lumen: MSG" and exits(70) after running the fatal hook. */
_Noreturn void mem_fatal(const char *msg);
void mem_set_fatal_hook(void (*hook)(void));

#endif
