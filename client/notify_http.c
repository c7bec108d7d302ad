/* notify_http: lumen notify's transfers on one libcurl multi handle.
 * Contract in notify_http.h; the Retry-After parser and the email's JSON
 * are in notify_http_fmt.c. */
#include "client/notify_http.h"
#include "client/notify_time.h"
#include "client/jsonout.h"
#include "client/mem.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#ifndef LUMEN_VERSION
#define LUMEN_VERSION "0.0.0"
#endif

enum job_state { JOB_LOOKUP, JOB_TRANSFER };

struct job {
    struct job *next;
    struct notify_http *h;
    struct notify_msg msg;
    struct notify_url url;
    const char *url_text;           /* msg.url, or the engine's email_api */
    enum job_state state;
    struct notify_lookup *lookup;
    struct timespec lookup_deadline;
    /* The addresses checked: curl is pinned to them, and may open a
     * socket to nothing else. */
    struct sockaddr_storage addrs[NOTIFY_ADDRS_MAX];
    size_t naddrs;
    bool socket_refused;
    char refused_addr[64];
    CURL *easy;
    CURLU *cu;
    struct curl_slist *headers;
    struct curl_slist *resolve;
    char *email_json;
    char errbuf[CURL_ERROR_SIZE];
};

struct done {
    struct done *next;
    struct notify_outcome o;
};

struct notify_http {
    CURLM *multi;
    bool allow_private;
    int concurrency;
    char *email_api;
    char *email_key;                /* sodium_malloc'd, wiped at the end */
    char *email_from;
    struct notify_url email_url;
    int wake[2];                    /* the lookups' pipe */
    struct job *jobs;
    int njobs;
    struct done *done_head, *done_tail;
    int ndone;
};

/* ---- outcomes --------------------------------------------------------- */

static void host_for_log(const struct notify_url *u, char *out, size_t outlen)
{
    if (!u->host[0])
        snprintf(out, outlen, "%s", "");
    else if (u->host_is_v6)
        snprintf(out, outlen, "[%s]", u->host);
    else
        snprintf(out, outlen, "%s", u->host);
}

/* Ends JOB with an outcome (status, error: what notify.retry is told)
 * queued, and frees it. */
static void job_finish(struct notify_http *h, struct job *j, enum notify_result r, int status,
                       int retry_after_s, const char *error);

static struct done *done_new(const struct job *j)
{
    struct done *d = mem_alloc(sizeof *d);
    struct notify_outcome *o = &d->o;
    o->id = j->msg.id;
    snprintf(o->claim, sizeof o->claim, "%s", j->msg.claim);
    snprintf(o->message_id, sizeof o->message_id, "%s", j->msg.message_id);
    snprintf(o->kind, sizeof o->kind, "%s", j->msg.kind);
    o->channel = j->msg.channel;
    o->attempt = j->msg.attempt;
    host_for_log(&j->url, o->host, sizeof o->host);
    o->retry_after_s = -1;
    o->at = time(NULL);
    return d;
}

static void job_free(struct job *j)
{
    notify_lookup_free(&j->lookup);
    if (j->easy) {
        curl_multi_remove_handle(j->h->multi, j->easy);
        curl_easy_cleanup(j->easy);
    }
    curl_url_cleanup(j->cu);
    /* The Authorization line holds the email key: wiped before freeing. */
    for (struct curl_slist *s = j->headers; s; s = s->next)
        sodium_memzero(s->data, strlen(s->data));
    curl_slist_free_all(j->headers);
    curl_slist_free_all(j->resolve);
    free(j->email_json);
    notify_msg_free(&j->msg);
    free(j);
}

static void job_finish(struct notify_http *h, struct job *j, enum notify_result r, int status,
                       int retry_after_s, const char *error)
{
    struct done *d = done_new(j);
    d->o.result = r;
    d->o.status = status;
    d->o.retry_after_s = retry_after_s;
    /* The error goes to the database (which cuts and cleans it too) and
     * the log: printable ASCII only, whatever curl or a server said. */
    size_t k = 0;
    for (const char *p = error ? error : ""; *p && k + 1 < sizeof d->o.error; p++)
        d->o.error[k++] = (*p >= 0x20 && *p < 0x7f) ? *p : '?';
    d->o.error[k] = '\0';
    if (h->done_tail)
        h->done_tail->next = d;
    else
        h->done_head = d;
    h->done_tail = d;
    h->ndone++;

    for (struct job **pp = &h->jobs; *pp; pp = &(*pp)->next)
        if (*pp == j) {
            *pp = j->next;
            break;
        }
    h->njobs--;
    job_free(j);
}

