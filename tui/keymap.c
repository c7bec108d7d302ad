/* keymap: actions, their keys, and the text made from them.  Contract in
 * keymap.h. */
#include "tui/keymap.h"

#include <assert.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <wchar.h>

#include "tui/text.h"

#define SPEC_MAX 32     /* longest single key spec worth reading */
#define ECHO_COLS 24    /* how much of a bad spec an error message quotes */
#define QUOTE_MAX (4 * ECHO_COLS + 8)
#define FKEY_MAX 24

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
    struct slot *slots;     /* one per action */
    struct entry *index;    /* every bound key, sorted by (key, idx) */
    size_t nindex;
    bool ready;             /* index matches slots */
};

/* Canonical names first: the formatter takes the first name of a key. */
static const struct { const char *name; tui_key key; } names[] = {
    { "Enter", '\n' }, { "Esc", TUI_KEY_ESC },
    { "Tab", '\t' }, { "S-Tab", TUI_FN(KEY_BTAB) },
    { "Space", ' ' }, { "Backspace", TUI_FN(KEY_BACKSPACE) },
    { "Delete", TUI_FN(KEY_DC) }, { "Insert", TUI_FN(KEY_IC) },
    { "Up", TUI_FN(KEY_UP) }, { "Down", TUI_FN(KEY_DOWN) },
    { "Left", TUI_FN(KEY_LEFT) }, { "Right", TUI_FN(KEY_RIGHT) },
    { "PgUp", TUI_FN(KEY_PPAGE) }, { "PgDn", TUI_FN(KEY_NPAGE) },
    { "Home", TUI_FN(KEY_HOME) }, { "End", TUI_FN(KEY_END) },
    /* Aliases, parsed only. */
    { "Return", '\n' }, { "Escape", TUI_KEY_ESC },
    { "BackTab", TUI_FN(KEY_BTAB) }, { "BS", TUI_FN(KEY_BACKSPACE) },
    { "Del", TUI_FN(KEY_DC) }, { "Ins", TUI_FN(KEY_IC) },
    { "PageUp", TUI_FN(KEY_PPAGE) }, { "PageDown", TUI_FN(KEY_NPAGE) },
};

#define KEY_LIST "a character, C-x, F1 .. F24, or one of Enter Esc Tab " \
                 "S-Tab Space Backspace Delete Insert Up Down Left Right " \
                 "PgUp PgDn Home End"

static __attribute__((format(printf, 3, 4)))
void fail(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;

    if (!err || errlen == 0)
        return;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

/* A bad spec is quoted back to the user, who may be looking at it in the
 * TUI's status line: it goes through the sanitizer like any other text. */
static const char *quote(const char *s, char *buf, size_t size)
{
    text_cell(buf, size, s, strlen(s), ECHO_COLS,
              text_locale_flags() | TEXT_ELLIPSIS);
    return buf;
}

tui_key keymap_key_canon(tui_key k)
{
    if (k == 8 || k == 0x7f)
        return TUI_FN(KEY_BACKSPACE);
    if (k == '\r' || k == TUI_FN(KEY_ENTER))
        return '\n';
    return k;
}

/* A character is a key name only if it reaches the screen as itself: the
 * sanitizer would leave it alone and it takes at least one column (a lone
 * combining mark would sit on the previous cell). */
static bool char_shows_as_itself(wchar_t c, char *enc, size_t encsize)
{
    char mb[MB_LEN_MAX + 1], out[4 * MB_LEN_MAX + 1];
    mbstate_t st;
    size_t len;

    if (!tui_key_is_text(c) || c == ' ' || wcwidth(c) < 1)
        return false;
    memset(&st, 0, sizeof st);
    len = wcrtomb(mb, c, &st);
    if (len == (size_t)-1 || len >= encsize)
        return false;
    mb[len] = '\0';
    text_sanitize(out, sizeof out, mb, len, text_locale_flags(), NULL);
    if (strcmp(out, mb) != 0)
        return false;
    memcpy(enc, mb, len + 1);
    return true;
}

static size_t put(char *buf, size_t size, const char *s)
{
    if (size == 0)
        return 0;
    snprintf(buf, size, "%s", s);
    return strlen(buf);
}

size_t keymap_key_name(tui_key key, char *buf, size_t size)
{
    char tmp[KEYMAP_NAME_MAX];
    tui_key k = keymap_key_canon(key);

    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (names[i].key == k)
            return put(buf, size, names[i].name);
    if (tui_key_is_fn(k)) {
        int code = k & ~TUI_KEY_FN;
        if (code >= KEY_F(1) && code <= KEY_F(FKEY_MAX))
            snprintf(tmp, sizeof tmp, "F%d", code - KEY_F0);
        else
            snprintf(tmp, sizeof tmp, "key-%04o", (unsigned)code);
    } else if (k > 0 && k < 0x20) {
        snprintf(tmp, sizeof tmp, "C-%c", k < 27 ? 'a' + k - 1 : k | 0x40);
    } else if (k < 0 || !char_shows_as_itself((wchar_t)k, tmp, sizeof tmp)) {
        snprintf(tmp, sizeof tmp, "U+%04X", (unsigned)k);
    }
    return put(buf, size, tmp);
}

/* "C-x" with one ASCII character after the dash. */
static int parse_ctrl(const char *spec, tui_key *key, char *err, size_t errlen)
{
    char e[QUOTE_MAX];
    unsigned char c = (unsigned char)spec[2];

    if (spec[3] == '\0' && (strchr("\\]^_", c) && c != '\0')) {
        *key = c & 0x1f;
        return 0;
    }
    if (spec[3] == '\0' && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))) {
        *key = keymap_key_canon(c & 0x1f);
        return 0;
    }
    fail(err, errlen, "'%s' is not a key: C- takes a letter (C-a .. C-z)",
         quote(spec, e, sizeof e));
    return -1;
}

