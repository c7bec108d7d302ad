#!/usr/bin/perl
# lumen notify (issue 11): two `lumen notify --once` started at the same
# time over 20 due messages (and two running `lumen notify` over 20 more)
# send each message exactly once: claims skip what the other holds.  Leads
# from three connections at once while both run: each lead in exactly one
# alert; 150 leads in one transaction, one alert.  A deliverer whose
# slots are all busy waits for a transfer rather than spinning, and idle
# it sleeps (CPU time against the wall clock).  On a database of its own
# copied from the demo data.
use strict;
use warnings;
use File::Basename qw(dirname);
use lib dirname(__FILE__);
use NotifyE2E;
use POSIX qw(WNOHANG);
use Time::HiRes qw(time sleep);

ne_skip_unless_ready();
plan(15);
ne_db();

my $N = 20;
my $KEY = 'ek_concurrent';
my $mail = ne_receiver('mail', key => $KEY);
# Two at a time each, so that neither takes everything in one claim.
my $conf = ne_conf(email_api => "$mail->{url}/email", email_key => $KEY, email_from => 'alerts@lumen.test',
                   concurrency => 2);
my $token = ne_owner_sign_in();
my $hook = ne_receiver('hook');
my ($st, $sec, $wid) = ne_webhook_add($token, "$hook->{url}/hook", 'concurrent');
is($st, 'ok', 'a webhook');

sub queue_tests {
    my $n = shift;
    my $ok = 0;
    for (1 .. $n) { $ok++ if ne_api_write($token, "api.notify_test(:'t', :'w')", w => $wid)->{status} eq 'ok'; }
    return $ok;
}
my $queued = queue_tests($N);
my $due = ne_sql("SELECT count(*) FROM lumen.outbox WHERE webhook_id = :'w' AND delivered_at IS NULL AND next_attempt_at <= now()", w => $wid);
ok($queued == $N && $due == $N, "$N test deliveries are due ($due)");

