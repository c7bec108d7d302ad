#!/usr/bin/perl
# A webhook receiver (and email API stand-in) for the tests of `lumen
# notify` (issue 11): HTTP on 127.0.0.1, one request a connection
# (Connection: close), one connection at a time.
#
#   hook_receiver.pl --dir DIR [--port N] [--script LIST] [--key KEY]
#
#   --dir DIR      each request goes to DIR/NNNN.req (0001, 0002, ...):
#                  "METHOD PATH" on the first line, then the headers
#                  ("Name: value", one a line, names in lower case), an
#                  empty line, and the body exactly as received.  It is
#                  written (tmp + rename, so a reader never sees half a
#                  file) as soon as the request has been read, before the
#                  answer.  DIR/log gets a line a request when it has been
#                  answered: "NNNN STATUS ARRIVED_EPOCH METHOD PATH".
#                  DIR/accepted gets a line a connection accepted (even
#                  one that never makes a request).
#                  DIR/port holds the port once the receiver listens
#                  (written the same way); it is also printed on standard
#                  output.
#   --port N       listen on N (default 0: a free port the system picks;
#                  a test that brings a receiver back on the same address
#                  passes the first one's port).
#   --script LIST  the answers, in order, one a request: comma-separated
#                  STATUS[:[d]RETRY_AFTER][@DELAY], e.g. 500,500,200 or 410
#                  or 429:2 (429 with Retry-After: 2) or 503:d3 (503
#                  with Retry-After: the HTTP date 3 seconds from now) or
#                  200@3 (answer 200 after 3 seconds).  Once the list is
#                  used up: 200.
#                  A 3xx answer carries Location: /redirected (a client
#                  that follows it shows up as a request there).
#   --key KEY      the email API's bearer key: a request without
#                  "Authorization: Bearer KEY" is answered 401 (and does
#                  not use up an entry of the script).
#
# SIGTERM or SIGINT ends it (exit 0), also while it waits for a request or
# delays an answer.
use strict;
use warnings;
use Getopt::Long;
use HTTP::Daemon;
use HTTP::Response;
use HTTP::Date qw(time2str);
use File::Spec;
use Time::HiRes qw(time sleep);

my ($dir, $port, $script, $key) = (undef, 0, '', undef);
GetOptions('dir=s' => \$dir, 'port=i' => \$port, 'script=s' => \$script, 'key=s' => \$key)
    && defined $dir && !@ARGV
    or die "usage: hook_receiver.pl --dir DIR [--port N] [--script LIST] [--key KEY]\n";
-d $dir or mkdir $dir or die "hook_receiver: $dir: $!\n";

my @script;
for my $s (grep { length } split /,/, $script) {
    $s =~ /^(\d{3})(?::(d?\d+))?(?:@(\d+(?:\.\d+)?))?$/ or die "hook_receiver: bad script entry '$s'\n";
    push @script, { status => $1, retry_after => $2, delay => $3 // 0 };
}

# Safe signals: a blocking accept or read is interrupted and the handler
# runs right after it.
my $stop = 0;
$SIG{TERM} = $SIG{INT} = sub { $stop = 1; exit 0; };
# A client that went away before the answer (killed mid-transfer) must
# not take the receiver with it.
$SIG{PIPE} = 'IGNORE';

my $d = HTTP::Daemon->new(LocalAddr => '127.0.0.1', LocalPort => $port, ReuseAddr => 1,
                          Listen => 64, Timeout => undef)
    or die "hook_receiver: cannot listen on 127.0.0.1:$port: $!\n";

sub put {       # write FILE at once: tmp + rename
    my ($file, $text) = @_;
    my $tmp = "$file.tmp$$";
    open(my $h, '>:raw', $tmp) or die "hook_receiver: $tmp: $!\n";
    print $h $text;
    close $h or die "hook_receiver: $tmp: $!\n";
    rename $tmp, $file or die "hook_receiver: $file: $!\n";
}
put("$dir/port", $d->sockport . "\n");
$| = 1;
print $d->sockport, "\n";

my $n = 0;
while (!$stop) {
    my $c = $d->accept or next;
    open(my $acc, '>>', "$dir/accepted") or die "hook_receiver: $dir/accepted: $!\n";
    printf $acc "%.3f\n", time;
    close $acc;
    $c->timeout(10);
    my $r = $c->get_request;
    if (!$r) { $c->close; next; }
    my $arrived = time;
    $n++;
    my $name = sprintf('%04d', $n);
    my $text = $r->method . ' ' . $r->uri->path_query . "\n";
    for my $h ($r->headers->header_field_names) {
        $text .= lc($h) . ': ' . $_ . "\n" for $r->headers->header($h);
    }
    $text .= "\n" . $r->content;
    put("$dir/$name.req", $text);

    my ($status, $retry_after, $delay) = (200, undef, 0);
    if (defined $key && ($r->header('Authorization') // '') ne "Bearer $key") {
        $status = 401;
    } elsif (my $s = shift @script) {
        ($status, $retry_after, $delay) = @$s{qw(status retry_after delay)};
    }
    sleep $delay if $delay;
    my $res = HTTP::Response->new($status);
    $res->header('Content-Type' => 'text/plain');
    if (defined $retry_after) {
        $res->header('Retry-After' => $retry_after =~ /^d(\d+)$/ ? time2str(time + $1) : $retry_after);
    }
    $res->header('Location' => '/redirected') if $status =~ /^3/;
    $res->header('Connection' => 'close');
    $res->content("answer $status to request $name\n");
    $c->force_last_request;
    $c->send_response($res);
    $c->close;
    open(my $log, '>>', "$dir/log") or die "hook_receiver: $dir/log: $!\n";
    printf $log "%s %d %.3f %s %s\n", $name, $status, $arrived, $r->method, $r->uri->path;
    close $log;
}
exit 0;
