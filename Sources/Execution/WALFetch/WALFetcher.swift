import Catalog
import PostgresVocabulary
import Storage

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// `pitr wal-fetch`: serves one file to PostgreSQL's `restore_command`.
///
/// The spool comes first: a file the prefetch step already decompressed to
/// `<spool>/<name>` is moved into place when it passes the checks, and ignored (with a
/// warning) when it does not. Then the archive folders, at any depth: a file with exactly the
/// name asked for or the name plus a compression suffix, decompressed by its magic bytes;
/// `.partial` files are never served. With a spool, where each name is comes from the index
/// `<spool>/index` (the catalog's ``WALArchiveIndex``: built on the first call, walked again once when a
/// name is not in it and a folder has changed, since files are archived during recovery);
/// without one, the folders are walked on each call.
///
/// Segments are checked against their name (``SegmentHeaderCheck``) and their size, and
/// every file is written through a temporary file and a rename (``WALFileDelivery``).
public struct WALFetcher {
  /// The archive folders, searched in order.
  public var archiveFolders: [String]
  /// The spool the prefetch step fills, which also holds the index; `nil` for none.
  public var spoolFolder: String?
  /// The cluster's system identifier; segments of another cluster are refused.
  public var expectedSystemIdentifier: UInt64?
  /// Segments the compiled plan saw archived (`FIRST-LAST`, one timeline each): one of them
  /// not found is gone since, not the end of the archive.
  public var neededRuns: [ClosedRange<String>]
  /// Receives warnings that do not stop the fetch: an ignored spool file, an archived copy
  /// that failed a check when another one passed, a folder that could not be read.
  public var warn: (String) -> Void

  public init(
    archiveFolders: [String], spoolFolder: String? = nil, expectedSystemIdentifier: UInt64? = nil,
    neededRuns: [ClosedRange<String>] = [], warn: @escaping (String) -> Void = { _ in }
  ) {
    self.archiveFolders = archiveFolders
    self.spoolFolder = spoolFolder
    self.expectedSystemIdentifier = expectedSystemIdentifier
    self.neededRuns = neededRuns
    self.warn = warn
  }

  /// A `--needs` value, `FIRST-LAST` (two segment names of one timeline), as a range of names
  /// (names of one timeline sort as their numbers); `nil` when it is not that.
  public static func neededRun(_ text: String) -> ClosedRange<String>? {
    let names = text.split(separator: "-", omittingEmptySubsequences: false).map(String.init)
    guard names.count == 2, let first = WALFileName(names[0])?.segment, let last = WALFileName(names[1])?.segment,
      first.timeline == last.timeline, names[0] <= names[1]
    else { return nil }
    return names[0]...names[1]
  }

  /// Puts the file PostgreSQL asked for at `destination`.
  ///
  /// - Parameters:
  ///   - name: `%f`: a segment name, `<TLI>.history` or a backup history file's name.
  ///   - destination: `%p`, usually relative to the data directory (`pg_wal/RECOVERYXLOG`).
  /// - Returns: Where the file came from, or that there is no such file.
  /// - Throws: ``WALFetchError`` when the file was found but cannot be served: damaged, not
  ///   the file its name says, compressed in an unsupported format, or not writable; and
  ///   ``WALFetchError/Kind/invalidRequest`` for a name that is a path.
  public func fetch(_ name: String, to destination: String) throws -> WALFetchOutcome {
    guard !name.isEmpty, !name.contains("/"), name != ".", name != ".." else {
      throw WALFetchError(.invalidRequest, file: name, "not a file name")
    }
    guard let file = WALFileName(name), !file.isPartial, file.compression == nil else {
      let reason =
        WALFileName(name)?.isPartial == true
        ? "a .partial file, which recovery must not read" : "not a WAL file name"
      return .notFound(reason: "\(name): \(reason)")
    }
    let delivery = WALFileDelivery(
      check: file.segment.map {
        SegmentHeaderCheck(segment: $0, expectedSystemIdentifier: expectedSystemIdentifier)
      },
      destination: destination)
    if let spooled = spooledFile(name) {
      do {
        try delivery.move(from: spooled)
        return .fetched(source: spooled)
      } catch {
        warn("ignoring the spooled copy: \(error)")
      }
    }
    let found = lookUp(name)
    var failures: [any Error] = []
    for candidate in found.paths {
      do {
        try delivery.copy(from: candidate)
        for failure in failures { warn("skipped \(failure)") }
        for unreadable in found.unreadableFolders { warn(unreadable) }
        return .fetched(source: candidate)
      } catch {
        failures.append(error)
      }
    }
    if let first = failures.first {
      for failure in failures.dropFirst() { warn("also \(failure)") }
      throw first
    }
    if let unreadable = found.unreadableFolders.first {
      for other in found.unreadableFolders.dropFirst() { warn("also \(other)") }
      throw WALFetchError(
        .io, file: name,
        "not found, but \(unreadable), so whether it is archived there is unknown; recovery "
          + "stops here rather than take it for the end of the archive: make it readable (the "
          + "folder, host or endpoint) and run pitr apply again (it resumes)")
    }
    let folders = archiveFolders.joined(separator: ", ")
    if file.segment != nil, neededRuns.contains(where: { $0.contains(name) }) {
      throw WALFetchError(
        .io, file: name,
        "not in \(folders.isEmpty ? "the spool" : folders), but it was archived when the plan was "
          + "compiled; recovery stops here rather than end without it: put it back (from another "
          + "copy of the archive) and run pitr apply again (it resumes)")
    }
    return .notFound(reason: "\(name): not in \(folders.isEmpty ? "the spool" : folders)")
  }

