#!/usr/bin/perl
# lumen notify behind PgBouncer in transaction mode, on a server
# connection that a pool-mate (anyone logging in as lumen_notify) has
# left with SETs of its own: its calls run with lumen's settings, in their
# own transaction (client/notify_db.c, send_call), and leave nothing of
# theirs behind.  As tests/pooler/settings.c checks it for the client.
#
# The poison that bites: default_transaction_read_only = on, under which
# notify.claim (SELECT ... FOR UPDATE, UPDATE) fails, as the pool-mate
# sees.  The pooler keeps one server connection per database and role
# (tests/pooler/pgbouncer.sh), so the pool-mate and lumen notify take
# turns on the same one: checked by pg_backend_pid() and pg_stat_activity.
# (A statement_timeout of 1 ms left behind is not tried: it may fire
# before the call's own settings are in place, which makes the call fail,
# as conn.c says, never run with other settings.)
#
# Runs itself through tests/pooler/through.sh.
use strict;
use warnings;
BEGIN {
    exec('sh', 'tests/pooler/through.sh', $0) or die "through.sh: $!"
        unless $ENV{LUMEN_TEST_POOLER_CONF};
}
use File::Basename qw(dirname);
use lib dirname(__FILE__) . '/../e2e';
use NotifyE2E;

ne_skip_unless_ready();
plan(9);
my $db = ne_db();

# PgBouncer's socket and port, as the pooled config names them.
my %pooler = map { /^(host|port) = (.*)$/ ? ($1 => $2) : () }
             split /\n/, ne_slurp($ENV{LUMEN_TEST_POOLER_CONF});
# SQL as lumen_notify through PgBouncer, outside Lumen: the pool-mate.
# Answers the rows, or (with OKFAIL) the error text.
sub mate {
    my ($sql, $okfail) = @_;
    my ($rc, $out, $err) = ne_run('psql', '-X', '-q', '-At', '-v', 'ON_ERROR_STOP=1',
                                  '-h', $pooler{host}, '-p', $pooler{port},
                                  '-U', 'lumen_notify', '-d', $db, '-c', $sql);
    die "pool-mate: '$sql': $err" if $rc != 0 && !$okfail;
    chomp $out;
    return $rc != 0 ? $err : $out;
}

my $hook = ne_receiver('hook');
my $conf = ne_conf();
my $token = ne_owner_sign_in();
my (undef, undef, $wid) = ne_webhook_add($token, "$hook->{url}/hook", 'pooled');
my $r = ne_api_write($token, "api.notify_test(:'t', :'w')", w => $wid);
is($r->{status}, 'ok', 'a test delivery is queued');

mate("SET default_transaction_read_only = on; SET search_path = public; "
     . "SET statement_timeout = '1h'");
my $pid = mate('SELECT pg_backend_pid()');
my $bites = mate("SELECT count(*) FROM notify.claim(1, '{webhook}', 60)", 1);
ok($bites =~ /read-only transaction/,
   "the pool-mate leaves its SETs on the server connection, and a claim there fails: $bites");

# Bounded: a --once whose every claim fails tries again and again
# (a fresh connection each time) rather than ending.
my ($rc, $out, $err) = ne_run('timeout', '30', $LUMEN, '--config', $conf, 'notify', '--once');
is($rc, 0, 'lumen notify --once through PgBouncer on that server connection: exit 0');
is(ne_sql("SELECT (delivered_at IS NOT NULL) || ' ' || attempts || ' ' || coalesce(last_status::text, '-')
             FROM lumen.outbox WHERE kind = 'notify.test' AND webhook_id = :'w'", w => $wid),
   'true 1 200', "its claim and its report (writes) ran as its own settings say: delivered ($err)");
is(scalar(ne_requests($hook)), 1, 'the receiver got the request');
ok(mate('SELECT pg_backend_pid()') eq $pid
   && ne_sql("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()
                AND usename = 'lumen_notify'") eq '1',
   "one server connection for lumen_notify all along (pid $pid): lumen notify's calls ran on it");
is(mate('SHOW default_transaction_read_only'), 'on', "nothing of lumen notify's stays behind: read only still on");
is(mate('SHOW search_path'), 'public', 'search_path still the pool-mate\'s');
is(mate('SHOW statement_timeout'), '1h', 'statement_timeout still the pool-mate\'s');
done();