bool notify_http_take(struct notify_http *h, struct notify_outcome *out)
{
    struct done *d = h->done_head;
    if (!d)
        return false;
    h->done_head = d->next;
    if (!h->done_head)
        h->done_tail = NULL;
    h->ndone--;
    *out = d->o;
    free(d);
    return true;
}

/* ---- the engine ------------------------------------------------------- */

int notify_http_email_api_check(const char *url, bool allow_private, char *err, size_t errlen)
{
    struct notify_url u;
    char why[NOTIFY_ERR_MAX];
    if (notify_url_parse(url, &u, why, sizeof why) != 0 ||
        notify_url_allowed(&u, allow_private, why, sizeof why) != 0) {
        snprintf(err, errlen, "[notify] email_api %s", why);
        return -1;
    }
    return 0;
}

/* The lookups' pipe: never inherited, and never blocking (a full pipe
 * already holds a wake-up). */
static int set_flags(int fd)
{
    int fl = fcntl(fd, F_GETFL);
    return fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) != 0 ||
           fcntl(fd, F_SETFD, FD_CLOEXEC) != 0 ? -1 : 0;
}

struct notify_http *notify_http_new(const struct notify_http_opts *o, char *err, size_t errlen)
{
    struct notify_http *h = mem_alloc(sizeof *h);
    h->allow_private = o->allow_private;
    h->concurrency = o->concurrency > 0 ? o->concurrency : 1;
    h->wake[0] = h->wake[1] = -1;
    if (o->email_api) {
        char why[NOTIFY_ERR_MAX];
        if (notify_url_parse(o->email_api, &h->email_url, why, sizeof why) != 0) {
            snprintf(err, errlen, "[notify] email_api %s", why);
            notify_http_free(&h);
            return NULL;
        }
        h->email_api = mem_strdup(o->email_api);
        h->email_from = mem_strdup(o->email_from ? o->email_from : "");
        size_t kn = o->email_key ? strlen(o->email_key) : 0;
        h->email_key = sodium_init() >= 0 ? sodium_malloc(kn + 1) : NULL;
        if (!h->email_key)
            mem_fatal("out of secure memory");
        memcpy(h->email_key, o->email_key ? o->email_key : "", kn + 1);
    }
    if (pipe(h->wake) != 0 || set_flags(h->wake[0]) != 0 || set_flags(h->wake[1]) != 0) {
        snprintf(err, errlen, "cannot make a pipe: %s", strerror(errno));
        notify_http_free(&h);
        return NULL;
    }
    h->multi = curl_multi_init();
    if (!h->multi) {
        snprintf(err, errlen, "cannot start libcurl");
        notify_http_free(&h);
        return NULL;
    }
    curl_multi_setopt(h->multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, (long)h->concurrency);
    return h;
}

void notify_http_free(struct notify_http **hp)
{
    struct notify_http *h = *hp;
    if (!h)
        return;
    *hp = NULL;
    while (h->jobs) {
        struct job *j = h->jobs;
        h->jobs = j->next;
        job_free(j);
    }
    struct notify_outcome o;
    while (notify_http_take(h, &o))
        ;
    if (h->multi)
        curl_multi_cleanup(h->multi);
    for (int i = 0; i < 2; i++)
        if (h->wake[i] >= 0)
            close(h->wake[i]);
    free(h->email_api);
    free(h->email_from);
    if (h->email_key)
        sodium_free(h->email_key);
    free(h);
}

int notify_http_busy(const struct notify_http *h)
{
    return h->njobs + h->ndone;
}

int notify_http_room(const struct notify_http *h)
{
    int room = h->concurrency - h->njobs;
    return room > 0 ? room : 0;
}

void notify_msg_free(struct notify_msg *m)
{
    free(m->url);
    free(m->recipient);
    free(m->subject);
    free(m->body);
    free(m->signature);
    m->url = m->recipient = m->subject = m->body = m->signature = NULL;
}

/* Header values come from the database: a value that could end the header
 * line (CR, LF) or is not what the contract says is refused, never sent. */
static bool header_value_ok(const char *s, const char *allowed)
{
    if (!s || !*s)
        return false;
    for (const char *p = s; *p; p++)
        if (!isalnum((unsigned char)*p) && !strchr(allowed, *p))
            return false;
    return true;
}

