/* The notifications screen's pure pieces (screens/notifyset.h): the
 * checks a prompt makes before a call the server would refuse, a
 * webhook's state in words, and the split of the body between the
 * sections.  The server checks again; these only let the prompt say what
 * is wrong while the text is still there to fix. */
#include "screens/notifyset.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

/* The length of the scheme, or 0 when it is neither http:// nor https://. */
static size_t scheme_len(const char *url, bool https_only)
{
    if (strncasecmp(url, "https://", 8) == 0)
        return 8;
    if (!https_only && strncasecmp(url, "http://", 7) == 0)
        return 7;
    return 0;
}

static bool has_blank_or_control(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p <= 0x20 || *p == 0x7f)
            return true;
    return false;
}

/* A host after the scheme: something before the first '/', '?' or '#'
 * other than a bare port or user part. */
static bool has_host(const char *rest)
{
    size_t n = strcspn(rest, "/?#");
    const char *at = memchr(rest, '@', n);
    if (at) {
        n -= (size_t)(at + 1 - rest);
        rest = at + 1;
    }
    return n > 0 && rest[0] != ':';
}

static const char *url_check(const char *url, bool https_only, size_t max)
{
    size_t s = scheme_len(url, https_only);
    if (!s)
        return https_only ? "The link starts with https://."
                          : "A webhook URL starts with https:// (or http://).";
    if (has_blank_or_control(url))
        return "No spaces or control characters in a URL.";
    if (strlen(url) > max)
        return max == NOTIFY_URL_MAX ? "At most 2048 characters." : "At most 500 characters.";
    if (!has_host(url + s))
        return "The URL names no host after the //.";
    return NULL;
}

const char *notify_url_problem(const char *url)
{
    return url_check(url ? url : "", false, NOTIFY_URL_MAX);
}

const char *notify_link_problem(const char *link)
{
    if (!link || !link[0])
        return NULL;
    return url_check(link, true, NOTIFY_LINK_MAX);
}

bool notify_email_ok(const char *email)
{
    const char *at = email ? strchr(email, '@') : NULL;
    return at && at != email && at[1] && !strchr(at + 1, '@') && !has_blank_or_control(email) &&
           strlen(email) <= NOTIFY_EMAIL_MAX;
}

void notify_webhook_state(const char *disabled_at, const char *reason, int secrets, char *buf,
                          size_t size)
{
    if (disabled_at && disabled_at[0])
        snprintf(buf, size, "disabled%s%s", reason && reason[0] ? ": " : "",
                 reason ? reason : "");
    else if (secrets > 1)
        snprintf(buf, size, "active, %d secrets", secrets);
    else
        snprintf(buf, size, "active");
}

void notify_split(int avail, const int *want, int n, int *out)
{
    int left = avail;
    for (int i = 0; i < n; i++)
        out[i] = 0;
    if (avail < n)
        return;
    for (int i = 0; i < n; i++) {
        out[i] = 1;
        left--;
    }
    bool more = true;
    while (left > 0 && more) {
        more = false;
        for (int i = 0; i < n && left > 0; i++)
            if (out[i] < want[i]) {
                out[i]++;
                left--;
                more = true;
            }
    }
}
