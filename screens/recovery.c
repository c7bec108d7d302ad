/* The recovery codes, shown once (screens/security.h): after two-factor
 * went on, or new codes were made.  The screen replaces the stack, no tab
 * is taken while it is up, and it goes on only when the user says the
 * codes are saved (Enter, then "saved" typed).  w writes them to a new
 * file only the user can read (mode 0600, O_EXCL: never over a file that
 * is there).  The codes live in secure memory, wiped when the screen goes;
 * Lumen draws on the alternate screen, so they never reach the
 * scrollback, and nothing logs them. */
#include "screens/actions.h"
#include "screens/common.h"
#include "screens/prompt.h"
#include "screens/screen.h"
#include "screens/security.h"
#include "client/mem.h"
#include "tui/text.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#define CODES_MAX 20
#define CODES_TEXT_MAX 2048

struct rcodes {
    struct lumen *L;
    char *text;                 /* secure memory: the codes, one a line */
    size_t ncodes;
    size_t off[CODES_MAX], len[CODES_MAX];
    bool required;
    char written[1024];         /* the file they went to, or "" */
};

/* lumen_go(SCR_RECOVERY_CODES, &req) */
struct rcodes_req {
    const char *codes;
    size_t len;
    bool required;
};

static void wipe(struct rcodes *st)
{
    if (st->text) {
        sodium_free(st->text);      /* wipes */
        st->text = NULL;
    }
    st->ncodes = 0;
    st->written[0] = '\0';
}

static void rcodes_open(struct tui_screen *s, void *arg)
{
    struct rcodes *st = s->state;
    const struct rcodes_req *q = arg;
    wipe(st);
    st->required = q->required;
    size_t len = q->len < CODES_TEXT_MAX ? q->len : CODES_TEXT_MAX;
    st->text = sodium_malloc(len + 1);
    if (!st->text)
        mem_fatal("out of secure memory");
    memcpy(st->text, q->codes, len);
    st->text[len] = '\0';
    st->ncodes = recovery_codes_split(st->text, len, st->off, st->len, CODES_MAX);
}

static void say_lines(struct rcodes *st, WINDOW *w, int *y, int maxy, int cols, const char *text,
                      enum theme_role role)
{
    size_t len, width;
    wattrset(w, theme_attr(role));
    for (const char *p = text; *p && *y < maxy;) {
        size_t adv = text_wrap_next(p, (size_t)cols - 4, &len, &width);
        char line[1200];
        snprintf(line, sizeof line, "%.*s", (int)len, p);
        tui_put(w, (*y)++, 2, cols - 4, line, st->L->tf);
        if (!adv)
            break;
        p += adv;
    }
    wattrset(w, theme_attr(ROLE_NORMAL));
}

static void rcodes_draw(struct tui_screen *s, WINDOW *w, int h, int cols)
{
    struct rcodes *st = s->state;
    struct lumen *L = st->L;
    char line[1200], wkey[KEYMAP_NAME_MAX], dkey[KEYMAP_NAME_MAX];
    wattrset(w, theme_attr(ROLE_TITLE));
    tui_put(w, 0, 0, cols, " Your recovery codes: shown this once", L->tf);
    wattrset(w, theme_attr(ROLE_BORDER));
    mvwhline(w, 1, 0, ACS_HLINE, cols);
    int y = 2;
    say_lines(st, w, &y, h, cols, "Each code signs you in once when your authenticator app is "
              "not at hand. Write them down or save them to a file, and keep them apart from "
              "this computer: Lumen does not show them again.", ROLE_NORMAL);
    y++;
    /* Two columns of five, numbered, as they are written down. */
    size_t half = (st->ncodes + 1) / 2;
    int colw = cols >= 60 ? 28 : cols / 2;
    for (size_t i = 0; i < half && y < h; i++, y++) {
        for (size_t k = 0; k < 2; k++) {
            size_t c = i + k * half;
            if (c >= st->ncodes)
                break;
            snprintf(line, sizeof line, "%2zu.  %.*s", c + 1, (int)st->len[c],
                     st->text + st->off[c]);
            wattrset(w, theme_attr(ROLE_NORMAL) | A_BOLD);
            tui_put(w, y, 6 + (int)k * colw, colw - 2, line, L->tf);
        }
    }
    y++;
    common_key_name(L, ACT_CODES_WRITE, false, wkey, sizeof wkey);
    common_key_name(L, ACT_CODES_DONE, false, dkey, sizeof dkey);
    if (st->written[0]) {
        snprintf(line, sizeof line, "Saved to %s (only you can read it).", st->written);
        say_lines(st, w, &y, h, cols, line, ROLE_OK);
    } else if (wkey[0]) {
        snprintf(line, sizeof line, "%s writes them to a new file that only you can read.", wkey);
        say_lines(st, w, &y, h, cols, line, ROLE_DIM);
    }
    if (dkey[0]) {
        snprintf(line, sizeof line, "%s when they are saved%s.", dkey,
                 st->required ? ", then on into the practice" : "");
        say_lines(st, w, &y, h, cols, line, ROLE_DIM);
    }
}

