#!/usr/bin/env bash
# Benchmark: one restore, to the same restore point, from the same repository files kept in
# three places: (a) a local folder, (b) a moto_server (S3 API) on a loopback port, (c) the
# same folder served by a loopback sshd. Each restore is `pitr apply --json --no-cache` with
# `action: shutdown` into a fresh folder (catalog read from scratch, base backup extracted,
# WAL fetched by the restored server's restore_command through `pitr wal-fetch`). The runs
# alternate (local, s3, ssh, local, ...); prints each run's wall time and its extract-base
# step (from the `finished` event's step times), then the medians and ratios against local.
#
# The repository is made once in $PITR_BENCH_DIR (default /tmp/pitr-bench-remote) and reused:
# a throw-away PostgreSQL cluster (as the postgres user, socket in its own folder, no TCP)
# archiving WAL gzip'd (`%f.gz`), filled by `pgbench -i -s $SCALE`; a `pg_basebackup -Ft -z
# -Xn` backup (its WAL only in the archive); `pgbench -n -t $TXNS`; the restore point
# `bench_target`; a WAL switch. The servers (moto_server, sshd) are started by this script
# in their own temporary folders, each run of it, and stopped by pid at exit with their
# folders (trap), as are the restored server and the throw-away cluster.
#
# S3: the files go up with `aws s3 cp --recursive` to s3://bench/{base,wal}; the plan names
# moto in `backups.s3:` (endpoint, region, path_style) and the credentials are only in
# pitr's environment (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY), which the restored server's
# wal-fetch inherits. SSH: host and client keys made by ssh-keygen, an sshd_config as the
# tests' SSHServer fixture writes, a client configuration (passed as PITR_SSH_CONFIG, so
# `ssh -F`; ~/.ssh is never read) and key readable by postgres, who runs the wal-fetch calls.
#
# usage: bench/remote.sh [RUNS]            (results go in docs/benchmarks.md by hand)
#        PITR_BIN=path/to/pitr bench/remote.sh   to time that binary instead of building
#        PG_BIN (default PostgreSQL 15's), SCALE (pgbench scale, default 20), TXNS (pgbench
#        transactions after the backup, default 20000). Needs root (sshd, runuser),
#        moto_server and aws on PATH, /usr/sbin/sshd.
set -euo pipefail
shopt -s inherit_errexit
cd "$(dirname "$0")/.."
source bench/lib.sh
runs=${1:-3}
work=${PITR_BENCH_DIR:-/tmp/pitr-bench-remote}
pg_bin=${PG_BIN:-/usr/lib/postgresql/15/bin}
scale=${SCALE:-20}
txns=${TXNS:-20000}
archive="$work/wal"
base="$work/base"
cluster="$work/cluster"
data="$cluster/data"
made="$work/.made"
servers=""       # this run's temporary folder: moto's and sshd's files, plans, events
moto_pid=""
sshd_pid=""

[ "$(id -u)" = 0 ] || { echo "run as root (it starts sshd and runs PostgreSQL as postgres)" >&2; exit 1; }
for tool in moto_server aws; do
  command -v "$tool" >/dev/null || { echo "$tool is not on PATH" >&2; exit 1; }
done

stop_servers() { stop_clusters "$data" "$work/restored"; }

# Everything this run started, by pid, and its folders.
clean_up() {
  stop_servers
  if [ -n "$moto_pid" ]; then
    kill -KILL "$moto_pid" 2>/dev/null || true   # werkzeug does not exit on SIGTERM
    wait "$moto_pid" 2>/dev/null || true
  fi
  if [ -n "$sshd_pid" ]; then
    local child
    for child in $(cat "/proc/$sshd_pid/task/$sshd_pid/children" 2>/dev/null); do
      kill -KILL "$child" 2>/dev/null || true
    done
    kill -TERM "$sshd_pid" 2>/dev/null || true
    wait "$sshd_pid" 2>/dev/null || true
  fi
  rm -rf "$work/restored" "$work/restored.pitr"
  if [ -n "$servers" ]; then rm -rf "$servers"; fi
}
trap clean_up EXIT
trap 'exit 130' INT TERM

make_repository() {
  echo "making the repository in $work (once)"
  stop_servers
  rm -rf "$archive" "$base" "$cluster" "$work/restored" "$work/restored.pitr"
  umask 022
  mkdir -p "$work" "$archive" "$base"
  chown postgres: "$archive" "$base"
  source_cluster_init "$cluster" "gzip -c %p > $archive/%f.gz.part && mv $archive/%f.gz.part $archive/%f.gz"
  source_cluster_start
  source_pgbench -i -s "$scale" -q
  as_postgres "$pg_bin/pg_basebackup" -h "$cluster" -p "$source_port" -U postgres -D "$base/full" -Ft -z -Xn \
    --checkpoint=fast --no-sync --label=full
  source_pgbench -n -t "$txns"
  source_psql -c "SELECT pg_create_restore_point('bench_target')" >/dev/null
  source_switch_wal "$archive/%f.gz"
  stop_servers
  rm -rf "$cluster"
  touch "$made"
}

