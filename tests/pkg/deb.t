#!/bin/sh
# The Debian package (make deb): debian/ built by dpkg-buildpackage from a
# copy of the tree (scripts/build-deb.sh), leaving the tree as it was;
# lintian finds no error; the package holds the binary, lumen(1), the bash
# completion and lumen.conf.sample where Debian looks for them, depends on
# the runtime libraries and recommends PostgreSQL (lumen demo); its binary
# runs from an unpacked copy, and apt resolves its dependencies.  It is
# not installed: apt-get install --simulate only says what would happen.
#
# LUMEN_DEB_OUT: where the package is built and stays (make deb:
# build/deb); else a temporary folder, removed at the end.
set -u
top=$(pwd)
n=0; failed=0
ok() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; failed=1; fi; }
todo() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2 # TODO $3"; fi; }
diag() { sed 's/^/# /'; }
echo "1..17"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
out=${LUMEN_DEB_OUT:-$tmp/out}
version=$(cat VERSION)

git_state() { git status --porcelain --ignored=no 2>/dev/null; git stash list 2>/dev/null; }
before=$(git_state)
deb=$(sh scripts/build-deb.sh "$out" 2>"$tmp/err"); rc=$?
[ $rc = 0 ] && [ -f "$deb" ]
ok $? "dpkg-buildpackage -us -uc -b builds lumen_${version}_*.deb from a copy of the tree"
[ $rc = 0 ] || { diag < "$tmp/err"; echo "Bail out! no package"; exit 1; }
[ "$(git_state)" = "$before" ]
ok $? "the build leaves the source tree as it was"

[ "$(dpkg-parsechangelog -l debian/changelog -SVersion)" = "$version" ] &&
  [ "$(dpkg-deb -f "$deb" Version)" = "$version" ]
ok $? "debian/changelog and the package have the version of VERSION ($version)"

lintian --tag-display-limit 0 -I "$deb" "$out"/lumen_"$version"_*.changes >"$tmp/lintian" 2>&1
grep -v '^running with root privileges' "$tmp/lintian" | diag >&2
! grep -q '^E: ' "$tmp/lintian"
ok $? "lintian reports no error ($(grep -c '^W: ' "$tmp/lintian") warnings, $(grep -c '^I: ' "$tmp/lintian") infos)"

dpkg-deb -c "$deb" | awk '{ print $6 }' > "$tmp/files"
for f in ./usr/bin/lumen ./usr/share/man/man1/lumen.1.gz \
         ./usr/share/bash-completion/completions/lumen \
         ./usr/share/doc/lumen/lumen.conf.sample ./usr/share/doc/lumen/copyright; do
  grep -qx "$f" "$tmp/files"
  ok $? "the package holds ${f#.}"
done

depends=$(dpkg-deb -f "$deb" Depends)
echo "# Depends: $depends"
missing=""
for lib in libpq5 libsodium23 libinih1 libqrencode4 libncursesw6; do
  case ", $depends" in *", $lib "*|*", $lib,"*|*", $lib") ;; *) missing="$missing $lib" ;; esac
done
[ -z "$missing" ]
ok $? "Depends names libpq5, libsodium23, libinih1, libqrencode4 and libncursesw6${missing:+ (missing:$missing)}"
# libcurl is linked for lumen notify's webhooks; until code calls it, the
# linker drops it and dpkg-shlibdeps rightly leaves libcurl4 out.
case ", $depends" in *", libcurl4 "*|*", libcurl4,"*|*", libcurl4") r=0 ;; *) r=1 ;; esac
if grep -rqs 'curl_easy_\|curl_multi_' "$top/client" "$top/screens" "$top/lumen.c"; then
  ok $r "Depends names libcurl4"
else
  todo $r "Depends names libcurl4" "no code calls libcurl yet (lumen notify will)"
fi
dpkg-deb -f "$deb" Recommends | grep -q 'postgresql'
ok $? "it recommends PostgreSQL, for lumen demo"

root=$tmp/root
dpkg-deb -x "$deb" "$root"
[ "$("$root/usr/bin/lumen" --version)" = "lumen $version" ] &&
  "$root/usr/bin/lumen" demo --help | grep -q '^usage: lumen demo'
ok $? "the unpacked usr/bin/lumen runs: --version, demo --help"
! ldd "$root/usr/bin/lumen" | grep -q 'not found'
ok $? "every library it needs is found"
warn=$(zcat "$root/usr/share/man/man1/lumen.1.gz" | groff -ww -z -man 2>&1)
[ -z "$warn" ] && zcat "$root/usr/share/man/man1/lumen.1.gz" | grep -q '^\.SH KEYS'
ok $? "its man page renders without a warning, with its KEYS section"
[ -z "$warn" ] || echo "$warn" | diag

# What apt would do, installing it here (nothing is installed).
apt-get install --simulate --no-install-recommends "$deb" >"$tmp/apt" 2>&1; rc=$?
[ $rc = 0 ] && grep -q "^Inst lumen " "$tmp/apt"
r=$?
ok $r "apt-get install --simulate ./lumen_*.deb resolves its dependencies"
[ $r = 0 ] || diag < "$tmp/apt"
# And on a fresh Debian: apt told that nothing is installed (an empty
# dpkg status) would pull the runtime libraries from the archive.
if apt-cache show libpq5 >/dev/null 2>&1; then
  : > "$tmp/status"
  apt-get install --simulate --no-install-recommends -o Dir::State::status="$tmp/status" \
    "$deb" >"$tmp/apt" 2>&1; rc=$?
  missing=""
  for p in lumen libpq5 libsodium23 libinih1 libqrencode4 libncursesw6; do
    grep -q "^Inst $p " "$tmp/apt" || missing="$missing $p"
  done
  [ $rc = 0 ] && [ -z "$missing" ]
  r=$?
  ok $r "on a machine with nothing installed, apt would install it with its libraries${missing:+ (missing:$missing)}"
  [ $r = 0 ] || diag < "$tmp/apt"
else
  n=$((n + 1)); echo "ok $n # skip apt has no package lists (apt-get update)"
fi
exit $failed
