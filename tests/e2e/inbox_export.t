#!/bin/sh
# Export from the inbox: e asks for a file (a dated default), creates it
# with mode 0600 and never over an existing one, writes the leads of the
# filter in force, and the file read back by a real CSV parser (Perl's
# Text::CSV) holds every field as the database does, with no cell that a
# spreadsheet would take for a formula.
. "$(dirname "$0")/lib.sh"
e2e_plan 8
e2e_db
dir=$(mktemp -d)
trap 'rm -rf "$dir"; e2e_cleanup' EXIT
e2e_start "sh -c 'cd $dir && exec $LUMEN_BIN --config $E2E_CONF'"
e2e_sign_in admin@brightsmile.test
e2e_wait_for "Welcome, Adam Admin"
e2e_keys 2
e2e_wait_for "Inbox, newest first"
e2e_keys /
e2e_type "status:new"
e2e_keys Enter
e2e_wait_for "status:new"
# The TUI runs in the practice's zone (TZ): its date, not this machine's.
today=$(TZ=America/Chicago date +%Y-%m-%d)
e2e_keys e
e2e_ok "e2e_wait_for 'Export leads' && e2e_wait_for 'leads-$today.csv'" "e asks for a file, with a dated default"
: > "$dir/leads-$today.csv"
e2e_keys Enter
e2e_ok "e2e_wait_for 'leads-$today.csv exists; choose another name.'" "an existing file is never replaced"
e2e_keys BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace \
         BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace
e2e_type "new-leads.csv"
e2e_keys Enter
e2e_ok "e2e_wait_for 'Exported' 20" "the export runs to its end"
want=$(e2e_sql "SELECT count(*) FROM lumen.leads WHERE practice_id = '$E2E_BSD' AND status = 'new'")
e2e_ok "e2e_screen | grep -q 'Exported $want leads to new-leads.csv'" "it says how many ($want) and where"
e2e_is "$(stat -c %a "$dir/new-leads.csv")" 600 "the file has mode 0600"

# Read back with Text::CSV and compare with the database, field by field.
e2e_sql "COPY (SELECT l.id, l.status, l.name, l.phone, l.email, l.service, l.page_url
               FROM lumen.leads l WHERE l.practice_id = '$E2E_BSD' AND l.status = 'new'
               ORDER BY l.id) TO STDOUT WITH (FORMAT csv)" > "$dir/truth.csv"
check=$(perl -MText::CSV -e '
  my $p = Text::CSV->new({ binary => 1, strict => 1 });
  open(my $f, "<", $ARGV[0]) or die; my @got; while (my $r = $p->getline($f)) { push @got, $r }
  my $q = Text::CSV->new({ binary => 1, strict => 1 });
  open(my $t, "<", $ARGV[1]) or die; my @want; while (my $r = $q->getline($t)) { push @want, $r }
  shift @got;                                   # the header row
  my ($same, $formula) = (0, 0);
  for my $i (0 .. $#want) {
    my ($g, $w) = ($got[$i], $want[$i]);
    my @g = @$g[0, 2, 3, 4, 5, 6, 7];
    s/^\x27(?=[=+\-\@\t\r\x27])// for @g;       # the neutralising quote, undone
    $same++ if join("\0", map { $_ // "" } @g) eq join("\0", map { $_ // "" } @$w);
    $formula++ if grep { /^[=+\-\@\t\r]/ } @$g;
  }
  print scalar(@got), " ", scalar(@want), " $same $formula\n";
' "$dir/new-leads.csv" "$dir/truth.csv")
set -- $check
e2e_is "$1" "$2" "one row per new lead"
e2e_is "$3" "$2" "every field read back equals the database's"
e2e_is "$4" 0 "no cell starts with = + - @ TAB or CR"
e2e_done
