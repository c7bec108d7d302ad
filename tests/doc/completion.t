#!/bin/sh
# The bash completion (doc/lumen.bash-completion) in a real bash: what it
# offers after each word, and file names after --config.  Its commands and
# options are checked against `lumen --help` and each command's --help, so
# a command or option added to lumen without its completion fails here.
set -u
top=$(pwd)
bin=${LUMEN_BIN:-$top/lumen}
n=0; fail=0
ok() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fail=1; fi; }
# complete WORD...: what the completion offers for the last word.
complete_words() {
  bash --norc --noprofile -c '
    . "$1/doc/lumen.bash-completion"; shift
    COMP_WORDS=("$@"); COMP_CWORD=$(( $# - 1 ))
    _lumen; printf "%s\n" "${COMPREPLY[@]}" | sort | tr "\n" " "' _ "$top" "$@"
}
is() { [ "$1" = "$2" ] || echo "# got '$1', expected '$2'"; [ "$1" = "$2" ]; }

is "$(complete_words lumen a)" "accept-invite audit "; ok $? "lumen a offers accept-invite and audit"
is "$(complete_words lumen audit '')" "export verify "; ok $? "lumen audit offers export and verify"
is "$(complete_words lumen leads export --st)" "--status "; ok $? "leads export completes --status"
is "$(complete_words lumen leads export --status b)" "booked "; ok $? "--status completes a status"
is "$(complete_words lumen --config x audit export --pre)" "--preset "; ok $? "--config and its file are skipped"
dir=$(mktemp -d); trap 'rm -rf "$dir"' EXIT
touch "$dir/lumen.conf" "$dir/other.txt"
is "$(complete_words lumen --config "$dir/lu")" "$dir/lumen.conf "; ok $? "--config completes a file name"
is "$(complete_words lumen sessions revoke --a)" "--all "; ok $? "sessions revoke offers --all"

# Every command word and option of the program is offered where it applies.
help=$("$bin" --help)
for cmd in $(printf '%s\n' "$help" | sed -n '/^commands:/,/^$/s/^  \([a-z][a-z-]*\( [a-z][a-z-]*\)\{0,1\}\).*/\1/p' \
             | sed 's/ ID$//; s/ CODE$//; s/ NAME$//' | tr ' ' '+'); do
  words=$(echo "$cmd" | tr '+' ' ')
  first=${words%% *}
  case "$words" in
    *" "*) rest=${words#* }
           offered=$(complete_words lumen "$first" '')
           case " $offered" in *" $rest "*) r=0 ;; *) r=1; echo "# lumen $first offers: $offered" ;; esac
           ok $r "lumen $first completes '$rest'" ;;
    *)     offered=$(complete_words lumen '')
           case " $offered" in *" $first "*) r=0 ;; *) r=1 ;; esac
           ok $r "lumen completes '$first'" ;;
  esac
  sub=$("$bin" $words --help 2>/dev/null) || sub=$("$bin" "$first" --help 2>/dev/null) || sub=""
  offered=$(complete_words lumen $words --)
  # The options of this command's usage lines (a help may show a sibling's).
  opts=$(printf '%s\n' "$sub" | awk -v w="lumen $words" '
    /^$/ { exit }
    { line = $0; sub(/^usage: /, "", line); sub(/^ +/, "", line)
      if (line ~ /^lumen /) mine = (index(line, w) == 1) }
    mine' | grep -o -- '--[a-z][a-z-]*' | sort -u)
  for opt in $opts; do
    case " $offered" in *" $opt "*) r=0 ;; *) r=1; echo "# lumen $words -- offers: $offered" ;; esac
    ok $r "lumen $words completes $opt"
  done
done
echo "1..$n"
exit $fail
