#!/usr/bin/perl
# lumen notify (issue 11): what a receiver's answer does, on a database of
# its own copied from the demo data.  Between runs of `lumen notify
# --once`, "time passes": the superuser moves the waiting messages'
# next attempt to now.
#   - 500, 500, 200: three requests with the same webhook-id, delivered
#     at the third; the next attempt is about 5 s after the first failure
#     and about 5 min after the second, and a run before then sends
#     nothing;
#   - 429 with Retry-After: 2: the next attempt about 2 s later; an HTTP
#     date on a 503 too; a huge one clamped to 24 h; none on a 500;
#   - the last attempt (the 8th) failing: the row fails for good and the
#     Owner is told by email (notify.failed), once;
#   - 410: the endpoint is disabled (and says why), its row fails, the Owner
#     is told; a later event is not sent to it; enabled again, it is;
#   - a receiver that never answers: 15 s, then a retry, while another
#     endpoint is served; a 404 and a redirect (not followed) are retried.
use strict;
use warnings;
use File::Basename qw(dirname);
use lib dirname(__FILE__);
use NotifyE2E;
use Time::HiRes qw(time);

ne_skip_unless_ready();
plan(33);
ne_db();

my $KEY = 'ek_retry';
my $mail = ne_receiver('mail', key => $KEY);
my $conf = ne_conf(email_api => "$mail->{url}/email", email_key => $KEY, email_from => 'alerts@lumen.test');
my $token = ne_owner_sign_in();

