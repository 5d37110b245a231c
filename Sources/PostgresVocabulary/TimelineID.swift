/// A PostgreSQL timeline number (`TimeLineID`): 1 for a freshly initialised cluster,
/// one more after each promotion or point-in-time recovery.
public struct TimelineID: RawRepresentable, Hashable, Comparable, Sendable, Codable,
  CustomStringConvertible
{
  public var rawValue: UInt32

  public init(rawValue: UInt32) { self.rawValue = rawValue }
  public init(_ rawValue: UInt32) { self.rawValue = rawValue }

  public var description: String { String(rawValue) }

  /// The eight uppercase hex digits used in WAL and history file names (`00000002`).
  public var fileNamePart: String {
    let hex = String(rawValue, radix: 16, uppercase: true)
    return String(repeating: "0", count: 8 - hex.count) + hex
  }

  public static func < (lhs: TimelineID, rhs: TimelineID) -> Bool { lhs.rawValue < rhs.rawValue }

  public init(from decoder: any Decoder) throws {
    rawValue = try decoder.singleValueContainer().decode(UInt32.self)
  }

  public func encode(to encoder: any Encoder) throws {
    var container = encoder.singleValueContainer()
    try container.encode(rawValue)
  }
}