void notify_http_add(struct notify_http *h, struct notify_msg *m)
{
    struct job *j = mem_alloc(sizeof *j);
    j->h = h;
    j->msg = *m;
    memset(m, 0, sizeof *m);
    j->next = h->jobs;
    h->jobs = j;
    h->njobs++;

    char why[NOTIFY_ERR_MAX];
    if (j->msg.channel == NOTIFY_CH_EMAIL) {
        if (!h->email_api) {
            job_finish(h, j, NOTIFY_RETRY, 0, -1, "no email API is configured ([notify] email_api)");
            return;
        }
        j->url = h->email_url;
        j->url_text = h->email_api;
        j->email_json = notify_email_json(h->email_from, j->msg.recipient ? j->msg.recipient : "",
                                          j->msg.subject ? j->msg.subject : "",
                                          j->msg.body ? j->msg.body : "");
        if (!j->email_json) {
            job_finish(h, j, NOTIFY_RETRY, 0, -1, "the email is not valid UTF-8");
            return;
        }
    } else {
        j->url_text = j->msg.url ? j->msg.url : "";
        if (notify_url_parse(j->url_text, &j->url, why, sizeof why) != 0) {
            char e[NOTIFY_ERR_MAX + 32];
            snprintf(e, sizeof e, "refused: the URL %s", why);
            job_finish(h, j, NOTIFY_RETRY, 0, -1, e);
            return;
        }
        if (notify_url_allowed(&j->url, h->allow_private, why, sizeof why) != 0) {
            job_finish(h, j, NOTIFY_RETRY, 0, -1, why);
            return;
        }
        if (!header_value_ok(j->msg.message_id, "-") || !header_value_ok(j->msg.signature, ",+/= ") ||
            !j->msg.body) {
            job_finish(h, j, NOTIFY_RETRY, 0, -1, "the database's claim lacks the id, signature or body");
            return;
        }
    }
    j->state = JOB_LOOKUP;
    notify_deadline(&j->lookup_deadline, (NOTIFY_LOOKUP_TIMEOUT_S) * 1000L);
    j->lookup = notify_lookup_start(j->url.host, h->wake[1]);
}

/* The socket curl wants, if its address is one that was checked; the last
 * guard should a lookup of curl's own ever happen. */
static curl_socket_t open_socket(void *ud, curlsocktype purpose, struct curl_sockaddr *a)
{
    struct job *j = ud;
    (void)purpose;
    const struct sockaddr *sa = &a->addr;
    for (size_t i = 0; i < j->naddrs; i++) {
        const struct sockaddr *c = (const struct sockaddr *)(const void *)&j->addrs[i];
        if (c->sa_family != sa->sa_family)
            continue;
        bool same = sa->sa_family == AF_INET
            ? memcmp(&((const struct sockaddr_in *)(const void *)c)->sin_addr,
                     &((const struct sockaddr_in *)(const void *)sa)->sin_addr, 4) == 0
            : memcmp(&((const struct sockaddr_in6 *)(const void *)c)->sin6_addr,
                     &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, 16) == 0;
        if (same)
            return socket(a->family, a->socktype | SOCK_CLOEXEC, a->protocol);
    }
    j->socket_refused = true;
    notify_addr_text(sa, j->refused_addr, sizeof j->refused_addr);
    return CURL_SOCKET_BAD;
}

static size_t discard(char *p, size_t size, size_t n, void *ud)
{
    (void)p;
    (void)ud;
    return size * n;
}

/* "host:port:addr,addr" for CURLOPT_RESOLVE (IPv6 in brackets). */
static void resolve_line(const struct job *j, char *out, size_t outlen)
{
    int n = snprintf(out, outlen, "%s:%u:", j->url.host, j->url.port);
    for (size_t i = 0; i < j->naddrs && n > 0 && (size_t)n < outlen; i++) {
        char a[INET6_ADDRSTRLEN];
        const struct sockaddr *sa = (const struct sockaddr *)(const void *)&j->addrs[i];
        notify_addr_text(sa, a, sizeof a);
        n += snprintf(out + n, outlen - (size_t)n, sa->sa_family == AF_INET6 ? "%s[%s]" : "%s%s",
                      i ? "," : "", a);
    }
}

/* curl's own reading of the URL must give the host and port checked:
 * then it connects where the check looked. */
