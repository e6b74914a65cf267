#!/bin/bash
# The test PostgreSQL image's start-up, standing in for the official postgres image (no registry is
# reachable here) with the part of its contract docker-compose.yml relies on: an empty PGDATA is
# initialised with the superuser `postgres` whose password is POSTGRES_PASSWORD and a database
# POSTGRES_DB, then the server listens on every address of the container with password logins,
# as the postgres user. Debian's postgresql-15 does the work.
set -euo pipefail
BIN=/usr/lib/postgresql/15/bin
PGDATA="${PGDATA:-/var/lib/postgresql/data}"
: "${POSTGRES_PASSWORD:?POSTGRES_PASSWORD must be set, as the official image requires}"

mkdir -p "$PGDATA" /run/postgresql
chown postgres:postgres "$PGDATA" /run/postgresql
chmod 700 "$PGDATA"

if [ ! -s "$PGDATA/PG_VERSION" ]; then
  password_file="$(mktemp)"
  printf '%s\n' "$POSTGRES_PASSWORD" >"$password_file"
  chown postgres "$password_file"
  setpriv --reuid=postgres --regid=postgres --init-groups \
    "$BIN/initdb" -D "$PGDATA" -U postgres --pwfile="$password_file" --auth-local=trust \
    --auth-host=scram-sha-256 >/dev/null
  rm -f "$password_file"
  echo "host all all all scram-sha-256" >>"$PGDATA/pg_hba.conf"
  if [ -n "${POSTGRES_DB:-}" ] && [ "$POSTGRES_DB" != postgres ]; then
    setpriv --reuid=postgres --regid=postgres --init-groups \
      "$BIN/postgres" --single -D "$PGDATA" postgres <<<"CREATE DATABASE \"$POSTGRES_DB\";" >/dev/null
  fi
fi

exec setpriv --reuid=postgres --regid=postgres --init-groups \
  "$BIN/postgres" -D "$PGDATA" -c listen_addresses='*'
