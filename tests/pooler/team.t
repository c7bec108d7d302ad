#!/bin/sh
# tests/e2e/team.t, with lumen behind PgBouncer in transaction mode.
exec sh tests/pooler/through.sh tests/e2e/team.t
