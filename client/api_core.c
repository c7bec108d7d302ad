/* The core of the api wrappers (client/api_core.h): pending calls, the
 * error mapping, the two-step guess and the table-driven decoder.  The
 * wrappers live by domain: client/api_auth.c, client/api_account.c. */
#include "client/api_core.h"
#include "client/mem.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char detail[200];

const char *api_err_detail(void)
{
    return detail;
}

void api_set_detail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof detail, fmt, ap);
    va_end(ap);
}

struct pending *pending_new(void *ud, struct api_auth *auth)
{
    struct pending *p = mem_alloc(sizeof *p);
    p->ud = ud;
    p->auth = auth;
    return p;
}

static api_session_fn session_hook;
static void *session_hook_ud;

void api_set_session_hook(api_session_fn fn, void *ud)
{
    session_hook = fn;
    session_hook_ud = ud;
}

static enum api_err reply_err(const struct db_reply *r);

/* Every answer's error passes here (pending_done, api_decode_one), so the
 * session hook sees each one exactly once, before the callback. */
enum api_err api_reply_err(const struct db_reply *r)
{
    enum api_err err = reply_err(r);
    if (session_hook &&
        (api_err_ends_session(err) || err == API_ERR_SESSION_IDLE || err == API_ERR_ENROLL) &&
        session_hook(session_hook_ud, err))
        return API_ERR_CANCELLED;
    return err;
}

static enum api_err reply_err(const struct db_reply *r)
{
    switch (r->outcome) {
    case DB_OK:
        return API_OK;
    case DB_LOST:
        return API_ERR_LOST;
    case DB_CANCELLED:
        return API_ERR_CANCELLED;
    case DB_ERROR:
        return api_err_from_sqlstate(r->sqlstate);
    }
    return API_ERR_SERVER;
}

enum api_err api_err_from_sqlstate(const char *s)
{
    static const struct { const char *state; enum api_err err; } map[] = {
        { "LMS01", API_ERR_SESSION_UNKNOWN }, { "LMS02", API_ERR_SESSION_REVOKED },
        { "LMS03", API_ERR_SESSION_IDLE },    { "LMS04", API_ERR_SESSION_EXPIRED },
        { "LMS05", API_ERR_MFA_OWED },        { "LMS06", API_ERR_NO_PRACTICE },
        { "LMS07", API_ERR_ENROLL },          { "LMS08", API_ERR_PRACTICE_CLOSED },
        { "LMP01", API_ERR_DENIED },          { "LMV01", API_ERR_INVALID },
        { "LMU01", API_ERR_STEP_UP },
        /* The server going down mid-call: admin shutdown, crash. */
        { "57P01", API_ERR_LOST }, { "57P02", API_ERR_LOST }, { "57P03", API_ERR_LOST },
        { "57014", API_ERR_CANCELLED },
    };
    for (size_t i = 0; s && i < sizeof map / sizeof map[0]; i++)
        if (strcmp(s, map[i].state) == 0)
            return map[i].err;
    if (s && strncmp(s, "08", 2) == 0)
        return API_ERR_LOST;
    return API_ERR_SERVER;
}

bool api_err_ends_session(enum api_err err)
{
    return err == API_ERR_SESSION_UNKNOWN || err == API_ERR_SESSION_REVOKED ||
           err == API_ERR_SESSION_EXPIRED || err == API_ERR_PRACTICE_CLOSED;
}

int pending_call(struct db *db, struct pending *p, const char *sql, int nparams,
                 const char *const *values, unsigned flags, db_done_fn on_reply,
                 const void *owner)
{
    int rc = db_call(db, sql, nparams, values, NULL, flags, on_reply, p, owner);
    if (rc)
        free(p);
    return rc;
}

void pending_done(void *ud, const struct db_reply *r)
{
    struct pending *p = ud;
    if (p->fn.done)
        p->fn.done(p->ud, api_reply_err(r));
    free(p);
}

/* NULL-safe: screens are freed after db_close, when every call has been
 * answered already and there is nothing left to cancel. */
void api_cancel(struct db *db, const void *owner)
{
    if (db)
        db_cancel(db, owner);
}

/* Guesses (a password key, a second-factor code, an unlock) answer only an
 * attempt id; the outcome is asked for in a second call, which runs in a
 * transaction of its own after the attempt -- its failure count and audit
 * rows -- has committed (db/API.md, "Guesses").  Both calls belong to the
 * caller's owner, so Esc cancels either. */
#define ATTEMPT_RESULT_SQL "SELECT * FROM api.attempt_result($1)"

static void on_attempt(void *ud, const struct db_reply *r)
{
    struct pending *p = ud;
    if (r->outcome != DB_OK) {
        p->on_result(p, r);
        return;
    }
    struct db_reply bad = { DB_ERROR, NULL, "XX000", "malformed attempt id" };
    if (PQntuples(r->res) != 1 || PQnfields(r->res) != 1 ||
        PQgetlength(r->res, 0, 0) != API_TOKEN_HEX) {
        api_set_detail("attempt: not one attempt id");
        p->on_result(p, &bad);
        return;
    }
    char *id = PQgetvalue(r->res, 0, 0);
    const char *v[1] = { id };
    /* Not DB_RETRY: an outcome is told once, so a second try after a lost
     * connection would only be refused; the user tries again instead. */
    const char *sql = p->result_sql ? p->result_sql : ATTEMPT_RESULT_SQL;
    if (db_call(p->db, sql, 1, v, NULL, DB_SECRET, p->on_result, p, p->owner) != 0) {
        bad.outcome = DB_LOST;
        p->on_result(p, &bad);
    }
    sodium_memzero(id, API_TOKEN_HEX);
}

