/* notify_http.c end to end, without a database: a small HTTP server in a
 * child process answers a script of responses on 127.0.0.1 and writes
 * each request it got to a file; the engine delivers to it.  Checks the
 * headers a webhook and an email carry, each outcome (2xx, 410, 429 with
 * Retry-After, a redirect not followed, a refusal before any request),
 * and that the body is the database's byte for byte. */
#include "tests/unit/unit.h"
#include "client/notify_http.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct server {
    pid_t pid;
    int port;
    char dir[64];
};

/* Reads one request (headers, then Content-Length bytes) into BUF. */
static size_t read_request(int c, char *buf, size_t cap)
{
    size_t n = 0;
    for (;;) {
        ssize_t r = read(c, buf + n, cap - 1 - n);
        if (r <= 0)
            break;
        n += (size_t)r;
        buf[n] = '\0';
        char *end = strstr(buf, "\r\n\r\n");
        if (!end)
            continue;
        const char *cl = strstr(buf, "\r\nContent-Length:");
        size_t want = cl ? (size_t)atol(cl + 17) : 0;
        if (n >= (size_t)(end + 4 - buf) + want)
            break;
    }
    return n;
}

/* A child that answers each connection with the next of RESPONSES (raw
 * HTTP), one request per connection, then exits. */
