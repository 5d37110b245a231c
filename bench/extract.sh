#!/usr/bin/env bash
# Benchmark: extracting a gzip'd tar base backup with manifest checks (pitr's extract-base
# step, from `pitr apply --json`'s step times), with ISA-L's igzip (the default) and with
# zlib (`PITR_GZIP=zlib`), against `gzip -dc` of the same archives to /dev/null, alternated
# in the same run (gzip, pitr igzip, pitr zlib, gzip, ...); prints the medians and ratios.
#
# The repository is made once in $PITR_BENCH_DIR (default /tmp/pitr-bench-extract) and
# reused: a throw-away PostgreSQL cluster (as the postgres user, socket in its own folder, no
# TCP) archiving WAL with cp, filled by `pgbench -i -s $SCALE`; then `pg_basebackup -Ft -z
# -Xs` (base.tar.gz, pg_wal.tar.gz, backup_manifest with CRC-32C checksums), the restore point
# `bench_target` and a WAL switch. Each restore goes into a fresh folder with
# `action: shutdown`; the replay after it is a few records. The restores are moved aside and
# removed only at the end: on an ext4 without a journal (this machine's), creating a file
# skips every inode freed in the last minutes, one look-up each, so deleting 979 files right
# before extracting 979 more costs the extraction up to seconds of system time.
#
# usage: bench/extract.sh [RUNS]            (results go in docs/benchmarks.md by hand)
#        PITR_BIN=path/to/pitr bench/extract.sh   to time that binary instead of building
#        PG_BIN (default PostgreSQL 15's), SCALE (pgbench scale, default 30)
set -euo pipefail
shopt -s inherit_errexit
cd "$(dirname "$0")/.."
source bench/lib.sh
runs=${1:-5}
work=${PITR_BENCH_DIR:-/tmp/pitr-bench-extract}
pg_bin=${PG_BIN:-/usr/lib/postgresql/15/bin}
scale=${SCALE:-30}
archive="$work/wal"
base="$work/base"
cluster="$work/cluster"
data="$cluster/data"
made="$work/.made"

stop_servers() { stop_clusters "$data" "$work/restored"; }
trap stop_servers EXIT
trap 'exit 130' INT TERM

make_repository() {
  echo "making the repository in $work (once)"
  stop_servers
  rm -rf "$archive" "$base" "$cluster" "$work/restored" "$work/restored.pitr" "$work/plan.yaml"
  umask 022
  mkdir -p "$work" "$archive" "$base"
  if [ "$(id -u)" = 0 ]; then chown postgres: "$archive" "$base"; fi
  source_cluster_init "$cluster" "cp %p $archive/%f.part && mv $archive/%f.part $archive/%f"
  source_cluster_start
  source_pgbench -i -s "$scale" -q
  as_postgres "$pg_bin/pg_basebackup" -h "$cluster" -p "$source_port" -U postgres -D "$base/full" -Ft -z -Xs \
    --checkpoint=fast --no-sync --label=full
  source_psql -c "SELECT pg_create_restore_point('bench_target')" >/dev/null
  source_switch_wal "$archive/%f"
  stop_servers
  rm -rf "$cluster"
  cat >"$work/plan.yaml" <<EOF
# bench/extract.sh: the restore point right after the base backup.
version: 1
name: bench-extract

backups:
  base: $base
  wal: $archive

target:
  name: bench_target

destination:
  data_directory: $work/restored
  port: \${PITR_BENCH_PORT:-54329}
  bin_dir: $pg_bin
  os_user: postgres

action: shutdown
EOF
  touch "$made"
}

if [ -n "${PITR_BIN:-}" ]; then
  pitr=$PITR_BIN
else
  swift build -c release --scratch-path .build-release --product pitr >/dev/null
  pitr=.build-release/release/pitr
fi
if [ ! -f "$made" ]; then make_repository; fi
PITR_BENCH_PORT=$(free_port)
export PITR_BENCH_PORT

# One restore with PITR_GZIP=$1; prints the extract-base step's milliseconds.
restore() {
  stop_servers
  if [ -d "$work/restored" ]; then mkdir -p "$work/old" && mv "$work/restored" "$work/old/$RANDOM$RANDOM"; fi
  rm -rf "$work/restored.pitr"
  PITR_GZIP=$1 "$pitr" apply "$work/plan.yaml" --yes --json --no-cache >"$work/events-$1.json" 2>"$work/stderr-$1.txt" \
    || { echo "pitr apply failed; see $work/stderr-$1.txt" >&2; exit 1; }
  python3 -c '
import json, sys
for line in open(sys.argv[1]):
    event = json.loads(line)
    if event["event"] == "finished":
        assert event["outcome"] == "shut-down", event
        print(round(1000 * sum(s["seconds"] for s in event["steps"] if s["id"] == "extract-base")))
    elif event["event"] == "note" and "final flush" in event.get("message", ""):
        print(event["message"].rsplit(";", 1)[-1].strip(), file=sys.stderr)' \
    "$work/events-$1.json"
}

archives=("$base"/full/*.tar.gz)
echo "backup: $(du -shc "${archives[@]}" | tail -1 | cut -f1) compressed ($(ls "$base/full" | tr '\n' ' '))"
declare -a gzip_ms igzip_ms zlib_ms
for ((run = 1; run <= runs; run++)); do
  gzip_ms+=("$(time_ms sh -c 'gzip -dc "$@" >/dev/null' sh "${archives[@]}")")
  igzip_ms+=("$(restore igzip)")
  zlib_ms+=("$(restore zlib)")
  echo "run $run: gzip -dc ${gzip_ms[-1]} ms, pitr extract-base igzip ${igzip_ms[-1]} ms, zlib ${zlib_ms[-1]} ms"
done
stop_servers
rm -rf "$work/restored" "$work/restored.pitr" "$work/old"

gzip_median=$(printf '%s\n' "${gzip_ms[@]}" | median)
ratio() { awk -v a="$1" -v b="$gzip_median" 'BEGIN{printf "%.2fx", a/b}'; }
echo "runs: $runs (medians)"
printf '%-36s %8s ms  %6s\n' "gzip -dc (baseline)" "$gzip_median" "1.00x"
for kind in igzip zlib; do
  declare -n times="${kind}_ms"
  m=$(printf '%s\n' "${times[@]}" | median)
  printf '%-36s %8s ms  %6s\n' "pitr extract-base, $kind" "$m" "$(ratio "$m")"
done
