#!/usr/bin/env bash
# Runs CMD [ARGS...] beside a private PostgreSQL server made for this one run, then stops it.
#
#   tests/postgres/with_server.sh ctest --output-on-failure -j 2
#   tests/postgres/with_server.sh bash          # a shell with the server; tests/postgres/psql.sh in it
#
# What it does: creates a temporary directory (${TMPDIR:-/tmp}/crmkit-pg.XXXXXX), runs initdb
# into it (superuser `postgres`, trust authentication, UTF8, C locale), starts the server
# listening only on a Unix socket in that directory (listen_addresses = '', no TCP at all; the
# port number only names the socket file, so it cannot collide with another server) with
# fsync and full_page_writes off and max_connections 200, waits until it accepts connections
# (pg_ctl -w, then pg_isready), creates the database `crmkit_test` and runs CMD with these
# variables exported:
#
#   CRMKIT_TEST_POSTGRES  libpq URI of crmkit_test, e.g.
#                         postgresql:///crmkit_test?host=/tmp/crmkit-pg.AbC123&port=5432&user=postgres
#   CRMKIT_TEST_PG_CTL    a command that runs pg_ctl on this server as the right OS user, with
#                         -D, -l and -w already given: a durability test stops the server hard and
#                         starts it again with
#                             "$CRMKIT_TEST_PG_CTL" stop -m immediate
#                             "$CRMKIT_TEST_PG_CTL" start
#                         (the settings live in the data directory's postgresql.conf, so a plain
#                         start brings the same server back on the same socket)
#   CRMKIT_TEST_PG_DATA   the data directory (owned by CRMKIT_TEST_PG_USER)
#   CRMKIT_TEST_PG_USER   the OS user the server runs as: `postgres` (or `nobody`) when this
#                         script runs as root, since initdb and postgres refuse to run as root;
#                         otherwise the caller
#   CRMKIT_TEST_PG_BINDIR the PostgreSQL programs used (the newest installed version)
#   CRMKIT_TEST_PG_LOG    the server's log file
#
# The server is always stopped (pg_ctl stop -m fast, then immediate, then SIGKILL of its
# postmaster if it still runs) and the directory removed when CMD ends, fails, or this script
# is interrupted (SIGINT, SIGTERM, SIGHUP: the signal is passed on to CMD first). The exit
# status is CMD's (128+N if CMD died of signal N; 130/143/129 if this script was interrupted).
# If this script is SIGKILLed (a CI timeout killing the process group), a watchdog in a session
# of its own notices within a second and does the same. Only killing the watchdog too (or the
# machine going down) can leave a server behind: `ps` shows it with -D .../crmkit-pg.XXXXXX/data.
#
# Crash semantics: fsync = off and full_page_writes = off make this server safe against a
# crash of the server's processes (pg_ctl stop -m immediate) but not of the machine, which is
# all a test run needs. synchronous_commit stays ON on purpose: with it off, a commit returns
# before its WAL leaves PostgreSQL's shared memory, so an immediate stop may lose acknowledged
# transactions, and the restart test (no acknowledged batch lost) would fail for the server's
# setting, not crmkit's behaviour. With fsync off a synchronous commit costs one write() to the
# page cache.
#
# Without PostgreSQL installed (no initdb/pg_ctl/postgres found), it says so on stderr and runs
# CMD without CRMKIT_TEST_POSTGRES; the PostgreSQL tests then skip. If CRMKIT_TEST_POSTGRES is
# already set, that server is used as given and none is started (CRMKIT_TEST_PG_CTL is then
# not set, and tests that restart the server skip). CRMKIT_PG_BINDIR chooses the programs;
# CRMKIT_REQUIRE_POSTGRES=1 (set by .ci/run) makes a missing PostgreSQL an error, so CI never
# passes with the PostgreSQL tests skipped.
# Quiet on success apart from one line naming the socket; on a failed start it prints the
# server's log and exits 1 without running CMD; when CMD fails, the last 20 lines of the
# server's log follow its output. Start-up (initdb, start, CREATE DATABASE) took
# 1.4-1.5 s on the project's 2-core machine when quiet and 2.2-5.0 s while it compiled (load
# 3-4); stopping about 0.7 s. TMPDIR=/dev/shm saves a little more (tmpfs).
set -uo pipefail

