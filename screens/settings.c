/* The practice's settings (the Owner's, from the team tab's S): require
 * two-factor of every member, the idle lock, the chatbot's ingest key and
 * the danger zone (closing the practice, and taking that back within the
 * 30 days before its data is purged); n opens the notifications
 * (screens/notifyset.c).  A short list: Enter changes the
 * row under the cursor.  Every change needs a recent proof of the password
 * (the server asks; lumen_step_up asks the user once and replays), and
 * keys are shown once, in a box wiped when it closes. */
#include "screens/actions.h"
#include "screens/common.h"
#include "screens/confirm.h"
#include "screens/prompt.h"
#include "screens/screen.h"
#include "screens/wake.h"
#include "tui/field.h"
#include "tui/text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SET_TOP 2

enum set_row { ROW_MFA, ROW_IDLE, ROW_INGEST, ROW_CLOSE, NROWS };

enum set_call { CALL_NONE, CALL_SAVE, CALL_ROTATE, CALL_CLOSE, CALL_CANCEL_CLOSE };

struct settings {
    struct lumen *L;
    bool loaded, loading;
    char err[200];
    char name[256];
    bool require_mfa;
    int idle_s;
    char closed_at[64], purge_after[64];
    bool ingest_key_set;
    char lead_link[512];
    int cursor;
    /* The change asked, for a replay after the step-up. */
    enum set_call call;
    bool want_mfa;
    int want_idle_s;
    char confirm_name[256];
    /* A new ingest key, shown once below the rows (a dialog would wrap
     * its 68 characters); the next key wipes it. */
    char new_key[128];
};

static void forget_key(struct settings *st)
{
    explicit_bzero(st->new_key, sizeof st->new_key);
}

static void say(struct settings *st, enum theme_role role, const char *text)
{
    tui_app_message(st->L->app, role, text, 6000);
}

/* --- loading ----------------------------------------------------------------- */

static void on_settings(void *ud, enum api_err err, const struct api_practice_settings *p)
{
    struct settings *st = ud;
    st->loading = false;
    if (err != API_OK) {
        snprintf(st->err, sizeof st->err, "%s", api_err_message(err));
        lumen_call_failed(st->L, err);
        tui_app_dirty(st->L->app);
        return;
    }
    st->loaded = true;
    st->err[0] = '\0';
    snprintf(st->name, sizeof st->name, "%s", p->name);
    st->require_mfa = p->require_mfa;
    st->idle_s = p->idle_timeout_s;
    st->ingest_key_set = p->ingest_key_set;
    snprintf(st->lead_link, sizeof st->lead_link, "%s", p->lead_link);
    st->closed_at[0] = st->purge_after[0] = '\0';
    if (p->closed_at[0])
        lumen_format_time(st->L, p->closed_at, st->closed_at, sizeof st->closed_at);
    if (p->purge_after[0])
        lumen_format_time(st->L, p->purge_after, st->purge_after, sizeof st->purge_after);
    tui_app_dirty(st->L->app);
}

static void load(struct settings *st)
{
    api_cancel(st->L->db, st);
    st->loading = true;
    api_practice_settings(st->L->db, &st->L->auth, on_settings, st, st);
}

/* --- changes ---------------------------------------------------------------- */

static void send(struct settings *st);

static void replay(void *ud)
{
    send(ud);
}

static bool step_up_or_failed(struct settings *st, enum api_err err, const char *why)
{
    if (err == API_ERR_STEP_UP) {
        lumen_step_up(st->L, why, replay, st);
        return true;
    }
    if (err != API_OK) {
        lumen_call_failed(st->L, err);
        return true;
    }
    return false;
}

