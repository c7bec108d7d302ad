/* Wake-ups (DESIGN.md "Sessions"): what another terminal or the Owner
 * did to this session reaches the screen within a second, not at the
 * user's next key.
 *
 * Signed in, the client listens on two channels: its account's
 * (lumen_account_<id>: a session revoked, a role changed, 2FA turned on
 * elsewhere, the practice's settings) and its practice's leads
 * (lumen_leads_<id>: a new lead).  Where LISTEN cannot work (behind a
 * transaction pooler, or while the LISTENs are not answered yet after a
 * reconnect) it polls instead, every 0.9 s.  Either way a wake-up only
 * makes it ask: api.session_state (cheap, never refreshes the idle time,
 * so a poll cannot keep an idle session alive) and the inbox's arrivals.
 * Any role can NOTIFY; a wake-up carries nothing acted upon.
 *
 * What the answer changes: a session that ended goes back to sign-in
 * saying why (lumen_signed_out); a role, practice or timeout that differs
 * from api.me's copy makes the client read api.me again, so the header,
 * the tabs and every key follow (lumen_store_me); a practice that now
 * requires two-factor of an account without it goes to enrollment. */
#include "screens/inbox.h"
#include "screens/lumen.h"
#include "screens/wake.h"

#include <stdio.h>
#include <string.h>

/* Not 1000: the return to sign-in comes one answer and one redraw after
 * the poll that finds the session ended, so a 1 s period lets a sign-out
 * just after a poll take a little more than the second issue 10 allows
 * (tests/bench/revoke.sh measured 1003 ms at 1000).  0.9 s leaves room for
 * both at the price of a tenth more calls (67 a minute for an idle
 * client instead of 60). */
#define WAKE_POLL_MS 900

/* lumen_<kind>_<uuid without dashes> (db/API.md). */
static void channel(char *out, size_t size, const char *kind, const char *uuid)
{
    int n = snprintf(out, size, "lumen_%s_", kind);
    size_t j = n > 0 ? (size_t)n : 0;
    for (const char *p = uuid; *p && j + 1 < size; p++)
        if (*p != '-')
            out[j++] = *p;
    out[j] = '\0';
}

void wake_listen(struct lumen *L)
{
    char account[64], leads[64];
    const char *set[2];
    int n = 0;
    if (L->me.valid && L->me.account_id[0]) {
        channel(account, sizeof account, "account", L->me.account_id);
        set[n++] = account;
    }
    if (L->me.valid && L->me.practice_id[0]) {
        channel(leads, sizeof leads, "leads", L->me.practice_id);
        set[n++] = leads;
    }
    db_listen_set(L->db, set, n);
}

void wake_forget(struct lumen *L)
{
    db_listen_set(L->db, NULL, 0);
    api_cancel(L->db, &L->wake_calls);
    L->wake_pending = L->wake_again = false;
}

static bool signed_in(const struct lumen *L)
{
    return L->auth.has_token && L->me.valid;
}

bool wake_polling(const struct lumen *L)
{
    return signed_in(L) && !db_listens(L->db);
}

int wake_timeout_ms(const struct lumen *L, long long now)
{
    if (!wake_polling(L))
        return -1;
    return L->wake_at_ms > now ? (int)(L->wake_at_ms - now) : 0;
}

/* The sentence for why the server ended the session (sessions.revoked_why). */
static const char *ended_why(enum api_session_state_kind state, const char *why)
{
    static const struct {
        const char *why, *text;
    } reasons[] = {
        { "signed_out_everywhere", "You were signed out everywhere, from another terminal." },
        { "revoked", "This session was ended from another terminal." },
        { "password_changed", "Your password was changed: sign in with the new one." },
        { "removed", "You were removed from the practice." },
        { "practice_closed", "The practice was closed." },
        { "logout", "This session was signed out." },
    };
    if (state == API_SESSION_EXPIRED)
        return "This session reached its time limit: sign in again.";
    for (size_t i = 0; why && i < sizeof reasons / sizeof reasons[0]; i++)
        if (strcmp(why, reasons[i].why) == 0)
            return reasons[i].text;
    return "This session was ended.";
}

static void on_me_again(void *ud, enum api_err err, const struct api_me *me)
{
    struct lumen *L = ud;
    if (err != API_OK)
        return;         /* the session hook dealt with an end; a hint otherwise */
    lumen_store_me(L, me);
    lumen_arm_idle(L);
    if (me->mfa_enroll_required)
        lumen_enroll_required(L);
    else
        lumen_me_changed(L);
}

void lumen_refresh_me(struct lumen *L)
{
    if (signed_in(L))
        api_me(L->db, &L->auth, on_me_again, L, &L->wake_calls);
}

static void on_state(void *ud, enum api_err err, const struct api_session_state *st)
{
    struct lumen *L = ud;
    L->wake_pending = false;
    if (err != API_OK || !signed_in(L))
        return;         /* lost: the next wake-up asks again */
    /* A wake-up that came while this was asked may be news this answer
     * predates (a change committed just after the server looked): ask
     * once more, after acting on this one. */
    bool again = L->wake_again;
    L->wake_again = false;
    if (st->state == API_SESSION_REVOKED || st->state == API_SESSION_EXPIRED ||
        st->state == API_SESSION_UNKNOWN) {
        lumen_signed_out(L, ended_why(st->state, st->why));
        return;
    }
    if (st->state == API_SESSION_LOCKED) {
        lumen_lock(L, false);      /* idle on the server: the lock, if not up yet */
        return;
    }
    const struct lumen_me *m = &L->me;
    bool same = strcmp(st->practice_id, m->practice_id) == 0 &&
                strcmp(st->role, m->role) == 0 && st->mfa_enabled == m->mfa_enabled &&
                st->mfa_enroll_required == m->mfa_enroll_required &&
                st->practice_closed == m->practice_closed &&
                (st->idle_timeout_s == m->idle_timeout_s || st->idle_timeout_s < 0);
    if (!same)
        lumen_refresh_me(L);
    if (!tui_app_locked(L->app))
        inbox_wake(L);
    if (again)
        wake_check(L);
}

void wake_check(struct lumen *L)
{
    if (!signed_in(L))
        return;
    /* One question at a time; a wake-up meanwhile asks again after it. */
    if (L->wake_pending) {
        L->wake_again = true;
        return;
    }
    if (api_session_state(L->db, &L->auth, on_state, L, &L->wake_calls) == 0)
        L->wake_pending = true;
}

void wake_service(struct lumen *L, long long now)
{
    bool wake = false;
    while (db_next_notify(L->db))
        wake = true;
    /* What was notified while the connection was down is lost: look once. */
    if (db_connections(L->db) != L->connections) {
        if (L->connections)
            wake = true;
        L->connections = db_connections(L->db);
    }
    if (wake_polling(L) && now >= L->wake_at_ms) {
        L->wake_at_ms = now + WAKE_POLL_MS;
        wake = true;
    }
    if (wake) {
        wake_check(L);
        /* Send the question now: the loop ran db_service before this, and
         * would send it only at its next turn, after poll() waits out the
         * spinner's 120 ms (io_busy).  (db_service without revents only
         * sends what is queued.) */
        db_service(L->db, 0, now);
    }
}
