/* pager: a page of labelled paragraphs (a lead, an audit row), wrapped to
 * the width and scrolled.  Each paragraph is a label column ("Phone") and
 * its text, which may be any bytes from the database: it is sanitized
 * once when added (tui/text.h, line breaks kept) and wrapped again when
 * the width changes.  Movement is the list actions' (j/k, PgUp/PgDn,
 * g/G) as a pager: the view scrolls, there is no cursor. */
#ifndef LUMEN_SCREENS_PAGER_H
#define LUMEN_SCREENS_PAGER_H

#include <curses.h>
#include <stdbool.h>
#include <stddef.h>

#include "tui/theme.h"
#include "tui/vlist.h"

#define PAGER_LABEL_COLS 16
#define PAGER_MAX_LINES 20000

struct pager_para;
struct pager_line;

struct pager {
    unsigned tf;
    struct pager_para *paras;
    size_t npara, cap;
    struct pager_line *lines;
    size_t nlines;
    int wrapped_cols;
    struct vlist view;
};

void pager_init(struct pager *pg, unsigned text_flags);
/* Empties it (the view stays where it was, within the new text). */
void pager_clear(struct pager *pg);
void pager_free(struct pager *pg);
/* One paragraph: LABEL (cut to the label column) and TEXT (may be NULL). */
void pager_add(struct pager *pg, enum theme_role role, attr_t attr, const char *label,
               const char *text);
/* An action of the list context: true when it scrolled. */
bool pager_move(struct pager *pg, int action);
/* Draws from line Y of w, HEIGHT lines, COLS wide; FULL after an erase.
 * Returns the lines written. */
int pager_draw(struct pager *pg, WINDOW *w, int y, int height, int cols, bool full);

#endif
