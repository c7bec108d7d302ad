/* client/auditexport (the cells of an audit export and its sidecar
 * FILE.chain) and csv_time_iso8601 (the time shape both exports share),
 * written to a pipe and read back. */
#include "tests/unit/unit.h"
#include "client/auditexport.h"
#include "client/csv.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

static struct csv w;
static int fds[2];

static void start(void)
{
    assert_int_equal(pipe(fds), 0);
    csv_init(&w, fds[1], false);
}

/* What was written, up to the size of a pipe's buffer. */
static const char *finish(void)
{
    static char buf[8192];
    assert_int_equal(csv_flush(&w), 0);
    close(fds[1]);
    ssize_t n = read(fds[0], buf, sizeof buf - 1);
    assert_true(n >= 0);
    buf[n] = '\0';
    close(fds[0]);
    return buf;
}

static void times(void **state)
{
    (void)state;
    char out[40];
    const char *s = "2026-11-30 06:00:00.123456-06";
    assert_string_equal(csv_time_iso8601(s, strlen(s), out, sizeof out), "2026-11-30T06:00:00-06:00");
    s = "2026-03-08 03:00:00+05:30";
    assert_string_equal(csv_time_iso8601(s, strlen(s), out, sizeof out), "2026-03-08T03:00:00+05:30");
    s = "2026-11-01 05:00:00+00";
    assert_string_equal(csv_time_iso8601(s, strlen(s), out, sizeof out), "2026-11-01T05:00:00+00:00");
    /* A historic offset's seconds are dropped. */
    s = "1880-01-01 00:00:00-05:50:36";
    assert_string_equal(csv_time_iso8601(s, strlen(s), out, sizeof out), "1880-01-01T00:00:00-05:50");
    /* What is not that shape comes back as it was. */
    s = "infinity";
    assert_ptr_equal(csv_time_iso8601(s, strlen(s), out, sizeof out), s);
    s = "2026-11-30 06:00:00";
    assert_ptr_equal(csv_time_iso8601(s, strlen(s), out, sizeof out), s);
    assert_null(csv_time_iso8601(NULL, 0, out, sizeof out));
}

static void header_and_rows(void **state)
{
    (void)state;
    start();
    assert_int_equal(auditexport_header(&w), 0);
    const char *f[AUDITEXPORT_COLUMNS] = {
        "42", "2026-11-30 06:00:00.5-06", "owner@brightsmile.test", "lead.export", "lead", NULL,
        "success", "10.0.0.7", "203.0.113.9", "1e4c7a3e-1d2f-4a5b-8c9d-0e1f2a3b4c5d",
        "{\"rows\": 3, \"filter\": {\"q\": \"=cmd, \\\"x\\\"\"}}",
    };
    size_t n[AUDITEXPORT_COLUMNS];
    for (int i = 0; i < AUDITEXPORT_COLUMNS; i++)
        n[i] = f[i] ? strlen(f[i]) : 0;
    assert_int_equal(auditexport_row(&w, f, n), 0);
    /* A sign-in refused: no session, no target, an actor's hostile email. */
    const char *g[AUDITEXPORT_COLUMNS] = {
        "43", "2026-11-30 06:00:01-06", "=HYPERLINK(\"x\")", "login.failure", NULL, NULL,
        "failure", NULL, NULL, NULL, "{}",
    };
    for (int i = 0; i < AUDITEXPORT_COLUMNS; i++)
        n[i] = g[i] ? strlen(g[i]) : 0;
    assert_int_equal(auditexport_row(&w, g, n), 0);
    assert_string_equal(finish(),
        "id,at,actor_email,action,target_type,target_id,outcome,server_addr,reported_origin,"
        "session_id,detail\r\n"
        "42,2026-11-30T06:00:00-06:00,owner@brightsmile.test,lead.export,lead,,success,10.0.0.7,"
        "203.0.113.9,1e4c7a3e-1d2f-4a5b-8c9d-0e1f2a3b4c5d,"
        "\"{\"\"rows\"\": 3, \"\"filter\"\": {\"\"q\"\": \"\"=cmd, \\\"\"x\\\"\"\"\"}}\"\r\n"
        "43,2026-11-30T06:00:01-06:00,\"'=HYPERLINK(\"\"x\"\")\",login.failure,,,failure,,,,{}\r\n");
    assert_int_equal(w.rows, 3);
}

static const char HASH[] = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

static void the_sidecar(void **state)
{
    (void)state;
    char text[1024], path[32];
    struct auditexport_chain c = { 1234, 98765, HASH, "2026-11-01 05:00:00+00",
                                   "2026-12-01 06:00:00+00", "{\"action\": \"login.\"}" };
    long len = auditexport_chain_text(&c, text, sizeof text);
    const char *want = "rows 1234\nhead_seq 98765\nhead_hash "
                       "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\n"
                       "from 2026-11-01T05:00:00+00:00\nto 2026-12-01T06:00:00+00:00\n"
                       "filter {\"action\": \"login.\"}\n";
    assert_string_equal(text, want);
    assert_int_equal(len, (long)strlen(want));
    /* Too small a buffer, or a line break in a value: refused, not cut. */
    assert_int_equal(auditexport_chain_text(&c, text, 40), -1);
    c.filter = "{\"q\": \"a\nb\"}";
    assert_int_equal(auditexport_chain_text(&c, text, sizeof text), -1);
    /* Written whole to a descriptor. */
    c.filter = "{}";
    assert_int_equal(pipe(fds), 0);
    assert_int_equal(auditexport_chain_write(fds[1], &c), 0);
    close(fds[1]);
    ssize_t n = read(fds[0], text, sizeof text - 1);
    close(fds[0]);
    assert_true(n > 0);
    text[n] = '\0';
    assert_true(strstr(text, "rows 1234\n") == text);
    assert_true(strstr(text, "\nfilter {}\n"));
    c.filter = "a\rb";
    assert_int_equal(auditexport_chain_write(1, &c), -1);
    assert_int_equal(errno, EINVAL);
    assert_int_equal(auditexport_chain_path("/tmp/audit.csv", path, sizeof path), 0);
    assert_string_equal(path, "/tmp/audit.csv.chain");
    assert_int_equal(auditexport_chain_path("/tmp/a-rather-long-name.csv", path, sizeof path), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(times),
        cmocka_unit_test(header_and_rows),
        cmocka_unit_test(the_sidecar),
    };
    return unit_run(tests);
}
