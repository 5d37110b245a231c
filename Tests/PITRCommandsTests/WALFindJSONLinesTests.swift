import Foundation
import PostgresVocabulary
import Testing
import _PITRTestSupport

@testable import Catalog
@testable import PITRCommands
@testable import WAL

/// `pitr wal find --json`, formatted as bytes as the search goes: every line one valid JSON
/// object conforming to docs/wal-find.schema.json, each event line the object the
/// `JSONEncoder` version (`ReferenceLine`) wrote, targets once each after their transaction,
/// the end line last, and standard output handed whole lines in batches of about 1 MiB.
@Suite struct WALFindJSONLinesTests {
  /// The JSON Lines of `events`, and the size of each batch handed on.
  static func lines(
    _ events: [FoundEvent], summary: WALSearch.Summary = Self.summary
  ) -> (text: String, batches: [[UInt8]]) {
    var batches: [[UInt8]] = []
    var lines = WALFindJSONLines()
    for event in events { lines.add(event) { batches.append(Array($0)) } }
    lines.finish(summary, timeline: TimelineID(3)) { batches.append(Array($0)) }
    return (String(decoding: batches.joined(), as: UTF8.self), batches)
  }

  static let summary = WALSearch.Summary(
    end: EndOfWAL(reason: .zeroLength, lsn: LSN(rawValue: 0x3000C00), segment: nil))

