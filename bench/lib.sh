# Shared by the benchmark scripts (`source bench/lib.sh` from the repository root).

# Milliseconds (with two decimals) one run of a command takes, its output discarded. With
# BENCH_STRICT=1 a failing command ends the benchmark instead of being timed.
time_ms() {
  local start end
  start=$(date +%s%N)
  if ! "$@" >/dev/null 2>&1 && [ "${BENCH_STRICT:-0}" = 1 ]; then
    echo "failed: $*" >&2
    exit 1
  fi
  end=$(date +%s%N)
  echo "$(((end - start) / 1000000)).$(printf '%02d' $((((end - start) / 10000) % 100)))"
}

# The median of numbers read one per line.
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# Runs a command as the postgres user (as is, when that is who we are).
as_postgres() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# A TCP port nothing listens on (and no socket file names).
free_port() {
  python3 - <<'EOF'
import os, socket
while True:
    s = socket.socket()
    s.bind(("", 0))
    port = s.getsockname()[1]
    s.close()
    if not any(os.path.exists(f"{d}/.s.PGSQL.{port}") for d in ("/tmp", "/run/postgresql", "/var/run/postgresql")):
        print(port)
        break
EOF
}
