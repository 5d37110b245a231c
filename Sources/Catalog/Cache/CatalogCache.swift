import Foundation

/// What the catalog read from files, kept between runs so a second scan of a large archive
/// rereads nothing: each entry is keyed by path, size and version, and is used only while
/// all three still match. The version is the store's (an S3 ETag, which changes with the
/// content, so an object rewritten with the same size and within the same second is read
/// again) when it gives one, else the modification time (``stamp(of:)``).
///
/// One cache file per set of scanned folders, under `$XDG_CACHE_HOME/pitr` (or
/// `~/.cache/pitr`). The format is plain text, one entry per line, because 100,000 segments
/// must load in a fraction of a second. A cache that cannot be read is ignored, never trusted.
public final class CatalogCache: @unchecked Sendable {
  /// The format version in the first line; another version is ignored. 2: backups say
  /// whether they are incremental; 3: segment summaries say where the chain of records breaks;
  /// 4: backups keep the texts of their postgresql.auto.conf and pg_hba.conf; 6: the time
  /// field holds ``stamp(of:)`` (an ETag's hash for files a store versions).
  static let formatLine = "pitr-catalog-cache 6"

  /// Where the cache file is; `nil` when caching is off.
  public let path: String?
  /// How many lookups found a valid entry, and how many did not (for tests and `--verbose`).
  public private(set) var hits = 0
  public private(set) var misses = 0
  // Lookups, stores and `save` happen on one thread (the scan's); only the initial load runs
  // elsewhere, and everything waits for it to finish first.

  /// Segment entries read from the cache file, in path byte order, for binary search: an
  /// archive may hold 100,000 of them, so they are not put in a dictionary of strings.
  private var loadedSegments = SegmentTable()
  /// Segment entries added during this run.
  private var segments: [String: Entry<SegmentEntry>] = [:]
  private var texts: [String: Entry<String>] = [:]
  private var backups: [String: Entry<String>] = [:]
  /// Segment summaries (JSON), by segment path.
  private var summaries: [String: Entry<String>] = [:]
  /// Whether anything was added, or an entry went unused (and should be dropped), this run.
  private var changed = false
  private var usedCount = 0

  /// A cached fact about one version of a file; `used` marks entries this run needed.
  struct Entry<Value> {
    var size: Int64
    /// ``stamp(of:)`` of the file the value was read from.
    var modified: Int64
    var value: Value
    var used = false
  }

  /// What the cache keeps of a segment: its header, or why it had none.
  enum SegmentEntry: Equatable {
    case header(compression: String, SegmentHeader)
    case problem(String)
  }

  /// A cache that reads and writes nothing.
  public static var disabled: CatalogCache { CatalogCache(path: nil) }

  /// The cache a command reads these folders through: the user's, in `defaultDirectory`, or
  /// `disabled` when `enabled` is false (`--no-cache`).
  public static func forFolders(
    _ folders: [String], enabled: Bool = true,
    environment: [String: String] = ProcessInfo.processInfo.environment
  ) -> CatalogCache {
    guard enabled else { return .disabled }
    return CatalogCache(directory: defaultDirectory(environment: environment), folders: folders)
  }

  /// Opens the cache file for this set of folders in `directory` (created when saving).
  public convenience init(directory: String, folders: [String]) {
    self.init(path: "\(directory)/catalog-\(Self.fingerprint(of: folders)).cache")
  }

  /// Signalled when the cache file has been read; every lookup waits for it first.
  private let loaded = DispatchSemaphore(value: 0)
  private var isLoaded = false

  /// Starts reading the cache file in the background, so that loading it overlaps with the
  /// folder walk that precedes the first lookup (on two cores, the two cost about the same).
  init(path: String?) {
    self.path = path
    guard let path else {
      isLoaded = true
      return
    }
    let thread = Thread { [self] in
      if let data = FileManager.default.contents(atPath: path) { load([UInt8](data)) }
      loaded.signal()
    }
    thread.start()
  }

