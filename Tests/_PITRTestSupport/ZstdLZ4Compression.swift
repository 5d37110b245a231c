import Archives
import CLZ4
import CZstd

/// `bytes` compressed as one Zstandard frame (libzstd's one-shot compressor).
public func zstd(_ bytes: [UInt8], level: Int32 = 3) throws -> [UInt8] {
  var output = [UInt8](repeating: 0, count: ZSTD_compressBound(bytes.count))
  let size = output.withUnsafeMutableBytes { out in
    bytes.withUnsafeBytes { ZSTD_compress(out.baseAddress, out.count, $0.baseAddress, $0.count, level) }
  }
  guard ZSTD_isError(size) == 0 else {
    throw FixtureError("ZSTD_compress failed: \(String(cString: ZSTD_getErrorName(size)))")
  }
  return Array(output.prefix(size))
}

/// `bytes` compressed as one LZ4 frame (liblz4's frame API, as the `lz4` program writes).
public func lz4(_ bytes: [UInt8]) throws -> [UInt8] {
  var output = [UInt8](repeating: 0, count: LZ4F_compressFrameBound(bytes.count, nil))
  let size = output.withUnsafeMutableBytes { out in
    bytes.withUnsafeBytes { LZ4F_compressFrame(out.baseAddress, out.count, $0.baseAddress, $0.count, nil) }
  }
  guard LZ4F_isError(size) == 0 else {
    throw FixtureError("LZ4F_compressFrame failed: \(String(cString: LZ4F_getErrorName(size)))")
  }
  return Array(output.prefix(size))
}

/// `bytes` compressed as `kind` says (gzip, zstd or lz4); as they are for `none`.
public func compressBytes(_ bytes: [UInt8], as kind: CompressionKind) throws -> [UInt8] {
  switch kind {
  case .none: bytes
  case .gzip: try gzip(bytes)
  case .zstd: try zstd(bytes)
  case .lz4: try lz4(bytes)
  case .bzip2, .xz: throw FixtureError("no \(kind) compressor in the test support")
  }
}
