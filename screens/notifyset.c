/* The practice's notifications (screens/notifyset.h), the Owner's, pushed
 * from the settings: the lead link, then three short lists under one
 * cursor (at most 10 webhooks, 20 addresses and the 20 latest failures,
 * as the server keeps them), then the whole of the row under the cursor,
 * wrapped: a URL of 2,000 characters or a receiver's error does not fit a
 * cell.  A webhook's row says whether its last word was a delivery or an
 * error, and when.  The keys follow the row (notifyset_allowed): a webhook
 * can be tested, given a new secret, removed, or enabled once the server
 * disabled it; an address tested or removed; a failure only read.
 *
 * It asks again by itself while it is on top -- every 10 seconds while
 * something waits for delivery (a test just sent), else every 30 -- after
 * each change, and on g. */
#include "screens/notifyset.h"
#include "screens/actions.h"
#include "screens/common.h"
#include "screens/notifyact.h"
#include "screens/screen.h"
#include "client/mem.h"
#include "tui/table.h"
#include "tui/text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NS_TOP 3                /* the title, a rule, the lead link */
#define NS_DETAIL 2             /* lines for the row under the cursor, at least */
#define NS_DETAIL_MAX 4         /* and at most, when the lists leave room */
#define NS_FAILURES 20          /* the latest failures asked for */
#define NS_MAX_WEBHOOKS 10      /* the server's limits: a at 10 is not offered */
#define NS_MAX_EMAILS 20
#define NS_POLL_BUSY_MS 10000
#define NS_POLL_MS 30000
/* Each look counts as activity on the server (the api's reads refresh the
 * session's idle time), so a screen left open must not keep its session
 * alive: it stops looking this long after the last key. */
#define NS_POLL_QUIET_MS 120000

enum { SEC_W, SEC_E, SEC_F, NSEC };

struct nw {
    char id[40];
    char *url, *desc, *last_error;
    char state[240], delivered[32], error_at[32];
    char last[48];              /* the latest of "ok <when>" and "error <when>", or "never" */
    long long pending, failed;
    bool disabled, failing;     /* FAILING: the last word was an error */
};

struct ne {
    char id[40];
    char *email, *last_error;
    char delivered[32], error_at[32];
    long long pending, failed;
};

struct nf {
    char id[24];
    char *kind, *channel, *dest, *error;
    int attempts;
    bool retrying;
    char when[32], next[32];
};

struct notifyset {
    struct lumen *L;
    struct nw *w;
    struct ne *e;
    struct nf *f;
    size_t n[NSEC];
    char *link;                 /* NULL until known */
    int loading;                /* calls under way */
    char err[200];
    long cursor;                /* over the webhooks, then the addresses, then the failures */
    long first[NSEC];           /* each section's first row in view */
    int keep_sec;               /* the row the cursor stays on across a reload */
    char keep_id[40];
    unsigned long version;
    struct table t[NSEC];
    struct notifyact act;
};

static const struct table_column w_cols[] = {
    { "URL", 0, 5, 12, TABLE_LEFT },
    { "Description", 0, 3, 8, TABLE_LEFT },
    { "State", 0, 3, 8, TABLE_LEFT },
    { "Last", 17, 0, 0, TABLE_LEFT },        /* "error 11-30 14:05" */
    { "Pending", 7, 0, 0, TABLE_RIGHT },
};
static const struct table_column e_cols[] = {
    { "Email", 0, 5, 12, TABLE_LEFT },
    { "Delivered", 11, 0, 0, TABLE_LEFT },
    { "Last error", 0, 4, 10, TABLE_LEFT },
    { "Pending", 7, 0, 0, TABLE_RIGHT },
};
static const struct table_column f_cols[] = {
    { "Kind", 0, 2, 8, TABLE_LEFT },
    { "To", 0, 4, 10, TABLE_LEFT },
    { "Tries", 5, 0, 0, TABLE_RIGHT },
    { "State", 8, 0, 0, TABLE_LEFT },
    { "Error", 0, 4, 8, TABLE_LEFT },
    { "When", 11, 0, 0, TABLE_LEFT },
};
#define NCOLS(a) ((int)(sizeof (a) / sizeof (a)[0]))

/* --- the rows ---------------------------------------------------------------- */

