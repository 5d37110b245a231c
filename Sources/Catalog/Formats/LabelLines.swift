import PostgresVocabulary

/// The `KEY: value` lines of a backup_label or backup history file, by key.
///
/// Lines without `": "` and keys nobody asks for are ignored; when a key repeats, the first
/// line wins. Values run to the end of the line (a `LABEL` may itself contain `": "`).
struct LabelLines {
  let file: CatalogFormatError.File
  private var lines: [Substring: (value: Substring, number: Int)] = [:]

  init(_ text: String, file: CatalogFormatError.File) {
    self.file = file
    let all = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
    for (index, line) in all.enumerated() {
      guard let separator = line.firstRange(of: ": ") else { continue }
      let key = line[..<separator.lowerBound]
      if lines[key] == nil { lines[key] = (line[separator.upperBound...], index + 1) }
    }
  }

  /// Whether the key has a line.
  func contains(_ key: String) -> Bool { lines[Substring(key)] != nil }

  /// The value of `key` read by `parse`; `nil` when there is no such line.
  ///
  /// - Throws: `invalidValue` naming the line and `expected` when `parse` returns `nil`.
  func optional<T>(
    _ key: String, expected: String, _ parse: (Substring) -> T?
  ) throws(CatalogFormatError) -> T? {
    guard let (value, number) = lines[Substring(key)] else { return nil }
    guard let parsed = parse(value) else {
      throw CatalogFormatError(
        file, line: number, .invalidValue(key: key, value: String(value), expected: expected))
    }
    return parsed
  }

  /// The value of `key` read by `parse`.
  ///
  /// - Throws: `missingLine` when there is no such line, `invalidValue` when `parse` fails.
  func required<T>(
    _ key: String, expected: String, _ parse: (Substring) -> T?
  ) throws(CatalogFormatError) -> T {
    guard let value = try optional(key, expected: expected, parse) else {
      throw CatalogFormatError(file, .missingLine(key))
    }
    return value
  }

  /// A free-text value such as LABEL; any text will do, so it never fails.
  func text(_ key: String) -> String? { lines[Substring(key)].map { String($0.value) } }

  /// A time such as START TIME; any text is kept, so it never fails.
  func time(_ key: String) -> BackupTimestamp? { text(key).map(BackupTimestamp.init) }

  /// The `<which> WAL LOCATION` line (`START`, `STOP`) and the `<which> TIMELINE` line that
  /// goes with it; without the timeline line, the timeline of the file the location names.
  ///
  /// - Throws: when the location is missing or unreadable, or the timeline line names
  ///   another timeline than the file.
  func walLocation(_ which: String) throws(CatalogFormatError)
    -> (lsn: LSN, segment: WALSegmentName, timeline: TimelineID)
  {
    let (lsn, segment) = try required(
      "\(which) WAL LOCATION", expected: Self.locationAndFileExpected, Self.locationAndFile)
    let expected = "the timeline of the \(which.lowercased()) file, \(segment.timeline)"
    let timeline = try optional("\(which) TIMELINE", expected: expected) { value in
      Self.timeline(value).flatMap { $0 == segment.timeline ? $0 : nil }
    }
    return (lsn, segment, timeline ?? segment.timeline)
  }

  // MARK: - Value shapes shared by the label files

  /// `0/2000028 (file 000000010000000000000002)`, as START and STOP WAL LOCATION write it.
  private static func locationAndFile(_ value: Substring) -> (LSN, WALSegmentName)? {
    guard let open = value.firstRange(of: " (file "), value.hasSuffix(")"),
      let lsn = LSN(value[..<open.lowerBound]),
      let segment = WALSegmentName(value[open.upperBound..<value.index(before: value.endIndex)])
    else { return nil }
    return (lsn, segment)
  }

  private static let locationAndFileExpected =
    "an LSN and a WAL file name, as in '0/2000028 (file 000000010000000000000002)'"

  /// A timeline number: decimal digits, greater than 0.
  static func timeline(_ value: Substring) -> TimelineID? {
    guard value.allSatisfy({ ("0"..."9").contains($0) }), let number = UInt32(value), number > 0
    else { return nil }
    return TimelineID(number)
  }

  static let timelineExpected = "a timeline number such as 1"
  static let lsnExpected = "an LSN such as 0/2000060"
}