static int same_reading(struct job *j, char *err, size_t errlen)
{
    char *host = NULL, *port = NULL;
    j->cu = curl_url();
    int rc = -1;
    if (j->cu && curl_url_set(j->cu, CURLUPART_URL, j->url_text, 0) == CURLUE_OK &&
        curl_url_get(j->cu, CURLUPART_HOST, &host, 0) == CURLUE_OK &&
        curl_url_get(j->cu, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) == CURLUE_OK) {
        char want[NOTIFY_HOST_MAX + 3];
        host_for_log(&j->url, want, sizeof want);
        rc = strcasecmp(host, want) == 0 && (unsigned)atoi(port) == j->url.port ? 0 : -1;
    }
    if (rc != 0)
        snprintf(err, errlen, "refused: curl reads the URL's host or port differently");
    curl_free(host);
    curl_free(port);
    return rc;
}

static struct curl_slist *header(struct curl_slist *list, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static struct curl_slist *header(struct curl_slist *list, const char *fmt, ...)
{
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    struct curl_slist *l = curl_slist_append(list, line);
    sodium_memzero(line, sizeof line);
    if (!l)
        mem_fatal("out of memory");
    return l;
}

/* The request, once the addresses are checked: 0, or -1 with ERR. */
static int start_transfer(struct notify_http *h, struct job *j, char *err, size_t errlen)
{
    if (same_reading(j, err, errlen) != 0)
        return -1;
    CURL *e = j->easy = curl_easy_init();
    if (!e) {
        snprintf(err, errlen, "cannot start a transfer (libcurl)");
        return -1;
    }
    if (!j->url.host_is_ip) {
        char line[NOTIFY_HOST_MAX + 16 + NOTIFY_ADDRS_MAX * (INET6_ADDRSTRLEN + 3)];
        resolve_line(j, line, sizeof line);
        j->resolve = curl_slist_append(NULL, line);
    }
    struct curl_slist *hd = NULL;
    if (j->msg.channel == NOTIFY_CH_WEBHOOK) {
        hd = header(hd, "webhook-id: %s", j->msg.message_id);
        hd = header(hd, "webhook-timestamp: %lld", j->msg.timestamp);
        hd = header(hd, "webhook-signature: %s", j->msg.signature);
    } else {
        hd = header(hd, "Authorization: Bearer %s", h->email_key);
        hd = header(hd, "Idempotency-Key: %s", j->msg.message_id);
    }
    hd = header(hd, "Content-Type: application/json");
    /* curl would wait a second for "100 Continue" on a large body. */
    hd = header(hd, "Expect:");
    j->headers = hd;
    const char *body = j->msg.channel == NOTIFY_CH_WEBHOOK ? j->msg.body : j->email_json;

    curl_easy_setopt(e, CURLOPT_PRIVATE, j);
    curl_easy_setopt(e, CURLOPT_CURLU, j->cu);
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(e, CURLOPT_TIMEOUT, (long)NOTIFY_HTTP_TIMEOUT_S);
    /* Threads do the lookups: curl must not use signals for its timeouts. */
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    /* A proxy from http_proxy/https_proxy would connect for us, to
     * addresses no check saw; lumen notify talks to the receiver itself. */
    curl_easy_setopt(e, CURLOPT_PROXY, "");
    curl_easy_setopt(e, CURLOPT_NOPROXY, "*");
    curl_easy_setopt(e, CURLOPT_RESOLVE, j->resolve);
    curl_easy_setopt(e, CURLOPT_OPENSOCKETFUNCTION, open_socket);
    curl_easy_setopt(e, CURLOPT_OPENSOCKETDATA, j);
    curl_easy_setopt(e, CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 2L);
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, j->headers);
    curl_easy_setopt(e, CURLOPT_USERAGENT, "lumen-notify/" LUMEN_VERSION);
    curl_easy_setopt(e, CURLOPT_POST, 1L);
    curl_easy_setopt(e, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)strlen(body));
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, discard);
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, j->errbuf);
    if (curl_multi_add_handle(h->multi, e) != CURLM_OK) {
        snprintf(err, errlen, "cannot start a transfer (libcurl)");
        return -1;
    }
    j->state = JOB_TRANSFER;
    return 0;
}