int attempt_call(struct db *db, struct pending *p, const char *sql, int nparams,
                 const char *const *values, const int *lengths, db_done_fn on_result,
                 const void *owner)
{
    p->db = db;
    p->owner = owner;
    p->on_result = on_result;
    int rc = db_call(db, sql, nparams, values, lengths, DB_SECRET, on_attempt, p, owner);
    if (rc)
        free(p);
    return rc;
}

/* The decoder (client/api_core.h).  Values are parsed whole: "12x", " 1",
 * "" and out-of-range numbers are malformed, not read as far as they go. */

static bool parse_ll(const char *s, long long min, long long max, long long *out)
{
    if (!(isdigit((unsigned char)*s) || (*s == '-' && isdigit((unsigned char)s[1]))))
        return false;
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || *end || v < min || v > max)
        return false;
    *out = v;
    return true;
}

static bool is_uuid(const char *s)
{
    for (int i = 0; i < 36; i++) {
        bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? s[i] != '-' : !isxdigit((unsigned char)s[i]))
            return false;
    }
    return s[36] == '\0';
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = (char)tolower((unsigned char)c);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

static bool unhex(const char *s, size_t len, unsigned char *out, size_t n)
{
    if (len != 2 + 2 * n || s[0] != '\\' || s[1] != 'x')
        return false;
    for (size_t i = 0; i < n; i++) {
        int hi = hexval(s[2 + 2 * i]), lo = hexval(s[3 + 2 * i]);
        if (hi < 0 || lo < 0)
            return false;
        out[i] = (unsigned char)(hi << 4 | lo);
    }
    return true;
}

static int enum_index(const char *const *names, const char *v)
{
    for (int i = 0; names && names[i]; i++)
        if (strcmp(names[i], v) == 0)
            return i;
    return -1;
}

/* What is wrong with column C of the row, or NULL once it is stored. */
static const char *decode_col(const PGresult *res, int row, const struct api_col *c, char *base)
{
    int col = PQfnumber(res, c->name);
    if (col < 0)
        return "missing";
    bool null = PQgetisnull(res, row, col);
    if (null && !(c->flags & API_NULL_OK))
        return "is NULL";
    const char *v = PQgetvalue(res, row, col);      /* "" when NULL */
    size_t len = (size_t)PQgetlength(res, row, col);
    void *dst = base + c->offset;
    long long n = c->if_null;
    switch (c->type) {
    case API_TEXT:
        if (c->size != sizeof v)
            break;
        memcpy(dst, &v, sizeof v);
        return NULL;
    case API_UUID:
        if (c->size < 37)
            break;
        if (!null && !is_uuid(v))
            return "is not a uuid";
        /* fall through */
    case API_STR:
        if (len >= c->size)
            return "is too long";
        memcpy(dst, v, len + 1);
        return NULL;
    case API_INT:
    case API_ENUM:
        if (c->size != sizeof(int))
            break;
        if (!null && c->type == API_INT && !parse_ll(v, INT_MIN, INT_MAX, &n))
            return "is not an integer";
        if (!null && c->type == API_ENUM && (n = enum_index(c->names, v)) < 0)
            return "has an unknown value";
        memcpy(dst, &(int){ (int)n }, sizeof(int));
        return NULL;
    case API_INT64:
        if (c->size != sizeof(int64_t))
            break;
        if (!null && !parse_ll(v, INT64_MIN, INT64_MAX, &n))
            return "is not an integer";
        memcpy(dst, &(int64_t){ n }, sizeof(int64_t));
        return NULL;
    case API_BOOL:
        if (c->size != sizeof(bool))
            break;
        if (!null && strcmp(v, "t") != 0 && strcmp(v, "f") != 0)
            return "is not a boolean";
        memcpy(dst, &(bool){ v[0] == 't' }, sizeof(bool));
        return NULL;
    case API_BYTEA:
        if (null)
            memset(dst, 0, c->size);
        else if (!unhex(v, len, dst, c->size))
            return "is not the expected bytes";
        return NULL;
    }
    return "does not fit its field (decoder table)";
}

int api_decode(const PGresult *res, int row, const struct api_col *cols, size_t ncols,
               void *out, const char *what)
{
    if (!res || row < 0 || row >= PQntuples(res)) {
        api_set_detail("%s: no row %d", what, row);
        return -1;
    }
    for (size_t i = 0; i < ncols; i++) {
        const char *problem = decode_col(res, row, &cols[i], out);
        if (problem) {
            api_set_detail("%s: column \"%s\" %s", what, cols[i].name, problem);
            return -1;
        }
    }
    return 0;
}

enum api_err api_decode_one(const struct db_reply *r, const struct api_col *cols, size_t ncols,
                            void *out, const char *what)
{
    enum api_err err = api_reply_err(r);
    if (err != API_OK)
        return err;
    if (PQntuples(r->res) != 1) {
        api_set_detail("%s: %d rows, not one", what, PQntuples(r->res));
        return API_ERR_SERVER;
    }
    return api_decode(r->res, 0, cols, ncols, out, what) == 0 ? API_OK : API_ERR_SERVER;
}

enum api_err api_decode_all(const struct db_reply *r, const struct api_col *cols, size_t ncols,
                            size_t size, void **out, size_t *n, const char *what)
{
    *out = NULL;
    *n = 0;
    enum api_err err = api_reply_err(r);
    if (err != API_OK)
        return err;
    size_t rows = (size_t)PQntuples(r->res);
    char *list = mem_alloc((rows ? rows : 1) * size);
    memset(list, 0, (rows ? rows : 1) * size);
    for (size_t i = 0; i < rows; i++)
        if (api_decode(r->res, (int)i, cols, ncols, list + i * size, what) != 0) {
            free(list);
            return API_ERR_SERVER;
        }
    *out = list;
    *n = rows;
    return API_OK;
}
