/* lumen demo's private PostgreSQL cluster: scripts/pgcluster.sh's logic
 * (start, stop, destroy; the postgres user as root; /var/tmp when that
 * user cannot enter DIR), in C for an installed binary.  One difference:
 * the socket is the caller's alone (mode 0700), since trust lets anyone
 * who reaches it in as superuser. */
#include "client/demo_int.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define VAR_TMP_PREFIX "/var/tmp/lumen-"

/* OUT = A "/" B; -1 (with err) when it does not fit. */
static int join(char out[PATH_MAX], const char *a, const char *b, char *err, size_t errlen)
{
    int n = snprintf(out, PATH_MAX, "%s/%s", a, b);
    if (n < 0 || n >= PATH_MAX) {
        snprintf(err, errlen, "%s/%s: path too long", a, b);
        return -1;
    }
    return 0;
}

/* The cluster's owner: ourselves, or postgres when we are root. */
static int pick_owner(struct demo_cluster *c, char *err, size_t errlen)
{
    struct passwd *pw;
    if (geteuid() != 0) {
        c->uid = geteuid();
        c->gid = getegid();
        pw = getpwuid(c->uid);
        snprintf(c->owner, sizeof c->owner, "%s", pw ? pw->pw_name : "you");
        return 0;
    }
    if (!(pw = getpwnam("postgres"))) {
        snprintf(err, errlen, "as root, lumen demo runs PostgreSQL as the user postgres "
                 "(initdb refuses root), and there is no such user: install the package "
                 "postgresql (apt-get install postgresql), or run lumen demo as yourself");
        return -1;
    }
    c->other = true;
    c->uid = pw->pw_uid;
    c->gid = pw->pw_gid;
    snprintf(c->owner, sizeof c->owner, "%s", pw->pw_name);
    return 0;
}

/* A short, stable name for DIR: 8 hex digits of its SHA-256. */
static void key_of(const char *dir, char out[9])
{
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, (const unsigned char *)dir, strlen(dir));
    sodium_bin2hex(out, 9, h, 4);
}

int demo_pg_paths(struct demo_cluster *c, const char *dir, bool create, char *err, size_t errlen)
{
    memset(c, 0, sizeof *c);
    if (pick_owner(c, err, errlen) != 0)
        return -1;
    if (create && demo_mkdir_p(dir, 0700, err, errlen) != 0)
        return -1;
    if (!realpath(dir, c->dir)) {
        if (!create && errno == ENOENT) {
            snprintf(c->dir, sizeof c->dir, "%s", dir);
            return 0;                   /* no demo there */
        }
        snprintf(err, errlen, "%s: %s", dir, strerror(errno));
        return -1;
    }
    char link[PATH_MAX], key[9];
    if (join(c->conf, c->dir, "lumen.conf", err, errlen) != 0 ||
        join(link, c->dir, "pg", err, errlen) != 0)
        return -1;
    key_of(c->dir, key);
    struct stat st;
    if (lstat(link, &st) == 0 && S_ISLNK(st.st_mode)) {
        ssize_t n = readlink(link, c->home, sizeof c->home - 1);
        c->home[n > 0 ? n : 0] = '\0';
        if (strncmp(c->home, VAR_TMP_PREFIX, strlen(VAR_TMP_PREFIX)) != 0 ||
            strstr(c->home, "/..")) {
            snprintf(err, errlen, "%s links to %s, which lumen demo did not make: remove it",
                     link, c->home);
            return -1;
        }
    } else if (lstat(link, &st) == 0 && !S_ISDIR(st.st_mode)) {
        snprintf(err, errlen, "%s is not a folder: remove it", link);
        return -1;
    } else if (lstat(link, &st) == 0 || (create && demo_owner_can_enter(c, c->dir))) {
        snprintf(c->home, sizeof c->home, "%s", link);
    } else if (create) {
        snprintf(c->home, sizeof c->home, VAR_TMP_PREFIX "%s-%s", c->owner, key);
    } else {
        return 0;                       /* no demo there */
    }
    if (join(c->data, c->home, "data", err, errlen) != 0 ||
        join(c->log, c->home, "postgres.log", err, errlen) != 0 ||
        join(c->sock, c->home, "run", err, errlen) != 0)
        return -1;
    /* A socket's path (the folder and "/.s.PGSQL.5432") fits in 107 bytes. */
    if (strlen(c->sock) > 90)
        snprintf(c->sock, sizeof c->sock, "/tmp/lumen-sock-%s", key);
    return 0;
}

