import Foundation
import PostgresVocabulary
import Testing
import WAL
import _PITRTestSupport

/// Seeded random damage to valid WAL: flipped bits, cut files, zeroed, duplicated and swapped
/// pages, wild `xl_tot_len` values, page header fields, scribbles behind a valid CRC, missing
/// files. Whatever the damage, the reader must return an `EndOfWAL` quickly and deliver only
/// records whose CRC-32C verifies, no larger than the input, in increasing LSN order, each one
/// byte for byte a record of the undamaged WAL; and every undamaged record that ends before the
/// first damaged page must come first: damage never makes the reader stop early.
///
/// `PITR_FUZZ_CASES` sets how many cases run (default 300, a second or two);
/// `PITR_FUZZ_SECONDS` runs for that long instead; `PITR_FUZZ_SEED` changes the seed and
/// `PITR_FUZZ_CASE` runs one case alone (failures print both); `PITR_FUZZ_REAL_CASES` sets how
/// many cases run on real PostgreSQL 15 WAL, when a lab can run (default 100).
/// bench/README-fuzz.md describes a long run.
@Suite struct WALReaderFuzzTests {
  static let environment = ProcessInfo.processInfo.environment
  static let cases = environment["PITR_FUZZ_CASES"].flatMap { Int($0) } ?? 300
  static let seconds = environment["PITR_FUZZ_SECONDS"].flatMap { Double($0) }
  static let seed = environment["PITR_FUZZ_SEED"].flatMap { UInt64($0) } ?? 0x5EED_0001
  /// Runs only this case (to reproduce a failure).
  static let onlyCase = environment["PITR_FUZZ_CASE"].flatMap { Int($0) }
  /// The time one case may take.
  static let budget = Duration.seconds(2)

  /// What a run found, for the summary line.
  struct Report {
    var cases = 0
    var records = 0
    var reasons: [String: Int] = [:]
    var slowest = Duration.zero
    var failures: [String] = []

