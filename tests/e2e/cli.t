#!/bin/sh
# The command line in a real terminal: --help, --version, config check.
. "$(dirname "$0")/lib.sh"
e2e_plan 10

e2e_start "$LUMEN_BIN --help"
e2e_ok 'e2e_wait_for "usage: lumen"' "--help shows the usage in a terminal"
e2e_ok 'e2e_wait_exit && [ "$(e2e_exit_status)" = 0 ]' "--help exits 0"

e2e_start "$LUMEN_BIN --version"
e2e_ok "e2e_wait_for \"lumen $(cat VERSION)\"" "--version prints the version of VERSION"

e2e_start "$LUMEN_BIN -h"
e2e_ok 'e2e_wait_for "usage: lumen" && e2e_wait_exit && [ "$(e2e_exit_status)" = 0 ]' "-h is --help"
e2e_start "$LUMEN_BIN -V"
e2e_ok "e2e_wait_for \"lumen $(cat VERSION)\" && e2e_wait_exit && [ \"\$(e2e_exit_status)\" = 0 ]" "-V is --version"

dir=$(mktemp -d)
trap 'rm -rf "$dir"; e2e_cleanup' EXIT
printf '[database]\nhost = /run/pg\ndbname = lumen\nsslmod = disable\n' > "$dir/typo.conf"
chmod 600 "$dir/typo.conf"
e2e_start "$LUMEN_BIN config check --config $dir/typo.conf"
e2e_ok "e2e_wait_for \"$dir/typo.conf:4: unknown key 'sslmod' in [database]\"" \
  "config check names the file, the line and the key"
e2e_ok 'e2e_wait_exit && [ "$(e2e_exit_status)" = 1 ]' "config check exits 1 on a bad key"

cp "$dir/typo.conf" "$dir/open.conf"
printf '[database]\nhost = /run/pg\ndbname = lumen\n' > "$dir/open.conf"
chmod 666 "$dir/open.conf"
e2e_start "$LUMEN_BIN config check --config $dir/open.conf"
e2e_ok 'e2e_wait_for "writable by others"' "a world-writable config is refused"

chmod 600 "$dir/open.conf"
e2e_start "$LUMEN_BIN config check --config $dir/open.conf"
e2e_ok 'e2e_wait_for "ok" && e2e_wait_exit && [ "$(e2e_exit_status)" = 0 ]' "a good config checks ok"

printf '[database]\nhost = db.example.org\ndbname = lumen\nsslmode = require\n' > "$dir/remote.conf"
chmod 600 "$dir/remote.conf"
e2e_start "$LUMEN_BIN config check --config $dir/remote.conf"
e2e_ok 'e2e_wait_for "set sslmode = verify-full"' "a remote host without verify-full is refused, naming the key"
e2e_done
