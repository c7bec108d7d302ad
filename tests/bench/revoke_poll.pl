#!/usr/bin/perl
# tests/bench/revoke.sh's eye on the watching client: capture the tmux pane
# every PERIOD_MS until it shows TEXT or SECS pass.
#
#   perl revoke_poll.pl SOCKET TMUXCONF TARGET TEXT SECS PERIOD_MS
#
# Prints "ready" once the first capture is done (the caller starts the
# sign-out after it), then, when TEXT shows, one line
# "T1_MS GAP_MS CAPTURES": T1_MS (epoch, milliseconds) the end of the first
# capture that showed it; GAP_MS how long before that the last capture that
# did not show it began (the moment the screen changed lies in between: the
# resolution of this try); CAPTURES how many were taken.  "timeout" when it
# did not show.
use strict;
use warnings;
use Time::HiRes qw(time sleep);

my ($sock, $conf, $target, $text, $secs, $period) = @ARGV;
$| = 1;
my @cmd = ('tmux', '-L', $sock, '-f', $conf, 'capture-pane', '-p', '-t', $target);
sub capture {
    open(my $fh, '-|', @cmd) or die "tmux: $!";
    local $/;
    my $s = <$fh>;
    close $fh;
    return defined $s ? $s : '';
}
my $start = time;
my $n = 0;
my $prev = $start;
while (1) {
    my $before = time;
    my $screen = capture();
    my $after = time;
    $n++;
    if (index($screen, $text) >= 0) {
        printf "%.1f %.1f %d\n", $after * 1000, ($after - $prev) * 1000, $n;
        exit 0;
    }
    print "ready\n" if $n == 1;
    $prev = $before;
    if ($after - $start > $secs) {
        print "timeout\n";
        exit 1;
    }
    sleep($period / 1000);
}
