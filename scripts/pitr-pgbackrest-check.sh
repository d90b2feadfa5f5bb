#!/bin/bash
# Point-in-time recovery with pgBackRest on a private PostgreSQL 15 cluster (port 5499), as docs/operations.md describes.
set -euo pipefail
D=/tmp/marquee-pitr
BIN=/usr/lib/postgresql/15/bin
rm -rf $D; mkdir -p $D; chown postgres $D
as_pg() { su postgres -s /bin/bash -c "$*"; }
as_pg "$BIN/initdb -D $D/pg -A trust >/dev/null"
cat > $D/pgbackrest.conf <<CONF
[global]
repo1-path=$D/repo
repo1-retention-full=2
log-path=$D
lock-path=$D
[marquee]
pg1-path=$D/pg
pg1-port=5499
pg1-socket-path=$D
CONF
chown postgres $D/pgbackrest.conf
cat >> $D/pg/postgresql.conf <<CONF
port = 5499
listen_addresses = ''
unix_socket_directories = '$D'
wal_level = replica
archive_mode = on
archive_command = 'pgbackrest --config=$D/pgbackrest.conf --stanza=marquee archive-push %p'
CONF
PGB="pgbackrest --config=$D/pgbackrest.conf --stanza=marquee"
as_pg "$BIN/pg_ctl -D $D/pg -l $D/pg.log -w start >/dev/null"
as_pg "$PGB stanza-create"
as_pg "$PGB check"
PSQL="psql -h $D -p 5499 -U postgres -At -c"
as_pg "$PSQL 'create schema users; create table users.accounts (email text)'"
as_pg "$PSQL \"insert into users.accounts values ('before-full@x')\""
as_pg "$PGB --type=full backup"
as_pg "$PSQL \"insert into users.accounts values ('after-full@x')\""
sleep 1
T=$(as_pg "$PSQL 'select now()'")
sleep 1
as_pg "$PSQL \"insert into users.accounts values ('mistake@x'); delete from users.accounts where email = 'before-full@x'\""
as_pg "$PSQL 'select pg_switch_wal()'" >/dev/null
sleep 2
as_pg "$BIN/pg_ctl -D $D/pg -w stop >/dev/null"
as_pg "$PGB --delta --type=time \"--target=$T\" --target-action=promote restore"
as_pg "$BIN/pg_ctl -D $D/pg -l $D/pg.log -w start >/dev/null"
sleep 2
echo "recovered to $T:"; as_pg "$PSQL 'select email from users.accounts order by email'"
as_pg "$BIN/pg_ctl -D $D/pg -w stop >/dev/null"