/* "F1" .. "F24"; returns 1 when spec is not of the form F<digits>. */
static int parse_fkey(const char *spec, tui_key *key, char *err, size_t errlen)
{
    char e[QUOTE_MAX];
    long n = 0;
    size_t i = 1;

    if ((spec[0] != 'F' && spec[0] != 'f') || spec[1] < '0' || spec[1] > '9')
        return 1;
    for (; spec[i] >= '0' && spec[i] <= '9'; i++)
        if (n <= FKEY_MAX)
            n = n * 10 + (spec[i] - '0');
    if (spec[i] != '\0')
        return 1;
    if (n < 1 || n > FKEY_MAX) {
        fail(err, errlen, "'%s' is not a key: function keys are F1 .. F%d",
             quote(spec, e, sizeof e), FKEY_MAX);
        return -1;
    }
    *key = TUI_FN(KEY_F((int)n));
    return 0;
}

/* A spec that is exactly one multibyte character.  Returns 1 when spec
 * holds more than one character, so that names get their turn. */
static int parse_char(const char *spec, tui_key *key, char *err, size_t errlen)
{
    char e[QUOTE_MAX], enc[MB_LEN_MAX + 1];
    size_t len = strlen(spec);
    mbstate_t st;
    wchar_t wc;
    size_t r;

    memset(&st, 0, sizeof st);
    r = mbrtowc(&wc, spec, len, &st);
    if (r == (size_t)-1 || r == (size_t)-2) {
        if ((unsigned char)spec[0] < 0x80)
            return 1;
        fail(err, errlen, "'%s' is not a key: not a character in this "
             "locale (UTF-8 expected)", quote(spec, e, sizeof e));
        return -1;
    }
    if (r != len)
        return 1;
    if (wc == ' ') {
        *key = ' ';
        return 0;
    }
    if (!char_shows_as_itself(wc, enc, sizeof enc)) {
        fail(err, errlen, "'%s' is not a key: not a printable character",
             quote(spec, e, sizeof e));
        return -1;
    }
    *key = (tui_key)wc;
    return 0;
}

