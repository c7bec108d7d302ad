/* lumen demo's system work: running programs as the cluster's owner,
 * making and deleting its folders (declared in client/demo_int.h). */
#include "client/demo_int.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <grp.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* In a child: from here on, the cluster's owner. */
static int become_owner(const struct demo_cluster *c)
{
    if (!c->other)
        return 0;
    if (chdir("/") != 0 || initgroups(c->owner, c->gid) != 0 || setgid(c->gid) != 0 ||
        setuid(c->uid) != 0)
        return -1;
    return 0;
}

static int wait_child(pid_t pid)
{
    int st;
    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR)
            return -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* Runs ARGV as the cluster's owner, its output into OUT (made anew, 0600)
 * or /dev/null, with no other descriptor of ours (the server it starts
 * must not hold our caller's pipes open).  Its exit status, or -1. */
int demo_run_owner(const struct demo_cluster *c, char *const argv[], const char *out)
{
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        int in = open("/dev/null", O_RDONLY);
        int fd = out ? open(out, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW, 0600)
                     : open("/dev/null", O_WRONLY);
        if (in < 0 || fd < 0 || dup2(in, 0) < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0)
            _exit(126);
        long max = sysconf(_SC_OPEN_MAX);
        for (int i = 3; i < (max > 0 && max < 65536 ? max : 65536); i++)
            close(i);
        if (become_owner(c) != 0)
            _exit(126);
        execv(argv[0], argv);
        _exit(127);
    }
    return wait_child(pid);
}

/* Whether the cluster's owner may enter and list PATH (and every folder
 * above it). */
bool demo_owner_can_enter(const struct demo_cluster *c, const char *path)
{
    if (!c->other)
        return true;
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0)
        return false;
    if (pid == 0)
        _exit(become_owner(c) == 0 && access(path, R_OK | X_OK) == 0 ? 0 : 1);
    return wait_child(pid) == 0;
}

/* Makes the folders of PATH that are missing, mode MODE. */
int demo_mkdir_p(const char *path, mode_t mode, char *err, size_t errlen)
{
    char p[PATH_MAX];
    if (snprintf(p, sizeof p, "%s", path) >= (int)sizeof p) {
        snprintf(err, errlen, "%s: path too long", path);
        return -1;
    }
    for (char *s = p + 1; ; s++) {
        if (*s != '/' && *s != '\0')
            continue;
        char was = *s;
        *s = '\0';
        if (mkdir(p, mode) != 0 && errno != EEXIST) {
            snprintf(err, errlen, "%s: cannot make it: %s", p, strerror(errno));
            return -1;
        }
        if (!(*s = was))
            break;
    }
    return 0;
}

/* PATH a folder (made when missing, MODE) that belongs to UID, not a
 * link: a folder of a shared place (/var/tmp, /tmp) that someone else made
 * first is refused. */
int demo_own_dir(const char *path, mode_t mode, uid_t uid, gid_t gid, char *err, size_t errlen)
{
    bool made = mkdir(path, mode) == 0;
    if (!made && errno != EEXIST) {
        snprintf(err, errlen, "%s: cannot make it: %s", path, strerror(errno));
        return -1;
    }
    struct stat st;
    if (lstat(path, &st) != 0 || !S_ISDIR(st.st_mode)) {
        snprintf(err, errlen, "%s: not a folder", path);
        return -1;
    }
    if (made && st.st_uid != uid && chown(path, uid, gid) != 0) {
        snprintf(err, errlen, "%s: cannot give it to uid %u: %s", path, (unsigned)uid,
                 strerror(errno));
        return -1;
    }
    if (!made && st.st_uid != uid) {
        snprintf(err, errlen, "%s belongs to uid %u, not to uid %u: remove it, or give "
                 "lumen demo another --dir", path, (unsigned)st.st_uid, (unsigned)uid);
        return -1;
    }
    if (chmod(path, mode) != 0) {
        snprintf(err, errlen, "%s: chmod: %s", path, strerror(errno));
        return -1;
    }
    return 0;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st; (void)flag; (void)ftw;
    return remove(path) != 0 && errno != ENOENT ? -1 : 0;
}

/* rm -rf PATH, never following a link. */
int demo_rm_rf(const char *path, char *err, size_t errlen)
{
    struct stat st;
    if (lstat(path, &st) != 0)
        return 0;
    if (nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS) != 0) {
        snprintf(err, errlen, "%s: cannot delete it: %s", path, strerror(errno));
        return -1;
    }
    return 0;
}

/* The last lines of FILE on stderr, to say why something failed. */
void demo_tail_to_stderr(const char *file)
{
    FILE *f = fopen(file, "r");
    if (!f)
        return;
    char lines[20][512];
    int n = 0;
    while (fgets(lines[n % 20], sizeof lines[0], f))
        n++;
    fclose(f);
    for (int i = n > 20 ? n - 20 : 0; i < n; i++)
        fputs(lines[i % 20], stderr);
}

