/* keymap: actions, their keys, and the text made from them.  Contract in
 * keymap.h. */
#include "tui/keymap_priv.h"

#include <assert.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "tui/text.h"

#define SPEC_MAX 32     /* longest single key spec worth reading */

/* The keys of one action: where they came from matters for clash messages. */
struct slot {
    tui_key keys[KEYMAP_MAX_KEYS];
    int nkeys;
    int line;           /* config line that set them; 0: the defaults */
};

struct entry {
    tui_key key;
    size_t idx;         /* into the table */
};

struct keymap {
    const struct tui_action *acts;
    size_t n;
    const unsigned *scopes;
    size_t nscopes;
    unsigned contexts;
    struct slot *slots;     /* one per action */
    bool *granted;          /* one per action: its perm is held, or it has none */
    struct entry *index;    /* every bound key, sorted by (key, idx) */
    size_t nindex;
    bool ready;             /* index matches slots */
};

/* Space-separated specs, or "none", into a slot; a key given twice counts
 * once.  The slot is written only on success, so a bad line changes
 * nothing. */
static int parse_list(const char *keys, struct slot *out, char *err, size_t errlen)
{
    struct slot s = { .nkeys = 0 };
    const char *p = keys ? keys : "";
    char tok[SPEC_MAX + 1], e[KEYMAP_QUOTE_MAX];
    bool none = false;

    for (;;) {
        p += strspn(p, " \t");
        size_t len = strcspn(p, " \t");
        tui_key k;
        if (len == 0)
            break;
        if (len > SPEC_MAX)
            len = SPEC_MAX; /* long enough to be no key; parse says so */
        memcpy(tok, p, len);
        tok[len] = '\0';
        p += strcspn(p, " \t");
        if (strcasecmp(tok, "none") == 0) {
            none = true;
            continue;
        }
        if (keymap_key_parse(tok, &k, err, errlen) < 0)
            return -1;
        bool dup = false;
        for (int i = 0; i < s.nkeys; i++)
            dup = dup || s.keys[i] == k;
        if (dup)
            continue;
        if (s.nkeys == KEYMAP_MAX_KEYS) {
            keymap_fail(err, errlen, "more than %d keys", KEYMAP_MAX_KEYS);
            return -1;
        }
        s.keys[s.nkeys++] = k;
    }
    if (none && s.nkeys > 0) {
        keymap_fail(err, errlen, "'none' and a key ('%s') at once",
                    keymap_quote(keys, e, sizeof e));
        return -1;
    }
    s.line = out->line;
    *out = s;
    return 0;
}

static bool name_ok(const char *s)
{
    if (!s || !*s)
        return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '-'))
            return false;
    return true;
}

static bool in_some_scope(const struct keymap *km, unsigned ctx)
{
    if (km->nscopes == 0)
        return ctx != 0;
    for (size_t i = 0; i < km->nscopes; i++)
        if (km->scopes[i] & ctx)
            return true;
    return false;
}

/* A context no scope holds is one whose actions are never checked for
 * clashes: with 15 contexts, forgetting one in the scopes is easy. */
static int check_contexts(const struct keymap_table *t, char *err, size_t errlen)
{
    for (unsigned bit = 0; t->scopes && bit < sizeof t->contexts * CHAR_BIT; bit++) {
        unsigned c = 1u << bit, any = 0;
        for (size_t i = 0; i < t->nscopes; i++)
            any |= t->scopes[i] & c;
        if ((t->contexts & c) && !any) {
            keymap_fail(err, errlen, "built-in keys: context 0x%x is in no scope: "
                        "its keys would never be checked for clashes", c);
            return -1;
        }
    }
    return 0;
}

/* The table is the application's code: a bad row is a bug, reported with
 * the row so the application's own test points straight at it. */