  /// Blocks until the background load has finished (once).
  private func waitUntilLoaded() {
    guard !isLoaded else { return }
    loaded.wait()
    isLoaded = true
  }

  /// `$XDG_CACHE_HOME/pitr`, else `$HOME/.cache/pitr`.
  public static func defaultDirectory(environment: [String: String]) -> String {
    if let xdg = environment["XDG_CACHE_HOME"], xdg.hasPrefix("/") { return "\(xdg)/pitr" }
    let home = environment["HOME"] ?? NSHomeDirectory()
    return "\(home)/.cache/pitr"
  }

  // MARK: - Lookups

  /// What tells one version of a file from another beside its size: the store's version (an
  /// S3 ETag), as its 64-bit FNV-1a hash, when the store gives one; else the modification time.
  static func stamp(of file: ScannedFile) -> Int64 {
    guard let version = file.version else { return file.modified }
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in version.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
    return Int64(bitPattern: hash)
  }

  func segment(for file: ScannedFile) -> SegmentEntry? {
    waitUntilLoaded()
    if let index = loadedSegments.index(of: file.path) {
      let record = loadedSegments.records[index]
      let fresh = record.size == file.size && record.modified == Self.stamp(of: file)
      return count(fresh, used: &loadedSegments.records[index].used) ? record.value : nil
    }
    return lookup(&segments, file)
  }

  func storeSegment(_ entry: SegmentEntry, for file: ScannedFile) {
    waitUntilLoaded()
    store(entry, in: &segments, for: file)
  }

  /// The cached content of a small text file (a `.history` or `.backup` file).
  func text(for file: ScannedFile) -> String? {
    waitUntilLoaded()
    return lookup(&texts, file)
  }

  func storeText(_ text: String, for file: ScannedFile) {
    waitUntilLoaded()
    store(text, in: &texts, for: file)
  }

  /// A segment's summary, read earlier, when the file did not change since.
  func summary(for file: ScannedFile) -> SegmentSummary? {
    waitUntilLoaded()
    guard let json = lookup(&summaries, file), let data = Data(base64Encoded: json) else {
      return nil
    }
    return try? JSONDecoder().decode(SegmentSummary.self, from: data)
  }

  func storeSummary(_ summary: SegmentSummary, for file: ScannedFile) {
    waitUntilLoaded()
    guard let data = try? JSONEncoder().encode(summary) else { return }
    store(data.base64EncodedString(), in: &summaries, for: file)
  }

  /// A base backup read earlier, when none of its files changed since (`fingerprint`).
  func backup(fingerprint: String) -> BaseBackup? {
    waitUntilLoaded()
    let key = ScannedFile(path: fingerprint, size: 0, modified: 0)
    guard let json = lookup(&backups, key), let data = Data(base64Encoded: json),
      let backup = try? JSONDecoder().decode(BaseBackup.self, from: data)
    else { return nil }
    return backup
  }

  func storeBackup(_ backup: BaseBackup, fingerprint: String) {
    waitUntilLoaded()
    guard let data = try? JSONEncoder().encode(backup) else { return }
    store(data.base64EncodedString(), in: &backups, for: ScannedFile(path: fingerprint, size: 0, modified: 0))
  }

  /// The entry for this version of the file, marked used; one hash lookup.
  private func lookup<Value>(_ table: inout [String: Entry<Value>], _ file: ScannedFile) -> Value? {
    guard let index = table.index(forKey: file.path) else {
      misses += 1
      return nil
    }
    let entry = table.values[index]
    let fresh = entry.size == file.size && entry.modified == Self.stamp(of: file)
    return count(fresh, used: &table.values[index].used) ? entry.value : nil
  }

  /// Counts a lookup of an entry: a hit when it is `fresh` (its file's size and time are
  /// unchanged), which marks it used (kept when saving); a miss otherwise. Returns `fresh`.
  private func count(_ fresh: Bool, used: inout Bool) -> Bool {
    guard fresh else {
      misses += 1
      return false
    }
    if !used {
      used = true
      usedCount += 1
    }
    hits += 1
    return true
  }