int keymap_key_parse(const char *spec, tui_key *key, char *err, size_t errlen)
{
    char e[QUOTE_MAX];
    int r;

    if (!spec || !*spec) {
        fail(err, errlen, "empty key");
        return -1;
    }
    if ((r = parse_char(spec, key, err, errlen)) <= 0)
        return r;
    if ((spec[0] == 'C' || spec[0] == 'c') && spec[1] == '-' && spec[2])
        return parse_ctrl(spec, key, err, errlen);
    if ((r = parse_fkey(spec, key, err, errlen)) <= 0)
        return r;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcasecmp(spec, names[i].name) == 0) {
            *key = names[i].key;
            return 0;
        }
    if (strchr(spec, ','))
        fail(err, errlen, "'%s' is not a key: separate keys with spaces",
             quote(spec, e, sizeof e));
    else
        fail(err, errlen, "'%s' is not a key: write " KEY_LIST,
             quote(spec, e, sizeof e));
    return -1;
}

/* Space-separated specs, or "none", into a slot; a key given twice counts
 * once.  The slot is written only on success, so a bad line changes
 * nothing. */
static int parse_list(const char *keys, struct slot *out, char *err, size_t errlen)
{
    struct slot s = { .nkeys = 0 };
    const char *p = keys ? keys : "";
    char tok[SPEC_MAX + 1], e[QUOTE_MAX];
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
            fail(err, errlen, "more than %d keys", KEYMAP_MAX_KEYS);
            return -1;
        }
        s.keys[s.nkeys++] = k;
    }
    if (none && s.nkeys > 0) {
        fail(err, errlen, "'none' and a key ('%s') at once",
             quote(keys, e, sizeof e));
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

/* The table is the application's code: a bad row is a bug, reported with
 * the row so the application's own test points straight at it. */
static int check_row(const struct keymap *km, size_t i, char *err, size_t errlen)
{
    const struct tui_action *a = &km->acts[i];

    if (!name_ok(a->name)) {
        fail(err, errlen, "built-in keys: action %zu: bad name", i);
        return -1;
    }
    const char *why = a->id == -1 ? "id -1 means no action"
                    : a->ctx == 0 ? "ctx is 0"
                    : !a->help ? "no help text"
                    : !in_some_scope(km, a->ctx) ? "ctx is in no scope" : NULL;
    if (why) {
        fail(err, errlen, "built-in keys: %s: %s", a->name, why);
        return -1;
    }
    for (size_t j = 0; j < i; j++)
        if (km->acts[j].id == a->id || strcmp(km->acts[j].name, a->name) == 0) {
            fail(err, errlen, "built-in keys: %s: id or name of %s again",
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
    }
    if (!km || !km->slots || !km->index) {
        fail(err, errlen, "out of memory");
        keymap_free(&km);
        return NULL;
    }
    km->acts = t->actions;
    km->n = t->n;
    km->scopes = t->scopes;
    km->nscopes = t->scopes ? t->nscopes : 0;
    for (size_t i = 0; i < km->n; i++) {
        if (check_row(km, i, err, errlen) < 0) {
            keymap_free(&km);
            return NULL;
        }
        if (parse_list(km->acts[i].keys, &km->slots[i], msg, sizeof msg) < 0) {
            fail(err, errlen, "built-in keys: %s: %s", km->acts[i].name, msg);
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
    char msg[KEYMAP_ERR_MAX], e[QUOTE_MAX];
    long i = find_idx(km, action ? action : "");
    struct slot s = { .line = line };

    if (i < 0) {
        fail(err, errlen, "line %d: unknown action '%s'", line,
             quote(action ? action : "", e, sizeof e));
        return -1;
    }
    if (parse_list(keys, &s, msg, sizeof msg) < 0) {
        fail(err, errlen, "line %d: %s: %s", line, action, msg);
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
    fail(err, errlen, "%s: key '%s' would run both %s and %s%s", head, key,
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

int keymap_action(const struct keymap *km, unsigned ctx_mask, tui_key key)
{
    size_t lo = 0, hi = km->nindex;
    tui_key k = keymap_key_canon(key);

    assert(km->ready && "keymap_check() before keymap_action()");
    if (!km->ready)
        return -1;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (km->index[mid].key < k)
            lo = mid + 1;
        else
            hi = mid;
    }
    /* Entries of one key are in table order: the first active one wins. */
    for (; lo < km->nindex && km->index[lo].key == k; lo++)
        if (km->acts[km->index[lo].idx].ctx & ctx_mask)
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
    return put(buf, size, "");
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
    if (!(a->ctx & f->ctx) || !any)
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
