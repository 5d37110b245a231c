import PostgresVocabulary
import Storage
import WAL

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Every WAL file name in a set of archive folders and where the file is: what `pitr wal-fetch`
/// looks a name up in, kept as the `<spool>/index` file it builds on its first call and reads
/// on the later ones.
///
/// The folders are walked by ``DirectoryWalker`` (names only, no `stat` per file), at any
/// depth: flat, or in dated subfolders (`wal/2026-11-22/…`). A file is listed under the name
/// PostgreSQL asks for, which is its own name without a compression suffix: segments
/// (`000000010000000000000005`, `….gz`), timeline history files (`00000002.history`) and
/// backup history files (`….00000028.backup`). `.partial` files are left out (recovery never
/// reads them), and so are names that are not WAL file names and folders whose names hold a
/// tab or a line break (the index file cannot write them down).
///
/// The file is text. The first line names the format, when the walk that made it started,
/// and the folders, in order (an index of other folders is not used). Then a line per folder
/// read, `+<modification time>\t<folder>`, and a line per archived file, `<name>\t<path>`,
/// sorted by name, where the name is what PostgreSQL asks for (`000000010000000000000005`,
/// `00000002.history`) and the path is the file (`…/2026-11-22/000000010000000000000005.gz`).
/// Files with the same name keep the folders' order. A lookup is a binary search in the
/// mapped file (folder lines sort first: `+` comes before every digit), so it touches a few
/// pages whatever the archive's size.
///
/// The folder lines tell whether the index is still current without walking: adding,
/// removing or renaming a file changes its folder's modification time. A folder changed
/// within ``settleTime`` of the walk may have changed again within the same clock tick, so
/// the index does not vouch for it.
public struct WALArchiveIndex {
  /// The index's file name in the spool.
  public static let fileName = "index"
  /// How long before the walk a folder must have last changed for its time to be trusted.
  static let settleTime: Int64 = 2_000_000_000

  /// One archived WAL file.
  struct Entry: Hashable {
    /// The name PostgreSQL asks for: the file's name without compression suffix.
    var name: String
    /// The file's path.
    var path: String
    /// Which of the walked folders it is in (0 for the first).
    var root: Int
  }

  /// The folders the index lists.
  public let roots: [String]
  /// Folders the walk could not read (empty for a loaded index).
  public let problems: [DirectoryWalker.Problem]
  private let content: Content

  private enum Content {
    /// Read from the index file: its mapping, when the walk started, and where the lines
    /// after the first are.
    case stored(MappedFile, walkStarted: Int64, body: Range<Int>)
    /// Just walked: when the walk started, the folders, and the files sorted by name, folder
    /// and path.
    case walked(walkStarted: Int64, [DirectoryWalker.Folder], [Entry])
  }

  /// Walks the folders.
  public init(walking roots: [String]) {
    let started = Self.now()
    let (walker, entries) = Self.walk(roots, keeping: nil)
    self.roots = roots
    self.problems = walker.problems
    self.content = .walked(walkStarted: started, walker.folders, Self.sortedByName(entries))
  }

  /// The files called `name` in `roots`, in the folders' order, by a walk that keeps only
  /// them (what a fetch without an index does), and the folders that could not be read.
  public static func paths(
    for name: String, walking roots: [String]
  ) -> (paths: [String], problems: [DirectoryWalker.Problem]) {
    let (walker, entries) = walk(roots, keeping: name)
    let sorted = entries.sorted { ($0.root, $0.path) < ($1.root, $1.path) }
    return (sorted.map(\.path), walker.problems)
  }

  /// Walks `roots` in order, keeping every WAL file or only those named `wanted`.
  private static func walk(
    _ roots: [String], keeping wanted: String?
  ) -> (DirectoryWalker, [Entry]) {
    var walker = DirectoryWalker(detail: .nameOnly) { name in
      !name.utf8.contains(where: { $0 == 0x09 || $0 == 0x0A })
    }
    var entries: [Entry] = []
    for (root, folder) in roots.enumerated() {
      walker.walk(folder) { file in
        if let wanted, !file.name.utf8.starts(with: wanted.utf8) { return }
        guard let key = lookupName(ofFile: file.name) else { return }
        if let wanted, key != wanted { return }
        entries.append(Entry(name: key, path: file.path, root: root))
      }
    }
    return (walker, entries)
  }

  /// The name PostgreSQL asks for to get the archived file called `fileName`: the name
  /// without its compression suffix; `nil` for a `.partial` file or a name that is not a WAL
  /// file's.
  public static func lookupName(ofFile fileName: String) -> String? {
    guard let file = WALFileName(fileName), !file.isPartial else { return nil }
    return String(fileName.dropLast(file.suffix.count))
  }

  /// Reads the index file at `path`; `nil` when there is none, it is not an index, or it
  /// lists other folders.
  public init?(loading path: String, roots: [String]) {
    guard let file = MappedFile(path: path), let newline = file.bytes.firstIndex(of: 0x0A)
    else { return nil }
    let fields = file.bytes[..<newline].split(separator: 0x09, omittingEmptySubsequences: false)
    guard fields.count == roots.count + 2, fields[0].elementsEqual(Self.format.utf8),
      let started = Int64(String(decoding: fields[1], as: UTF8.self)),
      zip(fields.dropFirst(2), roots).allSatisfy({ $0.elementsEqual($1.utf8) })
    else { return nil }
    self.roots = roots
    self.problems = []
    self.content = .stored(file, walkStarted: started, body: newline + 1..<file.bytes.count)
  }

