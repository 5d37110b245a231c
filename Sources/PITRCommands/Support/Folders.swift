import Foundation

/// Folders named on the command line.
enum Folders {
  /// Refuses, as a usage error, any path that is not an existing folder.
  static func requireExisting(_ paths: [String]) throws {
    for path in paths {
      var isDirectory: ObjCBool = false
      guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue
      else {
        Terminal.writeError("pitr: error: '\(path)' is not a folder\n")
        throw PITRExitCode.usage
      }
    }
  }
}
