#!/usr/bin/env bash
# Benchmark: CRC-32C through the Swift slicing-by-8 path and through the CPU's instruction
# (the C target CCRC32C, reached through CRC32C.checksum), side by side in the same run, for
# buffers of 64 B, 1 KiB and 8 KiB (or the sizes given). Prints the best of 15 rounds for
# each path (on a shared machine other work only ever slows a round down) and ratios.
# Builds outside the package (no benchmark target in Package.swift): swiftc -O over
# Sources/WAL/CRC32C.swift and bench/crc32c-bench.swift, clang -O2 over Sources/CCRC32C.
#
# Then, unless PITR_BENCH_NO_INTERLEAVED is set, bench/crc32c-interleaved.c: one stream of
# crc32 instructions (what CCRC32C does) against three interleaved streams, the design we
# measured and did not adopt (see docs/benchmarks.md, "CRC-32C").
#
# usage: bench/crc32c.sh [SIZE...]        (results go in docs/benchmarks.md by hand)
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d /tmp/pitr-bench-crc32c.XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/CCRC32C"

cp Sources/CCRC32C/include/CCRC32C.h "$work/CCRC32C/"
cat >"$work/CCRC32C/module.modulemap" <<'MAP'
module CCRC32C {
  header "CCRC32C.h"
  export *
}
MAP
clang -O2 -c Sources/CCRC32C/CCRC32C.c -I Sources/CCRC32C/include -o "$work/CCRC32C.o"
cp bench/crc32c-bench.swift "$work/main.swift"
swiftc -O -wmo -module-name CRC32CBench -I "$work/CCRC32C" \
  Sources/WAL/CRC32C.swift "$work/main.swift" "$work/CCRC32C.o" -o "$work/crc32c-bench"

grep -m1 "model name" /proc/cpuinfo 2>/dev/null || true
"$work/crc32c-bench" "$@"

if [ -z "${PITR_BENCH_NO_INTERLEAVED:-}" ]; then
  echo
  clang -O2 bench/crc32c-interleaved.c -o "$work/crc32c-interleaved"
  "$work/crc32c-interleaved"
fi
