/// Where the entries of one archive (or one directory of a plain backup) go.
struct Placement {
  /// The tree they are written into.
  var tree: DestinationTree
  /// The directory below the tree's root they land in: `["pg_wal"]` for `pg_wal.tar`.
  var prefix: [String]
  /// What goes before an entry's path to make its manifest path: `pg_tblspc/16384/` for a
  /// tablespace, `pg_wal/` for `pg_wal.tar`, empty for the base.
  var manifestPrefix: String

  /// The destination as messages name it: "the data directory", "pg_wal in the data
  /// directory", "the location of tablespace 16384".
  var name: String {
    prefix.isEmpty ? tree.name : "\(prefix.joined(separator: "/")) in \(tree.name)"
  }

  /// Whether the entries land at the data directory's root, where `pg_tblspc/<oid>` links
  /// live.
  var isDataDirectoryRoot: Bool {
    prefix.isEmpty && manifestPrefix.isEmpty
  }

  /// The tree path of an entry's path components.
  func components(_ entry: [String]) -> [String] { prefix + entry }

  /// The manifest path (relative to the data directory) of an entry's path components.
  func manifestPath(_ entry: [String]) -> String {
    manifestPrefix + entry.joined(separator: "/")
  }

  /// The tablespace OID when `entry` is `pg_tblspc/<oid>` at the data directory's root.
  func tablespaceLink(_ entry: [String]) -> UInt32? {
    guard isDataDirectoryRoot, entry.count == 2, entry[0] == "pg_tblspc",
      entry[1].allSatisfy(\.isASCII), entry[1].allSatisfy(\.isNumber)
    else { return nil }
    return UInt32(entry[1])
  }

  /// Whether a symbolic link at `components` (below a placement) pointing to `target`
  /// resolves outside it: an absolute target, or one with more `..` than depth.
  static func pointsOutside(_ components: [String], _ target: String) -> Bool {
    if target.hasPrefix("/") { return true }
    var depth = components.count - 1
    for part in target.split(separator: "/") where part != "." {
      depth += part == ".." ? -1 : 1
      if depth < 0 { return true }
    }
    return false
  }
}
