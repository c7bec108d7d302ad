#!/bin/sh
# tests/e2e/revoked.t, with lumen behind PgBouncer in transaction mode.
exec sh tests/pooler/through.sh tests/e2e/revoked.t
