/* One lead: every field, the transcript (who said what, when), the notes,
 * and who changed what; wrapped to the width and scrolled as a pager.
 * Opening it is what the audit log records as lead.view (api.lead_open,
 * whose grant the two reads then use); moving through the inbox is not.
 * Every string is the visitor's or a colleague's: each goes through the
 * sanitizer (tui_put, text_sanitize) before it reaches the terminal. */
#include "screens/actions.h"
#include "screens/common.h"
#include "screens/inbox.h"
#include "screens/leadact.h"
#include "screens/screen.h"
#include "client/mem.h"
#include "tui/text.h"
#include "tui/vlist.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LEAD_TOP 2              /* the title line and a rule */
#define LEAD_MAX_LINES 20000

/* A paragraph before wrapping: a label column and its text. */
struct para {
    enum theme_role role;
    attr_t attr;
    char *label;                /* "" for none */
    char *text;                 /* sanitized, may hold '\n' */
};

struct line {
    struct para *p;
    size_t off, len;            /* the bytes of p->text on this line */
    bool first;                 /* the paragraph's first line: draw its label */
};

struct lead {
    struct lumen *L;
    long long id;
    char name[256];
    char grant[API_GRANT_HEX + 1];
    bool loading;
    char err[200];
    struct para *paras;
    size_t npara, cap;
    size_t nfields;             /* paragraphs before the transcript's */
    struct line *lines;
    size_t nlines;
    int wrapped_cols;
    struct vlist view;
    struct leadact act;
    int cols, h;
};

static void paras_free(struct lead *st)
{
    for (size_t i = 0; i < st->npara; i++) {
        free(st->paras[i].label);
        free(st->paras[i].text);
    }
    free(st->paras);
    free(st->lines);
    st->paras = NULL;
    st->lines = NULL;
    st->npara = st->cap = st->nlines = 0;
    st->wrapped_cols = 0;
}

static void add(struct lead *st, enum theme_role role, attr_t attr, const char *label,
                const char *text)
{
    if (st->npara == st->cap) {
        st->cap = st->cap ? st->cap * 2 : 64;
        st->paras = mem_realloc(st->paras, st->cap * sizeof *st->paras);
    }
    size_t len = text ? strlen(text) : 0;
    char *clean = mem_alloc(TEXT_SANITIZE_MAX(len));
    text_sanitize(clean, TEXT_SANITIZE_MAX(len), text ? text : "", len,
                  st->L->tf | TEXT_MULTILINE, NULL);
    char lab[128];
    text_cell(lab, sizeof lab, label ? label : "", label ? strlen(label) : 0, 24, st->L->tf);
    st->paras[st->npara++] = (struct para){ role, attr, mem_strdup(lab), clean };
    st->wrapped_cols = 0;
}

#define LABEL_COLS 16

/* Lines for the width: a paragraph's text wraps in the columns right of
 * its label. */
static void wrap(struct lead *st, int cols)
{
    if (st->wrapped_cols == cols && st->lines)
        return;
    free(st->lines);
    st->lines = NULL;
    st->nlines = 0;
    size_t cap = 0;
    int tw = cols - 2 - LABEL_COLS;
    if (tw < 10)
        tw = 10;
    for (size_t i = 0; i < st->npara && st->nlines < LEAD_MAX_LINES; i++) {
        struct para *p = &st->paras[i];
        size_t off = 0, len, width;
        bool first = true;
        do {
            size_t adv = text_wrap_next(p->text + off, (size_t)tw, &len, &width);
            if (st->nlines == cap) {
                cap = cap ? cap * 2 : 256;
                st->lines = mem_realloc(st->lines, cap * sizeof *st->lines);
            }
            st->lines[st->nlines++] = (struct line){ p, off, len, first };
            first = false;
            if (!adv)
                break;
            off += adv;
        } while (p->text[off] && st->nlines < LEAD_MAX_LINES);
    }
    st->wrapped_cols = cols;
    vlist_set_count(&st->view, st->nlines);
}

static size_t src_count(void *ud) { return ((struct lead *)ud)->nlines; }

static void src_draw(void *ud, WINDOW *w, int y, int width, size_t i, bool selected)
{
    struct lead *st = ud;
    (void)selected;
    const struct line *ln = &st->lines[i];
    char buf[1024];
    if (ln->first && ln->p->label[0]) {
        wattrset(w, theme_attr(ROLE_DIM));
        tui_put(w, y, 2, LABEL_COLS - 1, ln->p->label, st->L->tf);
    }
    size_t n = ln->len < sizeof buf - 1 ? ln->len : sizeof buf - 1;
    memcpy(buf, ln->p->text + ln->off, n);
    buf[n] = '\0';
    wattrset(w, theme_attr(ln->p->role) | ln->p->attr);
    tui_put(w, y, 2 + LABEL_COLS, width - 2 - LABEL_COLS, buf, st->L->tf);
    wattrset(w, theme_attr(ROLE_NORMAL));
}

