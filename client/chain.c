#include "client/chain.h"

#include <errno.h>
#include <limits.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static const char canonical_tag[] = "lumen-audit-v1\n";

void chain_row_hash(const unsigned char prev[CHAIN_HASH_BYTES],
                    const char *const fields[CHAIN_FIELDS], unsigned char out[CHAIN_HASH_BYTES])
{
    crypto_hash_sha256_state st;
    crypto_hash_sha256_init(&st);
    crypto_hash_sha256_update(&st, prev, CHAIN_HASH_BYTES);
    crypto_hash_sha256_update(&st, (const unsigned char *)canonical_tag, sizeof canonical_tag - 1);
    for (int i = 0; i < CHAIN_FIELDS; i++) {
        /* field(NULL) = "~\n"; field(v) = <byte length> ":" v "\n" */
        if (!fields[i]) {
            crypto_hash_sha256_update(&st, (const unsigned char *)"~\n", 2);
            continue;
        }
        size_t n = strlen(fields[i]);
        char len[24];
        int k = snprintf(len, sizeof len, "%zu:", n);
        crypto_hash_sha256_update(&st, (const unsigned char *)len, (unsigned long long)k);
        crypto_hash_sha256_update(&st, (const unsigned char *)fields[i], n);
        crypto_hash_sha256_update(&st, (const unsigned char *)"\n", 1);
    }
    crypto_hash_sha256_final(&st, out);
}

void chain_hex(const unsigned char h[CHAIN_HASH_BYTES], char out[2 * CHAIN_HASH_BYTES + 1])
{
    sodium_bin2hex(out, 2 * CHAIN_HASH_BYTES + 1, h, CHAIN_HASH_BYTES);
}

int chain_unhex(const char *hex, unsigned char out[CHAIN_HASH_BYTES])
{
    size_t n = 0;
    if (!hex || strlen(hex) != 2 * CHAIN_HASH_BYTES)
        return -1;
    if (sodium_hex2bin(out, CHAIN_HASH_BYTES, hex, 2 * CHAIN_HASH_BYTES, NULL, &n, NULL) != 0 ||
        n != CHAIN_HASH_BYTES)
        return -1;
    return 0;
}

void chain_walk_init(struct chain_walk *w, const struct chain_anchor *anchor)
{
    memset(w, 0, sizeof *w);
    w->first_seq = 1;
    if (anchor)
        w->anchor = *anchor;
}

void chain_walk_init_at(struct chain_walk *w, const struct chain_anchor *anchor,
                        long long first_seq)
{
    chain_walk_init(w, anchor);
    if (first_seq > 1) {
        w->first_seq = first_seq;
        w->seq = first_seq - 2;
        w->given = true;
    }
}

static enum chain_fault fault(struct chain_walk *w, enum chain_fault f, const struct chain_link *l)
{
    w->fault = f;
    w->bad_seq = l ? l->seq : w->seq;
    if (l) {
        snprintf(w->bad_id, sizeof w->bad_id, "%s", l->fields[0] ? l->fields[0] : "?");
        snprintf(w->bad_at, sizeof w->bad_at, "%s", l->fields[1] ? l->fields[1] : "?");
        snprintf(w->bad_action, sizeof w->bad_action, "%s", l->fields[6] ? l->fields[6] : "?");
    }
    return f;
}

/* The anchor's link L, re-computed from its own stored prev_hash. */
static enum chain_fault anchor_link(struct chain_walk *w, const struct chain_link *l)
{
    unsigned char prev[CHAIN_HASH_BYTES], stored[CHAIN_HASH_BYTES], computed[CHAIN_HASH_BYTES];
    w->at_anchor = true;
    if (!l->row_present)
        return fault(w, CHAIN_ROW_GONE, l);
    if (chain_unhex(l->prev_hex, prev) != 0)
        return fault(w, CHAIN_PREV, l);
    chain_row_hash(prev, l->fields, computed);
    if (chain_unhex(l->hash_hex, stored) != 0 || sodium_memcmp(stored, computed, CHAIN_HASH_BYTES) != 0)
        return fault(w, CHAIN_HASH, l);
    if (sodium_memcmp(computed, w->anchor.hash, CHAIN_HASH_BYTES) != 0)
        return fault(w, CHAIN_ANCHOR, l);
    w->at_anchor = false;
    w->anchor_passed = true;
    return CHAIN_OK;
}

