#!/bin/sh
# Export from the audit viewer: the rows of the range and filter in force
# to a CSV file (0600, never over another), with FILE.chain beside it
# holding the row count and the chain head, read back with Text::CSV and
# compared with the log itself.
. "$(dirname "$0")/lib.sh"
e2e_plan 7
e2e_db
dir=$(mktemp -d)
trap 'rm -rf "$dir"; e2e_cleanup' EXIT
e2e_start "sh -c 'cd $dir && exec $LUMEN_BIN --config $E2E_CONF'"
e2e_sign_in admin@brightsmile.test
e2e_wait_for "Welcome, Adam Admin"
e2e_keys 3
e2e_wait_for "Audit log, "
e2e_keys /
e2e_type "action:lead."
e2e_keys Enter
e2e_wait_for "Filter: action:lead."
e2e_wait_for "lead.view"
e2e_keys e
e2e_ok "e2e_wait_for 'Export the audit log' && e2e_wait_for 'audit-$(TZ=America/Chicago date +%Y-%m-%d).csv'" \
  "e asks for a file, with a dated default"
e2e_keys C-u
e2e_type "lead-trail.csv"
e2e_keys Enter
e2e_ok "e2e_wait_for 'Exported' 20" "the export runs to its end"
e2e_is "$(stat -c %a "$dir/lead-trail.csv") $(stat -c %a "$dir/lead-trail.csv.chain")" "600 600" \
  "the file and its sidecar have mode 0600"

# The rows the viewer showed: lead.* in the last 30 days, by id.
e2e_sql "COPY (SELECT id, action, outcome, actor_email, target_type, target_id
               FROM audit.audit_log
               WHERE practice_id = '$E2E_BSD' AND action LIKE 'lead.%'
                 AND at >= (date_trunc('day', now() AT TIME ZONE 'America/Chicago') - interval '29 days')
                            AT TIME ZONE 'America/Chicago'
                 AND id <= (SELECT max(id) FROM audit.audit_log WHERE action = 'audit.export')
               ORDER BY id) TO STDOUT WITH (FORMAT csv)" > "$dir/truth.csv"
check=$(perl -MText::CSV -e '
  my $p = Text::CSV->new({ binary => 1, strict => 1 });
  open(my $f, "<", $ARGV[0]) or die; my @got; while (my $r = $p->getline($f)) { push @got, $r }
  my $q = Text::CSV->new({ binary => 1, strict => 1 });
  open(my $t, "<", $ARGV[1]) or die; my @want; while (my $r = $q->getline($t)) { push @want, $r }
  my $head = shift @got;
  my %c; @c{@$head} = 0 .. $#$head;
  my $same = 0;
  for my $i (0 .. $#want) {
    my ($g, $w) = ($got[$i], $want[$i]);
    my @g = map { $g->[$c{$_}] // "" } qw(id action outcome actor_email target_type target_id);
    $same++ if join("\0", @g) eq join("\0", map { $_ // "" } @$w);
  }
  print scalar(@got), " ", scalar(@want), " $same\n";
' "$dir/lead-trail.csv" "$dir/truth.csv")
set -- $check
e2e_ok "[ '$1' -gt 0 ] && [ '$1' = '$2' ]" "one row per lead.* event of the range ($1 of $2)"
e2e_is "$3" "$2" "every row read back equals the log's"
e2e_is "$(sed -n 's/^rows //p' "$dir/lead-trail.csv.chain")" "$1" "the sidecar counts the rows"
e2e_is "$(sed -n 's/^head_hash //p' "$dir/lead-trail.csv.chain")" \
  "$(e2e_sql "SELECT encode(h.hash, 'hex') FROM audit.audit_chain h
              WHERE h.practice_id = '$E2E_BSD' AND h.seq = $(sed -n 's/^head_seq //p' "$dir/lead-trail.csv.chain")")" \
  "its head hash is the chain's at that link"
e2e_done
