#!/usr/bin/env bash
# Benchmark: what each candidate recovery setting does to replay (redo) time. One pgbench
# workload (scale 20, a base backup, then pgbench until about $WAL_MB MB of WAL is archived),
# restored with `pitr apply` to the end of the WAL (target latest, action promote: latest cannot stop by shutdown), once per
# configuration per round, the configurations alternated. Replay time is PostgreSQL's own:
# the elapsed time on its "redo done at … elapsed: X s" line (redo starts → redo done).
# Each candidate goes into the plan's destination.settings (recovery_tuning off), alone and
# all together. Prints each configuration's median and its ratio to "off".
#
# usage: bench/recovery-tuning.sh [ROUNDS] [WAL_MB]     (results go in docs/benchmarks.md by hand)
# Must run as root (the servers run as the postgres user). The workload is made once in
# $PITR_BENCH_DIR (default /tmp/pitr-bench-tuning) and reused.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
rounds=${1:-3}
wal_mb=${2:-700}
work=${PITR_BENCH_DIR:-/tmp/pitr-bench-tuning}
pg_bin=${PITR_BENCH_BINDIR:-/usr/lib/postgresql/15/bin}
archive=$work/archive
base=$work/base
cluster=$work/cluster
made=$work/made

# Memory-derived shared_buffers as recovery_tuning: auto computes it: a quarter of RAM, at
# most 4 GB, at least 128 MB.
ram_kb=$(awk '/^MemTotal:/ {print $2}' /proc/meminfo)
sb_mb=$((ram_kb / 4 / 1024))
((sb_mb > 4096)) && sb_mb=4096
((sb_mb < 128)) && sb_mb=128

declare -A config=(
  [off]=""
  [shared_buffers]="shared_buffers: ${sb_mb}MB"
  [prefetch]="recovery_prefetch: 'on'"
  [prefetch_io]="recovery_prefetch: 'on'|maintenance_io_concurrency: '64'|wal_decode_buffer_size: 2MB"
  [checkpoints]="checkpoint_timeout: 1d|max_wal_size: 64GB"
  [all]="shared_buffers: ${sb_mb}MB|recovery_prefetch: 'on'|maintenance_io_concurrency: '64'|wal_decode_buffer_size: 2MB|checkpoint_timeout: 1d|max_wal_size: 64GB"
)
order=(off shared_buffers prefetch prefetch_io checkpoints all)

stop_servers() { stop_clusters "$cluster/data" "$work/restored"; }
trap stop_servers EXIT
trap 'exit 130' INT TERM

make_workload() {
  echo "making the workload in $work (once)"
  stop_servers
  rm -rf "$work" && umask 022 && mkdir -p "$archive" "$base"
  chown postgres: "$archive" "$base"
  source_cluster_init "$cluster" "cp %p $archive/%f.part && mv $archive/%f.part $archive/%f" \
    "fsync = off"$'\n'"synchronous_commit = off"
  source_cluster_start
  psql() { source_psql "$@"; }
  source_pgbench -i -s 20 -q
  as_postgres "$pg_bin/pg_basebackup" -h "$cluster" -p "$source_port" -U postgres -D "$base/full" -Ft -Xs \
    --checkpoint=fast --no-sync --label=full
  local start
  start=$(psql -c "SELECT pg_current_wal_lsn()")
  while (($(psql -c "SELECT ((pg_current_wal_lsn() - '$start') / 1048576)::int") < wal_mb)); do
    source_pgbench -n -c 4 -j 2 -T 15
  done
  source_switch_wal "$archive/%f"
  stop_servers
  rm -rf "$cluster"
  touch "$made"
}

plan() {  # plan NAME: writes plan-NAME.yaml
  # The source's socket folder is gone; the promoted server needs one that exists.
  local settings="  settings:"$'\n'"    unix_socket_directories: $work/socket"$'\n' line
  if [ -n "${config[$1]}" ]; then
    IFS='|' read -ra parts <<<"${config[$1]}"
    for line in "${parts[@]}"; do settings+="    $line"$'\n'; done
  fi
  cat >"$work/plan-$1.yaml" <<EOF
# bench/recovery-tuning.sh: configuration $1
version: 1
name: bench-tuning-$1

backups:
  base: $base
  wal: $archive

target:
  latest: true

destination:
  data_directory: $work/restored
  port: $PITR_BENCH_PORT
  bin_dir: $pg_bin
  os_user: postgres
${settings}
action: promote
EOF
}

[ -f "$made" ] || make_workload
if [ -n "${PITR_BIN:-}" ]; then
  pitr=$PITR_BIN
else
  swift build -c release --product pitr >/dev/null
  pitr=.build/release/pitr
fi
PITR_BENCH_PORT=$(free_port)
mkdir -p "$work/socket" && chown postgres: "$work/socket"
for name in "${order[@]}"; do plan "$name"; done

# One restore; prints the replay seconds from the server log.
restore() {
  stop_servers
  rm -rf "$work/restored" "$work/restored.pitr"
  sync
  "$pitr" apply "$work/plan-$1.yaml" --yes --no-cache >"$work/out-$1.txt" 2>&1 \
    || { echo "pitr apply of plan-$1.yaml failed; see $work/out-$1.txt" >&2; exit 1; }
  sed -n 's/.*redo done at .*elapsed: \([0-9.]*\) s.*/\1/p' "$work/restored.pitr/server.log" | tail -1
}

echo "machine: $(nproc) cores, $((ram_kb / 1024)) MB RAM; PostgreSQL $("$pg_bin/postgres" --version | awk '{print $3}')"
echo "archive: $(ls "$archive" | grep -c '^[0-9A-F]\{24\}$') segments, $(du -sh "$archive" | cut -f1); shared_buffers candidate ${sb_mb}MB"
declare -A samples
for ((round = 1; round <= rounds; round++)); do
  line="round $round:"
  for name in "${order[@]}"; do
    s=$(restore "$name")
    samples[$name]+="$s "
    line+=" $name ${s}s"
  done
  echo "$line"
done
stop_servers
off=$(echo ${samples[off]} | tr ' ' '\n' | median)
for name in "${order[@]}"; do
  m=$(echo ${samples[$name]} | tr ' ' '\n' | median)
  printf '%-15s replay %7s s  %5s x off   (%s)\n' "$name" "$m" "$(awk -v a="$m" -v b="$off" 'BEGIN {printf "%.2f", a / b}')" "${config[$name]:-no settings added}"
done
