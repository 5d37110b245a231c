import Compiler
import Foundation
import Testing
import _PITRTestSupport

/// The files a compiled plan's steps write, compared with what `apply` left on disk: the
/// same bytes and the same permissions, for every file the dry run shows.
enum CompiledFiles {
  /// Expects each file of the plan's steps on disk byte for byte with its mode, the last
  /// step's bytes where two steps write one file;
  /// `recovery.signal` only while the server has not promoted (PostgreSQL removes it then).
  static func expectWritten(
    by plan: CompiledPlan, promoted: Bool, sourceLocation: Testing.SourceLocation = #_sourceLocation
  ) {
    // A path written twice holds the later step's bytes (finish rewrites postgresql.auto.conf).
    var files: [FileContent] = []
    for file in plan.graph.ordered.flatMap(\.files) {
      files.removeAll { $0.path == file.path }
      files.append(file)
    }
    #expect(
      Set(files.map { ($0.path as NSString).lastPathComponent })
        == ["postgresql.auto.conf", "pg_hba.conf", "recovery.signal"], sourceLocation: sourceLocation)
    for file in files {
      if promoted, file.path.hasSuffix("/recovery.signal") {
        #expect(!FileManager.default.fileExists(atPath: file.path), sourceLocation: sourceLocation)
        continue
      }
      let written = FileManager.default.contents(atPath: file.path).map { Array($0) }
      #expect(
        written == Array(file.content.utf8), "\(file.path) differs from the dry run", sourceLocation: sourceLocation)
      #expect(
        FileInspection.mode(file.path) == UInt32(file.mode), "\(file.path)'s mode", sourceLocation: sourceLocation)
    }
  }
}
