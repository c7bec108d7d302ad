#!/bin/sh
# Installs the Debian 12 packages Lumen needs, from Debian's archive alone.
#
#   install-deps.sh [run]   what building and running need: the compiler,
#                           the -dev libraries, PostgreSQL for the demo
#                           (make, make deps, make demo)
#   install-deps.sh test    that, and what the tests add: cmocka, pgTAP and
#                           pg_prove's handler, plpgsql_check, tmux,
#                           oathtool, procps, qrencode, zbarimg, pgbouncer
#                           (make check, .ci/run)
#   install-deps.sh deb     that of run, and what building and checking the
#                           Debian package adds (make deb, .ci/run)
#   install-deps.sh list [run|test|deb]   print the packages, one a line
#
# Idempotent: a second run installs nothing. Works as root or through sudo.
set -eu

# Building and running: `make` and `make demo`.  util-linux gives runuser
# (scripts/pgcluster.sh as root); ca-certificates, libcurl's trust store.
RUN_PKGS="
build-essential pkg-config
libncurses-dev libpq-dev libcurl4-openssl-dev libsodium-dev libinih-dev libqrencode-dev
postgresql-15 postgresql-client-15
util-linux ca-certificates
"
# What the tests add: the unit tests' library, pgTAP and the handler that
# lets prove run it (perl gives prove), Text::CSV to read exports back,
# tmux for the end-to-end tests,
# oathtool for TOTP codes, procps for pgrep and pkill, time for make
# bench's peak memory (whose pgbench comes with postgresql-15); qrencode,
# the command-line tool on the library Lumen links, for the QR matrices
# tests/unit/test_qr.c compares with; zbar-tools for zbarimg, which reads
# a QR code drawn on the terminal back (tests/e2e/qr_decode.pl);
# postgresql-15-plpgsql-check, the static checker tests/db/plpgsql_check.pg
# runs over every PL/pgSQL function (created in the test's transaction,
# rolled back); groff-base, whose groff -ww checks that lumen(1) renders
# without a warning (tests/doc/man.t);
# HTTP::Daemon for the webhook receiver and email API stand-in that the
# tests of `lumen notify` run on loopback (tests/e2e/hook_receiver.pl), and
# openssl's command line, the implementation of HMAC-SHA256 of its own
# those tests verify the webhook signatures with; pgbouncer, which
# tests/pooler/ starts in front of the test cluster (pool_mode =
# transaction, on a Unix socket of its own, as the postgres user when run
# as root) to run e2e tests through a transaction pooler (the package's
# own service is not used).
# (postgresql-contrib-15 is a virtual name on bookworm: pgcrypto, citext
# and pg_trgm ship in postgresql-15 itself.)
TEST_PKGS="
libcmocka-dev
postgresql-15-pgtap libtap-parser-sourcehandler-pgtap-perl perl libtext-csv-perl
postgresql-15-plpgsql-check
tmux oathtool procps time qrencode zbar-tools groff-base
libhttp-daemon-perl openssl
pgbouncer
"
# Building the .deb and checking it (make deb, tests/pkg/deb.t):
# dpkg-buildpackage (dpkg-dev), dh (debhelper), lintian, prove (perl), and
# groff-base to render the packaged man page.  No fakeroot: debian/control
# says Rules-Requires-Root: no.
DEB_PKGS="
dpkg-dev debhelper lintian perl groff-base
"

usage() { echo "usage: install-deps.sh [run|test|deb] | list [run|test|deb]" >&2; exit 2; }
list=0
if [ "${1:-}" = list ]; then list=1; shift; fi
case ${1:-run} in
  run)  PKGS=$RUN_PKGS; what="building and running" ;;
  test) PKGS="$RUN_PKGS $TEST_PKGS"; what="building, running and testing" ;;
  deb)  PKGS="$RUN_PKGS $DEB_PKGS"; what="building and checking the Debian package" ;;
  *)    usage ;;
esac
[ $# -le 1 ] || usage
PKGS=$(echo $PKGS)   # one line, single spaces
if [ $list = 1 ]; then
  echo "$PKGS" | tr ' ' '\n'
  exit 0
fi

missing=""
for p in $PKGS; do
  # dpkg-query answers 'install ok installed' only for a fully installed package.
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing="$missing $p"
  fi
done

if [ -z "$missing" ]; then
  echo "install-deps: everything for $what is installed"
  exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
  SUDO=""
elif command -v sudo >/dev/null 2>&1; then
  SUDO="sudo"
else
  echo "install-deps: missing packages:$missing; run this script as root or install sudo" >&2
  exit 1
fi

echo "install-deps: installing$missing"
# Debian's postgresql-common would create and start a 'main' cluster on
# install; Lumen runs its own private clusters, so ask it not to.
if [ ! -e /etc/postgresql-common/createcluster.conf ]; then
  $SUDO mkdir -p /etc/postgresql-common
  echo "create_main_cluster = false" | $SUDO tee /etc/postgresql-common/createcluster.conf >/dev/null
fi
$SUDO apt-get update -q
# Through env: sudo would drop an exported DEBIAN_FRONTEND.
# shellcheck disable=SC2086
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing
