#!/usr/bin/perl
# The daily audit checkpoint (DESIGN.md, "Threat model") through lumen
# notify, on a database of its own copied from the demo data, no
# checkpoint sent yet:
#   - `lumen notify --once` writes one per open practice (one log line),
#     and delivers Bright Smile's to its webhook (signed) and to its Owner
#     by email: the head of the practice's chain, as stored;
#   - that head is one `lumen audit verify` (as the Owner, password and
#     2FA code on stdin) finds the chain passing through: kept as the
#     verified head, verify is ok and says so; the same seq with one hex
#     digit changed fails (verify as the Admin: the Owner's next 2FA code
#     would be another 30 s away);
#   - a second run within the day sends none; two deliverers started at
#     once write one per practice.
# (verify cannot print the checkpoint's own head: its sign-in, its
# audit.view row and its sign-out are rows of the chain after it.)
use strict;
use warnings;
use File::Basename qw(dirname);
use lib dirname(__FILE__);
use NotifyE2E;
use POSIX ();
use Time::HiRes qw(time sleep);

ne_skip_unless_ready();
plan(17);
ne_db();

my $KEY = 'ek_e2e_' . $$ . '_key';
my $hook = ne_receiver('hook');
my $mail = ne_receiver('mail', key => $KEY);
my $conf = ne_conf(email_api => "$mail->{url}/email", email_key => $KEY,
                   email_from => 'Lumen alerts <alerts@lumen.test>');
my $token = ne_owner_sign_in();
my $signin_step = int(time / 30);      # its 2FA code is used: verify needs the next one
my ($st, $secret) = ne_webhook_add($token, "$hook->{url}/archive", 'audit archive');
is($st, 'ok', 'the Owner adds a webhook');

# No checkpoint sent yet (ne_db takes today's as sent: undone here).
ne_sql("DELETE FROM lumen.audit_checkpoints");
my $open = ne_sql("SELECT count(*) FROM lumen.practices WHERE closed_at IS NULL");
my ($rc, $err) = ne_once($conf);
is($rc, 0, 'lumen notify --once: exit 0');
my @lines = grep { /audit checkpoint/ } split /\n/, $err;
ok(@lines == 1 && $lines[0] =~ /lumen notify: audit checkpoint written for $open practices?$/,
   "one line says it wrote one for each of the $open open practices: @lines");