static void rows_free(struct notifyset *st, int sec)
{
    for (size_t i = 0; i < st->n[sec]; i++) {
        if (sec == SEC_W) {
            free(st->w[i].url);
            free(st->w[i].desc);
            free(st->w[i].last_error);
        } else if (sec == SEC_E) {
            free(st->e[i].email);
            free(st->e[i].last_error);
        } else {
            free(st->f[i].kind);
            free(st->f[i].channel);
            free(st->f[i].dest);
            free(st->f[i].error);
        }
    }
    void **list[NSEC] = { (void **)&st->w, (void **)&st->e, (void **)&st->f };
    free(*list[sec]);
    *list[sec] = NULL;
    st->n[sec] = 0;
}

static long total(const struct notifyset *st)
{
    return (long)(st->n[SEC_W] + st->n[SEC_E] + st->n[SEC_F]);
}

/* The section and index of the cursor's row; false when there is none. */
static bool at_cursor(const struct notifyset *st, int *sec, size_t *i)
{
    long c = st->cursor;
    for (int s = 0; s < NSEC; s++) {
        if (c >= 0 && c < (long)st->n[s]) {
            *sec = s;
            *i = (size_t)c;
            return true;
        }
        c -= (long)st->n[s];
    }
    return false;
}

static const char *row_id(const struct notifyset *st, int sec, size_t i)
{
    return sec == SEC_W ? st->w[i].id : sec == SEC_E ? st->e[i].id : st->f[i].id;
}

static void clamp(struct notifyset *st)
{
    if (st->cursor >= total(st))
        st->cursor = total(st) - 1;
    if (st->cursor < 0)
        st->cursor = 0;
}

/* After a list came: the cursor back on the row it was on, if still there. */
static void relocate(struct notifyset *st)
{
    long base = 0;
    for (int s = 0; s < NSEC; s++) {
        if (s == st->keep_sec)
            for (size_t i = 0; i < st->n[s]; i++)
                if (st->keep_id[0] && strcmp(row_id(st, s, i), st->keep_id) == 0)
                    st->cursor = base + (long)i;
        base += (long)st->n[s];
    }
    clamp(st);
}

/* "11-30 14:05" in the practice's zone; NONE for "". */
static void short_time(const struct notifyset *st, const char *ts, const char *none, char *buf,
                       size_t size)
{
    if (!ts || !ts[0]) {
        snprintf(buf, size, "%s", none);
        return;
    }
    lumen_format_time(st->L, ts, buf, size);
    if (strlen(buf) == 16)      /* "2026-11-30 14:05": the year goes */
        memmove(buf, buf + 5, 12);
}

static char *dup_or_empty(const char *s)
{
    return mem_strdup(s ? s : "");
}

/* --- loading ------------------------------------------------------------------- */

static void tick(void *ud);

static bool on_top(const struct notifyset *st)
{
    struct tui_screen *s = st->L->screens[SCR_NOTIFYSET];
    return s && tui_app_top(st->L->app) == s && !tui_app_locked(st->L->app);
}

static void arm_timer(struct notifyset *st)
{
    bool busy = false;
    for (size_t i = 0; i < st->n[SEC_W]; i++)
        busy |= st->w[i].pending > 0;
    for (size_t i = 0; i < st->n[SEC_E]; i++)
        busy |= st->e[i].pending > 0;
    for (size_t i = 0; i < st->n[SEC_F]; i++)
        busy |= st->f[i].retrying;
    if (on_top(st) && tui_app_since_input(st->L->app) < NS_POLL_QUIET_MS)
        lumen_timer(st->L, busy ? NS_POLL_BUSY_MS : NS_POLL_MS, tick, st);
}

/* One answer in: when it was the last, the cursor finds its row again and
 * the next look is timed. */
static void answered(struct notifyset *st, enum api_err err)
{
    /* A call cancelled by a newer load (or by leaving) counts for nothing:
     * the newer load set the count afresh. */
    if (err == API_ERR_CANCELLED)
        return;
    if (st->loading > 0)
        st->loading--;
    if (err != API_OK) {
        snprintf(st->err, sizeof st->err, "%s", api_err_message(err));
        lumen_call_failed(st->L, err);
    }
    st->version++;
    relocate(st);
    if (!st->loading)
        arm_timer(st);
    tui_app_dirty(st->L->app);
}

