/* notify_addr.c: which addresses lumen notify refuses (every edge of every
 * range, IPv6 and the forms that carry IPv4), the URL's host and port, and
 * the URLs it refuses to read (userinfo, numbers, backslashes...). */
#include "tests/unit/unit.h"
#include "client/notify_addr.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <unistd.h>

static enum notify_addr_kind kind(const char *text)
{
    struct sockaddr_storage ss;
    memset(&ss, 0, sizeof ss);
    if (strchr(text, ':')) {
        struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
        s6->sin6_family = AF_INET6;
        if (inet_pton(AF_INET6, text, &s6->sin6_addr) != 1)
            fail_msg("bad test address %s", text);
    } else {
        struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
        s4->sin_family = AF_INET;
        if (inet_pton(AF_INET, text, &s4->sin_addr) != 1)
            fail_msg("bad test address %s", text);
    }
    return notify_addr_kind_of((struct sockaddr *)&ss);
}

#define PUB NOTIFY_ADDR_PUBLIC
#define LOOP NOTIFY_ADDR_LOOPBACK
#define PRIV NOTIFY_ADDR_PRIVATE
#define SHARED NOTIFY_ADDR_SHARED
#define LINK NOTIFY_ADDR_LINK_LOCAL
#define UNSPEC NOTIFY_ADDR_UNSPECIFIED
#define MCAST NOTIFY_ADDR_MULTICAST
#define RSVD NOTIFY_ADDR_RESERVED

static const struct { const char *addr; enum notify_addr_kind want; } cases[] = {
    /* 0.0.0.0/8 */
    { "0.0.0.0", UNSPEC }, { "0.255.255.255", UNSPEC }, { "1.0.0.0", PUB },
    /* 10/8 and its neighbours */
    { "9.255.255.255", PUB }, { "10.0.0.0", PRIV }, { "10.255.255.255", PRIV }, { "11.0.0.0", PUB },
    /* 100.64/10: 100.64.0.0 - 100.127.255.255 */
    { "100.63.255.255", PUB }, { "100.64.0.0", SHARED }, { "100.100.100.200", SHARED },
    { "100.127.255.255", SHARED }, { "100.128.0.0", PUB },
    /* 127/8 */
    { "126.255.255.255", PUB }, { "127.0.0.1", LOOP }, { "127.255.255.254", LOOP }, { "128.0.0.0", PUB },
    /* 169.254/16 (the cloud metadata service at 169.254.169.254) */
    { "169.253.255.255", PUB }, { "169.254.0.0", LINK }, { "169.254.169.254", LINK },
    { "169.255.0.0", PUB },
    /* 172.16/12: 172.16.0.0 - 172.31.255.255 */
    { "172.15.255.255", PUB }, { "172.16.0.0", PRIV }, { "172.20.1.1", PRIV },
    { "172.31.255.255", PRIV }, { "172.32.0.0", PUB },
    /* 192.168/16 */
    { "192.167.255.255", PUB }, { "192.168.0.0", PRIV }, { "192.168.255.255", PRIV },
    { "192.169.0.0", PUB },
    /* multicast 224/4, reserved 240/4, broadcast */
    { "223.255.255.255", PUB }, { "224.0.0.0", MCAST }, { "239.255.255.255", MCAST },
    { "240.0.0.0", RSVD }, { "255.255.255.255", RSVD },
    /* ordinary public ones */
    { "8.8.8.8", PUB }, { "93.184.216.34", PUB }, { "192.0.2.1", PUB },
    /* IPv6 */
    { "::", UNSPEC }, { "::1", LOOP }, { "::2", UNSPEC },   /* ::0.0.0.2, the old compatible form */
    { "2001:db8::1", PUB }, { "2606:4700::1111", PUB },
    { "fc00::", PRIV }, { "fd12:3456::1", PRIV }, { "fdff:ffff::1", PRIV }, { "fbff::1", PUB },
    { "fe80::", LINK }, { "fe80::1", LINK }, { "febf:ffff::1", LINK }, { "fec0::1", PRIV },
    { "fe7f::1", PUB },
    { "ff02::1", MCAST }, { "ff05::2", MCAST },
    /* IPv4-mapped, translated and compatible forms are what they carry */
    { "::ffff:127.0.0.1", LOOP }, { "::ffff:10.1.2.3", PRIV }, { "::ffff:169.254.169.254", LINK },
    { "::ffff:172.31.0.1", PRIV }, { "::ffff:172.32.0.1", PUB }, { "::ffff:100.64.0.1", SHARED },
    { "::ffff:0.0.0.0", UNSPEC }, { "::ffff:8.8.8.8", PUB }, { "::ffff:7f00:1", LOOP },
    { "::ffff:0:127.0.0.1", LOOP }, { "::ffff:0:8.8.8.8", PUB },
    { "::127.0.0.1", LOOP }, { "::10.0.0.1", PRIV }, { "::8.8.8.8", PUB },
    /* NAT64 and 6to4 reach the IPv4 address inside */
    { "64:ff9b::127.0.0.1", LOOP }, { "64:ff9b::a00:1", PRIV }, { "64:ff9b::8.8.8.8", PUB },
    { "64:ff9b:1::1", PRIV },
    { "2002:7f00:1::", LOOP }, { "2002:a9fe:a9fe::1", LINK }, { "2002:808:808::1", PUB },
};

