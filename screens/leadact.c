/* Changing leads (screens/leadact.h).  Each change is a call whose answer
 * is a status the server committed before telling it (api.attempt_result
 * behind api_leads_set_status and the like): "ok", "denied" (audited), or
 * "not_found" (deleted meanwhile, or another practice's). */
#include "screens/leadact.h"
#include "screens/actions.h"
#include "screens/menu.h"
#include "screens/prompt.h"
#include "client/mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const status_values[] = { "new", "contacted", "booked", "not_interested",
                                             "spam" };
static const char *const status_labels[] = { "New", "Contacted", "Booked", "Not interested",
                                             "Spam" };
#define NSTATUS (sizeof status_values / sizeof status_values[0])

void leadact_init(struct leadact *a, struct lumen *L, void (*changed)(void *ud, int action),
                  void *ud)
{
    memset(a, 0, sizeof *a);
    a->L = L;
    a->changed = changed;
    a->ud = ud;
}

void leadact_free(struct leadact *a)
{
    api_cancel(a->L->db, a);
    free(a->text);
    a->text = NULL;
}

void leadact_target(struct leadact *a, const long long *ids, size_t n, const char *label)
{
    a->n = n < LEADACT_MAX_IDS ? n : LEADACT_MAX_IDS;
    memcpy(a->ids, ids, a->n * sizeof *ids);
    snprintf(a->label, sizeof a->label, "%s", label ? label : "");
}

bool leadact_handles(int action)
{
    switch (action) {
    case ACT_SET_STATUS: case ACT_MARK_CONTACTED: case ACT_ASSIGN_ME: case ACT_ASSIGN:
    case ACT_NOTE: case ACT_DELETE:
        return true;
    }
    return false;
}

static void say(struct leadact *a, enum theme_role role, const char *text)
{
    tui_app_message(a->L->app, role, text, 5000);
}

static const char *leads_word(size_t n)
{
    return n == 1 ? "lead" : "leads";
}

static void send(struct leadact *a);

static void replay(void *ud)
{
    send(ud);
}

static void on_change(void *ud, enum api_err err, const struct api_change *r)
{
    struct leadact *a = ud;
    char msg[300];
    if (err == API_ERR_STEP_UP) {
        lumen_step_up(a->L, a->pending == ACT_DELETE ? "Deleting a lead" : "This change",
                      replay, a);
        return;
    }
    if (err != API_OK) {
        lumen_call_failed(a->L, err);
        return;
    }
    switch (r->status) {
    case API_CHANGE_DENIED:
        say(a, ROLE_ERROR, "Your role may not change leads; the attempt was logged.");
        return;
    case API_CHANGE_NOT_FOUND:
        say(a, ROLE_ERROR, "That lead is no longer there (deleted, or not of this practice).");
        a->changed(a->ud, a->pending);
        return;
    case API_CHANGE_OK:
        break;
    }
    long long k = r->affected;
    const char *w = k == 1 ? "lead" : "leads";
    switch (a->pending) {
    case ACT_NOTE: snprintf(msg, sizeof msg, "Note added."); break;
    case ACT_DELETE: snprintf(msg, sizeof msg, "Lead %lld deleted.", a->ids[0]); break;
    case ACT_ASSIGN: case ACT_ASSIGN_ME:
        snprintf(msg, sizeof msg, "%lld %s assigned.", k, w);
        break;
    default:
        for (size_t i = 0; i < NSTATUS; i++)
            if (strcmp(a->status, status_values[i]) == 0)
                snprintf(msg, sizeof msg, "%lld %s marked %s.", k, w, status_labels[i]);
        break;
    }
    say(a, ROLE_OK, msg);
    a->changed(a->ud, a->pending);
}

/* The call for a->pending, as it was asked (again after a step-up). */
static void send(struct leadact *a)
{
    struct lumen *L = a->L;
    switch (a->pending) {
    case ACT_SET_STATUS: case ACT_MARK_CONTACTED:
        api_leads_set_status(L->db, &L->auth, a->ids, a->n, a->status, on_change, a, a);
        break;
    case ACT_ASSIGN: case ACT_ASSIGN_ME:
        api_leads_assign(L->db, &L->auth, a->ids, a->n, a->account[0] ? a->account : NULL,
                         on_change, a, a);
        break;
    case ACT_NOTE:
        api_lead_note(L->db, &L->auth, a->ids[0], a->text ? a->text : "", on_change, a, a);
        break;
    case ACT_DELETE:
        api_lead_delete(L->db, &L->auth, a->ids[0], a->text ? a->text : "", on_change, a, a);
        break;
    }
    tui_app_dirty(L->app);
}

/* --- status ------------------------------------------------------------------ */

static void status_chosen(void *ud, size_t i)
{
    struct leadact *a = ud;
    snprintf(a->status, sizeof a->status, "%s", status_values[i]);
    a->pending = ACT_SET_STATUS;
    send(a);
}