static void on_settings(void *ud, enum api_err err, const struct api_practice_settings *p)
{
    struct notifyset *st = ud;
    if (err == API_OK) {
        free(st->link);
        st->link = dup_or_empty(p->lead_link);
    }
    answered(st, err);
}

static void on_webhooks(void *ud, enum api_err err, const struct api_notify_webhook *list,
                        size_t n)
{
    struct notifyset *st = ud;
    if (err == API_OK) {
        rows_free(st, SEC_W);
        st->w = mem_alloc((n ? n : 1) * sizeof *st->w);
        for (size_t i = 0; i < n; i++) {
            const struct api_notify_webhook *r = &list[i];
            struct nw *w = &st->w[i];
            memset(w, 0, sizeof *w);
            snprintf(w->id, sizeof w->id, "%s", r->id);
            w->url = dup_or_empty(r->url);
            w->desc = dup_or_empty(r->description);
            w->last_error = dup_or_empty(r->last_error);
            notify_webhook_state(r->disabled_at, r->disabled_reason, r->secrets, w->state,
                                 sizeof w->state);
            w->disabled = r->disabled_at[0] != '\0';
            short_time(st, r->last_delivered_at, "never", w->delivered, sizeof w->delivered);
            short_time(st, r->last_error_at, "", w->error_at, sizeof w->error_at);
            /* Both UTC text in one format (the connection's zone): the
             * later compares greater. */
            w->failing = r->last_error_at[0] &&
                         strcmp(r->last_error_at, r->last_delivered_at) > 0;
            if (w->failing)
                snprintf(w->last, sizeof w->last, "error %s", w->error_at);
            else if (r->last_delivered_at[0])
                snprintf(w->last, sizeof w->last, "ok %s", w->delivered);
            else
                snprintf(w->last, sizeof w->last, "never");
            w->pending = r->pending;
            w->failed = r->failed;
        }
        st->n[SEC_W] = n;
    }
    answered(st, err);
}

static void on_emails(void *ud, enum api_err err, const struct api_notify_email *list, size_t n)
{
    struct notifyset *st = ud;
    if (err == API_OK) {
        rows_free(st, SEC_E);
        st->e = mem_alloc((n ? n : 1) * sizeof *st->e);
        for (size_t i = 0; i < n; i++) {
            const struct api_notify_email *r = &list[i];
            struct ne *e = &st->e[i];
            memset(e, 0, sizeof *e);
            snprintf(e->id, sizeof e->id, "%s", r->id);
            e->email = dup_or_empty(r->email);
            e->last_error = dup_or_empty(r->last_error);
            short_time(st, r->last_delivered_at, "never", e->delivered, sizeof e->delivered);
            short_time(st, r->last_error_at, "", e->error_at, sizeof e->error_at);
            e->pending = r->pending;
            e->failed = r->failed;
        }
        st->n[SEC_E] = n;
    }
    answered(st, err);
}

static void on_failures(void *ud, enum api_err err, const struct api_notify_failure *list,
                        size_t n)
{
    struct notifyset *st = ud;
    if (err == API_OK) {
        rows_free(st, SEC_F);
        st->f = mem_alloc((n ? n : 1) * sizeof *st->f);
        for (size_t i = 0; i < n; i++) {
            const struct api_notify_failure *r = &list[i];
            struct nf *f = &st->f[i];
            memset(f, 0, sizeof *f);
            snprintf(f->id, sizeof f->id, "%lld", r->id);
            f->kind = dup_or_empty(r->kind);
            f->channel = dup_or_empty(r->channel);
            f->dest = dup_or_empty(r->destination);
            f->error = dup_or_empty(r->last_error);
            f->attempts = r->attempts;
            f->retrying = r->state == API_NOTIFY_RETRYING;
            short_time(st, r->last_attempt_at, "-", f->when, sizeof f->when);
            short_time(st, r->next_attempt_at, "", f->next, sizeof f->next);
        }
        st->n[SEC_F] = n;
    }
    answered(st, err);
}

