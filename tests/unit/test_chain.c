/* client/chain.c: the canonical row against the known answers of db/API.md
 * (which tests/db/060_audit.pg checks on the server), a walk over a chain
 * with each kind of break, and the anchors file. */
#include "tests/unit/unit.h"
#include "client/chain.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *const known1[CHAIN_FIELDS] = {
    "42", "2026-03-01T14:05:09.000120Z", "a1000000-0000-4000-8000-000000000001",
    "c1000000-0000-4000-8000-000000000002", "zo\xc3\xab@brightsmile.test",
    "5e551000-0000-4000-8000-000000000001", "login.success", "account",
    "c1000000-0000-4000-8000-000000000002", "success", "10.0.0.5", NULL,
    "{\"mfa_required\": false, \"client_version\": \"0.1.0\"}",
};
static const char *const known2[CHAIN_FIELDS] = {
    "7", "2026-11-01T06:30:00.000000Z", NULL, NULL, "ghost@example.test", NULL,
    "login.failure", NULL, NULL, "failure", NULL, "", "{}",
};

static void known_answers(void **state)
{
    (void)state;
    unsigned char prev[CHAIN_HASH_BYTES] = { 0 }, h[CHAIN_HASH_BYTES];
    char hex[2 * CHAIN_HASH_BYTES + 1];
    chain_row_hash(prev, known1, h);
    chain_hex(h, hex);
    assert_string_equal(hex, "76cb1a274f3a5b60bce9a7dfa02c08d2ad8ed2dc5693ecfb648bae19d3a3dd18");
    memset(prev, 0x11, sizeof prev);
    chain_row_hash(prev, known2, h);
    chain_hex(h, hex);
    assert_string_equal(hex, "5266ee0d39c66d986b84aae955843f3af2af104838ef1745335bfbd83c4a0f94");
    /* NULL and "" differ: "~" against "0:". */
    const char *other[CHAIN_FIELDS];
    memcpy(other, known2, sizeof other);
    other[11] = NULL;
    unsigned char h2[CHAIN_HASH_BYTES];
    chain_row_hash(prev, other, h2);
    assert_memory_not_equal(h, h2, CHAIN_HASH_BYTES);
}

/* A chain of N links made the way the server makes it. */
#define N 5
struct fake {
    char ids[N][8], prev_hex[N][65], hash_hex[N][65];
    struct chain_link links[N];
    unsigned char head[CHAIN_HASH_BYTES];
};

static void fake_chain(struct fake *f)
{
    unsigned char prev[CHAIN_HASH_BYTES] = { 0 }, h[CHAIN_HASH_BYTES];
    for (int i = 0; i < N; i++) {
        struct chain_link *l = &f->links[i];
        snprintf(f->ids[i], sizeof f->ids[i], "%d", 100 + i);
        memcpy(l->fields, known1, sizeof l->fields);
        l->fields[0] = f->ids[i];
        l->seq = i + 1;
        l->row_present = true;
        chain_row_hash(prev, l->fields, h);
        chain_hex(prev, f->prev_hex[i]);
        chain_hex(h, f->hash_hex[i]);
        l->prev_hex = f->prev_hex[i];
        l->hash_hex = f->hash_hex[i];
        memcpy(prev, h, sizeof prev);
    }
    memcpy(f->head, prev, sizeof prev);
}

static enum chain_fault walk(struct fake *f, const struct chain_anchor *a, struct chain_walk *w)
{
    chain_walk_init(w, a);
    for (int i = 0; i < N; i++)
        if (f->links[i].seq > 0 && chain_walk_link(w, &f->links[i]) != CHAIN_OK)
            return w->fault;
    return chain_walk_end(w, N, f->head);
}

