#!/usr/bin/env bash
# Benchmark: `pitr wal find --kind commit` as text and as JSON Lines (--json) over the same
# archive of many small commits, at two sizes (the first quarter of the segments, and all):
# elapsed time and peak RSS (/usr/bin/time -v), runs alternated text/json, medians, the
# ratio json/text, and the RSS at both sizes (flat memory: the same at both).
#
# usage: bench/wal-find-json.sh [RUNS] [COMMITS]      (results go in docs/benchmarks.md by hand)
# Must run as root (the server runs as the postgres user). The WAL (a procedure committing
# COMMITS one-row inserts, default 1,000,000) is generated once into $PITR_BENCH_DIR
# (default /tmp/pitr-bench-wal-find) and reused. pitr is built (release) in
# $PITR_BENCH_SCRATCH (default .build-release).
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
runs=${1:-5}
commits=${2:-1000000}
work=${PITR_BENCH_DIR:-/tmp/pitr-bench-wal-find}
bin=/usr/lib/postgresql/15/bin
all="$work/all"
quarter="$work/quarter"

if [ ! -f "$work/ready" ]; then
  echo "generating the WAL of $commits commits in $work (once)"
  rm -rf "$work" && mkdir -p "$all" "$quarter" && chown -R postgres:postgres "$work"
  as_postgres "$bin/initdb" -D "$work/data" -A trust >/dev/null
  port=$(free_port)
  cat >>"$work/data/postgresql.conf" <<CONF
port = $port
listen_addresses = ''
unix_socket_directories = '$work'
archive_mode = on
archive_command = 'cp %p $all/%f'
fsync = off
synchronous_commit = off
full_page_writes = off
max_wal_size = 4GB
CONF
  as_postgres "$bin/pg_ctl" -D "$work/data" -l "$work/log" -w start >/dev/null
  psql=("$bin/psql" -h "$work" -p "$port" -U postgres -XAtq)
  "${psql[@]}" <<SQL
CREATE TABLE t (i int);
CREATE PROCEDURE many(n int) LANGUAGE plpgsql AS \$\$
BEGIN
  FOR i IN 1..n LOOP
    INSERT INTO t VALUES (i);
    COMMIT;
  END LOOP;
END \$\$;
CALL many($commits);
SELECT pg_switch_wal();
SQL
  sleep 2
  as_postgres "$bin/pg_ctl" -D "$work/data" -m fast -w stop >/dev/null
  rm -f "$all"/*.backup "$all"/*.history
  segments=$(ls "$all" | grep -cE '^[0-9A-F]{24}$')
  for f in $(ls "$all" | grep -E '^[0-9A-F]{24}$' | sort | head -$(((segments + 3) / 4))); do
    ln -s "$all/$f" "$quarter/$f"
  done
  touch "$work/ready"
fi

scratch=${PITR_BENCH_SCRATCH:-.build-release}
swift build -c release --scratch-path "$scratch" --product pitr >/dev/null
pitr=$scratch/release/pitr

# One run: "milliseconds peak-RSS-KiB", the output discarded.
timed() {
  local report
  report=$(mktemp)
  /usr/bin/time -v -o "$report" "$@" >/dev/null 2>&1
  awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; ms = s * 1000 }
    /Maximum resident set size/ { rss = $2 } END { printf "%.0f %d\n", ms, rss }' "$report"
  rm -f "$report"
}

for size in quarter all; do
  dir="$work/$size"
  lines=$("$pitr" wal find --wal "$dir" --no-cache --kind commit --json 2>/dev/null | wc -l)
  bytes=$("$pitr" wal find --wal "$dir" --no-cache --kind commit --json 2>/dev/null | wc -c)
  textBytes=$("$pitr" wal find --wal "$dir" --no-cache --kind commit 2>/dev/null | wc -c)
  declare -a textMs=() textRss=() jsonMs=() jsonRss=()
  for ((run = 1; run <= runs; run++)); do
    read -r ms rss < <(timed "$pitr" wal find --wal "$dir" --no-cache --kind commit)
    textMs+=("$ms") textRss+=("$rss")
    read -r ms rss < <(timed "$pitr" wal find --wal "$dir" --no-cache --kind commit --json)
    jsonMs+=("$ms") jsonRss+=("$rss")
  done
  t=$(printf '%s\n' "${textMs[@]}" | median)
  j=$(printf '%s\n' "${jsonMs[@]}" | median)
  tr=$(printf '%s\n' "${textRss[@]}" | median)
  jr=$(printf '%s\n' "${jsonRss[@]}" | median)
  echo "$size: $(ls "$dir" | wc -l) segments, $((lines - 1)) commits; text $((textBytes / 1048576)) MiB, JSON Lines $((bytes / 1048576)) MiB; runs: $runs (medians)"
  printf '  %-28s %6s ms  peak RSS %6s MiB\n' "wal find --kind commit" "$t" "$((tr / 1024))"
  printf '  %-28s %6s ms  peak RSS %6s MiB  %s x text\n' "wal find --kind commit --json" "$j" "$((jr / 1024))" \
    "$(awk -v a="$j" -v b="$t" 'BEGIN{printf "%.2f", a/b}')"
  unset textMs textRss jsonMs jsonRss
done
