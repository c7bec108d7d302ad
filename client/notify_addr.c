/* notify_addr: the URL, the address check and the lookup of lumen notify.
 * Contract in notify_addr.h. */
#include "client/notify_addr.h"
#include "client/mem.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

/* ---- the URL ---------------------------------------------------------- */

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* A host name's characters (RFC 1123 letters, digits, '-', with '_' as
 * some real names have it) and its labels: none empty, none over 63. */
static int check_name(const char *h, char *err, size_t errlen)
{
    size_t label = 0;
    for (const char *p = h; ; p++) {
        if (*p == '.' || *p == '\0') {
            if (label == 0) {
                snprintf(err, errlen, "has an empty part in its host '%s'%s", h,
                         *p == '\0' && p > h ? " (a dot at its end)" : "");
                return -1;
            }
            if (label > 63) {
                snprintf(err, errlen, "has a part longer than 63 characters in its host");
                return -1;
            }
            label = 0;
            if (*p == '\0')
                return 0;
            continue;
        }
        char c = *p;
        if (!((c >= 'a' && c <= 'z') || is_digit(c) || c == '-' || c == '_')) {
            snprintf(err, errlen, "has a character a host name cannot have ('%c') in its "
                     "host '%s'", c, h);
            return -1;
        }
        label++;
    }
}

/* The last label of a name read as a number (all digits, or 0x and hex):
 * then the WHATWG URL standard, and curl, read the whole host as an IPv4
 * address in some form (2130706433, 0x7f.1, 127.1, 0177.0.0.1).  Only the
 * plain dotted quad is taken; the others are refused rather than guessed. */
static bool ends_in_number(const char *h)
{
    const char *last = strrchr(h, '.');
    last = last ? last + 1 : h;
    if (last[0] == '0' && last[1] == 'x') {
        for (const char *p = last + 2; *p; p++)
            if (!strchr("0123456789abcdef", *p))
                return false;
        return true;
    }
    for (const char *p = last; *p; p++)
        if (!is_digit(*p))
            return false;
    return *last != '\0';
}

/* The port after ':': 1 to 65535, digits only. */
static int parse_port(const char *p, size_t n, unsigned *port, char *err, size_t errlen)
{
    unsigned long v = 0;
    if (n == 0 || n > 5) {
        snprintf(err, errlen, "has %s", n ? "a port that is too long" : "an empty port after ':'");
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        if (!is_digit(p[i])) {
            snprintf(err, errlen, "has a port that is not a number");
            return -1;
        }
        v = v * 10 + (unsigned long)(p[i] - '0');
    }
    if (v < 1 || v > 65535) {
        snprintf(err, errlen, "has the port %lu, not from 1 to 65535", v);
        return -1;
    }
    *port = (unsigned)v;
    return 0;
}

/* The host in [...]: an IPv6 address (no zone: fe80::1%eth0 is local by
 * definition, and its spelling differs between parsers). */
static int parse_v6_host(const char *a, size_t n, struct notify_url *u, const char **rest,
                         char *err, size_t errlen)
{
    const char *close = memchr(a, ']', n);
    if (!close) {
        snprintf(err, errlen, "has no closing ']' after its IPv6 address");
        return -1;
    }
    size_t hn = (size_t)(close - a - 1);
    if (hn == 0 || hn >= sizeof u->host) {
        snprintf(err, errlen, "has %s IPv6 address between [ and ]", hn ? "too long an" : "an empty");
        return -1;
    }
    memcpy(u->host, a + 1, hn);
    u->host[hn] = '\0';
    for (char *p = u->host; *p; p++)
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p - 'A' + 'a');
    unsigned char bin[16];
    if (inet_pton(AF_INET6, u->host, bin) != 1) {
        snprintf(err, errlen, "has '[%s]', which is not an IPv6 address", u->host);
        return -1;
    }
    u->host_is_ip = u->host_is_v6 = true;
    *rest = close + 1;
    return 0;
}

