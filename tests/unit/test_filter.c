/* Unit tests for client/filter: the filter-text tokenizer shared by the
 * list screens and the subcommands: token forms, negation, quoting, free
 * text, and a clear error for each malformed form. */
#include "tests/unit/unit.h"

#include <string.h>

#include "client/filter.h"

static const char *const inbox_keys[] = { "status", "assigned", "service", "since", NULL };

static struct filter f;
static struct filter_error err;

static int parse(const char *text, const char *const *keys)
{
    memset(&err, 0, sizeof err);
    return filter_parse(&f, text, strlen(text), keys, &err);
}

#define TOKEN(i, k, v, neg) do { \
        assert_string_equal(f.tokens[i].key, (k)); \
        assert_string_equal(f.tokens[i].value, (v)); \
        assert_int_equal(f.tokens[i].negated, (neg)); \
    } while (0)

static void tokens_negation_and_free_text(void **state)
{
    (void)state;
    assert_int_equal(parse("status:new !assigned:me since:7d free text", inbox_keys), 0);
    assert_int_equal(f.ntokens, 3);
    TOKEN(0, "status", "new", false);
    TOKEN(1, "assigned", "me", true);
    TOKEN(2, "since", "7d", false);
    assert_string_equal(f.text, "free text");
    assert_false(filter_empty(&f));
}

static void free_text_between_tokens_is_joined(void **state)
{
    (void)state;
    assert_int_equal(parse("  ana\tstatus:new   garcía  ", NULL), 0);
    assert_int_equal(f.ntokens, 1);
    assert_string_equal(f.text, "ana garcía");
}

static void empty_and_blank(void **state)
{
    (void)state;
    assert_int_equal(parse("", NULL), 0);
    assert_true(filter_empty(&f));
    assert_string_equal(f.text, "");
    assert_int_equal(parse("   \t ", NULL), 0);
    assert_true(filter_empty(&f));
}

static void values_keep_colons_and_dots(void **state)
{
    (void)state;
    assert_int_equal(parse("action:login. since:2026-11-01..2026-11-15 target:lead:42", NULL), 0);
    TOKEN(0, "action", "login.", false);
    TOKEN(1, "since", "2026-11-01..2026-11-15", false);
    TOKEN(2, "target", "lead:42", false);
}

static void keys_are_case_insensitive(void **state)
{
    (void)state;
    assert_int_equal(parse("Status:New ASSIGNED_TO:Me", NULL), 0);
    TOKEN(0, "status", "New", false);
    TOKEN(1, "assigned_to", "Me", false);
}

static void colon_without_a_key_shape_is_text(void **state)
{
    (void)state;
    assert_int_equal(parse("10:30 é:x _a:b", inbox_keys), 0);
    assert_int_equal(f.ntokens, 0);
    assert_string_equal(f.text, "10:30 é:x _a:b");
    /* A word shaped like a key is a token: quoted, it is text. */
    assert_int_equal(parse("\"https://example.test\"", inbox_keys), 0);
    assert_string_equal(f.text, "https://example.test");
    assert_int_equal(parse("https://example.test", NULL), 0);
    TOKEN(0, "https", "//example.test", false);
}

static void quotes(void **state)
{
    (void)state;
    assert_int_equal(parse("service:\"teeth whitening\" \"Ana María\" !status:\"not interested\"",
                           inbox_keys), 0);
    assert_int_equal(f.ntokens, 2);
    TOKEN(0, "service", "teeth whitening", false);
    TOKEN(1, "status", "not interested", true);
    assert_string_equal(f.text, "Ana María");
    /* A quoted term is text even when it looks like a token. */
    assert_int_equal(parse("\"status:new\"", inbox_keys), 0);
    assert_int_equal(f.ntokens, 0);
    assert_string_equal(f.text, "status:new");
    /* Escapes: \" and \\ only; other backslashes are kept. */
    assert_int_equal(parse("\"say \\\"hi\\\" \\\\ c:\\temp\"", NULL), 0);
    assert_string_equal(f.text, "say \"hi\" \\ c:\\temp");
    /* A quote inside a word is an ordinary character. */
    assert_int_equal(parse("o\"brien", NULL), 0);
    assert_string_equal(f.text, "o\"brien");
}

