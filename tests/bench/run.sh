#!/bin/sh
# make bench: what can be measured of what is built, as ratios against a
# reference run in the same script on the same throwaway cluster (never a
# timed assertion).  Not part of make check.  Each part makes a cluster of
# its own, prints its table and destroys the cluster; the head of each
# script says what it measures, its knobs and how long it takes.
#
#   tests/bench/audit.sh   the audit log at ten million rows: a sign-in
#                          guess vs plain api calls, viewer pages through
#                          the api vs the bare indexed queries, lumen audit
#                          export vs psql's \copy, lumen audit verify vs
#                          sha256sum and its peak memory at two sizes
#                          (BENCH_AUDIT_ROWS, default 10000000; about 50
#                          minutes on 2 shared cores)
#   tests/bench/leads.sh   the lead inbox at a million leads: pages through
#                          the api vs the bare indexed queries (free text
#                          too), lumen leads export vs psql's \copy, bytes
#                          to the terminal per key, the TUI's memory after
#                          paging (BENCH_LEADS; about ten minutes)
#   tests/bench/revoke.sh  sign out everywhere: from its commit to another
#                          open client (the real lumen in tmux) showing
#                          sign-in, 20 tries with LISTEN and 20 with the
#                          poll fallback ([database] pooler = transaction),
#                          median and worst; and what the poll costs an idle
#                          client in api.session_state calls a minute
#                          (BENCH_REVOKE_TRIES, BENCH_IDLE_SECS; about 4
#                          minutes)
#
# BENCH=audit runs only the audit part, BENCH=leads only the inbox's,
# BENCH=revoke only sign out everywhere's (e.g. BENCH=audit
# BENCH_AUDIT_ROWS=1000000 make bench); unset or all, every part there is,
# audit first.
set -eu
case ${BENCH:-all} in
  audit) exec sh tests/bench/audit.sh ;;
  leads) exec sh tests/bench/leads.sh ;;
  revoke) exec sh tests/bench/revoke.sh ;;
  all) ;;
  *) echo "make bench: BENCH is audit, leads, revoke or all (not '$BENCH')" >&2; exit 2 ;;
esac
sh tests/bench/audit.sh
echo
sh tests/bench/leads.sh
echo
sh tests/bench/revoke.sh