    var summary: String {
      let ends = reasons.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }
      return "\(cases) cases, \(records) records delivered, slowest \(slowest); ends: "
        + ends.joined(separator: ", ")
    }
  }

  @Test func unmutatedCorpusReadsEveryRecord() throws {
    for entry in try WALFuzzCorpus.synthetic() {
      var report = Report()
      let expectation = Expectation(entry: entry, damage: .max, rewritten: [])
      let end = try Self.check(
        entry.files, expecting: expectation, label: entry.name, into: &report)
      #expect(report.failures.isEmpty, "\(report.failures)")
      #expect(report.records == entry.records.count, "\(entry.name)")
      #expect(end == "zeroLength", "\(entry.name)")
    }
  }

  @Test func mutatedSyntheticWALAlwaysEndsCleanly() throws {
    let report = try Self.fuzz(WALFuzzCorpus.synthetic(), cases: Self.cases, seed: Self.seed)
    print("WAL reader fuzz (synthetic): \(report.summary)")
    #expect(report.failures.isEmpty, "\(report.failures.prefix(20).joined(separator: "\n"))")
    #expect(report.reasons.count >= 5, "too few kinds of end: \(report.summary)")
  }

  @Test(.tags(.integration), .enabled(if: PostgresLab.isAvailable))
  func mutatedRealWALAlwaysEndsCleanly() throws {
    let entry = try Self.realCorpus()
    #expect(entry.records.count > 500)
    let cases = Self.environment["PITR_FUZZ_REAL_CASES"].flatMap { Int($0) } ?? 100
    let report = try Self.fuzz([entry], cases: cases, seed: Self.seed, salt: 0x8EA1)
    print("WAL reader fuzz (real PostgreSQL \(PostgresLab.majorVersion ?? 0)): \(report.summary)")
    #expect(report.failures.isEmpty, "\(report.failures.prefix(20).joined(separator: "\n"))")
  }

  // MARK: - Running cases

  /// What the reader must deliver from damaged files.
  struct Expectation {
    /// The undamaged records by LSN: whatever is delivered must be one of them, unchanged.
    var original: [LSN: [UInt8]]
    /// The records that end before the first damaged page: they must all come first.
    var required: [LSN]
    /// Records rewritten with a valid CRC: delivered with other bytes, or not at all.
    var rewritten: Set<LSN>

    init(entry: WALFuzzCorpus, damage: UInt64, rewritten: Set<LSN>) {
      original = entry.byLSN
      let page = damage - damage % UInt64(entry.blockSize)
      required = entry.records.prefix { $0.end.rawValue <= page }.map(\.lsn)
      self.rewritten = rewritten
    }
  }

  /// Runs `cases` cases (or for `PITR_FUZZ_SECONDS`), each 1 to 3 mutations of an entry;
  /// case n draws from seed + salt + n.
  static func fuzz(
    _ corpus: [WALFuzzCorpus], cases: Int, seed: UInt64, salt: UInt64 = 0
  ) throws -> Report {
    var report = Report()
    let clock = ContinuousClock()
    let deadline = seconds.map { clock.now + .seconds($0) }
    var index = onlyCase ?? 0
    let stop = onlyCase.map { $0 + 1 } ?? cases
    while onlyCase == nil ? deadline.map({ clock.now < $0 }) ?? (index < stop) : index < stop {
      var random = SeededRandom(seed: seed &+ salt &+ UInt64(index))
      let entry = corpus[index % corpus.count]
      var files = entry.files
      var mutations: [WALMutation] = []
      var damage = UInt64.max
      var rewritten: Set<LSN> = []
      for _ in 0..<Int.random(in: 1...3, using: &random) {
        let mutation = WALMutation.random(
          files: files.map(\.bytes), used: entry.used, records: entry.places,
          blockSize: entry.blockSize, using: &random)
        damage = min(
          damage,
          mutation.firstDamage(
            in: files, segmentSize: entry.segmentSize, blockSize: entry.blockSize))
        if let lsn = mutation.rewrittenRecord(in: files, segmentSize: entry.segmentSize) {
          rewritten.insert(lsn)
        }
        mutation.apply(to: &files, blockSize: entry.blockSize)
        mutations.append(mutation)
      }
      let label =
        "PITR_FUZZ_SEED=\(seed) PITR_FUZZ_CASE=\(index) (\(entry.name)): "
        + mutations.map(\.description).joined(separator: "; ")
      let expectation = Expectation(entry: entry, damage: damage, rewritten: rewritten)
      let end = try check(files, expecting: expectation, label: label, into: &report)
      report.reasons[end, default: 0] += 1
      report.cases += 1
      index += 1
    }
    return report
  }

  /// Reads `files`, checking every delivered record; returns the kind of end.
  static func check(
    _ files: [(name: WALSegmentName, bytes: [UInt8])], expecting expectation: Expectation,
    label: String, into report: inout Report
  ) throws -> String {
    let input = files.reduce(0) { $0 + $1.bytes.count }
    let clock = ContinuousClock()
    let started = clock.now
    var delivered: [LSN] = []
    var failures: [String] = []
    let reader = WALReader(provider: WALMemorySegments(files))
    let end = try reader.read { record in
      var crc = CRC32C()
      crc.update(UnsafeRawBufferPointer(rebasing: record.bytes[24...]))
      crc.update(UnsafeRawBufferPointer(rebasing: record.bytes[..<20]))
      let stored = UInt32(
        littleEndian: record.bytes.loadUnaligned(fromByteOffset: 20, as: UInt32.self))
      if crc.value != stored { failures.append("\(label): record at \(record.lsn) has a bad CRC") }
      if record.length > input {
        failures.append("\(label): record at \(record.lsn) has \(record.length) bytes of \(input)")
      }
      if let previous = delivered.last, record.lsn <= previous {
        failures.append("\(label): record at \(record.lsn) after \(previous)")
      }
      if record.nextLSN <= record.lsn {
        failures.append("\(label): record at \(record.lsn) ends at \(record.nextLSN)")
      }
      if !expectation.rewritten.contains(record.lsn),
        expectation.original[record.lsn].map({ same($0, record.bytes) }) != true
      {
        failures.append("\(label): record at \(record.lsn) was never written")
      }
      _ = record.event  // decoding must not crash either
      delivered.append(record.lsn)
      if clock.now - started > budget * 5 {
        throw FixtureError("\(label): still delivering records after \(budget * 5)")
      }
    }
    let elapsed = clock.now - started
    if elapsed > budget { failures.append("\(label): took \(elapsed)") }
    if !delivered.starts(with: expectation.required) {
      let missing = expectation.required.first { !delivered.contains($0) }
      failures.append(
        "\(label): \(delivered.count) records delivered, \(expectation.required.count) required"
          + " (first missing: \(missing.map(\.description) ?? "-")); \(end)")
    }
    report.slowest = max(report.slowest, elapsed)
    report.records += delivered.count
    report.failures += failures
    return kind(of: end.reason)
  }

  /// Whether two runs of bytes are equal (`memcmp`: debug builds compare slowly otherwise).
  static func same(_ original: [UInt8], _ bytes: UnsafeRawBufferPointer) -> Bool {
    original.count == bytes.count
      && original.withUnsafeBytes { memcmp($0.baseAddress!, bytes.baseAddress!, bytes.count) == 0 }
  }

  static func kind(of reason: EndOfWAL.Reason) -> String {
    switch reason {
    case .missingSegment: "missingSegment"
    case .truncatedSegment: "truncatedSegment"
    case .invalidPage: "invalidPage"
    case .zeroLength: "zeroLength"
    case .invalidRecord: "invalidRecord"
    case .previousLinkMismatch: "previousLinkMismatch"
    case .checksumMismatch: "checksumMismatch"
    case .brokenContinuation: "brokenContinuation"
    case .unreadable: "unreadable"
    }
  }

  // MARK: - Real WAL

  /// Three consecutive 1 MiB segments a PostgreSQL 15 lab wrote under pgbench.
  static func realCorpus() throws -> WALFuzzCorpus {
    let lab = try PostgresLab(
      name: "wal-fuzz", archive: .plainFlat, initdbArguments: ["--wal-segsize=1"])
    defer { lab.remove() }
    try lab.pgbench(["-i", "-s", "1"])
    try lab.pgbench(["-c", "2", "-t", "100"])
    try lab.switchWAL()
    let names = lab.archive.fileNames().filter { WALSegmentName($0) != nil }
    guard names.count >= 6 else { throw FixtureError("only \(names.count) segments archived") }
    let chosen = names[names.count - 5..<names.count - 2]
    let files = try chosen.map { name in
      let bytes = try [UInt8](
        Data(contentsOf: URL(fileURLWithPath: "\(lab.archiveDirectory)/\(name)")))
      return (name: WALSegmentName(name)!, bytes: bytes)
    }
    return try WALFuzzCorpus(name: "real-\(PostgresLab.majorVersion ?? 0)", files: files, blockSize: 8192)
  }
}