static void input_need_not_end_in_nul(void **state)
{
    const char text[] = { 's', 't', 'a', 't', 'u', 's', ':', 'n', 'e', 'w', 'X' };
    (void)state;
    assert_int_equal(filter_parse(&f, text, 10, NULL, NULL), 0);
    TOKEN(0, "status", "new", false);
}

#define REFUSED(input, keys, at, words) do { \
        assert_int_equal(parse(input, keys), -1); \
        assert_int_equal(err.pos, (at)); \
        assert_non_null(strstr(err.msg, (words))); \
        assert_int_equal(f.ntokens, 0); \
        assert_string_equal(f.text, ""); \
    } while (0)

static void errors(void **state)
{
    (void)state;
    REFUSED("smith \"ana", NULL, 6, "unclosed quote");
    REFUSED("status:\"new", NULL, 7, "unclosed quote");
    REFUSED("\"ana\"smith", NULL, 5, "space after the closing quote");
    REFUSED("a :new", NULL, 2, "needs a key before it");
    REFUSED("status: new", NULL, 6, "'status:' needs a value");
    REFUSED("status:\"\"", NULL, 6, "'status:' needs a value");
    REFUSED("x !", NULL, 2, "'!' goes before a key:value token");
    REFUSED("!smith", NULL, 0, "'!' goes before a key:value token");
    REFUSED("!\"smith\"", NULL, 0, "'!' goes before a key:value token");
    REFUSED("!10:30", NULL, 0, "'!' goes before");
    REFUSED("status:new colour:red", inbox_keys, 11,
          "unknown filter 'colour:'; use status:, assigned:, service:, since:");
}

static void limits(void **state)
{
    char text[FILTER_TEXT_MAX + 2];
    size_t n = 0;
    (void)state;

    for (int i = 0; i < FILTER_MAX_TOKENS; i++)
        n += (size_t)snprintf(text + n, sizeof text - n, "k%d:v ", i);
    assert_int_equal(parse(text, NULL), 0);
    assert_int_equal(f.ntokens, FILTER_MAX_TOKENS);
    snprintf(text + n, sizeof text - n, "one:more");
    REFUSED(text, NULL, n, "too many filter tokens");

    /* The longest input fits every string, quoted or not. */
    memset(text, 'a', FILTER_TEXT_MAX);
    text[FILTER_TEXT_MAX] = '\0';
    assert_int_equal(parse(text, NULL), 0);
    assert_int_equal(strlen(f.text), FILTER_TEXT_MAX);
    memcpy(text, "k:", 2);
    assert_int_equal(parse(text, NULL), 0);
    assert_int_equal(strlen(f.tokens[0].value), FILTER_TEXT_MAX - 2);
    for (size_t i = 0; i < FILTER_TEXT_MAX; i += 2)
        memcpy(text + i, "a ", 2);
    assert_int_equal(parse(text, NULL), 0);
    assert_int_equal(strlen(f.text), FILTER_TEXT_MAX - 1);
    text[FILTER_TEXT_MAX] = 'a';
    text[FILTER_TEXT_MAX + 1] = '\0';
    REFUSED(text, NULL, FILTER_TEXT_MAX, "too long");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(tokens_negation_and_free_text),
        cmocka_unit_test(free_text_between_tokens_is_joined),
        cmocka_unit_test(empty_and_blank),
        cmocka_unit_test(values_keep_colons_and_dots),
        cmocka_unit_test(keys_are_case_insensitive),
        cmocka_unit_test(colon_without_a_key_shape_is_text),
        cmocka_unit_test(quotes),
        cmocka_unit_test(input_need_not_end_in_nul),
        cmocka_unit_test(errors),
        cmocka_unit_test(limits),
    };
    return unit_run(tests);
}
