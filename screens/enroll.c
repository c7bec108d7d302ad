/* Turning two-factor on (screens/security.h): the server makes a secret
 * (api.mfa_enroll_begin), shown once as a QR code of its otpauth:// URI
 * (tui/qr.h: half blocks with UTF-8 and colour, full blocks without
 * UTF-8, reverse video under NO_COLOR or monochrome; the 4-module quiet
 * zone) and below it as text in groups of four; a field takes the first
 * code from the app (api.mfa_enroll_confirm), and the recovery codes
 * follow (recovery.c).  Where the window is too small for the code, the
 * screen says how many rows and columns it needs, shows the key as text,
 * and C-t shows the URI too.
 *
 * Required (lumen_enroll_required): the practice requires two-factor and
 * the account has none.  The screen says why and offers nothing else but
 * enrolling or signing out; once the codes are saved, on into the
 * practice.
 *
 * The secret and the URI live in secure memory, wiped when the screen
 * goes (or the code is confirmed). */
#include "screens/actions.h"
#include "screens/common.h"
#include "screens/screen.h"
#include "screens/security.h"
#include "client/mem.h"
#include "tui/form.h"
#include "tui/qr.h"
#include "tui/text.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#define ENROLL_SECRET_MAX 128
#define ENROLL_URI_MAX 1024
#define ENROLL_TOP 2            /* the title and a rule */

struct enroll {
    struct lumen *L;
    bool required;
    bool loading, busy;
    char err[300];
    char *secret;               /* secure memory: base32 */
    char *uri;                  /* secure memory: otpauth://... */
    struct tui_qr qr;           /* empty (width 0) until the key came */
    bool show_uri;
    struct form form;           /* the first code */
    struct form_cursor cur;
};

/* --- the secret ------------------------------------------------------------------ */

static void forget(struct enroll *st)
{
    if (st->secret) {
        sodium_free(st->secret);        /* wipes */
        st->secret = NULL;
    }
    if (st->uri) {
        sodium_free(st->uri);
        st->uri = NULL;
    }
    tui_qr_free(&st->qr);
    st->show_uri = false;
}

