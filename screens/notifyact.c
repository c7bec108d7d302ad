/* The notifications screen's changes (screens/notifyact.h).  Adding a
 * webhook and making it a new secret need a recent proof of the password
 * (the server asks; lumen_step_up asks the user once and replays); the
 * secret comes back once, in the outcome, and goes straight into a
 * message box whose copy is wiped when it closes.  A removal is confirmed
 * first. */
#include "screens/notifyact.h"
#include "screens/actions.h"
#include "screens/confirm.h"
#include "screens/prompt.h"
#include "tui/field.h"
#include "tui/text.h"

#include <stdio.h>
#include <string.h>

void notifyact_init(struct notifyact *a, struct lumen *L, void (*changed)(void *ud), void *ud)
{
    memset(a, 0, sizeof *a);
    a->L = L;
    a->changed = changed;
    a->ud = ud;
}

void notifyact_free(struct notifyact *a)
{
    api_cancel(a->L->db, a);
}

bool notifyact_handles(int action)
{
    switch (action) {
    case ACT_WEBHOOK_ADD: case ACT_EMAIL_ADD: case ACT_NOTIFY_REMOVE: case ACT_WEBHOOK_ROTATE:
    case ACT_NOTIFY_TEST: case ACT_WEBHOOK_ENABLE: case ACT_LEAD_LINK:
        return true;
    }
    return false;
}

static void say(struct notifyact *a, enum theme_role role, const char *text)
{
    tui_app_message(a->L->app, role, text, 6000);
}

static void send(struct notifyact *a);

static void replay(void *ud)
{
    send(ud);
}

static void send_cb(void *ud)
{
    send(ud);
}

static const char *step_up_why(int action)
{
    switch (action) {
    case ACT_WEBHOOK_ADD: return "Adding a webhook";
    case ACT_WEBHOOK_ROTATE: return "Making a new webhook secret";
    case ACT_NOTIFY_REMOVE: return "Removing a notification address";
    }
    return "Changing the notifications";
}

/* The secret of a webhook added or rotated, once.  The box wraps at 56
 * columns: the 50 of a whsec_ secret stay on one line. */
static void show_secret(struct notifyact *a, const char *secret)
{
    char text[900];
    snprintf(text, sizeof text,
             "The signing secret of %s, shown this once:\n\n  %s\n\n"
             "The receiver verifies each delivery's webhook-signature with it (Standard "
             "Webhooks, HMAC-SHA256). Put it in the receiver's settings now: Lumen cannot show "
             "it again.%s", a->t.label, secret,
             a->pending == ACT_WEBHOOK_ROTATE ? "\n\nThe old secret works 24 hours more." : "");
    confirm_tell(a->L, "Webhook signing secret", text, NULL, NULL);
    explicit_bzero(text, sizeof text);
}

static void done_ok(struct notifyact *a, const struct api_outcome *r)
{
    if (a->pending == ACT_WEBHOOK_ADD && r->webhook_id[0]) {
        a->added_kind = NOTIFY_WEBHOOK;
        snprintf(a->added_id, sizeof a->added_id, "%s", r->webhook_id);
    } else if (a->pending == ACT_EMAIL_ADD && r->email_id[0]) {
        a->added_kind = NOTIFY_EMAIL;
        snprintf(a->added_id, sizeof a->added_id, "%s", r->email_id);
    }
    switch (a->pending) {
    case ACT_WEBHOOK_ADD:
    case ACT_WEBHOOK_ROTATE:
        if (r->secret && r->secret[0])
            show_secret(a, r->secret);
        say(a, ROLE_OK, a->pending == ACT_WEBHOOK_ADD ? "Webhook added." : "New secret made.");
        break;
    case ACT_NOTIFY_REMOVE:
        say(a, ROLE_OK, a->t.kind == NOTIFY_WEBHOOK ? "Webhook removed." : "Address removed.");
        break;
    case ACT_WEBHOOK_ENABLE:
        say(a, ROLE_OK, "Enabled: deliveries start again.");
        break;
    case ACT_EMAIL_ADD:
        say(a, ROLE_OK, "Address added.");
        break;
    case ACT_NOTIFY_TEST:
        say(a, ROLE_OK, "Test queued for lumen notify.");
        break;
    case ACT_LEAD_LINK:
        say(a, ROLE_OK, a->link[0] ? "Lead link saved." : "Lead link cleared.");
        break;
    }
}