my @cp = grep { ne_kind($_) eq 'audit.checkpoint' } ne_requests($hook);
is(scalar(@cp), 1, 'the webhook got one audit.checkpoint');
my $q = $cp[0] // { h => {}, body => '' };
my (undef, $match) = ne_signatures_ok($q, $secret);
is($match, 1, 'signed with the webhook\'s secret');
my $d = (ne_json($q->{body}) // {})->{data} // {};
my ($seq, $hash) = ($d->{head_seq} // '', $d->{head_hash} // '');
is($d->{practice_id} // '', $BSD, "it is Bright Smile's ($d->{practice_name})");
is("$seq $hash", ne_sql("SELECT h.last_seq || ' ' || encode(h.last_hash, 'hex') FROM audit.audit_chain_heads h
                          WHERE h.practice_id = :'p'", p => $BSD),
   "it carries the chain's head as stored now: link $seq, $hash");

my ($m) = grep { ((ne_json($_->{body}) // {})->{subject} // '') =~ /^Audit log checkpoint for Bright Smile/ }
           ne_requests($mail, '/email');
my $mj = ne_json(($m // {})->{body} // '') // {};
my $to = ref $mj->{to} eq 'ARRAY' ? join(',', @{ $mj->{to} }) : $mj->{to} // '';
ok($to eq $OWNER && ($mj->{text} // '') =~ /: row \Q$seq\E, hash \Q$hash\E /,
   "the Owner's email gives the same row and hash: " . ($mj->{subject} // '') . ' / ' . ($mj->{text} // ''));

# The Owner keeps the checkpoint as a verified head; lumen audit verify
# then checks the chain still passes through it.
my $state = ne_tmp() . '/state';
mkdir $state;
mkdir "$state/lumen", 0700;
$ENV{XDG_STATE_HOME} = $state;
sub keep_head {
    my ($s, $h) = @_;
    open(my $f, '>', "$state/lumen/audit-anchors") or die;
    print $f "$BSD $s $h $d->{at}\n";
    close $f;
    chmod 0600, "$state/lumen/audit-anchors";
}
# As WHO: the Owner (password, then a 2FA code of a step not used yet) or
# the Admin (password only).
sub verify {
    my $who = shift;
    my $code = '';
    if ($who eq $OWNER) {
        sleep 0.2 while int(time / 30) <= $signin_step;
        $code = `oathtool --totp -b JBSWY3DPEHPK3PXP`;
        chomp $code;
        $signin_step = int(time / 30);
    }
    my $in = ne_tmp() . "/verify$$.in";
    open(my $f, '>', $in) or die;
    print $f "lumen-demo-2026\n$code\n";
    close $f;
    my $pid = fork // die;
    if ($pid == 0) {
        open(STDIN, '<', $in);
        open(STDOUT, '>', "$in.out");
        open(STDERR, '>', "$in.err");
        exec($LUMEN, '--config', $conf, 'audit', 'verify', '--email', $who, '--password-stdin')
            or POSIX::_exit(127);
    }
    waitpid($pid, 0);
    return ($? >> 8, ne_slurp("$in.out"), ne_slurp("$in.err"));
}
keep_head($seq, $hash);
my ($vrc, $vout, $verr) = verify($OWNER);
ok($vrc == 0 && $vout =~ /^ok: .*; head [0-9a-f]{64} \(link (\d+)\)$/m && $1 > $seq,
   "lumen audit verify as the Owner: ok, its head past the checkpoint's ($vout$verr)");
ok($vout =~ /^the chain passes through link \Q$seq\E, verified on /m,
   'and the chain passes through the checkpoint\'s link with its hash');

(my $bad = $hash) =~ s/^(.)/$1 eq '0' ? '1' : '0'/e;
keep_head($seq, $bad);
($vrc, $vout, $verr) = verify('admin@brightsmile.test');
ok($vrc == 1 && $vout !~ /^ok:/m && $verr =~ /\Q$seq\E/,
   "a checkpoint of that link with another hash fails verify (as the Admin): $verr");

# Within the day: none again.
my $before = scalar(ne_requests($hook));
($rc, $err) = ne_once($conf);
ok($rc == 0 && $err !~ /audit checkpoint/, 'a second --once within the day writes none');
is(scalar(grep { ne_kind($_) eq 'audit.checkpoint' } ne_requests($hook)), 1, 'and the webhook got no other');
is(ne_sql("SELECT count(*) FROM lumen.outbox WHERE kind = 'audit.checkpoint' AND practice_id = :'p'
            AND delivered_at IS NOT NULL", p => $BSD), '2', 'Bright Smile\'s two (email, webhook) delivered');

# Two deliverers at once, no checkpoint sent: one per practice.
ne_sql("DELETE FROM lumen.audit_checkpoints");
my $top = ne_sql("SELECT max(id) FROM lumen.outbox");
my @run = map { ne_start($conf, '--once') } 1 .. 2;
my @rcs = map { ne_stop($_, 60, 0) } @run;
is("@rcs", '0 0', 'two lumen notify --once started together: both exit 0');
is(ne_sql("SELECT count(DISTINCT practice_id) || ' ' || count(*) FILTER (WHERE channel = 'email')
             FROM lumen.outbox WHERE kind = 'audit.checkpoint' AND id > :'t'", t => $top),
   "$open $open", "one checkpoint per open practice ($open), one email each, between them");
is(scalar(grep { ne_kind($_) eq 'audit.checkpoint' } ne_requests($hook)), 2,
   'and one more webhook request for Bright Smile');
done();