/* --- going on ----------------------------------------------------------------- */

static void go_on(struct rcodes *st)
{
    struct lumen *L = st->L;
    bool required = st->required;
    wipe(st);
    if (required) {
        lumen_signed_in(L);         /* api.me again, then home */
    } else {
        lumen_go(L, SCR_SECURITY, NULL);
        security_note(L, ROLE_OK, "Two-factor is on, with ten new recovery codes: keep them safe.");
    }
}

static const char *saved_submit(void *ud, struct form *fm, size_t *which)
{
    struct rcodes *st = ud;
    size_t len;
    const char *t = field_text(form_field(fm, 0), &len);
    while (len && t[len - 1] == ' ')
        len--;
    while (len && *t == ' ')
        t++, len--;
    *which = 0;
    if (len != 5 || strncasecmp(t, "saved", 5) != 0)
        return "Type the word saved, or Esc to look at the codes again.";
    go_on(st);
    return NULL;
}

static void ask_saved(struct rcodes *st)
{
    struct prompt_req q = {
        .title = "Saved them?",
        .text = "The codes are not shown again. Type saved once you have written them down "
                "or stored them somewhere safe.",
        .fields = { { "Type saved", 0, 10, NULL, NULL } },
        .nfields = 1,
        .submit = saved_submit,
        .ud = st,
    };
    prompt_ask(st->L, &q);
}

/* --- the file ------------------------------------------------------------------- */

static int write_all(int fd, const char *p, size_t n)
{
    while (n) {
        ssize_t k = write(fd, p, n);
        if (k < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        p += k;
        n -= (size_t)k;
    }
    return 0;
}

/* The file's text in secure memory: a line saying what they are, then the codes. */
static int write_codes(struct rcodes *st, int fd)
{
    char head[400], date[32];
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    strftime(date, sizeof date, "%Y-%m-%d %H:%M", &tm);
    int hn = snprintf(head, sizeof head, "Lumen recovery codes for %s, made %s.\n"
                      "Each signs in once instead of the authenticator app's code.\n\n",
                      st->L->me.email[0] ? st->L->me.email : st->L->auth.email, date);
    size_t cap = (size_t)hn + CODES_TEXT_MAX + CODES_MAX * 2 + 1, n = 0;
    char *buf = sodium_malloc(cap);
    if (!buf)
        mem_fatal("out of secure memory");
    memcpy(buf, head, (size_t)hn);
    n = (size_t)hn;
    for (size_t i = 0; i < st->ncodes; i++) {
        memcpy(buf + n, st->text + st->off[i], st->len[i]);
        n += st->len[i];
        buf[n++] = '\n';
    }
    int rc = write_all(fd, buf, n);
    sodium_free(buf);
    if (rc == 0 && fsync(fd) != 0)
        rc = -1;
    return rc;
}

static const char *path_submit(void *ud, struct form *fm, size_t *which)
{
    struct rcodes *st = ud;
    static char why[1200];
    char path[1024];
    size_t len;
    const char *p = field_text(form_field(fm, 0), &len);
    *which = 0;
    if (!len)
        return "Give a file name.";
    if (len >= sizeof path)
        return "That path is too long.";
    memcpy(path, p, len);
    path[len] = '\0';
    /* O_EXCL: never over a file that is there, not even a link to one. */
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) {
        int e = errno;
        if (e == EEXIST)
            snprintf(why, sizeof why, "%s exists; Lumen never writes over a file. Choose "
                     "another name.", path);
        else
            snprintf(why, sizeof why, "Cannot create %s: %s.", path, strerror(e));
        return why;
    }
    int rc = write_codes(st, fd);
    int e = errno;
    if (close(fd) != 0 && rc == 0) {
        rc = -1;
        e = errno;
    }
    if (rc != 0) {
        unlink(path);
        snprintf(why, sizeof why, "Cannot write %s: %s.", path, strerror(e));
        return why;
    }
    snprintf(st->written, sizeof st->written, "%s", path);
    return NULL;
}