static void walk_faults(void **state)
{
    (void)state;
    struct fake f;
    struct chain_walk w;
    fake_chain(&f);
    assert_int_equal(walk(&f, NULL, &w), CHAIN_OK);
    assert_int_equal(w.rows, N);

    f.links[2].fields[4] = "mallory@example.test";          /* a changed row */
    assert_int_equal(walk(&f, NULL, &w), CHAIN_HASH);
    assert_string_equal(w.bad_id, "102");
    char text[300];
    chain_fault_text(&w, text, sizeof text);
    assert_non_null(strstr(text, "102"));
    assert_non_null(strstr(text, "login.success"));

    fake_chain(&f);
    f.links[3].row_present = false;                          /* a deleted row */
    assert_int_equal(walk(&f, NULL, &w), CHAIN_ROW_GONE);
    fake_chain(&f);
    f.links[1].seq = 0;                                      /* a deleted link */
    assert_int_equal(walk(&f, NULL, &w), CHAIN_GAP);
    assert_int_equal(w.bad_seq, 3);
    fake_chain(&f);
    f.links[2].prev_hex = f.hash_hex[2];                     /* relinked wrongly */
    assert_int_equal(walk(&f, NULL, &w), CHAIN_PREV);

    /* Rewritten history: every link recomputed after a change holds, but
     * not against the head this client verified before the rewrite. */
    fake_chain(&f);
    struct chain_anchor a = { .seq = 4, .verified_at = "2026-11-30T08:00:00Z" };
    chain_unhex(f.hash_hex[3], a.hash);
    assert_int_equal(walk(&f, &a, &w), CHAIN_OK);
    assert_true(w.anchor_passed);
    f.links[1].fields[6] = "lead.view";
    struct fake g = f;
    unsigned char prev[CHAIN_HASH_BYTES] = { 0 }, h[CHAIN_HASH_BYTES];
    for (int i = 0; i < N; i++) {                            /* the superuser's recompute */
        g.links[i].fields[0] = g.ids[i];
        chain_row_hash(prev, g.links[i].fields, h);
        chain_hex(prev, g.prev_hex[i]);
        chain_hex(h, g.hash_hex[i]);
        g.links[i].prev_hex = g.prev_hex[i];
        g.links[i].hash_hex = g.hash_hex[i];
        memcpy(prev, h, sizeof prev);
    }
    memcpy(g.head, prev, sizeof prev);
    assert_int_equal(walk(&g, NULL, &w), CHAIN_OK);          /* the server alone sees nothing */
    assert_int_equal(walk(&g, &a, &w), CHAIN_ANCHOR);
    chain_fault_text(&w, text, sizeof text);
    assert_non_null(strstr(text, "rewritten"));

    /* Links cut off before an anchor. */
    fake_chain(&f);
    a.seq = N + 2;
    assert_int_equal(walk(&f, &a, &w), CHAIN_ANCHOR);
    chain_fault_text(&w, text, sizeof text);
    assert_non_null(strstr(text, "cut off"));
}

/* The superuser's recompute of every link of F from its rows. */
static void rechain(struct fake *f)
{
    unsigned char prev[CHAIN_HASH_BYTES] = { 0 }, h[CHAIN_HASH_BYTES];
    for (int i = 0; i < N; i++) {
        chain_row_hash(prev, f->links[i].fields, h);
        chain_hex(prev, f->prev_hex[i]);
        chain_hex(h, f->hash_hex[i]);
        f->links[i].prev_hex = f->prev_hex[i];
        f->links[i].hash_hex = f->hash_hex[i];
        memcpy(prev, h, sizeof prev);
    }
    memcpy(f->head, prev, sizeof prev);
}

/* A walk from link FIRST (lumen audit verify --from): given links
 * FIRST - 1 .. N, after the anchor's own link when A is before that. */
static enum chain_fault walk_from(struct fake *f, const struct chain_anchor *a, long long first,
                                  struct chain_walk *w)
{
    chain_walk_init_at(w, a, first);
    if (a && a->seq > 0 && a->seq < first - 1) {
        const struct chain_link *al = NULL;
        for (int i = 0; i < N; i++)
            if (f->links[i].seq == a->seq)
                al = &f->links[i];
        if (chain_walk_anchor(w, al) != CHAIN_OK)
            return w->fault;
    }
    for (int i = (int)(first > 1 ? first - 2 : 0); i < N; i++)
        if (f->links[i].seq > 0 && chain_walk_link(w, &f->links[i]) != CHAIN_OK)
            return w->fault;
    return chain_walk_end(w, N, f->head);
}

