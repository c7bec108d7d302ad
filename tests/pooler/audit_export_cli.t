#!/bin/sh
# tests/e2e/audit_export_cli.t, with lumen behind PgBouncer in transaction mode.
exec sh tests/pooler/through.sh tests/e2e/audit_export_cli.t