static void server_start(struct server *s, const char *const *responses)
{
    snprintf(s->dir, sizeof s->dir, "/tmp/lumen-deliver-XXXXXX");
    assert_non_null(mkdtemp(s->dir));
    int l = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    assert_int_equal(bind(l, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(listen(l, 8), 0);
    socklen_t al = sizeof a;
    getsockname(l, (struct sockaddr *)&a, &al);
    s->port = ntohs(a.sin_port);
    s->pid = fork();
    assert_true(s->pid >= 0);
    if (s->pid > 0) {
        close(l);
        return;
    }
    /* A test that fails leaves its server behind: it ends on its own. */
    alarm(30);
    for (int i = 0; responses[i]; i++) {
        int c = accept(l, NULL, NULL);
        if (c < 0)
            _exit(1);
        static char buf[1 << 16];
        size_t n = read_request(c, buf, sizeof buf);
        char path[128];
        snprintf(path, sizeof path, "%s/req%d", s->dir, i + 1);
        FILE *f = fopen(path, "w");
        fwrite(buf, 1, n, f);
        fclose(f);
        ssize_t w = write(c, responses[i], strlen(responses[i]));
        (void)w;
        close(c);
    }
    _exit(0);
}

static void server_stop(struct server *s)
{
    kill(s->pid, SIGTERM);
    waitpid(s->pid, NULL, 0);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", s->dir);
    assert_int_equal(system(cmd), 0);
}

/* The Nth request the server got ("" when none). */
static const char *request(const struct server *s, int n)
{
    char path[128];
    snprintf(path, sizeof path, "%s/req%d", s->dir, n);
    if (access(path, F_OK) != 0)
        return "";
    return unit_slurp(path);
}

static struct notify_msg webhook(const char *url)
{
    struct notify_msg m = { .id = 7, .channel = NOTIFY_CH_WEBHOOK, .attempt = 2,
                            .timestamp = 1700000000 };
    snprintf(m.claim, sizeof m.claim, "11111111-2222-4333-8444-555555555555");
    snprintf(m.message_id, sizeof m.message_id, "0b4c7a3e-1d2f-4a5b-8c9d-0e1f2a3b4c5d");
    snprintf(m.kind, sizeof m.kind, "lead.new");
    m.url = strdup(url);
    m.body = strdup("{\"type\": \"lead.new\", \"data\": {\"count\": 2, \"x\": \"\\u00e9\"}}");
    m.signature = strdup("v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4= v1,AAAA");
    return m;
}

/* Drives the engine until one outcome is out (at most 20 s). */
static struct notify_outcome deliver(struct notify_http *h, struct notify_msg *m)
{
    notify_http_add(h, m);
    struct notify_outcome o;
    time_t until = time(NULL) + 20;
    while (!notify_http_take(h, &o)) {
        if (time(NULL) > until)
            fail_msg("no outcome in 20 s");
        assert_int_equal(notify_http_poll(h, NULL, 0, 200), 0);
    }
    return o;
}

static struct notify_http *engine(bool allow_private, const char *email_api)
{
    struct notify_http_opts o = { .allow_private = allow_private, .concurrency = 4,
                                  .email_api = email_api, .email_key = "sk_live_abc",
                                  .email_from = "Lumen <a@b.example>" };
    char err[NOTIFY_ERR_MAX];
    struct notify_http *h = notify_http_new(&o, err, sizeof err);
    if (!h)
        fail_msg("%s", err);
    return h;
}

static void webhook_headers_and_outcomes(void **state)
{
    (void)state;
    static const char *const responses[] = {
        "HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n",
        "HTTP/1.1 410 Gone\r\nContent-Length: 4\r\nConnection: close\r\n\r\ngone",
        "HTTP/1.1 429 Too Many\r\nRetry-After: 7\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
        "HTTP/1.1 302 Found\r\nLocation: http://127.0.0.1:1/elsewhere\r\nContent-Length: 0\r\n"
        "Connection: close\r\n\r\n",
        "HTTP/1.1 500 Oops\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
        NULL };
    struct server s;
    server_start(&s, responses);
    struct notify_http *h = engine(true, NULL);
    char url[128];
    snprintf(url, sizeof url, "http://localhost:%d/hooks/lumen?token=t0p", s.port);

    struct notify_msg m = webhook(url);
    struct notify_outcome o = deliver(h, &m);
    assert_int_equal(o.result, NOTIFY_DELIVERED);
    assert_int_equal(o.status, 204);
    assert_int_equal(o.id, 7);
    assert_int_equal(o.attempt, 2);
    assert_string_equal(o.claim, "11111111-2222-4333-8444-555555555555");
    assert_string_equal(o.host, "localhost");
    const char *r = request(&s, 1);
    assert_true(strncmp(r, "POST /hooks/lumen?token=t0p HTTP/1.1\r\n", 38) == 0);
    assert_non_null(strstr(r, "\r\nwebhook-id: 0b4c7a3e-1d2f-4a5b-8c9d-0e1f2a3b4c5d\r\n"));
    assert_non_null(strstr(r, "\r\nwebhook-timestamp: 1700000000\r\n"));
    assert_non_null(strstr(r, "\r\nwebhook-signature: v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4= v1,AAAA\r\n"));
    assert_non_null(strstr(r, "\r\nContent-Type: application/json\r\n"));
    assert_null(strstr(r, "Authorization"));
    assert_null(strstr(r, "Expect:"));
    /* The body the database signed, byte for byte. */
    assert_non_null(strstr(r, "\r\n\r\n{\"type\": \"lead.new\", \"data\": {\"count\": 2, \"x\": \"\\u00e9\"}}"));

    m = webhook(url);
    o = deliver(h, &m);
    assert_int_equal(o.result, NOTIFY_GONE);
    assert_int_equal(o.status, 410);
    assert_string_equal(o.error, "HTTP 410 Gone");

    m = webhook(url);
    o = deliver(h, &m);
    assert_int_equal(o.result, NOTIFY_RETRY);
    assert_int_equal(o.status, 429);
    assert_int_equal(o.retry_after_s, 7);
    assert_string_equal(o.error, "HTTP 429 (Retry-After 7 s)");

    /* A redirect is an answer like any other: not followed. */
    m = webhook(url);
    o = deliver(h, &m);
    assert_int_equal(o.result, NOTIFY_RETRY);
    assert_int_equal(o.status, 302);
    assert_int_equal(o.retry_after_s, -1);
    assert_string_equal(o.error, "HTTP 302");

    m = webhook(url);
    o = deliver(h, &m);
    assert_int_equal(o.result, NOTIFY_RETRY);
    assert_string_equal(o.error, "HTTP 500");
    assert_string_equal(request(&s, 6), "");         /* nothing went to the Location */

    notify_http_free(&h);
    assert_null(h);
    server_stop(&s);
}

/* Without allow_private: http is refused, and so is a host that resolves
 * to loopback; no request is made. */
static void refused_before_any_request(void **state)
{
    (void)state;
    static const char *const responses[] = { "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", NULL };
    struct server s;
    server_start(&s, responses);
    struct notify_http *h = engine(false, NULL);
    char url[128];

    snprintf(url, sizeof url, "http://localhost:%d/h", s.port);
    struct notify_msg m = webhook(url);
    struct notify_outcome o = deliver(h, &m);
    assert_int_equal(o.result, NOTIFY_RETRY);
    assert_int_equal(o.status, 0);
    assert_string_equal(o.error, "refused: http:// without TLS; use https:// ([notify] allow_private)");

    snprintf(url, sizeof url, "https://localhost:%d/h", s.port);
    m = webhook(url);
    o = deliver(h, &m);
    assert_int_equal(o.result, NOTIFY_RETRY);
    assert_non_null(strstr(o.error, "refused: resolves to "));
    assert_non_null(strstr(o.error, "a loopback address ([notify] allow_private)"));

    snprintf(url, sizeof url, "https://127.0.0.1:%d/h", s.port);
    m = webhook(url);
    o = deliver(h, &m);
    assert_string_equal(o.error, "refused: resolves to 127.0.0.1, a loopback address ([notify] allow_private)");
    assert_string_equal(o.host, "127.0.0.1");

    m = webhook("https://user:pw@example.com/h");
    o = deliver(h, &m);
    assert_non_null(strstr(o.error, "refused: the URL has a user name or password"));

    /* A header value that could end the line is never sent. */
    m = webhook("https://example.com/h");
    free(m.signature);
    m.signature = strdup("v1,abc\r\nX-Evil: 1");
    o = deliver(h, &m);
    assert_non_null(strstr(o.error, "lacks the id, signature or body"));

    assert_string_equal(request(&s, 1), "");
    notify_http_free(&h);
    server_stop(&s);
}

/* An email: JSON to the API with the bearer key and Idempotency-Key. */
static void email_request(void **state)
{
    (void)state;
    static const char *const responses[] = {
        "HTTP/1.1 202 Accepted\r\nContent-Length: 11\r\nConnection: close\r\n\r\n{\"id\": \"x\"}",
        "HTTP/1.1 410 Gone\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
        NULL };
    struct server s;
    server_start(&s, responses);
    char api[128];
    snprintf(api, sizeof api, "http://127.0.0.1:%d/v1/send", s.port);
    struct notify_http *h = engine(true, api);
    struct notify_msg m = { .id = 9, .channel = NOTIFY_CH_EMAIL, .attempt = 1 };
    snprintf(m.claim, sizeof m.claim, "c");
    snprintf(m.message_id, sizeof m.message_id, "5f0c7a3e-1d2f-4a5b-8c9d-0e1f2a3b4c5d");
    snprintf(m.kind, sizeof m.kind, "lead.new");
    m.recipient = strdup("front@desk.example");
    m.subject = strdup("New enquiry at \"Bright\"");
    m.body = strdup("1 new enquiry.\nOpen the inbox.");
    struct notify_outcome o = deliver(h, &m);
    assert_int_equal(o.result, NOTIFY_DELIVERED);
    assert_int_equal(o.status, 202);
    assert_int_equal(o.channel, NOTIFY_CH_EMAIL);
    assert_string_equal(o.host, "127.0.0.1");
    const char *r = request(&s, 1);
    assert_true(strncmp(r, "POST /v1/send HTTP/1.1\r\n", 24) == 0);
    assert_non_null(strstr(r, "\r\nAuthorization: Bearer sk_live_abc\r\n"));
    assert_non_null(strstr(r, "\r\nIdempotency-Key: 5f0c7a3e-1d2f-4a5b-8c9d-0e1f2a3b4c5d\r\n"));
    assert_non_null(strstr(r, "\r\nContent-Type: application/json\r\n"));
    assert_null(strstr(r, "webhook-"));
    assert_non_null(strstr(r, "\r\n\r\n{\"from\": \"Lumen <a@b.example>\", \"to\": [\"front@desk.example\"], "
                              "\"subject\": \"New enquiry at \\\"Bright\\\"\", "
                              "\"text\": \"1 new enquiry.\\u000aOpen the inbox.\"}"));

    /* A 410 from the email API is a retry: it says nothing of the address. */
    m = (struct notify_msg){ .id = 10, .channel = NOTIFY_CH_EMAIL };
    m.recipient = strdup("a@b.example");
    m.subject = strdup("s");
    m.body = strdup("t");
    o = deliver(h, &m);
    assert_int_equal(o.result, NOTIFY_RETRY);
    assert_int_equal(o.status, 410);
    notify_http_free(&h);
    server_stop(&s);
}

/* Several at once: with room for 4, four are in flight before any ends. */
static void room_and_busy(void **state)
{
    (void)state;
    struct notify_http *h = engine(false, NULL);
    assert_int_equal(notify_http_room(h), 4);
    assert_int_equal(notify_http_busy(h), 0);
    /* Refused at once: done, waiting to be taken, no room used. */
    struct notify_msg m = webhook("http://example.com/");
    notify_http_add(h, &m);
    assert_null(m.url);                 /* taken */
    assert_int_equal(notify_http_room(h), 4);
    assert_int_equal(notify_http_busy(h), 1);
    struct notify_outcome o;
    assert_true(notify_http_take(h, &o));
    assert_false(notify_http_take(h, &o));
    assert_int_equal(notify_http_busy(h), 0);
    /* Looking up: in flight. */
    m = webhook("https://example.invalid/");
    notify_http_add(h, &m);
    assert_int_equal(notify_http_room(h), 3);
    notify_http_free(&h);               /* given up in the middle: no leak */
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(webhook_headers_and_outcomes),
        cmocka_unit_test(refused_before_any_request),
        cmocka_unit_test(email_request),
        cmocka_unit_test(room_and_busy),
    };
    int rc = unit_run(tests);
    curl_global_cleanup();
    return rc;
}
