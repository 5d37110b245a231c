/// Finds the base backups under `backups.base`: folders holding a `backup_manifest`, a
/// `base.tar[.gz]` or a `backup_label`, at any depth. The search does not go inside a backup.
enum BackupLocator {
  /// File names that make their folder a base backup.
  static let markers: Set<String> = [
    "backup_manifest", "backup_label", "base.tar", "base.tar.gz", "base.tar.lz4", "base.tar.zst",
  ]

  /// The backup folders among `files` (all files under `root`), outermost first, each with
  /// the files inside it.
  static func locate(in files: [ScannedFile], root: String) -> [(folder: String, files: [ScannedFile])] {
    var folders = Set(files.filter { markers.contains($0.name) }.map { String($0.directory) })
    // A folder inside another backup is part of it (a plain backup's own subfolders).
    folders = folders.filter { folder in
      !folders.contains { other in other != folder && folder.hasPrefix(other + "/") }
    }
    return folders.sorted().map { folder in
      (folder, files.filter { $0.path.hasPrefix(folder + "/") })
    }
  }

  /// The backup's id: its path relative to `root`, or `.` when it is `root`.
  static func identifier(of folder: String, root: String) -> String {
    if folder == root { return "." }
    return folder.hasPrefix(root + "/") ? String(folder.dropFirst(root.count + 1)) : folder
  }
}
