#!/bin/sh
# "Connecting to the database..." is news, not trouble: it is not drawn in
# the error colour.  A server that never answers (a silent listener on
# loopback) keeps the client connecting; once the connect timeout passes,
# "Cannot reach the database" is trouble, and drawn as such.
. "$(dirname "$0")/lib.sh"
e2e_plan 3
dir=$(mktemp -d)
perl -MIO::Socket::INET -e '
  my $s = IO::Socket::INET->new(LocalAddr => "127.0.0.1", LocalPort => 0, Listen => 5) or die;
  open(my $f, ">", $ARGV[0]) or die; print $f $s->sockport, "\n"; close $f;
  sleep 60;' "$dir/port" &
listener=$!
trap 'kill $listener 2>/dev/null; rm -rf "$dir"; e2e_cleanup' EXIT
while [ ! -s "$dir/port" ]; do sleep 0.05; done
printf '[database]\nhost = 127.0.0.1\nport = %s\ndbname = lumen\nuser = lumen_client\nconnect_timeout = 2\n' \
  "$(cat "$dir/port")" > "$dir/lumen.conf"
chmod 600 "$dir/lumen.conf"
esc=$(printf '\033')
red_status() { e2e_screen_escapes | tail -n 1 | grep -q "$esc\\[[0-9;]*31m"; }

e2e_start "$LUMEN_BIN --config $dir/lumen.conf"
e2e_ok 'e2e_wait_for "Connecting to the database..."' "the status row says it is connecting"
e2e_ok '! red_status' "in the status colour, not the error colour"
e2e_ok 'e2e_wait_for "Cannot reach the database" 5 && red_status' "failing to connect is drawn as an error"
e2e_done
