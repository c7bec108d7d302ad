/* keymap: every action and its keys in one table, read by the dispatcher,
 * the status-bar hints and the ? overlay alike.
 *
 * tui/ knows nothing of leads or SQL: the application declares its actions
 * in one static table of struct tui_action and its own context bits (e.g.
 * CTX_GLOBAL = 1, CTX_LIST = 2, CTX_FORM = 4), and passes the table in.
 * Screens then handle action ids, never raw key codes (text fields aside,
 * which take characters before the keymap sees them).
 *
 * Call order:
 *   km = keymap_new(&table, err, sizeof err);       defaults from the table
 *   keymap_bind(km, "quit", "Q F10", 12, err, ...);  each [keys] line
 *   keymap_check(km, err, sizeof err);               clashes; builds lookup
 *   keymap_set_permissions(km, perms, n);            at each sign-in
 *   ... keymap_action(km, ctx, key) on every key press ...
 *   keymap_free(&km);
 * keymap_check() must run after the last keymap_bind() and before the first
 * keymap_action(); binding again needs another keymap_check().  Any error
 * is fatal at load, as every lumen.conf error is: report it and exit.
 *
 * Ownership: the table, its strings and its scope array are the caller's
 * and must outlive the keymap (a static const table does).  The keymap owns
 * only its own copy of the keys.  Strings it hands back (names, labels,
 * help) point into the table.
 *
 * Key specs, in the table's defaults and in lumen.conf [keys]:
 *   a single character      j  ?  /  :  G  é     (case matters: g != G)
 *   C-x                     Ctrl+letter, C-a .. C-z (C-X is C-x); also
 *                           C-\  C-]  C-^  C-_
 *   a name (any case)       Enter Esc Tab S-Tab Space Backspace Delete
 *                           Insert Up Down Left Right PgUp PgDn Home End
 *                           F1 .. F24
 *     aliases, parsed only: Return, Escape, BackTab, BS, Del, Ins,
 *                           PageUp, PageDown
 *   none                    (config only) the action has no key at all
 * A config value lists one or more specs separated by spaces ("j Down"),
 * at most KEYMAP_MAX_KEYS; the same key twice counts once.
 *
 * Synonyms, decided here once (keymap_key_canon): terminals send Backspace
 * as KEY_BACKSPACE, DEL (127) or ^H (8) depending on their settings, so all
 * three are the key "Backspace", and the spec "C-h" means Backspace too.
 * C-i is Tab, C-m and C-j are Enter, since that is what the terminal sends.
 * Each key thus has one display name, which is what clash messages show.
 *
 * Contexts and clashes.  An action is active where a lookup's ctx mask
 * shares a bit with the action's ctx.  Two actions clash when they share a
 * key and one lookup could match both.  Which lookups exist is told by the
 * table's scopes: the ctx masks the application passes to keymap_action()
 * (e.g. CTX_GLOBAL|CTX_LIST, CTX_GLOBAL|CTX_FORM, CTX_DIALOG); two actions
 * clash iff some scope shares a bit with each.  So a global 'q' clashes
 * with a list's 'q' (both in CTX_GLOBAL|CTX_LIST), while a global Esc
 * "back" and a dialog's Esc "cancel" do not.  Without scopes (nscopes 0)
 * each ctx bit is its own scope: clash iff (ctx_a & ctx_b) != 0.
 *
 * Lookup keeps the bindings sorted by key (keymap_check builds the array)
 * and binary-searches it: a handful of comparisons per key press.  With
 * scopes, keymap_action() takes only a scope as its mask (anything else
 * was never checked for clashes: an assert, and -1); each context bit the
 * table declares must lie in some scope, so that none escapes the check.
 *
 * Permissions.  An action may name the permission it needs (perm, one of
 * the strings of the session's permission list, e.g. "lead.update").  The
 * application hands the keymap the list at sign-in; until then, and for a
 * session without it, such an action does not exist: dispatch returns -1
 * for its keys and hints and help leave it out, so no screen tests roles.
 * Its keys still count in the clash check, since another role has them.
 *
 * Errors are written into the caller's buffer (KEYMAP_ERR_MAX suits every
 * message).  Messages about a config line start "line N: "; the caller
 * prefixes the file name.  A clash among the table's own defaults starts
 * "built-in keys: " instead: it is a bug, which the application's unit
 * test over its real table catches.
 *
 * Display text.  Key names are plain ASCII, or a single character that
 * text_sanitize() would leave unchanged; any other character shows as
 * "U+XXXX".  Labels and help come from the application's table.  Nothing
 * here draws: the hints and help lines are text for the status bar and the
 * ? overlay, which pick their roles (ROLE_KEY for keys).                   */
#ifndef LUMEN_TUI_KEYMAP_H
#define LUMEN_TUI_KEYMAP_H

#include <stdbool.h>
#include <stddef.h>

#include "tui/key.h"

#define KEYMAP_MAX_KEYS 4      /* keys one action may have */
#define KEYMAP_NAME_MAX 16     /* a key's display name, with its NUL */
#define KEYMAP_KEYS_MAX (KEYMAP_MAX_KEYS * (KEYMAP_NAME_MAX + 1)) /* "j, Down" */
#define KEYMAP_ERR_MAX 512     /* as CONFIG_ERR_MAX */

/* One row of the application's table; a macro list (screens/actions.h)
 * makes it and the application's enum from one declaration.  id is the application's (any int
 * but -1, unique); name is the config name, unique, of [a-z0-9-]
 * ("next-field"); ctx is a non-zero bitmask of contexts where the action is
 * active; label is the status-bar hint ("quit"), NULL to stay out of the
 * status bar; help is one line for the ? overlay; keys are the default key
 * specs, space-separated ("j Down"), NULL or "" for none; perm is the
 * permission the action needs, NULL for none. */
