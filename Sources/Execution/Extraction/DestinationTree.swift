import Foundation

/// A directory extraction fills: the data directory or a tablespace's new location.
///
/// Paths below the root are created one component at a time and never through a symbolic
/// link or over something already there, so an entry cannot end up outside the root. New
/// directories start as 0700 and get the modes the backup asks for at ``finish()``; every
/// directory, file and link created is given to the owner, when there is one.
///
/// A class because it remembers, while extraction runs, which directories it has checked and
/// which modes it owes.
final class DestinationTree {
  /// The root's path.
  let root: String
  /// Who gets every file; nil keeps this process's user.
  let owner: FileOwner?
  /// The root as messages name it: "the data directory", "the location of tablespace 16384".
  let name: String
  /// Directories known to be real directories, relative to the root ("" is the root).
  private var knownDirectories: Set<String> = [""]
  /// Modes to give directories at the end, relative to the root.
  private var directoryModes: [String: UInt32] = [:]

  /// Makes the root ready: creates it (and its missing parents, 0755) when absent, checks it
  /// is empty otherwise, then gives it mode 0700 and the owner.
  ///
  /// - Throws: ``ExtractionError`` when the root is not a directory, is not empty, or cannot
  ///   be created.
  init(root: String, owner: FileOwner?, name: String) throws {
    self.root = root
    self.owner = owner
    self.name = name
    switch try FileSystemCalls.status(root, followingLinks: true)?.kind {
    case nil:
      let parent = (root as NSString).deletingLastPathComponent
      try Self.makeDirectories(parent.isEmpty ? "." : parent)
      try FileSystemCalls.makeDirectory(root, mode: 0o700)
    case .directory:
      guard try FileSystemCalls.names(in: root).isEmpty else {
        throw ExtractionError.notEmpty(root, name)
      }
    default:
      throw ExtractionError(.destination, "\(name) \(root) exists and is not a directory")
    }
    try FileSystemCalls.setMode(root, 0o700)
    if let owner { try FileSystemCalls.setOwner(root, owner) }
  }

  /// The absolute path of `components` below the root.
  func path(_ components: [String]) -> String {
    components.isEmpty ? root : root + "/" + components.joined(separator: "/")
  }

  /// Makes the directory `components` (and its parents) unless it exists, and remembers the
  /// mode it should end with.
  ///
  /// - Parameters:
  ///   - mode: Its permission bits; nil leaves 0700 (or what it had).
  ///   - entry: The entry's name, for messages.
  func makeDirectory(_ components: [String], mode: UInt32?, entry: String) throws {
    try makeDirectories(components, entry: entry)
    if let mode, !components.isEmpty {
      directoryModes[components.joined(separator: "/")] = mode
    }
  }

  /// Makes sure `components` can be created: its parents are (made) real directories and
  /// nothing is there yet.
  ///
  /// - Throws: ``ExtractionError`` when a parent is a link or a file, or the path is taken.
  func prepare(_ components: [String], entry: String) throws {
    try makeDirectories(components.dropLast(), entry: entry)
    if try FileSystemCalls.status(path(components)) != nil {
      throw ExtractionError.alreadyExtracted(entry)
    }
  }

  /// Whether `components` is a regular file reached through real directories only.
  func isRegularFile(_ components: [String]) throws -> Bool {
    for end in 1..<max(components.count, 1) {
      let parent = Array(components[..<end])
      if knownDirectories.contains(parent.joined(separator: "/")) { continue }
      guard try FileSystemCalls.status(path(parent))?.kind == .directory else { return false }
    }
    return try FileSystemCalls.status(path(components))?.kind == .regularFile
  }

  /// Creates a symbolic link at `components` pointing to `target`, owned by the owner.
  func makeSymbolicLink(_ components: [String], to target: String, entry: String) throws {
    try prepare(components, entry: entry)
    let link = path(components)
    try FileSystemCalls.makeSymbolicLink(link, to: target)
    if let owner { try FileSystemCalls.setOwner(link, owner) }
  }

  /// Gives the directories the modes the backup asked for.
  func applyDirectoryModes() throws {
    for (relative, mode) in directoryModes {
      try FileSystemCalls.setMode(path([relative]), mode)
    }
  }

  /// Flushes every file and directory of the tree to disk, then the root's parent: one
  /// `syncfs` of the root's file system (one journal commit for all the files, where a
  /// `fsync` per file costs one each), which reports any write-back error since Linux 5.8.
  func sync() throws {
    try FileSystemCalls.syncFileSystem(of: root)
    let parent = (root as NSString).deletingLastPathComponent
    try FileSystemCalls.sync(parent.isEmpty ? "." : parent, directory: true)
  }

  // MARK: - Helpers

  /// Makes every directory along `components`, refusing links and files on the way.
  private func makeDirectories(_ components: some Collection<String>, entry: String) throws {
    var relative = ""
    for component in components {
      relative = relative.isEmpty ? component : relative + "/" + component
      if knownDirectories.contains(relative) { continue }
      let full = root + "/" + relative
      switch try FileSystemCalls.status(full)?.kind {
      case nil:
        try FileSystemCalls.makeDirectory(full, mode: 0o700)
        if let owner { try FileSystemCalls.setOwner(full, owner) }
      case .directory: break
      case .symbolicLink: throw ExtractionError.throughLink(entry, link: relative)
      default: throw ExtractionError.notADirectory(entry, relative)
      }
      knownDirectories.insert(relative)
    }
  }
}

extension DestinationTree {
  /// Creates `path` and its missing parents (mode 0755), as `mkdir -p` does.
  static func makeDirectories(_ path: String) throws {
    var current = path.hasPrefix("/") ? "" : "."
    for component in path.split(separator: "/") {
      current += "/\(component)"
      guard mkdir(current, 0o755) != 0 else { continue }
      let code = errno
      var isDirectory: ObjCBool = false
      guard code == EEXIST, FileManager.default.fileExists(atPath: current, isDirectory: &isDirectory),
        isDirectory.boolValue
      else {
        throw ExtractionError(.destination, "cannot create \(path): \(FileSystemCalls.message(for: code))")
      }
    }
  }
}
