/* filterbar: the filter line of a list (htop's IncSet).  Contract in
 * filterbar.h. */
#include "tui/filterbar.h"

#include <stdio.h>
#include <string.h>

#include "tui/text.h"
#include "tui/theme.h"

#define LABEL "Filter: "
#define LABEL_COLS 8
/* The text keeps at least this much room when an error is shown beside
 * it: what is typed matters more than the complaint about it. */
#define TEXT_MIN_COLS 20

void filterbar_init(struct filterbar *fb, unsigned text_flags)
{
    memset(fb, 0, sizeof *fb);
    field_init(&fb->field, text_flags & FIELD_ASCII, 0, FILTERBAR_TEXT_MAX);
}

void filterbar_free(struct filterbar *fb)
{
    field_free(&fb->field);
}

void filterbar_open(struct filterbar *fb, const void *key, size_t len, int line)
{
    /* With a filter in force the cursor sits on a filtered row; the row to
     * return to is the one from before the filter. */
    if (!filterbar_shown(fb)) {
        fb->saved = key && len <= FILTERBAR_KEY_MAX;
        fb->key_len = fb->saved ? len : 0;
        if (fb->key_len)
            memcpy(fb->key, key, len);
        fb->line = line;
    }
    fb->editing = true;
}

bool filterbar_key(struct filterbar *fb, tui_key key, bool *changed)
{
    unsigned long version = fb->field.version;
    bool used = fb->editing && field_key(&fb->field, key);

    if (changed)
        *changed = fb->field.version != version;
    return used;
}

void filterbar_accept(struct filterbar *fb)
{
    fb->editing = false;
    if (fb->field.len == 0) {
        fb->saved = false;
        fb->error[0] = '\0';
    }
}

bool filterbar_cancel(struct filterbar *fb, const void **key, size_t *len, int *line)
{
    bool back = fb->saved;

    field_clear(&fb->field);
    fb->error[0] = '\0';
    fb->editing = false;
    fb->saved = false;
    if (back) {
        *key = fb->key;
        *len = fb->key_len;
        *line = fb->line;
    }
    return back;
}

const char *filterbar_text(const struct filterbar *fb, size_t *len)
{
    return field_text(&fb->field, len);
}

bool filterbar_editing(const struct filterbar *fb)
{
    return fb->editing;
}

bool filterbar_shown(const struct filterbar *fb)
{
    return fb->editing || fb->field.len > 0;
}

void filterbar_set_error(struct filterbar *fb, const char *msg)
{
    /* Kept raw: drawing sanitizes, and a cut here would not know widths. */
    snprintf(fb->error, sizeof fb->error, "%s", msg ? msg : "");
}

int filterbar_draw(struct filterbar *fb, WINDOW *w, int y, int x, int width)
{
    unsigned tf = fb->field.flags & FIELD_ASCII;
    int text_cols = width - LABEL_COLS, col;
    char err[FILTERBAR_ERROR_MAX * 4];

    if (width <= LABEL_COLS || y < 0 || y >= getmaxy(w))
        return -1;
    wattrset(w, (int)theme_attr(ROLE_NORMAL));
    mvwhline(w, y, x, ' ', width);
    wattrset(w, (int)theme_attr(fb->editing ? ROLE_KEY : ROLE_DIM));
    mvwaddstr(w, y, x, LABEL);
    err[0] = '\0';
    if (fb->error[0] && text_cols > TEXT_MIN_COLS + 2) {
        size_t room = (size_t)(text_cols - TEXT_MIN_COLS - 1);
        size_t ew = text_cell(err, sizeof err, fb->error, strlen(fb->error), room,
                              tf | TEXT_ELLIPSIS);
        text_cols -= (int)ew + 1;
    }
    if (fb->field.width != text_cols)
        field_layout(&fb->field, text_cols);
    col = field_draw(&fb->field, w, y, x + LABEL_COLS, text_cols, fb->editing);
    if (err[0]) {
        wattrset(w, (int)theme_attr(ROLE_ERROR));
        mvwaddstr(w, y, x + LABEL_COLS + text_cols + 1, err);
        wattrset(w, (int)theme_attr(ROLE_NORMAL));
    }
    if (!fb->editing)
        return -1;
    wmove(w, y, col);
    return col;
}
