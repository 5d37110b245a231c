#!/usr/bin/env bash
# Benchmark: `pitr validate PLAN` with a time target over a repository whose archive holds the
# 100,000 synthetic segments of bench/catalog.sh as history, followed by real WAL of a real
# cluster (a gzip'd tar base backup, a few commits) that continues after them. Cold (no pitr
# cache) and cached, side by side with `pitr catalog PLAN` cached and with `find` listing the
# archive with each file's size and modification time (the floor for any tool that must
# notice a changed file). Prints medians and ratios to find.
#
# The repository is made once in $PITR_BENCH_DIR (default /tmp/pitr-bench-validate) and reused:
# a throw-away cluster (as the postgres user, socket in its own folder, no TCP) is initdb'd,
# moved past the synthetic segments with pg_resetwal -l, backed up and written to, and stopped
# again, even when something fails. PostgreSQL 15 binaries come from $PG_BIN (default
# /usr/lib/postgresql/15/bin); run as root (the servers run as postgres) or as postgres.
#
# usage: bench/validate.sh [RUNS]         (results go in docs/benchmarks.md by hand)
#        PITR_BIN=path/to/pitr bench/validate.sh   to time that binary instead of building
set -euo pipefail
shopt -s inherit_errexit
cd "$(dirname "$0")/.."
source bench/lib.sh
BENCH_STRICT=1
runs=${1:-5}
work=${PITR_BENCH_DIR:-/tmp/pitr-bench-validate}
pg_bin=${PG_BIN:-/usr/lib/postgresql/15/bin}
archive="$work/wal"
real_wal="$archive/9999-12-31"   # the real cluster's dated folder, after the synthetic ones
base="$work/base"
cluster="$work/cluster"         # the throw-away cluster's folder: its socket, and data/
data="$cluster/data"
plan="$work/plan.yaml"
made="$work/.made"               # written last: the repository is complete
synthetic_segments=100000
synthetic_folders=1000

# Stops the throw-away cluster, by its data directory, if it runs.
stop_cluster() { stop_clusters "$data"; }
trap stop_cluster EXIT
trap 'exit 130' INT TERM

make_repository() {
  echo "making the repository in $work (once)"
  stop_cluster
  rm -rf "$archive" "$base" "$cluster" "$plan" "$work/restored" "$work/cache-"*
  umask 022   # the postgres user must reach its folders
  mkdir -p "$work" "$real_wal" "$base" "$work/socket"
  if [ "$(id -u)" = 0 ]; then chown postgres: "$real_wal" "$base" "$work/socket"; fi

  # 1. The cluster, and its system identifier for the synthetic headers.
  source_cluster_init "$cluster" "gzip < %p > $real_wal/%f.gz"
  local system_id
  system_id=$(as_postgres "$pg_bin/pg_controldata" -D "$data" | awk -F': *' '/Database system identifier/ {print $2}')

  # 2. The synthetic history, with that identifier; the cluster's WAL starts right after it.
  python3 bench/make-synthetic-archive.py "$archive" "$synthetic_segments" "$synthetic_folders" "$system_id"
  local next
  next=$(python3 -c "n = $synthetic_segments + 1; print('%08X%08X%08X' % (1, n >> 8, n & 0xFF))")
  as_postgres "$pg_bin/pg_resetwal" -l "$next" -D "$data" >/dev/null

  # 3. A base backup, then commits a second apart; the target is between the 3rd and the 4th.
  source_cluster_start
  psql() { source_psql "$@"; }
  psql -c "CREATE TABLE rows (id int PRIMARY KEY, at timestamptz NOT NULL DEFAULT clock_timestamp())"
  as_postgres "$pg_bin/pg_basebackup" -h "$cluster" -p "$source_port" -U postgres -D "$base/$(date -u +%F)" -Ft -Xs -Z server-gzip --no-sync
  local target=""
  for id in 1 2 3 4 5 6; do
    psql -c "INSERT INTO rows (id) VALUES ($id)"
    sleep 0.5
    if [ "$id" = 3 ]; then
      target=$(psql -c "SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') || '+00'")
    fi
    sleep 0.5
  done
  source_switch_wal "$real_wal/%f.gz"
  stop_cluster
  rm -rf "$cluster"

  # 4. The plan: the time between the 3rd and 4th commits, so recovery stops before the 4th.
  cat >"$plan" <<EOF
# bench/validate.sh: 100,000 synthetic segments, then the real WAL of a cluster moved past them.
version: 1
name: bench-validate

backups:
  base: $base
  wal: $archive

target:
  time: "$target"
  timeline: current

destination:
  data_directory: $work/restored
  port: \${PITR_BENCH_PORT:-54329}
  bin_dir: $pg_bin
  os_user: postgres
  settings:
    unix_socket_directories: $work/socket   # the backup's folder (the cluster's) is gone

action: promote
EOF
  touch "$made"
}

