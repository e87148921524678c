#!/usr/bin/env bash
# A throwaway PostgreSQL server on loopback for the tests: `start` installs PostgreSQL if missing (Debian package),
# creates a cluster in a temporary folder, starts it on a free port with the database `rampart_test`, and prints the
# URL to use; `stop` stops it and deletes the folder. The cluster trusts local connections only (127.0.0.1).
#
#   url=$(bash scripts/postgres.sh start)      # postgres://rampart@127.0.0.1:PORT/rampart_test?tlsmode=disable
#   bash scripts/postgres.sh pause|resume       # stop and restart the server, keeping its data and port
#   bash scripts/postgres.sh stop
set -euo pipefail
state=${RAMPART_PG_STATE:-/tmp/rampart-test-postgres}
# Tests run with fsync off (a throwaway cluster); benchmarks set RAMPART_PG_FSYNC=on to measure durable commits.
fsync=${RAMPART_PG_FSYNC:-off}

bin() {
    local dir
    dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
    if [ -z "$dir" ] || [ ! -x "$dir/initdb" ]; then
        echo "installing PostgreSQL (Debian package postgresql)" >&2
        if [ "$(id -u)" = 0 ]; then
            apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
        else
            sudo apt-get install -y postgresql >&2
        fi
        dir=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
    fi
    echo "$dir"
}

# initdb and postgres refuse to run as root: run them as the `postgres` user the package creates.
as_owner() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "${1:-}" in
start)
    dir=$(bin)
    if [ -f "$state/port" ] && as_owner "$dir/pg_ctl" -D "$state/data" status >/dev/null 2>&1; then
        echo "postgres://rampart@127.0.0.1:$(cat "$state/port")/rampart_test?tlsmode=disable"
        exit 0
    fi
    rm -rf "$state"
    mkdir -p "$state"
    [ "$(id -u)" = 0 ] && chown postgres "$state"
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    as_owner "$dir/initdb" -D "$state/data" -U rampart --auth=trust --no-sync -E UTF8 >"$state/initdb.log" 2>&1 \
        || { cat "$state/initdb.log" >&2; exit 1; }
    as_owner "$dir/pg_ctl" -D "$state/data" -l "$state/server.log" -w -t 60 \
        -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$state -c fsync=$fsync -c max_connections=200" start >/dev/null \
        || { cat "$state/server.log" >&2; exit 1; }
    echo "$port" >"$state/port"
    "$dir/createdb" -h 127.0.0.1 -p "$port" -U rampart rampart_test
    echo "postgres://rampart@127.0.0.1:$port/rampart_test?tlsmode=disable"
    ;;
pause)   # stop the server but keep its data (tests of an unreachable database)
    dir=$(bin)
    as_owner "$dir/pg_ctl" -D "$state/data" -m immediate -w stop >/dev/null
    ;;
resume)  # start a paused server again on the same port
    dir=$(bin)
    port=$(cat "$state/port")
    as_owner "$dir/pg_ctl" -D "$state/data" -l "$state/server.log" -w -t 60 \
        -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$state -c fsync=$fsync -c max_connections=200" start >/dev/null
    ;;
stop)
    dir=$(bin)
    if [ -d "$state/data" ]; then as_owner "$dir/pg_ctl" -D "$state/data" -m fast -w stop >/dev/null 2>&1 || true; fi
    rm -rf "$state"
    ;;
*)
    echo "usage: $0 start|stop|pause|resume" >&2
    exit 64
    ;;
esac
