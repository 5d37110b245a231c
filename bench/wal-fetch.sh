#!/usr/bin/env bash
# Benchmark: one `pitr wal-fetch` call, the restore_command PostgreSQL runs for every segment
# recovery asks for, against the commands a DBA would write instead:
#
#   spool    prefetch on: the segment is already decompressed in the spool (what the
#            prefetch-wal step leaves, fsynced), on the destination's file system, so
#            wal-fetch checks it and hands it over with rename(2); against `cp` of an
#            already-decompressed segment.
#   gz       prefetch off: the segment is read from a folder of .gz files (index warm),
#            inflated, checked, fsynced and renamed onto %p; against `gunzip -c f.gz > %p`,
#            the seeds' restore_command.
#   xdev     prefetch on, but the spool on another file system (/dev/shm): rename(2) fails
#            with EXDEV and wal-fetch copies the file instead.
#   version  `pitr --version`: what starting the process costs, against `true`.
#
# N segments (16 MiB each, a long page header and WAL-like bytes that gzip about 3:1) are
# made once; then for each segment, in one loop, every command fetches it once into
# pg_wal/RECOVERYXLOG, which is removed before each call as PostgreSQL does. Each call goes
# through `sh -c`, as PostgreSQL's system() runs restore_command. Prints the median ms per
# call of each command and the ratios.
#
# usage: bench/wal-fetch.sh [N]          (default 40; results go in docs/benchmarks.md by hand)
#   PITR_BIN=path      the pitr to time (default: a release build, as README installs it)
#   PITR_BIN2=path     a second pitr, timed in the same loop right after the first (its own
#                      spools; its columns are suffixed "2"), to compare two builds at one load
#   PITR_BENCH_DIR     the work folder (default /tmp/pitr-bench-fetch; needs N x 40 MiB)
#   PITR_BENCH_XDEV    the other file system's folder (default /dev/shm/pitr-bench-fetch)
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-40}
work=${PITR_BENCH_DIR:-/tmp/pitr-bench-fetch}
xdev=${PITR_BENCH_XDEV:-/dev/shm/pitr-bench-fetch}
if [ -z "${PITR_BIN:-}" ]; then
  swift build -c release --product pitr --static-swift-stdlib --scratch-path .build-static >/dev/null
  PITR_BIN=.build-static/release/pitr
fi
pitr=$(realpath "$PITR_BIN")
pitr2=$(if [ -n "${PITR_BIN2:-}" ]; then realpath "$PITR_BIN2"; fi)

rm -rf "$work" "$xdev"
mkdir -p "$work/plain" "$work/gz" "$work/pg_wal" "$work/spool" "$xdev/spool" "$work/spool2" "$xdev/spool2"
python3 - "$work" "$count" <<'EOF'
import gzip, os, random, struct, sys
work, count = sys.argv[1], int(sys.argv[2])
SEGMENT, PAGE, SYSTEM_ID = 16 << 20, 8192, 7711019213718305796
random.seed(16)
# WAL-like pages: short records of a few random bytes among zeros and repeats (about 3:1).
body = bytearray()
while len(body) < SEGMENT:
    body += random.randbytes(24) + bytes(16) + b"pgbench_accounts" * 2
body = body[:SEGMENT]
for number in range(1, count + 1):
    name = "%08X%08X%08X" % (1, number >> 8, number & 0xFF)
    # XLogLongPageHeaderData (FORMATS.md §2.2): magic (PostgreSQL 15), info, tli, pageaddr,
    # rem_len, pad, sysid, seg_size, xlog_blcksz.
    head = struct.pack("<HHIQIIQII", 0xD110, 0x0006, 1, number * SEGMENT, 0, 0, SYSTEM_ID,
                       SEGMENT, PAGE)
    data = head + body[len(head):]
    with open(f"{work}/plain/{name}", "wb") as f:
        f.write(data)
    with open(f"{work}/gz/{name}.gz", "wb") as f:
        f.write(gzip.compress(data, compresslevel=6))
EOF
names=$(ls "$work/plain")
# The spools as the prefetch step leaves them: every segment decompressed and on disk.
for name in $names; do
  cp "$work/plain/$name" "$work/spool/$name"
  cp "$work/plain/$name" "$xdev/spool/$name"
  if [ -n "$pitr2" ]; then
    cp "$work/plain/$name" "$work/spool2/$name"
    cp "$work/plain/$name" "$xdev/spool2/$name"
  fi
