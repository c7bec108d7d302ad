#!/usr/bin/perl
# qr_decode.pl: the text of a QR code that tui/qr drew, read back from a
# tmux capture of the screen, for e2e tests (tests/e2e/lib.sh e2e_qr_uri).
#
#   tmux capture-pane -p -e -N -t T | perl tests/e2e/qr_decode.pl [-o F.pbm]
#   ... | perl tests/e2e/qr_decode.pl -m      the modules, '#' and '.'
#
# It finds the code, turns it back into modules, draws them as a PBM image
# (4 pixels a module, a 4-module quiet zone) and prints what
# `zbarimg --raw -q` reads from it (exit status 0), or says why not on
# stderr (exit status 1).  -o keeps the image; -m prints the modules
# (quiet zone excluded) instead of decoding.  How each mode of tui/qr.h is
# found:
#
#   HALF            the glyphs alone: ▀ ▄ █ are dark modules (top, bottom,
#                   both), anything else light.  Plain text (capture-pane
#                   -p) is enough.
#   FULL (colour)   needs -e: a blank whose background (its foreground
#                   when reversed) is a dark colour is a dark module, a
#                   light colour a light one; two columns a module.
#   REVERSE, FULL   needs -e and -N: a reversed blank in the default
#   without colour  colours is light (the terminal's foreground), the code
#                   is the largest connected light area, quiet zone and
#                   all (-N keeps its right-hand side, which tmux would
#                   otherwise trim as trailing blanks).
#
# The code is the largest cluster of dark modules that lie within 4 of
# each other: its quiet zone keeps it apart from anything drawn beyond
# it.  Blanks that tmux does not keep (areas curses erased with the
# background colour) count as neither, which is why FULL is found by its
# dark modules.  Wide characters elsewhere on a row count two columns.
use strict;
use warnings;
use File::Temp qw(tempfile);

my ($pbm_out, $matrix_only) = (undef, 0);
while (@ARGV) {
    my $a = shift @ARGV;
    if ($a eq '-o' && @ARGV) { $pbm_out = shift @ARGV }
    elsif ($a eq '-m') { $matrix_only = 1 }
    else { die "usage: qr_decode.pl [-o FILE.pbm] [-m] < capture\n" }
}

my $QUIET = 4;
my $SCALE = 4;
my %GLYPH = ("\x{2580}" => 1, "\x{2584}" => 2, "\x{2588}" => 3);

# --- The capture, cell by cell -----------------------------------------
# $cell[$y][$x] = [char, fg, bg, reverse]; a colour is undef (the
# terminal's default), a palette index, or [r, g, b].

binmode STDIN, ':encoding(UTF-8)';
my @cell;
my %sgr = (fg => undef, bg => undef, rev => 0);

sub colour_arg {
    my ($p) = @_;
    my $kind = shift @$p // return undef;
    return shift @$p if $kind == 5;
    return [splice @$p, 0, 3] if $kind == 2;
    return undef;
}

sub apply_sgr {
    my @p = map { $_ eq '' ? 0 : $_ } split /[;:]/, $_[0], -1;
    @p = (0) unless @p;
    while (@p) {
        my $n = shift @p;
        if ($n == 0) { %sgr = (fg => undef, bg => undef, rev => 0) }
        elsif ($n == 7) { $sgr{rev} = 1 }
        elsif ($n == 27) { $sgr{rev} = 0 }
        elsif ($n >= 30 && $n <= 37) { $sgr{fg} = $n - 30 }
        elsif ($n >= 40 && $n <= 47) { $sgr{bg} = $n - 40 }
        elsif ($n >= 90 && $n <= 97) { $sgr{fg} = $n - 90 + 8 }
        elsif ($n >= 100 && $n <= 107) { $sgr{bg} = $n - 100 + 8 }
        elsif ($n == 38) { $sgr{fg} = colour_arg(\@p) }
        elsif ($n == 48) { $sgr{bg} = colour_arg(\@p) }
        elsif ($n == 39) { $sgr{fg} = undef }
        elsif ($n == 49) { $sgr{bg} = undef }
    }
}

sub char_width {
    my ($c) = @_;
    return 0 if $c =~ /[\p{Mn}\p{Me}\x{200B}-\x{200F}]/;
    return 2 if $c =~ /[\p{East_Asian_Width=Wide}\p{East_Asian_Width=Fullwidth}]/;
    return 1;
}