static void on_result(void *ud, enum api_err err, const struct api_outcome *r)
{
    struct notifyact *a = ud;
    if (err == API_ERR_STEP_UP) {
        lumen_step_up(a->L, step_up_why(a->pending), replay, a);
        return;
    }
    if (err == API_ERR_INVALID) {
        say(a, ROLE_ERROR, a->pending == ACT_EMAIL_ADD ? "The server refused that address."
                           : a->pending == ACT_LEAD_LINK ? "The server refused that link."
                           : "The server refused that URL.");
        return;
    }
    if (err != API_OK) {
        lumen_call_failed(a->L, err);
        return;
    }
    switch (r->status) {
    case API_OUTCOME_OK:
        done_ok(a, r);
        break;
    case API_OUTCOME_DENIED:
        say(a, ROLE_ERROR, "Only the Owner may; the attempt was logged.");
        return;
    case API_OUTCOME_EXISTS:
        say(a, ROLE_ERROR, a->pending == ACT_EMAIL_ADD ? "That address is there already."
                                                       : "That URL is a webhook already.");
        return;
    case API_OUTCOME_NOT_FOUND:
        say(a, ROLE_ERROR, "It is no longer there.");
        break;
    default:
        say(a, ROLE_ERROR, "The server refused the change.");
        return;
    }
    a->changed(a->ud);
}

/* The call for a->pending, as it was asked (again after a step-up). */
static void send(struct notifyact *a)
{
    struct lumen *L = a->L;
    struct db *db = L->db;
    api_cancel(db, a);
    switch (a->pending) {
    case ACT_WEBHOOK_ADD:
        api_notify_webhook_add(db, &L->auth, a->url, a->desc, on_result, a, a);
        break;
    case ACT_WEBHOOK_ROTATE:
        api_notify_webhook_rotate(db, &L->auth, a->t.id, on_result, a, a);
        break;
    case ACT_WEBHOOK_ENABLE:
        api_notify_webhook_enable(db, &L->auth, a->t.id, on_result, a, a);
        break;
    case ACT_NOTIFY_REMOVE:
        if (a->t.kind == NOTIFY_WEBHOOK)
            api_notify_webhook_remove(db, &L->auth, a->t.id, on_result, a, a);
        else
            api_notify_email_remove(db, &L->auth, a->t.id, on_result, a, a);
        break;
    case ACT_EMAIL_ADD:
        api_notify_email_add(db, &L->auth, a->email, on_result, a, a);
        break;
    case ACT_NOTIFY_TEST:
        api_notify_test(db, &L->auth, a->t.id, on_result, a, a);
        break;
    case ACT_LEAD_LINK:
        api_notify_lead_link_set(db, &L->auth, a->link, on_result, a, a);
        break;
    }
    tui_app_dirty(L->app);
}

/* --- the questions -------------------------------------------------------- */

static const char *webhook_submit(void *ud, struct form *fm, size_t *which)
{
    struct notifyact *a = ud;
    size_t len;
    const char *url = field_text(form_field(fm, 0), &len);
    const char *problem = notify_url_problem(url);
    *which = 0;
    if (problem)
        return problem;
    snprintf(a->url, sizeof a->url, "%s", url);
    const char *desc = field_text(form_field(fm, 1), &len);
    snprintf(a->desc, sizeof a->desc, "%s", desc);
    /* The secret's box names the webhook by the URL, cut to fit. */
    text_cell(a->t.label, sizeof a->t.label, a->url, strlen(a->url), 48,
              a->L->tf | TEXT_ELLIPSIS);
    a->t.kind = NOTIFY_WEBHOOK;
    a->t.id[0] = '\0';
    send(a);
    return NULL;
}

static void ask_webhook(struct notifyact *a)
{
    struct prompt_req q = {
        .title = "Add a webhook",
        .text = "Lumen POSTs signed JSON (Standard Webhooks) to this URL for invites, role "
                "changes and new leads. Its secret is shown once, next. https:// is needed "
                "unless lumen notify allows private addresses.",
        .fields = { { "URL", 0, NOTIFY_URL_MAX, NULL, NULL },
                    { "Description", 0, NOTIFY_DESC_MAX, NULL,
                      "optional: what receives it; Enter adds" } },
        .nfields = 2,
        .submit = webhook_submit,
        .ud = a,
    };
    prompt_ask(a->L, &q);
}