static int check_row(const struct keymap *km, size_t i, char *err, size_t errlen)
{
    const struct tui_action *a = &km->acts[i];

    if (!name_ok(a->name)) {
        keymap_fail(err, errlen, "built-in keys: action %zu: bad name", i);
        return -1;
    }
    const char *why = a->id == -1 ? "id -1 means no action"
                    : a->ctx == 0 ? "ctx is 0"
                    : !a->help ? "no help text"
                    : a->perm && !*a->perm ? "empty permission (NULL for none)"
                    : km->contexts && (a->ctx & ~km->contexts) ? "ctx has an undeclared bit"
                    : !in_some_scope(km, a->ctx) ? "ctx is in no scope" : NULL;
    if (why) {
        keymap_fail(err, errlen, "built-in keys: %s: %s", a->name, why);
        return -1;
    }
    for (size_t j = 0; j < i; j++)
        if (km->acts[j].id == a->id || strcmp(km->acts[j].name, a->name) == 0) {
            keymap_fail(err, errlen, "built-in keys: %s: id or name of %s again",
                        a->name, km->acts[j].name);
            return -1;
        }
    return 0;
}

struct keymap *keymap_new(const struct keymap_table *t, char *err, size_t errlen)
{
    struct keymap *km = calloc(1, sizeof *km);
    char msg[KEYMAP_ERR_MAX];

    if (km) {
        km->slots = calloc(t->n ? t->n : 1, sizeof *km->slots);
        km->index = calloc(t->n ? t->n * KEYMAP_MAX_KEYS : 1, sizeof *km->index);
        km->granted = calloc(t->n ? t->n : 1, sizeof *km->granted);
    }
    if (!km || !km->slots || !km->index || !km->granted) {
        keymap_fail(err, errlen, "out of memory");
        keymap_free(&km);
        return NULL;
    }
    km->acts = t->actions;
    km->n = t->n;
    km->scopes = t->scopes;
    km->nscopes = t->scopes ? t->nscopes : 0;
    km->contexts = t->contexts;
    if (check_contexts(t, err, errlen) < 0) {
        keymap_free(&km);
        return NULL;
    }
    for (size_t i = 0; i < km->n; i++) {
        /* No session yet: what needs a permission is not there. */
        km->granted[i] = !km->acts[i].perm;
        if (check_row(km, i, err, errlen) < 0) {
            keymap_free(&km);
            return NULL;
        }
        if (parse_list(km->acts[i].keys, &km->slots[i], msg, sizeof msg) < 0) {
            keymap_fail(err, errlen, "built-in keys: %s: %s", km->acts[i].name, msg);
            keymap_free(&km);
            return NULL;
        }
    }
    return km;
}

void keymap_free(struct keymap **kmp)
{
    if (!kmp || !*kmp)
        return;
    free((*kmp)->slots);
    free((*kmp)->index);
    free((*kmp)->granted);
    free(*kmp);
    *kmp = NULL;
}

static long find_idx(const struct keymap *km, const char *name)
{
    for (size_t i = 0; i < km->n; i++)
        if (strcmp(km->acts[i].name, name) == 0)
            return (long)i;
    return -1;
}

int keymap_bind(struct keymap *km, const char *action, const char *keys,
                int line, char *err, size_t errlen)
{
    char msg[KEYMAP_ERR_MAX], e[KEYMAP_QUOTE_MAX];
    long i = find_idx(km, action ? action : "");
    struct slot s = { .line = line };

    if (i < 0) {
        keymap_fail(err, errlen, "line %d: unknown action '%s'", line,
                    keymap_quote(action ? action : "", e, sizeof e));
        return -1;
    }
    if (parse_list(keys, &s, msg, sizeof msg) < 0) {
        keymap_fail(err, errlen, "line %d: %s: %s", line, action, msg);
        return -1;
    }
    km->slots[i] = s;
    km->ready = false;
    return 0;
}