static int parse_name_host(const char *a, size_t n, struct notify_url *u, const char **rest,
                           char *err, size_t errlen)
{
    const char *colon = memchr(a, ':', n);
    size_t hn = colon ? (size_t)(colon - a) : n;
    if (hn == 0) {
        snprintf(err, errlen, "has no host");
        return -1;
    }
    if (hn >= sizeof u->host) {
        snprintf(err, errlen, "has a host longer than %d characters", NOTIFY_HOST_MAX - 1);
        return -1;
    }
    for (size_t i = 0; i < hn; i++) {
        char c = a[i];
        u->host[i] = c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
    }
    u->host[hn] = '\0';
    if (check_name(u->host, err, errlen) != 0)
        return -1;
    if (ends_in_number(u->host)) {
        unsigned char bin[4];
        if (inet_pton(AF_INET, u->host, bin) != 1) {
            snprintf(err, errlen, "has a host ('%s') that is neither a name nor an IPv4 address "
                     "written as four numbers (1.2.3.4)", u->host);
            return -1;
        }
        u->host_is_ip = true;
    }
    *rest = a + hn;
    return 0;
}

int notify_url_parse(const char *url, struct notify_url *u, char *err, size_t errlen)
{
    memset(u, 0, sizeof *u);
    size_t len = strlen(url);
    if (len > NOTIFY_URL_MAX) {
        snprintf(err, errlen, "is longer than %d characters", NOTIFY_URL_MAX);
        return -1;
    }
    /* Spaces, controls and raw non-ASCII are written differently by each
     * parser (and an internationalised name has its xn-- form). */
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)url[i] <= 0x20 || (unsigned char)url[i] >= 0x7f) {
            snprintf(err, errlen, "has a space, a control character or a non-ASCII byte "
                     "(write a name in its xn-- form, escape the rest with %%)");
            return -1;
        }
    const char *p;
    if (strncasecmp(url, "https://", 8) == 0) {
        u->https = true;
        p = url + 8;
    } else if (strncasecmp(url, "http://", 7) == 0) {
        p = url + 7;
    } else {
        snprintf(err, errlen, "does not start with https:// (or http://)");
        return -1;
    }
    size_t an = strcspn(p, "/?#");
    /* A backslash is a slash to browsers and to the WHATWG parser, not to
     * curl: the two would see different hosts. */
    if (memchr(p, '\\', an)) {
        snprintf(err, errlen, "has a backslash before its path");
        return -1;
    }
    if (memchr(p, '@', an)) {
        snprintf(err, errlen, "has a user name or password before '@'; a webhook URL may not "
                 "carry credentials (put a token in its path or query)");
        return -1;
    }
    if (memchr(p, '%', an)) {
        snprintf(err, errlen, "has a %%-escape in its host");
        return -1;
    }
    const char *rest;
    int rc = p[0] == '[' ? parse_v6_host(p, an, u, &rest, err, errlen)
                         : parse_name_host(p, an, u, &rest, err, errlen);
    if (rc != 0)
        return -1;
    size_t left = (size_t)(p + an - rest);
    u->port = u->https ? 443 : 80;
    if (left > 0) {
        if (*rest != ':') {
            snprintf(err, errlen, "has something after its host that is not ':PORT'");
            return -1;
        }
        if (parse_port(rest + 1, left - 1, &u->port, err, errlen) != 0)
            return -1;
    }
    return 0;
}

int notify_url_allowed(const struct notify_url *u, bool allow_private, char *err, size_t errlen)
{
    if (u->https || allow_private)
        return 0;
    snprintf(err, errlen, "refused: http:// without TLS; use https:// ([notify] allow_private)");
    return -1;
}

/* ---- addresses -------------------------------------------------------- */

enum notify_addr_kind notify_addr_kind_v4(const unsigned char a[4])
{
    if (a[0] == 0)
        return NOTIFY_ADDR_UNSPECIFIED;
    if (a[0] == 127)
        return NOTIFY_ADDR_LOOPBACK;
    if (a[0] == 10 || (a[0] == 172 && (a[1] & 0xf0) == 16) || (a[0] == 192 && a[1] == 168))
        return NOTIFY_ADDR_PRIVATE;
    if (a[0] == 100 && (a[1] & 0xc0) == 64)
        return NOTIFY_ADDR_SHARED;
    if (a[0] == 169 && a[1] == 254)
        return NOTIFY_ADDR_LINK_LOCAL;
    if ((a[0] & 0xf0) == 224)
        return NOTIFY_ADDR_MULTICAST;
    if ((a[0] & 0xf0) == 240)
        return NOTIFY_ADDR_RESERVED;    /* 255.255.255.255 among them */
    return NOTIFY_ADDR_PUBLIC;
}

static bool zeros(const unsigned char *a, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (a[i])
            return false;
    return true;
}