static bool executable(const char *bindir, const char *name)
{
    char p[PATH_MAX];
    return snprintf(p, sizeof p, "%s/%s", bindir, name) < (int)sizeof p && access(p, X_OK) == 0;
}

int demo_pg_bindir(struct demo_cluster *c, char *err, size_t errlen)
{
    int best = 0;
    DIR *d = opendir("/usr/lib/postgresql");
    struct dirent *e;
    while (d && (e = readdir(d))) {
        char *end, bin[PATH_MAX];
        long v = strtol(e->d_name, &end, 10);
        if (*end || end == e->d_name || v < 15 || v <= best || v > 999)
            continue;
        snprintf(bin, sizeof bin, "/usr/lib/postgresql/%ld/bin", v);
        if (executable(bin, "initdb") && executable(bin, "pg_ctl"))
            best = (int)v;
    }
    if (d)
        closedir(d);
    if (best) {
        snprintf(c->bindir, sizeof c->bindir, "/usr/lib/postgresql/%d/bin", best);
        return 0;
    }
    /* Elsewhere than Debian: where pg_config says the programs are. */
    FILE *p = popen("pg_config --bindir 2>/dev/null", "r");
    char line[PATH_MAX] = "";
    if (p) {
        if (!fgets(line, sizeof line, p))
            line[0] = '\0';
        pclose(p);
    }
    line[strcspn(line, "\n")] = '\0';
    if (line[0] == '/' && executable(line, "initdb") && executable(line, "pg_ctl")) {
        snprintf(c->bindir, sizeof c->bindir, "%s", line);
        return 0;
    }
    snprintf(err, errlen, "no PostgreSQL server found (initdb and pg_ctl of version 15 or "
             "newer, in /usr/lib/postgresql/N/bin): install the package postgresql "
             "(apt-get install postgresql)");
    return -1;
}

/* The pid in postmaster.pid, when it is a live postgres (after a crash and
 * a reboot the pid may belong to anything; a zombie is gone); else 0. */
static pid_t server_pid(const struct demo_cluster *c)
{
    char path[PATH_MAX + 32], stat[256] = "";
    long pid = 0;
    snprintf(path, sizeof path, "%s/postmaster.pid", c->data);
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    if (fscanf(f, "%ld", &pid) != 1)
        pid = 0;
    fclose(f);
    if (pid <= 0)
        return 0;
    /* /proc/PID/stat: "PID (COMM) STATE ...". */
    snprintf(path, sizeof path, "/proc/%ld/stat", pid);
    if (!(f = fopen(path, "r")))
        return 0;
    if (!fgets(stat, sizeof stat, f))
        stat[0] = '\0';
    fclose(f);
    const char *comm = strchr(stat, '('), *end = strrchr(stat, ')');
    bool alive = comm && end && end - comm == 9 && strncmp(comm, "(postgres)", 10) == 0 &&
                 end[1] == ' ' && end[2] != 'Z' && end[2] != 'X';
    return alive ? (pid_t)pid : 0;
}

bool demo_pg_running(const struct demo_cluster *c)
{
    return c->home[0] && server_pid(c) > 0;
}