# moto_server on a free loopback port, the repository uploaded to s3://bench/{base,wal}.
start_moto() {
  local port
  port=$(free_port)
  moto_endpoint="http://127.0.0.1:$port"
  mkdir -p "$servers/moto"
  (cd "$servers/moto" && exec moto_server -H 127.0.0.1 -p "$port" >"$servers/moto/moto.log" 2>&1) &
  moto_pid=$!
  for _ in $(seq 300); do
    curl -s -o /dev/null "$moto_endpoint" && break
    kill -0 "$moto_pid" 2>/dev/null || { echo "moto_server ended; see its log" >&2; cat "$servers/moto/moto.log" >&2; exit 1; }
    sleep 0.1
  done
  local aws=(aws --endpoint-url "$moto_endpoint" --region us-east-1)
  "${aws[@]}" s3 mb s3://bench >/dev/null
  local start end
  start=$(date +%s%N)
  "${aws[@]}" s3 cp --recursive --only-show-errors "$base" s3://bench/base
  "${aws[@]}" s3 cp --recursive --only-show-errors "$archive" s3://bench/wal
  end=$(date +%s%N)
  echo "moto_server pid $moto_pid at $moto_endpoint; uploaded $("${aws[@]}" s3 ls --recursive s3://bench | wc -l) objects in $(((end - start) / 1000000)) ms"
}

# sshd on a free loopback port with its own host key, accepting one client key for root; a
# client configuration and key readable by postgres.
start_sshd() {
  local folder="$servers/sshd" client="$servers/ssh-client"
  mkdir -p "$folder" "$client" /run/sshd
  ssh_port=$(free_port)
  ssh-keygen -q -t ed25519 -N "" -f "$folder/host_key"
  ssh-keygen -q -t ed25519 -N "" -f "$client/client_key"
  cp "$client/client_key.pub" "$folder/authorized_keys"
  echo "[127.0.0.1]:$ssh_port $(cat "$folder/host_key.pub")" >"$client/known_hosts"
  cat >"$folder/sshd_config" <<EOF
ListenAddress 127.0.0.1
Port $ssh_port
HostKey $folder/host_key
AuthorizedKeysFile $folder/authorized_keys
StrictModes no
PidFile $folder/sshd.pid
UsePAM no
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
LogLevel INFO
MaxSessions 50
MaxStartups 50
EOF
  cat >"$client/ssh_config" <<EOF
Host *
  IdentityFile $client/client_key
  IdentitiesOnly yes
  IdentityAgent none
  UserKnownHostsFile $client/known_hosts
  GlobalKnownHostsFile /dev/null
  StrictHostKeyChecking yes
  PasswordAuthentication no
  KbdInteractiveAuthentication no
EOF
  chown -R postgres: "$client"
  chmod 600 "$client/client_key"
  chmod 644 "$client/ssh_config" "$client/known_hosts"
  ssh_config="$client/ssh_config"
  /usr/sbin/sshd -D -f "$folder/sshd_config" -E "$folder/sshd.log" &
  sshd_pid=$!
  for _ in $(seq 200); do
    grep -q "Server listening" "$folder/sshd.log" 2>/dev/null && break
    kill -0 "$sshd_pid" 2>/dev/null || { echo "sshd ended:" >&2; cat "$folder/sshd.log" >&2; exit 1; }
    sleep 0.05
  done
  ssh -F "$ssh_config" -o BatchMode=yes -p "$ssh_port" root@127.0.0.1 true \
    || { echo "cannot log in to the benchmark's sshd; see $folder/sshd.log" >&2; exit 1; }
  echo "sshd pid $sshd_pid on 127.0.0.1:$ssh_port"
}

# plan-KIND.yaml: the repository at BASE and WAL, the same target and destination.
write_plan() {  # write_plan KIND BASE WAL [EXTRA backups: LINE]
  cat >"$servers/plan-$1.yaml" <<EOF
# bench/remote.sh: the restore point after the pgbench run, from $1.
version: 1
name: bench-remote-$1

backups:
  base: $2
  wal: $3
${4:-}
target:
  name: bench_target

destination:
  data_directory: $work/restored
  port: $restore_port
  bin_dir: $pg_bin
  os_user: postgres

action: shutdown
EOF
}