  /// The files called `name`, in the folders' order.
  public func paths(for name: String) -> [String] {
    switch content {
    case .walked(_, _, let entries):
      return entries.filter { $0.name == name }.map(\.path)
    case .stored(let file, _, let body):
      return Self.search(Array(name.utf8), in: file.bytes, body: body)
    }
  }

  /// Whether no folder has changed since the walk: each folder's modification time is the
  /// one noted, and none had changed shortly before the walk.
  public var isCurrent: Bool {
    guard case .stored(let file, let started, let body) = content else { return true }
    var start = body.lowerBound
    while start < body.upperBound, file.bytes[start] == UInt8(ascii: "+") {
      let end = file.bytes[start...].firstIndex(of: 0x0A) ?? body.upperBound
      let line = file.bytes[(start + 1)..<end]
      guard let tab = line.firstIndex(of: 0x09),
        let noted = Int64(String(decoding: line[..<tab], as: UTF8.self)),
        noted < started - Self.settleTime
      else { return false }
      var info = stat()
      let folder = String(decoding: line[(tab + 1)...], as: UTF8.self)
      guard stat(folder, &info) == 0, DirectoryWalker.nanoseconds(info.st_mtim) == noted else {
        return false
      }
      start = end + 1
    }
    return true
  }

  // MARK: - The file

  private static let format = "pitr-wal-index 1"

  /// The index as the file holds it; `nil` when a folder's path has a tab or a line break,
  /// which the format cannot hold.
  public func serialized() -> [UInt8]? {
    switch content {
    case .stored(let file, _, _):
      return Array(file.bytes)
    case .walked(let started, let folders, let entries):
      let unstorable = roots.contains { $0.utf8.contains(where: { $0 == 0x09 || $0 == 0x0A }) }
      guard !unstorable else { return nil }
      var bytes = Array(([Self.format, String(started)] + roots).joined(separator: "\t").utf8)
      bytes.append(0x0A)
      for folder in folders {
        bytes += "+\(folder.modified)\t\(folder.path)\n".utf8
      }
      for entry in entries {
        bytes += entry.name.utf8
        bytes.append(0x09)
        bytes += entry.path.utf8
        bytes.append(0x0A)
      }
      return bytes
    }
  }

  /// The entries in the order of the index's lines: by name (as bytes), then folder and path.
  ///
  /// Names are compared through their first 24 bytes packed into integers, which decide
  /// almost every comparison without touching the strings: sorting 100,000 names by string
  /// comparison alone costs more than walking the folders.
  private static func sortedByName(_ entries: [Entry]) -> [Entry] {
    let keys = entries.map { entry -> (UInt64, UInt64, UInt64) in
      var words: (UInt64, UInt64, UInt64) = (0, 0, 0)
      for (index, byte) in entry.name.utf8.prefix(24).enumerated() {
        let bits = UInt64(byte) << (56 - 8 * UInt64(index % 8))
        switch index / 8 {
        case 0: words.0 |= bits
        case 1: words.1 |= bits
        default: words.2 |= bits
        }
      }
      return words
    }
    let order = entries.indices.sorted { left, right in
      if keys[left] != keys[right] { return keys[left] < keys[right] }
      let (a, b) = (entries[left], entries[right])
      return a.name != b.name ? a.name < b.name : (a.root, a.path) < (b.root, b.path)
    }
    return order.map { entries[$0] }
  }

  /// The time now, in nanoseconds since 1970.
  private static func now() -> Int64 {
    var time = timespec()
    clock_gettime(CLOCK_REALTIME, &time)
    return DirectoryWalker.nanoseconds(time)
  }

  // MARK: - Lookup

  /// The paths on the lines whose name is `key`, by binary search over the sorted lines.
  private static func search(
    _ key: [UInt8], in bytes: UnsafeRawBufferPointer, body: Range<Int>
  ) -> [String] {
    /// The start of the line holding `offset`.
    func lineStart(_ offset: Int) -> Int {
      var start = offset
      while start > body.lowerBound, bytes[start - 1] != 0x0A { start -= 1 }
      return start
    }
    /// The end of the line starting at `start` (its line break, or the end of the body).
    func lineEnd(_ start: Int) -> Int {
      var end = start
      while end < body.upperBound, bytes[end] != 0x0A { end += 1 }
      return end
    }
    /// The line's name compared with the key: -1, 0 or 1.
    func compare(lineAt start: Int) -> Int {
      var offset = start
      for byte in key {
        guard offset < body.upperBound, bytes[offset] != 0x09, bytes[offset] != 0x0A else {
          return -1
        }
        if bytes[offset] != byte { return bytes[offset] < byte ? -1 : 1 }
        offset += 1
      }
      return offset < body.upperBound && bytes[offset] == 0x09 ? 0 : 1
    }
    // The first line whose name is not below the key.
    var low = body.lowerBound
    var high = body.upperBound
    while low < high {
      let start = lineStart(low + (high - low) / 2)
      if compare(lineAt: start) < 0 {
        low = min(lineEnd(start) + 1, body.upperBound)
      } else {
        high = start
      }
    }
    var paths: [String] = []
    var start = low
    while start < body.upperBound, compare(lineAt: start) == 0 {
      let end = lineEnd(start)
      paths.append(String(decoding: bytes[(start + key.count + 1)..<end], as: UTF8.self))
      start = end + 1
    }
    return paths
  }
}