static void classifies_every_edge(void **state)
{
    (void)state;
    int bad = 0;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        enum notify_addr_kind got = kind(cases[i].addr);
        if (got != cases[i].want) {
            print_error("%s: %s, want %s\n", cases[i].addr, notify_addr_kind_name(got),
                        notify_addr_kind_name(cases[i].want));
            bad++;
        }
    }
    assert_int_equal(bad, 0);
}

static struct sockaddr_storage addr(const char *text)
{
    struct sockaddr_storage ss;
    memset(&ss, 0, sizeof ss);
    if (strchr(text, ':')) {
        struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
        s6->sin6_family = AF_INET6;
        assert_int_equal(inet_pton(AF_INET6, text, &s6->sin6_addr), 1);
    } else {
        struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
        s4->sin_family = AF_INET;
        assert_int_equal(inet_pton(AF_INET, text, &s4->sin_addr), 1);
    }
    return ss;
}

/* One refused address among public ones refuses the whole set, and the
 * message names it; allow_private lets everything through. */
static void check_refuses_any_bad_address(void **state)
{
    (void)state;
    struct sockaddr_storage a[3] = { addr("93.184.216.34"), addr("2606:4700::1111"),
                                     addr("127.0.0.1") };
    char err[NOTIFY_ERR_MAX] = "";
    assert_int_equal(notify_addr_check(a, 2, false, err, sizeof err), 0);
    assert_int_equal(notify_addr_check(a, 3, false, err, sizeof err), -1);
    assert_string_equal(err, "refused: resolves to 127.0.0.1, a loopback address "
                             "([notify] allow_private)");
    assert_int_equal(notify_addr_check(a, 3, true, err, sizeof err), 0);

    a[0] = addr("::ffff:192.168.1.1");
    assert_int_equal(notify_addr_check(a, 1, false, err, sizeof err), -1);
    assert_string_equal(err, "refused: resolves to ::ffff:192.168.1.1, a private address "
                             "([notify] allow_private)");
    a[0] = addr("fe80::1");
    assert_int_equal(notify_addr_check(a, 1, false, err, sizeof err), -1);
    assert_non_null(strstr(err, "fe80::1, a link-local address"));
}

/* The lookup: localhost resolves to loopback only, so it is refused
 * without allow_private and kept with it; a literal resolves to itself. */