if [ -n "${PITR_BIN:-}" ]; then
  pitr=$(realpath "$PITR_BIN")
else
  swift build -c release --scratch-path .build-release --product pitr >/dev/null
  pitr=$(realpath .build-release/release/pitr)
fi
if [ ! -f "$made" ]; then make_repository; fi
servers=$(mktemp -d /tmp/pitr-bench-remote-servers.XXXXXX)
chmod 755 "$servers"
restore_port=$(free_port)
export AWS_ACCESS_KEY_ID=AKIDBENCHREMOTE AWS_SECRET_ACCESS_KEY=bench-remote-secret
unset AWS_PROFILE AWS_SESSION_TOKEN AWS_ENDPOINT_URL AWS_ENDPOINT_URL_S3
start_moto
start_sshd
export PITR_SSH_CONFIG=$ssh_config
ssh_url="ssh://root@127.0.0.1:$ssh_port"
write_plan local "$base" "$archive"
write_plan s3 s3://bench/base s3://bench/wal \
  "  s3: {endpoint: \"$moto_endpoint\", region: us-east-1, path_style: true}"
write_plan ssh "$ssh_url$base" "$ssh_url$archive"

# One restore from plan-$1.yaml; prints its wall time in ms, the extract-base step's ms, the
# await-target step's ms (replay: the server's wal-fetch calls) and the ms before the first
# step starts (reading the plan and the catalog, compiling).
restore() {
  stop_servers
  rm -rf "$work/restored" "$work/restored.pitr"
  local start end
  start=$(date +%s%N)
  "$pitr" apply "$servers/plan-$1.yaml" --yes --json --no-cache >"$servers/events-$1.json" 2>"$servers/stderr-$1.txt" \
    || { echo "pitr apply of plan-$1.yaml failed:" >&2; cat "$servers/stderr-$1.txt" >&2; tail -5 "$servers/events-$1.json" >&2; exit 1; }
  end=$(date +%s%N)
  local steps
  steps=$(python3 -c '
import json, sys
first = None
for line in open(sys.argv[1]):
    event = json.loads(line)
    if event["event"] == "finished":
        assert event["outcome"] == "shut-down", event
        ms = lambda step: round(1000 * sum(s["seconds"] for s in event["steps"] if s["id"] == step))
        print(ms("extract-base"), ms("await-target"), round(1000 * (first - int(sys.argv[2]) / 1e9)))
    elif first is None:
        first = event["time"]' "$servers/events-$1.json" "$start")
  local total=$(((end - start) / 1000000))
  echo "$total $steps"
}

echo "machine: nproc $(nproc), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(free -g | awk '/^Mem:/ {print $2}') GiB; load $(cut -d' ' -f1-3 /proc/loadavg); $(date -u +%Y-%m-%d)"
echo "backup: $(du -shc "$base"/full/*.tar.gz | tail -1 | cut -f1) compressed ($(ls "$base/full" | tr '\n' ' '))"
echo "archive: $(ls "$archive" | wc -l) gzip'd files, $(du -sh "$archive" | cut -f1)"
kinds=(local s3 ssh)
declare -A total_ms extract_ms replay_ms outside_ms
for ((run = 1; run <= runs; run++)); do
  line="run $run:"
  for kind in "${kinds[@]}"; do
    read -r ms extract replay outside < <(restore "$kind") || true
    [ -n "${extract:-}" ] || { echo "the restore from $kind failed (see above)" >&2; exit 1; }
    total_ms[$kind]+="$ms "
    extract_ms[$kind]+="$extract "
    replay_ms[$kind]+="$replay "
    outside_ms[$kind]+="$outside "
    line+=" $kind ${ms} ms (extract ${extract}, replay ${replay}, catalog ${outside}),"
  done
  echo "${line%,}"
done
stop_servers
echo "load at the end: $(cut -d' ' -f1-3 /proc/loadavg)"

med() { echo $1 | tr ' ' '\n' | median; }
local_total=$(med "${total_ms[local]}")
local_extract=$(med "${extract_ms[local]}")
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.2fx", a/b}'; }
echo "runs: $runs (medians)"
printf '%-8s %10s %7s %14s %7s %12s %14s\n' "from" "total" "ratio" "extract-base" "ratio" "replay" "catalog etc."
for kind in "${kinds[@]}"; do
  t=$(med "${total_ms[$kind]}")
  e=$(med "${extract_ms[$kind]}")
  printf '%-8s %7s ms %7s %11s ms %7s %9s ms %11s ms\n' "$kind" "$t" "$(ratio "$t" "$local_total")" "$e" \
    "$(ratio "$e" "$local_extract")" "$(med "${replay_ms[$kind]}")" "$(med "${outside_ms[$kind]}")"
done
