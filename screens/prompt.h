/* A question with one or two text fields, over the screen that asks: a
 * note to add, a file to export to, a lead's id typed to confirm its
 * deletion.  Enter on the last field submits, Esc goes back (nothing is
 * done), and the asker's submit decides: NULL closes the prompt, a message
 * keeps it open with that message under the field (the text stays, so a
 * typo costs nothing). */
#ifndef LUMEN_SCREENS_PROMPT_H
#define LUMEN_SCREENS_PROMPT_H

#include "screens/lumen.h"
#include "tui/form.h"

#define PROMPT_MAX_FIELDS 2

struct prompt_field {
    const char *label;
    unsigned flags;             /* tui/field.h: FIELD_MASKED, FIELD_DIGITS */
    size_t max_chars;
    const char *initial;        /* NULL: empty */
    const char *hint;           /* a line under the field; NULL: none */
};

struct prompt_req {
    const char *title;
    const char *text;           /* what is asked, wrapped; may be NULL */
    struct prompt_field fields[PROMPT_MAX_FIELDS];
    size_t nfields;
    /* The fields as typed (form_field(fm, i)); return NULL when done (the
     * prompt closes before the asker's next step shows), or a message for
     * the field *which (0 when not set), and the prompt stays. */
    const char *(*submit)(void *ud, struct form *fm, size_t *which);
    void *ud;
};

/* Opens the prompt over what is shown now (lumen_go(SCR_PROMPT)).  Every
 * string is copied or drawn from the request at once, bar the field
 * labels and hints: give string literals. */
void prompt_ask(struct lumen *L, const struct prompt_req *req);

#endif