static int entry_cmp(const void *pa, const void *pb)
{
    const struct entry *a = pa, *b = pb;

    if (a->key != b->key)
        return a->key < b->key ? -1 : 1;
    return (a->idx > b->idx) - (a->idx < b->idx);
}

static bool clash(const struct keymap *km, unsigned a, unsigned b)
{
    if (km->nscopes == 0)
        return (a & b) != 0;
    for (size_t i = 0; i < km->nscopes; i++)
        if ((km->scopes[i] & a) && (km->scopes[i] & b))
            return true;
    return false;
}

static void clash_message(const struct keymap *km, const struct entry *a,
                          const struct entry *b, char *err, size_t errlen)
{
    int la = km->slots[a->idx].line, lb = km->slots[b->idx].line;
    int late = la > lb ? la : lb, early = la > lb ? lb : la;
    char key[KEYMAP_NAME_MAX], head[32], also[64] = "";

    keymap_key_name(a->key, key, sizeof key);
    if (late == 0)
        snprintf(head, sizeof head, "built-in keys");
    else
        snprintf(head, sizeof head, "line %d", late);
    if (early > 0)
        snprintf(also, sizeof also, " (the other binding is on line %d)", early);
    keymap_fail(err, errlen, "%s: key '%s' would run both %s and %s%s", head, key,
                km->acts[a->idx].name, km->acts[b->idx].name, also);
}

int keymap_check(struct keymap *km, char *err, size_t errlen)
{
    const struct entry *best_a = NULL, *best_b = NULL;
    int best_line = INT_MAX;

    km->nindex = 0;
    for (size_t i = 0; i < km->n; i++)
        for (int k = 0; k < km->slots[i].nkeys; k++)
            km->index[km->nindex++] = (struct entry){ km->slots[i].keys[k], i };
    qsort(km->index, km->nindex, sizeof *km->index, entry_cmp);
    /* Runs of one key are a few entries long, so pairs within a run cost
     * nothing; the sort is what makes the whole check cheap. */
    for (size_t i = 0; i < km->nindex; i++)
        for (size_t j = i + 1; j < km->nindex && km->index[j].key == km->index[i].key; j++) {
            const struct entry *a = &km->index[i], *b = &km->index[j];
            int la = km->slots[a->idx].line, lb = km->slots[b->idx].line;
            int late = la > lb ? la : lb;
            if (late < best_line && clash(km, km->acts[a->idx].ctx, km->acts[b->idx].ctx)) {
                best_a = a;
                best_b = b;
                best_line = late;
            }
        }
    if (best_a) {
        clash_message(km, best_a, best_b, err, errlen);
        return -1;
    }
    km->ready = true;
    return 0;
}

void keymap_set_permissions(struct keymap *km, const char *const *perms, size_t n)
{
    for (size_t i = 0; i < km->n; i++) {
        const char *want = km->acts[i].perm;
        km->granted[i] = !want;
        for (size_t p = 0; want && p < n && !km->granted[i]; p++)
            km->granted[i] = perms[p] && strcmp(perms[p], want) == 0;
    }
}

bool keymap_permitted(const struct keymap *km, int id)
{
    for (size_t i = 0; i < km->n; i++)
        if (km->acts[i].id == id)
            return km->granted[i];
    return false;
}

static bool is_scope(const struct keymap *km, unsigned mask)
{
    for (size_t i = 0; i < km->nscopes; i++)
        if (km->scopes[i] == mask)
            return true;
    return km->nscopes == 0;
}

int keymap_action(const struct keymap *km, unsigned ctx_mask, tui_key key)
{
    size_t lo = 0, hi = km->nindex;
    tui_key k = keymap_key_canon(key);

    assert(km->ready && "keymap_check() before keymap_action()");
    if (!km->ready || !is_scope(km, ctx_mask))
        return -1;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (km->index[mid].key < k)
            lo = mid + 1;
        else
            hi = mid;
    }
    /* Entries of one key are in table order; within a scope at most one
     * is active (keymap_check), and a refused one is no action at all. */
    for (; lo < km->nindex && km->index[lo].key == k; lo++)
        if ((km->acts[km->index[lo].idx].ctx & ctx_mask) && km->granted[km->index[lo].idx])
            return km->acts[km->index[lo].idx].id;
    return -1;
}