static void lookup_checks_what_it_finds(void **state)
{
    (void)state;
    int p[2];
    assert_int_equal(pipe(p), 0);
    struct notify_lookup *l = notify_lookup_start("localhost", p[1]);
    char b;
    assert_int_equal(read(p[0], &b, 1), 1);     /* woken when done */
    assert_true(notify_lookup_done(l));
    struct sockaddr_storage a[NOTIFY_ADDRS_MAX];
    size_t n = 99;
    char err[NOTIFY_ERR_MAX] = "";
    assert_int_equal(notify_lookup_result(l, false, a, &n, err, sizeof err), -1);
    assert_int_equal(n, 0);
    assert_non_null(strstr(err, "refused: resolves to "));
    assert_non_null(strstr(err, "a loopback address ([notify] allow_private)"));
    assert_int_equal(notify_lookup_result(l, true, a, &n, err, sizeof err), 0);
    assert_true(n >= 1);
    assert_int_equal(notify_addr_kind_of((struct sockaddr *)&a[0]), NOTIFY_ADDR_LOOPBACK);
    notify_lookup_free(&l);
    assert_null(l);

    l = notify_lookup_start("10.1.2.3", p[1]);
    assert_int_equal(read(p[0], &b, 1), 1);
    assert_int_equal(notify_lookup_result(l, false, a, &n, err, sizeof err), -1);
    assert_string_equal(err, "refused: resolves to 10.1.2.3, a private address ([notify] allow_private)");
    notify_lookup_free(&l);

    l = notify_lookup_start("no-such-host.invalid", p[1]);
    assert_int_equal(read(p[0], &b, 1), 1);
    assert_int_equal(notify_lookup_result(l, true, a, &n, err, sizeof err), -1);
    assert_non_null(strstr(err, "could not resolve the host"));
    notify_lookup_free(&l);

    /* Given up on before it ends: the thread cleans up (ASan would see a
     * leak or a write after free otherwise), and writes no more wake-ups. */
    l = notify_lookup_start("localhost", p[1]);
    notify_lookup_free(&l);
    close(p[1]);
    close(p[0]);
    usleep(200 * 1000);
}

static void url_host_and_port(void **state)
{
    (void)state;
    static const struct {
        const char *url, *host;
        unsigned port;
        bool https, ip, v6;
    } good[] = {
        { "https://hooks.example.com/lumen?x=1", "hooks.example.com", 443, true, false, false },
        { "HTTPS://Hooks.Example.COM", "hooks.example.com", 443, true, false, false },
        { "http://example.com:8080/", "example.com", 8080, false, false, false },
        { "https://example.com:443#frag", "example.com", 443, true, false, false },
        { "https://a-b_c.example/p", "a-b_c.example", 443, true, false, false },
        { "http://127.0.0.1:9/x", "127.0.0.1", 9, false, true, false },
        { "https://[2001:db8::1]/hook", "2001:db8::1", 443, true, true, true },
        { "https://[2001:DB8::1]:8443", "2001:db8::1", 8443, true, true, true },
        { "http://[::ffff:127.0.0.1]:80/", "::ffff:127.0.0.1", 80, false, true, true },
        { "https://[::1]?q", "::1", 443, true, true, true },
        { "https://example.com:65535/", "example.com", 65535, true, false, false },
        { "https://x.io?a=@b", "x.io", 443, true, false, false },   /* '@' after the host */
    };
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        struct notify_url u;
        char err[NOTIFY_ERR_MAX] = "";
        if (notify_url_parse(good[i].url, &u, err, sizeof err) != 0)
            fail_msg("%s: refused: %s", good[i].url, err);
        if (strcmp(u.host, good[i].host) || u.port != good[i].port || u.https != good[i].https ||
            u.host_is_ip != good[i].ip || u.host_is_v6 != good[i].v6)
            fail_msg("%s: host '%s' port %u https %d ip %d v6 %d", good[i].url, u.host, u.port,
                     u.https, u.host_is_ip, u.host_is_v6);
    }
}

