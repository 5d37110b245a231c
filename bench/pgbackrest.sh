#!/usr/bin/env bash
# Benchmark: pitr end to end against pgBackRest and against the seeds' manual procedure, on
# one workload, restored to the same target time, alternated in each round, medians and
# ratios from the same run (issue 16 item 1).
#
# The workload is made once in $PITR_BENCH_DIR (default /tmp/pitr-bench-pgbackrest) and
# reused: a throw-away PostgreSQL cluster (bench/lib.sh; fsync off for the workload only,
# given to pg_ctl so the backups' postgresql.conf does not carry it) whose ONE archive_command
# archives each segment into both repositories: gzip'd into a folder, the seeds' way
# (`gzip < %p > wal/%f.gz`), then `pgbackrest archive-push` into a pgBackRest repository
# (compress-type gz, compress-level 1, process-max 2; the push synchronous, archive-get
# asynchronous). `pgbench -i -s $SCALE`; a `pg_basebackup -Ft -z -Xs` (base.tar.gz,
# pg_wal.tar.gz) and right after it `pgbackrest backup --type=full`; pgbench until $WAL_MB MB
# of WAL were written after the first backup began; the target time; one more commit
# (a table `after_target`) so recovery has a commit after the target to stop at; a WAL switch.
#
# Each round restores, in this order, each into a fresh folder (0700, owned by postgres),
# and promotes at the target:
#   manual      the seeds' procedure: `tar xzf base.tar.gz`, `tar xzf pg_wal.tar.gz -C
#               pg_wal`, restore_command 'gunzip < wal/%f.gz > %p', recovery_target_time,
#               recovery_target_action promote, hot_standby on, recovery.signal, `pg_ctl
#               start`, then wait until pg_is_in_recovery() is false
#   pitr        `pitr apply --json --no-cache`, action promote, recovery_tuning off
#   pitr-nowalpf  the same with destination.wal_prefetch: off (pitr's own WAL prefetch step
#               left out: wal-fetch reads each segment from the archive when recovery asks)
#   pitr-norecpf  the same with destination.settings recovery_prefetch: off (PostgreSQL's
#               prefetch; 15's default is try, which is on where posix_fadvise exists)
#   pitr-tuned  recovery_tuning: auto
#   pitr-tuned-nowalpf   recovery_tuning: auto, wal_prefetch: off
#   pitr-tuned-norecpf   recovery_tuning: auto, but recovery_prefetch: off in the plan (it wins)
#   (the first run, at cb95ea5, called the -norecpf variants -nopf; pitr had no wal_prefetch)
#   pgbackrest  `pgbackrest restore --type=time --target-action=promote --archive-mode=off`,
#               `pg_ctl start`, wait until pg_is_in_recovery() is false
#   pitr-planned, pitr-tuned-planned   the DBA's workflow, dry run then apply: `pitr plan`
#               (untimed, from an empty catalog cache in $work/cache), then `pitr apply`
#               with that cache (no --no-cache), timed as the others
#   METHOD@LABEL  any pitr method run with the environment in $PITR_ENV_LABEL (NAME=VALUE
#               words), e.g. ONLY="pitr pitr@one" PITR_ENV_one="PITR_S3_ATTEMPTS=1"
# Every restored server gets its own port and socket folder and archive_mode off (pitr's own,
# the manual lines, pgBackRest's --archive-mode=off). After each restore (untimed) the
# server must be out of recovery with the rows pgbench_history had at the target and no
# `after_target` table. Phases: "plan" is pitr's reading of the plan and the catalog before
# its first step (with --no-cache: every archived segment the prediction needs is read);
# "restore" from then until the server is started (tar / pgbackrest restore / pitr's steps
# up to start-server: extraction, the recovery files; since 2a9b9e0 pitr's WAL prefetch
# goes on beside recovery and no longer delays the start); "replay" from
# then until the server logs `recovery stopping` (startup, its sync of the data directory,
# the redo); "rest" from then to the end (the end-of-recovery checkpoint and promotion, and
# for pitr its finish step's restart). "redo" is PostgreSQL's own `redo done at … elapsed:`,
# "sys" the startup process's system CPU in the same line, "sync" the startup's sync of the
# data directory (the log's `was interrupted` line to `starting point-in-time recovery`).
# Every method's server log is kept as logs/METHOD-runN.log.
#
# usage: bench/pgbackrest.sh [RUNS]       (results go in docs/benchmarks.md by hand; RUNS 0
#        only makes the workload)
#        PITR_BIN=path/to/pitr bench/pgbackrest.sh   to time that binary instead of building
#        PG_BIN (default PostgreSQL 15's), SCALE (default 30), WAL_MB (default 1024),
#        ONLY (methods to run, e.g. "manual pitr pgbackrest"; default all but the -norecpf),
#        PITR_BIN_BEFORE (another pitr to time beside: methods pitr-before, pitr-tuned-before). Needs root (the servers run as
#        postgres), pgbackrest on PATH (scripts/setup installs it).
set -euo pipefail
shopt -s inherit_errexit
cd "$(dirname "$0")/.."
source bench/lib.sh
runs=${1:-3}
work=${PITR_BENCH_DIR:-/tmp/pitr-bench-pgbackrest}
pg_bin=${PG_BIN:-/usr/lib/postgresql/15/bin}
scale=${SCALE:-30}
wal_mb=${WAL_MB:-1024}
gz="$work/wal"                   # the seeds' gzip folder
base="$work/base"                # pg_basebackup -Ft -z
brdir="$work/pgbackrest"         # pgBackRest: conf, repo, spool, lock, log
conf="$brdir/pgbackrest.conf"
cluster="$work/cluster"
restored="$work/restored"
socket="$work/socket"            # the restored servers' socket folder
made="$work/.made"
# The -norecpf variants are left out unless ONLY names them (the first run saw no difference).
methods=(${ONLY:-manual pitr pitr-nowalpf pitr-tuned pitr-tuned-nowalpf pgbackrest})
# PITR_BIN_BEFORE: another pitr binary (e.g. an older release build) to time beside this one,
# with the plans of pitr and pitr-tuned; its methods are pitr-before and pitr-tuned-before.
pitr_before=""
if [ -n "${PITR_BIN_BEFORE:-}" ]; then
  pitr_before=$(realpath "$PITR_BIN_BEFORE")
  [ -n "${ONLY:-}" ] || methods=(manual pitr pitr-before pitr-nowalpf pitr-tuned pitr-tuned-before pitr-tuned-nowalpf pgbackrest)