int keymap_find(const struct keymap *km, const char *name)
{
    long i = find_idx(km, name ? name : "");
    return i < 0 ? -1 : km->acts[i].id;
}

size_t keymap_key_of(const struct keymap *km, int id, char *buf, size_t size)
{
    for (size_t i = 0; i < km->n; i++)
        if (km->acts[i].id == id && km->slots[i].nkeys > 0)
            return keymap_key_name(km->slots[i].keys[0], buf, size);
    return keymap_put(buf, size, "");
}

/* A key the filter shows: where a field has the keyboard, a character
 * is typed, never run. */
static bool key_listed(const struct keymap_filter *f, tui_key k)
{
    return !f->typing || !tui_key_is_text(k);
}

static bool listed(const struct keymap *km, const struct keymap_filter *f,
                   size_t i, int pass)
{
    const struct tui_action *a = &km->acts[i];
    const struct slot *s = &km->slots[i];
    bool any = false;

    for (int k = 0; k < s->nkeys; k++)
        any = any || key_listed(f, s->keys[k]);
    if (!(a->ctx & f->ctx) || !any || !km->granted[i])
        return false;
    if (((a->ctx & f->last) != 0) != (pass == 1))
        return false;
    return !f->allowed || f->allowed(a->id, f->ud);
}

static void fill_item(const struct keymap *km, const struct keymap_filter *f,
                      size_t i, int pass, struct keymap_item *out)
{
    const struct slot *s = &km->slots[i];
    size_t len = 0;

    out->id = km->acts[i].id;
    out->name = km->acts[i].name;
    out->label = km->acts[i].label;
    out->help = km->acts[i].help;
    out->last = pass == 1;
    out->key[0] = '\0';
    out->keys[0] = '\0';
    for (int k = 0; k < s->nkeys; k++) {
        char name[KEYMAP_NAME_MAX];
        if (len >= sizeof out->keys)
            break;
        if (!key_listed(f, s->keys[k]))
            continue;
        keymap_key_name(s->keys[k], name, sizeof name);
        if (!out->key[0])
            snprintf(out->key, sizeof out->key, "%s", name);
        len += (size_t)snprintf(out->keys + len, sizeof out->keys - len, "%s%s",
                                len ? ", " : "", name);
    }
}

bool keymap_next(const struct keymap *km, const struct keymap_filter *f,
                 struct keymap_iter *it, struct keymap_item *out)
{
    for (; it->pass < 2; it->pass++, it->i = 0)
        for (; it->i < km->n; it->i++)
            if (listed(km, f, it->i, it->pass)) {
                fill_item(km, f, it->i, it->pass, out);
                it->i++;
                return true;
            }
    return false;
}

size_t keymap_hints(const struct keymap *km, const struct keymap_filter *f,
                    size_t cols, char *buf, size_t size)
{
    struct keymap_iter it = { 0 };
    struct keymap_item item;
    size_t len = 0, width = 0;

    if (size == 0)
        return 0;
    buf[0] = '\0';
    while (keymap_next(km, f, &it, &item)) {
        if (!item.label)
            continue;
        const char *sep = len ? "  " : "";
        size_t w = strlen(sep) + text_width(item.key) + 1 + text_width(item.label);
        size_t bytes = strlen(sep) + strlen(item.key) + 1 + strlen(item.label);
        /* Whole hints only: half a label reads as a different word. */
        if (width + w > cols || len + bytes >= size)
            break;
        snprintf(buf + len, size - len, "%s%s %s", sep, item.key, item.label);
        len += bytes;
        width += w;
    }
    return width;
}