static void ask_path(struct rcodes *st)
{
    struct prompt_req q = {
        .title = "Write the codes to a file",
        .text = "A new file that only you can read (mode 0600); an existing file is never "
                "replaced. Move it somewhere safe, away from this computer.",
        .fields = { { "File", 0, 1000, "lumen-recovery-codes.txt", NULL } },
        .nfields = 1,
        .submit = path_submit,
        .ud = st,
    };
    prompt_ask(st->L, &q);
}

size_t recovery_codes_split(const char *text, size_t len, size_t *off, size_t *lens, size_t max)
{
    size_t n = 0;
    /* One code a line; blanks, spaces and a stray \r are not codes. */
    for (size_t i = 0; i < len && n < max;) {
        while (i < len && (text[i] == '\n' || text[i] == '\r' || text[i] == ' '))
            i++;
        size_t b = i;
        while (i < len && text[i] != '\n' && text[i] != '\r' && text[i] != ' ')
            i++;
        if (i > b) {
            off[n] = b;
            lens[n] = i - b;
            n++;
        }
    }
    return n;
}

/* --- screen --------------------------------------------------------------------- */

static enum tui_result rcodes_action(struct tui_screen *s, int action)
{
    struct rcodes *st = s->state;
    switch (action) {
    case ACT_CODES_WRITE:
        ask_path(st);
        return TUI_REDRAW;
    case ACT_CODES_DONE:
        ask_saved(st);
        return TUI_REDRAW;
    }
    return TUI_UNHANDLED;
}

/* Nowhere else until they are saved: no tab.  Quitting stays possible. */
static bool rcodes_allowed(struct tui_screen *s, int action)
{
    (void)s;
    return !ACT_IS_TAB(action);
}

static void rcodes_removed(struct tui_screen *s)
{
    wipe(s->state);
}

static void rcodes_destroy(struct tui_screen *s)
{
    wipe(s->state);
}

static void rcodes_init(struct tui_screen *s)
{
    struct rcodes *st = s->state;
    st->L = s->ud;
}

const struct screen_ops recovery_codes_ops = {
    .name = "recovery-codes",
    .state_size = sizeof(struct rcodes),
    .init = rcodes_init,
    .open = rcodes_open,
    .removed = rcodes_removed,
    .ctx = SCOPE_CODES,
    .draw = rcodes_draw,
    .action = rcodes_action,
    .allowed = rcodes_allowed,
    .destroy = rcodes_destroy,
};

void recovery_codes_show(struct lumen *L, const char *codes, size_t len, bool required)
{
    struct rcodes_req q = { codes, len, required };
    lumen_go(L, SCR_RECOVERY_CODES, &q);
}
