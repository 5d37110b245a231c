import Testing
import WAL

/// The byte form of timestamps that `pitr wal find` writes a million rows with: it must be
/// the `description`, byte for byte (LSNs and segment names: PostgresVocabularyTests).
@Suite struct TextBytesTests {
  static func bytes(_ append: (inout [UInt8]) -> Void) -> String {
    var buffer: [UInt8] = []
    append(&buffer)
    return String(decoding: buffer, as: UTF8.self)
  }

  /// Times in increasing order as in WAL (the formatter keeps the second), then out of order,
  /// before 2000 and with every length of fraction.
  @Test func timestampsInUTC() {
    var random = SplitMix64(seed: 6)
    var times: [Int64] = [0, 1, 10, 100_000, 999_999, 1_000_000, -1, -999_999, -1_000_000, -1_000_001]
    var now: Int64 = 817_000_000_000_000  // late 2025
    for _ in 0..<5_000 {
      now += Int64(random.next() % 400_000)
      times.append(now)
    }
    for _ in 0..<5_000 {
      times.append(Int64(bitPattern: random.next()) % 4_000_000_000_000_000)
    }
    for digits in 0...6 {
      let fraction = (0..<digits).reduce(Int64(0)) { value, _ in value * 10 + Int64(random.next() % 9 + 1) }
      times.append(now + fraction * Int64([1, 100_000, 10_000, 1_000, 100, 10, 1][digits]))
    }
    var formatter = PostgresTimestamp.UTCFormatter()
    for value in times {
      let time = PostgresTimestamp(microsecondsSince2000: value)
      let text = Self.bytes { formatter.append(time, to: &$0) }
      #expect(text == time.description, "\(value)")
    }
  }
}

/// PostgreSQL's ISO timestamps at any offset read back to the same instant.
@Suite struct PostgresTimestampTextTests {
  @Test func anyOffsetReadsToTheSameInstant() throws {
    let utc = try #require(PostgresTimestamp(postgresText: "2026-12-04 17:59:36.987598+00"))
    #expect(PostgresTimestamp(postgresText: "2026-12-04 10:59:36.987598-07") == utc)
    #expect(PostgresTimestamp(postgresText: "2026-12-04 23:29:36.987598+05:30") == utc)
    #expect(PostgresTimestamp(postgresText: "2026-12-05 03:44:36.987598+09:45") == utc)
    #expect(utc.description == "2026-12-04 17:59:36.987598+00")
    // Across a day and a year boundary, and before 2000.
    #expect(
      PostgresTimestamp(postgresText: "2025-12-31 20:00:00-07")
        == PostgresTimestamp(postgresText: "2026-01-01 03:00:00+00"))
    #expect(PostgresTimestamp(postgresText: "1999-12-31 23:59:59.5+00")?.microsecondsSince2000 == -500_000)
  }

  @Test func textThatIsNotATimestampIsRefused() {
    for text in [
      "2026-12-04 17:59:36", "2026-13-04 17:59:36+00", "2026-12-04 24:00:00+00", "yesterday",
      "2026-12-04 17:59:36.1234567+00",
    ] {
      #expect(PostgresTimestamp(postgresText: text) == nil, "\(text)")
    }
  }
}
