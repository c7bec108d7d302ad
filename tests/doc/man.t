#!/usr/bin/perl
# lumen(1) against what the program is: built from doc/lumen.1.in by
# `make lumen.1`, it must render without a warning, and name every action
# of the action table (read here from screens/actions.h's source, not
# through the generator that wrote the page) with its default keys, every
# config key of client/config.c's table, every command and option that
# `lumen --help` and each `lumen COMMAND --help` prints, and every
# environment variable the sources read.  A page built from an old table,
# or a command added without its page, fails here.
use strict;
use warnings;
use Test::More;

my $page = 'lumen.1';
my $bin = $ENV{LUMEN_BIN} // './lumen';
ok(-s $page, "$page is built (make lumen.1)") or BAIL_OUT("no $page");

my $warn = `groff -ww -z -man $page 2>&1`;
is($?, 0, 'groff renders the page');
is($warn, '', 'groff -ww has no warning');

# The page as a reader sees it: roff escapes undone, one line of words.
open my $fh, '<', $page or die "$page: $!";
my $roff = do { local $/; <$fh> };
close $fh;
(my $text = $roff) =~ s/\\-/-/g;
$text =~ s/\\e/\\/g;
$text =~ s/\\f[BIRP]//g;
$text =~ s/\\&//g;
$text =~ s/\\\(aq/'/g;
$text =~ s/^\.(?:B|I|BR|RB|IR|RI|BI|IB|SS|SH|TP|PP|br|TH)\b ?//mg;
$text =~ s/\s+/ /g;

sub slurp { open my $f, '<', $_[0] or die "$_[0]: $!"; local $/; my $s = <$f>; close $f; $s }

# The action table's source: A(ID, "name", ctx, perm, label, "help", "keys").
my $src = slurp('screens/actions.h');
$src =~ s/\\\n/ /g;
my $nact = 0;
while ($src =~ /\bA\(\s*(\w+),\s*"([a-z0-9-]+)",.*?,\s*"((?:[^"\\]|\\.)*)"\s*,\s*"([^"]*)"\s*\)/g) {
    my ($id, $name, $help, $keys) = ($1, $2, $3, $4);
    $nact++;
    my $shown = join(', ', split ' ', $keys);
    ok(index($text, "$shown $help ($name)") >= 0, "the page has $name: $shown, its help line")
        or diag("looked for: $shown $help ($name)");
}
cmp_ok($nact, '>', 40, "actions.h read ($nact actions)");

# Every config key: { "section", "key", ... } rows of config.c's table.
my $cfg = slurp('client/config.c');
my %sections;
while ($cfg =~ /\{\s*"([a-z_]+)",\s*"([a-z_]+)",\s*KEY_/g) {
    my ($sec, $key) = ($1, $2);
    $sections{$sec} = 1;
    ok($text =~ /\b\Q$key\E\b/, "the page names [$sec] $key");
}
ok($text =~ /\[\Q$_\E\]/, "the page has a [$_] section") for sort keys %sections;

# Commands and options, from the program itself.
my $help = `$bin --help`;
is($?, 0, 'lumen --help runs');
my ($cmds) = $help =~ /^commands:\n(.*?)^\n/ms;
$cmds //= '';
my $ncmd = 0;
for my $line (split /\n/, $cmds) {
    next unless $line =~ /^  ([a-z][a-z-]*(?: [a-z][a-z-]*)?)/;
    my $cmd = $1;
    $ncmd++;
    $cmd =~ s/ (?:ID|CODE|NAME)$//;
    ok(index($text, $cmd) >= 0, "the page has the command '$cmd'");
    (my $first = $cmd) =~ s/ .*//;
    my $sub = `$bin $cmd --help 2>/dev/null`;
    $sub = `$bin $first --help 2>/dev/null` if $? != 0;
    for my $opt ($sub =~ /(--[a-z][a-z-]*)/g) {
        ok($text =~ /\Q$opt\E\b/, "the page has $opt (lumen $cmd --help)");
    }
}
cmp_ok($ncmd, '>=', 10, "lumen --help lists the commands ($ncmd)");
for my $opt ($help =~ /(--[a-z][a-z-]*)/g) {
    ok($text =~ /\Q$opt\E\b/, "the page has $opt (lumen --help)");
}

# Every environment variable the sources read.
my %env;
for my $f (glob('client/*.c tui/*.c screens/*.c lumen.c')) {
    my $s = slurp($f);
    $env{$1} = 1 while $s =~ /getenv\("([A-Z_]+)"\)/g;
}
my ($envsec) = $roff =~ /^\.SH ENVIRONMENT\n(.*?)^\.SH /ms;
like($envsec, qr/^\.B \Q$_\E$/m, "ENVIRONMENT has $_") for sort keys %env;

done_testing();