/* Lookups that ended, or ran out of time. */
static void advance_lookups(struct notify_http *h)
{
    char buf[64];
    while (read(h->wake[0], buf, sizeof buf) > 0)
        ;
    struct job *next;
    for (struct job *j = h->jobs; j; j = next) {
        next = j->next;
        if (j->state != JOB_LOOKUP)
            continue;
        char err[NOTIFY_ERR_MAX];
        if (!notify_lookup_done(j->lookup)) {
            if (notify_ms_until(&j->lookup_deadline) == 0) {
                snprintf(err, sizeof err, "could not resolve the host: no answer in %d s",
                         NOTIFY_LOOKUP_TIMEOUT_S);
                job_finish(h, j, NOTIFY_RETRY, 0, -1, err);
            }
            continue;
        }
        /* The email API is the operator's: its address is not checked,
         * only pinned. */
        bool any = h->allow_private || j->msg.channel == NOTIFY_CH_EMAIL;
        if (notify_lookup_result(j->lookup, any, j->addrs, &j->naddrs, err, sizeof err) != 0 ||
            start_transfer(h, j, err, sizeof err) != 0) {
            job_finish(h, j, NOTIFY_RETRY, 0, -1, err);
            continue;
        }
        notify_lookup_free(&j->lookup);
    }
}

/* A Retry-After on a 429 or 503, in seconds; -1 when none or unreadable. */
static int retry_after(CURL *e, int status)
{
    struct curl_header *hd;
    long s;
    if ((status != 429 && status != 503) ||
        curl_easy_header(e, "Retry-After", 0, CURLH_HEADER, -1, &hd) != CURLHE_OK ||
        notify_retry_after_parse(hd->value, time(NULL), &s) != 0)
        return -1;
    return s > 86400 ? 86400 : (int)s;
}

static void finish_transfer(struct notify_http *h, struct job *j, CURLcode rc)
{
    char err[NOTIFY_ERR_MAX];
    long status = 0;
    if (rc != CURLE_OK) {
        if (j->socket_refused)
            snprintf(err, sizeof err, "refused: curl went to connect to %s, which was not "
                     "checked", j->refused_addr);
        else
            snprintf(err, sizeof err, "%s", j->errbuf[0] ? j->errbuf : curl_easy_strerror(rc));
        job_finish(h, j, NOTIFY_RETRY, 0, -1, err);
        return;
    }
    curl_easy_getinfo(j->easy, CURLINFO_RESPONSE_CODE, &status);
    enum notify_result r = notify_http_classify(j->msg.channel, (int)status);
    int ra = r == NOTIFY_RETRY ? retry_after(j->easy, (int)status) : -1;
    if (r == NOTIFY_DELIVERED)
        err[0] = '\0';
    else if (ra >= 0)
        snprintf(err, sizeof err, "HTTP %ld (Retry-After %d s)", status, ra);
    else if (r == NOTIFY_GONE)
        snprintf(err, sizeof err, "HTTP 410 Gone");
    else
        snprintf(err, sizeof err, "HTTP %ld", status);
    job_finish(h, j, r, (int)status, ra, err);
}

int notify_http_poll(struct notify_http *h, struct pollfd *extra, unsigned nextra, int timeout_ms)
{
    struct curl_waitfd w[9];
    unsigned n = 0;
    if (nextra > 8)
        nextra = 8;
    for (unsigned i = 0; i < nextra; i++, n++) {
        w[n].fd = extra[i].fd;
        w[n].events = (short)(((extra[i].events & POLLIN) ? CURL_WAIT_POLLIN : 0) |
                              ((extra[i].events & POLLOUT) ? CURL_WAIT_POLLOUT : 0));
        w[n].revents = 0;
    }
    w[n].fd = h->wake[0];
    w[n].events = CURL_WAIT_POLLIN;
    w[n].revents = 0;
    n++;
    /* A lookup's deadline is ours to keep: curl knows only its transfers. */
    for (const struct job *j = h->jobs; j; j = j->next)
        if (j->state == JOB_LOOKUP) {
            long ms = notify_ms_until(&j->lookup_deadline);
            if (ms < timeout_ms)
                timeout_ms = (int)ms;
        }
    if (timeout_ms < 0)
        timeout_ms = 0;
    if (curl_multi_poll(h->multi, w, n, timeout_ms, NULL) != CURLM_OK)
        return -1;
    for (unsigned i = 0; i < nextra; i++)
        extra[i].revents = (short)(((w[i].revents & CURL_WAIT_POLLIN) ? POLLIN : 0) |
                                   ((w[i].revents & CURL_WAIT_POLLOUT) ? POLLOUT : 0));
    advance_lookups(h);
    int running;
    if (curl_multi_perform(h->multi, &running) != CURLM_OK)
        return -1;
    CURLMsg *msg;
    int left;
    while ((msg = curl_multi_info_read(h->multi, &left))) {
        if (msg->msg != CURLMSG_DONE)
            continue;
        char *priv = NULL;
        curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &priv);
        struct job *j = (struct job *)(void *)priv;
        if (j)
            finish_transfer(h, j, msg->data.result);
    }
    return 0;
}
