import Catalog
import Foundation
import PlanModel

/// Checks where the restore goes: an empty (or absent) directory no server uses, a free port,
/// room for the backup, server binaries of the backup's version, the OS user, and new
/// homes for the backup's tablespaces.
struct DestinationChecks {
  let plan: Plan
  /// SHA-256 of the plan file: a restore of this very plan may resume in its destination.
  let planHash: String
  /// What the restore is made of (backup files and WAL segments): a journal of this plan made
  /// against other files is not resumed.
  let catalogFingerprint: String
  let backup: BaseBackup
  /// The backups restored: `backup` alone, or its incremental chain (full backup first).
  var chain: [BaseBackup] = []
  let environment: any CompilerEnvironment
  /// `pitr advance`: the destination holds the restore being moved forward, its server on
  /// the port; only the binaries, the user and the tablespaces' mapping are checked.
  var advancing = false

  func run() -> [Diagnostic] {
    if advancing {
      return binaryChecks() + userChecks() + tablespaceChecks(resuming: true) + socketChecks()
    }
    let (resuming, directoryProblems) = dataDirectoryChecks()
    return directoryProblems + machineChecks(resuming: resuming) + binaryChecks() + userChecks()
      + tablespaceChecks(resuming: resuming) + socketChecks()
  }

  /// The data directory: absent or empty, or holding a restore of this plan to resume (then
  /// `resuming`); a note when it is reached through a symbolic link.
  private func dataDirectoryChecks() -> (resuming: Bool, [Diagnostic]) {
    var diagnostics: [Diagnostic] = []
    let data = plan.destination.dataDirectory
    var resuming = false
    switch environment.directoryState(data.value) {
    case .absent, .empty:
      break
    case .restoring(let hash, let fingerprint, _)
    where hash == planHash && (fingerprint == nil || fingerprint == catalogFingerprint):
      resuming = true
      diagnostics.append(
        Diagnostic(
          .note,
          "'\(data.value)' holds a restore of this plan (its journal is in \(data.value).pitr); "
            + "pitr apply resumes it, skipping the steps already done", at: data.location))
    case .restoring(let hash, _, _) where hash == planHash:
      diagnostics.append(
        .error(
          "'\(data.value)' holds a restore of this plan made from other files (the backup or the "
            + "WAL it needs changed since; its journal is in \(data.value).pitr), which pitr apply "
            + "cannot resume; remove \(data.value) and \(data.value).pitr to start again, or "
            + "choose another path", at: data.location))
    case .restoring:
      diagnostics.append(
        .error(
          "'\(data.value)' holds a restore of another plan, or of an earlier version of this one "
            + "(its journal is in \(data.value).pitr); remove \(data.value) and \(data.value).pitr "
            + "to start again, or choose another path", at: data.location))
    case .file:
      diagnostics.append(
        .error("'\(data.value)' is a file, not a directory; choose a new data directory", at: data.location))
    case .notEmpty(let entries, let isDataDirectory, let running):
      let what =
        running
        ? "is the data directory of a running server"
        : isDataDirectory
          ? "already holds a PostgreSQL data directory"
          : "is not empty (\(entries) \(entries == 1 ? "entry" : "entries"))"
      diagnostics.append(
        .error(
          "'\(data.value)' \(what); pitr restores only into an absent or empty directory, so "
            + "choose another path (or move the old one away yourself)", at: data.location))
    }
    let resolved = environment.resolvingLinks(data.value)
    if resolved != Self.withoutRedundantSlashes(data.value) {
      diagnostics.append(
        Diagnostic(
          .note,
          "'\(data.value)' is reached through a symbolic link; pitr restores into "
            + "\(resolved), the directory it names now", at: data.location))
    }
    return (resuming, diagnostics)
  }

