#!/usr/bin/env python3
"""Writes a synthetic WAL archive for benchmarks: N segment files spread over dated folders.

Each file holds only what a catalog reads, a valid long page header, so 100,000 segments
cost megabytes, not 1.6 TB. Half the folders hold gzip'd files (the header, compressed);
the other half hold plain files made sparse at the full segment size (16 MiB on paper,
a few bytes on disk), so both of the catalog's paths are exercised.

SYSTEM_ID, when given, is the database system identifier the headers carry (pg_controldata's
"Database system identifier"), so that real WAL of that cluster can follow the synthetic
segments in one archive (bench/validate.sh); it defaults to a fixed made-up one.

usage: make-synthetic-archive.py DIR [SEGMENTS] [FOLDERS] [SYSTEM_ID]
"""
import datetime
import gzip
import os
import struct
import sys

SEGMENT_SIZE = 16 << 20
SYSTEM_ID = 7711019213718305796
MAGIC_PG15 = 0xD110


def header(segment_number: int, system_id: int = SYSTEM_ID) -> bytes:
    # XLogLongPageHeaderData: magic, info (long header), tli, pageaddr, rem_len, pad,
    # sysid, seg_size, xlog_blcksz (FORMATS.md §2.2).
    return struct.pack(
        "<HHIQII QII", MAGIC_PG15, 0x0006, 1, segment_number * SEGMENT_SIZE, 0, 0,
        system_id, SEGMENT_SIZE, 8192)


def main() -> None:
    root = sys.argv[1]
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 100_000
    folders = int(sys.argv[3]) if len(sys.argv) > 3 else 1_000
    system_id = int(sys.argv[4]) if len(sys.argv) > 4 else SYSTEM_ID
    if not 0 < system_id < 1 << 64:
        sys.exit(f"make-synthetic-archive.py: the system identifier must be 1 to 2^64-1, not {system_id}")
    per_folder = count // folders
    day = datetime.date(2025, 1, 1)
    number = 1
    for folder in range(folders):
        directory = os.path.join(root, (day + datetime.timedelta(days=folder)).isoformat())
        os.makedirs(directory, exist_ok=True)
        compressed = folder % 2 == 0
        for _ in range(per_folder):
            name = "%08X%08X%08X" % (1, number >> 8, number & 0xFF)
            content = header(number, system_id)
            if compressed:
                with open(os.path.join(directory, name + ".gz"), "wb") as file:
                    file.write(gzip.compress(content + bytes(8192 - len(content))))
            else:
                path = os.path.join(directory, name)
                with open(path, "wb") as file:
                    file.write(content)
                os.truncate(path, SEGMENT_SIZE)
            number += 1
    print(f"{number - 1} segments in {folders} folders under {root}")


if __name__ == "__main__":
    main()