# The state of one message: delivered? failed? attempts, last status,
# seconds from the last attempt to the next.
sub state_of {
    my $mid = shift;
    return ne_sql("SELECT CASE WHEN delivered_at IS NOT NULL THEN 'delivered'
                               WHEN failed_at IS NOT NULL THEN 'failed' ELSE 'waiting' END
                          || ' ' || attempts || ' ' || coalesce(last_status::text, '-')
                          || ' ' || round(extract(epoch FROM next_attempt_at - last_attempt_at)::numeric, 1)
                     FROM lumen.outbox WHERE message_id = :'m'", m => $mid);
}
sub test_to {
    my $id = shift;
    my $r = ne_api_write($token, "api.notify_test(:'t', :'w')", w => $id);
    return ne_sql("SELECT message_id FROM lumen.outbox WHERE kind = 'notify.test' AND recipient = :'w'
                    ORDER BY id DESC LIMIT 1", w => $id);
}

# ------------------------------------------------------------- 500, 500, 200
my $h1 = ne_receiver('h500', script => '500,500,200');
my ($st, $sec1, $w1) = ne_webhook_add($token, "$h1->{url}/hook", 'flaky');
is($st, 'ok', 'a webhook whose receiver answers 500, 500, 200');
my $mid = test_to($w1);
my ($rc, $err) = ne_once($conf);
my @s = split / /, state_of($mid);
ok($rc == 0 && scalar(ne_requests($h1)) == 1 && "@s[0..2]" eq 'waiting 1 500',
   "the first try: HTTP 500, the message waits (@s, exit $rc)");
ok(defined $s[3] && $s[3] >= 4 && $s[3] <= 10, "the next attempt is about 5 s after the first failure ($s[3] s)");
like_error($mid, qr/^HTTP 500$/, "its last error says HTTP 500 (the receiver's answer is not kept)");
($rc, $err) = ne_once($conf);
is(scalar(ne_requests($h1)), 1, 'a run before the next attempt is due sends nothing');
ne_time_passes();
($rc, $err) = ne_once($conf);
@s = split / /, state_of($mid);
ok(scalar(ne_requests($h1)) == 2 && "@s[0..2]" eq 'waiting 2 500', "the second try: HTTP 500 again (@s)");
ok(defined $s[3] && $s[3] >= 260 && $s[3] <= 340, "the next attempt is about 5 min after the second failure ($s[3] s)");
ne_time_passes();
($rc, $err) = ne_once($conf);
@s = split / /, state_of($mid);
my @q = ne_requests($h1);
ok(@q == 3 && "@s[0..2]" eq 'delivered 3 200', "the third try: 200, delivered after three attempts (@s)");
my %ids = map { ($_->{h}{'webhook-id'} // '') => 1 } @q;
ok(keys(%ids) == 1 && exists $ids{$mid}, 'the three requests carry the same webhook-id, the message id');
my @sigok = map { (ne_signatures_ok($_, $sec1))[1] } @q;
is("@sigok", '1 1 1', 'each try is signed anew and verifies');

sub like_error {
    my ($m, $re, $what) = @_;
    my $e = ne_sql("SELECT coalesce(last_error, '') FROM lumen.outbox WHERE message_id = :'m'", m => $m);
    ok($e =~ $re, "$what ($e)");
}

# ------------------------------------------------------------- 429 Retry-After
my $h2 = ne_receiver('h429', script => '429:2,200');
my (undef, undef, $w2) = ne_webhook_add($token, "$h2->{url}/hook", 'busy');
$mid = test_to($w2);
($rc, $err) = ne_once($conf);
@s = split / /, state_of($mid);
ok("@s[0..2]" eq 'waiting 1 429' && $s[3] >= 1 && $s[3] <= 4,
   "429 with Retry-After: 2: the next attempt 2 s later, not the schedule's 5 s (@s)");
ne_wait_until(sub { ne_sql("SELECT next_attempt_at <= now() FROM lumen.outbox WHERE message_id = :'m'", m => $mid) eq 't' }, 10);
($rc, $err) = ne_once($conf);
ok(state_of($mid) =~ /^delivered 2 200/ && scalar(ne_requests($h2)) == 2, 'delivered once it was due: ' . state_of($mid));

# Retry-After as an HTTP date on a 503; a huge one clamped to 24 h; on a
# 500 it is not a 429 or 503, so the schedule holds.  One message at a
# time, the one before put out of the way.
my $h6 = ne_receiver('hra', script => '503:d10,429:999999,500:1');
my (undef, undef, $w6) = ne_webhook_add($token, "$h6->{url}/hook", 'retry-after');
my @gaps;
for my $i (1 .. 3) {
    $mid = test_to($w6);
    ($rc, $err) = ne_once($conf);
    push @gaps, (split / /, state_of($mid))[3] // -1;
    ne_sql("UPDATE lumen.outbox SET next_attempt_at = now() + interval '2 days' WHERE message_id = :'m'", m => $mid);
}
ok($gaps[0] >= 7 && $gaps[0] <= 15, "503 with Retry-After as an HTTP date 10 s ahead: the next attempt about 10 s later ($gaps[0] s)");
# The gap runs from the claim; the 24 h from the report, which a loaded
# machine may make seconds later.
ok($gaps[1] >= 86000 && $gaps[1] <= 86430, "429 with Retry-After: 999999: clamped to 24 h ($gaps[1] s)");
ok($gaps[2] >= 4 && $gaps[2] <= 10, "500 with Retry-After: 1: the schedule's 5 s ($gaps[2] s)");
ne_api_write($token, "api.notify_webhook_remove(:'t', :'w')", w => $w6);

# ------------------------------------------------------------- the last attempt
my $h3 = ne_receiver('hdown', script => '500');
my (undef, undef, $w3) = ne_webhook_add($token, "$h3->{url}/hook", 'always failing');
$mid = test_to($w3);
# Seven attempts have failed already (the schedule's 5 s .. 10 h, passed).
ne_sql("UPDATE lumen.outbox SET attempts = 7, last_status = 500, last_error = 'HTTP 500' WHERE message_id = :'m'", m => $mid);
my $mails = scalar(ne_requests($mail));
($rc, $err) = ne_once($conf);
@s = split / /, state_of($mid);
ok("@s[0..2]" eq 'failed 8 500', "the 8th attempt fails: the message fails for good (@s)");
my $nf = ne_sql("SELECT count(*) || ' ' || min(recipient) || ' ' || min(payload->>'failed_kind') || ' '
                        || min(payload->>'channel') || ' ' || min(payload->>'attempts') || ' '
                        || min(payload->>'failed_message_id')
                   FROM lumen.outbox WHERE kind = 'notify.failed' AND payload->>'failed_message_id' = :'m'", m => $mid);
is($nf, "1 owner\@brightsmile.test notify.test webhook 8 $mid", 'the Owner is told once (notify.failed: kind, channel, attempts, message)');
my @om = grep { $_->{body} =~ /owner\@brightsmile\.test/ } ne_requests($mail);
ok(@om == 1 && (ne_json($om[0]{body}) // {})->{text} =~ /\Q$h3->{port}\E|hook|fail/i,
   'that email was sent in the same run: ' . (@om ? $om[0]{body} : 'none'));
ne_time_passes();
($rc, $err) = ne_once($conf);
ok(scalar(ne_requests($h3)) == 1, 'a failed message is not tried again');

# ------------------------------------------------------------- 410 Gone
my $h4 = ne_receiver('h410', script => '410');
my (undef, undef, $w4) = ne_webhook_add($token, "$h4->{url}/gone", 'retired endpoint');
$mid = test_to($w4);
($rc, $err) = ne_once($conf);
@s = split / /, state_of($mid);
ok($rc == 0 && scalar(ne_requests($h4)) == 1 && "@s[0..2]" eq 'failed 1 410', "410: the message fails at once (@s)");
is(ne_sql("SELECT (disabled_at IS NOT NULL) || ' ' || coalesce(disabled_reason, '-') FROM lumen.notify_webhooks WHERE id = :'w'", w => $w4),
   'true HTTP 410 Gone', 'the endpoint is disabled, and says why');
my $listed = ne_sql("SELECT (disabled_at IS NOT NULL) || ' ' || coalesce(disabled_reason, '-') FROM api.notify_webhooks(:'t') WHERE id = :'w'",
                    t => $token, w => $w4);
is($listed, 'true HTTP 410 Gone', "the Owner's list shows it disabled");
is(ne_sql("SELECT count(*) || ' ' || min(recipient) || ' ' || min(payload->>'destination')
             FROM lumen.outbox WHERE kind = 'notify.failed' AND payload->>'failed_message_id' = :'m'", m => $mid),
   "1 owner\@brightsmile.test $h4->{url}/gone", 'the Owner gets a notify.failed naming the endpoint');
@om = grep { $_->{body} =~ /owner\@brightsmile\.test/ } ne_requests($mail);
is(scalar(@om), 2, 'and it is delivered by email');

# A new lead: a message for every active endpoint, none for the disabled one.
my $lead = ne_ingest(name => 'After The Gone', service => 'Checkup');
is(ne_sql("SELECT string_agg(webhook_id::text, ',' ORDER BY webhook_id) FROM lumen.outbox
            WHERE kind = 'lead.new' AND channel = 'webhook'"),
   join(',', sort ($w1, $w2, $w3)), 'a later lead goes to the three active webhooks, not the disabled one');
($rc, $err) = ne_once($conf);
ok(scalar(ne_requests($h4)) == 1 && scalar(ne_requests($h1)) == 4 && scalar(ne_requests($h2)) == 3,
   'the disabled endpoint receives nothing; the others get the lead');

my $r = ne_api_write($token, "api.notify_webhook_enable(:'t', :'w')", w => $w4);
is($r->{status}, 'ok', 'the Owner enables it again');
$lead = ne_ingest(name => 'After The Enable', service => 'Checkup');
($rc, $err) = ne_once($conf);
my @g = ne_requests($h4);
ok(@g == 2 && ne_kind($g[1]) eq 'lead.new', 'the next lead reaches it (' . scalar(@g) . ' requests)');

# A receiver that never answers: the attempt ends at the 15 s timeout,
# and deliveries to others go on meanwhile.
my $slow = ne_receiver('hslow', script => '200@40');
my $fast = ne_receiver('hfast');
my (undef, undef, $ws) = ne_webhook_add($token, "$slow->{url}/hook", 'hangs');
my (undef, undef, $wf) = ne_webhook_add($token, "$fast->{url}/hook", 'answers');
my $ms = test_to($ws);
my $mf = test_to($wf);
my $t0 = time;
($rc, $err) = ne_once($conf);
my $took = time - $t0;
my @f = ne_requests($fast);
my $fast_at = @f ? (Time::HiRes::stat("$fast->{dir}/$f[0]{n}.req"))[9] - $t0 : 99;
ok(state_of($ms) =~ /^waiting 1 -/ && $took >= 14 && $took < 25,
   sprintf('a receiver that does not answer: the attempt times out after about 15 s (run took %.1f s), retried later (%s)', $took, state_of($ms)));
like_error($ms, qr/time/i, 'its error says it timed out');
ok(state_of($mf) =~ /^delivered 1 200/ && $fast_at < 5,
   sprintf('meanwhile another endpoint was delivered at once (%.1f s)', $fast_at));
ne_receiver_stop($slow);
ne_api_write($token, "api.notify_webhook_remove(:'t', :'w')", w => $ws);

# A 404 or a redirect is an error to retry, not a success.
my $h5 = ne_receiver('h404', script => '404,301');
my (undef, undef, $w5) = ne_webhook_add($token, "$h5->{url}/hook", 'misconfigured');
$mid = test_to($w5);
($rc, $err) = ne_once($conf);
ok(state_of($mid) =~ /^waiting 1 404/, '404: retried later (' . state_of($mid) . ')');
ne_time_passes();
($rc, $err) = ne_once($conf);
ok(state_of($mid) =~ /^waiting 2 301/ && scalar(ne_requests($h5)) == 2 && !ne_requests($h5, '/redirected'),
   'a redirect is not followed, and not a success (' . state_of($mid) . ')');
done();
