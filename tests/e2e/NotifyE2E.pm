# tests/e2e/NotifyE2E.pm — what the tests of `lumen notify` (issue 11,
# tests/e2e/notify_*.t) share: a database of the test's own copied from
# lumen_demo, configs for `lumen notify`, receivers (hook_receiver.pl),
# `lumen notify` run once or left running, the Owner of Bright Smile signed
# in through the api (as the client does, by SQL), leads through the
# chatbot's own path (role lumen_ingest and a key), TAP.
#
#   use lib dirname(__FILE__); use NotifyE2E;
#   ne_skip_unless_ready();  plan(N);  ne_db();
#   my $hook = ne_receiver('hook', script => '500,200');
#   my $conf = ne_conf(email_api => ...);
#   my ($rc, $err) = ne_once($conf);
#
# Every process started here is ended at exit (receivers and running
# `lumen notify`: SIGTERM, then SIGKILL), and the database dropped.
package NotifyE2E;
use strict;
use warnings;
use Exporter 'import';
use File::Basename qw(dirname);
use File::Temp qw(tempdir);
use POSIX qw(WNOHANG);
use Time::HiRes qw(time sleep);
use JSON::PP;

our @EXPORT = qw(plan ok is diag done
                 ne_skip_unless_ready ne_db ne_sql ne_sql_as ne_tmp ne_conf ne_receiver ne_receiver_stop
                 ne_requests ne_wait_requests ne_once ne_start ne_stop ne_alive ne_wait_until
                 ne_owner_sign_in ne_api_write ne_webhook_add ne_ingest ne_time_passes
                 ne_hmac_b64 ne_signatures_ok ne_json ne_kind ne_slurp ne_run
                 $BSD $OWNER $LUMEN);

our $BSD = 'a1000000-0000-4000-8000-000000000001';     # Bright Smile Dental
our $OWNER = 'owner@brightsmile.test';
our $LUMEN = $ENV{LUMEN_BIN} // 'lumen';
my $here = dirname(__FILE__);

my $tmp = tempdir(CLEANUP => 1);
sub ne_tmp { return $tmp; }
$ENV{ASAN_OPTIONS} = "log_path=$tmp/asan";
$ENV{UBSAN_OPTIONS} = "log_path=$tmp/ubsan:print_stacktrace=1";

