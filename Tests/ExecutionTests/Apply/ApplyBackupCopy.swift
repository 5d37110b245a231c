import Foundation
import _PITRTestSupport

/// Copies of a lab's backups and archive that a test may damage without touching the lab.
enum ApplyBackupCopy {
  /// Copies the tar-format backup folder `source` to `target`, writing its `base.tar[.gz]` as
  /// an uncompressed `base.tar` whose bytes `transform` may change; every other file (the
  /// manifest, `pg_wal.tar`) is copied as it is.
  static func copyTarBackup(
    _ source: String, to target: String, transform: ([UInt8]) throws -> [UInt8] = { $0 }
  ) throws {
    try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: true)
    for name in try FileManager.default.contentsOfDirectory(atPath: source) {
      if name == "base.tar" || name == "base.tar.gz" {
        let plain = "\(target)/base.tar.original"
        try copyDecompressing("\(source)/\(name)", to: plain)
        let bytes = try Array(Data(contentsOf: URL(fileURLWithPath: plain)))
        try Data(try transform(bytes)).write(to: URL(fileURLWithPath: "\(target)/base.tar"))
        try FileManager.default.removeItem(atPath: plain)
      } else {
        try FileManager.default.copyItem(atPath: "\(source)/\(name)", toPath: "\(target)/\(name)")
      }
    }
  }

  /// Copies every file of a WAL archive folder tree (readable by everyone, as the server's
  /// `pitr wal-fetch` needs), placing each where `place` says (a path relative to `target`,
  /// given the source's relative path), or skipping it when `place` returns nil.
  static func copyArchive(
    _ source: String, to target: String, place: (String) -> String? = { $0 }
  ) throws {
    guard let walker = FileManager.default.enumerator(atPath: source) else {
      throw FixtureError("cannot list \(source)")
    }
    for case let relative as String in walker {
      var isDirectory: ObjCBool = false
      guard FileManager.default.fileExists(atPath: "\(source)/\(relative)", isDirectory: &isDirectory),
        !isDirectory.boolValue, let placed = place(relative)
      else { continue }
      let destination = "\(target)/\(placed)"
      try FileManager.default.createDirectory(
        atPath: (destination as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
      try FileManager.default.copyItem(atPath: "\(source)/\(relative)", toPath: destination)
      // Archived files are the server's (mode 0600); the copy is root's.
      try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: destination)
    }
  }

  /// The byte range of the data of member `name` in an uncompressed ustar archive.
  static func dataRange(of name: String, in tar: [UInt8]) throws -> Range<Int> {
    var offset = 0
    while offset + 512 <= tar.count, tar[offset] != 0 {
      let header = tar[offset..<offset + 512]
      func text(_ range: Range<Int>) -> String {
        let field = header[(offset + range.lowerBound)..<(offset + range.upperBound)]
        return String(decoding: field.prefix { $0 != 0 }, as: UTF8.self)
      }
      let prefix = text(345..<500)
      let path = prefix.isEmpty ? text(0..<100) : "\(prefix)/\(text(0..<100))"
      let sizeText = text(124..<136).trimmingCharacters(in: .whitespaces)
      guard let size = Int(sizeText, radix: 8) else {
        throw FixtureError("member at \(offset) has the size field '\(sizeText)'")
      }
      let data = offset + 512
      if path == name { return data..<(data + size) }
      offset = data + (size + 511) / 512 * 512
    }
    throw FixtureError("no member \(name) in the archive")
  }
}