  /// `<spool>/<name>`, when it is a regular file.
  private func spooledFile(_ name: String) -> String? {
    guard let spoolFolder else { return nil }
    let path = "\(spoolFolder)/\(name)"
    var info = stat()
    guard stat(path, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { return nil }
    return path
  }

  /// What a look-up found: the archived files called `name`, and the archive folders that
  /// could not be searched at all (why, in words), which might hold it.
  private struct LookUp {
    var paths: [String] = []
    var unreadableFolders: [String] = []
  }

  /// The archived files called `name` that exist, in the folders' order.
  ///
  /// With a spool, from the index: read it, or build it when there is none (or it lists
  /// other folders). When the name is not in a read index, or its files are gone, the
  /// answer is "none" if no folder changed since the index was made; otherwise the folders
  /// are walked again, once, and the new index saved. Without a spool, the folders are
  /// walked looking for the name only. A subfolder that cannot be read is a warning (an
  /// archive on a mount point has its `lost+found`); an archive folder itself, never.
  private func lookUp(_ name: String) -> LookUp {
    guard !archiveFolders.isEmpty else { return LookUp() }
    if archiveFolders.contains(where: RepositoryStores.isRemote) { return lookUpListing(name) }
    guard let spoolFolder, ensureFolder(spoolFolder) else {
      let (paths, problems) = WALArchiveIndex.paths(for: name, walking: archiveFolders)
      return LookUp(paths: paths, unreadableFolders: sorting(problems))
    }
    let indexPath = "\(spoolFolder)/\(WALArchiveIndex.fileName)"
    if let stored = WALArchiveIndex(loading: indexPath, roots: archiveFolders) {
      let found = stored.paths(for: name).filter(Self.exists)
      if !found.isEmpty || stored.isCurrent { return LookUp(paths: found) }
    }
    let walked = WALArchiveIndex(walking: archiveFolders)
    let unreadable = sorting(walked.problems)
    if unreadable.isEmpty { walked.save(to: indexPath) }
    return LookUp(paths: walked.paths(for: name).filter(Self.exists), unreadableFolders: unreadable)
  }

  /// Warns about the subfolders that could not be read; returns the archive folders that
  /// could not be, as `cannot read PATH: REASON`.
  private func sorting(_ problems: [DirectoryWalker.Problem]) -> [String] {
    var unreadable: [String] = []
    for problem in problems {
      if archiveFolders.contains(problem.path) {
        unreadable.append(problem.description)
      } else {
        warn(problem.description)
      }
    }
    return unreadable
  }

  /// The files called `name` (plain or compressed), in the folders' order, from a listing of
  /// each folder: how remote folders (`ssh://…`, `s3://…`) are searched, through the run's
  /// stores.
  private func lookUpListing(_ name: String) -> LookUp {
    var found = LookUp()
    for folder in archiveFolders {
      if let store = try? RepositoryStores.current.store(for: folder) {
        do {
          if let listing = try store.list(under: folder, named: name) {
            for problem in listing.problems { warn(problem.description) }
            found.paths += listing.files.filter { WALArchiveIndex.lookupName(ofFile: String($0.name)) == name }.map(
              \.path)
            continue
          }
        } catch {
          let reason = "\(error)"
          found.unreadableFolders.append(reason.contains(folder) ? reason : "cannot read \(folder): \(reason)")
          continue
        }
      }
      let (files, problems) = DirectoryWalker.files(under: folder, stores: .current)
      found.unreadableFolders += sorting(problems)
      found.paths += files.filter { WALArchiveIndex.lookupName(ofFile: $0.name) == name }.map(\.path)
    }
    return found
  }

  /// Whether `path` names something (a file may be gone since the index was written).
  private static func exists(_ path: String) -> Bool { access(path, F_OK) == 0 }

  /// Makes the spool folder if it is missing; false when it cannot be used.
  private func ensureFolder(_ path: String) -> Bool {
    var info = stat()
    if stat(path, &info) == 0 { return info.st_mode & S_IFMT == S_IFDIR }
    return mkdir(path, 0o700) == 0 || errno == EEXIST
  }
}