  private func store<Value>(_ value: Value, in table: inout [String: Entry<Value>], for file: ScannedFile) {
    guard path != nil else { return }
    let previous = table.updateValue(
      Entry(size: file.size, modified: Self.stamp(of: file), value: value, used: true), forKey: file.path)
    if previous?.used != true { usedCount += 1 }
    changed = true
  }

  // MARK: - Saving

  /// Writes the entries this run needed atomically, and drops the others; a segment's
  /// summary is kept while its segment is still in the archive, needed this run or not (a
  /// `pitr catalog` run must not drop what `pitr validate` will need). Does nothing when
  /// caching is off or the file would not change. Failures are ignored: a cache is only an
  /// optimisation.
  public func save() {
    waitUntilLoaded()
    let total =
      loadedSegments.records.count + segments.count + texts.count + backups.count + summaries.count
    let keptSummaries = summaries.filter { key, entry in
      entry.used || segmentSeen(key, size: entry.size, modified: entry.modified)
    }
    let kept = usedCount + keptSummaries.values.filter { !$0.used }.count
    guard let path, changed || kept != total else { return }
    var text = Self.formatLine + "\n"
    var segmentEntries = segments.filter(\.value.used).map { ($0.key, $0.value) }
    for record in loadedSegments.records where record.used {
      let key = loadedSegments.path(of: record)
      if segments[key] == nil {
        segmentEntries.append(
          (key, Entry(size: record.size, modified: record.modified, value: record.value, used: true)))
      }
    }
    for (key, entry) in segmentEntries.sorted(by: { Array($0.0.utf8).lexicographicallyPrecedes($1.0.utf8) }) {
      let fields: [String]
      switch entry.value {
      case .header(let compression, let header):
        fields = [
          "S", Self.escape(key), String(entry.size), String(entry.modified), compression,
          String(header.magic), String(header.systemIdentifier), String(header.segmentSize),
          String(header.blockSize), String(header.pageAddress.rawValue),
          String(header.timeline.rawValue),
        ]
      case .problem(let reason):
        fields = ["P", Self.escape(key), String(entry.size), String(entry.modified), Self.escape(reason)]
      }
      text += fields.joined(separator: "\t") + "\n"
    }
    for (key, entry) in texts.sorted(by: { $0.key < $1.key }) where entry.used {
      text +=
        ["T", Self.escape(key), String(entry.size), String(entry.modified), Self.escape(entry.value)]
        .joined(separator: "\t") + "\n"
    }
    for (key, entry) in keptSummaries.sorted(by: { $0.key < $1.key }) {
      text +=
        ["W", Self.escape(key), String(entry.size), String(entry.modified), entry.value]
        .joined(separator: "\t") + "\n"
    }
    for (fingerprint, entry) in backups.sorted(by: { $0.key < $1.key }) where entry.used {
      text += "B\t\(Self.escape(fingerprint))\t\(entry.value)\n"
    }
    let directory = (path as NSString).deletingLastPathComponent
    try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    let temporary = "\(path).\(getpid()).tmp"
    guard FileManager.default.createFile(atPath: temporary, contents: Data(text.utf8)) else {
      return
    }
    if rename(temporary, path) != 0 { unlink(temporary) }
  }

  /// Whether this run saw the segment at `path` with this size and time.
  private func segmentSeen(_ path: String, size: Int64, modified: Int64) -> Bool {
    if let index = loadedSegments.index(of: path) {
      let record = loadedSegments.records[index]
      return record.used && record.size == size && record.modified == modified
    }
    guard let entry = segments[path] else { return false }
    return entry.used && entry.size == size && entry.modified == modified
  }

  // MARK: - Loading