/* --- loading ---------------------------------------------------------------- */

static const char *nonempty(const char *s)
{
    return s && *s ? s : "-";
}

static void on_lead(void *ud, enum api_err err, const struct api_lead *l)
{
    struct lead *st = ud;
    char buf[300], t[64];
    if (err != API_OK) {
        st->loading = false;
        snprintf(st->err, sizeof st->err, "%s", api_err_message(err));
        lumen_call_failed(st->L, err);
        tui_app_dirty(st->L->app);
        return;
    }
    paras_free(st);
    if (!l) {
        st->loading = false;
        snprintf(st->err, sizeof st->err, "This lead was deleted.");
        tui_app_dirty(st->L->app);
        return;
    }
    snprintf(st->name, sizeof st->name, "%s", l->name);
    add(st, ROLE_TITLE, A_BOLD, "Name", nonempty(l->name));
    add(st, ROLE_NORMAL, 0, "Status", l->status);
    add(st, ROLE_NORMAL, 0, "Phone", nonempty(l->phone));
    add(st, ROLE_NORMAL, 0, "Email", nonempty(l->email));
    add(st, ROLE_NORMAL, 0, "Service", nonempty(l->service));
    lumen_format_time(st->L, l->captured_at, t, sizeof t);
    add(st, ROLE_NORMAL, 0, "Captured", t);
    add(st, ROLE_NORMAL, 0, "Page", nonempty(l->page_url));
    add(st, ROLE_NORMAL, 0, "Assigned", l->assigned_name[0] ? l->assigned_name : "nobody");
    if (l->first_response_at[0]) {
        lumen_format_time(st->L, l->first_response_at, t, sizeof t);
        add(st, ROLE_NORMAL, 0, "First response", t);
    } else {
        add(st, ROLE_NORMAL, A_BOLD, "First response", "none yet");
    }
    snprintf(buf, sizeof buf, "%lld", l->id);
    add(st, ROLE_DIM, 0, "Lead number", buf);
    add(st, ROLE_DIM, 0, "Visitor", nonempty(l->visitor_id));
    st->nfields = st->npara;
    tui_app_dirty(st->L->app);
}

static void on_items(void *ud, enum api_err err, const struct api_lead_item *it, size_t n)
{
    struct lead *st = ud;
    st->loading = false;
    if (err != API_OK) {
        lumen_call_failed(st->L, err);
        tui_app_dirty(st->L->app);
        return;
    }
    const char *section = NULL;
    char label[96], t[64];
    for (size_t i = 0; i < n; i++) {
        const char *sec = strcmp(it[i].kind, "note") == 0 ? "Notes"
                        : strcmp(it[i].kind, "change") == 0 ? "History" : "Transcript";
        if (!section || strcmp(section, sec) != 0) {
            add(st, ROLE_NORMAL, 0, "", "");
            add(st, ROLE_TITLE, A_BOLD, sec, "");
            section = sec;
        }
        lumen_format_time(st->L, it[i].at, t, sizeof t);
        bool visitor = strcmp(it[i].kind, "visitor") == 0;
        const char *who = visitor ? "Visitor" : strcmp(it[i].kind, "bot") == 0 ? "Bot"
                        : it[i].who;
        /* The time and who on a line of their own: the text may be long. */
        snprintf(label, sizeof label, "%s", t + (strlen(t) > 11 ? 5 : 0));
        add(st, visitor ? ROLE_TITLE : ROLE_DIM, 0, label, who);
        add(st, ROLE_NORMAL, 0, "", it[i].body);
    }
    if (!n)
        add(st, ROLE_DIM, 0, "", "No transcript, notes or changes.");
    tui_app_dirty(st->L->app);
}

static void on_grant(void *ud, enum api_err err, const char *grant)
{
    struct lead *st = ud;
    if (err != API_OK) {
        st->loading = false;
        snprintf(st->err, sizeof st->err, "%s", err == API_ERR_INVALID
                 ? "No such lead (deleted, or not of this practice)." : api_err_message(err));
        lumen_call_failed(st->L, err);
        tui_app_dirty(st->L->app);
        return;
    }
    snprintf(st->grant, sizeof st->grant, "%s", grant);
    api_lead_get(st->L->db, &st->L->auth, st->grant, on_lead, st, st);
    api_lead_items(st->L->db, &st->L->auth, st->grant, on_items, st, st);
}