struct tui_action {
    int id;
    const char *name;
    unsigned ctx;
    const char *label;
    const char *help;
    const char *keys;
    const char *perm;
};

struct keymap_table {
    const struct tui_action *actions;
    size_t n;
    const unsigned *scopes; /* the ctx masks lookups use; NULL: bits alone */
    size_t nscopes;
    unsigned contexts;      /* every ctx bit the application declares */
};

struct keymap;

/* A new keymap holding the table's default keys, or NULL with err filled
 * (a malformed table or default spec, or out of memory). */
struct keymap *keymap_new(const struct keymap_table *t, char *err, size_t errlen);

/* Frees *kmp and sets it to NULL; NULL and *kmp NULL are fine. */
void keymap_free(struct keymap **kmp);

/* One "action = keys" line of lumen.conf [keys]: keys (one or more specs,
 * space-separated, or "none") REPLACE the action's defaults.  line is the
 * config line, > 0, quoted in errors.  Returns 0, or -1 with err filled and
 * the keymap unchanged: unknown action, bad spec, too many keys. */
int keymap_bind(struct keymap *km, const char *action, const char *keys,
                int line, char *err, size_t errlen);

/* Clash detection over the whole table, defaults and rebindings alike, then
 * builds the lookup array.  Returns 0, or -1 with err filled: of several
 * clashes, the one whose later config line comes first is reported, as
 * "line 12: key 'q' would run both quit and queue-open" (actions in table
 * order; "(the other binding is on line 9)" when both come from the
 * config). */
int keymap_check(struct keymap *km, char *err, size_t errlen);

/* The session's permissions (api.me's list; NULL, 0: signed out), copied
 * in: actions whose perm is not among them are left out from now on. */
void keymap_set_permissions(struct keymap *km, const char *const *perms, size_t n);

/* Whether the session may take the action (its perm, if any, is held). */
bool keymap_permitted(const struct keymap *km, int id);

/* The id of the action key runs in ctx_mask, or -1.  key is canonicalised
 * (keymap_key_canon) first.  Only after a successful keymap_check(); an
 * action the session is not permitted is never returned. */
int keymap_action(const struct keymap *km, unsigned ctx_mask, tui_key key);

/* The id of the action with this config name, or -1 (the ':' line). */
int keymap_find(const struct keymap *km, const char *name);

/* The display name of the action's first key into buf ("" when it has no
 * key or the id is unknown), for messages such as "press ? for help".
 * Returns its length. */
size_t keymap_key_of(const struct keymap *km, int id, char *buf, size_t size);

/* --- Keys and their names, no keymap needed ------------------------------ */

/* One synonym per key: 8, 127 and KEY_BACKSPACE become Backspace
 * (TUI_FN(KEY_BACKSPACE)); '\r' and KEY_ENTER become '\n'.  Text fields
 * call this too, so Backspace deletes whatever the terminal sends. */
tui_key keymap_key_canon(tui_key k);

/* Parse one spec (see above; not "none") into *key, canonical.  Returns 0,
 * or -1 with err filled, e.g. "'Foo' is not a key: ...". */
int keymap_key_parse(const char *spec, tui_key *key, char *err, size_t errlen);

/* The display name of a key ("C-x", "Enter", "PgDn", "j", "F5") into buf,
 * at most KEYMAP_NAME_MAX bytes with the NUL; truncated to size.  Every
 * key keymap_key_parse() accepts parses back from its name.  A key with no
 * name (KEY_MOUSE, say) shows as "key-0631" (its code in octal). */
size_t keymap_key_name(tui_key key, char *buf, size_t size);

/* --- Text for the status bar and the ? overlay ----------------------------- */

/* May the user take this action here, now (a screen's own rule: nothing
 * to cancel, one practice only)?  Roles are the keymap's permissions.  ud
 * is keymap_filter.ud. */
typedef bool (*keymap_allowed_fn)(int action_id, void *ud);

/* Which actions to list, and in what order: those active in ctx,
 * permitted (keymap_permitted), allowed (allowed NULL: all), and bound to at least one key, in table order,
 * except that those with a ctx bit in last (e.g. CTX_GLOBAL) come after
 * all the others, as a group of their own.  With typing set (a text field
 * has the keyboard, so a key that is a character types it), keys that are
 * characters are left out, and an action with no other key is not listed:
 * "q quit" is not offered where q is a letter of the password. */
struct keymap_filter {
    unsigned ctx;
    unsigned last;
    keymap_allowed_fn allowed;
    void *ud;
    bool typing;
};

/* One listed action.  The strings point into the table. */
struct keymap_item {
    int id;
    const char *name;
    const char *label;             /* NULL: not in the status bar */
    const char *help;
    bool last;                     /* in the trailing (global) group */
    char key[KEYMAP_NAME_MAX];     /* its first key listed: the one hints show */
    char keys[KEYMAP_KEYS_MAX];    /* all its keys listed, joined by ", " */
};

/* Iteration state; start from struct keymap_iter it = {0}. */
struct keymap_iter {
    size_t i;
    int pass;
};

/* The next action the filter lists into *out; false at the end.  The ?
 * overlay draws "keys  help" per item, with a heading where last turns
 * true; the status bar uses the items that have a label. */
bool keymap_next(const struct keymap *km, const struct keymap_filter *f,
                 struct keymap_iter *it, struct keymap_item *out);

/* The status-bar hints, "q quit  ? help  / search", for the listed actions
 * that have a label, into buf (size bytes), cut at a whole hint so the
 * text fits in cols columns.  Returns its width in columns. */
size_t keymap_hints(const struct keymap *km, const struct keymap_filter *f,
                    size_t cols, char *buf, size_t size);

#endif