enum chain_fault chain_walk_anchor(struct chain_walk *w, const struct chain_link *l)
{
    if (w->fault != CHAIN_OK || w->anchor.seq == 0 || w->anchor_passed)
        return w->fault;
    if (!l || l->seq != w->anchor.seq) {
        w->at_anchor = true;
        w->fault = CHAIN_ANCHOR;
        w->bad_seq = w->anchor.seq;
        w->bad_id[0] = '\0';
        return w->fault;
    }
    return anchor_link(w, l);
}

enum chain_fault chain_walk_link(struct chain_walk *w, const struct chain_link *l)
{
    unsigned char prev[CHAIN_HASH_BYTES], stored[CHAIN_HASH_BYTES], computed[CHAIN_HASH_BYTES];
    if (w->fault != CHAIN_OK)
        return w->fault;
    if (l->seq != w->seq + 1)
        return fault(w, CHAIN_GAP, l);
    if (w->given) {
        /* Link first_seq - 1: where the walk starts from, as stored. */
        if (w->anchor.seq == l->seq && anchor_link(w, l) != CHAIN_OK)
            return w->fault;
        if (chain_unhex(l->hash_hex, w->prev) != 0)
            return fault(w, CHAIN_HASH, l);
        w->given = false;
        w->seq = l->seq;
        return CHAIN_OK;
    }
    if (!l->row_present)
        return fault(w, CHAIN_ROW_GONE, l);
    if (chain_unhex(l->prev_hex, prev) != 0 || sodium_memcmp(prev, w->prev, CHAIN_HASH_BYTES) != 0)
        return fault(w, CHAIN_PREV, l);
    chain_row_hash(prev, l->fields, computed);
    if (chain_unhex(l->hash_hex, stored) != 0 || sodium_memcmp(stored, computed, CHAIN_HASH_BYTES) != 0)
        return fault(w, CHAIN_HASH, l);
    if (w->anchor.seq == l->seq) {
        if (sodium_memcmp(computed, w->anchor.hash, CHAIN_HASH_BYTES) != 0)
            return fault(w, CHAIN_ANCHOR, l);
        w->anchor_passed = true;
    }
    memcpy(w->prev, computed, CHAIN_HASH_BYTES);
    w->seq = l->seq;
    w->rows++;
    return CHAIN_OK;
}

enum chain_fault chain_walk_end(struct chain_walk *w, long long head_seq,
                                const unsigned char head_hash[CHAIN_HASH_BYTES])
{
    if (w->fault != CHAIN_OK)
        return w->fault;
    if (w->anchor.seq > w->seq)
        return fault(w, CHAIN_ANCHOR, NULL);
    if (head_seq != w->seq || sodium_memcmp(head_hash, w->prev, CHAIN_HASH_BYTES) != 0) {
        w->bad_seq = head_seq;
        w->fault = CHAIN_GAP;
        snprintf(w->bad_id, sizeof w->bad_id, "head");
        return w->fault;
    }
    return CHAIN_OK;
}

void chain_fault_text(const struct chain_walk *w, char *out, size_t outlen)
{
    static const char *const what[] = {
        [CHAIN_OK] = "holds",
        [CHAIN_GAP] = "a link is missing before it (rows deleted)",
        [CHAIN_ROW_GONE] = "the row was deleted",
        [CHAIN_PREV] = "it does not follow the link before it",
        [CHAIN_HASH] = "its hash does not match: the row was changed",
        [CHAIN_ANCHOR] = "the chain no longer passes through a head verified earlier: "
                         "history before it was rewritten",
    };
    if (w->at_anchor && w->bad_id[0] == '\0')
        snprintf(out, outlen, "link %lld, verified on %s, is no longer in the audit chain: "
                              "history was rewritten or cut off", w->bad_seq, w->anchor.verified_at);
    else if (w->fault == CHAIN_ANCHOR && w->bad_id[0] == '\0')
        snprintf(out, outlen, "the audit chain ends at link %lld, but link %lld was verified on %s: "
                              "rows were cut off", w->seq, w->anchor.seq, w->anchor.verified_at);
    else if (strcmp(w->bad_id, "head") == 0)
        snprintf(out, outlen, "the audit chain ends at link %lld, but the database's head says %lld",
                 w->seq, w->bad_seq);
    else if (w->fault == CHAIN_ANCHOR || w->at_anchor)
        snprintf(out, outlen, "audit row %s (%s, %s), link %lld: %s (verified on %s)", w->bad_id,
                 w->bad_at, w->bad_action, w->bad_seq, what[w->fault], w->anchor.verified_at);
    else
        snprintf(out, outlen, "first audit row that does not verify: %s (%s, %s), link %lld: %s",
                 w->bad_id, w->bad_at, w->bad_action, w->bad_seq, what[w->fault]);
}

