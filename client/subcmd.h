/* Subcommands that act as a signed-in member, without the TUI: they sign
 * in (client/session.h), do one job, sign out, and print their result on
 * stdout and one clear line on stderr on failure.  Exit status: 0 done,
 * 1 failed (wrong password, refused, verification failed), 2 usage.
 *
 * Credentials: with --password-stdin the first line of standard input is
 * the password and the second, where the account has two-factor, the
 * code; otherwise both are asked on the terminal (/dev/tty, not echoed).
 * The password lives in secure memory and is wiped before return.       */
#ifndef LUMEN_CLIENT_SUBCMD_H
#define LUMEN_CLIENT_SUBCMD_H

#include <stdbool.h>
#include <stddef.h>

#include "client/api.h"
#include "client/config.h"
#include "client/session.h"

struct subcmd_opts {
    const char *email;          /* --email, or asked on the terminal */
    bool password_stdin;        /* --password-stdin */
    const char *practice;       /* --practice NAME|ID, for members of several */
    bool practice_optional;     /* the job needs no practice (session_creds) */
};

/* Everything a signed-in subcommand holds. */
struct signed_in {
    struct db *db;
    struct api_auth auth;
    struct session_info info;
};
/* Signs in as O says (the config's policy first); 0, or -1 after one line
 * on stderr.  subcmd_sign_out() signs out and frees. */
int subcmd_sign_in(const struct config *cfg, const struct subcmd_opts *o, struct signed_in *si);
void subcmd_sign_out(struct signed_in *si);

/* One line from FD into BUF (without its end of line); -1 at end of
 * input, or when the line does not fit (never cut silently). */
int subcmd_read_line(int fd, char *buf, size_t len);
/* PROMPT on the terminal (/dev/tty), the answer read with echo off when
 * SECRET; -1 without a terminal or an answer. */
int subcmd_ask_tty(const char *prompt, bool secret, char *buf, size_t len);
/* Waits for the call queued last on DB, whose callback sets *DONE; 0, or
 * -1 after one line (the connection was lost, or no answer in time). */
int subcmd_wait(struct db *db, const bool *done);
/* "lumen: " and the error's sentence (and, for API_ERR_SERVER, which
 * column of which call was malformed), one line on stderr. */
void subcmd_say_err(enum api_err err);

/* lumen leads export (client/export.c) and lumen audit export
 * (client/audit_export.c): --filter, --out and --bom are both's. */
struct export_opts {
    const char *status;         /* --status S[,S...] (leads) */
    const char *since;          /* --since D (leads) */
    const char *preset;         /* --preset P (audit) */
    const char *from, *to;      /* --from D --to D (audit) */
    const char *filter;         /* --filter F: the inbox's or the viewer's filter text */
    const char *out;            /* --out FILE; NULL or "-": standard output */
    bool with_transcript;
    bool bom;                   /* --bom, or [export] bom = true */
};
int subcmd_leads_export(const struct config *cfg, const struct subcmd_opts *o,
                        const struct export_opts *e);
extern const char subcmd_leads_export_help[];
/* The options checked without the config or the database: 0, or 2 after
 * one line (a bad preset, range or filter).  subcmd_audit_export checks
 * them too. */
int subcmd_audit_export_usage(const struct export_opts *e);
int subcmd_audit_export(const struct config *cfg, const struct subcmd_opts *o,
                        const struct export_opts *e);
extern const char subcmd_audit_export_help[];

/* lumen audit verify: re-computes the session's practice's audit chain
 * from its first link (or, with --from D, from the first link whose row is
 * on or after day D in the practice's zone, taking the stored hash of the
 * link before it as given), checks it passes through the head this user
 * verified last time (client/chain.h, anchors), and records the new head. */
struct verify_opts {
    const char *from;           /* --from D (YYYY-MM-DD), or NULL */
};
extern const char subcmd_audit_verify_help[];
/* The options checked without the config or the database: 0 (DAY[11]
 * holds --from's day, or ""), or 2 after one line (a bad day). */
int subcmd_audit_verify_usage(const struct verify_opts *vo, char day[11]);
int subcmd_audit_verify(const struct config *cfg, const struct subcmd_opts *o,
                        const struct verify_opts *vo);

#endif