my $y = 0;
while (my $line = <STDIN>) {
    chomp $line;
    my $x = 0;
    # tmux carries the attributes from one line to the next.
    while (length $line) {
        if ($line =~ s/^\e\[([0-9;:]*)m//) { apply_sgr($1) }
        elsif ($line =~ s/^\e\][^\a\e]*(?:\a|\e\\)//) { }      # OSC
        elsif ($line =~ s/^\e\[[0-9;:?]*[A-Za-z]//) { }        # other CSI
        elsif ($line =~ s/^\e.?//) { }
        else {
            $line =~ s/^(.)//s;
            my $c = $1;
            my $w = char_width($c);
            next if $w == 0;
            $cell[$y][$x] = [$c, $sgr{fg}, $sgr{bg}, $sgr{rev}];
            $x += $w;
        }
    }
    $y++;
}

# --- Light and dark ------------------------------------------------------

# xterm's default palette for 0-15; the 256-colour cube and greys.
my @BASE = ([0,0,0], [205,0,0], [0,205,0], [205,205,0], [0,0,238],
            [205,0,205], [0,205,205], [229,229,229], [127,127,127],
            [255,0,0], [0,255,0], [255,255,0], [92,92,255], [255,0,255],
            [0,255,255], [255,255,255]);
sub rgb_of {
    my ($c) = @_;
    return $c if ref $c;
    return $BASE[$c] if $c < 16;
    if ($c < 232) {
        my @lv = (0, 95, 135, 175, 215, 255);
        my $i = $c - 16;
        return [$lv[int($i / 36)], $lv[int($i / 6) % 6], $lv[$i % 6]];
    }
    my $g = 8 + 10 * ($c - 232);
    return [$g, $g, $g];
}
sub is_light {
    my ($r, $g, $b) = @{ rgb_of($_[0]) };
    return 0.2126 * $r + 0.7152 * $g + 0.0722 * $b >= 128;
}

# 'L' light, 'D' dark, '' unknown: what a blank cell shows behind it.
sub blank_class {
    my ($c) = @_;
    return '' unless $c;
    my ($ch, $fg, $bg, $rev) = @$c;
    my $behind = $rev ? $fg : $bg;
    return is_light($behind) ? 'L' : 'D' if defined $behind;
    # Reversed default colours: the terminal's foreground, light on the
    # dark themes that REVERSE is drawn for.
    return $rev ? 'L' : '';
}

# --- Finding the code ------------------------------------------------------

# The largest cluster of points (keys "x,y") whose members lie within dx
# columns and dy rows of another; returns its bounding box.
sub largest_cluster {
    my ($pts, $dx, $dy) = @_;
    my %seen;
    my @best;
    for my $start (keys %$pts) {
        next if $seen{$start}++;
        my @todo = ($start);
        my @box = (1e9, 1e9, -1, -1);
        my $n = 0;
        while (defined(my $p = pop @todo)) {
            my ($px, $py) = split /,/, $p;
            $n++;
            $box[0] = $px if $px < $box[0];
            $box[1] = $py if $py < $box[1];
            $box[2] = $px if $px > $box[2];
            $box[3] = $py if $py > $box[3];
            for my $j (-$dy .. $dy) {
                for my $i (-$dx .. $dx) {
                    my $q = ($px + $i) . ',' . ($py + $j);
                    push @todo, $q if $pts->{$q} && !$seen{$q}++;
                }
            }
        }
        @best = ($n, @box) if !@best || $n > $best[0];
    }
    return @best ? @best[1 .. 4] : ();
}

my @modules;    # [row][col], 1 dark

sub from_glyphs {
    my %dark;
    for my $cy (0 .. $#cell) {
        for my $cx (0 .. $#{ $cell[$cy] || [] }) {
            my $c = $cell[$cy][$cx] or next;
            my $bits = $GLYPH{ $c->[0] } or next;
            $dark{"$cx," . (2 * $cy)} = 1 if $bits & 1;
            $dark{"$cx," . (2 * $cy + 1)} = 1 if $bits & 2;
        }
    }
    return 0 unless %dark;
    my ($x0, $y0, $x1, $y1) = largest_cluster(\%dark, $QUIET, $QUIET);
    @modules = map { my $r = $_; [map { $dark{"$_,$r"} ? 1 : 0 } $x0 .. $x1] } $y0 .. $y1;
    return 1;
}

sub classes {
    my ($want) = @_;
    my %pts;
    for my $cy (0 .. $#cell) {
        for my $cx (0 .. $#{ $cell[$cy] || [] }) {
            my $c = $cell[$cy][$cx];
            next unless $c && $c->[0] eq ' ';
            $pts{"$cx,$cy"} = 1 if blank_class($c) eq $want;
        }
    }
    return \%pts;
}

# FULL in colour: its dark modules, two columns each.
sub from_dark_blanks {
    my $dark = classes('D');
    return 0 unless %$dark;
    my ($x0, $y0, $x1, $y1) = largest_cluster($dark, 2 * $QUIET, $QUIET);
    @modules = ();
    for my $cy ($y0 .. $y1) {
        push @modules, [map { $dark->{ ($x0 + 2 * $_) . ",$cy" } ? 1 : 0 }
                        0 .. int(($x1 - $x0) / 2)];
    }
    return 1;
}

# REVERSE: the light area, quiet zone included; dark is what is not light.
sub from_light_blanks {
    my $light = classes('L');
    return 0 unless %$light;
    my ($x0, $y0, $x1, $y1) = largest_cluster($light, 1, 1);
    @modules = ();
    for my $cy ($y0 .. $y1) {
        push @modules, [map { $light->{ ($x0 + 2 * $_) . ",$cy" } ? 0 : 1 }
                        0 .. int(($x1 - $x0) / 2)];
    }
    # Down to the symbol: the bounding box of its dark modules.
    my ($l, $t, $r, $b) = (1e9, 1e9, -1, -1);
    for my $j (0 .. $#modules) {
        for my $i (0 .. $#{ $modules[$j] }) {
            next unless $modules[$j][$i];
            $l = $i if $i < $l; $r = $i if $i > $r;
            $t = $j if $j < $t; $b = $j if $j > $b;
        }
    }
    return 0 if $r < 0;
    @modules = map { [@{ $modules[$_] }[$l .. $r]] } $t .. $b;
    return 1;
}

# A symbol is square, 21 to 177 modules a side, 4 more per version.
sub plausible {
    my $w = @modules;
    return 0 if $w < 21 || $w > 177 || ($w - 21) % 4;
    return !grep { @$_ != $w } @modules;
}

my $found = 0;
for my $try (\&from_glyphs, \&from_dark_blanks, \&from_light_blanks) {
    if ($try->() && plausible()) { $found = 1; last }
}
unless ($found) {
    printf STDERR "qr_decode: no QR code on the screen%s\n",
        @modules ? sprintf(" (the best guess is %dx%d modules)",
                           scalar @{ $modules[0] }, scalar @modules) : '';
    exit 1;
}

if ($matrix_only) {
    print join('', map { $_ ? '#' : '.' } @$_), "\n" for @modules;
    exit 0;
}

# --- The image, and zbarimg ------------------------------------------------

my $side = (@modules + 2 * $QUIET) * $SCALE;
my $pbm = "P1\n$side $side\n";
for my $py (0 .. $side - 1) {
    my $my = int($py / $SCALE) - $QUIET;
    my @row;
    for my $px (0 .. $side - 1) {
        my $mx = int($px / $SCALE) - $QUIET;
        push @row, ($my >= 0 && $my < @modules && $mx >= 0 && $mx < @modules
                    && $modules[$my][$mx]) ? 1 : 0;
    }
    # PBM asks for lines of at most 70 characters.
    my $bits = join '', @row;
    $pbm .= "$1\n" while $bits =~ s/^(.{1,64})//;
}

my ($fh, $file);
if (defined $pbm_out) {
    open $fh, '>', $pbm_out or die "qr_decode: $pbm_out: $!\n";
    $file = $pbm_out;
} else {
    ($fh, $file) = tempfile('qr_decode_XXXXXX', SUFFIX => '.pbm', TMPDIR => 1,
                            UNLINK => 1);
}
print $fh $pbm;
close $fh or die "qr_decode: $file: $!\n";

open my $z, '-|', 'zbarimg', '--raw', '-q', '--nodbus', $file
    or die "qr_decode: cannot run zbarimg (package zbar-tools): $!\n";
my $text = do { local $/; <$z> };
close $z;
my $status = $? >> 8;
if ($status != 0 || !defined $text || $text eq '') {
    print STDERR "qr_decode: zbarimg read nothing from the " .
                 scalar(@modules) . "x" . scalar(@modules) . " modules found\n";
    exit 1;
}
$text =~ s/\n\z//;
binmode STDOUT;
print "$text\n";
exit 0;