static char *secure_copy(const char *s, size_t max)
{
    size_t n = strnlen(s, max);
    char *p = sodium_malloc(n + 1);
    if (!p)
        mem_fatal("out of secure memory");
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

static void begin(struct enroll *st);

static void begin_again(void *ud)
{
    begin(ud);
}

static void on_begin(void *ud, enum api_err err, const struct api_mfa_enroll *r)
{
    struct enroll *st = ud;
    struct lumen *L = st->L;
    st->loading = false;
    if (err == API_ERR_STEP_UP) {
        /* The password again (its last proof is over 10 minutes old);
         * Esc leaves the screen saying nothing began. */
        snprintf(st->err, sizeof st->err, "Confirm your password to begin.");
        lumen_step_up(L, "Turning two-factor on", begin_again, st);
        return;
    }
    if (err == API_ERR_INVALID) {
        /* On already: nothing to enroll. */
        if (st->required) {
            lumen_signed_in(L);
        } else {
            lumen_go(L, SCR_SECURITY, NULL);
            security_note(L, ROLE_STATUS, "Two-factor is on already.");
        }
        return;
    }
    if (err != API_OK) {
        if (err != API_ERR_CANCELLED)
            snprintf(st->err, sizeof st->err, "%s", api_err_message(err));
        tui_app_dirty(L->app);
        return;
    }
    forget(st);
    st->secret = secure_copy(r->secret_base32, ENROLL_SECRET_MAX);
    st->uri = secure_copy(r->uri, ENROLL_URI_MAX);
    tui_qr_encode(&st->qr, st->uri);    /* -1 leaves it empty: the text fallback */
    st->err[0] = '\0';
    tui_app_dirty(L->app);
}

static void begin(struct enroll *st)
{
    api_cancel(st->L->db, st);
    forget(st);
    st->loading = true;
    st->busy = false;
    st->err[0] = '\0';
    api_mfa_enroll_begin(st->L->db, &st->L->auth, on_begin, st, st);
}

/* --- the first code ---------------------------------------------------------------- */

static void on_confirm(void *ud, enum api_err err, const struct api_outcome *r)
{
    struct enroll *st = ud;
    struct lumen *L = st->L;
    char msg[200];
    st->busy = false;
    field_clear(form_field(&st->form, 0));
    if (err != API_OK) {
        if (err != API_ERR_CANCELLED)
            form_set_error(&st->form, api_err_message(err));
        tui_app_dirty(L->app);
        return;
    }
    switch (r->status) {
    case API_OUTCOME_OK:
        forget(st);
        L->me.mfa_enabled = true;       /* the lock asks for a code from now on */
        recovery_codes_show(L, r->secret ? r->secret : "", r->secret ? strlen(r->secret) : 0,
                            st->required);
        return;
    case API_OUTCOME_LAPSED:
        begin(st);
        form_set_error(&st->form, "The key lapsed (10 minutes): this is a new one. Scan it "
                       "again; the old entry in your app will not work.");
        break;
    case API_OUTCOME_LOCKED: {
        int m = (r->retry_after_s + 59) / 60;
        snprintf(msg, sizeof msg, "Too many wrong codes: try again in %d minute%s.",
                 m > 0 ? m : 1, m == 1 ? "" : "s");
        form_set_error(&st->form, msg);
        break;
    }
    default:
        form_set_field_error(&st->form, 0, "That code is not right. Check the phone's clock, "
                             "then type the code the app shows now.");
        break;
    }
    tui_app_dirty(L->app);
}

static void submit(struct enroll *st)
{
    size_t len;
    const char *code = field_text(form_field(&st->form, 0), &len);
    form_clear_errors(&st->form);
    if (!st->secret)
        return;
    if (len != 6) {
        form_set_field_error(&st->form, 0, "The app shows 6 digits.");
        return;
    }
    st->busy = true;
    api_mfa_enroll_confirm(st->L->db, &st->L->auth, code, on_confirm, st, st);
}

/* --- drawing ------------------------------------------------------------------------ */

static int put_wrapped(struct enroll *st, WINDOW *w, int y, int maxy, int x, int cols,
                       const char *text, enum theme_role role, attr_t attr)
{
    size_t len, width;
    wattrset(w, theme_attr(role) | attr);
    for (const char *p = text; *p && y < maxy;) {
        size_t adv = text_wrap_next(p, (size_t)cols, &len, &width);
        char line[1200];
        snprintf(line, sizeof line, "%.*s", (int)len, p);
        tui_put(w, y++, x, cols, line, st->L->tf);
        if (!adv)
            break;
        p += adv;
    }
    wattrset(w, theme_attr(ROLE_NORMAL));
    return y;
}

static int wrapped_rows(const char *text, int cols)
{
    size_t len, width;
    int n = 0;
    for (const char *p = text; *p; n++) {
        size_t adv = text_wrap_next(p, (size_t)cols, &len, &width);
        if (!adv)
            return n + 1;
        p += adv;
    }
    return n;
}

static void intro(struct enroll *st, char *buf, size_t size)
{
    char key[KEYMAP_NAME_MAX];
    common_key_name(st->L, ACT_ENROLL_SIGN_OUT, true, key, sizeof key);
    if (st->required)
        snprintf(buf, size, "%s requires two-factor sign-in for every member. Turn it on to go "
                 "on%s%s%s. Scan the code with an authenticator app (Google Authenticator, "
                 "1Password, Aegis, ...), then type the 6 digits it shows.",
                 st->L->me.practice_name[0] ? st->L->me.practice_name : "Your practice",
                 key[0] ? ", or sign out (" : "", key, key[0] ? ")" : "");
    else
        snprintf(buf, size, "Scan the code with an authenticator app (Google Authenticator, "
                 "1Password, Aegis, ...), then type the 6 digits it shows. From then on, "
                 "signing in takes your password and a code from the app.");
}

static void enroll_draw(struct tui_screen *s, WINDOW *w, int h, int cols)
{
    struct enroll *st = s->state;
    struct lumen *L = st->L;
    char text[1200], groups[ENROLL_SECRET_MAX * 2], key[KEYMAP_NAME_MAX];
    int x = 2, tw = cols - 4;
    wattrset(w, theme_attr(ROLE_TITLE));
    tui_put(w, 0, 0, cols, st->required ? " Two-factor is required: turn it on"
                                        : " Turn on two-factor", L->tf);
    wattrset(w, theme_attr(ROLE_BORDER));
    mvwhline(w, 1, 0, ACS_HLINE, cols);
    intro(st, text, sizeof text);
    int y = put_wrapped(st, w, ENROLL_TOP, h, x, tw, text, ROLE_NORMAL, 0);
    if (st->loading || st->err[0] || !st->secret) {
        put_wrapped(st, w, y + 1, h, x, tw, st->err[0] ? st->err : "Making a new key...",
                    st->err[0] ? ROLE_ERROR : ROLE_DIM, 0);
        st->cur.x = -1;
        return;
    }
    security_key_groups(st->secret, groups, sizeof groups);
    struct form_layout lo;
    form_layout(&st->form, tw, &lo);
    /* What has to fit under the code: a blank, the key, the link when
     * asked for, a blank, the form. */
    int uri_rows = st->show_uri ? 1 + wrapped_rows(st->uri, tw - 6) : 0;
    int below = 1 + 1 + uri_rows + 1 + lo.rows;
    enum tui_qr_mode mode = tui_qr_mode_for(L->tf, theme_has_color());
    int qr_rows = 0, qr_cols = 0;
    bool have_qr = st->qr.width > 0;
    tui_qr_size(&st->qr, mode, &qr_rows, &qr_cols);
    bool fits = have_qr && y + 1 + qr_rows + below <= h && qr_cols + 2 * x <= cols;
    if (fits) {
        tui_qr_draw(w, y + 1, (cols - qr_cols) / 2, &st->qr, mode);
        y += 1 + qr_rows;
    } else {
        /* The whole terminal it takes: the body's rows plus the header
         * and status rows, and at least Lumen's 80 columns. */
        int need_rows = ENROLL_TOP + wrapped_rows(text, tw) + 1 + qr_rows + below + 2;
        int need_cols = qr_cols + 2 * x > TUI_MIN_COLS ? qr_cols + 2 * x : TUI_MIN_COLS;
        if (have_qr)
            snprintf(text, sizeof text, "The QR code needs a terminal of %d rows and %d "
                     "columns (this one has %d and %d). Make the window larger, or type the key "
                     "below into your app by hand (time-based, 6 digits, 30 seconds).",
                     need_rows, need_cols, h + 2, cols);
        else
            snprintf(text, sizeof text, "The QR code cannot be drawn here. Type the key below "
                     "into your app by hand (time-based, 6 digits, 30 seconds).");
        y = put_wrapped(st, w, y + 1, h, x, tw, text, ROLE_STATUS, 0);
    }
    y++;
    wattrset(w, theme_attr(ROLE_DIM));
    mvwaddstr(w, y, x, "Key");
    wattrset(w, theme_attr(ROLE_NORMAL) | A_BOLD);
    tui_put(w, y, x + 6, tw - 6, groups, L->tf);
    y++;
    if (st->show_uri) {
        wattrset(w, theme_attr(ROLE_DIM));
        mvwaddstr(w, y, x, "Link");
        y = put_wrapped(st, w, y, h, x + 6, tw - 6, st->uri, ROLE_NORMAL, 0);
    } else {
        common_key_name(L, ACT_SHOW_URI, true, key, sizeof key);
        if (key[0] && !fits && y < h) {
            snprintf(text, sizeof text, "%s shows the otpauth:// link too.", key);
            wattrset(w, theme_attr(ROLE_DIM));
            tui_put(w, y++, x + 6, tw - 6, text, L->tf);
        }
    }
    form_screen_draw(&st->form, w, y + 1, x, tw, h - y - 1, &st->cur);
    if (st->busy) {
        wattrset(w, theme_attr(ROLE_DIM));
        tui_put(w, h - 1, x, tw, "Checking the code...", L->tf);
    }
}

/* --- keys ----------------------------------------------------------------------------- */

static void leave_enroll(struct enroll *st)
{
    api_cancel(st->L->db, st);
    forget(st);
    lumen_go(st->L, SCR_SECURITY, NULL);
}

static enum tui_result enroll_key(struct tui_screen *s, tui_key k)
{
    struct enroll *st = s->state;
    if (st->busy)
        return tui_key_is_text(k) ? TUI_HANDLED : TUI_UNHANDLED;
    return form_screen_key(&st->form, k);
}

static enum tui_result enroll_action(struct tui_screen *s, int action)
{
    struct enroll *st = s->state;
    struct lumen *L = st->L;
    bool go = false;
    if (!st->busy) {
        enum tui_result r = form_screen_action(&st->form, action, &go);
        if (go)
            submit(st);
        if (r != TUI_UNHANDLED)
            return r;
    }
    switch (action) {
    case ACT_SHOW_URI:
        st->show_uri = !st->show_uri && st->uri;
        return TUI_REDRAW;
    case ACT_CANCEL:
        if (st->busy) {
            api_cancel(L->db, st);
            st->busy = false;
        } else if (!st->required) {
            leave_enroll(st);
        }
        return TUI_REDRAW;
    case ACT_ENROLL_SIGN_OUT:
        api_cancel(L->db, st);
        forget(st);
        lumen_sign_out_call(L);
        lumen_signed_out(L, "Signed out. Your practice requires two-factor: sign in again "
                         "when your authenticator app is at hand.");
        return TUI_REDRAW;
    }
    return TUI_UNHANDLED;
}

/* Required: nothing but enrolling, signing out or quitting. */
static bool enroll_allowed(struct tui_screen *s, int action)
{
    struct enroll *st = s->state;
    if (action == ACT_ENROLL_SIGN_OUT)
        return st->required;
    if (st->required && (ACT_IS_TAB(action) || action == ACT_CANCEL))
        return false;
    return true;
}

static bool enroll_cursor(struct tui_screen *s, int *y, int *x)
{
    struct enroll *st = s->state;
    return form_screen_cursor(&st->cur, st->busy || !st->secret, y, x);
}

/* --- life ------------------------------------------------------------------------------- */

static void setup_form(struct enroll *st)
{
    form_free(&st->form);
    form_init(&st->form, st->L->tf);
    form_add(&st->form, "Code from the app", FIELD_DIGITS, 6, 6);
    form_set_hint(&st->form, 0, "6 digits; Enter turns two-factor on");
}

static void enroll_open(struct tui_screen *s, void *arg)
{
    struct enroll *st = s->state;
    const struct enroll_arg *a = arg;
    st->required = a && a->required;
    setup_form(st);
    begin(st);
}

static void enroll_removed(struct tui_screen *s)
{
    struct enroll *st = s->state;
    forget(st);
    form_free(&st->form);
    st->busy = st->loading = false;
}

static void enroll_destroy(struct tui_screen *s)
{
    struct enroll *st = s->state;
    forget(st);
    form_free(&st->form);
}

static void enroll_init(struct tui_screen *s)
{
    struct enroll *st = s->state;
    st->L = s->ud;
    form_init(&st->form, st->L->tf);
}

const struct screen_ops enroll_ops = {
    .name = "enroll",
    .state_size = sizeof(struct enroll),
    .init = enroll_init,
    .open = enroll_open,
    .removed = enroll_removed,
    .ctx = SCOPE_ENROLL,
    .draw = enroll_draw,
    .key = enroll_key,
    .action = enroll_action,
    .allowed = enroll_allowed,
    .cursor = enroll_cursor,
    .typing = form_screen_typing,
    .destroy = enroll_destroy,
};

void lumen_enroll_required(struct lumen *L)
{
    struct enroll_arg a = { true };
    struct tui_screen *root = tui_app_stack_at(L->app, 0);
    struct enroll *st = L->screens[SCR_ENROLL]->state;
    /* Under way already (the codes are up, or the required enrollment):
     * the same question twice changes nothing. */
    if (root == L->screens[SCR_RECOVERY_CODES] ||
        (root == L->screens[SCR_ENROLL] && st->required))
        return;
    lumen_go(L, SCR_ENROLL, &a);
}
