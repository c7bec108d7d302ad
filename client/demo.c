/* lumen demo: its options, the steps in order, the sign-in text
 * (client/demo.h says what it does). */
#include "client/demo.h"
#include "client/demo_int.h"
#include "client/mem.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

const char demo_help[] =
    "usage: lumen demo [--dir DIR] [--reset]\n"
    "       lumen demo --stop [--reset] [--dir DIR]\n"
    "\n"
    "Try Lumen on demo data: a PostgreSQL cluster of your own with two practices,\n"
    "their members, thousands of leads and an audit history; it prints the demo\n"
    "sign-ins, then opens the sign-in screen on it.  The first run creates it;\n"
    "later runs start it again if it stopped and keep what was changed in it.\n"
    "\n"
    "  --dir DIR   where the demo lives: the cluster in DIR/pg, the config in\n"
    "              DIR/lumen.conf (default $XDG_DATA_HOME/lumen/demo, else\n"
    "              ~/.local/share/lumen/demo)\n"
    "  --reset     delete the demo first and make it anew (used recovery codes\n"
    "              come back); with --stop, delete it and stop there\n"
    "  --stop      stop the demo's PostgreSQL\n"
    "\n"
    "It needs a PostgreSQL server, 15 or newer (Debian's package postgresql).\n"
    "The cluster listens on a Unix socket in DIR only, no TCP, and only you may\n"
    "connect.  As root it runs as the user postgres, since initdb refuses root.\n"
    "Without a terminal it sets the demo up, prints the sign-ins and exits:\n"
    "lumen --config DIR/lumen.conf then opens it.\n";

static const char signin_text[] =
    "\n"
    "Lumen demo: every password is  lumen-demo-2026\n"
    "\n"
    "  Bright Smile Dental (America/Chicago)\n"
    "    owner@brightsmile.test    Owner   two-factor on: code with\n"
    "                              oathtool --totp -b JBSWY3DPEHPK3PXP\n"
    "    admin@brightsmile.test    Admin\n"
    "    viewer@brightsmile.test   Viewer\n"
    "  Harbor Family Therapy (America/New_York)\n"
    "    owner@harbortherapy.test  Owner, and a Viewer of Bright Smile Dental:\n"
    "                              picks a practice after signing in (p switches)\n"
    "\n"
    "  Recovery codes of owner@brightsmile.test (C-r at the code; each works once):\n";

static const char keys_text[] =
    "\n"
    "Keys: Tab or Enter moves between fields, Enter on the last one signs in,\n"
    "? (F1 in a form) shows the keys of a screen, q quits.  lumen demo --stop\n"
    "stops the demo database; lumen demo --reset makes it anew.\n"
    "\n";

/* A line of recovery-codes.txt that is a code: XXXXX-XXXXX in base32. */
static bool is_code(const char *s, size_t n)
{
    static const char b32[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    if (n != 11 || s[5] != '-')
        return false;
    for (size_t i = 0; i < n; i++)
        if (i != 5 && !memchr(b32, s[i], 32))
            return false;
    return true;
}

/* What scripts/demo.sh prints: the sign-ins, the codes five a line. */
static void print_signins(void)
{
    fputs(signin_text, stdout);
    const struct migrate_file *f = demo_embedded_codes;
    int n = 0;
    for (size_t at = 0; f->name && at < f->len;) {
        const char *s = f->sql + at, *nl = memchr(s, '\n', f->len - at);
        size_t len = nl ? (size_t)(nl - s) : f->len - at;
        if (is_code(s, len)) {
            printf("%s%.*s", n % 5 ? "  " : "    ", (int)len, s);
            if (++n % 5 == 0)
                putchar('\n');
        }
        at += len + 1;
    }
    if (n % 5)
        putchar('\n');
    fputs(keys_text, stdout);
}

/* $XDG_DATA_HOME/lumen/demo, else ~/.local/share/lumen/demo. */
static int default_dir(char *out, size_t len)
{
    const char *xdg = getenv("XDG_DATA_HOME");
    const char *home = getenv("HOME");
    int n;
    if (xdg && xdg[0] == '/')
        n = snprintf(out, len, "%s/lumen/demo", xdg);
    else if (home && home[0] == '/')
        n = snprintf(out, len, "%s/.local/share/lumen/demo", home);
    else
        return -1;
    return n > 0 && (size_t)n < len ? 0 : -1;
}

static int fail(const char *err)
{
    fprintf(stderr, "lumen demo: %s\n", err);
    return 1;
}

/* One lumen demo at a time in DIR: a lock on the folder itself, held
 * until exit or until the TUI opens.  The descriptor, or -1. */
static int lock_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) != 0) {
        fprintf(stderr, "lumen demo: waiting for another lumen demo in %s\n", dir);
        flock(fd, LOCK_EX);
    }
    return fd;
}