static void ask_status(struct leadact *a)
{
    char title[80];
    snprintf(title, sizeof title, "Status of %zu %s", a->n, leads_word(a->n));
    struct menu_req q = { title, status_labels, NSTATUS, 1, status_chosen, a };
    menu_ask(a->L, &q);
}

/* --- assignment -------------------------------------------------------------- */

static void member_chosen(void *ud, size_t i)
{
    struct leadact *a = ud;
    /* Item 0 is "Nobody". */
    snprintf(a->account, sizeof a->account, "%s", i == 0 ? "" : a->member_id[i - 1]);
    a->pending = ACT_ASSIGN;
    send(a);
}

static void on_members(void *ud, enum api_err err, const struct api_member *m, size_t n)
{
    struct leadact *a = ud;
    if (err != API_OK) {
        lumen_call_failed(a->L, err);
        return;
    }
    const char *labels[LEADACT_MAX_MEMBERS + 1];
    labels[0] = "Nobody";
    a->nmembers = n < LEADACT_MAX_MEMBERS ? n : LEADACT_MAX_MEMBERS;
    for (size_t i = 0; i < a->nmembers; i++) {
        snprintf(a->member_id[i], sizeof a->member_id[i], "%s", m[i].account_id);
        snprintf(a->member_label[i], sizeof a->member_label[i], "%s (%s)", m[i].display_name,
                 lumen_role_title(m[i].role));
        labels[i + 1] = a->member_label[i];
    }
    char title[80];
    snprintf(title, sizeof title, "Assign %zu %s to", a->n, leads_word(a->n));
    struct menu_req q = { title, labels, a->nmembers + 1, 0, member_chosen, a };
    menu_ask(a->L, &q);
}

/* --- note and delete ------------------------------------------------------------ */

static const char *note_submit(void *ud, struct form *fm, size_t *which)
{
    struct leadact *a = ud;
    size_t len;
    const char *t = field_text(form_field(fm, 0), &len);
    while (len && (*t == ' ' || *t == '\t'))
        t++, len--;
    *which = 0;
    if (!len)
        return "Write the note first (Esc goes back).";
    free(a->text);
    a->text = mem_strndup(t, len);
    a->pending = ACT_NOTE;
    send(a);
    return NULL;
}

static const char *delete_submit(void *ud, struct form *fm, size_t *which)
{
    struct leadact *a = ud;
    size_t len, rlen;
    const char *t = field_text(form_field(fm, 0), &len);
    const char *reason = field_text(form_field(fm, 1), &rlen);
    char id[32];
    snprintf(id, sizeof id, "%lld", a->ids[0]);
    *which = 0;
    if (len != strlen(id) || memcmp(t, id, len) != 0)
        return "Type the lead's number exactly, or Esc to keep the lead.";
    free(a->text);
    a->text = mem_strndup(reason, rlen);
    a->pending = ACT_DELETE;
    send(a);
    return NULL;
}

static void ask_note(struct leadact *a)
{
    struct prompt_req q = {
        .title = "Add a note",
        .text = "Staff can read the note with the lead; it cannot be changed later.",
        .fields = { { "Note", 0, 4000, NULL, "Enter saves it, Esc goes back" } },
        .nfields = 1,
        .submit = note_submit,
        .ud = a,
    };
    prompt_ask(a->L, &q);
}

static void ask_delete(struct leadact *a)
{
    char text[400];
    snprintf(text, sizeof text, "The visitor asked for their data to go. Lead %lld (%s), its "
             "transcript and its notes are deleted for good; the audit log keeps that you "
             "did it. Type the lead's number, %lld, to confirm.", a->ids[0], a->label,
             a->ids[0]);
    struct prompt_req q = {
        .title = "Delete a lead",
        .text = text,
        .fields = { { "Lead number", FIELD_DIGITS, 20, NULL, NULL },
                    { "Reason", 0, 200, "visitor's request", "kept in the audit log" } },
        .nfields = 2,
        .submit = delete_submit,
        .ud = a,
    };
    prompt_ask(a->L, &q);
}

bool leadact_action(struct leadact *a, int action)
{
    struct lumen *L = a->L;
    if (!leadact_handles(action))
        return false;
    if (!a->n)
        return true;
    api_cancel(L->db, a);
    switch (action) {
    case ACT_SET_STATUS:
        ask_status(a);
        break;
    case ACT_MARK_CONTACTED:
        snprintf(a->status, sizeof a->status, "contacted");
        a->pending = ACT_MARK_CONTACTED;
        send(a);
        break;
    case ACT_ASSIGN_ME:
        snprintf(a->account, sizeof a->account, "%s", L->me.account_id);
        a->pending = ACT_ASSIGN_ME;
        send(a);
        break;
    case ACT_ASSIGN:
        api_lead_assignees(L->db, &L->auth, on_members, a, a);
        break;
    case ACT_NOTE:
        if (a->n > 1) {
            say(a, ROLE_STATUS, "A note is for one lead: untag the others (Esc) first.");
            break;
        }
        ask_note(a);
        break;
    case ACT_DELETE:
        ask_delete(a);
        break;
    }
    return true;
}