static void on_saved(void *ud, enum api_err err, const struct api_outcome *r)
{
    struct settings *st = ud;
    if (step_up_or_failed(st, err, "Changing the practice's settings"))
        return;
    if (r->status != API_OUTCOME_OK) {
        say(st, ROLE_ERROR, "Only the Owner may change the settings; the attempt was logged.");
        return;
    }
    say(st, ROLE_OK, "Saved. Every member's Lumen follows within a second.");
    lumen_refresh_me(st->L);        /* our own idle lock, too */
    load(st);
}

static void on_rotated(void *ud, enum api_err err, const char *key)
{
    struct settings *st = ud;
    if (step_up_or_failed(st, err, "Rotating the chatbot's key"))
        return;
    snprintf(st->new_key, sizeof st->new_key, "%s", key);
    load(st);
}

static void on_closed(void *ud, enum api_err err, const struct api_outcome *r)
{
    struct settings *st = ud;
    if (step_up_or_failed(st, err, st->call == CALL_CLOSE ? "Closing the practice"
                                                          : "Keeping the practice"))
        return;
    if (r->status != API_OUTCOME_OK) {
        say(st, ROLE_ERROR, r->status == API_OUTCOME_INVALID
            ? "The name did not match: nothing was closed."
            : "Only the Owner may do that; the attempt was logged.");
        return;
    }
    if (st->call == CALL_CLOSE) {
        char text[900], purge[64];
        lumen_format_time(st->L, r->purge_after ? r->purge_after : "", purge, sizeof purge);
        snprintf(text, sizeof text, "Every other member lost access now. The data is purged "
                 "after %s; until then export the leads and the audit log (lumen leads export, "
                 "lumen audit export), or take the closing back here.\n\nThe audit chain's "
                 "final head (compare with lumen audit verify): link %lld,\n%.32s\n%.32s",
                 purge, r->head_seq, r->head_hash ? r->head_hash : "",
                 r->head_hash && strlen(r->head_hash) > 32 ? r->head_hash + 32 : "");
        confirm_tell(st->L, "The practice is closed", text, NULL, NULL);
    } else {
        say(st, ROLE_OK, "The practice stays: members can sign in again.");
    }
    lumen_refresh_me(st->L);
    load(st);
}

static void send(struct settings *st)
{
    struct lumen *L = st->L;
    api_cancel(L->db, st);
    switch (st->call) {
    case CALL_SAVE:
        api_practice_settings_set(L->db, &L->auth, st->want_mfa, st->want_idle_s, on_saved, st,
                                  st);
        break;
    case CALL_ROTATE:
        api_ingest_key_rotate(L->db, &L->auth, on_rotated, st, st);
        break;
    case CALL_CLOSE:
        api_practice_close(L->db, &L->auth, st->confirm_name, on_closed, st, st);
        break;
    case CALL_CANCEL_CLOSE:
        api_practice_close_cancel(L->db, &L->auth, on_closed, st, st);
        break;
    case CALL_NONE:
        break;
    }
}

static void send_cb(void *ud)
{
    send(ud);
}

static const char *idle_submit(void *ud, struct form *fm, size_t *which)
{
    struct settings *st = ud;
    *which = 0;
    size_t len;
    int min = atoi(field_text(form_field(fm, 0), &len));
    if (min < 1 || min > 60)
        return "From 1 to 60 minutes.";
    st->call = CALL_SAVE;
    st->want_mfa = st->require_mfa;
    st->want_idle_s = min * 60;
    send(st);
    return NULL;
}

static const char *close_submit(void *ud, struct form *fm, size_t *which)
{
    struct settings *st = ud;
    *which = 0;
    size_t len;
    if (strcmp(field_text(form_field(fm, 0), &len), st->name) != 0)
        return "Type the practice's name exactly to confirm.";
    snprintf(st->confirm_name, sizeof st->confirm_name, "%s", st->name);
    st->call = CALL_CLOSE;
    send(st);
    return NULL;
}

