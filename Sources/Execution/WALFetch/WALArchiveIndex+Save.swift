import Catalog

extension WALArchiveIndex {
  /// Writes the index to `path` through a temporary file and a rename, so a reader never
  /// sees half of it.
  ///
  /// - Returns: Whether it was written: the index is only a cache, and a fetch does not fail
  ///   for want of it.
  @discardableResult
  func save(to path: String) -> Bool {
    guard let bytes = serialized() else { return false }
    do {
      let writer = try AtomicFileWriter(destination: path)
      try bytes.withUnsafeBytes { try writer.write($0) }
      try writer.commit(sync: false)
      return true
    } catch {
      return false
    }
  }
}
