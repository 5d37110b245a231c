import Compiler
import Foundation
import Testing
import _PITRTestSupport

/// The files a compiled plan's steps write, compared with what `apply` left on disk: the
/// same bytes and the same permissions, for every file the dry run shows.
enum CompiledFiles {
  /// Expects each file of the plan's steps on disk byte for byte with its mode;
  /// `recovery.signal` only while the server has not promoted (PostgreSQL removes it then).
  static func expectWritten(
    by plan: CompiledPlan, promoted: Bool, sourceLocation: Testing.SourceLocation = #_sourceLocation
  ) {
    let files = plan.graph.steps.flatMap(\.files)
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