# ------------------------------------------------------------------ TAP
# ok and is take their arguments in scalar context (prototypes): a match
# as the condition would otherwise give its captures, or nothing, in
# place of a truth value, and shift the description.
my ($n, $failed, $planned) = (0, 0, 0);
sub plan { $planned = shift; print "1..$planned\n"; $| = 1; }
sub diag { my $t = join('', @_); $t =~ s/^/# /mg; print STDERR "$t\n"; }
sub ok($$) {
    my ($c, $what) = @_;
    $n++;
    $what =~ s/\n/ /g;
    print(($c ? "ok" : "not ok") . " $n - $what\n");
    $failed++ unless $c;
    return $c;
}
sub is($$$) {
    my ($got, $want, $what) = @_;
    my $c = ok(defined $got && defined $want ? $got eq $want : !defined $got && !defined $want, $what);
    diag("  got:  '" . ($got // 'undef') . "'\n  want: '" . ($want // 'undef') . "'") unless $c;
    return $c;
}
# Under make SANITIZE=1, what the sanitizers find in any lumen run here
# goes to files (as tests/e2e/lib.sh does), and done fails the test on it.
sub done {
    for my $f (glob("$tmp/asan.* $tmp/ubsan.*")) {
        next unless -s $f;
        print "# sanitizer report " . ($f =~ s{.*/}{}r) . ":\n";
        print map { "# $_\n" } split /\n/, ne_slurp($f);
        $failed++;
    }
    exit($failed || $n != $planned ? 1 : 0);
}

# ------------------------------------------------------------------ setup
# Skips the whole file (exit 0) while the backend (part A) or the
# deliverer (part B) is not in the tree yet.
sub ne_skip_unless_ready {
    my $have = `psql -X -At -d lumen_demo -c "SELECT to_regprocedure('notify.claim(integer,text[],integer)') IS NOT NULL" 2>/dev/null`;
    if ($have !~ /^t/) {
        print "1..0 # SKIP notify.claim does not exist yet (the backend of issue 11)\n";
        exit 0;
    }
    system("'$LUMEN' notify --help >/dev/null 2>&1");
    if ($? != 0) {
        print "1..0 # SKIP lumen notify does not exist yet (the deliverer of issue 11)\n";
        exit 0;
    }
}

my $db;
my @pids;               # every process started here, ended at exit
my $owner_pid = $$;     # a forked child must not clean up

sub ne_db {
    my $name = $0;
    $name =~ s{.*/}{};
    $name =~ s/\.t$//;
    $name =~ tr/a-z0-9_/_/c;
    $db = "e2e_${name}_$$";
    system("dropdb --if-exists $db >/dev/null 2>&1");
    system("createdb -T lumen_demo $db") == 0 or do { print "Bail out! cannot create $db\n"; exit 1 };
    # Today's audit checkpoints (notify.checkpoints) taken as written, so
    # that a test's first `lumen notify` delivers only what the test made;
    # tests/e2e/notify_checkpoint.t clears them.
    ne_sql("INSERT INTO lumen.audit_checkpoints (practice_id, sent_at, head_seq, head_hash)
            SELECT p.id, now(), coalesce(h.last_seq, 0), coalesce(h.last_hash, decode(repeat('00', 32), 'hex'))
            FROM lumen.practices p LEFT JOIN audit.audit_chain_heads h ON h.practice_id = p.id");
    return $db;
}

END {
    my $rc = $?;
    if ($$ == $owner_pid) {
        for my $pid (@pids) { kill 'TERM', $pid if kill 0, $pid; }
        my $until = time + 5;
        for my $pid (@pids) {
            while (time < $until && waitpid($pid, WNOHANG) == 0) { sleep 0.05; }
            if (kill 0, $pid) { kill 'KILL', $pid; waitpid($pid, 0); }
        }
        # Through PgBouncer (tests/pooler) its server connections to the
        # database outlive lumen notify: --force ends them (dropdb would
        # wait 5 s for them and fail), as tests/e2e/lib.sh does.
        my $force = $ENV{LUMEN_TEST_POOLER_CONF} ? '--force ' : '';
        system("dropdb --if-exists $force$db >/dev/null 2>&1") if $db;
    }
    $? = $rc;
}

sub ne_slurp { my $f = shift; open(my $h, '<:raw', $f) or return ''; local $/; my $s = <$h>; return $s // ''; }

sub shq { my $s = shift; $s =~ s/'/'\\''/g; return "'$s'"; }

# Runs SQL (psql variables :'name' from %vars) as ROLE in the test's
# database; answers the rows (unaligned, '|' between fields), chomped; dies
# on an error unless asked ($vars{-ok_fail}: answers the error text).
my $sqln = 0;
sub ne_sql_as {
    my ($role, $q, %vars) = @_;
    my $okfail = delete $vars{-ok_fail};
    my $f = "$tmp/q$$-" . ++$sqln . ".sql";
    open(my $h, '>', $f) or die;
    print $h $q;
    close $h;
    my $v = join(' ', map { "-v " . shq("$_=$vars{$_}") } sort keys %vars);
    my $out = `psql -X -q -At -v ON_ERROR_STOP=1 -U $role -d $db $v -f $f 2>&1`;
    if ($? != 0) {
        return $out if $okfail;
        die "psql as $role failed: $out\nin: $q\n";
    }
    chomp $out;
    return $out;
}
sub ne_sql { return ne_sql_as('postgres', @_); }

# A config for `lumen notify` on the test's database: [database] as
# tests/run.sh writes it (or, run by tests/pooler/through.sh, as that
# writes it: through PgBouncer, pooler = transaction), then [notify] with
# user lumen_notify, allow_private (default yes) and whatever else is
# given (email_api, email_key, email_from, concurrency ...; undef leaves a
# key out); pooler goes to [database], in place of the one there.
my $confn = 0;
sub ne_conf {
    my %o = (user => 'lumen_notify', allow_private => 'yes', @_);
    my $f = "$tmp/lumen" . ++$confn . ".conf";
    my $from = $ENV{LUMEN_TEST_POOLER_CONF} || $ENV{LUMEN_TEST_CONF};
    open(my $in, '<', $from) or die "$from: $!";
    open(my $out, '>', $f) or die;
    while (<$in>) {
        s/^dbname = .*/dbname = $db/;
        next if /^pooler = / && defined $o{pooler};
        print $out $_;
        print $out "pooler = $o{pooler}\n" if /^dbname = / && defined $o{pooler};
    }
    print $out "[notify]\n";
    for my $k (qw(user allow_private email_api email_key email_from concurrency)) {
        print $out "$k = $o{$k}\n" if defined $o{$k};
    }
    close $out;
    chmod 0600, $f;
    return $f;
}

# ------------------------------------------------------------------ receivers
# Starts hook_receiver.pl (see there) in $tmp/NAME-k; answers
# {dir, port, pid, url => "http://127.0.0.1:PORT"}.
my %rcount;
sub ne_receiver {
    my ($name, %o) = @_;
    my $dir = "$tmp/$name-" . ++$rcount{$name};
    mkdir $dir or die "$dir: $!";
    my @args = ('--dir', $dir);
    push @args, '--port', $o{port} if $o{port};
    push @args, '--script', $o{script} if defined $o{script};
    push @args, '--key', $o{key} if defined $o{key};
    my $pid = fork // die "fork: $!";
    if ($pid == 0) {
        open(STDOUT, '>', '/dev/null');
        open(STDERR, '>', "$dir.err");
        exec('perl', "$here/hook_receiver.pl", @args) or POSIX::_exit(127);
    }
    push @pids, $pid;
    my $until = time + 10;
    while (!-s "$dir/port") {
        if (time > $until || waitpid($pid, WNOHANG) == $pid) {
            die "receiver $name did not start: " . ne_slurp("$dir.err");
        }
        sleep 0.02;
    }
    my $port = ne_slurp("$dir/port");
    chomp $port;
    return { name => $name, dir => $dir, port => $port, pid => $pid, url => "http://127.0.0.1:$port" };
}

sub ne_receiver_stop {
    my $r = shift;
    kill 'TERM', $r->{pid};
    waitpid($r->{pid}, 0);
    @pids = grep { $_ != $r->{pid} } @pids;
}

# The requests a receiver has read so far (optionally only those whose
# path starts with PREFIX), in order: {n, method, path, h => {name =>
# value (the last)}, body, raw}.
sub ne_requests {
    my ($r, $prefix) = @_;
    my @out;
    opendir(my $d, $r->{dir}) or return ();
    for my $f (sort grep { /^\d{4}\.req$/ } readdir $d) {
        my $raw = ne_slurp("$r->{dir}/$f");
        my $at = index($raw, "\n\n");
        my ($head, $body) = $at < 0 ? ($raw, '') : (substr($raw, 0, $at), substr($raw, $at + 2));
        my ($first, @lines) = split /\n/, $head;
        my ($method, $path) = split / /, $first, 2;
        my %h;
        for (@lines) { my ($k, $v) = split /: /, $_, 2; $h{$k} = $v // ''; }
        next if defined $prefix && index($path, $prefix) != 0;
        push @out, { n => substr($f, 0, 4), method => $method, path => $path, h => \%h,
                     body => $body, raw => $raw };
    }
    return @out;
}

# Waits up to SECS for at least N requests (with PREFIX); answers them.
sub ne_wait_requests {
    my ($r, $count, $secs, $prefix) = @_;
    my $until = time + ($secs // 10);
    my @q;
    while (1) {
        @q = ne_requests($r, $prefix);
        return @q if @q >= $count || time > $until;
        sleep 0.05;
    }
}

sub ne_wait_until {
    my ($cond, $secs) = @_;
    my $until = time + ($secs // 10);
    while (1) {
        my $v = $cond->();
        return $v if $v || time > $until;
        sleep 0.05;
    }
}

# ------------------------------------------------------------------ lumen notify
my $runn = 0;
# A command with its stdout and stderr: (exit code, stdout, stderr).
sub ne_run {
    my @cmd = @_;
    my $base = "$tmp/run$$-" . ++$runn;
    my $pid = fork // die;
    if ($pid == 0) {
        open(STDIN, '<', '/dev/null');
        open(STDOUT, '>', "$base.out");
        open(STDERR, '>', "$base.err");
        exec(@cmd) or POSIX::_exit(127);
    }
    waitpid($pid, 0);
    my $rc = $? & 127 ? 128 + ($? & 127) : $? >> 8;
    return ($rc, ne_slurp("$base.out"), ne_slurp("$base.err"));
}

# `lumen notify --once` on CONF: (exit code, stderr).
sub ne_once {
    my ($conf, @args) = @_;
    my ($rc, $out, $err) = ne_run($LUMEN, '--config', $conf, 'notify', '--once', @args);
    return ($rc, $out . $err);
}

# `lumen notify` left running on CONF: {pid, err => its stderr's file}.
sub ne_start {
    my ($conf, @args) = @_;
    my $err = "$tmp/notify$$-" . ++$runn . ".err";
    my $pid = fork // die;
    if ($pid == 0) {
        open(STDIN, '<', '/dev/null');
        open(STDOUT, '>>', $err);
        open(STDERR, '>>', $err);
        exec($LUMEN, '--config', $conf, 'notify', @args) or POSIX::_exit(127);
    }
    push @pids, $pid;
    return { pid => $pid, err => $err };
}

sub ne_alive { my $p = shift; return waitpid($p->{pid}, WNOHANG) == 0; }

# SIGTERM (or SIG) and wait up to SECS: the exit code, 128+signal, or
# 'hung' (then killed).
sub ne_stop {
    my ($p, $secs, $sig) = @_;
    kill($sig // 'TERM', $p->{pid});
    my $until = time + ($secs // 20);
    my $w;
    while (($w = waitpid($p->{pid}, WNOHANG)) == 0 && time < $until) { sleep 0.05; }
    my $rc;
    if ($w == 0) {
        kill 'KILL', $p->{pid};
        waitpid($p->{pid}, 0);
        $rc = 'hung';
    } else {
        $rc = $? & 127 ? 128 + ($? & 127) : $? >> 8;
    }
    @pids = grep { $_ != $p->{pid} } @pids;
    return $rc;
}

# ------------------------------------------------------------------ the api
# The demo Owner of Bright Smile signs in as the client does (db/API.md,
# "Sign-in, step by step"): K from db/demo/README-kdf.txt, api.login, then
# the second factor (oathtool).  Each call and each api.attempt_result in
# a statement of its own, in autocommit.  Answers the session token.
sub ne_owner_sign_in {
    my ($k) = map { (split / /)[2] } grep { /^\Q$OWNER\E / } split /\n/, ne_slurp("$here/../../db/demo/README-kdf.txt");
    die "no K for $OWNER" unless $k;
    my $att = ne_sql("SELECT api.login(:'e', decode(:'k', 'hex'), '{\"version\": \"e2e\"}')", e => $OWNER, k => $k);
    my ($status, $token) = split /\|/, ne_sql("SELECT status, token FROM api.attempt_result(:'a')", a => $att);
    die "sign-in: $status" unless ($status // '') eq 'ok';
    my $code = `oathtool --totp -b JBSWY3DPEHPK3PXP`;
    chomp $code;
    $att = ne_sql("SELECT api.mfa_verify(:'t', :'c')", t => $token, c => $code);
    my ($s2) = ne_sql("SELECT status FROM api.attempt_result(:'a')", a => $att);
    die "second factor: $s2" unless $s2 eq 'ok';
    return $token;
}

# A write of the api (CALL: SQL with :'t' for the token and other psql
# variables), then its outcome: {status, affected, secret, info (decoded)}.
sub ne_api_write {
    my ($token, $call, %vars) = @_;
    my $att = ne_sql("SELECT $call", t => $token, %vars);
    my $row = ne_sql("SELECT status || chr(31) || coalesce(affected::text, '') || chr(31) || coalesce(secret, '')"
                   . " || chr(31) || coalesce(info::text, '') FROM api.attempt_result(:'a')", a => $att);
    my ($status, $affected, $secret, $info) = split /\x1f/, $row, 4;
    return { status => $status, affected => $affected, secret => $secret,
             info => ($info // '') ne '' ? decode_json($info) : {} };
}

# api.notify_webhook_add as the Owner: (status, whsec secret, webhook id).
sub ne_webhook_add {
    my ($token, $url, $desc) = @_;
    my $r = ne_api_write($token, "api.notify_webhook_add(:'t', :'u', :'d')", u => $url, d => $desc // 'e2e');
    return ($r->{status}, $r->{secret}, $r->{info}{webhook_id});
}

# A lead for Bright Smile as the chatbot writes it: ingest.lead_capture as
# role lumen_ingest with a key of the practice (made once).  Answers its id.
my $ingest_key;
sub ne_ingest {
    my (%f) = @_;
    $ingest_key //= ne_sql("SELECT lumen.ingest_key_new(:'p')", p => $BSD);
    my %lead = (name => 'E2E Visitor', service => 'Cleaning', phone => '+1 312 555 0100',
                email => 'visitor@example.test', visitor_id => 'v-e2e', %f);
    my $said = delete $lead{said} // 'Hello, I would like an appointment.';
    $lead{transcript} = [{ from => 'bot', text => 'Hi! How can we help?' }, { from => 'visitor', text => $said }];
    return ne_sql_as('lumen_ingest', "SELECT ingest.lead_capture(:'k', :'l')",
                     k => $ingest_key, l => JSON::PP->new->canonical->encode(\%lead));
}

# "Time passes": every message waiting for a retry is due now.
sub ne_time_passes {
    ne_sql("UPDATE lumen.outbox SET next_attempt_at = now() WHERE delivered_at IS NULL AND failed_at IS NULL");
}

# ------------------------------------------------------------------ signatures
# base64 HMAC-SHA256 of MSG under the whsec_ SECRET's key, by openssl (an
# implementation of its own, not Lumen's).
sub ne_hmac_b64 {
    my ($secret, $msg) = @_;
    (my $b64 = $secret) =~ s/^whsec_//;
    my $hex = unpack('H*', MIME::Base64::decode_base64($b64));
    my $f = "$tmp/hmac$$.msg";
    open(my $h, '>:raw', $f) or die;
    print $h $msg;
    close $h;
    my $sig = `openssl dgst -sha256 -mac HMAC -macopt hexkey:$hex -binary $f | openssl base64 -A`;
    die "openssl failed" if $?;
    return $sig;
}
use MIME::Base64 ();

# Which of SECRETS sign the request (by its webhook-signature header):
# answers (number of v1 signatures, number of SECRETS each matched by one).
sub ne_signatures_ok {
    my ($req, @secrets) = @_;
    my $msg = ($req->{h}{'webhook-id'} // '') . '.' . ($req->{h}{'webhook-timestamp'} // '') . '.' . $req->{body};
    my @sigs = map { /^v1,(.*)$/ ? $1 : () } split / /, $req->{h}{'webhook-signature'} // '';
    my $matched = 0;
    for my $s (@secrets) {
        my $want = ne_hmac_b64($s, $msg);
        $matched++ if grep { $_ eq $want } @sigs;
    }
    return (scalar(@sigs), $matched);
}

sub ne_json { my $t = shift; my $v = eval { JSON::PP->new->decode($t) }; return $v; }

# A webhook request's event type (its body's "type"), '?' when none.
sub ne_kind {
    my $j = ne_json(shift->{body});
    return ref($j) eq 'HASH' && defined $j->{type} ? $j->{type} : '?';
}

1;