static void load(struct lead *st)
{
    api_cancel(st->L->db, st);
    st->loading = true;
    st->err[0] = '\0';
    api_lead_open(st->L->db, &st->L->auth, st->id, on_grant, st, st);
}

/* lumen_go(SCR_LEAD, &id) */
static void lead_open(struct tui_screen *s, void *arg)
{
    struct lead *st = s->state;
    st->id = *(const long long *)arg;
    st->name[0] = '\0';
    paras_free(st);
    vlist_set_count(&st->view, 0);
    load(st);
}

/* --- screen ------------------------------------------------------------------ */

static void lead_layout(struct tui_screen *s, int h, int cols)
{
    struct lead *st = s->state;
    st->h = h;
    st->cols = cols;
    vlist_resize(&st->view, h - LEAD_TOP > 1 ? h - LEAD_TOP : 1);
}

static void lead_draw(struct tui_screen *s, WINDOW *w, int h, int cols)
{
    struct lead *st = s->state;
    char title[400];
    st->h = h;
    st->cols = cols;
    snprintf(title, sizeof title, " Lead %lld%s%s", st->id, st->name[0] ? ": " : "", st->name);
    wattrset(w, theme_attr(ROLE_TITLE));
    tui_put(w, 0, 0, cols, title, st->L->tf);
    const char *right = st->err[0] ? st->err : st->loading ? "loading..." : NULL;
    if (right) {
        int rw = (int)text_width(right) + 1;
        if (rw > cols / 2)
            rw = cols / 2;
        wattrset(w, theme_attr(st->err[0] ? ROLE_ERROR : ROLE_DIM) | A_BOLD);
        tui_put(w, 0, cols - rw, rw, right, st->L->tf);
    }
    wattrset(w, theme_attr(ROLE_BORDER));
    mvwhline(w, 1, 0, ACS_HLINE, cols);
    wattrset(w, theme_attr(ROLE_NORMAL));
    if (h <= LEAD_TOP)
        return;
    vlist_resize(&st->view, h - LEAD_TOP);
    wrap(st, cols);
    vlist_invalidate(&st->view);
    vlist_draw_at(&st->view, w, LEAD_TOP);
}

static int lead_draw_rows(struct tui_screen *s, WINDOW *w, int first, int last, int cols)
{
    struct lead *st = s->state;
    (void)first, (void)last;
    wrap(st, cols);
    return vlist_draw_at(&st->view, w, LEAD_TOP);
}

static void changed(void *ud, int action)
{
    struct lead *st = ud;
    struct lumen *L = st->L;
    inbox_changed(L);
    if (action == ACT_DELETE) {
        tui_app_close(L->app, L->screens[SCR_LEAD]);   /* back to the inbox */
        return;
    }
    load(st);       /* the history shows the change */
}

static enum tui_result lead_action(struct tui_screen *s, int action)
{
    struct lead *st = s->state;
    if (list_screen_move(&st->view, action, true))
        return list_screen_moved(s, LEAD_TOP);
    switch (action) {
    case ACT_CANCEL:
        tui_app_pop(s->app);
        return TUI_REDRAW;
    case ACT_REFRESH:
        load(st);
        return TUI_REDRAW;
    }
    if (!leadact_handles(action))
        return TUI_UNHANDLED;
    leadact_target(&st->act, &st->id, 1, st->name);
    leadact_action(&st->act, action);
    return TUI_REDRAW;
}

/* OPEN (Enter) means nothing on a page of text. */
static bool lead_allowed(struct tui_screen *s, int action)
{
    (void)s;
    return action != ACT_OPEN;
}

static void lead_removed(struct tui_screen *s)
{
    struct lead *st = s->state;
    api_cancel(st->L->db, &st->act);
}

static void lead_destroy(struct tui_screen *s)
{
    struct lead *st = s->state;
    leadact_free(&st->act);
    paras_free(st);
}

static void lead_init(struct tui_screen *s)
{
    struct lead *st = s->state;
    st->L = s->ud;
    struct vlist_source src = { src_count, NULL, src_draw, st };
    vlist_init(&st->view, &src, 1, st->L->tf);
    vlist_hide_cursor(&st->view, true);
    leadact_init(&st->act, st->L, changed, st);
}

const struct screen_ops lead_ops = {
    .name = "lead",
    .state_size = sizeof(struct lead),
    .init = lead_init,
    .open = lead_open,
    .layout = lead_layout,
    .ctx = SCOPE_LEAD,
    .draw = lead_draw,
    .draw_rows = lead_draw_rows,
    .action = lead_action,
    .allowed = lead_allowed,
    .removed = lead_removed,
    .destroy = lead_destroy,
};
