#!/bin/sh
# tests/e2e/signin.t, with lumen behind PgBouncer in transaction mode.
exec sh tests/pooler/through.sh tests/e2e/signin.t