  /// Each line parsed on its own.
  static func objects(_ text: String) throws -> [[String: Any]] {
    #expect(text.hasSuffix("\n"))
    return try text.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map { line in
      try #require(
        JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "not a JSON object: \(line)")
    }
  }

  /// The event lines are what the `JSONEncoder` wrote, field for field.
  static func expectSameEvents(_ events: [FoundEvent], _ objects: [[String: Any]]) throws {
    let lines = objects.filter { $0["type"] as? String == "event" }
    #expect(lines.count == events.count)
    let encoder = JSONEncoder()
    for (event, line) in zip(events, lines) {
      let reference = try #require(
        JSONSerialization.jsonObject(with: try encoder.encode(ReferenceLine(event))) as? [String: Any])
      #expect(NSDictionary(dictionary: line) == NSDictionary(dictionary: reference), "\(line)")
    }
  }

  @Test func searchResultsOfEveryKind() throws {
    let wal = try WALSearchTests.write()
    defer { wal.directory.remove() }
    let search = WALSearch(archive: wal.archive, timeline: TimelineID(1))
    var events: [FoundEvent] = []
    var lines = WALFindJSONLines()
    var text: [UInt8] = []
    let summary = try #require(
      try search.run(WALSearch.Criteria()) { event in
        events.append(event)
        lines.add(event) { text.append(contentsOf: $0) }
      })
    lines.finish(summary, timeline: TimelineID(1)) { text.append(contentsOf: $0) }
    let output = String(decoding: text, as: UTF8.self)
    try JSONSchemaValidator.expectLines(output, conformTo: "wal-find.schema.json")
    let objects = try Self.objects(output)
    try Self.expectSameEvents(events, objects)
    // Transactions 700 and 702 made row changes and committed: each target follows its
    // commit line; 704 aborted.
    let shape = objects.map { object in
      object["type"] as? String == "event"
        ? "\(object["kind"]!) \(object["transactionID"] ?? "-")" : "\(object["type"]!) \(object["xid"] ?? "-")"
    }
    #expect(
      shape == [
        "insert 700", "insert 700", "insert 701", "commit 700", "target 700", "update 703",
        "delete 702", "commit 701", "target 701", "commit 702", "target 702", "restore-point -",
        "insert 704", "abort 704", "end -",
      ])
    let end = try #require(objects.last)
    #expect(end["events"] as? Int == 11)
    #expect(end["timeline"] as? Int == 1)
    #expect(end["readUpTo"] as? String == "\(summary.end.lsn)")

    // The same events, in the same order, as the table lists.
    let table = String(decoding: WALFindTableTests.bytes(events), as: UTF8.self)
    let tableLSNs = table.split(separator: "\n").dropFirst().prefix(events.count).map {
      String($0.split(separator: " ")[0])
    }
    #expect(tableLSNs == objects.compactMap { $0["type"] as? String == "event" ? $0["lsn"] as? String : nil })
  }

  /// A transaction's target waits for the first line past its commit when its commit is not
  /// listed (`--kind delete`), and comes once however many of its changes are.
  @Test func targetWithoutItsCommitLine() throws {
    let wal = try WALSearchTests.write()
    defer { wal.directory.remove() }
    let events = try wal.search(WALSearch.Criteria(kinds: [.insert, .restorePoint]))
    let objects = try Self.objects(Self.lines(events).text)
    let shape = objects.map { "\($0["type"]!) \($0["transactionID"] ?? $0["xid"] ?? "-")" }
    #expect(
      shape == [
        "event 700", "event 700", "event 701", "target 700", "target 701", "event -", "event 704",
        "end -",
      ])
  }

  @Test func oddFields() throws {
    let events = WALFindTableTests.oddEvents()
    let segment = WALSegmentName("00000003000000A000000100")!
    let damage = WALSearch.Damage(
      segment: segment, path: "/wal/dir \"quoted\"\\\n\u{1}/\(segment).gz", lsn: LSN(rawValue: 0xA0_0000_0100),
      reason: "record checksum (CRC-32C) mismatch\tat 0/1", laterSegments: 2,
      lastSegment: WALSegmentName("00000003000000A000000102"))
    let summary = WALSearch.Summary(
      end: EndOfWAL(reason: .zeroLength, lsn: LSN(rawValue: 0xA0_0000_0100), segment: segment), damage: damage)
    let output = Self.lines(events, summary: summary).text
    try JSONSchemaValidator.expectLines(output, conformTo: "wal-find.schema.json")
    let objects = try Self.objects(output)
    try Self.expectSameEvents(events, objects)
    #expect(objects.filter { $0["type"] as? String == "target" }.count == 1)
    let end = try #require(objects.last)
    let written = try #require(end["damage"] as? [String: Any])
    let reference = try #require(
      JSONSerialization.jsonObject(with: try JSONEncoder().encode(damage)) as? [String: Any])
    #expect(NSDictionary(dictionary: written) == NSDictionary(dictionary: reference))
    #expect(written["path"] as? String == damage.path)
    #expect(end["endOfWAL"] as? String == summary.end.description)
    // Empty: the end line alone.
    let empty = try Self.objects(Self.lines([]).text)
    #expect(empty.count == 1 && empty[0]["events"] as? Int == 0)
  }

  /// Standard output gets whole lines in batches of at least 1 MiB (the last excepted), not
  /// a write per line.
  @Test func batches() throws {
    let events =
      WALFindTableTests.manyCommits()
      + WALFindTableTests.manyCommits().map { event in
        var later = event
        later.lsn = LSN(rawValue: event.lsn.rawValue + 1 << 32)
        return later
      }
    let (text, batches) = Self.lines(events)
    #expect(batches.count >= 3)
    for batch in batches.dropLast() {
      #expect(batch.count >= WALFindJSONLines.chunkSize)
      #expect(batch.last == UInt8(ascii: "\n"))
    }
    let objects = try Self.objects(text)
    #expect(objects.count == events.count + 1)
    try Self.expectSameEvents(events, objects)
  }

  /// What `pitr wal find --json` wrote for an event before it was formatted as bytes: the
  /// reference the bytes are checked against.
  struct ReferenceLine: Encodable {
    var type = "event"
    var kind: FoundEvent.Kind
    var lsn: LSN
    var segment: WALSegmentName
    var transactionID: UInt32?
    var time: PostgresTimestamp?
    var prepared: Bool?
    var restorePoint: String?
    var relation: RelationFileLocator?
    var block: UInt32?
    var rows: Int?
    var truncatedTables: [UInt32]?
    var ended: String?
    var endLSN: LSN?
    var topTransactionID: UInt32?

    init(_ event: FoundEvent) {
      kind = event.kind
      lsn = event.lsn
      segment = event.segment
      transactionID = event.transactionID
      time = event.time
      restorePoint = event.restorePoint
      relation = event.relation
      block = event.block
      rows = event.rows
      truncatedTables = event.truncatedTables
      guard let end = event.transactionEnd else { return }
      if event.kind == .commit || event.kind == .abort {
        if end.prepared { prepared = true }
      } else {
        ended = end.outcome == .commit ? "commit" : "abort"
        endLSN = end.lsn
        if end.transactionID != event.transactionID { topTransactionID = end.transactionID }
      }
    }
  }
}
