#!/usr/bin/env bash
# Benchmark: `pitr wal-fetch`, the restore_command, one new process per call as PostgreSQL
# makes it, side by side with `cat`/`gzip -dc` (with and without `sync`) in the same loop.
# Plain case: the 100,000-segment synthetic archive of bench/catalog.sh (index warm).
# gzip case: a real 16 MiB pgbench segment from bench/wal.sh, gzip'd, in its own folder.
# Prints medians.
#
# usage: bench/wal-fetch.sh [RUNS]        (results go in docs/benchmarks.md by hand)
# Needs the work folders of bench/catalog.sh and bench/wal.sh (run those once first).
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
runs=${1:-15}
archive=${PITR_BENCH_CATALOG:-/tmp/pitr-bench-catalog}/wal
real=${PITR_BENCH_WAL:-/tmp/pitr-bench-wal}/plain
work=${PITR_BENCH_DIR:-/tmp/pitr-bench-fetch}
[ -d "$archive" ] || { echo "run bench/catalog.sh first (it makes $archive)"; exit 1; }
[ -d "$real" ] || { echo "run bench/wal.sh first (it makes $real)"; exit 1; }
swift build -c release --product pitr >/dev/null
pitr=${PITR_BIN:-.build/release/pitr}

extra="$work/extra"
spool="$work/spool"
dest="$work/pg_wal/RECOVERYXLOG"
rm -rf "$work" && mkdir -p "$extra" "$work/pg_wal"
gz_name=$(ls "$real" | grep -E '^[0-9A-F]{24}$' | sort | sed -n 10p)
gzip -c "$real/$gz_name" >"$extra/$gz_name.gz"
plain_name=000000010000000000000065
plain_path=$(find "$archive" -name "$plain_name" | head -1)
[ -n "$plain_path" ] || { echo "$plain_name is not a plain file in $archive"; exit 1; }


echo "first call (builds the index of $archive): $(time_ms "$pitr" wal-fetch --wal "$archive" --spool "$spool" "$plain_name" "$dest") ms"
"$pitr" wal-fetch --wal "$extra" --spool "$spool.gz" "$gz_name" "$dest"
declare -A t
for ((run = 0; run < runs; run++)); do
  t[version]+="$(time_ms "$pitr" --version) "
  t[plain]+="$(time_ms "$pitr" wal-fetch --wal "$archive" --spool "$spool" "$plain_name" "$dest") "
  t[cat]+="$(time_ms sh -c "cat '$plain_path' > '$dest'") "
  t[catsync]+="$(time_ms sh -c "cat '$plain_path' > '$dest' && sync '$dest'") "
  t[gz]+="$(time_ms "$pitr" wal-fetch --wal "$extra" --spool "$spool.gz" "$gz_name" "$dest") "
  t[gzip]+="$(time_ms sh -c "gzip -dc '$extra/$gz_name.gz' > '$dest'") "
  t[gzipsync]+="$(time_ms sh -c "gzip -dc '$extra/$gz_name.gz' > '$dest' && sync '$dest'") "
  t[miss]+="$(time_ms "$pitr" wal-fetch --wal "$archive" --spool "$spool" 00000002.history "$dest") "
  t[nospool]+="$(time_ms "$pitr" wal-fetch --wal "$archive" "$plain_name" "$dest") "
  t[find]+="$(time_ms find "$archive" -type f) "
done
for key in version plain cat catsync gz gzip gzipsync miss nospool find; do
  printf '%-9s %8s ms\n' "$key" "$(echo ${t[$key]} | tr ' ' '\n' | median)"
done
