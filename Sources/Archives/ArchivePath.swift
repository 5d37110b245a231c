/// A member path of an archive, normalized, with the ways it could escape the target flagged.
///
/// Normalizing drops a leading `./`, a trailing `/`, empty components (`a//b`) and `.`
/// components, so `./pg_wal/archive_status/` becomes `pg_wal/archive_status` and `./` becomes
/// the empty path (the archive's root). It does not resolve `..`: a path with a `..` component,
/// or an absolute path, ``escapes`` and must not be extracted.
public struct ArchivePath: Hashable, Sendable, CustomStringConvertible {
  /// The path as stored in the archive.
  public let stored: String
  /// The normalized relative path, empty for the root.
  ///
  /// An absolute path loses its leading `/` here, but stays flagged by ``isAbsolute``.
  public let normalized: String
  /// The stored path starts with `/`.
  public let isAbsolute: Bool
  /// The stored path has a `..` component.
  public let hasParentComponent: Bool

  /// Normalizes `stored`.
  public init(_ stored: String) {
    self.stored = stored
    let components = stored.split(separator: "/").filter { $0 != "." }
    self.normalized = components.joined(separator: "/")
    self.isAbsolute = stored.hasPrefix("/")
    self.hasParentComponent = components.contains("..")
  }

  /// The path could point outside the directory it is extracted into: refuse it.
  public var escapes: Bool { isAbsolute || hasParentComponent }

  /// The normalized path's components (none for the root).
  public var components: [Substring] {
    normalized.split(separator: "/")
  }

  /// Why the path must not be extracted, as a phrase for messages; nil when it is safe.
  public var escapeReason: String? {
    if isAbsolute { return "'\(stored)' is an absolute path" }
    if hasParentComponent { return "'\(stored)' has a '..' component" }
    return nil
  }

  public var description: String { normalized }
}
