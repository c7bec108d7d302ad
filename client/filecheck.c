/* filecheck: ownership and permissions of trusted files.  Contract in
 * filecheck.h. */
#include "client/filecheck.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Root can change anything anyway, so root's files add no one to trust. */
static bool trusted_owner(uid_t uid)
{
    return uid == geteuid() || uid == 0;
}

static int check_mode(const struct stat *sb, const char *path, enum filecheck_kind kind,
                      char *err, size_t errlen)
{
    unsigned mode = (unsigned)(sb->st_mode & 07777);
    if (kind == FILECHECK_SECRET && (sb->st_mode & (S_IRWXG | S_IRWXO))) {
        snprintf(err, errlen, "%s: %s group or others (mode %04o); a password file must be "
                 "private: run chmod 600 %s",
                 path, (sb->st_mode & (S_IRGRP | S_IROTH)) ? "readable by" : "open to",
                 mode, path);
        return -1;
    }
    if (sb->st_mode & (S_IWGRP | S_IWOTH)) {
        snprintf(err, errlen, "%s: writable by %s (mode %04o); refusing it: run chmod go-w %s",
                 path, (sb->st_mode & S_IWOTH) ? "others" : "group", mode, path);
        return -1;
    }
    return 0;
}

/* The folders above ENTRY (an absolute path without symlinks), up to /.
 * CHILD_UID owns ENTRY itself: what the sticky bit protects depends on it. */
static int check_folders(const char *entry, uid_t child_uid, const char *path,
                         char *err, size_t errlen)
{
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%s", entry);
    for (;;) {
        char *slash = strrchr(dir, '/');
        if (!slash || (slash == dir && !dir[1]))
            return 0;                       /* / was the last one */
        slash[slash == dir ? 1 : 0] = '\0';
        struct stat sb;
        if (stat(dir, &sb) != 0) {
            snprintf(err, errlen, "%s: cannot check its folder %s: %s", path, dir, strerror(errno));
            return -1;
        }
        if (!trusted_owner(sb.st_uid)) {
            snprintf(err, errlen, "%s: its folder %s is owned by uid %u, not by you or root; "
                     "refusing it: move the file to a folder of yours", path, dir,
                     (unsigned)sb.st_uid);
            return -1;
        }
        bool sticky_guard = (sb.st_mode & S_ISVTX) && trusted_owner(child_uid);
        if ((sb.st_mode & (S_IWGRP | S_IWOTH)) && !sticky_guard) {
            snprintf(err, errlen, "%s: its folder %s is writable by %s (mode %04o), who could "
                     "replace the file; refusing it: run chmod go-w %s, or move the file",
                     path, dir, (sb.st_mode & S_IWOTH) ? "others" : "group",
                     (unsigned)(sb.st_mode & 07777), dir);
            return -1;
        }
        child_uid = sb.st_uid;
    }
}

/* Where PATH names a symlink, whoever can write the symlink's folder can
 * point it elsewhere: its folders count too. */
static int check_link_folders(const char *path, char *err, size_t errlen)
{
    struct stat lsb;
    if (lstat(path, &lsb) != 0 || !S_ISLNK(lsb.st_mode))
        return 0;
    char parent[PATH_MAX], real[PATH_MAX], entry[PATH_MAX];
    const char *slash = strrchr(path, '/');
    if (!slash)
        snprintf(parent, sizeof parent, ".");
    else if (slash == path)
        snprintf(parent, sizeof parent, "/");
    else
        snprintf(parent, sizeof parent, "%.*s", (int)(slash - path), path);
    if (!realpath(parent, real)) {
        snprintf(err, errlen, "%s: cannot check its folder: %s", path, strerror(errno));
        return -1;
    }
    int n = snprintf(entry, sizeof entry, "%s/%s", strcmp(real, "/") ? real : "",
                     slash ? slash + 1 : path);
    if (n < 0 || (size_t)n >= sizeof entry) {
        snprintf(err, errlen, "%s: the path is too long to check", path);
        return -1;
    }
    return check_folders(entry, lsb.st_uid, path, err, errlen);
}

int filecheck_fd(int fd, const char *path, enum filecheck_kind kind,
                 char *err, size_t errlen)
{
    struct stat sb;
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        snprintf(err, errlen, "%s: not a regular file", path);
        return -1;
    }
    if (!trusted_owner(sb.st_uid)) {
        snprintf(err, errlen, "%s: owned by uid %u, not by you (uid %u) or root; refusing it: "
                 "use a copy of your own, or have it chowned to you or root",
                 path, (unsigned)sb.st_uid, (unsigned)geteuid());
        return -1;
    }
    if (check_mode(&sb, path, kind, err, errlen) != 0)
        return -1;
    char real[PATH_MAX];
    if (!realpath(path, real)) {
        snprintf(err, errlen, "%s: cannot check its folder: %s", path, strerror(errno));
        return -1;
    }
    if (check_folders(real, sb.st_uid, path, err, errlen) != 0)
        return -1;
    return check_link_folders(path, err, errlen);
}

int filecheck_path(const char *path, enum filecheck_kind kind, char *err, size_t errlen)
{
    /* O_NONBLOCK: a FIFO put in the file's place must not hang lumen. */
    int fd = open(path, O_RDONLY | O_NOCTTY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) {
        snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
        return -1;
    }
    int rc = filecheck_fd(fd, path, kind, err, errlen);
    close(fd);
    return rc;
}
