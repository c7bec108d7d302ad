/* filecheck: may lumen trust a file that says where to connect, or holds
 * the password it sends?
 *
 * Whoever can change such a file can point lumen at a server of their own,
 * and whoever can read a password file has the password.  A file is
 * trusted when:
 *   - it is a regular file owned by the running user (geteuid()) or root;
 *   - group and others cannot write it (FILECHECK_CONFIG), or cannot read,
 *     write or run it at all (FILECHECK_SECRET, as libpq wants a passfile);
 *   - every folder from the one that holds it up to / is owned by the user
 *     or root, and group and others cannot write it, so that nobody can
 *     rename the file or a folder above it and put their own in its place.
 *     A folder others can write but with the sticky bit (/tmp) is allowed
 *     when the entry in it is the user's or root's: there only the owner of
 *     an entry, of the folder, or root may rename or remove it.
 * Folders are those of the file's real path (symlinks followed) and, when
 * the name given is a symlink, also those of the symlink.
 *
 * Errors are one line, "PATH: what is wrong; what to do", written into the
 * caller's buffer.  Nothing here keeps state.                            */
#ifndef LUMEN_CLIENT_FILECHECK_H
#define LUMEN_CLIENT_FILECHECK_H

#include <stddef.h>

enum filecheck_kind {
    FILECHECK_CONFIG,   /* others may read it; only its owner may change it */
    FILECHECK_SECRET,   /* only its owner may read it (a passfile) */
};

/* Checks the open file FD, which was opened by the name PATH.  Returns 0,
 * or -1 with err filled. */
int filecheck_fd(int fd, const char *path, enum filecheck_kind kind,
                 char *err, size_t errlen);

/* The same for a file that someone else will open (libpq's passfile): a
 * file that cannot be opened is refused too. */
int filecheck_path(const char *path, enum filecheck_kind kind,
                   char *err, size_t errlen);

#endif