/* postgresql.conf: the socket only, the caller's alone. */
static int configure(const struct demo_cluster *c, char *err, size_t errlen)
{
    char path[PATH_MAX + 32];
    snprintf(path, sizeof path, "%s/postgresql.conf", c->data);
    FILE *f = fopen(path, "a");
    if (!f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    fprintf(f, "# written by lumen demo\n"
            "listen_addresses = ''\n"
            "unix_socket_directories = '%s'\n"
            "unix_socket_permissions = 0700\n"
            "max_connections = 100\n"
            "shared_buffers = 64MB\n"
            "log_min_messages = warning\n", c->sock);
    if (fclose(f) != 0) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    return 0;
}

static int create_cluster(struct demo_cluster *c, char *err, size_t errlen)
{
    char link[PATH_MAX], ilog[PATH_MAX];
    if (join(link, c->dir, "pg", err, errlen) != 0)
        return -1;
    fprintf(stderr, "lumen demo: creating a PostgreSQL cluster in %s (once)\n", c->home);
    /* The folder stays the caller's; the owner must be able to enter it. */
    if (demo_own_dir(c->home, c->other ? 0755 : 0700, geteuid(), getegid(), err, errlen) != 0)
        return -1;
    if (strcmp(c->home, link) != 0) {
        unlink(link);
        if (symlink(c->home, link) != 0) {
            snprintf(err, errlen, "%s: cannot link it to %s: %s", link, c->home, strerror(errno));
            return -1;
        }
    }
    if (demo_rm_rf(c->data, err, errlen) != 0 ||
        demo_own_dir(c->data, 0700, c->uid, c->gid, err, errlen) != 0 ||
        demo_own_dir(c->sock, 0700, c->uid, c->gid, err, errlen) != 0 ||
        join(ilog, c->home, "initdb.log", err, errlen) != 0)
        return -1;
    char initdb[PATH_MAX + 8];
    snprintf(initdb, sizeof initdb, "%s/initdb", c->bindir);
    char *argv[] = { initdb, "-D", c->data, "-U", "postgres", "--auth-local=trust",
                     "--auth-host=reject", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync", NULL };
    if (demo_run_owner(c, argv, ilog) != 0) {
        demo_tail_to_stderr(ilog);
        snprintf(err, errlen, "initdb failed (its output: %s)", ilog);
        return -1;
    }
    return configure(c, err, errlen);
}

int demo_pg_start(struct demo_cluster *c, char *err, size_t errlen)
{
    if (demo_pg_running(c))
        return 0;
    char version[PATH_MAX];
    if (join(version, c->data, "PG_VERSION", err, errlen) != 0)
        return -1;
    if (access(version, F_OK) != 0 && create_cluster(c, err, errlen) != 0)
        return -1;
    if (demo_own_dir(c->sock, 0700, c->uid, c->gid, err, errlen) != 0)
        return -1;
    if (c->other) {
        /* The server writes its log into the caller's folder. */
        int fd = open(c->log, O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd < 0 || fchown(fd, c->uid, c->gid) != 0) {
            snprintf(err, errlen, "%s: %s", c->log, strerror(errno));
            if (fd >= 0)
                close(fd);
            return -1;
        }
        close(fd);
    }
    /* A pid file left by a crash makes postgres refuse to start when its
     * pid now belongs to another process of the same user. */
    char pidfile[PATH_MAX + 32], lock[PATH_MAX];
    snprintf(pidfile, sizeof pidfile, "%s/postmaster.pid", c->data);
    if (access(pidfile, F_OK) == 0) {
        fprintf(stderr, "lumen demo: removing the stale %s\n", pidfile);
        unlink(pidfile);
        if (join(lock, c->sock, ".s.PGSQL.5432.lock", err, errlen) == 0)
            unlink(lock);
    }
    fprintf(stderr, "lumen demo: starting PostgreSQL (%s)\n", c->bindir);
    char pg_ctl[PATH_MAX + 8];
    snprintf(pg_ctl, sizeof pg_ctl, "%s/pg_ctl", c->bindir);
    char *argv[] = { pg_ctl, "-D", c->data, "-l", c->log, "-w", "-t", "60", "start", NULL };
    if (demo_run_owner(c, argv, NULL) != 0) {
        demo_tail_to_stderr(c->log);
        snprintf(err, errlen, "could not start PostgreSQL in %s (its log: %s)", c->data, c->log);
        return -1;
    }
    return 0;
}

int demo_pg_stop(const struct demo_cluster *c, char *err, size_t errlen)
{
    pid_t pid = c->home[0] ? server_pid(c) : 0;
    if (pid <= 0)
        return 0;
    /* What pg_ctl stop -m fast does: SIGINT, then wait for it to go. */
    if (kill(pid, SIGINT) != 0 && errno != ESRCH) {
        snprintf(err, errlen, "cannot stop PostgreSQL (pid %ld): %s", (long)pid, strerror(errno));
        return -1;
    }
    for (int i = 0; i < 600 && server_pid(c) == pid; i++)
        nanosleep(&(struct timespec){ 0, 100000000 }, NULL);
    if (server_pid(c) == pid) {
        snprintf(err, errlen, "PostgreSQL (pid %ld) did not stop within a minute", (long)pid);
        return -1;
    }
    return 0;
}

int demo_pg_destroy(struct demo_cluster *c, char *err, size_t errlen)
{
    if (demo_pg_stop(c, err, errlen) != 0)
        return -1;
    char link[PATH_MAX];
    if (join(link, c->dir, "pg", err, errlen) != 0)
        return -1;
    if (c->home[0] && demo_rm_rf(c->home, err, errlen) != 0)
        return -1;
    if (c->sock[0] && strncmp(c->sock, "/tmp/lumen-sock-", 16) == 0 &&
        demo_rm_rf(c->sock, err, errlen) != 0)
        return -1;
    unlink(link);
    if (c->conf[0])
        unlink(c->conf);
    rmdir(c->dir);                      /* when nothing else is in it */
    return 0;
}
