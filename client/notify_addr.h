/* notify_addr: where a webhook may be delivered (lumen notify, issue 11).
 *
 * A webhook URL is typed by a practice's Owner, and lumen notify runs
 * inside someone's network: without a check, an Owner could aim it at
 * http://169.254.169.254/ (a cloud's metadata service), at the database's
 * own host, or at a printer on the LAN, and read the answers' effects in
 * the failure list.  So a URL is parsed strictly (notify_url_parse), its
 * host resolved (notify_lookup_*, getaddrinfo in a thread so that a slow
 * name server holds up no other delivery), and every address it resolves
 * to must be public (notify_addr_check); the transfer is then pinned to
 * exactly those addresses (CURLOPT_RESOLVE in notify_http.c), so a second
 * lookup by curl, answered differently (DNS rebinding), cannot move it.
 * [notify] allow_private = yes turns the address check (and the https
 * rule) off, for tests and for a receiver on the practice's own network.
 *
 * The parser is stricter than curl's, on purpose: anything two parsers
 * could read differently (a user name before '@', a backslash, a host
 * written as a number such as 2130706433 or 0x7f.1, a trailing dot,
 * percent-escapes or bytes outside printable ASCII) is refused, so the
 * host that is checked is the host that curl connects to.
 *
 * Nothing here keeps state but a lookup, which its caller owns.          */
#ifndef LUMEN_CLIENT_NOTIFY_ADDR_H
#define LUMEN_CLIENT_NOTIFY_ADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

#define NOTIFY_URL_MAX 2048
#define NOTIFY_HOST_MAX 254
/* The addresses one lookup keeps, checked and pinned (more are checked,
 * then dropped). */
#define NOTIFY_ADDRS_MAX 16
/* Room for an error line. */
#define NOTIFY_ERR_MAX 320

struct notify_url {
    bool https;
    bool host_is_ip;                /* a dotted quad or a bracketed IPv6 literal */
    bool host_is_v6;
    char host[NOTIFY_HOST_MAX + 1]; /* lowercased; an IPv6 literal without brackets */
    unsigned port;                  /* the URL's, or 80/443 */
};

/* Parses URL (http:// or https://, case aside).  0, or -1 with a short
 * reason in ERR that reads after "the URL" ("has a user name or password
 * before '@'; ...", "does not start with https://", ...).  Whether http is
 * allowed is notify_url_allowed's question, not this one's. */
int notify_url_parse(const char *url, struct notify_url *u, char *err, size_t errlen);

/* The scheme rule: https always; http only with allow_private.  0, or -1
 * with the refusal in ERR. */
int notify_url_allowed(const struct notify_url *u, bool allow_private, char *err, size_t errlen);

enum notify_addr_kind {
    NOTIFY_ADDR_PUBLIC,
    NOTIFY_ADDR_LOOPBACK,       /* 127/8, ::1 */
    NOTIFY_ADDR_PRIVATE,        /* 10/8, 172.16/12, 192.168/16, fc00::/7, fec0::/10 */
    NOTIFY_ADDR_SHARED,         /* 100.64/10, carrier-grade NAT */
    NOTIFY_ADDR_LINK_LOCAL,     /* 169.254/16 (cloud metadata), fe80::/10 */
    NOTIFY_ADDR_UNSPECIFIED,    /* 0.0.0.0/8 ("this network"), :: */
    NOTIFY_ADDR_MULTICAST,      /* 224/4, ff00::/8 */
    NOTIFY_ADDR_RESERVED,       /* 240/4 and 255.255.255.255 */
};

/* What an IPv4 address (4 bytes, network order) is. */
enum notify_addr_kind notify_addr_kind_v4(const unsigned char a[4]);
/* What an IPv6 address (16 bytes) is.  The forms that carry an IPv4
 * address (mapped ::ffff:a.b.c.d, translated ::ffff:0:a.b.c.d, the old
 * compatible ::a.b.c.d, NAT64 64:ff9b::/96, 6to4 2002::/16) are what that
 * IPv4 address is; 64:ff9b:1::/48 (local NAT64) is private. */
enum notify_addr_kind notify_addr_kind_v6(const unsigned char a[16]);
/* The same from a socket address (AF_INET or AF_INET6; any other family
 * is RESERVED). */
enum notify_addr_kind notify_addr_kind_of(const struct sockaddr *sa);
/* "a loopback address", "a private address", ... */
const char *notify_addr_kind_name(enum notify_addr_kind k);

/* ADDR as text: "127.0.0.1", "::ffff:10.0.0.1" (no brackets, no port). */
void notify_addr_text(const struct sockaddr *sa, char *out, size_t outlen);

/* Every one of the N addresses must be public, unless ALLOW_PRIVATE.
 * 0, or -1 with "refused: resolves to 127.0.0.1, a loopback address
 * ([notify] allow_private)" in ERR (the first address refused). */
int notify_addr_check(const struct sockaddr_storage *addrs, size_t n, bool allow_private,
                      char *err, size_t errlen);

/* A lookup of HOST in a thread of its own.  When it ends (found or not)
 * one byte is written to WAKE_FD, which the caller's poll watches.  The
 * caller may give up on a lookup at any time (notify_lookup_free): the
 * thread then frees what is left when getaddrinfo returns. */
struct notify_lookup;
struct notify_lookup *notify_lookup_start(const char *host, int wake_fd);
bool notify_lookup_done(const struct notify_lookup *l);
/* After done: 0 with the addresses (up to NOTIFY_ADDRS_MAX, in the order
 * getaddrinfo gave them; *N set), after checking every address it gave
 * with notify_addr_check; or -1 with the reason in ERR (a name that does
 * not resolve, or an address refused). */
int notify_lookup_result(const struct notify_lookup *l, bool allow_private,
                         struct sockaddr_storage *addrs, size_t *n, char *err, size_t errlen);
void notify_lookup_free(struct notify_lookup **l);

#endif