fi

[ "$(id -u)" = 0 ] || { echo "run as root (the servers run as postgres)" >&2; exit 1; }
command -v pgbackrest >/dev/null || { echo "pgbackrest is not on PATH (scripts/setup installs it)" >&2; exit 1; }

trap 'stop_clusters "$cluster/data" "$restored"' EXIT
trap 'exit 130' INT TERM

pgbackrest_as_postgres() { as_postgres pgbackrest --config="$conf" --stanza=bench "$@"; }

write_pgbackrest_conf() {  # the source's port
  cat >"$conf" <<EOF
[global]
repo1-path=$brdir/repo
repo1-retention-full=9
compress-type=gz
compress-level=1
process-max=2
archive-async=y
spool-path=$brdir/spool
lock-path=$brdir/lock
log-path=$brdir/log
log-level-console=warn
log-level-file=info
start-fast=y

[bench]
pg1-path=$cluster/data
pg1-socket-path=$cluster
pg1-port=$1
EOF
  chmod 644 "$conf"
}

make_workload() {
  echo "making the workload in $work (once)"
  stop_clusters "$cluster/data" "$restored"
  rm -rf "$work"
  umask 022
  mkdir -p "$gz" "$base" "$brdir"/{repo,spool,lock,log} "$socket"
  chown postgres: "$gz" "$base" "$socket" && chown -R postgres: "$brdir"
  local push="pgbackrest --config=$conf --stanza=bench --no-archive-async archive-push %p"
  source_cluster_init "$cluster" \
    "test -f $gz/%f.gz || { gzip < %p > $gz/%f.gz.part && mv $gz/%f.gz.part $gz/%f.gz; } && $push"
  write_pgbackrest_conf "$source_port"
  source_cluster_start "-c fsync=off -c synchronous_commit=off"
  pgbackrest_as_postgres stanza-create >/dev/null
  source_pgbench -i -s "$scale" -q
  local start
  start=$(source_psql -c "SELECT pg_current_wal_lsn()")
  as_postgres "$pg_bin/pg_basebackup" -h "$cluster" -p "$source_port" -U postgres -D "$base/full" -Ft -z -Xs \
    --checkpoint=fast --no-sync --label=full
  pgbackrest_as_postgres backup --type=full >/dev/null
  while (($(source_psql -c "SELECT ((pg_current_wal_lsn() - '$start') / 1048576)::int") < wal_mb)); do
    source_pgbench -n -c 4 -j 2 -T 15
  done
  # The target: a moment after every pgbench commit, before one more commit.
  source_psql -c "SELECT count(*) FROM pgbench_history" >"$work/expected-rows"
  sleep 1
  source_psql -c "SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') || '+00'" >"$work/target"
  sleep 1
  source_psql -c "CREATE TABLE after_target (id int)"
  source_switch_wal "$gz/%f.gz"
  pgbackrest_as_postgres check >/dev/null   # the same segments reached the pgBackRest repository
  stop_clusters "$cluster/data"
  rm -rf "$cluster"
  touch "$made"
}

