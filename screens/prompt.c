/* The prompt overlay (screens/prompt.h): a box over the screen below, its
 * question wrapped to the box, then the form. */
#include "screens/prompt.h"
#include "screens/actions.h"
#include "screens/common.h"
#include "screens/screen.h"
#include "tui/text.h"

#include <stdio.h>
#include <string.h>

#define PROMPT_TEXT_MAX 1024

struct prompt {
    struct lumen *L;
    struct tui_screen *below;
    char title[128];
    char text[PROMPT_TEXT_MAX];
    struct form form;
    struct form_cursor cur;
    const char *(*submit)(void *ud, struct form *fm, size_t *which);
    void *ud;
};

static void prompt_open(struct tui_screen *s, void *arg)
{
    struct prompt *st = s->state;
    const struct prompt_req *q = arg;
    st->below = tui_app_top(st->L->app);
    snprintf(st->title, sizeof st->title, "%s", q->title ? q->title : "");
    text_sanitize(st->text, sizeof st->text, q->text ? q->text : "",
                  q->text ? strlen(q->text) : 0, st->L->tf | TEXT_MULTILINE, NULL);
    form_free(&st->form);
    form_init(&st->form, st->L->tf);
    for (size_t i = 0; i < q->nfields && i < PROMPT_MAX_FIELDS; i++) {
        const struct prompt_field *f = &q->fields[i];
        struct field *fd = form_add(&st->form, f->label, f->flags, f->max_chars,
                                    f->max_chars * 4 + 4);
        if (fd && f->initial)
            field_set_text(fd, f->initial, strlen(f->initial));
        if (f->hint)
            form_set_hint(&st->form, i, f->hint);
    }
    st->submit = q->submit;
    st->ud = q->ud;
}

static void prompt_draw(struct tui_screen *s, WINDOW *w, int h, int cols)
{
    struct prompt *st = s->state;
    if (st->below && st->below->ops->draw)
        st->below->ops->draw(st->below, w, h, cols);
    int bw = cols - 4 < 76 ? cols - 4 : 76;
    if (bw < 20 || h < 6)
        bw = cols;
    int tw = bw - 4;
    int lines = 0;
    size_t len, width;
    for (const char *p = st->text; *p;) {
        size_t adv = text_wrap_next(p, (size_t)tw, &len, &width);
        lines++;
        if (!adv)
            break;
        p += adv;
    }
    struct form_layout lo;
    form_layout(&st->form, tw, &lo);
    int bh = 2 + 1 + lines + (lines ? 1 : 0) + lo.rows + 1;
    if (bh > h)
        bh = h;
    int y0 = (h - bh) / 2, x0 = (cols - bw) / 2;
    common_box(w, y0, x0, bh, bw, st->title, st->L->tf);
    int y = y0 + 2;
    wattrset(w, theme_attr(ROLE_NORMAL));
    for (const char *p = st->text; *p && y < y0 + bh - 1;) {
        size_t adv = text_wrap_next(p, (size_t)tw, &len, &width);
        char line[PROMPT_TEXT_MAX];
        snprintf(line, sizeof line, "%.*s", (int)len, p);
        tui_put(w, y++, x0 + 2, tw, line, st->L->tf);
        if (!adv)
            break;
        p += adv;
    }
    if (lines)
        y++;
    form_screen_draw(&st->form, w, y, x0 + 2, tw, y0 + bh - 1 - y, &st->cur);
}

static void submit(struct tui_screen *s)
{
    struct prompt *st = s->state;
    size_t which = 0;
    form_clear_errors(&st->form);
    const char *err = st->submit ? st->submit(st->ud, &st->form, &which) : NULL;
    if (err) {
        form_set_field_error(&st->form, which, err);
        form_set_focus(&st->form, which);
        return;
    }
    tui_app_close(s->app, s);
    form_free(&st->form);           /* wipes what was typed */
}

static enum tui_result prompt_key(struct tui_screen *s, tui_key k)
{
    struct prompt *st = s->state;
    return form_screen_key(&st->form, k);
}

static enum tui_result prompt_action(struct tui_screen *s, int action)
{
    struct prompt *st = s->state;
    bool go = false;
    enum tui_result r = form_screen_action(&st->form, action, &go);
    if (go)
        submit(s);
    if (r != TUI_UNHANDLED)
        return TUI_REDRAW;
    if (action == ACT_CANCEL) {
        tui_app_close(s->app, s);
        form_free(&st->form);
        return TUI_REDRAW;
    }
    return TUI_UNHANDLED;
}

static bool prompt_cursor(struct tui_screen *s, int *y, int *x)
{
    struct prompt *st = s->state;
    return form_screen_cursor(&st->cur, false, y, x);
}

static void prompt_destroy(struct tui_screen *s)
{
    struct prompt *st = s->state;
    form_free(&st->form);
}

static void prompt_init(struct tui_screen *s)
{
    struct prompt *st = s->state;
    st->L = s->ud;
    form_init(&st->form, st->L->tf);
}

const struct screen_ops prompt_ops = {
    .name = "prompt",
    .state_size = sizeof(struct prompt),
    .init = prompt_init,
    .open = prompt_open,
    .ctx = SCOPE_PROMPT,
    .draw = prompt_draw,
    .key = prompt_key,
    .action = prompt_action,
    .cursor = prompt_cursor,
    .typing = form_screen_typing,
    .destroy = prompt_destroy,
};

void prompt_ask(struct lumen *L, const struct prompt_req *req)
{
    lumen_go(L, SCR_PROMPT, (void *)req);
}
