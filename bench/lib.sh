# Shared by the benchmark scripts (`source bench/lib.sh` from the repository root).

# Milliseconds (with two decimals) one run of a command takes, its output discarded. With
# BENCH_STRICT=1 a failing command ends the benchmark instead of being timed.
time_ms() {
  local start end
  start=$(date +%s%N)
  if ! "$@" >/dev/null 2>&1 && [ "${BENCH_STRICT:-0}" = 1 ]; then
    echo "failed: $*" >&2
    exit 1
  fi
  end=$(date +%s%N)
  echo "$(((end - start) / 1000000)).$(printf '%02d' $((((end - start) / 10000) % 100)))"
}

# The median of numbers read one per line.
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# Runs a command as the postgres user (as is, when that is who we are).
as_postgres() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# A TCP port nothing listens on (and no socket file names).
free_port() {
  python3 - <<'EOF'
import os, socket
while True:
    s = socket.socket()
    s.bind(("", 0))
    port = s.getsockname()[1]
    s.close()
    if not any(os.path.exists(f"{d}/.s.PGSQL.{port}") for d in ("/tmp", "/run/postgresql", "/var/run/postgresql")):
        print(port)
        break
EOF
}

# The throw-away source cluster the benchmarks make their repositories from, as the postgres
# user, in its own folder with its own port, its socket in that folder and no TCP. Each
# function uses the calling script's $pg_bin.
#
# source_cluster_init FOLDER ARCHIVE_COMMAND [MORE_CONF_LINES]: initdb into FOLDER/data, with
# wal_level replica, archiving by ARCHIVE_COMMAND (no single quotes in it); sets source_dir,
# source_data and source_port. FOLDER is made (0700, owned by postgres when we are root).
source_cluster_init() {
  source_dir=$1
  source_data=$1/data
  source_port=$(free_port)
  mkdir -p "$source_dir"
  chmod 700 "$source_dir"
  if [ "$(id -u)" = 0 ]; then chown postgres: "$source_dir"; fi
  as_postgres "$pg_bin/initdb" -D "$source_data" -U postgres -A trust --no-sync >/dev/null
  cat >>"$source_data/postgresql.conf" <<CONF
listen_addresses = ''
unix_socket_directories = '$source_dir'
port = $source_port
wal_level = replica
archive_mode = on
archive_command = '$2'
${3:-}
CONF
}

# source_cluster_start [PG_CTL_OPTIONS]: starts it and waits (the log in FOLDER/server.log);
# options such as "-c fsync=off" given here do not go into the backups' postgresql.conf.
source_cluster_start() {
  as_postgres "$pg_bin/pg_ctl" -D "$source_data" -l "$source_dir/server.log" -w ${1:+-o "$1"} start >/dev/null
}

# psql and pgbench against it (pgbench's output discarded), in the postgres database.
source_psql() {
  as_postgres "$pg_bin/psql" -h "$source_dir" -p "$source_port" -U postgres -d postgres -X -q -A -t \
    -v ON_ERROR_STOP=1 "$@"
}
source_pgbench() {
  as_postgres "$pg_bin/pgbench" -h "$source_dir" -p "$source_port" -U postgres "$@" postgres >/dev/null 2>&1
}

# source_switch_wal FILE: switches to a new WAL segment and waits (at most a minute) until
# the archiver has archived the one it closed; FILE (with %f for that segment's name) must
# then exist, or the benchmark ends.
source_switch_wal() {
  local last
  last=$(source_psql -c "SELECT pg_walfile_name(pg_switch_wal())")
  for _ in $(seq 600); do
    [ "$(source_psql -c "SELECT coalesce(last_archived_wal, '') >= '$last' FROM pg_stat_archiver")" = t ] && break
    sleep 0.1
  done
  local file=${1//%f/$last}
  [ -f "$file" ] || { echo "$last was not archived to $file; see $source_dir/server.log" >&2; exit 1; }
}

# stop_clusters DATA...: stops each server that runs from one of these data directories.
stop_clusters() {
  local folder
  for folder in "$@"; do
    if [ -f "$folder/postmaster.pid" ]; then
      as_postgres "$pg_bin/pg_ctl" -D "$folder" -m fast -w stop >/dev/null 2>&1 || true
    fi
  done
}
