/* Who is signed in and where (db/API.md): me, practices, select_practice. */
#include "client/api_core.h"
#include "client/mem.h"

#include <stdlib.h>
#include <string.h>

#define ME_PERMISSIONS_MAX 64

struct me_row {
    struct api_me me;
    const char *permissions;    /* text[] in its text form */
};

/* practice_* and role are NULL while no practice is selected: "". */
static const struct api_col me_cols[] = {
    { "account_id", API_UUID, API_FIELD(struct me_row, me.account_id), 0, 0, NULL },
    { "session_id", API_UUID, API_FIELD(struct me_row, me.session_id), 0, 0, NULL },
    { "practice_id", API_UUID, API_FIELD(struct me_row, me.practice_id), API_NULL_OK, 0, NULL },
    { "email", API_TEXT, API_FIELD(struct me_row, me.email), 0, 0, NULL },
    { "display_name", API_TEXT, API_FIELD(struct me_row, me.display_name), 0, 0, NULL },
    { "practice_name", API_TEXT, API_FIELD(struct me_row, me.practice_name), API_NULL_OK, 0, NULL },
    { "practice_timezone", API_TEXT, API_FIELD(struct me_row, me.timezone), API_NULL_OK, 0, NULL },
    { "role", API_TEXT, API_FIELD(struct me_row, me.role), API_NULL_OK, 0, NULL },
    { "mfa_enabled", API_BOOL, API_FIELD(struct me_row, me.mfa_enabled), 0, 0, NULL },
    { "idle_timeout_s", API_INT, API_FIELD(struct me_row, me.idle_timeout_s), 0, 0, NULL },
    { "absolute_timeout_s", API_INT, API_FIELD(struct me_row, me.absolute_timeout_s), 0, 0, NULL },
    { "permissions", API_TEXT, API_FIELD(struct me_row, permissions), 0, 0, NULL },
    { "recovery_codes_left", API_INT, API_FIELD(struct me_row, me.recovery_codes_left),
      API_NULL_OK, -1, NULL },
    { "mfa_enroll_required", API_BOOL, API_FIELD(struct me_row, me.mfa_enroll_required),
      API_NULL_OK, 0, NULL },
    { "practice_closed_at", API_TEXT, API_FIELD(struct me_row, me.practice_closed_at),
      API_NULL_OK, 0, NULL },
};

/* A text[] in PostgreSQL's text form: {a,b,"c d"}.  Permission names are
 * plain dotted words, so quoting never occurs; anything else is dropped. */
static size_t split_array(char *s, const char **out, size_t max)
{
    size_t n = 0;
    if (*s == '{')
        s++;
    char *end = strrchr(s, '}');
    if (end)
        *end = '\0';
    for (char *tok = strtok(s, ","); tok && n < max; tok = strtok(NULL, ","))
        if (!strchr(tok, '"'))
            out[n++] = tok;
    return n;
}

static void on_me(void *ud, const struct db_reply *r)
{
    struct pending *p = ud;
    struct me_row row = { 0 };
    const char *perms[ME_PERMISSIONS_MAX];
    char *perm_text = NULL;
    enum api_err err = api_decode_one(r, me_cols, API_NCOLS(me_cols), &row, "api.me");
    if (err == API_OK) {
        perm_text = mem_strdup(row.permissions);
        row.me.npermissions = split_array(perm_text, perms, ME_PERMISSIONS_MAX);
        row.me.permissions = perms;
    }
    p->fn.me(p->ud, err, err == API_OK ? &row.me : NULL);
    free(perm_text);
    free(p);
}

int api_me(struct db *db, struct api_auth *auth, api_me_fn done, void *ud, const void *owner)
{
    struct pending *p = pending_new(ud, auth);
    p->fn.me = done;
    const char *v[1] = { auth->token };
    return pending_call(db, p, "SELECT * FROM api.me($1)", 1, v, DB_SECRET | DB_RETRY, on_me,
                        owner);
}

bool api_me_can(const struct api_me *me, const char *permission)
{
    for (size_t i = 0; i < me->npermissions; i++)
        if (strcmp(me->permissions[i], permission) == 0)
            return true;
    return false;
}

static const struct api_col practice_cols[] = {
    { "practice_id", API_TEXT, API_FIELD(struct api_practice, id), 0, 0, NULL },
    { "name", API_TEXT, API_FIELD(struct api_practice, name), 0, 0, NULL },
    { "role", API_TEXT, API_FIELD(struct api_practice, role), 0, 0, NULL },
};

static void on_practices(void *ud, const struct db_reply *r)
{
    struct pending *p = ud;
    enum api_err err = api_reply_err(r);
    struct api_practice *list = NULL;
    size_t n = 0;
    if (err == API_OK) {
        n = (size_t)PQntuples(r->res);
        list = mem_alloc((n ? n : 1) * sizeof *list);
        for (size_t i = 0; i < n && err == API_OK; i++)
            if (api_decode(r->res, (int)i, practice_cols, API_NCOLS(practice_cols), &list[i],
                           "api.practices") != 0)
                err = API_ERR_SERVER;
    }
    p->fn.practices(p->ud, err, err == API_OK ? list : NULL, err == API_OK ? n : 0);
    free(list);
    free(p);
}

int api_practices(struct db *db, struct api_auth *auth, api_practices_fn done, void *ud,
                  const void *owner)
{
    struct pending *p = pending_new(ud, auth);
    p->fn.practices = done;
    const char *v[1] = { auth->token };
    return pending_call(db, p, "SELECT * FROM api.practices($1)", 1, v, DB_SECRET | DB_RETRY,
                        on_practices, owner);
}

int api_select_practice(struct db *db, struct api_auth *auth, const char *practice_id,
                        api_done_fn done, void *ud, const void *owner)
{
    struct pending *p = pending_new(ud, auth);
    p->fn.done = done;
    const char *v[2] = { auth->token, practice_id };
    return pending_call(db, p, "SELECT api.select_practice($1, $2::uuid)", 2, v,
                        DB_SECRET | DB_RETRY, pending_done, owner);
}