static void load(struct notifyset *st)
{
    struct lumen *L = st->L;
    int sec;
    size_t i;
    api_cancel(L->db, st);
    st->keep_id[0] = '\0';
    if (at_cursor(st, &sec, &i)) {
        st->keep_sec = sec;
        snprintf(st->keep_id, sizeof st->keep_id, "%s", row_id(st, sec, i));
    }
    st->err[0] = '\0';
    st->loading = 4;
    api_practice_settings(L->db, &L->auth, on_settings, st, st);
    api_notify_webhooks(L->db, &L->auth, on_webhooks, st, st);
    api_notify_emails(L->db, &L->auth, on_emails, st, st);
    api_notify_failures(L->db, &L->auth, NS_FAILURES, on_failures, st, st);
}

static void tick(void *ud)
{
    struct notifyset *st = ud;
    if (on_top(st) && !st->loading)
        load(st);
}

/* --- drawing ------------------------------------------------------------------- */

static unsigned w_row(void *ud, int64_t row, struct table_cell *c)
{
    const struct notifyset *st = ud;
    if (row < 0 || row >= (int64_t)st->n[SEC_W])
        return TABLE_ROW_MISSING;
    const struct nw *w = &st->w[row];
    static char pending[24];
    c[0].text = w->url;
    c[1].text = w->desc[0] ? w->desc : "-";
    c[1].role = w->desc[0] ? ROLE_NORMAL : ROLE_DIM;
    c[2].text = w->state;
    c[2].role = w->disabled ? ROLE_ERROR : ROLE_NORMAL;
    c[3].text = w->last;
    c[3].role = w->failing ? ROLE_ERROR : ROLE_DIM;
    snprintf(pending, sizeof pending, "%lld", w->pending);
    c[4].text = pending;
    return 0;
}

static unsigned e_row(void *ud, int64_t row, struct table_cell *c)
{
    const struct notifyset *st = ud;
    if (row < 0 || row >= (int64_t)st->n[SEC_E])
        return TABLE_ROW_MISSING;
    const struct ne *e = &st->e[row];
    static char pending[24];
    c[0].text = e->email;
    c[1].text = e->delivered;
    c[1].role = ROLE_DIM;
    c[2].text = e->last_error[0] ? e->last_error : "-";
    c[2].role = e->last_error[0] ? ROLE_ERROR : ROLE_DIM;
    snprintf(pending, sizeof pending, "%lld", e->pending);
    c[3].text = pending;
    return 0;
}

static unsigned f_row(void *ud, int64_t row, struct table_cell *c)
{
    const struct notifyset *st = ud;
    if (row < 0 || row >= (int64_t)st->n[SEC_F])
        return TABLE_ROW_MISSING;
    const struct nf *f = &st->f[row];
    static char tries[16];
    c[0].text = f->kind;
    c[1].text = f->dest;
    snprintf(tries, sizeof tries, "%d", f->attempts);
    c[2].text = tries;
    c[3].text = f->retrying ? "retrying" : "failed";
    c[3].role = f->retrying ? ROLE_STATUS : ROLE_ERROR;
    c[4].text = f->error[0] ? f->error : "-";
    c[5].text = f->when;
    c[5].role = ROLE_DIM;
    return 0;
}

/* Keeps the cursor's row in view of a section of VISIBLE rows from *FIRST. */
static void follow(long *first, long cursor, int visible, long n)
{
    if (visible < 1)
        visible = 1;
    if (cursor >= 0) {
        if (cursor < *first)
            *first = cursor;
        if (cursor >= *first + visible)
            *first = cursor - visible + 1;
    }
    if (*first > n - visible)
        *first = n - visible;
    if (*first < 0)
        *first = 0;
}

/* The row under the cursor in full, one string (raw: sanitized after). */
static void detail_text(const struct notifyset *st, char *buf, size_t size)
{
    int sec;
    size_t i;
    char err[400] = "";
    buf[0] = '\0';
    if (!at_cursor(st, &sec, &i))
        return;
    if (sec == SEC_W) {
        const struct nw *w = &st->w[i];
        if (w->last_error[0])
            snprintf(err, sizeof err, "; last error %s: %s", w->error_at, w->last_error);
        snprintf(buf, size, "%s%s%s%s: %s; last delivered %s%s; %lld pending, %lld failed",
                 w->url, w->desc[0] ? " (" : "", w->desc, w->desc[0] ? ")" : "", w->state,
                 w->delivered, err, w->pending, w->failed);
    } else if (sec == SEC_E) {
        const struct ne *e = &st->e[i];
        if (e->last_error[0])
            snprintf(err, sizeof err, "; last error %s: %s", e->error_at, e->last_error);
        snprintf(buf, size, "%s: gets the lead alerts; last delivered %s%s; %lld pending, "
                 "%lld failed", e->email, e->delivered, err, e->pending, e->failed);
    } else {
        const struct nf *f = &st->f[i];
        char next[64] = "";
        if (f->retrying && f->next[0])
            snprintf(next, sizeof next, ", next try %s", f->next);
        snprintf(buf, size, "%s by %s to %s: %s after %d attempt%s (last %s%s); error: %s",
                 f->kind, f->channel, f->dest, f->retrying ? "retrying" : "failed",
                 f->attempts, f->attempts == 1 ? "" : "s", f->when, next,
                 f->error[0] ? f->error : "none said");
    }
}