  /// A free port and room for the extracted backup (a restore being resumed may have its own
  /// server on the port already, and its files in place).
  private func machineChecks(resuming: Bool) -> [Diagnostic] {
    guard !resuming else { return [] }
    var diagnostics: [Diagnostic] = []
    let data = plan.destination.dataDirectory
    let port = plan.destination.port
    if environment.isPortInUse(port.value) {
      diagnostics.append(
        .error(
          "port \(port.value) is in use on this machine; choose a free port for the restored server",
          at: port.location))
    }
    if chain.count > 1 {
      if let mode = plan.destination.combineMode, mode.value == .link, let version = backup.pgVersion, version < 18 {
        diagnostics.append(
          .error(
            "combine_mode: link needs pg_combinebackup 18 or later (--link), but backup \(backup.id) is "
              + "PostgreSQL \(version); use copy, copy-file-range or clone", at: mode.location))
      }
      if let space = CombineSpace(chain: chain), let free = environment.freeBytes(at: data.value),
        free < space.total
      {
        diagnostics.append(
          .error(
            "the chain \(chain.map(\.id).joined(separator: ", ")) needs \(ByteCount.describe(space.total)) "
              + "(\(ByteCount.describe(space.staging)) to extract it beside the data directory, up to "
              + "\(ByteCount.describe(space.result)) for what pg_combinebackup writes), but only "
              + "\(ByteCount.describe(free)) is free where '\(data.value)' would be", at: data.location))
      }
    } else if let needed = backup.expandedSize, let free = environment.freeBytes(at: data.value),
      free < needed
    {
      diagnostics.append(
        .error(
          "the backup needs \(ByteCount.describe(needed)) once extracted, but only \(ByteCount.describe(free)) "
            + "is free where '\(data.value)' would be", at: data.location))
    }
    return diagnostics
  }

  /// Server binaries found, of the backup's major version.
  private func binaryChecks() -> [Diagnostic] {
    let destination = plan.destination
    let binaries = environment.serverBinaries(in: destination.binDir?.value, majorVersion: backup.pgVersion)
    let binLocation = destination.binDir?.location ?? destination.dataDirectory.location
    if let problem = binaries.problem {
      return [
        .error(problem + (destination.binDir == nil ? "; set destination.bin_dir" : ""), at: binLocation)
      ]
    }
    if let version = binaries.majorVersion, let backupVersion = backup.pgVersion, version != backupVersion {
      return [
        .error(
          "the server binaries in \(binaries.directory ?? "PATH") are PostgreSQL \(version), but "
            + "backup \(backup.id) is PostgreSQL \(backupVersion); set destination.bin_dir to the "
            + "\(backupVersion) binaries (such as /usr/lib/postgresql/\(backupVersion)/bin)",
          at: binLocation)
      ]
    }
    return []
  }

  /// The OS user exists; as root, one is named (PostgreSQL refuses to run as root).
  private func userChecks() -> [Diagnostic] {
    if let user = plan.destination.osUser {
      guard !environment.userExists(user.value) else { return [] }
      return [.error("there is no operating-system user '\(user.value)' on this machine", at: user.location)]
    }
    guard environment.isRoot else { return [] }
    return [
      .error(
        "pitr runs as root and PostgreSQL refuses to: set destination.os_user to the user the "
          + "server runs as (usually postgres)", at: plan.destination.dataDirectory.location)
    ]
  }

  /// After promotion the `finish` step restarts the server with its own socket folders (the
  /// plan's `unix_socket_directories`, else the backup's): each must exist here, or the
  /// restart fails and leaves the promoted server down.
  private func socketChecks() -> [Diagnostic] {
    guard [.promote, .promoteIfVerified].contains(plan.action.value) else { return [] }
    if let setting = plan.destination.settings.last(where: { $0.name.value == "unix_socket_directories" }) {
      return Self.missingFolders(in: setting.value.value, environment: environment).map { folder in
        .error(
          "'\(folder)' is not a folder on this machine: the promoted server makes its socket there "
            + "once pitr hands it over, and would not start; create it, or choose another folder",
          at: setting.value.location)
      }
    }
    guard let written = backup.socketDirectories else { return [] }
    return Self.missingFolders(in: written, environment: environment).map { folder in
      .error(
        "after promotion pitr restarts the server with the backup's unix_socket_directories, and "
          + "'\(folder)' is not a folder on this machine, so it would not start; create it (owned by "
          + "\(plan.destination.osUser?.value ?? "the server's user")), or set "
          + "destination.settings.unix_socket_directories to a folder that exists", at: plan.action.location)
    }
  }