static const char *email_submit(void *ud, struct form *fm, size_t *which)
{
    struct notifyact *a = ud;
    size_t len;
    const char *email = field_text(form_field(fm, 0), &len);
    *which = 0;
    if (!notify_email_ok(email))
        return "An email address, such as frontdesk@example.com.";
    snprintf(a->email, sizeof a->email, "%s", email);
    send(a);
    return NULL;
}

static void ask_email(struct notifyact *a)
{
    struct prompt_req q = {
        .title = "Add a lead alert address",
        .text = "This address gets an email when a lead arrives: how many and which "
                "services, and the lead link; never the visitor's details.",
        .fields = { { "Email", 0, NOTIFY_EMAIL_MAX, NULL, "Enter adds, Esc goes back" } },
        .nfields = 1,
        .submit = email_submit,
        .ud = a,
    };
    prompt_ask(a->L, &q);
}

static const char *link_submit(void *ud, struct form *fm, size_t *which)
{
    struct notifyact *a = ud;
    size_t len;
    const char *link = field_text(form_field(fm, 0), &len);
    const char *problem = notify_link_problem(link);
    *which = 0;
    if (problem)
        return problem;
    snprintf(a->link, sizeof a->link, "%s", link);
    send(a);
    return NULL;
}

static void ask_link(struct notifyact *a, const char *current)
{
    struct prompt_req q = {
        .title = "Lead link",
        .text = "The link a lead alert carries, to where your staff open the lead; "
                "{lead_id} becomes the lead's id. Empty: alerts carry no link.",
        .fields = { { "Link", 0, NOTIFY_LINK_MAX, current && current[0] ? current : NULL,
                      "https://..., or empty; Enter saves" } },
        .nfields = 1,
        .submit = link_submit,
        .ud = a,
    };
    prompt_ask(a->L, &q);
}

static void ask_remove(struct notifyact *a)
{
    char text[600];
    if (a->t.kind == NOTIFY_WEBHOOK)
        snprintf(text, sizeof text, "Nothing more is sent to %s; what waits for it now fails, "
                 "and its secrets are forgotten.", a->t.label);
    else
        snprintf(text, sizeof text, "%s stops getting the lead alerts.", a->t.label);
    confirm_ask(a->L, a->t.kind == NOTIFY_WEBHOOK ? "Remove the webhook" : "Remove the address",
                text, "Remove", true, send_cb, a);
}

static void ask_rotate(struct notifyact *a)
{
    char text[600];
    snprintf(text, sizeof text, "A new signing secret for %s, shown once. The old one works 24 "
             "hours more, so the receiver can change over without losing a delivery.",
             a->t.label);
    confirm_ask(a->L, "New webhook secret", text, "Make a new secret", false, send_cb, a);
}

bool notifyact_action(struct notifyact *a, int action, const struct notify_target *target,
                      const char *link)
{
    if (!notifyact_handles(action))
        return false;
    api_cancel(a->L->db, a);
    memset(&a->t, 0, sizeof a->t);
    if (target)
        a->t = *target;
    a->pending = action;
    bool hook = a->t.kind == NOTIFY_WEBHOOK, mail = a->t.kind == NOTIFY_EMAIL;
    switch (action) {
    case ACT_WEBHOOK_ADD:
        ask_webhook(a);
        break;
    case ACT_EMAIL_ADD:
        ask_email(a);
        break;
    case ACT_LEAD_LINK:
        ask_link(a, link);
        break;
    case ACT_NOTIFY_REMOVE:
        if (hook || mail)
            ask_remove(a);
        break;
    case ACT_WEBHOOK_ROTATE:
        if (hook)
            ask_rotate(a);
        break;
    case ACT_WEBHOOK_ENABLE:
        if (hook && a->t.disabled)
            send(a);
        break;
    case ACT_NOTIFY_TEST:
        if (hook || mail)
            send(a);
        break;
    }
    return true;
}