int chain_anchor_path(char *out, size_t outlen)
{
    const char *state = getenv("XDG_STATE_HOME");
    const char *home = getenv("HOME");
    int n;
    if (state && state[0] == '/')
        n = snprintf(out, outlen, "%s/lumen/audit-anchors", state);
    else if (home && home[0] == '/')
        n = snprintf(out, outlen, "%s/.local/state/lumen/audit-anchors", home);
    else
        return -1;
    return n > 0 && (size_t)n < outlen ? 0 : -1;
}

/* A file of anchors is only as good as its owner: one that another user
 * can write could hold whatever heads a rewrite needs. */
static int trusted(const char *path, const struct stat *st, char *err, size_t errlen)
{
    if (st->st_uid != geteuid()) {
        snprintf(err, errlen, "%s is owned by uid %u, not by you: not trusted", path,
                 (unsigned)st->st_uid);
        return -1;
    }
    if (st->st_mode & (S_IWGRP | S_IWOTH)) {
        snprintf(err, errlen, "%s is writable by others: chmod 600 %s", path, path);
        return -1;
    }
    return 0;
}

int chain_anchor_load(const char *path, const char *practice, struct chain_anchor *out,
                      char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    FILE *f = fopen(path, "r");
    if (!f) {
        if (errno == ENOENT)
            return 0;
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    struct stat st;
    if (fstat(fileno(f), &st) != 0 || trusted(path, &st, err, errlen) != 0) {
        fclose(f);
        return -1;
    }
    char line[256], id[64], hex[80], at[40];
    long long seq;
    while (fgets(line, sizeof line, f)) {
        if (sscanf(line, "%63s %lld %79s %39s", id, &seq, hex, at) != 4 ||
            strcmp(id, practice) != 0)
            continue;
        if (seq < 1 || chain_unhex(hex, out->hash) != 0) {
            snprintf(err, errlen, "%s: a malformed line for practice %s", path, practice);
            fclose(f);
            return -1;
        }
        out->seq = seq;
        snprintf(out->verified_at, sizeof out->verified_at, "%s", at);
    }
    fclose(f);
    return 0;
}

static int make_dirs(const char *path)
{
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%s", path);
    for (char *p = dir + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(dir, 0700) != 0 && errno != EEXIST)
            return -1;
        *p = '/';
    }
    return 0;
}

int chain_anchor_save(const char *path, const char *practice, const struct chain_anchor *a,
                      char *err, size_t errlen)
{
    char tmp[PATH_MAX], hex[2 * CHAIN_HASH_BYTES + 1], line[256];
    if (make_dirs(path) != 0 || snprintf(tmp, sizeof tmp, "%s.new", path) >= (int)sizeof tmp) {
        snprintf(err, errlen, "cannot create the folder of %s: %s", path, strerror(errno));
        return -1;
    }
    mode_t old = umask(077);
    FILE *out = fopen(tmp, "w");
    umask(old);
    if (!out) {
        snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
        return -1;
    }
    /* Every other practice's line, as it was. */
    FILE *in = fopen(path, "r");
    if (in) {
        size_t n = strlen(practice);
        while (fgets(line, sizeof line, in))
            if (!(strncmp(line, practice, n) == 0 && line[n] == ' '))
                fputs(line, out);
        fclose(in);
    }
    chain_hex(a->hash, hex);
    fprintf(out, "%s %lld %s %s\n", practice, a->seq, hex, a->verified_at);
    if (fflush(out) != 0 || fsync(fileno(out)) != 0 || fclose(out) != 0 ||
        rename(tmp, path) != 0) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        unlink(tmp);
        return -1;
    }
    return 0;
}
