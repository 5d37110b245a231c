// The body of bench/crc32c.sh: compiled with -O together with Sources/WAL/CRC32C.swift (so it
// can reach the internal `softwareUpdate`) and the C target CCRC32C; not part of the package.
// Checksums back-to-back buffers of one size, as a WAL reader checksums records, through the
// Swift slicing-by-8 path, through `CRC32C.checksum` (the hardware path, dispatch included)
// and through the C function directly, alternating, and prints the best throughput of each
// (the machine is shared: other work only ever makes a round slower) and their ratios.

import CCRC32C

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

func seconds() -> Double {
  var now = timespec()
  clock_gettime(CLOCK_MONOTONIC, &now)
  return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
}

let arguments = CommandLine.arguments.dropFirst().compactMap { Int($0) }
let sizes = arguments.isEmpty ? [64, 1024, 8192] : arguments
let rounds = 15
let poolSize = 1 << 20  // 1 MiB of random bytes: in cache, so this measures the arithmetic
let bytesPerRun = 16 << 20  // per path, per round

var state: UInt64 = 0x243F_6A88_85A3_08D3
let pool = (0..<poolSize + 64).map { _ -> UInt8 in
  state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
  return UInt8(truncatingIfNeeded: state >> 56)
}

print("CRC-32C, \(rounds) rounds of \(bytesPerRun >> 20) MiB per path; best round of each")
print("hardware path in use: \(CRC32C.usesHardware)")
print(
  "size".padding(8) + "software".padding(12) + "hardware".padding(12) + "hw/sw".padding(8)
    + "C direct".padding(12) + "direct/hw")

var sink: UInt32 = 0
pool.withUnsafeBytes { pool in
  for size in sizes {
    let starts = stride(from: 0, to: poolSize - size + 1, by: size).map { $0 }
    let count = bytesPerRun / size

    func run(_ checksum: (UnsafeRawBufferPointer) -> UInt32) -> Double {
      let begin = seconds()
      var done = 0
      while done < count {
        for start in starts where done < count {
          sink &+= checksum(UnsafeRawBufferPointer(rebasing: pool[start..<start + size]))
          done += 1
        }
      }
      return Double(count * size) / (seconds() - begin) / 1e9
    }

    var software: [Double] = []
    var hardware: [Double] = []
    var direct: [Double] = []
    for _ in 0..<rounds {
      software.append(
        run { buffer in
          var crc = CRC32C()
          crc.softwareUpdate(buffer)
          return crc.value
        })
      hardware.append(run { CRC32C.checksum($0) })
      direct.append(
        run { pitr_crc32c_update(0xFFFF_FFFF, $0.baseAddress, $0.count) ^ 0xFFFF_FFFF })
    }
    let (sw, hw, c) = (software.max()!, hardware.max()!, direct.max()!)
    print(
      "\(size)".padding(8) + "\(sw.rounded2) GB/s".padding(12) + "\(hw.rounded2) GB/s".padding(12)
        + "\((hw / sw).rounded2)x".padding(8) + "\(c.rounded2) GB/s".padding(12)
        + "\((c / hw).rounded2)x")
  }
}
print("(checksum of everything: \(sink))")

extension Double {
  var rounded2: String {
    let hundredths = Int((self * 100).rounded())
    let fraction = hundredths % 100
    return "\(hundredths / 100).\(fraction < 10 ? "0" : "")\(fraction)"
  }
}

extension String {
  func padding(_ width: Int) -> String {
    count >= width ? self + " " : self + String(repeating: " ", count: width - count)
  }
}
