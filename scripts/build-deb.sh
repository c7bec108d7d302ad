#!/bin/sh
# The Debian package, built from a copy of this tree so that the build
# leaves the tree as it was.
#
#   build-deb.sh OUTDIR    prints the path of OUTDIR/lumen_VERSION_ARCH.deb
#
# The copy (OUTDIR/lumen-VERSION) holds the files git knows or would add
# (as they are in the work tree: what a clean clone would hold, plus what
# is not committed yet), or, outside a git checkout, everything but build/,
# .git and .lumen.  dpkg-buildpackage -us -uc -b builds it there, so the
# .deb lands in OUTDIR; its log is OUTDIR/build.log.  It needs what
# `install-deps.sh deb` installs.
set -eu
[ $# -eq 1 ] || { echo "usage: build-deb.sh OUTDIR" >&2; exit 2; }
out=$1
version=$(cat VERSION)
mkdir -p "$out"
out=$(cd "$out" && pwd -P)
src=$out/lumen-$version
rm -rf "$src" "$out"/lumen_* "$out"/lumen-dbgsym_*
mkdir -p "$src"
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  # A file deleted in the work tree but not in git is left out.
  git ls-files -z --cached --others --exclude-standard |
    tar --null --ignore-failed-read -T - -cf - 2>/dev/null | tar -xf - -C "$src"
else
  tar --exclude=./build --exclude=./.git --exclude=./.lumen -cf - . | tar -xf - -C "$src"
fi
if ! (cd "$src" && dpkg-buildpackage -us -uc -b -jauto) >"$out/build.log" 2>&1; then
  tail -n 40 "$out/build.log" >&2
  echo "build-deb: dpkg-buildpackage failed; the whole log: $out/build.log" >&2
  exit 1
fi
ls "$out"/lumen_"$version"_*.deb