/* TEXT wrapped over LINES lines from Y; the last one ends in an ellipsis
 * when there is more. */
static void draw_wrapped(struct notifyset *st, WINDOW *w, int y, int lines, int cols,
                         const char *raw)
{
    unsigned tf = st->L->tf;
    size_t rawlen = strlen(raw), size = TEXT_SANITIZE_MAX(rawlen);
    char *clean = mem_alloc(size), line[1200];
    text_sanitize(clean, size, raw, rawlen, tf, NULL);
    const char *p = clean;
    for (int k = 0; k < lines && *p; k++) {
        size_t len, width, skip = text_wrap_next(p, (size_t)cols, &len, &width);
        bool last = k == lines - 1 && p[skip];
        if (last) {
            snprintf(line, sizeof line, "%s", p);
            text_fit(line, sizeof line, (size_t)cols, tf | TEXT_ELLIPSIS);
        } else {
            snprintf(line, sizeof line, "%.*s", (int)len, p);
        }
        tui_put(w, y + k, 1, cols, line, tf);
        p += skip ? skip : strlen(p);
    }
    free(clean);
}

static void section_title(struct notifyset *st, WINDOW *w, int y, int cols, const char *title,
                          const char *aside)
{
    wattrset(w, theme_attr(ROLE_TITLE));
    tui_put(w, y, 0, cols, title, st->L->tf);
    int tw = (int)text_width(title) + 2;
    if (aside && tw < cols) {
        wattrset(w, theme_attr(ROLE_DIM));
        tui_put(w, y, tw, cols - tw, aside, st->L->tf);
    }
}