  private func load(_ bytes: [UInt8]) {
    var lines = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: true)[...]
    guard let first = lines.popFirst(), String(decoding: first, as: UTF8.self) == Self.formatLine
    else { return }
    var fields: [ArraySlice<UInt8>] = []
    fields.reserveCapacity(11)
    for line in lines {
      // One reused array of slices: no allocation per line for 100,000 lines.
      fields.removeAll(keepingCapacity: true)
      var fieldStart = line.startIndex
      for index in line.indices where line[index] == UInt8(ascii: "\t") {
        fields.append(line[fieldStart..<index])
        fieldStart = index + 1
      }
      fields.append(line[fieldStart...])
      guard let kind = fields.first?.first else { continue }
      switch (kind, fields.count) {
      case (UInt8(ascii: "S"), 11):
        guard let size = Self.int(fields[2]), let modified = Self.int(fields[3]),
          let magic = Self.int(fields[5]).flatMap(UInt16.init(exactly:)),
          let system = Self.unsigned(fields[6]),
          let segmentSize = Self.int(fields[7]).flatMap(UInt32.init(exactly:)),
          let blockSize = Self.int(fields[8]).flatMap(UInt32.init(exactly:)),
          let address = Self.unsigned(fields[9]),
          let timeline = Self.int(fields[10]).flatMap(UInt32.init(exactly:))
        else { continue }
        let header = SegmentHeader(
          magic: magic, systemIdentifier: system, segmentSize: segmentSize, blockSize: blockSize,
          pageAddress: .init(rawValue: address), timeline: .init(timeline))
        let compression =
          ["gzip", "zstd", "lz4"].first { fields[4].elementsEqual($0.utf8) } ?? "none"
        loadedSegments.append(
          path: fields[1], size: size, modified: modified,
          value: .header(compression: compression, header))
      case (UInt8(ascii: "P"), 5):
        guard let size = Self.int(fields[2]), let modified = Self.int(fields[3]) else { continue }
        loadedSegments.append(
          path: fields[1], size: size, modified: modified,
          value: .problem(Self.unescape(fields[4])))
      case (UInt8(ascii: "T"), 5):
        guard let size = Self.int(fields[2]), let modified = Self.int(fields[3]) else { continue }
        texts[Self.unescape(fields[1])] = Entry(
          size: size, modified: modified, value: Self.unescape(fields[4]))
      case (UInt8(ascii: "W"), 5):
        guard let size = Self.int(fields[2]), let modified = Self.int(fields[3]) else { continue }
        summaries[Self.unescape(fields[1])] = Entry(
          size: size, modified: modified, value: String(decoding: fields[4], as: UTF8.self))
      case (UInt8(ascii: "B"), 3):
        backups[Self.unescape(fields[1])] = Entry(
          size: 0, modified: 0, value: String(decoding: fields[2], as: UTF8.self))
      default:
        continue
      }
    }
    loadedSegments.finish()
  }

  /// A decimal integer, read straight from the bytes (no `String`: 100,000 lines load fast).
  private static func int(_ bytes: ArraySlice<UInt8>) -> Int64? {
    var negative = false
    var digits = bytes[...]
    if digits.first == UInt8(ascii: "-") {
      negative = true
      digits = digits.dropFirst()
    }
    guard let magnitude = unsigned(digits), magnitude <= UInt64(Int64.max) else { return nil }
    return negative ? -Int64(magnitude) : Int64(magnitude)
  }

  private static func unsigned(_ bytes: ArraySlice<UInt8>) -> UInt64? {
    guard !bytes.isEmpty, bytes.count <= 20 else { return nil }
    var value: UInt64 = 0
    for byte in bytes {
      guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { return nil }
      let (times, overflow1) = value.multipliedReportingOverflow(by: 10)
      let (sum, overflow2) = times.addingReportingOverflow(UInt64(byte - UInt8(ascii: "0")))
      guard !overflow1, !overflow2 else { return nil }
      value = sum
    }
    return value
  }

  /// Unescapes a field into raw bytes (the inverse of `escape`).
  static func unescapedBytes(_ bytes: ArraySlice<UInt8>) -> [UInt8] {
    Array(unescape(bytes).utf8)
  }

  /// Backslash-escapes `\`, tab and newline so any path or text fits in one field.
  static func escape(_ text: String) -> String {
    guard text.contains(where: { $0 == "\\" || $0 == "\t" || $0 == "\n" || $0 == "\r" }) else {
      return text
    }
    var result = ""
    for character in text.unicodeScalars {
      switch character {
      case "\\": result += "\\\\"
      case "\t": result += "\\t"
      case "\n": result += "\\n"
      case "\r": result += "\\r"
      default: result.unicodeScalars.append(character)
      }
    }
    return result
  }

  static func unescape(_ bytes: ArraySlice<UInt8>) -> String {
    guard bytes.contains(UInt8(ascii: "\\")) else { return String(decoding: bytes, as: UTF8.self) }
    var result: [UInt8] = []
    var escaping = false
    for byte in bytes {
      if escaping {
        switch byte {
        case UInt8(ascii: "t"): result.append(UInt8(ascii: "\t"))
        case UInt8(ascii: "n"): result.append(UInt8(ascii: "\n"))
        case UInt8(ascii: "r"): result.append(UInt8(ascii: "\r"))
        default: result.append(byte)
        }
        escaping = false
      } else if byte == UInt8(ascii: "\\") {
        escaping = true
      } else {
        result.append(byte)
      }
    }
    return String(decoding: result, as: UTF8.self)
  }

  /// A short stable name for a set of folders (FNV-1a over their paths).
  static func fingerprint(of folders: [String]) -> String {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in folders.joined(separator: "\n").utf8 {
      hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
    }
    return String(hash, radix: 16)
  }
}

