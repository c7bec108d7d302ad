#!/usr/bin/perl
# lumen notify (issue 11): two `lumen notify --once` started at the same
# time over 20 due messages (and two running `lumen notify` over 20 more)
# send each message exactly once: claims skip what the other holds.  On a
# database of its own copied from the demo data.
use strict;
use warnings;
use File::Basename qw(dirname);
use lib dirname(__FILE__);
use NotifyE2E;
use POSIX qw(WNOHANG);
use Time::HiRes qw(time sleep);

ne_skip_unless_ready();
plan(9);
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
my @rc = map { ne_stop($_) } @p;
is("@rc", '0 0', 'both stop on SIGTERM with exit 0');
is(ne_sql("SELECT count(*) FROM lumen.outbox WHERE delivered_at IS NULL AND failed_at IS NULL"), '0', 'nothing left undelivered');
done();
