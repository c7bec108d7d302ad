#!/bin/sh
# tests/e2e/notify_cli.t, with lumen notify behind PgBouncer in transaction mode.
exec sh tests/pooler/through.sh tests/e2e/notify_cli.t