enum notify_addr_kind notify_addr_kind_v6(const unsigned char a[16])
{
    if (zeros(a, 16))
        return NOTIFY_ADDR_UNSPECIFIED;
    if (zeros(a, 15) && a[15] == 1)
        return NOTIFY_ADDR_LOOPBACK;
    /* The forms that carry an IPv4 address in their last four bytes: a
     * packet to them ends at that IPv4 address (on this host, through a
     * translator, or through a relay). */
    if (zeros(a, 10) && a[10] == 0xff && a[11] == 0xff)          /* ::ffff:a.b.c.d */
        return notify_addr_kind_v4(a + 12);
    if (zeros(a, 8) && a[8] == 0xff && a[9] == 0xff && !a[10] && !a[11])  /* ::ffff:0:a.b.c.d */
        return notify_addr_kind_v4(a + 12);
    if (zeros(a, 12))                                             /* ::a.b.c.d */
        return notify_addr_kind_v4(a + 12);
    static const unsigned char nat64[12] = { 0x00, 0x64, 0xff, 0x9b };
    if (memcmp(a, nat64, 12) == 0)                                /* 64:ff9b::/96 */
        return notify_addr_kind_v4(a + 12);
    if (a[0] == 0x00 && a[1] == 0x64 && a[2] == 0xff && a[3] == 0x9b && a[4] == 0x00 && a[5] == 0x01)
        return NOTIFY_ADDR_PRIVATE;                               /* 64:ff9b:1::/48 */
    if (a[0] == 0x20 && a[1] == 0x02)                             /* 6to4 2002:AABB:CCDD:: */
        return notify_addr_kind_v4(a + 2);
    if (a[0] == 0xff)
        return NOTIFY_ADDR_MULTICAST;
    if (a[0] == 0xfe && (a[1] & 0xc0) == 0x80)
        return NOTIFY_ADDR_LINK_LOCAL;                            /* fe80::/10 */
    if (a[0] == 0xfe && (a[1] & 0xc0) == 0xc0)
        return NOTIFY_ADDR_PRIVATE;                               /* fec0::/10, site-local */
    if ((a[0] & 0xfe) == 0xfc)
        return NOTIFY_ADDR_PRIVATE;                               /* fc00::/7, unique local */
    return NOTIFY_ADDR_PUBLIC;
}

enum notify_addr_kind notify_addr_kind_of(const struct sockaddr *sa)
{
    if (sa->sa_family == AF_INET) {
        const struct sockaddr_in *s4 = (const struct sockaddr_in *)(const void *)sa;
        return notify_addr_kind_v4((const unsigned char *)&s4->sin_addr);
    }
    if (sa->sa_family == AF_INET6) {
        const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)(const void *)sa;
        return notify_addr_kind_v6(s6->sin6_addr.s6_addr);
    }
    return NOTIFY_ADDR_RESERVED;
}

const char *notify_addr_kind_name(enum notify_addr_kind k)
{
    switch (k) {
    case NOTIFY_ADDR_PUBLIC:      return "a public address";
    case NOTIFY_ADDR_LOOPBACK:    return "a loopback address";
    case NOTIFY_ADDR_PRIVATE:     return "a private address";
    case NOTIFY_ADDR_SHARED:      return "a shared (carrier-grade NAT) address";
    case NOTIFY_ADDR_LINK_LOCAL:  return "a link-local address";
    case NOTIFY_ADDR_UNSPECIFIED: return "an unspecified address";
    case NOTIFY_ADDR_MULTICAST:   return "a multicast address";
    case NOTIFY_ADDR_RESERVED:    return "a reserved address";
    }
    return "an unknown address";
}

void notify_addr_text(const struct sockaddr *sa, char *out, size_t outlen)
{
    const void *src = NULL;
    if (sa->sa_family == AF_INET)
        src = &((const struct sockaddr_in *)(const void *)sa)->sin_addr;
    else if (sa->sa_family == AF_INET6)
        src = &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr;
    if (!src || !inet_ntop(sa->sa_family, src, out, (socklen_t)outlen))
        snprintf(out, outlen, "?");
}

/* One address against the rule: 0, or -1 with the refusal. */
static int check_one(const struct sockaddr *sa, bool allow_private, char *err, size_t errlen)
{
    enum notify_addr_kind k = notify_addr_kind_of(sa);
    if (k == NOTIFY_ADDR_PUBLIC || allow_private)
        return 0;
    char text[INET6_ADDRSTRLEN];
    notify_addr_text(sa, text, sizeof text);
    snprintf(err, errlen, "refused: resolves to %s, %s ([notify] allow_private)", text,
             notify_addr_kind_name(k));
    return -1;
}