static void notifyset_draw(struct tui_screen *s, WINDOW *w, int h, int cols)
{
    struct notifyset *st = s->state;
    struct lumen *L = st->L;
    char buf[400], key[KEYMAP_NAME_MAX], aside[200];

    snprintf(buf, sizeof buf, " Notifications of %s", L->me.practice_name);
    wattrset(w, theme_attr(ROLE_TITLE));
    tui_put(w, 0, 0, cols, buf, L->tf);
    common_key_name(L, ACT_TOP, false, key, sizeof key);
    snprintf(aside, sizeof aside, "%s asks again", key);
    const char *right = st->err[0] ? st->err : st->loading ? "loading..." : key[0] ? aside : NULL;
    if (right) {
        int rw = (int)text_width(right) + 1;
        if (rw > cols / 2)
            rw = cols / 2;
        wattrset(w, theme_attr(st->err[0] ? ROLE_ERROR : ROLE_DIM) | (st->err[0] ? A_BOLD : 0));
        tui_put(w, 0, cols - rw, rw, right, L->tf);
    }
    wattrset(w, theme_attr(ROLE_BORDER));
    mvwhline(w, 1, 0, ACS_HLINE, cols);

    wattrset(w, theme_attr(ROLE_DIM));
    mvwaddstr(w, 2, 1, "Lead link");
    bool has_link = st->link && st->link[0];
    wattrset(w, theme_attr(has_link ? ROLE_NORMAL : ROLE_DIM) | (has_link ? A_BOLD : 0));
    tui_put(w, 2, 12, cols - 12, !st->link ? "..." : has_link ? st->link
            : "none: lead alerts carry no link", L->tf);

    /* Each section: its title, its table's header, its rows. */
    int want[NSEC], rows[NSEC];
    for (int k = 0; k < NSEC; k++)
        want[k] = st->n[k] ? (int)st->n[k] : 1;
    notify_split(h - NS_TOP - NSEC * 2 - 1 - NS_DETAIL, want, NSEC, rows);
    if (!rows[0])
        return;
    table_row_fn fns[NSEC] = { w_row, e_row, f_row };
    char empty[NSEC][120];
    char ka[KEYMAP_NAME_MAX], ke[KEYMAP_NAME_MAX];
    common_key_name(L, ACT_WEBHOOK_ADD, false, ka, sizeof ka);
    common_key_name(L, ACT_EMAIL_ADD, false, ke, sizeof ke);
    snprintf(empty[SEC_W], sizeof empty[SEC_W], "None%s%s%s", ka[0] ? ": " : ".", ka,
             ka[0] ? " adds one (a URL that receives signed JSON)." : "");
    snprintf(empty[SEC_E], sizeof empty[SEC_E], "None%s%s%s", ke[0] ? ": " : ".", ke,
             ke[0] ? " adds an address for the lead alerts." : "");
    snprintf(empty[SEC_F], sizeof empty[SEC_F], "None: every delivery went through.");
    int y = NS_TOP;
    long base = 0;
    for (int k = 0; k < NSEC; k++) {
        if (k == SEC_W)
            snprintf(buf, sizeof buf, " Webhooks (%zu of %d)", st->n[k], NS_MAX_WEBHOOKS);
        else if (k == SEC_E)
            snprintf(buf, sizeof buf, " Lead alerts by email (%zu of %d)", st->n[k],
                     NS_MAX_EMAILS);
        else
            snprintf(buf, sizeof buf, " Failed or retrying deliveries (%zu)", st->n[k]);
        section_title(st, w, y, cols, buf, k == SEC_W ? "signed as Standard Webhooks" : NULL);
        long c = st->cursor - base;
        bool here = c >= 0 && c < (long)st->n[k];
        follow(&st->first[k], here ? c : -1, rows[k], (long)st->n[k]);
        struct table_rect rect = { y + 1, 0, rows[k] + 1, cols };
        struct table_view view = { st->first[k], (int)st->n[k] - (int)st->first[k], c, here,
                                   st->version, st->loading && !st->n[k] ? NULL : empty[k] };
        table_invalidate(&st->t[k]);
        table_draw(&st->t[k], w, &rect, &view, fns[k], st);
        y += rows[k] + 2;
        base += (long)st->n[k];
    }
    /* The row under the cursor, at the bottom: longer where there is room. */
    int lines = h - y - 1;
    lines = lines < NS_DETAIL ? NS_DETAIL : lines > NS_DETAIL_MAX ? NS_DETAIL_MAX : lines;
    wattrset(w, theme_attr(ROLE_BORDER));
    mvwhline(w, h - lines - 1, 0, ACS_HLINE, cols);
    char *detail = mem_alloc(4096);
    detail_text(st, detail, 4096);
    wattrset(w, theme_attr(ROLE_NORMAL));
    draw_wrapped(st, w, h - lines, lines, cols - 2, detail);
    free(detail);
}

/* --- keys ------------------------------------------------------------------------ */

static void target_of(const struct notifyset *st, struct notify_target *t)
{
    int sec;
    size_t i;
    memset(t, 0, sizeof *t);
    if (!at_cursor(st, &sec, &i))
        return;
    const char *label = "";
    if (sec == SEC_W) {
        t->kind = NOTIFY_WEBHOOK;
        t->disabled = st->w[i].disabled;
        label = st->w[i].url;
    } else if (sec == SEC_E) {
        t->kind = NOTIFY_EMAIL;
        label = st->e[i].email;
    } else {
        t->kind = NOTIFY_FAILURE;
    }
    snprintf(t->id, sizeof t->id, "%s", row_id(st, sec, i));
    /* A dialog wraps at 56 columns: a long URL is cut to fit in one. */
    text_cell(t->label, sizeof t->label, label, strlen(label), 48, st->L->tf | TEXT_ELLIPSIS);
}

