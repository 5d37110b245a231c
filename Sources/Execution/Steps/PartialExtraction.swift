import Catalog
import Compiler
import Foundation

/// What an interrupted extraction left in the data directory pitr made (and in the
/// tablespaces' new locations): files of the backup, which pitr clears to extract again,
/// or files pitr did not write, which it never removes.
///
/// A file is the backup's when `backup_manifest` lists its path (tablespace files as
/// `pg_tblspc/<oid>/…`; for an incremental chain, which pg_combinebackup writes, the last
/// backup's manifest with each `INCREMENTAL.<name>` as `<name>`), when it is at or below a
/// path the manifest check ignores (`pg_wal/`, `postgresql.auto.conf`, …), or it is the
/// `pg_tblspc/<oid>` link of a mapped tablespace or the `tablespace_map` being rewritten;
/// extraction writes nothing else, so anything else came from someone else.
struct PartialExtraction {
  let plan: CompiledPlan

  /// The directories extraction fills that exist now: the data directory, then each
  /// tablespace's new location, with the prefix its files have in the manifest.
  private var roots: [(path: String, manifestPrefix: String)] {
    ([(plan.destination.dataDirectory, "")]
      + plan.destination.tablespaces.map { ($0.location, "pg_tblspc/\($0.oid)/") })
      .filter { FileManager.default.fileExists(atPath: $0.0) }
  }

  /// Whether anything is in the data directory or a tablespace location.
  var isEmpty: Bool {
    roots.allSatisfy { ((try? FileManager.default.contentsOfDirectory(atPath: $0.path)) ?? []).isEmpty }
  }

  /// The files pitr did not write, absolute paths in order, at most `limit`.
  ///
  /// - Throws: `RunnerError` when `backup_manifest` cannot be read: then no file can be
  ///   told to be the backup's.
  func foreignFiles(limit: Int = 3) throws -> [String] {
    let manifestPath = "\(plan.backup.path)/backup_manifest"
    let manifest: BackupManifest
    do {
      guard let data = RepositoryFiles.contents(of: manifestPath) else {
        throw RunnerError("cannot read \(manifestPath)")
      }
      manifest = try BackupManifest(parsing: data)
    } catch {
      throw RunnerError(
        "cannot tell which files in \(plan.destination.dataDirectory) pitr wrote: \(manifestPath) "
          + "cannot be read (\(error)); remove \(plan.destination.dataDirectory) and "
          + "\(plan.destination.stateDirectory), then run pitr apply again")
    }
    let listed = Self.writtenPaths(manifest, combined: isCombined)
    let links = Set(plan.destination.tablespaces.map { "pg_tblspc/\($0.oid)" })
    var found: [String] = []
    for root in roots {
      walk(root.path, relative: "") { relative, isLink in
        let path = root.manifestPrefix + relative
        let ours =
          listed.contains(path) || ManifestCheck.isIgnored(path)
          || (root.manifestPrefix.isEmpty && (path == "tablespace_map.pitr-new" || (isLink && links.contains(path))))
        if !ours { found.append("\(root.path)/\(relative)") }
        return found.count < limit
      }
      if found.count >= limit { break }
    }
    return found
  }

  /// Whether pg_combinebackup writes the data directory (an incremental chain): then the
  /// last backup's `INCREMENTAL.<relfilenode>` files arrive whole, as `<relfilenode>`.
  private var isCombined: Bool { plan.graph.steps.contains { $0.kind == .combineBackups } }

  /// The paths extraction writes from `manifest`: its files, and for a combined chain the
  /// full file each `…/INCREMENTAL.<name>` of the last backup becomes.
  static func writtenPaths(_ manifest: BackupManifest, combined: Bool) -> Set<String> {
    var paths = Set(manifest.files.map(\.path))
    guard combined else { return paths }
    for path in paths {
      let slash = path.lastIndex(of: "/").map { path.index(after: $0) } ?? path.startIndex
      if path[slash...].hasPrefix("INCREMENTAL.") {
        paths.insert(String(path[..<slash]) + path[slash...].dropFirst("INCREMENTAL.".count))
      }
    }
    return paths
  }

  /// Removes everything inside the data directory and the tablespace locations, keeping
  /// the directories themselves (their mode and owner stay).
  func clear() throws {
    for root in roots {
      for name in (try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? [] {
        do {
          try FileManager.default.removeItem(atPath: "\(root.path)/\(name)")
        } catch {
          throw RunnerError("cannot remove \(root.path)/\(name): \(error.localizedDescription)")
        }
      }
    }
  }

  /// Calls `visit` with the path (relative to `directory`) of each entry that is not a
  /// directory, below `directory`, without following links, until it returns false.
  @discardableResult
  private func walk(_ directory: String, relative: String, _ visit: (String, Bool) -> Bool) -> Bool {
    let full = relative.isEmpty ? directory : "\(directory)/\(relative)"
    for name in ((try? FileManager.default.contentsOfDirectory(atPath: full)) ?? []).sorted() {
      let child = relative.isEmpty ? name : "\(relative)/\(name)"
      let type =
        (try? FileManager.default.attributesOfItem(atPath: "\(directory)/\(child)"))?[.type]
        as? FileAttributeType
      if type == .typeDirectory {
        guard walk(directory, relative: child, visit) else { return false }
      } else if !visit(child, type == .typeSymbolicLink) {
        return false
      }
    }
    return true
  }
}