static void url_refused(void **state)
{
    (void)state;
    static const struct { const char *url, *want; } bad[] = {
        { "https://user:pw@example.com/", "user name or password" },
        { "https://user@example.com/", "user name or password" },
        { "https://@example.com/", "user name or password" },
        { "https://example.com@127.0.0.1/", "user name or password" },
        { "https://[::1]@evil.example/", "user name or password" },
        { "ftp://example.com/", "does not start with https://" },
        { "example.com/hook", "does not start with https://" },
        { "https:/example.com", "does not start with https://" },
        { "https://", "has no host" },
        { "https:///path", "has no host" },
        { "https://:443/", "has no host" },
        { "https://exa mple.com/", "has a space" },
        { "https://example.com/a\tb", "control character" },
        { "https://ex\xc3\xa4mple.com/", "non-ASCII" },
        { "https://example.com\\@127.0.0.1/", "backslash" },
        { "https://ex%61mple.com/", "%-escape" },
        { "https://2130706433/", "neither a name nor an IPv4" },
        { "https://0x7f.1/", "neither a name nor an IPv4" },
        { "https://127.1/", "neither a name nor an IPv4" },
        { "https://0177.0.0.1/", "neither a name nor an IPv4" },
        { "https://127.000.0.1/", "neither a name nor an IPv4" },
        { "https://example.com./", "a dot at its end" },
        { "https://a..b/", "empty part" },
        { "https://example.com:/", "an empty port after ':'" },
        { "https://example.com:0/", "not from 1 to 65535" },
        { "https://example.com:65536/", "not from 1 to 65535" },
        { "https://example.com:80a/", "not a number" },
        { "https://example.com:123456/", "too long" },
        { "https://[::1/", "no closing ']'" },
        { "https://[]/", "an empty IPv6 address" },
        { "https://[fe80::1%25eth0]/", "%-escape" },
        { "https://[127.0.0.1]/", "not an IPv6 address" },
        { "https://[::1]x/", "not ':PORT'" },
        { "https://exa!mple.com/", "a character a host name cannot have" },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct notify_url u;
        char err[NOTIFY_ERR_MAX] = "";
        if (notify_url_parse(bad[i].url, &u, err, sizeof err) == 0)
            fail_msg("%s: accepted (host '%s')", bad[i].url, u.host);
        if (!strstr(err, bad[i].want))
            fail_msg("%s: said '%s', want '%s'", bad[i].url, err, bad[i].want);
    }
    /* Too long a URL is refused outright. */
    char longurl[NOTIFY_URL_MAX + 32];
    memset(longurl, 'a', sizeof longurl - 1);
    memcpy(longurl, "https://x.io/", 13);
    longurl[sizeof longurl - 1] = '\0';
    struct notify_url u;
    char err[NOTIFY_ERR_MAX];
    assert_int_equal(notify_url_parse(longurl, &u, err, sizeof err), -1);
}

/* http only with allow_private. */
static void http_wants_allow_private(void **state)
{
    (void)state;
    struct notify_url u;
    char err[NOTIFY_ERR_MAX] = "";
    assert_int_equal(notify_url_parse("http://example.com/", &u, err, sizeof err), 0);
    assert_int_equal(notify_url_allowed(&u, false, err, sizeof err), -1);
    assert_non_null(strstr(err, "refused: http:// without TLS"));
    assert_non_null(strstr(err, "[notify] allow_private"));
    assert_int_equal(notify_url_allowed(&u, true, err, sizeof err), 0);
    assert_int_equal(notify_url_parse("https://example.com/", &u, err, sizeof err), 0);
    assert_int_equal(notify_url_allowed(&u, false, err, sizeof err), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(classifies_every_edge),
        cmocka_unit_test(check_refuses_any_bad_address),
        cmocka_unit_test(lookup_checks_what_it_finds),
        cmocka_unit_test(url_host_and_port),
        cmocka_unit_test(url_refused),
        cmocka_unit_test(http_wants_allow_private),
    };
    return unit_run(tests);
}
