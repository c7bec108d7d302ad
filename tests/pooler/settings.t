#!/bin/sh
# tests/pooler/settings.c (build/tests/pooler/settings, make check builds it)
# behind PgBouncer in transaction mode.
exec sh tests/pooler/through.sh build/tests/pooler/settings