  /// The absolute folders of a `unix_socket_directories` value that are not folders here
  /// (abstract sockets, `@name`, and relative paths are left to the server).
  static func missingFolders(in value: String, environment: any CompilerEnvironment) -> [String] {
    value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
      .filter { $0.hasPrefix("/") && !environment.isFolder($0) }
  }

  private func tablespaceChecks(resuming: Bool) -> [Diagnostic] {
    var diagnostics: [Diagnostic] = []
    let mappings = plan.destination.tablespaces
    let backupOIDs = Set(backup.tablespaces.map(\.oid))
    for mapping in mappings {
      switch mapping.tablespace.value {
      case .oid(let oid) where !backupOIDs.contains(oid):
        diagnostics.append(
          .error(
            "backup \(backup.id) has no tablespace with OID \(oid)"
              + (backupOIDs.isEmpty
                ? " (it has none)"
                : "; its tablespaces are "
                  + backupOIDs.sorted().map(String.init).joined(separator: ", ")),
            at: mapping.tablespace.location))
      case .name(let name):
        diagnostics.append(
          .error(
            "tablespace '\(name)': a backup names its tablespaces by OID only; write the OID"
              + (backupOIDs.isEmpty
                ? "" : " (one of " + backupOIDs.sorted().map(String.init).joined(separator: ", ") + ")"),
            at: mapping.tablespace.location))
      default:
        break
      }
    }
    let mapped = Set(
      mappings.compactMap { mapping -> UInt32? in
        if case .oid(let oid) = mapping.tablespace.value { oid } else { nil }
      })
    for tablespace in backup.tablespaces where !mapped.contains(tablespace.oid) {
      diagnostics.append(
        .error(
          "backup \(backup.id) has tablespace \(tablespace.oid) at \(tablespace.location); map it "
            + "to a new directory in destination.tablespaces (restoring it in place would write "
            + "into the source's tablespace)", at: plan.destination.dataDirectory.location))
    }
    // A restore being resumed has already filled its tablespace directories.
    for mapping in mappings {
      let resolved = environment.resolvingLinks(mapping.location.value)
      guard resolved != Self.withoutRedundantSlashes(mapping.location.value) else { continue }
      diagnostics.append(
        Diagnostic(
          .note,
          "'\(mapping.location.value)' is reached through a symbolic link; pitr restores the "
            + "tablespace into \(resolved), the directory it names now", at: mapping.location.location))
    }
    for mapping in mappings where !resuming {
      let what: String
      switch environment.directoryState(mapping.location.value) {
      case .absent, .empty: continue
      case .file: what = "is a file, not a directory"
      case .notEmpty(_, _, running: true), .restoring(_, _, running: true):
        what = "is the data directory of a running server"
      default: what = "is not empty"
      }
      diagnostics.append(
        .error(
          "'\(mapping.location.value)' \(what); a tablespace is restored only into an absent or "
            + "empty directory", at: mapping.location.location))
    }
    return diagnostics
  }

  /// `path` without `//`, `/./` and a trailing `/` (which resolving links drops too), so that
  /// only a real link makes the resolved path differ. (Not `standardizingPath`: on Linux it
  /// resolves links itself.)
  static func withoutRedundantSlashes(_ path: String) -> String {
    let parts = path.split(separator: "/").filter { $0 != "." }
    return (path.hasPrefix("/") ? "/" : "") + parts.joined(separator: "/")
  }
}