int notify_addr_check(const struct sockaddr_storage *addrs, size_t n, bool allow_private,
                      char *err, size_t errlen)
{
    for (size_t i = 0; i < n; i++)
        if (check_one((const struct sockaddr *)(const void *)&addrs[i], allow_private,
                      err, errlen) != 0)
            return -1;
    return 0;
}

/* ---- the lookup ------------------------------------------------------- */

/* Shared by the caller and the thread; the last of the two to let go
 * frees it (refs under mu). */
struct notify_lookup {
    pthread_mutex_t mu;
    int refs;
    bool done;
    int wake_fd;                /* -1 once the caller gave up */
    int gai_rc;
    struct addrinfo *res;
    char host[NOTIFY_HOST_MAX + 1];
};

static void lookup_unref(struct notify_lookup *l)
{
    pthread_mutex_lock(&l->mu);
    int left = --l->refs;
    pthread_mutex_unlock(&l->mu);
    if (left > 0)
        return;
    if (l->res)
        freeaddrinfo(l->res);
    pthread_mutex_destroy(&l->mu);
    free(l);
}

static void *lookup_thread(void *arg)
{
    struct notify_lookup *l = arg;
    struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM };
    struct addrinfo *res = NULL;
    int rc = getaddrinfo(l->host, NULL, &hints, &res);
    pthread_mutex_lock(&l->mu);
    l->gai_rc = rc;
    l->res = rc == 0 ? res : NULL;
    l->done = true;
    if (l->wake_fd >= 0) {
        /* A full pipe already holds a wake-up: nothing is lost. */
        ssize_t w = write(l->wake_fd, "", 1);
        (void)w;
    }
    pthread_mutex_unlock(&l->mu);
    lookup_unref(l);
    return NULL;
}

struct notify_lookup *notify_lookup_start(const char *host, int wake_fd)
{
    struct notify_lookup *l = mem_alloc(sizeof *l);
    pthread_mutex_init(&l->mu, NULL);
    snprintf(l->host, sizeof l->host, "%s", host);
    l->wake_fd = wake_fd;
    l->refs = 2;
    pthread_attr_t attr;
    pthread_t t;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    if (pthread_create(&t, &attr, lookup_thread, l) != 0) {
        l->refs = 1;
        l->done = true;
        l->gai_rc = EAI_SYSTEM;
    }
    pthread_attr_destroy(&attr);
    return l;
}

bool notify_lookup_done(const struct notify_lookup *l)
{
    struct notify_lookup *m = (struct notify_lookup *)l;
    pthread_mutex_lock(&m->mu);
    bool done = m->done;
    pthread_mutex_unlock(&m->mu);
    return done;
}

int notify_lookup_result(const struct notify_lookup *l, bool allow_private,
                         struct sockaddr_storage *addrs, size_t *n, char *err, size_t errlen)
{
    *n = 0;
    if (!notify_lookup_done(l)) {
        snprintf(err, errlen, "the lookup of the host did not end");
        return -1;
    }
    if (l->gai_rc != 0) {
        snprintf(err, errlen, "could not resolve the host: %s",
                 l->gai_rc == EAI_SYSTEM ? "system error" : gai_strerror(l->gai_rc));
        return -1;
    }
    for (const struct addrinfo *ai = l->res; ai; ai = ai->ai_next) {
        if (ai->ai_family != AF_INET && ai->ai_family != AF_INET6)
            continue;
        /* Every address is checked, also those past the ones kept. */
        if (check_one(ai->ai_addr, allow_private, err, errlen) != 0) {
            *n = 0;
            return -1;
        }
        if (*n < NOTIFY_ADDRS_MAX && ai->ai_addrlen <= sizeof addrs[0]) {
            bool dup = false;
            for (size_t i = 0; i < *n && !dup; i++)
                dup = memcmp(&addrs[i], ai->ai_addr, ai->ai_addrlen) == 0;
            if (!dup) {
                memset(&addrs[*n], 0, sizeof addrs[0]);
                memcpy(&addrs[(*n)++], ai->ai_addr, ai->ai_addrlen);
            }
        }
    }
    if (*n == 0) {
        snprintf(err, errlen, "could not resolve the host: no IPv4 or IPv6 address");
        return -1;
    }
    return 0;
}

void notify_lookup_free(struct notify_lookup **lp)
{
    struct notify_lookup *l = *lp;
    if (!l)
        return;
    *lp = NULL;
    pthread_mutex_lock(&l->mu);
    l->wake_fd = -1;
    pthread_mutex_unlock(&l->mu);
    lookup_unref(l);
}
