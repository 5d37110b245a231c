/// A PostgreSQL major release (`15`), as `PG_VERSION` and `pg_control` identify it.
///
/// pitr supports 13 to 19; other releases can still be represented, so that a catalog can
/// say which release a backup came from before refusing it. Reading a `PG_VERSION` file
/// (`init(pgVersionFile:)`) is Catalog's, which owns that file's errors.
public struct PostgreSQLMajorVersion: RawRepresentable, Hashable, Comparable, Sendable, Codable,
  CustomStringConvertible
{
  /// The major number: 13, …, 19 (10 or more).
  public let rawValue: Int

  public init(rawValue: Int) { self.rawValue = rawValue }
  public init(_ rawValue: Int) { self.rawValue = rawValue }

  /// The releases whose formats pitr reads.
  public static let supported = PostgreSQLMajorVersion(13)...PostgreSQLMajorVersion(19)

  /// `13 to 19`, for messages.
  public static var supportedRange: String {
    "\(supported.lowerBound) to \(supported.upperBound)"
  }

  public var isSupported: Bool { Self.supported.contains(self) }

  public var description: String { String(rawValue) }

  public static func < (lhs: PostgreSQLMajorVersion, rhs: PostgreSQLMajorVersion) -> Bool {
    lhs.rawValue < rhs.rawValue
  }

  /// The release a `pg_control` file was written by, from its `pg_control_version` and
  /// `catalog_version_no`; `nil` for a combination outside 13 to 19.
  ///
  /// 13 to 16 share control version 1300 and differ in their catalog version (202007201,
  /// 202107181, 202209061, 202307071 at release); development snapshots between two
  /// releases count as the earlier one. 19 (catalog version 202605131 at its release) is
  /// control version 1902; 1900 and 1901 were development formats whose layout pitr does
  /// not know, so they are refused rather than guessed.
  public init?(controlVersion: UInt32, catalogVersion: UInt32) {
    switch (controlVersion, catalogVersion) {
    case (1300, 202_007_201..<202_107_181): self.init(13)
    case (1300, 202_107_181..<202_209_061): self.init(14)
    case (1300, 202_209_061..<202_307_071): self.init(15)
    case (1300, 202_307_071...): self.init(16)
    case (1700, _): self.init(17)
    case (1800, _): self.init(18)
    case (1902, _): self.init(19)
    default: return nil
    }
  }
}