if [ -n "${PITR_BIN:-}" ]; then
  pitr=$PITR_BIN
else
  swift build -c release --product pitr >/dev/null
  pitr=.build/release/pitr
fi
if [ ! -f "$made" ]; then make_repository; fi
PITR_BENCH_PORT=$(free_port)
export PITR_BENCH_PORT

# The plan must be valid (exit 0), and say which backup and where recovery stops.
echo "pitr validate $plan:"
summary=$("$pitr" validate "$plan" --no-cache)
echo "$summary" | sed 's/^/  /'
grep -q '^  backup: ' <<<"$summary" && grep -q '^  stops: *recovery stopping before commit' <<<"$summary" \
  || { echo "pitr validate did not predict a stop before a commit" >&2; exit 1; }


# Cached means the second run after the cache was made afresh. Each cached measurement has its
# own cache folder: `pitr catalog` keeps only what it used, so it would drop the segment
# summaries `validate` keeps.
declare -a find_ms cold_ms cached_ms catalog_ms
for ((run = 1; run <= runs; run++)); do
  find_ms+=("$(time_ms find "$archive" -type f -printf '%s %T@ %p\n')")
  cold_ms+=("$(time_ms env XDG_CACHE_HOME="$work/cache-cold" "$pitr" validate "$plan" --no-cache)")
  rm -rf "$work/cache-validate" "$work/cache-catalog"
  time_ms env XDG_CACHE_HOME="$work/cache-validate" "$pitr" validate "$plan" >/dev/null
  cached_ms+=("$(time_ms env XDG_CACHE_HOME="$work/cache-validate" "$pitr" validate "$plan")")
  time_ms env XDG_CACHE_HOME="$work/cache-catalog" "$pitr" catalog "$plan" >/dev/null
  catalog_ms+=("$(time_ms env XDG_CACHE_HOME="$work/cache-catalog" "$pitr" catalog "$plan")")
done

find_median=$(printf '%s\n' "${find_ms[@]}" | median)
cold_median=$(printf '%s\n' "${cold_ms[@]}" | median)
cached_median=$(printf '%s\n' "${cached_ms[@]}" | median)
catalog_median=$(printf '%s\n' "${catalog_ms[@]}" | median)
files=$(find "$archive" -type f | wc -l)
real=$(find "$real_wal" -type f | wc -l)
ratio() { awk -v a="$1" -v b="$find_median" 'BEGIN{printf "%.2fx", a/b}'; }

echo "archive: $files files ($real of them real WAL, in $real_wal)"
echo "runs: $runs (medians; the OS page cache is warm after the first run)"
printf '%-28s %8s ms  %6s\n' "find, size+mtime (baseline)" "$find_median" "1.00x"
printf '%-28s %8s ms  %6s\n' "pitr validate, cold" "$cold_median" "$(ratio "$cold_median")"
printf '%-28s %8s ms  %6s\n' "pitr validate, cached" "$cached_median" "$(ratio "$cached_median")"
printf '%-28s %8s ms  %6s\n' "pitr catalog, cached" "$catalog_median" "$(ratio "$catalog_median")"