/// Cached segment entries in one byte buffer of paths and an array sorted by path bytes.
private struct SegmentTable {
  struct Record {
    var path: Range<Int>
    var size: Int64
    var modified: Int64
    var value: CatalogCache.SegmentEntry
    var used = false
  }

  private(set) var pathBytes: [UInt8] = []
  var records: [Record] = []

  mutating func append(
    path field: ArraySlice<UInt8>, size: Int64, modified: Int64, value: CatalogCache.SegmentEntry
  ) {
    let start = pathBytes.count
    if field.contains(UInt8(ascii: "\\")) {
      pathBytes += CatalogCache.unescapedBytes(field)
    } else {
      pathBytes += field
    }
    records.append(Record(path: start..<pathBytes.count, size: size, modified: modified, value: value))
  }

  /// Sorts the records by path bytes (the file is written sorted, so usually a no-op check).
  mutating func finish() {
    let bytes = pathBytes
    func precedes(_ left: Record, _ right: Record) -> Bool {
      bytes[left.path].lexicographicallyPrecedes(bytes[right.path])
    }
    let sorted = zip(records, records.dropFirst()).allSatisfy { !precedes($1, $0) }
    if !sorted { records.sort(by: precedes) }
  }

  func path(of record: Record) -> String {
    String(decoding: pathBytes[record.path], as: UTF8.self)
  }

  /// The index of the record for `path`, by binary search over the bytes.
  func index(of path: String) -> Int? {
    guard !records.isEmpty else { return nil }
    var key = path
    return key.withUTF8 { target -> Int? in
      pathBytes.withUnsafeBufferPointer { all -> Int? in
        var low = 0
        var high = records.count - 1
        while low <= high {
          let middle = (low + high) / 2
          let range = records[middle].path
          let candidate = UnsafeBufferPointer(rebasing: all[range])
          let common = min(candidate.count, target.count)
          var order: Int32 = 0
          if common > 0, let left = candidate.baseAddress, let right = target.baseAddress {
            order = memcmp(left, right, common)
          }
          if order == 0 { order = Int32(candidate.count) - Int32(target.count) }
          if order == 0 { return middle }
          if order < 0 { low = middle + 1 } else { high = middle - 1 }
        }
        return nil
      }
    }
  }
}
