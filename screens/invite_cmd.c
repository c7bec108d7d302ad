/* lumen accept-invite CODE: joins a practice by the code its Owner or an
 * Admin handed over (issue 9), without the TUI.
 *
 *   the email (--email, or asked) -> api.invite_check (a guess, counted
 *   like a failed sign-in: one answer for a wrong, used, revoked or
 *   expired code, or another email) -> for a new account: a display name
 *   (--name, or asked) and a new password (asked twice, with a strength
 *   hint; refused under PASSWORD_MIN_CHARS characters), its key made with
 *   a fresh salt (api_password_set_key); for an existing account: its
 *   password, its key derived with the salt api.login_begin answers ->
 *   api.invite_accept -> "Joined PRACTICE as ROLE."
 *
 * No session is made: the user signs in after, with lumen.  With
 * --password-stdin the first line of standard input is the password (the
 * new one, or the account's), and the email and, for a new account, the
 * name must be given as options.  The password and the key live in
 * secure memory and are wiped before return. */
#include "client/subcmd.h"
#include "screens/cli.h"
#include "screens/cliout.h"
#include "client/conn.h"
#include "client/mem.h"
#include "client/password.h"

#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define SECRET_MAX 1024
#define NAME_MAX_CHARS 200      /* the server's bound, in characters */
#define NAME_BUF (NAME_MAX_CHARS * 4 + 1)
#define PASSWORD_TRIES 3

const char subcmd_accept_invite_help[] =
    "usage: lumen accept-invite CODE [--email E] [--name NAME] [--password-stdin]\n"
    "                                [--config FILE]\n"
    "\n"
    "Joins the practice whose invite CODE you were given (it is bound to the\n"
    "email it was sent to, works once, and lapses after 7 days).  Without an\n"
    "account yet, you choose your display name and a password (at least 10\n"
    "characters; asked twice, with a hint of its strength); with one, you\n"
    "give its password.  Then sign in with lumen as usual; where the practice\n"
    "requires two-factor sign-in, that sign-in sets it up.\n"
    "\n"
    "  --email E          the email the invite was sent to (else asked)\n"
    "  --name NAME        your name as the team will see it (a new account)\n"
    "  --password-stdin   the first line of standard input is the password\n"
    "                     (--email, and --name for a new account, are needed)\n"
    "\n"
    "A wrong, used, revoked or expired code gets one answer, and failures are\n"
    "counted as failed sign-ins are.\n"
    "\n"
    "Exit status: 0 when you joined, 1 when refused or failed, 2 on a usage\n"
    "error.\n";

struct step {
    bool done;
    enum api_err err;
    struct api_kdf kdf;
    enum api_outcome_status status;
    int retry_after_s;
    bool account_exists, mfa_required;
    char practice_name[256], role[16];
};

static void on_outcome(void *ud, enum api_err err, const struct api_outcome *r)
{
    struct step *s = ud;
    s->done = true;
    s->err = err;
    if (!r)
        return;
    s->status = r->status;
    s->retry_after_s = r->retry_after_s;
    s->account_exists = r->account_exists;
    s->mfa_required = r->mfa_required;
    snprintf(s->practice_name, sizeof s->practice_name, "%s", r->practice_name);
    snprintf(s->role, sizeof s->role, "%s", r->role);
}

static void on_kdf(void *ud, enum api_err err, const struct api_kdf *kdf)
{
    struct step *s = ud;
    s->done = true;
    s->err = err;
    if (kdf)
        s->kdf = *kdf;
}

/* A line on the terminal (never standard output: that may be a pipe). */
static void tty_say(const char *line)
{
    int fd = open("/dev/tty", O_WRONLY | O_NOCTTY | O_CLOEXEC);
    if (fd < 0)
        return;
    if (write(fd, line, strlen(line)) < 0) { /* nothing to do about it */ }
    close(fd);
}

/* The name as given, trimmed; -1 after a line when it is empty, too long
 * or holds a control character (it is shown to the whole team). */
static int check_name(const char *in, char *out, size_t len)
{
    while (*in == ' ')
        in++;
    size_t n = strlen(in);
    while (n && in[n - 1] == ' ')
        n--;
    const char *why = n == 0 ? "the name is empty"
                    : password_chars(in, n) > NAME_MAX_CHARS ? "the name is too long (200 "
                                                              "characters at most)"
                    : NULL;
    for (size_t i = 0; !why && i < n; i++)
        if ((unsigned char)in[i] < 0x20 || in[i] == 0x7f)
            why = "the name holds a control character";
    if (why || n >= len) {
        fprintf(stderr, "lumen: %s\n", why ? why : "the name is too long");
        return -1;
    }
    memcpy(out, in, n);
    out[n] = '\0';
    return 0;
}