done
sync
plain_size=$(du -sb "$work/plain" | cut -f1)
gz_size=$(du -sb "$work/gz" | cut -f1)
echo "$count segments: $((plain_size / 1048576)) MiB plain, $((gz_size / 1048576)) MiB gzip'd" \
  "($(awk "BEGIN { printf \"%.1f\", $plain_size / $gz_size }"):1)"
echo "pitr: $pitr ($("$pitr" --version))"
if [ -n "$pitr2" ]; then echo "pitr2: $pitr2 ($("$pitr2" --version))"; fi
# The gz folder's index, built by a first call (a miss, as PostgreSQL's first probe is).
"$pitr" wal-fetch --wal "$work/gz" --spool "$work/gz-spool" 00000002.history "$work/pg_wal/x" \
  2>/dev/null || true
if [ -n "$pitr2" ]; then
  "$pitr2" wal-fetch --wal "$work/gz" --spool "$work/gz-spool2" 00000002.history "$work/pg_wal/x" \
    2>/dev/null || true
fi

python3 - "$pitr" "$work" "$xdev" "${pitr2:-}" $names <<'EOF'
import os, statistics, subprocess, sys, time
pitr, work, xdev, pitr2, names = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5:]
dest = f"{work}/pg_wal/RECOVERYXLOG"
commands = {
    "cp": "cp {work}/plain/{name} {dest}",
    "spool": "{pitr} wal-fetch --wal {work}/gz --spool {work}/spool {name} {dest}",
    "gunzip": "gunzip -c {work}/gz/{name}.gz > {dest}",
    "gz": "{pitr} wal-fetch --wal {work}/gz --spool {work}/gz-spool {name} {dest}",
    "xdev": "{pitr} wal-fetch --wal {work}/gz --spool {xdev}/spool {name} {dest}",
    "true": "true",
    "version": "{pitr} --version",
}
if pitr2:
    commands.update({
        "spool2": "{pitr2} wal-fetch --wal {work}/gz --spool {work}/spool2 {name} {dest}",
        "gz2": "{pitr2} wal-fetch --wal {work}/gz --spool {work}/gz-spool2 {name} {dest}",
        "xdev2": "{pitr2} wal-fetch --wal {work}/gz --spool {xdev}/spool2 {name} {dest}",
        "version2": "{pitr2} --version",
    })
times = {key: [] for key in commands}
for name in names:
    for key, template in commands.items():
        if os.path.exists(dest):
            os.unlink(dest)
        command = template.format(pitr=pitr, pitr2=pitr2, work=work, xdev=xdev, name=name, dest=dest)
        start = time.perf_counter()
        done = subprocess.run(["sh", "-c", command], stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE)
        elapsed = (time.perf_counter() - start) * 1000
        if done.returncode != 0:
            sys.exit(f"failed ({done.returncode}): {command}\n{done.stderr.decode()}")
        if key not in ("true", "version", "version2") and os.path.getsize(dest) != 16 << 20:
            sys.exit(f"{command}: {dest} is not one segment")
        times[key].append(elapsed)
# The spools were used up: each prefetched segment was handed over, none left behind.
for spool in (f"{work}/spool", f"{xdev}/spool", f"{work}/spool2", f"{xdev}/spool2"):
    left = [n for n in os.listdir(spool) if n in names]
    if left:
        sys.exit(f"{spool} still holds {len(left)} segments")
median = {key: statistics.median(values) for key, values in times.items()}
for key in commands:
    print(f"{key:8} {median[key]:8.2f} ms")
print(f"spool/cp {median['spool'] / median['cp']:.2f}x   gz/gunzip {median['gz'] / median['gunzip']:.2f}x"
      f"   xdev/cp {median['xdev'] / median['cp']:.2f}x   version/true {median['version'] / median['true']:.2f}x")
if pitr2:
    print(f"pitr2: spool/cp {median['spool2'] / median['cp']:.2f}x   gz/gunzip {median['gz2'] / median['gunzip']:.2f}x"
          f"   xdev/cp {median['xdev2'] / median['cp']:.2f}x   version/true {median['version2'] / median['true']:.2f}x")
EOF
rm -rf "$work" "$xdev"
