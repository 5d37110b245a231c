import Catalog
import Crypto
import WAL

/// A file checksum of one of `backup_manifest`'s algorithms, computed as the bytes stream
/// past: CRC-32C through the project's ``CRC32C``, SHA-224 through ``SHA224Hasher``
/// (swift-crypto has none), SHA-256 to SHA-512 through swift-crypto.
struct FileChecksum {
  private enum Engine {
    case crc32c(CRC32C)
    case sha224(SHA224Hasher)
    case hash(any HashFunction)
  }

  /// The algorithm computed.
  let algorithm: BackupManifest.Checksum.Algorithm
  private var engine: Engine

  /// Starts an empty checksum.
  init(_ algorithm: BackupManifest.Checksum.Algorithm) {
    self.algorithm = algorithm
    switch algorithm {
    case .crc32c: engine = .crc32c(CRC32C())
    case .sha224: engine = .sha224(SHA224Hasher())
    case .sha256: engine = .hash(SHA256())
    case .sha384: engine = .hash(SHA384())
    case .sha512: engine = .hash(SHA512())
    }
  }

  /// Adds the next bytes.
  mutating func update(_ bytes: UnsafeRawBufferPointer) {
    switch engine {
    case .crc32c(var crc):
      crc.update(bytes)
      engine = .crc32c(crc)
    case .sha224(var hash):
      hash.update(bytes)
      engine = .sha224(hash)
    case .hash(var hash):
      hash.update(bufferPointer: bytes)
      engine = .hash(hash)
    }
  }

  /// The checksum of every byte added, as the manifest stores it (CRC-32C: the value's bytes
  /// in little-endian order).
  var checksum: BackupManifest.Checksum {
    let bytes: [UInt8]
    switch engine {
    case .crc32c(let crc):
      bytes = withUnsafeBytes(of: crc.value.littleEndian) { Array($0) }
    case .sha224(let hash):
      bytes = hash.finalize()
    case .hash(let hash):
      bytes = hash.finalize().withUnsafeBytes { Array($0) }
    }
    return BackupManifest.Checksum(algorithm: algorithm, bytes: bytes)
  }
}
