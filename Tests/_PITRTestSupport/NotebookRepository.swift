import Foundation
import PostgresVocabulary
import WAL

/// The backups and WAL archive of a notebook's lab, written record by record with fixed
/// times and fixed file dates, so the example plans in `plans/` compile against it without a
/// server and their dry runs are the same bytes on every machine (golden snapshots).
///
/// `lab` is what `PITR_LAB` is set to; it holds the folders the notebooks used, as links into
/// the fixture (`backup_db` or `backup_base`, and `backup_wal`). Backup `b1` starts at
/// 0/200028 (1 MiB segments, PostgreSQL 15), in America/Phoenix, and is consistent at
/// 0/200100; the events follow it.
public struct NotebookRepository {
  /// Which notebook's lab.
  public enum Seed: Sendable {
    /// Seed 001, `inventarios`: a gzip'd tar backup in `backup_db`, gzip'd WAL; after the
    /// backup the probe's commit (xid 750), the insert of `Ultimo_Registro` (xid 751,
    /// 2025-12-24 17:37:40.15701-07), restore point `test_pirt` (17:38:00-07) and the
    /// DELETE (xid 752, 17:53:45.880038-07).
    case inventarios
    /// Seed 000, `laboratorio_pitr`: a plain backup in `backup_base`, plain WAL; two inserts
    /// (xids 740 and 741) and restore point `punto_laboratorio`.
    case laboratorio
  }

  /// Every file's modification date: 2025-12-25 02:00:00 UTC.
  public static let fileDate = Date(timeIntervalSince1970: 1_766_628_000)
  /// 2025-12-25 00:00:00 UTC as PostgreSQL counts it (microseconds since 2000-01-01 UTC).
  static let midnightUTC: Int64 = 819_936_000_000_000

  public let fixture: RepositoryFixture
  /// What `PITR_LAB` is set to.
  public var lab: String { fixture.directory.file("lab") }
  /// The temporary folder everything is in (what snapshots replace with a fixed token).
  public var directory: String { fixture.directory.path }

  public init(_ seed: Seed) throws {
    fixture = try RepositoryFixture()
    let plain = seed == .laboratorio
    try fixture.writeBackup(
      .init(
        id: ".", format: plain ? .plain : .tar(gzip: true),
        startTime: "2025-12-25 00:30:00 UTC"))
    var builder = WALSegmentBuilder(
      major: 15, segmentSize: RepositoryFixture.segmentSize,
      systemIdentifier: RepositoryFixture.systemIdentifier, startSegment: 2)
    builder.pad(to: LSN(rawValue: 0x20_0100))
    /// A time given as seconds after 2025-12-25 00:00:00 UTC (17:00:00-07 the day before).
    func at(_ seconds: Double) -> PostgresTimestamp {
      PostgresTimestamp(microsecondsSince2000: Self.midnightUTC + Int64((seconds * 1_000_000).rounded()))
    }
    func commit(_ xid: UInt32, _ seconds: Double) {
      builder.append(.commit(xid: xid, WALTransactionEndSpec(time: at(seconds))))
    }
    switch seed {
    case .inventarios:
      commit(750, 2_100)  // 17:35:00-07
      commit(751, 2_260.157010)  // 17:37:40.15701-07
      builder.append(.restorePoint(name: "test_pirt", time: at(2_280)))
      builder.append(.switchSegment())
      commit(752, 3_225.880038)  // 17:53:45.880038-07
    case .laboratorio:
      commit(740, 2_040)
      commit(741, 2_100)
      builder.append(.restorePoint(name: "punto_laboratorio", time: at(2_160)))
      builder.append(.switchSegment())
      commit(742, 3_000)
    }
    builder.append(.filler(totalLength: 1 << 20))
    builder.append(.switchSegment())
    let wal = fixture.wal
    try builder.write(to: wal, compressed: !plain)
    let manager = FileManager.default
    try manager.createDirectory(atPath: lab, withIntermediateDirectories: true)
    try manager.createSymbolicLink(
      atPath: "\(lab)/\(plain ? "backup_base" : "backup_db")", withDestinationPath: fixture.base)
    try manager.createSymbolicLink(atPath: "\(lab)/backup_wal", withDestinationPath: wal)
    try Self.fixDates(under: directory)
  }

  /// The environment a command compiling an example plan against this lab runs with.
  public var environment: [String: String] { ["PITR_LAB": lab] }

  public func remove() { fixture.remove() }

  /// Sets every file's and folder's modification date to ``fileDate``.
  static func fixDates(under root: String) throws {
    let manager = FileManager.default
    guard let enumerator = manager.enumerator(atPath: root) else { return }
    for case let relative as String in enumerator {
      let path = "\(root)/\(relative)"
      let attributes = try manager.attributesOfItem(atPath: path)
      guard attributes[.type] as? FileAttributeType != .typeSymbolicLink else { continue }
      try manager.setAttributes([.modificationDate: fileDate], ofItemAtPath: path)
    }
    try manager.setAttributes([.modificationDate: fileDate], ofItemAtPath: root)
  }
}
