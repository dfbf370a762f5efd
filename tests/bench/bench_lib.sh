# Shared by the benchmark scripts (sourced, not run): a working folder, a throwaway PostgreSQL
# server and the clean-up of both and of the charta server.
#
#   bench_dir PREFIX          # sets $dir (a new folder under $TMPDIR or /tmp unless $dir is set)
#   trap bench_cleanup EXIT   # stops $server_pid and PostgreSQL, removes a folder of our own
#   start_pg [-c name=value ...]   # initdb + pg_ctl start under $dir/pg; sets $pg_port
#   as_pg CMD ARGS...         # runs a command as the PostgreSQL user (postgres when root)
#   free_port                 # prints a free TCP port on 127.0.0.1

server_pid=""
pg_data=""
pg_bin=""
pg_user=""
pg_port=""
own_dir=0

bench_dir() {
  if [ -z "${dir:-}" ]; then
    dir="$(mktemp -d "${TMPDIR:-/tmp}/$1-XXXXXX")"
    own_dir=1
  fi
  mkdir -p "$dir"
  chmod 755 "$dir"
}

as_pg() {
  if [ -n "$pg_user" ]; then
    local q=""
    for a in "$@"; do q="$q $(printf '%q' "$a")"; done
    su "$pg_user" -s /bin/sh -c "$q"
  else
    "$@"
  fi
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

bench_cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  if [ -n "$pg_data" ]; then as_pg "$pg_bin/pg_ctl" -D "$pg_data" -m fast -w stop >/dev/null 2>&1 || true; fi
  if [ "$own_dir" = 1 ]; then rm -rf "$dir"; fi
}

# True when a PostgreSQL server can be made here ($CHARTA_PG_BINDIR or the newest Debian one).
have_pg() {
  pg_bin="${CHARTA_PG_BINDIR:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}"
  [ -x "$pg_bin/initdb" ]
}

# A fresh cluster under $dir/pg, durable (fsync and synchronous commit on), trust authentication
# for the superuser "charta", listening on 127.0.0.1:$pg_port. Extra arguments go to postgres.
start_pg() {
  have_pg || { echo "no PostgreSQL (initdb): apt-get install postgresql" >&2; exit 1; }
  if [ "$(id -u)" = 0 ]; then pg_user=postgres; fi
  mkdir -p "$dir/pg"
  if [ -n "$pg_user" ]; then chown "$pg_user" "$dir/pg"; fi
  pg_data="$dir/pg/data"
  pg_port="$(free_port)"
  as_pg "$pg_bin/initdb" -D "$pg_data" -U charta --auth=trust -E UTF8 >/dev/null
  as_pg "$pg_bin/pg_ctl" -D "$pg_data" -l "$dir/pg/log" -w \
    -o "-p $pg_port -k $dir/pg -c listen_addresses=127.0.0.1 -c fsync=on -c synchronous_commit=on $*" \
    start >/dev/null
}