write_plans() {
  local name tuning settings walprefetch
  for name in pitr pitr-nowalpf pitr-norecpf pitr-tuned pitr-tuned-nowalpf pitr-tuned-norecpf; do
    tuning=off settings="" walprefetch=""
    [[ $name == pitr-tuned* ]] && tuning=auto
    [[ $name == *-norecpf ]] && settings="    recovery_prefetch: 'off'"
    [[ $name == *-nowalpf ]] && walprefetch="  wal_prefetch: 'off'"
    cat >"$work/plan-$name.yaml" <<EOF
# bench/pgbackrest.sh: configuration $name
version: 1
name: bench-$name

backups:
  base: $base
  wal: $gz

target:
  time: "$target"
  timeline: current

destination:
  data_directory: $restored
  port: $restore_port
  bin_dir: $pg_bin
  os_user: postgres
  recovery_tuning: $tuning
$walprefetch
  settings:
    unix_socket_directories: $socket
$settings
action: promote
EOF
  done
}

now() { date +%s.%N; }

fresh_destination() {
  stop_clusters "$restored"
  rm -rf "$restored" "$restored.pitr"
  mkdir -m 700 "$restored" && chown postgres: "$restored"
  mkdir -p "$work/logs" && chown postgres: "$work/logs"
  sync
}

# Waits (at most an hour) until the restored server is out of recovery.
await_promoted() {
  local i
  for ((i = 0; i < 72000; i++)); do
    [ "$(as_postgres "$pg_bin/psql" -h "$socket" -p "$restore_port" -U postgres -d postgres -X -A -t \
      -c 'SELECT pg_is_in_recovery()' 2>/dev/null)" = f ] && return 0
    [ -f "$restored/postmaster.pid" ] || { echo "the restored server stopped; see its log" >&2; exit 1; }
    sleep 0.05
  done
  echo "the restored server did not leave recovery within an hour" >&2
  exit 1
}

start_restored() {  # method
  rm -f "$work/logs/$1.log"   # pg_ctl -l appends: each run's log alone
  as_postgres "$pg_bin/pg_ctl" -D "$restored" -l "$work/logs/$1.log" -w -t 3600 start >/dev/null
}