# Both started before either claims: forked, then released together.
my @kids;
my $go = ne_tmp() . '/go';
for my $i (1, 2) {
    my $pid = fork // die;
    if ($pid == 0) {
        sleep 0.01 until -e $go;
        my ($rc, $err) = ne_once($conf);
        open(my $h, '>', ne_tmp() . "/once$i") or POSIX::_exit(3);
        print $h "$rc\n$err";
        close $h;
        POSIX::_exit(0);
    }
    push @kids, $pid;
}
open(my $g, '>', $go) or die;
close $g;
my $until = time + 40;
for my $pid (@kids) {
    sleep 0.05 while waitpid($pid, WNOHANG) == 0 && time < $until;
    if (kill 0, $pid) { kill 'KILL', $pid; waitpid($pid, 0); }
}
my @res = map { my $t = ne_slurp(ne_tmp() . "/once$_"); [split /\n/, $t, 2] } 1, 2;
ok(($res[0][0] // '') eq '0' && ($res[1][0] // '') eq '0', "both runs exit 0 ($res[0][0], $res[1][0])");
my @q = ne_requests($hook);
my %seen;
$seen{$_->{h}{'webhook-id'} // '?'}++ for @q;
my @want = split /\n/, ne_sql("SELECT message_id FROM lumen.outbox WHERE webhook_id = :'w'", w => $wid);
my @twice = grep { $seen{$_} > 1 } keys %seen;
ok(@q == $N && keys(%seen) == $N && !@twice && join(',', sort keys %seen) eq join(',', sort @want),
   "each of the $N webhook-ids exactly once (" . scalar(@q) . " requests, " . scalar(keys %seen) . " ids"
   . (@twice ? ", twice: @twice" : '') . ')');
my @lines = map { scalar(() = ($_->[1] // '') =~ /notify\.test/g) } @res;
diag("deliveries logged by each run: @lines");
is(ne_sql("SELECT count(*) || ' ' || max(attempts) FROM lumen.outbox WHERE webhook_id = :'w' AND delivered_at IS NOT NULL", w => $wid),
   "$N 1", 'all delivered, each in one attempt');

# The same with two long-running deliverers and messages arriving while
# they run.
my @p = (ne_start($conf), ne_start($conf));
my $ok = ne_wait_until(sub { ne_sql("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()
                                       AND usename = 'lumen_notify'") >= 2 }, 10);
ok($ok, 'two lumen notify running side by side');
queue_tests($N);
@q = ne_wait_requests($hook, 2 * $N, 20);
sleep 0.5;                              # a duplicate would come now
@q = ne_requests($hook);
%seen = ();
$seen{$_->{h}{'webhook-id'} // '?'}++ for @q;
@twice = grep { $seen{$_} > 1 } keys %seen;
ok(@q == 2 * $N && keys(%seen) == 2 * $N && !@twice,
   "$N more, queued while both run: each once (" . scalar(@q) . " requests)");
# Leads arriving from three chatbot connections at once while both run:
# folded into lead alerts or not, every lead is in exactly one alert that
# reached the webhook.
my $first = ne_ingest(name => 'Burst Zero', service => 'Burst');          # (makes the key)
my @burst;
for my $k (1 .. 3) {
    my $pid = fork // die;
    if ($pid == 0) {
        my @ids = map { ne_ingest(name => "Burst $k-$_", service => "Burst $k") } 1 .. 10;
        open(my $h, '>', ne_tmp() . "/burst$k") or POSIX::_exit(3);
        print $h join("\n", @ids), "\n";
        close $h;
        POSIX::_exit(0);
    }
    push @burst, $pid;
}
waitpid($_, 0) for @burst;
my @leads = ($first, map { split /\n/, ne_slurp(ne_tmp() . "/burst$_") } 1 .. 3);
ok(ne_wait_until(sub { ne_sql("SELECT count(*) FROM lumen.outbox WHERE kind = 'lead.new'
                                 AND delivered_at IS NULL AND failed_at IS NULL") eq '0' }, 20),
   scalar(@leads) . ' leads from three connections at once: every lead alert delivered');
my (%got, $count);
for my $r (grep { ne_kind($_) eq 'lead.new' } ne_requests($hook)) {
    my $d = (ne_json($r->{body}) // {})->{data} // {};
    $count += $d->{count} // 0;
    $got{$_}++ for @{ $d->{lead_ids} // [] };
}
my @twice_l = grep { $got{$_} > 1 } keys %got;
ok(join(',', sort { $a <=> $b } keys %got) eq join(',', sort { $a <=> $b } @leads) && !@twice_l
   && $count == @leads,
   'each lead in exactly one alert received, the counts adding up (' . scalar(keys %got) . ' ids, count '
   . ($count // 0) . ', ' . scalar(grep { ne_kind($_) eq 'lead.new' } ne_requests($hook)) . ' alerts)');

my @rc = map { ne_stop($_) } @p;
is("@rc", '0 0', 'both stop on SIGTERM with exit 0');

# Every slot busy (concurrency 1, a receiver that takes 4 s) with more
# due: lumen notify waits for the transfer, it does not spin; idle, it
# sleeps.  CPU time from /proc, against the wall clock.
sub cpu_s {
    my $pid = shift;
    my $st = ne_slurp("/proc/$pid/stat");
    $st =~ s/^.*\) //s;                        # past "pid (comm) "
    my @f = split / /, $st;
    return ($f[11] + $f[12]) / POSIX::sysconf(POSIX::_SC_CLK_TCK());    # utime + stime
}
my $slowr = ne_receiver('slow', script => '200@4,200@4');
my (undef, undef, $wslow) = ne_webhook_add($token, "$slowr->{url}/hook", 'slow');
my $one = ne_conf(concurrency => 1);
ne_api_write($token, "api.notify_test(:'t', :'w')", w => $wslow) for 1, 2;
my $busy = ne_start($one);
ne_wait_requests($slowr, 1, 10);
my ($c0, $w0) = (cpu_s($busy->{pid}), time);
sleep 3;
my ($c1, $w1) = (cpu_s($busy->{pid}), time);
ok($c1 - $c0 < 0.25 * ($w1 - $w0),
   sprintf('its one slot busy with more due, it waits: %.2f s of CPU in %.1f s', $c1 - $c0, $w1 - $w0));
ne_wait_requests($slowr, 2, 10);
ok(ne_wait_until(sub { ne_sql("SELECT count(*) FROM lumen.outbox WHERE webhook_id = :'w' AND delivered_at IS NULL", w => $wslow) eq '0' }, 10),
   'both delivered, one after the other');
($c0, $w0) = (cpu_s($busy->{pid}), time);
sleep 2;
($c1, $w1) = (cpu_s($busy->{pid}), time);
ok($c1 - $c0 < 0.2, sprintf('idle, it sleeps: %.2f s of CPU in %.1f s', $c1 - $c0, $w1 - $w0));
ne_stop($busy);

# 150 leads in one transaction: one alert, 150 counted, 100 ids kept.
my $key = ne_sql("SELECT lumen.ingest_key_new(:'p')", p => $BSD);
ne_sql_as('lumen_ingest', "SELECT count(ingest.lead_capture(:'k', jsonb_build_object('name', 'Bulk ' || i, 'service', 'Bulk')))
                             FROM generate_series(1, 150) i", k => $key);
ok(ne_sql("SELECT count(*) || ' ' || max((payload->>'count')::int) || ' ' || max(jsonb_array_length(payload->'lead_ids'))
             FROM lumen.outbox WHERE kind = 'lead.new' AND webhook_id = :'w' AND delivered_at IS NULL", w => $wid) eq '1 150 100',
   '150 leads in one transaction: one alert counting 150, with 100 lead ids');
my ($rc, $err) = ne_once($conf);
is(ne_sql("SELECT count(*) FROM lumen.outbox WHERE delivered_at IS NULL AND failed_at IS NULL"), '0', 'nothing left undelivered');
done();
