#!/usr/bin/perl
# lumen notify (issue 11) left running, on a database of its own copied
# from the demo data:
#   - it wakes on NOTIFY: a new lead reaches the receiver within seconds
#     (measured; up to 10 s allowed), with no poll to rely on; behind a
#     transaction pooler (no LISTEN there) it polls every 2 s;
#   - a receiver that is down when the lead arrives gets it after it comes
#     back, from the running lumen notify when the retry is due, with
#     lumen notify stopped (SIGTERM, exit 0) and started again while the
#     message waited; SIGTERM during a transfer finishes it first; nothing
#     is lost, nothing sent twice (a copy would carry the same webhook-id);
#   - the database connection cut during a transfer: it reconnects,
#     reports the transfer, and hears new leads again;
#   - killed (SIGKILL) during a transfer: after the lease the message is
#     sent again with the same webhook-id.
use strict;
use warnings;
use File::Basename qw(dirname);
use lib dirname(__FILE__);
use NotifyE2E;
use Time::HiRes qw(time sleep);

ne_skip_unless_ready();
plan(28);
ne_db();

my $KEY = 'ek_restart';
my $mail = ne_receiver('mail', key => $KEY);
my $conf = ne_conf(email_api => "$mail->{url}/email", email_key => $KEY, email_from => 'alerts@lumen.test');
my $token = ne_owner_sign_in();

