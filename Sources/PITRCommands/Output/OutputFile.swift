import Foundation

/// Where a command's output goes: standard output, or the file `--out` names.
enum OutputFile {
  /// Writes `text` to `path` (replacing it at once), or to standard output when `path` is nil;
  /// a file that cannot be written is a usage error naming it.
  static func write(_ text: String, to path: String?) throws {
    guard let path else {
      Terminal.write(text)
      return
    }
    do {
      try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
    } catch {
      Terminal.writeError("pitr: error: cannot write \(path): \(error.localizedDescription)\n")
      throw PITRExitCode.usage
    }
  }
}
