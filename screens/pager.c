/* The paragraph pager (screens/pager.h). */
#include "screens/pager.h"
#include "screens/common.h"
#include "client/mem.h"
#include "tui/text.h"

#include <stdlib.h>
#include <string.h>

struct pager_para {
    enum theme_role role;
    attr_t attr;
    char *label;                /* sanitized, cut to the label column */
    char *text;                 /* sanitized, may hold '\n' */
};

struct pager_line {
    size_t para;
    size_t off, len;            /* the bytes of its text on this line */
    bool first;                 /* the paragraph's first line: its label */
};

static size_t src_count(void *ud) { return ((struct pager *)ud)->nlines; }

static void src_draw(void *ud, WINDOW *w, int y, int width, size_t i, bool selected)
{
    struct pager *pg = ud;
    (void)selected;
    const struct pager_line *ln = &pg->lines[i];
    const struct pager_para *p = &pg->paras[ln->para];
    char buf[1024];
    if (ln->first && p->label[0]) {
        wattrset(w, theme_attr(ROLE_DIM));
        tui_put(w, y, 2, PAGER_LABEL_COLS - 1, p->label, pg->tf);
    }
    size_t n = ln->len < sizeof buf - 1 ? ln->len : sizeof buf - 1;
    memcpy(buf, p->text + ln->off, n);
    buf[n] = '\0';
    wattrset(w, theme_attr(p->role) | p->attr);
    tui_put(w, y, 2 + PAGER_LABEL_COLS, width - 2 - PAGER_LABEL_COLS, buf, pg->tf);
    wattrset(w, theme_attr(ROLE_NORMAL));
}

void pager_init(struct pager *pg, unsigned text_flags)
{
    memset(pg, 0, sizeof *pg);
    pg->tf = text_flags;
    struct vlist_source src = { src_count, NULL, src_draw, pg };
    vlist_init(&pg->view, &src, 1, text_flags);
    vlist_hide_cursor(&pg->view, true);
}

void pager_clear(struct pager *pg)
{
    for (size_t i = 0; i < pg->npara; i++) {
        free(pg->paras[i].label);
        free(pg->paras[i].text);
    }
    free(pg->paras);
    free(pg->lines);
    pg->paras = NULL;
    pg->lines = NULL;
    pg->npara = pg->cap = pg->nlines = 0;
    pg->wrapped_cols = 0;
}

void pager_free(struct pager *pg)
{
    pager_clear(pg);
}

void pager_add(struct pager *pg, enum theme_role role, attr_t attr, const char *label,
               const char *text)
{
    if (pg->npara == pg->cap) {
        pg->cap = pg->cap ? pg->cap * 2 : 64;
        pg->paras = mem_realloc(pg->paras, pg->cap * sizeof *pg->paras);
    }
    size_t len = text ? strlen(text) : 0;
    char *clean = mem_alloc(TEXT_SANITIZE_MAX(len));
    text_sanitize(clean, TEXT_SANITIZE_MAX(len), text ? text : "", len, pg->tf | TEXT_MULTILINE,
                  NULL);
    char lab[128];
    text_cell(lab, sizeof lab, label ? label : "", label ? strlen(label) : 0,
              PAGER_LABEL_COLS - 1, pg->tf);
    pg->paras[pg->npara++] = (struct pager_para){ role, attr, mem_strdup(lab), clean };
    pg->wrapped_cols = 0;
}

/* Lines for the width: a paragraph's text wraps right of its label. */
static void wrap(struct pager *pg, int cols)
{
    if (pg->wrapped_cols == cols && (pg->lines || !pg->npara))
        return;
    free(pg->lines);
    pg->lines = NULL;
    pg->nlines = 0;
    size_t cap = 0;
    int tw = cols - 2 - PAGER_LABEL_COLS;
    if (tw < 10)
        tw = 10;
    for (size_t i = 0; i < pg->npara && pg->nlines < PAGER_MAX_LINES; i++) {
        const char *t = pg->paras[i].text;
        size_t off = 0, len, width;
        bool first = true;
        do {
            size_t adv = text_wrap_next(t + off, (size_t)tw, &len, &width);
            if (pg->nlines == cap) {
                cap = cap ? cap * 2 : 256;
                pg->lines = mem_realloc(pg->lines, cap * sizeof *pg->lines);
            }
            pg->lines[pg->nlines++] = (struct pager_line){ i, off, len, first };
            first = false;
            if (!adv)
                break;
            off += adv;
        } while (t[off] && pg->nlines < PAGER_MAX_LINES);
    }
    pg->wrapped_cols = cols;
    vlist_set_count(&pg->view, pg->nlines);
}

bool pager_move(struct pager *pg, int action)
{
    return list_screen_move(&pg->view, action, true);
}

int pager_draw(struct pager *pg, WINDOW *w, int y, int height, int cols, bool full)
{
    if (height < 1)
        return 0;
    vlist_resize(&pg->view, height);
    wrap(pg, cols);
    if (full)
        vlist_invalidate(&pg->view);
    return vlist_draw_at(&pg->view, w, y);
}
