#!/usr/bin/env bash
# Benchmark: `pitr catalog` over a synthetic archive of 100,000 segments in 1,000 dated
# folders, cold (no pitr cache) and cached, side by side with `find` listing the same tree
# with each file's size and modification time (what the cache is keyed by: the floor for any
# tool that must notice a changed file). Prints medians and ratios.
#
# usage: bench/catalog.sh [RUNS]          (results go in docs/benchmarks.md by hand)
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
runs=${1:-5}
work=${PITR_BENCH_DIR:-/tmp/pitr-bench-catalog}
archive="$work/wal"
base="$work/base"
cache="$work/cache"

if [ ! -d "$archive" ]; then
  echo "generating the synthetic archive in $archive"
  python3 bench/make-synthetic-archive.py "$archive" 100000 1000
fi
mkdir -p "$base"
swift build -c release --product pitr >/dev/null
pitr=.build/release/pitr


declare -a find_ms cold_ms cached_ms
for ((run = 1; run <= runs; run++)); do
  find_ms+=("$(time_ms find "$archive" -type f -printf '%s %T@ %p\n')")
  cold_ms+=("$(time_ms env XDG_CACHE_HOME="$cache" "$pitr" catalog --base "$base" --wal "$archive" --no-cache)")
  rm -rf "$cache"
  env XDG_CACHE_HOME="$cache" "$pitr" catalog --base "$base" --wal "$archive" >/dev/null 2>&1
  cached_ms+=("$(time_ms env XDG_CACHE_HOME="$cache" "$pitr" catalog --base "$base" --wal "$archive")")
done

find_median=$(printf '%s\n' "${find_ms[@]}" | median)
cold_median=$(printf '%s\n' "${cold_ms[@]}" | median)
cached_median=$(printf '%s\n' "${cached_ms[@]}" | median)
segments=$("$pitr" catalog --json --base "$base" --wal "$archive" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["archive"]["segments"]))')

echo "segments catalogued: $segments"
echo "runs: $runs (medians; the OS page cache is warm after the first run)"
printf '%-28s %8s ms  %6s\n' "find, size+mtime (baseline)" "$find_median" "1.00x"
printf '%-28s %8s ms  %6s\n' "pitr catalog, cold" "$cold_median" "$(awk -v a="$cold_median" -v b="$find_median" 'BEGIN{printf "%.2fx", a/b}')"
printf '%-28s %8s ms  %6s\n' "pitr catalog, cached" "$cached_median" "$(awk -v a="$cached_median" -v b="$find_median" 'BEGIN{printf "%.2fx", a/b}')"