# The settings every manually started restored server needs: its own port and socket, and
# no archiving into the source's repositories.
restored_server_lines() {
  printf "port = %s\nunix_socket_directories = '%s'\narchive_mode = off\n" "$restore_port" "$socket"
}

# Each restore prints four instants (seconds since 1970): its start, when its first step
# starts (pitr: after reading the plan and the catalog; the others: at once), when the server
# is started, its end; the server's log is then in $work/logs/METHOD.log.
restore_manual() {
  local t0 t1
  t0=$(now)
  as_postgres tar xzf "$base/full/base.tar.gz" -C "$restored"
  as_postgres tar xzf "$base/full/pg_wal.tar.gz" -C "$restored/pg_wal"
  {
    restored_server_lines
    echo "restore_command = 'gunzip < $gz/%f.gz > %p'"
    echo "recovery_target_time = '$target'"
    echo "recovery_target_action = 'promote'"
    echo "hot_standby = on"
  } | as_postgres tee -a "$restored/postgresql.auto.conf" >/dev/null
  as_postgres touch "$restored/recovery.signal"
  t1=$(now)
  start_restored manual
  await_promoted
  echo "$t0 $t0 $t1 $(now)"
}

restore_pgbackrest() {
  rm -rf "$brdir/spool/archive"   # the previous restore's archive-get queue
  local t0 t1 t2
  t0=$(now)
  pgbackrest_as_postgres restore --pg1-path="$restored" --type=time --target="$target" \
    --target-action=promote --archive-mode=off >/dev/null
  restored_server_lines | as_postgres tee -a "$restored/postgresql.auto.conf" >/dev/null
  t1=$(now)
  start_restored pgbackrest
  await_promoted
  t2=$(now)
  # archive-get's asynchronous process may still be running: let it end before the next run.
  for _ in $(seq 600); do
    pgrep -f -- "$conf" >/dev/null || break
    sleep 0.1
  done
  echo "$t0 $t0 $t1 $t2"
}

