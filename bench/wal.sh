#!/usr/bin/env bash
# Benchmark: scanning ~1 GB of real WAL (pgbench traffic) for commits and restore points,
# pitr side by side with pg_waldump in the same run, on plain segments and on gzip'd copies
# (against `gzip -dc` of the same files). Prints medians and ratios.
#
# usage: bench/wal.sh [RUNS] [SEGMENTS]      (results go in docs/benchmarks.md by hand)
# Must run as root (the server runs as the postgres user). The WAL is generated once into
# $PITR_BENCH_DIR (default /tmp/pitr-bench-wal) and reused. pitr is built (release) in
# $PITR_BENCH_SCRATCH (default .build-bench-wal), a build folder of its own; with
# $PITR_BENCH_OTHER set to another pitr executable (a build with a change under study), the
# commit listing is timed with it too, in the same run.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
runs=${1:-3}
segments=${2:-64}
work=${PITR_BENCH_DIR:-/tmp/pitr-bench-wal}
bin=/usr/lib/postgresql/15/bin
plain="$work/plain"
gz="$work/gz"

as_postgres() { runuser -u postgres -- "$@"; }

if [ ! -f "$work/ready" ]; then
  echo "generating $segments segments of pgbench WAL in $work (once)"
  rm -rf "$work" && mkdir -p "$plain" "$gz" && chown -R postgres:postgres "$work"
  as_postgres "$bin/initdb" -D "$work/data" -A trust >/dev/null
  cat >>"$work/data/postgresql.conf" <<CONF
port = 54329
listen_addresses = ''
unix_socket_directories = '$work'
archive_mode = on
archive_command = 'cp %p $plain/%f'
fsync = off
synchronous_commit = off
max_wal_size = 4GB
CONF
  as_postgres "$bin/pg_ctl" -D "$work/data" -l "$work/log" -w start >/dev/null
  psql=("$bin/psql" -h "$work" -p 54329 -U postgres -XAtq)
  "$bin/pgbench" -h "$work" -p 54329 -U postgres -i -s 10 -q postgres >/dev/null 2>&1
  "${psql[@]}" -c "SELECT pg_create_restore_point('bench-start')" >/dev/null
  while [ "$(find "$plain" -name '0000000100000000000000??' -o -name '000000010000000?000000??' | wc -l)" -lt "$segments" ]; do
    "$bin/pgbench" -h "$work" -p 54329 -U postgres -n -c 4 -j 2 -T 20 postgres >/dev/null 2>&1
    "${psql[@]}" -c "SELECT pg_create_restore_point('bench-mark')" >/dev/null
    "${psql[@]}" -c "SELECT pg_switch_wal()" >/dev/null
    sleep 1
  done
  as_postgres "$bin/pg_ctl" -D "$work/data" -m fast -w stop >/dev/null
  # Keep exactly the first $segments complete segments, and gzip'd copies of them.
  ls "$plain" | grep -E '^[0-9A-F]{24}$' | sort | tail -n +$((segments + 1)) | while read -r f; do rm "$plain/$f"; done
  rm -f "$plain"/*.backup "$plain"/*.history
  for f in "$plain"/*; do gzip -c "$f" > "$gz/$(basename "$f").gz"; done
  touch "$work/ready"
fi

scratch=${PITR_BENCH_SCRATCH:-.build-bench-wal}
swift build -c release --scratch-path "$scratch" --product pitr >/dev/null
pitr=$scratch/release/pitr
other=${PITR_BENCH_OTHER:-}
first=$(ls "$plain" | sort | head -1)
last=$(ls "$plain" | sort | tail -1)
bytes=$(du -cb "$plain" | tail -1 | cut -f1)


declare -A times
measure() {
  local label=$1
  shift
  local samples=()
  for ((run = 1; run <= runs; run++)); do samples+=("$(time_ms "$@")"); done
  times[$label]=$(printf '%s\n' "${samples[@]}" | median)
}

measure "pg_waldump (all records)" "$bin/pg_waldump" -p "$plain" "$first" "$last"
measure "pg_waldump -r Transaction" "$bin/pg_waldump" -p "$plain" -r Transaction "$first" "$last"
measure "pitr wal find (restore points)" "$pitr" wal find --wal "$plain" --no-cache --kind restore-point
measure "pitr wal find (every commit)" "$pitr" wal find --wal "$plain" --no-cache --kind commit --kind restore-point
measure "pitr wal restore-points" "$pitr" wal restore-points --wal "$plain" --no-cache
if [ -n "$other" ]; then
  measure "other pitr: wal find (restore points)" "$other" wal find --wal "$plain" --no-cache --kind restore-point
  measure "other pitr: wal find (every commit)" "$other" wal find --wal "$plain" --no-cache --kind commit --kind restore-point
fi
measure "gzip -dc" sh -c "cat '$gz'/*.gz | gzip -dc"
measure "pitr wal find, .gz (restore points)" "$pitr" wal find --wal "$gz" --no-cache --kind restore-point

echo "WAL: $(ls "$plain" | wc -l) segments, $((bytes / 1048576)) MiB; runs: $runs (medians)"
base=${times["pg_waldump -r Transaction"]}
labels=("pg_waldump (all records)" "pg_waldump -r Transaction" "pitr wal find (restore points)"
  "pitr wal find (every commit)" "pitr wal restore-points")
[ -n "$other" ] && labels+=("other pitr: wal find (restore points)" "other pitr: wal find (every commit)")
for label in "${labels[@]}"; do
  printf '%-38s %7s ms  %5s x pg_waldump -r Transaction\n' "$label" "${times[$label]}" \
    "$(awk -v a="${times[$label]}" -v b="$base" 'BEGIN{printf "%.2f", a/b}')"
done
gzbase=${times["gzip -dc"]}
for label in "gzip -dc" "pitr wal find, .gz (restore points)"; do
  printf '%-38s %7s ms  %5s x gzip -dc\n' "$label" "${times[$label]}" \
    "$(awk -v a="${times[$label]}" -v b="$gzbase" 'BEGIN{printf "%.2f", a/b}')"
done