static void change_row(struct settings *st)
{
    char text[700], initial[16];
    switch (st->cursor) {
    case ROW_MFA:
        st->call = CALL_SAVE;
        st->want_mfa = !st->require_mfa;
        st->want_idle_s = st->idle_s;
        if (st->want_mfa)
            confirm_ask(st->L, "Require two-factor",
                        "Every member must use two-factor. Those without it can do nothing "
                        "but set it up, from their next step on (signed-in ones within a "
                        "second).", "Require", false, send_cb, st);
        else
            confirm_ask(st->L, "Stop requiring two-factor",
                        "Members may then turn two-factor off for themselves.", "Stop", true,
                        send_cb, st);
        break;
    case ROW_IDLE: {
        snprintf(initial, sizeof initial, "%d", st->idle_s / 60);
        struct prompt_req q = {
            .title = "Idle lock",
            .text = "Minutes without a key before a member's screen locks (HIPAA's automatic "
                    "logoff): 1 to 60.",
            .fields = { { "Minutes", FIELD_DIGITS, 2, initial, NULL } },
            .nfields = 1,
            .submit = idle_submit,
            .ud = st,
        };
        prompt_ask(st->L, &q);
        break;
    }
    case ROW_INGEST:
        st->call = CALL_ROTATE;
        confirm_ask(st->L, "Rotate the chatbot's key",
                    "A new key is made and shown once; the old one stops working at once, so "
                    "leads from a chatbot still using it are refused until it has the new "
                    "one.", "Rotate", true, send_cb, st);
        break;
    case ROW_CLOSE:
        if (st->closed_at[0]) {
            st->call = CALL_CANCEL_CLOSE;
            confirm_ask(st->L, "Keep the practice",
                        "The closing is taken back: nothing is purged, and members can sign "
                        "in again.", "Keep it", false, send_cb, st);
            break;
        }
        snprintf(text, sizeof text, "Every other member loses access now (you keep this "
                 "session). The data (leads, transcripts, the audit log) is purged after 30 "
                 "days; until then you can export it and take this back. Type the practice's "
                 "name, %s, to confirm.", st->name);
        struct prompt_req q = {
            .title = "Close the practice",
            .text = text,
            .fields = { { "Practice", 0, 200, NULL, NULL } },
            .nfields = 1,
            .submit = close_submit,
            .ud = st,
        };
        prompt_ask(st->L, &q);
        break;
    }
}

/* --- screen ------------------------------------------------------------------ */

static void row_text(const struct settings *st, int row, const char **label, char *value,
                     size_t size, enum theme_role *role)
{
    *role = ROLE_NORMAL;
    switch (row) {
    case ROW_MFA:
        *label = "Require two-factor for every member";
        snprintf(value, size, "%s", st->require_mfa ? "yes" : "no");
        break;
    case ROW_IDLE:
        *label = "Lock a member's screen after";
        snprintf(value, size, "%d minute%s without a key", st->idle_s / 60,
                 st->idle_s / 60 == 1 ? "" : "s");
        break;
    case ROW_INGEST:
        *label = "The chatbot's ingest key";
        snprintf(value, size, "%s", st->ingest_key_set ? "set (Enter makes a new one)"
                                                       : "none yet (Enter makes one)");
        break;
    default:
        *role = ROLE_DANGER;
        *label = "Danger zone: close the practice";
        if (st->closed_at[0])
            snprintf(value, size, "closed %s, purged after %s (Enter takes it back)",
                     st->closed_at, st->purge_after);
        else
            snprintf(value, size, "open");
        break;
    }
}