restore_pitr() {  # method (a configuration name, pitr-before / pitr-tuned-before, pitr-planned /
  # pitr-tuned-planned; any of them followed by @LABEL)
  local t0 t2 started binary=$pitr plan=${1%@*} label="" cache=(--no-cache) variables=()
  [[ $1 == *@* ]] && label=${1#*@}
  if [ -n "$label" ]; then
    local name="PITR_ENV_$label"
    [ -n "${!name:-}" ] || { echo "method $1: set $name to the NAME=VALUE words it runs pitr with" >&2; exit 1; }
    read -ra variables <<<"${!name}"
  fi
  if [[ $plan == *-before ]]; then
    binary=$pitr_before plan=${plan%-before}
  fi
  if [[ $plan == *-planned ]]; then
    # The DBA's workflow: a dry run (untimed, from an empty catalog cache), then apply, which
    # reads the catalog from the cache the dry run left.
    plan=${plan%-planned} cache=()
    rm -rf "$work/cache"
    env "${variables[@]}" XDG_CACHE_HOME="$work/cache" "$binary" plan "$work/plan-$plan.yaml" >"$work/dry-run-$1.txt" \
      || { echo "pitr plan of plan-$plan.yaml ($1) failed; see $work/dry-run-$1.txt" >&2; exit 1; }
    variables+=("XDG_CACHE_HOME=$work/cache")
  fi
  t0=$(now)
  env "${variables[@]}" "$binary" apply "$work/plan-$plan.yaml" --yes --json "${cache[@]}" >"$work/events-$1.json" 2>"$work/stderr-$1.txt" \
    || { echo "pitr apply of plan-$plan.yaml ($1) failed; see $work/stderr-$1.txt and events-$1.json" >&2; exit 1; }
  t2=$(now)
  cp "$restored.pitr/server.log" "$work/logs/$1.log"
  started=$(python3 -c '
import json, sys
first = started = None
for line in open(sys.argv[1]):
    event = json.loads(line)
    first = first or event["time"]
    if event["event"] == "step-started" and event["step"] == "start-server":
        started = event["time"]
    if event["event"] == "finished":
        assert event["outcome"] == "promoted" and event["exitCode"] == 0, event
        assert event["prediction"]["matched"], event["prediction"]
print(first, started)' "$work/events-$1.json")
  echo "$t0 $started $t2"
}

# pitr's step times from its events (EVENTS): extract-base, prefetch-wal (when it ended,
# relative to start-server: negative before, positive after, i.e. beside recovery),
# await-target, finish.
steps() {
  python3 - "$1" <<'EOF'
import json, sys
began, ended = {}, {}
for line in open(sys.argv[1]):
    event = json.loads(line)
    if event["event"] == "step-started":
        began[event["step"]] = event["time"]
    if event["event"] == "step-finished":
        ended[event["step"]] = event["time"]
def took(step):
    return "%s %.2f" % (step, ended[step] - began[step]) if step in ended else "no " + step
start = began["start-server"]
parts = [took("extract-base"), took("prefetch-wal")]
if "prefetch-wal" in ended:
    parts[-1] += " (ended %+.2f from start-server)" % (ended["prefetch-wal"] - start)
parts += [took("await-target"), took("finish")]
print("steps: " + ", ".join(parts))
EOF
}

# The restored server is promoted, with the rows of the target.
check_restored() {
  local got
  got=$(as_postgres "$pg_bin/psql" -h "$socket" -p "$restore_port" -U postgres -d postgres -X -A -t -c \
    "SELECT pg_is_in_recovery(), (SELECT count(*) FROM pgbench_history), to_regclass('after_target') IS NULL")
  [ "$got" = "f|$(cat "$work/expected-rows")|t" ] \
    || { echo "$1: the restored server answers '$got', expected 'f|$(cat "$work/expected-rows")|t'" >&2; exit 1; }
}

# phases LOG T0 TS T1 T2: total, plan (T0 to TS), restore (TS to T1), replay (T1 to the log's
# `recovery stopping` line), rest (from that line to T2), redo (PostgreSQL's `redo done at
# … elapsed:`), sync (the startup's sync of the data directory: from the log's `was
# interrupted` line to its `starting point-in-time recovery`) and sys (the startup process's
# system CPU in the same `redo done` line).
phases() {
  python3 - "$@" <<'EOF'
import datetime, re, sys, zoneinfo
log, t0, ts, t1, t2 = sys.argv[1], *map(float, sys.argv[2:])
stop = redo = system = interrupted = started = None
def instant(line):
    when = re.match(r"(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)?) (\S+)", line)
    zone = datetime.timezone.utc if when[2] in ("UTC", "GMT") else zoneinfo.ZoneInfo(when[2])
    return datetime.datetime.fromisoformat(when[1]).replace(tzinfo=zone).timestamp()
for line in open(log, errors="replace"):
    if "recovery stopping" in line:
        stop = line
    if "was interrupted" in line:   # the last start's (pg_ctl -l appends to the log)
        interrupted, started = instant(line), None
    if "starting point-in-time recovery" in line and started is None:
        started = instant(line)
    found = re.search(r"redo done at .*system: ([0-9.]+) s, elapsed: ([0-9.]+) s", line)
    if found:
        system, redo = float(found[1]), float(found[2])
stopped = instant(stop)
sync = started - interrupted if started and interrupted else float("nan")
print("%.2f %.2f %.2f %.2f %.2f %.2f %.2f %.2f" % (t2 - t0, ts - t0, t1 - ts, stopped - t1, t2 - stopped, redo, sync, system))
EOF
}

if [ -n "${PITR_BIN:-}" ]; then
  pitr=$(realpath "$PITR_BIN")
else
  swift build -c release --scratch-path .build-release --product pitr >/dev/null
  pitr=$(realpath .build-release/release/pitr)
fi
[ -f "$made" ] || make_workload
target=$(cat "$work/target")
restore_port=$(free_port)
write_plans
((runs > 0)) || exit 0

echo "machine: nproc $(nproc), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(free -g | awk '/^Mem:/ {print $2}') GiB RAM, $(df -T "$work" | awk 'NR == 2 {print $2}') on $(df "$work" | awk 'NR == 2 {print $1}'); load $(cut -d' ' -f1-3 /proc/loadavg); $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "versions: PostgreSQL $("$pg_bin/postgres" --version | awk '{print $3}'), $(pgbackrest version), pitr $("$pitr" --version 2>/dev/null | head -1 || echo '?') (release build), $(tar --version | head -1), $(gzip --version | head -1)"
echo "backup: pg_basebackup $(du -shc "$base"/full/*.tar.gz | tail -1 | cut -f1) ($(ls "$base/full" | tr '\n' ' ')); pgBackRest repo $(du -sh "$brdir/repo/backup" | cut -f1) backup, $(du -sh "$brdir/repo/archive" | cut -f1) archive"
echo "archive: $(ls "$gz" | grep -c '\.gz$') gzip'd segments, $(du -sh "$gz" | cut -f1); target $target; $(cat "$work/expected-rows") pgbench_history rows at the target"

declare -A total plan restore replay rest redo sync sys
for ((run = 1; run <= runs; run++)); do
  for method in "${methods[@]}"; do
    fresh_destination
    instants=""
    case $method in
      manual) instants=$(restore_manual) ;;
      pgbackrest) instants=$(restore_pgbackrest) ;;
      *) instants=$(restore_pitr "$method") ;;
    esac
    check_restored "$method"
    read -r t c r p x d y z < <(phases "$work/logs/$method.log" $instants)
    total[$method]+="$t " plan[$method]+="$c " restore[$method]+="$r " replay[$method]+="$p " rest[$method]+="$x "
    redo[$method]+="$d " sync[$method]+="$y " sys[$method]+="$z "
    printf 'run %d %-18s %7s s  (plan %5s, restore %6s, replay %6s, rest %5s; redo %6s, sync %5s, sys %5s)  load %s\n' \
      "$run" "$method" "$t" "$c" "$r" "$p" "$x" "$d" "$y" "$z" "$(cut -d' ' -f1 /proc/loadavg)"
    cp "$work/logs/$method.log" "$work/logs/$method-run$run.log"
    if [[ $method == pitr* ]]; then
      cp "$work/events-$method.json" "$work/events-$method-run$run.json"
      echo "      $(steps "$work/events-$method.json")"
    fi
  done
done
fresh_destination
rm -rf "$restored"

med() { echo $1 | tr ' ' '\n' | median; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2fx", a / b}'; }
has() { [[ " ${methods[*]} " == *" $1 "* ]]; }
echo "runs: $runs (medians, seconds); load at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-18s %7s %6s %8s %7s %6s %7s %6s %6s %11s %9s\n' method total plan restore replay rest redo sync sys "/pgbackrest" "/manual"
for method in "${methods[@]}"; do
  t=$(med "${total[$method]}")
  vs_br="-" vs_manual="-"
  has pgbackrest && vs_br=$(ratio "$t" "$(med "${total[pgbackrest]}")")
  has manual && vs_manual=$(ratio "$t" "$(med "${total[manual]}")")
  printf '%-18s %7s %6s %8s %7s %6s %7s %6s %6s %11s %9s\n' "$method" "$t" "$(med "${plan[$method]}")" "$(med "${restore[$method]}")" \
    "$(med "${replay[$method]}")" "$(med "${rest[$method]}")" "$(med "${redo[$method]}")" "$(med "${sync[$method]}")" \
    "$(med "${sys[$method]}")" "$vs_br" "$vs_manual"
done
