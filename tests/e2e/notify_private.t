#!/usr/bin/perl
# lumen notify (issue 11) and addresses on the practice's own network, on
# a database of its own copied from the demo data.  Without
# `[notify] allow_private = yes`, a webhook whose host resolves to a
# loopback or link-local address (localhost, [::1], [::ffff:127.0.0.1],
# the cloud metadata address) is refused before any connection: nothing
# reaches the receiver, the message waits with an error that says why,
# and `lumen notify status` shows it (through the sanitizer).  With the
# key, the same localhost URL is delivered.  A host written as a number
# (127.1, 0x7f000001: read differently by different parsers) is refused
# with or without the key.  Without email_api, email stays due; without a
# database, --once exits 1.
use strict;
use warnings;
use File::Basename qw(dirname);
use lib dirname(__FILE__);
use NotifyE2E;

ne_skip_unless_ready();
plan(19);
ne_db();

my $token = ne_owner_sign_in();
my $hook = ne_receiver('hook');
my $P = $hook->{port};
# A port nothing listens on (a receiver that is gone).
my $gone = ne_receiver('gone');
my $Q = $gone->{port};
ne_receiver_stop($gone);

my %url = (
    localhost => "http://localhost:$P/hook",
    tls_localhost => "https://localhost:$Q/hook",
    short => "https://127.1:$Q/hook",
    hex => "https://0x7f000001:$Q/hook",
    v6 => "https://[::1]:$Q/hook",
    mapped => "https://[::ffff:127.0.0.1]:$Q/hook",
    metadata => 'https://169.254.169.254/latest/meta-data/',
);
my %wid;
for my $k (sort keys %url) {
    my ($st, undef, $id) = ne_webhook_add($token, $url{$k}, $k);
    $wid{$k} = $id if ($st // '') eq 'ok';
}
is(join(' ', sort keys %wid), join(' ', sort keys %url), 'the Owner adds the webhooks (the api checks shape, not addresses)');
for my $k (sort keys %wid) { ne_api_write($token, "api.notify_test(:'t', :'w')", w => $wid{$k}); }

sub err_of {
    my $k = shift;
    return ne_sql("SELECT coalesce(last_error, '-') FROM lumen.outbox WHERE webhook_id = :'w' ORDER BY id DESC LIMIT 1", w => $wid{$k});
}
sub state_of {
    my $k = shift;
    return ne_sql("SELECT CASE WHEN delivered_at IS NOT NULL THEN 'delivered' WHEN failed_at IS NOT NULL THEN 'failed'
                               ELSE 'waiting' END || ' ' || attempts
                     FROM lumen.outbox WHERE webhook_id = :'w' ORDER BY id DESC LIMIT 1", w => $wid{$k});
}

my $no = ne_conf(allow_private => undef);            # the default: no
my ($rc, $err) = ne_once($no);
is($rc, 0, "lumen notify --once without allow_private: exit 0");
ok(!-e "$hook->{dir}/accepted", 'the receiver on 127.0.0.1 got no connection at all');
my @waiting = grep { state_of($_) eq 'waiting 1' } sort keys %wid;
is("@waiting", join(' ', sort keys %wid), 'each message was tried once and waits for a retry');
ok(err_of('tls_localhost') =~ /refused/i && err_of('tls_localhost') =~ /127\.0\.0\.1/ && err_of('tls_localhost') =~ /loopback/
   && err_of('tls_localhost') =~ /allow_private/,
   'https://localhost: the error says it resolves to 127.0.0.1, a loopback address, and names the key: ' . err_of('tls_localhost'));
ok(err_of('localhost') =~ /refused/i, 'http://localhost: refused too: ' . err_of('localhost'));
ok(err_of('v6') =~ /refused/i && err_of('v6') =~ /loopback/, '[::1] is loopback: ' . err_of('v6'));
ok(err_of('mapped') =~ /refused/i && err_of('mapped') =~ /loopback/, '[::ffff:127.0.0.1] (IPv4-mapped) is loopback: ' . err_of('mapped'));
my %odd = map { $_ => err_of($_) } qw(short hex);
my @odd = grep { $odd{$_} =~ /refused/i && $odd{$_} !~ /loopback/ } qw(short hex);
is("@odd", 'short hex', '127.1 and 0x7f000001 are refused as hosts written as numbers: '
   . join(' | ', map { $odd{$_} } qw(short hex)));
ok(err_of('metadata') =~ /refused/i && err_of('metadata') =~ /link-local/,
   'the cloud metadata address is refused as link-local: ' . err_of('metadata'));
ok($err =~ /refused/ && $err !~ /meta-data|\/hook/, "the log says so per attempt, host only: $err");

my ($src, $out, $serr) = ne_run($LUMEN, '--config', $no, 'notify', 'status');
ok($src == 0 && $out =~ /notify\.test/ && $out =~ /webhook/ && $out =~ /refused/,
   "lumen notify status shows the messages waiting and the last error:\n$out$serr");
# A last error is shown through the sanitizer.
# (The latest error of the kind and channel is the one shown.)
ne_sql("UPDATE lumen.outbox SET last_error = E'\\033]0;pwned\\007\\033[2J', last_attempt_at = now() + interval '1 s',
                            last_error_at = now() + interval '1 s'
         WHERE webhook_id = :'w'", w => $wid{metadata});
($src, $out, $serr) = ne_run($LUMEN, '--config', $no, 'notify', 'status');
ok($src == 0 && $out !~ /[\033\007]/ && $out =~ /pwned/,
   "a last error with escapes is printed as placeholders, never raw:\n$out$serr");

# Without [notify] email_api, email is not claimed: it stays due, and
# status says so.
my $eid = ne_sql("SELECT id FROM lumen.notify_emails WHERE email = 'frontdesk\@brightsmile.test' AND removed_at IS NULL");
ne_api_write($token, "api.notify_test(:'t', :'e')", e => $eid);
# (The webhooks' retries are kept out of this run however slow the
# machine: they are tried next with allow_private, below.)
ne_sql("UPDATE lumen.outbox SET next_attempt_at = now() + interval '1 hour' WHERE channel = 'webhook' AND delivered_at IS NULL");
($rc, $err) = ne_once($no);
($src, $out, $serr) = ne_run($LUMEN, '--config', $no, 'notify', 'status');
ok($rc == 0 && ne_sql("SELECT attempts FROM lumen.outbox WHERE kind = 'notify.test' AND channel = 'email'") eq '0'
   && $out =~ /^notify\.test\s+email\s+1\s+0\s/m,
   "no email_api: the email is not tried, status shows it due:\n$out");

# No database: --once exits 1 with one line.
(my $nodb = ne_slurp($no)) =~ s/^dbname = .*/dbname = no_such_db_$$/m;
open(my $fh, '>', "$no.nodb") or die;
print $fh $nodb;
close $fh;
chmod 0600, "$no.nodb";
($rc, $err) = ne_once("$no.nodb");
ok($rc == 1 && $err =~ /no_such_db|database/, "a database it cannot reach: --once exits 1 ($rc): $err");

# With allow_private: the metadata endpoint is removed first (an attempt
# would wait for its timeout), the rest tried again.
my $r = ne_api_write($token, "api.notify_webhook_remove(:'t', :'w')", w => $wid{metadata});
my $yes = ne_conf(allow_private => 'yes');
ne_time_passes();
($rc, $err) = ne_once($yes);
my @q = ne_requests($hook);
ok($rc == 0 && @q == 1 && ne_kind($q[0]) eq 'notify.test' && state_of('localhost') eq 'delivered 2',
   "with allow_private = yes, http://localhost is delivered (" . scalar(@q) . " request, " . state_of('localhost') . ')');
my @tried = grep { state_of($_) eq 'waiting 2' && err_of($_) !~ /allow_private/ } qw(mapped tls_localhost v6);
is("@tried", 'mapped tls_localhost v6', 'the other loopback ones were tried (nothing listens there): '
   . join(' | ', map { err_of($_) } qw(mapped tls_localhost v6)));
@odd = grep { state_of($_) eq 'waiting 2' && err_of($_) eq $odd{$_} } qw(short hex);
is("@odd", 'short hex', 'hosts written as numbers stay refused with allow_private too');
is(ne_sql("SELECT coalesce(failed_at IS NOT NULL, false) || ' ' || coalesce(last_error, '-') FROM lumen.outbox WHERE webhook_id = :'w'", w => $wid{metadata}),
   'true endpoint removed', "$r->{status}: the removed endpoint's message fails: endpoint removed");
done();