static void walk_from_the_middle(void **state)
{
    (void)state;
    struct fake f;
    struct chain_walk w;
    char text[300];
    fake_chain(&f);
    assert_int_equal(walk_from(&f, NULL, 3, &w), CHAIN_OK);
    assert_int_equal(w.rows, N - 2);                         /* 3, 4, 5; not link 2 */
    assert_int_equal(w.first_seq, 3);
    assert_int_equal(walk_from(&f, NULL, 1, &w), CHAIN_OK);  /* from 1: the whole chain */
    assert_int_equal(w.rows, N);
    assert_int_equal(walk_from(&f, NULL, 0, &w), CHAIN_OK);
    assert_int_equal(w.first_seq, 1);

    /* Rows before the start are not seen, link 2's included (its stored
     * hash is where the walk starts); a row after it is named. */
    f.links[0].fields[4] = "mallory@example.test";
    f.links[1].fields[4] = "mallory@example.test";
    assert_int_equal(walk_from(&f, NULL, 3, &w), CHAIN_OK);
    assert_int_equal(walk(&f, NULL, &w), CHAIN_HASH);        /* a whole walk sees them */
    assert_string_equal(w.bad_id, "100");
    f.links[3].fields[6] = "lead.view";
    assert_int_equal(walk_from(&f, NULL, 3, &w), CHAIN_HASH);
    assert_string_equal(w.bad_id, "103");
    assert_int_equal(w.bad_seq, 4);
    chain_fault_text(&w, text, sizeof text);
    assert_non_null(strstr(text, "first audit row that does not verify: 103"));

    /* The link the start is taken from is missing: a gap at the start. */
    fake_chain(&f);
    f.links[1].seq = 0;
    assert_int_equal(walk_from(&f, NULL, 3, &w), CHAIN_GAP);
    assert_int_equal(w.bad_seq, 3);
    /* The link at the start does not follow the hash before it. */
    fake_chain(&f);
    f.links[2].prev_hex = f.hash_hex[0];
    assert_int_equal(walk_from(&f, NULL, 3, &w), CHAIN_PREV);

    /* An anchor at or after the start is passed through as in a whole walk. */
    fake_chain(&f);
    struct chain_anchor a = { .seq = 4, .verified_at = "2026-11-30T08:00:00Z" };
    chain_unhex(f.hash_hex[3], a.hash);
    assert_int_equal(walk_from(&f, &a, 3, &w), CHAIN_OK);
    assert_true(w.anchor_passed);
    /* An anchor on the link the start is taken from: re-checked. */
    a.seq = 2;
    chain_unhex(f.hash_hex[1], a.hash);
    assert_int_equal(walk_from(&f, &a, 3, &w), CHAIN_OK);
    assert_true(w.anchor_passed);
    assert_int_equal(w.rows, N - 2);
    f.links[1].fields[4] = "mallory@example.test";           /* its row changed */
    assert_int_equal(walk_from(&f, &a, 3, &w), CHAIN_HASH);
    assert_true(w.at_anchor);
    assert_string_equal(w.bad_id, "101");
    chain_fault_text(&w, text, sizeof text);
    assert_non_null(strstr(text, "verified on 2026-11-30T08:00:00Z"));

    /* An anchor before that: its link is re-checked, those between not. */
    fake_chain(&f);
    a.seq = 1;
    chain_unhex(f.hash_hex[0], a.hash);
    f.links[1].fields[4] = "mallory@example.test";           /* between: not seen */
    assert_int_equal(walk_from(&f, &a, 4, &w), CHAIN_OK);
    assert_true(w.anchor_passed);
    assert_int_equal(w.rows, 2);

    /* History rewritten up to the anchor: a change to link 1's row and
     * every link re-computed.  From link 4 on all holds, but link 1 no
     * longer hashes to the anchor. */
    fake_chain(&f);
    struct fake g = f;
    for (int i = 0; i < N; i++)
        g.links[i].fields[0] = g.ids[i];
    g.links[0].fields[6] = "lead.view";
    rechain(&g);
    assert_int_equal(walk_from(&g, NULL, 4, &w), CHAIN_OK);
    assert_int_equal(walk_from(&g, &a, 4, &w), CHAIN_ANCHOR);
    assert_true(w.at_anchor);
    assert_int_equal(w.bad_seq, 1);
    chain_fault_text(&w, text, sizeof text);
    assert_non_null(strstr(text, "rewritten"));
    /* ... or its link is gone from the chain. */
    chain_walk_init_at(&w, &a, 4);
    assert_int_equal(chain_walk_anchor(&w, NULL), CHAIN_ANCHOR);
    chain_fault_text(&w, text, sizeof text);
    assert_non_null(strstr(text, "link 1, verified on 2026-11-30T08:00:00Z, is no longer in the audit chain"));
    struct chain_link other = f.links[1];
    chain_walk_init_at(&w, &a, 4);
    assert_int_equal(chain_walk_anchor(&w, &other), CHAIN_ANCHOR);
    /* ... or its row deleted. */
    other = f.links[0];
    other.row_present = false;
    chain_walk_init_at(&w, &a, 4);
    assert_int_equal(chain_walk_anchor(&w, &other), CHAIN_ROW_GONE);
    assert_true(w.at_anchor);
}

static void anchors_file(void **state)
{
    (void)state;
    char dir[] = "/tmp/lumen-anchors-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[256], err[512];
    snprintf(path, sizeof path, "%s/state/lumen/audit-anchors", dir);
    struct chain_anchor a = { .seq = 7, .verified_at = "2026-12-01T10:00:00Z" }, b;
    memset(a.hash, 0xab, sizeof a.hash);
    assert_int_equal(chain_anchor_load(path, "p1", &b, err, sizeof err), 0);
    assert_int_equal(b.seq, 0);                              /* no file yet: no anchor */
    assert_int_equal(chain_anchor_save(path, "p1", &a, err, sizeof err), 0);
    a.seq = 9;
    assert_int_equal(chain_anchor_save(path, "p2", &a, err, sizeof err), 0);
    a.seq = 8;
    assert_int_equal(chain_anchor_save(path, "p1", &a, err, sizeof err), 0);
    assert_int_equal(chain_anchor_load(path, "p1", &b, err, sizeof err), 0);
    assert_int_equal(b.seq, 8);
    assert_memory_equal(b.hash, a.hash, sizeof a.hash);
    assert_int_equal(chain_anchor_load(path, "p2", &b, err, sizeof err), 0);
    assert_int_equal(b.seq, 9);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    chmod(path, 0666);
    assert_int_equal(chain_anchor_load(path, "p1", &b, err, sizeof err), -1);
    assert_non_null(strstr(err, "writable by others"));
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
}

int main(void)
{
    if (sodium_init() < 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(known_answers),
        cmocka_unit_test(walk_faults),
        cmocka_unit_test(walk_from_the_middle),
        cmocka_unit_test(anchors_file),
    };
    return unit_run(tests);
}
