/* The audit log's hash chain, re-computed by the client (db/API.md,
 * "Audit log"): the canonical row, the walk over a chain's links, and the
 * heads this client verified before ("anchors"), kept outside the
 * database so that a chain rewritten from some row on -- which the server
 * alone cannot notice, a superuser can recompute every later link -- no
 * longer passes through a head verified earlier.  Pure code, no I/O but
 * the anchors file; the caller streams links in seq order.             */
#ifndef LUMEN_CLIENT_CHAIN_H
#define LUMEN_CLIENT_CHAIN_H

#include <stdbool.h>
#include <stddef.h>

#define CHAIN_HASH_BYTES 32
#define CHAIN_FIELDS 13

/* sha256(prev || canonical row); FIELDS[i] NULL for an SQL NULL. */
void chain_row_hash(const unsigned char prev[CHAIN_HASH_BYTES],
                    const char *const fields[CHAIN_FIELDS], unsigned char out[CHAIN_HASH_BYTES]);

/* Lowercase hex of 32 bytes into out (65 bytes); and back (0, or -1 when
 * HEX is not 64 hex digits). */
void chain_hex(const unsigned char h[CHAIN_HASH_BYTES], char out[2 * CHAIN_HASH_BYTES + 1]);
int chain_unhex(const char *hex, unsigned char out[CHAIN_HASH_BYTES]);

/* A head verified earlier: the link at SEQ had hash HASH. */
struct chain_anchor {
    long long seq;              /* 0: none */
    unsigned char hash[CHAIN_HASH_BYTES];
    char verified_at[40];       /* UTC, as written in the file */
};

/* One link as the server sends it (api.audit_chain). */
struct chain_link {
    long long seq;
    const char *prev_hex, *hash_hex;
    bool row_present;
    const char *fields[CHAIN_FIELDS];     /* fields[0] the row id, [1] at, [6] action */
};

enum chain_fault {
    CHAIN_OK,
    CHAIN_GAP,          /* a link is missing before this one */
    CHAIN_ROW_GONE,     /* the row of this link was deleted */
    CHAIN_PREV,         /* prev_hash is not the hash of the link before */
    CHAIN_HASH,         /* the row does not hash to the stored hash: changed */
    CHAIN_ANCHOR,       /* the chain no longer passes through an anchor */
};

struct chain_walk {
    unsigned char prev[CHAIN_HASH_BYTES];
    long long seq;              /* of the last link that held */
    long long rows;             /* links checked (the one taken as given is not) */
    long long first_seq;        /* the first link checked: 1, or where --from starts */
    bool given;                 /* the next link is first_seq - 1, taken as given */
    struct chain_anchor anchor; /* checked when its seq is reached */
    bool anchor_passed;
    bool at_anchor;             /* the fault is on the anchor's link, re-checked
                                   before the start (chain_walk_anchor) */
    enum chain_fault fault;
    long long bad_seq;
    char bad_id[24], bad_at[40], bad_action[64];
};

/* Starts a walk at the first link of a chain, with ANCHOR (may be NULL). */
void chain_walk_init(struct chain_walk *w, const struct chain_anchor *anchor);
/* Starts a walk in the middle of a chain, at link FIRST_SEQ (1, or less:
 * as chain_walk_init).  The walk cannot re-compute the hash that link
 * follows from (that takes every link before it), so the first link it is
 * given must be FIRST_SEQ - 1, and its stored hash is taken as given: not
 * re-computed, its row not checked -- unless it is ANCHOR's link, which
 * is re-checked as chain_walk_anchor says.  From FIRST_SEQ on every link
 * is checked as in a whole walk.  An ANCHOR before FIRST_SEQ - 1 is
 * never reached: pass its link to chain_walk_anchor before the first. */
void chain_walk_init_at(struct chain_walk *w, const struct chain_anchor *anchor,
                        long long first_seq);
/* Checks the next link; CHAIN_OK, or the fault (kept in w, with the
 * link's id, time and action; the walk stops there). */
enum chain_fault chain_walk_link(struct chain_walk *w, const struct chain_link *l);
/* A walk that starts after its anchor: L is the anchor's own link as the
 * server sends it now (NULL, or another seq, when it has none).  Its row
 * must still hash, from the link's stored prev_hash, to the link's stored
 * hash and to the anchor's: history rewritten up to the anchor (every link
 * re-computed from some row on) shows here, as in a whole walk.  The links
 * between the anchor and the start are not checked.  CHAIN_OK (and
 * anchor_passed), or the fault, at_anchor set. */
enum chain_fault chain_walk_anchor(struct chain_walk *w, const struct chain_link *l);
/* After the last link: the head the server states must be where the walk
 * ended, and an anchor beyond the end is a fault (links cut off). */
enum chain_fault chain_walk_end(struct chain_walk *w, long long head_seq,
                                const unsigned char head_hash[CHAIN_HASH_BYTES]);
/* One sentence on a fault, for "lumen: ...". */
void chain_fault_text(const struct chain_walk *w, char *out, size_t outlen);

/* The anchors file: $XDG_STATE_HOME/lumen/audit-anchors, or
 * ~/.local/state/lumen/audit-anchors; lines "PRACTICE SEQ HASH UTC-TIME".
 * Into out (PATH_MAX), or -1 when neither variable gives a home. */
int chain_anchor_path(char *out, size_t outlen);
/* The anchor of PRACTICE in the file at PATH (seq 0 when none, or no
 * file).  -1 with a message on a file that cannot be trusted (not ours,
 * writable by others) or read. */
int chain_anchor_load(const char *path, const char *practice, struct chain_anchor *out,
                      char *err, size_t errlen);
/* Records ANCHOR as PRACTICE's (replacing its older one), creating the
 * folder (0700) and the file (0600) as needed, through a rename so that a
 * crash leaves the old file whole.  0 or -1 with a message. */
int chain_anchor_save(const char *path, const char *practice, const struct chain_anchor *a,
                      char *err, size_t errlen);

#endif
