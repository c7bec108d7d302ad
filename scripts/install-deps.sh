#!/bin/sh
# Installs every package Lumen needs to build, test and run, on Debian 12.
# Idempotent: a second run installs nothing. Works as root or through sudo.
set -eu

PKGS="
build-essential pkg-config
libncurses-dev libpq-dev libcurl4-openssl-dev libsodium-dev libinih-dev libqrencode-dev
libcmocka-dev
postgresql-15 postgresql-contrib-15 postgresql-15-pgtap postgresql-client-15
libtap-parser-sourcehandler-pgtap-perl perl
tmux oathtool procps util-linux ca-certificates
"
# postgresql-contrib-15 is a virtual name on bookworm; the contrib modules
# (pgcrypto, citext, pg_trgm) ship in postgresql-15 itself.
PKGS=$(echo "$PKGS" | tr ' ' '\n' | grep -v '^postgresql-contrib-15$' | tr '\n' ' ')

missing=""
for p in $PKGS; do
  # dpkg-query answers 'install ok installed' only for a fully installed package.
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing="$missing $p"
  fi
done

if [ -z "$missing" ]; then
  echo "install-deps: everything is installed"
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
export DEBIAN_FRONTEND=noninteractive
# Debian's postgresql-common would create and start a 'main' cluster on
# install; Lumen runs its own private clusters, so ask it not to.
if [ ! -e /etc/postgresql-common/createcluster.conf ]; then
  $SUDO mkdir -p /etc/postgresql-common
  echo "create_main_cluster = false" | $SUDO tee /etc/postgresql-common/createcluster.conf >/dev/null
fi
$SUDO apt-get update -q
# shellcheck disable=SC2086
$SUDO apt-get install -y -q --no-install-recommends $missing