/* The new password, into PW (secure, SECRET_MAX): from standard input, or
 * asked twice on the terminal with its strength.  0, or -1 after a line. */
static int new_password(const struct subcmd_opts *o, const char *email, char *pw)
{
    char hint[200], line[300], short_why[80], *again = sodium_malloc(SECRET_MAX);
    if (!again)
        mem_fatal("out of secure memory");
    int tries = o->password_stdin ? 1 : PASSWORD_TRIES;
    const char *why = "no password was chosen";
    bool ok = false;
    while (!ok && tries-- > 0) {
        if (o->password_stdin ? subcmd_read_line(STDIN_FILENO, pw, SECRET_MAX) != 0
                              : subcmd_ask_tty("New password: ", true, pw, SECRET_MAX) != 0) {
            why = o->password_stdin ? "no password was given on standard input"
                                    : "no password was given (no terminal: use --password-stdin)";
            break;
        }
        size_t len = strlen(pw);
        enum password_grade g = password_grade(pw, len, email);
        password_hint(g, password_chars(pw, len), hint, sizeof hint);
        if (g == PASSWORD_TOO_SHORT) {
            snprintf(short_why, sizeof short_why, "the password is too short: at least %d "
                     "characters", PASSWORD_MIN_CHARS);
            why = short_why;
            snprintf(line, sizeof line, "Strength: %s.\n", hint);
            if (!o->password_stdin)
                tty_say(line);
            continue;
        }
        if (o->password_stdin) {
            ok = true;
            break;
        }
        snprintf(line, sizeof line, "Strength: %s\n", hint);
        tty_say(line);
        if (subcmd_ask_tty("Again: ", true, again, SECRET_MAX) != 0)
            break;
        ok = strcmp(pw, again) == 0;
        why = "the two passwords differ";
        if (!ok)
            tty_say("The two passwords differ.\n");
    }
    sodium_free(again);
    if (!ok)
        fprintf(stderr, "lumen: %s\n", why);
    return ok ? 0 : -1;
}

/* The queued call's answer; -1 after a line when there was none. */
static int wait_step(struct db *db, struct step *s)
{
    return subcmd_wait(db, &s->done);
}

static const char *role_title(const char *role)
{
    return strcmp(role, "admin") == 0 ? "Admin" : strcmp(role, "viewer") == 0 ? "Viewer" : role;
}

/* The invite checked; 0 (S says whether the account exists), or -1 after
 * a line. */
static int check_code(struct db *db, const char *code, const char *email, const char *origin,
                      struct step *s)
{
    if (api_invite_check(db, code, email, origin, on_outcome, s, s) != 0 || wait_step(db, s) != 0)
        return -1;
    if (s->err != API_OK) {
        subcmd_say_err(s->err);
        return -1;
    }
    if (s->status == API_OUTCOME_LOCKED) {
        fprintf(stderr, "lumen: too many failed attempts for this email: try again in %d s\n",
                s->retry_after_s);
        return -1;
    }
    if (s->status != API_OUTCOME_OK) {
        fprintf(stderr, "lumen: that invite code is not valid for this email (wrong, used, "
                        "revoked or expired)\n");
        return -1;
    }
    return 0;
}

/* The key for api.invite_accept into KEY, KDF beside it: a new
 * password's, or the existing account's.  0, or -1 after a line. */
static int make_key(struct db *db, const struct subcmd_opts *o, const char *email, bool exists,
                    struct api_kdf *kdf, unsigned char *key)
{
    char *pw = sodium_malloc(SECRET_MAX);
    if (!pw)
        mem_fatal("out of secure memory");
    int rc = -1;
    if (!exists) {
        if (new_password(o, email, pw) == 0) {
            if (api_password_set_key(pw, strlen(pw), kdf, key) == 0)
                rc = 0;
            else
                fprintf(stderr, "lumen: not enough memory to stretch the password\n");
        }
        sodium_free(pw);
        return rc;
    }
    char prompt[300], safe[260];
    snprintf(prompt, sizeof prompt, "Password of your account %s: ",
             cli_safe(safe, sizeof safe, email));
    if (o->password_stdin ? subcmd_read_line(STDIN_FILENO, pw, SECRET_MAX) != 0
                          : subcmd_ask_tty(prompt, true, pw, SECRET_MAX) != 0) {
        fprintf(stderr, "lumen: no password was given%s\n",
                o->password_stdin ? " on standard input" : " (no terminal: use --password-stdin)");
    } else {
        struct step s = { 0 };
        if (api_login_begin(db, email, on_kdf, &s, &s) == 0 && wait_step(db, &s) == 0) {
            if (s.err != API_OK)
                subcmd_say_err(s.err);
            else if (api_derive_key(pw, strlen(pw), &s.kdf, key) != 0)
                fprintf(stderr, "lumen: the server asked for password-stretching limits this "
                                "client refuses\n");
            else {
                *kdf = s.kdf;
                rc = 0;
            }
        }
    }
    sodium_free(pw);
    return rc;
}