static enum tui_result notifyset_action(struct tui_screen *s, int action)
{
    struct notifyset *st = s->state;
    long n = total(st);
    switch (action) {
    case ACT_UP: st->cursor--; break;
    case ACT_DOWN: st->cursor++; break;
    case ACT_PAGE_UP: st->cursor -= 10; break;
    case ACT_PAGE_DOWN: st->cursor += 10; break;
    case ACT_BOTTOM: st->cursor = n - 1; break;
    case ACT_TOP:
        st->cursor = 0;
        load(st);
        break;
    case ACT_CANCEL:
        tui_app_pop(s->app);
        return TUI_REDRAW;
    default: {
        if (!notifyact_handles(action))
            return TUI_UNHANDLED;
        struct notify_target t;
        target_of(st, &t);
        notifyact_action(&st->act, action, &t, st->link);
        return TUI_REDRAW;
    }
    }
    clamp(st);
    return TUI_REDRAW;
}

/* Keys only where they apply: on the row under the cursor, and no add
 * past the server's limit. */
static bool notifyset_allowed(struct tui_screen *s, int action)
{
    struct notifyset *st = s->state;
    int sec = -1;
    size_t i = 0;
    bool row = at_cursor(st, &sec, &i);
    bool hook = row && sec == SEC_W, mail = row && sec == SEC_E;
    switch (action) {
    case ACT_OPEN:
        return false;
    case ACT_WEBHOOK_ADD:
        return st->n[SEC_W] < NS_MAX_WEBHOOKS;
    case ACT_EMAIL_ADD:
        return st->n[SEC_E] < NS_MAX_EMAILS;
    case ACT_NOTIFY_REMOVE:
        return hook || mail;
    case ACT_WEBHOOK_ROTATE:
        return hook;
    case ACT_WEBHOOK_ENABLE:
        return hook && st->w[i].disabled;
    case ACT_NOTIFY_TEST:
        return (hook && !st->w[i].disabled) || mail;
    }
    return true;
}

/* --- life ------------------------------------------------------------------------ */

/* After a change: the list again, the cursor on what was just added. */
static void changed(void *ud)
{
    struct notifyset *st = ud;
    load(st);
    if (st->act.added_id[0]) {
        st->keep_sec = st->act.added_kind == NOTIFY_WEBHOOK ? SEC_W : SEC_E;
        snprintf(st->keep_id, sizeof st->keep_id, "%s", st->act.added_id);
        st->act.added_id[0] = '\0';
    }
}

static void forget_timer(struct notifyset *st)
{
    if (st->L->timer_ud == st)
        lumen_timer(st->L, 0, NULL, NULL);
}

/* lumen_go(SCR_NOTIFYSET, NULL) */
static void notifyset_open(struct tui_screen *s, void *arg)
{
    struct notifyset *st = s->state;
    (void)arg;
    for (int k = 0; k < NSEC; k++) {
        rows_free(st, k);
        st->first[k] = 0;
    }
    free(st->link);
    st->link = NULL;
    st->cursor = 0;
    st->version++;
    load(st);
}

static void notifyset_enter(struct tui_screen *s)
{
    struct notifyset *st = s->state;
    if (!st->loading)
        arm_timer(st);
}

static void notifyset_leave(struct tui_screen *s)
{
    forget_timer(s->state);
}

static void notifyset_removed(struct tui_screen *s)
{
    struct notifyset *st = s->state;
    api_cancel(st->L->db, &st->act);
    forget_timer(st);
    st->loading = 0;
}

static void notifyset_destroy(struct tui_screen *s)
{
    struct notifyset *st = s->state;
    notifyact_free(&st->act);
    for (int k = 0; k < NSEC; k++)
        rows_free(st, k);
    free(st->link);
    st->link = NULL;
}

static void notifyset_init(struct tui_screen *s)
{
    struct notifyset *st = s->state;
    st->L = s->ud;
    table_init(&st->t[SEC_W], w_cols, NCOLS(w_cols), 0, st->L->tf);
    table_init(&st->t[SEC_E], e_cols, NCOLS(e_cols), 0, st->L->tf);
    table_init(&st->t[SEC_F], f_cols, NCOLS(f_cols), 0, st->L->tf);
    notifyact_init(&st->act, st->L, changed, st);
}

const struct screen_ops notifyset_ops = {
    .name = "notifyset",
    .state_size = sizeof(struct notifyset),
    .init = notifyset_init,
    .open = notifyset_open,
    .enter = notifyset_enter,
    .leave = notifyset_leave,
    .removed = notifyset_removed,
    .ctx = SCOPE_NOTIFY,
    .draw = notifyset_draw,
    .action = notifyset_action,
    .allowed = notifyset_allowed,
    .destroy = notifyset_destroy,
};