static int stop(const char *dir, bool reset)
{
    char err[1024];
    struct demo_cluster *c = mem_alloc(sizeof *c);
    int rc = 0, lock = -1;
    if (demo_pg_paths(c, dir, false, err, sizeof err) != 0) {
        rc = fail(err);
    } else if (reset) {
        lock = lock_dir(c->dir);
        if (demo_pg_destroy(c, err, sizeof err) != 0)
            rc = fail(err);
        else
            fprintf(stderr, "lumen demo: deleted the demo in %s\n", c->dir);
    } else if (!demo_pg_running(c)) {
        fprintf(stderr, "lumen demo: the demo database in %s is not running\n", c->dir);
    } else if (demo_pg_stop(c, err, sizeof err) != 0) {
        rc = fail(err);
    } else {
        fprintf(stderr, "lumen demo: stopped the demo database in %s\n", c->dir);
    }
    if (lock >= 0)
        close(lock);
    free(c);
    return rc;
}

static int setup(const char *dir, char **tui_config)
{
    char err[1024] = "";
    struct demo_cluster *c = mem_alloc(sizeof *c);
    int lock = -1, rc = 1;
    if (demo_pg_paths(c, dir, true, err, sizeof err) == 0 && (lock = lock_dir(c->dir)) >= 0 &&
        demo_pg_bindir(c, err, sizeof err) == 0 && demo_pg_start(c, err, sizeof err) == 0 &&
        demo_db_setup(c, err, sizeof err) == 0)
        rc = 0;
    else if (lock < 0 && !err[0])
        snprintf(err, sizeof err, "%.900s: %s", c->dir, strerror(errno));
    if (lock >= 0)
        close(lock);
    if (rc != 0) {
        free(c);
        return fail(err);
    }
    fprintf(stderr, "lumen demo: ready; lumen --config %s\n", c->conf);
    print_signins();
    if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
        printf("lumen demo: not a terminal; run lumen --config %s in one\n", c->conf);
    } else {
        printf("Press Enter to open Lumen... ");
        fflush(stdout);
        int ch;
        while ((ch = getchar()) != EOF && ch != '\n')
            ;
        if (ch == '\n')
            *tui_config = mem_strdup(c->conf);
    }
    free(c);
    return 0;
}

int demo_main(int argc, char **argv, char **tui_config)
{
    *tui_config = NULL;
    const char *dir = NULL;
    bool do_stop = false, reset = false;
    for (int i = 1; i < argc; i++) {
        const char *s = argv[i];
        if (strcmp(s, "--help") == 0 || strcmp(s, "-h") == 0) {
            fputs(demo_help, stdout);
            return 0;
        } else if (strcmp(s, "--stop") == 0) {
            do_stop = true;
        } else if (strcmp(s, "--reset") == 0) {
            reset = true;
        } else if (strcmp(s, "--dir") == 0 && i + 1 < argc) {
            dir = argv[++i];
        } else if (strncmp(s, "--dir=", 6) == 0) {
            dir = s + 6;
        } else {
            fprintf(stderr, "lumen: %s '%s' for lumen demo\ntry 'lumen demo --help'\n",
                    strcmp(s, "--dir") == 0 ? "a value is missing after"
                    : s[0] == '-' ? "unknown option" : "unexpected argument", s);
            return 2;
        }
    }
    char def[PATH_MAX];
    if (dir && !dir[0])
        return fprintf(stderr, "lumen: --dir wants a folder\n"), 2;
    if (!dir && default_dir(def, sizeof def) != 0)
        return fail("neither $XDG_DATA_HOME nor $HOME is an absolute path: give --dir DIR");
    if (!dir)
        dir = def;
    if (do_stop || reset) {
        int rc = stop(dir, reset);
        if (rc != 0 || do_stop)
            return rc;
    }
    return setup(dir, tui_config);
}