static void settings_draw(struct tui_screen *s, WINDOW *w, int h, int cols)
{
    struct settings *st = s->state;
    char title[400], value[300];
    snprintf(title, sizeof title, " Settings of %s", st->name[0] ? st->name
                                                                 : st->L->me.practice_name);
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
    if (!st->loaded)
        return;
    int label_w = cols > 60 ? 38 : cols / 2;
    for (int r = 0; r < NROWS && SET_TOP + 2 * r < h; r++) {
        const char *label;
        enum theme_role role;
        row_text(st, r, &label, value, sizeof value, &role);
        int y = SET_TOP + 1 + 2 * r;
        attr_t sel = r == st->cursor ? theme_attr(ROLE_SELECTED) : 0;
        wattrset(w, sel ? sel : theme_attr(role));
        mvwhline(w, y, 0, ' ', cols);
        tui_put(w, y, 1, label_w - 1, label, st->L->tf);
        wattrset(w, sel ? sel : theme_attr(ROLE_NORMAL) | A_BOLD);
        tui_put(w, y, label_w, cols - label_w, value, st->L->tf);
    }
    int y = SET_TOP + 2 * NROWS + 1;
    /* The notifications have a screen of their own: say where. */
    char key[KEYMAP_NAME_MAX], line[700];
    common_key_name(st->L, ACT_NOTIFICATIONS, false, key, sizeof key);
    if (key[0] && y < h) {
        snprintf(line, sizeof line, "%s: notifications (webhooks, lead alerts by email%s%s)",
                 key, st->lead_link[0] ? "; lead link " : "", st->lead_link);
        wattrset(w, theme_attr(ROLE_DIM));
        tui_put(w, y, 1, cols - 1, line, st->L->tf);
    }
    y += 2;
    if (st->new_key[0] && y + 3 < h) {
        wattrset(w, theme_attr(ROLE_OK) | A_BOLD);
        tui_put(w, y, 1, cols - 1, "The chatbot's new ingest key, shown this once:", st->L->tf);
        wattrset(w, theme_attr(ROLE_NORMAL) | A_BOLD);
        tui_put(w, y + 1, 1, cols - 1, st->new_key, st->L->tf);
        wattrset(w, theme_attr(ROLE_DIM));
        tui_put(w, y + 2, 1, cols - 1, "Put it in the chatbot's settings now; the old key "
                "stopped working. Any key hides it.", st->L->tf);
    }
}

static enum tui_result settings_action(struct tui_screen *s, int action)
{
    struct settings *st = s->state;
    if (st->new_key[0]) {
        forget_key(st);
        if (action == ACT_CANCEL || action == ACT_OPEN)
            return TUI_REDRAW;      /* the key that hides it does nothing else */
    }
    switch (action) {
    case ACT_UP: case ACT_PAGE_UP: case ACT_TOP:
        st->cursor = action == ACT_UP && st->cursor > 0 ? st->cursor - 1 : 0;
        return TUI_REDRAW;
    case ACT_DOWN: case ACT_PAGE_DOWN: case ACT_BOTTOM:
        st->cursor = action == ACT_DOWN && st->cursor < NROWS - 1 ? st->cursor + 1 : NROWS - 1;
        return TUI_REDRAW;
    case ACT_OPEN:
        if (st->loaded)
            change_row(st);
        return TUI_REDRAW;
    case ACT_REFRESH:
        load(st);
        return TUI_REDRAW;
    case ACT_NOTIFICATIONS:
        lumen_go(st->L, SCR_NOTIFYSET, NULL);
        return TUI_REDRAW;
    case ACT_CANCEL:
        tui_app_pop(s->app);
        return TUI_REDRAW;
    }
    return TUI_UNHANDLED;
}

static void settings_open(struct tui_screen *s, void *arg)
{
    struct settings *st = s->state;
    (void)arg;
    forget_key(st);
    st->cursor = 0;
    st->loaded = false;
    load(st);
}

static void settings_init(struct tui_screen *s)
{
    struct settings *st = s->state;
    st->L = s->ud;
}

static void settings_removed(struct tui_screen *s)
{
    forget_key(s->state);
}

const struct screen_ops settings_ops = {
    .name = "settings",
    .state_size = sizeof(struct settings),
    .init = settings_init,
    .open = settings_open,
    .ctx = SCOPE_SETTINGS,
    .draw = settings_draw,
    .action = settings_action,
    .removed = settings_removed,
};
