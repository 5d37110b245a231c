import Foundation
import PostgresVocabulary
import WAL

/// Where recovery stops, as a value: what PostgreSQL's `recovery stopping …` log line says,
/// without how it was written.
///
/// Two lines name the same stop when their kind, transaction id or restore point name, LSN
/// and instant are equal: `… time 2026-12-04 10:59:36.987598-07` (a server in
/// America/Phoenix) and `… time 2026-12-04 17:59:36.987598+00` are one stop, and so are
/// `0/3000060` (PostgreSQL 18) and `0/03000060` (19).
public struct RecoveryStop: Hashable, Sendable {
  public enum Kind: Hashable, Sendable {
    /// `recovery stopping before|after commit|abort of transaction N, time T`.
    case transaction(after: Bool, outcome: WALEvent.TransactionEnd.Outcome, transactionID: UInt32)
    /// `recovery stopping at restore point "NAME", time T`.
    case restorePoint(name: String)
    /// `recovery stopping before|after WAL location (LSN) "X/Y"`.
    case location(after: Bool, lsn: LSN)
    /// `recovery stopping after reaching consistency`.
    case consistency
  }

  public var kind: Kind
  /// The commit, abort or restore point's time; nil for the kinds whose line has none.
  public var time: PostgresTimestamp?

  public init(kind: Kind, time: PostgresTimestamp?) {
    self.kind = kind
    self.time = time
  }

  /// The line PostgreSQL logs (without its `LOG:` prefix), times in `zone` as the server
  /// prints them in its `timezone` setting, LSNs as the given major version prints them
  /// (zero-padded low half from PostgreSQL 19 on).
  public func logMessage(in zone: TimeZone, majorVersion: Int?) -> String {
    let time = self.time.map { ", time \($0.formatted(in: zone))" } ?? ""
    switch kind {
    case .transaction(let after, let outcome, let transactionID):
      return "recovery stopping \(after ? "after" : "before") \(outcome.rawValue) of transaction "
        + "\(transactionID)\(time)"
    case .restorePoint(let name):
      return "recovery stopping at restore point \"\(name)\"\(time)"
    case .location(let after, let lsn):
      return "recovery stopping \(after ? "after" : "before") WAL location (LSN) "
        + "\"\(Self.lsnText(lsn, majorVersion: majorVersion))\""
    case .consistency:
      return "recovery stopping after reaching consistency"
    }
  }

  /// Reads a `recovery stopping …` message (a whole log line is fine: the text before
  /// `recovery stopping` is skipped); nil when it is not one of PostgreSQL's stop messages.
  public init?(logLine line: String) {
    guard let start = line.range(of: "recovery stopping ") else { return nil }
    let text = line[start.upperBound...]
    if text == "after reaching consistency" {
      self.init(kind: .consistency, time: nil)
      return
    }
    if let match = text.wholeMatch(
      of: /(before|after) (commit|abort) of transaction (\d+), time (.+)/),
      let transactionID = UInt32(match.3), let time = PostgresTimestamp(postgresText: String(match.4))
    {
      self.init(
        kind: .transaction(
          after: match.1 == "after", outcome: match.2 == "commit" ? .commit : .abort,
          transactionID: transactionID),
        time: time)
      return
    }
    if let match = text.wholeMatch(of: /at restore point "(.*)", time ([^,]+)/),
      let time = PostgresTimestamp(postgresText: String(match.2))
    {
      self.init(kind: .restorePoint(name: String(match.1)), time: time)
      return
    }
    if let match = text.wholeMatch(of: /(before|after) WAL location \(LSN\) "([0-9A-Fa-f\/]+)"/),
      let lsn = LSN(match.2)
    {
      self.init(kind: .location(after: match.1 == "after", lsn: lsn), time: nil)
      return
    }
    return nil
  }

  /// `X/Y` as the server prints it: PostgreSQL 19 pads the low half to 8 digits (its `LSN_FORMAT_ARGS`).
  static func lsnText(_ lsn: LSN, majorVersion: Int?) -> String {
    guard let majorVersion, majorVersion >= 19 else { return lsn.description }
    let low = String(lsn.rawValue & 0xFFFF_FFFF, radix: 16, uppercase: true)
    return String(lsn.rawValue >> 32, radix: 16, uppercase: true) + "/"
      + String(repeating: "0", count: 8 - low.count) + low
  }

  /// Whether two `recovery stopping …` lines name the same stop. Lines that are not stop
  /// messages match only when they are the same text.
  public static func sameStop(_ logged: String?, _ predicted: String?) -> Bool {
    guard let logged, let predicted else { return logged == predicted }
    guard let loggedStop = RecoveryStop(logLine: logged), let predictedStop = RecoveryStop(logLine: predicted)
    else { return logged == predicted }
    return loggedStop == predictedStop
  }
}