static int accept_invite(struct db *db, const struct subcmd_opts *o, const char *code,
                         const char *email, const char *name_opt)
{
    char origin[64], name[NAME_BUF] = "", asked[NAME_BUF], safe[512];
    api_origin_from_env(origin, sizeof origin);
    struct step s = { 0 };
    if (check_code(db, code, email, origin, &s) != 0)
        return 1;
    bool exists = s.account_exists;
    if (!o->password_stdin) {
        char line[700];
        snprintf(line, sizeof line, "Invited to %s as %s%s.\n",
                 cli_safe(safe, sizeof safe, s.practice_name), role_title(s.role),
                 exists ? " (you have an account: give its password)" : "");
        tty_say(line);
    }
    if (!exists) {
        const char *given = name_opt;
        if (!given && o->password_stdin) {
            fprintf(stderr, "lumen: give your name with --name (a new account)\n");
            return 1;
        }
        if (!given && subcmd_ask_tty("Your name (as the team will see it): ", false, asked,
                                     sizeof asked) != 0) {
            fprintf(stderr, "lumen: no name was given\n");
            return 1;
        }
        if (check_name(given ? given : asked, name, sizeof name) != 0)
            return 1;
    }
    unsigned char *key = sodium_malloc(API_KEY_BYTES);
    if (!key)
        mem_fatal("out of secure memory");
    struct api_kdf kdf;
    int rc = 1;
    if (make_key(db, o, email, exists, &kdf, key) == 0) {
        s = (struct step){ 0 };
        int queued = api_invite_accept(db, code, email, exists ? NULL : name, &kdf, key, origin,
                                       on_outcome, &s, &s);
        sodium_memzero(&kdf, sizeof kdf);
        if (queued == 0 && wait_step(db, &s) == 0) {
            if (s.err == API_ERR_INVALID)
                fprintf(stderr, "lumen: the database refused the name or the password's "
                                "settings as invalid\n");
            else if (s.err != API_OK)
                subcmd_say_err(s.err);
            else if (s.status == API_OUTCOME_LOCKED)
                fprintf(stderr, "lumen: too many failed attempts for this email: try again in "
                                "%d s\n", s.retry_after_s);
            else if (s.status != API_OUTCOME_OK)
                fprintf(stderr, exists ? "lumen: wrong password for this account, or the invite "
                                         "is no longer valid\n"
                                       : "lumen: the invite is no longer valid (used, revoked "
                                         "or expired)\n");
            else
                rc = 0;
        }
    }
    sodium_free(key);
    if (rc == 0) {
        printf("Joined %s as %s. Sign in with: lumen\n",
               cli_safe(safe, sizeof safe, s.practice_name), role_title(s.role));
        if (s.mfa_required)
            printf("%s requires two-factor sign-in: your next sign-in will set it up "
                   "(an authenticator app is needed).\n", safe);
    }
    return rc;
}

int subcmd_accept_invite(const struct config *cfg, const struct subcmd_opts *o,
                         const char *code, const char *name)
{
    char err[CONFIG_ERR_MAX + 64], email[256], asked_code[128];
    if (conn_policy_check(cfg, err, sizeof err) != 0) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    if (!code) {
        if (o->password_stdin ||
            subcmd_ask_tty("Invite code: ", false, asked_code, sizeof asked_code) != 0) {
            fprintf(stderr, "lumen: give the invite CODE: lumen accept-invite CODE\n");
            return 1;
        }
        code = asked_code;
    }
    if (o->email)
        snprintf(email, sizeof email, "%s", o->email);
    else if (o->password_stdin || subcmd_ask_tty("Email: ", false, email, sizeof email) != 0) {
        fprintf(stderr, "lumen: give the email the invite was sent to with --email\n");
        return 1;
    }
    if (sodium_init() < 0)
        mem_fatal("libsodium failed to initialise");
    struct db *db = db_open(cfg);
    int rc = accept_invite(db, o, code, email, name);
    db_close(&db);
    sodium_memzero(asked_code, sizeof asked_code);
    return rc;
}