sub undelivered { return ne_sql("SELECT count(*) FROM lumen.outbox WHERE delivered_at IS NULL AND failed_at IS NULL"); }
# lumen notify has its connection and waits (nothing of ours is due).
sub settled {
    return ne_wait_until(sub {
        undelivered() eq '0'
          && ne_sql("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()
                       AND usename = 'lumen_notify' AND state = 'idle'") ne '0' }, 15);
}

# ------------------------------------------------------------- 8. LISTEN
my $h1 = ne_receiver('live');
my ($st, $sec, $w1) = ne_webhook_add($token, "$h1->{url}/hook", 'live');
is($st, 'ok', 'a webhook');
my $p = ne_start($conf);
ok(settled(), 'lumen notify runs, connected, nothing due');
# Past any poll that came with the start: let it sit in its wait.
sleep 1.5;
my $t0 = time;
my $lead = ne_ingest(name => 'Listen Test', service => 'Whitening');
my @q = ne_wait_requests($h1, 1, 10);
my $dt = time - $t0;
my $lag = sprintf('%.2f', $dt);
# Run by tests/pooler/notify_restart.t, every config here is behind
# PgBouncer (no LISTEN): the same bound holds for the 2 s poll.
my $how = $ENV{LUMEN_TEST_POOLER_CONF} ? 'behind PgBouncer: polled every 2 s' : 'NOTIFY, no poll relied on';
ok(@q == 1 && ne_kind($q[0]) eq 'lead.new' && $dt < 10, "a new lead reaches the receiver in $lag s ($how)");
diag(($ENV{LUMEN_TEST_POOLER_CONF} ? 'poll' : 'LISTEN') . " latency: lead captured -> webhook received in $lag s");
my @m = ne_wait_requests($mail, 1, 10);
ok(scalar(grep { $_->{body} =~ /frontdesk/ } @m) == 1, 'and the email to the front desk');
my $rc = ne_stop($p);
is($rc, 0, 'SIGTERM: lumen notify exits 0');
my $log = ne_slurp($p->{err});
ok($log =~ /lead\.new/ && $log =~ /127\.0\.0\.1/ && $log !~ /Listen Test|\/hook/,
   "one line an attempt on stderr, with kind and host, no path or lead detail: $log");

# Behind a transaction pooler there is no LISTEN: it polls every 2 s.
my $pooled = ne_conf(email_api => "$mail->{url}/email", email_key => $KEY, email_from => 'alerts@lumen.test',
                     pooler => 'transaction');
$p = ne_start($pooled);
ok(settled(), 'behind a transaction pooler (pooler = transaction), it runs too');
sleep 1.5;
$t0 = time;
$lead = ne_ingest(name => 'Pooled Test', service => 'Whitening');
@q = ne_wait_requests($h1, 2, 10);
$dt = time - $t0;
$rc = ne_stop($p);
$log = ne_slurp($p->{err});
ok(@q == 2 && $dt < 10 && $rc == 0 && $log =~ /2 s/ && $log !~ /LISTEN lumen_outbox/,
   sprintf('it says it polls every 2 s, and delivers a lead in %.2f s: %s', $dt, $log));

# ------------------------------------------------------------- 4. down, restarts
my $h2 = ne_receiver('down');
my $port = $h2->{port};
ne_receiver_stop($h2);                 # the receiver is down from here
my (undef, $sec2, $w2) = ne_webhook_add($token, "http://127.0.0.1:$port/hook", 'down at first');
$p = ne_start($conf);
my $lead1 = ne_ingest(name => 'Arrives While Down', service => 'Implants');
my $m1 = ne_sql("SELECT message_id FROM lumen.outbox WHERE webhook_id = :'w' AND kind = 'lead.new'", w => $w2);
my $tried = ne_wait_until(sub { ne_sql("SELECT attempts > 0 AND last_error IS NOT NULL FROM lumen.outbox WHERE message_id = :'m'", m => $m1) eq 't' }, 10);
my $e = ne_sql("SELECT coalesce(last_error, '-') || ' / ' || coalesce(last_status::text, 'no status') FROM lumen.outbox WHERE message_id = :'m'", m => $m1);
ok($tried, "the receiver is down: the first try fails ($e), the message waits");
# Stopped and started again while the message waits for its retry.
$rc = ne_stop($p);
is($rc, 0, 'lumen notify stopped while the message waits: exit 0');
$p = ne_start($conf);

# The receiver comes back (its second answer slow); nobody moves the
# clock: the running lumen notify tries again when the retry is due.
my $h3 = ne_receiver('back', port => $port, script => '200,200@3,200,200@3');
my $due = ne_sql("SELECT extract(epoch FROM next_attempt_at) FROM lumen.outbox WHERE message_id = :'m'", m => $m1);
@q = ne_wait_requests($h3, 1, 15);
my $at = @q ? (Time::HiRes::stat("$h3->{dir}/$q[0]{n}.req"))[9] : 0;     # when it arrived
ok(@q == 1 && ($q[0]{h}{'webhook-id'} // '') eq $m1,
   'the receiver that came back gets the message from the running lumen notify, by itself');
ok($at >= $due - 0.5, sprintf('not before the retry was due (%.1f s after)', $at - $due));
ok(ne_wait_until(sub { ne_sql("SELECT delivered_at IS NOT NULL FROM lumen.outbox WHERE message_id = :'m'", m => $m1) eq 't' }, 5),
   'and it is delivered');

# A second lead while it runs: the receiver takes 3 s to answer; SIGTERM
# in the middle of that transfer.
my $lead2 = ne_ingest(name => 'Arrives While Slow', service => 'Cleaning');
@q = ne_wait_requests($h3, 2, 10);
my $m2 = $q[1] ? $q[1]{h}{'webhook-id'} : '';
$rc = ne_stop($p);
is($rc, 0, 'SIGTERM during a transfer: exit 0');
is(ne_sql("SELECT (delivered_at IS NOT NULL) || ' ' || coalesce(last_status::text, '-') FROM lumen.outbox WHERE message_id = :'m'", m => $m2),
   'true 200', 'the transfer under way was finished and reported before the exit: delivered');

# A third lead with lumen notify stopped; started again, it sends what
# is due and nothing already delivered.
my $lead3 = ne_ingest(name => 'Arrives While Stopped', service => 'Checkup');
$p = ne_start($conf);
@q = ne_wait_requests($h3, 3, 10);
ok(settled(), 'started a third time, it delivers what waited');
$rc = ne_stop($p);
is($rc, 0, 'and stops with exit 0');

# The database connection is cut during a slow transfer: the transfer
# goes on, lumen notify reconnects and reports it; a lead after that is
# heard (LISTEN again) and delivered.
$p = ne_start($conf);
ok(settled(), 'started a fourth time');
my $lead4 = ne_ingest(name => 'Arrives Before The Cut', service => 'Veneers');
@q = ne_wait_requests($h3, 4, 10);
my $m4 = $q[3] ? $q[3]{h}{'webhook-id'} : '';
my $cut = ne_sql("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
                   WHERE datname = current_database() AND usename = 'lumen_notify'");
ok($cut >= 1 && ne_wait_until(sub { ne_sql("SELECT delivered_at IS NOT NULL FROM lumen.outbox WHERE message_id = :'m'", m => $m4) eq 't' }, 15),
   "the database connection cut ($cut) during a transfer: lumen notify reconnects and reports it delivered");
sleep 1;
$t0 = time;
my $lead5 = ne_ingest(name => 'Arrives After The Cut', service => 'Veneers');
@q = ne_wait_requests($h3, 5, 10);
ok(@q == 5 && ne_alive($p), sprintf('a lead after the reconnection is delivered too, by the same process, in %.2f s', time - $t0));
$rc = ne_stop($p);
is($rc, 0, 'and it stops with exit 0');

my @hooks = ne_requests($h3);
my %seen;
$seen{$_->{h}{'webhook-id'} // '?'}++ for @hooks;
my @want = split /\n/, ne_sql("SELECT message_id FROM lumen.outbox WHERE webhook_id = :'w' ORDER BY id", w => $w2);
ok(join(',', sort keys %seen) eq join(',', sort @want) && @want == 5,
   'every message for the endpoint arrived, and only those (' . join(', ', map { "$_ x$seen{$_}" } sort keys %seen) . ')');
ok(!grep({ $seen{$_} > 1 } keys %seen), 'none twice (a second copy would carry the same webhook-id)');
my @bad = grep { (ne_signatures_ok($_, $sec2))[1] != 1 } @hooks;
ok(!@bad && ne_sql("SELECT count(*) FROM lumen.outbox WHERE delivered_at IS NULL AND failed_at IS NULL") eq '0',
   'each signed, and nothing is left undelivered in the outbox');

# A crash (SIGKILL) during a transfer: the message stays claimed; once the
# claim's lease has passed (moved by the superuser: "time passes"), the
# next lumen notify sends it again, with the same webhook-id, so the
# receiver can tell it is the same message.
my $h4 = ne_receiver('crash', script => '200@3');
my (undef, undef, $w4) = ne_webhook_add($token, "$h4->{url}/hook", 'crash');
$p = ne_start($conf);
ok(settled(), 'started a fifth time');
my $lead6 = ne_ingest(name => 'Arrives Before The Crash', service => 'Crowns');
@q = ne_wait_requests($h4, 1, 10);
$rc = ne_stop($p, 5, 'KILL');
my $m6 = ne_sql("SELECT message_id FROM lumen.outbox WHERE webhook_id = :'w'", w => $w4);
is(ne_sql("SELECT (delivered_at IS NULL) || ' ' || (claim_token IS NOT NULL) FROM lumen.outbox WHERE message_id = :'m'", m => $m6),
   'true true', "killed ($rc) during the transfer: the message is claimed and not delivered");
ne_sql("UPDATE lumen.outbox SET claimed_until = now() - interval '1 second', next_attempt_at = now() - interval '1 second'
         WHERE message_id = :'m'", m => $m6);
$p = ne_start($conf);
@q = ne_wait_requests($h4, 2, 10);
my $redelivered = ne_wait_until(sub { ne_sql("SELECT delivered_at IS NOT NULL FROM lumen.outbox WHERE message_id = :'m'", m => $m6) eq 't' }, 10);
ok(@q == 2 && ($q[0]{h}{'webhook-id'} // '') eq $m6 && ($q[1]{h}{'webhook-id'} // '') eq $m6 && $redelivered,
   'after the lease, it is sent again with the same webhook-id and delivered (' . scalar(@q) . ' requests)');
$rc = ne_stop($p);
is($rc, 0, 'and that lumen notify stops with exit 0');
done();
