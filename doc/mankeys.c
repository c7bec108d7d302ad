/* mankeys: the KEYS section of lumen(1), written from the action table.
 *
 * `make` runs it to build lumen.1 from doc/lumen.1.in, as tig builds its
 * manual from its own tables: the page lists exactly the actions, default
 * keys and help lines the program answers to, so the two cannot drift.
 * One subsection per context (where an action is active), the contexts in
 * the table's order and the keys of every screen last.  A context with no
 * title below is an error, so a new screen's keys cannot go undocumented.
 *
 *   mankeys            the roff of the KEYS section on standard output
 *   mankeys --names    the [keys] names, one a line (for tests)           */
#include "screens/actions.h"

#include <stdio.h>
#include <string.h>

#define CTX_NAME_(name) #name,
static const char *const ctx_names[] = { LUMEN_CONTEXTS(CTX_NAME_) };
#undef CTX_NAME_

/* The heading of each context's keys, by the context's name. */
static const struct { const char *ctx, *title; } titles[] = {
    { "GLOBAL", "Every screen (but dialogs, help and the lock)" },
    { "FORM", "Screens with text fields" },
    { "LIST", "Screens with a list" },
    { "HOME", "Home (tab 1)" },
    { "LOGIN", "Sign-in" },
    { "DIALOG", "Questions (yes or no)" },
    { "HELP", "The help overlay (?)" },
    { "LOCK", "The lock screen" },
    { "INBOX", "The inbox (tab 2)" },
    { "LEAD", "A lead, or the inbox's rows" },
    { "LEADVIEW", "A lead's page" },
    { "MENU", "Menus" },
    { "AUDIT", "The audit log (tab 3)" },
    { "TEAM", "The team (tab 4)" },
    { "SETTINGS", "The practice's settings (Owner)" },
    { "SECURITY", "Account security (tab 5)" },
    { "ENROLL", "Turning two-factor on" },
    { "CODES", "Recovery codes" },
    { "NOTIFY", "Notifications (the settings' n, Owner)" },
};

static const char *mankeys_title(const char *ctx)
{
    for (size_t i = 0; i < sizeof titles / sizeof titles[0]; i++)
        if (strcmp(titles[i].ctx, ctx) == 0)
            return titles[i].title;
    return NULL;
}

/* Text for roff: a backslash is \e, a hyphen \- where it is a key (so it
 * stays a minus sign), and a line never starts with a control character. */
static void mankeys_put(const char *s, int keys)
{
    if (*s == '.' || *s == '\'')
        fputs("\\&", stdout);
    for (; *s; s++) {
        if (*s == '\\')
            fputs("\\e", stdout);
        else if (*s == '-' && keys)
            fputs("\\-", stdout);
        else
            putchar(*s);
    }
}

/* "q C-c" as "q, C-c". */
static void mankeys_keys(const char *keys)
{
    char buf[128];
    snprintf(buf, sizeof buf, "%s", keys);
    int first = 1;
    for (char *save = NULL, *k = strtok_r(buf, " ", &save); k; k = strtok_r(NULL, " ", &save)) {
        if (!first)
            fputs(", ", stdout);
        mankeys_put(k, 1);
        first = 0;
    }
}

static void mankeys_section(unsigned bit, const char *title)
{
    const struct keymap_table *t = &lumen_actions;
    printf(".SS ");
    mankeys_put(title, 0);
    putchar('\n');
    for (size_t i = 0; i < t->n; i++) {
        const struct tui_action *a = &t->actions[i];
        if (!(a->ctx & (1u << bit)))
            continue;
        fputs(".TP\n.B ", stdout);
        mankeys_keys(a->keys);
        putchar('\n');
        mankeys_put(a->help, 0);
        fputs(" (\\fI", stdout);
        mankeys_put(a->name, 1);
        fputs("\\fP)\n", stdout);
    }
}

int main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "--names") == 0) {
        for (size_t i = 0; i < lumen_actions.n; i++)
            puts(lumen_actions.actions[i].name);
        return 0;
    }
    if (argc != 1) {
        fputs("usage: mankeys [--names]\n", stderr);
        return 2;
    }
    for (unsigned b = 0; b < CTX_NBITS; b++)
        if (!mankeys_title(ctx_names[b])) {
            fprintf(stderr, "mankeys: context %s has no title in doc/mankeys.c\n", ctx_names[b]);
            return 1;
        }
    fputs("Each key below is the default; [keys] in the config rebinds it by the\n"
          "action's name, given in italics.\n"
          "A key of an action the role may not use does nothing, and the status\n"
          "row and\n.B ?\nshow only the keys of the screen in hand that apply.\n", stdout);
    for (unsigned b = 0; b < CTX_NBITS; b++)
        if (b != CTX_BIT_GLOBAL)
            mankeys_section(b, mankeys_title(ctx_names[b]));
    mankeys_section(CTX_BIT_GLOBAL, mankeys_title(ctx_names[CTX_BIT_GLOBAL]));
    return 0;
}
