/// The exact bytes of the files a restore writes beside what it extracts: the restored
/// `postgresql.auto.conf` (the backup's own, without an earlier pitr block, then pitr's
/// block), pitr's `pg_hba.conf` in the state directory (trust on the private socket, then
/// the backup's own), and the empty `recovery.signal`.
enum RestoredFiles {
  /// The backup's `postgresql.auto.conf` (nil: it has none) with pitr's block at the end.
  static func autoConfiguration(backupText: String?, block: String) -> String {
    let cleaned = removingPitrBlock(backupText ?? "")
    return cleaned + (cleaned.isEmpty || cleaned.hasSuffix("\n") ? "" : "\n") + block
  }

  /// The text without a previous pitr block (a backup taken of a restored cluster has one).
  static func removingPitrBlock(_ text: String) -> String {
    guard let start = text.range(of: RecoveryConfiguration.beginMarker),
      let end = text.range(of: RecoveryConfiguration.endMarker, range: start.upperBound..<text.endIndex)
    else { return text }
    var after = text[end.upperBound...]
    if after.hasPrefix("\n") { after = after.dropFirst() }
    return String(text[..<start.lowerBound]) + after
  }

  /// pitr's `pg_hba.conf`: the private socket's rule first, then the backup's own rules
  /// (nil: the backup has none, as when Debian keeps it in /etc/postgresql).
  static func hostBasedAuthentication(backupText: String?, stateDirectory: String) -> String {
    let head =
      "# Written by pitr for the restore: trust on the private socket in \(stateDirectory) (mode 0700).\n"
      + "local all all trust\n"
    guard let backupText else {
      return head + "# The backup has no pg_hba.conf (it may be kept outside the data directory).\n"
    }
    return head + "# The backup's pg_hba.conf follows.\n" + backupText
  }
}

extension RecoveryConfiguration {
  /// The text without a previous pitr block.
  public static func removingBlock(_ text: String) -> String { RestoredFiles.removingPitrBlock(text) }
}