me=with_server
if [ $# -eq 0 ]; then
  echo "usage: $0 CMD [ARGS...]" >&2
  exit 2
fi

if [ -n "${CRMKIT_TEST_POSTGRES:-}" ]; then
  echo "$me: CRMKIT_TEST_POSTGRES is set; using that server, starting none" >&2
  exec "$@"
fi

# The PostgreSQL programs: CRMKIT_PG_BINDIR, else the newest of pg_config's bindir, Debian's
# /usr/lib/postgresql/*/bin and the directory of an initdb on PATH.
has_server() { [ -x "$1/initdb" ] && [ -x "$1/pg_ctl" ] && [ -x "$1/postgres" ]; }
find_bindir() {
  if [ -n "${CRMKIT_PG_BINDIR:-}" ]; then
    has_server "$CRMKIT_PG_BINDIR" && echo "$CRMKIT_PG_BINDIR"
    return
  fi
  local candidates=() d best="" best_version="" v
  command -v pg_config >/dev/null 2>&1 && candidates+=("$(pg_config --bindir 2>/dev/null)")
  for d in /usr/lib/postgresql/*/bin; do candidates+=("$d"); done
  command -v initdb >/dev/null 2>&1 && candidates+=("$(dirname "$(readlink -f "$(command -v initdb)")")")
  for d in "${candidates[@]}"; do
    [ -n "$d" ] && has_server "$d" || continue
    v=$("$d/pg_ctl" --version 2>/dev/null | awk '{print $3}') || continue
    if [ -z "$best" ] || [ "$(printf '%s\n%s\n' "$best_version" "$v" | sort -V | tail -n 1)" != "$best_version" ]; then
      best=$d best_version=$v
    fi
  done
  [ -n "$best" ] && echo "$best"
}
bindir=$(find_bindir)
if [ -z "$bindir" ]; then
  if [ -n "${CRMKIT_PG_BINDIR:-}" ]; then
    echo "$me: CRMKIT_PG_BINDIR=$CRMKIT_PG_BINDIR holds no initdb, pg_ctl and postgres" >&2
  else
    echo "$me: PostgreSQL is not installed (no initdb, pg_ctl and postgres in pg_config --bindir," \
         "/usr/lib/postgresql/*/bin or PATH; Debian: apt-get install postgresql)" >&2
  fi
  if [ "${CRMKIT_REQUIRE_POSTGRES:-0}" = 1 ]; then
    echo "$me: CRMKIT_REQUIRE_POSTGRES=1: not running $1 without it" >&2
    exit 1
  fi
  echo "$me: running without CRMKIT_TEST_POSTGRES, so the PostgreSQL tests skip" >&2
  exec "$@"
fi

# initdb and postgres refuse to run as root: as root the server runs as `postgres` (the user
# Debian's package creates) or else `nobody`, and owns the temporary directory.
if [ "$(id -u)" -eq 0 ]; then
  if id -u postgres >/dev/null 2>&1; then server_user=postgres; else server_user=nobody; fi
  as_server() { runuser -u "$server_user" -- "$@"; }
else
  server_user=$(id -un)
  as_server() { "$@"; }
fi

started=$(date +%s.%N)
base=${TMPDIR:-/tmp}
# A Unix socket path holds at most 107 bytes, and the path goes unencoded into the URI: fall
# back to /tmp under a long TMPDIR or one with characters a URI would need escaped.
if [ ${#base} -gt 60 ] || [[ ! $base =~ ^[A-Za-z0-9/._-]+$ ]]; then base=/tmp; fi
dir=$(mktemp -d "$base/crmkit-pg.XXXXXX") || { echo "$me: cannot create a directory in $base" >&2; exit 1; }
data=$dir/data
log=$dir/server.log
port=5432
child=""
watchdog=""
cleaned=0

# Stops the server however it can (fast, immediate, then SIGKILL of its postmaster) and
# removes the directory. Never fails. Also run by the watchdog below, so it uses only the
# variables dir, data, bindir and the function as_server.
stop_server() {
  if [ -f "$data/postmaster.pid" ]; then
    if ! (cd "$dir" && as_server "$bindir/pg_ctl" -D "$data" -m fast -w -t 20 stop) >/dev/null 2>&1; then
      (cd "$dir" && as_server "$bindir/pg_ctl" -D "$data" -m immediate -w -t 10 stop) >/dev/null 2>&1
    fi
    if [ -f "$data/postmaster.pid" ]; then
      local pid
      pid=$(head -n 1 "$data/postmaster.pid" 2>/dev/null)
      if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
        echo "with_server: the server (pid $pid) did not stop; killing it" >&2
        kill -KILL "$pid" 2>/dev/null
        sleep 0.5
      fi
    fi
  fi
  rm -rf "$dir"
}
# Runs once, at exit; a second Ctrl-C during it does not cut it short.
cleanup() {
  [ "$cleaned" = 1 ] && return
  cleaned=1
  trap '' INT TERM HUP
  [ -n "$watchdog" ] && kill "$watchdog" 2>/dev/null
  stop_server
}
# A signal: pass it on to CMD, stop the server at once (CMD's results no longer count, and a
# supervisor may follow its signal with SIGKILL), give CMD up to 10 s to end, exit.
on_signal() {
  local sig=$1 code=$2
  trap '' INT TERM HUP
  [ -n "$child" ] && kill -"$sig" "$child" 2>/dev/null
  cleanup
  if [ -n "$child" ]; then
    for _ in $(seq 100); do kill -0 "$child" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$child" 2>/dev/null && kill -KILL "$child" 2>/dev/null
    wait "$child" 2>/dev/null
  fi
  echo "$me: interrupted (SIG$sig); server stopped" >&2
  exit "$code"
}
trap cleanup EXIT
trap 'on_signal INT 130' INT
trap 'on_signal TERM 143' TERM
trap 'on_signal HUP 129' HUP

# The watchdog: if this script dies without cleaning up (SIGKILL, e.g. a CI timeout that
# kills the whole process group), it stops the server and removes the directory. It runs in a
# session of its own, like the postmaster pg_ctl starts, so a signal to this script's process
# group does not reach it; cleanup() ends it when this script exits normally.
dir=$dir data=$data bindir=$bindir server_user=$server_user setsid bash -c "$(declare -f stop_server as_server)"'
  while kill -0 "$1" 2>/dev/null; do sleep 1; done
  stop_server' with_server-watchdog "$$" </dev/null >/dev/null 2>&1 &
watchdog=$!

fail() {
  echo "$me: $1" >&2
  [ -f "$log" ] && { echo "--- $log:" >&2; tail -n 40 "$log" >&2; }
  exit 1
}

chmod 700 "$dir"
[ "$(id -u)" -eq 0 ] && chown "$server_user" "$dir"
(cd "$dir" && as_server "$bindir/initdb" -D "$data" -U postgres -A trust -E UTF8 --locale=C --no-sync) \
  >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; fail "initdb failed ($bindir/initdb as $server_user)"; }
# The settings go into postgresql.conf (the last value wins), so a plain `pg_ctl start`
# after a stop brings back the same server on the same socket.
as_server tee -a "$data/postgresql.conf" >/dev/null <<EOF

# crmkit test server (tests/postgres/with_server.sh): private, Unix socket only, not durable
# against a machine crash.
listen_addresses = ''
unix_socket_directories = '$dir'
port = $port
max_connections = 200
fsync = off
full_page_writes = off
synchronous_commit = on
EOF
[ $? -eq 0 ] || fail "cannot write $data/postgresql.conf"

# A command for tests: pg_ctl on this server, as its user, -D/-l/-w given.
pg_ctl_cmd=$dir/pg_ctl
{
  echo '#!/bin/sh'
  echo "# pg_ctl on the crmkit test server in $data (made by tests/postgres/with_server.sh)"
  printf 'cd %q || exit 1\n' "$dir"
  if [ "$(id -u)" -eq 0 ]; then
    printf 'exec runuser -u %q -- %q -D %q -l %q -w -t 60 "$@"\n' "$server_user" "$bindir/pg_ctl" "$data" "$log"
  else
    printf 'exec %q -D %q -l %q -w -t 60 "$@"\n' "$bindir/pg_ctl" "$data" "$log"
  fi
} >"$pg_ctl_cmd"
chmod 755 "$pg_ctl_cmd"

"$pg_ctl_cmd" start >/dev/null 2>&1 || fail "the server did not start"
ready=0
for _ in $(seq 100); do
  if "$bindir/pg_isready" -q -h "$dir" -p "$port" -U postgres -d postgres; then ready=1; break; fi
  sleep 0.1
done
[ "$ready" = 1 ] || fail "the server does not accept connections on $dir/.s.PGSQL.$port"
"$bindir/psql" -X -q -v ON_ERROR_STOP=1 -h "$dir" -p "$port" -U postgres -d postgres \
  -c 'CREATE DATABASE crmkit_test' >/dev/null 2>"$dir/createdb.log" \
  || { cat "$dir/createdb.log" >&2; fail "cannot create the database crmkit_test"; }

export CRMKIT_TEST_POSTGRES="postgresql:///crmkit_test?host=$dir&port=$port&user=postgres"
export CRMKIT_TEST_PG_CTL=$pg_ctl_cmd
export CRMKIT_TEST_PG_DATA=$data
export CRMKIT_TEST_PG_USER=$server_user
export CRMKIT_TEST_PG_BINDIR=$bindir
export CRMKIT_TEST_PG_LOG=$log
version=$("$bindir/pg_ctl" --version | awk '{print $3}')
elapsed=$(awk -v a="$started" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
echo "$me: PostgreSQL $version on $dir/.s.PGSQL.$port (up in $elapsed s; CRMKIT_TEST_POSTGRES=$CRMKIT_TEST_POSTGRES)"

# CMD runs in the background so that a signal reaches this script at once (a foreground
# command would delay the trap until it ends); it keeps stdin and, unlike an ordinary
# background job, the default handling of SIGINT and SIGQUIT, so Ctrl-C reaches it as usual.
( trap - INT QUIT TERM HUP; exec "$@" ) <&0 &
child=$!
wait "$child"
status=$?
child=""
# The log goes with the directory: when CMD failed, show its end (a server-side cause such as
# "too many clients" or a crash shows there; refused statements of the hostile tests do too).
if [ "$status" -ne 0 ] && [ -f "$log" ]; then
  echo "$me: $1 exited with status $status; the end of the server's log:" >&2
  tail -n 20 "$log" | sed 's/^/  /' >&2
fi
exit "$status"
