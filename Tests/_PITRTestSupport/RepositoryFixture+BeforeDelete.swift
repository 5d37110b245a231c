import PostgresVocabulary
import WAL

extension RepositoryFixture {
  /// Backup `b1` (starting at 0/200028) and gzip'd WAL after it, in 1 MiB segments from
  /// segment 2: the commit of transaction 700 at 2025-12-24 17:01:00+00, the restore point
  /// `before_delete` a minute later, then filler and a switch, so the point is in a complete
  /// segment. A repository a plan to `name: before_delete` compiles against.
  public func writeBeforeDeleteScenario(autoTimezone: String? = nil) throws {
    try writeBackup(.init(id: "b1", autoTimezone: autoTimezone))
    var builder = WALSegmentBuilder(
      major: 15, segmentSize: Self.segmentSize, systemIdentifier: Self.systemIdentifier, startSegment: 2)
    builder.pad(to: LSN(rawValue: 0x20_0100))
    let time = PostgresTimestamp(microsecondsSince2000: 819_910_860_000_000)  // 2025-12-24 17:01:00+00
    builder.append(.commit(xid: 700, WALTransactionEndSpec(time: time)))
    builder.append(
      .restorePoint(
        name: "before_delete",
        time: PostgresTimestamp(microsecondsSince2000: time.microsecondsSince2000 + 60_000_000)))
    builder.append(.filler(totalLength: 2 << 20))
    builder.append(.switchSegment())
    try builder.write(to: wal, compressed: true)
  }
}
